"""The deadline loop moves kept conflicts on as days pass (``conflicts.extend_horizons``).

Conflicts are kept 13 weeks ahead; each day, meetings whose rows no longer reach that far
are worked out again, each claimed first so two loops never do one twice. Time is
arranged in data: the step is called with a ``now`` in the future.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.people.availability import add_unavailability, set_working_pattern
from peerwork.schedule import conflicts, services
from peerwork.schedule.models import Conflict, Meeting

pytestmark = pytest.mark.django_db

TUESDAY = 1
WORKDAY = (dt.time(9, 0), dt.time(17, 30))
T = dt.time


def harbourside_today() -> dt.date:
    """Today where Harbourside works (Africa/Nairobi), which the services date by: the
    server's date differs in the hours around midnight UTC."""
    return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo("Africa/Nairobi"))


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7 or 7)


def harbourside_meeting(story: Any) -> Meeting:
    """Ravi's weekly Tuesday meeting that Amina, with her agreed 10:00 start, is late to."""
    today = harbourside_today()
    with scope(organisation=story.harbourside.pk):
        set_working_pattern(
            actor=story.ravi, membership=story.amina, days=dict.fromkeys(range(5), WORKDAY)
        )
        row = services.propose_adjustment(
            actor=story.amina,
            person=story.amina,
            weekdays=[TUESDAY],
            starts=T(10, 0),
            valid_from=today,
        )
        services.agree_adjustment(actor=story.ravi, adjustment=row, version=row.version)
        return services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="Team meeting",
                kind=Meeting.Kind.TEAM_MEETING,
                first_on=next_weekday(today, TUESDAY),
                starts=T(9, 30),
                minutes=60,
                repeats=Meeting.Repeats.WEEKLY,
                required=[story.amina.pk],
            ),
        )


def riverside_meeting(story: Any, away_on: dt.date) -> Meeting:
    """Taras's weekly Monday meeting in Kyiv, and a day he is away far ahead."""
    kyiv = zoneinfo.ZoneInfo("Europe/Kyiv")
    with scope(organisation=story.riverside.pk):
        meeting = services.create_meeting(
            actor=story.taras,
            fields=services.MeetingFields(
                title="Peer team",
                kind=Meeting.Kind.TEAM_MEETING,
                first_on=next_weekday(harbourside_today(), 0),
                starts=T(11, 0),
                minutes=60,
                repeats=Meeting.Repeats.WEEKLY,
                required=[story.taras.pk],
            ),
        )
        add_unavailability(
            actor=story.taras,
            membership=story.taras,
            kind="unavailable",
            starts_at=dt.datetime.combine(away_on, T(10, 0), tzinfo=kyiv),
            ends_at=dt.datetime.combine(away_on, T(13, 0), tzinfo=kyiv),
        )
        return meeting


def rows(meeting: Meeting) -> dict[dt.date, object]:
    with scope(organisation=meeting.organisation_id):
        return dict(Conflict.objects.filter(meeting=meeting).values_list("occurs_on", "pk"))


def horizon(meeting: Meeting) -> dt.date | None:
    with scopes_disabled():
        return Meeting.objects.get(pk=meeting.pk).conflicts_until


def test_a_meeting_just_worked_out_is_not_due(story: Any) -> None:
    harbourside_meeting(story)
    assert conflicts.extend_horizons(timezone.now()) == 0


def test_ten_days_on_the_rows_reach_thirteen_weeks_from_the_new_today(story: Any) -> None:
    meeting = harbourside_meeting(story)
    before = rows(meeting)
    later = timezone.now() + dt.timedelta(days=10)
    new_today = timezone.localdate(later, zoneinfo.ZoneInfo("Africa/Nairobi"))

    assert conflicts.extend_horizons(later) == 1

    after = rows(meeting)
    assert max(after) > max(before)
    assert max(after) <= new_today + conflicts.HORIZON
    assert max(after) + dt.timedelta(weeks=1) > new_today + conflicts.HORIZON  # none missing
    assert set(after) >= set(before)  # the days between stay, worked out again or kept
    assert horizon(meeting) is not None and horizon(meeting) >= new_today + conflicts.HORIZON


def test_a_second_call_does_not_do_the_work_again(story: Any) -> None:
    meeting = harbourside_meeting(story)
    later = timezone.now() + dt.timedelta(days=10)
    assert conflicts.extend_horizons(later) == 1
    first = rows(meeting)
    assert conflicts.extend_horizons(later) == 0
    assert conflicts.extend_horizons(later + dt.timedelta(hours=1)) == 0
    assert rows(meeting) == first  # the same rows, not worked out again


def test_it_serves_every_organisation_each_in_its_own_zone(story: Any) -> None:
    later = timezone.now() + dt.timedelta(days=21)
    kyiv_today = timezone.localdate(later, zoneinfo.ZoneInfo("Europe/Kyiv"))
    # Taras is away on a Monday that only the moved horizon reaches.
    far_monday = kyiv_today + conflicts.HORIZON - dt.timedelta(days=kyiv_today.weekday() or 7)
    ours = harbourside_meeting(story)
    theirs = riverside_meeting(story, far_monday)
    assert far_monday not in rows(theirs)

    assert conflicts.extend_horizons(later) == 2

    assert far_monday in rows(theirs)
    assert max(rows(ours)) > harbourside_today() + conflicts.HORIZON
    with scope(organisation=story.riverside.pk):
        row = Conflict.objects.get(meeting=theirs, occurs_on=far_monday)
        assert (row.member_id, row.organisation_id) == (story.taras.pk, story.riverside.pk)


def test_cancelled_and_one_off_meetings_are_left_alone(story: Any) -> None:
    meeting = harbourside_meeting(story)
    with scope(organisation=story.harbourside.pk):
        services.cancel_meeting(actor=story.ravi, meeting=meeting, version=meeting.version)
        finished = services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="Once",
                kind=Meeting.Kind.TRAINING,
                first_on=harbourside_today() + dt.timedelta(days=1),
                starts=T(9, 0),
                minutes=60,
                required=[story.amina.pk],
            ),
        )
    assert conflicts.extend_horizons(timezone.now() + dt.timedelta(days=30)) == 0
    assert horizon(finished) == harbourside_today() + conflicts.HORIZON


def test_a_meeting_never_worked_out_is_due(story: Any) -> None:
    meeting = harbourside_meeting(story)
    with scopes_disabled():
        Meeting.objects.filter(pk=meeting.pk).update(conflicts_until=None)
        Conflict.objects.filter(meeting=meeting).delete()
    assert conflicts.extend_horizons(timezone.now()) == 1
    assert rows(meeting)
    assert horizon(meeting) is not None


def test_a_meeting_whose_rows_reach_its_last_date_is_left_alone(story: Any) -> None:
    today = harbourside_today()
    with scope(organisation=story.harbourside.pk):
        ends_soon = services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="Four weeks of training",
                kind=Meeting.Kind.TRAINING,
                first_on=today + dt.timedelta(days=1),
                starts=T(9, 0),
                minutes=60,
                repeats=Meeting.Repeats.WEEKLY,
                until=today + dt.timedelta(weeks=4),
                required=[story.amina.pk],
            ),
        )
        goes_on = services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="A year of training",
                kind=Meeting.Kind.TRAINING,
                first_on=today + dt.timedelta(days=1),
                starts=T(9, 0),
                minutes=60,
                repeats=Meeting.Repeats.WEEKLY,
                until=today + dt.timedelta(weeks=52),
                required=[story.amina.pk],
            ),
        )
    assert conflicts.extend_horizons(timezone.now() + dt.timedelta(days=7)) == 1
    assert horizon(ends_soon) == today + conflicts.HORIZON
    assert horizon(goes_on) > today + conflicts.HORIZON  # type: ignore[operator]
