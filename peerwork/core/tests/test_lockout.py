"""Lockout (peerwork.core.lockout, django-axes): five failures lock one account from one
address for 15 minutes, on every way in; the client's address behind proxies."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import RequestFactory

from peerwork.core.lockout import account_key, client_address
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.core.tests.signing_in import (
    LOGIN,
    PASSWORD,
    TWO_STEP,
    enter_code,
    sign_in,
    totp_code,
)

HERE = "203.0.113.5"
ELSEWHERE = "198.51.100.23"
LOCKED = "Signing in to this account from here is paused for 15 minutes"


pytestmark = pytest.mark.usefixtures("fresh_limits")


def fail(client, login, times, address=HERE):
    return [sign_in(client, login, "not the password", REMOTE_ADDR=address) for _ in range(times)]


def is_locked_page(response) -> bool:
    return response.status_code == 429 and LOCKED in response.content.decode()


def signed_in_as(client, name) -> bool:
    return f"Hello, {name}" in client.get("/").content.decode()


# --- the pair of account and address --------------------------------------------------


def test_four_failures_say_the_password_is_wrong_and_the_fifth_locks(client, story):
    for response in fail(client, "amina", 4):
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
    fifth = fail(client, "amina", 1)[0]
    html = assert_sound_page(fifth)
    assert is_locked_page(fifth)
    assert "amina" not in html  # nothing typed is repeated


def test_after_five_failures_even_the_right_password_is_refused_from_that_address(client, story):
    fail(client, "amina", 5)
    response = sign_in(client, "amina", REMOTE_ADDR=HERE)
    assert is_locked_page(response)
    assert not signed_in_as(client, "Amina Wanjiru")


def test_the_same_account_from_another_address_still_signs_in(client, story):
    fail(client, "amina", 5)
    response = sign_in(client, "amina", REMOTE_ADDR=ELSEWHERE)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client, "Amina Wanjiru")


def test_another_account_from_the_same_address_is_not_locked(client, story):
    fail(client, "amina", 5)
    response = sign_in(client, "olena", REMOTE_ADDR=HERE)
    assert response.status_code == 302
    assert signed_in_as(client, "Olena Petrenko")


def test_username_and_email_in_any_case_count_toward_one_lock(client, story):
    fail(client, "amina", 2)
    fail(client, "AMINA@example.org", 2)
    fail(client, "Amina", 1)
    assert is_locked_page(sign_in(client, "amina@example.org", REMOTE_ADDR=HERE))
    assert is_locked_page(sign_in(client, "amina", REMOTE_ADDR=HERE))
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"amina"}


def test_the_lock_lasts_15_minutes_and_a_try_meanwhile_does_not_extend_it(client, story):
    fail(client, "amina", 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert is_locked_page(sign_in(client, "amina", REMOTE_ADDR=HERE))
    assert is_locked_page(fail(client, "amina", 1)[0])
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=1, seconds=1))
    response = sign_in(client, "amina", REMOTE_ADDR=HERE)
    assert response.status_code == 302 and signed_in_as(client, "Amina Wanjiru")


def test_failures_older_than_15_minutes_do_not_add_up(client, story):
    fail(client, "amina", 4)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    fail(client, "amina", 1)
    assert sign_in(client, "amina", REMOTE_ADDR=HERE).status_code == 302


def test_signing_in_clears_the_failures_before_it(client, story):
    fail(client, "amina", 4)
    assert sign_in(client, "amina", REMOTE_ADDR=HERE).status_code == 302
    client.logout()
    assert fail(client, "amina", 4)[-1].status_code == 200  # counting from zero again


# --- nothing about who has an account -------------------------------------------------


def _comparable(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_a_locked_unknown_username_looks_the_same_as_a_locked_real_one(client, story):
    real = fail(client, "amina", 5)[-1]
    unknown = fail(client, "nobody-here", 5)[-1]
    assert is_locked_page(real) and is_locked_page(unknown)
    assert _comparable(real.content.decode()) == _comparable(unknown.content.decode())


def test_the_locked_page_is_in_the_language_the_browser_asks_for(client, story):
    response = fail(client, "amina", 5)[-1]
    assert '<html lang="en">' in response.content.decode()
    ru = sign_in(client, "amina", REMOTE_ADDR=HERE, HTTP_ACCEPT_LANGUAGE="ru")
    assert ru.status_code == 429 and '<html lang="ru">' in ru.content.decode()


# --- every way in ---------------------------------------------------------------------


def test_wrong_two_step_codes_count_toward_the_same_lock_and_then_a_right_code_is_refused(
    client, story, clock
):
    fail(client, "ravi", 2)
    assert sign_in(client, "ravi", REMOTE_ADDR=HERE)["Location"] == TWO_STEP
    right = totp_code(story.ravi.user)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(2):
        response = enter_code(client, wrong, REMOTE_ADDR=HERE)
        assert response.status_code == 200 and "That code did not work" in response.content.decode()
    assert is_locked_page(enter_code(client, wrong, REMOTE_ADDR=HERE))
    assert is_locked_page(enter_code(client, right, REMOTE_ADDR=HERE))
    assert not signed_in_as(client, "Ravi Shah")
    assert AccessAttempt.objects.get().failures_since_start == 5


def test_the_operators_sign_in_for_the_admin_is_the_same_form_under_the_same_lock(client, story):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("operator", "operator@example.org", PASSWORD)
    to_admin = client.get("/operator/", follow=True)
    assert to_admin.redirect_chain[-1][0] == f"{LOGIN}?next=%2Foperator%2F"
    fail(client, "operator", 5)
    assert is_locked_page(sign_in(client, "operator", REMOTE_ADDR=HERE))


# --- the client's address -------------------------------------------------------------


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "", HERE),
        (0, "192.0.2.1", HERE),  # nothing in front: the header is the client's own words
        (1, "", HERE),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "10.9.9.9, 192.0.2.1", "192.0.2.1"),  # the left entry was typed by the client
        (2, "10.9.9.9, 192.0.2.1, 172.16.0.4", "192.0.2.1"),
        (2, "192.0.2.1", "192.0.2.1"),  # fewer entries than hops: all written by our proxies
        (1, "192.0.2.1:51234", "192.0.2.1"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "not-an-address", HERE),
    ],
)
def test_the_client_address_is_the_hops_th_entry_from_the_right(
    settings, hops, forwarded, expected
):
    settings.PEERWORK_TRUSTED_PROXY_HOPS = hops
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=HERE, **headers)
    assert client_address(request) == expected


def test_behind_a_proxy_the_lock_follows_the_forwarded_address(client, story, settings):
    settings.PEERWORK_TRUSTED_PROXY_HOPS = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for spoofed in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        # A client changing what it writes at the left does not escape the count.
        sign_in(client, "amina", "wrong", HTTP_X_FORWARDED_FOR=f"{spoofed}, {HERE}", **proxy)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HERE}
    locked = sign_in(client, "amina", HTTP_X_FORWARDED_FOR=HERE, **proxy)
    assert is_locked_page(locked)
    # Another client behind the same proxy is another address.
    other = sign_in(client, "amina", HTTP_X_FORWARDED_FOR=ELSEWHERE, **proxy)
    assert other.status_code == 302


# --- allauth's limits sit behind axes -------------------------------------------------


def test_allauths_own_limits_are_keyed_and_looser_than_the_lockout():
    def amounts(rates: str) -> dict[str, int]:
        return {rate.split("/")[2]: int(rate.split("/")[0]) for rate in rates.split(",")}

    failed = amounts(settings.ACCOUNT_RATE_LIMITS["login_failed"])
    assert failed["key"] > settings.AXES_FAILURE_LIMIT
    assert failed["ip"] > settings.AXES_FAILURE_LIMIT


def test_the_lockout_key_is_the_accounts_username_or_what_was_typed(story):
    assert account_key(None, {"username": "AMINA@Example.org"}) == "amina"
    assert account_key(None, {"username": "Ravi"}) == "ravi"
    assert account_key(None, {"username": " Nobody@Example.org "}) == "nobody@example.org"
    request = RequestFactory().post("/accounts/login/", {"login": "olena@example.org"})
    assert account_key(request, None) == "olena"
    assert account_key(None, {}) == ""
