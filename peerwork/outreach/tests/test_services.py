"""Outreach shift services: planning, the worker's actions and the chain's, with time
arranged in data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from peerwork.core.models import AuditEvent, Notification
from peerwork.outreach import services
from peerwork.outreach.models import EscalationStep, OutreachPolicy, Shift, ShiftEvent

EVENING = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
BEFORE = EVENING - timedelta(hours=2)


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        yield story


def evening_shift(story, **kw):
    values = {
        "actor": story.ravi,
        "workers": [story.amina, story.joseph],
        "area": "The station underpass",
        "materials": "Needles, naloxone",
        "planned_start": EVENING,
        "planned_return": EVENING + timedelta(hours=3),
        "now": BEFORE,
    }
    values.update(kw)
    return services.plan_shift(**values)


def kinds_of(shift):
    return list(
        ShiftEvent.objects.filter(shift=shift).order_by("at", "seq").values_list("kind", flat=True)
    )


def test_a_planned_shift_has_its_pair_its_area_and_a_timeline(org):
    shift = evening_shift(org)
    assert shift.state == Shift.State.PLANNED
    assert {w.member_id for w in shift.workers.all()} == {org.amina.pk, org.joseph.pk}
    assert shift.area == "The station underpass"
    assert kinds_of(shift) == [ShiftEvent.Kind.PLANNED]
    assert AuditEvent.objects.filter(action="outreach.shift.plan", object_id=str(shift.pk)).exists()


def test_pairs_are_required_unless_the_policy_says_otherwise(org):
    with pytest.raises(ValidationError, match="pairs"):
        evening_shift(org, workers=[org.amina])
    assert not Shift.objects.exists()
    OutreachPolicy.objects.create(organisation=org.harbourside, pairs_required=False)
    assert evening_shift(org, workers=[org.amina]).workers.count() == 1


def test_a_worker_site_or_team_of_another_organisation_is_refused(org):
    with pytest.raises(ValidationError, match="workers from your organisation"):
        evening_shift(org, workers=[org.amina, org.taras])
    with pytest.raises(ValidationError) as refused:
        evening_shift(org, site=org.other_site, team=org.other_team)
    assert set(refused.value.message_dict) == {"site", "team"}
    assert not Shift.objects.exists()


def test_a_return_before_the_start_or_in_the_past_is_refused_and_nothing_is_saved(org):
    with pytest.raises(ValidationError, match="after the planned start"):
        evening_shift(org, planned_return=EVENING - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="already passed"):
        evening_shift(org, now=EVENING + timedelta(hours=4))
    with pytest.raises(ValidationError, match="in words"):
        evening_shift(org, area="   ")
    assert not Shift.objects.exists()


def test_a_site_policy_comes_before_the_organisations_and_the_defaults_come_last(org):
    assert services.policy_for(organisation_id=org.harbourside.pk)._state.adding
    mine = OutreachPolicy.objects.create(organisation=org.harbourside, grace_minutes=20)
    site = OutreachPolicy.objects.create(
        organisation=org.harbourside, site=org.site, grace_minutes=5
    )
    assert services.policy_for(organisation_id=org.harbourside.pk) == mine
    assert services.policy_for(organisation_id=org.harbourside.pk, site_id=org.site.pk) == site


def test_a_policy_without_steps_alerts_the_partner_then_up_the_line(org):
    steps = services.steps_for(services.policy_for(organisation_id=org.harbourside.pk))
    assert [s.who for s in steps] == ["partner", "line_manager", "on_call", "director"]


def test_checking_out_watches_the_shift_from_its_return_plus_grace(org):
    shift = services.check_out(actor=org.amina, shift=evening_shift(org), now=EVENING)
    assert shift.state == Shift.State.OUT
    assert shift.escalation_due_at == EVENING + timedelta(hours=3, minutes=15)


def test_only_a_worker_on_the_shift_checks_out(org):
    with pytest.raises(PermissionDenied):
        services.check_out(actor=org.grace, shift=evening_shift(org), now=EVENING)


def test_extending_before_the_return_moves_the_deadline_and_after_it_is_refused(org):
    shift = services.check_out(actor=org.amina, shift=evening_shift(org), now=EVENING)
    shift = services.extend(
        actor=org.joseph, shift=shift, minutes=30, now=EVENING + timedelta(hours=2, minutes=50)
    )
    assert shift.planned_return == EVENING + timedelta(hours=3, minutes=30)
    assert shift.escalation_due_at == EVENING + timedelta(hours=3, minutes=45)
    late = EVENING + timedelta(hours=3, minutes=31)
    with pytest.raises(ValidationError, match="has passed"):
        services.extend(actor=org.amina, shift=shift, minutes=30, now=late)
    shift.refresh_from_db()
    assert shift.planned_return == EVENING + timedelta(hours=3, minutes=30)


@pytest.mark.parametrize("minutes", [0, 4, 241])
def test_an_extension_is_between_five_minutes_and_four_hours(org, minutes):
    shift = services.check_out(actor=org.amina, shift=evening_shift(org), now=EVENING)
    with pytest.raises(ValidationError, match="5 to 240"):
        services.extend(actor=org.amina, shift=shift, minutes=minutes, now=EVENING)


def test_im_ok_is_a_line_on_the_timeline_and_changes_nothing_else(org):
    shift = services.check_out(actor=org.amina, shift=evening_shift(org), now=EVENING)
    services.im_ok(actor=org.amina, shift=shift, now=EVENING + timedelta(hours=1))
    shift.refresh_from_db()
    assert shift.state == Shift.State.OUT
    assert kinds_of(shift)[-1] == ShiftEvent.Kind.OK


def test_checking_in_ends_the_watch(org):
    shift = services.check_out(actor=org.amina, shift=evening_shift(org), now=EVENING)
    shift = services.check_in(actor=org.joseph, shift=shift, now=EVENING + timedelta(hours=2))
    assert shift.state == Shift.State.RETURNED
    assert shift.escalation_due_at is None
    assert not Notification.objects.filter(kind="outreach.back").exists()


def test_a_check_in_for_a_closed_or_returned_shift_is_refused_and_changes_nothing(org):
    shift = services.check_out(actor=org.amina, shift=evening_shift(org), now=EVENING)
    shift = services.check_in(actor=org.amina, shift=shift, now=EVENING + timedelta(hours=2))
    version = shift.version
    with pytest.raises(ValidationError, match="nothing to check in"):
        services.check_in(actor=org.amina, shift=shift, now=EVENING + timedelta(hours=3))
    shift.refresh_from_db()
    assert shift.version == version
    assert kinds_of(shift).count(ShiftEvent.Kind.CHECKED_IN) == 1


def test_two_people_acting_at_once_never_both_win(org):
    shift = evening_shift(org)
    seen_by_joseph = Shift.objects.get(pk=shift.pk)
    services.check_out(actor=org.amina, shift=shift, now=EVENING)
    with pytest.raises(ValidationError, match="not waiting to start"):
        services.check_out(actor=org.joseph, shift=seen_by_joseph, now=EVENING)
    assert kinds_of(shift).count(ShiftEvent.Kind.CHECKED_OUT) == 1


def test_only_a_planned_shift_is_cancelled(org):
    shift = services.cancel_shift(actor=org.ravi, shift=evening_shift(org), now=BEFORE)
    assert shift.state == Shift.State.CANCELLED
    other = services.check_out(actor=org.amina, shift=evening_shift(org), now=EVENING)
    with pytest.raises(ValidationError, match="not started"):
        services.cancel_shift(actor=org.amina, shift=other, now=EVENING)


def test_a_shift_that_is_only_out_needs_no_acknowledgement_and_cannot_be_closed(org):
    shift = services.check_out(actor=org.amina, shift=evening_shift(org), now=EVENING)
    with pytest.raises(ValidationError, match="does not need anyone"):
        services.acknowledge(actor=org.ravi, shift=shift, now=EVENING)
    with pytest.raises(ValidationError, match="overdue or missing"):
        services.close_shift(actor=org.ravi, shift=shift, incident=False, now=EVENING)


def test_an_overdue_shift_is_acknowledged_once_then_closed_with_or_without_an_incident(org):
    shift = services.check_out(actor=org.amina, shift=evening_shift(org), now=EVENING)
    Shift.objects.filter(pk=shift.pk).update(state=Shift.State.OVERDUE)
    later = EVENING + timedelta(hours=4)
    shift = services.acknowledge(actor=org.ravi, shift=shift, now=later)
    assert shift.acknowledged_by == org.ravi
    assert shift.escalation_due_at is None
    with pytest.raises(ValidationError, match="already on it"):
        services.acknowledge(actor=org.daniel, shift=shift, now=later)
    shift = services.close_shift(actor=org.ravi, shift=shift, incident=True, now=later)
    assert shift.state == Shift.State.CLOSED
    closed = ShiftEvent.objects.get(shift=shift, kind=ShiftEvent.Kind.CLOSED)
    assert closed.detail == {"incident": True}


def test_someone_neither_alerted_nor_managing_the_workers_cannot_say_im_on_it(org):
    shift = services.check_out(actor=org.amina, shift=evening_shift(org), now=EVENING)
    Shift.objects.filter(pk=shift.pk).update(state=Shift.State.OVERDUE)
    with pytest.raises(PermissionDenied):
        services.acknowledge(actor=org.grace, shift=shift, now=EVENING + timedelta(hours=4))


def test_a_buddy_step_names_its_buddy(org):
    policy = OutreachPolicy.objects.create(organisation=org.harbourside)
    EscalationStep.objects.create(
        organisation=org.harbourside,
        policy=policy,
        position=1,
        who=EscalationStep.Who.BUDDY,
        buddy=org.samuel,
        channels=["sms", "nonsense"],
        wait_minutes=10,
    )
    (step,) = services.steps_for(policy)
    assert (step.who, step.buddy_id, step.channels) == ("buddy", org.samuel.pk, ("sms",))
    assert step.wait == timedelta(minutes=10)
