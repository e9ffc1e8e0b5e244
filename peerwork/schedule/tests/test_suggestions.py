"""Suggestions for a meeting someone cannot be at from the start (``services.suggestions_for``;
issue 6 item 4).

Per weekday, the earliest start every *required* attendee can make inside the
organisation's meeting hours, on the next date of that weekday; a weekend day only when
every required attendee works it; and a late-join agenda when everyone missing the start
arrives in time for a quarter of an hour of decisions. Optional attendees never move a
meeting. Every suggested start is free of conflicts for everyone required.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.people.availability import PatternDay, add_unavailability, set_working_pattern
from peerwork.schedule import conflicts, services, windows
from peerwork.schedule.models import Meeting, ScheduleSettings

pytestmark = pytest.mark.django_db

T = dt.time
TUESDAY = 1
NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")
WORKDAY = (T(9, 0), T(17, 30))


def harbourside_today() -> dt.date:
    """Today where Harbourside works (Africa/Nairobi), which the services date by: the
    server's date differs in the hours around midnight UTC."""
    return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo("Africa/Nairobi"))


def next_tuesday() -> dt.date:
    today = harbourside_today()
    return today + dt.timedelta(days=(TUESDAY - today.weekday()) % 7 or 7)


def weekdays(story: Any, *people: Any) -> None:
    for person in people:
        set_working_pattern(
            actor=story.ravi, membership=person, days=dict.fromkeys(range(5), WORKDAY)
        )


def later_start(story: Any, person: Any, starts: dt.time, days: list[int]) -> None:
    row = services.propose_adjustment(
        actor=story.ravi,
        person=person,
        weekdays=days,
        starts=starts,
        valid_from=harbourside_today(),
    )
    services.agree_adjustment(actor=person, adjustment=row, version=row.version)


def meeting(story: Any, **kw: Any) -> Meeting:
    values: dict[str, Any] = {
        "title": "Team meeting",
        "kind": Meeting.Kind.TEAM_MEETING,
        "first_on": next_tuesday(),
        "starts": T(9, 30),
        "minutes": 60,
        "repeats": Meeting.Repeats.WEEKLY,
        "required": [story.amina.pk, story.olena.pk],
        "optional": [story.joseph.pk],
    }
    values.update(kw)
    return services.create_meeting(actor=story.ravi, fields=services.MeetingFields(**values))


def away(story: Any, person: Any, day: dt.date, starts: dt.time, ends: dt.time) -> None:
    add_unavailability(
        actor=story.ravi,
        membership=person,
        kind="appointment",
        starts_at=dt.datetime.combine(day, starts, tzinfo=NAIROBI),
        ends_at=dt.datetime.combine(day, ends, tzinfo=NAIROBI),
    )


def free_for_everyone_required(made: Meeting, day: dt.date, starts: dt.time) -> bool:
    required = list(made.attendees.filter(required=True).values_list("member_id", flat=True))
    planning = conflicts.Planning.load(made.organisation_id, required, day, day, NAIROBI)
    start = windows.minute_of(starts)
    return all(
        windows.conflict_in(planning.free(member_id, day), start, start + made.minutes) is None
        for member_id in required
    )


def test_every_suggested_start_is_free_for_everyone_required(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        weekdays(story, story.amina, story.olena, story.joseph)
        later_start(story, story.amina, T(10, 40), [1, 2])
        later_start(story, story.olena, T(9, 50), [0, 1, 3])
        away(story, story.olena, next_tuesday() + dt.timedelta(days=2), T(9, 0), T(12, 0))
        made = meeting(story, minutes=90)
        found = services.suggestions_for(made)
        suggested = [found.same_day, *found.other_days]
        assert all(s is not None for s in suggested)
        for suggestion in suggested:
            assert suggestion is not None
            assert free_for_everyone_required(made, suggestion.occurs_on, suggestion.starts)
        by_day = {s.weekday: s.starts for s in suggested if s is not None}
        # Tuesday 10:40; Wednesday 10:40; Thursday after Olena's morning away; Monday 09:50.
        assert by_day == {1: T(10, 40), 2: T(10, 40), 3: T(12, 0), 0: T(9, 50), 4: T(9, 0)}


def test_optional_attendees_do_not_move_a_meeting(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        weekdays(story, story.amina, story.olena, story.joseph)
        later_start(story, story.joseph, T(11, 0), [0, 1, 2, 3, 4])
        made = meeting(story)
        found = services.suggestions_for(made)
        assert found.late == ()
        assert found.same_day is not None and found.same_day.starts == T(9, 0)
        assert found.late_join is None


def test_the_suggestions_stay_inside_the_organisations_meeting_hours(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        ScheduleSettings.objects.create(
            organisation=story.harbourside, day_starts=T(10, 0), day_ends=T(12, 0)
        )
        weekdays(story, story.amina, story.olena)
        later_start(story, story.amina, T(11, 30), [1])
        made = meeting(story)
        found = services.suggestions_for(made)
        # Tuesday: 11:30 to 12:30 would pass noon, so there is no start that day.
        assert found.same_day is None
        assert {s.starts for s in found.other_days} == {T(10, 0)}


def test_a_weekend_day_is_suggested_only_when_everyone_required_works_it(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        weekdays(story, story.amina)
        days = [PatternDay(d, *WORKDAY) for d in range(7)]
        set_working_pattern(actor=story.ravi, membership=story.olena, days=days)
        made = meeting(story)
        assert {s.weekday for s in services.suggestions_for(made).other_days} == {0, 2, 3, 4}
        set_working_pattern(actor=story.ravi, membership=story.amina, days=days)
        assert {s.weekday for s in services.suggestions_for(made).other_days} == {
            0,
            2,
            3,
            4,
            5,
            6,
        }


def test_no_late_join_agenda_when_someone_cannot_come_at_all(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        weekdays(story, story.amina, story.olena)
        later_start(story, story.amina, T(10, 0), [1])
        away(story, story.olena, next_tuesday(), T(9, 0), T(11, 0))
        found = services.suggestions_for(meeting(story))
        assert {row.kind for row in found.late} == {"late", "away"}
        assert found.late_join is None


def test_no_late_join_agenda_when_decisions_would_have_under_a_quarter_of_an_hour(
    story: Any,
) -> None:
    with scope(organisation=story.harbourside.pk):
        weekdays(story, story.amina, story.olena)
        later_start(story, story.amina, T(10, 20), [1])  # 10 minutes before the end
        found = services.suggestions_for(meeting(story))
        assert [row.arrives_at for row in found.late] == [T(10, 20)]
        assert found.late_join is None


def test_a_quarter_of_an_hour_of_decisions_is_enough(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        weekdays(story, story.amina, story.olena)
        later_start(story, story.amina, T(10, 15), [1])  # 10:15 + 15 minutes = the end
        assert services.suggestions_for(meeting(story)).late_join == T(10, 15)


def test_a_late_join_agenda_starts_on_a_five_minute_mark_after_the_last_arrival(
    story: Any,
) -> None:
    with scope(organisation=story.harbourside.pk):
        weekdays(story, story.amina, story.olena)
        later_start(story, story.amina, T(9, 43), [1])
        later_start(story, story.olena, T(9, 51), [1])
        found = services.suggestions_for(meeting(story))
        assert found.late_join == T(9, 55)


def test_a_meeting_with_no_dates_left_or_cancelled_has_no_suggestions(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        weekdays(story, story.amina, story.olena)
        past = meeting(
            story,
            first_on=harbourside_today() - dt.timedelta(days=14),
            until=harbourside_today() - dt.timedelta(days=1),
        )
        assert services.suggestions_for(past) == services.Suggestions(occurs_on=None)
        made = meeting(story)
        cancelled = services.cancel_meeting(actor=story.ravi, meeting=made, version=made.version)
        assert services.suggestions_for(cancelled) == services.Suggestions(occurs_on=None)


def test_the_suggestions_are_for_the_next_occurrence(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        weekdays(story, story.amina, story.olena)
        made = meeting(story, first_on=next_tuesday() - dt.timedelta(weeks=3))
        found = services.suggestions_for(made)
        assert found.occurs_on is not None
        assert harbourside_today() <= found.occurs_on < harbourside_today() + dt.timedelta(7)
        assert found.occurs_on.weekday() == TUESDAY
