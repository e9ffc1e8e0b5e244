"""Request middleware: the acting membership, its organisation scope, language and caching."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django_scopes import scope, scopes_disabled

from .models import Membership, User

SESSION_KEY = "peerwork_organisation"


def memberships_of(user: User) -> list[Membership]:
    """The user's current memberships across organisations (for the switcher).

    Read without a scope on purpose: a person may belong to several organisations, and this
    list is only ever their own.
    """
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=timezone.now()))
            .select_related("organisation", "team", "user")
            .prefetch_related("role_grants")
            .order_by("organisation__name")
        )


class MembershipMiddleware:
    """Sets ``request.member`` and runs the request inside that organisation's scope.

    The active organisation comes from the signed-in person's own memberships and the
    session; never from a URL parameter (DESIGN.md "Privacy model"). Requests without a
    membership run with no scope at all, so any organisation-owned query raises.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.member = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)

        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language

        memberships = memberships_of(user)
        request.memberships = memberships  # type: ignore[attr-defined]
        if not memberships:
            return self.get_response(request)

        wanted = request.session.get(SESSION_KEY)
        member = next((m for m in memberships if str(m.organisation_id) == wanted), memberships[0])
        request.member = member  # type: ignore[attr-defined]
        timezone.activate(member.organisation.time_zone)
        try:
            with scope(organisation=member.organisation_id):
                return self.get_response(request)
        finally:
            timezone.deactivate()


class NoStoreMiddleware:
    """Pages for signed-in people may hold personal data: no cache may keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private"
        return response
