"""Erasing at once (``retention.erase_now``): rows and the person's key really go; what is
kept stays; the audit chain still verifies."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scope

from peerwork.core.audit import verify_chain
from peerwork.core.models import ApiToken, AuditEvent, Notification, PersonKey
from peerwork.core.sealing import is_erased
from peerwork.core.tokens import create_token
from peerwork.people import exception_reports, services
from peerwork.people.models import (
    Disclosure,
    Erasure,
    ExceptionReport,
    Profile,
    SharingGrant,
    StaffRecord,
)
from peerwork.people.retention import erase_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path, settings):
    """The erasure journal and the audit head file, outside the shared test files."""
    settings.PEERWORK_ERASURE_JOURNAL_FILE = tmp_path / "erasures.log"
    settings.PEERWORK_AUDIT_HEAD_FILE = tmp_path / "audit-heads.log"
    return tmp_path


@pytest.fixture
def amina_with_records(story, files, django_capture_on_commit_callbacks):
    s = story
    with scope(organisation=s.harbourside), django_capture_on_commit_callbacks(execute=True):
        services.disclose(
            actor=s.amina, owner=s.amina, category="ost", answer={"medicine": "methadone"}
        )
        services.disclose(
            actor=s.amina, owner=s.amina, category="ost", answer={"medicine": "buprenorphine"}
        )
        services.update_profile(actor=s.amina, pronouns="she", emergency_contact="Mama 0700 000000")
        services.share(
            actor=s.amina, audience="person", grantee=s.grace, categories=["ost"], purpose="leave"
        )
        services.share(
            actor=s.olena, audience="person", grantee=s.amina, categories=["ost"], purpose="help"
        )
        StaffRecord.objects.create(organisation=s.harbourside, membership=s.amina, grade="3")
        create_token(member=s.amina, name="gateway")
        exception_reports.report_exception(
            actor=s.samuel,
            person=s.amina,
            reason="life_in_danger",
            disclosed="what was said",
            recipient=s.daniel,
        )
        services.disclose(
            actor=s.olena, owner=s.olena, category="health", answer={"own_words": "x"}
        )
    return s


def _erase(s, capture):
    with scope(organisation=s.harbourside), capture(execute=True):
        return erase_now(actor=s.amina)


def test_erasing_deletes_every_disclosure_with_its_history_and_every_share_made(
    amina_with_records, django_capture_on_commit_callbacks
):
    s = amina_with_records
    _erase(s, django_capture_on_commit_callbacks)
    with scope(organisation=s.harbourside):
        assert not Disclosure.objects.filter(owner=s.amina).exists()
        assert not SharingGrant.objects.filter(owner=s.amina).exists()


def test_erasing_clears_the_emergency_contact_and_keeps_the_rest_of_the_profile(
    amina_with_records, django_capture_on_commit_callbacks
):
    s = amina_with_records
    _erase(s, django_capture_on_commit_callbacks)
    with scope(organisation=s.harbourside):
        profile = Profile.objects.get(membership=s.amina)
    assert profile.emergency_contact is None
    assert profile.pronouns == "she"


def test_erasing_deletes_the_persons_key_so_what_stays_sealed_reads_as_nothing(
    amina_with_records, django_capture_on_commit_callbacks
):
    s = amina_with_records
    assert PersonKey.objects.filter(organisation=s.harbourside, user=s.amina.user).exists()
    _erase(s, django_capture_on_commit_callbacks)
    assert not PersonKey.objects.filter(organisation=s.harbourside, user=s.amina.user).exists()
    with scope(organisation=s.harbourside):
        report = ExceptionReport.objects.get(person=s.amina)
    assert report.disclosed is None and is_erased(report, "disclosed")


def test_erasing_keeps_what_is_not_the_persons_private_record(
    amina_with_records, django_capture_on_commit_callbacks
):
    s = amina_with_records
    _erase(s, django_capture_on_commit_callbacks)
    with scope(organisation=s.harbourside):
        assert StaffRecord.objects.get(membership=s.amina).grade == "3"
        assert SharingGrant.objects.get(grantee=s.amina).purpose == "help"  # Olena's
        assert ExceptionReport.objects.filter(person=s.amina).exists()
        # Still working here: her inbox and tokens stay until she leaves.
        assert ApiToken.objects.filter(membership=s.amina).exists()
        assert Notification.objects.filter(recipient=s.amina).exists()
        assert Disclosure.objects.get(owner=s.olena).answer == {"own_words": "x"}


def test_a_colleague_and_a_member_of_another_organisation_keep_their_keys(
    amina_with_records, django_capture_on_commit_callbacks
):
    s = amina_with_records
    with scope(organisation=s.riverside), django_capture_on_commit_callbacks(execute=True):
        services.disclose(
            actor=s.taras, owner=s.taras, category="ost", answer={"prescriber": "Kyiv"}
        )
    _erase(s, django_capture_on_commit_callbacks)
    assert PersonKey.objects.filter(user=s.olena.user).exists()
    with scope(organisation=s.riverside):
        assert Disclosure.objects.get(owner=s.taras).answer == {"prescriber": "Kyiv"}


def test_an_erasure_is_recorded_with_opaque_ids_and_the_chain_still_verifies(
    amina_with_records, django_capture_on_commit_callbacks
):
    s = amina_with_records
    erasure = _erase(s, django_capture_on_commit_callbacks)
    with scope(organisation=s.harbourside):
        assert Erasure.objects.get(membership=s.amina).by_person
        event = AuditEvent.objects.get(action="person.erase")
    assert (event.actor_id, event.subject_id, event.object_id) == (
        s.amina.pk,
        s.amina.pk,
        erasure.pk,
    )
    assert set(event.detail) == {"by_person", "left", "rows"}
    report = verify_chain(s.harbourside)
    assert report.intact, report
    call_command("verify_audit")  # exits with an error when anything does not fit


def test_after_erasing_the_person_can_disclose_again_under_a_new_key(
    amina_with_records, django_capture_on_commit_callbacks
):
    s = amina_with_records
    _erase(s, django_capture_on_commit_callbacks)
    with scope(organisation=s.harbourside), django_capture_on_commit_callbacks(execute=True):
        services.disclose(
            actor=s.amina, owner=s.amina, category="health", answer={"own_words": "new"}
        )
        assert Disclosure.objects.get(owner=s.amina).answer == {"own_words": "new"}
        # The old report stays unreadable: its key is gone for good.
        assert ExceptionReport.objects.get(person=s.amina).disclosed is None


def test_the_key_goes_only_once_the_erasure_has_committed(amina_with_records):
    s = amina_with_records
    # Without running the commit callbacks (the erasure has not committed yet), the key
    # is still there: deleting it first would lose data if the erasure rolled back.
    with scope(organisation=s.harbourside):
        erase_now(actor=s.amina)
    assert PersonKey.objects.filter(organisation=s.harbourside, user=s.amina.user).exists()
