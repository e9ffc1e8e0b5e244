"""Shift PINs: set, checked, counted, locked, and never stored as typed (issue 5 item 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from peerwork.core.models import AuditEvent
from peerwork.outreach import pins
from peerwork.outreach.models import ShiftPin

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        yield story


def test_a_pin_and_a_duress_pin_are_told_apart(org):
    pins.set_pin(actor=org.amina, pin="2468", duress_pin="1357", now=NOW)
    assert pins.check(org.amina, "2468", via="link", now=NOW) is pins.Checked.OK
    assert pins.check(org.amina, "1357", via="link", now=NOW) is pins.Checked.DURESS
    assert pins.check(org.amina, "0000", via="link", now=NOW) is pins.Checked.WRONG


def test_a_pin_is_stored_keyed_to_its_person_and_never_as_typed(org):
    pins.set_pin(actor=org.amina, pin="2468", now=NOW)
    pins.set_pin(actor=org.joseph, pin="2468", now=NOW)
    amina, joseph = ShiftPin.objects.get(member=org.amina), ShiftPin.objects.get(member=org.joseph)
    assert "2468" not in amina.pin_hash
    assert amina.pin_hash != joseph.pin_hash
    # One person's PIN does not open another's shifts.
    assert pins.check(org.joseph, "2468", via="sms", now=NOW) is pins.Checked.OK
    pins.set_pin(actor=org.joseph, pin="9999", now=NOW)
    assert pins.check(org.joseph, "2468", via="sms", now=NOW) is pins.Checked.WRONG


@pytest.mark.parametrize(
    ("pin", "duress", "field"),
    [
        ("12", "", "pin"),
        ("12ab", "", "pin"),
        ("1234567", "", "pin"),
        ("2468", "2468", "duress_pin"),
    ],
)
def test_a_pin_that_is_not_4_to_6_digits_or_a_duress_pin_equal_to_it_is_refused(
    org, pin, duress, field
):
    with pytest.raises(ValidationError) as refused:
        pins.set_pin(actor=org.amina, pin=pin, duress_pin=duress, now=NOW)
    assert field in refused.value.message_dict
    assert not ShiftPin.objects.exists()


def test_five_wrong_pins_lock_it_for_a_while_and_each_is_audited(org):
    pins.set_pin(actor=org.amina, pin="2468", now=NOW)
    for _ in range(pins.MAX_FAILURES):
        assert pins.check(org.amina, "1111", via="sms", now=NOW) is pins.Checked.WRONG
    # Even the right PIN is refused while locked.
    assert pins.check(org.amina, "2468", via="sms", now=NOW) is pins.Checked.LOCKED
    later = NOW + pins.LOCK_FOR + timedelta(seconds=1)
    assert pins.check(org.amina, "2468", via="sms", now=later) is pins.Checked.OK
    refusals = AuditEvent.objects.filter(action="outreach.pin.refused", actor_id=org.amina.pk)
    assert refusals.count() == pins.MAX_FAILURES + 1


def test_a_right_pin_clears_the_count_of_wrong_ones(org):
    pins.set_pin(actor=org.amina, pin="2468", now=NOW)
    for _ in range(pins.MAX_FAILURES - 1):
        pins.check(org.amina, "1111", via="link", now=NOW)
    assert pins.check(org.amina, "2468", via="link", now=NOW) is pins.Checked.OK
    assert pins.check(org.amina, "1111", via="link", now=NOW) is pins.Checked.WRONG
    assert pins.check(org.amina, "2468", via="link", now=NOW) is pins.Checked.OK


def test_someone_with_no_pin_is_refused(org):
    assert pins.check(org.olena, "2468", via="sms", now=NOW) is pins.Checked.WRONG
    assert not pins.has_pin(org.olena)
