"""The incident pages: open from a shift, record one off duty, the incident page walking
the steps (issue 5 item 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.outreach.models import Incident, IncidentStep, LegalContact, Shift, ShiftWorker

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift(story):
    with scope(organisation=story.harbourside.pk):
        now = timezone.now()
        shift = Shift.objects.create(
            organisation=story.harbourside,
            area="The market car park",
            planned_start=now - timedelta(hours=1),
            planned_return=now + timedelta(hours=2),
            state=Shift.State.OUT,
            created_by=story.ravi,
        )
        for worker in (story.amina, story.olena):
            ShiftWorker.objects.create(organisation=story.harbourside, shift=shift, member=worker)
    return shift


def _incident(story, **kw):
    with scope(organisation=story.harbourside.pk):
        return Incident.objects.create(
            organisation=story.harbourside,
            person=story.amina,
            opened_by=story.amina,
            occurred_at=kw.pop("occurred_at", timezone.now() - timedelta(hours=1)),
            **kw,
        )


def test_the_partner_opens_an_incident_from_the_shift_and_is_told_who_has_it(story, shift):
    client = signed_in(story.olena)
    url = reverse("outreach:incident_new", args=[shift.pk])
    assert_sound_page(client.get(url))
    response = client.post(
        url,
        {
            "person": str(story.amina.pk),
            "kind": "arrest",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "summary": "Taken in",
        },
    )
    assert response.status_code == 302 and response.url == reverse("outreach:incidents")
    with scope(organisation=story.harbourside.pk):
        assert Incident.objects.get().handler == story.ravi


def test_bad_input_changes_nothing_and_keeps_what_was_typed(story, shift):
    response = signed_in(story.olena).post(
        reverse("outreach:incident_new", args=[shift.pk]),
        {"person": str(story.amina.pk), "kind": "", "occurred_at": "", "summary": "Kept words"},
    )
    html = assert_sound_page(response)
    assert "Choose what happened." in html and "Kept words" in html
    with scope(organisation=story.harbourside.pk):
        assert not Incident.objects.exists()


def test_a_colleague_off_the_shift_cannot_open_one(story, shift):
    response = signed_in(story.joseph).get(reverse("outreach:incident_new", args=[shift.pk]))
    assert response.status_code == 403


def test_the_off_duty_form_says_it_opens_nothing_disciplinary(story):
    client = signed_in(story.amina)
    html = assert_sound_page(client.get(reverse("outreach:incident_off_duty_new")))
    assert "opens nothing disciplinary" in html
    response = client.post(
        reverse("outreach:incident_off_duty_new"),
        {"kind": "arrest", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        incident = Incident.objects.get()
    assert not incident.on_duty and incident.person == story.amina


def test_an_arrest_page_lists_the_steps_and_the_sites_legal_contacts(story, shift):
    with scope(organisation=story.harbourside.pk):
        LegalContact.objects.create(
            organisation=story.harbourside,
            kind="lawyer",
            name="Wanjiku Legal Aid",
            phone="+254700000",
        )
    incident = _incident(story, shift=shift, on_duty=True, kind="arrest", handler=story.taslima)
    html = assert_sound_page(
        signed_in(story.taslima).get(reverse("outreach:incident", args=[incident.pk]))
    )
    for words in (
        "A lawyer is on it",
        "The bail call",
        "Family contacted",
        "only with consent",
        "Wanjiku Legal Aid",
        "Court timeline",
    ):
        assert words in html, words


def test_recording_a_step_shows_who_did_it(story, shift):
    incident = _incident(story, shift=shift, on_duty=True, kind="arrest", handler=story.taslima)
    client = signed_in(story.taslima)
    response = client.post(
        reverse("outreach:incident_step", args=[incident.pk]),
        {"step": "lawyer", "note": "Called Ms Wanjiku", "version": incident.version},
    )
    assert response.status_code == 302
    html = client.get(reverse("outreach:incident", args=[incident.pk])).content.decode()
    assert "Done by Taslima Akter" in html and "Called Ms Wanjiku" in html


def test_a_consent_step_without_consent_is_refused_and_the_note_kept(story, shift):
    incident = _incident(story, shift=shift, on_duty=True, kind="arrest", handler=story.taslima)
    response = signed_in(story.taslima).post(
        reverse("outreach:incident_step", args=[incident.pk]),
        {"step": "family", "note": "Her sister", "version": incident.version},
    )
    html = assert_sound_page(response)
    assert "Only with the worker&#x27;s consent" in html and "Her sister" in html
    with scope(organisation=story.harbourside.pk):
        assert not IncidentStep.objects.exists()


def test_a_step_over_a_newer_change_keeps_what_was_typed(story, shift):
    incident = _incident(story, shift=shift, on_duty=True, kind="arrest", handler=story.taslima)
    response = signed_in(story.taslima).post(
        reverse("outreach:incident_step", args=[incident.pk]),
        {"step": "lawyer", "note": "Typed words", "version": incident.version + 5},
    )
    html = assert_sound_page(response)
    assert "Someone else changed this record" in html and "Typed words" in html


def test_a_needle_stick_shows_the_time_since_the_injury(story, shift):
    incident = _incident(
        story,
        shift=shift,
        on_duty=True,
        kind="needle_stick",
        handler=story.taslima,
        occurred_at=timezone.now() - timedelta(hours=2, minutes=5),
    )
    html = (
        signed_in(story.amina)
        .get(reverse("outreach:incident", args=[incident.pk]))
        .content.decode()
    )
    assert "Time since the injury: 2 h 5 min." in html
    assert "within 72 hours" in html


def test_a_managers_read_of_the_words_is_audited(story, shift):
    from peerwork.core.models import AuditEvent

    incident = _incident(story, shift=shift, on_duty=True, kind="arrest", handler=story.taslima)
    signed_in(story.ravi).get(reverse("outreach:incident", args=[incident.pk]))
    with scope(organisation=story.harbourside.pk):
        assert AuditEvent.objects.filter(
            action="outreach.incident.read", object_id=str(incident.pk)
        ).exists()


def test_the_handler_passes_it_to_the_director(story, shift):
    incident = _incident(story, shift=shift, on_duty=True, kind="arrest", handler=story.taslima)
    response = signed_in(story.taslima).post(
        reverse("outreach:incident_pass", args=[incident.pk]), {"version": incident.version}
    )
    assert response.status_code == 302
    assert (
        signed_in(story.daniel).get(reverse("outreach:incident", args=[incident.pk])).status_code
        == 200
    )


def test_the_person_deletes_an_off_duty_record(story):
    incident = _incident(story, on_duty=False, kind="police")
    response = signed_in(story.amina).post(
        reverse("outreach:incident_delete", args=[incident.pk]), {"version": incident.version}
    )
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        assert not Incident.objects.exists()


def test_the_list_shows_ones_own(story):
    incident = _incident(story, on_duty=False, kind="police")
    html = assert_sound_page(signed_in(story.amina).get(reverse("outreach:incidents")))
    assert str(incident.pk) in html
    assert (
        str(incident.pk)
        not in signed_in(story.ravi).get(reverse("outreach:incidents")).content.decode()
    )
