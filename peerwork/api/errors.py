"""Error answers as API.md fixes them, installed on the one ``NinjaAPI``.

``{"detail": "…"}`` (plus ``"errors": {"field": ["…"]}``) with 400, 401, 403, 404 and 409;
422 keeps django-ninja's own body. Messages are translated (the request's language is
active, see ``peerwork.api.auth``). Handlers match by class, so services raise Django's own
``Http404``, ``PermissionDenied`` and ``ValidationError`` and never know about HTTP.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError

from peerwork.core.versions import StaleVersion


def _answer(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def install(api: NinjaAPI) -> None:
    """Add Peerwork's handlers to ``api`` (django-ninja's 422 handler stays)."""

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # Missing, malformed, another organisation's or not theirs to see: one answer.
        return _answer(api, request, 404, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("You may see this, but you may not do this to it.")
        return _answer(api, request, 403, detail)

    @api.exception_handler(ValidationError)
    def refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {
                ("non_field_errors" if field == NON_FIELD_ERRORS else field): [
                    str(m) for m in messages
                ]
                for field, messages in exc.message_dict.items()
            }
            first = next(iter(fields.values()))[0]
            return _answer(api, request, 400, first, fields)
        return _answer(api, request, 400, " ".join(str(m) for m in exc.messages))

    @api.exception_handler(StaleVersion)
    def conflict(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
        return _answer(
            api,
            request,
            409,
            _("Someone else changed this since you read it. Read it again, then retry."),
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = _answer(
            api,
            request,
            401,
            _("Sign in, or send a valid API token: it may have expired or been revoked."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="peerwork"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = str(exc)
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = _("The request body is not valid JSON.")
        return _answer(api, request, exc.status_code, detail)
