"""HELP and the duress PIN's silent alert, with time arranged in data (issue 5 item 4):
Amina and Joseph are out on the evening shift; Ravi is their line manager, Taslima on call
tonight, Daniel the director."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from peerwork.core.models import Notification
from peerwork.outreach import services
from peerwork.outreach.escalation import escalation
from peerwork.outreach.models import EscalationStep, OnCall, OutreachPolicy, Shift, ShiftEvent

EVENING = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
RETURN = EVENING + timedelta(hours=3)


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        OnCall.objects.create(
            organisation=story.harbourside,
            member=story.taslima,
            starts_at=EVENING - timedelta(hours=1),
            ends_at=EVENING + timedelta(hours=8),
        )
        yield story


def out_on_shift(story):
    shift = services.plan_shift(
        actor=story.ravi,
        workers=[story.amina, story.joseph],
        area="The market car park",
        planned_start=EVENING,
        planned_return=RETURN,
        now=EVENING - timedelta(hours=1),
    )
    return services.check_out(actor=story.amina, shift=shift, now=EVENING)


def told(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__user__username", flat=True)
    )


def at(minutes):
    return EVENING + timedelta(minutes=minutes)


def test_help_goes_at_once_to_the_on_call_manager_and_the_top_of_the_chain(org):
    shift = out_on_shift(org)
    shift = services.ask_for_help(actor=org.amina, shift=shift, now=at(40))
    assert shift.state == Shift.State.HELP
    # Straight away, without waiting for the loop; the partner is not the one who is told.
    assert told("outreach.help") == ["daniel", "taslima"]
    help_line = ShiftEvent.objects.get(shift=shift, kind=ShiftEvent.Kind.HELP)
    assert help_line.actor == org.amina
    assert help_line.detail == {"silent": False, "via": "app"}


def test_help_is_sent_again_until_someone_says_they_are_on_it(org):
    shift = services.ask_for_help(actor=org.amina, shift=out_on_shift(org), now=at(40))
    assert escalation(at(44)) == 0
    assert escalation(at(45)) == 1
    assert told("outreach.help") == ["daniel", "daniel", "taslima", "taslima"]
    services.acknowledge(actor=org.taslima, shift=shift, now=at(46))
    assert escalation(at(60)) == 0
    assert len(told("outreach.help")) == 4


def test_help_after_an_acknowledged_overdue_alert_needs_a_new_acknowledgement(org):
    shift = out_on_shift(org)
    escalation(RETURN + timedelta(minutes=15))
    services.acknowledge(actor=org.ravi, shift=shift, now=RETURN + timedelta(minutes=16))
    shift = services.ask_for_help(actor=org.joseph, shift=shift, now=RETURN + timedelta(minutes=20))
    assert shift.acknowledged_at is None
    assert escalation(RETURN + timedelta(minutes=25)) == 1


def test_the_top_of_a_policys_own_chain_is_told(org):
    policy = OutreachPolicy.objects.create(organisation=org.harbourside)
    EscalationStep.objects.create(
        organisation=org.harbourside, policy=policy, position=1, who="partner", channels=["sms"]
    )
    EscalationStep.objects.create(
        organisation=org.harbourside,
        policy=policy,
        position=2,
        who=EscalationStep.Who.BUDDY,
        buddy=org.samuel,
        channels=["sms"],
    )
    services.ask_for_help(actor=org.amina, shift=out_on_shift(org), now=at(40))
    assert told("outreach.help") == ["samuel", "taslima"]


def test_with_nobody_on_call_and_no_reachable_top_step_the_directors_are_told(org):
    OnCall.objects.all().delete()
    policy = OutreachPolicy.objects.create(organisation=org.harbourside)
    EscalationStep.objects.create(
        organisation=org.harbourside, policy=policy, position=1, who="partner", channels=["sms"]
    )
    services.ask_for_help(actor=org.amina, shift=out_on_shift(org), now=at(40))
    assert told("outreach.help") == ["daniel"]


def test_the_duress_pin_raises_a_silent_alert_that_the_workers_see_as_a_check_in(org):
    shift = services.ask_for_help(
        actor=org.amina, shift=out_on_shift(org), silent=True, via="link", now=at(40)
    )
    assert shift.state == Shift.State.HELP and shift.help_silent
    assert shift.state_shown_to_worker() == Shift.State.RETURNED
    assert told("outreach.duress") == ["daniel", "taslima"]
    # Nothing about it goes to the workers' own phones.
    assert not Notification.objects.filter(
        recipient__in=[org.amina, org.joseph], kind__in=["outreach.duress", "outreach.help"]
    ).exists()


def test_a_check_in_forced_after_the_duress_pin_stops_nothing(org):
    shift = services.ask_for_help(actor=org.amina, shift=out_on_shift(org), silent=True, now=at(40))
    shift = services.check_in(actor=org.amina, shift=shift, now=at(41))
    assert shift.state == Shift.State.HELP
    assert escalation(at(45)) == 1
    assert told("outreach.duress").count("taslima") == 2
    shift = services.acknowledge(actor=org.taslima, shift=shift, now=at(50))
    shift = services.close_shift(actor=org.taslima, shift=shift, incident=False, now=at(90))
    assert shift.state == Shift.State.CLOSED


def test_the_duress_pin_after_returning_still_raises_the_alert(org):
    shift = services.check_in(actor=org.amina, shift=out_on_shift(org), now=at(100))
    shift = services.ask_for_help(actor=org.amina, shift=shift, silent=True, now=at(130))
    assert shift.state == Shift.State.HELP
    assert told("outreach.duress") == ["daniel", "taslima"]


def test_help_a_day_after_the_shift_ended_is_refused(org):
    shift = services.check_in(actor=org.amina, shift=out_on_shift(org), now=at(100))
    with pytest.raises(ValidationError):
        services.ask_for_help(actor=org.amina, shift=shift, now=at(100) + timedelta(days=2))
    assert Shift.objects.get(pk=shift.pk).state == Shift.State.RETURNED


def test_only_the_shifts_workers_ask_for_help_on_it(org):
    shift = out_on_shift(org)
    with pytest.raises(PermissionDenied):
        services.ask_for_help(actor=org.olena, shift=shift, now=at(40))
    assert not Notification.objects.filter(kind="outreach.help").exists()


def test_a_second_call_for_help_changes_nothing_and_sends_nothing_more(org):
    shift = services.ask_for_help(actor=org.amina, shift=out_on_shift(org), now=at(40))
    again = services.ask_for_help(actor=org.joseph, shift=shift, now=at(41))
    assert again.version == shift.version and again.help_at == at(40)
    assert len(told("outreach.help")) == 2


def test_the_duress_pin_on_a_shift_closed_today_still_raises_the_alert(org):
    shift = out_on_shift(org)
    escalation(RETURN + timedelta(minutes=15))
    services.acknowledge(actor=org.ravi, shift=shift, now=RETURN + timedelta(minutes=16))
    shift = services.close_shift(
        actor=org.ravi, shift=shift, incident=False, now=RETURN + timedelta(minutes=30)
    )
    shift = services.ask_for_help(
        actor=org.amina, shift=shift, silent=True, now=RETURN + timedelta(hours=2)
    )
    assert shift.state == Shift.State.HELP
    assert told("outreach.duress") == ["daniel", "taslima"]


def test_a_rough_location_is_for_this_shift_only(org):
    shift = services.share_location(
        actor=org.joseph, shift=out_on_shift(org), location="near the bus depot", now=at(30)
    )
    assert shift.coarse_location == "near the bus depot"
    line = ShiftEvent.objects.get(shift=shift, kind=ShiftEvent.Kind.LOCATION)
    assert line.detail == {"shared": True}  # the timeline never holds the place
    shift = services.check_in(actor=org.amina, shift=shift, now=at(100))
    assert shift.coarse_location == ""


def test_a_location_cannot_be_shared_once_the_shift_has_ended(org):
    shift = services.check_in(actor=org.amina, shift=out_on_shift(org), now=at(100))
    with pytest.raises(ValidationError):
        services.share_location(actor=org.amina, shift=shift, location="home", now=at(101))
    with pytest.raises(ValidationError):
        services.share_location(
            actor=org.amina, shift=out_on_shift(org), location="x" * 121, now=at(30)
        )
