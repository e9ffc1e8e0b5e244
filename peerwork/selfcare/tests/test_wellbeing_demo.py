"""The wellbeing part of the demo (demo_wellbeing.py, DEMO.md): Amina's three goals for this
week, one done; a second run changes nothing; what she changed in the live demo stays."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.core.demo import DemoContext
from peerwork.selfcare import wellbeing
from peerwork.selfcare.demo_wellbeing import AMINA_GOALS, seed_amina_goals

pytestmark = pytest.mark.django_db


def demo_of(story) -> DemoContext:
    demo = DemoContext(password="demo")
    demo.organisations["harbourside"] = story.harbourside
    demo.members[("harbourside", "amina")] = story.amina
    return demo


def goals(story) -> list[tuple[str, bool]]:
    with scope(organisation=story.harbourside.pk):
        found = wellbeing.goals_of(story.amina, wellbeing.this_week(story.amina))
        return [(str(goal.text), goal.done_at is not None) for goal in found]


def test_amina_has_three_goals_this_week_one_done(story):
    demo = demo_of(story)
    seed_amina_goals(demo)
    assert goals(story) == list(AMINA_GOALS)
    assert demo.changes == 3
    assert sum(done for _text, done in goals(story)) == 1


def test_a_second_seed_changes_nothing_and_keeps_what_she_did(story):
    seed_amina_goals(demo_of(story))
    with scope(organisation=story.harbourside.pk):
        first = wellbeing.goals_of(story.amina, wellbeing.this_week(story.amina))[0]
        wellbeing.set_goal_done(actor=story.amina, goal=first, done=True)
    again = demo_of(story)
    seed_amina_goals(again)
    assert again.changes == 0
    assert [done for _text, done in goals(story)] == [True, True, False]
