"""Meetings, trainings and events through the API (issue 6 items 3, 4 and 7): listed and
read as work data, planned by their organiser, HR, the director or a line manager of an
attendee; changed whole, moved, given a late-join agenda or cancelled, each with the version
read; refused input names its field and saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.people.tests.api_calls import call, get, post
from peerwork.schedule.models import Attendee, Meeting

pytestmark = pytest.mark.django_db

TUESDAY = 1


def _next(weekday):
    today = timezone.localdate()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _meeting(story, **kw):
    body = {
        "title": "Team meeting",
        "kind": "team_meeting",
        "place": "Drop-in centre, back room",
        "team_id": str(story.team.pk),
        "first_on": str(_next(TUESDAY)),
        "starts": "09:30",
        "minutes": 60,
        "repeats": "weekly",
        "required": [str(story.amina.pk), str(story.olena.pk)],
        "optional": [str(story.joseph.pk)],
    }
    body.update(kw)
    return body


def _made(story, **kw):
    response = post(story.ravi, "/meetings", _meeting(story, **kw))
    assert response.status_code == 201, response.json()
    return response.json()


def _stored(story):
    with scope(organisation=story.harbourside.pk):
        return list(Meeting.objects.all())


def test_a_line_manager_puts_a_weekly_meeting_on_the_schedule(story):
    response = post(story.ravi, "/meetings", _meeting(story))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Team meeting"
    assert body["starts"] == "09:30"
    assert body["ends"] == "10:30"
    assert body["time_zone"] == "Africa/Nairobi"
    assert body["next_on"] == str(_next(TUESDAY))
    assert body["organiser"]["id"] == str(story.ravi.pk)
    assert body["team"] == {"id": str(story.team.pk), "name": story.team.name}
    assert {p["id"] for p in body["required"]} == {str(story.amina.pk), str(story.olena.pk)}
    assert [p["id"] for p in body["optional"]] == [str(story.joseph.pk)]
    assert body["may_plan"] is True
    assert response["ETag"] == '"1"'


def test_every_working_member_lists_and_reads_it_and_only_planners_may_plan(story):
    made = _made(story)
    for name in ("amina", "joseph", "taslima", "chen", "samuel"):
        member = getattr(story, name)
        listed = get(member, "/meetings").json()
        assert [m["id"] for m in listed["items"]] == [made["id"]], name
        read = get(member, f"/meetings/{made['id']}")
        assert read.status_code == 200
        assert read.json()["may_plan"] is False, name
    for name in ("grace", "daniel"):
        assert get(getattr(story, name), f"/meetings/{made['id']}").json()["may_plan"] is True


@pytest.mark.parametrize("name", ["leila", "farah", "peter", "taras"])
def test_people_outside_the_working_roles_and_other_organisations_get_404(story, name):
    made = _made(story)
    member = getattr(story, name)
    assert get(member, f"/meetings/{made['id']}").status_code == 404
    assert get(member, "/meetings").json()["items"] == []
    moved = post(member, f"/meetings/{made['id']}/move", {"starts": "11:00"}, if_match=1)
    assert moved.status_code == 404


def test_mine_lists_only_the_meetings_i_attend(story):
    made = _made(story)
    _made(story, title="Managers", required=[str(story.taslima.pk)], optional=[])
    mine = get(story.amina, "/meetings?mine=true").json()
    assert [m["id"] for m in mine["items"]] == [made["id"]]
    assert get(story.amina, "/meetings").json()["count"] == 2


def test_staff_cannot_organise_and_a_non_planner_cannot_change(story):
    refused = post(story.amina, "/meetings", _meeting(story))
    assert refused.status_code == 403
    made = _made(story)
    response = post(story.taslima, f"/meetings/{made['id']}/cancel", if_match=made["version"])
    assert response.status_code == 403
    assert "planners" in response.json()["detail"]
    assert _stored(story)[0].cancelled_at is None


def test_it_changes_a_meeting_whole(story):
    made = _made(story)
    body = _meeting(story, title="Team meeting (longer)", minutes=90, optional=[])
    response = call(story.ravi, "PUT", f"/meetings/{made['id']}", body, if_match=made["version"])
    assert response.status_code == 200, response.json()
    assert response.json()["minutes"] == 90
    assert response.json()["optional"] == []
    assert response.json()["version"] == made["version"] + 1
    with scope(organisation=story.harbourside.pk):
        assert Attendee.objects.count() == 2


def test_it_moves_a_meeting_to_another_weekday_and_time(story):
    made = _made(story)
    response = post(
        story.ravi,
        f"/meetings/{made['id']}/move",
        {"starts": "10:45", "weekday": 3},
        if_match=made["version"],
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["starts"] == "10:45"
    assert dt.date.fromisoformat(body["first_on"]).weekday() == 3


def test_it_sets_and_clears_a_late_join_agenda(story):
    made = _made(story)
    response = post(
        story.ravi,
        f"/meetings/{made['id']}/late-join",
        {"decisions_from": "10:00"},
        if_match=made["version"],
    )
    assert response.status_code == 200
    assert response.json()["decisions_from"] == "10:00"
    cleared = post(
        story.ravi,
        f"/meetings/{made['id']}/late-join",
        {"decisions_from": None},
        if_match=response.json()["version"],
    )
    assert cleared.json()["decisions_from"] is None


def test_it_cancels_a_meeting_once(story):
    made = _made(story)
    response = post(story.ravi, f"/meetings/{made['id']}/cancel", if_match=made["version"])
    assert response.status_code == 200
    assert response.json()["cancelled_at"] is not None
    assert response.json()["next_on"] is None
    assert get(story.amina, "/meetings").json()["items"] == []
    assert get(story.amina, "/meetings?include_cancelled=true").json()["count"] == 1
    again = post(story.ravi, f"/meetings/{made['id']}/cancel", if_match=response.json()["version"])
    assert again.status_code == 400
    assert again.json()["detail"] == "This meeting is already cancelled."


def test_a_change_made_on_an_old_version_is_409_and_changes_nothing(story):
    made = _made(story)
    post(story.ravi, f"/meetings/{made['id']}/move", {"starts": "11:00"}, if_match=made["version"])
    stale = call(
        story.daniel,
        "PUT",
        f"/meetings/{made['id']}",
        _meeting(story, title="Overwritten"),
        if_match=made["version"],
    )
    assert stale.status_code == 409
    for action, body in (("move", {"starts": "12:00"}), ("late-join", {"decisions_from": None})):
        response = post(story.daniel, f"/meetings/{made['id']}/{action}", body, if_match=1)
        assert response.status_code == 409, action
    assert post(story.daniel, f"/meetings/{made['id']}/cancel", if_match=1).status_code == 409
    [meeting] = _stored(story)
    assert (meeting.title, meeting.starts, meeting.cancelled_at) == (
        "Team meeting",
        dt.time(11, 0),
        None,
    )


# --- bad input ---------------------------------------------------------------------------


def test_an_unknown_attendee_is_refused_and_nothing_saved(story):
    response = post(
        story.ravi, "/meetings", _meeting(story, required=[str(story.taras.pk)], optional=[])
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "required": ["Someone in the list is not a member of this organisation."]
    }
    assert _stored(story) == []


def test_a_meeting_running_past_midnight_is_refused(story):
    response = post(story.ravi, "/meetings", _meeting(story, starts="23:30", minutes=60))
    assert response.status_code == 400
    assert response.json()["errors"] == {"minutes": ["The meeting must end on the day it starts."]}
    assert _stored(story) == []


def test_a_last_date_before_the_first_and_an_empty_title_are_named_together(story):
    first = _next(TUESDAY)
    response = post(
        story.ravi,
        "/meetings",
        _meeting(story, title=" ", until=str(first - dt.timedelta(days=7))),
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"title", "until"}
    assert _stored(story) == []


def test_no_required_attendee_and_another_organisations_team_are_refused(story):
    nobody = post(story.ravi, "/meetings", _meeting(story, required=[], optional=[]))
    assert nobody.status_code == 400
    assert set(nobody.json()["errors"]) == {"required"}
    elsewhere = post(story.ravi, "/meetings", _meeting(story, team_id=str(story.other_team.pk)))
    assert elsewhere.status_code == 400
    assert set(elsewhere.json()["errors"]) == {"team_id"}
    assert _stored(story) == []


def test_someone_both_required_and_optional_is_refused(story):
    response = post(
        story.ravi,
        "/meetings",
        _meeting(story, required=[str(story.amina.pk)], optional=[str(story.amina.pk)]),
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"optional"}


def test_a_move_past_midnight_and_decisions_outside_the_meeting_keep_it_as_it_was(story):
    made = _made(story)
    moved = post(
        story.ravi, f"/meetings/{made['id']}/move", {"starts": "23:45"}, if_match=made["version"]
    )
    assert moved.status_code == 400
    assert set(moved.json()["errors"]) == {"starts"}
    late = post(
        story.ravi,
        f"/meetings/{made['id']}/late-join",
        {"decisions_from": "12:00"},
        if_match=made["version"],
    )
    assert late.status_code == 400
    assert late.json()["errors"] == {"decisions_from": ["Decisions must come during the meeting."]}
    [meeting] = _stored(story)
    assert (meeting.starts, meeting.decisions_from, meeting.version) == (
        dt.time(9, 30),
        None,
        made["version"],
    )


def test_a_bad_kind_and_a_time_outside_the_day_do_not_fit_the_schema(story):
    assert post(story.ravi, "/meetings", _meeting(story, kind="party")).status_code == 422
    assert post(story.ravi, "/meetings", _meeting(story, starts="9.30pm")).status_code == 422
    assert _stored(story) == []
