"""The outreach module's API: shifts, check-out and check-in, acknowledgements and
incidents (issue 5 item 8; shared/API.md).

Thin handlers, as in ``peerwork.people.api``: each finds the acting membership, calls the
shift's or incident's one gate first (``peerwork.outreach.access``), then a service, and
answers with a typed schema built here from what the service returned. The services make
every change a conditional update, so when two people act at once the one who loses gets
the service's ValidationError (400, nothing changed), never a silent overwrite.

What each answer shows follows the access matrix's [record: shift] section:

- the schedule is work data: every working member reads it (§4.4: the team keeps one);
- the rough location is for the shift's workers and its handlers only;
- the alert (a call for help, who said "I'm on it", who was alerted) is for the handlers
  only. A silent alert raised with the duress PIN shows to everyone else, the shift's own
  workers first, as the check-in it looks like (``Shift.state_shown_to_worker``, issue 5
  item 4), and its lines are left off their timeline.

``If-Match`` is optional on the actions: someone checking in from the street must never be
held up by a header; an integration that sends one gets 409 when the shift changed since.

No ``from __future__ import annotations`` here: ``@paginate`` wraps the schedule's handler
in django-ninja's module, where its query schema's name could not be looked up.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, PersonRef, Text, Time, check_year, codes, errors, person_ref
from peerwork.core import access as core_access
from peerwork.core.access import Action
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership, Site, Team
from peerwork.core.versions import StaleVersion

from . import access, incidents, services
from .models import Incident, IncidentStep, LegalEvent, Shift, ShiftEvent, ShiftWorker

router = Router(tags=["outreach"])

# The schedule asked for without dates: from a day ago to a fortnight ahead.
DEFAULT_PAST = dt.timedelta(days=1)
DEFAULT_AHEAD = dt.timedelta(days=14)
# A schedule window longer than this is refused: the list is bounded by its window.
LONGEST_WINDOW = dt.timedelta(days=92)


ShiftStateCode = Annotated[Shift.State, codes(Shift.State)]
EventCode = Annotated[ShiftEvent.Kind, codes(ShiftEvent.Kind)]


# --- shared pieces ---------------------------------------------------------------------


class PlaceRef(Schema):
    id: uuid.UUID
    name: str


def _place(place: Site | Team | None) -> dict[str, object] | None:
    return None if place is None else {"id": place.pk, "name": place.name}


def _moment(value: dt.datetime | None, field: str) -> None:
    """A time a client sent: with its offset, in years the services can count in."""
    if value is None:
        return
    if timezone.is_naive(value):
        raise ValidationError({field: [_("Give the time with its offset, like 18:00+03:00.")]})
    check_year(value, field)


# Each gate action's refusal in words (the gate itself raises a bare PermissionDenied).
def _refusals() -> dict[str, str]:
    return {
        access.WORK: _("Only the shift's own workers do this."),
        access.HANDLE: _(
            "Only the people handling this shift's alerts do this: a line manager of one of "
            "its workers, the on-call manager, the director or someone alerted. Never its "
            "own workers."
        ),
        Action.CHANGE: _(
            "Only whoever planned the shift, its workers, their line manager or the director "
            "may cancel it."
        ),
    }


def _shift(member: Membership, shift_id: str, action: str = Action.READ) -> Shift:
    """The gate, with its refusal said in words."""
    try:
        return access.shift_for_member(member, shift_id, action)
    except PermissionDenied:
        raise PermissionDenied(_refusals().get(action, "")) from None


def _if_unchanged(shift: Shift, if_match: str | None) -> None:
    """409 when the client sent the version it read and the shift has moved on since.

    Called inside the action's transaction: on PostgreSQL the row stays locked until the
    service's own conditional update, so nobody changes it in between.
    """
    if if_match is None:
        return
    version = version_from(if_match)
    if not Shift.objects.select_for_update().filter(pk=shift.pk, version=version).exists():
        raise StaleVersion


# --- shifts: what an answer shows ------------------------------------------------------


class AlertOut(Schema):
    """The alert on a shift, for the people handling it only."""

    help_asked_at: Time | None = Field(description="When a worker asked for help, if they did.")
    silent: bool = Field(
        description="Help was asked for with the duress PIN: the workers' screens show a "
        "check-in. Never let them see that it was seen."
    )
    acknowledged_at: Time | None = Field(description="When someone said “I'm on it”.")
    acknowledged_by: PersonRef | None


class ShiftSummaryOut(Schema):
    """A shift on the schedule."""

    id: uuid.UUID
    area: str = Field(description="Where it goes, in words.")
    materials: str
    site: PlaceRef | None
    team: PlaceRef | None
    workers: list[PersonRef]
    planned_by: PersonRef | None
    planned_start: Time
    planned_return: Time
    state: ShiftStateCode = Field(
        description="As the asker may see it: a silent alert is a check-in (`returned`) to "
        "everyone but the shift's handlers."
    )
    state_label: str
    checked_out_at: Time | None
    returned_at: Time | None
    closed_at: Time | None
    mine: bool = Field(description="I am one of its workers.")
    version: int = Field(description="Send it back as `If-Match` to be told of a change since.")


class ShiftOut(ShiftSummaryOut):
    """One shift, with what only its workers and handlers see."""

    location: str | None = Field(
        description="The rough place a worker chose to share for this shift only: for its "
        "workers and handlers; null for everyone else."
    )
    alert: AlertOut | None = Field(
        description="For the people handling the shift (never its workers); null otherwise."
    )


def _workers(shift: Shift) -> list[Membership]:
    # From the list's prefetch when there is one, else one query.
    return sorted(
        (w.member for w in shift.workers.all()), key=lambda m: (m.name.casefold(), str(m.pk))
    )


def _summary_out(
    member: Membership, shift: Shift, workers: list[Membership], handler: bool | None = None
) -> dict[str, object]:
    """The schedule's view of a shift. ``handler`` is asked only when it matters: for a
    silent alert, whose state shows as a check-in to all but the handlers."""
    if handler is None:
        handler = shift.help_silent and access.sees_alert(member, shift)
    state = shift.state if handler else shift.state_shown_to_worker()
    return {
        "id": shift.pk,
        "area": shift.area,
        "materials": shift.materials,
        "site": _place(shift.site),
        "team": _place(shift.team),
        "workers": [person_ref(w) for w in workers],
        "planned_by": person_ref(shift.created_by),
        "planned_start": shift.planned_start,
        "planned_return": shift.planned_return,
        "state": state,
        "state_label": str(Shift.State(state).label),
        "checked_out_at": shift.checked_out_at,
        "returned_at": shift.returned_at,
        "closed_at": shift.closed_at,
        "mine": any(w.pk == member.pk for w in workers),
        "version": shift.version,
    }


def _shift_out(member: Membership, shift: Shift) -> dict[str, object]:
    workers = _workers(shift)
    handler = access.sees_alert(member, shift)
    out = _summary_out(member, shift, workers, handler)
    out["location"] = (shift.coarse_location or None) if (out["mine"] or handler) else None
    out["alert"] = (
        {
            "help_asked_at": shift.help_at,
            "silent": shift.help_silent,
            "acknowledged_at": shift.acknowledged_at,
            "acknowledged_by": person_ref(shift.acknowledged_by),
        }
        if handler
        else None
    )
    return out


def _with_people(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    return shifts.select_related(
        "site", "team", "created_by__user", "acknowledged_by__user"
    ).prefetch_related(
        Prefetch("workers", queryset=ShiftWorker.objects.select_related("member__user"))
    )


def _answer(member: Membership, shift: Shift, response: HttpResponse) -> dict[str, object]:
    shift = _with_people(Shift.objects.filter(pk=shift.pk)).get()
    etag(response, shift.version)
    return _shift_out(member, shift)


# --- shifts: the schedule --------------------------------------------------------------


class ScheduleQuery(Schema):
    start: dt.datetime | None = Field(
        None,
        description="Shifts starting from this time (ISO 8601 with offset); default a day ago.",
    )
    end: dt.datetime | None = Field(
        None,
        description="Shifts starting before this time; default a fortnight after `start`. "
        "At most 92 days after it.",
    )
    state: ShiftStateCode | None = Field(None, description="Only shifts in this state.")
    mine: bool = Field(False, description="Only shifts I am one of the workers of.")


class ShiftPages(Pages):
    """Page numbers over a bounded window of the schedule, each page's shifts answered as
    this member sees them."""

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        member = member_of(request)
        page["items"] = [_summary_out(member, s, _workers(s)) for s in page["items"]]
        return page


def _window(query: ScheduleQuery) -> tuple[dt.datetime, dt.datetime]:
    _moment(query.start, "start")
    _moment(query.end, "end")
    start, end = query.start, query.end
    if start is None:
        start = (
            end - DEFAULT_PAST - DEFAULT_AHEAD if end is not None else timezone.now() - DEFAULT_PAST
        )
    if end is None:
        end = start + DEFAULT_PAST + DEFAULT_AHEAD
    if end <= start:
        raise ValidationError({"end": [_("The end must be after the start.")]})
    if end - start > LONGEST_WINDOW:
        raise ValidationError({"end": [_("Ask for at most 92 days at a time.")]})
    return start, end


def _shown_in(member: Membership, shifts: QuerySet[Shift], state: str) -> Q:
    """The shifts ``member`` sees in ``state``: a silent alert is a check-in to everyone
    but its handlers, so it is found where each sees it. Silent alerts are few: each is
    asked about on its own."""
    silent = Q(state=Shift.State.HELP, help_silent=True)
    if state not in (Shift.State.RETURNED, Shift.State.HELP):
        return Q(state=state)
    handled = access.alerts_seen_by(
        member, shifts.filter(silent).prefetch_related("workers__member")
    )
    if state == Shift.State.HELP:
        return (Q(state=state) & ~silent) | Q(pk__in=handled)
    return Q(state=state) | (silent & ~Q(pk__in=handled))


@router.get(
    "/shifts",
    response={200: list[ShiftSummaryOut], **errors(400)},
    summary="The outreach schedule",
    tags=["shifts"],
)
@paginate(ShiftPages)
def shift_list(request: HttpRequest, query: Query[ScheduleQuery]) -> QuerySet[Shift]:
    """The organisation's shifts by planned start, in a window of at most 92 days (§4.4:
    the team keeps a schedule). Coaches, facilitators and peer interviewers see none."""
    member = member_of(request)
    start, end = _window(query)
    shifts = access.shifts_for_member(member).filter(
        planned_start__gte=start, planned_start__lt=end
    )
    if query.state is not None:
        shifts = shifts.filter(_shown_in(member, shifts, query.state))
    if query.mine:
        shifts = shifts.filter(workers__member=member)
    return _with_people(shifts).order_by("planned_start", "id")


@router.get(
    "/shifts/{shift_id}",
    response={200: ShiftOut, **errors(404)},
    summary="One shift",
    tags=["shifts"],
)
def shift_detail(request: HttpRequest, shift_id: str, response: HttpResponse) -> dict[str, object]:
    """A shift with its workers, times and state; the rough location for its workers and
    handlers, the alert for its handlers."""
    member = member_of(request)
    found = _shift(member, shift_id)
    return _answer(member, found, response)


class ShiftPlan(Schema):
    """A new shift. Where pairs are required (the default), exactly two workers."""

    worker_ids: list[uuid.UUID] = Field(description="Who goes: colleagues from the directory.")
    area: Text = Field(description="Where, in words: no client's address, no GPS.")
    materials: Text = ""
    planned_start: dt.datetime = Field(description="ISO 8601 with offset.")
    planned_return: dt.datetime = Field(description="ISO 8601 with offset; still to come.")
    site_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None


def _directory(
    member: Membership, wanted: uuid.UUID | None, find: Any, field: str, message: str
) -> Any:
    """Something named in a body, through its own gate; unseen is the field's fault."""
    if wanted is None:
        return None
    try:
        return find(member, wanted)
    except Http404:
        raise ValidationError({field: [message]}) from None


@router.post(
    "/shifts",
    response={201: ShiftOut, **errors(400, 403)},
    summary="Plan a shift",
    tags=["shifts"],
)
def shift_plan(request: HttpRequest, payload: ShiftPlan, response: HttpResponse) -> Status:
    """Put a shift on the schedule: for oneself (with any colleague), for one's own reports
    as their line manager, or for anyone as the director (§4.4). 400 names each field at
    fault, and nothing is saved."""
    member = member_of(request)
    if not access.sees_shifts(member):
        raise PermissionDenied(_("Your role does not include outreach shifts."))
    _moment(payload.planned_start, "planned_start")
    _moment(payload.planned_return, "planned_return")
    workers = [
        _directory(
            member,
            wanted,
            core_access.membership_for_member,
            "worker_ids",
            _("Choose workers from your organisation."),
        )
        for wanted in dict.fromkeys(payload.worker_ids)
    ]
    site = _directory(
        member,
        payload.site_id,
        core_access.site_for_member,
        "site_id",
        _("Choose a site of your organisation."),
    )
    team = _directory(
        member,
        payload.team_id,
        core_access.team_for_member,
        "team_id",
        _("Choose a team of your organisation."),
    )
    if not access.may_plan_for(member, workers):
        raise PermissionDenied(
            _("You plan shifts you go on yourself; a line manager plans for their own reports.")
        )
    try:
        planned = services.plan_shift(
            actor=member,
            workers=workers,
            area=payload.area,
            materials=payload.materials,
            planned_start=payload.planned_start,
            planned_return=payload.planned_return,
            site=site,
            team=team,
        )
    except ValidationError as error:
        raise _renamed(error, PLAN_FIELDS) from None
    return Status(201, _answer(member, planned, response))


# The plan service's fields as the request names them.
PLAN_FIELDS = {"workers": "worker_ids", "site": "site_id", "team": "team_id"}


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """The service's fields named as the request names them."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(field, field): messages for field, messages in error.message_dict.items()}
    )


# --- shifts: the timeline --------------------------------------------------------------


class EventOut(Schema):
    """One line of the timeline."""

    id: uuid.UUID
    at: Time
    kind: EventCode
    label: str
    actor: PersonRef | None = Field(description="Who did it; null for Peerwork itself.")
    minutes: int | None = Field(description="For an extension: by how many minutes.")
    incident: bool | None = Field(description="For a close: whether there was an incident.")
    recipients: list[PersonRef] = Field(
        description="For an alert, who it went to: shown to the shift's handlers only."
    )


# The lines that belong to the alert (the matrix's "alert" column): a silent one's are
# shown to the handlers only.
ALERT_LINES = (
    ShiftEvent.Kind.HELP,
    ShiftEvent.Kind.ALERTED,
    ShiftEvent.Kind.ACKNOWLEDGED,
    ShiftEvent.Kind.SET_ASIDE,
)


def _timeline(member: Membership, shift: Shift) -> list[dict[str, object]]:
    handler = access.sees_alert(member, shift)
    events = list(shift.events.select_related("actor__user").order_by("at", "seq"))
    if not handler:
        # From the first silent call for help on, the alert's lines are the handlers'.
        silent_from = next(
            (e.at for e in events if e.kind == ShiftEvent.Kind.HELP and e.detail.get("silent")),
            None,
        )
        events = [
            e
            for e in events
            if not (silent_from is not None and e.kind in ALERT_LINES and e.at >= silent_from)
        ]
    ids = {i for e in events for i in (e.detail or {}).get("recipients", [])} if handler else set()
    named = {
        str(m.pk): m
        for m in Membership.objects.filter(
            organisation_id=shift.organisation_id, pk__in=ids
        ).select_related("user")
    }
    return [
        {
            "id": e.pk,
            "at": e.at,
            "kind": e.kind,
            "label": str(ShiftEvent.Kind(e.kind).label),
            "actor": person_ref(e.actor),
            "minutes": e.detail.get("minutes") if e.kind == ShiftEvent.Kind.EXTENDED else None,
            "incident": e.detail.get("incident") if e.kind == ShiftEvent.Kind.CLOSED else None,
            "recipients": [
                person_ref(named[i]) for i in (e.detail or {}).get("recipients", []) if i in named
            ],
        }
        for e in events
    ]


@router.get(
    "/shifts/{shift_id}/timeline",
    response={200: list[EventOut], **errors(404)},
    summary="A shift's timeline",
    tags=["shifts"],
)
def shift_timeline(request: HttpRequest, shift_id: str) -> list[dict[str, object]]:
    """Every state change, alert and acknowledgement, oldest first (issue 5 item 5). Who an
    alert went to is for the handlers; a silent alert's lines are theirs alone."""
    member = member_of(request)
    found = _shift(member, shift_id)
    return _timeline(member, found)


# --- shifts: actions -------------------------------------------------------------------

IfMatch = Header(
    None,
    alias="If-Match",
    description="Optional: the shift's `version` as you read it; 409 if it changed since.",
)


def _act(
    request: HttpRequest,
    response: HttpResponse,
    shift_id: str,
    action: str,
    if_match: str | None,
    run: Callable[[Membership, Shift], object],
) -> dict[str, object]:
    """Gate, version, service, answer: the same four steps for every action."""
    member = member_of(request)
    found = _shift(member, shift_id, action)
    with transaction.atomic():
        _if_unchanged(found, if_match)
        run(member, found)
    return _answer(member, found, response)


class Extension(Schema):
    minutes: int = Field(
        ge=services.EXTEND_MIN,
        le=services.EXTEND_MAX,
        description=f"From {services.EXTEND_MIN} to {services.EXTEND_MAX}.",
    )


class Location(Schema):
    location: Text = Field(
        "",
        description="A rough place in words, for this shift only; empty takes it back.",
    )


class Closing(Schema):
    incident: bool = Field(description="Whether something happened that needs an incident.")


def _route(path: str, summary: str, codes: tuple[int, ...] = (400, 403, 404, 409)) -> Any:
    return router.post(
        path, response={200: ShiftOut, **errors(*codes)}, summary=summary, tags=["shifts"]
    )


@_route("/shifts/{shift_id}/check-out", "Check out")
def shift_check_out(
    request: HttpRequest, shift_id: str, response: HttpResponse, if_match: str | None = IfMatch
) -> dict[str, object]:
    """A worker leaves: the shift is out and watched from its planned return plus the
    policy's grace (§4.4). 400 if it is not waiting to start or its return has passed."""
    return _act(
        request,
        response,
        shift_id,
        access.WORK,
        if_match,
        lambda member, shift: services.check_out(actor=member, shift=shift),
    )


@_route("/shifts/{shift_id}/check-in", "Check in")
def shift_check_in(
    request: HttpRequest, shift_id: str, response: HttpResponse, if_match: str | None = IfMatch
) -> dict[str, object]:
    """A worker is back: the shift is returned and everyone already alerted is told. 400
    for a shift that is not out (not started, returned, closed)."""
    return _act(
        request,
        response,
        shift_id,
        access.WORK,
        if_match,
        lambda member, shift: services.check_in(actor=member, shift=shift),
    )


@_route("/shifts/{shift_id}/extend", "Extend the return time")
def shift_extend(
    request: HttpRequest,
    shift_id: str,
    payload: Extension,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> dict[str, object]:
    """Move the planned return later, only before it passes (issue 5 item 3)."""
    return _act(
        request,
        response,
        shift_id,
        access.WORK,
        if_match,
        lambda member, shift: services.extend(actor=member, shift=shift, minutes=payload.minutes),
    )


@_route("/shifts/{shift_id}/ok", "I'm OK")
def shift_ok(
    request: HttpRequest, shift_id: str, response: HttpResponse, if_match: str | None = IfMatch
) -> dict[str, object]:
    """An optional "I'm OK" on the timeline while out; it stops no alert."""
    return _act(
        request,
        response,
        shift_id,
        access.WORK,
        if_match,
        lambda member, shift: services.im_ok(actor=member, shift=shift),
    )


@_route("/shifts/{shift_id}/help", "Ask for help")
def shift_help(
    request: HttpRequest, shift_id: str, response: HttpResponse, if_match: str | None = IfMatch
) -> dict[str, object]:
    """HELP: straight to the on-call manager and the top of the chain, at once (issue 5
    item 4). 400 when help is already on its way or the shift was closed."""
    return _act(
        request,
        response,
        shift_id,
        access.WORK,
        if_match,
        lambda member, shift: services.ask_for_help(actor=member, shift=shift, via="api"),
    )


@_route("/shifts/{shift_id}/location", "Share a rough location")
def shift_location(
    request: HttpRequest,
    shift_id: str,
    payload: Location,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> dict[str, object]:
    """Share a rough place in words for this shift only, or take it back with an empty
    one (issue 5 item 2). It is cleared when the shift ends."""
    return _act(
        request,
        response,
        shift_id,
        access.WORK,
        if_match,
        lambda member, shift: services.share_location(
            actor=member, shift=shift, location=payload.location
        ),
    )


@_route("/shifts/{shift_id}/acknowledge", "I'm on it")
def shift_acknowledge(
    request: HttpRequest, shift_id: str, response: HttpResponse, if_match: str | None = IfMatch
) -> dict[str, object]:
    """Say "I'm on it" for an overdue or missing shift, or a call for help: no further
    step is sent. 400 if someone already is, or nothing needs anyone."""
    return _act(
        request,
        response,
        shift_id,
        access.HANDLE,
        if_match,
        lambda member, shift: services.acknowledge(actor=member, shift=shift),
    )


@_route("/shifts/{shift_id}/close", "Close a shift")
def shift_close(
    request: HttpRequest,
    shift_id: str,
    payload: Closing,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> dict[str, object]:
    """Close an overdue or missing shift, or one that asked for help, once resolved,
    saying whether there was an incident."""
    return _act(
        request,
        response,
        shift_id,
        access.HANDLE,
        if_match,
        lambda member, shift: services.close_shift(
            actor=member, shift=shift, incident=payload.incident
        ),
    )


@_route("/shifts/{shift_id}/cancel", "Cancel a shift")
def shift_cancel(
    request: HttpRequest, shift_id: str, response: HttpResponse, if_match: str | None = IfMatch
) -> dict[str, object]:
    """Take a shift that has not started off the schedule."""
    return _act(
        request,
        response,
        shift_id,
        Action.CHANGE,
        if_match,
        lambda member, shift: services.cancel_shift(actor=member, shift=shift),
    )


# --- incidents -------------------------------------------------------------------------
#
# Not work data (the access matrix's [record: incident]): on duty, the person, their line
# manager and the manager handling it; the director once it is passed to them. Off duty, the
# person and the one colleague they asked to help. The words (what happened, the notes) are
# the person's, sealed under their key: every other reader's read is audited before they
# are answered (DESIGN.md "Privacy model").

IncidentKindCode = Annotated[Incident.Kind, codes(Incident.Kind)]
IncidentStateCode = Annotated[Incident.State, codes(Incident.State)]
ConsentCode = Annotated[IncidentStep.Consent, codes(IncidentStep.Consent)]
CourtCode = Annotated[LegalEvent.Kind, codes(LegalEvent.Kind)]

IfMatchRequired = Header(
    ...,
    alias="If-Match",
    description="The incident's `version` as you read it; 409 if it changed since.",
)


class IncidentSummaryOut(Schema):
    """An incident in a list: what kind, when and whose, never its words."""

    id: uuid.UUID
    kind: IncidentKindCode
    kind_label: str
    on_duty: bool
    occurred_at: Time
    person: PersonRef
    shift_id: uuid.UUID | None
    state: IncidentStateCode
    state_label: str
    version: int


class StepDoneOut(Schema):
    done_at: Time
    done_by: PersonRef | None
    consent: ConsentCode = Field(description="`given` for a step that needs the worker's consent.")
    note: str


class StepOut(Schema):
    """One of the guide's steps for this kind of incident, and each time it was done."""

    code: str
    label: str
    help: str
    needs_consent: bool = Field(
        description="Only with the worker's consent, recorded with the step (never assumed)."
    )
    done: list[StepDoneOut]


class CourtEntryOut(Schema):
    id: uuid.UUID
    kind: CourtCode
    kind_label: str
    on: dt.date
    note: str
    recorded_by: PersonRef | None
    recorded_at: Time


class IncidentOut(IncidentSummaryOut):
    """One incident, with the guide's steps for its kind and, for an arrest or a police
    encounter, its court timeline (App. 10 case 8)."""

    summary: str = Field(description="What happened, in words.")
    opened_by: PersonRef | None
    handler: PersonRef | None = Field(description="The manager handling it (on duty).")
    helper: PersonRef | None = Field(description="Off duty: the colleague the person asked.")
    passed_to_director_at: Time | None
    closed_at: Time | None
    steps: list[StepOut]
    court_timeline: list[CourtEntryOut] | None = Field(
        description="Null for kinds that do not come to court."
    )


def _incident_summary(incident: Incident) -> dict[str, object]:
    return {
        "id": incident.pk,
        "kind": incident.kind,
        "kind_label": str(Incident.Kind(incident.kind).label),
        "on_duty": incident.on_duty,
        "occurred_at": incident.occurred_at,
        "person": person_ref(incident.person),
        "shift_id": incident.shift_id,
        "state": incident.state,
        "state_label": str(Incident.State(incident.state).label),
        "version": incident.version,
    }


def _incident_out(
    member: Membership, incident: Incident, response: HttpResponse
) -> dict[str, object]:
    """The whole incident, read again; a read by anyone but the person is audited first,
    in its own transaction (DESIGN.md "Audit")."""
    incident = (
        Incident.objects.select_related(
            "person__user", "opened_by__user", "handler__user", "helper__user"
        )
        .filter(pk=incident.pk)
        .get()
    )
    incidents.read_incident(actor=member, incident=incident)
    done = list(incident.steps.select_related("done_by__user").order_by("done_at", "id"))
    court = None
    if incident.kind in incidents.COURT_KINDS:
        court = [
            {
                "id": e.pk,
                "kind": e.kind,
                "kind_label": str(LegalEvent.Kind(e.kind).label),
                "on": e.on,
                "note": str(e.note or ""),
                "recorded_by": person_ref(e.recorded_by),
                "recorded_at": e.created_at,
            }
            for e in incident.legal_events.select_related("recorded_by__user").order_by(
                "on", "created_at", "id"
            )
        ]
    etag(response, incident.version)
    return {
        **_incident_summary(incident),
        "summary": str(incident.summary or ""),
        "opened_by": person_ref(incident.opened_by),
        "handler": person_ref(incident.handler),
        "helper": person_ref(incident.helper),
        "passed_to_director_at": incident.escalated_at,
        "closed_at": incident.closed_at,
        "steps": [
            {
                "code": step.code,
                "label": str(step.label),
                "help": str(step.help),
                "needs_consent": step.needs_consent,
                "done": [
                    {
                        "done_at": row.done_at,
                        "done_by": person_ref(row.done_by),
                        "consent": row.consent,
                        "note": str(row.note or ""),
                    }
                    for row in done
                    if row.step == step.code
                ],
            }
            for step in incidents.steps_for(incident.kind)
        ],
        "court_timeline": court,
    }


class IncidentPages(Pages):
    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [_incident_summary(i) for i in page["items"]]
        return page


@router.get(
    "/incidents",
    response={200: list[IncidentSummaryOut], **errors()},
    summary="Incidents I may see",
    tags=["incidents"],
)
@paginate(IncidentPages)
def incident_list(request: HttpRequest) -> QuerySet[Incident]:
    """My own incidents, those I was asked to help with, and on duty those I handle or of
    people I line-manage (and, for the director, those passed to them), newest first."""
    member = member_of(request)
    return (
        access.incidents_for_member(member)
        .select_related("person__user")
        .order_by("-occurred_at", "id")
    )


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentOut, **errors(404)},
    summary="One incident",
    tags=["incidents"],
)
def incident_detail(
    request: HttpRequest, incident_id: str, response: HttpResponse
) -> dict[str, object]:
    """The incident with the guide's steps for its kind (§4.4, §3.4) and its court
    timeline. Anyone else's read is written to the audit chain: the person sees who read it."""
    member = member_of(request)
    found = access.incident_for_member(member, incident_id)
    return _incident_out(member, found, response)


class IncidentOpen(Schema):
    kind: IncidentKindCode
    occurred_at: dt.datetime = Field(description="ISO 8601 with offset; not in the future.")
    summary: Text = Field("", description="What happened, in words; sealed for the person.")


class IncidentOnShift(IncidentOpen):
    person_id: uuid.UUID | None = Field(
        None, description="The worker it happened to; default: me, when I am on the shift."
    )


@router.post(
    "/shifts/{shift_id}/incidents",
    response={201: IncidentOut, **errors(400, 403, 404)},
    summary="Open an incident from a shift",
    tags=["incidents"],
)
def incident_open(
    request: HttpRequest, shift_id: str, payload: IncidentOnShift, response: HttpResponse
) -> Status:
    """On duty: anyone on the shift or its chain opens one for a worker on it (issue 5 item
    6). The manager handling it is the opener if they handle the shift, else the on-call
    manager, else the worker's line manager."""
    member = member_of(request)
    try:
        shift = access.shift_for_incident(member, shift_id)
    except PermissionDenied:
        raise PermissionDenied(
            _("Only the shift's workers and the people handling it open an incident from it.")
        ) from None
    _moment(payload.occurred_at, "occurred_at")
    person = member
    if payload.person_id is not None:
        person = _directory(
            member,
            payload.person_id,
            core_access.membership_for_member,
            "person_id",
            _("Choose a worker on this shift."),
        )
    try:
        opened = incidents.open_incident(
            actor=member,
            shift=shift,
            person=person,
            kind=payload.kind,
            occurred_at=payload.occurred_at,
            summary=payload.summary,
        )
    except ValidationError as error:
        raise _renamed(error, {"person": "person_id"}) from None
    return Status(201, _incident_out(member, opened, response))


@router.post(
    "/incidents",
    response={201: IncidentOut, **errors(400, 403)},
    summary="Record an incident in my own time",
    tags=["incidents"],
)
def incident_record_off_duty(
    request: HttpRequest, payload: IncidentOpen, response: HttpResponse
) -> Status:
    """Off duty, for myself only: it reaches no manager, HR or director, and opens nothing
    disciplinary; an arrest for possession in one's own time is the legal system's
    business, not the employer's (§4.4)."""
    member = member_of(request)
    if not access.sees_shifts(member):
        raise PermissionDenied(_("Your role does not include outreach work."))
    _moment(payload.occurred_at, "occurred_at")
    recorded = incidents.record_off_duty(
        actor=member, kind=payload.kind, occurred_at=payload.occurred_at, summary=payload.summary
    )
    return Status(201, _incident_out(member, recorded, response))


def _incident(member: Membership, incident_id: str) -> Incident:
    """The gate for a change, with its refusal said in words."""
    try:
        return access.incident_for_member(member, incident_id, Action.CHANGE)
    except PermissionDenied:
        raise PermissionDenied(
            _("You may read this incident, but only the people handling it record on it.")
        ) from None


class StepDone(Schema):
    step: str = Field(description="A code from the incident's `steps`.")
    note: Text = ""
    consent: ConsentCode = Field(
        IncidentStep.Consent.NOT_NEEDED,
        description="`given` once the worker agreed, for a step that needs it.",
    )


class CourtEntry(Schema):
    kind: CourtCode
    on: dt.date
    note: Text = ""


@router.post(
    "/incidents/{incident_id}/steps",
    response={201: IncidentOut, **errors(400, 403, 404, 409)},
    summary="Record a step",
    tags=["incidents"],
)
def incident_step(
    request: HttpRequest,
    incident_id: str,
    payload: StepDone,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> Status:
    """One of the guide's steps for the incident's kind, done: who and when, with a note
    for the person's record. Contacting the family and human-rights documentation need the
    worker's consent, given (`consent: given`); without it, 400."""
    member = member_of(request)
    found = _incident(member, incident_id)
    incidents.record_step(
        actor=member,
        incident=found,
        version=version_from(if_match),
        step=payload.step,
        note=payload.note,
        consent=payload.consent,
    )
    return Status(201, _incident_out(member, found, response))


@router.post(
    "/incidents/{incident_id}/court-timeline",
    response={201: IncidentOut, **errors(400, 403, 404, 409)},
    summary="Add to the court timeline",
    tags=["incidents"],
)
def incident_court_entry(
    request: HttpRequest,
    incident_id: str,
    payload: CourtEntry,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> Status:
    """Charges, a hearing, the lawyer, bail, support given or the outcome (App. 10 case 8:
    the organisation stands by the worker through the case). Arrests and police encounters
    only."""
    member = member_of(request)
    found = _incident(member, incident_id)
    incidents.add_legal_event(
        actor=member,
        incident=found,
        version=version_from(if_match),
        kind=payload.kind,
        on=payload.on,
        note=payload.note,
    )
    return Status(201, _incident_out(member, found, response))


@router.post(
    "/incidents/{incident_id}/pass-to-director",
    response={200: IncidentOut, **errors(400, 403, 404, 409)},
    summary="Pass to the director",
    tags=["incidents"],
)
def incident_pass(
    request: HttpRequest, incident_id: str, response: HttpResponse, if_match: str = IfMatchRequired
) -> dict[str, object]:
    """The handler or the line manager passes an open on-duty incident to the director,
    who may then read it. Off-duty incidents never go to anyone by role (§4.4)."""
    member = member_of(request)
    found = _incident(member, incident_id)
    if found.state == Incident.State.CLOSED:
        raise ValidationError(_("This incident is closed."))
    if found.escalated_at is not None:
        raise ValidationError(_("This incident has already been passed to the director."))
    if not incidents.may_pass_to_director(member, found):
        raise PermissionDenied(
            _("Only the manager handling an open on-duty incident passes it to the director.")
        )
    incidents.pass_to_director(actor=member, incident=found, version=version_from(if_match))
    return _incident_out(member, found, response)


@router.post(
    "/incidents/{incident_id}/close",
    response={200: IncidentOut, **errors(400, 403, 404, 409)},
    summary="Close an incident",
    tags=["incidents"],
)
def incident_close(
    request: HttpRequest, incident_id: str, response: HttpResponse, if_match: str = IfMatchRequired
) -> dict[str, object]:
    """On duty, the handler or the line manager closes it; off duty, the person."""
    member = member_of(request)
    found = _incident(member, incident_id)
    if found.state == Incident.State.CLOSED:
        raise ValidationError(_("This incident is closed."))
    if not incidents.may_close(member, found):
        raise PermissionDenied(
            _("On duty, the manager handling it or the line manager closes an incident.")
        )
    incidents.close_incident(actor=member, incident=found, version=version_from(if_match))
    return _incident_out(member, found, response)
