"""Properties of the window arithmetic (``peerwork.schedule.windows``; issue 6 "Tests that
must exist"): a suggested start never conflicts for anyone required; a meeting has no
conflict exactly when nobody's time away overlaps it; the span laws; recurrence across
month and year ends; and, through ``conflicts.Planning`` in a zone with daylight saving
(Europe/Kyiv), a weekly meeting keeps its wall-clock time and times away given as
instants land on the right local minutes of the days the clocks change.

Pure functions only, no database: each property runs a modest number of examples so the
whole file stays within a few seconds.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
import zoneinfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from peerwork.schedule import windows
from peerwork.schedule.conflicts import Planning
from peerwork.schedule.windows import DAY_MINUTES, Span

FAST = settings(max_examples=60, deadline=None)
KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")
UTC = dt.UTC
# Kyiv's clocks in 2026: forward at 03:00 on 29 March, back at 04:00 on 25 October.
SPRING = dt.date(2026, 3, 29)
AUTUMN = dt.date(2026, 10, 25)


# --- strategies ------------------------------------------------------------------------


@st.composite
def disjoint_spans(draw: st.DrawFn, *, max_spans: int = 4) -> list[Span]:
    """Sorted spans that neither overlap nor touch, as a day's free time is."""
    points = draw(
        st.lists(st.integers(0, DAY_MINUTES), min_size=0, max_size=2 * max_spans, unique=True).map(
            sorted
        )
    )
    if len(points) % 2:
        points = points[:-1]
    return [(points[i], points[i + 1]) for i in range(0, len(points), 2)]


@st.composite
def any_spans(draw: st.DrawFn, *, max_spans: int = 4) -> list[Span]:
    """Spans that may overlap, touch or be empty, in any order."""
    spans = []
    for _ in range(draw(st.integers(0, max_spans))):
        start = draw(st.integers(0, DAY_MINUTES))
        spans.append((start, draw(st.integers(start, DAY_MINUTES))))
    return spans


def minutes_in(spans: list[Span]) -> set[int]:
    return {minute for start, end in spans for minute in range(start, end)}


def is_tidy(spans: list[Span]) -> bool:
    """Sorted, none empty, none overlapping."""
    return all(start < end for start, end in spans) and all(
        spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1)
    )


meeting_length = st.integers(5, 240)


# --- earliest_common_start -------------------------------------------------------------


@FAST
@given(
    frees=st.lists(disjoint_spans(), min_size=1, max_size=5),
    minutes=meeting_length,
    day_start=st.integers(0, 12 * 60),
    day_length=st.integers(60, 12 * 60),
    not_before=st.integers(0, DAY_MINUTES),
)
def test_a_suggested_start_never_conflicts_for_anyone_required(
    frees: list[list[Span]], minutes: int, day_start: int, day_length: int, not_before: int
) -> None:
    day = (day_start, day_start + day_length)
    found = windows.earliest_common_start(frees, minutes, day, not_before=not_before)
    # What a planner could pick by hand: every five-minute mark inside the day.
    fits = [
        start
        for start in range(windows.round_up(max(day[0], not_before)), day[1] - minutes + 1, 5)
        if all(windows.conflict_in(free, start, start + minutes) is None for free in frees)
    ]
    if found is None:
        assert fits == []
        return
    assert found % windows.STEP == 0
    assert day[0] <= found and found + minutes <= day[1] and found >= not_before
    for free in frees:
        assert windows.conflict_in(free, found, found + minutes) is None
    assert found == fits[0]  # and it is the earliest


@FAST
@given(free=disjoint_spans(), minutes=meeting_length)
def test_a_person_with_no_free_time_has_no_suggested_start(free: list[Span], minutes: int) -> None:
    assert windows.earliest_common_start([free, []], minutes, (0, DAY_MINUTES)) is None


# --- conflicts ---------------------------------------------------------------------------


@st.composite
def attendee_day(draw: st.DrawFn, start: int, end: int) -> tuple[list[Span] | None, list[Span]]:
    """An attendee with no pattern (None) or working hours covering the meeting, and
    random times away."""
    if draw(st.booleans()):
        working = None
    else:
        working = [(draw(st.integers(0, start)), draw(st.integers(end, DAY_MINUTES)))]
    away = []
    for _ in range(draw(st.integers(0, 3))):
        away_start = draw(st.integers(0, DAY_MINUTES - 1))
        away.append((away_start, draw(st.integers(away_start + 1, DAY_MINUTES))))
    return working, away


@st.composite
def meeting_and_attendees(
    draw: st.DrawFn,
) -> tuple[int, int, list[tuple[list[Span] | None, list[Span]]]]:
    start = draw(st.integers(0, DAY_MINUTES - 5))
    end = draw(st.integers(start + 5, min(DAY_MINUTES, start + 720)))
    people = draw(st.lists(attendee_day(start, end), min_size=1, max_size=5))
    return start, end, people


@FAST
@given(case=meeting_and_attendees())
def test_there_is_no_conflict_exactly_when_no_time_away_overlaps_the_meeting(
    case: tuple[int, int, list[tuple[list[Span] | None, list[Span]]]],
) -> None:
    start, end, people = case
    clashes = [
        windows.conflict_in(windows.free_spans(working, away), start, end)
        for working, away in people
    ]
    for (_, away), clash in zip(people, clashes, strict=True):
        overlaps = any(a < end and start < b for a, b in away)
        assert (clash is None) == (not overlaps), (start, end, away, clash)
    conflict_set = [i for i, clash in enumerate(clashes) if clash is not None]
    assert (conflict_set == []) == all(
        not any(a < end and start < b for a, b in away) for _, away in people
    )


@FAST
@given(free=disjoint_spans(), start=st.integers(0, DAY_MINUTES - 5), length=meeting_length)
def test_a_clash_says_when_they_can_arrive_or_must_leave_inside_the_meeting(
    free: list[Span], start: int, length: int
) -> None:
    end = min(start + length, DAY_MINUTES)
    clash = windows.conflict_in(free, start, end)
    if clash is None:
        assert any(a <= start and end <= b for a, b in free)
        return
    if clash.kind == "away":
        assert not any(a < end and start < b for a, b in free)
    elif clash.kind == "late":
        assert clash.arrives_at is not None and start < clash.arrives_at < end
        # They are there from arrival, until the end or until they must leave.
        until = end if clash.leaves_at is None else clash.leaves_at
        assert any(a <= clash.arrives_at and min(until, end) <= b for a, b in free)
    else:
        assert clash.kind == "early"
        assert clash.leaves_at is not None and start < clash.leaves_at < end
        assert any(a <= start and clash.leaves_at == b for a, b in free)


# --- subtract and intersect --------------------------------------------------------------


@FAST
@given(spans=disjoint_spans(), busy=any_spans())
def test_subtract_keeps_exactly_the_minutes_not_busy(spans: list[Span], busy: list[Span]) -> None:
    result = windows.subtract(spans, busy)
    assert minutes_in(result) == minutes_in(spans) - minutes_in(busy)
    assert is_tidy(result)


@FAST
@given(spans=disjoint_spans(), busy=any_spans())
def test_subtracting_twice_or_nothing_changes_nothing_more(
    spans: list[Span], busy: list[Span]
) -> None:
    once = windows.subtract(spans, busy)
    assert windows.subtract(once, busy) == once
    assert windows.subtract(spans, []) == spans
    assert windows.subtract(spans, [(m, m) for m in range(0, DAY_MINUTES, 97)]) == spans


@FAST
@given(first=disjoint_spans(), second=disjoint_spans())
def test_intersect_keeps_exactly_the_minutes_in_both(first: list[Span], second: list[Span]) -> None:
    both = windows.intersect(first, second)
    assert minutes_in(both) == minutes_in(first) & minutes_in(second)
    assert is_tidy(both)
    assert minutes_in(windows.intersect(second, first)) == minutes_in(both)
    assert windows.intersect(first, [(0, DAY_MINUTES)]) == first


@FAST
@given(working=disjoint_spans(), busy=any_spans())
def test_free_time_is_working_time_minus_time_away_and_all_day_without_a_pattern(
    working: list[Span], busy: list[Span]
) -> None:
    assert windows.free_spans(working, busy) == windows.subtract(working, busy)
    assert minutes_in(windows.free_spans(None, busy)) == set(range(DAY_MINUTES)) - minutes_in(busy)
    assert windows.free_spans(None) == [(0, DAY_MINUTES)]


# --- recurrence --------------------------------------------------------------------------

dates = st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31))


def happens_on(first_on: dt.date, repeats: str, day: dt.date) -> bool:
    """The rule written out day by day, to check ``occurrences`` against."""
    if day < first_on:
        return False
    if repeats == "never":
        return day == first_on
    if repeats == "weekly":
        return (day - first_on).days % 7 == 0
    if repeats == "fortnightly":
        return (day - first_on).days % 14 == 0
    last_day = calendar.monthrange(day.year, day.month)[1]
    return day.day == min(first_on.day, last_day)


@FAST
@given(
    first_on=dates,
    repeats=st.sampled_from(["never", "weekly", "fortnightly", "monthly"]),
    until_after=st.none() | st.integers(0, 400),
    start=dates,
    window=st.integers(0, 400),
)
def test_occurrences_are_exactly_the_dates_the_rule_gives(
    first_on: dt.date, repeats: str, until_after: int | None, start: dt.date, window: int
) -> None:
    until = None if until_after is None else first_on + dt.timedelta(days=until_after)
    end = start + dt.timedelta(days=window)
    found = list(windows.occurrences(first_on, repeats, until, start, end))
    last = end if until is None else min(end, until)
    expected = [
        start + dt.timedelta(days=n)
        for n in range((last - start).days + 1)
        if happens_on(first_on, repeats, start + dt.timedelta(days=n))
    ]
    assert found == expected


@FAST
@given(first_on=dates, fortnightly=st.booleans(), shift=st.integers(-100, 400))
def test_weekly_and_fortnightly_keep_the_weekday_and_the_step(
    first_on: dt.date, fortnightly: bool, shift: int
) -> None:
    step = 14 if fortnightly else 7
    start = first_on + dt.timedelta(days=shift)  # a window from before or after the first
    found = list(
        windows.occurrences(
            first_on,
            "fortnightly" if fortnightly else "weekly",
            None,
            start,
            start + dt.timedelta(days=120),
        )
    )
    assert found, "four months always hold a date of a weekly or fortnightly meeting"
    assert {day.weekday() for day in found} == {first_on.weekday()}
    assert all((b - a).days == step for a, b in zip(found, found[1:], strict=False))
    assert found[0] >= max(start, first_on)
    assert found[0] - dt.timedelta(days=step) < max(start, first_on)  # none missed first


@FAST
@given(
    year=st.integers(2024, 2028),
    month=st.integers(1, 12),
    anchor=st.integers(29, 31),
    months=st.integers(1, 26),
)
def test_monthly_on_the_29th_to_31st_falls_on_the_last_day_of_shorter_months(
    year: int, month: int, anchor: int, months: int
) -> None:
    if anchor > calendar.monthrange(year, month)[1]:
        month = 1 if month == 12 else month + 1  # start in a month that has the date
        year += month == 1
    first_on = dt.date(year, month, anchor)
    end = first_on + dt.timedelta(days=31 * months)
    found = list(windows.occurrences(first_on, "monthly", None, first_on, end))
    # One a month, in consecutive months, across year ends.
    for a, b in zip(found, found[1:], strict=False):
        assert (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1
    for day in found:
        last_day = calendar.monthrange(day.year, day.month)[1]
        assert day.day == min(anchor, last_day)
    assert found[0] == first_on
    assert any(day.year > first_on.year for day in found) or months < 12


def test_monthly_on_the_31st_walks_through_february_of_a_leap_year() -> None:
    found = list(
        windows.occurrences(
            dt.date(2027, 12, 31), "monthly", None, dt.date(2027, 12, 1), dt.date(2028, 5, 1)
        )
    )
    assert found == [
        dt.date(2027, 12, 31),
        dt.date(2028, 1, 31),
        dt.date(2028, 2, 29),
        dt.date(2028, 3, 31),
        dt.date(2028, 4, 30),
    ]


# --- daylight saving, through the planning of real people --------------------------------


def planning(away: list[tuple[dt.datetime, dt.datetime]], first: dt.date, last: dt.date):
    person = uuid.uuid4()
    return person, Planning(zone=KYIV, first=first, last=last, away={person: away})


@FAST
@given(
    first_on=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    picked=st.sets(st.integers(0, 60), max_size=8),
)
def test_a_weekly_0930_meeting_stays_at_0930_local_across_both_changes(
    first_on: dt.date, picked: set[int]
) -> None:
    start, end = 9 * 60 + 30, 10 * 60 + 30
    days = list(
        windows.occurrences(first_on, "weekly", None, dt.date(2026, 1, 1), dt.date(2027, 1, 31))
    )
    assert all(day.weekday() == first_on.weekday() for day in days)
    offsets = set()
    for day in days:
        starts_at = windows.at(day, start, KYIV)
        assert (starts_at.hour, starts_at.minute) == (9, 30)
        offsets.add(starts_at.utcoffset())
    if days[0] < SPRING and days[-1] > AUTUMN:
        # Winter at UTC+2 and summer at UTC+3: 07:30 and 06:30 UTC, always 09:30 local.
        assert offsets == {dt.timedelta(hours=2), dt.timedelta(hours=3)}
    # A person away for exactly some occurrences, given as instants: those, and only
    # those, are conflicts.
    away_on = {days[i] for i in picked if i < len(days)}
    away = [(windows.at(day, start, KYIV), windows.at(day, end, KYIV)) for day in away_on]
    person, plan = planning(away, days[0], days[-1])
    for day in days:
        clash = windows.conflict_in(plan.free(person, day), start, end)
        assert (clash is not None) == (day in away_on), day
        if clash is not None:
            assert clash.kind == "away"


def test_the_same_utc_hour_is_0930_in_summer_and_0830_in_winter() -> None:
    summer, winter = dt.date(2026, 6, 3), dt.date(2026, 12, 2)
    away = [
        (
            dt.datetime.combine(day, dt.time(6, 30), UTC),
            dt.datetime.combine(day, dt.time(7, 30), UTC),
        )
        for day in (summer, winter)
    ]
    person, plan = planning(away, summer, winter)
    assert plan.free(person, summer) == [(0, 9 * 60 + 30), (10 * 60 + 30, DAY_MINUTES)]
    assert plan.free(person, winter) == [(0, 8 * 60 + 30), (9 * 60 + 30, DAY_MINUTES)]
    # So a 09:30 meeting: away in summer, free in winter.
    assert windows.conflict_in(plan.free(person, summer), 570, 630) is not None
    assert windows.conflict_in(plan.free(person, winter), 570, 630) is None


def wall_minutes_touched(starts_at: dt.datetime, ends_at: dt.datetime, day: dt.date) -> set[int]:
    """The local minutes of ``day`` the clock on the wall shows during an interval,
    minute by minute."""
    touched = set()
    moment = starts_at.astimezone(UTC)  # steps of real minutes, not of the wall clock
    while moment < ends_at:
        local = moment.astimezone(KYIV)
        if local.date() == day:
            touched.add(local.hour * 60 + local.minute)
        moment += dt.timedelta(minutes=1)
    return touched


@FAST
@given(
    day=st.sampled_from([SPRING, AUTUMN, SPRING - dt.timedelta(days=1)]),  # and a plain day
    offset=st.integers(-6 * 60, 26 * 60),
    length=st.integers(1, 6 * 60),
)
@example(day=AUTUMN, offset=3 * 60 + 45, length=25)  # 03:45 summer time to 03:10 winter time
@example(day=AUTUMN, offset=2 * 60, length=3 * 60)  # 02:00 to 04:00, the repeated hour whole
@example(day=SPRING, offset=2 * 60 + 30, length=60)  # 02:30 to 04:30 (03:xx never shows)
def test_times_away_given_as_instants_land_on_the_local_minutes_of_a_change_day(
    day: dt.date, offset: int, length: int
) -> None:
    midnight = windows.at(day, 0, KYIV).astimezone(UTC)  # add real minutes to it
    starts_at = midnight + dt.timedelta(minutes=offset)
    ends_at = starts_at + dt.timedelta(minutes=length)
    person, plan = planning([(starts_at, ends_at)], day, day)
    busy = minutes_in(windows.busy_spans(day, KYIV, [(starts_at, ends_at)]))
    touched = wall_minutes_touched(starts_at, ends_at, day)
    # The clock never shows 03:00-03:59 on the spring day: whether those count is moot.
    shown = wall_minutes_touched(midnight, midnight + dt.timedelta(hours=26), day)
    assert busy & shown == touched
    assert minutes_in(plan.free(person, day)) == set(range(DAY_MINUTES)) - busy


def test_an_hour_away_across_the_autumn_change_is_not_lost() -> None:
    # 03:45 summer time to 03:10 winter time: the clock reads earlier at the end than at
    # the start, yet both stretches of the wall clock were away.
    starts_at = dt.datetime(2026, 10, 25, 0, 45, tzinfo=UTC)
    ends_at = dt.datetime(2026, 10, 25, 1, 10, tzinfo=UTC)
    busy = windows.busy_spans(AUTUMN, KYIV, [(starts_at, ends_at)])
    assert minutes_in(busy) == set(range(3 * 60, 3 * 60 + 10)) | set(range(225, 240))
