"""The wellbeing API (issue 7 item 9): the fixed lists, the personal relapse plan with
If-Match, weekly goals by the organisation's week, kept self-checks with what they can mean
and never a score; every record its owner's alone (404 for everyone else)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django_scopes import scope

from peerwork.people.tests.api_calls import call, get, post
from peerwork.selfcare import wellbeing
from peerwork.selfcare.models import RelapsePlan, SelfCheck, WeeklyGoal

pytestmark = pytest.mark.django_db

OTHERS = ("ravi", "grace", "daniel", "samuel", "chen", "taras")
PLAN = {
    "cravings": ["music", "walk"],
    "own_cravings": ["Ring my sister"],
    "situations": [{"situation": "Payday", "response": "Go home", "refusal": "Not tonight"}],
    "factors": {"housing": "The tenants' office on Moi Avenue"},
    "supporters": [{"name": "Samuel", "contact": "0712 000 111"}],
}


def rows(story, model) -> list:
    with scope(organisation=story.harbourside.pk):
        return list(model.objects.all())


# --- lists ------------------------------------------------------------------------------


def test_the_lists_give_signs_strategies_and_grief_reactions_in_the_asked_language(story):
    response = get(story.amina, "/wellbeing-lists")
    assert response.status_code == 200
    body = response.json()
    assert [g["code"] for g in body["burnout_signs"]] == ["body", "doing", "feeling"]
    assert len(body["individual_strategies"]) == 7
    assert {i["code"] for i in body["craving_suggestions"]} == {
        "focus_elsewhere",
        "talk",
        "walk",
        "music",
        "mindfulness",
    }
    assert [g["code"] for g in body["grief_reactions"]] == ["usual", "heavier"]
    assert body["grief_reactions"][1]["help"][0] == "A grief counsellor."


def test_the_lists_are_not_for_a_coach_without_the_tools(story):
    assert get(story.leila, "/wellbeing-lists").status_code == 404


# --- the plan -----------------------------------------------------------------------------


def test_amina_makes_reads_changes_and_deletes_her_plan(story):
    assert get(story.amina, "/relapse-plans").json()["items"] == []
    made = post(story.amina, "/relapse-plans", PLAN)
    assert made.status_code == 201 and made["ETag"] == '"1"'
    body = made.json()
    assert body["cravings"] == ["walk", "music"]
    assert body["factors"] == {"housing": "The tenants' office on Moi Avenue"}
    plan_id = body["id"]
    assert get(story.amina, "/relapse-plans").json()["items"][0]["id"] == plan_id
    assert get(story.amina, f"/relapse-plans/{plan_id}").json()["own_cravings"] == [
        "Ring my sister"
    ]
    changed = call(
        story.amina, "PUT", f"/relapse-plans/{plan_id}", {**PLAN, "cravings": []}, if_match=1
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    gone = call(story.amina, "DELETE", f"/relapse-plans/{plan_id}", if_match=2)
    assert gone.status_code == 200 and gone.json() == {"id": plan_id, "deleted": True}
    assert rows(story, RelapsePlan) == []


def test_a_second_plan_is_refused(story):
    post(story.amina, "/relapse-plans", PLAN)
    response = post(story.amina, "/relapse-plans", PLAN)
    assert response.status_code == 400 and "change it instead" in response.json()["detail"]


def test_a_change_at_an_old_version_is_409_and_changes_nothing(story):
    plan_id = post(story.amina, "/relapse-plans", PLAN).json()["id"]
    call(story.amina, "PUT", f"/relapse-plans/{plan_id}", PLAN, if_match=1)
    response = call(story.amina, "PUT", f"/relapse-plans/{plan_id}", {}, if_match=1)
    assert response.status_code == 409
    assert get(story.amina, f"/relapse-plans/{plan_id}").json()["supporters"] != []
    assert call(story.amina, "DELETE", f"/relapse-plans/{plan_id}", if_match=1).status_code == 409


def test_a_change_without_if_match_is_refused(story):
    plan_id = post(story.amina, "/relapse-plans", PLAN).json()["id"]
    assert call(story.amina, "PUT", f"/relapse-plans/{plan_id}", PLAN).status_code == 422


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cravings": ["smoke"]}, "cravings"),
        ({"own_cravings": ["x" * 301]}, "own_cravings"),
        ({"situations": [{"situation": "y" * 501}]}, "situations"),
        ({"factors": {"weather": "sun"}}, "factors"),
        ({"factors": {"housing": "z" * 501}}, "factor_housing"),
        ({"supporters": [{"name": "n" * 101}]}, "supporters"),
        ({"supporters": [{"name": f"P{i}"} for i in range(11)]}, "supporters"),
    ],
)
def test_bad_plan_input_is_400_naming_the_field_and_saves_nothing(story, changes, field):
    response = post(story.amina, "/relapse-plans", {**PLAN, **changes})
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert rows(story, RelapsePlan) == []


# --- goals ----------------------------------------------------------------------------------


def test_amina_sets_ticks_and_removes_a_goal(story):
    made = post(story.amina, "/weekly-goals", {"text": "Finish the outreach report"})
    assert made.status_code == 201
    goal = made.json()
    with scope(organisation=story.harbourside.pk):
        assert goal["week_of"] == wellbeing.this_week(story.amina).isoformat()
    assert goal["done"] is False
    ticked = call(story.amina, "PATCH", f"/weekly-goals/{goal['id']}", {"done": True})
    assert ticked.status_code == 200 and ticked.json()["done"] is True
    listed = get(story.amina, "/weekly-goals").json()["items"]
    assert [g["text"] for g in listed] == ["Finish the outreach report"]
    undone = call(story.amina, "PATCH", f"/weekly-goals/{goal['id']}", {"done": False})
    assert undone.json()["done"] is False and undone.json()["done_at"] is None
    assert call(story.amina, "DELETE", f"/weekly-goals/{goal['id']}").status_code == 200
    assert rows(story, WeeklyGoal) == []


def test_goals_are_listed_by_any_day_of_their_week(story):
    monday_night = dt.datetime(2026, 3, 2, 21, 30, tzinfo=dt.UTC)  # Tue 00:30 in Nairobi
    with scope(organisation=story.harbourside.pk):
        wellbeing.add_goal(actor=story.amina, text="Visit the clinic", now=monday_night)
    for day in ("2026-03-02", "2026-03-05", "2026-03-08"):
        listed = get(story.amina, f"/weekly-goals?week={day}").json()["items"]
        assert [g["text"] for g in listed] == ["Visit the clinic"], day
    assert get(story.amina, "/weekly-goals?week=2026-03-09").json()["items"] == []
    assert get(story.amina, "/weekly-goals?week=1066-10-14").status_code == 400


def test_a_goal_too_long_or_empty_is_400(story):
    for text in ("", "   ", "w" * 201):
        response = post(story.amina, "/weekly-goals", {"text": text})
        assert response.status_code == 400 and "text" in response.json()["errors"]
    assert rows(story, WeeklyGoal) == []


# --- self-checks -------------------------------------------------------------------------


def test_a_kept_burnout_check_answers_what_it_can_mean_and_no_score(story):
    response = post(
        story.amina, "/self-checks", {"kind": "burnout", "ticked": ["sleep", "tired", "low"]}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["ticked"] == ["tired", "sleep", "low"]
    assert [part["group"] for part in body["reading"]] == ["body", "doing", "feeling"]
    assert body["reading"][0]["meaning"] == str(wellbeing.BURNOUT_GROUPS[0].meaning)
    text = json.dumps(body).lower()
    for word in ("score", "level", "count", "total"):
        assert word not in text, word
    assert get(story.amina, f"/self-checks/{body['id']}").json() == body


def test_a_grief_note_naming_thoughts_of_suicide_says_get_help_now(story):
    body = post(
        story.amina, "/self-checks", {"kind": "grief", "ticked": ["suicide"], "note": ""}
    ).json()
    assert body["help_now"] is True
    assert "A grief counsellor." in body["reading"][0]["help"]


def test_an_empty_grief_note_or_an_unknown_sign_is_400(story):
    response = post(story.amina, "/self-checks", {"kind": "grief", "ticked": [], "note": ""})
    assert response.status_code == 400 and "note" in response.json()["errors"]
    response = post(story.amina, "/self-checks", {"kind": "burnout", "ticked": ["crying"]})
    assert response.status_code == 400 and "ticked" in response.json()["errors"]
    assert rows(story, SelfCheck) == []


def test_kept_checks_are_listed_by_kind_newest_first_and_deleted(story):
    first = post(story.amina, "/self-checks", {"kind": "burnout", "ticked": ["tired"]}).json()
    post(story.amina, "/self-checks", {"kind": "grief", "ticked": ["crying"]})
    listed = get(story.amina, "/self-checks?kind=burnout").json()["items"]
    assert [c["id"] for c in listed] == [first["id"]]
    assert len(get(story.amina, "/self-checks").json()["items"]) == 2
    assert call(story.amina, "DELETE", f"/self-checks/{first['id']}").status_code == 200
    assert len(rows(story, SelfCheck)) == 1


# --- nobody else's ---------------------------------------------------------------------


@pytest.mark.parametrize("name", OTHERS)
def test_her_plan_goals_and_checks_are_404_and_unlisted_for_everyone_else(story, name):
    plan_id = post(story.amina, "/relapse-plans", PLAN).json()["id"]
    goal_id = post(story.amina, "/weekly-goals", {"text": "Take a break"}).json()["id"]
    check_id = post(story.amina, "/self-checks", {"kind": "burnout", "ticked": ["low"]}).json()[
        "id"
    ]
    other = getattr(story, name)
    asks = [
        ("GET", f"/relapse-plans/{plan_id}", None, None),
        ("PUT", f"/relapse-plans/{plan_id}", PLAN, 1),
        ("DELETE", f"/relapse-plans/{plan_id}", None, 1),
        ("PATCH", f"/weekly-goals/{goal_id}", {"done": True}, None),
        ("DELETE", f"/weekly-goals/{goal_id}", None, None),
        ("GET", f"/self-checks/{check_id}", None, None),
        ("DELETE", f"/self-checks/{check_id}", None, None),
    ]
    for method, path, body, version in asks:
        response = call(other, method, path, body, if_match=version)
        assert response.status_code == 404, (method, path, response.status_code)
    for path in ("/relapse-plans", "/weekly-goals", "/self-checks"):
        response = get(other, path)
        assert response.status_code == 200 and response.json()["items"] == [], path
    assert len(rows(story, RelapsePlan)) == len(rows(story, SelfCheck)) == 1
    (goal,) = rows(story, WeeklyGoal)
    assert goal.done_at is None
