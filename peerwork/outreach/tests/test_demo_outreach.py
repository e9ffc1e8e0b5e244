"""The outreach part of the demo story (peerwork/outreach/demo.py, DEMO.md, issue 5 item
9): the evening's shifts, one overdue and acknowledged, and a second seed changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core import demo
from peerwork.core.models import AuditEvent, Delivery, Membership, Notification
from peerwork.outreach import pins
from peerwork.outreach.access import may_handle
from peerwork.outreach.demo import (
    DEMO_DURESS_PIN,
    DEMO_PIN,
    OUT_NOW_AREA,
    OVERDUE_AREA,
    TOMORROW_AREA,
)
from peerwork.outreach.escalation import escalation
from peerwork.outreach.models import (
    EscalationStep,
    LegalContact,
    OnCall,
    OutreachPolicy,
    Shift,
    ShiftEvent,
)
from peerwork.outreach.policy import policy_for, steps_for

Kind = ShiftEvent.Kind


@pytest.fixture
def seeded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = "harbour-demo-2026"
    return demo.seed()


def member(slug: str, username: str) -> Membership:
    with scopes_disabled():
        return Membership.objects.select_related("user", "organisation").get(
            organisation__slug=slug, user__username=username
        )


def shift(area: str) -> Shift:
    with scopes_disabled():
        return Shift.objects.get(area=area)


def names(members) -> list[str]:
    with scopes_disabled():
        return sorted(
            Membership.objects.filter(pk__in=members).values_list("user__username", flat=True)
        )


def row_counts() -> dict[str, int]:
    with scopes_disabled():
        counts = {
            model._meta.label: model._base_manager.count()
            for model in apps.get_app_config("outreach").get_models()
        }
        counts["audit events"] = AuditEvent.objects.count()
        counts["notifications"] = Notification.objects.count()
        counts["deliveries"] = Delivery.objects.count()
    return counts


@pytest.mark.django_db
def test_each_organisation_has_a_policy_with_grace_plans_and_a_project_manager(seeded):
    with scopes_disabled():
        for slug, manager in (("harbourside", "ravi"), ("riverside", "taras")):
            policy = OutreachPolicy.objects.get(organisation__slug=slug, site__isnull=True)
            assert policy.grace_minutes == 15
            assert policy.pairs_required
            assert "picture ID" in policy.guidelines
            assert "Arrest" in policy.contingency_plans
            assert policy.contingency_agreed_on is not None
            assert policy.project_manager == member(slug, manager)


@pytest.mark.django_db
def test_the_chain_runs_partner_then_line_manager_then_on_call_then_director(seeded):
    harbourside = member("harbourside", "ravi").organisation
    with scope(organisation=harbourside.pk):
        chain = steps_for(policy_for(organisation_id=harbourside.pk))
    assert [step.who for step in chain] == [
        EscalationStep.Who.PARTNER,
        EscalationStep.Who.LINE_MANAGER,
        EscalationStep.Who.ON_CALL,
        EscalationStep.Who.DIRECTOR,
    ]
    assert all(step.wait == dt.timedelta(minutes=15) for step in chain)


@pytest.mark.django_db
def test_someone_is_on_call_tonight_in_each_organisation(seeded):
    now = timezone.now()
    with scopes_disabled():
        for slug, username in (("harbourside", "grace"), ("riverside", "taras")):
            turn = OnCall.objects.get(organisation__slug=slug)
            assert turn.member == member(slug, username)
            assert turn.starts_at <= now < turn.ends_at
            assert turn.ends_at - now >= dt.timedelta(hours=8)


@pytest.mark.django_db
def test_each_site_has_fictional_legal_contacts_with_numbers_that_ring_nobody(seeded):
    with scopes_disabled():
        for slug, prefix in (("harbourside", "+254 700 000 00"), ("riverside", "+380 00 000 000")):
            contacts = list(LegalContact.objects.filter(organisation__slug=slug))
            assert {c.kind for c in contacts} == {"lawyer", "legal_aid"}
            assert all(c.site is not None for c in contacts)
            assert all("(fictional)" in c.name and c.phone.startswith(prefix) for c in contacts)


@pytest.mark.django_db
def test_the_outreach_workers_open_their_links_with_the_demo_pin_and_duress_pin(seeded):
    for slug, username in (
        ("harbourside", "amina"),
        ("harbourside", "joseph"),
        ("riverside", "iryna"),
        ("riverside", "dmytro"),
    ):
        worker = member(slug, username)
        with scope(organisation=worker.organisation_id):
            assert pins.check(worker, DEMO_PIN, via="test") is pins.Checked.OK
            assert pins.check(worker, DEMO_DURESS_PIN, via="test") is pins.Checked.DURESS


@pytest.mark.django_db
def test_amina_and_josephs_shift_is_overdue_and_ravi_is_on_it(seeded):
    overdue = shift(OVERDUE_AREA)
    ravi = member("harbourside", "ravi")
    assert overdue.state == Shift.State.OVERDUE
    assert overdue.acknowledged_by == ravi
    assert overdue.escalation_due_at is None  # the chain stopped at "I'm on it"
    assert overdue.planned_return < timezone.now()
    assert "naloxone" in overdue.materials
    with scopes_disabled():
        assert names(overdue.workers.values("member")) == ["amina", "joseph"]
        events = list(overdue.events.order_by("at", "seq"))
    assert [e.kind for e in events] == [
        Kind.PLANNED,
        Kind.CHECKED_OUT,
        Kind.OVERDUE,
        Kind.ALERTED,
        Kind.ALERTED,
        Kind.ACKNOWLEDGED,
    ]
    partner, line_manager = (e for e in events if e.kind == Kind.ALERTED)
    assert (partner.detail["who"], line_manager.detail["who"]) == ("partner", "line_manager")
    assert names(partner.detail["recipients"]) == ["amina", "joseph"]
    assert names(line_manager.detail["recipients"]) == ["ravi"]
    assert events[-1].actor == ravi
    # Overdue at the planned return plus 15 minutes' grace, acknowledged 20 minutes later.
    assert events[2].at == overdue.planned_return + dt.timedelta(minutes=15)
    assert events[-1].at - events[2].at == dt.timedelta(minutes=20)


@pytest.mark.django_db
def test_the_rest_of_the_evening_is_planned_or_out(seeded):
    tomorrow = shift(TOMORROW_AREA)
    out_now = shift(OUT_NOW_AREA)
    now = timezone.now()
    assert tomorrow.state == Shift.State.PLANNED and tomorrow.planned_start > now
    assert out_now.state == Shift.State.OUT
    assert out_now.planned_start < now < out_now.planned_return
    with scopes_disabled():
        assert names(out_now.workers.values("member")) == ["dmytro", "iryna"]
    with scope(organisation=out_now.organisation_id):
        # Nothing is due yet: the loop leaves the evening alone until a return passes.
        assert escalation(now) == 0


@pytest.mark.django_db
def test_the_overdue_shift_is_handled_by_its_line_manager_and_not_by_its_workers(seeded):
    overdue = shift(OVERDUE_AREA)
    with scope(organisation=overdue.organisation_id):
        assert may_handle(member("harbourside", "ravi"), overdue)
        assert not may_handle(member("harbourside", "amina"), overdue)


@pytest.mark.django_db
def test_a_second_seed_changes_nothing(seeded):
    counts = row_counts()
    with scopes_disabled():
        versions = sorted(Shift.objects.values_list("pk", "version", "state"))

    second = demo.seed()

    assert second.changes == 0
    assert row_counts() == counts
    with scopes_disabled():
        assert sorted(Shift.objects.values_list("pk", "version", "state")) == versions
