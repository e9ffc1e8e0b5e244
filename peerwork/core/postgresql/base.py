"""Django's PostgreSQL backend, giving up on an unreachable server within a second.

When the database cannot be reached, every page must answer a plain 503 within two seconds
(issue 3, item 5; ``peerwork.core.outage``). Two waits stand in the way:

- **Connecting.** psycopg (like libpq) waits at least two seconds for a connection, whatever
  ``connect_timeout`` says: it raises anything lower to 2. So the attempt runs in a helper
  thread and the request stops waiting for it after ``CONNECT_WAIT_SECONDS``; the attempt
  ends on its own by psycopg's timeout, and a connection that arrives after we stopped
  waiting is closed at once.
- **Trying again and again.** After an attempt failed, this process does not try again for
  ``HOLD_DOWN_SECONDS``: requests queued behind a dead connection attempt get their 503 at
  once instead of each waiting a second more. The database's return is noticed by the first
  attempt after that, so recovery takes at most three seconds longer.

A connection already open that the network drops silently is given up by the kernel after
``tcp_user_timeout`` (settings). Everything else is Django's backend unchanged.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.backends.postgresql import base
from psycopg import errors as psycopg_errors

CONNECT_WAIT_SECONDS = 1.0
# Longer than one request's own wait: a request that touches the database twice (its session,
# then its error handling) must not wait a second time, even on a loaded machine.
HOLD_DOWN_SECONDS = 3.0

T = TypeVar("T")

# Per database alias: until when (time.monotonic()) new attempts fail without trying.
# Process-wide on purpose: every thread of a web process shares one view of the database.
unreachable_until: dict[str, float] = {}


class NotConnected(psycopg_errors.ConnectionTimeout):
    """No connection within the wait (or the database failed a moment ago)."""


def connect_within(connect: Callable[[], T], *, seconds: float, discard: Callable[[T], None]) -> T:
    """``connect()``'s result if it comes within ``seconds``; else raise ``NotConnected``.

    ``connect`` runs in a daemon thread, which cannot be stopped: it must end by itself (a
    psycopg connection attempt does, by its own timeout). If it succeeds after the caller
    stopped waiting, ``discard`` gets the result, so nothing is left open.
    """
    lock = threading.Lock()
    finished = threading.Event()
    outcome: dict[str, Any] = {}

    def attempt() -> None:
        try:
            value = connect()
        except BaseException as exc:  # handed to the caller, who re-raises it
            outcome["error"] = exc
        else:
            with lock:
                keep = not outcome.get("abandoned")
                if keep:
                    outcome["value"] = value
            if not keep:
                discard(value)
        finished.set()

    threading.Thread(target=attempt, name="peerwork-db-connect", daemon=True).start()
    if finished.wait(seconds):
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]
    with lock:
        if "value" in outcome:  # it came in just as the wait ended
            return outcome["value"]
        outcome["abandoned"] = True
    raise NotConnected(f"no connection to the database within {seconds:g} s")


def _close_quietly(connection: Any) -> None:
    # A connection nobody waits for: a failure to close it has no one to tell.
    with contextlib.suppress(Exception):
        connection.close()


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        if getattr(self, "pool", None):  # django-stubs does not know the pool yet
            # A psycopg pool has its own timeout for handing out connections.
            return super().get_new_connection(conn_params)
        if time.monotonic() < unreachable_until.get(self.alias, 0.0):
            raise NotConnected("the database could not be reached a moment ago")
        try:
            connection = connect_within(
                lambda: base.DatabaseWrapper.get_new_connection(self, conn_params),
                seconds=CONNECT_WAIT_SECONDS,
                discard=_close_quietly,
            )
        except psycopg_errors.OperationalError:
            unreachable_until[self.alias] = time.monotonic() + HOLD_DOWN_SECONDS
            raise
        unreachable_until.pop(self.alias, None)
        return connection
