"""The incident flows (issue 5 item 6; §4.4, App. 10 cases 6 and 8), with time arranged in
data: Amina and Olena are out on the evening shift; Ravi is Amina's line manager, Taslima
on call tonight, Daniel the director."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from peerwork.core.models import AuditEvent, Notification
from peerwork.core.versions import StaleVersion
from peerwork.outreach import access, incidents
from peerwork.outreach.models import (
    Incident,
    IncidentStep,
    LegalEvent,
    OnCall,
    Shift,
    ShiftEvent,
    ShiftWorker,
)

pytestmark = pytest.mark.django_db

EVENING = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
LATER = EVENING + timedelta(hours=1)


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        OnCall.objects.create(
            organisation=story.harbourside,
            member=story.taslima,
            starts_at=EVENING - timedelta(hours=1),
            ends_at=EVENING + timedelta(hours=8),
        )
        yield story


@pytest.fixture
def shift(org):
    shift = Shift.objects.create(
        organisation=org.harbourside,
        area="The market car park",
        planned_start=EVENING,
        planned_return=EVENING + timedelta(hours=3),
        state=Shift.State.OUT,
        created_by=org.ravi,
    )
    for worker in (org.amina, org.olena):
        ShiftWorker.objects.create(organisation=org.harbourside, shift=shift, member=worker)
    return shift


def arrest(org, shift, *, actor=None):
    return incidents.open_incident(
        actor=actor or org.olena,
        shift=shift,
        person=org.amina,
        kind=Incident.Kind.ARREST,
        occurred_at=EVENING + timedelta(minutes=40),
        summary="Taken in during the raid on the house",
        now=LATER,
    )


def test_the_partner_opens_it_and_the_on_call_manager_handles_it(org, shift):
    incident = arrest(org, shift)
    assert incident.on_duty and incident.handler == org.taslima
    assert not access.incidents_for_member(org.olena).filter(pk=incident.pk).exists()
    told = set(
        Notification.objects.filter(kind="outreach.incident").values_list("recipient", flat=True)
    )
    assert told == {org.taslima.pk, org.ravi.pk}


def test_the_shift_timeline_says_only_that_an_incident_was_recorded(org, shift):
    incident = arrest(org, shift)
    line = ShiftEvent.objects.get(shift=shift, kind=ShiftEvent.Kind.INCIDENT)
    assert line.detail == {"incident": str(incident.pk)}


def test_a_line_manager_who_handles_the_shift_handles_what_they_open(org, shift):
    incident = arrest(org, shift, actor=org.ravi)
    assert incident.handler == org.ravi


def test_without_anyone_on_call_the_line_manager_handles_it(org, shift):
    OnCall.objects.all().delete()
    assert arrest(org, shift).handler == org.ravi


def test_someone_outside_the_shift_and_its_chain_cannot_open_one(org, shift):
    with pytest.raises(PermissionDenied):
        arrest(org, shift, actor=org.joseph)


def test_a_worker_not_on_the_shift_is_refused_as_the_person(org, shift):
    with pytest.raises(ValidationError) as refused:
        incidents.open_incident(
            actor=org.olena,
            shift=shift,
            person=org.joseph,
            kind=Incident.Kind.INJURY,
            occurred_at=EVENING,
            now=LATER,
        )
    assert "person" in refused.value.error_dict
    assert not Incident.objects.exists()


def test_a_time_still_to_come_is_refused(org, shift):
    with pytest.raises(ValidationError):
        incidents.open_incident(
            actor=org.olena,
            shift=shift,
            person=org.amina,
            kind=Incident.Kind.INJURY,
            occurred_at=LATER + timedelta(hours=2),
            now=LATER,
        )


def test_family_is_contacted_only_with_the_workers_consent(org, shift):
    incident = arrest(org, shift)
    with pytest.raises(ValidationError) as refused:
        incidents.record_step(
            actor=org.taslima, incident=incident, version=incident.version, step="family", now=LATER
        )
    assert "consent" in refused.value.error_dict
    step = incidents.record_step(
        actor=org.taslima,
        incident=incident,
        version=incident.version,
        step="family",
        consent=IncidentStep.Consent.GIVEN,
        note="Her sister, as Amina asked",
        now=LATER,
    )
    assert step.consent == IncidentStep.Consent.GIVEN and step.done_by == org.taslima


def test_human_rights_documentation_needs_informed_consent_too(org, shift):
    incident = arrest(org, shift)
    with pytest.raises(ValidationError):
        incidents.record_step(
            actor=org.ravi,
            incident=incident,
            version=incident.version,
            step="human_rights",
            consent=IncidentStep.Consent.REFUSED,
            now=LATER,
        )
    assert not IncidentStep.objects.exists()


def test_a_step_from_another_kinds_list_is_refused(org, shift):
    incident = arrest(org, shift)
    with pytest.raises(ValidationError):
        incidents.record_step(
            actor=org.taslima, incident=incident, version=incident.version, step="pep", now=LATER
        )


def test_a_step_over_someone_elses_newer_change_is_refused(org, shift):
    incident = arrest(org, shift)
    seen = incident.version
    incidents.record_step(
        actor=org.taslima, incident=incident, version=seen, step="lawyer", now=LATER
    )
    with pytest.raises(StaleVersion):
        incidents.record_step(
            actor=org.ravi, incident=incident, version=seen, step="release", now=LATER
        )
    assert IncidentStep.objects.count() == 1


def test_the_audit_holds_ids_and_codes_never_the_words(org, shift):
    incident = arrest(org, shift)
    incidents.record_step(
        actor=org.taslima,
        incident=incident,
        version=incident.version,
        step="lawyer",
        note="Ms Otieno",
        now=LATER,
    )
    for event in AuditEvent.objects.filter(object_id=str(incident.pk)):
        assert "raid" not in str(event.detail) and "Otieno" not in str(event.detail)


def test_the_court_timeline_keeps_charges_hearings_and_bail(org, shift):
    incident = arrest(org, shift)
    for kind, on in (("charge", date(2026, 11, 25)), ("hearing", date(2026, 12, 10))):
        incident.refresh_from_db()
        incidents.add_legal_event(
            actor=org.ravi, incident=incident, version=incident.version, kind=kind, on=on, now=LATER
        )
    assert list(LegalEvent.objects.values_list("kind", flat=True)) == ["charge", "hearing"]


def test_an_injury_has_no_court_timeline(org, shift):
    incident = incidents.open_incident(
        actor=org.olena,
        shift=shift,
        person=org.amina,
        kind=Incident.Kind.INJURY,
        occurred_at=EVENING,
        now=LATER,
    )
    with pytest.raises(ValidationError):
        incidents.add_legal_event(
            actor=org.ravi,
            incident=incident,
            version=incident.version,
            kind="charge",
            on=date(2026, 11, 25),
        )


def test_passing_to_the_director_lets_the_director_read_it_and_tells_them(org, shift):
    incident = arrest(org, shift)
    assert not access.incidents_for_member(org.daniel).filter(pk=incident.pk).exists()
    incidents.pass_to_director(
        actor=org.taslima, incident=incident, version=incident.version, now=LATER
    )
    assert access.incidents_for_member(org.daniel).filter(pk=incident.pk).exists()
    assert Notification.objects.filter(
        recipient=org.daniel, kind="outreach.incident_director"
    ).exists()


def test_the_partner_cannot_pass_it_on(org, shift):
    incident = arrest(org, shift)
    with pytest.raises(PermissionDenied):
        incidents.pass_to_director(actor=org.olena, incident=incident, version=incident.version)


def test_the_line_manager_takes_over_from_the_on_call_manager(org, shift):
    incident = arrest(org, shift)
    incident = incidents.take_over(
        actor=org.ravi, incident=incident, version=incident.version, now=LATER
    )
    assert incident.handler == org.ravi
    assert Notification.objects.filter(
        recipient=org.taslima, kind="outreach.incident_handed"
    ).exists()


def test_a_closed_incident_takes_no_more_steps(org, shift):
    incident = arrest(org, shift)
    incident = incidents.close_incident(
        actor=org.taslima, incident=incident, version=incident.version, now=LATER
    )
    with pytest.raises(ValidationError):
        incidents.record_step(
            actor=org.taslima, incident=incident, version=incident.version, step="lawyer"
        )


def test_an_on_duty_incident_cannot_be_deleted(org, shift):
    incident = arrest(org, shift)
    with pytest.raises(PermissionDenied):
        incidents.delete_incident(actor=org.amina, incident=incident, version=incident.version)


def test_off_duty_only_the_person_records_and_nobody_is_told(org):
    incident = incidents.record_off_duty(
        actor=org.amina,
        kind=Incident.Kind.ARREST,
        occurred_at=EVENING,
        summary="Possession",
        now=LATER,
    )
    assert not incident.on_duty and incident.handler is None
    assert not Notification.objects.exists()
    for manager in (org.ravi, org.daniel, org.taslima):
        assert not access.incidents_for_member(manager).filter(pk=incident.pk).exists()


def test_off_duty_the_person_asks_a_helper_and_may_delete_it(org):
    incident = incidents.record_off_duty(
        actor=org.amina, kind=Incident.Kind.POLICE, occurred_at=EVENING, now=LATER
    )
    incident = incidents.set_helper(
        actor=org.amina, incident=incident, version=incident.version, helper=org.joseph
    )
    assert access.incidents_for_member(org.joseph).filter(pk=incident.pk).exists()
    with pytest.raises(PermissionDenied):
        incidents.set_helper(
            actor=org.joseph, incident=incident, version=incident.version, helper=None
        )
    incidents.delete_incident(actor=org.amina, incident=incident, version=incident.version)
    assert not Incident.objects.exists()


def test_needle_stick_walks_first_aid_pep_testing_and_follow_up():
    assert [s.code for s in incidents.steps_for(Incident.Kind.NEEDLE_STICK)] == [
        "first_aid",
        "pep",
        "testing",
        "follow_up",
    ]
    assert timedelta(hours=72) == incidents.PEP_LATEST


def test_every_kind_has_steps_with_labels_and_help():
    for kind in Incident.Kind.values:
        steps = incidents.steps_for(kind)
        assert steps, kind
        assert all(str(s.label) and str(s.help) for s in steps)
