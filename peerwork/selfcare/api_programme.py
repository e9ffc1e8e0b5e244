"""The self-control programme's API (issue 7 items 2 and 9; App. 8, §4.2; shared/API.md).

Thin handlers, as in ``peerwork.schedule.api``: each finds the acting membership, calls the
programme's gate first (``access.programme_for_member``; ``access.opening_for_owner`` for
an opening), then a flow in ``programmes``, and answers with a typed schema built here.
Flows raise ``ValidationError`` (400, the fields at fault named, nothing saved),
``PermissionDenied`` (403) and ``StaleVersion`` (409); gates raise ``Http404`` (404:
missing, another organisation's, or not the asker's to see: one answer).

A programme is private (the [record: selfcare] "programme" column): its owner does
everything; the peer mentor it is opened to reads it (the programme, its records, its
revisions, its chart) until the opening closes or expires, each read audited before it is
answered, and gets 403 for any change; everyone else gets 404. Changes to the programme
carry ``If-Match`` with the ``version`` read (409 when it moved on).

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the schemas' names could not be looked up.
"""

import datetime as dt
import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, PersonRef, Text, Time, check_year, person_ref
from peerwork.api.schemas import errors as errors_of
from peerwork.core import access as core_access
from peerwork.core.access import Action
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion

from . import access, programmes
from .models import Opening, SelfControlEntry, SelfControlProgramme

router = Router(tags=["self-control programmes"])

PATH = "/self-control-programmes"

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

Unit = Literal["day", "week"]
Direction = Literal["fewer", "more"]
Phase = Literal["baseline", "monitoring"]


# --- schemas ---------------------------------------------------------------------------------


class CommitmentOut(Schema):
    benefits: str = Field(description="What changing would bring, in the person's words.")
    told: list[str] = Field(description="The people they told, as they call them.")
    obstacles: str = Field(description="Their plan for obstacles before they come.")


class GoalOut(Schema):
    unit: Unit = Field(description="Counted per day or per week.")
    direction: Direction = Field(description="Fewer or more times than now.")
    target: int = Field(description="The count aimed at.")
    set_on: dt.date | None = Field(description="When the goal was last set.")
    text: str = Field(description='In words: "at most 2 times a day by 1 March 2027".')


class StrategyOut(Schema):
    code: str
    group: Literal["environmental", "behavioural", "cognitive"]
    label: str


class StrategiesOut(Schema):
    chosen: list[StrategyOut] = Field(description="From the three lists of App. 8.")
    own: str = Field(description="The person's own strategies, in their words.")


class ProgrammeOut(Schema):
    """A self-control programme (App. 8): the owner's, or read by the peer mentor it is
    opened to."""

    id: uuid.UUID
    person: PersonRef
    mine: bool = Field(description="False when it is opened to me by its owner.")
    started_on: dt.date
    ended_at: Time | None
    goal_by: dt.date | None = Field(description="The end of the goal's time frame.")
    updated_at: Time
    commitment: CommitmentOut
    target: str = Field(description="The target behaviour, in the person's words.")
    goal: GoalOut | None
    strategies: StrategiesOut
    baseline_days: int = Field(description="Days the baseline records cover, first to last.")
    baseline_hint: str | None = Field(
        description="A kind word when the baseline is under a week or over two (no goal yet)."
    )
    revisions: int = Field(description="How many revisions; read them at /revisions.")
    hints: list[str] = Field(
        default_factory=list,
        description="Kind words about this change (a baseline under a week or over two when "
        "the goal is first set): never a refusal.",
    )
    version: int = Field(description="Send it back as `If-Match` to change the programme.")


class ProgrammeSummaryOut(Schema):
    id: uuid.UUID
    started_on: dt.date
    ended_at: Time | None
    goal_by: dt.date | None
    target: str
    version: int


class ProgrammeIn(Schema):
    """Start a programme with its commitment (step 1); the target behaviour may come now or
    later. One programme goes at a time: 400 while another is going."""

    benefits: Text = Field(description="What changing would bring. Required.")
    told: list[Text] = Field(default_factory=list, max_length=programmes.TOLD_MOST)
    obstacles: Text = ""
    target: Text = ""


class GoalIn(Schema):
    unit: Unit
    direction: Direction
    target: int = Field(description=f"0 to {programmes.COUNT_MAX}.")
    goal_by: dt.date = Field(description="After today in the organisation's zone.")


class StrategiesIn(Schema):
    codes: list[str] = Field(
        default_factory=list,
        max_length=len(programmes.STRATEGY_LABELS),
        description="Codes from /self-control-programmes/strategies.",
    )
    own: Text = ""


class ProgrammeChange(Schema):
    """Only the parts sent change. A change of a goal or of strategies already set is kept
    as a revision, with `why` if given."""

    benefits: Text | None = None
    told: list[Text] | None = Field(None, max_length=programmes.TOLD_MOST)
    obstacles: Text | None = None
    target: Text | None = None
    goal: GoalIn | None = None
    strategies: StrategiesIn | None = None
    why: Text = Field("", description="Why the goal or the strategies change.")


class EntryOut(Schema):
    """One record: a baseline record (what came before, what I did, what came after) or a
    day's logged count."""

    id: uuid.UUID
    phase: Phase
    day: dt.date
    count: int
    antecedent: str = ""
    behaviour: str = ""
    consequence: str = ""
    note: str = ""
    made_at: Time


class EntryIn(Schema):
    phase: Phase = "monitoring"
    day: dt.date | None = Field(None, description="Today (organisation's zone) if left out.")
    count: int = Field(description=f"How many times, 0 to {programmes.COUNT_MAX}.")
    antecedent: Text = Field("", description="Baseline: what happened before.")
    behaviour: Text = Field("", description="Baseline: what I did.")
    consequence: Text = Field("", description="Baseline: what came after.")
    note: Text = Field("", description="Log: a short note.")


class RevisionOut(Schema):
    on: dt.date | None
    kind: Literal["note", "goal", "strategies"]
    what: str
    why: str


class RevisionIn(Schema):
    what: Text
    why: Text = ""


class PeriodOut(Schema):
    date: dt.date = Field(description="The day, or the Monday of the week.")
    count: int
    phase: Phase = Field(description="`baseline` when all its records are baseline records.")


class ChartOut(Schema):
    """The progress chart's series as numbers (App. 8 "self-monitoring")."""

    unit: Unit
    start: dt.date
    end: dt.date
    baseline_from: dt.date | None
    baseline_until: dt.date | None
    goal: GoalOut | None
    goal_by: dt.date | None
    points: list[PeriodOut]
    summary: str = Field(description="The chart in words.")


class OpeningOut(Schema):
    id: uuid.UUID
    programme_id: uuid.UUID
    owner: PersonRef
    grantee: PersonRef
    opened_at: Time
    expires_at: Time
    closed_at: Time | None


class OpeningIn(Schema):
    grantee_id: uuid.UUID = Field(description="The peer mentor who mentors you.")
    expires_at: dt.datetime = Field(
        description="Not in the past, at most 90 days ahead; a time without a zone is read "
        "in the organisation's zone."
    )


class StrategyListOut(Schema):
    code: str
    group: Literal["environmental", "behavioural", "cognitive"]
    label: str


class Deleted(Schema):
    id: uuid.UUID
    deleted: bool


# --- answers -----------------------------------------------------------------------------------


def _group_of(code: str) -> str:
    return next(group for group, items in programmes.STRATEGIES.items() if code in dict(items))


def _goal_out(goal: programmes.Goal | None, goal_by: dt.date | None) -> dict[str, Any] | None:
    if goal is None:
        return None
    return {
        "unit": goal.unit,
        "direction": goal.direction,
        "target": goal.target,
        "set_on": goal.set_on,
        "text": programmes.goal_in_words(goal, goal_by),
    }


def _programme_out(
    member: Membership,
    programme: SelfControlProgramme,
    plan: programmes.Plan,
    records: list[programmes.Record],
) -> dict[str, Any]:
    baseline = [r for r in records if r.baseline]
    days = programmes.baseline_days(baseline)
    return {
        "id": programme.pk,
        "person": person_ref(programme.owner),
        "mine": programme.owner_id == member.pk,
        "started_on": programme.started_on,
        "ended_at": programme.ended_at,
        "goal_by": programme.goal_by,
        "updated_at": programme.updated_at,
        "commitment": {"benefits": plan.benefits, "told": plan.told, "obstacles": plan.obstacles},
        "target": plan.target,
        "goal": _goal_out(plan.goal, programme.goal_by),
        "strategies": {
            "chosen": [
                {
                    "code": code,
                    "group": _group_of(code),
                    "label": str(programmes.STRATEGY_LABELS[code]),
                }
                for code in plan.strategy_codes
            ],
            "own": plan.own_strategies,
        },
        "baseline_days": days,
        "baseline_hint": None if plan.goal else programmes.baseline_hint(days),
        "revisions": len(plan.revisions),
        "version": programme.version,
    }


def _answer(member: Membership, programme: SelfControlProgramme, response: HttpResponse) -> Any:
    """The programme as it is now (read again: a flow may have changed it), audited for
    anyone but its owner."""
    programme = (
        SelfControlProgramme.objects.select_related("owner__user", "owner__organisation")
        .filter(pk=programme.pk)
        .get()
    )
    plan = programmes.read_programme(actor=member, programme=programme)
    records = programmes.read_entries(
        actor=member, programme=programme, phase=SelfControlEntry.Phase.BASELINE, audited=False
    )
    etag(response, programme.version)
    return _programme_out(member, programme, plan, records)


def _entry_out(record: programmes.Record) -> dict[str, Any]:
    return {
        "id": record.entry.pk,
        "phase": record.entry.phase,
        "day": record.day,
        "count": record.count,
        "antecedent": record.antecedent,
        "behaviour": record.behaviour,
        "consequence": record.consequence,
        "note": record.note,
        "made_at": record.entry.made_at,
    }


def _opening_out(opening: Opening) -> dict[str, Any]:
    return {
        "id": opening.pk,
        "programme_id": opening.programme_id,
        "owner": person_ref(opening.owner),
        "grantee": person_ref(opening.grantee),
        "opened_at": opening.opened_at,
        "expires_at": opening.expires_at,
        "closed_at": opening.closed_at,
    }


# --- my programmes --------------------------------------------------------------------------------


@router.get(
    PATH,
    response={200: list[ProgrammeSummaryOut], **errors_of()},
    summary="My self-control programmes",
)
@paginate(Pages)
def programme_list(request: HttpRequest) -> list[dict[str, Any]]:
    """My own programmes: the one going first, then the ended ones, newest first. Nobody
    lists anyone else's."""
    member = member_of(request)
    found = []
    for programme in programmes.programmes_of(member):
        plan = programmes.read_programme(actor=member, programme=programme)
        found.append(
            {
                "id": programme.pk,
                "started_on": programme.started_on,
                "ended_at": programme.ended_at,
                "goal_by": programme.goal_by,
                "target": plan.target,
                "version": programme.version,
            }
        )
    return found


@router.post(
    PATH,
    response={201: ProgrammeOut, **errors_of(400, 403)},
    summary="Start a self-control programme",
)
def programme_create(request: HttpRequest, payload: ProgrammeIn, response: HttpResponse) -> Status:
    """Step 1, the commitment (App. 8): the benefits (required), who I told, a plan for
    obstacles; the target behaviour may come now. Sealed for me alone."""
    member = member_of(request)
    programme = programmes.start_programme(
        actor=member,
        benefits=payload.benefits,
        told=payload.told,
        obstacles=payload.obstacles,
        target=payload.target,
    )
    return Status(201, _answer(member, programme, response))


@router.get(
    f"{PATH}/strategies",
    response={200: list[StrategyListOut], **errors_of()},
    summary="The self-control strategies to choose from",
)
def strategy_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The environmental (3), behavioural (8) and cognitive (5) strategies of App. 8, in
    the request's language."""
    member_of(request)
    return [
        {"code": code, "group": group, "label": str(label)}
        for group, items in programmes.STRATEGIES.items()
        for code, label in items
    ]


@router.get(
    f"{PATH}/opened-to-me",
    response={200: list[OpeningOut], **errors_of()},
    summary="Self-control programmes opened to me",
)
def opened_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Programmes their owners opened to me (their peer mentor) and that are open now, the
    soonest to close first. Reading one is audited; nothing here opens its content."""
    member = member_of(request)
    return [_opening_out(opening) for opening in programmes.opened_to(member)]


@router.get(
    f"{PATH}/{{programme_id}}",
    response={200: ProgrammeOut, **errors_of(404)},
    summary="One self-control programme",
)
def programme_detail(request: HttpRequest, programme_id: str, response: HttpResponse) -> Any:
    """The owner's; read by the peer mentor it is opened to (audited) until it closes."""
    found = access.programme_for_member(member_of(request), programme_id)
    return _answer(member_of(request), found, response)


@router.patch(
    f"{PATH}/{{programme_id}}",
    response={200: ProgrammeOut, **errors_of(400, 403, 404, 409)},
    summary="Change a self-control programme",
)
def programme_change(
    request: HttpRequest,
    programme_id: str,
    payload: ProgrammeChange,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> Any:
    """Change the commitment, the target behaviour, the goal (`goal_by` after today in the
    organisation's zone) or the strategies: only the parts sent, all or nothing. 409 when the
    programme changed since the version in `If-Match`."""
    found = access.programme_for_member(member_of(request), programme_id, Action.CHANGE)
    member = member_of(request)
    version = version_from(if_match)
    sent = payload.model_fields_set
    if payload.goal is not None:
        check_year(payload.goal.goal_by, "goal_by")
    _check_all(payload, sent)
    hints: list[str] = []
    with transaction.atomic():
        if found.version != version:
            raise StaleVersion
        if sent & {"benefits", "told", "obstacles"}:
            plan = programmes.parse_plan(found.content)
            found = programmes.save_commitment(
                actor=member,
                programme=found,
                version=found.version,
                benefits=plan.benefits if payload.benefits is None else payload.benefits,
                told=plan.told if payload.told is None else payload.told,
                obstacles=plan.obstacles if payload.obstacles is None else payload.obstacles,
            )
        if payload.target is not None:
            found = programmes.save_target(
                actor=member, programme=found, version=found.version, target=payload.target
            )
        if payload.goal is not None:
            found, hints = programmes.set_goal(
                actor=member,
                programme=found,
                version=found.version,
                unit=payload.goal.unit,
                direction=payload.goal.direction,
                target=payload.goal.target,
                goal_by=payload.goal.goal_by,
                why=payload.why,
            )
        if payload.strategies is not None:
            found = programmes.save_strategies(
                actor=member,
                programme=found,
                version=found.version,
                codes=payload.strategies.codes,
                own=payload.strategies.own,
                why=payload.why,
            )
    return {**_answer(member, found, response), "hints": hints}


def _check_all(payload: ProgrammeChange, sent: set[str]) -> None:
    """Every part's errors at once, before anything is saved."""
    messages: dict[str, list[str]] = {}
    for name in ("benefits", "target"):
        value = getattr(payload, name)
        if name in sent and value is not None and not value.strip():
            messages[name] = [
                _("Write at least one thing that changing would bring you.")
                if name == "benefits"
                else _("Write the behaviour you want to change, in your own words.")
            ]
    if messages:
        raise ValidationError(messages)


@router.delete(
    f"{PATH}/{{programme_id}}",
    response={200: Deleted, **errors_of(403, 404, 409)},
    summary="Delete a self-control programme",
)
def programme_delete(
    request: HttpRequest, programme_id: str, if_match: str | None = IfMatchOptional
) -> dict[str, Any]:
    """Delete it for good, with its records and openings: its owner only."""
    found = access.programme_for_member(member_of(request), programme_id, Action.DELETE)
    pk = found.pk
    programmes.delete_programme(
        actor=member_of(request),
        programme=found,
        version=None if if_match is None else version_from(if_match),
    )
    return {"id": pk, "deleted": True}


@router.post(
    f"{PATH}/{{programme_id}}/end",
    response={200: ProgrammeOut, **errors_of(400, 403, 404, 409)},
    summary="End a self-control programme",
)
def programme_end(
    request: HttpRequest,
    programme_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> Any:
    """It stays, read-only, to look back on; its openings close. Then a new one can start."""
    found = access.programme_for_member(member_of(request), programme_id, Action.CHANGE)
    member = member_of(request)
    programmes.end_programme(
        actor=member,
        programme=found,
        version=None if if_match is None else version_from(if_match),
    )
    return _answer(member, found, response)


# --- records ----------------------------------------------------------------------------------------


@router.get(
    f"{PATH}/{{programme_id}}/entries",
    response={200: list[EntryOut], **errors_of(404)},
    summary="A programme's records",
)
@paginate(Pages)
def entry_list(request: HttpRequest, programme_id: str) -> list[dict[str, Any]]:
    """Baseline records and logged days, oldest first (audited for the mentor)."""
    found = access.programme_for_member(member_of(request), programme_id)
    records = programmes.read_entries(actor=member_of(request), programme=found)
    return [_entry_out(record) for record in records]


@router.post(
    f"{PATH}/{{programme_id}}/entries",
    response={201: EntryOut, **errors_of(400, 403, 404)},
    summary="Keep a record or log a day",
)
def entry_create(request: HttpRequest, programme_id: str, payload: EntryIn) -> Status:
    """A baseline record (with what came before and after) or a day's count for the log;
    logging a day again replaces its count. A count below 0 or above 999, or a day still to
    come: 400."""
    found = access.programme_for_member(member_of(request), programme_id, Action.CHANGE)
    check_year(payload.day, "day")
    entry = programmes.record_entry(
        actor=member_of(request),
        programme=found,
        phase=payload.phase,
        day=payload.day,
        count=payload.count,
        antecedent=payload.antecedent,
        behaviour=payload.behaviour,
        consequence=payload.consequence,
        note=payload.note,
    )
    return Status(201, _entry_out(programmes.parse_record(entry)))


@router.delete(
    f"{PATH}/{{programme_id}}/entries/{{entry_id}}",
    response={200: Deleted, **errors_of(400, 403, 404)},
    summary="Remove a record",
)
def entry_remove(request: HttpRequest, programme_id: str, entry_id: str) -> dict[str, Any]:
    """A record typed by mistake: its owner only."""
    found = access.programme_for_member(member_of(request), programme_id, Action.CHANGE)
    entry = programmes.entry_of(found, entry_id)
    pk = entry.pk
    programmes.remove_entry(actor=member_of(request), programme=found, entry=entry)
    return {"id": pk, "deleted": True}


# --- revisions and progress -------------------------------------------------------------------------


@router.get(
    f"{PATH}/{{programme_id}}/revisions",
    response={200: list[RevisionOut], **errors_of(404)},
    summary="A programme's revisions",
)
def revision_list(request: HttpRequest, programme_id: str) -> list[dict[str, Any]]:
    """What changed in the plan and why, oldest first (audited for the mentor)."""
    found = access.programme_for_member(member_of(request), programme_id)
    plan = programmes.read_programme(actor=member_of(request), programme=found)
    return [{"on": r.on, "kind": r.kind, "what": r.what, "why": r.why} for r in plan.revisions]


@router.post(
    f"{PATH}/{{programme_id}}/revisions",
    response={201: list[RevisionOut], **errors_of(400, 403, 404, 409)},
    summary="Note a revision",
)
def revision_create(
    request: HttpRequest,
    programme_id: str,
    payload: RevisionIn,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> Status:
    """A dated note of what changes and why (App. 8 "making revisions")."""
    found = access.programme_for_member(member_of(request), programme_id, Action.CHANGE)
    found = programmes.add_revision(
        actor=member_of(request),
        programme=found,
        version=None if if_match is None else version_from(if_match),
        what=payload.what,
        why=payload.why,
    )
    etag(response, found.version)
    plan = programmes.parse_plan(found.content)
    return Status(
        201,
        [{"on": r.on, "kind": r.kind, "what": r.what, "why": r.why} for r in plan.revisions],
    )


@router.get(
    f"{PATH}/{{programme_id}}/chart",
    response={200: ChartOut, **errors_of(404)},
    summary="A programme's progress as numbers",
)
def chart(request: HttpRequest, programme_id: str) -> dict[str, Any]:
    """The counts per day (or per week, by Monday) of the days with records, the baseline
    period, the goal and its date, and the summary in words (audited for the mentor)."""
    found = access.programme_for_member(member_of(request), programme_id)
    member = member_of(request)
    plan = programmes.read_programme(actor=member, programme=found)
    records = programmes.read_entries(actor=member, programme=found, audited=False)
    progress = programmes.progress(found, plan, records, programmes.local_today(found.owner))
    return {
        "unit": progress.unit,
        "start": progress.start,
        "end": progress.end,
        "baseline_from": progress.baseline[0] if progress.baseline else None,
        "baseline_until": progress.baseline[1] if progress.baseline else None,
        "goal": _goal_out(progress.goal, progress.goal_by),
        "goal_by": progress.goal_by,
        "points": [
            {"date": p.day, "count": p.count, "phase": "baseline" if p.baseline else "monitoring"}
            for p in progress.periods
        ],
        "summary": progress.summary,
    }


# --- opening to the peer mentor ------------------------------------------------------------------


@router.get(
    f"{PATH}/{{programme_id}}/openings",
    response={200: list[OpeningOut], **errors_of(403, 404)},
    summary="A programme's openings still open",
)
def opening_list(request: HttpRequest, programme_id: str) -> list[dict[str, Any]]:
    """To whom, and until when, I opened my programme (its owner only)."""
    found = access.programme_for_member(member_of(request), programme_id, Action.CHANGE)
    return [_opening_out(opening) for opening in programmes.openings_of(found)]


@router.post(
    f"{PATH}/{{programme_id}}/openings",
    response={201: OpeningOut, **errors_of(400, 403, 404)},
    summary="Open a programme to my peer mentor",
)
def opening_create(request: HttpRequest, programme_id: str, payload: OpeningIn) -> Status:
    """Read-only, until `expires_at` (not in the past, at most 90 days ahead), to the peer
    mentor who mentors me (§4.2); anyone else is 400. A new opening to the same person
    replaces one still open. They are told in neutral words."""
    found = access.programme_for_member(member_of(request), programme_id, Action.CHANGE)
    member = member_of(request)
    check_year(payload.expires_at, "expires_at")
    try:
        grantee = core_access.membership_for_member(member, payload.grantee_id)
    except Http404:
        grantee = None
    opening = programmes.open_programme(
        actor=member, programme=found, grantee=grantee, expires_at=payload.expires_at
    )
    opening = Opening.objects.select_related("owner__user", "grantee__user").get(pk=opening.pk)
    return Status(201, _opening_out(opening))


@router.delete(
    "/programme-openings/{opening_id}",
    response={200: OpeningOut, **errors_of(404)},
    summary="Close an opening of a programme",
)
def opening_close(request: HttpRequest, opening_id: str) -> dict[str, Any]:
    """Close it before its expiry: the mentor gets 404 from then on. The owner only."""
    opening = access.opening_for_owner(member_of(request), opening_id)
    if opening.programme_id is None:
        raise Http404  # a risk circle's opening: closed through the circle's API
    opening = programmes.close_opening(actor=member_of(request), opening=opening)
    opening = Opening.objects.select_related("owner__user", "grantee__user").get(pk=opening.pk)
    return _opening_out(opening)
