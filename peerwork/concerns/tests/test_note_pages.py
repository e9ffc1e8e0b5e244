"""Meeting notes on the meeting page (issue 8 item 2; App. 7): the page says plainly that
the note is not a warning and not part of any disciplinary proceedings; Ravi writes it
with a date to meet again; Amina and Ravi agree it, or Amina records what she disagrees
with, shown beside it for both; HR, the peer supporter and another manager are told who
agrees a note and nothing changes; a new summary asks both again; a stale change keeps
what was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import meetings
from peerwork.concerns.models import MeetingNote
from peerwork.concerns.tests.test_meeting_pages import page, text_of
from peerwork.concerns.tests.test_meetings import held, plan, today_there
from peerwork.concerns.tests.test_notes import SUMMARY, fresh_note, write
from peerwork.core.tests.page_checks import assert_sound_page

pytestmark = pytest.mark.django_db

NOT_A_WARNING = (
    "This note is a summary the two of you agree. It is not a warning, and it is not part of "
    "any disciplinary proceedings."
)


def note_url(note: MeetingNote, action: str) -> str:
    return f"/concerns/meeting-notes/{note.pk}/{action}/"


def test_ravi_writes_the_note_with_a_date_to_meet_again(story):
    meeting = held(story)
    ravi = signed_in(story.ravi)
    html = text_of(assert_sound_page(ravi.get(page(meeting))))
    assert NOT_A_WARNING in html and "Write the note" in html
    review_on = today_there(story) + dt.timedelta(days=21)
    response = ravi.post(
        f"{page(meeting)}note/", {"summary": SUMMARY, "review_on": review_on.isoformat()}
    )
    assert response["Location"] == f"{page(meeting)}#note"
    with scope(organisation=story.harbourside.pk):
        note = MeetingNote.objects.get(meeting=meeting)
    assert note.summary == SUMMARY and note.review_on == review_on
    html = text_of(assert_sound_page(signed_in(story.amina).get(page(meeting))))
    assert NOT_A_WARNING in html and SUMMARY in html
    assert f"Meet again to review on {review_on.isoformat()}" in html
    assert "Please read the note and say whether you agree." in html
    assert "I agree with this note" in html


def test_a_refused_note_keeps_what_was_typed(story):
    meeting = held(story)
    response = signed_in(story.ravi).post(
        f"{page(meeting)}note/",
        {"summary": "What I wrote.", "review_on": today_there(story).isoformat()},
    )
    html = text_of(assert_sound_page(response))
    assert response.status_code == 200
    assert "The date to meet again must be after today." in html and "What I wrote." in html
    with scope(organisation=story.harbourside.pk):
        assert not MeetingNote.objects.exists()


def test_no_note_is_offered_before_the_meeting_day(story):
    meeting = plan(story, days=2)
    html = text_of(signed_in(story.ravi).get(page(meeting)).text)
    assert "Write the note" not in html
    assert "The manager writes the note once the meeting has been held." in html


def test_both_agree_and_the_page_says_so(story):
    note = write(story)
    amina, ravi = signed_in(story.amina), signed_in(story.ravi)
    response = amina.post(note_url(note, "agree"), {"version": str(note.version)}, follow=True)
    assert "You agreed the note." in text_of(response.content.decode())
    ravi.post(note_url(note, "agree"), {"version": str(fresh_note(note).version)})
    html = text_of(assert_sound_page(ravi.get(page(note.meeting))))
    assert "Both agreed this note." in html
    assert "Amina Wanjiru : agreed" in html and "Ravi Shah : agreed" in html
    assert "I agree with this note" not in html
    assert fresh_note(note).is_agreed()


def test_amina_s_disagreement_is_shown_beside_the_note_for_both(story):
    note = write(story)
    response = signed_in(story.amina).post(
        note_url(note, "disagree"),
        {"version": str(note.version), "disagreement": "It was three shifts, not two."},
    )
    assert response.status_code == 302
    for who in ("ravi", "amina"):
        html = text_of(signed_in(getattr(story, who)).get(page(note.meeting)).text)
        assert SUMMARY in html
        assert "Amina Wanjiru : disagrees" in html
        assert "What they disagree with: It was three shifts, not two." in html


def test_an_empty_disagreement_is_refused_and_the_form_stays_open(story):
    note = write(story)
    response = signed_in(story.amina).post(
        note_url(note, "disagree"), {"version": str(note.version), "disagreement": " "}
    )
    html = assert_sound_page(response)
    assert response.status_code == 200 and "<details open>" in html
    assert "Write what you disagree with: it is kept beside the note." in text_of(html)
    assert not fresh_note(note).person_response


@pytest.mark.parametrize("who", ["grace", "samuel"])
def test_someone_who_was_not_there_is_told_who_agrees_and_nothing_changes(story, who):
    meeting = plan(story, days=-1)
    with scope(organisation=story.harbourside.pk):
        meetings.choose_supporter(
            actor=story.amina, meeting=meeting, supporter=story.samuel, version=meeting.version
        )
    note = write(story, meeting)
    client = signed_in(getattr(story, who))
    html = text_of(client.get(page(meeting)).text)
    assert "I agree with this note" not in html and SUMMARY in html
    for action, data in (("agree", {}), ("disagree", {"disagreement": "Not so."})):
        response = client.post(
            note_url(note, action), {"version": str(note.version), **data}, follow=True
        )
        assert response.status_code == 200
        assert (
            "Only the staff member and the manager who held the meeting agree its note."
            in text_of(response.content.decode())
        )
    stored = fresh_note(note)
    assert stored.version == note.version and not stored.person_response


def test_another_manager_gets_not_found(story):
    note = write(story)
    taslima = signed_in(story.taslima)
    assert taslima.post(note_url(note, "agree"), {"version": "1"}).status_code == 404
    assert fresh_note(note).version == note.version


def test_a_new_summary_asks_both_again(story):
    note = write(story)
    signed_in(story.amina).post(note_url(note, "agree"), {"version": str(note.version)})
    current = fresh_note(note)
    ravi = signed_in(story.ravi)
    response = ravi.post(
        note_url(note, "edit"),
        {
            "version": str(current.version),
            "summary": SUMMARY + " Joseph will swap a shift.",
            "review_on": current.review_on.isoformat(),
        },
    )
    assert response.status_code == 302
    stored = fresh_note(note)
    assert stored.summary.endswith("Joseph will swap a shift.") and not stored.person_response
    html = text_of(signed_in(story.amina).get(page(note.meeting)).text)
    assert "Please read the note and say whether you agree." in html


def test_a_stale_change_keeps_what_was_typed(story):
    note = write(story)
    read = note.version
    signed_in(story.amina).post(note_url(note, "agree"), {"version": str(read)})
    response = signed_in(story.ravi).post(
        note_url(note, "edit"), {"version": str(read), "summary": "My new wording."}
    )
    html = assert_sound_page(response)
    assert response.status_code == 200 and "<details open>" in html
    assert "Someone else changed this meeting meanwhile" in text_of(html)
    assert "My new wording." in html
    assert fresh_note(note).summary == SUMMARY


def test_only_the_manager_or_hr_change_the_note(story):
    note = write(story)
    amina = signed_in(story.amina)
    assert "Change the note" not in amina.get(page(note.meeting)).text
    response = amina.post(note_url(note, "edit"), {"summary": "Mine."}, follow=True)
    assert "Only the manager or HR changes the meeting note." in response.content.decode()
    assert fresh_note(note).summary == SUMMARY
