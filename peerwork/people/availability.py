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
from django.utils import timezone
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.access import Action, DataClass, can
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion

from .models import Unavailability, WorkingPattern

# The longest window one question may ask about: enough for a month's rota.
MAX_WINDOW = dt.timedelta(days=62)
# A one-off time at the same hour (give or take this much) on this many other days within
# REPEAT_SPAN looks like a daily dispensing time: it belongs in the working pattern.
REPEAT_TOLERANCE = dt.timedelta(minutes=45)
REPEAT_DAYS = 2
REPEAT_SPAN = dt.timedelta(days=14)
MAX_UNAVAILABLE = dt.timedelta(days=31)


@dataclass(frozen=True)
class PatternDay:
    weekday: int
    starts: dt.time
    ends: dt.time


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
    pattern = tuple(
        PatternDay(row.weekday, row.starts, row.ends)
        for row in WorkingPattern.objects.filter(
            organisation_id=membership.organisation_id, membership=membership
        ).order_by("weekday")
    )
    by_weekday = {day.weekday: day for day in pattern}
    working = []
    day = timezone.localtime(starts_at, zone).date()
    last = timezone.localtime(ends_at, zone).date()
    while day <= last:
        agreed = by_weekday.get(day.weekday())
        if agreed is not None:
            opens = dt.datetime.combine(day, agreed.starts, tzinfo=zone)
            closes = dt.datetime.combine(day, agreed.ends, tzinfo=zone)
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
    )


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


def _fingerprint(rows: Iterable[tuple[int, dt.time, dt.time]]) -> str:
    text = ";".join(f"{d}:{a:%H:%M:%S}-{b:%H:%M:%S}" for d, a, b in sorted(rows))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def pattern_fingerprint(membership: Membership) -> str:
    """A short name of the person's working pattern as it is now: the same hours give the
    same name, any change another. ``WorkingPattern`` rows have no version of their own
    (a pattern is replaced as a whole), so an editor carries this instead, from the page
    they read to the save (``set_working_pattern(expected=…)``; the API's ``If-Match``)."""
    return _fingerprint(
        WorkingPattern.objects.filter(
            organisation_id=membership.organisation_id, membership=membership
        ).values_list("weekday", "starts", "ends")
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
    return rows
