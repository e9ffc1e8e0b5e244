"""The people part of the demo story (peerwork/people/demo.py, DEMO.md): it holds, and a
second seed changes nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.apps import apps
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core import demo
from peerwork.core.audit import events_about
from peerwork.core.models import AuditEvent, Membership, Notification
from peerwork.people import services
from peerwork.people.access import categories_open_to
from peerwork.people.availability import availability_for
from peerwork.people.demo import DISCLOSURES, SHARES
from peerwork.people.models import (
    ExceptionReport,
    SharingGrant,
    StaffRecord,
    Unavailability,
    WorkingPattern,
)

NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = "harbour-demo-2026"
    return settings


def member(slug: str, username: str) -> Membership:
    with scopes_disabled():
        return Membership.objects.select_related("user", "organisation").get(
            organisation__slug=slug, user__username=username
        )


def harbourside(*usernames: str) -> list[Membership]:
    return [member("harbourside", name) for name in usernames]


def row_counts() -> dict[str, int]:
    with scopes_disabled():
        counts = {
            model._meta.label: model._base_manager.count()
            for model in apps.get_app_config("people").get_models()
        }
        counts["audit events"] = AuditEvent.objects.count()
        counts["notifications"] = Notification.objects.count()
    return counts


@pytest.mark.django_db(transaction=True)
def test_the_story_holds_for_those_who_read(demo_settings):
    """Samuel reads Amina's answer, Ravi does not; Ravi reads Olena's OST; the director and
    the org admin read nothing of either; every read is on the owner's list."""
    demo.seed()
    amina, olena, samuel, ravi, daniel, chen = harbourside(
        "amina", "olena", "samuel", "ravi", "daniel", "chen"
    )
    organisation = amina.organisation
    with scope(organisation=organisation.pk):
        [drug_use] = services.read_disclosures(actor=samuel, owner=amina)
        assert drug_use.category == "drug_use"
        assert drug_use.answer["relationship"] == "uses_drugs"
        assert "my outreach shifts" in drug_use.answer["own_words"]

        assert services.read_disclosures(actor=ravi, owner=amina) == []

        [ost] = services.read_disclosures(actor=ravi, owner=olena)
        assert ost.category == "ost"
        assert ost.answer["medicine"] == "methadone"
        assert ost.answer["dispensing"] == "daily_supervised"

        for outsider in (daniel, chen):
            assert services.read_disclosures(actor=outsider, owner=amina) == []
            assert services.read_disclosures(actor=outsider, owner=olena) == []

        readers = {event.actor_id for event in events_about(amina)}
        assert readers == {samuel.pk}
        assert {event.actor_id for event in events_about(olena)} == {ravi.pk}


@pytest.mark.django_db
def test_who_may_read_what_is_as_the_people_chose(demo_settings):
    demo.seed()
    amina, olena, samuel, ravi, grace, daniel, chen, joseph, leila = harbourside(
        "amina", "olena", "samuel", "ravi", "grace", "daniel", "chen", "joseph", "leila"
    )
    with scope(organisation=amina.organisation_id):
        assert categories_open_to(samuel, amina) == {"drug_use"}
        for reader in (ravi, grace, daniel, chen, joseph, leila, olena):
            assert categories_open_to(reader, amina) == set(), reader.user.username
        assert categories_open_to(ravi, olena) == {"ost"}
        for reader in (samuel, grace, daniel, chen, joseph, leila, amina):
            assert categories_open_to(reader, olena) == set(), reader.user.username
        # Samuel is open about his recovery with colleagues; an external coach is not one.
        for colleague in (amina, olena, ravi, grace, daniel, chen, joseph):
            assert categories_open_to(colleague, samuel) == {"drug_use"}
        assert categories_open_to(leila, samuel) == set()


@pytest.mark.django_db
def test_olena_shares_ost_with_her_line_manager_for_three_months(demo_settings):
    demo.seed()
    [olena, ravi] = harbourside("olena", "ravi")
    with scope(organisation=olena.organisation_id):
        [grant] = SharingGrant.objects.filter(owner=olena)
    assert grant.audience == SharingGrant.Audience.LINE_MANAGER
    assert grant.grantee_id == ravi.pk
    assert grant.categories == ["ost"]
    assert "start time" in grant.purpose
    assert grant.state() == "active"
    today = timezone.localdate(timezone.now(), NAIROBI)
    days = (timezone.localdate(grant.expires_at, NAIROBI) - today).days
    assert 89 <= days <= 92


@pytest.mark.django_db
def test_amina_shares_only_with_her_mentor_for_the_default_six_months(demo_settings):
    demo.seed()
    [amina, samuel] = harbourside("amina", "samuel")
    with scope(organisation=amina.organisation_id):
        [grant] = SharingGrant.objects.filter(owner=amina)
    assert (grant.audience, grant.grantee_id, grant.categories) == (
        SharingGrant.Audience.PERSON,
        samuel.pk,
        ["drug_use"],
    )
    assert grant.purpose == "So my mentor knows where I am at."
    assert grant.expires_at is not None
    assert 182 <= (grant.expires_at - grant.created_at).days <= 183


@pytest.mark.django_db
def test_samuels_openness_has_no_expiry(demo_settings):
    demo.seed()
    [samuel] = harbourside("samuel")
    with scope(organisation=samuel.organisation_id):
        [grant] = SharingGrant.objects.filter(owner=samuel)
        [answer] = services.current_disclosures(samuel).values()
    assert grant.audience == SharingGrant.Audience.ORGANISATION
    assert grant.expires_at is None
    assert answer.answer["relationship"] == "in_recovery"
    assert "NA" in answer.answer["own_words"]


@pytest.mark.django_db
def test_olenas_agreed_pattern_is_what_planners_see(demo_settings):
    """Her contract is the team's 09:00 to 17:30 on weekdays, agreed with Ravi; the 10:45
    start they agreed (schedule/demo.py) is what planners see: hours, never the clinic
    (§2.4.1)."""
    demo.seed()
    [olena, ravi] = harbourside("olena", "ravi")
    with scope(organisation=olena.organisation_id):
        rows = list(WorkingPattern.objects.filter(membership=olena))
        monday = timezone.localdate(timezone.now(), NAIROBI)
        monday -= dt.timedelta(days=monday.weekday())
        start = dt.datetime.combine(monday, dt.time(0, 0), tzinfo=NAIROBI)
        seen = availability_for(olena, start, start + dt.timedelta(days=7))
    assert [(r.weekday, r.starts, r.ends) for r in rows] == [
        (day, dt.time(9, 0), dt.time(17, 30)) for day in range(5)
    ]
    assert {r.agreed_by_id for r in rows} == {ravi.pk}
    assert len(seen.working) == 5
    assert not seen.is_free(
        dt.datetime.combine(monday, dt.time(9, 30), tzinfo=NAIROBI),
        dt.datetime.combine(monday, dt.time(10, 30), tzinfo=NAIROBI),
    )
    assert seen.is_free(
        dt.datetime.combine(monday, dt.time(11, 0), tzinfo=NAIROBI),
        dt.datetime.combine(monday, dt.time(12, 0), tzinfo=NAIROBI),
    )


@pytest.mark.django_db
def test_amina_has_one_appointment_next_week_shown_only_as_an_appointment(demo_settings):
    demo.seed()
    [amina] = harbourside("amina")
    now = timezone.now()
    with scope(organisation=amina.organisation_id):
        [row] = Unavailability.objects.filter(membership=amina)
        seen = availability_for(amina, now, now + dt.timedelta(days=14))
    assert row.kind == Unavailability.Kind.APPOINTMENT
    starts = timezone.localtime(row.starts_at, NAIROBI)
    today = timezone.localdate(now, NAIROBI)
    next_week = (today + dt.timedelta(days=7)).isocalendar()[:2]
    assert starts.weekday() == 1 and starts.date().isocalendar()[:2] == next_week
    assert [(i.label, i.starts_at, i.ends_at) for i in seen.unavailable] == [
        ("appointment", row.starts_at, row.ends_at)
    ]


@pytest.mark.django_db
def test_everyone_at_harbourside_has_a_staff_record_written_by_hr(demo_settings):
    demo.seed()
    people = harbourside(
        "amina", "joseph", "olena", "ravi", "grace", "daniel", "samuel", "leila", "chen", "bashir"
    )
    [grace] = harbourside("grace")
    with scope(organisation=grace.organisation_id):
        records = {r.membership_id: r for r in StaffRecord.objects.filter(membership__in=people)}
        writers = set(
            AuditEvent.objects.filter(action="staff_record.change").values_list(
                "actor_id", flat=True
            )
        )
    assert set(records) == {p.pk for p in people}
    assert all(r.started_on for r in records.values())
    contracts = {p.user.username: records[p.pk].contract for p in people}
    assert contracts["joseph"] == StaffRecord.Contract.VOLUNTEER
    assert contracts["amina"] == contracts["olena"] == StaffRecord.Contract.EMPLOYEE
    assert writers == {grace.pk}


@pytest.mark.django_db
def test_at_riverside_taras_and_oksana_have_their_part(demo_settings):
    demo.seed()
    taras, oksana, iryna, dmytro = (
        member("riverside", name) for name in ("taras", "oksana", "iryna", "dmytro")
    )
    with scope(organisation=taras.organisation_id):
        assert categories_open_to(taras, iryna) == {"accommodations"}
        assert categories_open_to(iryna, oksana) == {"drug_use"}
        assert categories_open_to(oksana, iryna) == set()
        contracts = {
            r.membership_id: r.contract
            for r in StaffRecord.objects.filter(membership__in=[iryna, dmytro])
        }
    assert contracts == {
        iryna.pk: StaffRecord.Contract.EMPLOYEE,
        dmytro.pk: StaffRecord.Contract.VOLUNTEER,
    }
    # Bashir's Harbourside membership reaches nothing at Riverside.
    [bashir_at_harbourside] = harbourside("bashir")
    with scope(organisation=taras.organisation_id):
        assert categories_open_to(bashir_at_harbourside, oksana) == set()


@pytest.mark.django_db
def test_the_demo_makes_no_exception_report(demo_settings):
    demo.seed()
    with scopes_disabled():
        assert not ExceptionReport.objects.exists()


@pytest.mark.django_db
def test_a_second_seed_changes_nothing(demo_settings):
    demo.seed()
    counts = row_counts()
    with scopes_disabled():
        grants = sorted(
            SharingGrant.objects.values_list("id", "expires_at", "revoked_at", "version")
        )
        records = sorted(StaffRecord.objects.values_list("id", "version"))

    second = demo.seed()

    assert second.changes == 0
    assert row_counts() == counts
    with scopes_disabled():
        assert (
            sorted(SharingGrant.objects.values_list("id", "expires_at", "revoked_at", "version"))
            == grants
        )
        assert sorted(StaffRecord.objects.values_list("id", "version")) == records


@pytest.mark.django_db
def test_a_rerun_puts_back_a_stopped_share_and_a_changed_answer(demo_settings):
    demo.seed()
    [amina, olena] = harbourside("amina", "olena")
    with scope(organisation=amina.organisation_id):
        [grant] = SharingGrant.objects.filter(owner=olena)
        services.revoke_grant(actor=olena, grant=grant)
        services.disclose(
            actor=amina, owner=amina, category="drug_use", answer={"prefer_not_to_say": True}
        )

    assert demo.seed().changes == 2

    [ravi] = harbourside("ravi")
    with scope(organisation=amina.organisation_id):
        assert categories_open_to(ravi, olena) == {"ost"}
        assert services.current_disclosures(amina)["drug_use"].answer["relationship"] == (
            "uses_drugs"
        )
        # The stopped share stays stopped: the story is shared again, as a new share.
        assert SharingGrant.objects.filter(owner=olena).count() == 2
    assert demo.seed().changes == 0


def test_the_demo_words_are_respectful():
    avoided = ("clean", "addict", "junkie", "abuse", "misuse", "dirty", "relapse", "user")
    texts = [s.purpose for s in SHARES] + [
        str(value) for d in DISCLOSURES for value in d.answer.values()
    ]
    words = {w.strip(".,:;").lower() for text in texts for w in text.split()}
    assert not words & set(avoided)
