"""Asking for a peer mentor (issue 7 item 5; §3.11): a staff member asks, perhaps for a named
peer mentor (never their own line manager), with a note for HR in their own words (sealed,
HR's reads audited); they may withdraw it while it waits; HR answers it with a pair."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.services import set_roles
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.support import agreements, mentoring
from peerwork.support.models import MentoringRequest
from peerwork.support.tests.test_mentoring_pairs import notifications, pairs_of

pytestmark = pytest.mark.django_db

NEW = "/support/requests/new/"
NOTE = "Evenings suit me best; someone who knows the night outreach."


def requests_of(member) -> list[MentoringRequest]:
    with scope(organisation=member.organisation_id):
        return list(MentoringRequest.objects.filter(person=member).order_by("made_at"))


def test_joseph_asks_for_samuel_and_hr_is_told_that_someone_asked(story):
    joseph = signed_in(story.joseph)
    html = assert_sound_page(joseph.get(NEW))
    assert "Samuel Kiprop" in html
    response = joseph.post(NEW, {"wanted": str(story.samuel.pk), "note": NOTE})
    (asked,) = requests_of(story.joseph)
    assert response["Location"] == f"/support/requests/{asked.pk}/"
    assert asked.wanted_id == story.samuel.pk and asked.note == NOTE and asked.state == "open"
    assert notifications(story.grace, agreements.MENTOR_ASKED.kind)
    assert NOTE in assert_sound_page(joseph.get(response["Location"]))
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="support.request.read").exists()
    # HR reads the note, and the read is written down for Joseph to see.
    html = assert_sound_page(signed_in(story.grace).get(response["Location"]))
    assert NOTE in html and "Pair with a peer mentor" in html
    with scopes_disabled():
        (read,) = AuditEvent.objects.filter(action="support.request.read")
    assert read.actor_id == story.grace.pk and read.subject_id == story.joseph.pk
    for name in ("ravi", "samuel", "daniel", "chen", "amina", "taras"):
        assert signed_in(getattr(story, name)).get(response["Location"]).status_code == 404, name


def test_the_own_line_manager_cannot_be_asked_for(story):
    with scope(organisation=story.harbourside.pk):
        set_roles(membership=story.ravi, roles=["staff", "line_manager", "peer_mentor"])
    joseph = signed_in(story.joseph)
    assert "Ravi Shah" not in assert_sound_page(joseph.get(NEW))
    html = assert_sound_page(joseph.post(NEW, {"wanted": str(story.ravi.pk), "note": NOTE}))
    assert 'id="id_wanted_error"' in html and NOTE in html
    assert requests_of(story.joseph) == []


def test_one_request_waits_at_a_time_and_withdrawing_ends_it(story):
    joseph = signed_in(story.joseph)
    joseph.post(NEW, {"note": NOTE})
    html = assert_sound_page(joseph.post(NEW, {"note": "Again"}))
    assert "You have already asked for a mentor." in html
    (asked,) = requests_of(story.joseph)
    url = f"/support/requests/{asked.pk}/withdraw/"
    assert signed_in(story.grace).post(url).status_code == 403
    assert joseph.post(url, {"version": str(asked.version)}).status_code == 302
    (asked,) = requests_of(story.joseph)
    assert asked.state == "withdrawn"
    assert joseph.post(NEW, {"note": "Again"}).status_code == 302


def test_hr_answers_the_request_with_a_pair(story):
    with scope(organisation=story.harbourside.pk):
        asked = mentoring.ask_for_mentor(actor=story.joseph, wanted=story.samuel, note=NOTE)
    url = f"/support/requests/{asked.pk}/pair/"
    assert signed_in(story.joseph).post(url, {"supporter": str(story.samuel.pk)}).status_code == 403
    response = signed_in(story.grace).post(url, {"supporter": str(story.samuel.pk)})
    (pair,) = pairs_of(story.joseph)
    assert response["Location"] == f"/support/pairs/{pair.pk}/"
    (asked,) = requests_of(story.joseph)
    assert asked.state == "paired" and asked.relationship_id == pair.pk
    assert notifications(story.joseph, agreements.PAIR_MADE.kind)
    # Answered: it no longer waits on HR's page.
    assert (
        "Joseph Otieno"
        not in assert_sound_page(signed_in(story.grace).get("/support/pairs/")).split(
            "Current pairs"
        )[0]
    )
