"""Joseph's missed volunteer shifts and his review meeting with Ravi (``/work/shared/DEMO.md``:
Ravi "holds a review meeting with Joseph about missed volunteer shifts"; issue 8 item 9;
guide §4.2, App. 7).

Through the services, as on a real server, with the story's dates (in the recent past,
where Harbourside works) passed to them:

- **The concern**: Ravi records an attendance concern about Joseph, a peer volunteer:
  three evening outreach shifts missed over the last month, with their dates, and each
  time Amina, his outreach partner, was left without a pair. It is about work only: no
  signs are ticked and nothing is said about drug use (§4.2).
- **The review meeting**, a week ago, in App. 7's order: its purpose, the issue and the
  volunteers' standard of notice, what is expected of a volunteer. Joseph words his own
  account (caring for his mother, and a weekend job whose hours changed at short notice)
  and a worry about his application for a paid post. The support agreed: his shifts move
  to other evenings for two months (a change to his pattern, §3.6), and a conversation
  with a peer mentor is offered (§3.11). Joseph brought nobody; nothing outside work is
  part of it.
- **The meeting note**, written by Ravi the same day and agreed by both, with the date to
  meet again three weeks from today.

Idempotent: once Ravi has an attendance concern about Joseph it is left as it is (what
someone changed in the live demo stays), and its meeting and note are seeded only while
it has none. A second run changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from peerwork.core.demo import DemoContext, seed_step
from peerwork.core.models import Membership
from peerwork.people import demo as people_demo  # its steps first

from . import intake, meetings
from .models import Concern, ReviewMeeting

H = people_demo.H

# Joseph's evening shifts were on Tuesdays and Thursdays (Monday is 0).
SHIFT_DAYS = (1, 3)
MEETING_DAYS_AGO = 7
REVIEW_IN_DAYS = 21

PLACE = "The small meeting room at the drop-in centre"

PURPOSE = (
    "To talk about the evening shifts Joseph missed, hear how things are for him and agree "
    "what would help. Joseph asked whether this goes on his file: the meeting ends in a note "
    "we both agree, and it is not a warning."
)
EXPECTED_LEVEL = (
    "A peer volunteer agrees their shifts a month ahead and tells the shift lead when they "
    "cannot come. Nothing more is asked of a volunteer than of staff on the same shift, and "
    "nothing less."
)
ACCOUNT = (
    "My mother has been unwell since the start of the month and I am the one who takes her "
    "to her appointments. My weekend job at the warehouse changed its hours with little "
    "notice, and twice the new shift ran into the evening. I should have told Amina and Ravi "
    "before, not after. I want to keep volunteering: it matters to me and to my portfolio."
)
JOB_CONCERNS = (
    "I worry that the missed evenings will count against me when I apply for the paid "
    "outreach post."
)
SUPPORT = ("flexible_hours", "peer_mentor")
SUPPORT_DETAILS = (
    "For the next two months Joseph's evening shifts move from Tuesdays and Thursdays to "
    "Mondays and Wednesdays, when his weekend job's hours do not reach. On a day he cannot "
    "come he tells Amina or Ravi by noon, so a pair can still go out. Ravi offered a "
    "conversation with a peer mentor about balancing caring, paid work and volunteering; "
    "Joseph will say whether he would like one. The missed evenings are not held against "
    "his application."
)
SUMMARY = (
    "Ravi and Joseph met about three evening outreach shifts Joseph missed this month. "
    "Joseph explained that caring for his mother and the changing hours of his weekend job "
    "clashed with his Tuesday and Thursday evenings. Agreed: for two months his shifts move "
    "to Monday and Wednesday evenings; he tells Amina or Ravi by noon on a day he cannot "
    "come; Ravi offered a conversation with a peer mentor. We meet again in three weeks to "
    "see how the new evenings work."
)


def missed_evenings(today: dt.date) -> list[dt.date]:
    """Three of Joseph's Tuesday or Thursday evenings over the last month, all before the
    concern was recorded and the meeting held (earliest first)."""
    shift_days = [
        today - dt.timedelta(days=back)
        for back in range(MEETING_DAYS_AGO + 5, 40)
        if (today - dt.timedelta(days=back)).weekday() in SHIFT_DAYS
    ]
    return sorted(shift_days[0:5:2])


def _day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def what_happened(missed: list[dt.date]) -> str:
    days = ", ".join(_day(day) for day in missed[:-1]) + f" and {_day(missed[-1])}"
    return (
        f"Joseph did not come to three evening outreach shifts he had agreed to: {days}. He "
        "let nobody know beforehand; each time he sent a message the next day."
    )


WORK_IMPACT = (
    "Outreach goes out in pairs. Twice Amina, his outreach partner, went out without a pair "
    "and cut the round short; once the round to the harbour market did not happen."
)
ISSUE = (
    "Three evening shifts missed this month without notice beforehand, so the outreach pair "
    "could not go out as planned. The volunteer agreement asks for a day's notice when a "
    "volunteer cannot come, and the outreach policy asks that nobody goes out alone."
)


def _at(demo: DemoContext, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=demo.organisation(H).zone)


def _concern_of(joseph: Membership, ravi: Membership) -> Concern | None:
    return (
        Concern.objects.filter(
            organisation_id=joseph.organisation_id,
            person=joseph,
            raised_by=ravi,
            category=Concern.Category.ATTENDANCE,
        )
        .select_related("person__user", "person__organisation")
        .order_by("raised_at")
        .first()
    )


def _seed(demo: DemoContext, now: dt.datetime) -> None:
    joseph, ravi = demo.member(H, "joseph"), demo.member(H, "ravi")
    today = demo.organisation(H).local_today(now)
    concern = _concern_of(joseph, ravi)
    if concern is None:
        missed = missed_evenings(today)
        concern = intake.record_concern(
            actor=ravi,
            person=joseph,
            fields=intake.ConcernFields(
                source=Concern.Source.MANAGER,
                category=Concern.Category.ATTENDANCE,
                noticed_from=missed[0],
                noticed_to=missed[-1],
                what_happened=what_happened(missed),
                work_impact=WORK_IMPACT,
                path=Concern.Path.REVIEW,
            ),
            record_anyway=True,  # Joseph has no agreed working pattern to look at first
            now=_at(demo, missed[-1] + dt.timedelta(days=1), 10),
        )
        demo.changes += 1
    if ReviewMeeting.objects.filter(
        organisation_id=joseph.organisation_id, concern=concern
    ).exists():
        return
    if not concern.is_open():
        return  # closed in the live demo: left as it is
    meeting_day = today - dt.timedelta(days=MEETING_DAYS_AGO)
    starts = _at(demo, meeting_day, 15)
    planned = starts - dt.timedelta(days=3)
    meeting = meetings.schedule_meeting(
        actor=ravi, person=joseph, starts_at=starts, place=PLACE, concern=concern, now=planned
    )
    meetings.change_meeting(
        actor=ravi,
        meeting=meeting,
        changes={
            "purpose": PURPOSE,
            "issue_and_standards": ISSUE,
            "expected_level": EXPECTED_LEVEL,
        },
        version=meeting.version,
        now=planned,
    )
    meetings.mark_held(actor=ravi, meeting=meeting, now=starts + dt.timedelta(hours=1))
    meetings.change_meeting(
        actor=joseph,
        meeting=meeting,
        changes={"person_account": ACCOUNT, "job_concerns": JOB_CONCERNS},
        version=meeting.version,
        now=starts + dt.timedelta(hours=1),
    )
    meetings.change_meeting(
        actor=ravi,
        meeting=meeting,
        changes={
            "support_agreed": list(SUPPORT),
            "support_details": SUPPORT_DETAILS,
            "meet_again": True,
        },
        version=meeting.version,
        now=starts + dt.timedelta(hours=1),
    )
    written = starts + dt.timedelta(hours=2)
    note = meetings.write_note(
        actor=ravi,
        meeting=meeting,
        summary=SUMMARY,
        review_on=today + dt.timedelta(days=REVIEW_IN_DAYS),
        now=written,
    )
    meetings.answer_note(actor=joseph, note=note, agrees=True, now=written + dt.timedelta(hours=20))
    meetings.answer_note(actor=ravi, note=note, agrees=True, now=written + dt.timedelta(hours=21))
    demo.changes += 1


@seed_step("concerns: Joseph's review meeting with Ravi about missed volunteer shifts")
def seed_meetings(demo: DemoContext) -> None:
    """Ravi's attendance concern about Joseph, their review meeting a week ago and its
    agreed note (see the module's docstring)."""
    now = timezone.now()
    with demo.scope(H), timezone.override(demo.organisation(H).zone), transaction.atomic():
        _seed(demo, now)
