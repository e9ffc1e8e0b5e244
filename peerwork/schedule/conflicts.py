"""Meeting conflicts, worked out and kept (issue 6 item 4; App. 10 case 3).

``Conflict`` rows say which attendee cannot be at which occurrence from start to end, and
when they can arrive or must leave. They are worked out from availability only (the agreed
pattern with its adjustments, and times away with neutral labels), never from anyone's
private planning note, so nothing here can carry a reason.

They are kept rather than computed on every read, so the schedule-health page reads rows.
Every change recalculates only what it touches: a meeting's change its own occurrences; a
person's pattern, adjustment or time away only their rows in the meetings they attend
(``recalculate_member``), which the benchmark measures. Rows reach ``HORIZON`` ahead;
the deadline loop moves the horizon on each day (``extend_horizons``).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core.deadlines import BATCH_SIZE, register_deadline
from peerwork.core.models import Membership, Organisation
from peerwork.people.availability import (
    AdjustmentTerms,
    PatternDay,
    availability_changed,
    hours_on,
    terms_of,
)
from peerwork.people.models import Adjustment, Unavailability, WorkingPattern

from . import windows
from .models import Attendee, Conflict, Meeting, ScheduleSettings

# How far ahead conflicts are kept: a quarter, as the benchmark asks about.
HORIZON = dt.timedelta(weeks=13)


def zone_of(organisation: Organisation) -> zoneinfo.ZoneInfo:
    return organisation.zone


def settings_for(organisation_id: uuid.UUID) -> ScheduleSettings:
    """The organisation's scheduling settings (the defaults until someone changes them)."""
    found = ScheduleSettings.objects.filter(organisation_id=organisation_id).first()
    return found or ScheduleSettings(organisation_id=organisation_id)


@dataclass
class Planning:
    """What planners may know about some people between two dates, loaded in three
    queries: patterns, agreed adjustments, times away."""

    zone: dt.tzinfo
    first: dt.date
    last: dt.date
    patterns: dict[uuid.UUID, dict[int, PatternDay]] = field(default_factory=dict)
    adjustments: dict[uuid.UUID, list[AdjustmentTerms]] = field(default_factory=dict)
    away: dict[uuid.UUID, list[tuple[dt.datetime, dt.datetime]]] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        organisation_id: uuid.UUID,
        member_ids: Iterable[uuid.UUID],
        first: dt.date,
        last: dt.date,
        zone: dt.tzinfo,
    ) -> Planning:
        ids = list(set(member_ids))
        planning = cls(zone=zone, first=first, last=last)
        for row in WorkingPattern.objects.filter(
            organisation_id=organisation_id, membership_id__in=ids
        ):
            planning.patterns.setdefault(row.membership_id, {})[row.weekday] = PatternDay(
                row.weekday, row.starts, row.ends, row.core_starts, row.core_ends, row.home_working
            )
        for adjustment in Adjustment.objects.filter(
            organisation_id=organisation_id,
            membership_id__in=ids,
            state=Adjustment.State.AGREED,
            valid_from__lte=last,
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first)):
            planning.adjustments.setdefault(adjustment.membership_id, []).append(
                terms_of(adjustment)
            )
        window_starts = windows.at(first, 0, zone)
        window_ends = windows.at(last, windows.DAY_MINUTES, zone)
        for member_id, starts_at, ends_at in Unavailability.objects.filter(
            organisation_id=organisation_id,
            membership_id__in=ids,
            starts_at__lt=window_ends,
            ends_at__gt=window_starts,
        ).values_list("membership_id", "starts_at", "ends_at"):
            planning.away.setdefault(member_id, []).append((starts_at, ends_at))
        return planning

    def free(self, member_id: uuid.UUID, day: dt.date) -> list[windows.Span]:
        """When the person can be there on ``day``, in local minutes."""
        pattern = self.patterns.get(member_id)
        working: list[windows.Span] | None = None
        if pattern:
            hours = hours_on(day, pattern, self.adjustments.get(member_id, ()))
            working = [
                (windows.minute_of(a), windows.minute_of(b))
                for a, b in (hours.spans() if hours else ())
            ]
        busy = windows.busy_spans(day, self.zone, self.away.get(member_id, ()))
        return windows.free_spans(working, busy)


def meeting_span(meeting: Meeting) -> windows.Span:
    start = windows.minute_of(meeting.starts)
    return start, start + meeting.minutes


def _clashes(
    meeting: Meeting, member_ids: Sequence[uuid.UUID], planning: Planning
) -> list[Conflict]:
    start, end = meeting_span(meeting)
    rows = []
    for day in windows.occurrences(
        meeting.first_on, meeting.repeats, meeting.until, planning.first, planning.last
    ):
        for member_id in member_ids:
            clash = windows.conflict_in(planning.free(member_id, day), start, end)
            if clash is None:
                continue
            rows.append(
                Conflict(
                    organisation_id=meeting.organisation_id,
                    meeting=meeting,
                    member_id=member_id,
                    occurs_on=day,
                    kind=clash.kind,
                    arrives_at=(
                        None if clash.arrives_at is None else windows.time_of(clash.arrives_at)
                    ),
                    leaves_at=(
                        None if clash.leaves_at is None else windows.time_of(clash.leaves_at)
                    ),
                )
            )
    return rows


def _window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today, today + HORIZON


def recalculate_meeting(meeting: Meeting, *, today: dt.date | None = None) -> int:
    """Work out again the conflicts of one meeting from today on; answers how many."""
    today = today or timezone.localdate(timezone.now(), zone_of(meeting.organisation))
    first, last = _window(today)
    with transaction.atomic():
        # Two recalculations of one meeting queue on its row (PostgreSQL), so the second
        # deletes what the first wrote instead of both inserting.
        Meeting.objects.select_for_update().filter(
            organisation_id=meeting.organisation_id, pk=meeting.pk
        ).first()
        Conflict.objects.filter(
            organisation_id=meeting.organisation_id, meeting=meeting, occurs_on__gte=first
        ).delete()
        rows: list[Conflict] = []
        if not meeting.is_cancelled:
            member_ids = list(
                Attendee.objects.filter(
                    organisation_id=meeting.organisation_id, meeting=meeting
                ).values_list("member_id", flat=True)
            )
            planning = Planning.load(
                meeting.organisation_id, member_ids, first, last, zone_of(meeting.organisation)
            )
            rows = _clashes(meeting, member_ids, planning)
            Conflict.objects.bulk_create(rows)
        Meeting.objects.filter(organisation_id=meeting.organisation_id, pk=meeting.pk).update(
            conflicts_until=last
        )
        meeting.conflicts_until = last
    return len(rows)


def recalculate_member(member: Membership, *, today: dt.date | None = None) -> int:
    """Work out again one person's conflicts in every meeting they attend, and nobody
    else's; answers how many there are now."""
    zone = zone_of(member.organisation)
    today = today or timezone.localdate(timezone.now(), zone)
    first, last = _window(today)
    with transaction.atomic():
        # The same row locks as ``recalculate_meeting``, in one order, so the two queue.
        meetings = list(
            Meeting.objects.select_for_update()
            .filter(
                organisation_id=member.organisation_id,
                attendees__member=member,
                cancelled_at__isnull=True,
            )
            .filter(Q(until__isnull=True) | Q(until__gte=first))
            .order_by("pk")
        )
        Conflict.objects.filter(
            organisation_id=member.organisation_id, member=member, occurs_on__gte=first
        ).delete()
        planning = Planning.load(member.organisation_id, [member.pk], first, last, zone)
        rows = []
        for meeting in meetings:
            rows.extend(_clashes(meeting, [member.pk], planning))
        Conflict.objects.bulk_create(rows)
    return len(rows)


@receiver(availability_changed)
def _on_availability_changed(sender: object, membership: Membership, **kwargs: object) -> None:
    recalculate_member(membership)


@register_deadline
def extend_horizons(now: dt.datetime) -> int:
    """A deadline-loop step: meetings whose conflicts do not reach ``HORIZON`` ahead any
    more (a day has passed) are worked out again. Each is claimed first with a conditional
    update of ``conflicts_until``, so two loops never work on one meeting. Answers how
    many were."""
    # The latest "today" of any zone (UTC+14): a horizon short of it is behind.
    wanted = (now + dt.timedelta(hours=14)).date() + HORIZON
    with scopes_disabled():  # every organisation's meetings: ids and dates only
        due = list(
            Meeting.objects.filter(cancelled_at__isnull=True)
            .filter(
                Q(conflicts_until__isnull=True)
                | Q(conflicts_until__lt=wanted - dt.timedelta(days=1))
            )
            .filter(Q(until__isnull=True) | Q(until__gte=now.date()))
            # Rows that already reach the meeting's last date are complete: a one-off
            # meeting (no ``until``) or one that ends is not worked out again every day.
            .exclude(repeats=Meeting.Repeats.NEVER, conflicts_until__gte=F("first_on"))
            .exclude(until__isnull=False, conflicts_until__gte=F("until"))
            .order_by("conflicts_until")
            .values_list("pk", "organisation_id", "conflicts_until")[:BATCH_SIZE]
        )
    done = 0
    for meeting_id, organisation_id, horizon in due:
        with scope(organisation=organisation_id):
            won = Meeting.objects.filter(
                organisation_id=organisation_id, pk=meeting_id, conflicts_until=horizon
            ).update(conflicts_until=wanted)
            if not won:
                continue  # another loop has it
            meeting = Meeting.objects.select_related("organisation").get(
                organisation_id=organisation_id, pk=meeting_id
            )
            recalculate_meeting(
                meeting, today=timezone.localdate(now, zone_of(meeting.organisation))
            )
            done += 1
    return done


def conflicts_by_occurrence(
    meeting: Meeting, *, first: dt.date, last: dt.date
) -> dict[dt.date, list[Conflict]]:
    found: dict[dt.date, list[Conflict]] = defaultdict(list)
    for row in Conflict.objects.filter(
        organisation_id=meeting.organisation_id,
        meeting=meeting,
        occurs_on__gte=first,
        occurs_on__lte=last,
    ).select_related("member__user"):
        found[row.occurs_on].append(row)
    return found
