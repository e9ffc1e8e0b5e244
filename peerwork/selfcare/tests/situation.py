"""The self-care situation in the shared story (the [record: selfcare] section of the access
matrix), for every self-care test to build on.

At Harbourside (Africa/Nairobi) Amina keeps a risk circle (App. 3) with two areas. Some
weeks ago she opened it to Samuel, her peer mentor, for a week, and he suggested a
prevention strategy for one area; that opening has long expired and she has not decided
the suggestion yet. She keeps a self-control programme (App. 8) with a baseline record, a
personal plan (§3.9), a goal for this week and a burnout self-check she chose to keep.
This week Amina and four colleagues of team Outreach (Olena, Joseph, Samuel and Taslima)
answered the stress pulse (§3.9): five answers, the least a team's week is shown with.

The extra situations of the section (``arrange_row`` by the row's key):

- ``mentor-opened``: her circle and her programme are open to Samuel for a week;
- ``manager-opened``: her circle is open to Ravi for a week, and he has suggested a
  management strategy on it;
- ``opening-expired``: both were opened to Samuel and expired yesterday;
- ``opening-closed``: both were opened to Samuel for a week and she closed them today.

Each private record carries words found nowhere else (``WORDS``), so a test can tell
whether an export or an answer holds it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Membership
from peerwork.schedule.services import local_today
from peerwork.selfcare import programmes
from peerwork.selfcare.models import (
    CircleSuggestion,
    Opening,
    PulseAnswer,
    PulseReceipt,
    RelapsePlan,
    RiskCircle,
    RiskCircleVersion,
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
AREA = "a1b2c3"  # the random key of the area the suggestions are for
PULSE_LEVELS = (2, 3, 3, 4, 5)
EXTRAS = ("mentor-opened", "manager-opened", "opening-expired", "opening-closed")


@dataclass
class Situation:
    now: dt.datetime
    today: dt.date  # in Harbourside's own zone
    week_of: dt.date  # this week's Monday, where Harbourside works
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


def circle_content() -> dict[str, Any]:
    return {
        "areas": [
            {
                "key": AREA,
                "name": WORDS["circle"],
                "rating": 8,
                "prevention": "Buy in daylight",
                "management": "Call the lawyer on the outreach card",
            },
            {
                "key": "d4e5f6",
                "name": "Needle-stick injury",
                "rating": 4,
                "prevention": "Sharps bin in the bag",
                "management": "PEP at the clinic within hours",
            },
        ]
    }


def _open(
    owner: Membership,
    grantee: Membership,
    *,
    opened_at: dt.datetime,
    expires_at: dt.datetime,
    closed_at: dt.datetime | None = None,
    circle: RiskCircle | None = None,
    programme: SelfControlProgramme | None = None,
) -> Opening:
    return Opening.objects.create(
        organisation_id=owner.organisation_id,
        owner=owner,
        grantee=grantee,
        circle=circle,
        programme=programme,
        opened_at=opened_at,
        expires_at=expires_at,
        closed_at=closed_at,
    )


def _suggest(
    circle: RiskCircle, author: Membership, text: str, ring: str, made_at: dt.datetime
) -> CircleSuggestion:
    suggestion = CircleSuggestion(
        organisation_id=circle.organisation_id,
        circle=circle,
        owner=circle.owner,
        author=author,
        area=AREA,
        ring=ring,
        made_at=made_at,
    )
    suggestion.text = text
    suggestion.save()
    return suggestion


def arrange(story: Any, *, now: dt.datetime | None = None) -> Situation:
    now = now or timezone.now()
    org = story.harbourside
    amina = story.amina
    with scope(organisation=org.pk):
        today = local_today(amina, now)
        week_of = today - dt.timedelta(days=today.weekday())
        circle = RiskCircle(organisation_id=org.pk, owner=amina, created_at=now, saved_at=now)
        circle.content = json.dumps(circle_content())
        circle.review_due_on = today + dt.timedelta(days=365)
        circle.save()
        version = RiskCircleVersion(
            organisation_id=org.pk, circle=circle, owner=amina, number=1, saved_at=now
        )
        version.content = json.dumps(circle_content())
        version.save()
        # Some weeks ago she opened it to Samuel for a week; he suggested then.
        earlier = now - dt.timedelta(days=30)
        _open(
            amina,
            story.samuel,
            circle=circle,
            opened_at=earlier,
            expires_at=earlier + dt.timedelta(days=7),
        )
        suggestion = _suggest(
            circle,
            story.samuel,
            WORDS["suggestion"],
            CircleSuggestion.Ring.PREVENTION,
            earlier + dt.timedelta(days=1),
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
        plan = RelapsePlan(organisation_id=org.pk, owner=amina, updated_at=now)
        plan.content = json.dumps({"cravings": WORDS["plan"], "support": "Samuel, Farah"})
        plan.save()
        goal = WeeklyGoal(organisation_id=org.pk, owner=amina, week_of=week_of, made_at=now)
        goal.text = WORDS["goal"]
        goal.save()
        check = SelfCheck(
            organisation_id=org.pk, owner=amina, kind=SelfCheck.Kind.BURNOUT, made_at=now
        )
        check.content = json.dumps({"signs": ["tired"], "note": WORDS["self-check"]})
        check.save()
        answered = [amina, story.olena, story.joseph, story.samuel, story.taslima]
        for member, level in zip(answered, PULSE_LEVELS, strict=True):
            PulseReceipt.objects.create(organisation_id=org.pk, member=member, week_of=week_of)
            PulseAnswer.objects.create(
                organisation_id=org.pk, team=story.team, week_of=week_of, level=level
            )
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


def _open_both(story: Any, s: Situation, *, at: dt.datetime, until: dt.datetime) -> list[Opening]:
    """Amina opens her circle and her programme to Samuel at ``at`` until ``until``."""
    with scope(organisation=story.harbourside.pk):
        made = [
            _open(story.amina, story.samuel, circle=s.circle, opened_at=at, expires_at=until),
            programmes.open_programme(
                actor=story.amina,
                programme=s.programme,
                grantee=story.samuel,
                expires_at=until,
                now=at,
            ),
        ]
    s.openings.extend(made)
    return made


def open_to_samuel(story: Any, s: Situation) -> list[Opening]:
    """``mentor-opened``: Amina opens her circle and programme to Samuel for a week."""
    return _open_both(story, s, at=s.now, until=s.now + dt.timedelta(days=7))


def open_to_ravi(story: Any, s: Situation) -> Opening:
    """``manager-opened``: Amina opens her circle to Ravi for a week; he suggests."""
    with scope(organisation=story.harbourside.pk):
        opening = _open(
            story.amina,
            story.ravi,
            circle=s.circle,
            opened_at=s.now,
            expires_at=s.now + dt.timedelta(days=7),
        )
        s.suggestions_by[story.ravi.pk] = _suggest(
            s.circle,
            story.ravi,
            WORDS["manager-suggestion"],
            CircleSuggestion.Ring.MANAGEMENT,
            s.now,
        )
    s.openings.append(opening)
    return opening


def let_openings_expire(story: Any, s: Situation) -> list[Opening]:
    """``opening-expired``: both were opened to Samuel for a week, which ended yesterday."""
    return _open_both(story, s, at=s.now - dt.timedelta(days=8), until=s.now - dt.timedelta(days=1))


def close_openings(story: Any, s: Situation) -> list[Opening]:
    """``opening-closed``: both were opened to Samuel for a week; Amina closed them today."""
    made = _open_both(
        story, s, at=s.now - dt.timedelta(hours=2), until=s.now + dt.timedelta(days=7)
    )
    with scope(organisation=story.harbourside.pk):
        circle_opening, programme_opening = made
        circle_opening.closed_at = s.now
        circle_opening.save(update_fields=["closed_at"])
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
