"""Sessions end after the organisations' idle and total limits; signing out ends them on the
server (peerwork.core.session_limits). Times are arranged in the session, never waited for."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import translation
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from peerwork.api.tests.helpers import bearer
from peerwork.core import session_limits
from peerwork.core.models import Role
from peerwork.core.services import add_member
from peerwork.core.session_limits import LAST_ACTIVITY, SIGNED_IN_AT

PASSWORD = "correct horse battery"  # the story's
MINUTE = 60
HOUR = 3600


def signed_in(member: Any) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def arrange(client: Client, *, idle: float = 0, signed_in_for: float | None = None) -> str:
    """Make the session look idle for ``idle`` seconds, signed in ``signed_in_for`` ago."""
    now = int(time.time())
    session = client.session
    session[LAST_ACTIVITY] = now - int(idle)
    session[SIGNED_IN_AT] = now - int(signed_in_for if signed_in_for is not None else idle)
    session.save()
    return str(session.session_key)


def set_limits(organisation: Any, *, idle_minutes: int = 15, max_hours: int = 12) -> None:
    organisation.session_idle_minutes = idle_minutes
    organisation.session_max_hours = max_hours
    organisation.save(update_fields=["session_idle_minutes", "session_max_hours"])


def is_signed_out(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def messages_on(page: Any) -> list[str]:
    return [str(message) for message in page.context["messages"]]


# --- the clocks ---------------------------------------------------------------------


def test_signing_in_through_the_form_starts_both_clocks(client, story):
    before = int(time.time())
    response = client.post("/accounts/login/", {"login": "amina", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    session = client.session
    assert before <= session[SIGNED_IN_AT] <= int(time.time())
    assert session[LAST_ACTIVITY] == session[SIGNED_IN_AT]


def test_with_a_second_step_the_clocks_start_when_it_is_done(client, story):
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    response = client.post("/accounts/login/", {"login": "ravi", "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert SIGNED_IN_AT not in client.session  # not signed in yet
    totp = Authenticator.objects.get(user=story.ravi.user, type=Authenticator.Type.TOTP)
    secret = get_adapter().decrypt(totp.data["secret"])
    before = int(time.time())
    for _attempt in range(2):  # a second try if the 30-second window turned in between
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
        if response.status_code == 302:
            break
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SIGNED_IN_AT] >= before


def test_a_request_moves_the_last_activity_forward_but_not_the_sign_in_time(story):
    client = signed_in(story.amina)
    arrange(client, idle=10 * MINUTE, signed_in_for=2 * HOUR)
    signed_in_at = client.session[SIGNED_IN_AT]
    assert client.get("/").status_code == 200
    session = client.session
    assert session[LAST_ACTIVITY] >= int(time.time()) - 5
    assert session[SIGNED_IN_AT] == signed_in_at


# --- idle ---------------------------------------------------------------------------


def test_a_session_idle_past_fifteen_minutes_ends_on_the_server_with_one_message(story):
    client = signed_in(story.amina)
    old_key = arrange(client, idle=16 * MINUTE)
    response = client.get("/people")
    assert is_signed_out(response)
    assert response["Location"] == "/accounts/login/?next=/people"
    assert not Session.objects.filter(session_key=old_key).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert messages_on(page) == ["You were signed out after 15 minutes without activity."]
    assert "You were signed out after 15 minutes without activity." in page.content.decode()
    assert is_signed_out(client.get("/"))


def test_a_session_idle_for_less_than_the_limit_goes_on(story):
    client = signed_in(story.amina)
    arrange(client, idle=14 * MINUTE)
    assert client.get("/").status_code == 200


def test_the_old_cookie_of_an_ended_session_opens_nothing(story):
    client = signed_in(story.amina)
    old_key = arrange(client, idle=20 * MINUTE)
    assert is_signed_out(client.get("/"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert is_signed_out(replay.get("/"))
    assert replay.get("/api/v1/me").status_code == 401


# --- in all -------------------------------------------------------------------------


def test_a_busy_session_ends_twelve_hours_after_signing_in(story):
    client = signed_in(story.amina)
    old_key = arrange(client, idle=MINUTE, signed_in_for=12 * HOUR + MINUTE)
    response = client.get("/")
    assert is_signed_out(response)
    assert not Session.objects.filter(session_key=old_key).exists()
    page = client.get(response["Location"])
    assert messages_on(page) == ["You were signed out 12 hours after signing in."]


def test_a_busy_session_goes_on_just_under_twelve_hours(story):
    client = signed_in(story.amina)
    arrange(client, idle=MINUTE, signed_in_for=12 * HOUR - MINUTE)
    assert client.get("/").status_code == 200


# --- per organisation ---------------------------------------------------------------


def test_each_organisation_sets_its_own_limits(story):
    set_limits(story.harbourside, idle_minutes=30, max_hours=2)
    set_limits(story.riverside, idle_minutes=5, max_hours=12)
    amina = signed_in(story.amina)
    arrange(amina, idle=25 * MINUTE)
    assert amina.get("/").status_code == 200
    arrange(amina, idle=MINUTE, signed_in_for=2 * HOUR + MINUTE)
    page = amina.get(amina.get("/")["Location"])
    assert messages_on(page) == ["You were signed out 2 hours after signing in."]

    taras = signed_in(story.taras)
    arrange(taras, idle=6 * MINUTE)
    page = taras.get(taras.get("/")["Location"])
    assert messages_on(page) == ["You were signed out after 5 minutes without activity."]


def test_a_person_in_several_organisations_gets_the_strictest_limits_wherever_they_are(story):
    set_limits(story.harbourside, idle_minutes=60, max_hours=12)
    set_limits(story.riverside, idle_minutes=10, max_hours=4)
    with scopes_disabled():
        add_member(
            organisation=story.riverside,
            username="amina",
            display_name="Amina Wanjiru",
            email="amina@example.org",
            roles=[Role.STAFF],
            team=story.other_team,
        )
    client = signed_in(story.amina)
    session = client.session
    session["peerwork_organisation"] = str(story.harbourside.pk)  # Harbourside is active
    session.save()
    arrange(client, idle=11 * MINUTE)
    page = client.get(client.get("/")["Location"])
    assert messages_on(page) == ["You were signed out after 10 minutes without activity."]

    client = signed_in(story.amina)
    arrange(client, idle=MINUTE, signed_in_for=4 * HOUR + MINUTE)
    page = client.get(client.get("/")["Location"])
    assert messages_on(page) == ["You were signed out 4 hours after signing in."]


def test_the_strictest_limits_are_read_from_the_memberships_organisations(story):
    set_limits(story.harbourside, idle_minutes=20, max_hours=9)
    set_limits(story.riverside, idle_minutes=45, max_hours=3)
    with scopes_disabled():
        limits = session_limits.limits_for([story.amina, story.taras])
    assert limits == session_limits.SessionLimits(idle_minutes=20, max_hours=3)
    assert session_limits.limits_for([]) == session_limits.SessionLimits(
        idle_minutes=15, max_hours=12
    )


def test_the_operator_in_no_organisation_gets_the_default_limits(db):
    from peerwork.core.models import User

    operator = User.objects.create_superuser(username="op", password="a long passphrase")
    client = Client()
    client.force_login(operator)
    arrange(client, idle=16 * MINUTE)
    assert is_signed_out(client.get("/operator/"))


# --- the message, the API and htmx ----------------------------------------------------


def test_the_sign_in_page_after_the_end_is_in_the_persons_language(story):
    story.amina.user.language = "ru"
    story.amina.user.save(update_fields=["language"])
    client = signed_in(story.amina)
    arrange(client, idle=16 * MINUTE)
    response = client.get("/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = client.get(response["Location"])
    assert page["Content-Language"] == "ru"
    assert '<html lang="ru">' in page.content.decode()
    english = "You were signed out after 15 minutes without activity."
    with translation.override("ru"):
        russian = ngettext(
            "You were signed out after %(minutes)d minute without activity.",
            "You were signed out after %(minutes)d minutes without activity.",
            15,
        ) % {"minutes": 15}
    assert russian != english
    assert messages_on(page) == [russian]


def test_the_api_answers_an_ended_browser_session_with_401(story):
    client = signed_in(story.amina)
    old_key = arrange(client, idle=16 * MINUTE)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "You were signed out after 15 minutes without activity."}
    assert not Session.objects.filter(session_key=old_key).exists()


def test_the_api_docs_page_sends_an_ended_session_to_sign_in(story):
    client = signed_in(story.amina)
    arrange(client, idle=16 * MINUTE)
    response = client.get("/api/v1/docs")
    assert response["Location"] == "/accounts/login/?next=/api/v1/docs"


def test_an_htmx_request_of_an_ended_session_loads_the_sign_in_page(story):
    client = signed_in(story.amina)
    arrange(client, idle=16 * MINUTE)
    response = client.get("/inbox", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/inbox"


def test_a_form_sent_after_the_end_comes_back_to_the_sign_in_page_alone(story):
    client = signed_in(story.amina)
    arrange(client, idle=16 * MINUTE)
    response = client.post("/teams/new", {"name": "Night outreach"})
    assert response["Location"] == "/accounts/login/"


def test_api_tokens_are_unaffected_by_the_session_limits(story):
    headers = bearer(story.amina)
    client = signed_in(story.amina)
    old_key = arrange(client, idle=16 * MINUTE)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    assert response.json()["person"]["username"] == "amina"
    # The token request neither ended the session nor counted as its activity.
    session = Session.objects.get(session_key=old_key).get_decoded()
    assert session[LAST_ACTIVITY] <= int(time.time()) - 16 * MINUTE
    assert Client().get("/api/v1/me", headers=headers).status_code == 200


# --- signing out --------------------------------------------------------------------


def test_signing_out_ends_the_session_on_the_server_and_its_cookie_opens_nothing(client, story):
    response = client.post("/accounts/login/", {"login": "amina", "password": PASSWORD})
    assert response.status_code == 302
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=old_key).exists()
    assert client.get("/").status_code == 200

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert is_signed_out(replay.get("/"))
    assert replay.get("/api/v1/me").status_code == 401
