"""The daily retention step and ``manage.py apply_retention``: leavers' private records go
after the organisation's period, personnel records are anonymised after theirs, and a
second run does nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import timezone
from django_scopes import scope

from peerwork.core.audit import verify_chain
from peerwork.core.models import ApiToken, AuditEvent, Membership, Notification, PersonKey
from peerwork.core.tokens import create_token
from peerwork.people import services
from peerwork.people.models import (
    Disclosure,
    Erasure,
    Profile,
    RetentionPolicy,
    SharingGrant,
    StaffRecord,
    WorkingPattern,
)
from peerwork.people.retention import RetentionStep, apply_retention, erase_now, retention_step
from peerwork.people.retention import _claim as claim

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def files(tmp_path, settings):
    settings.PEERWORK_ERASURE_JOURNAL_FILE = tmp_path / "erasures.log"
    settings.PEERWORK_AUDIT_HEAD_FILE = tmp_path / "audit-heads.log"
    return tmp_path


@pytest.fixture
def run(files, django_capture_on_commit_callbacks):
    """Apply retention as of a time, running what waits for the commit (the key erasure)."""

    def apply(now=NOW):
        with django_capture_on_commit_callbacks(execute=True):
            return apply_retention(now=now)

    return apply


def _records(member, *, grade="3"):
    """A disclosure, a share, a profile, a staff record, a token and a working pattern."""
    with scope(organisation=member.organisation_id):
        services.disclose(
            actor=member, owner=member, category="ost", answer={"medicine": "methadone"}
        )
        colleague = (
            Membership.objects.filter(organisation_id=member.organisation_id)
            .exclude(pk=member.pk)
            .first()
        )
        if colleague is not None:  # Riverside has nobody else
            services.share(
                actor=member, audience="person", grantee=colleague, categories=["ost"], purpose="p"
            )
        services.update_profile(actor=member, pronouns="she", emergency_contact="Mama")
        StaffRecord.objects.create(
            organisation_id=member.organisation_id, membership=member, grade=grade
        )
        create_token(member=member, name="gateway")
        WorkingPattern.objects.create(
            organisation_id=member.organisation_id,
            membership=member,
            weekday=0,
            starts=dt.time(10, 45),
            ends=dt.time(17),
        )


def _leave(member, days_ago, now=NOW):
    member.ended_at = now - dt.timedelta(days=days_ago)
    with scope(organisation=member.organisation_id):
        Membership.objects.filter(pk=member.pk).update(
            ended_at=member.ended_at, title="Outreach worker", work_phone="+254 700 000000"
        )
    member.refresh_from_db()


def _private_rows(member) -> dict[str, int]:
    with scope(organisation=member.organisation_id):
        return {
            "disclosures": Disclosure.objects.filter(owner=member).count(),
            "shares": SharingGrant.objects.filter(owner=member).count(),
            "profile": Profile.objects.filter(membership=member).count(),
            "tokens": ApiToken.objects.filter(membership=member).count(),
            "patterns": WorkingPattern.objects.filter(membership=member).count(),
            "inbox": Notification.objects.filter(recipient=member).count(),
        }


def _has_key(member) -> bool:
    return PersonKey.objects.filter(
        organisation_id=member.organisation_id, user_id=member.user_id
    ).exists()


# --- erasing leavers ------------------------------------------------------------------------


def test_a_leaver_is_erased_once_thirty_days_have_passed_by_default(story, run):
    _records(story.amina)
    _leave(story.amina, days_ago=31)
    assert _has_key(story.amina)

    result = run()

    assert (result.erased, result.anonymised) == (1, 0)
    assert set(_private_rows(story.amina).values()) == {0}
    assert not _has_key(story.amina)
    with scope(organisation=story.harbourside):
        erasure = Erasure.objects.get(membership=story.amina)
        assert StaffRecord.objects.get(membership=story.amina).grade == "3"  # personnel: kept
    assert (erasure.by_person, erasure.erased_at) == (False, NOW)


def test_a_leaver_within_the_period_is_not_erased_yet(story, run):
    _records(story.amina)
    _leave(story.amina, days_ago=29)
    assert run().erased == 0
    assert _private_rows(story.amina)["disclosures"] == 1
    assert _has_key(story.amina)


def test_a_second_run_does_nothing(story, run):
    _records(story.amina)
    _leave(story.amina, days_ago=31)
    run()
    with scope(organisation=story.harbourside):
        events = AuditEvent.objects.count()
    again = run()
    assert (again.erased, again.anonymised) == (0, 0)
    with scope(organisation=story.harbourside):
        assert Erasure.objects.filter(membership=story.amina).count() == 1
        assert AuditEvent.objects.count() == events


def test_the_organisations_own_period_is_used(story, run):
    with scope(organisation=story.harbourside):
        RetentionPolicy.objects.create(organisation=story.harbourside, private_days=7)
    _records(story.amina)
    _leave(story.amina, days_ago=8)
    assert run().erased == 1
    assert _private_rows(story.amina)["disclosures"] == 0


def test_a_member_of_another_organisation_is_unaffected(story, run):
    _records(story.amina)
    _records(story.taras)
    _leave(story.amina, days_ago=40)
    _leave(story.taras, days_ago=10)  # Riverside keeps the default 30 days
    assert run().erased == 1
    assert _private_rows(story.taras)["disclosures"] == 1
    assert _has_key(story.taras)
    with scope(organisation=story.riverside):
        assert Disclosure.objects.get(owner=story.taras).answer == {"medicine": "methadone"}


def test_working_colleagues_are_untouched(story, run):
    _records(story.olena)
    _records(story.amina)
    _leave(story.amina, days_ago=31)
    run()
    assert _private_rows(story.olena)["disclosures"] == 1
    assert _has_key(story.olena)


def test_someone_who_erased_before_leaving_is_erased_again_after_leaving(
    story, run, django_capture_on_commit_callbacks
):
    _records(story.amina)
    with scope(organisation=story.harbourside), django_capture_on_commit_callbacks(execute=True):
        erase_now(actor=story.amina, now=NOW - dt.timedelta(days=60))
        services.disclose(
            actor=story.amina, owner=story.amina, category="health", answer={"own_words": "again"}
        )
    _leave(story.amina, days_ago=31)
    assert run().erased == 1
    assert _private_rows(story.amina)["disclosures"] == 0
    with scope(organisation=story.harbourside):
        assert Erasure.objects.filter(membership=story.amina).count() == 2


def test_someone_who_ended_in_the_future_is_not_a_leaver_yet(story, run):
    _records(story.amina)
    _leave(story.amina, days_ago=-10)  # a notice period: leaves in ten days
    assert run().erased == 0
    assert _private_rows(story.amina)["disclosures"] == 1


def test_the_audit_chain_still_verifies_after_retention(story, run):
    _records(story.amina)
    _leave(story.amina, days_ago=7 * 365)
    run()
    assert verify_chain(story.harbourside).intact
    call_command("verify_audit", stdout=StringIO())


# --- anonymising personnel records -------------------------------------------------------------


def test_a_staff_record_is_anonymised_after_the_personnel_period(story, run):
    _records(story.amina, grade="5")
    _leave(story.amina, days_ago=6 * 365 + 1)
    result = run()
    assert (result.erased, result.anonymised) == (1, 1)
    with scope(organisation=story.harbourside):
        record = StaffRecord.objects.get(grade="5")
        member = Membership.objects.get(pk=story.amina.pk)
    assert record.membership_id is None and record.anonymised_at == NOW
    assert (member.title, member.work_email, member.work_phone) == ("", "", "")


def test_a_staff_record_is_kept_until_the_personnel_period_has_passed(story, run):
    _records(story.amina)
    _leave(story.amina, days_ago=6 * 365 - 1)
    assert run().anonymised == 0
    with scope(organisation=story.harbourside):
        assert StaffRecord.objects.get(membership=story.amina).anonymised_at is None
        assert Membership.objects.get(pk=story.amina.pk).work_phone == "+254 700 000000"


def test_anonymising_twice_does_nothing_the_second_time(story, run):
    with scope(organisation=story.harbourside):
        RetentionPolicy.objects.create(organisation=story.harbourside, personnel_days=365)
    _records(story.amina)
    _leave(story.amina, days_ago=400)
    assert run().anonymised == 1
    assert run().anonymised == 0
    with scope(organisation=story.harbourside):
        assert AuditEvent.objects.filter(action="person.anonymise").count() == 1


def test_a_leaver_another_loop_has_claimed_is_left_to_it(story, files):
    _leave(story.amina, days_ago=40)
    with scope(organisation=story.harbourside):
        seen = Membership.objects.get(pk=story.amina.pk).version
        assert claim(story.amina.pk, seen, Q()) is not None
        assert claim(story.amina.pk, seen, Q()) is None


# --- the deadline step and the command -----------------------------------------------------------


def test_the_step_runs_at_most_once_a_day(story, files, django_capture_on_commit_callbacks):
    step = RetentionStep()
    _records(story.amina)
    _records(story.olena)
    _leave(story.amina, days_ago=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert step(NOW) == 1
        _leave(story.olena, days_ago=31)
        assert step(NOW + dt.timedelta(hours=23)) == 0  # due now, but it ran today
        assert step(NOW + dt.timedelta(days=1)) == 1
    assert _private_rows(story.olena)["disclosures"] == 0


def test_the_step_is_registered_with_the_deadline_loop():
    from peerwork.core.deadlines import registered_steps, step_name

    assert retention_step in registered_steps()
    assert step_name(retention_step) == "people.retention"


def test_the_command_applies_retention_as_of_the_time_given(
    story, files, django_capture_on_commit_callbacks
):
    _records(story.amina)
    _leave(story.amina, days_ago=0)
    out = StringIO()
    later = (NOW + dt.timedelta(days=31)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", "--now", later, stdout=out)
    assert "Erased 1" in out.getvalue()
    assert _private_rows(story.amina)["disclosures"] == 0
    out = StringIO()
    call_command("apply_retention", "--now", later, stdout=out)
    assert "Erased 0" in out.getvalue()


def test_the_command_refuses_a_time_it_cannot_read(story):
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("apply_retention", "--now", "next tuesday")
