"""Peer support groups through the API (issue 7 items 7 and 9; §3.10, §4.8, App. 4): the
list and one group with its terms in words, starting a group, changing its terms with
``If-Match``, joining and leaving, the inside of a group (members, meetings) for its members
and facilitator only, shared learning for everyone, and the §4.8 steps in order.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from peerwork.api.tests.helpers import bearer
from peerwork.people.tests.api_calls import call, get, post
from peerwork.schedule.services import local_today
from peerwork.support.models import GroupStep, SupportGroup
from peerwork.support.tests.test_group_pages import with_history
from peerwork.support.tests.test_groups import lunch_group

pytestmark = pytest.mark.django_db


def base(group) -> str:
    return f"/support-groups/{group.pk}"


def terms(story, **changes) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "Monday check-in",
        "facilitator_id": str(story.farah.pk),
        "place": "Meeting room",
        "frequency": "Every Monday, 16:00",
        "timing": "work_hours",
        "management_contact": "Through the facilitator",
        "concerns_to": "The facilitator, then HR",
        "review_on": str(local_today(story.grace) + dt.timedelta(days=90)),
    }
    body.update(changes)
    return body


def test_hr_starts_a_group_and_everyone_working_reads_its_terms(story):
    response = post(story.grace, "/support-groups", terms(story))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["facilitator"]["name"] == "Farah Ali"
    assert body["timing"] == "work_hours" and body["state"] == "active"
    assert any("not a 12-step group" in p for p in body["terms"])
    assert response["ETag"] == f'"{body["version"]}"'
    listed = get(story.joseph, "/support-groups").json()
    assert [g["name"] for g in listed["items"]] == ["Monday check-in"]
    assert "members" not in listed["items"][0] and "member_count" not in listed["items"][0]


def test_bad_terms_are_refused_with_the_fields_named_and_nothing_saved(story):
    past = str(local_today(story.grace) - dt.timedelta(days=3))
    response = post(
        story.grace,
        "/support-groups",
        terms(story, place=" ", review_on=past, facilitator_id=str(story.taras.pk)),
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"place", "review_on", "facilitator_id"}
    with scope(organisation=story.harbourside.pk):
        assert not SupportGroup.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("amina", 403), ("ravi", 403), ("peter", 404)])
def test_others_do_not_start_groups(story, who, status):
    assert post(getattr(story, who), "/support-groups", terms(story)).status_code == status


def test_the_terms_change_with_if_match_and_a_stale_one_is_409(story):
    group = lunch_group(story)
    response = call(
        story.farah, "PATCH", base(group), {"place": "The garden"}, if_match=group.version
    )
    assert response.status_code == 200, response.json()
    assert response.json()["place"] == "The garden"
    assert response.json()["name"] == "Friday lunch group"
    stale = call(story.grace, "PATCH", base(group), {"place": "Upstairs"}, if_match=group.version)
    assert stale.status_code == 409
    assert call(story.amina, "PATCH", base(group), {"place": "x"}, if_match=2).status_code == 403
    assert call(story.peter, "PATCH", base(group), {"place": "x"}, if_match=2).status_code == 404


@pytest.mark.parametrize("who", ["joseph", "ravi"])
def test_a_volunteer_and_a_manager_join_and_leave(story, who):
    group = lunch_group(story)
    person = getattr(story, who)
    joined = post(person, f"{base(group)}/join")
    assert joined.status_code == 200 and joined.json()["i_am_member"] is True
    assert joined.json()["sees_inside"] is True
    names = [m["person"]["name"] for m in get(person, f"{base(group)}/members").json()["items"]]
    assert person.name in names
    left = post(person, f"{base(group)}/leave")
    assert left.status_code == 200 and left.json()["i_am_member"] is False
    assert get(person, f"{base(group)}/members").status_code == 404


@pytest.mark.parametrize("who", ["peter", "leila", "taras"])
def test_peer_interviewers_coaches_and_other_organisations_get_404(story, who):
    group = lunch_group(story)
    person = getattr(story, who)
    for path in ("", "/members", "/meetings", "/learning", "/steps"):
        assert get(person, f"{base(group)}{path}").status_code == 404, path
    assert post(person, f"{base(group)}/join").status_code == 404


@pytest.mark.parametrize("who", ["grace", "daniel", "ravi", "joseph", "chen"])
def test_the_inside_of_a_group_is_404_outside_it_hr_and_the_director_too(story, who):
    group = with_history(story)
    person = getattr(story, who)
    assert get(person, f"{base(group)}/members").status_code == 404
    assert get(person, f"{base(group)}/meetings").status_code == 404
    today = str(local_today(person))
    assert post(person, f"{base(group)}/meetings", {"held_on": today}).status_code == 404
    detail = get(person, base(group)).json()
    assert detail["sees_inside"] is False
    learning = get(person, f"{base(group)}/learning").json()["items"]
    assert [row["text"] for row in learning] == ["Evening outreach pairs want a second phone"]
    assert set(learning[0]) == {"id", "text", "shared_at"}  # names nobody


def test_members_and_the_facilitator_see_the_inside(story):
    group = with_history(story)
    for person in (story.amina, story.farah):
        members = get(person, f"{base(group)}/members").json()["items"]
        assert sorted(m["person"]["name"] for m in members) == ["Amina Wanjiru", "Olena Petrenko"]
        meetings = get(person, f"{base(group)}/meetings").json()["items"]
        assert [m["attended"] for m in meetings] == [6]


def test_a_meeting_in_a_suspension_or_ahead_is_refused(story):
    group = lunch_group(story)
    today = local_today(story.grace)
    ahead = post(story.amina, f"{base(group)}/meetings", {"held_on": str(today + dt.timedelta(1))})
    assert ahead.status_code == 400 and "held_on" in ahead.json()["errors"]
    for kind in ("mediation", "tor_review"):
        body = {"kind": kind, "held_on": str(today), "outcome": "Talked"}
        assert post(story.grace, f"{base(group)}/steps", body).status_code == 201
    body = {
        "kind": "suspension",
        "held_on": str(today),
        "outcome": "A pause",
        "ends_on": str(today + dt.timedelta(days=30)),
    }
    assert post(story.daniel, f"{base(group)}/steps", body).status_code == 201
    refused = post(story.amina, f"{base(group)}/meetings", {"held_on": str(today)})
    assert refused.status_code == 400
    assert "suspended on that date" in refused.json()["errors"]["held_on"][0]
    assert get(story.amina, base(group)).json()["state"] == "suspended"


def test_the_steps_come_in_order_through_the_api(story):
    group = lunch_group(story)
    today = str(local_today(story.grace))
    review = post(
        story.grace,
        f"{base(group)}/steps",
        {"kind": "tor_review", "held_on": today, "outcome": "x"},
    )
    assert review.status_code == 400
    assert review.json()["errors"]["kind"][0].startswith("Mediation comes first")
    suspension = post(
        story.grace,
        f"{base(group)}/steps",
        {"kind": "suspension", "held_on": today, "outcome": "x", "ends_on": today},
    )
    assert suspension.status_code == 400
    with scope(organisation=story.harbourside.pk):
        assert not GroupStep.objects.exists()
    body = {"kind": "mediation", "held_on": today, "outcome": "Everyone heard"}
    assert post(story.farah, f"{base(group)}/steps", body).status_code == 403
    made = post(story.grace, f"{base(group)}/steps", body)
    assert made.status_code == 201 and made.json()["recorded_by"]["name"] == "Grace Njeri"
    for who in ("grace", "daniel", "farah", "amina"):
        steps = get(getattr(story, who), f"{base(group)}/steps").json()["items"]
        assert [s["kind"] for s in steps] == ["mediation"], who
    for who in ("ravi", "joseph"):
        assert get(getattr(story, who), f"{base(group)}/steps").status_code == 404, who


def test_a_member_shares_learning_and_hr_may_not(story):
    group = lunch_group(story)
    made = post(story.olena, f"{base(group)}/learning", {"text": "Debriefs help"})
    assert made.status_code == 201
    assert post(story.grace, f"{base(group)}/learning", {"text": "No"}).status_code == 403


def test_hr_closes_a_group_with_if_match(story):
    group = lunch_group(story)
    assert call(story.farah, "POST", f"{base(group)}/close", {}, if_match=1).status_code == 403
    closed = call(story.grace, "POST", f"{base(group)}/close", {}, if_match=group.version)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert [g["name"] for g in get(story.amina, "/support-groups").json()["items"]] == []
    everything = get(story.amina, "/support-groups?include_closed=true").json()["items"]
    assert [g["name"] for g in everything] == ["Friday lunch group"]


def test_the_list_asks_the_database_as_often_for_three_groups_as_for_one(story):
    headers = bearer(story.amina)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get("/api/v1/support-groups", headers=headers).status_code == 200
        return len(captured)

    lunch_group(story)
    queries()  # the token's first use is recorded once
    one = queries()
    lunch_group(story, name="Evening group")
    lunch_group(story, name="Weekend group")
    assert queries() == one
