"""One tap on the shift link: check out, extend, "I'm OK", a rough location, HELP and
check in, each through the shift services as the link's worker; a tap the shift no longer
allows changes nothing and says why (issue 5 items 3 and 4)."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Notification
from peerwork.outreach import services
from peerwork.outreach.models import Shift, ShiftEvent

from .link_story import on_call, opened, plan, tap, with_pins


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        with_pins(story)
        on_call(story)
        yield story


def fresh(shift: Shift) -> Shift:
    return Shift.objects.get(pk=shift.pk)


def page_of(response: object) -> str:
    return unescape(response.content.decode())  # type: ignore[attr-defined]


def test_one_tap_checks_the_worker_out_and_the_page_says_so(org):
    shift = plan(org)
    phone, path = opened(shift, org.amina)
    page = page_of(tap(phone, path, "out"))
    assert "You are checked out" in page and "Check in: I am back" in page
    shift = fresh(shift)
    assert shift.state == Shift.State.OUT and shift.escalation_due_at is not None
    line = ShiftEvent.objects.get(shift=shift, kind=ShiftEvent.Kind.CHECKED_OUT)
    assert line.actor == org.amina


def test_the_planned_return_shows_in_the_organisations_time_zone(org):
    shift = plan(org)
    phone, path = opened(shift, org.amina)
    nairobi = timezone.localtime(shift.planned_return, timezone.get_fixed_timezone(180))
    assert nairobi.strftime("%H:%M") in page_of(phone.get(path))


def test_extending_before_the_return_time_moves_it_later(org):
    shift = plan(org)
    services.check_out(actor=org.amina, shift=shift)
    phone, path = opened(shift, org.amina)
    page = page_of(tap(phone, path, "extend", minutes="30"))
    assert "Your return time is extended" in page
    assert fresh(shift).planned_return == shift.planned_return + timedelta(minutes=30)


def test_a_return_time_that_has_passed_is_not_extended_and_the_page_says_why(org):
    now = timezone.now()
    shift = plan(org, start=now - timedelta(hours=3), back=now - timedelta(minutes=5))
    services.check_out(actor=org.amina, shift=shift, now=now - timedelta(hours=2))
    phone, path = opened(shift, org.amina)
    assert "Move your return time later" not in page_of(phone.get(path))
    before = fresh(shift)
    response = phone.post(path, {"do": "extend", "minutes": "30"})
    assert response.status_code == 200
    assert "The return time has passed" in page_of(response)
    assert fresh(shift).version == before.version


def test_an_extension_of_a_made_up_length_is_refused_with_the_range(org):
    shift = plan(org)
    services.check_out(actor=org.amina, shift=shift)
    phone, path = opened(shift, org.amina)
    assert "Extend by 5 to 240 minutes" in page_of(phone.post(path, {"do": "extend"}))
    assert "Extend by 5 to 240 minutes" in page_of(
        phone.post(path, {"do": "extend", "minutes": "9999"})
    )
    assert fresh(shift).planned_return == shift.planned_return


def test_im_ok_goes_on_the_timeline_and_changes_nothing_else(org):
    shift = plan(org)
    services.check_out(actor=org.amina, shift=shift)
    phone, path = opened(shift, org.amina)
    assert "your “I'm OK” is on the shift's record" in page_of(tap(phone, path, "ok"))
    assert ShiftEvent.objects.filter(shift=shift, kind=ShiftEvent.Kind.OK).count() == 1
    assert fresh(shift).state == Shift.State.OUT


def test_one_tap_checks_the_worker_in(org):
    shift = plan(org)
    services.check_out(actor=org.amina, shift=shift)
    phone, path = opened(shift, org.amina)
    page = page_of(tap(phone, path, "in"))
    assert "You are checked in" in page and "Returned" in page
    assert "Check in: I am back" not in page
    assert fresh(shift).state == Shift.State.RETURNED


def test_a_check_in_for_a_closed_shift_changes_nothing_and_says_why(org):
    shift = plan(org)
    services.check_out(actor=org.amina, shift=shift)
    phone, path = opened(shift, org.amina)
    services.ask_for_help(actor=org.joseph, shift=shift)
    services.close_shift(actor=org.daniel, shift=fresh(shift), incident=False)
    before = fresh(shift)
    response = phone.post(path, {"do": "in"})
    assert response.status_code == 200
    assert "This shift is not out: there is nothing to check in." in page_of(response)
    assert fresh(shift).version == before.version and fresh(shift).state == Shift.State.CLOSED


def test_a_rough_location_is_shared_and_taken_back_in_words(org):
    shift = plan(org)
    services.check_out(actor=org.amina, shift=shift)
    phone, path = opened(shift, org.amina)
    page = page_of(tap(phone, path, "location", location="Behind the bus station"))
    assert "shared for this shift only" in page and "Behind the bus station" in page
    assert fresh(shift).coarse_location == "Behind the bus station"
    assert "taken back" in page_of(tap(phone, path, "location", location=""))
    assert fresh(shift).coarse_location == ""
    too_long = page_of(phone.post(path, {"do": "location", "location": "x" * 200}))
    assert "Describe the place in fewer words" in too_long


def test_help_is_one_tap_and_reaches_the_on_call_manager_and_the_director_at_once(org):
    shift = plan(org)
    services.check_out(actor=org.amina, shift=shift)
    phone, path = opened(shift, org.amina)
    page = page_of(tap(phone, path, "help"))
    assert "Help is on its way" in page and "Help asked for" in page
    shift = fresh(shift)
    assert shift.state == Shift.State.HELP and not shift.help_silent
    told = Notification.objects.filter(kind="outreach.help")
    assert sorted(n.recipient.user.username for n in told) == ["daniel", "taslima"]
    line = ShiftEvent.objects.get(shift=shift, kind=ShiftEvent.Kind.HELP)
    assert line.detail == {"silent": False, "via": "link"}


def test_a_button_the_shift_does_not_offer_now_changes_nothing_and_says_why(org):
    shift = plan(org)
    phone, path = opened(shift, org.amina)
    before = fresh(shift)
    assert "only for a shift that is out" in page_of(phone.post(path, {"do": "ok"}))
    assert "only while you are out" in page_of(phone.post(path, {"do": "extend"}))
    assert "Choose one of the buttons" in page_of(phone.post(path, {"do": "delete"}))
    assert fresh(shift).version == before.version


def test_a_tap_without_the_pin_only_asks_for_the_pin(org):
    shift = plan(org)
    phone, path = opened(shift, org.amina)
    other = type(phone)()
    page = page_of(other.post(path, {"do": "out"}))
    assert "Type your PIN" in page
    assert fresh(shift).state == Shift.State.PLANNED


def test_closing_the_page_asks_for_the_pin_again(org):
    shift = plan(org)
    phone, path = opened(shift, org.amina)
    assert "Type your PIN" in page_of(tap(phone, path, "lock"))


def test_the_page_shows_the_field_guidelines_and_whom_to_call(org):
    org.ravi.work_phone = "+254 700 000 111"
    org.ravi.save(update_fields=["work_phone"])
    shift = plan(org)
    phone, path = opened(shift, org.amina)
    page = page_of(phone.get(path))
    assert "Carry your picture ID" in page
    assert 'href="tel:+254 700 000 111"' in page
