"""The session log of a mentoring or coaching pair (issue 7 items 5 and 6; §3.11, §3.13,
App. 4): refused, with what was typed kept and nothing saved, until the staff member has
acknowledged the reporting duty; then saved, sealed under the staff member's key. The two
read it (the supporter's reads audited, the person's own not); the supporter corrects and
removes their entries; HR, the line manager, the director, the org admin, another mentor
and another organisation get 404, on the pages and through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import bearer, signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.support import agreements, mentoring
from peerwork.support.models import SupportSession
from peerwork.support.tests.test_mentoring_pairs import draft, pair_of, today_there

pytestmark = pytest.mark.django_db

NOTES = "Planned safer evening outreach: going in pairs, phones charged."


def sessions_of(pair) -> list[SupportSession]:
    with scope(organisation=pair.organisation_id):
        return list(SupportSession.objects.filter(relationship=pair))


def reads_of(session_id) -> list[AuditEvent]:
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(
                object_id=session_id, action="support.session.read", kind=AuditEvent.Kind.READ
            )
        )


def test_a_session_before_the_duty_is_acknowledged_is_refused_and_the_notes_are_kept(story):
    agreement = draft(story, duty=False)
    pair = pair_of(story)
    url = f"/support/pairs/{pair.pk}/sessions/new/"
    samuel = signed_in(story.samuel)
    html = assert_sound_page(samuel.get(url))
    assert "Sessions are logged once Amina Wanjiru has acknowledged the duty" in html
    day = (today_there(story) - dt.timedelta(days=1)).isoformat()
    response = samuel.post(url, {"held_on": day, "minutes": "45", "notes": NOTES})
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Amina Wanjiru has not yet acknowledged the duty to report the two exceptions" in html
    assert "Nothing was saved." in html
    assert NOTES in html and f'value="{day}"' in html and 'value="45"' in html
    assert sessions_of(pair) == []

    # Amina acknowledges the duty on her agreement; then the same session is saved.
    response = signed_in(story.amina).post(
        f"/support/agreements/{agreement.pk}/duty/", {"version": str(agreement.version)}
    )
    assert response.status_code == 302
    response = samuel.post(url, {"held_on": day, "minutes": "45", "notes": NOTES})
    assert response.status_code == 302 and response["Location"] == f"/support/pairs/{pair.pk}/"
    (session,) = sessions_of(pair)
    assert session.notes == NOTES and session.minutes == 45 and session.person_id == story.amina.pk
    with scope(organisation=story.harbourside.pk):
        # Sealed under Amina's key: the stored bytes are not the words.
        stored = SupportSession.objects.filter(pk=session.pk).only("notes").get()
        assert NOTES.encode() not in bytes(stored.__dict__["notes"].ciphertext)


def test_a_session_in_the_future_or_with_too_long_notes_is_refused_at_its_field(story):
    draft(story)
    pair = pair_of(story)
    url = f"/support/pairs/{pair.pk}/sessions/new/"
    tomorrow = (today_there(story) + dt.timedelta(days=1)).isoformat()
    samuel = signed_in(story.samuel)
    html = assert_sound_page(samuel.post(url, {"held_on": tomorrow, "notes": NOTES}))
    assert 'id="id_held_on_error"' in html and "choose today or earlier" in html
    assert NOTES in html
    today = today_there(story).isoformat()
    html = assert_sound_page(
        samuel.post(url, {"held_on": today, "minutes": "700", "notes": "x" * 4001})
    )
    assert 'id="id_minutes_error"' in html and 'id="id_notes_error"' in html
    assert sessions_of(pair) == []


def test_the_two_read_the_log_and_only_the_supporters_reads_are_audited(story):
    draft(story)
    pair = pair_of(story)
    with scope(organisation=story.harbourside.pk):
        session = mentoring.log_session(
            actor=story.samuel, pair=pair, held_on=today_there(story), minutes=30, notes=NOTES
        )
    pair_url = f"/support/pairs/{pair.pk}/"
    assert NOTES in assert_sound_page(signed_in(story.amina).get(pair_url))
    assert reads_of(session.pk) == []
    assert NOTES in assert_sound_page(signed_in(story.samuel).get(pair_url))
    (read,) = reads_of(session.pk)
    assert read.actor_id == story.samuel.pk and read.subject_id == story.amina.pk
    # HR sees the pair, never the log.
    assert NOTES not in assert_sound_page(signed_in(story.grace).get(pair_url))
    assert len(reads_of(session.pk)) == 1


def test_nobody_else_reads_the_log_on_the_pages_or_through_the_api(story):
    draft(story)
    pair = pair_of(story)
    with scope(organisation=story.harbourside.pk):
        session = mentoring.log_session(
            actor=story.samuel, pair=pair, held_on=today_there(story), notes=NOTES
        )
    pages = [
        f"/support/pairs/{pair.pk}/sessions/new/",
        f"/support/sessions/{session.pk}/",
    ]
    api = [f"/api/v1/support-pairs/{pair.pk}/sessions", f"/api/v1/support-sessions/{session.pk}"]
    # Ravi (line manager), Grace (HR), Daniel (director), Chen (org admin), Leila (another
    # pair's coach), Taras (another organisation); Joseph and Peter too.
    for name in ("ravi", "grace", "daniel", "chen", "leila", "taras", "joseph", "peter"):
        member = getattr(story, name)
        client = signed_in(member)
        for url in pages:
            assert client.get(url).status_code == 404, (name, url)
            assert client.post(url, {"notes": "x"}).status_code == 404, (name, url)
        headers = bearer(member)
        for url in api:
            assert Client().get(url, headers=headers).status_code == 404, (name, url)
    # Samuel, a peer mentor, is another mentor to Olena: her coaching log is not his.
    draft(story, "olena", recipient="grace")
    olenas = pair_of(story, "olena")
    with scope(organisation=story.harbourside.pk):
        coached = mentoring.log_session(
            actor=story.leila, pair=olenas, held_on=today_there(story), notes="Coaching."
        )
    samuel = signed_in(story.samuel)
    for url in (f"/support/pairs/{olenas.pk}/sessions/new/", f"/support/sessions/{coached.pk}/"):
        assert samuel.get(url).status_code == 404, url
    for url in (
        f"/api/v1/support-pairs/{olenas.pk}/sessions",
        f"/api/v1/support-sessions/{coached.pk}",
    ):
        assert Client().get(url, headers=bearer(story.samuel)).status_code == 404, url
    # Amina reads her log but does not write it; the entry's page shows it to her.
    amina = signed_in(story.amina)
    assert amina.get(pages[0]).status_code == 403
    assert NOTES in assert_sound_page(amina.get(pages[1]))
    assert amina.post(pages[1], {"notes": "changed"}).status_code == 403
    assert sessions_of(pair)[0].notes == NOTES


def test_the_mentor_corrects_an_entry_a_stale_save_keeps_the_typing_and_removes_it(story):
    draft(story)
    pair = pair_of(story)
    day = today_there(story)
    with scope(organisation=story.harbourside.pk):
        session = mentoring.log_session(actor=story.samuel, pair=pair, held_on=day, notes=NOTES)
        mentoring.change_session(
            actor=story.samuel,
            session=session,
            held_on=day,
            minutes=20,
            notes="Changed in another tab.",
            version=1,
        )
    url = f"/support/sessions/{session.pk}/"
    samuel = signed_in(story.samuel)
    assert 'name="version" value="2"' in assert_sound_page(samuel.get(url))
    typed = {"held_on": day.isoformat(), "minutes": "50", "notes": "Typed here.", "version": "1"}
    html = assert_sound_page(samuel.post(url, typed))
    assert "This session was changed meanwhile" in html
    assert "Typed here." in html and 'name="version" value="2"' in html
    assert sessions_of(pair)[0].notes == "Changed in another tab."
    response = samuel.post(url, {**typed, "version": "2"})
    assert response.status_code == 302
    (saved,) = sessions_of(pair)
    assert saved.notes == "Typed here." and saved.minutes == 50 and saved.version == 3
    response = samuel.post(f"{url}remove/", {"version": "3"})
    assert response.status_code == 302 and sessions_of(pair) == []


def test_an_agreement_redrafted_with_a_new_recipient_needs_the_duty_again(story):
    agreement = draft(story)
    pair = pair_of(story)
    with scope(organisation=story.harbourside.pk):
        agreements.change_terms(
            actor=story.grace,
            agreement=agreement,
            terms=agreements.Terms(
                service=agreement.service,
                frequency=agreement.frequency,
                exception_recipient=story.grace,
                review_on=agreement.review_on,
                exception_route=agreement.exception_route,
            ),
            version=agreement.version,
        )
    response = signed_in(story.samuel).post(
        f"/support/pairs/{pair.pk}/sessions/new/",
        {"held_on": today_there(story).isoformat(), "notes": NOTES},
    )
    assert "has not yet acknowledged the duty" in assert_sound_page(response)
    assert sessions_of(pair) == []
