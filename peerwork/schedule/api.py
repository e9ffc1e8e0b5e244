"""The schedule's API: agreed adjustments, private planning notes, meetings with their
conflicts and suggestions, trips and the travellers' OST checklists (issue 6 item 7;
shared/API.md).

Thin handlers, as in ``peerwork.outreach.api`` and ``peerwork.people.api``: each finds the
acting membership, calls the record's one gate first (``peerwork.schedule.access``), then a
service, and answers with a typed schema built here from what the service returned.
Services raise ``ValidationError`` (400, the fields at fault named, nothing saved),
``PermissionDenied`` (403), ``StaleVersion`` (409); gates raise ``Http404`` (404: missing,
another organisation's, or not the asker's to see, one answer).

What each answer shows follows the [record: schedule] section of the access matrix and
DESIGN.md "Privacy model":

- an **adjustment** shows hours, dates, its state and who agreed when: never why (§2.4.1:
  flexible hours are terms of work; the reason stays in the person's private note, which
  nothing here points to);
- a **private planning note** (dispensing days and times, an appointment) is answered to
  its owner, and to HR only under a share the owner made to them by name; every read by
  anyone but the owner is audited (``services.read_need``) before it is answered;
- **meetings and trips** are work data; **conflicts** say who cannot be there from the
  start and when they can arrive, never why: all of them for the meeting's planners, each
  person their own;
- a traveller's **OST checklist** is theirs, and HR's only under their share of OST.

Times of day are local wall-clock times of the organisation ("10:45") with its
``time_zone``; a weekly meeting stays at 09:30 across a daylight-saving change. Changes
carry ``If-Match`` with the ``version`` read (409 when it moved on).

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the query schemas' names could not be looked up.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import AfterValidator

from peerwork.api.auth import member_of
from peerwork.api.schemas import (
    Pages,
    PersonRef,
    Text,
    Time,
    check_year,
    codes,
    errors,
    person_ref,
)
from peerwork.core import access as core_access
from peerwork.core.access import Action
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership, Role
from peerwork.core.versions import StaleVersion
from peerwork.people.availability import AdjustmentTerms
from peerwork.people.models import Adjustment, WorkingPattern

from . import access, conflicts, needs, services, travel, windows
from .models import Attendee, Conflict, Meeting, PrivateNeed, Traveller, Trip

router = Router(tags=["schedule"])

# How far ahead "upcoming" looks for a meeting's next date (a monthly one on the 31st).
NEXT_DATE_WITHIN = dt.timedelta(days=400)


# --- shared pieces ---------------------------------------------------------------------


def _no_time_zone(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("give a local time, without a time zone")
    return value.replace(second=0, microsecond=0)


LocalTime = Annotated[dt.time, AfterValidator(_no_time_zone)]
"""A wall-clock time in the organisation's zone ("09:30")."""

Weekday = Annotated[int, Field(ge=0, le=6, description="0 is Monday, 6 is Sunday.")]

AdjustmentStateCode = Annotated[Adjustment.State, codes(Adjustment.State)]
MeetingKindCode = Annotated[Meeting.Kind, codes(Meeting.Kind)]
RepeatsCode = Annotated[Meeting.Repeats, codes(Meeting.Repeats)]
ConflictKindCode = Annotated[Conflict.Kind, codes(Conflict.Kind)]


class TeamRef(Schema):
    id: uuid.UUID
    name: str


def _hhmm(value: dt.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _day_name(weekday: int) -> str:
    return str(WorkingPattern.Weekday(weekday).label)


def _zone_name(member: Membership) -> str:
    return str(conflicts.zone_of(member.organisation))


def _today(member: Membership) -> dt.date:
    return timezone.localdate(timezone.now(), conflicts.zone_of(member.organisation))


def _renamed(error: ValidationError, names: Mapping[str, str]) -> ValidationError:
    """The service's fields named as the request names them."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(field, field): messages for field, messages in error.message_dict.items()}
    )


def _colleague(member: Membership, wanted: uuid.UUID, field: str) -> Membership:
    """Someone named in a body, through the directory's gate; unseen is the field's fault."""
    try:
        return core_access.membership_for_member(member, wanted)
    except Http404:
        raise ValidationError({field: [_("Choose someone from your organisation.")]}) from None


def _person_asked(member: Membership, wanted: uuid.UUID | None) -> Membership:
    """``?person=``: someone else's records, through the directory's gate (404 unseen);
    the asker themself without it."""
    if wanted is None or wanted == member.pk:
        return member
    return core_access.membership_for_member(member, wanted)


IfMatchRequired = Header(
    ...,
    alias="If-Match",
    description="The `version` as you read it (also the `ETag`); 409 if it changed since.",
)
IfMatchOptional = Header(
    None,
    alias="If-Match",
    description="Optional: the `version` as you read it; 409 if it changed since.",
)


# --- adjustments -----------------------------------------------------------------------
#
# Personnel records (the matrix's "adjustment" column): the person, their line manager and
# HR read them; either side proposes, agrees, declines or ends one. Nobody deletes one.


class AdjustmentOut(Schema):
    """An adjustment of a person's working pattern: the hours only, never why."""

    id: uuid.UUID
    person: PersonRef
    weekdays: list[int] = Field(description="0 is Monday, 6 is Sunday.")
    description: str = Field(description='The hours in words: "starts 10:45 Mon–Fri".')
    starts: str | None = Field(description='Local time, "10:45"; null: the pattern\'s start.')
    ends: str | None = Field(description="Local time; null: the pattern's end.")
    break_starts: str | None
    break_ends: str | None
    time_zone: str = Field(description='The organisation\'s zone, "Africa/Nairobi".')
    valid_from: dt.date
    valid_until: dt.date | None
    review_on: dt.date | None
    state: AdjustmentStateCode
    state_label: str
    waiting_for: Literal["person", "manager"] | None = Field(
        description="A proposal: whose agreement it still needs (the person, or their line "
        "manager or HR); null once agreed, declined or ended."
    )
    proposed_at: Time
    person_agreed_at: Time | None
    manager_agreed_at: Time | None
    agreed_by: PersonRef | None = Field(description="The line manager or HR who agreed it.")
    agreed_on: dt.date | None
    ended_at: Time | None
    version: int = Field(description="Send it back as `If-Match` to agree, decline or end it.")


def _adjustment_out(row: Adjustment) -> dict[str, object]:
    waiting: str | None = None
    if row.state == Adjustment.State.PROPOSED:
        waiting = "person" if row.person_agreed_at is None else "manager"
    return {
        "id": row.pk,
        "person": person_ref(row.membership),
        "weekdays": sorted(int(d) for d in row.weekdays),
        "description": services.describe(row),
        "starts": _hhmm(row.starts),
        "ends": _hhmm(row.ends),
        "break_starts": _hhmm(row.break_starts),
        "break_ends": _hhmm(row.break_ends),
        "time_zone": _zone_name(row.membership),
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "review_on": row.review_on,
        "state": row.state,
        "state_label": str(Adjustment.State(row.state).label),
        "waiting_for": waiting,
        "proposed_at": row.proposed_at,
        "person_agreed_at": row.person_agreed_at,
        "manager_agreed_at": row.manager_agreed_at,
        "agreed_by": person_ref(row.agreed_by),
        "agreed_on": row.agreed_on,
        "ended_at": row.ended_at,
        "version": row.version,
    }


def _adjustment_answer(row: Adjustment, response: HttpResponse) -> dict[str, object]:
    row = (
        Adjustment.objects.select_related(
            "membership__user", "membership__organisation", "agreed_by__user"
        )
        .filter(pk=row.pk)
        .get()
    )
    etag(response, row.version)
    return _adjustment_out(row)


class AdjustmentQuery(Schema):
    person: uuid.UUID | None = Field(
        None,
        description="Whose adjustments: for their line manager and HR. Default: mine.",
    )
    state: AdjustmentStateCode | None = Field(None, description="Only those in this state.")


@router.get(
    "/adjustments",
    response={200: list[AdjustmentOut], **errors(404)},
    summary="Adjustments of a working pattern",
    tags=["adjustments"],
)
@paginate(Pages)
def adjustment_list(request: HttpRequest, query: Query[AdjustmentQuery]) -> list[dict[str, object]]:
    """My adjustments, or with `?person=` a person's for their line manager and HR (404 for
    anyone else), latest first. Hours and dates only, never why."""
    member = member_of(request)
    person = _person_asked(member, query.person)
    if not core_access.can(member, Action.LIST, core_access.DataClass.PERSONNEL, person):
        raise Http404
    rows = Adjustment.objects.filter(
        organisation_id=member.organisation_id, membership=person
    ).select_related("membership__user", "membership__organisation", "agreed_by__user")
    if query.state is not None:
        rows = rows.filter(state=query.state)
    return [_adjustment_out(row) for row in rows.order_by("-valid_from", "-proposed_at", "id")]


@router.get(
    "/adjustments/{adjustment_id}",
    response={200: AdjustmentOut, **errors(404)},
    summary="One adjustment",
    tags=["adjustments"],
)
def adjustment_detail(
    request: HttpRequest, adjustment_id: str, response: HttpResponse
) -> dict[str, object]:
    """For the person, their line manager and HR; 404 for anyone else."""
    found = access.adjustment_for_member(member_of(request), adjustment_id)
    return _adjustment_answer(found, response)


class AdjustmentIn(Schema):
    """A proposed change of working hours on some weekdays, from a first day. Give a new
    start, a new end or a break (or several); what is left out stays as the pattern has it."""

    person: uuid.UUID | None = Field(
        None,
        description="Whose hours: default me. A line manager or HR proposes for a person.",
    )
    weekdays: list[Weekday] = Field(max_length=7)
    starts: LocalTime | None = Field(None, description='Local time, "10:45".')
    ends: LocalTime | None = None
    break_starts: LocalTime | None = None
    break_ends: LocalTime | None = None
    valid_from: dt.date
    valid_until: dt.date | None = None
    review_on: dt.date | None = Field(None, description="When the two sides look at it again.")


@router.post(
    "/adjustments",
    response={201: AdjustmentOut, **errors(400, 403)},
    summary="Propose an adjustment",
    tags=["adjustments"],
)
def adjustment_propose(
    request: HttpRequest, payload: AdjustmentIn, response: HttpResponse
) -> Status:
    """The person, or their line manager or HR, proposes new hours (§2.4.1, §4.9: flexible
    hours are agreed as terms of work). The side that proposes has agreed; the other is
    told. An end before the start, a break the wrong way round or no day is refused (400,
    the field named) and nothing is saved."""
    member = member_of(request)
    person = member if payload.person is None else _colleague(member, payload.person, "person")
    for name in ("valid_from", "valid_until", "review_on"):
        check_year(getattr(payload, name), name)
    if person.pk != member.pk and not core_access.can(
        member, Action.READ, core_access.DataClass.PERSONNEL, person
    ):
        raise PermissionDenied(
            _("Only the person, their line manager or HR propose an adjustment of their hours.")
        )
    try:
        row = services.propose_adjustment(
            actor=member,
            person=person,
            weekdays=payload.weekdays,
            starts=payload.starts,
            ends=payload.ends,
            break_starts=payload.break_starts,
            break_ends=payload.break_ends,
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
            review_on=payload.review_on,
        )
    except PermissionDenied:
        raise PermissionDenied(
            _("Only the person, their line manager or HR propose an adjustment of their hours.")
        ) from None
    return Status(201, _adjustment_answer(row, response))


def _adjustment_to_change(member: Membership, adjustment_id: str) -> Adjustment:
    try:
        return access.adjustment_for_member(member, adjustment_id, Action.CHANGE)
    except PermissionDenied:
        raise PermissionDenied(
            _("Only the person and their line manager or HR agree to or end an adjustment.")
        ) from None


@router.post(
    "/adjustments/{adjustment_id}/agree",
    response={200: AdjustmentOut, **errors(400, 403, 404, 409)},
    summary="Agree to an adjustment",
    tags=["adjustments"],
)
def adjustment_agree(
    request: HttpRequest,
    adjustment_id: str,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """The person or their line manager (or HR) agrees. Once both have, it applies from its
    first day and the person's meeting conflicts are worked out again. One that overlaps
    an agreed adjustment on the same weekdays and dates is refused (400): end that first."""
    member = member_of(request)
    found = _adjustment_to_change(member, adjustment_id)
    services.agree_adjustment(actor=member, adjustment=found, version=version_from(if_match))
    return _adjustment_answer(found, response)


@router.post(
    "/adjustments/{adjustment_id}/decline",
    response={200: AdjustmentOut, **errors(400, 403, 404, 409)},
    summary="Do not agree to an adjustment",
    tags=["adjustments"],
)
def adjustment_decline(
    request: HttpRequest,
    adjustment_id: str,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """Either side says no to a proposal (400 for one that is no longer a proposal)."""
    member = member_of(request)
    found = _adjustment_to_change(member, adjustment_id)
    services.decline_adjustment(actor=member, adjustment=found, version=version_from(if_match))
    return _adjustment_answer(found, response)


class AdjustmentEnd(Schema):
    last_day: dt.date | None = Field(
        None,
        description="The last day it applies; default today. Before its first day: "
        "it never applies.",
    )


@router.post(
    "/adjustments/{adjustment_id}/end",
    response={200: AdjustmentOut, **errors(400, 403, 404, 409)},
    summary="End an agreed adjustment",
    tags=["adjustments"],
)
def adjustment_end(
    request: HttpRequest,
    adjustment_id: str,
    payload: AdjustmentEnd,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """Either side ends an agreed adjustment after a last day (today by default); the
    pattern's own hours apply again from the day after."""
    member = member_of(request)
    check_year(payload.last_day, "last_day")
    found = _adjustment_to_change(member, adjustment_id)
    services.end_adjustment(
        actor=member, adjustment=found, version=version_from(if_match), last_day=payload.last_day
    )
    return _adjustment_answer(found, response)


# --- time-keeping --------------------------------------------------------------------
#
# A question about someone's time-keeping is answered with their agreed hours that day,
# adjustment included: the pattern, never a concern (App. 10 case 3).


class TimekeepingQuery(Schema):
    person: uuid.UUID = Field(description="Whose hours: for themself, their line manager, HR.")
    date: dt.date = Field(description="The day asked about.")
    arrived_at: LocalTime = Field(description='When they arrived, local time, "10:40".')


class TimekeepingOut(Schema):
    """The agreed hours of one day and whether an arrival is within them; never why."""

    person: PersonRef
    date: dt.date
    time_zone: str
    working_day: bool = Field(description="False: not one of their agreed days.")
    starts: str | None = Field(description='The agreed start that day, "10:45".')
    ends: str | None
    adjusted: bool = Field(description="The hours that day are an agreed adjustment.")
    adjustment: uuid.UUID | None = Field(description="That adjustment, to read its dates.")
    agreed_on: dt.date | None = Field(description="When that adjustment was agreed.")
    arrived_at: str
    within: bool = Field(description="The arrival was at or before the agreed start.")


@router.get(
    "/timekeeping",
    response={200: TimekeepingOut, **errors(400, 404)},
    summary="A time-keeping question, answered with the agreed hours",
    tags=["adjustments"],
)
def timekeeping(request: HttpRequest, query: Query[TimekeepingQuery]) -> dict[str, object]:
    """For the person, their line manager and HR (404 for anyone else): the agreed hours
    on `date` and whether `arrived_at` is within them. Hours that are an agreed adjustment
    say so and name it, so the answer points to the pattern, not to a concern."""
    member = member_of(request)
    check_year(query.date, "date")
    person = core_access.membership_for_member(member, query.person)
    if not core_access.can(member, Action.READ, core_access.DataClass.PERSONNEL, person):
        raise Http404
    answer = services.timekeeping_answer(
        actor=member, person=person, day=query.date, arrived_at=query.arrived_at
    )
    return {
        "person": person_ref(person),
        "date": answer.day,
        "time_zone": str(conflicts.zone_of(person.organisation)),
        "working_day": answer.starts is not None,
        "starts": _hhmm(answer.starts),
        "ends": _hhmm(answer.ends),
        "adjusted": answer.adjusted,
        "adjustment": answer.adjustment.pk if answer.adjustment else None,
        "agreed_on": answer.adjustment.agreed_on if answer.adjustment else None,
        "arrived_at": query.arrived_at.strftime("%H:%M"),
        "within": answer.within,
    }


# --- private planning notes --------------------------------------------------------------
#
# The person's alone (the matrix's "private-note" column); HR helps only under a share the
# person made to them by name covering OST (dispensing) or health (an appointment). Every
# read by someone other than the owner is written to the audit chain first.

NoteKind = Literal["dispensing", "appointment"]
Collection = Literal["at_opening", "any_time", "fixed_time"]


class NoteIn(Schema):
    """A private planning note. `dispensing`: the days the site dispenses, its opening and
    closing times, how you collect, the usual wait and the travel each way (minutes), the
    days with take-home doses. `appointment`: a weekday, its times, the travel each way and
    how often (every 1, 2 or 4 weeks). Fields of the other kind are ignored."""

    kind: NoteKind
    site: Text = Field("", max_length=200, description="Dispensing: the site, for yourself.")
    days: list[Weekday] = Field(default_factory=list, max_length=7)
    opens: LocalTime | None = None
    closes: LocalTime | None = None
    collection: Collection | None = None
    fixed_at: LocalTime | None = Field(None, description="Collection at a fixed time: when.")
    wait_minutes: int | None = None
    travel_minutes: int | None = Field(None, description="Minutes each way.")
    take_home_days: list[Weekday] = Field(default_factory=list, max_length=7)
    weekday: Weekday | None = Field(None, description="Appointment: the day of the week.")
    starts: LocalTime | None = None
    ends: LocalTime | None = None
    every_weeks: int | None = Field(None, description="Appointment: 1, 2 or 4.")


class NoteDetailsOut(Schema):
    """What the note holds, times as "HH:MM"; the fields of its kind only."""

    site: str | None = None
    days: list[int] | None = None
    opens: str | None = None
    closes: str | None = None
    collection: Collection | None = None
    fixed_at: str | None = None
    wait_minutes: int | None = None
    travel_minutes: int | None = None
    take_home_days: list[int] | None = None
    weekday: int | None = None
    starts: str | None = None
    ends: str | None = None
    every_weeks: int | None = None


class ProposalOut(Schema):
    """Hours the note asks of the working pattern as agreed now."""

    weekdays: list[int]
    description: str = Field(description='"starts 10:45 Mon–Fri".')
    starts: str | None
    ends: str | None
    break_starts: str | None
    break_ends: str | None


class NoteOut(Schema):
    """A private planning note, for its owner (or HR under the owner's named share)."""

    id: uuid.UUID
    person: PersonRef
    kind: NoteKind
    details: NoteDetailsOut
    proposals: list[ProposalOut] = Field(
        description="What Peerwork works out against the agreed pattern; empty when the "
        "hours already fit."
    )
    entered_by: PersonRef | None = Field(
        description="The HR officer who wrote it under a share; null when the person did."
    )
    created_at: Time
    updated_at: Time
    version: int


def _proposals(need: PrivateNeed) -> list[dict[str, object]]:
    try:
        found = services.proposals_for_need(need)
    except ValidationError:
        return []
    return [
        {
            "weekdays": sorted(p.weekdays),
            "description": services.describe(
                AdjustmentTerms(
                    weekdays=p.weekdays,
                    valid_from=dt.date.min,
                    starts=p.starts,
                    ends=p.ends,
                    break_starts=p.break_starts,
                    break_ends=p.break_ends,
                )
            ),
            "starts": _hhmm(p.starts),
            "ends": _hhmm(p.ends),
            "break_starts": _hhmm(p.break_starts),
            "break_ends": _hhmm(p.break_ends),
        }
        for p in found
    ]


def _note_out(member: Membership, need: PrivateNeed) -> dict[str, object]:
    """The opened note; a read by anyone but the owner is audited first."""
    details = services.read_need(actor=member, need=need)
    kind = details.get("kind")
    keys = NoteDetailsOut.model_fields
    return {
        "id": need.pk,
        "person": person_ref(need.owner),
        "kind": kind if kind in needs.KINDS else needs.DISPENSING,
        "details": {key: value for key, value in details.items() if key in keys},
        "proposals": _proposals(need),
        "entered_by": person_ref(need.entered_by) if need.entered_by_id else None,
        "created_at": need.created_at,
        "updated_at": need.updated_at,
        "version": need.version,
    }


def _note_answer(member: Membership, need: PrivateNeed, response: HttpResponse) -> dict[str, Any]:
    need = (
        PrivateNeed.objects.select_related("owner__user", "owner__organisation", "entered_by__user")
        .filter(pk=need.pk)
        .get()
    )
    etag(response, need.version)
    return _note_out(member, need)


def _details(payload: NoteIn) -> dict[str, Any]:
    return payload.model_dump(exclude_none=True)


def _note_owner(member: Membership, wanted: uuid.UUID | None) -> Membership:
    """Whose notes: mine, or with ``?person=`` someone who shared OST or health with me
    (HR) by name. Anyone else is 404, saying nothing of whether they keep any."""
    owner = _person_asked(member, wanted)
    if owner.pk == member.pk:
        return owner
    if not member.has_role(Role.HR) or not any(
        access.may_help_with(member, owner, category) for category in ("ost", "health")
    ):
        raise Http404
    return owner


class NoteQuery(Schema):
    person: uuid.UUID | None = Field(
        None, description="HR: the person who shared OST or health with me by name."
    )


@router.get(
    "/private-notes",
    response={200: list[NoteOut], **errors(404)},
    summary="Private planning notes",
    tags=["private notes"],
)
@paginate(Pages)
def note_list(request: HttpRequest, query: Query[NoteQuery]) -> list[dict[str, object]]:
    """My private planning notes (§2.4.1, §3.5, §3.6), oldest first; with `?person=`, HR
    reads those a person's named share covers (each read audited). Anyone else: 404."""
    member = member_of(request)
    owner = _note_owner(member, query.person)
    rows = PrivateNeed.objects.filter(
        organisation_id=member.organisation_id, owner=owner
    ).select_related("owner__user", "owner__organisation", "entered_by__user")
    found = [
        need
        for need in rows.order_by("created_at", "id")
        if owner.pk == member.pk or access.may_help_with(member, owner, access.need_category(need))
    ]
    return [_note_out(member, need) for need in found]


@router.post(
    "/private-notes",
    response={201: NoteOut, **errors(400, 403, 404)},
    summary="Keep a private planning note",
    tags=["private notes"],
)
def note_create(
    request: HttpRequest, payload: NoteIn, response: HttpResponse, query: Query[NoteQuery]
) -> Status:
    """Record dispensing or a regular appointment, sealed for me (HR: for the person who
    shared it with me, `?person=`). A site closing before it opens, a wait or journey
    over four hours, no day: 400 with the field named, nothing saved. Only the hours it
    asks for ever reach a manager, once proposed and agreed."""
    member = member_of(request)
    owner = _note_owner(member, query.person)
    try:
        need = services.record_need(actor=member, owner=owner, details=_details(payload))
    except PermissionDenied:
        raise PermissionDenied(_("Only the person keeps this kind of note.")) from None
    return Status(201, _note_answer(member, need, response))


@router.get(
    "/private-notes/{note_id}",
    response={200: NoteOut, **errors(404)},
    summary="One private planning note",
    tags=["private notes"],
)
def note_detail(request: HttpRequest, note_id: str, response: HttpResponse) -> dict[str, Any]:
    """The owner's; HR's under the owner's named share (the read is audited)."""
    member = member_of(request)
    found = access.need_for_member(member, note_id)
    return _note_answer(member, found, response)


@router.put(
    "/private-notes/{note_id}",
    response={200: NoteOut, **errors(400, 403, 404, 409)},
    summary="Change a private planning note",
    tags=["private notes"],
)
def note_change(
    request: HttpRequest,
    note_id: str,
    payload: NoteIn,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, Any]:
    """The whole note again. An adjustment already agreed stays as it is: propose a new one
    if the hours should change."""
    member = member_of(request)
    found = access.need_for_member(member, note_id)
    try:
        services.record_need(
            actor=member,
            owner=found.owner,
            details=_details(payload),
            need=found,
            version=version_from(if_match),
        )
    except PermissionDenied:
        raise PermissionDenied(
            _("Your share does not cover this kind of note: only the person changes it.")
        ) from None
    return _note_answer(member, found, response)


class Deleted(Schema):
    id: uuid.UUID
    deleted: bool


@router.delete(
    "/private-notes/{note_id}",
    response={200: Deleted, **errors(400, 403, 404, 409)},
    summary="Remove a private planning note",
    tags=["private notes"],
)
def note_remove(
    request: HttpRequest, note_id: str, if_match: str | None = IfMatchOptional
) -> dict[str, object]:
    """The person removes their own note for good. HR, who may help under a share, does
    not remove it (403). Adjustments proposed from it stay: they never pointed to it."""
    member = member_of(request)
    found = access.need_for_member(member, note_id)
    if found.owner_id != member.pk:
        raise PermissionDenied(_("Only the person removes their own note."))
    with transaction.atomic():
        if (
            if_match is not None
            and not PrivateNeed.objects.select_for_update()
            .filter(pk=found.pk, version=version_from(if_match))
            .exists()
        ):
            raise StaleVersion
        pk = found.pk
        services.remove_need(actor=member, need=found)
    return {"id": pk, "deleted": True}


class NotePropose(Schema):
    valid_from: dt.date = Field(description="The first day the new hours would apply.")
    review_on: dt.date | None = Field(None, description="When to look at them again.")


@router.post(
    "/private-notes/{note_id}/propose",
    response={201: list[AdjustmentOut], **errors(400, 403, 404)},
    summary="Propose the hours a note asks for",
    tags=["private notes"],
)
def note_propose(request: HttpRequest, note_id: str, payload: NotePropose) -> Status:
    """Turn the note into proposed adjustments for the line manager to agree (issue 6 item
    2; App. 10 case 3: a clinic opening at 10:00, a 15-minute wait and 30 minutes of travel
    propose a 10:45 start). They carry the hours only; nothing links them to the note. 400
    when the agreed hours already fit."""
    member = member_of(request)
    found = access.need_for_member(member, note_id)
    check_year(payload.valid_from, "valid_from")
    check_year(payload.review_on, "review_on")
    rows = services.propose_from_need(
        actor=member, need=found, valid_from=payload.valid_from, review_on=payload.review_on
    )
    fresh = Adjustment.objects.filter(pk__in=[r.pk for r in rows]).select_related(
        "membership__user", "membership__organisation", "agreed_by__user"
    )
    return Status(201, [_adjustment_out(r) for r in fresh.order_by("proposed_at", "id")])


# --- meetings ------------------------------------------------------------------------
#
# Work data (the matrix's "meeting" column): every working member reads them; their
# planners (the organiser, HR, the director, a line manager of an attendee) change, move
# and cancel them.


class MeetingOut(Schema):
    """A team meeting, training or event, one-off or recurring, in local times."""

    id: uuid.UUID
    title: str
    kind: MeetingKindCode
    kind_label: str
    place: str
    team: TeamRef | None
    organiser: PersonRef | None
    first_on: dt.date
    starts: str = Field(description='Local time, "09:30".')
    ends: str = Field(description="Local time.")
    minutes: int
    time_zone: str
    repeats: RepeatsCode
    repeats_label: str
    until: dt.date | None
    next_on: dt.date | None = Field(description="Its next date from today; null: none left.")
    decisions_from: str | None = Field(
        description="A late-join agenda: updates first, decisions from this local time."
    )
    required: list[PersonRef]
    optional: list[PersonRef]
    cancelled_at: Time | None
    may_plan: bool = Field(description="I may change, move and cancel it.")
    version: int = Field(description="Send it back as `If-Match` to change it.")


def _next_on(meeting: Meeting, today: dt.date) -> dt.date | None:
    if meeting.is_cancelled:
        return None
    return next(
        windows.occurrences(
            meeting.first_on, meeting.repeats, meeting.until, today, today + NEXT_DATE_WITHIN
        ),
        None,
    )


def _attendee_rows(meeting: Meeting) -> list[Attendee]:
    # From the list's prefetch when there is one, else one query.
    return sorted(
        meeting.attendees.all(), key=lambda a: (a.member.name.casefold(), str(a.member_id))
    )


def _meeting_out(
    member: Membership, meeting: Meeting, today: dt.date, planner: bool | None = None
) -> dict[str, object]:
    attendees = _attendee_rows(meeting)
    start, end = conflicts.meeting_span(meeting)
    if planner is None:
        planner = access.may_plan(member, meeting)
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "kind": meeting.kind,
        "kind_label": str(Meeting.Kind(meeting.kind).label),
        "place": meeting.place,
        "team": None
        if meeting.team is None
        else {"id": meeting.team.pk, "name": meeting.team.name},
        "organiser": person_ref(meeting.organiser),
        "first_on": meeting.first_on,
        "starts": _hhmm(meeting.starts),
        "ends": _hhmm(windows.time_of(end)),
        "minutes": meeting.minutes,
        "time_zone": _zone_name(member),
        "repeats": meeting.repeats,
        "repeats_label": str(Meeting.Repeats(meeting.repeats).label),
        "until": meeting.until,
        "next_on": _next_on(meeting, today),
        "decisions_from": _hhmm(meeting.decisions_from),
        "required": [person_ref(a.member) for a in attendees if a.required],
        "optional": [person_ref(a.member) for a in attendees if not a.required],
        "cancelled_at": meeting.cancelled_at,
        "may_plan": planner,
        "version": meeting.version,
    }


def _with_people(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related("team", "organiser__user", "organisation").prefetch_related(
        Prefetch("attendees", queryset=Attendee.objects.select_related("member__user"))
    )


def _meeting_answer(
    member: Membership, meeting: Meeting, response: HttpResponse
) -> dict[str, object]:
    meeting = _with_people(Meeting.objects.filter(pk=meeting.pk)).get()
    etag(response, meeting.version)
    return _meeting_out(member, meeting, _today(member))


class MeetingQuery(Schema):
    mine: bool = Field(False, description="Only meetings I attend.")
    include_cancelled: bool = Field(False, description="Cancelled ones too.")


class MeetingPages(Pages):
    """Page numbers over the upcoming meetings, each answered as this member sees it."""

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        member = member_of(request)
        today = _today(member)
        page["items"] = [_meeting_out(member, m, today) for m in page["items"]]
        return page


@router.get(
    "/meetings",
    response={200: list[MeetingOut], **errors()},
    summary="Upcoming meetings, trainings and events",
    tags=["meetings"],
)
@paginate(MeetingPages)
def meeting_list(request: HttpRequest, query: Query[MeetingQuery]) -> QuerySet[Meeting]:
    """Every meeting with a date still to come, by first date and time. Work data: every
    working member sees them; someone outside the working roles sees the ones they attend."""
    member = member_of(request)
    today = _today(member)
    meetings = Meeting.objects.filter(organisation_id=member.organisation_id).filter(
        Q(until__gte=today)
        | Q(until__isnull=True, first_on__gte=today)
        | (Q(until__isnull=True) & ~Q(repeats=Meeting.Repeats.NEVER))
    )
    if not query.include_cancelled:
        meetings = meetings.filter(cancelled_at__isnull=True)
    if query.mine or not access.sees_schedule(member):
        meetings = meetings.filter(attendees__member=member)
    return _with_people(meetings.distinct()).order_by("first_on", "starts", "id")


class MeetingIn(Schema):
    """A meeting as a whole: a new one, or every field of one being changed."""

    title: Text = Field(description="Up to 200 characters.")
    kind: MeetingKindCode
    place: Text = ""
    team_id: uuid.UUID | None = None
    first_on: dt.date
    starts: LocalTime = Field(description='Local time, "09:30".')
    minutes: int = Field(description="From 5 to 720; it must end on the day it starts.")
    repeats: RepeatsCode = Meeting.Repeats.NEVER
    until: dt.date | None = Field(None, description="The last date of a recurring meeting.")
    required: list[uuid.UUID] = Field(description="Colleagues who must be there; at least one.")
    optional: list[uuid.UUID] = Field(default_factory=list)


def _meeting_fields(member: Membership, payload: MeetingIn) -> services.MeetingFields:
    check_year(payload.first_on, "first_on")
    check_year(payload.until, "until")
    team = None
    if payload.team_id is not None:
        try:
            team = core_access.team_for_member(member, payload.team_id)
        except Http404:
            raise ValidationError(
                {"team_id": [_("Choose one of your organisation's teams.")]}
            ) from None
    return services.MeetingFields(
        title=payload.title,
        kind=payload.kind,
        first_on=payload.first_on,
        starts=payload.starts,
        minutes=payload.minutes,
        repeats=payload.repeats,
        until=payload.until,
        place=payload.place,
        team=team,
        required=list(payload.required),
        optional=list(payload.optional),
    )


MEETING_FIELDS = {"team": "team_id"}


@router.post(
    "/meetings",
    response={201: MeetingOut, **errors(400, 403)},
    summary="Put a meeting on the schedule",
    tags=["meetings"],
)
def meeting_create(request: HttpRequest, payload: MeetingIn, response: HttpResponse) -> Status:
    """Line managers, HR and the director organise meetings, trainings and events (issue 6
    item 3). Its conflicts are worked out at once. An unknown attendee, a meeting running
    past midnight, a last date before the first, no required attendee: 400 with the field
    named, and nothing saved."""
    member = member_of(request)
    if not access.may_organise(member):
        raise PermissionDenied(
            _("Line managers, HR and the director put meetings on the schedule.")
        )
    try:
        meeting = services.create_meeting(actor=member, fields=_meeting_fields(member, payload))
    except ValidationError as error:
        raise _renamed(error, MEETING_FIELDS) from None
    return Status(201, _meeting_answer(member, meeting, response))


def _meeting(member: Membership, meeting_id: str, action: str = Action.READ) -> Meeting:
    """The gate, with its refusal said in words."""
    try:
        return access.meeting_for_member(member, meeting_id, action)
    except PermissionDenied:
        raise PermissionDenied(
            _(
                "Only the meeting's planners change it: whoever organised it, HR, the "
                "director or a line manager of one of its attendees."
            )
        ) from None


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **errors(404)},
    summary="One meeting",
    tags=["meetings"],
)
def meeting_detail(
    request: HttpRequest, meeting_id: str, response: HttpResponse
) -> dict[str, object]:
    """The meeting, its attendees and its next date."""
    member = member_of(request)
    return _meeting_answer(member, _meeting(member, meeting_id), response)


@router.put(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **errors(400, 403, 404, 409)},
    summary="Change a meeting",
    tags=["meetings"],
)
def meeting_change(
    request: HttpRequest,
    meeting_id: str,
    payload: MeetingIn,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """Every field again; its conflicts are worked out again. A new start time drops a
    late-join agenda made for the old one."""
    member = member_of(request)
    found = _meeting(member, meeting_id, Action.CHANGE)
    version = version_from(if_match)
    try:
        services.update_meeting(
            actor=member, meeting=found, version=version, fields=_meeting_fields(member, payload)
        )
    except ValidationError as error:
        raise _renamed(error, MEETING_FIELDS) from None
    return _meeting_answer(member, found, response)


class MeetingMove(Schema):
    starts: LocalTime = Field(description='The new local start, "10:45".')
    weekday: Weekday | None = Field(
        None,
        description="A weekly or fortnightly meeting: another day of the week, from its next "
        "date on.",
    )


@router.post(
    "/meetings/{meeting_id}/move",
    response={200: MeetingOut, **errors(400, 403, 404, 409)},
    summary="Move a meeting",
    tags=["meetings"],
)
def meeting_move(
    request: HttpRequest,
    meeting_id: str,
    payload: MeetingMove,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """Another start, and another weekday for a weekly or fortnightly one: one suggestion,
    taken in one call (issue 6 item 4). 400 when it would run past midnight."""
    member = member_of(request)
    found = _meeting(member, meeting_id, Action.CHANGE)
    services.move_meeting(
        actor=member,
        meeting=found,
        version=version_from(if_match),
        starts=payload.starts,
        weekday=payload.weekday,
    )
    return _meeting_answer(member, found, response)


class LateJoin(Schema):
    decisions_from: LocalTime | None = Field(
        description="Decisions from this local time, during the meeting; null: no late-join agenda."
    )


@router.post(
    "/meetings/{meeting_id}/late-join",
    response={200: MeetingOut, **errors(400, 403, 404, 409)},
    summary="Set a late-join agenda",
    tags=["meetings"],
)
def meeting_late_join(
    request: HttpRequest,
    meeting_id: str,
    payload: LateJoin,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """The meeting keeps its time and takes its decisions once everyone can be there:
    updates first (App. 10 case 3: nobody is shut out of what is decided). 400 for a time
    outside the meeting."""
    member = member_of(request)
    found = _meeting(member, meeting_id, Action.CHANGE)
    services.set_late_join(
        actor=member,
        meeting=found,
        version=version_from(if_match),
        decisions_from=payload.decisions_from,
    )
    return _meeting_answer(member, found, response)


@router.post(
    "/meetings/{meeting_id}/cancel",
    response={200: MeetingOut, **errors(400, 403, 404, 409)},
    summary="Cancel a meeting",
    tags=["meetings"],
)
def meeting_cancel(
    request: HttpRequest,
    meeting_id: str,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """Take it, and every date still to come, off the schedule (400 if it already is)."""
    member = member_of(request)
    found = _meeting(member, meeting_id, Action.DELETE)
    services.cancel_meeting(actor=member, meeting=found, version=version_from(if_match))
    return _meeting_answer(member, found, response)


# --- conflicts and suggestions ---------------------------------------------------------


class MeetingRef(Schema):
    id: uuid.UUID
    title: str


class ConflictOut(Schema):
    """One date of a meeting someone cannot be at from start to end: when they can arrive
    or must leave, never why."""

    meeting: MeetingRef
    person: PersonRef
    occurs_on: dt.date
    starts: str = Field(description="The meeting's local start that day.")
    kind: ConflictKindCode = Field(
        description="`late`: arrives after the start; `early`: leaves before the end; "
        "`away`: cannot be there."
    )
    kind_label: str
    arrives_at: str | None = Field(description="Local time they can be there from.")
    leaves_at: str | None = Field(description="Local time they must leave at.")
    required: bool = Field(description="They are a required attendee.")
    time_zone: str


def _conflict_out(row: Conflict, zone: str, required: Iterable[uuid.UUID]) -> dict[str, object]:
    return {
        "meeting": {"id": row.meeting.pk, "title": row.meeting.title},
        "person": person_ref(row.member),
        "occurs_on": row.occurs_on,
        "starts": _hhmm(row.meeting.starts),
        "kind": row.kind,
        "kind_label": str(Conflict.Kind(row.kind).label),
        "arrives_at": _hhmm(row.arrives_at),
        "leaves_at": _hhmm(row.leaves_at),
        "required": row.member_id in set(required),
        "time_zone": zone,
    }


def _required_of(meeting_ids: Iterable[uuid.UUID]) -> set[tuple[uuid.UUID, uuid.UUID]]:
    return set(
        Attendee.objects.filter(meeting_id__in=list(meeting_ids), required=True).values_list(
            "meeting_id", "member_id"
        )
    )


def _conflicts_out(member: Membership, rows: list[Conflict]) -> list[dict[str, object]]:
    zone = _zone_name(member)
    required = _required_of({row.meeting_id for row in rows})
    return [
        _conflict_out(
            row, zone, [row.member_id] if (row.meeting_id, row.member_id) in required else []
        )
        for row in rows
    ]


@router.get(
    "/meetings/{meeting_id}/conflicts",
    response={200: list[ConflictOut], **errors(404)},
    summary="A meeting's conflicts",
    tags=["conflicts"],
)
@paginate(Pages)
def meeting_conflicts(request: HttpRequest, meeting_id: str) -> list[dict[str, object]]:
    """From today on, who cannot be there from the start and when they can arrive (never
    why): all of them for the meeting's planners, my own for anyone else. Kept up to date
    on every change of the meeting or of an attendee's hours."""
    member = member_of(request)
    found = _meeting(member, meeting_id)
    rows = list(
        access.conflicts_visible_to(member, found)
        .filter(occurs_on__gte=_today(member))
        .select_related("meeting", "member__user")
        .order_by("occurs_on", "member__user__display_name", "id")
    )
    return _conflicts_out(member, rows)


@router.get(
    "/conflicts",
    response={200: list[ConflictOut], **errors()},
    summary="My conflicts",
    tags=["conflicts"],
)
@paginate(Pages)
def my_conflicts(request: HttpRequest) -> list[dict[str, object]]:
    """The dates ahead of meetings I attend that I cannot be at from the start, privately
    (issue 6 item 4), soonest first."""
    member = member_of(request)
    rows = services.own_conflicts(member, today=_today(member))
    for row in rows:
        row.member = member
    return _conflicts_out(member, rows)


class LateOut(Schema):
    person: PersonRef
    kind: ConflictKindCode
    arrives_at: str | None
    leaves_at: str | None


class DaySuggestionOut(Schema):
    weekday: int
    day: str = Field(description="The weekday's name.")
    occurs_on: dt.date
    starts: str = Field(description="The earliest local start every required attendee makes.")


class SuggestionsOut(Schema):
    """Ways for everyone required to be there from the start (issue 6 item 4; App. 10
    case 3): a later start the same day, another weekday, or a late-join agenda."""

    meeting: MeetingRef
    occurs_on: dt.date | None = Field(description="The next date the suggestions are for.")
    starts: str = Field(description="The meeting's local start now.")
    time_zone: str
    late: list[LateOut] = Field(
        description="Required attendees who cannot be there from the start."
    )
    same_day: DaySuggestionOut | None = Field(description="A later (or earlier) start that day.")
    other_days: list[DaySuggestionOut]
    late_join: str | None = Field(
        description="Keep the time, take decisions from this local time (when everyone can "
        "be there by then)."
    )


def _day_suggestion(found: services.DaySuggestion | None) -> dict[str, object] | None:
    if found is None:
        return None
    return {
        "weekday": found.weekday,
        "day": _day_name(found.weekday),
        "occurs_on": found.occurs_on,
        "starts": _hhmm(found.starts),
    }


@router.get(
    "/meetings/{meeting_id}/suggestions",
    response={200: SuggestionsOut, **errors(403, 404)},
    summary="Suggestions for a meeting",
    tags=["conflicts"],
)
def meeting_suggestions(request: HttpRequest, meeting_id: str) -> dict[str, object]:
    """For the meeting's planners (403 for other readers): per weekday the earliest start
    every required attendee can make, and a late-join agenda. Take one with `move` or
    `late-join`."""
    member = member_of(request)
    found = _meeting(member, meeting_id, Action.CHANGE)
    found = Meeting.objects.select_related("organisation").get(pk=found.pk)
    suggested = services.suggestions_for(found, today=_today(member))
    return {
        "meeting": {"id": found.pk, "title": found.title},
        "occurs_on": suggested.occurs_on,
        "starts": _hhmm(found.starts),
        "time_zone": _zone_name(member),
        "late": [
            {
                "person": person_ref(row.member),
                "kind": row.kind,
                "arrives_at": _hhmm(row.arrives_at),
                "leaves_at": _hhmm(row.leaves_at),
            }
            for row in suggested.late
        ],
        "same_day": _day_suggestion(suggested.same_day),
        "other_days": [_day_suggestion(s) for s in suggested.other_days],
        "late_join": _hhmm(suggested.late_join),
    }


# --- trips and events ------------------------------------------------------------------
#
# Work data (the matrix's "trip" column), planned like meetings: the organiser, HR, the
# director and a line manager of a traveller change and cancel them. Who goes is work data;
# whether anyone opted in to an OST checklist is never in a trip's answer.

TripKindCode = Annotated[Trip.Kind, codes(Trip.Kind)]


class TripOut(Schema):
    """Work travel, an event elsewhere or one we host, with what the §3.4 tips ask an
    organiser to know about the dispensing site near it."""

    id: uuid.UUID
    title: str
    kind: TripKindCode
    kind_label: str
    place: str
    starts_on: dt.date
    ends_on: dt.date
    first_session_at: str | None = Field(description="Local time of the first session each day.")
    time_zone: str
    organiser: PersonRef | None
    travellers: list[PersonRef] = Field(description="Who goes: the same list for everyone.")
    my_traveller_id: uuid.UUID | None = Field(
        description="When I go: my traveller id, for my own checklist "
        "(`/travellers/{id}/checklist`); null otherwise."
    )
    ost_site_name: str = Field(description="The dispensing site near the event.")
    ost_site_address: str
    ost_site_opens: str | None
    ost_site_travel_minutes: int | None = Field(description="From the venue or accommodation.")
    transport_plan: str
    ost_access_arranged: bool = Field(description="A hosted event: OST access arranged.")
    announcement: str
    earliest_arrival: str | None = Field(
        description="When someone collecting at the site's opening can be at the first "
        "session (opening, a usual wait, the journey); null when the trip does not say."
    )
    timing_warning: bool = Field(
        description="The first session starts before `earliest_arrival` and no transport "
        "plan is written: start later, or plan transport. About the event, never a person."
    )
    cancelled_at: Time | None
    may_plan: bool = Field(description="I may change and cancel it.")
    version: int = Field(description="Send it back as `If-Match` to change it.")


def _trip_out(member: Membership, trip: Trip, planner: bool | None = None) -> dict[str, object]:
    rows = sorted(trip.travellers.all(), key=lambda t: (t.member.name.casefold(), str(t.member_id)))
    mine = next((t.pk for t in rows if t.member_id == member.pk), None)
    if planner is None:
        planner = access.may_plan_trip(member, trip)
    return {
        "id": trip.pk,
        "title": trip.title,
        "kind": trip.kind,
        "kind_label": str(Trip.Kind(trip.kind).label),
        "place": trip.place,
        "starts_on": trip.starts_on,
        "ends_on": trip.ends_on,
        "first_session_at": _hhmm(trip.first_session_at),
        "time_zone": _zone_name(member),
        "organiser": person_ref(trip.organiser),
        "travellers": [person_ref(t.member) for t in rows],
        "my_traveller_id": mine,
        "ost_site_name": trip.ost_site_name,
        "ost_site_address": trip.ost_site_address,
        "ost_site_opens": _hhmm(trip.ost_site_opens),
        "ost_site_travel_minutes": trip.ost_site_travel_minutes,
        "transport_plan": trip.transport_plan,
        "ost_access_arranged": trip.ost_access_arranged,
        "announcement": trip.announcement,
        "earliest_arrival": _hhmm(travel.earliest_arrival(trip)),
        "timing_warning": travel.timing_warning(trip) is not None,
        "cancelled_at": trip.cancelled_at,
        "may_plan": planner,
        "version": trip.version,
    }


def _trips_with_people(trips: QuerySet[Trip]) -> QuerySet[Trip]:
    return trips.select_related("organiser__user", "organisation").prefetch_related(
        Prefetch("travellers", queryset=Traveller.objects.select_related("member__user"))
    )


def _trip_answer(member: Membership, trip: Trip, response: HttpResponse) -> dict[str, object]:
    trip = _trips_with_people(Trip.objects.filter(pk=trip.pk)).get()
    etag(response, trip.version)
    return _trip_out(member, trip)


class TripQuery(Schema):
    mine: bool = Field(False, description="Only trips I go on.")
    include_cancelled: bool = Field(False, description="Cancelled ones too.")


class TripPages(Pages):
    """Page numbers over the trips still to come, each answered as this member sees it."""

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        member = member_of(request)
        page["items"] = [_trip_out(member, t) for t in page["items"]]
        return page


@router.get(
    "/trips",
    response={200: list[TripOut], **errors()},
    summary="Trips and events to come",
    tags=["trips"],
)
@paginate(TripPages)
def trip_list(request: HttpRequest, query: Query[TripQuery]) -> QuerySet[Trip]:
    """Trips and events whose last day is still to come, soonest first. Work data: every
    working member sees them; someone outside the working roles sees the ones they go on."""
    member = member_of(request)
    trips = Trip.objects.filter(organisation_id=member.organisation_id, ends_on__gte=_today(member))
    if not query.include_cancelled:
        trips = trips.filter(cancelled_at__isnull=True)
    if query.mine or not access.sees_schedule(member):
        trips = trips.filter(travellers__member=member)
    return _trips_with_people(trips.distinct()).order_by("starts_on", "title", "id")


class TripIn(Schema):
    """A trip or event as a whole: a new one, or every field of one being changed."""

    title: Text = Field(description="Up to 200 characters.")
    kind: TripKindCode
    place: Text
    starts_on: dt.date
    ends_on: dt.date
    first_session_at: LocalTime | None = Field(None, description='Local time, "09:00".')
    travellers: list[uuid.UUID] = Field(default_factory=list, description="Who goes.")
    ost_site_name: Text = ""
    ost_site_address: Text = ""
    ost_site_opens: LocalTime | None = None
    ost_site_travel_minutes: int | None = Field(None, description="From 0 to 240.")
    transport_plan: Text = ""
    ost_access_arranged: bool = False
    announcement: Text = Field(
        "", description="A hosted event with OST access arranged: left empty, a draft is written."
    )


def _trip_fields(payload: TripIn) -> travel.TripFields:
    check_year(payload.starts_on, "starts_on")
    check_year(payload.ends_on, "ends_on")
    return travel.TripFields(
        title=payload.title,
        kind=payload.kind,
        place=payload.place,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        first_session_at=payload.first_session_at,
        travellers=list(payload.travellers),
        ost_site_name=payload.ost_site_name,
        ost_site_address=payload.ost_site_address,
        ost_site_opens=payload.ost_site_opens,
        ost_site_travel_minutes=payload.ost_site_travel_minutes,
        transport_plan=payload.transport_plan,
        ost_access_arranged=payload.ost_access_arranged,
        announcement=payload.announcement,
    )


@router.post(
    "/trips",
    response={201: TripOut, **errors(400, 403)},
    summary="Put a trip or event on the schedule",
    tags=["trips"],
)
def trip_create(request: HttpRequest, payload: TripIn, response: HttpResponse) -> Status:
    """Line managers, HR and the director (issue 6 item 5). A last day before the first, an
    unknown traveller, a journey over four hours: 400 with the field named, nothing saved."""
    member = member_of(request)
    if not access.may_organise(member):
        raise PermissionDenied(_("Line managers, HR and the director put trips on the schedule."))
    trip = travel.create_trip(actor=member, fields=_trip_fields(payload))
    return Status(201, _trip_answer(member, trip, response))


def _trip(member: Membership, trip_id: str, action: str = Action.READ) -> Trip:
    try:
        return access.trip_for_member(member, trip_id, action)
    except PermissionDenied:
        raise PermissionDenied(
            _(
                "Only the trip's planners change it: whoever organised it, HR, the director "
                "or a line manager of one of its travellers."
            )
        ) from None


@router.get(
    "/trips/{trip_id}",
    response={200: TripOut, **errors(404)},
    summary="One trip or event",
    tags=["trips"],
)
def trip_detail(request: HttpRequest, trip_id: str, response: HttpResponse) -> dict[str, object]:
    """The trip, who goes, the dispensing site near it and the timing check."""
    member = member_of(request)
    return _trip_answer(member, _trip(member, trip_id), response)


@router.put(
    "/trips/{trip_id}",
    response={200: TripOut, **errors(400, 403, 404, 409)},
    summary="Change a trip or event",
    tags=["trips"],
)
def trip_change(
    request: HttpRequest,
    trip_id: str,
    payload: TripIn,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """Every field again. Travellers who stay keep their checklist (which the planners
    never see); those taken off lose theirs."""
    member = member_of(request)
    found = _trip(member, trip_id, Action.CHANGE)
    fields = _trip_fields(payload)
    travel.update_trip(actor=member, trip=found, version=version_from(if_match), fields=fields)
    return _trip_answer(member, found, response)


@router.post(
    "/trips/{trip_id}/cancel",
    response={200: TripOut, **errors(400, 403, 404, 409)},
    summary="Cancel a trip or event",
    tags=["trips"],
)
def trip_cancel(
    request: HttpRequest, trip_id: str, response: HttpResponse, if_match: str = IfMatchRequired
) -> dict[str, object]:
    """Take it off the schedule (400 if it already is)."""
    member = member_of(request)
    found = _trip(member, trip_id, Action.DELETE)
    travel.cancel_trip(actor=member, trip=found, version=version_from(if_match))
    return _trip_answer(member, found, response)


# --- a traveller's OST checklist ------------------------------------------------------
#
# The traveller's alone (the matrix's "checklist" column), and HR's only under the
# traveller's share of OST by name; each of HR's reads is audited (``travel.read_checklist``).

Packing = Literal["request_letter", "recommendations", "passport", "passport_copy"]


class ChecklistDetails(Schema):
    """What the traveller keeps (§2.4.1, the §3.4 tips)."""

    take_home_limit: str = Field(
        description="The clinic's limit on take-home requests for "
        'travel, as you put it ("2 a year").'
    )
    take_home_used: int | None = Field(description="How many of those are used.")
    request_sent_on: dt.date | None
    reply_received_on: dt.date | None
    packed: list[Packing]
    medicine: str
    daily_dose: str
    ost_site: str = Field(description="The OST centre near the event, for the request letter.")
    ost_site_address: str
    letter_consent: bool = Field(
        description="The request letter may be filled from my OST disclosure."
    )
    opted_in_on: dt.date | None


class ChecklistDatesOut(Schema):
    notice_by: dt.date = Field(description="Tell the prescriber by then.")
    notice_days: int = Field(description="The organisation's notice period for prescribers.")
    notice_overdue: bool
    reply_wanted_by: dt.date
    reply_overdue: bool
    treatment_days: int = Field(description="The days of treatment the letter asks for.")


class ChecklistOut(Schema):
    """A traveller's OST checklist, for them (or HR under their named share of OST)."""

    traveller_id: uuid.UUID
    person: PersonRef
    trip: MeetingRef
    starts_on: dt.date
    ends_on: dt.date
    opted_in: bool
    details: ChecklistDetails | None = Field(description="Null until opted in.")
    dates: ChecklistDatesOut
    version: int = Field(description="Send it back as `If-Match` to change it.")


class ChecklistIn(Schema):
    """The whole checklist. `opted_in: false` clears it: nothing of it is kept."""

    opted_in: bool = True
    take_home_limit: Text = ""
    take_home_used: int | None = Field(None, description="From 0 to 99.")
    request_sent_on: dt.date | None = None
    reply_received_on: dt.date | None = None
    packed: list[Packing] = Field(default_factory=list, max_length=4)
    medicine: Text = ""
    daily_dose: Text = ""
    ost_site: Text = ""
    ost_site_address: Text = ""
    letter_consent: bool = False


def _checklist_out(
    member: Membership, traveller: Traveller, response: HttpResponse
) -> dict[str, object]:
    traveller = (
        Traveller.objects.select_related(
            "trip__organisation", "member__user", "member__organisation"
        )
        .filter(pk=traveller.pk)
        .get()
    )
    details = travel.read_checklist(actor=member, traveller=traveller)
    dates = travel.checklist_dates(traveller, details, today=_today(member))
    opened = None
    if details:
        opened = {key: details.get(key) for key in ChecklistDetails.model_fields}
        opened["packed"] = [p for p in details.get("packed") or [] if p in travel.PACKING]
    etag(response, traveller.version)
    return {
        "traveller_id": traveller.pk,
        "person": person_ref(traveller.member),
        "trip": {"id": traveller.trip.pk, "title": traveller.trip.title},
        "starts_on": traveller.trip.starts_on,
        "ends_on": traveller.trip.ends_on,
        "opted_in": bool(details),
        "details": opened,
        "dates": {
            "notice_by": dates.notice_by,
            "notice_days": dates.notice_days,
            "notice_overdue": dates.notice_overdue,
            "reply_wanted_by": dates.reply_wanted_by,
            "reply_overdue": dates.reply_overdue,
            "treatment_days": dates.treatment_days,
        },
        "version": traveller.version,
    }


@router.get(
    "/travellers/{traveller_id}/checklist",
    response={200: ChecklistOut, **errors(404)},
    summary="A traveller's OST checklist",
    tags=["trips"],
)
def checklist(request: HttpRequest, traveller_id: str, response: HttpResponse) -> dict[str, object]:
    """The traveller's own, with its dates (tell the prescriber by the notice period, a
    reply wanted a week before); HR's under the traveller's share of OST, the read audited.
    Anyone else, the organiser and line manager included: 404."""
    member = member_of(request)
    found = access.checklist_for_member(member, traveller_id)
    return _checklist_out(member, found, response)


@router.put(
    "/travellers/{traveller_id}/checklist",
    response={200: ChecklistOut, **errors(400, 403, 404, 409)},
    summary="Keep my OST checklist",
    tags=["trips"],
)
def checklist_change(
    request: HttpRequest,
    traveller_id: str,
    payload: ChecklistIn,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """Opt in and fill it in, or opt out (`opted_in: false`), which clears it. A reply
    before the request, a count out of range: 400 with the field named, nothing saved."""
    member = member_of(request)
    found = access.checklist_for_member(member, traveller_id)
    version = version_from(if_match)
    check_year(payload.request_sent_on, "request_sent_on")
    check_year(payload.reply_received_on, "reply_received_on")
    try:
        with transaction.atomic():
            if found.version != version:
                raise StaleVersion
            if not payload.opted_in:
                travel.opt_out(actor=member, traveller=found)
            else:
                if not travel.is_opted_in(found):
                    found = travel.opt_in(actor=member, traveller=found)
                travel.update_checklist(
                    actor=member,
                    traveller=found,
                    version=found.version,
                    details=payload.model_dump(exclude={"opted_in"}),
                )
    except PermissionDenied:
        raise PermissionDenied(_("Only the traveller keeps their checklist.")) from None
    return _checklist_out(member, found, response)
