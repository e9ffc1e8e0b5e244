"""``/healthz``: app, database, and the youngest heartbeat of the worker and deadline loop."""

from __future__ import annotations

from datetime import timedelta

from django.db import OperationalError, connection
from django.utils import timezone

from peerwork.core.models import Heartbeat


def beat(process_id: str, kind: str, seconds_ago: float) -> None:
    Heartbeat.beat(
        process_id=process_id, kind=kind, now=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_with_no_worker_or_loop_running_it_answers_degraded(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "degraded",
        "app": "ok",
        "database": {"ok": True},
        "worker": {"age_seconds": None},
        "deadlines": {"age_seconds": None},
    }


def test_with_fresh_heartbeats_of_both_kinds_it_answers_ok_with_the_youngest_ages(client, db):
    beat("worker-old", Heartbeat.Kind.WORKER, 30)
    beat("worker-new", Heartbeat.Kind.WORKER, 3)
    beat("loop", Heartbeat.Kind.DEADLINES, 1)
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert 3 <= body["worker"]["age_seconds"] < 10
    assert 1 <= body["deadlines"]["age_seconds"] < 10


def test_a_heartbeat_older_than_the_lease_is_degraded(client, db, settings):
    settings.PEERWORK_WORKER_LEASE_SECONDS = 60
    beat("worker", Heartbeat.Kind.WORKER, 61)
    beat("loop", Heartbeat.Kind.DEADLINES, 1)
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["worker"]["age_seconds"] >= 61


def test_a_process_that_stopped_does_not_count_as_running(client, db):
    beat("worker", Heartbeat.Kind.WORKER, 1)
    beat("loop", Heartbeat.Kind.DEADLINES, 1)
    Heartbeat.stop(process_id="loop")
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["deadlines"] == {"age_seconds": None}
    assert body["worker"]["age_seconds"] is not None


def test_when_the_database_fails_it_answers_down_with_503(client, db):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("database unreachable")

    with connection.execute_wrapper(refuse):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "app": "ok",
        "database": {"ok": False},
        "worker": {"age_seconds": None},
        "deadlines": {"age_seconds": None},
    }


def test_it_is_never_cached(client, db):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
