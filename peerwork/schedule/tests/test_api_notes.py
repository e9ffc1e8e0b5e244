"""Private planning notes through the API (issue 6 item 2): the person's own, HR's only under
the person's share by name (each of HR's reads audited), and the hours they ask for
proposed as adjustments that carry nothing of the note (§2.4.1, App. 10 case 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import AuditEvent
from peerwork.people.availability import set_working_pattern
from peerwork.people.models import Adjustment
from peerwork.people.services import share
from peerwork.people.tests.api_calls import call, get, post
from peerwork.schedule.models import PrivateNeed

pytestmark = pytest.mark.django_db

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
APPOINTMENT = {
    "kind": "appointment",
    "weekday": 1,
    "starts": "13:00",
    "ends": "14:00",
    "travel_minutes": 20,
    "every_weeks": 1,
}


def _pattern(story, person):
    with scope(organisation=story.harbourside.pk):
        set_working_pattern(
            actor=story.ravi, membership=person, days=dict.fromkeys(range(5), WORKDAY)
        )


def _share_with_grace(story, categories=("ost", "health")):
    with scope(organisation=story.harbourside.pk):
        share(
            actor=story.amina,
            audience="person",
            grantee=story.grace,
            categories=list(categories),
            purpose="Help with planning",
        )


def _notes(story):
    with scope(organisation=story.harbourside.pk):
        return list(PrivateNeed.objects.all())


def _reads(story):
    with scope(organisation=story.harbourside.pk):
        return AuditEvent.objects.filter(action="schedule.need.read").count()


def test_it_keeps_a_dispensing_note_and_works_out_case_3(story):
    _pattern(story, story.amina)
    response = post(story.amina, "/private-notes", CASE_3)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "dispensing"
    assert body["details"]["opens"] == "10:00"
    assert body["details"]["site"] == "Eastgate clinic"
    assert body["entered_by"] is None
    assert body["proposals"] == [
        {
            "weekdays": [0, 1, 2, 3, 4],
            "description": "starts 10:45 Mon–Fri",
            "starts": "10:45",
            "ends": None,
            "break_starts": None,
            "break_ends": None,
        }
    ]
    assert response["ETag"] == '"1"'


def test_collection_any_time_while_open_proposes_nothing(story):
    _pattern(story, story.amina)
    body = {**CASE_3, "collection": "any_time", "opens": "07:00", "closes": "19:00"}
    response = post(story.amina, "/private-notes", body)
    assert response.status_code == 201
    assert response.json()["proposals"] == []
    proposed = post(
        story.amina,
        f"/private-notes/{response.json()['id']}/propose",
        {"valid_from": str(timezone.localdate())},
    )
    assert proposed.status_code == 400
    assert "already fit" in proposed.json()["detail"]


def test_it_lists_reads_changes_and_removes_the_persons_own_notes(story):
    made = post(story.amina, "/private-notes", APPOINTMENT).json()
    assert [n["id"] for n in get(story.amina, "/private-notes").json()["items"]] == [made["id"]]
    read = get(story.amina, f"/private-notes/{made['id']}")
    assert read.status_code == 200
    assert read.json()["details"]["starts"] == "13:00"
    changed = call(
        story.amina,
        "PUT",
        f"/private-notes/{made['id']}",
        {**APPOINTMENT, "starts": "15:00", "ends": "16:00"},
        if_match=made["version"],
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["details"]["starts"] == "15:00"
    assert changed.json()["version"] == made["version"] + 1
    removed = call(story.amina, "DELETE", f"/private-notes/{made['id']}")
    assert removed.status_code == 200
    assert removed.json() == {"id": made["id"], "deleted": True}
    assert _notes(story) == []
    assert _reads(story) == 0  # the owner's own reads are not audited


def test_proposing_turns_case_3_into_an_adjustment_for_the_line_manager(story):
    _pattern(story, story.amina)
    made = post(story.amina, "/private-notes", CASE_3).json()
    today = timezone.localdate()
    response = post(
        story.amina,
        f"/private-notes/{made['id']}/propose",
        {"valid_from": str(today), "review_on": str(today + dt.timedelta(days=90))},
    )
    assert response.status_code == 201, response.json()
    [adjustment] = response.json()
    assert adjustment["starts"] == "10:45"
    assert adjustment["waiting_for"] == "manager"
    manager_sees = get(story.ravi, f"/adjustments/{adjustment['id']}").content.decode()
    for word in ("Eastgate", "10:00", "13:00", "clinic", "dispens"):
        assert word not in manager_sees


# --- bad input ---------------------------------------------------------------------------


def test_closing_before_opening_is_refused_and_nothing_saved(story):
    response = post(story.amina, "/private-notes", {**CASE_3, "opens": "13:00", "closes": "10:00"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"closes": ["The site must close after it opens."]}
    assert _notes(story) == []


def test_a_wait_of_a_day_and_no_days_are_named_at_once(story):
    response = post(story.amina, "/private-notes", {**CASE_3, "wait_minutes": 1440, "days": []})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"wait_minutes", "days"}
    assert _notes(story) == []


def test_a_time_outside_the_day_does_not_fit_the_schema(story):
    response = post(story.amina, "/private-notes", {**CASE_3, "opens": "24:30"})
    assert response.status_code == 422
    assert _notes(story) == []


def test_a_bad_change_keeps_what_was_saved(story):
    made = post(story.amina, "/private-notes", CASE_3).json()
    response = call(
        story.amina,
        "PUT",
        f"/private-notes/{made['id']}",
        {**CASE_3, "closes": "09:00"},
        if_match=made["version"],
    )
    assert response.status_code == 400
    kept = get(story.amina, f"/private-notes/{made['id']}").json()
    assert kept["details"]["closes"] == "13:00"
    assert kept["version"] == made["version"]


def test_a_stale_change_is_409_and_keeps_the_newer_note(story):
    made = post(story.amina, "/private-notes", CASE_3).json()
    first = call(
        story.amina,
        "PUT",
        f"/private-notes/{made['id']}",
        {**CASE_3, "wait_minutes": 20},
        if_match=made["version"],
    )
    assert first.status_code == 200
    second = call(
        story.amina,
        "PUT",
        f"/private-notes/{made['id']}",
        {**CASE_3, "wait_minutes": 5},
        if_match=made["version"],
    )
    assert second.status_code == 409
    assert get(story.amina, f"/private-notes/{made['id']}").json()["details"]["wait_minutes"] == 20
    stale_delete = call(
        story.amina, "DELETE", f"/private-notes/{made['id']}", if_match=made["version"]
    )
    assert stale_delete.status_code == 409
    assert len(_notes(story)) == 1


# --- HR under a share, and nobody else ---------------------------------------------------


def test_hr_under_the_persons_named_share_lists_reads_and_writes_and_each_read_is_audited(story):
    _pattern(story, story.amina)
    made = post(story.amina, "/private-notes", CASE_3).json()
    _share_with_grace(story)
    listed = get(story.grace, f"/private-notes?person={story.amina.pk}")
    assert listed.status_code == 200
    assert [n["id"] for n in listed.json()["items"]] == [made["id"]]
    assert _reads(story) == 1
    assert get(story.grace, f"/private-notes/{made['id']}").status_code == 200
    assert _reads(story) == 2
    entered = post(story.grace, f"/private-notes?person={story.amina.pk}", APPOINTMENT)
    assert entered.status_code == 201, entered.json()
    assert entered.json()["entered_by"]["id"] == str(story.grace.pk)
    assert entered.json()["person"]["id"] == str(story.amina.pk)
    proposed = post(
        story.grace,
        f"/private-notes/{made['id']}/propose",
        {"valid_from": str(timezone.localdate())},
    )
    assert proposed.status_code == 201


def test_hr_does_not_remove_a_persons_note(story):
    made = post(story.amina, "/private-notes", CASE_3).json()
    _share_with_grace(story)
    response = call(story.grace, "DELETE", f"/private-notes/{made['id']}")
    assert response.status_code == 403
    assert len(_notes(story)) == 1


def test_a_share_of_ost_alone_does_not_open_an_appointment(story):
    dispensing = post(story.amina, "/private-notes", CASE_3).json()
    appointment = post(story.amina, "/private-notes", APPOINTMENT).json()
    _share_with_grace(story, categories=("ost",))
    listed = get(story.grace, f"/private-notes?person={story.amina.pk}").json()
    assert [n["id"] for n in listed["items"]] == [dispensing["id"]]
    assert get(story.grace, f"/private-notes/{appointment['id']}").status_code == 404


def test_hr_without_a_share_gets_404(story):
    made = post(story.amina, "/private-notes", CASE_3).json()
    assert get(story.grace, f"/private-notes?person={story.amina.pk}").status_code == 404
    assert get(story.grace, f"/private-notes/{made['id']}").status_code == 404
    assert post(story.grace, f"/private-notes?person={story.amina.pk}", CASE_3).status_code == 404
    assert len(_notes(story)) == 1


@pytest.mark.parametrize("name", ["ravi", "daniel", "chen", "joseph", "samuel", "taras"])
def test_nobody_else_reaches_a_note_whatever_their_role(story, name):
    made = post(story.amina, "/private-notes", CASE_3).json()
    _share_with_grace(story)
    reader = getattr(story, name)
    assert get(reader, f"/private-notes?person={story.amina.pk}").status_code == 404
    assert get(reader, f"/private-notes/{made['id']}").status_code == 404
    assert (
        call(reader, "PUT", f"/private-notes/{made['id']}", CASE_3, if_match=1).status_code == 404
    )
    assert call(reader, "DELETE", f"/private-notes/{made['id']}").status_code == 404
    assert (
        post(
            reader,
            f"/private-notes/{made['id']}/propose",
            {"valid_from": str(timezone.localdate())},
        ).status_code
        == 404
    )
    assert get(reader, "/private-notes").json()["items"] == []
    with scope(organisation=story.harbourside.pk):
        assert not Adjustment.objects.exists()
