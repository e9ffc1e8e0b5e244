"""Kept conflicts are worked out again on every change (issue 6 item 4; ``conflicts``).

A change of a meeting (create, edit, move, cancel, its attendees) works out that meeting
again. A change of what planners may know about one person (their pattern, an adjustment
agreed or ended, a time away added or removed) works out that person's rows only: every
other row stays as it was, the same row with the same id, which is what keeps the
recalculation cheap for an organisation of hundreds (the benchmark).

The situation: Amina, Olena and Joseph work Monday to Friday, 09:00 to 17:30. Ravi's weekly
team meeting is on Tuesdays at 09:30 for an hour, Amina and Olena required, Joseph
optional. Amina's agreed later start on Tuesdays (10:00) makes her late every week; Olena
is away the morning of the first Tuesday.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.people.availability import (
    PatternDay,
    add_unavailability,
    remove_unavailability,
    set_working_pattern,
)
from peerwork.people.models import Adjustment, Unavailability
from peerwork.schedule import conflicts, services
from peerwork.schedule.models import Conflict, Meeting

pytestmark = pytest.mark.django_db

TUESDAY = 1
NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")
WORKDAY = (dt.time(9, 0), dt.time(17, 30))
T = dt.time

Rows = dict[tuple[object, dt.date], tuple[object, str, dt.time | None, dt.time | None]]


def next_tuesday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(TUESDAY - today.weekday()) % 7 or 7)


def rows_of(meeting: Meeting | None = None, member: Any = None) -> Rows:
    """Kept rows as (person, date) → (id, kind, arrives, leaves)."""
    found = Conflict.objects.all()
    if meeting is not None:
        found = found.filter(meeting=meeting)
    if member is not None:
        found = found.filter(member=member)
    return {
        (row.member_id, row.occurs_on): (row.pk, row.kind, row.arrives_at, row.leaves_at)
        for row in found
    }


def of(rows: Rows, member: Any) -> Rows:
    return {key: value for key, value in rows.items() if key[0] == member.pk}


def away(story: Any, member: Any, day: dt.date, starts: dt.time, ends: dt.time) -> Unavailability:
    return add_unavailability(
        actor=story.ravi,
        membership=member,
        kind="unavailable",
        starts_at=dt.datetime.combine(day, starts, tzinfo=NAIROBI),
        ends_at=dt.datetime.combine(day, ends, tzinfo=NAIROBI),
    )


def fields(story: Any, first_on: dt.date, **kw: Any) -> services.MeetingFields:
    values: dict[str, Any] = {
        "title": "Team meeting",
        "kind": Meeting.Kind.TEAM_MEETING,
        "first_on": first_on,
        "starts": T(9, 30),
        "minutes": 60,
        "repeats": Meeting.Repeats.WEEKLY,
        "team": story.team,
        "required": [story.amina.pk, story.olena.pk],
        "optional": [story.joseph.pk],
    }
    values.update(kw)
    return services.MeetingFields(**values)


def later_start(story: Any, today: dt.date, *, agree: bool = True) -> Adjustment:
    row = services.propose_adjustment(
        actor=story.amina,
        person=story.amina,
        weekdays=[TUESDAY],
        starts=T(10, 0),
        valid_from=today,
    )
    if agree:
        row = services.agree_adjustment(actor=story.ravi, adjustment=row, version=row.version)
    return row


def arrange(story: Any, *, adjustment: bool = True) -> tuple[Meeting, dt.date]:
    """The team meeting with Amina late every Tuesday and Olena away the first."""
    today = timezone.localdate()
    tuesday = next_tuesday(today)
    for person in (story.amina, story.olena, story.joseph):
        set_working_pattern(
            actor=story.ravi, membership=person, days=dict.fromkeys(range(5), WORKDAY)
        )
    if adjustment:
        later_start(story, today)
    away(story, story.olena, tuesday, T(8, 0), T(12, 0))
    meeting = services.create_meeting(actor=story.ravi, fields=fields(story, tuesday))
    return meeting, tuesday


def tuesdays_ahead(first: dt.date) -> list[dt.date]:
    today = timezone.localdate()
    last = today + conflicts.HORIZON
    return [
        first + dt.timedelta(weeks=n) for n in range(20) if first + dt.timedelta(weeks=n) <= last
    ]


# --- a meeting's own changes ---------------------------------------------------------------


def test_creating_a_meeting_works_out_its_conflicts(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story)
        rows = rows_of(meeting)
        assert of(rows, story.amina) == {
            (story.amina.pk, day): (rows[(story.amina.pk, day)][0], "late", T(10, 0), None)
            for day in tuesdays_ahead(tuesday)
        }
        assert {key: value[1:] for key, value in of(rows, story.olena).items()} == {
            (story.olena.pk, tuesday): ("away", None, None)
        }
        assert of(rows, story.joseph) == {}
        meeting.refresh_from_db()
        assert (
            meeting.conflicts_until
            == timezone.localdate(timezone.now(), zoneinfo.ZoneInfo("Africa/Nairobi"))
            + conflicts.HORIZON
        )


def test_editing_a_meeting_works_it_out_again(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story)
        # Noon, after Amina's start and Olena's morning away.
        services.update_meeting(
            actor=story.ravi,
            meeting=meeting,
            version=meeting.version,
            fields=fields(story, tuesday, starts=T(12, 0)),
        )
        assert rows_of(meeting) == {}


def test_moving_a_meeting_works_it_out_again(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story)
        moved = services.move_meeting(
            actor=story.ravi, meeting=meeting, version=meeting.version, starts=T(10, 0)
        )
        # Amina can be there from 10:00 now; Olena is still away until noon that Tuesday.
        assert {key: value[1:] for key, value in rows_of(moved).items()} == {
            (story.olena.pk, tuesday): ("away", None, None)
        }


def test_a_move_that_makes_someone_leave_early_says_when(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story)
        moved = services.move_meeting(
            actor=story.ravi, meeting=meeting, version=meeting.version, starts=T(17, 0)
        )
        rows = rows_of(moved)
        # The day ends at 17:30: everyone leaves half-way through an hour from 17:00, on
        # every Tuesday, the optional Joseph too.
        assert {key[0] for key in rows} == {story.amina.pk, story.olena.pk, story.joseph.pk}
        assert len(rows) == 3 * len(tuesdays_ahead(tuesday))
        assert {value[1:] for value in rows.values()} == {("early", None, T(17, 30))}


def test_cancelling_a_meeting_removes_its_conflicts_ahead(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, _ = arrange(story)
        assert rows_of(meeting)
        services.cancel_meeting(actor=story.ravi, meeting=meeting, version=meeting.version)
        assert rows_of(meeting) == {}
        assert services.own_conflicts(story.amina) == []


def test_changing_attendees_works_out_the_new_ones_and_drops_the_old(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story)
        away(story, story.joseph, tuesday + dt.timedelta(weeks=1), T(9, 0), T(10, 0))
        services.update_meeting(
            actor=story.ravi,
            meeting=meeting,
            version=meeting.version,
            fields=fields(story, tuesday, required=[story.amina.pk], optional=[story.joseph.pk]),
        )
        rows = rows_of(meeting)
        assert of(rows, story.olena) == {}
        assert {key: value[1:] for key, value in of(rows, story.joseph).items()} == {
            (story.joseph.pk, tuesday + dt.timedelta(weeks=1)): ("late", T(10, 0), None)
        }
        assert len(of(rows, story.amina)) == len(tuesdays_ahead(tuesday))


# --- one person's changes touch only that person's rows ---------------------------------


def test_an_agreed_adjustment_works_out_that_persons_rows_only(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story, adjustment=False)
        before = rows_of(meeting)
        assert of(before, story.amina) == {}
        proposed = later_start(story, timezone.localdate(), agree=False)
        assert rows_of(meeting) == before  # proposed is not agreed: nothing changes
        services.agree_adjustment(actor=story.ravi, adjustment=proposed, version=proposed.version)
        after = rows_of(meeting)
        assert len(of(after, story.amina)) == len(tuesdays_ahead(tuesday))
        assert of(after, story.olena) == of(before, story.olena)  # same rows, same ids


def test_ending_an_adjustment_works_out_that_persons_rows_only(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, _ = arrange(story)
        before = rows_of(meeting)
        row = Adjustment.objects.get(membership=story.amina)
        services.end_adjustment(actor=story.ravi, adjustment=row, version=row.version)
        after = rows_of(meeting)
        assert of(after, story.amina) == {}
        assert of(after, story.olena) == of(before, story.olena)


def test_a_pattern_change_works_out_that_persons_rows_only(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story)
        before = rows_of(meeting)
        days = [PatternDay(d, *WORKDAY) for d in range(5) if d != TUESDAY]
        days.append(PatternDay(TUESDAY, T(9, 45), T(17, 30)))
        set_working_pattern(actor=story.ravi, membership=story.olena, days=days)
        after = rows_of(meeting)
        assert of(after, story.amina) == of(before, story.amina)  # same rows, same ids
        olena = {key: value[1:] for key, value in of(after, story.olena).items()}
        assert olena[(story.olena.pk, tuesday)] == ("away", None, None)
        later = {value for key, value in olena.items() if key[1] != tuesday}
        assert later == {("late", T(9, 45), None)}


def test_time_away_added_and_removed_works_out_that_persons_rows_only(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story)
        before = rows_of(meeting)
        second = tuesday + dt.timedelta(weeks=1)
        row = away(story, story.olena, second, T(10, 0), T(11, 0))
        after = rows_of(meeting)
        assert after[(story.olena.pk, second)][1:] == ("early", None, T(10, 0))
        assert of(after, story.amina) == of(before, story.amina)
        remove_unavailability(actor=story.ravi, row=row)
        again = rows_of(meeting)
        assert (story.olena.pk, second) not in again
        assert of(again, story.amina) == of(before, story.amina)


def test_a_persons_change_leaves_meetings_they_do_not_attend_alone(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story)
        other = services.create_meeting(
            actor=story.ravi,
            fields=fields(
                story, tuesday, title="Supervision", required=[story.olena.pk], optional=[]
            ),
        )
        before = rows_of(other)
        assert before
        services.end_adjustment(
            actor=story.amina,
            adjustment=Adjustment.objects.get(membership=story.amina),
            version=Adjustment.objects.get(membership=story.amina).version,
        )
        assert rows_of(other) == before


def test_recalculate_member_answers_how_many_rows_that_person_has(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story)
        count = conflicts.recalculate_member(story.amina)
        assert count == len(tuesdays_ahead(tuesday)) == len(of(rows_of(meeting), story.amina))


def test_rows_before_today_are_kept_as_they_were(story: Any) -> None:
    # A recalculation works from today on: what happened is not rewritten.
    with scope(organisation=story.harbourside.pk):
        meeting, tuesday = arrange(story)
        past = Conflict.objects.create(
            organisation_id=meeting.organisation_id,
            meeting=meeting,
            member=story.amina,
            occurs_on=tuesday - dt.timedelta(weeks=2),
            kind=Conflict.Kind.LATE,
            arrives_at=T(10, 0),
        )
        conflicts.recalculate_meeting(meeting)
        conflicts.recalculate_member(story.amina)
        assert Conflict.objects.filter(pk=past.pk).exists()
