"""A concern's path, its targets and its hand-off through the API (issue 8 items 3, 4 and 8;
App. 9, §4.2, §4.3; shared/API.md).

Thin handlers: each finds the acting membership, calls the record's gate first
(``peerwork.concerns.access``), then a service (``paths.record_step`` for every path's
stages, ``app9`` for targets and the hand-off), and answers with a typed schema built here.
Services raise ``ValidationError`` (400, the fields at fault named, nothing saved),
``PermissionDenied`` (403) and ``StaleVersion`` (409); gates raise ``Http404`` (404:
missing, another organisation's, or not the asker's to see, one answer).

- **stages**: read by whoever reads the case (the staff member, their line manager, HR);
  recorded and corrected by the line manager or HR.
- **targets** (App. 9 q7): measures of work only; the staff member may send only their
  ``self_reflection`` (other fields: 400 naming them), the line manager or HR everything
  else.
- **hand-offs**: asked for by the line manager or HR, countersigned by HR for gross
  misconduct. The summary document is a page download (``summary`` links to it), never an
  API answer: every API answer is JSON.

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the query schemas' names could not be looked up.
"""

import datetime as dt
import uuid
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, PersonRef, Text, Time, check_year, codes, errors, person_ref
from peerwork.core.access import Action
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership

from . import access, app9, paths
from .models import Concern, Handoff, PathStep, Target

router = Router(tags=["concerns"])

MeasureCode = Annotated[Target.Measure, codes(Target.Measure)]
OutcomeCode = Annotated[Target.Outcome, codes(Target.Outcome)]
GroundsCode = Annotated[Handoff.Grounds, codes(Handoff.Grounds)]
HandoffStateCode = Annotated[Handoff.State, codes(Handoff.State)]
Answer = str | list[str]

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
    member = member_of(request)
    if not access.uses_concerns(member):
        raise Http404
    return member


def _concern_in_body(member: Membership, concern_id: uuid.UUID, action: str) -> Concern:
    """A concern named in a body, through its gate; unseen is the field's fault."""
    try:
        return access.concern_for_member(member, concern_id, action)
    except Http404:
        raise ValidationError({"concern": [_("Choose a concern you work on.")]}) from None


# --- stages --------------------------------------------------------------------------------


class StepOut(Schema):
    """One recorded stage of a concern's path."""

    id: uuid.UUID
    concern: uuid.UUID
    stage: str = Field(description="The stage's key on its path: `q1`…`q8` on App. 9's.")
    title: str
    guide: str = Field(description="Where it comes from in the guide: `App. 9 q1`, `§4.6`.")
    answers: dict[str, Answer] = Field(
        description="The structured answers by question key: a code, a list of codes, a "
        "date (YYYY-MM-DD) or a short line."
    )
    notes: str
    meeting: uuid.UUID | None = Field(description="The review meeting it was in.")
    recorded_by: PersonRef | None
    recorded_at: Time
    version: int = Field(description="Send it back as `If-Match` to correct the stage.")


def _step_out(step: PathStep) -> dict[str, object]:
    spec = paths.spec_for(step.concern)
    stage = spec.stage(step.stage) if spec is not None else None
    return {
        "id": step.pk,
        "concern": step.concern_id,
        "stage": step.stage,
        "title": str(stage.title) if stage else step.stage,
        "guide": stage.guide if stage else "",
        "answers": step.answers if isinstance(step.answers, dict) else {},
        "notes": step.notes or "",
        "meeting": step.meeting_id,
        "recorded_by": person_ref(step.recorded_by),
        "recorded_at": step.recorded_at,
        "version": step.version,
    }


@router.get(
    "/concerns/{concern_id}/steps",
    response={200: list[StepOut], **errors(404)},
    summary="The recorded stages of a concern's path",
    tags=["concern paths"],
)
@paginate(Pages)
def step_list(request: HttpRequest, concern_id: str) -> list[dict[str, object]]:
    """In the path's order, for the staff member, their line manager and HR (not a named
    supporter: they read the case, never its path)."""
    member = member_of(request)
    concern = access.concern_for_member(member, concern_id)
    if not app9.reads_path(member, concern):
        raise Http404
    recorded = paths.steps_of(concern)
    spec = paths.spec_for(concern)
    order = [s.key for s in spec.stages] if spec is not None else []
    rows = sorted(
        recorded.values(), key=lambda s: order.index(s.stage) if s.stage in order else len(order)
    )
    for row in rows:
        row.concern = concern
    return [_step_out(row) for row in rows]


class StepIn(Schema):
    stage: str = Field(max_length=40, description="The stage's key on the concern's path.")
    answers: dict[str, Answer] = Field(default_factory=dict)
    notes: Text = Field("", max_length=app9.TEXT_MAX)
    meeting: uuid.UUID | None = Field(None, description="A review meeting of this concern.")


@router.post(
    "/concerns/{concern_id}/steps",
    response={201: StepOut, **errors(400, 403, 404, 409)},
    summary="Record a stage of a concern's path",
    tags=["concern paths"],
)
def step_create(
    request: HttpRequest, concern_id: str, payload: StepIn, response: HttpResponse
) -> Status:
    """The line manager or HR record a stage (once; correct it with PATCH on the step).
    Refused (400, naming what is wrong) when an earlier stage of an in-order path is
    missing, an answer does not fit its question, or the path's own rule says no."""
    member = member_of(request)
    concern = access.concern_for_member(member, concern_id, Action.CHANGE)
    existing = paths.steps_of(concern).get(payload.stage)
    if existing is not None:
        raise ValidationError({"stage": [_("This stage is recorded already: correct it instead.")]})
    step = paths.record_step(
        actor=member,
        concern=concern,
        stage_key=payload.stage,
        answers=payload.answers,
        notes=payload.notes,
        meeting=app9.meeting_of_concern(concern, payload.meeting, "meeting"),
    )
    etag(response, step.version)
    return Status(201, _step_out(step))


@router.get(
    "/path-steps/{path_step_id}",
    response={200: StepOut, **errors(404)},
    summary="One recorded stage",
    tags=["concern paths"],
)
def step_detail(
    request: HttpRequest, path_step_id: str, response: HttpResponse
) -> dict[str, object]:
    step = access.step_for_member(member_of(request), path_step_id)
    etag(response, step.version)
    return _step_out(step)


class StepChange(Schema):
    """Only the fields sent change; `answers`, when sent, are the stage's whole answers."""

    answers: dict[str, Answer] | None = None
    notes: Text | None = Field(None, max_length=app9.TEXT_MAX)
    meeting: uuid.UUID | None = None


@router.patch(
    "/path-steps/{path_step_id}",
    response={200: StepOut, **errors(400, 403, 404, 409)},
    summary="Correct a recorded stage",
    tags=["concern paths"],
)
def step_change(
    request: HttpRequest,
    path_step_id: str,
    payload: StepChange,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """The line manager or HR correct a stage (403 for the staff member)."""
    member = member_of(request)
    try:
        step = access.step_for_member(member, path_step_id, Action.CHANGE)
    except PermissionDenied:
        raise PermissionDenied(_("Only the line manager or HR record the stages.")) from None
    sent = payload.model_fields_set
    concern = step.concern
    meeting = (
        app9.meeting_of_concern(concern, payload.meeting, "meeting")
        if "meeting" in sent
        else step.meeting
    )
    changed = paths.record_step(
        actor=member,
        concern=concern,
        stage_key=step.stage,
        answers=payload.answers if payload.answers is not None else dict(step.answers or {}),
        notes=payload.notes if payload.notes is not None else (step.notes or ""),
        meeting=meeting,
        version=version_from(if_match),
    )
    etag(response, changed.version)
    return _step_out(changed)


# --- targets -------------------------------------------------------------------------------


class TargetOut(Schema):
    """A target for work (App. 9 q7)."""

    id: uuid.UUID
    concern: uuid.UUID
    person: PersonRef
    measure: MeasureCode = Field(description="A measure of work; never of drug use.")
    measure_label: str
    description: str = Field(description="What good looks like.")
    review_on: dt.date
    feedback_sources: str
    self_reflection: str = Field(description="The staff member's own words.")
    set_in: uuid.UUID | None = Field(description="The review meeting it was set in.")
    outcome: OutcomeCode
    outcome_label: str
    reviewed_in: uuid.UUID | None
    reviewed_at: Time | None
    set_by: PersonRef | None
    set_at: Time
    version: int = Field(description="Send it back as `If-Match` to change the target.")


def _target_out(target: Target) -> dict[str, object]:
    return {
        "id": target.pk,
        "concern": target.concern_id,
        "person": person_ref(target.person),
        "measure": target.measure,
        "measure_label": str(target.get_measure_display()),
        "description": target.description or "",
        "review_on": target.review_on,
        "feedback_sources": target.feedback_sources or "",
        "self_reflection": target.self_reflection or "",
        "set_in": target.set_in_id,
        "outcome": target.outcome,
        "outcome_label": str(target.get_outcome_display()),
        "reviewed_in": target.reviewed_in_id,
        "reviewed_at": target.reviewed_at,
        "set_by": person_ref(target.set_by),
        "set_at": target.set_at,
        "version": target.version,
    }


class TargetQuery(Schema):
    concern: uuid.UUID | None = Field(None, description="Only this concern's targets.")


@router.get(
    "/targets",
    response={200: list[TargetOut], **errors(404)},
    summary="Targets for work",
    tags=["concern targets"],
)
@paginate(Pages)
def target_list(request: HttpRequest, query: Query[TargetQuery]) -> list[dict[str, object]]:
    """A concern's targets (`?concern=`), or every target the member reads: their own,
    their reports' and, for HR, everyone's. By review date."""
    member = _concerns_member(request)
    if query.concern is not None:
        concern = access.concern_for_member(member, query.concern)
        # The readers of targets (``access.target_for_member``): not a named supporter.
        if not (member.pk == concern.person_id or access.manages_case(member, concern.person)):
            raise Http404
        rows = app9.targets_of(concern).select_related("person__user", "set_by__user")
    else:
        rows = app9.targets_visible_to(member)
    return [_target_out(t) for t in rows.order_by("review_on", "set_at", "id")]


class TargetIn(Schema):
    concern: uuid.UUID
    measure: MeasureCode
    description: Text = Field(max_length=app9.TEXT_MAX, description="What good looks like.")
    review_on: dt.date = Field(description="After today, where the organisation works.")
    feedback_sources: Text = Field(max_length=app9.TEXT_MAX)
    set_in: uuid.UUID | None = Field(None, description="A review meeting of the concern.")


@router.post(
    "/targets",
    response={201: TargetOut, **errors(400, 403)},
    summary="Set a target for work",
    tags=["concern targets"],
)
def target_create(request: HttpRequest, payload: TargetIn, response: HttpResponse) -> Status:
    """The line manager or HR set a target (App. 9 q7). A description or source of feedback
    that makes drug use, abstinence, a way of using, a dose or a test the measure is refused
    (400, the field named), as is a review date not after today."""
    member = _concerns_member(request)
    concern = _concern_in_body(member, payload.concern, Action.CHANGE)
    check_year(payload.review_on, "review_on")
    target = app9.set_target(
        actor=member,
        concern=concern,
        fields=app9.TargetFields(
            measure=payload.measure,
            description=payload.description,
            review_on=payload.review_on,
            feedback_sources=payload.feedback_sources,
            set_in=app9.meeting_of_concern(concern, payload.set_in, "set_in"),
        ),
    )
    etag(response, target.version)
    return Status(201, _target_out(target))


@router.get(
    "/targets/{target_id}",
    response={200: TargetOut, **errors(404)},
    summary="One target",
    tags=["concern targets"],
)
def target_detail(
    request: HttpRequest, target_id: str, response: HttpResponse
) -> dict[str, object]:
    target = access.target_for_member(member_of(request), target_id)
    etag(response, target.version)
    return _target_out(target)


class TargetChange(Schema):
    """Only the fields sent change. The staff member sends only `self_reflection`; the line
    manager or HR send the others."""

    measure: MeasureCode | None = None
    description: Text | None = Field(None, max_length=app9.TEXT_MAX)
    review_on: dt.date | None = None
    feedback_sources: Text | None = Field(None, max_length=app9.TEXT_MAX)
    set_in: uuid.UUID | None = None
    self_reflection: Text | None = Field(None, max_length=app9.TEXT_MAX)


MANAGER_FIELDS = ("measure", "description", "review_on", "feedback_sources", "set_in")


@router.patch(
    "/targets/{target_id}",
    response={200: TargetOut, **errors(400, 403, 404, 409)},
    summary="Change a target, or write my self-reflection",
    tags=["concern targets"],
)
def target_change(
    request: HttpRequest,
    target_id: str,
    payload: TargetChange,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    member = member_of(request)
    target = access.target_for_member(member, target_id, Action.CHANGE)
    sent = payload.model_fields_set
    version = version_from(if_match)
    if member.pk == target.person_id:
        others = sorted(sent & set(MANAGER_FIELDS))
        if others:
            message = _("Only your self-reflection can change here.")
            raise ValidationError({name: [message] for name in others})
        if "self_reflection" in sent:
            target = app9.write_reflection(
                actor=member,
                target=target,
                self_reflection=payload.self_reflection or "",
                version=version,
            )
    else:
        if "self_reflection" in sent:
            raise ValidationError(
                {"self_reflection": [_("Only the staff member writes their self-reflection.")]}
            )
        check_year(payload.review_on, "review_on")
        concern = target.concern
        target = app9.change_target(
            actor=member,
            target=target,
            fields=app9.TargetFields(
                measure=payload.measure if payload.measure is not None else target.measure,
                description=payload.description
                if payload.description is not None
                else (target.description or ""),
                review_on=payload.review_on if payload.review_on is not None else target.review_on,
                feedback_sources=payload.feedback_sources
                if payload.feedback_sources is not None
                else (target.feedback_sources or ""),
                set_in=app9.meeting_of_concern(concern, payload.set_in, "set_in")
                if "set_in" in sent
                else target.set_in,
            ),
            version=version,
        )
    etag(response, target.version)
    return _target_out(target)


class TargetReviewIn(Schema):
    meeting: uuid.UUID = Field(
        description="A held review meeting of the concern, on or after the review date."
    )
    outcome: OutcomeCode = Field(description="`met`, `partly` or `unmet`.")


@router.post(
    "/targets/{target_id}/review",
    response={200: TargetOut, **errors(400, 403, 404, 409)},
    summary="Record a target's review",
    tags=["concern targets"],
)
def target_review(
    request: HttpRequest,
    target_id: str,
    payload: TargetReviewIn,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    """The line manager or HR record how a target went, in a review meeting held on or
    after its review date (an earlier one: 400)."""
    member = member_of(request)
    target = access.target_for_member(member, target_id, Action.CHANGE)
    if not access.manages_case(member, target.person):
        raise PermissionDenied(_("Only the line manager or HR review a target."))
    target = app9.review_target(
        actor=member,
        target=target,
        meeting=app9.meeting_of_concern(target.concern, payload.meeting, "meeting"),
        outcome=payload.outcome,
        version=target.version if if_match is None else version_from(if_match),
    )
    etag(response, target.version)
    return _target_out(target)


# --- hand-offs -----------------------------------------------------------------------------


class HandoffOut(Schema):
    """A hand-off to the organisation's disciplinary procedure. Peerwork runs no discipline."""

    id: uuid.UUID
    concern: uuid.UUID
    person: PersonRef
    grounds: GroundsCode
    grounds_label: str
    state: HandoffStateCode
    state_label: str
    review: uuid.UUID | None = Field(description="The review meeting that found targets unmet.")
    reason: str = Field(description="The written reason (required for gross misconduct).")
    requested_by: PersonRef | None
    requested_at: Time
    countersigned_by: PersonRef | None
    countersigned_at: Time | None
    summary: str = Field(
        description="Where the summary for the organisation's procedure is downloaded (a PDF "
        "page for the signed-in browser)."
    )
    version: int


def _handoff_out(handoff: Handoff) -> dict[str, object]:
    return {
        "id": handoff.pk,
        "concern": handoff.concern_id,
        "person": person_ref(handoff.person),
        "grounds": handoff.grounds,
        "grounds_label": str(handoff.get_grounds_display()),
        "state": handoff.state,
        "state_label": str(handoff.get_state_display()),
        "review": handoff.review_id,
        "reason": handoff.reason or "",
        "requested_by": person_ref(handoff.requested_by),
        "requested_at": handoff.requested_at,
        "countersigned_by": person_ref(handoff.countersigned_by),
        "countersigned_at": handoff.countersigned_at,
        "summary": reverse("concerns:handoff_pdf", args=[handoff.pk]),
        "version": handoff.version,
    }


class HandoffIn(Schema):
    concern: uuid.UUID
    grounds: GroundsCode = Field(
        description="`unmet_despite_support` or `support_refused` (App. 9 path only), or "
        "`gross_misconduct` (any path; waits for HR's countersignature)."
    )
    review: uuid.UUID | None = Field(
        None, description="For the App. 9 grounds: the held review that found targets unmet."
    )
    reason: Text = Field("", max_length=app9.TEXT_MAX)


@router.post(
    "/handoffs",
    response={201: HandoffOut, **errors(400, 403)},
    summary="Ask to hand a concern to the disciplinary procedure",
    tags=["concern hand-offs"],
)
def handoff_create(request: HttpRequest, payload: HandoffIn) -> Status:
    """The line manager or HR ask. Refused (400, naming each thing missing) unless the
    grounds are met: on App. 9's, stages q1–q7, a target, a held review on or after a
    target's date recording targets unmet, and the support stage; for gross misconduct, a
    written reason (then it waits for HR's countersignature)."""
    member = _concerns_member(request)
    concern = _concern_in_body(member, payload.concern, Action.CHANGE)
    handoff = app9.request_handoff(
        actor=member,
        concern=concern,
        grounds=payload.grounds,
        review=app9.meeting_of_concern(concern, payload.review, "review"),
        reason=payload.reason,
    )
    return Status(201, _handoff_out(handoff))


@router.get(
    "/handoffs/{handoff_id}",
    response={200: HandoffOut, **errors(404)},
    summary="One hand-off",
    tags=["concern hand-offs"],
)
def handoff_detail(
    request: HttpRequest, handoff_id: str, response: HttpResponse
) -> dict[str, object]:
    handoff = access.handoff_for_member(member_of(request), handoff_id)
    etag(response, handoff.version)
    return _handoff_out(handoff)


@router.post(
    "/handoffs/{handoff_id}/countersign",
    response={200: HandoffOut, **errors(400, 403, 404, 409)},
    summary="Countersign a hand-off for gross misconduct",
    tags=["concern hand-offs"],
)
def handoff_countersign(
    request: HttpRequest,
    handoff_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    """Someone in HR other than the requester and the staff member countersigns; then it
    is handed off. Anyone else: 403; not waiting: 400."""
    member = member_of(request)
    handoff = access.handoff_for_member(member, handoff_id, Action.CHANGE)
    handoff = app9.countersign_handoff(
        actor=member,
        handoff=handoff,
        version=None if if_match is None else version_from(if_match),
    )
    etag(response, handoff.version)
    return _handoff_out(handoff)


@router.post(
    "/handoffs/{handoff_id}/withdraw",
    response={200: HandoffOut, **errors(400, 403, 404, 409)},
    summary="Withdraw a hand-off still waiting for its countersignature",
    tags=["concern hand-offs"],
)
def handoff_withdraw(
    request: HttpRequest,
    handoff_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    member = member_of(request)
    handoff = access.handoff_for_member(member, handoff_id, Action.CHANGE)
    handoff = app9.withdraw_handoff(
        actor=member,
        handoff=handoff,
        version=None if if_match is None else version_from(if_match),
    )
    etag(response, handoff.version)
    return _handoff_out(handoff)
