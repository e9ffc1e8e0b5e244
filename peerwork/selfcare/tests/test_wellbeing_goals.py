"""Weekly goals (§3.9: concrete and realistic goals for each week): set for the week it is
where the organisation works, ticked done and undone, earlier weeks to look back on, a
limit of ten a week, and nobody else sees them."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.selfcare import wellbeing
from peerwork.selfcare.models import WeeklyGoal

pytestmark = pytest.mark.django_db

GOALS = "/selfcare/goals/"
# Sunday 1 March 2026, 23:30 in Nairobi (UTC+3), and half past midnight on Monday there.
SUNDAY_NIGHT = dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC)
MONDAY_EARLY = dt.datetime(2026, 3, 1, 21, 30, tzinfo=dt.UTC)


def add(story, text: str, now: dt.datetime | None = None, member=None) -> WeeklyGoal:
    with scope(organisation=story.harbourside.pk):
        return wellbeing.add_goal(actor=member or story.amina, text=text, now=now)


def goals_of(story, member=None) -> list[WeeklyGoal]:
    with scope(organisation=story.harbourside.pk):
        return list(WeeklyGoal.objects.filter(owner=member or story.amina))


def test_a_goal_set_late_on_sunday_in_nairobi_belongs_to_the_week_ending_that_sunday(story):
    # 20:30 UTC is already Sunday 23:30 in Nairobi, while the server's date says Sunday too.
    assert add(story, "Write the report", SUNDAY_NIGHT).week_of == dt.date(2026, 2, 23)


def test_a_goal_set_just_after_midnight_in_nairobi_belongs_to_the_new_week(story):
    # 21:30 UTC on Sunday is Monday 00:30 in Nairobi: the new week there.
    assert add(story, "Write the report", MONDAY_EARLY).week_of == dt.date(2026, 3, 2)


def test_the_week_is_the_organisations_not_the_servers(story):
    with scope(organisation=story.harbourside.pk):
        assert wellbeing.this_week(story.amina, MONDAY_EARLY) == dt.date(2026, 3, 2)
        # Kyiv (UTC+2) is still on Sunday 23:30 at that moment.
        assert wellbeing.this_week(story.taras, MONDAY_EARLY) == dt.date(2026, 2, 23)


def test_amina_sets_a_goal_and_sees_it_this_week(story):
    client = signed_in(story.amina)
    html = assert_sound_page(client.get(GOALS))
    assert "No goals set for this week yet." in html
    response = client.post("/selfcare/goals/new/", {"text": "Take my lunch break"})
    assert response.status_code == 302
    html = assert_sound_page(client.get(GOALS))
    assert "Take my lunch break" in html and "This week" in html
    (goal,) = goals_of(story)
    with scope(organisation=story.harbourside.pk):
        assert goal.week_of == wellbeing.this_week(story.amina)


def test_she_ticks_a_goal_done_and_undoes_it(story):
    goal = add(story, "Take my lunch break")
    client = signed_in(story.amina)
    client.post(f"/selfcare/goals/{goal.pk}/done/")
    (goal,) = goals_of(story)
    assert goal.done_at is not None
    assert "Not done yet" in client.get(GOALS).content.decode()
    client.post(f"/selfcare/goals/{goal.pk}/undo/")
    (goal,) = goals_of(story)
    assert goal.done_at is None


def test_an_empty_goal_is_refused_with_a_clear_message(story):
    response = signed_in(story.amina).post("/selfcare/goals/new/", {"text": "   "})
    assert "Write the goal." in assert_sound_page(response)
    assert goals_of(story) == []


def test_a_goal_over_two_hundred_characters_is_refused_and_kept_in_the_form(story):
    typed = "Walk " * 41
    response = signed_in(story.amina).post("/selfcare/goals/new/", {"text": typed})
    html = assert_sound_page(response)
    assert "at most 200 characters" in html
    assert typed.strip() in html
    assert goals_of(story) == []


def test_an_eleventh_goal_in_a_week_is_refused(story):
    for number in range(wellbeing.GOALS_A_WEEK):
        add(story, f"Goal {number}")
    client = signed_in(story.amina)
    assert "That is plenty for one week" in client.get(GOALS).content.decode()
    html = assert_sound_page(client.post("/selfcare/goals/new/", {"text": "One more"}))
    assert "You have 10 goals this week already." in html and "One more" in html
    assert len(goals_of(story)) == wellbeing.GOALS_A_WEEK


def test_last_weeks_goals_are_listed_and_opened_by_their_week(story):
    with scope(organisation=story.harbourside.pk):
        this_week = wellbeing.this_week(story.amina)
    last_week = this_week - dt.timedelta(days=7)
    earlier = dt.datetime.combine(last_week, dt.time(12), tzinfo=dt.UTC)
    add(story, "Visit the clinic", earlier)
    client = signed_in(story.amina)
    html = client.get(GOALS).content.decode()
    assert f"?week={last_week.isoformat()}" in html and "Visit the clinic" not in html
    html = assert_sound_page(client.get(f"{GOALS}?week={last_week.isoformat()}"))
    assert "Visit the clinic" in html and "Back to this week" in html
    # No adding to a past week.
    assert "Add the goal" not in html


def test_a_week_that_is_not_a_date_shows_this_week(story):
    assert "This week" in assert_sound_page(signed_in(story.amina).get(f"{GOALS}?week=soon"))


def test_she_removes_a_goal(story):
    goal = add(story, "Take my lunch break")
    signed_in(story.amina).post(f"/selfcare/goals/{goal.pk}/delete/")
    assert goals_of(story) == []


@pytest.mark.parametrize("name", ["ravi", "grace", "daniel", "samuel", "chen", "taras"])
def test_nobody_else_sees_or_ticks_her_goal(story, name):
    goal = add(story, "Finish the outreach report")
    client = signed_in(getattr(story, name))
    assert "Finish the outreach report" not in client.get(GOALS).content.decode()
    for action in ("done", "undo", "delete"):
        assert client.post(f"/selfcare/goals/{goal.pk}/{action}/").status_code == 404
    (still,) = goals_of(story)
    assert still.done_at is None
