"""The stress pulse through the API (issue 7 items 3 and 9; §3.9): answering once a week,
asking whether I answered (never what), and the team figures under the same rules as the
pages: a week under five answers has no figure and no count; anyone who sees no team gets
404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_scopes import scope

from peerwork.people.tests.api_calls import get, post
from peerwork.selfcare import pulse
from peerwork.selfcare.models import PulseAnswer, PulseReceipt
from peerwork.selfcare.tests.test_pulse import answer_week, move, new_team

pytestmark = pytest.mark.django_db

HIDDEN = {"shown": False, "answers": None, "average": None, "high_share": None}


def this_week(story: Any) -> dt.date:
    with scope(organisation=story.harbourside.pk):
        return pulse.this_week(story.amina)


def weeks_ago(story: Any, count: int) -> dt.date:
    return this_week(story) - dt.timedelta(weeks=count)


def stored(story: Any) -> tuple[list[int], int]:
    with scope(organisation=story.harbourside.pk):
        return (
            sorted(PulseAnswer.objects.values_list("level", flat=True)),
            PulseReceipt.objects.count(),
        )


def week_in(group: dict[str, Any], week: dt.date) -> dict[str, Any]:
    (found,) = [row for row in group["weeks"] if row["week_of"] == week.isoformat()]
    return {key: value for key, value in found.items() if key != "week_of"}


def team_in(body: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [group for group in body["teams"] if group["team"]["name"] == name]
    return found


# --- answering --------------------------------------------------------------------------


def test_amina_answers_and_is_told_the_week_and_when_she_may_answer_again(story):
    week = this_week(story)
    before = get(story.amina, "/pulse-receipts/this-week")
    assert before.status_code == 200
    assert before.json() == {
        "week_of": week.isoformat(),
        "answered": False,
        "next_week_of": (week + dt.timedelta(weeks=1)).isoformat(),
    }
    response = post(story.amina, "/pulse-answers", {"level": 3})
    assert response.status_code == 201, response.json()
    assert response.json()["answered"] is True and response.json()["week_of"] == week.isoformat()
    assert stored(story) == ([3], 1)
    after = get(story.amina, "/pulse-receipts/this-week").json()
    assert after["answered"] is True
    assert "level" not in after  # what she answered is nowhere to be read back


def test_a_second_answer_in_the_week_is_refused_with_400_and_nothing_is_added(story):
    post(story.amina, "/pulse-answers", {"level": 2})
    response = post(story.amina, "/pulse-answers", {"level": 5})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("You have already answered for this week.")
    assert stored(story) == ([2], 1)


@pytest.mark.parametrize("level", [0, 6, -3, 10**12])
def test_a_level_outside_one_to_five_is_refused_naming_the_field(story, level):
    response = post(story.amina, "/pulse-answers", {"level": level})
    assert response.status_code == 400
    assert response.json()["errors"] == {"level": ["Choose one of the five answers."]}
    assert stored(story) == ([], 0)


@pytest.mark.parametrize("body", [{}, {"level": "a lot"}, {"level": None}])
def test_a_body_that_does_not_fit_the_schema_is_a_422(story, body):
    assert post(story.amina, "/pulse-answers", body).status_code == 422
    assert stored(story) == ([], 0)


@pytest.mark.parametrize("who", ["leila", "farah", "peter"])
def test_people_who_do_not_use_the_selfcare_tools_get_404(story, who):
    member = getattr(story, who)
    assert post(member, "/pulse-answers", {"level": 3}).status_code == 404
    assert get(member, "/pulse-receipts/this-week").status_code == 404
    assert stored(story) == ([], 0)


def test_signed_out_callers_get_401(client):
    assert client.get("/api/v1/pulse-receipts/this-week").status_code == 401
    assert client.get("/api/v1/pulse-teams").status_code == 401


# --- the team figures -------------------------------------------------------------------


def test_ravi_reads_his_reports_team_a_week_of_four_with_no_count(story):
    answer_week(story, weeks_ago(story, 2), [1, 2, 3, 4, 5])
    answer_week(story, weeks_ago(story, 1), [5, 5, 5, 5])
    response = get(story.ravi, "/pulse-teams")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["minimum"] == 5
    assert body["this_week"] == this_week(story).isoformat()
    assert len(body["weeks"]) == pulse.WEEKS_SHOWN and body["weeks"][-1] == str(weeks_ago(story, 1))
    assert [group["team"]["name"] for group in body["teams"]] == ["Outreach"]
    outreach = team_in(body, "Outreach")
    assert outreach["kind"] == "team" and outreach["team"]["id"] == str(story.team.pk)
    assert week_in(outreach, weeks_ago(story, 2)) == {
        "shown": True,
        "answers": 5,
        "average": 3.0,
        "high_share": 40,
    }
    assert week_in(outreach, weeks_ago(story, 1)) == HIDDEN
    assert body["organisation"] is None and body["no_team"] is None


def test_grace_reads_a_total_that_leaves_out_the_small_team(story):
    drop_in = new_team(story, "Drop-in")
    move(story, drop_in, "olena", "joseph", "samuel")
    week = weeks_ago(story, 1)
    answer_week(story, week, [2, 2, 3, 4, 4], ["amina", "ravi", "taslima", "grace", "daniel"])
    answer_week(story, week, [5, 5, 5], ["olena", "joseph", "samuel"])
    body = get(story.grace, "/pulse-teams").json()
    assert [group["team"]["name"] for group in body["teams"]] == ["Drop-in", "Outreach"]
    assert week_in(team_in(body, "Drop-in"), week) == HIDDEN
    shown = {"shown": True, "answers": 5, "average": 3.0, "high_share": 40}
    assert week_in(team_in(body, "Outreach"), week) == shown
    assert week_in(body["organisation"], week) == shown
    assert body["organisation"]["kind"] == "organisation" and body["organisation"]["team"] is None
    assert week_in(body["no_team"], week) == HIDDEN


def test_this_weeks_answers_are_not_in_the_figures(story):
    answer_week(story, this_week(story), [3, 3, 3, 3, 3])
    body = get(story.daniel, "/pulse-teams").json()
    assert this_week(story).isoformat() not in body["weeks"]
    assert all(not row["shown"] for group in body["teams"] for row in group["weeks"])


@pytest.mark.parametrize(
    "who", ["taslima", "amina", "samuel", "chen", "joseph", "leila", "farah", "peter", "taras"]
)
def test_everyone_else_gets_404_for_the_team_figures(story, who):
    answer_week(story, weeks_ago(story, 1), [3, 3, 3, 3, 3])
    response = get(getattr(story, who), "/pulse-teams")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
