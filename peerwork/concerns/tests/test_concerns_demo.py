"""Joseph's review meeting in the demo (demo_meetings.py; DEMO.md: Ravi "holds a review
meeting with Joseph about missed volunteer shifts"): an attendance concern about work only,
a meeting held a week ago where Joseph words his own account, the support agreed from the
Section 3 menu, nobody brought, and a note both agreed with the date to meet again in three
weeks, all on Harbourside's dates; the words follow LANGUAGE.md; a second run changes
nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import demo_meetings, meetings
from peerwork.concerns.demo_meetings import seed_meetings
from peerwork.concerns.models import Concern, MeetingNote, ReviewMeeting
from peerwork.concerns.tests.test_meeting_pages import text_of
from peerwork.concerns.tests.test_meetings import today_there
from peerwork.core.demo import DemoContext
from peerwork.core.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db

AVOIDED = re.compile(
    r"\b(clean|dirty|addict\w*|junkie|abuse\w*|relapse\w*|drugs?|using|test\w*)\b", re.IGNORECASE
)


def demo_of(story) -> DemoContext:
    demo = DemoContext(password="demo")
    demo.organisations["harbourside"] = story.harbourside
    for name in ("joseph", "ravi", "amina"):
        demo.members[("harbourside", name)] = getattr(story, name)
    return demo


def counts() -> tuple[int, ...]:
    with scopes_disabled():
        return (
            Concern.objects.count(),
            ReviewMeeting.objects.count(),
            MeetingNote.objects.count(),
            Notification.objects.count(),
            AuditEvent.objects.count(),
        )


def test_the_demo_tells_joseph_s_review_meeting_with_ravi(story):
    demo = demo_of(story)
    seed_meetings(demo)
    assert demo.changes > 0
    today = today_there(story)
    with scope(organisation=story.harbourside.pk):
        concern = Concern.objects.get(person=story.joseph)
        meeting = ReviewMeeting.objects.select_related("person__organisation").get(concern=concern)
        note = MeetingNote.objects.get(meeting=meeting)
    assert concern.raised_by_id == story.ravi.pk and concern.category == "attendance"
    assert concern.signs == [] and concern.is_open() and concern.path == "review"
    missed = demo_meetings.missed_evenings(today)
    assert len(missed) == 3 and all(day.weekday() in (1, 3) for day in missed)
    assert (concern.noticed_from, concern.noticed_to) == (missed[0], missed[-1])
    assert today - dt.timedelta(days=35) < missed[0] < missed[-1] < concern.raised_at.date()
    assert "Amina" in str(concern.work_impact)

    assert meeting.state == "held" and meeting.held_by_id == story.ravi.pk
    assert meetings.local_start(meeting).date() == today - dt.timedelta(days=7)
    assert meeting.peer_supporter_id is None
    assert str(meeting.person_account).startswith("My mother has been unwell")
    assert meeting.support_agreed == ["flexible_hours", "peer_mentor"]
    assert meetings.external_support_text(meeting) == ""  # nothing outside work
    assert meeting.meet_again is True

    assert note.is_agreed() and note.review_on == today + dt.timedelta(days=21)
    assert note.written_by_id == story.ravi.pk

    html = text_of(signed_in(story.joseph).get(f"/concerns/reviews/{meeting.pk}/").text)
    assert "Both agreed this note." in html and "caring for his mother" in html


def test_a_second_run_changes_nothing(story):
    seed_meetings(demo_of(story))
    before = counts()
    again = demo_of(story)
    seed_meetings(again)
    assert again.changes == 0 and counts() == before


def test_the_demo_words_are_about_work_and_respectful(story):
    missed = demo_meetings.missed_evenings(today_there(story))
    texts = [
        demo_meetings.what_happened(missed),
        demo_meetings.WORK_IMPACT,
        demo_meetings.ISSUE,
        demo_meetings.PURPOSE,
        demo_meetings.EXPECTED_LEVEL,
        demo_meetings.ACCOUNT,
        demo_meetings.JOB_CONCERNS,
        demo_meetings.SUPPORT_DETAILS,
        demo_meetings.SUMMARY,
        demo_meetings.PLACE,
    ]
    for text in texts:
        assert not AVOIDED.search(text), text
