"""The outreach module's entries in the register of personal data: what erasure does to
incidents, the inbound-SMS log, PINs and the project manager (issue 5; issue 4 items 7, 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Membership
from peerwork.outreach.models import InboundSms, Incident, OutreachPolicy, ShiftPin
from peerwork.people import personal_data
from peerwork.people.export import build_export
from peerwork.people.retention import erase_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        yield story


def _entry(key):
    return personal_data.entry(key)


def test_erasing_deletes_off_duty_incidents_and_keeps_those_at_work(org):
    at_work = _entry("outreach.incident").sample(org.amina)
    off_duty = _entry("outreach.incident_off_duty").sample(org.amina)
    erase_now(actor=org.amina)
    assert Incident.objects.filter(pk=at_work.pk).exists()
    assert not Incident.objects.filter(pk=off_duty.pk).exists()


def test_the_inbound_sms_log_is_unlinked_never_deleted(org):
    row = _entry("outreach.inbound_sms").sample(org.amina)
    erase_now(actor=org.amina)
    row.refresh_from_db()
    assert row.member is None and InboundSms.objects.filter(pk=row.pk).exists()


def test_a_leavers_pin_goes_and_their_name_leaves_the_policy(org):
    _entry("outreach.shift_pin").sample(org.amina)
    policy = _entry("outreach.project_manager").sample(org.amina)
    Membership.objects.filter(pk=org.amina.pk).update(ended_at=timezone.now() - timedelta(days=1))
    org.amina.refresh_from_db()
    erase_now(actor=org.amina)
    assert not ShiftPin.objects.filter(member=org.amina).exists()
    policy.refresh_from_db()
    assert policy.project_manager is None and OutreachPolicy.objects.filter(pk=policy.pk).exists()


def test_the_export_holds_the_persons_incidents_with_their_words(org):
    _entry("outreach.incident_off_duty").sample(org.amina)
    _entry("outreach.incident_step").sample(org.amina)
    data = build_export(org.amina)
    sections = {s["key"]: s for s in data["sections"]}
    assert sections["outreach.incident_off_duty"]["items"]
    assert "Sample" in str(sections["outreach.incident_step"]["items"])


def test_legal_contacts_and_sms_numbers_are_explained_as_not_personal():
    from peerwork.outreach.models import LegalContact, SmsNumber

    explained = personal_data.not_personal()
    assert LegalContact in explained and SmsNumber in explained
