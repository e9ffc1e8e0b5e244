"""Who reads a self-control programme through the pages (issue 7 item 2; §4.2; the
[record: selfcare] "programme" column): its owner; the peer mentor she opens it to, read-
only and only while it is open, each read audited; nobody else by any role, and nobody
from another organisation. Opening needs an expiry that has not passed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.selfcare import programmes
from peerwork.selfcare.models import Opening
from peerwork.selfcare.tests.test_programme_services import (
    a_goal,
    fresh,
    plan_of,
    programme_of,
    records_of,
    today_there,
    with_records,
)

pytestmark = pytest.mark.django_db

OUTSIDERS = ["ravi", "grace", "daniel", "chen", "taras", "leila", "joseph", "taslima"]
READ_PAGES = ("", "progress/", "revisions/")
CHANGE_PAGES = (
    "commitment/",
    "target/",
    "baseline/",
    "goal/",
    "strategies/",
    "log/",
    "open/",
    "delete/",
)


def url(programme, step: str = "") -> str:
    return f"/selfcare/programmes/{programme.pk}/{step}"


def open_to_samuel(story, programme, days: int = 7) -> Opening:
    with scope(organisation=story.harbourside.pk):
        return programmes.open_programme(
            actor=story.amina,
            programme=fresh(programme),
            grantee=story.samuel,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )


def samuels_reads(story) -> int:
    with scope(organisation=story.harbourside.pk):
        return AuditEvent.objects.filter(
            action="selfcare.programme.read", actor_id=story.samuel.pk, subject_id=story.amina.pk
        ).count()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_finds_her_programme_by_any_role(story, who):
    programme = programme_of(story, goal=a_goal(story))
    client = signed_in(getattr(story, who))
    for step in (*READ_PAGES, *CHANGE_PAGES):
        assert client.get(url(programme, step)).status_code == 404, step
    for step in ("log/", "end/", "delete/", "revisions/", "open/"):
        assert client.post(url(programme, step), {"count": "1", "version": "2"}).status_code == 404
    html = client.get("/selfcare/programmes/").content.decode()
    assert str(programme.pk) not in html and "Buying cigarettes" not in html
    assert (
        "Nothing is opened to you now."
        in client.get("/selfcare/programmes/opened/").content.decode()
    )
    assert records_of(programme) == [] and fresh(programme).ended_at is None


def test_amina_opens_it_to_samuel_who_reads_it_and_each_read_is_audited(story):
    programme = programme_of(story, goal=a_goal(story))
    with_records(story, programme, {2: 3})
    amina = signed_in(story.amina)
    html = assert_sound_page(amina.get(url(programme, "open/")))
    assert "Samuel Kiprop" in html and "Opened to nobody." in html
    until = today_there(story) + dt.timedelta(days=10)
    response = amina.post(
        url(programme, "open/"), {"grantee": str(story.samuel.pk), "until": until.isoformat()}
    )
    assert response.status_code == 302
    html = amina.get(url(programme, "open/")).content.decode()
    assert "Open to Samuel Kiprop until" in html

    samuel = signed_in(story.samuel)
    html = assert_sound_page(samuel.get("/selfcare/programmes/opened/"))
    assert "Amina Wanjiru's self-control programme" in html and url(programme) in html
    html = assert_sound_page(samuel.get(url(programme)))
    assert "Buying cigarettes on the way to work" in html
    assert "After the morning meeting" in html  # a baseline record
    assert "to read, not to change" in html
    assert "Log today" not in html and url(programme, "end/") not in html
    for step in READ_PAGES[1:]:
        assert_sound_page(samuel.get(url(programme, step)))
    assert samuels_reads(story) == 3


def test_samuel_may_not_change_it_while_it_is_open_to_him(story):
    programme = programme_of(story, goal=a_goal(story))
    open_to_samuel(story, programme)
    samuel = signed_in(story.samuel)
    for step in CHANGE_PAGES:
        assert samuel.get(url(programme, step)).status_code == 403, step
    for step in ("target/", "log/", "end/", "delete/", "revisions/"):
        response = samuel.post(
            url(programme, step), {"target": "x", "count": "1", "what": "x", "version": "2"}
        )
        assert response.status_code == 403, step
    assert plan_of(programme).target.startswith("Buying") and plan_of(programme).revisions == []
    assert records_of(programme) == [] and fresh(programme).ended_at is None


def test_after_the_expiry_samuel_finds_nothing(story):
    programme = programme_of(story)
    opening = open_to_samuel(story, programme)
    samuel = signed_in(story.samuel)
    assert samuel.get(url(programme)).status_code == 200
    with scope(organisation=story.harbourside.pk):
        Opening.objects.filter(pk=opening.pk).update(
            opened_at=timezone.now() - dt.timedelta(days=8),
            expires_at=timezone.now() - dt.timedelta(seconds=1),
        )
    for step in READ_PAGES:
        assert samuel.get(url(programme, step)).status_code == 404
    html = samuel.get("/selfcare/programmes/opened/").content.decode()
    assert "Nothing is opened to you now." in html


def test_after_amina_closes_it_early_samuel_finds_nothing(story):
    programme = programme_of(story)
    opening = open_to_samuel(story, programme)
    amina = signed_in(story.amina)
    response = amina.post(f"/selfcare/programme-openings/{opening.pk}/close/")
    assert response["Location"] == url(programme, "open/")
    assert signed_in(story.samuel).get(url(programme)).status_code == 404
    # Only the owner closes her openings: Samuel cannot even find it.
    reopened = open_to_samuel(story, programme)
    closing = signed_in(story.samuel).post(f"/selfcare/programme-openings/{reopened.pk}/close/")
    assert closing.status_code == 404


def test_an_expiry_in_the_past_is_refused_and_what_she_chose_stays(story):
    programme = programme_of(story)
    yesterday = today_there(story) - dt.timedelta(days=1)
    response = signed_in(story.amina).post(
        url(programme, "open/"), {"grantee": str(story.samuel.pk), "until": yesterday.isoformat()}
    )
    html = assert_sound_page(response)
    assert "Choose a time that has not passed yet." in html
    assert f'value="{yesterday.isoformat()}"' in html
    with scope(organisation=story.harbourside.pk):
        assert not Opening.objects.exists()


def test_an_expiry_beyond_ninety_days_is_refused(story):
    programme = programme_of(story)
    far = today_there(story) + dt.timedelta(days=91)
    response = signed_in(story.amina).post(
        url(programme, "open/"), {"grantee": str(story.samuel.pk), "until": far.isoformat()}
    )
    assert "at most 90 days" in assert_sound_page(response)
    with scope(organisation=story.harbourside.pk):
        assert not Opening.objects.exists()


def test_someone_who_is_not_her_mentor_cannot_be_chosen(story):
    programme = programme_of(story)
    response = signed_in(story.amina).post(
        url(programme, "open/"),
        {
            "grantee": str(story.ravi.pk),
            "until": (today_there(story) + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert "Choose your peer mentor." in assert_sound_page(response)
    with scope(organisation=story.harbourside.pk):
        assert not Opening.objects.exists()


def test_olena_without_a_mentor_is_told_it_opens_only_to_her_peer_mentor(story):
    programme = programme_of(story, story.olena)
    html = assert_sound_page(signed_in(story.olena).get(url(programme, "open/")))
    assert "You have no peer mentor in Peerwork right now." in html
    assert 'name="grantee"' not in html


def test_samuel_is_told_in_neutral_words_with_a_link_to_what_is_opened(story):
    programme = programme_of(story)
    open_to_samuel(story, programme)
    html = signed_in(story.samuel).get("/inbox").content.decode()
    assert "A colleague opened a page to you" in html
    assert "Amina Wanjiru opened a page to you until" in html
    assert "self-control" not in html.lower()
    assert 'href="/selfcare/programmes/opened/"' in html
