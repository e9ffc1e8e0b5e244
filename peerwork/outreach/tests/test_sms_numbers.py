"""The SMS number settings page (``/outreach/sms/``, issue 5 item 3): Chen, the org admin,
adds numbers, reads the webhook address to paste into the gateway, makes a new secret and
switches a number off. Everyone else gets 404; another organisation's number is 404."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.core.mfa import enrol_totp, mfa_required
from peerwork.core.models import AuditEvent, Role
from peerwork.core.services import add_member
from peerwork.outreach.models import SmsNumber
from peerwork.outreach.sms_views import add_number

PAGE = "/outreach/sms/"
BASE = "https://peerwork.example.org"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.PEERWORK_BASE_URL = BASE


def numbers() -> list[SmsNumber]:
    with scopes_disabled():
        return list(SmsNumber.objects.order_by("created_at"))


def test_the_page_answers_the_org_admin_and_nobody_else(story):
    assert reverse("outreach:sms_numbers") == PAGE
    assert signed_in(story.chen).get(PAGE).status_code == 200
    for name in ("amina", "ravi", "daniel", "grace", "leila", "peter"):
        assert signed_in(getattr(story, name)).get(PAGE).status_code == 404, name
    assert signed_in(story.taras).get(PAGE).status_code == 404


def test_adding_an_africas_talking_number_shows_its_webhook_address_with_the_key_once(story):
    chen = signed_in(story.chen)
    response = chen.post(PAGE, {"number": "+254 711 000 000", "gateway": "africastalking"})
    assert response.status_code == 200
    [number] = numbers()
    assert (number.number, number.gateway, number.is_active) == (
        "+254711000000",
        "africastalking",
        True,
    )
    page = response.content.decode()
    assert f"{BASE}/outreach/sms/in/{number.pk}/?key={number.secret}" in page
    # Shown once: the next visit has the address without the key.
    again = chen.get(PAGE).content.decode()
    assert f"{BASE}/outreach/sms/in/{number.pk}/" in again and str(number.secret) not in again
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="outreach.sms_number.add").count() == 1


def test_a_twilio_number_needs_the_auth_token_and_never_shows_it(story):
    chen = signed_in(story.chen)
    refused = chen.post(PAGE, {"number": "+15005550006", "gateway": "twilio"})
    assert refused.status_code == 400 and numbers() == []
    assert "+15005550006" in refused.content.decode()  # what was typed is kept
    done = chen.post(
        PAGE, {"number": "+15005550006", "gateway": "twilio", "auth_token": "the-auth-token"}
    )
    assert done.status_code == 200 and "the-auth-token" not in done.content.decode()
    [number] = numbers()
    assert number.secret == "the-auth-token"


def test_a_number_not_in_international_form_or_already_used_is_refused(story):
    chen = signed_in(story.chen)
    assert chen.post(PAGE, {"number": "call me", "gateway": "http"}).status_code == 400
    assert chen.post(PAGE, {"number": "+254711000000", "gateway": "http"}).status_code == 200
    again = chen.post(PAGE, {"number": "00254711000000", "gateway": "http"})
    assert again.status_code == 400 and "already in use" in again.content.decode()
    assert len(numbers()) == 1


def test_a_new_secret_replaces_the_old_and_a_stale_page_changes_nothing(story):
    with scope(organisation=story.harbourside.pk):
        number, old = add_number(actor=story.chen, number="+254711000000", gateway="http")
    chen = signed_in(story.chen)
    url = reverse("outreach:sms_number_secret", args=[number.pk])
    response = chen.post(url, {"version": number.version})
    assert response.status_code == 200
    [fresh] = numbers()
    assert fresh.secret != old and str(fresh.secret) in response.content.decode()
    stale = chen.post(url, {"version": number.version})
    assert stale.status_code == 302
    assert numbers()[0].secret == fresh.secret


def test_switching_a_number_off_and_on(story):
    with scope(organisation=story.harbourside.pk):
        number, _secret = add_number(actor=story.chen, number="+254711000000", gateway="http")
    chen = signed_in(story.chen)
    url = reverse("outreach:sms_number_switch", args=[number.pk])
    assert chen.post(url, {"version": number.version}).status_code == 302
    assert numbers()[0].is_active is False
    assert chen.post(url, {"version": number.version + 1, "on": "1"}).status_code == 302
    assert numbers()[0].is_active is True


def test_another_organisations_number_is_not_found(story):
    with scope(organisation=story.harbourside.pk):
        number, _secret = add_number(actor=story.chen, number="+254711000000", gateway="http")
    with scopes_disabled():
        their_admin = add_member(
            organisation=story.riverside,
            username="riverside-admin",
            display_name="Riverside admin",
            email="riverside-admin@example.org",
            roles=[Role.ORG_ADMIN],
            team=story.other_team,
        )

        if mfa_required(their_admin.user, [their_admin]):
            enrol_totp(their_admin.user, generate_totp_secret())
    client = signed_in(their_admin)
    for name in ("sms_number_secret", "sms_number_switch"):
        url = reverse(f"outreach:{name}", args=[number.pk])
        assert client.post(url, {"version": number.version}).status_code == 404
    assert str(number.pk) not in client.get(PAGE).content.decode()
    [same] = numbers()
    assert same.is_active and same.version == number.version
