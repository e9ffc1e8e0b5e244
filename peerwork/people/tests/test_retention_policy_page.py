"""The retention policy page: the org admin sets how long a leaver's records are kept."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.models import RetentionPolicy

pytestmark = pytest.mark.django_db

URL = "people:retention_policy"


def _policy(story) -> tuple[int, int] | None:
    with scope(organisation=story.harbourside):
        row = RetentionPolicy.objects.filter(organisation=story.harbourside).first()
        return (row.private_days, row.personnel_days) if row else None


def _form(private: int, personnel: int, seen: tuple[int, int] = (30, 2190)) -> dict[str, int]:
    return {
        "private_days": private,
        "personnel_days": personnel,
        "seen_private_days": seen[0],
        "seen_personnel_days": seen[1],
    }


def test_the_org_admin_sees_the_defaults(story):
    html = assert_sound_page(signed_in(story.chen).get(reverse(URL)))
    assert 'value="30"' in html
    assert 'value="2190"' in html


def test_only_the_org_admin_reaches_the_page(story):
    for member in (story.amina, story.ravi, story.grace, story.daniel, story.samuel, story.taras):
        assert signed_in(member).get(reverse(URL)).status_code == 404, member.name
        assert signed_in(member).post(reverse(URL), _form(1, 1)).status_code == 404, member.name
    assert _policy(story) is None


def test_the_org_admin_sets_the_periods_and_it_is_audited(story):
    response = signed_in(story.chen).post(reverse(URL), _form(14, 3650))
    assert response.status_code == 302
    assert _policy(story) == (14, 3650)
    with scope(organisation=story.harbourside):
        event = AuditEvent.objects.filter(action="retention_policy.change").get()
    assert event.actor_id == story.chen.pk
    assert event.detail == {"private_days": 14, "personnel_days": 3650}


def test_a_period_out_of_range_is_refused_and_what_was_typed_stays(story):
    response = signed_in(story.chen).post(reverse(URL), _form(400, 3650))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="400"' in html
    assert 'value="3650"' in html
    assert _policy(story) is None


def test_a_change_made_meanwhile_is_not_overwritten(story):
    signed_in(story.chen).post(reverse(URL), _form(14, 3650))
    # A second admin's form was read before that change: it shows the defaults as seen.
    response = signed_in(story.chen).post(reverse(URL), _form(60, 2190, seen=(30, 2190)))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed the policy" in html
    assert 'value="60"' in html
    assert _policy(story) == (14, 3650)
    # Saving again knowingly replaces it.
    again = signed_in(story.chen).post(reverse(URL), _form(60, 2190, seen=(14, 3650)))
    assert again.status_code == 302
    assert _policy(story) == (60, 2190)


def test_the_org_admin_finds_the_page_from_my_day(story):
    html = signed_in(story.chen).get(reverse("core:dashboard")).content.decode()
    assert reverse(URL) in html
