"""The calendar feed: the person's page to make, replace and stop it, and the feed itself
(issue 6 item 6; ``feeds`` holds what a feed shows and why it says so little).

The page acts by POST only. A new address is shown once, in the answer to the POST that
made it (never stored, never carried through the session or a redirect); the page is not
cached (``NoStoreMiddleware``). The feed is opened by its secret alone, with no session
(``apps.FEED_PREFIX`` is registered as sessionless): unknown, stopped or left → 404.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scope

from peerwork.core.models import Membership
from peerwork.core.views import MemberRequest, member_page

from . import feeds
from .access import feed_for_member
from .models import CalendarFeed


def _address(token: str) -> str:
    """The feed's absolute address, on the configured base URL (never the Host header)."""
    path = reverse("schedule:feed", kwargs={"token": token})
    return f"{settings.PEERWORK_BASE_URL}{path}"


def _webcal(address: str) -> str:
    """The same address for a calendar app to subscribe to in one tap."""
    return "webcal://" + address.split("://", 1)[1]


def _page(
    request: HttpRequest, member: Membership, *, token: str = "", status: int = 200
) -> HttpResponse:
    address = _address(token) if token else ""
    context = {
        "feed": feeds.live_feed(member),
        "address": address,
        "webcal": _webcal(address) if address else "",
        "past_weeks": feeds.PAST.days // 7,
        "ahead_weeks": feeds.AHEAD.days // 7,
    }
    return render(request, "schedule/calendar.html", context, status=status)


@require_GET
@member_page
def calendar(request: HttpRequest) -> HttpResponse:
    return _page(request, cast(MemberRequest, request).member)


@require_POST
@member_page
def calendar_make(request: HttpRequest) -> HttpResponse:
    """Make a feed address, stopping any the person had: the answer shows it, once."""
    member = cast(MemberRequest, request).member
    _feed, token = feeds.make_feed(actor=member)
    return _page(request, member, token=token)


@require_POST
@member_page
def calendar_stop(request: HttpRequest) -> HttpResponse:
    member = cast(MemberRequest, request).member
    feed = feed_for_member(member, request.POST.get("feed", ""))
    if feed.revoked_at is not None:
        messages.info(request, _("That feed address was already stopped."))
    else:
        feeds.revoke_feed(actor=member, feed=feed)
        messages.success(
            request,
            _(
                "Your calendar feed is stopped: its address shows nothing any more. Remove "
                "the calendar from your calendar app too."
            ),
        )
    return redirect("schedule:calendar")


@require_http_methods(["GET", "HEAD"])
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar file, for whoever holds the address (a calendar app, no session)."""
    found: CalendarFeed | None = feeds.feed_for_token(token)
    if found is None:
        raise Http404
    with scope(organisation=found.organisation_id):
        body = feeds.calendar_for(found.member)
        feeds.note_read(found)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store, max-age=0"
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
