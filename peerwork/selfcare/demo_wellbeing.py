"""The wellbeing part of the demo story (issue 7; shared/DEMO.md; §3.9 "concrete and
realistic goals for each week").

Modest on purpose: Amina has set three goals for the current week (the Monday in
Nairobi), one of them already done. Everything else here (a plan, kept self-checks) is
what a person makes for themself, so the demo leaves it to whoever tries it.

Idempotent: a goal is looked up among Amina's goals of this week by its text; a missing
one is set (and the lunch break ticked done when it is set). A second run in the same week
changes nothing, and what someone ticked or removed in the live demo is left as they did.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerwork.core.demo import DemoContext, seed_step
from peerwork.people import demo as people_demo

from . import wellbeing

H = people_demo.H

# Amina's own words, (text, done).
AMINA_GOALS: tuple[tuple[str, bool], ...] = (
    ("Finish the outreach report by Thursday", False),
    ("Take my lunch break away from the desk", True),
    ("Go to the Friday lunch group", False),
)


@seed_step("selfcare: Amina's goals for this week")
def seed_amina_goals(demo: DemoContext) -> None:
    amina = demo.member(H, "amina")
    with demo.scope(H):
        now = timezone.now()
        have = {
            str(goal.text) for goal in wellbeing.goals_of(amina, wellbeing.this_week(amina, now))
        }
        for order, (text, done) in enumerate(AMINA_GOALS):
            if text in have:
                continue
            # A second apart, so they list in the order she set them.
            at = now + dt.timedelta(seconds=order)
            goal = wellbeing.add_goal(actor=amina, text=text, now=at)
            if done:
                wellbeing.set_goal_done(actor=amina, goal=goal, done=True, now=at)
            demo.changes += 1
