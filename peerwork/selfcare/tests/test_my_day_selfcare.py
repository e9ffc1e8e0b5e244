"""The self-care part of "my day" (issue 7): this week's goals as done of set, and the way to
self-care; the goals' words stay on the goals page."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.core.views import DAY_SECTIONS
from peerwork.selfcare import dashboard, wellbeing

pytestmark = pytest.mark.django_db


def set_goals(story, done: int, undone: int) -> None:
    with scope(organisation=story.harbourside.pk):
        for number in range(done + undone):
            goal = wellbeing.add_goal(actor=story.amina, text=f"Private goal {number}")
            if number < done:
                wellbeing.set_goal_done(actor=story.amina, goal=goal, done=True)


def test_the_section_counts_this_weeks_goals_done_and_set(story):
    set_goals(story, done=1, undone=2)
    with scope(organisation=story.harbourside.pk):
        found = dashboard.section(story.amina)
    assert found == {"template": dashboard.TEMPLATE, "set": 3, "done": 1}


def test_the_section_counts_only_her_own_goals(story):
    set_goals(story, done=1, undone=1)
    with scope(organisation=story.harbourside.pk):
        assert dashboard.section(story.ravi) == {
            "template": dashboard.TEMPLATE,
            "set": 0,
            "done": 0,
        }


def test_a_coach_without_the_tools_gets_no_section(story):
    with scope(organisation=story.harbourside.pk):
        assert dashboard.section(story.leila) is None


def test_the_section_reads_done_of_set_and_links_to_self_care(story):
    set_goals(story, done=1, undone=2)
    with scope(organisation=story.harbourside.pk):
        html = render_to_string(dashboard.TEMPLATE, {"section": dashboard.section(story.amina)})
    assert "This week's goals: 1 of 3 done." in html
    assert 'href="/selfcare/goals/"' in html and 'href="/selfcare/"' in html
    assert "Private goal" not in html


@pytest.mark.skipif(
    "peerwork.selfcare.dashboard.section" not in DAY_SECTIONS,
    reason="my day lists the self-care section once the core adds it",
)
def test_my_day_shows_done_of_set_and_never_the_goals_words(story):
    set_goals(story, done=1, undone=2)
    response = signed_in(story.amina).get("/")
    html = assert_sound_page(response)
    assert (
        "This week&#x27;s goals: 1 of 3 done." in html or "This week's goals: 1 of 3 done." in html
    )
    assert 'href="/selfcare/goals/"' in html and 'href="/selfcare/"' in html
    assert "Private goal" not in html


@pytest.mark.skipif(
    "peerwork.selfcare.dashboard.section" not in DAY_SECTIONS,
    reason="my day lists the self-care section once the core adds it",
)
def test_my_day_without_goals_invites_setting_one(story):
    html = assert_sound_page(signed_in(story.amina).get("/"))
    assert "No goals set for this week yet." in html
