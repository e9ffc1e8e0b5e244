"""Reminders of the date to meet again (issue 8 item 2 "a review date, when set, sends
reminders"; App. 7 "agree if and when you will meet again"), with time arranged in data:
the deadline step is called with a ``now`` where the organisation works. The staff member
and the manager who held the meeting are told once, in neutral words; a second round
sends nothing; a changed date is told again; the date is the organisation's, not the
server's."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope, scopes_disabled

from peerwork.concerns import meetings
from peerwork.concerns.tests.test_meetings import at_there, held, ids, today_there, told
from peerwork.concerns.tests.test_notes import fresh_note, write
from peerwork.core.deadlines import registered_steps
from peerwork.core.models import Notification
from peerwork.core.notify import render

pytestmark = pytest.mark.django_db

DUE = meetings.REVIEW_DUE.kind


def test_the_step_runs_in_the_deadline_loop():
    assert meetings.remind_note_reviews in registered_steps()


def test_the_date_to_meet_again_is_told_once_to_the_two(story):
    review_on = today_there(story) + dt.timedelta(days=21)
    note = write(story, review_on=review_on)
    day_before = at_there(story, review_on - dt.timedelta(days=1), 12)
    assert meetings.remind_note_reviews(day_before) == 0
    assert told(DUE) == []
    assert meetings.remind_note_reviews(at_there(story, review_on, 8)) == 1
    assert told(DUE) == ids(story.amina, story.ravi)
    assert meetings.remind_note_reviews(at_there(story, review_on + dt.timedelta(days=1))) == 0
    assert len(told(DUE)) == 2
    with scopes_disabled():
        words = render(Notification.objects.filter(kind=DUE).first())
    assert words.link == f"/concerns/reviews/{note.meeting_id}/#note"
    assert "Amina" not in words.subject + words.body and "Ravi" not in words.body


def test_the_date_is_where_the_organisation_works_not_the_servers(story):
    review_on = today_there(story) + dt.timedelta(days=10)
    write(story, review_on=review_on)
    # 00:30 in Nairobi is 21:30 the evening before in UTC: the day has come there.
    early = at_there(story, review_on, 0, 30)
    assert early.astimezone(dt.UTC).date() < review_on
    assert meetings.remind_note_reviews(early) == 1
    # 23:30 the evening before in Nairobi is not the day yet, wherever the server is.
    other = write(story, held(story, "olena"), review_on=review_on + dt.timedelta(days=1))
    assert meetings.remind_note_reviews(at_there(story, review_on, 23, 30)) == 0
    assert meetings.remind_note_reviews(at_there(story, other.review_on, 0, 5)) == 1


def test_a_changed_date_is_told_again(story):
    review_on = today_there(story) + dt.timedelta(days=7)
    note = write(story, review_on=review_on)
    assert meetings.remind_note_reviews(at_there(story, review_on)) == 1
    later = review_on + dt.timedelta(days=14)
    with scope(organisation=story.harbourside.pk):
        current = fresh_note(note)
        meetings.change_note(
            actor=story.ravi,
            note=current,
            summary=str(current.summary),
            review_on=later,
            version=current.version,
            now=at_there(story, review_on, 15),
        )
    assert meetings.remind_note_reviews(at_there(story, later - dt.timedelta(days=1))) == 0
    assert meetings.remind_note_reviews(at_there(story, later)) == 1
    assert len(told(DUE)) == 4


def test_a_note_with_no_date_is_never_told(story):
    write(story, review_on=None)
    far = at_there(story, today_there(story) + dt.timedelta(days=400))
    assert meetings.remind_note_reviews(far) == 0
    assert told(DUE) == []


def test_two_loops_at_once_tell_each_person_once(story):
    review_on = today_there(story) + dt.timedelta(days=3)
    write(story, review_on=review_on)
    moment = at_there(story, review_on, 9)
    assert meetings.remind_note_reviews(moment) + meetings.remind_note_reviews(moment) == 1
    assert len(told(DUE)) == 2
