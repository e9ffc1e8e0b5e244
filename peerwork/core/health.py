"""``/healthz``: is the app up, can it reach its database, are its workers and loops alive.

For monitoring (no sign-in, nothing personal: ages in seconds only)::

    {"status": "ok" | "degraded" | "down", "app": "ok",
     "database": {"ok": true},
     "worker": {"age_seconds": 1.2}, "deadlines": {"age_seconds": 0.4}}

Each age is that of the youngest heartbeat of a running process of the kind (null when
there is none). With ``PEERWORK_TASKS=rq`` the workers beat in Redis instead, in RQ's own
worker registry (``rq_worker_age``); a Redis that does not answer reads as no worker.
"degraded" (HTTP 200): a worker or deadline loop is missing or its heartbeat is older than
the lease, so notifications and alerts are late. "down" (HTTP 503):
the database does not answer. It must answer quickly even then, so the queries run under a
short statement timeout where the backend has one (PostgreSQL); SQLite's WAL readers do
not wait for writers.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import outage
from .models import Heartbeat

logger = logging.getLogger(__name__)

# Well under the 2 s a monitor (and a person) may wait for the answer (docs/operations.md).
STATEMENT_TIMEOUT_MS = 1000
# The same for Redis (with PEERWORK_TASKS=rq), per connect and per reply.
REDIS_TIMEOUT_SECONDS = 0.5


def _ages() -> dict[str, float | None]:
    now = timezone.now()
    return {
        kind: Heartbeat.youngest_age(kind=kind, now=now)
        for kind in (Heartbeat.Kind.WORKER, Heartbeat.Kind.DEADLINES)
    }


def read_heartbeats() -> dict[str, float | None]:
    """The youngest heartbeat age of each kind; raises ``DatabaseError`` when unreachable."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Only for this transaction: a stuck database cannot hold the probe long.
                cursor.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
            return _ages()
    # SQLite: no transaction, since IMMEDIATE mode would make it wait for the write lock.
    return _ages()


def rq_worker_age(*, now: datetime) -> float | None:
    """The age of the youngest beat of an RQ worker registered in Redis, or None.

    RQ removes a worker from its registry when it stops, and a killed worker's entry when
    its key expires; ``run_worker`` makes RQ workers beat within the lease. Read with a
    client of our own: RQ's ``Worker`` objects raise their connection's socket timeout to
    minutes, which would let a stuck Redis hold the probe.
    """
    import redis
    from rq import worker_registration
    from rq.utils import utcparse

    client = redis.Redis.from_url(
        settings.PEERWORK_REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        keys = sorted(worker_registration.get_keys(connection=client))
        with client.pipeline(transaction=False) as pipeline:
            for key in keys:
                pipeline.hget(key, "last_heartbeat")
            beats = [b for b in pipeline.execute() if b]
    except redis.RedisError as exc:
        logger.warning("healthz: Redis unreachable (%s)", type(exc).__name__)
        return None
    finally:
        client.close()
    if not beats:
        return None
    youngest = max(utcparse(b.decode()) for b in beats)
    return max(0.0, (now - youngest).total_seconds())


def down_response() -> JsonResponse:
    """The answer when the database does not answer (also sent by ``peerwork.core.outage``
    when a request to ``/healthz`` failed before reaching this view)."""
    response = JsonResponse(
        {
            "status": "down",
            "app": "ok",
            "database": {"ok": False},
            "worker": {"age_seconds": None},
            "deadlines": {"age_seconds": None},
        },
        status=503,
    )
    add_never_cache_headers(response)
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    lease = timedelta(seconds=settings.PEERWORK_WORKER_LEASE_SECONDS).total_seconds()
    try:
        ages = read_heartbeats()
    except DatabaseError as exc:
        # An outage is logged once, by the outage middleware; anything else here.
        if not outage.note(request, exc):
            logger.warning("healthz: database unreachable (%s)", type(exc).__name__)
        return down_response()
    worker, deadlines = ages[Heartbeat.Kind.WORKER], ages[Heartbeat.Kind.DEADLINES]
    if settings.PEERWORK_TASKS == "rq":
        worker = rq_worker_age(now=timezone.now())
    fresh = all(age is not None and age <= lease for age in (worker, deadlines))
    return JsonResponse(
        {
            "status": "ok" if fresh else "degraded",
            "app": "ok",
            "database": {"ok": True},
            "worker": {"age_seconds": None if worker is None else round(worker, 1)},
            "deadlines": {"age_seconds": None if deadlines is None else round(deadlines, 1)},
        }
    )
