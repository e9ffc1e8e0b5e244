"""Who is calling the API, as which membership, inside which organisation's scope.

Two ways in (API.md): the browser session (CSRF checked on unsafe methods) or
``Authorization: Bearer pw_…``, a personal token bound to one membership. Either way the
acting ``Membership`` is resolved before anything else runs and left on ``request.member``.

``run_as_acting_member`` wraps every operation's whole run (authentication, input,
handler, serialisation), so everything happens inside the acting organisation's
django-scopes scope, its time zone and the request's language. The membership middleware
opens the session's scope itself; for token requests there is no session user, so this is
where their scope opens, and it is the token's organisation, never the session's or the
body's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django_scopes import scope
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from peerwork.core.models import ApiToken, Membership
from peerwork.core.tokens import authenticate_token


def _bearer_value(request: HttpRequest) -> str | None:
    """The token a request carries, "" for a malformed bearer header, None for none."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _space, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def uses_token(request: HttpRequest) -> bool:
    """True when the request came with a bearer token (valid or not)."""
    return bool(getattr(request, "api_token_sent", False))


def member_of(request: HttpRequest) -> Membership:
    """The acting membership of an authenticated API request."""
    member = getattr(request, "member", None)
    if member is None:  # only reachable if an operation was declared with auth=None
        raise AuthenticationError
    return member


def memberships_visible(request: HttpRequest) -> list[Membership]:
    """The person's own memberships this request may speak of.

    A token is bound to one organisation: through it, the person's other organisations do
    not exist (belonging to a drug-user network is itself sensitive, and a token is
    typically held by a script or another service). The browser session shows all of the
    person's current memberships, as the organisation switcher does.
    """
    member = member_of(request)
    if uses_token(request):
        return [member]
    return list(getattr(request, "memberships", None) or [member])


def _language(request: HttpRequest) -> str:
    """``Accept-Language`` when it names a language Peerwork has, else the profile's."""
    for code, quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*" or quality <= 0:
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    member = getattr(request, "member", None)
    language = member.user.language if member is not None else ""
    return language or settings.LANGUAGE_CODE


def run_as_acting_member(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wraps an operation's ``run`` (django-ninja "view" decorator mode)."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        raw = _bearer_value(request)
        request.api_token_sent = raw is not None  # type: ignore[attr-defined]
        if raw is not None:
            token: ApiToken | None = authenticate_token(raw)
            request.api_token = token  # type: ignore[attr-defined]
            # The session, if any, plays no part in a token request.
            request.member = token.membership if token else None  # type: ignore[attr-defined]
        else:
            request.api_token = None  # type: ignore[attr-defined]
        member: Membership | None = getattr(request, "member", None)

        with translation.override(_language(request)):
            if member is None:
                response = run(request, *args, **kwargs)  # authentication answers 401
            else:
                with (
                    scope(organisation=member.organisation_id),
                    timezone.override(member.organisation.time_zone),
                ):
                    response = run(request, *args, **kwargs)
            response["Content-Language"] = translation.get_language()
        # Answers carry people's data: no cache between here and the client may keep them.
        response["Cache-Control"] = "no-store, private"
        patch_vary_headers(response, ("Accept-Language", "Authorization", "Cookie"))
        return response

    return wrapper


class TokenAuth(HttpBearer):
    """``Authorization: Bearer pw_…`` (resolved by ``run_as_acting_member``)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not getattr(request, "api_token_sent", False):
            return None
        token = getattr(request, "api_token", None)
        if token is None:
            # A bearer header that does not name a usable token is refused outright, even
            # when a session cookie came with it.
            raise AuthenticationError
        return token

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        raise NotImplementedError  # __call__ answers from the token resolved beforehand


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, with CSRF checked on unsafe methods.

    Unlike django-ninja's own ``SessionAuth`` it answers 401 (not a CSRF 403) to callers
    with no session at all, and its CSRF refusal is translated.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if getattr(request, "api_token_sent", False):
            return None
        user = getattr(request, "user", None)
        member = getattr(request, "member", None)
        if user is None or not user.is_authenticated or member is None:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                _("The page's security check failed (CSRF). Reload the page and try again."),
            )
        return member


def authentication() -> list[Any]:
    """The API's authentication, tried in order: a bearer token first, then the session."""
    return [TokenAuth(), SessionAuth()]
