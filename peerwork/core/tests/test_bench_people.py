"""The people module's part of the benchmarks' network (``bench/generate_people.py``) and the
people pages the benchmarks ask for, on a small network."""

from __future__ import annotations

import pytest
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from bench import latency
from bench.generate import generate_network
from bench.generate_people import EXCEPTION_TEXTS, PURPOSES
from peerwork.core.audit import events_about, verify_chain
from peerwork.core.models import Membership, Organisation, Role
from peerwork.people.disclosures import clean_answer
from peerwork.people.models import (
    Disclosure,
    ExceptionReport,
    Profile,
    SharingGrant,
    StaffRecord,
    Unavailability,
    WorkingPattern,
)

PASSWORD = "bench-network-pass"


@pytest.fixture
def network(db):
    return generate_network(organisations=4, people=200, password=PASSWORD, seed=11)


def _member(username: str) -> Membership:
    return Membership.objects.select_related("line_manager").get(user__username=username)


def test_most_people_have_a_staff_record_and_a_profile_and_some_told_their_organisation(network):
    with scopes_disabled():
        people = Membership.objects.count()
        assert StaffRecord.objects.count() > people * 0.8
        assert Profile.objects.count() > people * 0.5
        owners = Disclosure.objects.values("owner").distinct().count()
        assert people * 0.15 < owners < people * 0.5
        assert WorkingPattern.objects.exists()
        assert Unavailability.objects.exists()
        assert ExceptionReport.objects.exists()
        assert network.people_module["disclosures"] == Disclosure.objects.count()


def test_every_sealed_value_opens_for_its_row(network):
    with scopes_disabled():
        for disclosure in Disclosure.objects.all():
            assert clean_answer(disclosure.category, disclosure.answer) == disclosure.answer
        assert {grant.purpose for grant in SharingGrant.objects.all()} <= set(PURPOSES)
        contacts = [p.emergency_contact for p in Profile.objects.all() if p.emergency_contact]
        assert contacts and all("+" in contact for contact in contacts)
        assert {r.disclosed for r in ExceptionReport.objects.all()} <= set(EXCEPTION_TEXTS)


def test_an_answer_replaced_keeps_its_history_and_one_answer_stays_current(network):
    with scopes_disabled():
        rows = list(Disclosure.objects.order_by("owner", "category", "made_at"))
    assert any(row.replaced_at is not None for row in rows)
    by_topic: dict[tuple[object, str], list[Disclosure]] = {}
    for row in rows:
        by_topic.setdefault((row.owner_id, row.category), []).append(row)
    for history in by_topic.values():
        assert history[-1].replaced_at is None
        assert sum(row.replaced_at is None for row in history) == 1
        for earlier, later in zip(history, history[1:], strict=False):
            assert earlier.replaced_at == later.made_at


def test_shares_come_in_every_audience_and_every_state(network):
    with scopes_disabled():
        grants = list(SharingGrant.objects.select_related("owner"))
    assert {grant.audience for grant in grants} == set(SharingGrant.Audience.values)
    assert {grant.state() for grant in grants} == {"active", "expired", "revoked", "paused"}
    for grant in grants:
        if grant.audience == SharingGrant.Audience.TEAM:
            assert grant.team_id == grant.owner.team_id
        if grant.grantee_id is not None:
            assert grant.grantee_id != grant.owner_id


def test_every_organisations_audit_chain_holds_and_lists_reads_for_who_saw_my_data(network):
    with scopes_disabled():
        for organisation in Organisation.objects.all():
            report = verify_chain(organisation)
            assert report.intact, (organisation.slug, report)
        busy = _member(network.bench_people.busy)
        assert events_about(busy).count() >= 3000
        assert network.people_module["audit reads"] > network.people_module["disclosures"]


def test_the_quiet_and_the_busy_person_are_staff_members_far_apart_in_what_they_hold(network):
    bench = network.bench_people
    with scopes_disabled():
        quiet, busy = _member(bench.quiet), _member(bench.busy)
        assert (str(quiet.pk), str(busy.pk)) == (bench.quiet_id, bench.busy_id)
        for person in (quiet, busy):
            assert person.roles == {Role.STAFF} and person.is_active
            assert person.organisation.slug == network.largest
        assert Disclosure.objects.filter(owner=quiet).count() == 1
        assert SharingGrant.objects.filter(owner=quiet).count() == 1
        current = Disclosure.objects.filter(owner=busy, replaced_at=None)
        assert current.count() == 5
        assert Disclosure.objects.filter(owner=busy, category="ost").count() == 25
        made = list(SharingGrant.objects.filter(owner=busy).select_related("owner"))
        assert len(made) == 80
        assert any(grant.state() == "paused" for grant in made)
        received = SharingGrant.objects.live().filter(grantee=busy)
        assert received.count() >= 25
        assert Unavailability.objects.filter(membership=busy).count() > 50


@pytest.mark.django_db(transaction=True)
def test_every_people_page_the_benchmark_asks_for_answers_for_both_people():
    network = generate_network(organisations=2, people=120, password=PASSWORD, seed=3)
    latency.enrol(
        [network.largest_by_role["hr"], network.bench_people.quiet, network.bench_people.busy]
    )
    with override_settings(ROOT_URLCONF="bench.urls"):
        targets = latency.people_targets(network)
        latency.count_queries(targets)  # raises unless each answers 200 with its heading
    assert len(targets) == 2 * len(latency.PEOPLE_PAGES)
    assert all(timings.queries > 0 for timings, _client in targets)
