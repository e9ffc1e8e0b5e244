"""The deadline loop's steps (``manage.py run_deadlines``), in healthchecks' ``sendalerts``
pattern: each step finds rows whose due time has passed, claims each with a conditional
``UPDATE … WHERE <still due>`` and acts only on the rows its own update changed. So several
loops may run at once (on several machines) and each due row is acted on once, and a loop
that dies mid-step loses nothing: unclaimed rows stay due (DESIGN.md "Stack", "Budgets").

A step is any callable ``step(now) -> int`` (how many rows it acted on), registered with
``register_deadline``. Every step takes ``now`` explicitly, so tests arrange time in data
instead of waiting. Later modules (missed outreach returns, reminders) register their
steps from their ``AppConfig.ready``; ``ClaimingStep`` is the helper most will want::

    class MissedReturns(ClaimingStep[Shift]):
        name = "outreach.missed_returns"
        def due(self, now): ...          # a few due rows (a query on a due-time index)
        def claim(self, shift, now): ... # a conditional update; True if this loop won
        def act(self, shift, now): ...   # notify(...) — inside the shift's scope

The loop serves every organisation, so finding due rows reads across organisations with
``scopes_disabled()`` — ids and times only — and each claim and act then runs inside the
row's own organisation scope.
"""

from __future__ import annotations

import logging
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from django.conf import settings
from django.db import close_old_connections, models, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import ApiToken, Delivery, Heartbeat

logger = logging.getLogger(__name__)

Step = Callable[[datetime], int]
T = TypeVar("T")
M = TypeVar("M", bound=models.Model)

# Rows one step handles per round, so a backlog cannot keep the loop from its heartbeat
# and its other steps; the rest are handled next round (a second later).
BATCH_SIZE = 100
# Heartbeats of processes gone this long are removed (a dead worker's tasks were
# reclaimed long before).
HEARTBEAT_KEEP = timedelta(days=7)

_steps: list[Step] = []


def register_deadline(step: Step) -> Step:
    """Add a step to every deadline loop (once; registering it again does nothing)."""
    if step not in _steps:
        _steps.append(step)
    return step


def registered_steps() -> list[Step]:
    return list(_steps)


def step_name(step: Step) -> str:
    return str(getattr(step, "name", getattr(step, "__name__", type(step).__name__)))


def lease() -> timedelta:
    return timedelta(seconds=settings.PEERWORK_WORKER_LEASE_SECONDS)


def run_round(
    *, now: datetime | None = None, should_stop: Callable[[], bool] = lambda: False
) -> dict[str, int]:
    """Run every registered step once; a failing step is logged and the others still run.

    ``should_stop`` is asked between steps, so a signal ends the round after the step in
    hand, never in the middle of one.
    """
    from django.utils import timezone

    acted: dict[str, int] = {}
    for step in registered_steps():
        if should_stop():
            break
        name = step_name(step)
        try:
            acted[name] = step(now or timezone.now())
        except Exception:
            # Logged with the step's name only; the next round tries again.
            logger.exception("deadline step %s failed", name)
            close_old_connections()
    return acted


class ClaimingStep(Generic[T]):
    """Find due items, claim each with a conditional update, act on the ones claimed."""

    name = "step"

    def due(self, now: datetime) -> Iterable[T]:
        raise NotImplementedError

    def claim(self, item: T, now: datetime) -> bool:
        raise NotImplementedError

    def act(self, item: T, now: datetime) -> None:
        """What to do once claimed (nothing, when the claim itself is the action)."""

    def __call__(self, now: datetime) -> int:
        acted = 0
        for item in list(self.due(now)):
            if self.claim(item, now):
                self.act(item, now)
                acted += 1
        return acted


# --- the foundation's steps ------------------------------------------------------------

DueRow = tuple[uuid.UUID, uuid.UUID]  # (id, organisation id)


class DueDeliveries(ClaimingStep[DueRow]):
    """Pending deliveries whose next attempt is due: enqueue their send."""

    name = "core.due_deliveries"

    def due(self, now: datetime) -> list[DueRow]:
        with scopes_disabled():  # every organisation's due rows: ids only
            return list(
                Delivery.due(now=now)
                .order_by("next_attempt_at")
                .values_list("pk", "organisation_id")[:BATCH_SIZE]
            )

    def claim(self, item: DueRow, now: datetime) -> bool:
        delivery_id, organisation_id = item
        with scope(organisation=organisation_id):
            return Delivery.claim_due(delivery_id, now=now)

    def act(self, item: DueRow, now: datetime) -> None:
        from .tasks import deliver

        # Should this fail (the queue is down), the claim moved the due time one lease on,
        # and the delivery comes due again then.
        deliver.enqueue(str(item[0]))


class StuckDeliveries(ClaimingStep[DueRow]):
    """Sends held past the lease by a sender that died: taken back as "outcome unknown",
    to be retried when due (or failed after the last attempt)."""

    name = "core.stuck_deliveries"

    def due(self, now: datetime) -> list[DueRow]:
        with scopes_disabled():  # every organisation's stuck rows: ids only
            return list(
                Delivery.stuck(now=now)
                .order_by("next_attempt_at")
                .values_list("pk", "organisation_id")[:BATCH_SIZE]
            )

    def claim(self, item: DueRow, now: datetime) -> bool:
        delivery_id, organisation_id = item
        with scope(organisation=organisation_id):
            return Delivery.take_back(delivery_id, now=now)

    def act(self, item: DueRow, now: datetime) -> None:
        logger.warning("delivery %s taken back from a sender that stopped", item[0])


class AbandonedTasks(ClaimingStep[DBTaskResult]):
    """Tasks left RUNNING by a dead worker go back to READY, for another worker to run.

    django-tasks-db never does this itself (DESIGN.md "Known pitfalls"). A worker is dead
    when its heartbeat is older than ``PEERWORK_WORKER_LEASE_SECONDS``, says it stopped,
    or is missing (``run_worker`` writes it before claiming any task; so run workers only
    through ``run_worker``, never plain ``db_worker``). The task then runs again: tasks
    must be idempotent. With ``PEERWORK_TASKS=rq`` there are no such rows: RQ handles
    abandoned jobs itself.
    """

    name = "core.abandoned_tasks"

    def due(self, now: datetime) -> list[DBTaskResult]:
        return list(
            DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
            .only("pk", "worker_ids", "started_at")
            .order_by("started_at")[:BATCH_SIZE]
        )

    def claim(self, item: DBTaskResult, now: datetime) -> bool:
        # Heartbeats are read after the task rows: a worker writes its heartbeat before it
        # claims, so a task seen RUNNING has its worker's heartbeat visible by now.
        worker_id = item.worker_ids[-1] if item.worker_ids else None
        if (
            worker_id
            and Heartbeat.alive(kind=Heartbeat.Kind.WORKER, now=now, lease=lease())
            .filter(pk=worker_id)
            .exists()
        ):
            return False
        return bool(
            DBTaskResult.objects.filter(
                pk=item.pk, status=TaskResultStatus.RUNNING, started_at=item.started_at
            ).update(status=TaskResultStatus.READY, started_at=None)
        )

    def act(self, item: DBTaskResult, now: datetime) -> None:
        logger.warning("task %s given back to the queue: its worker stopped", item.pk)


class ExpiringTokens(ClaimingStep[DueRow]):
    """Tell a person a week ahead that one of their API tokens stops working, so an
    integration (an SMS gateway, a reporting script) is not cut off by surprise."""

    name = "core.expiring_tokens"
    notice = timedelta(days=7)

    def due(self, now: datetime) -> list[DueRow]:
        with scopes_disabled():  # every organisation's tokens: ids only
            return list(
                ApiToken.objects.filter(
                    expiry_notice_at__isnull=True,
                    revoked_at__isnull=True,
                    expires_at__gt=now,
                    expires_at__lte=now + self.notice,
                )
                .order_by("expires_at")
                .values_list("pk", "organisation_id")[:BATCH_SIZE]
            )

    def claim(self, item: DueRow, now: datetime) -> bool:
        token_id, organisation_id = item
        with scope(organisation=organisation_id):
            return bool(
                ApiToken.objects.filter(pk=token_id, expiry_notice_at__isnull=True).update(
                    expiry_notice_at=now
                )
            )

    def act(self, item: DueRow, now: datetime) -> None:
        from .notify import API_TOKEN_EXPIRING, notify

        token_id, organisation_id = item
        with scope(organisation=organisation_id):
            token = ApiToken.objects.select_related("membership").get(pk=token_id)
            notify(
                recipient=token.membership,
                kind=API_TOKEN_EXPIRING.kind,
                params={"token": str(token.pk), "expires_at": token.expires_at},
                now=now,
            )


def prune_heartbeats(now: datetime) -> int:
    """Forget processes gone for a week (a dead one counts as gone, missing or not)."""
    deleted, _by_model = Heartbeat.objects.filter(last_seen__lt=now - HEARTBEAT_KEEP).delete()
    return deleted


prune_heartbeats.name = "core.prune_heartbeats"  # type: ignore[attr-defined]


def prune_sessions(now: datetime) -> int:
    """Delete sessions past their expiry date (Django's ``clearsessions``, a batch a round).

    A session nobody came back to still holds who was signed in and from when; keeping it
    serves no one. Sessions ended by the idle or total limit are deleted when they end.
    """
    from django.contrib.sessions.models import Session

    expired = list(
        Session.objects.filter(expire_date__lt=now).values_list("pk", flat=True)[:BATCH_SIZE]
    )
    if not expired:
        return 0
    deleted, _by_model = Session.objects.filter(pk__in=expired, expire_date__lt=now).delete()
    return deleted


prune_sessions.name = "core.prune_sessions"  # type: ignore[attr-defined]

due_deliveries = register_deadline(DueDeliveries())
stuck_deliveries = register_deadline(StuckDeliveries())
abandoned_tasks = register_deadline(AbandonedTasks())
expiring_tokens = register_deadline(ExpiringTokens())
register_deadline(prune_heartbeats)
register_deadline(prune_sessions)


def claim_dated_rows(
    model: type[M],
    *,
    date_field: str,
    claimed_field: str,
    now: datetime,
    act: Callable[[M], bool],
    related: tuple[str, ...] = (),
) -> int:
    """Act once on each row of ``model`` whose ``date_field`` has come where its
    organisation works (a review date, a reminder date) and that nobody has claimed.

    Each row is claimed by a conditional update of ``claimed_field`` (still empty, and the
    date still the one read: a moved date is due again on its own day), so two loops never
    both act; then ``act(row)`` runs in the organisation's scope, in the claim's
    transaction, and answers whether it told anyone. A row ``act`` passes over stays
    claimed. Returns how many rows ``act`` told someone about."""
    # The latest "today" of any zone (UTC+14); each row is then checked in its own zone.
    latest = (now + timedelta(hours=14)).date()
    manager = model._default_manager
    with scopes_disabled():  # ids, dates and zones only
        due = list(
            manager.filter(**{f"{claimed_field}__isnull": True, f"{date_field}__lte": latest})
            .order_by(date_field)
            .values_list("pk", "organisation_id", date_field, "organisation__time_zone")[
                :BATCH_SIZE
            ]
        )
    told = 0
    for pk, organisation_id, day, zone_name in due:
        try:
            zone = zoneinfo.ZoneInfo(zone_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        if day is None or day > timezone.localdate(now, zone):
            continue
        with scope(organisation=organisation_id), transaction.atomic():
            won = manager.filter(
                organisation_id=organisation_id,
                pk=pk,
                **{date_field: day, f"{claimed_field}__isnull": True},
            ).update(**{claimed_field: now})
            if not won:
                continue
            row = manager.select_related(*related).get(organisation_id=organisation_id, pk=pk)
            if act(row):
                told += 1
    return told
