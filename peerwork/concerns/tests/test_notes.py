"""Meeting notes as services (issue 8 item 2; App. 7 "agree a summary of the meeting in a
meeting note", App. 9 q7): written by the manager or HR once the meeting is held; the two
who were there each agree it or record what they disagree with, kept beside it; nobody
else answers for them (HR, the peer supporter, another manager), and nothing changes when
they try; a new summary asks both again and tells the other; the date to meet again lies
ahead; whoever the note waits for is told, in neutral words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from peerwork.concerns import meetings
from peerwork.concerns.models import MeetingNote
from peerwork.concerns.tests.test_meetings import held, plan, today_there, told
from peerwork.core.models import Notification
from peerwork.core.notify import render
from peerwork.core.versions import StaleVersion

pytestmark = pytest.mark.django_db

SUMMARY = (
    "We talked about the two missed evening shifts. Amina explained that her bus stopped "
    "running after eight. We agreed a change of shift days for a month."
)


def write(story: Any, meeting: Any = None, *, by: str = "ravi", **kwargs: Any) -> MeetingNote:
    meeting = meeting or held(story)
    kwargs.setdefault("review_on", today_there(story) + dt.timedelta(days=21))
    with scope(organisation=story.harbourside.pk):
        return meetings.write_note(
            actor=getattr(story, by), meeting=meeting, summary=SUMMARY, **kwargs
        )


def fresh_note(note: MeetingNote) -> MeetingNote:
    with scope(organisation=note.organisation_id):
        return MeetingNote.objects.select_related(
            "meeting__person__user", "meeting__held_by__user", "person__organisation"
        ).get(pk=note.pk)


def answer(story: Any, note: MeetingNote, who: str, agrees: bool = True, text: str = "") -> Any:
    with scope(organisation=story.harbourside.pk):
        return meetings.answer_note(
            actor=getattr(story, who), note=fresh_note(note), agrees=agrees, disagreement=text
        )


def test_the_note_is_written_once_the_meeting_is_held_and_the_person_is_asked(story):
    note = write(story)
    assert note.written_by_id == story.ravi.pk and note.person_id == story.amina.pk
    assert not note.person_response and not note.manager_response
    # Ravi wrote it: only Amina is told it waits for her.
    assert told(meetings.NOTE_WAITING.kind) == [story.amina.pk]
    with scopes_disabled():
        words = render(Notification.objects.get(kind=meetings.NOTE_WAITING.kind))
    assert words.subject == "A meeting note is waiting for you"
    assert words.link == f"/concerns/reviews/{note.meeting_id}/#note"
    assert "Amina" not in words.body and "shift" not in words.body


def test_hr_writes_a_note_and_both_who_were_there_are_asked(story):
    note = write(story, held(story, "olena", by="ravi"), by="grace")
    assert told(meetings.NOTE_WAITING.kind) == sorted([story.olena.pk, story.ravi.pk], key=str)
    assert note.written_by_id == story.grace.pk


def test_no_note_before_the_meeting_day_and_none_for_a_cancelled_one(story):
    ahead = plan(story, days=3)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError):
            meetings.write_note(actor=story.ravi, meeting=ahead, summary=SUMMARY)
        meetings.cancel_meeting(actor=story.ravi, meeting=ahead)
        with pytest.raises(ValidationError):
            meetings.write_note(actor=story.ravi, meeting=ahead, summary=SUMMARY)
        assert not MeetingNote.objects.exists()


def test_writing_the_note_on_the_day_marks_a_planned_meeting_held(story):
    meeting = plan(story, days=0)
    note = write(story, meeting)
    assert note.meeting.state == "held" and note.meeting.held_at is not None


def test_a_meeting_has_one_note_and_only_the_manager_or_hr_writes_it(story):
    meeting = held(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(PermissionDenied):
        meetings.write_note(actor=story.amina, meeting=meeting, summary=SUMMARY)
    write(story, meeting)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError):
            meetings.write_note(actor=story.grace, meeting=meeting, summary="Another.")
        assert MeetingNote.objects.count() == 1


def test_the_summary_is_needed_and_the_date_to_meet_again_lies_ahead(story):
    meeting = held(story)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            meetings.write_note(
                actor=story.ravi, meeting=meeting, summary="  ", review_on=today_there(story)
            )
        assert set(refused.value.message_dict) == {"summary", "review_on"}
        with pytest.raises(ValidationError):
            meetings.write_note(
                actor=story.ravi, meeting=meeting, summary=SUMMARY, review_on=dt.date(2301, 1, 1)
            )
        assert not MeetingNote.objects.exists()


def test_both_agree_the_note(story):
    note = write(story)
    answer(story, note, "amina")
    assert not fresh_note(note).is_settled()
    answer(story, note, "ravi")
    stored = fresh_note(note)
    assert stored.is_agreed() and stored.is_settled()
    assert stored.person_responded_at and stored.manager_responded_at
    # Agreeing again changes nothing.
    assert answer(story, note, "ravi").version == stored.version


def test_a_disagreement_is_kept_beside_the_note_and_both_still_read_it(story):
    note = write(story)
    answer(story, note, "amina", agrees=False, text="It was three shifts, not two.")
    answer(story, note, "ravi")
    stored = fresh_note(note)
    assert stored.is_settled() and not stored.is_agreed()
    assert stored.person_response == "disagreed"
    assert stored.person_disagreement == "It was three shifts, not two."
    assert stored.summary == SUMMARY
    # Agreeing later replaces her disagreement.
    answer(story, note, "amina")
    stored = fresh_note(note)
    assert stored.is_agreed() and not stored.person_disagreement


def test_a_disagreement_needs_words(story):
    note = write(story)
    with pytest.raises(ValidationError) as refused:
        answer(story, note, "amina", agrees=False, text="   ")
    assert "disagreement" in refused.value.message_dict
    assert not fresh_note(note).person_response


@pytest.mark.parametrize("who", ["grace", "samuel", "taslima", "olena"])
def test_nobody_but_the_two_who_were_there_answers_the_note(story, who):
    meeting = plan(story, days=-1)
    with scope(organisation=story.harbourside.pk):
        meetings.choose_supporter(
            actor=story.amina, meeting=meeting, supporter=story.samuel, version=meeting.version
        )
        meetings.mark_held(actor=story.ravi, meeting=meeting)
    note = write(story, meeting)
    for agrees in (True, False):
        with pytest.raises(PermissionDenied) as refused:
            answer(story, note, who, agrees=agrees, text="Not how I remember it.")
        assert str(refused.value) == (
            "Only the staff member and the manager who held the meeting agree its note."
        )
    stored = fresh_note(note)
    assert not stored.person_response and not stored.manager_response
    assert stored.version == note.version


def test_a_new_summary_asks_both_again_and_tells_the_other(story):
    note = write(story)
    answer(story, note, "amina", agrees=False, text="Three shifts.")
    answer(story, note, "ravi")
    with scope(organisation=story.harbourside.pk):
        current = fresh_note(note)
        meetings.change_note(
            actor=story.ravi,
            note=current,
            summary=SUMMARY.replace("two missed", "three missed"),
            review_on=current.review_on,
            version=current.version,
        )
    stored = fresh_note(note)
    assert "three missed" in stored.summary
    assert not stored.person_response and not stored.manager_response
    assert not stored.person_disagreement
    assert told(meetings.NOTE_CHANGED.kind) == [story.amina.pk]


def test_a_new_date_alone_keeps_the_answers(story):
    note = write(story)
    answer(story, note, "amina")
    with scope(organisation=story.harbourside.pk):
        current = fresh_note(note)
        meetings.change_note(
            actor=story.ravi,
            note=current,
            summary=SUMMARY,
            review_on=today_there(story) + dt.timedelta(days=30),
            version=current.version,
        )
    stored = fresh_note(note)
    assert stored.person_response == "agreed"
    assert stored.review_on == today_there(story) + dt.timedelta(days=30)
    assert told(meetings.NOTE_CHANGED.kind) == []


def test_a_stale_change_of_the_note_is_refused(story):
    note = write(story)
    with scope(organisation=story.harbourside.pk):
        current = fresh_note(note)
        with pytest.raises(StaleVersion):
            meetings.change_note(
                actor=story.ravi,
                note=current,
                summary="Something else.",
                review_on=None,
                version=current.version - 1,
            )
        with pytest.raises(PermissionDenied):
            meetings.change_note(
                actor=story.amina,
                note=current,
                summary="My version.",
                review_on=None,
                version=current.version,
            )
    assert fresh_note(note).summary == SUMMARY
