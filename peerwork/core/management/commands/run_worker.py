"""``manage.py run_worker``: the background task worker.

With ``PEERWORK_TASKS=db`` (the default) this is django-tasks-db's worker plus a heartbeat:
a ``Heartbeat`` row (kind ``worker``, id = the worker id) written before the first task is
claimed and refreshed every few seconds by a small thread, even while a long task runs.
The deadline loop gives a task back to the queue when the heartbeat of the worker that
holds it is older than ``PEERWORK_WORKER_LEASE_SECONDS`` or missing
(``peerwork.core.deadlines.AbandonedTasks``), so a task may run more than once: every task
must be idempotent. SIGINT or SIGTERM stops it cleanly (the task in hand finishes, the
heartbeat is marked stopped, exit status 0); a second signal ends the task at once.

With ``PEERWORK_TASKS=rq`` it runs django-rq's worker on the same queues; RQ notices
jobs abandoned by dead workers itself (its own worker heartbeats and abandoned-job
registry), so nothing is added there. RQ's worker beats in Redis, not in the
``Heartbeat`` table; its defaults beat only every 405 s when idle and 30 s during a job,
so here it beats as often as ours (``heartbeat_seconds``), and ``/healthz`` reads those
beats against the same lease (``peerwork.core.health``). ``--worker-id`` names it and
``--max-tasks`` applies as with the database queue.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from peerwork.core import outage
from peerwork.core.models import Heartbeat

logger = logging.getLogger("peerwork.core.worker")


# How long a worker that lost the database waits before trying again.
OUTAGE_RETRY_SECONDS = 1.0


def heartbeat_seconds() -> float:
    """Often enough that a live worker never looks dead: a few beats per lease."""
    return min(5.0, settings.PEERWORK_WORKER_LEASE_SECONDS / 4)


class HeartbeatThread(threading.Thread):
    """Keeps the worker's heartbeat fresh while the main thread runs tasks."""

    def __init__(self, worker_id: str, interval: float) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.interval):
                try:
                    Heartbeat.beat(process_id=self.worker_id, kind=Heartbeat.Kind.WORKER)
                except DatabaseError:
                    # A missed beat or two is within the lease; keep trying.
                    logger.warning("worker %s: heartbeat not written", self.worker_id)
                    connection.close()
        finally:
            # This thread's own database connection.
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


class HeartbeatWorker(Worker):
    """django-tasks-db's ``Worker`` with a heartbeat around its run loop.

    When the database cannot be reached it does not exit (``make run`` would stop the whole
    of Peerwork with it): it lets go of its worker id, as a worker that died would, waits,
    and starts again under a new id (``<id>-1``, ``<id>-2`` …) once the database answers.
    A task it held is given back by the deadline loop when the old id's heartbeat ages past
    the lease, as after a crash (docs/operations.md "When the database is down").
    """

    def run(self) -> None:
        first_id = self.worker_id
        restarts = 0
        while True:
            try:
                self.run_as_one_worker()
                return
            except DatabaseError as exc:
                if not self.running or not outage.is_outage(exc):
                    raise
                restarts += 1
                new_id = f"{first_id[:56]}-{restarts}"
                logger.warning(
                    "worker %s: database unreachable (%s); trying again as %s",
                    self.worker_id,
                    outage.describe(exc),
                    new_id,
                )
                connection.close()
                time.sleep(OUTAGE_RETRY_SECONDS)  # a signal now ends the worker at once
                self.worker_id = new_id

    def run_as_one_worker(self) -> None:
        beating: HeartbeatThread | None = None
        # Everything from the first beat on is inside the try: a signal may arrive (and
        # exit) the moment the heartbeat is written, and the worker must still say it
        # stopped.
        try:
            # Before the first claim, so a task seen RUNNING always has a heartbeat.
            Heartbeat.beat(process_id=self.worker_id, kind=Heartbeat.Kind.WORKER)
            beating = HeartbeatThread(self.worker_id, heartbeat_seconds())
            beating.start()
            super().run()
        finally:
            if beating is not None:
                beating.stop()
            try:
                Heartbeat.stop(process_id=self.worker_id)
            except DatabaseError:
                logger.warning("worker %s: could not mark the heartbeat stopped", self.worker_id)


def run_rq_worker(
    *, queues: list[str], batch: bool, max_tasks: int | None, worker_id: str, verbosity: int
) -> None:
    """django-rq's worker (what its ``rqworker`` command starts), beating within the lease.

    An idle RQ worker beats each time its wait for a job times out (``worker_ttl`` - 15 s)
    and, while a job runs, every ``job_monitoring_interval``: both are set to
    ``heartbeat_seconds()`` so a live worker never looks dead on ``/healthz``.
    """
    from django_rq.utils import reset_db_connections
    from django_rq.workers import get_worker
    from redis.exceptions import ConnectionError as RedisConnectionError
    from rq.logutils import setup_loghandlers

    beat = max(1, math.ceil(heartbeat_seconds()))
    level = "DEBUG" if verbosity >= 2 else "WARNING" if verbosity == 0 else "INFO"
    setup_loghandlers(level)
    try:
        # The job class is django-tasks-rq's, from settings.RQ.
        worker = get_worker(
            *queues,
            name=worker_id[:64] or None,
            worker_ttl=beat + 15,
            job_monitoring_interval=beat,
        )
        # Each job runs in a forked child: no database connection may be shared with it.
        reset_db_connections()
        worker.work(burst=batch, max_jobs=max_tasks, logging_level=level)
    except RedisConnectionError as exc:
        # Not the URL: it may carry Redis's password.
        raise CommandError(f"Redis does not answer: {exc}") from exc


class Command(BaseCommand):
    help = "Run the background task worker (with a heartbeat, so a dead worker's tasks rerun)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue-name",
            default="default",
            help="Queues to process, comma-separated (default: %(default)s).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty (default: %(default)s).",
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run the tasks waiting now, then exit."
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="Exit after this many tasks."
        )
        parser.add_argument(
            "--worker-id",
            default="",
            help="This worker's id, unique in the pool (default: made up).",
        )
        parser.add_argument(
            "--no-startup-delay",
            action="store_false",
            dest="startup_delay",
            help="Start at once (no small random delay).",
        )

    def handle(
        self,
        *args: Any,
        queue_name: str,
        interval: float,
        batch: bool,
        max_tasks: int | None,
        worker_id: str,
        startup_delay: bool,
        **options: Any,
    ) -> None:
        queues = [q for q in queue_name.split(",") if q]
        if settings.PEERWORK_TASKS == "rq":
            run_rq_worker(
                queues=queues,
                batch=batch,
                max_tasks=max_tasks,
                worker_id=worker_id,
                verbosity=options.get("verbosity", 1),
            )
            return
        worker = HeartbeatWorker(
            queue_names=queues,
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=(worker_id or get_random_string(32))[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            worker.reset_signals()
