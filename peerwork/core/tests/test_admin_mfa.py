"""The instance operator's admin (/operator/) signs in through the same allauth form, with
the same two-step sign-in, which the operator must have."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret

from peerwork.core.mfa import enrol_totp, mfa_required
from peerwork.core.models import User
from peerwork.core.tests.signing_in import (
    ENROL,
    LOGIN,
    TWO_STEP,
    code_period_clock,
    enter_code,
    sign_in,
    totp_code,
)

pytestmark = pytest.mark.usefixtures("fresh_limits")


@pytest.fixture
def operator(db):
    return User.objects.create_superuser(
        "operator", "operator@example.org", "correct horse battery"
    )


def test_the_operator_must_use_two_step_sign_in(operator):
    assert mfa_required(operator)


def test_the_admins_own_sign_in_page_hands_over_to_the_allauth_form(client, db):
    response = client.get("/operator/login/?next=/operator/core/organisation/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Foperator%2Fcore%2Forganisation%2F"
    assert client.get("/operator/")["Location"].startswith("/operator/login/")


def test_an_operator_without_two_step_sign_in_reaches_no_admin_page(client, operator):
    client.force_login(operator)
    for path in (
        "/operator/",
        "/operator/core/organisation/",
        "/operator/core/organisation/add/",
        "/operator/core/auditevent/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == ENROL, path
    enrol_totp(operator, generate_totp_secret())
    assert client.get("/operator/").status_code == 200


def test_the_operator_signs_in_with_password_and_code_and_lands_in_the_admin(client, operator):
    enrol_totp(operator, generate_totp_secret())
    with code_period_clock():
        response = client.post(
            LOGIN,
            {"login": "operator", "password": "correct horse battery", "next": "/operator/"},
        )
        assert response.status_code == 302 and response["Location"] == TWO_STEP
        assert client.get("/operator/").status_code == 302  # not yet
        response = enter_code(client, totp_code(operator))
        assert response.status_code == 302 and response["Location"] == "/operator/"
        page = client.get("/operator/")
        assert page.status_code == 200 and "Peerwork: instance operator" in page.content.decode()


def test_a_member_signing_in_for_the_admin_is_refused_after_their_own_two_steps(client, story):
    with code_period_clock():
        sign_in(client, "chen")
        assert enter_code(client, totp_code(story.chen.user))["Location"] == "/"
        assert "Hello, Chen Li" in client.get("/").content.decode()
        response = client.get("/operator/")
        assert response["Location"].startswith("/operator/login/")
        assert client.get(response["Location"]).status_code == 403


def test_with_the_demo_switch_off_the_admin_says_so_on_every_page(client, operator, settings):
    settings.PEERWORK_REQUIRE_MFA = False
    client.force_login(operator)
    for path in ("/operator/", "/operator/core/organisation/", "/operator/core/auditevent/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "two-step sign-in is switched off in this demo" in response.content.decode(), path
