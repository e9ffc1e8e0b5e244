"""Peer retreats through the API (issue 7 items 8 and 9; §3.12): planning one onto the
schedule, reading it with the audit item and its prompts, a PATCH with ``If-Match`` that
cannot take the audit item off the agenda, and cancelling it with its event.
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
from peerwork.schedule.models import Meeting
from peerwork.schedule.services import local_today
from peerwork.support.models import Retreat
from peerwork.support.tests.test_retreats import planned

pytestmark = pytest.mark.django_db

AUDIT = "Audit: how we employ people who use drugs"


def body(story, **changes) -> dict[str, object]:
    first = local_today(story.ravi) + dt.timedelta(days=50)
    sent: dict[str, object] = {
        "title": "Peer retreat",
        "purpose": "Rest and learn together",
        "starts_on": str(first),
        "ends_on": str(first + dt.timedelta(days=1)),
        "agenda": ["Arrive", "Walk"],
        "invited": [str(story.amina.pk), str(story.olena.pk)],
    }
    sent.update(changes)
    return sent


def test_a_line_manager_plans_a_retreat_onto_the_schedule(story):
    response = post(story.ravi, "/retreats", body(story))
    assert response.status_code == 201, response.json()
    made = response.json()
    assert [item["kind"] for item in made["agenda"]] == ["item", "item", "audit"]
    audit = made["agenda"][-1]
    assert audit["text"] == AUDIT and len(audit["prompts"]) == 15
    assert (made["day_starts"], made["day_ends"]) == ("09:00", "17:00")
    assert sorted(p["name"] for p in made["invited"]) == ["Amina Wanjiru", "Olena Petrenko"]
    with scope(organisation=story.harbourside.pk):
        meeting = Meeting.objects.get(pk=made["meeting_id"])
    assert meeting.kind == Meeting.Kind.EVENT
    listed = get(story.joseph, "/retreats").json()["items"]
    assert [r["title"] for r in listed] == ["Peer retreat"] and listed[0]["may_change"] is False


def test_a_last_day_before_the_first_is_400_and_nothing_is_planned(story):
    first = local_today(story.ravi) + dt.timedelta(days=5)
    sent = body(story, starts_on=str(first), ends_on=str(first - dt.timedelta(days=1)))
    response = post(story.ravi, "/retreats", sent)
    assert response.status_code == 400 and "ends_on" in response.json()["errors"]
    empty = post(story.ravi, "/retreats", body(story, invited=[]))
    assert empty.status_code == 400 and "invited" in empty.json()["errors"]
    with scope(organisation=story.harbourside.pk):
        assert not Retreat.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("amina", 403), ("peter", 404)])
def test_others_do_not_plan_retreats(story, who, status):
    assert post(getattr(story, who), "/retreats", body(story)).status_code == status


def test_a_patch_that_removes_the_audit_item_keeps_it(story):
    retreat = planned(story)
    path = f"/retreats/{retreat.pk}"
    response = call(
        story.ravi,
        "PATCH",
        path,
        {"agenda": ["Just one thing"], "audit_notes": "Peers want mentoring at induction."},
        if_match=retreat.version,
    )
    assert response.status_code == 200, response.json()
    agenda = response.json()["agenda"]
    assert [(i["kind"], i["text"]) for i in agenda] == [
        ("item", "Just one thing"),
        ("audit", AUDIT),
    ]
    assert response.json()["audit_notes"] == "Peers want mentoring at induction."
    # Unsent fields stay as they were.
    assert response.json()["title"] == "Peer retreat by the sea"
    emptied = call(story.ravi, "PATCH", path, {"agenda": []}, if_match=response.json()["version"])
    assert [i["kind"] for i in emptied.json()["agenda"]] == ["audit"]


def test_a_stale_patch_is_409_and_others_are_403_or_404(story):
    retreat = planned(story)
    path = f"/retreats/{retreat.pk}"
    assert (
        call(story.grace, "PATCH", path, {"title": "A"}, if_match=retreat.version).status_code
        == 200
    )
    assert (
        call(story.daniel, "PATCH", path, {"title": "B"}, if_match=retreat.version).status_code
        == 409
    )
    assert call(story.taslima, "PATCH", path, {"title": "C"}, if_match=9).status_code == 403
    assert call(story.peter, "PATCH", path, {"title": "D"}, if_match=9).status_code == 404
    assert get(story.taras, path).status_code == 404


def test_cancelling_cancels_its_event(story):
    retreat = planned(story)
    path = f"/retreats/{retreat.pk}/cancel"
    response = call(story.ravi, "POST", path, {}, if_match=retreat.version)
    assert response.status_code == 200 and response.json()["cancelled_at"] is not None
    with scope(organisation=story.harbourside.pk):
        assert Meeting.objects.get(pk=response.json()["meeting_id"]).is_cancelled
    again = call(story.ravi, "POST", path, {}, if_match=response.json()["version"])
    assert again.status_code == 400


def test_the_list_asks_the_database_as_often_for_three_retreats_as_for_one(story):
    headers = bearer(story.joseph)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get("/api/v1/retreats", headers=headers).status_code == 200
        return len(captured)

    planned(story)
    queries()  # the token's first use is recorded once
    one = queries()
    planned(story, title="Second retreat")
    planned(story, title="Third retreat", actor=story.grace)
    assert queries() == one
