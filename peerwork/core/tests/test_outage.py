"""``peerwork.core.outage``: a plain 503 when the database fails, in-process.

The database is made to fail by an execute wrapper on the test's own connection; the real
faults (a cut network to PostgreSQL, a SQLite file that cannot be opened) are in
``test_database_outage.py``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import OperationalError, ProgrammingError, connection
from django.test import Client

from peerwork.api.tests.helpers import bearer
from peerwork.core.outage import DropOutageRecords, describe, is_outage


@contextmanager
def failing_database(error: BaseException) -> Iterator[None]:
    def fail(execute, sql, params, many, context):
        raise error

    with connection.execute_wrapper(fail):
        yield


def driver_error(message: str = "connection failed: Connection refused") -> BaseException:
    # The driver's own class (psycopg's or sqlite3's), as a direct driver call raises it.
    return connection.Database.OperationalError(message)


@pytest.fixture
def amina_browser(story) -> Client:
    # Without re-raising: the test client otherwise raises any exception a view raised,
    # even one the middleware answered.
    client = Client(raise_request_exception=False)
    client.force_login(story.amina.user)
    return client


def test_a_signed_in_page_answers_a_plain_503_when_the_database_is_unreachable(amina_browser):
    with failing_database(driver_error()):
        response = amina_browser.get("/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert "Peerwork is unavailable for a moment" in html
    assert "cannot reach its database" in html
    assert '<meta http-equiv="refresh" content="10">' in html
    assert "Amina" not in html and "Traceback" not in html and "OperationalError" not in html


def test_djangos_own_operational_error_counts_as_well(amina_browser):
    with failing_database(OperationalError("server closed the connection unexpectedly")):
        assert amina_browser.get("/").status_code == 503


def test_a_form_sent_during_an_outage_is_not_reloaded_and_says_to_check_it_was_saved(
    amina_browser,
):
    with failing_database(driver_error()):
        response = amina_browser.post("/teams/new", {"name": "Night outreach"})
    html = response.content.decode()
    assert response.status_code == 503
    assert "http-equiv" not in html
    assert "check whether it was saved" in html


def test_the_page_is_in_the_browsers_language_since_the_profile_cannot_be_read(story):
    story.amina.user.language = "sw"
    story.amina.user.save(update_fields=["language"])
    client = Client(raise_request_exception=False, headers={"Accept-Language": "ru"})
    client.force_login(story.amina.user)
    with failing_database(driver_error()):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()


def test_the_language_cookie_wins_over_the_browser(amina_browser):
    amina_browser.cookies["django_language"] = "uk"
    with failing_database(driver_error()):
        response = amina_browser.get("/", headers={"Accept-Language": "ru"})
    assert response.status_code == 503
    assert response["Content-Language"] == "uk"
    assert '<html lang="uk">' in response.content.decode()


def test_the_api_answers_a_json_503(story):
    headers = bearer(story.amina)
    client = Client(raise_request_exception=False)
    with failing_database(driver_error()):
        response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json() == {
        "detail": "Peerwork cannot reach its database just now. Try again soon."
    }


def test_healthz_with_a_session_answers_down_even_when_it_fails_before_the_view(amina_browser):
    # The session's person is read (and fails) in the middleware, before the view runs.
    with failing_database(driver_error()):
        response = amina_browser.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"] == {"ok": False}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_failing_in_its_own_view_is_logged_once(db, caplog):
    # Django's class: the view catches what Django raises (the driver's error, wrapped).
    with failing_database(OperationalError("connection refused")):
        response = Client().get("/healthz")  # a monitor: no session, so the view runs
    assert response.status_code == 503 and response.json()["status"] == "down"
    assert [r.name for r in caplog.records if r.name.startswith(("peerwork", "django"))] == [
        "peerwork.core.outage"
    ]


def test_other_database_errors_stay_server_errors(amina_browser):
    with failing_database(ProgrammingError("relation does not exist")):
        response = amina_browser.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_the_outage_is_logged_in_one_line_without_the_path_or_the_person(
    amina_browser, story, caplog
):
    caplog.set_level(logging.INFO)
    with failing_database(driver_error("connection failed: Connection refused\n\tIs it up?")):
        amina_browser.get(f"/people/{story.olena.pk}")
    lines = [r.getMessage() for r in caplog.records if r.name.startswith(("peerwork", "django"))]
    assert lines == [
        "database unreachable: GET request answered 503 "
        f"({connection.Database.OperationalError.__name__}: connection failed: Connection refused)"
    ]
    assert str(story.olena.pk) not in caplog.text and "amina" not in caplog.text


def test_a_real_server_error_is_still_logged_by_django(amina_browser, caplog):
    # The filter that drops Django's record of an outage must leave every other one.
    with failing_database(ProgrammingError("relation does not exist")):
        amina_browser.get("/")
    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == [
        "Internal Server Error: /"
    ]


def test_the_log_filter_keeps_records_without_a_request():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", None, None)
    assert DropOutageRecords().filter(record)


def wrapped(error: BaseException) -> OperationalError:
    """The driver's error as Django raises it: its own class, the driver's as the cause."""
    try:
        raise OperationalError(str(error)) from error
    except OperationalError as exc:
        return exc


def sqlite_error(tmp_path, statement: str) -> sqlite3.Error:
    database = sqlite3.connect(tmp_path / "probe.sqlite3")
    try:
        database.execute(statement)
    except sqlite3.Error as exc:
        return exc
    finally:
        database.close()
    raise AssertionError(f"{statement!r} did not fail")


def test_a_faulty_sqlite_statement_is_a_bug_not_an_outage(tmp_path):
    error = sqlite_error(tmp_path, "SELECT * FROM no_such_table")
    assert isinstance(error, sqlite3.OperationalError)
    assert not is_outage(wrapped(error))


def test_a_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path):
    with pytest.raises(sqlite3.OperationalError) as raised:
        sqlite3.connect(tmp_path / "gone" / "peerwork.sqlite3")
    assert is_outage(wrapped(raised.value))
    assert describe(wrapped(raised.value)) == "OperationalError SQLITE_CANTOPEN"


def test_a_locked_sqlite_database_is_an_outage(tmp_path):
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            waiter.execute("BEGIN IMMEDIATE")
    finally:
        waiter.close()
        holder.close()
    assert is_outage(wrapped(raised.value))


def test_nothing_but_operational_and_interface_errors_counts():
    assert not is_outage(None)
    assert not is_outage(ValueError("x"))
    assert not is_outage(ProgrammingError("x"))
