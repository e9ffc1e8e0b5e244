"""A person's private planning note, and the adjustment it proposes (issue 6 item 2).

Two kinds of need shape someone's working day (§2.4.1, §3.5, §3.6, §4.9):

- **OST dispensing**: the days the site dispenses, when it opens and closes, how the person
  collects (at opening, any time while it is open, or at a fixed time), the usual wait,
  the travel each way, and the days they have take-home doses.
- **A recurring appointment**: a weekday, a time, and the travel each way (HIV, hepatitis
  or TB care, §3.6).

From either, Peerwork works out the earliest time the person can be at work, or the break
they need, and proposes it as an ``Adjustment`` of their working pattern. Only the hours
cross to the manager; the note stays sealed under the person's key.

Case 3 of App. 10 is the rule's test: a clinic that opens at 10:00, collection at opening,
a 15-minute wait and 30 minutes of travel give 10:45. Collection any time while the site
is open proposes nothing when the person can collect before or after work: no conflict is
invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from peerwork.people.availability import PatternDay

from . import windows

DISPENSING = "dispensing"
APPOINTMENT = "appointment"
KINDS = (DISPENSING, APPOINTMENT)

AT_OPENING = "at_opening"
ANY_TIME = "any_time"
FIXED_TIME = "fixed_time"
COLLECTIONS = (AT_OPENING, ANY_TIME, FIXED_TIME)

MAX_MINUTES = 240  # a wait or a journey longer than four hours is a typing mistake
NAME_MAX = 200
MIN_WORK_SPAN = 120  # minutes of work that make coming in before a break worth it


@dataclass(frozen=True)
class Dispensing:
    days: frozenset[int]
    opens: dt.time
    closes: dt.time
    collection: str
    wait_minutes: int
    travel_minutes: int
    take_home_days: frozenset[int] = frozenset()
    fixed_at: dt.time | None = None
    site: str = ""

    @property
    def collection_days(self) -> frozenset[int]:
        """The days the person goes to the site: dispensing days without take-home doses."""
        return self.days - self.take_home_days


@dataclass(frozen=True)
class Appointment:
    weekday: int
    starts: dt.time
    ends: dt.time
    travel_minutes: int
    every_weeks: int = 1


@dataclass(frozen=True)
class Proposal:
    """The hours a need asks for on some weekdays: a later start, an earlier finish or a
    break (each None when unchanged)."""

    weekdays: frozenset[int]
    starts: dt.time | None = None
    ends: dt.time | None = None
    break_starts: dt.time | None = None
    break_ends: dt.time | None = None


# --- reading and checking what was typed ----------------------------------------------


def _time(value: Any, field: str, errors: dict[str, list[str]]) -> dt.time | None:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    try:
        return dt.time.fromisoformat(str(value)).replace(second=0, microsecond=0)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(_("Give a time of day such as 10:00."))
        return None


def _minutes(value: Any, field: str, errors: dict[str, list[str]]) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= MAX_MINUTES:
        errors.setdefault(field, []).append(
            _("Give a number of minutes from 0 to %(most)s.") % {"most": MAX_MINUTES}
        )
        return 0
    return number


def _days(
    value: Any, field: str, errors: dict[str, list[str]], *, empty_ok: bool
) -> frozenset[int]:
    try:
        days = frozenset(int(day) for day in (value or ()))
    except (TypeError, ValueError):
        days = frozenset({-1})
    if not days <= set(range(7)):
        errors.setdefault(field, []).append(_("Choose days of the week."))
        return frozenset()
    if not days and not empty_ok:
        errors.setdefault(field, []).append(_("Choose at least one day."))
    return days


def dispensing_from(details: Mapping[str, Any]) -> Dispensing:
    """Check typed dispensing details; ``ValidationError`` names every field at fault."""
    errors: dict[str, list[str]] = {}
    days = _days(details.get("days"), "days", errors, empty_ok=False)
    take_home = _days(details.get("take_home_days"), "take_home_days", errors, empty_ok=True)
    opens = _time(details.get("opens"), "opens", errors)
    closes = _time(details.get("closes"), "closes", errors)
    if opens and closes and closes <= opens:
        errors.setdefault("closes", []).append(_("The site must close after it opens."))
    collection = str(details.get("collection") or "")
    if collection not in COLLECTIONS:
        errors.setdefault("collection", []).append(_("Choose how you collect."))
    fixed_at = None
    if collection == FIXED_TIME:
        fixed_at = _time(details.get("fixed_at"), "fixed_at", errors)
        if fixed_at and opens and closes and not opens <= fixed_at < closes:
            errors.setdefault("fixed_at", []).append(
                _("The fixed time must be while the site is open.")
            )
    wait = _minutes(details.get("wait_minutes"), "wait_minutes", errors)
    travel = _minutes(details.get("travel_minutes"), "travel_minutes", errors)
    if take_home and days and take_home >= days:
        errors.setdefault("take_home_days", []).append(
            _("Take-home days cannot be all of the dispensing days.")
        )
    site = str(details.get("site") or "").strip()
    if len(site) > NAME_MAX:
        errors.setdefault("site", []).append(_("Keep it to 200 characters."))
    if errors or opens is None or closes is None:
        raise ValidationError(errors)
    return Dispensing(days, opens, closes, collection, wait, travel, take_home, fixed_at, site)


def appointment_from(details: Mapping[str, Any]) -> Appointment:
    errors: dict[str, list[str]] = {}
    try:
        weekday = int(details.get("weekday"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        weekday = -1
    if weekday not in range(7):
        errors["weekday"] = [_("Choose a day of the week.")]
    starts = _time(details.get("starts"), "starts", errors)
    ends = _time(details.get("ends"), "ends", errors)
    if starts and ends and ends <= starts:
        errors.setdefault("ends", []).append(_("The end must be after the start."))
    travel = _minutes(details.get("travel_minutes"), "travel_minutes", errors)
    try:
        every = int(details.get("every_weeks") or 1)
    except (TypeError, ValueError):
        every = 0
    if every not in (1, 2, 4):
        errors["every_weeks"] = [_("Choose every week, every two weeks or every four weeks.")]
    if errors or starts is None or ends is None:
        raise ValidationError(errors)
    return Appointment(weekday, starts, ends, travel, every)


def details_to_store(kind: str, need: Dispensing | Appointment) -> dict[str, Any]:
    """What is sealed: the checked details, times as "HH:MM"."""

    def hhmm(value: dt.time | None) -> str | None:
        return None if value is None else value.strftime("%H:%M")

    if isinstance(need, Dispensing):
        return {
            "kind": DISPENSING,
            "site": need.site,
            "days": sorted(need.days),
            "opens": hhmm(need.opens),
            "closes": hhmm(need.closes),
            "collection": need.collection,
            "fixed_at": hhmm(need.fixed_at),
            "wait_minutes": need.wait_minutes,
            "travel_minutes": need.travel_minutes,
            "take_home_days": sorted(need.take_home_days),
        }
    return {
        "kind": APPOINTMENT,
        "weekday": need.weekday,
        "starts": hhmm(need.starts),
        "ends": hhmm(need.ends),
        "travel_minutes": need.travel_minutes,
        "every_weeks": need.every_weeks,
    }


def parse(details: Mapping[str, Any]) -> Dispensing | Appointment:
    kind = details.get("kind")
    if kind == DISPENSING:
        return dispensing_from(details)
    if kind == APPOINTMENT:
        return appointment_from(details)
    raise ValidationError({"kind": [_("Choose what the note is about.")]})


# --- what a need asks of the working day ----------------------------------------------


def earliest_at_work(need: Dispensing) -> dt.time | None:
    """When a person who collects in the morning can be at work: collection, the wait,
    then the journey (case 3: 10:00 + 15 + 30 = 10:45). None for "any time", which
    depends on the working day (``proposals``)."""
    if need.collection == AT_OPENING:
        start = windows.minute_of(need.opens)
    elif need.collection == FIXED_TIME and need.fixed_at is not None:
        start = windows.minute_of(need.fixed_at)
    else:
        return None
    return windows.time_of(start + need.wait_minutes + need.travel_minutes)


def _for_day(need: Dispensing | Appointment, day: PatternDay) -> Proposal | None:
    work_starts, work_ends = windows.minute_of(day.starts), windows.minute_of(day.ends)
    if isinstance(need, Appointment):
        away_from = windows.minute_of(need.starts) - need.travel_minutes
        back_at = windows.minute_of(need.ends) + need.travel_minutes
    else:
        opens, closes = windows.minute_of(need.opens), windows.minute_of(need.closes)
        visit = need.wait_minutes + need.travel_minutes
        if need.collection == ANY_TIME:
            # Before work, or after it, while the site is open: nothing to change.
            if opens + visit <= work_starts or work_ends + visit <= closes:
                return None
            away_from, back_at = opens - need.travel_minutes, opens + visit
        else:
            collect = (
                opens
                if need.collection == AT_OPENING
                else windows.minute_of(need.fixed_at or need.opens)
            )
            away_from, back_at = collect - need.travel_minutes, collect + visit
    weekday = frozenset({day.weekday})
    if back_at <= work_starts or away_from >= work_ends:
        return None  # outside working hours
    # Coming in for less than a couple of hours before leaving (or after coming back) helps
    # nobody: the day starts later, or ends earlier, instead of having a break.
    if away_from - work_starts < MIN_WORK_SPAN:
        return Proposal(weekday, starts=windows.time_of(back_at))  # a later start
    if work_ends - back_at < MIN_WORK_SPAN:
        return Proposal(weekday, ends=windows.time_of(away_from))  # an earlier finish
    return Proposal(
        weekday, break_starts=windows.time_of(away_from), break_ends=windows.time_of(back_at)
    )


def proposals(need: Dispensing | Appointment, pattern: Mapping[int, PatternDay]) -> list[Proposal]:
    """The adjustments a need asks for against the person's agreed pattern, days with the
    same hours together (Monday to Friday starting 10:45 is one proposal).

    Only working days are adjusted; an appointment every two or four weeks is not a
    pattern (it is added as neutral times away instead), so it proposes nothing.
    """
    if isinstance(need, Appointment):
        if need.every_weeks != 1:
            return []
        days = frozenset({need.weekday})
    else:
        days = need.collection_days
    grouped: dict[tuple[object, ...], set[int]] = {}
    for weekday in sorted(days):
        agreed = pattern.get(weekday)
        if agreed is None:
            continue
        found = _for_day(need, agreed)
        if found is None:
            continue
        key = (found.starts, found.ends, found.break_starts, found.break_ends)
        grouped.setdefault(key, set()).add(weekday)
    return [
        Proposal(frozenset(weekdays), *key)  # type: ignore[arg-type]
        for key, weekdays in grouped.items()
    ]
