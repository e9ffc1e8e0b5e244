"""Assembles each app's django-ninja router under /api/v1 (API.md).

Every operation runs through ``run_as_acting_member`` (the acting membership, its
organisation's scope, time zone and the request's language) and authenticates by bearer
token or session (``peerwork.api.auth``); errors answer as ``peerwork.api.errors`` says. A
module adds its router here with ``api.add_router("", "peerwork.<app>.api.router")``.
"""

from ninja import NinjaAPI

from . import errors
from .auth import authentication, run_as_acting_member
from .docs import SWAGGER, members_only

api = NinjaAPI(
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
