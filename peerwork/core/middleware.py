"""Request middleware: the acting membership, its organisation scope, language and caching."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
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
    """No cache, the browser's included, may keep any page: pages may hold personal data.

    Every response but static files, not only signed-in people's: pages shown before the
    sign-in completes hold personal data too (an invitation names the invitee, a password
    reset link is a key, the second step lists the person's security keys), and a page
    worth caching for strangers does not exist here. A response that already says
    ``no-store`` keeps its own header (the API's ``no-store, private``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        if "no-store" not in response.get("Cache-Control", ""):
            # no-cache, no-store, must-revalidate, private and max-age=0, replacing any
            # public or max-age a view set.
            add_never_cache_headers(response)
        return response
