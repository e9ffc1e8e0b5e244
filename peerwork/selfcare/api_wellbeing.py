"""The wellbeing part of the API (issue 7 items 3, 4 and 9; shared/API.md): the personal
relapse plan, weekly goals, kept burnout and grief self-checks, and the fixed lists an app
shows (signs, strategies, grief reactions).

Thin handlers: each finds the acting membership, calls the record's gate first
(``peerwork.selfcare.access``: the owner's alone, 404 for everyone else whatever their
role), then a flow in ``wellbeing``. Flows raise ``ValidationError`` (400, the fields at
fault named, nothing saved) and ``StaleVersion`` (409); a plan's change carries
``If-Match`` with the ``version`` read.

A self-check answers what the person ticked with what it can mean: never a score, a level
or a count (§3.9, App. 11).

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the query schemas' names could not be looked up.
"""

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, Text, Time, check_year, codes, errors
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership

from . import access, wellbeing
from .models import RelapsePlan, SelfCheck, WeeklyGoal

router = Router(tags=["self-care"])

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

SelfCheckKindCode = Annotated[SelfCheck.Kind, codes(SelfCheck.Kind)]

# Generous bounds for the schema (a fuzzer's huge lists are 422); the flows hold the
# real limits and say which in words (400).
LIST_MOST = 100


def _selfcare_member(request: HttpRequest) -> Membership:
    """The gate of the operations that name no record: the member's own tools."""
    member = member_of(request)
    if not access.uses_selfcare(member):
        raise Http404
    return member


class Deleted(Schema):
    id: uuid.UUID
    deleted: bool


# --- the fixed lists --------------------------------------------------------------------


class ItemOut(Schema):
    code: str
    label: str


class GroupOut(Schema):
    code: str
    title: str
    meaning: str = Field(description="What ticking something in this group can mean.")
    items: list[ItemOut]


class GriefGroupOut(GroupOut):
    help: list[str] = Field(description="What can help with reactions of this group.")


class ListsOut(Schema):
    burnout_signs: list[GroupOut] = Field(
        description="§3.9: in the body, in what I do, in how I feel."
    )
    individual_strategies: list[ItemOut] = Field(description="§3.9: what helps against burnout.")
    craving_suggestions: list[ItemOut] = Field(description="§3.9: ways through a craving.")
    factor_areas: list[ItemOut] = Field(description="§3.9: parts of life to get help with.")
    grief_reactions: list[GriefGroupOut] = Field(description="App. 11: usual and heavier.")


@router.get(
    "/wellbeing-lists",
    response={200: ListsOut, **errors(404)},
    summary="The fixed lists of the self-care tools",
)
def lists(request: HttpRequest) -> dict[str, Any]:
    """Burnout signs, the individual strategies, craving suggestions, the areas of life a
    plan names help for, and grief reactions with what helps, in the request's language."""
    _selfcare_member(request)
    return wellbeing.lists()


# --- the personal relapse plan ------------------------------------------------------------


class SituationRow(Schema):
    situation: Text = ""
    response: Text = Field("", description="What I do.")
    refusal: Text = Field("", description="How I say no if I am offered.")


class SupporterRow(Schema):
    name: Text = ""
    contact: Text = Field("", description="How I reach them.")


class PlanIn(Schema):
    """The whole plan; every part optional. Limits: 20 own ways of 300 characters, 10
    situations and 10 people, 500 characters a text (100 a name, 200 a contact)."""

    cravings: list[str] = Field(
        default_factory=list, max_length=LIST_MOST, description="Codes of `craving_suggestions`."
    )
    own_cravings: list[Text] = Field(default_factory=list, max_length=LIST_MOST)
    situations: list[SituationRow] = Field(default_factory=list, max_length=LIST_MOST)
    factors: dict[str, Text] = Field(
        default_factory=dict,
        description="A code of `factor_areas` to where I get help with it.",
    )
    supporters: list[SupporterRow] = Field(default_factory=list, max_length=LIST_MOST)


class PlanOut(Schema):
    id: uuid.UUID
    cravings: list[str]
    own_cravings: list[str]
    situations: list[SituationRow]
    factors: dict[str, str]
    supporters: list[SupporterRow]
    updated_at: Time
    version: int = Field(description="Send it back as `If-Match` to change or delete the plan.")


def _plan_out(plan: RelapsePlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        **wellbeing.read_plan(plan),
        "updated_at": plan.updated_at,
        "version": plan.version,
    }


def _plan_answer(plan: RelapsePlan, response: HttpResponse) -> dict[str, Any]:
    etag(response, plan.version)
    return _plan_out(plan)


def _plan_content(payload: PlanIn) -> dict[str, Any]:
    return payload.model_dump()


@router.get(
    "/relapse-plans",
    response={200: list[PlanOut], **errors(404)},
    summary="My personal relapse plan",
)
@paginate(Pages)
def plan_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The person's own plan, if they keep one (a list of one or none). Never anyone
    else's."""
    member = _selfcare_member(request)
    found = wellbeing.plan_of(member)
    return [] if found is None else [_plan_out(found)]


@router.post(
    "/relapse-plans",
    response={201: PlanOut, **errors(400, 404, 409)},
    summary="Make my personal relapse plan",
)
def plan_create(request: HttpRequest, payload: PlanIn, response: HttpResponse) -> Status:
    """Cravings, risky situations, where I get help and people I can call (§3.9: "a
    lapse is not collapse"). One plan per person: 400 if there is one already."""
    member = _selfcare_member(request)
    if wellbeing.plan_of(member) is not None:
        raise ValidationError(_("You have a plan already: change it instead."))
    found = wellbeing.save_plan(actor=member, content=_plan_content(payload))
    return Status(201, _plan_answer(found, response))


@router.get(
    "/relapse-plans/{relapse_plan_id}",
    response={200: PlanOut, **errors(404)},
    summary="One personal relapse plan",
)
def plan_detail(
    request: HttpRequest, relapse_plan_id: str, response: HttpResponse
) -> dict[str, Any]:
    """Its owner's alone; anyone else 404."""
    found = access.plan_for_member(member_of(request), relapse_plan_id)
    return _plan_answer(found, response)


@router.put(
    "/relapse-plans/{relapse_plan_id}",
    response={200: PlanOut, **errors(400, 403, 404, 409)},
    summary="Change my personal relapse plan",
)
def plan_change(
    request: HttpRequest,
    relapse_plan_id: str,
    payload: PlanIn,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, Any]:
    """The whole plan again, at the version read (409 if it changed meanwhile)."""
    found = access.plan_for_member(member_of(request), relapse_plan_id)
    version = version_from(if_match)
    found = wellbeing.save_plan(
        actor=member_of(request), content=_plan_content(payload), plan=found, version=version
    )
    return _plan_answer(found, response)


@router.delete(
    "/relapse-plans/{relapse_plan_id}",
    response={200: Deleted, **errors(400, 403, 404, 409)},
    summary="Delete my personal relapse plan",
)
def plan_remove(
    request: HttpRequest, relapse_plan_id: str, if_match: str | None = IfMatchOptional
) -> dict[str, Any]:
    """For good. With `If-Match`, only if it is still the version read (else 409)."""
    found = access.plan_for_member(member_of(request), relapse_plan_id)
    version = None if if_match is None else version_from(if_match)
    pk = found.pk
    wellbeing.remove_plan(actor=member_of(request), plan=found, version=version)
    return {"id": pk, "deleted": True}


# --- weekly goals -------------------------------------------------------------------------


class GoalOut(Schema):
    id: uuid.UUID
    week_of: dt.date = Field(
        description="The Monday of the goal's week, in the organisation's zone."
    )
    text: str
    done: bool
    done_at: Time | None
    made_at: Time


def _goal_out(goal: WeeklyGoal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "week_of": goal.week_of,
        "text": goal.text or "",
        "done": goal.done_at is not None,
        "done_at": goal.done_at,
        "made_at": goal.made_at,
    }


class GoalQuery(Schema):
    week: dt.date | None = Field(
        None, description="Any day of the week wanted; this week (Nairobi's, say) without it."
    )


class GoalIn(Schema):
    text: Text = Field(max_length=10_000, description="At most 200 characters.")


class GoalPatch(Schema):
    done: bool


@router.get(
    "/weekly-goals",
    response={200: list[GoalOut], **errors(400, 404)},
    summary="My goals of a week",
)
@paginate(Pages)
def goal_list(request: HttpRequest, query: Query[GoalQuery]) -> list[dict[str, Any]]:
    """The person's goals of this week, or of the week of `?week=`, in the order set."""
    member = _selfcare_member(request)
    check_year(query.week, "week")
    week = query.week or wellbeing.this_week(member)
    return [_goal_out(goal) for goal in wellbeing.goals_of(member, week)]


@router.post(
    "/weekly-goals",
    response={201: GoalOut, **errors(400, 404)},
    summary="Set a goal for this week",
)
def goal_create(request: HttpRequest, payload: GoalIn) -> Status:
    """For this week in the organisation's zone; at most 10 a week, 200 characters each."""
    member = _selfcare_member(request)
    goal = wellbeing.add_goal(actor=member, text=payload.text)
    return Status(201, _goal_out(goal))


@router.patch(
    "/weekly-goals/{weekly_goal_id}",
    response={200: GoalOut, **errors(400, 403, 404)},
    summary="Tick a goal done, or undo it",
)
def goal_change(request: HttpRequest, weekly_goal_id: str, payload: GoalPatch) -> dict[str, Any]:
    goal = access.goal_for_member(member_of(request), weekly_goal_id)
    goal = wellbeing.set_goal_done(actor=member_of(request), goal=goal, done=payload.done)
    return _goal_out(goal)


@router.delete(
    "/weekly-goals/{weekly_goal_id}",
    response={200: Deleted, **errors(403, 404)},
    summary="Remove a goal",
)
def goal_remove(request: HttpRequest, weekly_goal_id: str) -> dict[str, Any]:
    goal = access.goal_for_member(member_of(request), weekly_goal_id)
    pk = goal.pk
    wellbeing.remove_goal(actor=member_of(request), goal=goal)
    return {"id": pk, "deleted": True}


# --- self-checks --------------------------------------------------------------------------


class ReadingOut(Schema):
    group: str
    title: str
    meaning: str
    ticked: list[ItemOut]
    help: list[str] = Field(description="Grief: what can help with reactions of this group.")


class SelfCheckOut(Schema):
    """What the person ticked, with what it can mean. No score, level or count."""

    id: uuid.UUID
    kind: SelfCheckKindCode
    kind_label: str
    made_at: Time
    ticked: list[str] = Field(description="Codes of `burnout_signs` or `grief_reactions`.")
    reading: list[ReadingOut]
    note: str
    help_now: bool = Field(
        description="Grief: something ticked calls for help today (thoughts of ending one's life)."
    )


class SelfCheckIn(Schema):
    kind: Literal["burnout", "grief"]
    ticked: list[str] = Field(
        default_factory=list,
        max_length=LIST_MOST,
        description="Codes of `burnout_signs` (burnout) or `grief_reactions` (grief).",
    )
    note: Text = Field("", max_length=20_000, description="At most 2000 characters.")


class SelfCheckQuery(Schema):
    kind: Literal["burnout", "grief"] | None = None


def _check_out(check: SelfCheck) -> dict[str, Any]:
    content = wellbeing.read_selfcheck(check)
    if check.kind == SelfCheck.Kind.BURNOUT:
        ticked = content["signs"]
        reading = wellbeing.burnout_reading(ticked)
    else:
        ticked = content["noticed"]
        reading = wellbeing.grief_reading(ticked)
    return {
        "id": check.pk,
        "kind": check.kind,
        "kind_label": str(SelfCheck.Kind(check.kind).label),
        "made_at": check.made_at,
        "ticked": ticked,
        "reading": [
            {
                "group": part.group.code,
                "title": str(part.group.title),
                "meaning": str(part.group.meaning),
                "ticked": [{"code": item.code, "label": str(item.label)} for item in part.ticked],
                "help": [str(text) for text in part.help],
            }
            for part in reading
        ],
        "note": content["note"],
        "help_now": check.kind == SelfCheck.Kind.GRIEF and wellbeing.needs_help_now(ticked),
    }


@router.get(
    "/self-checks",
    response={200: list[SelfCheckOut], **errors(404)},
    summary="My kept self-checks",
)
@paginate(Pages)
def check_list(request: HttpRequest, query: Query[SelfCheckQuery]) -> list[dict[str, Any]]:
    """The burnout and grief checks the person chose to keep, newest first."""
    member = _selfcare_member(request)
    found = wellbeing.selfchecks_of(member, query.kind).order_by("-made_at", "id")
    return [_check_out(check) for check in found]


@router.post(
    "/self-checks",
    response={201: SelfCheckOut, **errors(400, 404)},
    summary="Keep a self-check privately",
)
def check_create(request: HttpRequest, payload: SelfCheckIn) -> Status:
    """Kept only because the person asks; sealed for them alone. A grief note needs
    something ticked or written (400)."""
    member = _selfcare_member(request)
    listed = "signs" if payload.kind == SelfCheck.Kind.BURNOUT else "noticed"
    try:
        check = wellbeing.keep_selfcheck(
            actor=member,
            kind=payload.kind,
            content={listed: payload.ticked, "note": payload.note},
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and listed in error.error_dict:
            error.error_dict["ticked"] = error.error_dict.pop(listed)
        raise
    return Status(201, _check_out(check))


@router.get(
    "/self-checks/{self_check_id}",
    response={200: SelfCheckOut, **errors(404)},
    summary="One kept self-check",
)
def check_detail(request: HttpRequest, self_check_id: str) -> dict[str, Any]:
    """Its owner's alone; anyone else 404."""
    check = access.selfcheck_for_member(member_of(request), self_check_id)
    return _check_out(check)


@router.delete(
    "/self-checks/{self_check_id}",
    response={200: Deleted, **errors(403, 404)},
    summary="Delete a kept self-check",
)
def check_remove(request: HttpRequest, self_check_id: str) -> dict[str, Any]:
    check = access.selfcheck_for_member(member_of(request), self_check_id)
    pk = check.pk
    wellbeing.remove_selfcheck(actor=member_of(request), check=check)
    return {"id": pk, "deleted": True}
