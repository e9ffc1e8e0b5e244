"""Concerns through the API (issue 8 item 8; shared/API.md; guide §4.1, §4.2, App. 10
cases 1 and 3).

Thin handlers, as in ``peerwork.support.api_mentoring``: each finds the acting membership,
calls the record's gate first (``peerwork.concerns.access``), then a flow in ``intake``, and
answers with a typed schema built here. Flows raise ``ValidationError`` (400, the fields at
fault named, nothing saved), ``PermissionDenied`` (403) and ``StaleVersion`` (409); gates
raise ``Http404`` (404: missing, another organisation's, or not the asker's to see).

Two of intake's rules answer 400 with more than a sentence:

- **signs only** (§4.2, App. 10 case 1): signs with no effect on work are not a concern;
  ``errors.work_impact`` says so. Send the effect on work, or record it closed with
  ``"outcome": "no_action"`` and its ``outcome_reason``.
- **the agreed pattern first** (App. 10 case 3): a time-keeping (or explained attendance)
  concern about someone with agreed hours answers ``errors.category`` and the hours as
  data (``pattern``). Send ``"outcome": "pattern_review"`` to review the pattern instead,
  or ``"record_anyway": true`` to record the concern all the same.

What each answer shows follows the [record: concerns] section of the access matrix: the
person reads their own concerns (no secret files); their line manager and HR read and work
them; HR removes one raised in error; the director and HR read counts only
(``/concern-aggregates``), with counts from 1 to 4 hidden.

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the query schemas' names could not be looked up.
"""

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, PersonRef, Text, Time, codes, errors, person_ref
from peerwork.core.access import Action, lookup
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership

from . import access, intake
from .models import Concern

router = Router(tags=["concerns"])

SourceCode = Annotated[Concern.Source, codes(Concern.Source)]
CategoryCode = Annotated[Concern.Category, codes(Concern.Category)]
SignCode = Annotated[Concern.Sign, codes(Concern.Sign)]
PathCode = Annotated[Concern.Path, codes(Concern.Path)]
StateCode = Annotated[Concern.State, codes(Concern.State)]
OutcomeCode = Annotated[Concern.Outcome, codes(Concern.Outcome)]
ClosingOutcome = Literal["resolved", "no_action", "no_grounds", "pattern_review"]
IntakeOutcome = Literal["no_action", "pattern_review"]

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


def _concerns_member(request: HttpRequest) -> Membership:
    """The list's and intake's gate: working members; anyone else gets 404."""
    member = member_of(request)
    if not access.uses_concerns(member):
        raise Http404
    return member


def _person(member: Membership, wanted: uuid.UUID) -> Membership:
    """Whom a new concern is about; one the member may not record about is the field's
    fault (unseen and unmanaged alike)."""
    refused = ValidationError(
        {"person": [_("Choose someone you manage (HR: anyone working here), not yourself.")]}
    )
    try:
        person = lookup(
            Membership.objects.filter(organisation_id=member.organisation_id).select_related(
                "user", "organisation"
            ),
            wanted,
        )
    except Http404:
        raise refused from None
    if not intake.may_raise_about(member, person):
        raise refused
    return person


# --- shapes ------------------------------------------------------------------------------------


class HintOut(Schema):
    """A gentle wording hint about the free text (§4.3): never a refusal."""

    field: str
    word: str = Field(description="As typed.")
    instead: str = Field(description="What many people find more respectful.")
    message: str


class ConcernOut(Schema):
    """A concern about work (§4.2). The person reads all of it."""

    id: uuid.UUID
    person: PersonRef
    raised_by: PersonRef | None
    raised_at: Time
    source: SourceCode
    source_label: str
    category: CategoryCode = Field(description="The effect on work: always a work category.")
    category_label: str
    path: PathCode
    path_label: str
    signs: list[SignCode] = Field(
        description="Signs noticed, kept beside the category and never instead of it."
    )
    noticed_from: dt.date
    noticed_to: dt.date | None
    what_happened: str
    evidence: str
    work_impact: str
    state: StateCode
    outcome: OutcomeCode | None
    outcome_reason: str
    closed_at: Time | None
    version: int = Field(description="Send it back as `If-Match` to change or close it.")
    hints: list[HintOut] = Field(
        description="Wording hints for whoever works the case (empty for anyone else)."
    )


def _hints(concern: Concern, member: Membership) -> list[dict[str, str]]:
    if not access.manages_case(member, concern.person):
        return []
    return [
        {"field": name, "word": h.word, "instead": h.instead, "message": h.message}
        for name, found in intake.hints_of(concern).items()
        for h in found
    ]


def _out(concern: Concern, member: Membership) -> dict[str, object]:
    return {
        "id": concern.pk,
        "person": person_ref(concern.person),
        "raised_by": person_ref(concern.raised_by),
        "raised_at": concern.raised_at,
        "source": concern.source,
        "source_label": concern.get_source_display(),
        "category": concern.category,
        "category_label": concern.get_category_display(),
        "path": concern.path,
        "path_label": concern.get_path_display(),
        "signs": list(concern.signs or []),
        "noticed_from": concern.noticed_from,
        "noticed_to": concern.noticed_to,
        "what_happened": str(concern.what_happened or ""),
        "evidence": str(concern.evidence or ""),
        "work_impact": str(concern.work_impact or ""),
        "state": concern.state,
        "outcome": concern.outcome or None,
        "outcome_reason": str(concern.outcome_reason or ""),
        "closed_at": concern.closed_at,
        "version": concern.version,
        "hints": _hints(concern, member),
    }


class PatternDayOut(Schema):
    weekday: int = Field(description="0 is Monday.")
    day: str
    starts: str = Field(description="Local time, like 09:00.")
    ends: str
    core_starts: str | None
    core_ends: str | None


class AdjustmentOut(Schema):
    """An agreed change of hours: the hours only, never a reason."""

    id: uuid.UUID
    hours: str
    valid_from: dt.date
    valid_until: dt.date | None


class PatternOut(Schema):
    """The person's agreed working hours, to look at before a time-keeping concern."""

    person: PersonRef
    time_zone: str
    days: list[PatternDayOut]
    adjustments: list[AdjustmentOut]
    off_days: list[dt.date] = Field(description="Days named that are not their working days.")


class RefusedOut(Schema):
    """400: a refused rule, its fields, and for the pattern-first rule the hours."""

    detail: str
    errors: dict[str, list[str]] | None = None
    pattern: PatternOut | None = None


def _hm(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _pattern_out(found: intake.AgreedPattern) -> dict[str, object]:
    return {
        "person": person_ref(found.person),
        "time_zone": found.person.organisation.time_zone,
        "days": [
            {
                "weekday": day.weekday,
                "day": name,
                "starts": _hm(day.starts),
                "ends": _hm(day.ends),
                "core_starts": _hm(day.core_starts),
                "core_ends": _hm(day.core_ends),
            }
            for name, day in found.day_rows
        ],
        "adjustments": [
            {
                "id": row.pk,
                "hours": hours,
                "valid_from": row.valid_from,
                "valid_until": row.valid_until,
            }
            for row, hours in found.adjustment_rows()
        ],
        "off_days": list(found.off_days),
    }


def _refusals(*extra: int) -> dict[int, type[Schema]]:
    answers = errors(*extra)
    answers[400] = RefusedOut
    return answers


# --- concerns -------------------------------------------------------------------------------


class ConcernFilters(Schema):
    state: StateCode | None = None
    person: uuid.UUID | None = Field(None, description="Only the concerns about this person.")


@router.get(
    "/concerns",
    response={200: list[ConcernOut], **errors(404)},
    summary="Concerns",
)
@paginate(Pages)
def concern_list(request: HttpRequest, filters: Query[ConcernFilters]) -> list[dict[str, object]]:
    """Newest first: the concerns about one's own work; for a line manager, those about
    the people they manage; for HR, all; where one is named to support someone, theirs
    while open. Peer interviewers, facilitators, coaches and outsiders: 404."""
    member = _concerns_member(request)
    found = intake.concerns_visible_to(member)
    if filters.state is not None:
        found = found.filter(state=filters.state)
    if filters.person is not None:
        found = found.filter(person_id=filters.person)
    return [_out(concern, member) for concern in found.order_by("-raised_at", "id")]


class ConcernIn(Schema):
    person: uuid.UUID = Field(description="Someone you manage (HR: anyone working here).")
    source: SourceCode
    category: CategoryCode = Field(description="What was the effect on work?")
    noticed_from: dt.date = Field(description="First noticed: today or earlier, locally.")
    noticed_to: dt.date | None = Field(None, description="Last noticed, if not the same day.")
    what_happened: Text = Field(max_length=intake.TEXT_MAX, description="At work.")
    evidence: Text = Field("", max_length=intake.TEXT_MAX)
    work_impact: Text = Field("", max_length=intake.TEXT_MAX)
    signs: list[SignCode] = Field(default_factory=list, max_length=len(Concern.Sign.values) * 2)
    path: PathCode | None = Field(None, description="Left out: the category's usual path.")
    record_anyway: bool = Field(
        False, description="Record it even though the agreed pattern may answer it."
    )
    outcome: IntakeOutcome | None = Field(
        None,
        description="Record it closed at once: `no_action` (signs only, with the reason) "
        "or `pattern_review` (the agreed pattern is reviewed instead).",
    )
    outcome_reason: Text = Field("", max_length=intake.REASON_MAX)


def _new_fields(payload: ConcernIn) -> intake.ConcernFields:
    return intake.ConcernFields(
        source=payload.source,
        category=payload.category,
        noticed_from=payload.noticed_from,
        noticed_to=payload.noticed_to,
        what_happened=payload.what_happened,
        evidence=payload.evidence,
        work_impact=payload.work_impact,
        signs=[str(sign) for sign in payload.signs],
        path=payload.path,
    )


@router.post(
    "/concerns",
    response={201: ConcernOut, **_refusals(403, 404)},
    summary="Record a concern",
)
def concern_create(request: HttpRequest, payload: ConcernIn, response: HttpResponse) -> Status:
    """A line manager about someone they manage, or HR about anyone working; never about
    oneself (403 for anyone else who works here). The person is told, in words that name
    nobody. Signs with no effect on work (400, `errors.work_impact`) and the agreed
    pattern first (400, `errors.category` and `pattern`) are described above."""
    member = _concerns_member(request)
    if not access.raises_concerns(member):
        raise PermissionDenied(_("Line managers and HR record concerns."))
    person = _person(member, payload.person)
    try:
        concern = intake.record_concern(
            actor=member,
            person=person,
            fields=_new_fields(payload),
            record_anyway=payload.record_anyway,
            close_as=payload.outcome,
            reason=payload.outcome_reason,
        )
    except intake.PatternFirst as first:
        message = str(first.message_dict["category"][0])
        return Status(
            400,
            {
                "detail": message,
                "errors": {"category": [message]},
                "pattern": _pattern_out(first.pattern),
            },
        )
    etag(response, concern.version)
    return Status(201, _out(concern, member))


@router.get(
    "/concerns/{concern_id}",
    response={200: ConcernOut, **errors(404)},
    summary="One concern",
)
def concern_detail(
    request: HttpRequest, concern_id: str, response: HttpResponse
) -> dict[str, object]:
    """For the person, their line manager, HR, someone named to support them while it is
    open, and the investigators of an investigation of it; 404 for anyone else."""
    concern = access.concern_for_member(member_of(request), concern_id)
    etag(response, concern.version)
    return _out(concern, member_of(request))


class ConcernChange(Schema):
    """Only the fields sent change."""

    source: SourceCode | None = None
    category: CategoryCode | None = None
    noticed_from: dt.date | None = None
    noticed_to: dt.date | None = None
    what_happened: Text | None = Field(None, max_length=intake.TEXT_MAX)
    evidence: Text | None = Field(None, max_length=intake.TEXT_MAX)
    work_impact: Text | None = Field(None, max_length=intake.TEXT_MAX)
    signs: list[SignCode] | None = Field(None, max_length=len(Concern.Sign.values) * 2)
    path: PathCode | None = None


def _changed_fields(payload: ConcernChange, concern: Concern) -> intake.ConcernFields:
    """What is stored, with what was sent over it (``null`` clears the last day)."""
    sent = payload.model_fields_set

    def text(name: str) -> str:
        value = getattr(payload, name) if name in sent else getattr(concern, name)
        return str(value or "")

    return intake.ConcernFields(
        source=payload.source if payload.source is not None else concern.source,
        category=payload.category if payload.category is not None else concern.category,
        noticed_from=payload.noticed_from or concern.noticed_from,
        noticed_to=payload.noticed_to if "noticed_to" in sent else concern.noticed_to,
        what_happened=text("what_happened"),
        evidence=text("evidence"),
        work_impact=text("work_impact"),
        signs=[
            str(sign) for sign in (payload.signs if payload.signs is not None else concern.signs)
        ],
        path=payload.path or concern.path,
    )


def _changer(request: HttpRequest, concern_id: str, action: str, refusal: str) -> Concern:
    try:
        return access.concern_for_member(member_of(request), concern_id, action)
    except PermissionDenied:
        raise PermissionDenied(refusal) from None


@router.patch(
    "/concerns/{concern_id}",
    response={200: ConcernOut, **errors(400, 403, 404, 409)},
    summary="Correct a concern",
)
def concern_change(
    request: HttpRequest,
    concern_id: str,
    payload: ConcernChange,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """The line manager or HR corrects an open concern (403 for the person and anyone
    else who reads it). The path stays once a stage of it is recorded."""
    concern = _changer(
        request, concern_id, Action.CHANGE, _("Only their line manager or HR changes a concern.")
    )
    intake.change_concern(
        actor=member_of(request),
        concern=concern,
        fields=_changed_fields(payload, concern),
        version=version_from(if_match),
    )
    etag(response, concern.version)
    return _out(concern, member_of(request))


class CloseIn(Schema):
    outcome: ClosingOutcome
    reason: Text = Field(max_length=intake.REASON_MAX, description="Why; the person reads it.")


@router.post(
    "/concerns/{concern_id}/close",
    response={200: ConcernOut, **errors(400, 403, 404, 409)},
    summary="Close a concern",
)
def concern_close(
    request: HttpRequest,
    concern_id: str,
    payload: CloseIn,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    """The line manager or HR closes an open concern with its outcome and the reason; the
    person is told. A closed one answers 400."""
    concern = _changer(
        request, concern_id, Action.CHANGE, _("Only their line manager or HR closes a concern.")
    )
    intake.close_concern(
        actor=member_of(request),
        concern=concern,
        outcome=payload.outcome,
        reason=payload.reason,
        version=None if if_match is None else version_from(if_match),
    )
    etag(response, concern.version)
    return _out(concern, member_of(request))


class Removed(Schema):
    id: uuid.UUID
    removed: bool


@router.delete(
    "/concerns/{concern_id}",
    response={200: Removed, **errors(400, 403, 404)},
    summary="Remove a concern raised in error",
)
def concern_remove(request: HttpRequest, concern_id: str) -> dict[str, object]:
    """HR only (403 for the line manager and the person), with everything recorded under
    it. The audit chain keeps that it was removed, and by whom."""
    concern = _changer(
        request, concern_id, Action.DELETE, _("Only HR removes a concern raised in error.")
    )
    pk = concern.pk
    intake.delete_concern(actor=member_of(request), concern=concern)
    return {"id": pk, "removed": True}


# --- aggregates -------------------------------------------------------------------------------


class FigureOut(Schema):
    code: str
    label: str
    count: int | None = Field(description="Null when hidden: shown as fewer than 5.")
    hidden: bool


class QuarterOut(Schema):
    year: int
    quarter: int
    label: str
    starts: dt.date
    ends: dt.date
    by_category: list[FigureOut]
    by_path: list[FigureOut]
    by_outcome: list[FigureOut]
    reached_meeting: FigureOut
    handed_off: FigureOut


class AggregatesOut(Schema):
    """Counts of concerns by the quarter they were recorded in (the organisation's
    dates): never names."""

    minimum_group_size: int = Field(
        description="Counts from 1 to one below this are hidden (and one more beside a lone "
        "hidden count), so nobody in a small team can be picked out."
    )
    quarters: list[QuarterOut]


def _figure(figure: intake.Figure) -> dict[str, object]:
    return {
        "code": figure.code,
        "label": figure.label,
        "count": figure.shown,
        "hidden": figure.suppressed,
    }


@router.get(
    "/concern-aggregates",
    response={200: AggregatesOut, **errors(404)},
    summary="Counts of concerns",
)
def concern_aggregates(request: HttpRequest) -> dict[str, object]:
    """This quarter and the four before it, for the director and HR (404 for anyone else)."""
    member = member_of(request)
    if not access.sees_aggregates(member):
        raise Http404
    return {
        "minimum_group_size": intake.MINIMUM_GROUP_SIZE,
        "quarters": [
            {
                "year": quarter.year,
                "quarter": quarter.number,
                "label": quarter.label,
                "starts": quarter.starts,
                "ends": quarter.ends,
                "by_category": [_figure(f) for f in quarter.by_category],
                "by_path": [_figure(f) for f in quarter.by_path],
                "by_outcome": [_figure(f) for f in quarter.by_outcome],
                "reached_meeting": _figure(quarter.reached_meeting),
                "handed_off": _figure(quarter.handed_off),
            }
            for quarter in intake.aggregates(member.organisation)
        ],
    }
