"""The self-control programme pages (issue 7 item 2; App. 8): Amina works through the
steps on her phone, one page each; refused input is explained with nothing saved and
everything typed kept; a save over a programme changed meanwhile says so and loses
nothing; the quick log, ending and deleting."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.selfcare.models import SelfControlEntry, SelfControlProgramme
from peerwork.selfcare.tests.test_programme_services import (
    a_goal,
    fresh,
    plan_of,
    programme_of,
    records_of,
    today_there,
    with_records,
)

pytestmark = pytest.mark.django_db

LIST = "/selfcare/programmes/"
NEW = "/selfcare/programmes/new/"


def page(programme: SelfControlProgramme, step: str = "") -> str:
    return f"/selfcare/programmes/{programme.pk}/{step + '/' if step else ''}"


def test_amina_starts_a_programme_and_is_led_through_the_steps(story):
    client = signed_in(story.amina)
    html = assert_sound_page(client.get(LIST))
    assert "You have no programme yet." in html and f'href="{NEW}"' in html
    assert_sound_page(client.get(NEW))
    response = client.post(
        NEW,
        {
            "benefits": "More money and calmer mornings",
            "told": "My sister\n\nSamuel\n",
            "obstacles": "Payday",
        },
    )
    (programme,) = _programmes(story)
    assert response.status_code == 302 and response["Location"] == page(programme, "target")
    assert plan_of(programme).told == ["My sister", "Samuel"]

    response = client.post(
        page(programme, "target"), {"version": "1", "target": "Buying cigarettes"}
    )
    assert response["Location"] == page(programme, "baseline")
    day = today_there(story) - dt.timedelta(days=1)
    response = client.post(
        page(programme, "baseline"),
        {
            "day": day.isoformat(),
            "count": "4",
            "antecedent": "Waiting for the bus",
            "behaviour": "Bought a pack",
            "consequence": "Felt calmer, then annoyed",
        },
    )
    assert response["Location"] == page(programme, "baseline")
    html = assert_sound_page(client.get(page(programme, "baseline")))
    assert "Waiting for the bus" in html and "Your baseline covers 1 day." in html

    html = assert_sound_page(client.get(page(programme, "goal")))
    assert "about 4.0 times a day" in html
    goal_by = today_there(story) + dt.timedelta(days=21)
    response = client.post(
        page(programme, "goal"),
        {
            "version": "2",
            "direction": "fewer",
            "target": "2",
            "unit": "day",
            "goal_by": goal_by.isoformat(),
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == page(programme, "strategies")
    assert "Your goal is set." in html and "Your baseline covers 1 day." in html

    response = client.post(
        page(programme, "strategies"),
        {"version": "3", "environmental": ["env_avoid"], "cognitive": ["cog_praise"], "own": ""},
    )
    assert response["Location"] == page(programme, "log")
    assert plan_of(programme).strategy_codes == ["env_avoid", "cog_praise"]

    html = assert_sound_page(client.get(page(programme)))
    assert "Log today" in html and "at most 2 times a day" in html
    assert 'role="img"' in html and "<svg" in html
    response = client.post(
        page(programme, "log"), {"count": "1", "note": "", "day": today_there(story).isoformat()}
    )
    assert response["Location"] == page(programme)
    html = assert_sound_page(client.get(page(programme)))
    assert "Logged today: 1 time." in html
    assert "1 of your last 1 recorded day was at or under your goal (2 a day)." in html
    for step in ("commitment", "target", "strategies", "log", "progress", "revisions", "open"):
        assert_sound_page(client.get(page(programme, step)))


def _programmes(story):
    with scope(organisation=story.harbourside.pk):
        return list(SelfControlProgramme.objects.select_related("owner__organisation"))


def test_the_steps_page_is_phone_sized_and_every_input_has_a_label(story):
    programme = programme_of(story, goal=a_goal(story))
    with_records(story, programme, {days: days % 4 for days in range(0, 60)})
    client = signed_in(story.amina)
    for step in ("", "baseline", "goal", "strategies", "log", "progress"):
        html = assert_sound_page(client.get(page(programme, step)))
        assert 'name="viewport"' in html


# --- refused input ------------------------------------------------------------------------------


def test_a_goal_date_in_the_past_is_refused_and_what_she_typed_stays(story):
    programme = programme_of(story)
    yesterday = today_there(story) - dt.timedelta(days=1)
    response = signed_in(story.amina).post(
        page(programme, "goal"),
        {
            "version": "1",
            "direction": "fewer",
            "target": "3",
            "unit": "week",
            "goal_by": yesterday.isoformat(),
        },
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Choose a date after today" in html
    assert f'value="{yesterday.isoformat()}"' in html and 'value="3"' in html
    assert re.search(r'<input type="radio" name="unit" value="week"[^>]* checked', html)
    assert plan_of(programme).goal is None and fresh(programme).goal_by is None


def test_a_goal_target_that_is_not_a_number_is_refused_and_kept(story):
    programme = programme_of(story)
    response = signed_in(story.amina).post(
        page(programme, "goal"),
        {
            "version": "1",
            "direction": "fewer",
            "target": "two",
            "unit": "day",
            "goal_by": (today_there(story) + dt.timedelta(days=9)).isoformat(),
        },
    )
    html = assert_sound_page(response)
    assert "Write a whole number, like 0, 2 or 5." in html and 'value="two"' in html
    assert plan_of(programme).goal is None


@pytest.mark.parametrize(
    ("count", "says"),
    [("-1", "Write a number from 0 to 999."), ("abc", "Write a whole number, like 0, 2 or 5.")],
)
def test_a_logged_count_of_minus_one_or_letters_is_refused_and_kept(story, count, says):
    programme = programme_of(story, goal=a_goal(story))
    response = signed_in(story.amina).post(
        page(programme, "log"),
        {"count": count, "note": "after the clinic", "day": today_there(story).isoformat()},
    )
    html = assert_sound_page(response)
    assert says in html
    assert f'value="{count}"' in html and 'value="after the clinic"' in html
    assert records_of(programme) == []


def test_a_baseline_record_for_tomorrow_is_refused_and_kept(story):
    programme = programme_of(story)
    tomorrow = today_there(story) + dt.timedelta(days=1)
    response = signed_in(story.amina).post(
        page(programme, "baseline"),
        {"day": tomorrow.isoformat(), "count": "2", "antecedent": "Payday"},
    )
    html = assert_sound_page(response)
    assert "Choose today or a day before" in html and "Payday</textarea>" in html
    assert records_of(programme) == []


def test_a_second_programme_while_one_is_going_is_refused_and_kept(story):
    programme_of(story)
    response = signed_in(story.amina).post(NEW, {"benefits": "Sleep more", "told": "Joseph"})
    html = assert_sound_page(response)
    assert "End it first" in html and "Sleep more</textarea>" in html
    assert len(_programmes(story)) == 1


# --- changed meanwhile ----------------------------------------------------------------------------


def test_a_save_over_a_change_made_meanwhile_says_so_and_keeps_what_she_typed(story):
    programme = programme_of(story)
    phone, laptop = signed_in(story.amina), signed_in(story.amina)
    phone.post(page(programme, "target"), {"version": "1", "target": "Snacks at night"})
    response = laptop.post(page(programme, "target"), {"version": "1", "target": "Coffee"})
    html = assert_sound_page(response)
    assert "changed somewhere else meanwhile" in html
    assert "Coffee</textarea>" in html  # what she typed
    assert "As saved now: Snacks at night" in html
    assert 'name="version" value="2"' in html  # the next save goes over it knowingly
    assert plan_of(programme).target == "Snacks at night"
    laptop.post(page(programme, "target"), {"version": "2", "target": "Coffee"})
    assert plan_of(programme).target == "Coffee"


def test_a_stale_goal_change_keeps_the_goal_she_typed(story):
    programme = programme_of(story, goal=a_goal(story))
    goal_by = (today_there(story) + dt.timedelta(days=40)).isoformat()
    client = signed_in(story.amina)
    client.post(page(programme, "revisions"), {"version": "2", "what": "Log at lunch", "why": ""})
    response = client.post(
        page(programme, "goal"),
        {
            "version": "2",
            "direction": "fewer",
            "target": "1",
            "unit": "day",
            "goal_by": goal_by,
            "why": "Going well",
        },
    )
    html = assert_sound_page(response)
    assert "changed somewhere else meanwhile" in html
    assert f'value="{goal_by}"' in html and "Going well</textarea>" in html
    assert plan_of(programme).goal.target == 2  # type: ignore[union-attr]


# --- records, ending, deleting --------------------------------------------------------------------


def test_a_record_typed_by_mistake_is_removed(story):
    programme = programme_of(story)
    with_records(story, programme, {1: 2, 2: 3})
    first, _second = records_of(programme)
    response = signed_in(story.amina).post(f"{page(programme)}records/{first.entry.pk}/remove/")
    assert response["Location"] == page(programme, "baseline")
    assert [r.count for r in records_of(programme)] == [2]


def test_ending_keeps_the_programme_to_look_back_on_without_the_quick_log(story):
    programme = programme_of(story, goal=a_goal(story))
    client = signed_in(story.amina)
    response = client.post(page(programme, "end"), {"version": "2"})
    assert response["Location"] == page(programme)
    html = assert_sound_page(client.get(page(programme)))
    assert "Log today" not in html and "ended" in html
    html = assert_sound_page(client.get(LIST))
    assert 'href="/selfcare/programmes/new/"' in html  # she may start the next one


def test_ending_with_an_old_version_changes_nothing(story):
    programme = programme_of(story, goal=a_goal(story))
    response = signed_in(story.amina).post(page(programme, "end"), {"version": "1"}, follow=True)
    assert "changed somewhere else meanwhile" in response.content.decode()
    assert fresh(programme).ended_at is None


def test_deleting_asks_once_more_then_takes_everything(story):
    programme = programme_of(story)
    with_records(story, programme, {1: 2, 2: 3})
    client = signed_in(story.amina)
    html = assert_sound_page(client.get(page(programme, "delete")))
    assert "its 2 records are deleted" in html
    response = client.post(page(programme, "delete"), {"version": "1"})
    assert response["Location"] == LIST
    assert _programmes(story) == []
    with scope(organisation=story.harbourside.pk):
        assert not SelfControlEntry.objects.exists()


def test_the_overview_shows_her_words_escaped(story):
    programme = programme_of(story, target="<script>alert(1)</script> & more")
    html = assert_sound_page(signed_in(story.amina).get(page(programme)))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


def test_someone_outside_the_working_roles_is_not_offered_a_programme(story):
    client = signed_in(story.farah)
    html = assert_sound_page(client.get(LIST))
    assert f'href="{NEW}"' not in html
    assert client.get(NEW).status_code == 403
