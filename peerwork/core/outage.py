"""A plain 503 for every request while the database cannot be reached.

``DatabaseOutageMiddleware`` sits above ``SessionMiddleware`` (sessions live in the
database) and below WhiteNoise (static files need no database). Django turns an exception
into a 500 response at every middleware's boundary, so an outer middleware never sees the
exception itself: ``note_outage``, a ``got_request_exception`` receiver, marks the request
when the exception is a database outage, and the middleware then answers instead:

- a tiny page (``core/database_unavailable.html``: no base template, no context processors,
  nothing that needs the database) in the browser's language, since the person's own
  language is in the database;
- ``{"detail": "…"}`` for ``/api/`` (API.md's error body);
- ``/healthz``'s own ``{"status": "down", …}``;

each with status 503, ``Retry-After`` and ``Cache-Control: no-store``, and one line in the
log (no path, no person, no query). Django's own "Internal Server Error" record of the same
request is dropped (``DropOutageRecords``), so an outage is not logged as a crash.

What counts as an outage: ``OperationalError`` and ``InterfaceError`` (Django's and the
driver's): the connection failed, was closed, timed out, or the server is shutting down,
full or busy. SQLite reports a faulty statement ("no such table", a syntax error) as an
``OperationalError`` too, with the generic ``SQLITE_ERROR`` code: that is a bug, not an
outage, and stays a 500.

How fast the 503 comes is up to the database backend: ``peerwork.core.postgresql`` stops
waiting for a connection after a second (docs/operations.md "When the database is down").
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
MARK = "peerwork_database_outage"
SQLITE_ERROR = 1  # SQLite's generic primary result code: the statement's own fault


def driver_errors() -> tuple[type[BaseException], ...]:
    """The driver's own ``OperationalError`` and ``InterfaceError``, where Django did not
    wrap them (a psycopg or sqlite3 call made directly)."""
    wrapper: Any = connections[DEFAULT_DB_ALIAS]  # the stubs do not name ``Database``
    return (wrapper.Database.OperationalError, wrapper.Database.InterfaceError)


def is_outage(exc: BaseException | None) -> bool:
    """True when ``exc`` says the database cannot be used just now."""
    if exc is None or not isinstance(exc, (OperationalError, InterfaceError, *driver_errors())):
        return False
    cause = exc.__cause__ or exc
    code = getattr(cause, "sqlite_errorcode", None)
    return code is None or code & 0xFF != SQLITE_ERROR


def describe(exc: BaseException) -> str:
    """One line naming the fault, with no data in it.

    The driver's class and SQLSTATE; a client-side connection error (no SQLSTATE) also
    keeps the first line of its message, which names only the server and why
    ("Connection refused"). Server messages are left out: they may quote values.
    """
    cause = exc.__cause__ or exc
    name = type(cause).__name__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return f"{name} {sqlstate}"
    sqlite_name = getattr(cause, "sqlite_errorname", None)
    if sqlite_name:
        return f"{name} {sqlite_name}"
    first_line = str(cause).strip().splitlines()[0][:200] if str(cause).strip() else ""
    return f"{name}: {first_line}" if first_line else name


def note(request: HttpRequest | None, exc: BaseException | None) -> bool:
    """Mark ``request`` as failed by an outage, if ``exc`` is one: the middleware then
    answers it with the 503 and logs it. For views that catch the error themselves."""
    if request is None or not is_outage(exc):
        return False
    setattr(request, MARK, exc)
    return True


def note_outage(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception`` receiver: mark the request when the database is out.

    Django sends the signal from inside its ``except`` block, so the exception is the one
    being handled.
    """
    note(request, sys.exc_info()[1])


def outage_of(request: object) -> BaseException | None:
    return getattr(request, MARK, None)


def _language(request: HttpRequest) -> str:
    # The person's chosen language is on their profile, in the database: use the
    # language cookie or the browser's instead.
    return translation.get_language_from_request(request, check_path=False)


def outage_response(request: HttpRequest) -> HttpResponse:
    """The 503 for ``request``: JSON for the API and ``/healthz``, else the small page."""
    from .health import down_response

    response: HttpResponse
    if request.path_info == "/healthz":
        response = down_response()
    else:
        with translation.override(_language(request)):
            if request.path_info.startswith("/api/"):
                response = JsonResponse(
                    {"detail": _("Peerwork cannot reach its database just now. Try again soon.")},
                    status=503,
                )
            else:
                html = render_to_string(
                    "core/database_unavailable.html",
                    {
                        "language": translation.get_language(),
                        "retry_after": RETRY_AFTER_SECONDS,
                        "reload": request.method in ("GET", "HEAD"),
                    },
                )
                response = HttpResponse(html, status=503)
            response["Content-Language"] = translation.get_language()
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)  # no-store among them
    # XFrameOptionsMiddleware sits below and never sees this answer; the CSP and the other
    # security headers come from the middleware above (settings.MIDDLEWARE).
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return response


class DatabaseOutageMiddleware:
    """Answers 503 for any request that failed because the database is out (see above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.core.signals import got_request_exception

        self.get_response = get_response
        # Connected here, so the receiver runs exactly where the middleware is installed.
        got_request_exception.connect(note_outage, dispatch_uid="peerwork.core.outage")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exc = outage_of(request)
        if exc is None:
            return response
        logger.warning(
            "database unreachable: %s request answered 503 (%s)", request.method, describe(exc)
        )
        return outage_response(request)


class DropOutageRecords(logging.Filter):
    """On ``django.request``: drop the records of requests answered as an outage.

    Django logs the exception as "Internal Server Error" with its traceback before the
    middleware turns the answer into a 503; the middleware's own line says it instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return outage_of(getattr(record, "request", None)) is None
