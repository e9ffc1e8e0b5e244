"""Sharing grants: who a share reaches, and how it fails closed (§2.3; issue 4 item 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope

from peerwork.core.versions import StaleVersion
from peerwork.people import services
from peerwork.people.access import categories_open_to, grants_reaching, may_enter_for
from peerwork.people.models import Disclosure, SharingGrant, StaffRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbourside(story):
    with scope(organisation=story.harbourside):
        yield story


def _ost(person):
    return services.disclose(
        actor=person, owner=person, category="ost", answer={"medicine": "methadone"}
    )


def test_nobody_reads_a_disclosure_that_is_not_shared(harbourside):
    s = harbourside
    _ost(s.amina)
    for reader in (s.ravi, s.grace, s.daniel, s.chen, s.samuel, s.joseph, s.taslima):
        assert categories_open_to(reader, s.amina) == set(), reader.name


def test_a_share_with_a_person_opens_only_its_categories_to_only_that_person(harbourside):
    s = harbourside
    services.share(
        actor=s.amina, audience="person", grantee=s.samuel, categories=["drug_use"], purpose="p"
    )
    assert categories_open_to(s.samuel, s.amina) == {"drug_use"}
    assert categories_open_to(s.ravi, s.amina) == set()


def test_a_person_share_gets_six_months_unless_a_date_is_chosen(harbourside):
    s = harbourside
    now = timezone.now()
    grant = services.share(
        actor=s.amina, audience="person", grantee=s.samuel, categories=["ost"], purpose="p", now=now
    )
    assert grant.expires_at == now + dt.timedelta(days=183)


def test_an_audience_share_has_no_expiry_unless_one_is_chosen(harbourside):
    s = harbourside
    grant = services.share(
        actor=s.samuel, audience="organisation", categories=["drug_use"], purpose="open"
    )
    assert grant.expires_at is None


def test_an_expired_share_fails_closed(harbourside):
    s = harbourside
    grant = services.share(
        actor=s.amina, audience="person", grantee=s.samuel, categories=["ost"], purpose="p"
    )
    later = grant.expires_at + dt.timedelta(seconds=1)
    assert grant.is_expired(later)
    assert SharingGrant.objects.live(later).filter(pk=grant.pk).count() == 0


def test_a_revoked_share_fails_closed_at_once(harbourside):
    s = harbourside
    grant = services.share(
        actor=s.amina, audience="person", grantee=s.samuel, categories=["ost"], purpose="p"
    )
    services.revoke_grant(actor=s.amina, grant=grant)
    assert categories_open_to(s.samuel, s.amina) == set()


def test_only_the_owner_stops_or_renews_a_share(harbourside):
    s = harbourside
    grant = services.share(
        actor=s.amina, audience="person", grantee=s.samuel, categories=["ost"], purpose="p"
    )
    with pytest.raises(PermissionDenied):
        services.revoke_grant(actor=s.samuel, grant=grant)
    with pytest.raises(PermissionDenied):
        services.renew_grant(actor=s.samuel, grant=grant)


def test_two_changes_from_the_same_version_do_not_overwrite_each_other(harbourside):
    s = harbourside
    grant = services.share(
        actor=s.amina, audience="person", grantee=s.samuel, categories=["ost"], purpose="p"
    )
    seen = grant.version
    services.renew_grant(actor=s.amina, grant=grant, version=seen)
    stale = SharingGrant.objects.get(pk=grant.pk)
    with pytest.raises(StaleVersion):
        services.revoke_grant(actor=s.amina, grant=stale, version=seen)
    assert SharingGrant.objects.get(pk=grant.pk).revoked_at is None


def test_a_line_manager_share_pauses_when_the_line_manager_changes(harbourside):
    s = harbourside
    grant = services.share(actor=s.amina, audience="line_manager", categories=["ost"], purpose="p")
    assert categories_open_to(s.ravi, s.amina) == {"ost"}
    services.update_staff_record(
        actor=s.grace,
        person=s.amina,
        record=StaffRecord(organisation_id=s.amina.organisation_id, membership=s.amina),
        version=None,
        changes={"line_manager": s.taslima},
    )
    grant.refresh_from_db()
    assert grant.state() == "paused"
    assert categories_open_to(s.ravi, s.amina) == set()
    assert categories_open_to(s.taslima, s.amina) == set()


def test_confirming_a_paused_share_opens_it_to_the_new_line_manager_only(harbourside):
    s = harbourside
    grant = services.share(actor=s.amina, audience="line_manager", categories=["ost"], purpose="p")
    s.amina.line_manager = s.taslima
    s.amina.save(update_fields=["line_manager"])
    services.confirm_grant(actor=s.amina, grant=grant)
    assert categories_open_to(s.taslima, s.amina) == {"ost"}
    assert categories_open_to(s.ravi, s.amina) == set()


def test_an_active_share_cannot_be_confirmed(harbourside):
    s = harbourside
    grant = services.share(actor=s.amina, audience="line_manager", categories=["ost"], purpose="p")
    with pytest.raises(ValidationError):
        services.confirm_grant(actor=s.amina, grant=grant)


def test_a_team_share_reaches_working_colleagues_in_the_team_only(harbourside):
    s = harbourside
    services.share(actor=s.amina, audience="team", categories=["drug_use"], purpose="open")
    assert categories_open_to(s.joseph, s.amina) == {"drug_use"}  # a volunteer in the team
    assert categories_open_to(s.farah, s.amina) == set()  # a facilitator, maybe external
    assert categories_open_to(s.peter, s.amina) == set()  # a peer interviewer, maybe a client
    assert categories_open_to(s.leila, s.amina) == set()  # an external coach


def test_an_organisation_share_never_reaches_another_organisation(harbourside, story):
    s = harbourside
    services.share(actor=s.samuel, audience="organisation", categories=["drug_use"], purpose="o")
    assert categories_open_to(s.daniel, s.samuel) == {"drug_use"}
    assert categories_open_to(s.taras, s.samuel) == set()
    assert grants_reaching(s.taras) == []


def test_a_grantee_whose_membership_ended_sees_nothing(harbourside):
    s = harbourside
    services.share(
        actor=s.amina, audience="person", grantee=s.samuel, categories=["ost"], purpose="p"
    )
    s.samuel.ended_at = timezone.now() - dt.timedelta(minutes=1)
    s.samuel.save(update_fields=["ended_at"])
    assert categories_open_to(s.samuel, s.amina) == set()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"categories": []}, "categories"),
        ({"categories": ["hobbies"]}, "categories"),
        ({"purpose": "  "}, "purpose"),
        ({"expires_on": dt.date(2020, 1, 1)}, "expires_on"),
        ({"grantee": None}, "grantee"),
    ],
)
def test_a_share_with_bad_input_says_why_and_creates_nothing(harbourside, changes, field):
    s = harbourside
    request = {
        "audience": "person",
        "grantee": s.samuel,
        "categories": ["ost"],
        "purpose": "p",
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        services.share(actor=s.amina, **request)
    assert field in refused.value.message_dict
    assert not SharingGrant.objects.exists()


def test_a_share_cannot_name_someone_of_another_organisation(harbourside):
    s = harbourside
    with pytest.raises(ValidationError) as refused:
        services.share(
            actor=s.amina, audience="person", grantee=s.taras, categories=["ost"], purpose="p"
        )
    assert "grantee" in refused.value.message_dict


def test_hr_may_enter_a_disclosure_only_under_an_active_share_of_that_category(harbourside):
    s = harbourside
    assert not may_enter_for(s.grace, s.amina, "accommodations")
    with pytest.raises(PermissionDenied):
        services.disclose(
            actor=s.grace, owner=s.amina, category="accommodations", answer={"needs": "x"}
        )
    services.share(
        actor=s.amina,
        audience="person",
        grantee=s.grace,
        categories=["accommodations"],
        purpose="adjustments",
    )
    assert may_enter_for(s.grace, s.amina, "accommodations")
    assert not may_enter_for(s.grace, s.amina, "health")
    entered = services.disclose(
        actor=s.grace, owner=s.amina, category="accommodations", answer={"needs": "x"}
    )
    assert entered.entered_by == s.grace


def test_hr_in_a_team_the_person_is_open_with_may_read_but_not_write_their_answers(
    harbourside,
):
    s = harbourside
    services.share(actor=s.amina, audience="organisation", categories=["ost"], purpose="open")
    assert categories_open_to(s.grace, s.amina) == {"ost"}
    assert not may_enter_for(s.grace, s.amina, "ost")
    with pytest.raises(PermissionDenied):
        services.disclose(actor=s.grace, owner=s.amina, category="ost", answer={"prescriber": "x"})


def test_a_colleague_who_is_not_hr_cannot_enter_under_a_share(harbourside):
    s = harbourside
    services.share(
        actor=s.amina, audience="person", grantee=s.samuel, categories=["ost"], purpose="p"
    )
    with pytest.raises(PermissionDenied):
        services.disclose(actor=s.samuel, owner=s.amina, category="ost", answer={"prescriber": "x"})


def test_a_new_answer_keeps_the_old_one_as_history(harbourside):
    s = harbourside
    services.disclose(
        actor=s.amina, owner=s.amina, category="drug_use", answer={"relationship": "uses_drugs"}
    )
    services.disclose(
        actor=s.amina, owner=s.amina, category="drug_use", answer={"relationship": "on_ost"}
    )
    rows = Disclosure.objects.filter(owner=s.amina, category="drug_use")
    assert rows.count() == 2
    assert services.current_disclosures(s.amina)["drug_use"].answer == {"relationship": "on_ost"}


def test_prefer_not_to_say_is_an_answer_of_its_own(harbourside):
    s = harbourside
    row = services.disclose(
        actor=s.amina,
        owner=s.amina,
        category="health",
        answer={"prefer_not_to_say": True, "own_words": "dropped"},
    )
    assert row.answer == {"prefer_not_to_say": True}


def test_the_answer_is_sealed_in_the_database(harbourside):
    from django.db import connection

    _ost(harbourside.amina)
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM people_disclosure")
        stored = [bytes(row[0]) for row in cursor.fetchall()]
    assert len(stored) == 1 and stored[0]
    assert b"methadone" not in stored[0]


@pytest.mark.django_db(transaction=True)
def test_each_read_by_a_grantee_is_written_to_the_audit_chain(story):
    from peerwork.core.audit import events_about

    with scope(organisation=story.harbourside):
        _ost(story.amina)
        services.share(
            actor=story.amina, audience="line_manager", categories=["ost"], purpose="plan"
        )
        rows = services.read_disclosures(actor=story.ravi, owner=story.amina)
        assert [r.category for r in rows] == ["ost"]
        reads = list(events_about(story.amina))
        assert [(e.actor_id, e.action) for e in reads] == [(story.ravi.pk, "disclosure.read")]
        # The chain names no category; "who saw my data" reads it from the row.
        assert reads[0].detail == {}
        assert services.what_was_read(reads) == {reads[0].pk: "ost"}


def test_a_staff_record_ending_before_it_starts_is_refused_in_words(harbourside):
    s = harbourside
    record = StaffRecord(organisation_id=s.amina.organisation_id, membership=s.amina)
    with pytest.raises(ValidationError) as refused:
        services.update_staff_record(
            actor=s.grace,
            person=s.amina,
            record=record,
            version=None,
            changes={"started_on": dt.date(2026, 5, 1), "ends_on": dt.date(2026, 4, 1)},
        )
    assert refused.value.message_dict == {
        "ends_on": ["The end date cannot be before the start date."]
    }
    assert not StaffRecord.objects.filter(membership=s.amina).exists()


def test_two_first_saves_of_a_staff_record_do_not_both_win(harbourside):
    s = harbourside
    first = StaffRecord(organisation_id=s.amina.organisation_id, membership=s.amina)
    second = StaffRecord(organisation_id=s.amina.organisation_id, membership=s.amina)
    services.update_staff_record(
        actor=s.grace, person=s.amina, record=first, version=None, changes={"grade": "P2"}
    )
    with pytest.raises(StaleVersion):
        services.update_staff_record(
            actor=s.ravi, person=s.amina, record=second, version=None, changes={"grade": "P3"}
        )
    assert StaffRecord.objects.get(membership=s.amina).grade == "P2"


@pytest.mark.django_db(transaction=True)
def test_the_owner_reading_a_long_history_writes_one_event_per_category(story):
    from peerwork.core.audit import events_about

    with scope(organisation=story.harbourside):
        for medicine in ("methadone", "buprenorphine", "methadone"):
            services.disclose(
                actor=story.amina, owner=story.amina, category="ost", answer={"medicine": medicine}
            )
        shown = services.read_disclosures(actor=story.amina, owner=story.amina, history=True)
        assert len(shown) == 3
        reads = list(events_about(story.amina))
        assert len(reads) == 1
        assert reads[0].object_id == shown[0].pk  # the newest answer
        assert reads[0].detail == {"rows": 3}
