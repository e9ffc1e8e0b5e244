"""Sessions end after the organisation's idle minutes and its hours in all since sign-in.

A shared office PC, or a phone that is taken away, must not stay signed in to records about
drug use, OST or HIV status (issue 3, item 3). Each organisation sets both limits
(``Organisation.session_idle_minutes``, default 15; ``session_max_hours``, default 12); a
person with several memberships gets the strictest of their organisations' limits, whichever
organisation is active, since one session opens all of them. The instance operator, who is
in no organisation, gets the defaults.

The session holds two times (whole seconds since the epoch): ``SIGNED_IN_AT``, written when
the sign-in completes (``start``, from Django's ``user_logged_in`` signal, so after the
second step too), and ``LAST_ACTIVITY``, moved forward by every request of the person's
browser. When either limit has passed, ``SessionLimitsMiddleware`` ends the session on the
server (``logout`` flushes it: the row is deleted and the old cookie opens nothing) and
sends the person to sign in, with one message in their language that says only which limit
ended it.

What counts as activity: every request of the signed-in browser. There is no polling today;
when a page starts polling (htmx ``every``), its requests must not count as activity, or an
open tab would keep an unattended session alive: mark them and skip ``touch`` for them here.

Requests with an ``Authorization`` header (API tokens) are left alone: a token is not a
session, and the session plays no part in a token request (``peerwork.api.auth``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from .models import Membership, Organisation

# Paths whose pages do not use the session (an outreach shift link, opened with a PIN):
# when the session has ended there, it is ended as anywhere else, but the page is served
# to the browser as signed out instead of sending the person to sign in (issue 5 item 3:
# the link is "not bound to the 15-minute session"). Modules add theirs from ready().
_sessionless_prefixes: list[str] = []


def register_sessionless_prefix(prefix: str) -> None:
    if prefix not in _sessionless_prefixes:
        _sessionless_prefixes.append(prefix)


SIGNED_IN_AT = "peerwork_signed_in_at"
LAST_ACTIVITY = "peerwork_last_activity"

# The last activity is written at most this often, so that a page and the few requests it
# makes cost one session write, not one each. To never end a session early because of it,
# the idle limit is counted from the written time plus this step: a session ends between
# the idle limit and half a minute after it.
ACTIVITY_STEP_SECONDS = 30

SameSite = Literal["Lax", "Strict", "None", False] | None


@dataclass(frozen=True)
class SessionLimits:
    idle_minutes: int
    max_hours: int


def default_limits() -> SessionLimits:
    """The limits of an organisation that kept the defaults (for people in none)."""
    fields = Organisation._meta
    return SessionLimits(
        idle_minutes=int(fields.get_field("session_idle_minutes").default),
        max_hours=int(fields.get_field("session_max_hours").default),
    )


def limits_for(memberships: Iterable[Membership]) -> SessionLimits:
    """The strictest limits among the organisations of these (current) memberships."""
    organisations = [membership.organisation for membership in memberships]
    if not organisations:
        return default_limits()
    return SessionLimits(
        idle_minutes=min(o.session_idle_minutes for o in organisations),
        max_hours=min(o.session_max_hours for o in organisations),
    )


def _now() -> int:
    return int(timezone.now().timestamp())


def start(session: SessionBase) -> None:
    """A sign-in completed: both clocks start now."""
    now = _now()
    session[SIGNED_IN_AT] = now
    session[LAST_ACTIVITY] = now


def touch(session: SessionBase) -> None:
    """The person did something: move the last activity forward (at most every step)."""
    now = _now()
    if now - int(session.get(LAST_ACTIVITY, 0)) >= ACTIVITY_STEP_SECONDS:
        session[LAST_ACTIVITY] = now


def ended_message(session: SessionBase, limits: SessionLimits) -> str | None:
    """Why this session has ended, in the active language, or None while it may go on."""
    now = _now()
    if SIGNED_IN_AT not in session:
        # A session from before these limits existed: its clocks start now.
        start(session)
        return None
    last_activity = int(session.get(LAST_ACTIVITY, session[SIGNED_IN_AT]))
    if now - last_activity >= limits.idle_minutes * 60 + ACTIVITY_STEP_SECONDS:
        return ngettext(
            "You were signed out after %(minutes)d minute without activity.",
            "You were signed out after %(minutes)d minutes without activity.",
            limits.idle_minutes,
        ) % {"minutes": limits.idle_minutes}
    if now - int(session[SIGNED_IN_AT]) >= limits.max_hours * 3600:
        return ngettext(
            "You were signed out %(hours)d hour after signing in.",
            "You were signed out %(hours)d hours after signing in.",
            limits.max_hours,
        ) % {"hours": limits.max_hours}
    return None


class SessionLimitsMiddleware:
    """Ends sessions past their limits; otherwise records the request as activity.

    Placed after ``MembershipMiddleware``: the person's memberships (and so their
    organisations' limits) are read there once per request, and their profile language is
    active, so the message is in their language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.headers.get("Authorization"):
            return self.get_response(request)
        limits = limits_for(getattr(request, "memberships", None) or ())
        message = ended_message(request.session, limits)
        if message is None:
            touch(request.session)
            return self.get_response(request)
        return self.signed_out(request, message)

    def signed_out(self, request: HttpRequest, message: str) -> HttpResponse:
        language = getattr(request.user, "language", "")
        logout(request)  # flushes the session: its row is deleted on the server
        request.member = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        path = request.path_info
        if any(path.startswith(prefix) for prefix in _sessionless_prefixes):
            return self.get_response(request)
        if path.startswith("/api/") and not path.startswith(reverse("api:openapi-view")):
            # API calls from the browser (the docs page) get the API's own answer.
            response: HttpResponse = JsonResponse({"detail": message}, status=401)
        else:
            messages.info(request, message)
            if request.method in ("GET", "HEAD"):
                response = redirect_to_login(request.get_full_path())
            else:
                # What was sent is lost either way; come back to the start, not to a form.
                response = redirect(settings.LOGIN_URL)
            if request.headers.get("HX-Request"):
                # htmx would swap the sign-in page into a fragment; make it load the page.
                response = HttpResponse(status=200, headers={"HX-Redirect": response["Location"]})
        if language:
            # The sign-in page in the person's language too, as the language switch does.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=cast(SameSite, settings.LANGUAGE_COOKIE_SAMESITE),
            )
        return response
