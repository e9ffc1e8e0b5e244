"""/incidents: on duty from a shift, off duty for oneself, the guide's steps, the court
timeline, passing to the director and closing (issue 5 items 6 and 8; §4.4, §3.4, App. 10
cases 6 and 8). Amina is arrested on the evening shift; Ravi, her line manager, handles it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import AuditEvent
from peerwork.outreach import incidents
from peerwork.outreach.models import Incident, IncidentStep
from peerwork.outreach.tests.api_story import out, overdue
from peerwork.people.tests.api_calls import get, post
from peerwork.people.tests.helpers import EVERYONE

pytestmark = pytest.mark.django_db


def _when(minutes_ago=30):
    return (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()


def _arrest(story, **kw):
    """Amina's arrest on the overdue shift, opened by Ravi (who handles it)."""
    shift = overdue(story)
    with scope(organisation=story.harbourside.pk):
        return incidents.open_incident(
            actor=story.ravi,
            shift=shift,
            person=story.amina,
            kind=kw.get("kind", Incident.Kind.ARREST),
            occurred_at=timezone.now() - timedelta(minutes=40),
            summary="Stopped at the underpass and taken to the central station.",
        )


def _off_duty(story):
    with scope(organisation=story.harbourside.pk):
        return incidents.record_off_duty(
            actor=story.amina,
            kind=Incident.Kind.POLICE,
            occurred_at=timezone.now() - timedelta(days=2),
            summary="Searched on the way home.",
        )


def _fresh(story, incident):
    with scope(organisation=story.harbourside.pk):
        return Incident.objects.get(pk=incident.pk)


def _reads(story, incident):
    with scope(organisation=story.harbourside.pk):
        return list(
            AuditEvent.objects.filter(
                action="outreach.incident.read", object_id=str(incident.pk)
            ).values_list("actor_id", flat=True)
        )


# --- reading ---------------------------------------------------------------------------


def test_an_on_duty_incident_is_read_by_the_person_their_line_manager_and_its_handler(story):
    arrest = _arrest(story)
    for name in EVERYONE:
        response = get(getattr(story, name), f"/incidents/{arrest.pk}")
        assert response.status_code == (200 if name in {"amina", "ravi"} else 404), name


def test_a_read_by_anyone_but_the_person_is_audited(story):
    arrest = _arrest(story)
    get(story.amina, f"/incidents/{arrest.pk}")
    assert _reads(story, arrest) == []
    body = get(story.ravi, f"/incidents/{arrest.pk}").json()
    assert body["summary"] == "Stopped at the underpass and taken to the central station."
    assert _reads(story, arrest) == [story.ravi.pk]


def test_an_incident_shows_the_guides_steps_for_its_kind_and_its_court_timeline(story):
    arrest = _arrest(story)
    response = get(story.amina, f"/incidents/{arrest.pk}")
    body = response.json()
    assert response["ETag"] == f'"{arrest.version}"'
    assert body["kind"] == "arrest" and body["kind_label"] == "Arrested or detained"
    assert body["on_duty"] is True
    assert body["handler"] == {"id": str(story.ravi.pk), "name": "Ravi Shah"}
    assert [s["code"] for s in body["steps"]] == list(incidents.STEPS_FOR["arrest"])
    family = next(s for s in body["steps"] if s["code"] == "family")
    assert family["needs_consent"] is True and family["done"] == []
    assert body["court_timeline"] == []


def test_the_list_shows_each_member_the_incidents_they_may_see_without_their_words(story):
    arrest = _arrest(story)
    own_time = _off_duty(story)

    def ids(member):
        response = get(member, "/incidents")
        assert response.status_code == 200
        return {item["id"] for item in response.json()["items"]}

    assert ids(story.amina) == {str(arrest.pk), str(own_time.pk)}
    assert ids(story.ravi) == {str(arrest.pk)}
    for name in ("daniel", "grace", "taslima", "joseph", "leila", "taras"):
        assert ids(getattr(story, name)) == set(), name
    item = get(story.ravi, "/incidents").json()["items"][0]
    assert "summary" not in item


# --- opening ---------------------------------------------------------------------------


def test_the_line_manager_opens_an_incident_for_a_worker_on_the_shift(story):
    shift = overdue(story)
    body = {
        "kind": "arrest",
        "occurred_at": _when(),
        "summary": "Taken by the police",
        "person_id": str(story.amina.pk),
    }
    response = post(story.ravi, f"/shifts/{shift.pk}/incidents", body)
    assert response.status_code == 201
    opened = response.json()
    assert opened["person"]["id"] == str(story.amina.pk)
    assert opened["handler"]["id"] == str(story.ravi.pk)
    assert opened["shift_id"] == str(shift.pk)


def test_a_worker_opens_one_for_themselves_by_default(story):
    shift = out(story)
    response = post(
        story.joseph,
        f"/shifts/{shift.pk}/incidents",
        {"kind": "needle_stick", "occurred_at": _when(5)},
    )
    assert response.status_code == 201
    assert response.json()["person"]["id"] == str(story.joseph.pk)
    assert "pep" in [s["code"] for s in response.json()["steps"]]


def test_someone_off_the_shift_and_its_chain_may_not_open_one(story):
    shift = out(story)
    body = {"kind": "violence", "occurred_at": _when(), "person_id": str(story.amina.pk)}
    response = post(story.olena, f"/shifts/{shift.pk}/incidents", body)
    assert response.status_code == 403
    for name in ("leila", "taras"):
        assert post(getattr(story, name), f"/shifts/{shift.pk}/incidents", body).status_code == 404
    with scope(organisation=story.harbourside.pk):
        assert not Incident.objects.exists()


def test_bad_input_is_refused_field_by_field_and_nothing_is_opened(story):
    shift = out(story)
    response = post(
        story.ravi,
        f"/shifts/{shift.pk}/incidents",
        {
            "kind": "arrest",
            "occurred_at": (timezone.now() + timedelta(hours=2)).isoformat(),
            "person_id": str(story.olena.pk),
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "occurred_at": ["That time has not come yet: say when it happened."],
        "person_id": ["Choose a worker on this shift."],
    }
    unknown = post(
        story.ravi, f"/shifts/{shift.pk}/incidents", {"kind": "burglary", "occurred_at": _when()}
    )
    assert unknown.status_code == 422
    elsewhere = post(
        story.ravi,
        f"/shifts/{shift.pk}/incidents",
        {"kind": "arrest", "occurred_at": _when(), "person_id": str(story.taras.pk)},
    )
    assert elsewhere.json()["errors"] == {"person_id": ["Choose a worker on this shift."]}
    with scope(organisation=story.harbourside.pk):
        assert not Incident.objects.exists()


def test_an_off_duty_record_is_the_persons_alone(story):
    response = post(story.amina, "/incidents", {"kind": "arrest", "occurred_at": _when(600)})
    assert response.status_code == 201
    recorded = response.json()
    assert recorded["on_duty"] is False and recorded["handler"] is None
    # Nobody by role: not her line manager, HR or the director.
    for name in ("ravi", "grace", "daniel"):
        assert get(getattr(story, name), f"/incidents/{recorded['id']}").status_code == 404, name
    assert (
        post(story.leila, "/incidents", {"kind": "police", "occurred_at": _when()}).status_code
        == 403
    )


# --- steps and the court timeline ------------------------------------------------------


def test_the_handler_records_a_step_with_who_and_when(story):
    arrest = _arrest(story)
    response = post(
        story.ravi,
        f"/incidents/{arrest.pk}/steps",
        {"step": "lawyer", "note": "Legal aid on the phone"},
        if_match=arrest.version,
    )
    assert response.status_code == 201
    lawyer = next(s for s in response.json()["steps"] if s["code"] == "lawyer")
    assert lawyer["done"][0]["done_by"] == {"id": str(story.ravi.pk), "name": "Ravi Shah"}
    assert lawyer["done"][0]["note"] == "Legal aid on the phone"
    assert response.json()["version"] == arrest.version + 1


def test_a_step_that_needs_consent_is_refused_without_it(story):
    arrest = _arrest(story)
    response = post(
        story.ravi, f"/incidents/{arrest.pk}/steps", {"step": "family"}, if_match=arrest.version
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["consent"]
    given = post(
        story.ravi,
        f"/incidents/{arrest.pk}/steps",
        {"step": "family", "consent": "given"},
        if_match=arrest.version,
    )
    assert given.status_code == 201
    with scope(organisation=story.harbourside.pk):
        assert IncidentStep.objects.get(incident=arrest).consent == "given"


def test_a_step_not_listed_for_the_kind_or_a_stale_version_changes_nothing(story):
    arrest = _arrest(story)
    wrong = post(
        story.ravi, f"/incidents/{arrest.pk}/steps", {"step": "pep"}, if_match=arrest.version
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {"step": ["Choose one of the steps listed for this incident."]}
    stale = post(
        story.ravi, f"/incidents/{arrest.pk}/steps", {"step": "lawyer"}, if_match=arrest.version + 5
    )
    assert stale.status_code == 409
    missing = post(story.ravi, f"/incidents/{arrest.pk}/steps", {"step": "lawyer"})
    assert missing.status_code == 422
    with scope(organisation=story.harbourside.pk):
        assert not IncidentStep.objects.exists()


def test_the_court_timeline_keeps_charges_and_hearings_by_date(story):
    arrest = _arrest(story)
    first = post(
        story.ravi,
        f"/incidents/{arrest.pk}/court-timeline",
        {"kind": "hearing", "on": "2026-12-10", "note": "Magistrates' court"},
        if_match=arrest.version,
    )
    assert first.status_code == 201
    second = post(
        story.amina,
        f"/incidents/{arrest.pk}/court-timeline",
        {"kind": "charge", "on": "2026-11-25"},
        if_match=first.json()["version"],
    )
    timeline = second.json()["court_timeline"]
    assert [(e["kind"], e["on"]) for e in timeline] == [
        ("charge", "2026-11-25"),
        ("hearing", "2026-12-10"),
    ]
    assert timeline[1]["recorded_by"]["name"] == "Ravi Shah"


def test_a_needle_stick_has_no_court_timeline(story):
    injury = _arrest(story, kind=Incident.Kind.NEEDLE_STICK)
    assert get(story.amina, f"/incidents/{injury.pk}").json()["court_timeline"] is None
    response = post(
        story.ravi,
        f"/incidents/{injury.pk}/court-timeline",
        {"kind": "hearing", "on": "2026-12-10"},
        if_match=injury.version,
    )
    assert response.status_code == 400


# --- the director and closing ----------------------------------------------------------


def test_passed_to_the_director_they_read_it_but_do_not_record_on_it(story):
    arrest = _arrest(story)
    assert get(story.daniel, f"/incidents/{arrest.pk}").status_code == 404
    assert (
        post(story.amina, f"/incidents/{arrest.pk}/pass-to-director", if_match=1).status_code == 403
    )
    response = post(story.ravi, f"/incidents/{arrest.pk}/pass-to-director", if_match=arrest.version)
    assert response.status_code == 200
    assert response.json()["passed_to_director_at"] is not None
    assert get(story.daniel, f"/incidents/{arrest.pk}").status_code == 200
    version = response.json()["version"]
    refused = post(
        story.daniel, f"/incidents/{arrest.pk}/steps", {"step": "lawyer"}, if_match=version
    )
    assert refused.status_code == 403
    again = post(story.ravi, f"/incidents/{arrest.pk}/pass-to-director", if_match=version)
    assert again.status_code == 400


def test_the_handler_closes_it_and_nothing_more_is_recorded(story):
    arrest = _arrest(story)
    assert (
        post(story.amina, f"/incidents/{arrest.pk}/close", if_match=arrest.version).status_code
        == 403
    )
    response = post(story.ravi, f"/incidents/{arrest.pk}/close", if_match=arrest.version)
    assert response.status_code == 200
    assert response.json()["state"] == "closed"
    after = post(
        story.ravi,
        f"/incidents/{arrest.pk}/steps",
        {"step": "lawyer"},
        if_match=response.json()["version"],
    )
    assert after.status_code == 400
    assert after.json()["detail"] == "This incident is closed."
    assert _fresh(story, arrest).state == Incident.State.CLOSED


def test_off_duty_the_person_closes_their_own_record(story):
    own_time = _off_duty(story)
    response = post(story.amina, f"/incidents/{own_time.pk}/close", if_match=own_time.version)
    assert response.status_code == 200
    assert response.json()["state"] == "closed"


def test_another_organisations_member_gets_404_for_every_operation(story):
    arrest = _arrest(story)
    bodies = {
        "steps": {"step": "lawyer"},
        "court-timeline": {"kind": "hearing", "on": "2026-12-10"},
        "pass-to-director": {},
        "close": {},
    }
    for path, body in bodies.items():
        response = post(story.taras, f"/incidents/{arrest.pk}/{path}", body, if_match=1)
        assert response.status_code == 404, path
    assert get(story.taras, f"/incidents/{arrest.pk}").status_code == 404
    assert _fresh(story, arrest).version == arrest.version


def test_the_incident_lists_queries_do_not_grow_with_its_incidents(story):
    def record():
        with scope(organisation=story.harbourside.pk):
            incidents.record_off_duty(
                actor=story.amina, kind="police", occurred_at=timezone.now() - timedelta(minutes=60)
            )

    record()
    with CaptureQueriesContext(connection) as few:
        assert get(story.amina, "/incidents").status_code == 200
    for _ in range(5):
        record()
    with CaptureQueriesContext(connection) as many:
        assert len(get(story.amina, "/incidents").json()["items"]) == 6
    assert len(many) == len(few)
