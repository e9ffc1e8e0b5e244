"""For tests that start real processes (a worker, a deadline loop) on the test database."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

from django.db import connection


def database_url() -> str:
    """``PEERWORK_DATABASE_URL`` naming the test database this process uses (SQLite locally,
    PostgreSQL in CI), so a child process sees the rows a ``transaction=True`` test commits."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    credentials = quote(settings.get("USER") or "", safe="")
    if settings.get("PASSWORD"):
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    host = settings.get("HOST") or "127.0.0.1"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    at = f"{credentials}@" if credentials else ""
    return f"postgresql://{at}{host}{port}/{quote(settings['NAME'], safe='')}"


def wait_for(condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Poll ``condition`` until it holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)
