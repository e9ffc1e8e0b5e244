"""Availability for planning: work facts only (DESIGN.md "Privacy model").

Other modules (the schedule, outreach shifts, review meetings) ask ``availability_for``
instead of reading anyone's disclosures. It answers with the agreed working pattern and
neutral unavailability ("unavailable", "appointment"), never with a reason.

Regular OST dispensing becomes the agreed working pattern ("starts 10:45 on weekdays",
§2.4.1: flexible hours are terms of employment negotiated with the manager), never a daily
appointment that anyone could decode: ``add_unavailability`` refuses a one-off time that
repeats at the same hour on several days and says to agree a working pattern instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.access import Action, DataClass, can
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion

from .models import Adjustment, Unavailability, WorkingPattern

# The longest window one question may ask about: enough for a month's rota.
MAX_WINDOW = dt.timedelta(days=62)
# A one-off time at the same hour (give or take this much) on this many other days within
# REPEAT_SPAN looks like a daily dispensing time: it belongs in the working pattern.
REPEAT_TOLERANCE = dt.timedelta(minutes=45)
REPEAT_DAYS = 2
REPEAT_SPAN = dt.timedelta(days=14)
MAX_UNAVAILABLE = dt.timedelta(days=31)

# Sent inside the transaction of every change to what planners may know about a person
# (their pattern, an adjustment, a time away), with ``membership``: the schedule works out
# that person's meeting conflicts again in the same transaction (issue 6 item 4).
availability_changed = Signal()


@dataclass(frozen=True)
class PatternDay:
    weekday: int
    starts: dt.time
    ends: dt.time
    core_starts: dt.time | None = None
    core_ends: dt.time | None = None
    home_working: bool = False


@dataclass(frozen=True)
class AdjustmentTerms:
    """The hours of an agreed ``Adjustment``: what applies, on which days, from when."""

    weekdays: frozenset[int]
    valid_from: dt.date
    valid_until: dt.date | None = None
    starts: dt.time | None = None
    ends: dt.time | None = None
    break_starts: dt.time | None = None
    break_ends: dt.time | None = None

    def applies_on(self, day: dt.date) -> bool:
        return (
            day.weekday() in self.weekdays
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True)
class DayHours:
    """The working hours of one date: the pattern with any agreed adjustment applied."""

    starts: dt.time
    ends: dt.time
    break_starts: dt.time | None = None
    break_ends: dt.time | None = None
    home_working: bool = False
    adjusted: bool = False

    def spans(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The working time of the day, the break taken out."""
        if (
            self.break_starts is not None
            and self.break_ends is not None
            and self.starts < self.break_starts < self.break_ends < self.ends
        ):
            return ((self.starts, self.break_starts), (self.break_ends, self.ends))
        return ((self.starts, self.ends),)


def hours_on(
    day: dt.date,
    pattern: Mapping[int, PatternDay],
    adjustments: Iterable[AdjustmentTerms] = (),
) -> DayHours | None:
    """A person's working hours on ``day``, or None when it is not one of their days.

    An agreed adjustment in force that day replaces what it names (the start, the end, a
    break) and keeps the rest of the pattern. It cannot make a day off a working day
    unless it gives both a start and an end. Agreed adjustments do not overlap (the
    services refuse it), so at most one applies.
    """
    agreed = pattern.get(day.weekday())
    adjustment = next((a for a in adjustments if a.applies_on(day)), None)
    if adjustment is None:
        if agreed is None:
            return None
        return DayHours(agreed.starts, agreed.ends, home_working=agreed.home_working)
    starts = adjustment.starts or (agreed.starts if agreed else None)
    ends = adjustment.ends or (agreed.ends if agreed else None)
    if starts is None or ends is None or ends <= starts:
        return None
    return DayHours(
        starts,
        ends,
        adjustment.break_starts,
        adjustment.break_ends,
        home_working=bool(agreed and agreed.home_working),
        adjusted=True,
    )


@dataclass(frozen=True)
class Interval:
    starts_at: dt.datetime
    ends_at: dt.datetime
    label: str = ""  # "unavailable" or "appointment" for busy times; "" for working time

    def overlaps(self, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


@dataclass(frozen=True)
class Availability:
    """What a planner may know about one person between ``starts_at`` and ``ends_at``."""

    membership_id: object
    time_zone: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    pattern: tuple[PatternDay, ...]
    working: tuple[Interval, ...]  # the pattern laid out on the dates asked about
    unavailable: tuple[Interval, ...]
    adjustments: tuple[AdjustmentTerms, ...] = ()  # agreed ones in force in the window

    @property
    def has_pattern(self) -> bool:
        return bool(self.pattern)

    def is_free(self, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        """Inside agreed working time (when there is a pattern) and not unavailable."""
        if any(busy.overlaps(starts_at, ends_at) for busy in self.unavailable):
            return False
        if not self.pattern:
            return True
        return any(w.starts_at <= starts_at and ends_at <= w.ends_at for w in self.working)


def _zone(membership: Membership) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(membership.organisation.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _check_window(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError(_("Give times with their time zone."))
    if ends_at <= starts_at:
        raise ValidationError({"end": [_("The end must be after the start.")]})
    if ends_at - starts_at > MAX_WINDOW:
        raise ValidationError({"end": [_("Ask about at most 62 days at a time.")]})


def availability_for(
    membership: Membership, starts_at: dt.datetime, ends_at: dt.datetime
) -> Availability:
    """The agreed working pattern and neutral unavailability of ``membership`` in a window.

    Work data: callers check ``can(actor, READ, WORK, membership)`` (the directory rule). No
    disclosure is read, so nothing is written to the audit chain.
    """
    _check_window(starts_at, ends_at)
    zone = _zone(membership)
    pattern = pattern_of(membership)
    by_weekday = {day.weekday: day for day in pattern}
    day = timezone.localtime(starts_at, zone).date()
    last = timezone.localtime(ends_at, zone).date()
    adjustments = agreed_adjustments_of(membership, day, last)
    working = []
    while day <= last:
        hours = hours_on(day, by_weekday, adjustments)
        for span_starts, span_ends in hours.spans() if hours else ():
            opens = dt.datetime.combine(day, span_starts, tzinfo=zone)
            closes = dt.datetime.combine(day, span_ends, tzinfo=zone)
            if opens < ends_at and starts_at < closes:
                working.append(Interval(max(opens, starts_at), min(closes, ends_at)))
        day += dt.timedelta(days=1)
    unavailable = tuple(
        Interval(row.starts_at, row.ends_at, row.kind)
        for row in Unavailability.objects.filter(
            organisation_id=membership.organisation_id,
            membership=membership,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        ).order_by("starts_at")
    )
    return Availability(
        membership_id=membership.pk,
        time_zone=str(zone),
        starts_at=starts_at,
        ends_at=ends_at,
        pattern=pattern,
        working=tuple(working),
        unavailable=unavailable,
        adjustments=adjustments,
    )


def pattern_of(membership: Membership) -> tuple[PatternDay, ...]:
    """The person's agreed working pattern, Monday first (work data)."""
    return tuple(
        PatternDay(
            row.weekday, row.starts, row.ends, row.core_starts, row.core_ends, row.home_working
        )
        for row in WorkingPattern.objects.filter(
            organisation_id=membership.organisation_id, membership=membership
        ).order_by("weekday")
    )


def terms_of(row: Adjustment) -> AdjustmentTerms:
    return AdjustmentTerms(
        weekdays=frozenset(int(d) for d in row.weekdays),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        starts=row.starts,
        ends=row.ends,
        break_starts=row.break_starts,
        break_ends=row.break_ends,
    )


def agreed_adjustments_of(
    membership: Membership, first: dt.date, last: dt.date
) -> tuple[AdjustmentTerms, ...]:
    """The agreed adjustments of the person in force on some day from ``first`` to ``last``."""
    rows = Adjustment.objects.filter(
        organisation_id=membership.organisation_id,
        membership=membership,
        state=Adjustment.State.AGREED,
        valid_from__lte=last,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
    return tuple(terms_of(row) for row in rows.order_by("valid_from"))


def _may_change_availability(actor: Membership, membership: Membership) -> bool:
    """The person themself, their line manager and HR keep the times someone is away."""
    if actor.pk == membership.pk:
        return actor.is_active
    return can(actor, Action.CHANGE, DataClass.PERSONNEL, membership)


def _looks_regular(membership: Membership, starts_at: dt.datetime, zone: dt.tzinfo) -> bool:
    """Whether a new time repeats the hour of others on ``REPEAT_DAYS`` other days nearby."""
    local = timezone.localtime(starts_at, zone)
    minute = local.hour * 60 + local.minute
    nearby = Unavailability.objects.filter(
        organisation_id=membership.organisation_id,
        membership=membership,
        starts_at__gt=starts_at - REPEAT_SPAN,
        starts_at__lt=starts_at + REPEAT_SPAN,
    ).only("starts_at")
    days = set()
    tolerance = REPEAT_TOLERANCE.total_seconds() / 60
    for row in nearby:
        other = timezone.localtime(row.starts_at, zone)
        if other.date() == local.date():
            continue
        if abs(other.hour * 60 + other.minute - minute) <= tolerance:
            days.add(other.date())
    return len(days) >= REPEAT_DAYS


def add_unavailability(
    *,
    actor: Membership,
    membership: Membership,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> Unavailability:
    """Record a one-off time ``membership`` is away, shown to planners with a neutral label."""
    if not _may_change_availability(actor, membership):
        raise PermissionDenied
    try:
        kind = Unavailability.Kind(kind)
    except ValueError:
        raise ValidationError({"kind": [_("Choose how it is shown.")]}) from None
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError(_("Give times with their time zone."))
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("The end must be after the start.")]})
    if ends_at - starts_at > MAX_UNAVAILABLE:
        raise ValidationError({"ends_at": [_("Add at most 31 days at a time.")]})
    if _looks_regular(membership, starts_at, _zone(membership)):
        raise ValidationError(
            _(
                "This is at the same time as other days nearby. A regular time belongs in the "
                "working pattern agreed with the line manager, so that nobody sees a daily "
                "appointment."
            )
        )
    with transaction.atomic():
        row = Unavailability.objects.create(
            organisation_id=membership.organisation_id,
            membership=membership,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        audit.record(
            actor=actor,
            action="unavailability.create",
            object_type="people.unavailability",
            object_id=row.pk,
            subject=membership,
            data_class=DataClass.WORK,
        )
        availability_changed.send(sender=Unavailability, membership=membership)
    return row


def remove_unavailability(*, actor: Membership, row: Unavailability) -> None:
    if not _may_change_availability(actor, row.membership):
        raise PermissionDenied
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="unavailability.remove",
            object_type="people.unavailability",
            object_id=row.pk,
            subject=row.membership,
            data_class=DataClass.WORK,
        )
        row.delete()
        availability_changed.send(sender=Unavailability, membership=row.membership)


def _fingerprint(rows: Iterable[tuple[object, ...]]) -> str:
    text = ";".join(":".join(str(value) for value in row) for row in sorted(rows, key=str))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def pattern_fingerprint(membership: Membership) -> str:
    """A short name of the person's working pattern as it is now: the same hours give the
    same name, any change another. ``WorkingPattern`` rows have no version of their own
    (a pattern is replaced as a whole), so an editor carries this instead, from the page
    they read to the save (``set_working_pattern(expected=…)``; the API's ``If-Match``)."""
    return _fingerprint(
        WorkingPattern.objects.filter(
            organisation_id=membership.organisation_id, membership=membership
        ).values_list("weekday", "starts", "ends", "core_starts", "core_ends", "home_working")
    )


def set_working_pattern(
    *,
    actor: Membership,
    membership: Membership,
    days: Mapping[int, tuple[dt.time, dt.time]] | Iterable[PatternDay],
    expected: str | None = None,
) -> list[WorkingPattern]:
    """Record the working pattern agreed between a person and their line manager (or HR).

    It replaces the previous pattern as a whole. An agreement is personnel business: the
    line manager and HR make it (§2.4.1), the person sees it and everyone planning sees
    the hours, never why they are what they are.

    ``expected`` is the ``pattern_fingerprint`` of the pattern the editor read: when the
    pattern changed since (another manager saved first), nothing is written and
    ``StaleVersion`` says so, rather than one agreement silently replacing the other.
    None replaces whatever is there (the demo, scripts).
    """
    if not can(actor, Action.CHANGE, DataClass.PERSONNEL, membership):
        raise PermissionDenied
    if isinstance(days, Mapping):
        items = [PatternDay(int(k), v[0], v[1]) for k, v in days.items()]
    else:
        items = list(days)
    errors = []
    seen = set()
    for day in items:
        if day.weekday not in range(7) or day.weekday in seen:
            errors.append(_("Each day of the week appears once."))
        elif day.ends <= day.starts:
            errors.append(_("On each day, the end must be after the start."))
        elif (day.core_starts is None) != (day.core_ends is None):
            errors.append(_("Give core hours as a start and an end, or neither."))
        elif (
            day.core_starts is not None
            and day.core_ends is not None
            and not (day.starts <= day.core_starts < day.core_ends <= day.ends)
        ):
            errors.append(_("Core hours must lie inside the working day."))
        seen.add(day.weekday)
    if errors:
        raise ValidationError(sorted(set(errors)))
    today = timezone.localdate()
    with transaction.atomic():
        # Editors of one person's pattern queue here (PostgreSQL; on SQLite every writing
        # transaction already holds the write lock from its start), so the comparison
        # below sees what the one before saved.
        Membership.objects.select_for_update().filter(
            organisation_id=membership.organisation_id, pk=membership.pk
        ).first()
        if expected is not None and expected != pattern_fingerprint(membership):
            raise StaleVersion
        WorkingPattern.objects.filter(
            organisation_id=membership.organisation_id, membership=membership
        ).delete()
        rows = WorkingPattern.objects.bulk_create(
            [
                WorkingPattern(
                    organisation_id=membership.organisation_id,
                    membership=membership,
                    weekday=day.weekday,
                    starts=day.starts,
                    ends=day.ends,
                    core_starts=day.core_starts,
                    core_ends=day.core_ends,
                    home_working=day.home_working,
                    agreed_on=today,
                    agreed_by=actor,
                )
                for day in sorted(items, key=lambda d: d.weekday)
            ]
        )
        audit.record(
            actor=actor,
            action="working_pattern.set",
            object_type="people.working_pattern",
            subject=membership,
            data_class=DataClass.PERSONNEL,
            detail={"days": len(rows)},
        )
        availability_changed.send(sender=WorkingPattern, membership=membership)
    return rows
