"""``peerwork.core.postgresql``: a connection attempt gives up within a second, and a
process does not try again for a moment after a failure.

Against fake servers on 127.0.0.1 (a proxy that never answers, or resets), so these run
with or without a PostgreSQL server; the one that connects for real needs PostgreSQL.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection

from peerwork.core.postgresql import base
from peerwork.core.postgresql.base import NotConnected, connect_within
from peerwork.core.tests.tcp_proxy import TcpProxy


def settings_for(port: int | str, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "ENGINE": "peerwork.core.postgresql",
        "NAME": "peerwork_probe",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "OPTIONS": {"connect_timeout": 2},
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TIME_ZONE": None,
        "TEST": {},
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def wrapper_for(django_db_blocker) -> Iterator:
    """``wrapper_for(port)``: a database wrapper of our backend under an alias of its own,
    so its hold-down touches no other test. These wrappers never reach the test database,
    so pytest-django's guard is lifted for them."""
    made: list[base.DatabaseWrapper] = []

    def make(port: int | str, **overrides: Any) -> base.DatabaseWrapper:
        wrapper = base.DatabaseWrapper(settings_for(port, **overrides), f"probe-{uuid.uuid4()}")
        made.append(wrapper)
        return wrapper

    with django_db_blocker.unblock():
        yield make
    for wrapper in made:
        wrapper.close()
        base.unreachable_until.pop(wrapper.alias, None)


def timed_failure(wrapper: base.DatabaseWrapper) -> tuple[float, BaseException]:
    started = time.monotonic()
    with pytest.raises(OperationalError) as raised:
        wrapper.ensure_connection()
    return time.monotonic() - started, raised.value


def test_a_server_that_never_answers_is_given_up_after_a_second(wrapper_for):
    with TcpProxy(upstream=None, mode="blackhole") as server:
        elapsed, error = timed_failure(wrapper_for(server.port))
        assert server.accepted == 1
    # psycopg alone would wait 2 s (it raises a lower connect_timeout to 2).
    assert base.CONNECT_WAIT_SECONDS <= elapsed < base.CONNECT_WAIT_SECONDS + 0.5
    assert isinstance(error.__cause__, NotConnected)


def test_a_server_that_resets_the_connection_fails_at_once(wrapper_for):
    with TcpProxy(upstream=None, mode="refuse") as server:
        elapsed, error = timed_failure(wrapper_for(server.port))
    assert elapsed < 0.5
    assert not isinstance(error.__cause__, NotConnected)


def test_after_a_failure_the_process_does_not_try_again_for_a_moment(wrapper_for):
    with TcpProxy(upstream=None, mode="refuse") as server:
        wrapper = wrapper_for(server.port)
        timed_failure(wrapper)
        elapsed, error = timed_failure(wrapper)
        assert server.accepted == 1  # the second attempt never reached the server
        assert elapsed < 0.1
        assert "a moment ago" in str(error)
        # The moment has passed (arranged in the data, not waited for): it tries again.
        base.unreachable_until[wrapper.alias] = time.monotonic()
        timed_failure(wrapper)
        assert server.accepted == 2


def test_the_hold_down_is_per_database(wrapper_for):
    with TcpProxy(upstream=None, mode="refuse") as server:
        timed_failure(wrapper_for(server.port))
        timed_failure(wrapper_for(server.port))
        assert server.accepted == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a PostgreSQL server")
def test_a_reachable_database_connects_and_clears_the_hold_down(wrapper_for, db):
    settings = connection.settings_dict
    wrapper = wrapper_for(
        settings["PORT"] or 5432,
        NAME=settings["NAME"],
        USER=settings["USER"],
        PASSWORD=settings["PASSWORD"],
        HOST=settings["HOST"] or "127.0.0.1",
    )
    base.unreachable_until[wrapper.alias] = time.monotonic() - 0.001
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert wrapper.alias not in base.unreachable_until


def test_connect_within_returns_what_comes_in_time():
    assert connect_within(lambda: "connection", seconds=5, discard=pytest.fail) == "connection"


def test_connect_within_passes_on_the_attempts_own_error():
    def refuse() -> str:
        raise ConnectionRefusedError("refused")

    with pytest.raises(ConnectionRefusedError):
        connect_within(refuse, seconds=5, discard=pytest.fail)


def test_a_connection_that_comes_too_late_is_closed():
    go_on, discarded = threading.Event(), []
    closed = threading.Event()

    def slow() -> str:
        go_on.wait(10)
        return "late connection"

    def discard(value: str) -> None:
        discarded.append(value)
        closed.set()

    with pytest.raises(NotConnected):
        connect_within(slow, seconds=0.05, discard=discard)
    assert discarded == []
    go_on.set()
    assert closed.wait(10)
    assert discarded == ["late connection"]
