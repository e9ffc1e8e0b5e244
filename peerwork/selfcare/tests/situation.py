"""The self-care situation in the shared story (the [record: selfcare] section of the access
matrix), for every self-care test to build on. Everything is made through the area
services (``circles``, ``programmes``, ``wellbeing``, ``pulse``), as a person would.

At Harbourside (Africa/Nairobi) Amina keeps a risk circle (App. 3) with two areas, drawn
six weeks ago. A month ago she opened it to Samuel, her peer mentor, for a week, and the
next day he suggested a prevention strategy for one area; that opening has long expired
and she has not decided the suggestion yet. She keeps a self-control programme (App. 8)
with a baseline record, a personal plan (§3.9), a goal for this week and a burnout
self-check she chose to keep. Last week (a finished week, the only kind anyone is shown)
Amina and four colleagues of team Outreach (Olena, Joseph, Samuel and Taslima) answered
the stress pulse (§3.9): five answers, the least a team's week is shown with. This week
nobody has answered yet.

The extra situations of the section (``arrange_row`` by the row's key):

- ``mentor-opened``: her circle and her programme are open to Samuel for a week;
- ``manager-opened``: her circle is open to Ravi for a week, and he has suggested a
  management strategy on it;
- ``opening-expired``: both were opened to Samuel for a week that ended yesterday;
- ``opening-closed``: both were opened to Samuel for a week two hours ago, and she closed
  them now.

Each private record carries words found nowhere else (``WORDS``), so a test can tell
whether an export or an answer holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Membership
from peerwork.schedule.services import local_today
from peerwork.selfcare import circles, programmes, pulse, wellbeing
from peerwork.selfcare.models import (
    CircleSuggestion,
    Opening,
    RelapsePlan,
    RiskCircle,
    SelfCheck,
    SelfControlEntry,
    SelfControlProgramme,
    WeeklyGoal,
)

# Words each record holds and nothing else does.
WORDS = {
    "circle": "Arrest when buying near the fish market",
    "suggestion": "Buy with a friend from the drop-in",
    "manager-suggestion": "Keep the lawyer's number on paper too",
    "programme": "Spending the outreach allowance on the way home",
    "entry": "Payday and the bus through Kongowea",
    "plan": "Walk to the sea wall and call Samuel",
    "goal": "Leave the drop-in for the Friday lunch break",
    "self-check": "Snapping at clients by the afternoon",
}
AREA = "a1b2c3d4"  # the random key of the area the suggestions are for
PULSE_LEVELS = (2, 3, 3, 4, 5)


@dataclass
class Situation:
    now: dt.datetime
    today: dt.date  # in Harbourside's own zone
    week_of: dt.date  # the Monday of last week, the finished week the pulse was answered
    circle: RiskCircle
    suggestion: CircleSuggestion
    programme: SelfControlProgramme
    entry: SelfControlEntry
    plan: RelapsePlan
    goal: WeeklyGoal
    self_check: SelfCheck
    team: Any
    answered: list[Membership]
    openings: list[Opening] = field(default_factory=list)
    # The suggestion each person it was opened to made, by membership id.
    suggestions_by: dict[object, CircleSuggestion] = field(default_factory=dict)

    def suggestion_of(self, member: Membership | None) -> CircleSuggestion:
        """The suggestion a row asks of: the actor's own when they made one, else the one
        Samuel made while the circle was open to him."""
        if member is not None and member.pk in self.suggestions_by:
            return self.suggestions_by[member.pk]
        return self.suggestion


def circle_areas() -> list[dict[str, Any]]:
    return [
        {
            "key": AREA,
            "name": WORDS["circle"],
            "rating": 8,
            "likelihood": 4,
            "consequence": 5,
            "prevention": "Buy in daylight",
            "management": "Call the lawyer on the outreach card",
        },
        {
            "key": "d4e5f6a7",
            "name": "Needle-stick injury",
            "rating": 4,
            "prevention": "Sharps bin in the bag",
            "management": "PEP at the clinic within hours",
        },
    ]


def arrange(story: Any, *, now: dt.datetime | None = None) -> Situation:
    now = now or timezone.now()
    org = story.harbourside
    amina = story.amina
    with scope(organisation=org.pk):
        today = local_today(amina, now)
        circle = circles.save_circle(
            actor=amina, areas=circle_areas(), version=None, now=now - dt.timedelta(days=42)
        )
        earlier = now - dt.timedelta(days=30)
        circles.open_circle(actor=amina, circle=circle, grantee=story.samuel, days=7, now=earlier)
        suggestion = circles.suggest(
            actor=story.samuel,
            circle=circle,
            area=AREA,
            ring=CircleSuggestion.Ring.PREVENTION,
            text=WORDS["suggestion"],
            now=earlier + dt.timedelta(days=1),
        )
        programme = programmes.start_programme(
            actor=amina,
            benefits="Money for my daughter's school",
            told=["Samuel"],
            target=WORDS["programme"],
            now=now,
        )
        entry = programmes.record_entry(
            actor=amina,
            programme=programme,
            phase=SelfControlEntry.Phase.BASELINE,
            day=today - dt.timedelta(days=3),
            count=2,
            antecedent=WORDS["entry"],
            now=now,
        )
        plan = wellbeing.save_plan(
            actor=amina,
            content={
                "cravings": ["walk", "talk"],
                "own_cravings": [WORDS["plan"]],
                "situations": [
                    {
                        "situation": "A friend offers on the way home",
                        "response": "Say I am on my way to collect my daughter",
                        "refusal": "Not today, thank you",
                    }
                ],
                "factors": {"finances": "The savings group at the drop-in"},
                "supporters": [{"name": "Samuel", "contact": "Phone, any time after six"}],
            },
            now=now,
        )
        goal = wellbeing.add_goal(actor=amina, text=WORDS["goal"], now=now)
        check = wellbeing.keep_selfcheck(
            actor=amina,
            kind=SelfCheck.Kind.BURNOUT,
            content={"signs": ["tired", "frustrated"], "note": WORDS["self-check"]},
            now=now,
        )
        answered = [amina, story.olena, story.joseph, story.samuel, story.taslima]
        last_week = now - dt.timedelta(days=7)
        for member, level in zip(answered, PULSE_LEVELS, strict=True):
            pulse.answer(actor=member, level=level, now=last_week)
        week_of = pulse.this_week(amina, last_week)
    return Situation(
        now=now,
        today=today,
        week_of=week_of,
        circle=circle,
        suggestion=suggestion,
        programme=programme,
        entry=entry,
        plan=plan,
        goal=goal,
        self_check=check,
        team=story.team,
        answered=answered,
    )


def _open_circle(story: Any, s: Situation, grantee: Membership, *, at: dt.datetime) -> Opening:
    """Amina opens her circle to ``grantee`` at ``at`` for a week."""
    return circles.open_circle(actor=story.amina, circle=s.circle, grantee=grantee, days=7, now=at)


def _open_both(story: Any, s: Situation, *, at: dt.datetime) -> list[Opening]:
    """Amina opens her circle and her programme to Samuel at ``at`` for a week."""
    with scope(organisation=story.harbourside.pk):
        made = [
            _open_circle(story, s, story.samuel, at=at),
            programmes.open_programme(
                actor=story.amina,
                programme=s.programme,
                grantee=story.samuel,
                expires_at=at + dt.timedelta(days=7),
                now=at,
            ),
        ]
    s.openings.extend(made)
    return made


def open_to_samuel(story: Any, s: Situation) -> list[Opening]:
    """``mentor-opened``: Amina opens her circle and programme to Samuel for a week."""
    return _open_both(story, s, at=s.now)


def open_to_ravi(story: Any, s: Situation) -> Opening:
    """``manager-opened``: Amina opens her circle to Ravi for a week; he suggests."""
    with scope(organisation=story.harbourside.pk):
        opening = _open_circle(story, s, story.ravi, at=s.now)
        s.suggestions_by[story.ravi.pk] = circles.suggest(
            actor=story.ravi,
            circle=s.circle,
            area=AREA,
            ring=CircleSuggestion.Ring.MANAGEMENT,
            text=WORDS["manager-suggestion"],
            now=s.now,
        )
    s.openings.append(opening)
    return opening


def let_openings_expire(story: Any, s: Situation) -> list[Opening]:
    """``opening-expired``: both were opened to Samuel for a week that ended yesterday."""
    return _open_both(story, s, at=s.now - dt.timedelta(days=8))


def close_openings(story: Any, s: Situation) -> list[Opening]:
    """``opening-closed``: both were opened to Samuel for a week two hours ago; Amina
    closed them now."""
    made = _open_both(story, s, at=s.now - dt.timedelta(hours=2))
    circle_opening, programme_opening = made
    with scope(organisation=story.harbourside.pk):
        circles.close_opening(actor=story.amina, opening=circle_opening, now=s.now)
        programmes.close_opening(actor=story.amina, opening=programme_opening, now=s.now)
    return made


ARRANGE = {
    "mentor-opened": open_to_samuel,
    "manager-opened": open_to_ravi,
    "opening-expired": let_openings_expire,
    "opening-closed": close_openings,
}


def arrange_row(story: Any, row: str, *, now: dt.datetime | None = None) -> Situation:
    """The shared situation, and the row's extra one when it has one."""
    s = arrange(story, now=now)
    if row in ARRANGE:
        ARRANGE[row](story, s)
    return s
