"""Area D through the API (issue 8 item 8; shared/API.md): requests for advice before
acting (§4.6), and the other Section 4 paths' stages as a schema a client can follow.

Stages of every path are recorded through the one operation of the App. 9 area,
``POST /api/v1/concerns/{concern_id}/steps`` (``paths.record_step``, which asks each
path's own rule: ``other_paths.check_stage``); what the paths are, their stages and their
questions are answered here (``GET /api/v1/concern-paths``), so a client knows which keys
and codes to send.

Requests for advice are the asker's and the person asked, nobody else's (404 for anyone
else, like a missing one). Lists carry no question or reply: those are in one request's
answer, where the person asked reading the question is audited. Handlers are thin: the
gate first (``access.advice_for_member``), then a flow in ``advice``. Flows raise
``ValidationError`` (400, the field named, nothing saved), ``PermissionDenied`` (403) and
``StaleVersion`` (409).

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the schemas' names could not be looked up.
"""

import uuid
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, PersonRef, Text, Time, codes, errors, person_ref
from peerwork.core import access as core_access
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership

from . import access, advice, paths
from .models import AdviceRequest

router = Router(tags=["concerns"])

OutcomeCode = Annotated[AdviceRequest.Outcome, codes(AdviceRequest.Outcome)]
YesNoUnsure = Literal["yes", "no", "unsure"]
AnswerCode = Literal["approved", "advice", "not_approved"]

IfMatchOptional = Header(
    None,
    alias="If-Match",
    description="Optional: the `version` as you read it; 409 if it changed since.",
)


def _version(if_match: str | None) -> int | None:
    return None if if_match is None else version_from(if_match)


# --- the paths -----------------------------------------------------------------------------


class OptionOut(Schema):
    code: str
    label: str


class QuestionOut(Schema):
    key: str
    label: str
    kind: str = Field(
        description="`yes_no`, `yes_no_unsure`, `choice` (one code), `choices` (a list of "
        "codes), `text` (a short line, no names) or `date` (YYYY-MM-DD)."
    )
    required: bool
    options: list[OptionOut]
    help: str | None


class StageOut(Schema):
    key: str
    title: str
    guide: str = Field(description="The guide's section: `§4.5`, `App. 9 q1`.")
    prompt: str
    questions: list[QuestionOut]
    notes_label: str
    notes_required: bool


class PathOut(Schema):
    """A path a concern can follow, as the guide structures it."""

    path: str = Field(description="The concern's `path` code.")
    title: str
    guide: str
    intro: str
    in_order: bool = Field(description="Each stage only once the stages before it are.")
    stages: list[StageOut]


def _path_out(spec: paths.PathSpec) -> dict[str, object]:
    return {
        "path": str(spec.path),
        "title": str(spec.title),
        "guide": spec.guide,
        "intro": str(spec.intro),
        "in_order": spec.in_order,
        "stages": [
            {
                "key": stage.key,
                "title": str(stage.title),
                "guide": stage.guide,
                "prompt": str(stage.prompt),
                "notes_label": str(stage.notes_label),
                "notes_required": stage.notes_required,
                "questions": [
                    {
                        "key": q.key,
                        "label": str(q.label),
                        "kind": q.kind,
                        "required": q.required,
                        "options": [
                            {"code": code, "label": str(label)} for code, label in q.options()
                        ],
                        "help": str(q.help) if q.help else None,
                    }
                    for q in stage.questions
                ],
            }
            for stage in spec.stages
        ],
    }


@router.get(
    "/concern-paths",
    response={200: list[PathOut], **errors(404)},
    summary="The paths a concern can follow",
    tags=["concern paths"],
)
def path_list(request: HttpRequest) -> list[dict[str, object]]:
    """Every registered path with its stages and questions, in the reader's language: the
    keys and codes ``POST /api/v1/concerns/{concern_id}/steps`` takes. For working
    members (404 for anyone else)."""
    member = member_of(request)
    if not access.uses_concerns(member):
        raise Http404
    return [_path_out(spec) for spec in paths.registered_paths()]


# --- requests for advice -------------------------------------------------------------------


class FiveAnswers(Schema):
    """§4.6's five questions, each yes, no or not sure yet."""

    professional: YesNoUnsure = Field(
        description="Is there a therapeutic or professional relationship with the client?"
    )
    power: YesNoUnsure = Field(description="Is there a relationship of unequal power?")
    open: YesNoUnsure = Field(description="Was the staff member open, and did they ask?")
    before: YesNoUnsure = Field(description="Did it exist before they were employed?")
    consent: YesNoUnsure = Field(description="Does everyone consent, knowing what it means?")


class AdviceSummaryOut(Schema):
    """A request for advice as lists show it: who, when and the outcome, never its words."""

    id: uuid.UUID
    person: PersonRef = Field(description="Who asked.")
    asked: PersonRef = Field(description="Whom they asked.")
    outcome: OutcomeCode
    outcome_label: str
    asked_at: Time
    answered_at: Time | None
    version: int


class AdviceOut(AdviceSummaryOut):
    """A request for advice (§4.6). Not a concern; the two people's alone."""

    question: str
    answers: FiveAnswers | None = Field(description="Null until answered.")
    reply: str | None = Field(description="Null until answered.")


def _summary(item: AdviceRequest) -> dict[str, object]:
    return {
        "id": item.pk,
        "person": person_ref(item.person),
        "asked": person_ref(item.asked),
        "outcome": item.outcome,
        "outcome_label": str(AdviceRequest.Outcome(item.outcome).label),
        "asked_at": item.asked_at,
        "answered_at": item.answered_at,
        "version": item.version,
    }


def _answer(member: Membership, item: AdviceRequest, response: HttpResponse) -> dict[str, object]:
    fresh = advice.requests_for(member).filter(pk=item.pk).get()
    etag(response, fresh.version)
    answered = fresh.answered_at is not None
    return {
        **_summary(fresh),
        "question": advice.read_question(actor=member, advice=fresh),
        "answers": dict(fresh.answers) if answered else None,
        "reply": str(fresh.reply or "") if answered else None,
    }


@router.get(
    "/advice-requests",
    response={200: list[AdviceSummaryOut], **errors()},
    summary="Requests for advice I made or was asked",
    tags=["advice requests"],
)
@paginate(Pages)
def advice_list(request: HttpRequest) -> list[dict[str, object]]:
    """Mine and those asked of me, newest first."""
    member = member_of(request)
    return [_summary(item) for item in advice.requests_for(member)]


class AdviceIn(Schema):
    asked: uuid.UUID = Field(
        description="Whom to ask: your line manager, someone in HR, your peer mentor or coach."
    )
    question: Text = Field(max_length=advice.QUESTION_MAX)


@router.post(
    "/advice-requests",
    response={201: AdviceOut, **errors(400, 403)},
    summary="Ask for advice before acting",
    tags=["advice requests"],
)
def advice_create(request: HttpRequest, payload: AdviceIn, response: HttpResponse) -> Status:
    """A working member asks someone they choose (§4.6). Anyone else named is refused (400,
    `asked`). The person asked is told a request waits, nothing more."""
    member = member_of(request)
    try:
        asked = core_access.membership_for_member(member, payload.asked)
    except Http404:
        raise ValidationError({"asked": [_("Choose someone from your organisation.")]}) from None
    made = advice.ask_for_advice(actor=member, asked=asked, question=payload.question)
    return Status(201, _answer(member, made, response))


@router.get(
    "/advice-requests/{advice_id}",
    response={200: AdviceOut, **errors(404)},
    summary="One request for advice",
    tags=["advice requests"],
)
def advice_detail(
    request: HttpRequest, advice_id: str, response: HttpResponse
) -> dict[str, object]:
    """For the asker and the person asked (whose read of the question is audited)."""
    member = member_of(request)
    item = access.advice_for_member(member, advice_id)
    return _answer(member, item, response)


class AnswerIn(Schema):
    answers: FiveAnswers
    reply: Text = Field(max_length=advice.REPLY_MAX)
    outcome: AnswerCode


@router.post(
    "/advice-requests/{advice_id}/answer",
    response={200: AdviceOut, **errors(400, 403, 404, 409)},
    summary="Answer a request for advice",
    tags=["advice requests"],
)
def advice_answer(
    request: HttpRequest,
    advice_id: str,
    payload: AnswerIn,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    """The person asked answers once: the five questions, a reply and an outcome (approved,
    advice given or not approved). The asker is told."""
    member = member_of(request)
    item = access.advice_for_member(member, advice_id)
    advice.answer_advice(
        actor=member,
        advice=item,
        answers=payload.answers.dict(),
        reply=payload.reply,
        outcome=payload.outcome,
        version=_version(if_match),
    )
    return _answer(member, item, response)


@router.post(
    "/advice-requests/{advice_id}/withdraw",
    response={200: AdviceOut, **errors(400, 403, 404, 409)},
    summary="Withdraw a request for advice",
    tags=["advice requests"],
)
def advice_withdraw(
    request: HttpRequest,
    advice_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    """The asker withdraws it while it waits."""
    member = member_of(request)
    item = access.advice_for_member(member, advice_id)
    advice.withdraw_advice(actor=member, advice=item, version=_version(if_match))
    return _answer(member, item, response)
