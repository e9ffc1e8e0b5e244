"""Adjustments of a working pattern through the API (issue 6 items 1, 2 and 7): proposed by
either side, agreed by both, declined or ended; read by the person, their line manager and
HR only; hours and dates in every answer, never why (§2.4.1)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.people.availability import set_working_pattern
from peerwork.people.models import Adjustment
from peerwork.people.tests.api_calls import get, post
from peerwork.schedule import services

pytestmark = pytest.mark.django_db

WORKDAY = (dt.time(9, 0), dt.time(17, 30))


def _weekdays(story, *people):
    with scope(organisation=story.harbourside.pk):
        for person in people:
            set_working_pattern(
                actor=story.ravi, membership=person, days=dict.fromkeys(range(5), WORKDAY)
            )


def _later_start(story, **kw):
    today = timezone.localdate()
    body = {
        "weekdays": [0, 1, 2, 3, 4],
        "starts": "10:45",
        "valid_from": str(today),
        "review_on": str(today + dt.timedelta(days=180)),
    }
    body.update(kw)
    return body


def _rows(story):
    with scope(organisation=story.harbourside.pk):
        return list(Adjustment.objects.order_by("proposed_at"))


def test_it_proposes_a_later_start_that_waits_for_the_line_manager(story):
    _weekdays(story, story.amina)
    response = post(story.amina, "/adjustments", _later_start(story))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person"]["id"] == str(story.amina.pk)
    assert body["state"] == "proposed"
    assert body["waiting_for"] == "manager"
    assert body["starts"] == "10:45"
    assert body["ends"] is None
    assert body["description"] == "starts 10:45 Mon–Fri"
    assert body["time_zone"] == "Africa/Nairobi"
    assert response["ETag"] == '"1"'


def test_it_is_agreed_by_the_line_manager_and_then_applies(story):
    _weekdays(story, story.amina)
    proposed = post(story.amina, "/adjustments", _later_start(story)).json()
    response = post(
        story.ravi, f"/adjustments/{proposed['id']}/agree", if_match=proposed["version"]
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "agreed"
    assert body["waiting_for"] is None
    assert body["agreed_by"] == {"id": str(story.ravi.pk), "name": story.ravi.name}
    assert body["agreed_on"] == str(
        timezone.localdate(timezone.now(), zoneinfo.ZoneInfo("Africa/Nairobi"))
    )
    assert body["manager_agreed_at"] is not None
    assert body["version"] == proposed["version"] + 1


def test_a_proposal_by_the_line_manager_waits_for_the_person(story):
    _weekdays(story, story.amina)
    response = post(story.ravi, "/adjustments", _later_start(story, person=str(story.amina.pk)))
    assert response.status_code == 201
    body = response.json()
    assert body["waiting_for"] == "person"
    agreed = post(story.amina, f"/adjustments/{body['id']}/agree", if_match=body["version"])
    assert agreed.json()["state"] == "agreed"


def test_it_is_declined_and_then_cannot_be_agreed(story):
    _weekdays(story, story.amina)
    proposed = post(story.amina, "/adjustments", _later_start(story)).json()
    declined = post(
        story.ravi, f"/adjustments/{proposed['id']}/decline", if_match=proposed["version"]
    )
    assert declined.status_code == 200
    assert declined.json()["state"] == "declined"
    again = post(
        story.ravi, f"/adjustments/{proposed['id']}/agree", if_match=declined.json()["version"]
    )
    assert again.status_code == 400
    assert again.json()["detail"] == "Only a proposed adjustment can be agreed."


def test_either_side_ends_an_agreed_one(story):
    _weekdays(story, story.amina)
    proposed = post(story.amina, "/adjustments", _later_start(story)).json()
    agreed = post(
        story.ravi, f"/adjustments/{proposed['id']}/agree", if_match=proposed["version"]
    ).json()
    last_day = timezone.localdate() + dt.timedelta(days=30)
    ended = post(
        story.amina,
        f"/adjustments/{agreed['id']}/end",
        {"last_day": str(last_day)},
        if_match=agreed["version"],
    )
    assert ended.status_code == 200, ended.json()
    assert ended.json()["valid_until"] == str(last_day)
    assert ended.json()["ended_at"] is not None


def test_a_stale_version_is_409_and_changes_nothing(story):
    _weekdays(story, story.amina)
    proposed = post(story.amina, "/adjustments", _later_start(story)).json()
    response = post(
        story.ravi, f"/adjustments/{proposed['id']}/agree", if_match=proposed["version"] + 3
    )
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    assert _rows(story)[0].state == Adjustment.State.PROPOSED


def test_an_agreement_needs_if_match(story):
    _weekdays(story, story.amina)
    proposed = post(story.amina, "/adjustments", _later_start(story)).json()
    assert post(story.ravi, f"/adjustments/{proposed['id']}/agree").status_code == 422


# --- bad input ---------------------------------------------------------------------------


def test_an_end_before_the_start_is_refused_and_nothing_saved(story):
    response = post(story.amina, "/adjustments", _later_start(story, ends="10:00"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"ends": ["The end must be after the start."]}
    assert _rows(story) == []


def test_a_break_the_wrong_way_round_and_a_review_before_the_first_day_are_named(story):
    today = timezone.localdate()
    response = post(
        story.amina,
        "/adjustments",
        _later_start(
            story,
            break_starts="14:00",
            break_ends="13:00",
            review_on=str(today - dt.timedelta(days=1)),
        ),
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"break_ends", "review_on"}
    assert _rows(story) == []


def test_no_day_and_no_hours_are_refused(story):
    response = post(
        story.amina, "/adjustments", {"weekdays": [], "valid_from": str(timezone.localdate())}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"weekdays", "starts"}


def test_a_time_outside_the_day_does_not_fit_the_schema(story):
    response = post(story.amina, "/adjustments", _later_start(story, starts="25:00"))
    assert response.status_code == 422
    assert _rows(story) == []


def test_a_date_beyond_the_years_peerwork_counts_in_is_named(story):
    response = post(story.amina, "/adjustments", _later_start(story, valid_until="9999-12-31"))
    assert response.status_code == 400
    assert "valid_until" in response.json()["errors"]


def test_an_overlapping_agreement_is_refused_and_the_agreed_one_stays(story):
    _weekdays(story, story.amina)
    first = post(story.amina, "/adjustments", _later_start(story)).json()
    post(story.ravi, f"/adjustments/{first['id']}/agree", if_match=first["version"])
    second = post(story.amina, "/adjustments", _later_start(story, weekdays=[2], starts="11:00"))
    body = second.json()
    response = post(story.ravi, f"/adjustments/{body['id']}/agree", if_match=body["version"])
    assert response.status_code == 400
    assert "overlaps an adjustment already agreed" in response.json()["detail"]
    states = {str(row.pk): row.state for row in _rows(story)}
    assert states == {first["id"]: "agreed", body["id"]: "proposed"}


def test_someone_unknown_as_the_person_is_a_field_error(story):
    response = post(story.ravi, "/adjustments", _later_start(story, person=str(story.taras.pk)))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"person"}


# --- who reads and who acts --------------------------------------------------------------


def test_the_person_lists_their_own_and_the_manager_and_hr_list_theirs(story):
    _weekdays(story, story.amina)
    made = post(story.amina, "/adjustments", _later_start(story)).json()
    mine = get(story.amina, "/adjustments").json()
    assert [row["id"] for row in mine["items"]] == [made["id"]]
    for reader in (story.ravi, story.grace):
        listed = get(reader, f"/adjustments?person={story.amina.pk}")
        assert listed.status_code == 200
        assert [row["id"] for row in listed.json()["items"]] == [made["id"]]
    assert get(story.ravi, "/adjustments").json()["items"] == []
    assert get(story.ravi, f"/adjustments?person={story.amina.pk}&state=agreed").json() == {
        "items": [],
        "count": 0,
    }


@pytest.mark.parametrize("name", ["taslima", "daniel", "chen", "joseph", "samuel", "taras"])
def test_anyone_else_gets_404_for_a_persons_adjustments(story, name):
    _weekdays(story, story.amina)
    made = post(story.amina, "/adjustments", _later_start(story)).json()
    reader = getattr(story, name)
    assert get(reader, f"/adjustments?person={story.amina.pk}").status_code == 404
    assert get(reader, f"/adjustments/{made['id']}").status_code == 404
    assert (
        post(reader, f"/adjustments/{made['id']}/agree", if_match=made["version"]).status_code
        == 404
    )
    assert _rows(story)[0].state == Adjustment.State.PROPOSED


def test_a_colleague_cannot_propose_for_someone_else(story):
    response = post(story.joseph, "/adjustments", _later_start(story, person=str(story.amina.pk)))
    assert response.status_code == 403
    assert _rows(story) == []


def test_no_answer_carries_a_reason_from_a_private_note(story):
    """The note behind the hours (a clinic, its opening time) reaches no answer."""
    _weekdays(story, story.amina)
    with scope(organisation=story.harbourside.pk):
        need = services.record_need(
            actor=story.amina,
            owner=story.amina,
            details={
                "kind": "dispensing",
                "site": "Canary Clinic",
                "days": [0, 1, 2, 3, 4],
                "opens": "10:00",
                "closes": "13:00",
                "collection": "at_opening",
                "wait_minutes": 15,
                "travel_minutes": 30,
            },
        )
        services.propose_from_need(actor=story.amina, need=need, valid_from=timezone.localdate())
    for reader in (story.amina, story.ravi, story.grace):
        listed = get(reader, f"/adjustments?person={story.amina.pk}")
        text = listed.content.decode()
        assert listed.status_code == 200
        assert "10:45" in text
        for word in ("Canary", "10:00", "13:00", "dispens", "clinic", "note"):
            assert word not in text, (reader, word)
