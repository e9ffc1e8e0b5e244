"""Assembles each app's django-ninja router under /api/v1 (API.md).

Every operation runs through ``run_as_acting_member`` (the acting membership, its
organisation's scope, time zone and the request's language) and authenticates by bearer
token or session (``peerwork.api.auth``); errors answer as ``peerwork.api.errors`` says. A
module adds its router here with ``api.add_router("", "peerwork.<app>.api.router")``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from . import errors
from .auth import authentication, run_as_acting_member
from .docs import SWAGGER, members_only


def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    response = JsonResponse({"detail": _("Not found.")}, status=404)
    response["Cache-Control"] = "no-store, private"
    return response


class PeerworkAPI(NinjaAPI):
    """django-ninja's API, answering JSON (not Django's HTML page) for unknown paths."""

    def _get_urls(self) -> list[Any]:
        # Last, so it only catches what no operation matched (an id with a "/" in it, a
        # trailing slash, a path that does not exist).
        return [*super()._get_urls(), re_path(r"^.*$", _unknown_path, name="unknown-path")]


api = PeerworkAPI(
    title="Peerwork API",
    version="1",
    description=(
        "Peerwork's API. Authenticate with the browser session or `Authorization: Bearer "
        "<token>` (a personal token, made on your profile or with `manage.py "
        "create_api_token`); a token acts in its one organisation only."
    ),
    urls_namespace="api",
    auth=authentication(),
    docs=SWAGGER,
    docs_decorator=members_only,
)
api.add_decorator(run_as_acting_member, mode="view")
errors.install(api)

api.add_router("", "peerwork.core.api.router")
api.add_router("", "peerwork.people.api.router")
api.add_router("", "peerwork.outreach.api.router")
api.add_router("", "peerwork.schedule.api.router")
api.add_router("", "peerwork.selfcare.api_circle.router")
api.add_router("", "peerwork.selfcare.api_programme.router")
api.add_router("", "peerwork.selfcare.api_wellbeing.router")
api.add_router("", "peerwork.selfcare.api_pulse.router")
api.add_router("", "peerwork.support.api_mentoring.router")
api.add_router("", "peerwork.support.api_groups.router")
api.add_router("", "peerwork.concerns.api_concerns.router")
api.add_router("", "peerwork.concerns.api_meetings.router")
api.add_router("", "peerwork.concerns.api_app9.router")
api.add_router("", "peerwork.concerns.api_paths.router")
api.add_router("", "peerwork.concerns.api_investigations.router")
