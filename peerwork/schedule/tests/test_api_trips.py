"""Trips and events, and a traveller's OST checklist, through the API (issue 6 item 5; §2.4.1,
the §3.4 tips): trips are work data planned like meetings; the checklist is the traveller's
alone (HR's only under their named share of OST, each read audited); no trip answer says
whether anyone opted in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import AuditEvent
from peerwork.people.services import share
from peerwork.people.tests.api_calls import call, get, post
from peerwork.schedule.models import Traveller, Trip

pytestmark = pytest.mark.django_db


def _trip(story, **kw):
    start = timezone.localdate() + dt.timedelta(days=30)
    body = {
        "title": "Peer counselling training",
        "kind": "event_elsewhere",
        "place": "Mombasa",
        "starts_on": str(start),
        "ends_on": str(start + dt.timedelta(days=2)),
        "first_session_at": "09:00",
        "travellers": [str(story.amina.pk), str(story.joseph.pk)],
        "ost_site_name": "Coast dispensing site",
        "ost_site_opens": "08:00",
        "ost_site_travel_minutes": 30,
    }
    body.update(kw)
    return body


def _made(story, **kw):
    response = post(story.ravi, "/trips", _trip(story, **kw))
    assert response.status_code == 201, response.json()
    return response.json()


def _trips(story):
    with scope(organisation=story.harbourside.pk):
        return list(Trip.objects.all())


def _traveller(story, trip, member):
    with scope(organisation=story.harbourside.pk):
        return Traveller.objects.get(trip_id=trip["id"], member=member)


def _fill(member, traveller_id, version, **kw):
    body = {
        "opted_in": True,
        "take_home_limit": "2 a year",
        "take_home_used": 1,
        "medicine": "Methadone",
        "daily_dose": "60 mg",
        "packed": ["passport"],
    }
    body.update(kw)
    return call(member, "PUT", f"/travellers/{traveller_id}/checklist", body, if_match=version)


def _share_ost_with_grace(story):
    with scope(organisation=story.harbourside.pk):
        share(
            actor=story.amina,
            audience="person",
            grantee=story.grace,
            categories=["ost"],
            purpose="Help with travel",
        )


def test_a_line_manager_puts_a_trip_on_the_schedule_with_the_site_near_it(story):
    response = post(story.ravi, "/trips", _trip(story))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["place"] == "Mombasa"
    assert body["first_session_at"] == "09:00"
    assert body["earliest_arrival"] == "08:45"
    assert body["timing_warning"] is False
    assert {p["id"] for p in body["travellers"]} == {str(story.amina.pk), str(story.joseph.pk)}
    assert body["my_traveller_id"] is None
    assert body["may_plan"] is True
    assert response["ETag"] == '"1"'


def test_a_first_session_before_people_can_arrive_is_flagged_until_transport_is_planned(story):
    early = _made(story, first_session_at="08:30")
    assert early["timing_warning"] is True
    planned = call(
        story.ravi,
        "PUT",
        f"/trips/{early['id']}",
        _trip(story, first_session_at="08:30", transport_plan="A car from the hotel at 07:45"),
        if_match=early["version"],
    )
    assert planned.status_code == 200, planned.json()
    assert planned.json()["timing_warning"] is False


def test_a_hosted_event_with_ost_access_gets_a_drafted_announcement(story):
    made = _made(story, kind="hosted_event", ost_access_arranged=True, travellers=[])
    assert "OST" in made["announcement"]
    assert "Coast dispensing site" in made["announcement"]


def test_every_working_member_lists_it_and_a_traveller_finds_their_own_checklist(story):
    made = _made(story)
    for name in ("amina", "joseph", "taslima", "chen"):
        listed = get(getattr(story, name), "/trips").json()
        assert [t["id"] for t in listed["items"]] == [made["id"]], name
    mine = get(story.amina, f"/trips/{made['id']}").json()
    assert mine["my_traveller_id"] == str(_traveller(story, made, story.amina).pk)
    assert mine["may_plan"] is False
    assert get(story.taslima, "/trips?mine=true").json()["items"] == []


@pytest.mark.parametrize("name", ["leila", "farah", "peter", "taras"])
def test_outsiders_get_404(story, name):
    made = _made(story)
    member = getattr(story, name)
    assert get(member, f"/trips/{made['id']}").status_code == 404
    assert post(member, f"/trips/{made['id']}/cancel", if_match=made["version"]).status_code == 404
    assert get(member, "/trips").json()["items"] == []


def test_a_non_planner_cannot_change_or_cancel(story):
    made = _made(story)
    response = post(story.taslima, f"/trips/{made['id']}/cancel", if_match=made["version"])
    assert response.status_code == 403
    assert _trips(story)[0].cancelled_at is None
    assert post(story.amina, "/trips", _trip(story)).status_code == 403


def test_it_cancels_once_and_a_stale_change_is_409(story):
    made = _made(story)
    changed = call(
        story.ravi, "PUT", f"/trips/{made['id']}", _trip(story, title="Renamed"), if_match=1
    )
    assert changed.status_code == 200
    stale = call(
        story.daniel, "PUT", f"/trips/{made['id']}", _trip(story, title="Again"), if_match=1
    )
    assert stale.status_code == 409
    assert post(story.daniel, f"/trips/{made['id']}/cancel", if_match=1).status_code == 409
    cancelled = post(story.ravi, f"/trips/{made['id']}/cancel", if_match=2)
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled_at"] is not None
    again = post(story.ravi, f"/trips/{made['id']}/cancel", if_match=cancelled.json()["version"])
    assert again.status_code == 400
    assert _trips(story)[0].title == "Renamed"
    assert get(story.amina, "/trips").json()["items"] == []


def test_bad_trips_are_refused_with_the_fields_named_and_nothing_saved(story):
    start = timezone.localdate() + dt.timedelta(days=30)
    backwards = post(story.ravi, "/trips", _trip(story, ends_on=str(start - dt.timedelta(days=1))))
    assert backwards.status_code == 400
    assert set(backwards.json()["errors"]) == {"ends_on"}
    unknown = post(story.ravi, "/trips", _trip(story, travellers=[str(story.taras.pk)]))
    assert unknown.status_code == 400
    assert set(unknown.json()["errors"]) == {"travellers"}
    far = post(story.ravi, "/trips", _trip(story, ost_site_travel_minutes=600, place=" "))
    assert far.status_code == 400
    assert set(far.json()["errors"]) == {"ost_site_travel_minutes", "place"}
    assert _trips(story) == []


# --- the checklist ----------------------------------------------------------------------


def test_the_traveller_opts_in_fills_in_and_opts_out_of_their_checklist(story):
    made = _made(story)
    traveller = _traveller(story, made, story.amina)
    before = get(story.amina, f"/travellers/{traveller.pk}/checklist")
    assert before.status_code == 200
    assert before.json()["opted_in"] is False
    assert before.json()["details"] is None
    notice_by = dt.date.fromisoformat(made["starts_on"]) - dt.timedelta(days=14)
    assert before.json()["dates"]["notice_by"] == str(notice_by)
    assert before.json()["dates"]["treatment_days"] == 3
    filled = _fill(story.amina, traveller.pk, before.json()["version"])
    assert filled.status_code == 200, filled.json()
    details = filled.json()["details"]
    assert filled.json()["opted_in"] is True
    assert (details["medicine"], details["daily_dose"], details["packed"]) == (
        "Methadone",
        "60 mg",
        ["passport"],
    )
    assert details["ost_site"] == ""  # what was sent: the whole list
    cleared = _fill(story.amina, traveller.pk, filled.json()["version"], opted_in=False)
    assert cleared.status_code == 200
    assert cleared.json()["details"] is None
    with scope(organisation=story.harbourside.pk):
        assert Traveller.objects.get(pk=traveller.pk).checklist in ("", None)


def test_a_reply_before_the_request_is_refused_and_the_list_kept(story):
    made = _made(story)
    traveller = _traveller(story, made, story.amina)
    version = get(story.amina, f"/travellers/{traveller.pk}/checklist").json()["version"]
    kept = _fill(story.amina, traveller.pk, version).json()
    today = timezone.localdate()
    refused = _fill(
        story.amina,
        traveller.pk,
        kept["version"],
        request_sent_on=str(today),
        reply_received_on=str(today - dt.timedelta(days=3)),
        take_home_used=500,
    )
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"reply_received_on", "take_home_used"}
    again = get(story.amina, f"/travellers/{traveller.pk}/checklist").json()
    assert again["version"] == kept["version"]
    assert again["details"]["take_home_used"] == 1


def test_a_first_fill_with_bad_input_does_not_leave_the_traveller_opted_in(story):
    made = _made(story)
    traveller = _traveller(story, made, story.amina)
    response = _fill(story.amina, traveller.pk, traveller.version, take_home_used=-1)
    assert response.status_code == 400
    assert get(story.amina, f"/travellers/{traveller.pk}/checklist").json()["opted_in"] is False


def test_a_stale_checklist_is_409(story):
    made = _made(story)
    traveller = _traveller(story, made, story.amina)
    first = _fill(story.amina, traveller.pk, traveller.version)
    assert first.status_code == 200
    second = _fill(story.amina, traveller.pk, traveller.version, medicine="Buprenorphine")
    assert second.status_code == 409
    read = get(story.amina, f"/travellers/{traveller.pk}/checklist").json()
    assert read["details"]["medicine"] == "Methadone"


def test_hr_under_the_travellers_ost_share_helps_and_each_read_is_audited(story):
    made = _made(story)
    traveller = _traveller(story, made, story.amina)
    _fill(story.amina, traveller.pk, traveller.version)
    assert get(story.grace, f"/travellers/{traveller.pk}/checklist").status_code == 404
    _share_ost_with_grace(story)
    read = get(story.grace, f"/travellers/{traveller.pk}/checklist")
    assert read.status_code == 200
    with scope(organisation=story.harbourside.pk):
        assert AuditEvent.objects.filter(action="schedule.checklist.read").count() == 1
    changed = _fill(story.grace, traveller.pk, read.json()["version"], request_sent_on="2030-01-02")
    assert changed.status_code == 200, changed.json()


@pytest.mark.parametrize("name", ["ravi", "joseph", "daniel", "taslima", "grace", "taras"])
def test_nobody_else_reaches_a_checklist_and_no_trip_answer_says_who_opted_in(story, name):
    made = _made(story)
    traveller = _traveller(story, made, story.amina)
    _fill(story.amina, traveller.pk, traveller.version)
    member = getattr(story, name)
    assert get(member, f"/travellers/{traveller.pk}/checklist").status_code == 404
    assert _fill(member, traveller.pk, 2, medicine="x").status_code == 404
    for path in ("/trips", f"/trips/{made['id']}"):
        text = get(member, path).content.decode()
        for word in ("Methadone", "60 mg", "opted", "2 a year", "checklist"):
            assert word not in text, (name, path, word)
