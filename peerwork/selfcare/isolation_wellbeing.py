"""Another organisation's wellbeing records for the organisation isolation test
(``peerwork.core.isolation``; nothing here runs in production). Each is its owner's alone,
so the owner (the other organisation's ordinary member) may do everything its routes offer.

- ``relapse_plan_id``: a member's personal relapse plan with one craving strategy;
- ``weekly_goal_id``: a goal the member set for this week;
- ``self_check_id``: a burnout self-check the member kept.
"""

from __future__ import annotations

from typing import cast

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)

from . import wellbeing
from .models import RelapsePlan, SelfCheck

API = "/api/v1"
PLAN = {"cravings": ["walk"], "own_cravings": ["Call a friend"]}


def _plan(other: Other) -> Made:
    # One plan per person: the walk asks for one for each operation.
    plan = wellbeing.plan_of(other.member) or wellbeing.save_plan(actor=other.member, content=PLAN)
    return Made(value=str(plan.pk), owner=other.member, obj=plan)


def _goal(other: Other) -> Made:
    goal = wellbeing.add_goal(actor=other.member, text="Take my lunch break")
    return Made(value=str(goal.pk), owner=other.member, obj=goal)


def _selfcheck(other: Other) -> Made:
    check = wellbeing.keep_selfcheck(
        actor=other.member, kind=SelfCheck.Kind.BURNOUT, content={"signs": ["tired"]}
    )
    return Made(value=str(check.pk), owner=other.member, obj=check)


register_isolation_maker("relapse_plan_id", _plan)
register_isolation_maker("weekly_goal_id", _goal)
register_isolation_maker("self_check_id", _selfcheck)


def _plan_version(made: Made) -> str:
    return str(cast(RelapsePlan, made.obj).version)


register_isolation_request(
    "POST selfcare:plan_remove", lambda made: Body(data={"version": _plan_version(made)})
)
register_isolation_request(
    f"PUT {API}/relapse-plans/{{relapse_plan_id}}",
    lambda made: Body(data=PLAN, headers={"If-Match": f'"{_plan_version(made)}"'}),
)
register_isolation_request(
    f"PATCH {API}/weekly-goals/{{weekly_goal_id}}", lambda made: Body(data={"done": True})
)
