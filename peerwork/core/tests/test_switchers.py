"""The organisation switcher and the language switcher in the page header."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.conf import settings
from django_scopes import scopes_disabled

from peerwork.core.mfa import enrol_totp
from peerwork.core.middleware import SESSION_KEY
from peerwork.core.models import Role
from peerwork.core.services import add_member
from peerwork.core.tests.page_checks import assert_sound_page


@pytest.fixture
def bashir(story):
    """Riverside's director who is also a trainer at Harbourside (DEMO.md)."""
    with scopes_disabled():
        at_riverside = add_member(
            organisation=story.riverside,
            username="bashir",
            display_name="Bashir Aliyev",
            email="bashir@example.org",
            roles=[Role.DIRECTOR],
            team=story.other_team,
        )
        add_member(
            organisation=story.harbourside,
            username="bashir",
            display_name="Bashir Aliyev",
            email="bashir@example.org",
            roles=[Role.STAFF],
            team=story.team,
        )
    enrol_totp(at_riverside.user, generate_totp_secret())  # a director must (core.mfa)
    return at_riverside.user


def test_a_person_in_two_organisations_switches_between_them(client, story, bashir):
    client.force_login(bashir)
    first = assert_sound_page(client.get("/"))
    assert 'id="switch-organisation"' in first
    assert "Harbourside Harm Reduction</option>" in first
    assert "Riverside Drug User Network</option>" in first
    assert f'<option value="{story.harbourside.pk}" selected>' in first
    response = client.post("/organisation", {"organisation": str(story.riverside.pk)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(story.riverside.pk)
    after = assert_sound_page(client.get("/"))
    assert f'<option value="{story.riverside.pk}" selected>' in after
    assert "You are now working in Riverside Drug User Network." in after
    assert "The organisation at a glance" in after  # his director role there
    people = assert_sound_page(client.get("/people"))
    assert "Taras Melnyk" in people and "Amina" not in people


def test_switching_to_an_organisation_one_does_not_belong_to_is_refused(client, story):
    client.force_login(story.amina.user)
    response = client.post("/organisation", {"organisation": str(story.riverside.pk)})
    assert response.status_code == 403
    assert client.session.get(SESSION_KEY) != str(story.riverside.pk)
    assert "Harbourside Harm Reduction" in client.get("/").content.decode()
    assert client.post("/organisation", {"organisation": "not-an-id"}).status_code == 403


def test_a_person_with_one_organisation_sees_its_name_and_no_switcher(client, story):
    client.force_login(story.amina.user)
    html = assert_sound_page(client.get("/"))
    assert '<span class="org">Harbourside Harm Reduction</span>' in html
    assert "switch-organisation" not in html


def test_switching_needs_a_signed_in_person_and_a_post(client, story):
    assert (
        client.post("/organisation", {"organisation": str(story.riverside.pk)}).status_code == 404
    )
    client.force_login(story.amina.user)
    assert client.get("/organisation").status_code == 405


def test_the_language_choice_is_kept_on_the_profile(client, story):
    client.force_login(story.amina.user)
    response = client.post("/language", {"language": "sw", "next": "/people"})
    assert response.status_code == 302 and response["Location"] == "/people"
    story.amina.user.refresh_from_db()
    assert story.amina.user.language == "sw"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sw"
    # A new session (another device) still opens in Swahili, from the profile.
    client.logout()
    client.cookies.clear()
    client.force_login(story.amina.user)
    html = client.get("/").content.decode()
    assert '<html lang="sw">' in html
    assert '<option value="sw" lang="sw" selected>Kiswahili</option>' in html


def test_an_unknown_language_changes_nothing(client, story):
    client.force_login(story.amina.user)
    client.post("/language", {"language": "xx", "next": "/"})
    story.amina.user.refresh_from_db()
    assert story.amina.user.language == ""


def test_anonymous_people_switch_language_for_their_browser_only(client, story):
    response = client.post("/language", {"language": "uk", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "uk"
    assert '<html lang="uk">' in client.get("/accounts/login/").content.decode()


def test_the_language_switch_does_not_redirect_to_another_host(client, story):
    response = client.post("/language", {"language": "en", "next": "https://elsewhere.example/"})
    assert response.status_code == 302
    assert "elsewhere" not in response["Location"]
