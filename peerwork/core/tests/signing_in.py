"""Signing in through the real forms, for the sign-in tests (not a test module itself)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import get_resolver
from freezegun import freeze_time

PASSWORD = "correct horse battery"  # the story's
LOGIN = "/accounts/login/"
TWO_STEP = "/accounts/2fa/authenticate/"
ENROL = "/accounts/2fa/"


def totp_secret(user: Any) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return str(get_adapter().decrypt(authenticator.data["secret"]))


def totp_code(user: Any, *, at: float | None = None) -> str:
    """What the person's authenticator app shows now (allauth's own RFC 6238 helper)."""
    counter = int(time.time() if at is None else at) // 30
    return format_hotp_value(hotp_value(totp_secret(user), counter))


def unenrol(user: Any) -> None:
    Authenticator.objects.filter(user=user).delete()


def sign_in(client: Any, login: str, password: str = PASSWORD, **extra: Any) -> Any:
    """POST the sign-in form (``extra``: request headers and META, like ``REMOTE_ADDR``)."""
    return client.post(LOGIN, {"login": login, "password": password}, **extra)


def enter_code(client: Any, code: str, **extra: Any) -> Any:
    return client.post(TWO_STEP, {"code": code}, **extra)


def reauthenticate(client: Any, password: str = PASSWORD) -> Any:
    """allauth asks for the password again before adding or removing a way in."""
    return client.post("/accounts/reauthenticate/", {"password": password})


@contextmanager
def code_period_clock() -> Iterator[Any]:
    """Time running from one second into a 30-second code period, so a code computed in a
    test is still the server's when it checks it.

    The URL configuration is loaded first: modules imported while the clock is frozen see
    freezegun's datetime class, for which pydantic (the API's schemas) builds no schema.
    """
    get_resolver().url_patterns  # noqa: B018 (loads every view module)
    with freeze_time("2026-03-02 06:00:01", tick=True) as frozen:
        yield frozen
