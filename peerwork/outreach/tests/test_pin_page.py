"""The PIN page: a signed-in member sets their shift PIN and duress PIN, explained in plain
words; changing one asks for the current PIN; the page lists their shift links (issue 5
items 3 and 4)."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.outreach import pins, services
from peerwork.outreach.models import ShiftPin

from .link_story import DURESS, PIN, path_of, plan

URL = "/outreach/pin/"
PASSWORD = "correct horse battery"  # the story's (conftest.py)


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        yield story


def page(response: object) -> str:
    return unescape(response.content.decode())  # type: ignore[attr-defined]


def test_a_member_sets_a_pin_and_a_duress_pin_explained_in_plain_words(org):
    browser = signed_in(org.amina)
    text = page(browser.get(URL))
    assert "duress PIN" in text and "must be different from your PIN" in text
    assert "Your current PIN" not in text
    response = browser.post(
        URL,
        {"pin": PIN, "pin_again": PIN, "duress_pin": DURESS, "duress_pin_again": DURESS},
    )
    assert response.status_code == 302
    assert pins.check(org.amina, PIN, via="link") is pins.Checked.OK
    assert pins.check(org.amina, DURESS, via="link") is pins.Checked.DURESS
    assert "Your PIN is saved" in page(browser.get(URL))


def test_a_duress_pin_like_the_pin_is_refused_and_nothing_is_saved(org):
    browser = signed_in(org.amina)
    response = browser.post(
        URL, {"pin": PIN, "pin_again": PIN, "duress_pin": PIN, "duress_pin_again": PIN}
    )
    assert response.status_code == 200
    assert "The duress PIN must be different from your PIN." in page(response)
    assert not ShiftPin.objects.filter(member=org.amina).exists()
    # What was typed is not written back into the page.
    assert f'value="{PIN}"' not in response.content.decode()


def test_two_different_pins_typed_are_refused(org):
    browser = signed_in(org.amina)
    response = browser.post(URL, {"pin": PIN, "pin_again": "1111"})
    assert "The two PINs are not the same" in page(response)
    response = browser.post(URL, {"pin": "12", "pin_again": "12"})
    assert "A PIN is 4 to 6 digits." in page(response)
    assert not ShiftPin.objects.filter(member=org.amina).exists()


def test_changing_a_pin_asks_for_the_current_one_and_counts_a_wrong_one(org):
    pins.set_pin(actor=org.amina, pin=PIN)
    browser = signed_in(org.amina)
    assert "Your current PIN" in page(browser.get(URL))
    wrong = browser.post(URL, {"current_pin": "0000", "pin": "9753", "pin_again": "9753"})
    assert "That is not your current PIN." in page(wrong)
    assert pins.check(org.amina, PIN, via="link") is pins.Checked.OK
    refusal = AuditEvent.objects.filter(action="outreach.pin.refused").get()
    assert refusal.detail == {"via": "pin_page", "reason": "wrong_pin"}
    right = browser.post(URL, {"current_pin": PIN, "pin": "9753", "pin_again": "9753"})
    assert right.status_code == 302
    assert pins.check(org.amina, "9753", via="link") is pins.Checked.OK


def test_a_locked_pin_cannot_be_changed_until_the_lock_ends(org):
    pins.set_pin(actor=org.amina, pin=PIN)
    for _ in range(pins.MAX_FAILURES):
        pins.check(org.amina, "0000", via="link")
    browser = signed_in(org.amina)
    assert "locked" in page(browser.get(URL))
    response = browser.post(URL, {"current_pin": PIN, "pin": "9753", "pin_again": "9753"})
    assert "Your PIN is locked" in page(response)


def test_the_page_lists_the_members_shift_links_and_not_ended_or_cancelled_ones(org):
    now = timezone.now()
    tonight = plan(org, area="The market car park")
    later = plan(org, start=now + timedelta(hours=5), back=now + timedelta(hours=7), area="Dock")
    services.cancel_shift(actor=org.ravi, shift=later)
    plan(org, start=now - timedelta(days=3), back=now - timedelta(days=3) + timedelta(hours=2))
    text = page(signed_in(org.amina).get(URL))
    assert "The market car park" in text and path_of(tonight, org.amina) in text
    assert "Dock" not in text and text.count("Open the shift link") == 1
    # Joseph sees his own link to the same shift, never Amina's.
    joseph = page(signed_in(org.joseph).get(URL))
    assert path_of(tonight, org.joseph) in joseph and path_of(tonight, org.amina) not in joseph


def test_someone_not_signed_in_is_sent_to_sign_in(org):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_forgotten_pin_is_replaced_with_the_account_password_and_even_when_locked(org):
    pins.set_pin(actor=org.amina, pin=PIN)
    for _ in range(pins.MAX_FAILURES):
        pins.check(org.amina, "0000", via="link")
    browser = signed_in(org.amina)
    assert "Forgot your PIN?" in page(browser.get(URL))
    wrong = browser.post(URL, {"password": "not it", "pin": "9753", "pin_again": "9753"})
    assert "That is not your password." in page(wrong)
    assert ShiftPin.objects.get(member=org.amina).version == 1
    right = browser.post(URL, {"password": PASSWORD, "pin": "9753", "pin_again": "9753"})
    assert right.status_code == 302
    # A new PIN clears the lock.
    assert pins.check(org.amina, "9753", via="link") is pins.Checked.OK
