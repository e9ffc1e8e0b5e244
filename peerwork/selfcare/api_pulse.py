"""The stress pulse through the API (issue 7 items 3 and 9; §3.9; shared/API.md).

- ``POST /pulse-answers``: this week's answer (1 to 5) for the caller, a working member.
  Nothing in the answer names them; a second answer in a week is refused (400).
- ``GET /pulse-receipts/this-week``: whether the caller answered this week. Not what they
  answered: nobody, the caller included, can read that back (``pulse`` says why).
- ``GET /pulse-teams``: the teams the caller sees (line managers: their reports' teams; HR
  and the director: every team, the answers without a team and the whole organisation),
  each over the last eight finished weeks. A week with fewer than ``minimum`` answers
  carries no figures at all, ``answers`` included: a count of 1 to 4 is never given.

The same rules as the pages, through the same gates and services (``pulse``): anyone else
gets 404.
"""

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import errors

from . import pulse

router = Router(tags=["stress pulse"])


class PulseAnswerIn(Schema):
    level: int = Field(
        description=(
            "How much stress the caller felt at work this week: 1 hardly any or none, 2 a "
            "little, 3 some, 4 a lot, 5 more than they could manage."
        )
    )


class ThisWeekOut(Schema):
    week_of: dt.date = Field(description="The Monday of this week where the organisation works.")
    answered: bool
    next_week_of: dt.date = Field(description="When the next answer can be given.")


def _this_week(week: dt.date, answered: bool) -> dict[str, object]:
    return {"week_of": week, "answered": answered, "next_week_of": week + dt.timedelta(days=7)}


@router.post(
    "/pulse-answers",
    response={201: ThisWeekOut, **errors(400, 404)},
    summary="Answer this week's stress pulse",
)
def answer_create(request: HttpRequest, payload: PulseAnswerIn) -> Status:
    """Keep the caller's answer for this week, with their team and the week only. A level
    outside 1 to 5, or a second answer in the same week, is refused (400); nothing is
    saved. Members who do not use the self-care tools (coaches, facilitators, peer
    interviewers) get 404."""
    member = member_of(request)
    pulse.require_answering(member)
    week = pulse.answer(actor=member, level=payload.level)
    return Status(201, _this_week(week, True))


@router.get(
    "/pulse-receipts/this-week",
    response={200: ThisWeekOut, **errors(404)},
    summary="Whether I answered the stress pulse this week",
)
def this_week(request: HttpRequest) -> dict[str, object]:
    """Only whether the caller answered; what they answered is not kept with their name."""
    member = member_of(request)
    pulse.require_answering(member)
    week = pulse.this_week(member)
    return _this_week(week, pulse.answered(member, week))


class TeamRef(Schema):
    id: uuid.UUID
    name: str


class PulseWeekOut(Schema):
    week_of: dt.date
    shown: bool = Field(description="False below the minimum: then every figure is null.")
    answers: int | None = Field(description="How many answered; null below the minimum.")
    average: float | None = Field(description="The average level, 1 to 5, to one decimal.")
    high_share: int | None = Field(description="Per cent who answered 4 or 5.")


class PulseGroupOut(Schema):
    kind: Literal["team", "no_team", "organisation"]
    team: TeamRef | None
    trend: Literal["higher", "lower", "same"] | None = Field(
        description="The latest week shown against the one shown before it."
    )
    weeks: list[PulseWeekOut] = Field(description="Oldest first.")


class PulseTeamsOut(Schema):
    minimum: int = Field(description="The fewest answers a week is shown with.")
    this_week: dt.date = Field(description="The open week, shown once it has ended.")
    weeks: list[dt.date]
    teams: list[PulseGroupOut]
    no_team: PulseGroupOut | None = Field(description="HR and the director only.")
    organisation: PulseGroupOut | None = Field(
        description="HR and the director only: the teams' weeks shown, added up."
    )


def _group(group: pulse.GroupPulse | None) -> dict[str, Any] | None:
    if group is None:
        return None
    return {
        "kind": group.kind,
        "team": None if group.team is None else {"id": group.team.pk, "name": group.team.name},
        "trend": group.trend,
        "weeks": [
            {
                "week_of": week.week_of,
                "shown": week.shown,
                "answers": week.answers,
                "average": week.average,
                "high_share": week.high_share,
            }
            for week in group.weeks
        ],
    }


@router.get(
    "/pulse-teams",
    response={200: PulseTeamsOut, **errors(404)},
    summary="The stress pulse of the teams I see",
)
def team_figures(request: HttpRequest) -> dict[str, Any]:
    """Each team's last eight finished weeks as aggregates of at least `minimum` answers;
    for line managers, their reports' teams; for HR and the director, every team, the
    answers without a team and the whole organisation. Anyone else: 404."""
    found = pulse.overview(actor=member_of(request))
    return {
        "minimum": found.minimum,
        "this_week": found.this_week,
        "weeks": found.weeks,
        "teams": [_group(group) for group in found.teams],
        "no_team": _group(found.no_team),
        "organisation": _group(found.organisation),
    }
