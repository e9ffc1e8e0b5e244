from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .navigation import navigation_for


def peerwork(request: HttpRequest) -> dict[str, object]:
    member = getattr(request, "member", None)
    return {
        "member": member,
        "memberships": getattr(request, "memberships", []),
        "navigation": navigation_for(member, request.path) if member else [],
        "demo": settings.DEMO,
        "languages": settings.LANGUAGES,
    }
