"""Mentoring through the API (issue 7 items 5 and 9; shared/API.md): HR lists, makes and ends
pairs (never with the person's own line manager: 400 naming the field); a person asks for a
mentor and withdraws; "my support"; the session log (refused before the reporting duty is
acknowledged, changed with If-Match, 409 when stale, removed); and 404 for anyone the
record is not theirs to see."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from peerwork.core.services import set_roles
from peerwork.people.tests.api_calls import call, get, post
from peerwork.support import mentoring
from peerwork.support.tests.test_mentoring_pairs import draft, pair_of, pairs_of, today_there

pytestmark = pytest.mark.django_db

NOTES = "Planned the evening outreach together; she chose the route."


def test_hr_lists_every_current_pair_and_others_their_own(story):
    answer = get(story.grace, "/support-pairs")
    assert answer.status_code == 200
    rows = answer.json()["items"]
    assert {(r["person"]["name"], r["supporter"]["name"], r["kind"]) for r in rows} == {
        ("Amina Wanjiru", "Samuel Kiprop", "mentor"),
        ("Olena Petrenko", "Leila Haddad", "coach"),
    }
    (mine,) = get(story.amina, "/support-pairs").json()["items"]
    assert mine["supporter"]["name"] == "Samuel Kiprop" and mine["current"] is True
    assert get(story.ravi, "/support-pairs").json()["items"] == []
    (leilas,) = get(story.leila, "/support-pairs").json()["items"]
    assert leilas["person"]["name"] == "Olena Petrenko"
    assert get(story.peter, "/support-pairs").status_code == 404


def test_hr_makes_a_pair_and_the_line_manager_is_refused_by_name(story):
    with scope(organisation=story.harbourside.pk):
        set_roles(membership=story.ravi, roles=["staff", "line_manager", "peer_mentor"])
    body = {"person": str(story.joseph.pk), "supporter": str(story.ravi.pk), "kind": "mentor"}
    answer = post(story.grace, "/support-pairs", body)
    assert answer.status_code == 400
    assert "sit outside line management" in answer.json()["errors"]["supporter"][0]
    assert post(story.samuel, "/support-pairs", body).status_code == 403
    answer = post(story.grace, "/support-pairs", {**body, "supporter": str(story.samuel.pk)})
    assert answer.status_code == 201
    made = answer.json()
    assert made["person"]["name"] == "Joseph Otieno" and made["agreement"] is None
    assert get(story.joseph, f"/support-pairs/{made['id']}").status_code == 200
    assert get(story.ravi, f"/support-pairs/{made['id']}").status_code == 404
    assert post(story.joseph, f"/support-pairs/{made['id']}/end").status_code == 403
    ended = post(story.grace, f"/support-pairs/{made['id']}/end")
    assert ended.status_code == 200 and ended.json()["current"] is False
    assert get(story.samuel, f"/support-pairs/{made['id']}").status_code == 404
    assert post(story.grace, f"/support-pairs/{made['id']}/end").status_code == 400


def test_a_person_asks_for_a_mentor_withdraws_and_hr_pairs_the_next_request(story):
    answer = post(story.joseph, "/mentoring-requests", {"note": "Evenings, please."})
    assert answer.status_code == 201
    asked = answer.json()
    assert asked["state"] == "open" and asked["note"] == "Evenings, please."
    assert get(story.joseph, "/my-support").json()["request"] == asked["id"]
    hr_view = get(story.grace, "/mentoring-requests").json()["items"]
    assert [r["id"] for r in hr_view] == [asked["id"]]
    assert get(story.ravi, f"/mentoring-requests/{asked['id']}").status_code == 404
    assert post(story.grace, f"/mentoring-requests/{asked['id']}/withdraw").status_code == 403
    withdrawn = post(
        story.joseph, f"/mentoring-requests/{asked['id']}/withdraw", if_match=asked["version"]
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    again = post(story.joseph, "/mentoring-requests", {"wanted": str(story.samuel.pk)}).json()
    refused = post(
        story.joseph, f"/mentoring-requests/{again['id']}/pair", {"supporter": str(story.samuel.pk)}
    )
    assert refused.status_code == 403
    paired = post(
        story.grace, f"/mentoring-requests/{again['id']}/pair", {"supporter": str(story.samuel.pk)}
    )
    assert paired.status_code == 201
    (pair,) = pairs_of(story.joseph)
    assert paired.json()["id"] == str(pair.pk)
    mine = get(story.joseph, "/my-support").json()
    assert [p["id"] for p in mine["mine"]] == [str(pair.pk)] and mine["request"] is None
    supporting = get(story.samuel, "/my-support").json()["supporting"]
    assert {p["person"]["name"] for p in supporting} == {"Amina Wanjiru", "Joseph Otieno"}


def test_a_session_before_the_duty_is_refused_then_logged_changed_and_removed(story):
    agreement = draft(story, duty=False)
    pair = pair_of(story)
    path = f"/support-pairs/{pair.pk}/sessions"
    body = {"held_on": today_there(story).isoformat(), "minutes": 45, "notes": NOTES}
    refused = post(story.samuel, path, body)
    assert refused.status_code == 400
    assert "has not yet acknowledged the duty" in refused.json()["detail"]
    assert get(story.samuel, path).json()["items"] == []
    assert (
        post(story.amina, f"/support-agreements/{agreement.pk}/acknowledge-duty").status_code == 200
    )
    tomorrow = (today_there(story) + dt.timedelta(days=1)).isoformat()
    future = post(story.samuel, path, {**body, "held_on": tomorrow})
    assert future.status_code == 400 and "held_on" in future.json()["errors"]
    assert post(story.amina, path, body).status_code == 403
    logged = post(story.samuel, path, body)
    assert logged.status_code == 201 and logged.json()["notes"] == NOTES
    session = logged.json()
    (listed,) = get(story.amina, path).json()["items"]
    assert listed["notes"] == NOTES and listed["minutes"] == 45

    session_path = f"/support-sessions/{session['id']}"
    changed = call(
        story.samuel, "PATCH", session_path, {"minutes": 50}, if_match=session["version"]
    )
    assert changed.status_code == 200 and changed.json()["minutes"] == 50
    assert changed.json()["notes"] == NOTES and changed["ETag"] == '"2"'
    stale = call(story.samuel, "PATCH", session_path, {"notes": "x"}, if_match=1)
    assert stale.status_code == 409
    assert call(story.samuel, "PATCH", session_path, {"notes": "x"}).status_code == 422
    assert call(story.amina, "PATCH", session_path, {"notes": "x"}, if_match=2).status_code == 403
    assert call(story.amina, "DELETE", session_path).status_code == 403
    assert call(story.samuel, "DELETE", session_path, if_match=1).status_code == 409
    removed = call(story.samuel, "DELETE", session_path, if_match=2)
    assert removed.status_code == 200 and removed.json() == {"id": session["id"], "removed": True}
    assert get(story.samuel, session_path).status_code == 404


def test_the_log_is_404_for_everyone_but_the_two(story):
    draft(story)
    pair = pair_of(story)
    with scope(organisation=story.harbourside.pk):
        session = mentoring.log_session(
            actor=story.samuel, pair=pair, held_on=today_there(story), notes=NOTES
        )
    for name in ("ravi", "grace", "daniel", "chen", "leila", "taslima", "joseph", "taras"):
        member = getattr(story, name)
        assert get(member, f"/support-pairs/{pair.pk}/sessions").status_code == 404, name
        assert get(member, f"/support-sessions/{session.pk}").status_code == 404, name
        body = {"held_on": today_there(story).isoformat(), "notes": "x"}
        assert post(member, f"/support-pairs/{pair.pk}/sessions", body).status_code == 404, name
    for name in ("amina", "samuel"):
        answer = get(getattr(story, name), f"/support-sessions/{session.pk}")
        assert answer.json()["notes"] == NOTES, name
