"""Conflicts and suggestions through the API (issue 6 item 4; App. 10 case 3): who cannot
be there from the start and when they can arrive, never why; all of them for the meeting's
planners, each person their own; the suggestions for planners only; and every change of a
meeting or of someone's agreed hours worked out again at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.people.availability import set_working_pattern
from peerwork.people.tests.api_calls import get, post
from peerwork.schedule import services

pytestmark = pytest.mark.django_db

TUESDAY = 1
WORKDAY = (dt.time(9, 0), dt.time(17, 30))
CASE_3 = {
    "kind": "dispensing",
    "site": "Eastgate clinic",
    "days": [0, 1, 2, 3, 4],
    "opens": "10:00",
    "closes": "13:00",
    "collection": "at_opening",
    "wait_minutes": 15,
    "travel_minutes": 30,
}
# Words of Amina's private note that must never reach anyone else's answer.
PRIVATE = ("Eastgate", "clinic", "10:00", "13:00", "dispens", "OST", "methadone")


def _next(weekday):
    today = timezone.localdate()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _arrange(story):
    """Amina's pattern with her note's later start agreed by Ravi (10:45 every weekday),
    and Ravi's weekly Tuesday meeting at 09:30 for two hours, Amina and Olena required."""
    with scope(organisation=story.harbourside.pk):
        for person in (story.amina, story.olena):
            set_working_pattern(
                actor=story.ravi, membership=person, days=dict.fromkeys(range(5), WORKDAY)
            )
    note = post(story.amina, "/private-notes", CASE_3).json()
    [proposed] = post(
        story.amina,
        f"/private-notes/{note['id']}/propose",
        {"valid_from": str(timezone.localdate())},
    ).json()
    agreed = post(story.ravi, f"/adjustments/{proposed['id']}/agree", if_match=proposed["version"])
    assert agreed.status_code == 200, agreed.json()
    meeting = post(
        story.ravi,
        "/meetings",
        {
            "title": "Team meeting",
            "kind": "team_meeting",
            "first_on": str(_next(TUESDAY)),
            "starts": "09:30",
            "minutes": 120,
            "repeats": "weekly",
            "required": [str(story.amina.pk), str(story.olena.pk)],
        },
    )
    assert meeting.status_code == 201, meeting.json()
    return meeting.json()


def test_planners_see_who_arrives_late_and_when_never_why(story):
    meeting = _arrange(story)
    for planner in (story.ravi, story.grace, story.daniel):
        response = get(planner, f"/meetings/{meeting['id']}/conflicts")
        assert response.status_code == 200
        rows = response.json()["items"]
        assert rows, planner
        first = rows[0]
        assert first["person"]["id"] == str(story.amina.pk)
        assert first["occurs_on"] == meeting["next_on"]
        assert (first["kind"], first["arrives_at"], first["starts"]) == ("late", "10:45", "09:30")
        assert first["required"] is True
        assert {row["person"]["id"] for row in rows} == {str(story.amina.pk)}
        text = response.content.decode()
        for word in PRIVATE:
            assert word not in text, (planner, word)


def test_the_person_sees_their_own_conflicts_privately(story):
    meeting = _arrange(story)
    own = get(story.amina, "/conflicts")
    assert own.status_code == 200
    first = own.json()["items"][0]
    assert first["meeting"] == {"id": meeting["id"], "title": "Team meeting"}
    assert first["arrives_at"] == "10:45"
    in_meeting = get(story.amina, f"/meetings/{meeting['id']}/conflicts").json()
    assert in_meeting["count"] == own.json()["count"]


@pytest.mark.parametrize("name", ["olena", "taslima", "joseph", "chen", "samuel"])
def test_anyone_else_sees_only_their_own_which_is_none(story, name):
    meeting = _arrange(story)
    member = getattr(story, name)
    assert get(member, f"/meetings/{meeting['id']}/conflicts").json()["items"] == []
    assert get(member, "/conflicts").json()["items"] == []


@pytest.mark.parametrize("name", ["leila", "farah", "peter", "taras"])
def test_outsiders_get_404_for_a_meetings_conflicts_and_suggestions(story, name):
    meeting = _arrange(story)
    member = getattr(story, name)
    assert get(member, f"/meetings/{meeting['id']}/conflicts").status_code == 404
    assert get(member, f"/meetings/{meeting['id']}/suggestions").status_code == 404


def test_case_3_suggests_10_45_another_day_or_a_late_join_agenda(story):
    meeting = _arrange(story)
    response = get(story.ravi, f"/meetings/{meeting['id']}/suggestions")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["occurs_on"] == meeting["next_on"]
    assert body["starts"] == "09:30"
    assert body["late"] == [
        {
            "person": {"id": str(story.amina.pk), "name": story.amina.name},
            "kind": "late",
            "arrives_at": "10:45",
            "leaves_at": None,
        }
    ]
    assert body["same_day"]["starts"] == "10:45"
    assert body["same_day"]["weekday"] == TUESDAY
    assert body["other_days"], body
    assert all(s["weekday"] != TUESDAY and s["starts"] >= "10:45" for s in body["other_days"])
    assert body["late_join"] == "10:45"
    for word in PRIVATE:
        assert word not in response.content.decode(), word


def test_suggestions_are_for_planners_only(story):
    meeting = _arrange(story)
    for name in ("amina", "olena", "taslima", "joseph"):
        response = get(getattr(story, name), f"/meetings/{meeting['id']}/suggestions")
        assert response.status_code == 403, name


def test_taking_a_suggestion_clears_the_conflict(story):
    meeting = _arrange(story)
    moved = post(
        story.ravi,
        f"/meetings/{meeting['id']}/move",
        {"starts": "10:45"},
        if_match=meeting["version"],
    )
    assert moved.status_code == 200
    assert get(story.ravi, f"/meetings/{meeting['id']}/conflicts").json()["items"] == []
    assert get(story.amina, "/conflicts").json()["items"] == []


def test_ending_the_adjustment_works_the_conflicts_out_again(story):
    meeting = _arrange(story)
    assert get(story.amina, "/conflicts").json()["count"] > 0
    [agreed] = get(story.amina, "/adjustments?state=agreed").json()["items"]
    ended = post(
        story.amina,
        f"/adjustments/{agreed['id']}/end",
        {"last_day": str(timezone.localdate() - dt.timedelta(days=1))},
        if_match=agreed["version"],
    )
    assert ended.status_code == 200, ended.json()
    assert get(story.ravi, f"/meetings/{meeting['id']}/conflicts").json()["items"] == []


def test_a_cancelled_meeting_keeps_no_conflicts_ahead(story):
    meeting = _arrange(story)
    post(story.ravi, f"/meetings/{meeting['id']}/cancel", if_match=meeting["version"])
    assert get(story.amina, "/conflicts").json()["items"] == []
    suggested = get(story.ravi, f"/meetings/{meeting['id']}/suggestions").json()
    assert suggested["occurs_on"] is None
    assert suggested["late"] == []


def test_a_meeting_someone_cannot_attend_at_all_says_away(story):
    _arrange(story)
    with scope(organisation=story.harbourside.pk):
        meeting = services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="Early briefing",
                kind="team_meeting",
                first_on=_next(TUESDAY),
                starts=dt.time(9, 0),
                minutes=30,
                required=[story.amina.pk],
            ),
        )
    [row] = get(story.ravi, f"/meetings/{meeting.pk}/conflicts").json()["items"]
    assert (row["kind"], row["arrives_at"], row["leaves_at"]) == ("away", None, None)
