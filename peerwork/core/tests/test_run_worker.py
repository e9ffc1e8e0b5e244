"""``manage.py run_worker`` as a real process on the test database: its heartbeat, a task
left RUNNING by a killed worker given back and run again, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from peerwork.core.deadlines import abandoned_tasks
from peerwork.core.models import Heartbeat
from peerwork.core.tests.live_database import database_url, wait_for
from peerwork.core.tests.tcp_proxy import TcpProxy, database_address, through_proxy

BASE_DIR = Path(django_settings.BASE_DIR)


@task()
def wait_for_file(path: str) -> str:
    """A task that says it has started (``path.started``), then holds its worker until the
    test creates ``path``. Idempotent: running it again changes nothing."""
    Path(f"{path}.started").touch()
    deadline = time.monotonic() + 60
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(path)
        time.sleep(0.02)
    return "done"


def status_of(task_id: str) -> str:
    return DBTaskResult.objects.get(pk=task_id).status


@pytest.fixture
def start_worker(tmp_path) -> Iterator:
    """Start ``run_worker`` processes on this test's database; kill any left at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start(worker_id: str, database: str | None = None) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "PEERWORK_TESTING": "1",
            "PEERWORK_DATABASE_URL": database or database_url(),
            # A short lease, so the heartbeat is refreshed every 1.25 s.
            "PEERWORK_WORKER_LEASE_SECONDS": "5",
        }
        log = (tmp_path / f"{worker_id}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--no-startup-delay",
                "--interval",
                "0.1",
                "--worker-id",
                worker_id,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
def restore_signal_handlers() -> Iterator[None]:
    """``run_worker`` in-process sets its own SIGINT/SIGTERM handlers."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_killed_worker_is_given_back_and_run_again(
    tmp_path, start_worker, restore_signal_handlers
):
    release = tmp_path / "release"
    task_id = wait_for_file.enqueue(str(release)).id
    worker = start_worker("doomed-worker")

    wait_for(lambda: status_of(task_id) == TaskResultStatus.RUNNING)
    # The heartbeat stays fresh while the task holds the worker's main thread.
    first_beat = Heartbeat.objects.get(pk="doomed-worker").last_seen
    wait_for(lambda: Heartbeat.objects.get(pk="doomed-worker").last_seen > first_beat)

    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == TaskResultStatus.RUNNING and row.worker_ids == ["doomed-worker"]

    now = timezone.now()
    assert abandoned_tasks(now) == 0  # its heartbeat is still within the lease
    lease = timedelta(seconds=django_settings.PEERWORK_WORKER_LEASE_SECONDS)
    Heartbeat.objects.filter(pk="doomed-worker").update(
        last_seen=now - lease - timedelta(seconds=1)
    )
    assert abandoned_tasks(now) == 1
    assert status_of(task_id) == TaskResultStatus.READY

    release.touch()
    call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "rescuer")
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == "done"
    assert row.worker_ids == ["doomed-worker", "rescuer"]
    rescuer = Heartbeat.objects.get(pk="rescuer")
    assert rescuer.kind == Heartbeat.Kind.WORKER and rescuer.stopped_at is not None


@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_the_task_in_hand_finish_then_the_worker_exits_cleanly(tmp_path, start_worker):
    release = tmp_path / "release"
    task_id = wait_for_file.enqueue(str(release)).id
    worker = start_worker("stopping-worker")
    # Started, not only claimed: the signal must come while the task runs.
    wait_for((tmp_path / "release.started").exists)

    worker.send_signal(signal.SIGTERM)
    release.touch()
    assert worker.wait(timeout=30) == 0, (tmp_path / "stopping-worker.log").read_text()
    assert status_of(task_id) == TaskResultStatus.SUCCESSFUL
    assert Heartbeat.objects.get(pk="stopping-worker").stopped_at is not None


@pytest.mark.django_db(transaction=True)
def test_an_idle_worker_stops_at_once_on_sigint(tmp_path, start_worker):
    worker = start_worker("idle-worker")
    wait_for(lambda: Heartbeat.objects.filter(pk="idle-worker").exists())
    worker.send_signal(signal.SIGINT)
    assert worker.wait(timeout=30) == 0, (tmp_path / "idle-worker.log").read_text()
    assert Heartbeat.objects.get(pk="idle-worker").stopped_at is not None


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="cuts the network to PostgreSQL (CI runs the suite on PostgreSQL)",
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_outlives_a_database_outage_and_its_task_in_hand_runs_again(
    tmp_path, start_worker
):
    release = tmp_path / "release"
    task_id = wait_for_file.enqueue(str(release)).id
    with TcpProxy(database_address(connection.settings_dict)) as proxy:
        worker = start_worker("cut-off-worker", database=through_proxy(database_url(), proxy))
        wait_for((tmp_path / "release.started").exists)

        proxy.cut("refuse")
        release.touch()  # the task ends while its result cannot be written
        log = tmp_path / "cut-off-worker.log"
        wait_for(lambda: "database unreachable" in log.read_text())
        assert worker.poll() is None, log.read_text()

        proxy.restore()
        wait_for(lambda: Heartbeat.objects.filter(pk="cut-off-worker-1").exists())
        row = DBTaskResult.objects.get(pk=task_id)
        assert row.status == TaskResultStatus.RUNNING and row.worker_ids == ["cut-off-worker"]
        # The old id's lease runs out (arranged, not waited for): the task goes back.
        lease = timedelta(seconds=django_settings.PEERWORK_WORKER_LEASE_SECONDS)
        now = timezone.now()
        Heartbeat.objects.filter(pk="cut-off-worker").update(
            last_seen=now - lease - timedelta(seconds=1)
        )
        assert abandoned_tasks(now) == 1
        wait_for(lambda: status_of(task_id) == TaskResultStatus.SUCCESSFUL)
        assert DBTaskResult.objects.get(pk=task_id).worker_ids[-1].startswith("cut-off-worker-")
        assert worker.poll() is None
