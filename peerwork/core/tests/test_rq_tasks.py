"""The task queue "at scale": ``PEERWORK_TASKS=rq`` (django-tasks-rq on a real Redis).

Peerwork's processes run as subprocesses configured for RQ on this test's database: one
enqueues real tasks through the services that enqueue them in production (a webhook
notification, an invitation email), ``run_worker --batch`` runs them, and the effects are
read back (the webhook received and its attempt recorded, the email written). ``/healthz``
reads the workers' beats from RQ's registry. Each test gets a Redis database of its own
(1-15, claimed with ``SET NX`` and used only while empty) and deletes only the keys RQ made
there, so parallel runs and the demo (database 0) do not meet.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks_db.models import DBTaskResult
from rq import Queue, Worker, worker_registration
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from rq.utils import utcformat

from peerwork.core.channels import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from peerwork.core.models import (
    Delivery,
    DeliveryAttempt,
    Heartbeat,
    Invitation,
    NotificationPreference,
    WebhookEndpoint,
)
from peerwork.core.notify import API_TOKEN_EXPIRING
from peerwork.core.tasks import invitation_from_token
from peerwork.core.tests.live_database import database_url, wait_for

BASE_DIR = Path(django_settings.BASE_DIR)
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Marks a Redis database as this test's while it runs (expires should the run be killed).
CLAIM_KEY = "peerwork:test-claim"
SECRET = "a-webhook-secret-of-thirty-two-chars!"


def redis_reachable() -> bool:
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


needs_redis = pytest.mark.skipif(
    not redis_reachable(),
    reason="needs Redis on 127.0.0.1:6379 (CI starts it in .ci/run; locally: redis-server)",
)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of this test's own: the first of 1-15 it can claim while empty."""
    run = uuid.uuid4().hex
    claimed: redis.Redis | None = None
    for number in range(1, 16):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
        if client.set(CLAIM_KEY, run, nx=True, ex=300):
            if client.dbsize() == 1:
                claimed = client
                break
            client.delete(CLAIM_KEY)  # someone else's data is there: leave it alone
        client.close()
    if claimed is None:
        pytest.skip("no empty Redis database among 1-15 for this test")
    try:
        yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
    finally:
        # Only what RQ made here (every RQ key starts with "rq:"), then the claim.
        keys = list(claimed.scan_iter(match="rq:*"))
        if keys:
            claimed.delete(*keys)
        if claimed.get(CLAIM_KEY) == run.encode():
            claimed.delete(CLAIM_KEY)
        claimed.close()


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that answers 200 to every POST."""

    url: str = ""
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    fake = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            fake.received.append((self.path, dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def rq_env(redis_url: str, tmp_path: Path) -> dict[str, str]:
    """A Peerwork process configured for RQ, on this test's database and Redis."""
    return {
        **os.environ,
        "PEERWORK_TESTING": "1",
        "PEERWORK_DATABASE_URL": database_url(),
        "PEERWORK_TASKS": "rq",
        "PEERWORK_REDIS_URL": redis_url,
        "PEERWORK_EMAIL_URL": f"file://{tmp_path / 'mail'}",
        "PEERWORK_AUDIT_HEAD_FILE": str(tmp_path / "audit-heads.log"),
        # Beats every 2 s (RQ counts whole seconds), so the live-worker test is quick.
        "PEERWORK_WORKER_LEASE_SECONDS": "5",
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# What a process configured for RQ runs: the same services that enqueue in production,
# whose tasks are enqueued when their transactions commit.
ENQUEUE = """
from django_scopes import scope, scopes_disabled
from peerwork.core.models import Membership, Role
from peerwork.core.notify import API_TOKEN_EXPIRING, notify
from peerwork.core.services import invite

with scopes_disabled():
    amina = Membership.objects.get(pk={amina!r})
    chen = Membership.objects.get(pk={chen!r})
notify(
    recipient=amina,
    kind=API_TOKEN_EXPIRING.kind,
    params={{"token": "5d0e", "expires_at": "2026-12-01T09:00:00+00:00"}},
)
with scope(organisation=chen.organisation_id):
    invite(actor=chen, email="new.colleague@example.org", roles=[Role.STAFF])
"""


def healthz(client) -> dict[str, Any]:
    response = client.get("/healthz")
    assert response.status_code == 200
    return response.json()


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_tasks_enqueued_under_rq_are_run_by_run_worker_and_their_effects_recorded(
    story, redis_url, receiver, tmp_path
):
    with scope(organisation=story.harbourside.pk):
        WebhookEndpoint.objects.create(
            organisation=story.harbourside,
            url=f"{receiver.url}/hooks/peerwork",
            secret=SECRET,
            kinds=[API_TOKEN_EXPIRING.kind],
        )
        NotificationPreference.objects.create(
            organisation=story.harbourside,
            membership=story.amina,
            kind=API_TOKEN_EXPIRING.kind,
            channels=["webhook"],
        )
    env = rq_env(redis_url, tmp_path)

    code = ENQUEUE.format(amina=str(story.amina.pk), chen=str(story.chen.pk))
    enqueued = manage(env, "shell", "-c", code)
    assert enqueued.returncode == 0, enqueued.stderr

    # Both sends wait in Redis, not in the database queue, and nothing has gone out yet.
    connection = redis.Redis.from_url(redis_url)
    queue = Queue("default", connection=connection)
    job_ids = queue.get_job_ids()
    assert sorted(Job.fetch(j, connection=connection).func_name for j in job_ids) == [
        "peerwork.core.tasks.deliver",
        "peerwork.core.tasks.send_invitation",
    ]
    assert not DBTaskResult.objects.exists()
    with scopes_disabled():
        delivery = Delivery.objects.get(channel="webhook")
        invitation = Invitation.objects.get(email="new.colleague@example.org")
    assert delivery.state == Delivery.State.PENDING and receiver.received == []
    assert not (tmp_path / "mail").exists()

    worked = manage(env, "run_worker", "--batch", "--worker-id", "rq-batch-worker")
    assert worked.returncode == 0, worked.stderr

    # The webhook arrived, signed, naming the delivery; its one attempt is recorded.
    [(path, headers, body)] = receiver.received
    assert path == "/hooks/peerwork"
    assert headers[DELIVERY_HEADER] == str(delivery.pk)
    assert verify_signature(
        secret=SECRET,
        body=body,
        timestamp=headers[TIMESTAMP_HEADER],
        signature=headers[SIGNATURE_HEADER],
    )
    assert json.loads(body)["delivery"] == str(delivery.pk)
    with scopes_disabled():
        delivery.refresh_from_db()
        attempts = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 1
    assert [(a.number, a.outcome, a.error) for a in attempts] == [(1, "sent", "")]

    # The invitation email was written, with its link on the configured base URL.
    [message] = (tmp_path / "mail").iterdir()
    text = message.read_text()
    assert "To: new.colleague@example.org" in text
    [link] = re.findall(rf"{re.escape(django_settings.PEERWORK_BASE_URL)}/\S+", text)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert invitation_from_token(token) == invitation

    # RQ recorded both jobs as finished by the named worker, which then left its registry.
    assert sorted(FinishedJobRegistry(queue=queue).get_job_ids()) == sorted(job_ids)
    assert FailedJobRegistry(queue=queue).get_job_ids() == []
    assert {Job.fetch(j, connection=connection).latest_result().worker_name for j in job_ids} == {
        "rq-batch-worker"
    }
    assert worker_registration.get_keys(connection=connection) == set()
    assert not Heartbeat.objects.exists()  # RQ's workers beat in Redis
    connection.close()


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_under_rq_healthz_sees_a_running_workers_beat_and_no_worker_once_it_stops(
    client, settings, redis_url, tmp_path
):
    settings.PEERWORK_TASKS = "rq"
    settings.PEERWORK_REDIS_URL = redis_url
    Heartbeat.beat(process_id="loop", kind=Heartbeat.Kind.DEADLINES)
    assert healthz(client)["worker"] == {"age_seconds": None}

    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--worker-id", "rq-live-worker"],
        cwd=BASE_DIR,
        env=rq_env(redis_url, tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        connection = redis.Redis.from_url(redis_url)
        wait_for(lambda: worker_registration.get_keys(connection=connection))
        body = healthz(client)
        assert body["status"] == "ok", body
        assert 0 <= body["worker"]["age_seconds"] < 5
        # An idle worker beats again within the lease (RQ's own default: every 405 s).
        key = f"{Worker.redis_worker_namespace_prefix}rq-live-worker"
        first_beat = connection.hget(key, "last_heartbeat")
        wait_for(lambda: connection.hget(key, "last_heartbeat") != first_beat, timeout=5)

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, (tmp_path / "worker.log").read_text()
        body = healthz(client)
        assert body["status"] == "degraded"
        assert body["worker"] == {"age_seconds": None}
        connection.close()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


@needs_redis
def test_under_rq_a_worker_whose_last_beat_is_older_than_the_lease_is_degraded(
    client, db, settings, redis_url
):
    settings.PEERWORK_TASKS = "rq"
    settings.PEERWORK_REDIS_URL = redis_url
    settings.PEERWORK_WORKER_LEASE_SECONDS = 60
    Heartbeat.beat(process_id="loop", kind=Heartbeat.Kind.DEADLINES)
    connection = redis.Redis.from_url(redis_url)
    # Registered as RQ registers its workers; the youngest of the two beats counts.
    ages = {"rq-older-worker": 300, "rq-quiet-worker": 61}
    for name, seconds in ages.items():
        registered = Worker(["default"], connection=connection, name=name)
        registered.register_birth()
        connection.hset(
            registered.key, "last_heartbeat", utcformat(timezone.now() - timedelta(seconds=seconds))
        )
    body = healthz(client)
    assert body["status"] == "degraded"
    assert 61 <= body["worker"]["age_seconds"] < 70

    connection.hset(
        f"{Worker.redis_worker_namespace_prefix}rq-quiet-worker",
        "last_heartbeat",
        utcformat(timezone.now()),
    )
    assert healthz(client)["status"] == "ok"
    connection.close()


def test_under_rq_healthz_still_answers_quickly_when_redis_hangs(client, db, settings):
    # A socket that takes connections (the kernel's backlog) and never replies: a stuck
    # Redis, worse for a probe than one that refuses.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    settings.PEERWORK_TASKS = "rq"
    settings.PEERWORK_REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
    Heartbeat.beat(process_id="loop", kind=Heartbeat.Kind.DEADLINES)
    try:
        started = time.monotonic()
        body = healthz(client)
        assert time.monotonic() - started < 1.5
    finally:
        silent.close()
    assert body["status"] == "degraded"
    assert body["database"] == {"ok": True}
    assert body["worker"] == {"age_seconds": None}


def test_run_worker_under_rq_exits_with_a_message_when_redis_refuses(tmp_path, db):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    result = manage(rq_env(f"redis://127.0.0.1:{port}/0", tmp_path), "run_worker", "--batch")
    assert result.returncode != 0
    assert "Redis does not answer" in result.stderr
