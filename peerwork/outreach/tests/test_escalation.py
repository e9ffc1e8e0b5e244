"""The escalation loop, with time arranged in data: Amina and Joseph are out on the
evening shift, Ravi is their line manager and Daniel the director."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled
from django_tasks_db.models import DBTaskResult

from peerwork.core.deadlines import DueDeliveries, registered_steps
from peerwork.core.models import Delivery, Notification, Site
from peerwork.outreach import services
from peerwork.outreach.escalation import Escalation, escalation
from peerwork.outreach.models import EscalationStep, OnCall, OutreachPolicy, Shift, ShiftEvent

EVENING = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
RETURN = EVENING + timedelta(hours=3)
# The default policy: 15 minutes of grace, each step waits 15, missing an hour after.
DEADLINE = RETURN + timedelta(minutes=15)


def minutes(n: int) -> datetime:
    return DEADLINE + timedelta(minutes=n)


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        yield story


def out_on_shift(story, *, planned_return=RETURN, site=None, workers=None):
    shift = services.plan_shift(
        actor=story.ravi,
        workers=workers or [story.amina, story.joseph],
        area="The station underpass",
        planned_start=EVENING,
        planned_return=planned_return,
        site=site,
        now=EVENING - timedelta(hours=1),
    )
    return services.check_out(actor=story.amina, shift=shift, now=EVENING)


def alerted_names(kind="outreach.overdue"):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__user__username", flat=True)
    )


def state(shift):
    shift.refresh_from_db()
    return shift.state


def test_the_loop_is_registered_with_the_deadline_runner():
    assert escalation in registered_steps()


def test_a_shift_is_overdue_after_its_return_plus_grace_and_not_before(org):
    shift = out_on_shift(org)
    assert escalation(DEADLINE - timedelta(seconds=1)) == 0
    assert state(shift) == Shift.State.OUT
    assert not Notification.objects.exclude(kind="outreach.shift_planned").exists()
    assert escalation(DEADLINE) == 1
    assert state(shift) == Shift.State.OVERDUE
    assert alerted_names() == ["amina", "joseph"]
    kinds = list(ShiftEvent.objects.filter(shift=shift).values_list("kind", flat=True))
    assert kinds[-2:] == [ShiftEvent.Kind.OVERDUE, ShiftEvent.Kind.ALERTED]


def test_each_step_comes_in_order_after_its_wait_then_the_worker_counts_as_missing(org):
    shift = out_on_shift(org)
    OnCall.objects.create(
        organisation=org.harbourside, member=org.taslima, starts_at=EVENING, ends_at=minutes(240)
    )
    escalation(DEADLINE)
    assert escalation(minutes(14)) == 0
    escalation(minutes(15))
    assert alerted_names() == ["amina", "joseph", "ravi"]
    escalation(minutes(30))
    assert alerted_names() == ["amina", "joseph", "ravi", "taslima"]
    escalation(minutes(45))
    assert alerted_names() == ["amina", "daniel", "joseph", "ravi", "taslima"]
    assert state(shift) == Shift.State.OVERDUE
    escalation(minutes(60))
    assert state(shift) == Shift.State.MISSING
    # Everyone alerted so far hears once that the worker now counts as missing.
    assert alerted_names("outreach.missing") == ["amina", "daniel", "joseph", "ravi", "taslima"]
    # Until someone acknowledges, the last step's people are alerted again at its wait.
    assert escalation(minutes(74)) == 0
    escalation(minutes(75))
    assert alerted_names("outreach.missing").count("daniel") == 2
    steps = [
        e.detail["step"]
        for e in ShiftEvent.objects.filter(shift=shift, kind=ShiftEvent.Kind.ALERTED)
    ]
    assert steps == [1, 2, 3, 4, 4, 4]


def test_a_step_that_finds_nobody_moves_on_at_once(org):
    out_on_shift(org)
    escalation(DEADLINE)
    escalation(minutes(15))
    # Nobody is on call: the director's step is due straight away.
    escalation(minutes(30))
    escalation(minutes(30))
    assert "daniel" in alerted_names()


def test_a_policys_own_chain_and_waits_are_followed(org):
    policy = OutreachPolicy.objects.create(organisation=org.harbourside, grace_minutes=5)
    EscalationStep.objects.create(
        organisation=org.harbourside,
        policy=policy,
        position=1,
        who=EscalationStep.Who.BUDDY,
        buddy=org.samuel,
        channels=["sms"],
        wait_minutes=5,
    )
    EscalationStep.objects.create(
        organisation=org.harbourside,
        policy=policy,
        position=2,
        who=EscalationStep.Who.DIRECTOR,
        channels=["email"],
        wait_minutes=10,
    )
    out_on_shift(org)
    escalation(RETURN + timedelta(minutes=5))
    assert alerted_names() == ["samuel"]
    assert escalation(RETURN + timedelta(minutes=9)) == 0
    escalation(RETURN + timedelta(minutes=10))
    assert alerted_names() == ["daniel", "samuel"]
    event = ShiftEvent.objects.filter(kind=ShiftEvent.Kind.ALERTED).order_by("at", "seq").last()
    assert event.detail["channels"] == ["email"]
    # Each step reaches people the way the policy says, whatever their everyday choice.
    sent = sorted(
        Delivery.objects.filter(notification__kind="outreach.overdue").values_list(
            "notification__recipient__user__username", "channel"
        )
    )
    assert sent == [("daniel", "email"), ("samuel", "sms")]


def test_an_acknowledgement_stops_the_chain(org):
    shift = out_on_shift(org)
    escalation(DEADLINE)
    services.acknowledge(actor=org.ravi, shift=shift, now=minutes(5))
    for later in (15, 30, 45, 60, 120):
        assert escalation(minutes(later)) == 0
    assert alerted_names() == ["amina", "joseph"]
    assert state(shift) == Shift.State.OVERDUE


def test_a_check_in_after_alerting_tells_everyone_alerted_and_stops_the_loop(org):
    shift = out_on_shift(org)
    escalation(DEADLINE)
    escalation(minutes(15))
    services.check_in(actor=org.amina, shift=shift, now=minutes(20))
    assert alerted_names("outreach.back") == ["joseph", "ravi"]
    assert escalation(minutes(30)) == 0
    assert alerted_names() == ["amina", "joseph", "ravi"]
    assert state(shift) == Shift.State.RETURNED


def test_extending_before_the_deadline_moves_the_first_alert(org):
    shift = out_on_shift(org)
    services.extend(actor=org.joseph, shift=shift, minutes=30, now=RETURN - timedelta(minutes=10))
    assert escalation(DEADLINE) == 0
    assert escalation(minutes(30)) == 1
    assert alerted_names() == ["amina", "joseph"]


def test_two_loops_at_once_send_each_step_once(org):
    out_on_shift(org)
    first, second = Escalation(), Escalation()
    seen_by_first, seen_by_second = first.due(DEADLINE), second.due(DEADLINE)
    assert seen_by_first == seen_by_second
    assert [first.claim(item, DEADLINE) for item in seen_by_first] == [True]
    assert [second.claim(item, DEADLINE) for item in seen_by_second] == [False]
    assert second(DEADLINE) == 0
    assert alerted_names() == ["amina", "joseph"]
    assert ShiftEvent.objects.filter(kind=ShiftEvent.Kind.ALERTED).count() == 1


def test_a_loop_killed_after_claiming_still_leaves_the_alerts_to_be_delivered(org):
    out_on_shift(org)
    loop = Escalation()
    (item,) = loop.due(DEADLINE)
    assert loop.claim(item, DEADLINE)  # and the loop dies before anything else
    deliveries = Delivery.objects.filter(notification__kind="outreach.overdue")
    assert deliveries.count() == 4  # two people, email and SMS each
    assert set(deliveries.values_list("state", flat=True)) == {Delivery.State.PENDING}
    due = {d for d, _org in DueDeliveries().due(DEADLINE + Delivery.lease())}
    assert set(deliveries.values_list("pk", flat=True)) <= due


class DiesAfterClaiming(Escalation):
    """A loop killed (``kill -9``) the moment its claim committed."""

    def act(self, item, now):
        raise KeyboardInterrupt


@pytest.mark.django_db(transaction=True)
def test_a_loop_that_dies_after_its_claim_committed_has_queued_the_alerts_already(story):
    with scope(organisation=story.harbourside.pk):
        out_on_shift(story)
    with pytest.raises(KeyboardInterrupt):
        DiesAfterClaiming()(DEADLINE)
    with scope(organisation=story.harbourside.pk):
        delivery_ids = {
            str(pk)
            for pk in Delivery.objects.filter(notification__kind="outreach.overdue").values_list(
                "pk", flat=True
            )
        }
    assert len(delivery_ids) == 4  # two people, email and SMS each
    # Their sends were queued when the claim committed ...
    queued = {
        row.args_kwargs["args"][0]
        for row in DBTaskResult.objects.filter(task_path="peerwork.core.tasks.deliver")
    }
    assert delivery_ids <= queued
    # ... and another loop does not take the step again.
    assert Escalation()(DEADLINE) == 0


def test_a_broken_shift_is_set_aside_and_the_next_one_is_still_watched(org):
    market = Site.objects.create(organisation=org.harbourside, name="Night market")
    policy = OutreachPolicy.objects.create(organisation=org.harbourside, site=market)
    step = EscalationStep.objects.create(
        organisation=org.harbourside, policy=policy, position=1, who="partner", channels=[]
    )
    EscalationStep.objects.filter(pk=step.pk).update(who="nobody-known")
    broken = out_on_shift(org, site=market, planned_return=RETURN - timedelta(minutes=5))
    fine = out_on_shift(org)
    assert escalation(DEADLINE) == 1
    broken.refresh_from_db()
    assert broken.escalation_due_at is None
    assert broken.events.filter(kind=ShiftEvent.Kind.SET_ASIDE).exists()
    assert state(fine) == Shift.State.OVERDUE
    assert alerted_names() == ["amina", "joseph"]
    assert escalation(minutes(120)) == 1  # the fine one's next step; the broken one rests


def test_the_queries_of_a_batch_grow_by_the_same_amount_for_each_shift(org):
    out_on_shift(org, planned_return=RETURN - timedelta(minutes=5))
    for _n in range(3):
        out_on_shift(org)
    with scopes_disabled(), CaptureQueriesContext(connection) as one:
        assert escalation(DEADLINE - timedelta(minutes=5)) == 1
    with scopes_disabled(), CaptureQueriesContext(connection) as three:
        assert escalation(DEADLINE) == 3
    per_shift = len(one) - 1  # the one query that finds the due shifts
    assert len(three) == 1 + 3 * per_shift
