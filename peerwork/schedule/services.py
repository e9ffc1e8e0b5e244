"""Scheduling flows (issue 6): private notes, adjustments, meetings and their suggestions.

Each takes the acting membership, checks what it may do, writes inside one transaction
with its audit event, and keeps the meeting conflicts up to date in that same transaction
(``conflicts``): a change of a meeting recalculates that meeting, a change of what planners
may know about a person (``people.availability.availability_changed``) recalculates only
that person's rows.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.access import Action, DataClass, can, parse_id
from peerwork.core.models import Membership, Team
from peerwork.core.notify import notify
from peerwork.core.versions import StaleVersion, update_if_current
from peerwork.people.availability import (
    AdjustmentTerms,
    PatternDay,
    agreed_adjustments_of,
    availability_changed,
    hours_on,
    pattern_of,
    terms_of,
)
from peerwork.people.models import Adjustment

from . import conflicts, kinds, needs, windows
from .access import may_help_with, may_organise, may_plan, need_category
from .models import Attendee, Conflict, Meeting, PrivateNeed

TITLE_MAX = 200


def local_today(member: Membership, now: dt.datetime | None = None) -> dt.date:
    """Today where the person's organisation works (agreements and reviews are dated
    there, not in the server's zone)."""
    return timezone.localdate(now or timezone.now(), conflicts.zone_of(member.organisation))


# --- private planning notes ------------------------------------------------------------


def read_need(*, actor: Membership, need: PrivateNeed) -> dict[str, Any]:
    """The opened details of a note. A read by anyone but the owner is audited, so the
    owner sees it in "who saw my data"."""
    details = json.loads(need.content or "{}")
    if actor.pk != need.owner_id:
        audit.record_read(
            actor=actor,
            action="schedule.need.read",
            object_type="schedule.private_need",
            object_id=need.pk,
            subject=need.owner,
            data_class=DataClass.PRIVATE,
        )
    return details if isinstance(details, dict) else {}


def record_need(
    *,
    actor: Membership,
    owner: Membership,
    details: dict[str, Any],
    need: PrivateNeed | None = None,
    version: int | None = None,
) -> PrivateNeed:
    """Keep (or change) a private planning note; ``ValidationError`` names the fields at
    fault and nothing is saved. HR may write one only under the owner's named share."""
    parsed = needs.parse(details)
    category = "health" if isinstance(parsed, needs.Appointment) else "ost"
    if not may_help_with(actor, owner, category):
        raise PermissionDenied
    stored = json.dumps(needs.details_to_store(details.get("kind", ""), parsed), sort_keys=True)
    now = timezone.now()
    with transaction.atomic():
        if need is None:
            need = PrivateNeed(
                organisation_id=owner.organisation_id,
                owner=owner,
                entered_by=None if actor.pk == owner.pk else actor,
                created_at=now,
                updated_at=now,
            )
            need.content = stored
            need.save()
            action = "schedule.need.create"
        else:
            if version is not None and version != need.version:
                raise StaleVersion
            need.content = stored
            need.updated_at = now
            need.entered_by = None if actor.pk == owner.pk else actor
            updated = PrivateNeed.objects.filter(pk=need.pk, version=need.version).update(
                version=F("version") + 1
            )
            if not updated:
                raise StaleVersion
            need.version += 1
            need.save(update_fields=["content", "updated_at", "entered_by"])
            action = "schedule.need.change"
        audit.record(
            actor=actor,
            action=action,
            object_type="schedule.private_need",
            object_id=need.pk,
            subject=owner,
            data_class=DataClass.PRIVATE,
        )
    return need


def remove_need(*, actor: Membership, need: PrivateNeed) -> None:
    """Remove a note for good: its owner only. HR, who may keep it for them under a
    share, does not remove it (the [record: schedule] matrix; the pages and API agree)."""
    if actor.pk != need.owner_id or not actor.is_active:
        raise PermissionDenied
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="schedule.need.remove",
            object_type="schedule.private_need",
            object_id=need.pk,
            subject=need.owner,
            data_class=DataClass.PRIVATE,
        )
        need.delete()


def agreed_pattern_now(member: Membership, today: dt.date) -> dict[int, PatternDay]:
    """The person's pattern with the adjustments agreed for the week ahead applied: what
    a note's needs are compared with, so a later start already agreed proposes nothing."""
    pattern = {day.weekday: day for day in pattern_of(member)}
    adjustments = agreed_adjustments_of(member, today, today + dt.timedelta(days=6))
    found = {}
    for offset in range(7):
        day = today + dt.timedelta(days=offset)
        hours = hours_on(day, pattern, adjustments)
        if hours is not None:
            usual = pattern.get(day.weekday())
            found[day.weekday()] = PatternDay(
                day.weekday(),
                hours.starts,
                hours.ends,
                usual.core_starts if usual else None,
                usual.core_ends if usual else None,
                hours.home_working,
            )
    return found


def proposals_for_need(need: PrivateNeed, *, today: dt.date | None = None) -> list[needs.Proposal]:
    """What the note asks of the person's working hours as agreed now (an agreed later
    start already there is not proposed again)."""
    parsed = needs.parse(json.loads(need.content or "{}"))
    today = today or local_today(need.owner)
    return needs.proposals(parsed, agreed_pattern_now(need.owner, today))


def propose_from_need(
    *,
    actor: Membership,
    need: PrivateNeed,
    valid_from: dt.date,
    review_on: dt.date | None = None,
) -> list[Adjustment]:
    """Turn a note into proposed adjustments for the line manager to agree. They carry the
    hours only; nothing links them to the note (§2.4.1)."""
    if not may_help_with(actor, need.owner, need_category(need)):
        raise PermissionDenied
    found = proposals_for_need(need)
    if not found:
        raise ValidationError(
            _("Your agreed working hours already fit: there is nothing to change.")
        )
    return [
        propose_adjustment(
            actor=actor,
            person=need.owner,
            weekdays=sorted(proposal.weekdays),
            starts=proposal.starts,
            ends=proposal.ends,
            break_starts=proposal.break_starts,
            break_ends=proposal.break_ends,
            valid_from=valid_from,
            review_on=review_on,
        )
        for proposal in found
    ]


# --- adjustments ---------------------------------------------------------------------


def _may_propose(actor: Membership, person: Membership) -> bool:
    if actor.pk == person.pk:
        return actor.is_active
    return can(actor, Action.CHANGE, DataClass.PERSONNEL, person) or (
        may_help_with(actor, person, "ost") or may_help_with(actor, person, "health")
    )


def _check_terms(
    *,
    weekdays: Sequence[int],
    starts: dt.time | None,
    ends: dt.time | None,
    break_starts: dt.time | None,
    break_ends: dt.time | None,
    valid_from: dt.date,
    valid_until: dt.date | None,
    review_on: dt.date | None,
) -> list[int]:
    errors: dict[str, list[str]] = {}
    try:
        days = sorted({int(day) for day in weekdays})
    except (TypeError, ValueError):
        days = []  # not days of the week ("monday" from a script): refused below
    if not days or not set(days) <= set(range(7)):
        errors["weekdays"] = [_("Choose at least one day of the week.")]
    if starts is None and ends is None and break_starts is None:
        errors["starts"] = [_("Give a new start, a new end or a break.")]
    if starts is not None and ends is not None and ends <= starts:
        errors["ends"] = [_("The end must be after the start.")]
    if (break_starts is None) != (break_ends is None):
        errors["break_ends"] = [_("Give a break as a start and an end, or neither.")]
    elif break_starts is not None and break_ends is not None and break_ends <= break_starts:
        errors["break_ends"] = [_("The break must end after it starts.")]
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = [_("The last day must be on or after the first.")]
    if review_on is not None and review_on < valid_from:
        errors["review_on"] = [_("The review must be on or after the first day.")]
    if errors:
        raise ValidationError(errors)
    return days


def propose_adjustment(
    *,
    actor: Membership,
    person: Membership,
    weekdays: Sequence[int],
    valid_from: dt.date,
    starts: dt.time | None = None,
    ends: dt.time | None = None,
    break_starts: dt.time | None = None,
    break_ends: dt.time | None = None,
    valid_until: dt.date | None = None,
    review_on: dt.date | None = None,
) -> Adjustment:
    """Propose a change of working hours. The side that proposes has agreed; the other
    side is told and agrees or not (§2.4.1: negotiated as terms of employment)."""
    if not _may_propose(actor, person):
        raise PermissionDenied
    days = _check_terms(
        weekdays=weekdays,
        starts=starts,
        ends=ends,
        break_starts=break_starts,
        break_ends=break_ends,
        valid_from=valid_from,
        valid_until=valid_until,
        review_on=review_on,
    )
    now = timezone.now()
    by_person = actor.pk == person.pk
    by_manager = not by_person and can(actor, Action.CHANGE, DataClass.PERSONNEL, person)
    with transaction.atomic():
        row = Adjustment.objects.create(
            organisation_id=person.organisation_id,
            membership=person,
            weekdays=days,
            starts=starts,
            ends=ends,
            break_starts=break_starts,
            break_ends=break_ends,
            valid_from=valid_from,
            valid_until=valid_until,
            review_on=review_on,
            proposed_by=actor,
            proposed_at=now,
            person_agreed_at=now if by_person else None,
            manager_agreed_at=now if by_manager else None,
            agreed_by=actor if by_manager else None,
        )
        _audit_adjustment(actor, "schedule.adjustment.propose", row)
        if by_person or not by_manager:
            if person.line_manager is not None:
                notify(
                    recipient=person.line_manager,
                    kind=kinds.ADJUSTMENT_PROPOSED.kind,
                    params={"adjustment": str(row.pk)},
                )
        else:
            notify(
                recipient=person,
                kind=kinds.ADJUSTMENT_PROPOSED.kind,
                params={"adjustment": str(row.pk)},
            )
    return row


def _overlaps(row: Adjustment, other: Adjustment) -> bool:
    if not set(row.weekdays) & set(other.weekdays):
        return False
    row_end = row.valid_until or dt.date.max
    other_end = other.valid_until or dt.date.max
    return row.valid_from <= other_end and other.valid_from <= row_end


def agree_adjustment(*, actor: Membership, adjustment: Adjustment, version: int) -> Adjustment:
    """One side agrees; once both have, the adjustment applies from its first day and the
    person's meeting conflicts are worked out again. An adjustment that would overlap one
    already agreed (same weekday, overlapping dates) is refused: end that one first."""
    person = adjustment.membership
    is_person = actor.pk == person.pk
    is_manager = not is_person and can(actor, Action.CHANGE, DataClass.PERSONNEL, person)
    if not (is_person or is_manager):
        raise PermissionDenied
    if adjustment.state != Adjustment.State.PROPOSED:
        raise ValidationError(_("Only a proposed adjustment can be agreed."))
    now = timezone.now()
    changes: dict[str, Any] = {}
    if is_person:
        changes["person_agreed_at"] = adjustment.person_agreed_at or now
    else:
        changes["manager_agreed_at"] = now
        changes["agreed_by"] = actor
    both = (changes.get("person_agreed_at") or adjustment.person_agreed_at) and (
        changes.get("manager_agreed_at") or adjustment.manager_agreed_at
    )
    with transaction.atomic():
        if both:
            # Agreements of one person queue on their membership row, so two agreed
            # adjustments cannot both pass the overlap check.
            Membership.objects.select_for_update().filter(
                organisation_id=person.organisation_id, pk=person.pk
            ).first()
            for other in Adjustment.objects.filter(
                organisation_id=person.organisation_id,
                membership=person,
                state=Adjustment.State.AGREED,
            ).exclude(pk=adjustment.pk):
                if _overlaps(adjustment, other):
                    raise ValidationError(
                        _(
                            "This overlaps an adjustment already agreed for the same days. "
                            "End that one first, or choose other dates."
                        )
                    )
            changes["state"] = Adjustment.State.AGREED
            changes["agreed_on"] = local_today(person, now)
        update_if_current(Adjustment, pk=adjustment.pk, version=version, changes=changes)
        _audit_adjustment(actor, "schedule.adjustment.agree", adjustment)
        if both:
            availability_changed.send(sender=Adjustment, membership=person)
            other_side = person if not is_person else person.line_manager
            if other_side is not None:
                notify(
                    recipient=other_side,
                    kind=kinds.ADJUSTMENT_AGREED.kind,
                    params={"adjustment": str(adjustment.pk)},
                )
    adjustment.refresh_from_db()
    return adjustment


def decline_adjustment(*, actor: Membership, adjustment: Adjustment, version: int) -> Adjustment:
    person = adjustment.membership
    if not (actor.pk == person.pk or can(actor, Action.CHANGE, DataClass.PERSONNEL, person)):
        raise PermissionDenied
    if adjustment.state != Adjustment.State.PROPOSED:
        raise ValidationError(_("Only a proposed adjustment can be declined."))
    with transaction.atomic():
        update_if_current(
            Adjustment,
            pk=adjustment.pk,
            version=version,
            changes={"state": Adjustment.State.DECLINED, "ended_at": timezone.now()},
        )
        _audit_adjustment(actor, "schedule.adjustment.decline", adjustment)
    adjustment.refresh_from_db()
    return adjustment


def end_adjustment(
    *, actor: Membership, adjustment: Adjustment, version: int, last_day: dt.date | None = None
) -> Adjustment:
    """Stop an agreed adjustment after ``last_day`` (today by default); either side may."""
    person = adjustment.membership
    if not (actor.pk == person.pk or can(actor, Action.CHANGE, DataClass.PERSONNEL, person)):
        raise PermissionDenied
    if adjustment.state != Adjustment.State.AGREED:
        raise ValidationError(_("Only an agreed adjustment can be ended."))
    today = local_today(person)
    last_day = last_day or today
    changes: dict[str, Any] = {"ended_at": timezone.now()}
    if last_day < adjustment.valid_from:
        changes["state"] = Adjustment.State.ENDED
    else:
        if adjustment.valid_until is not None and adjustment.valid_until < last_day:
            raise ValidationError(_("It already ends before that day."))
        changes["valid_until"] = last_day
        changes["state"] = Adjustment.State.ENDED if last_day < today else (Adjustment.State.AGREED)
    with transaction.atomic():
        update_if_current(Adjustment, pk=adjustment.pk, version=version, changes=changes)
        _audit_adjustment(actor, "schedule.adjustment.end", adjustment)
        availability_changed.send(sender=Adjustment, membership=person)
    adjustment.refresh_from_db()
    return adjustment


def _audit_adjustment(actor: Membership, action: str, row: Adjustment) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="people.adjustment",
        object_id=row.pk,
        subject=row.membership,
        data_class=DataClass.PERSONNEL,
    )


def days_text(weekdays: Iterable[int | str]) -> str:
    """Days in words: "Mon–Fri" for a run of three or more, else "Tue, Thu"."""
    days = sorted(int(day) for day in weekdays)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAYS_ABBR[days[0]]}–{WEEKDAYS_ABBR[days[-1]]}"
    return ", ".join(str(WEEKDAYS_ABBR[day]) for day in days)


def describe(terms: AdjustmentTerms | Adjustment) -> str:
    """The hours in words, as a manager sees them: "starts 10:45 Mon–Fri"."""
    if isinstance(terms, Adjustment):
        terms = terms_of(terms)
    day_text = days_text(terms.weekdays)
    parts = []
    if terms.starts:
        parts.append(_("starts %(time)s") % {"time": terms.starts.strftime("%H:%M")})
    if terms.ends:
        parts.append(_("ends %(time)s") % {"time": terms.ends.strftime("%H:%M")})
    if terms.break_starts and terms.break_ends:
        parts.append(
            _("break %(from)s–%(until)s")
            % {
                "from": terms.break_starts.strftime("%H:%M"),
                "until": terms.break_ends.strftime("%H:%M"),
            }
        )
    return f"{', '.join(parts)} {day_text}"


# --- meetings ------------------------------------------------------------------------


@dataclass
class MeetingFields:
    """What a meeting form or API request gives; checked by ``check_meeting``."""

    title: str
    kind: str
    first_on: dt.date
    starts: dt.time
    minutes: int
    repeats: str = Meeting.Repeats.NEVER
    until: dt.date | None = None
    place: str = ""
    team: Team | None = None
    required: list[object] = field(default_factory=list)  # membership ids
    optional: list[object] = field(default_factory=list)


def active_members(actor: Membership, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Membership]:
    """The active members of the actor's organisation among ``ids``, by id: whoever is
    missing is unknown to the actor (another organisation's, ended, or never there)."""
    return {
        m.pk: m
        for m in Membership.objects.filter(
            organisation_id=actor.organisation_id, pk__in=set(ids)
        ).select_related("user")
        if m.is_active
    }


def _attendees(
    actor: Membership, required: Iterable[object], optional: Iterable[object]
) -> tuple[list[Membership], list[Membership]]:
    """The attendees by id, in the actor's organisation and active; anyone else is an
    unknown attendee, refused by name of the field."""
    try:
        wanted_required = [parse_id(value) for value in required]
        wanted_optional = [parse_id(value) for value in optional]
    except Http404:  # a malformed id
        raise ValidationError({"required": [_("Choose attendees from the list.")]}) from None
    found = active_members(actor, {*wanted_required, *wanted_optional})
    errors: dict[str, list[str]] = {}
    if set(wanted_required) - set(found):
        errors["required"] = [_("Someone in the list is not a member of this organisation.")]
    if set(wanted_optional) - set(found):
        errors["optional"] = [_("Someone in the list is not a member of this organisation.")]
    if set(wanted_required) & set(wanted_optional):
        errors["optional"] = [_("A person is either required or optional, not both.")]
    if errors:
        raise ValidationError(errors)
    return [found[i] for i in dict.fromkeys(wanted_required)], [
        found[i] for i in dict.fromkeys(wanted_optional)
    ]


def check_meeting(fields: MeetingFields) -> None:
    errors: dict[str, list[str]] = {}
    if not fields.title.strip():
        errors["title"] = [_("Give the meeting a title.")]
    elif len(fields.title) > TITLE_MAX:
        errors["title"] = [_("Keep the title to 200 characters.")]
    if fields.kind not in Meeting.Kind.values:
        errors["kind"] = [_("Choose what kind of meeting it is.")]
    if fields.repeats not in Meeting.Repeats.values:
        errors["repeats"] = [_("Choose how often it happens.")]
    if not 5 <= fields.minutes <= 720:
        errors["minutes"] = [_("A meeting lasts from 5 minutes to 12 hours.")]
    elif windows.minute_of(fields.starts) + fields.minutes > windows.DAY_MINUTES:
        errors["minutes"] = [_("The meeting must end on the day it starts.")]
    if fields.until is not None and fields.until < fields.first_on:
        errors["until"] = [_("The last date must be on or after the first.")]
    if len(fields.place) > TITLE_MAX:
        errors["place"] = [_("Keep the place to 200 characters.")]
    if errors:
        raise ValidationError(errors)


def create_meeting(*, actor: Membership, fields: MeetingFields) -> Meeting:
    if not may_organise(actor):
        raise PermissionDenied
    check_meeting(fields)
    required, optional = _attendees(actor, fields.required, fields.optional)
    if not required:
        raise ValidationError({"required": [_("Name at least one required attendee.")]})
    if fields.team is not None and fields.team.organisation_id != actor.organisation_id:
        raise ValidationError({"team": [_("Choose one of your organisation's teams.")]})
    with transaction.atomic():
        meeting = Meeting.objects.create(
            organisation_id=actor.organisation_id,
            title=fields.title.strip(),
            kind=fields.kind,
            place=fields.place.strip(),
            team=fields.team,
            organiser=actor,
            first_on=fields.first_on,
            starts=fields.starts,
            minutes=fields.minutes,
            repeats=fields.repeats,
            until=fields.until,
        )
        _set_attendees(meeting, required, optional)
        _audit_meeting(actor, "schedule.meeting.create", meeting)
        conflicts.recalculate_meeting(meeting)
    return meeting


def _set_attendees(
    meeting: Meeting, required: Sequence[Membership], optional: Sequence[Membership]
) -> None:
    Attendee.objects.filter(organisation_id=meeting.organisation_id, meeting=meeting).delete()
    Attendee.objects.bulk_create(
        [
            Attendee(
                organisation_id=meeting.organisation_id, meeting=meeting, member=m, required=True
            )
            for m in required
        ]
        + [
            Attendee(
                organisation_id=meeting.organisation_id, meeting=meeting, member=m, required=False
            )
            for m in optional
        ]
    )


def update_meeting(
    *, actor: Membership, meeting: Meeting, version: int, fields: MeetingFields
) -> Meeting:
    """Change a meeting as a whole (the edit form); a stale ``version`` changes nothing."""
    if not may_plan(actor, meeting):
        raise PermissionDenied
    check_meeting(fields)
    required, optional = _attendees(actor, fields.required, fields.optional)
    if not required:
        raise ValidationError({"required": [_("Name at least one required attendee.")]})
    with transaction.atomic():
        update_if_current(
            Meeting,
            pk=meeting.pk,
            version=version,
            changes={
                "title": fields.title.strip(),
                "kind": fields.kind,
                "place": fields.place.strip(),
                "team": fields.team,
                "first_on": fields.first_on,
                "starts": fields.starts,
                "minutes": fields.minutes,
                "repeats": fields.repeats,
                "until": fields.until,
                # A new time makes a late-join agenda for the old one meaningless, and so
                # does a meeting shortened to end before its decisions would start.
                "decisions_from": (
                    meeting.decisions_from
                    if fields.starts == meeting.starts
                    and meeting.decisions_from is not None
                    and windows.minute_of(meeting.decisions_from)
                    < windows.minute_of(fields.starts) + fields.minutes
                    else None
                ),
            },
        )
        meeting.refresh_from_db()
        _set_attendees(meeting, required, optional)
        _audit_meeting(actor, "schedule.meeting.change", meeting)
        conflicts.recalculate_meeting(meeting)
    return meeting


def next_on_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def move_meeting(
    *,
    actor: Membership,
    meeting: Meeting,
    version: int,
    starts: dt.time,
    weekday: int | None = None,
    today: dt.date | None = None,
) -> Meeting:
    """Move a meeting to another time, and for a weekly or fortnightly one, another weekday
    from its next occurrence on (one click on a suggestion)."""
    if not may_plan(actor, meeting):
        raise PermissionDenied
    if windows.minute_of(starts) + meeting.minutes > windows.DAY_MINUTES:
        raise ValidationError({"starts": [_("The meeting must end on the day it starts.")]})
    changes: dict[str, Any] = {"starts": starts, "decisions_from": None}
    if weekday is not None and weekday != meeting.first_on.weekday():
        if weekday not in range(7):
            raise ValidationError({"weekday": [_("Choose a day of the week.")]})
        if meeting.repeats == Meeting.Repeats.MONTHLY:
            raise ValidationError(
                {"weekday": [_("A monthly meeting keeps its date; change the date instead.")]}
            )
        today = today or timezone.localdate(timezone.now(), conflicts.zone_of(meeting.organisation))
        changes["first_on"] = next_on_weekday(max(today, meeting.first_on), weekday)
        if meeting.until is not None and changes["first_on"] > meeting.until:
            raise ValidationError({"weekday": [_("The meeting has no dates left to move.")]})
    with transaction.atomic():
        update_if_current(Meeting, pk=meeting.pk, version=version, changes=changes)
        meeting.refresh_from_db()
        _audit_meeting(actor, "schedule.meeting.move", meeting)
        conflicts.recalculate_meeting(meeting)
    return meeting


def set_late_join(
    *, actor: Membership, meeting: Meeting, version: int, decisions_from: dt.time | None
) -> Meeting:
    """A late-join agenda: updates first, decisions from ``decisions_from`` (None: none)."""
    if not may_plan(actor, meeting):
        raise PermissionDenied
    if decisions_from is not None:
        start, end = conflicts.meeting_span(meeting)
        if not start < windows.minute_of(decisions_from) < end:
            raise ValidationError(
                {"decisions_from": [_("Decisions must come during the meeting.")]}
            )
    with transaction.atomic():
        update_if_current(
            Meeting, pk=meeting.pk, version=version, changes={"decisions_from": decisions_from}
        )
        meeting.refresh_from_db()
        _audit_meeting(actor, "schedule.meeting.late_join", meeting)
    return meeting


def cancel_meeting(*, actor: Membership, meeting: Meeting, version: int) -> Meeting:
    if not may_plan(actor, meeting):
        raise PermissionDenied
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is already cancelled."))
    with transaction.atomic():
        update_if_current(
            Meeting, pk=meeting.pk, version=version, changes={"cancelled_at": timezone.now()}
        )
        meeting.refresh_from_db()
        _audit_meeting(actor, "schedule.meeting.cancel", meeting)
        conflicts.recalculate_meeting(meeting)
    return meeting


def _audit_meeting(actor: Membership, action: str, meeting: Meeting) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="schedule.meeting",
        object_id=meeting.pk,
        data_class=DataClass.WORK,
        organisation=meeting.organisation,
    )


# --- suggestions ---------------------------------------------------------------------


@dataclass(frozen=True)
class DaySuggestion:
    weekday: int
    occurs_on: dt.date
    starts: dt.time  # the earliest start every required attendee can make


@dataclass(frozen=True)
class Suggestions:
    """Alternatives for a meeting some required attendees cannot be at from the start.

    ``occurs_on``: the next occurrence the suggestions are worked out for. ``late``: its
    required attendees who arrive after the start, with when. ``same_day``: the earliest
    start that weekday. ``other_days``: per other weekday, the earliest start. ``late_join``:
    the time decisions could start so everyone is there for them (None when someone cannot
    come at all, or arrives too late for it).
    """

    occurs_on: dt.date | None
    late: tuple[Conflict, ...] = ()
    same_day: DaySuggestion | None = None
    other_days: tuple[DaySuggestion, ...] = ()
    late_join: dt.time | None = None


def _next_occurrence(meeting: Meeting, today: dt.date) -> dt.date | None:
    first = max(today, meeting.first_on)
    return next(
        windows.occurrences(
            meeting.first_on, meeting.repeats, meeting.until, first, first + conflicts.HORIZON
        ),
        None,
    )


def suggestions_for(meeting: Meeting, *, today: dt.date | None = None) -> Suggestions:
    """Per weekday, the earliest start every required attendee can make, on the next date
    of that weekday, inside the organisation's meeting day; and a late-join agenda for the
    next occurrence (issue 6 item 4, App. 10 case 3)."""
    zone = conflicts.zone_of(meeting.organisation)
    today = today or timezone.localdate(timezone.now(), zone)
    return suggestions_for_many([meeting], today=today)[meeting.pk]


def suggestions_for_many(
    meetings: Sequence[Meeting], *, today: dt.date
) -> dict[uuid.UUID, Suggestions]:
    """``suggestions_for`` of several meetings of one organisation, in a fixed number of
    queries (schedule health shows a page of them)."""
    result: dict[uuid.UUID, Suggestions] = {}
    upcoming: dict[uuid.UUID, dt.date] = {}
    for meeting in meetings:
        found = None if meeting.is_cancelled else _next_occurrence(meeting, today)
        if found is None:
            result[meeting.pk] = Suggestions(occurs_on=None)
        else:
            upcoming[meeting.pk] = found
    if not upcoming:
        return result
    live = [meeting for meeting in meetings if meeting.pk in upcoming]
    organisation_id = live[0].organisation_id
    zone = conflicts.zone_of(live[0].organisation)
    required: dict[uuid.UUID, list[uuid.UUID]] = {meeting.pk: [] for meeting in live}
    for meeting_id, member_id in Attendee.objects.filter(
        organisation_id=organisation_id, meeting_id__in=list(upcoming), required=True
    ).values_list("meeting_id", "member_id"):
        required[meeting_id].append(member_id)
    settings = conflicts.settings_for(organisation_id)
    day_span = (windows.minute_of(settings.day_starts), windows.minute_of(settings.day_ends))
    planning = conflicts.Planning.load(
        organisation_id,
        {member_id for ids in required.values() for member_id in ids},
        min(upcoming.values()),
        max(upcoming.values()) + dt.timedelta(days=6),
        zone,
    )
    late_rows: dict[uuid.UUID, list[Conflict]] = {meeting.pk: [] for meeting in live}
    for row in Conflict.objects.filter(
        organisation_id=organisation_id,
        meeting_id__in=list(upcoming),
        occurs_on__in=set(upcoming.values()),
    ).select_related("member__user"):
        if row.occurs_on == upcoming[row.meeting_id] and row.member_id in required[row.meeting_id]:
            late_rows[row.meeting_id].append(row)
    for meeting in live:
        result[meeting.pk] = _suggest(
            meeting,
            upcoming[meeting.pk],
            required[meeting.pk],
            planning,
            tuple(late_rows[meeting.pk]),
            day_span,
        )
    return result


def _suggest(
    meeting: Meeting,
    upcoming: dt.date,
    required: Sequence[uuid.UUID],
    planning: conflicts.Planning,
    late: tuple[Conflict, ...],
    day_span: windows.Span,
) -> Suggestions:
    start, end = conflicts.meeting_span(meeting)
    by_day: list[DaySuggestion] = []
    for offset in range(7):
        day = upcoming + dt.timedelta(days=offset)
        found = windows.earliest_common_start(
            (planning.free(member_id, day) for member_id in required), meeting.minutes, day_span
        )
        if found is not None:
            by_day.append(DaySuggestion(day.weekday(), day, windows.time_of(found)))
    same = next((s for s in by_day if s.occurs_on == upcoming), None)
    late_join = None
    if late and all(row.kind == Conflict.Kind.LATE and row.arrives_at for row in late):
        latest = max(windows.minute_of(row.arrives_at) for row in late if row.arrives_at)
        latest = windows.round_up(latest)
        # Decisions need at least a quarter of an hour with everyone there.
        if latest + 15 <= end:
            late_join = windows.time_of(latest)
    return Suggestions(
        occurs_on=upcoming,
        late=late,
        same_day=same if same is not None and same.starts != meeting.starts else None,
        other_days=tuple(
            s
            for s in by_day
            if s.occurs_on != upcoming
            and (s.weekday < 5 or _works_that_day(planning, required, s.weekday))
        ),
        late_join=late_join,
    )


def _works_that_day(
    planning: conflicts.Planning, required: Sequence[uuid.UUID], weekday: int
) -> bool:
    """A weekend day is suggested only when every required attendee works that day."""
    return all(weekday in planning.patterns.get(member_id, {}) for member_id in required)


# --- time-keeping --------------------------------------------------------------------


@dataclass(frozen=True)
class TimekeepingAnswer:
    """What a manager asking "were they late?" is shown: the agreed hours that day, and
    whether the time asked about is inside them. Never a reason."""

    day: dt.date
    starts: dt.time | None
    ends: dt.time | None
    adjusted: bool
    adjustment: Adjustment | None
    within: bool


def timekeeping_answer(
    *, actor: Membership, person: Membership, day: dt.date, arrived_at: dt.time
) -> TimekeepingAnswer:
    """A time-keeping question about someone whose hours are an agreed adjustment points
    the manager to the pattern, not to a concern (issue 6 item 4, App. 10 case 3)."""
    if not can(actor, Action.READ, DataClass.PERSONNEL, person):
        raise PermissionDenied

    pattern = {d.weekday: d for d in pattern_of(person)}
    rows = [
        row
        for row in Adjustment.objects.filter(
            organisation_id=person.organisation_id,
            membership=person,
            state=Adjustment.State.AGREED,
        )
        if row.applies_on(day)
    ]
    hours = hours_on(day, pattern, [terms_of(row) for row in rows])
    if hours is None:
        return TimekeepingAnswer(day, None, None, False, None, False)
    # With core hours the start is flexible (issue 6 item 1): arriving any time up to the
    # start of core hours is within them, unless an agreed adjustment names its own start.
    latest = hours.starts
    agreed = pattern.get(day.weekday())
    if agreed is not None and agreed.core_starts is not None and not (rows and rows[0].starts):
        latest = max(latest, agreed.core_starts)
    return TimekeepingAnswer(
        day,
        hours.starts,
        hours.ends,
        hours.adjusted,
        rows[0] if rows else None,
        arrived_at <= latest,
    )


def own_conflicts(member: Membership, *, today: dt.date | None = None) -> list[Conflict]:
    """A person's own conflicts ahead, privately (issue 6 item 4)."""
    today = today or local_today(member)
    return list(
        Conflict.objects.filter(
            organisation_id=member.organisation_id,
            member=member,
            occurs_on__gte=today,
            meeting__cancelled_at__isnull=True,
        )
        .select_related("meeting")
        .order_by("occurs_on", "meeting__starts")
    )
