"""What every page's layout needs: the acting member, their other memberships (for the
organisation switcher), the navigation, the demo flag and the languages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .navigation import navigation_for
from .notify import unread_count


def peerwork(request: HttpRequest) -> dict[str, object]:
    member = getattr(request, "member", None)
    navigation = []
    if member is not None:
        navigation = navigation_for(member, request.path, unread=unread_count(member))
    return {
        "member": member,
        "memberships": getattr(request, "memberships", []),
        "navigation": navigation,
        "demo": settings.DEMO,
        "languages": settings.LANGUAGES,
    }
