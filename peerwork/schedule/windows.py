"""The window arithmetic of scheduling: pure functions, no database (issue 6 item 4).

A day is worked out in the organisation's local wall-clock minutes, 0 to 1440: patterns,
adjustments and meetings are agreed in local time ("starts 10:45", "Wednesdays at
09:30"), so a weekly meeting stays at 09:30 across a daylight-saving change, and only
times away (stored as instants) are turned into local minutes of the dates they touch.

- ``occurrences``: the dates of a one-off or recurring meeting between two dates (monthly
  on the 31st falls on the last day of shorter months).
- ``free_spans``: when a person can be there on a date: their working hours (all day when
  they have no agreed pattern) minus their times away.
- ``conflict_in``: whether a person can be at a meeting from its start to its end, and if
  not, when they can arrive or must leave. Never why.
- ``earliest_common_start``: the earliest start, inside the organisation's meeting day, at
  which every required attendee can be there for the whole meeting.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

DAY_MINUTES = 24 * 60
# Suggested starts are on the clock's five-minute marks (10:45, not 10:43).
STEP = 5

Span = tuple[int, int]  # [start, end) in local minutes of one date


def minute_of(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def time_of(minute: int) -> dt.time:
    """A local minute of the day as a time; 1440 (the end of the day) as 23:59."""
    minute = max(0, min(minute, DAY_MINUTES - 1))
    return dt.time(minute // 60, minute % 60)


def round_up(minute: int, step: int = STEP) -> int:
    return -(-minute // step) * step


# --- recurrence ----------------------------------------------------------------------


def _add_months(day: dt.date, months: int, anchor_day: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def occurrences(
    first_on: dt.date,
    repeats: str,
    until: dt.date | None,
    start: dt.date,
    end: dt.date,
) -> Iterator[dt.date]:
    """The dates a meeting happens on from ``start`` to ``end`` (both included).

    ``repeats`` is a ``Meeting.Repeats`` value: "never", "weekly", "fortnightly" or
    "monthly" (the date of ``first_on`` each month, or the month's last day).
    """
    last = end if until is None else min(end, until)
    if repeats == "never":
        if start <= first_on <= last:
            yield first_on
        return
    if repeats in ("weekly", "fortnightly"):
        step = 7 if repeats == "weekly" else 14
        day = first_on
        if day < start:
            day += dt.timedelta(days=-(-(start - day).days // step) * step)
        while day <= last:
            yield day
            day += dt.timedelta(days=step)
        return
    if repeats == "monthly":
        months = 0
        if first_on < start:
            months = max(0, (start.year - first_on.year) * 12 + start.month - first_on.month - 1)
        while True:
            day = _add_months(first_on, months, first_on.day)
            if day > last:
                return
            if day >= start:
                yield day
            months += 1
    raise ValueError(f"unknown repetition {repeats!r}")


def at(day: dt.date, minute: int, zone: dt.tzinfo) -> dt.datetime:
    """The instant of a local minute of a date (24:00 is the next midnight)."""
    if minute >= DAY_MINUTES:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return dt.datetime.combine(day, time_of(minute), tzinfo=zone)


# --- one person's day ------------------------------------------------------------------


def busy_spans(
    day: dt.date, zone: dt.tzinfo, intervals: Iterable[tuple[dt.datetime, dt.datetime]]
) -> list[Span]:
    """Times away that touch ``day``, as local minutes of it (clipped to the day)."""
    day_starts = at(day, 0, zone)
    day_ends = at(day, DAY_MINUTES, zone)
    spans: list[Span] = []
    for starts_at, ends_at in intervals:
        if ends_at <= day_starts or starts_at >= day_ends:
            continue
        first = 0 if starts_at <= day_starts else minute_of(starts_at.astimezone(zone).time())
        last = DAY_MINUTES if ends_at >= day_ends else minute_of(ends_at.astimezone(zone).time())
        # A time away ending a few seconds into a minute still takes that minute.
        if ends_at < day_ends and ends_at.astimezone(zone).time().second:
            last += 1
        change = _clocks_back_between(max(starts_at, day_starts), min(ends_at, day_ends), zone)
        if change is not None:
            # The clocks went back during it (autumn): the wall clock ran up to the change,
            # then again from an hour (the difference) earlier. Both stretches are away,
            # though the end may read earlier than the start (03:45 to 03:10).
            before, after = change
            spans.extend(span for span in ((first, before), (after, last)) if span[1] > span[0])
        elif last > first:
            spans.append((first, last))
    return spans


def _clocks_back_between(
    starts_at: dt.datetime, ends_at: dt.datetime, zone: dt.tzinfo
) -> tuple[int, int] | None:
    """When the clocks go back between two instants of one day: the local minute they
    reached (04:00 in Kyiv) and the one they went back to (03:00); else None.

    Found by halving the interval (a change is on a whole second), and only asked when
    the offset at the end is smaller than at the start, which is rare.
    """
    # In UTC: arithmetic on two times of one zone would count wall-clock minutes.
    starts_at = starts_at.astimezone(dt.UTC)
    last = ends_at.astimezone(dt.UTC) - dt.timedelta(microseconds=1)
    old, new = starts_at.astimezone(zone).utcoffset(), last.astimezone(zone).utcoffset()
    if old is None or new is None or new >= old:
        return None
    low, high = starts_at, last  # the offset is old at low and new at high
    while high - low > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == old:
            low = middle
        else:
            high = middle
    change = high.replace(microsecond=0)
    if change.astimezone(zone).utcoffset() != new:
        change += dt.timedelta(seconds=1)
    after = minute_of(change.astimezone(zone).time())
    before = after + (old - new) // dt.timedelta(minutes=1)
    return min(before, DAY_MINUTES), after


def subtract(spans: Iterable[Span], busy: Iterable[Span]) -> list[Span]:
    """``spans`` with every ``busy`` span taken out, in order."""
    result = sorted(spans)
    for b_start, b_end in sorted(busy):
        if b_end <= b_start:
            continue  # an empty time away takes nothing (it would split a span in two)
        cut: list[Span] = []
        for start, end in result:
            if b_end <= start or end <= b_start:
                cut.append((start, end))
                continue
            if start < b_start:
                cut.append((start, b_start))
            if b_end < end:
                cut.append((b_end, end))
        result = cut
    return result


def free_spans(working: Sequence[Span] | None, busy: Iterable[Span] = ()) -> list[Span]:
    """When a person can be there on a date.

    ``working`` is the agreed working time that date (empty: not one of their days), or
    None when they have no agreed pattern at all, which counts the whole day.
    """
    base = [(0, DAY_MINUTES)] if working is None else list(working)
    return subtract(base, busy)


@dataclass(frozen=True)
class Clash:
    """How one person misses part of a meeting: when they can arrive, or must leave, or
    neither (they cannot be there at all). Never why."""

    kind: str  # a ``Conflict.Kind`` value: "late", "early", "away"
    arrives_at: int | None = None
    leaves_at: int | None = None


def conflict_in(free: Sequence[Span], start: int, end: int) -> Clash | None:
    """None when the person is free from ``start`` to ``end``; else how they miss it.

    Of the free spans that overlap the meeting, the one they can be there longest decides:
    arriving after the start counts first (missing the start is what shuts people out,
    App. 10 case 3), then leaving before the end.
    """
    best: Span | None = None
    for span_start, span_end in free:
        if span_start <= start and end <= span_end:
            return None
        overlap = min(end, span_end) - max(start, span_start)
        if overlap > 0 and (best is None or overlap > min(end, best[1]) - max(start, best[0])):
            best = (span_start, span_end)
    if best is None:
        return Clash("away")
    if best[0] > start:
        return Clash("late", arrives_at=best[0], leaves_at=best[1] if best[1] < end else None)
    return Clash("early", leaves_at=best[1])


def intersect(first: Sequence[Span], second: Sequence[Span]) -> list[Span]:
    result = []
    for a_start, a_end in first:
        for b_start, b_end in second:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                result.append((start, end))
    return sorted(result)


def earliest_common_start(
    frees: Iterable[Sequence[Span]], minutes: int, day: Span, *, not_before: int = 0
) -> int | None:
    """The earliest start on a five-minute mark, inside ``day`` and not before
    ``not_before``, at which every person is free for ``minutes``; None if there is none."""
    common: list[Span] = [day]
    for free in frees:
        common = intersect(common, free)
        if not common:
            return None
    for span_start, span_end in common:
        candidate = round_up(max(span_start, not_before))
        if candidate + minutes <= span_end:
            return candidate
    return None
