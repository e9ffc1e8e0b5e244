"""A real Peerwork web server (gunicorn, as ``make run`` starts it) losing its database.

PostgreSQL: the server reaches the database through a TCP proxy on 127.0.0.1 that the test
cuts and restores (``tcp_proxy``), never by stopping the shared server. Cut, a signed-in
page and ``/healthz`` answer 503 within 2 seconds; restored, the page answers 200 again
within 10 seconds, without a restart. Both ways a network fails: packets dropped (a new
connection hangs) and the server gone (a new connection is reset).

SQLite: the database file cannot be opened (its folder went away, as a lost volume would),
then comes back.

The 2 s and 10 s are the behaviour issue 3 asks for (a person waiting at a page), not a
benchmark: each is measured on one request, with no slack added.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from peerwork.core.tests.live_database import database_url, wait_for
from peerwork.core.tests.tcp_proxy import TcpProxy, database_address, through_proxy
from peerwork.run import BASE_DIR, child_commands

OUTAGE_ANSWER_SECONDS = 2.0
RECOVERY_SECONDS = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def start_server(tmp_path) -> Iterator:
    """``start_server(database_url, cookies)``: gunicorn serving Peerwork on a free port;
    back come an ``httpx.Client`` with those cookies (a signed-in browser) and one without
    (a monitor). Stopped at the end of the test."""
    started: list[tuple[subprocess.Popen[bytes], list[httpx.Client]]] = []

    def start(url: str, cookies: dict[str, str]) -> tuple[httpx.Client, httpx.Client]:
        port = free_port()
        env = {
            **os.environ,
            "PEERWORK_TESTING": "1",
            "PEERWORK_DATABASE_URL": url,
            # The test process's key, so the session it signs in is valid there.
            "PEERWORK_SECRET_KEY": settings.SECRET_KEY,
        }
        log = (tmp_path / "gunicorn.log").open("wb")
        process = subprocess.Popen(
            child_commands(port=port)["web"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        base_url = f"http://127.0.0.1:{port}"
        browser = httpx.Client(base_url=base_url, cookies=cookies, timeout=30)
        monitor = httpx.Client(base_url=base_url, timeout=30)
        started.append((process, [browser, monitor]))

        def listening() -> bool:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                return monitor.get("/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_for(listening, timeout=60)
        return browser, monitor

    yield start
    for process, clients in started:
        for client in clients:
            client.close()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def session_cookie(member) -> dict[str, str]:
    """A signed-in browser's cookie for ``member``, saved in the (committed) database."""
    client = Client()
    client.force_login(member.user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def timed_get(client: httpx.Client, path: str, **kwargs) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = client.get(path, **kwargs)
    return response, time.monotonic() - started


def assert_answers_unavailable_quickly(browser: httpx.Client, monitor: httpx.Client) -> None:
    page, seconds = timed_get(browser, "/")
    assert page.status_code == 503, page.text
    assert seconds < OUTAGE_ANSWER_SECONDS, f"the page took {seconds:.2f} s"
    assert page.headers["Retry-After"] == "10"
    assert "Peerwork is unavailable for a moment" in page.text
    assert "Amina" not in page.text

    health, seconds = timed_get(monitor, "/healthz")
    assert health.status_code == 503
    assert seconds < OUTAGE_ANSWER_SECONDS, f"/healthz took {seconds:.2f} s"
    assert health.json()["status"] == "down"

    # The person's own API call, from the same browser session.
    api, seconds = timed_get(browser, "/api/v1/me")
    assert api.status_code == 503 and "detail" in api.json()
    assert seconds < OUTAGE_ANSWER_SECONDS, f"the API took {seconds:.2f} s"


def assert_recovers(browser: httpx.Client) -> None:
    """Within ``RECOVERY_SECONDS`` the page answers 200 and keeps answering it: each web
    process recovers on its own, so "back" means ten answers in a row, from both."""
    answers: list[int] = []

    def page_is_back() -> bool:
        page = browser.get("/")
        answers.append(page.status_code)
        assert page.status_code in (200, 503), page.text
        assert page.status_code == 503 or "Amina Wanjiru" in page.text
        return answers[-10:] == [200] * 10

    wait_for(page_is_back, timeout=RECOVERY_SECONDS)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a network between Peerwork and PostgreSQL (CI runs the suite on PostgreSQL)",
)
@pytest.mark.parametrize("cut", ["blackhole", "refuse"])
@pytest.mark.django_db(transaction=True)
def test_with_postgresql_cut_off_pages_answer_503_in_2_s_and_recover_within_10_s(
    story, start_server, cut
):
    with TcpProxy(database_address(connection.settings_dict)) as proxy:
        browser, monitor = start_server(
            through_proxy(database_url(), proxy), session_cookie(story.amina)
        )
        for _ in range(4):  # both gunicorn workers hold an open connection, most likely
            page = browser.get("/")
            assert page.status_code == 200 and "Amina Wanjiru" in page.text

        proxy.cut(cut)
        assert_answers_unavailable_quickly(browser, monitor)
        assert_answers_unavailable_quickly(browser, monitor)  # again, on either worker

        proxy.restore()
        assert_recovers(browser)


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="a SQLite file; the PostgreSQL test above covers PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_with_the_sqlite_file_gone_pages_answer_503_and_recover_when_it_returns(
    story, start_server, tmp_path
):
    cookies = session_cookie(story.amina)
    folder = tmp_path / "data"
    folder.mkdir()
    copy = folder / "peerwork.sqlite3"
    # A consistent copy of the committed test database (its WAL included).
    source = sqlite3.connect(connection.settings_dict["NAME"])
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    browser, monitor = start_server(f"sqlite:///{copy}", cookies)
    assert browser.get("/").status_code == 200

    away = folder.rename(tmp_path / "data-away")
    assert_answers_unavailable_quickly(browser, monitor)

    away.rename(folder)
    assert_recovers(browser)


def test_the_proxy_really_forwards_and_really_cuts():
    """The fault the tests above rely on: a cut ends open connections and new ones fail."""
    with socket.create_server(("127.0.0.1", 0)) as echo_listener:
        echo_port = echo_listener.getsockname()[1]

        def echo_once() -> None:
            peer, _ = echo_listener.accept()
            with peer:
                while data := peer.recv(1024):
                    peer.sendall(data)

        threading.Thread(target=echo_once, daemon=True).start()
        with TcpProxy(("127.0.0.1", echo_port)) as proxy:
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as open_one:
                open_one.sendall(b"hello")
                assert open_one.recv(5) == b"hello"
                proxy.cut("blackhole")
                with pytest.raises(OSError):
                    open_one.sendall(b"more")
                    if not open_one.recv(5):
                        raise ConnectionResetError
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=0.3) as held:
                held.sendall(b"anyone?")
                with pytest.raises(TimeoutError):
                    held.recv(5)
            proxy.cut("refuse")
            with (
                pytest.raises(OSError),
                socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as reset,
            ):
                reset.sendall(b"anyone?")
                if not reset.recv(5):
                    raise ConnectionResetError
