"""The deadline loop: its steps with time arranged in data, claims that two loops cannot
both win, and ``manage.py run_deadlines`` itself (one round in-process; a real process
stopped by SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peerwork.core import deadlines
from peerwork.core.deadlines import (
    AbandonedTasks,
    DueDeliveries,
    abandoned_tasks,
    due_deliveries,
    prune_heartbeats,
    run_round,
    stuck_deliveries,
)
from peerwork.core.models import Delivery, DeliveryAttempt, Heartbeat
from peerwork.core.models.notifications import MAX_ATTEMPTS
from peerwork.core.notify import API_TOKEN_EXPIRING, notify
from peerwork.core.tasks import deliver
from peerwork.core.tests.live_database import database_url, wait_for

BASE_DIR = Path(django_settings.BASE_DIR)
LEASE = timedelta(seconds=django_settings.PEERWORK_WORKER_LEASE_SECONDS)


def a_delivery(story) -> Delivery:
    notification = notify(recipient=story.amina, kind=API_TOKEN_EXPIRING.kind)
    with scopes_disabled():
        return Delivery.objects.get(notification=notification)


def reload(delivery: Delivery) -> Delivery:
    with scopes_disabled():
        return Delivery.objects.get(pk=delivery.pk)


def queued_for(delivery: Delivery) -> int:
    return DBTaskResult.objects.filter(
        task_path="peerwork.core.tasks.deliver", args_kwargs__args=[str(delivery.pk)]
    ).count()


# --- due deliveries ----------------------------------------------------------------------


def test_a_delivery_whose_send_was_lost_is_queued_again_once_its_lease_has_passed(story):
    delivery = a_delivery(story)
    assert due_deliveries(delivery.created_at) == 0  # its first send is queued on commit
    later = delivery.created_at + LEASE + timedelta(seconds=1)
    assert due_deliveries(later) == 1
    assert queued_for(delivery) == 1
    assert reload(delivery).next_attempt_at == later + LEASE
    assert due_deliveries(later + timedelta(seconds=1)) == 0  # not again next round


def test_a_retry_is_queued_when_its_wait_is_over_and_not_before(story):
    delivery = a_delivery(story)
    now = timezone.now()
    with scopes_disabled():
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + timedelta(minutes=1))
    assert due_deliveries(now + timedelta(seconds=59)) == 0
    assert due_deliveries(now + timedelta(seconds=61)) == 1
    assert queued_for(delivery) == 1


def test_two_loops_finding_the_same_due_delivery_act_once(story):
    delivery = a_delivery(story)
    now = delivery.created_at + LEASE + timedelta(seconds=1)
    first, second = DueDeliveries(), DueDeliveries()
    seen_by_first, seen_by_second = first.due(now), second.due(now)
    assert seen_by_first == seen_by_second == [(delivery.pk, story.harbourside.pk)]
    won = [first.claim(row, now) for row in seen_by_first]
    won += [second.claim(row, now) for row in seen_by_second]
    assert won == [True, False]


def test_a_sent_or_failed_delivery_is_never_due(story):
    delivery = a_delivery(story)
    with scopes_disabled():
        Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED)
    assert due_deliveries(timezone.now() + timedelta(days=1)) == 0


# --- sends held by a dead sender ---------------------------------------------------------


def claim_and_die(delivery: Delivery, now) -> None:
    """A sender claims the delivery, then its process dies before it records anything."""
    with scope(organisation=delivery.organisation_id):
        assert Delivery.claim(delivery.pk, now=now) is not None


def test_a_send_held_past_the_lease_is_taken_back_as_an_unknown_outcome(story):
    delivery = a_delivery(story)
    now = timezone.now()
    claim_and_die(delivery, now)
    assert stuck_deliveries(now + LEASE - timedelta(seconds=1)) == 0
    later = now + LEASE
    assert stuck_deliveries(later) == 1
    taken = reload(delivery)
    assert taken.state == Delivery.State.PENDING and taken.unknown_outcomes == 1
    assert taken.next_attempt_at > later
    with scopes_disabled():
        [attempt] = DeliveryAttempt.objects.filter(delivery=delivery)
    assert attempt.outcome == DeliveryAttempt.Outcome.UNKNOWN and attempt.finished_at == later
    assert stuck_deliveries(later) == 0
    # When its wait is over, it is queued again.
    assert due_deliveries(taken.next_attempt_at) == 1


def test_a_send_taken_back_after_the_last_attempt_fails_the_delivery(story):
    delivery = a_delivery(story)
    with scopes_disabled():
        Delivery.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS - 1)
    now = timezone.now()
    claim_and_die(delivery, now)
    assert stuck_deliveries(now + LEASE) == 1
    assert reload(delivery).state == Delivery.State.FAILED


def test_a_slow_sender_finishing_after_the_take_back_changes_nothing(story):
    delivery = a_delivery(story)
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        claimed = Delivery.claim(delivery.pk, now=now)
    assert claimed is not None
    held, attempt = claimed
    assert stuck_deliveries(now + LEASE) == 1
    with scope(organisation=story.harbourside.pk):
        assert held.finish(attempt, outcome="sent", now=now + LEASE + timedelta(seconds=1)) is False
    assert reload(delivery).state == Delivery.State.PENDING
    attempt.refresh_from_db()
    assert attempt.outcome == DeliveryAttempt.Outcome.UNKNOWN


# --- tasks left running by dead workers ------------------------------------------------


def running_task(worker_id: str, now) -> DBTaskResult:
    result = deliver.enqueue("6f1e1d2c-8f0e-4a59-9d1a-2f3e4c5b6a70")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id], started_at=now
    )
    return DBTaskResult.objects.get(pk=result.id)


@pytest.mark.parametrize(
    ("heartbeat", "reclaimed"),
    [
        ("fresh", False),
        ("older than the lease", True),
        ("stopped", True),
        ("missing", True),
    ],
)
def test_a_task_goes_back_to_the_queue_only_when_its_workers_heartbeat_is_stale(
    db, heartbeat, reclaimed
):
    now = timezone.now()
    task = running_task("worker-a", now - timedelta(minutes=5))
    if heartbeat != "missing":
        Heartbeat.beat(
            process_id="worker-a",
            kind=Heartbeat.Kind.WORKER,
            now=now
            - (
                LEASE + timedelta(seconds=1)
                if heartbeat == "older than the lease"
                else timedelta(seconds=2)
            ),
        )
    if heartbeat == "stopped":
        Heartbeat.stop(process_id="worker-a", now=now - timedelta(seconds=2))
    assert abandoned_tasks(now) == (1 if reclaimed else 0)
    task.refresh_from_db()
    assert task.status == (TaskResultStatus.READY if reclaimed else TaskResultStatus.RUNNING)


def test_two_loops_reclaiming_the_same_task_act_once(db):
    now = timezone.now()
    running_task("gone-worker", now)
    first, second = AbandonedTasks(), AbandonedTasks()
    seen_by_first, seen_by_second = first.due(now), second.due(now)
    won = [first.claim(t, now) for t in seen_by_first] + [
        second.claim(t, now) for t in seen_by_second
    ]
    assert won == [True, False]


# --- the loop ----------------------------------------------------------------------------


def test_a_failing_step_is_logged_and_the_others_still_run(db, monkeypatch, caplog):
    ran: list[str] = []

    def broken(now) -> int:
        raise RuntimeError("a defect")

    def working(now) -> int:
        ran.append("working")
        return 1

    monkeypatch.setattr(deadlines, "_steps", [broken, working])
    assert run_round(now=timezone.now()) == {"working": 1}
    assert ran == ["working"]
    assert "deadline step broken failed" in caplog.text


def test_a_stop_request_ends_the_round_between_steps(monkeypatch):
    ran: list[str] = []
    stop = []

    def first(now) -> int:
        ran.append("first")
        stop.append(True)  # a signal arrives while this step runs
        return 0

    def second(now) -> int:
        ran.append("second")
        return 0

    monkeypatch.setattr(deadlines, "_steps", [first, second])
    run_round(should_stop=lambda: bool(stop))
    assert ran == ["first"]


def test_old_heartbeats_are_forgotten(db):
    now = timezone.now()
    Heartbeat.beat(process_id="old", kind=Heartbeat.Kind.WORKER, now=now - timedelta(days=8))
    Heartbeat.beat(process_id="recent", kind=Heartbeat.Kind.WORKER, now=now - timedelta(days=1))
    assert prune_heartbeats(now) == 1
    assert list(Heartbeat.objects.values_list("pk", flat=True)) == ["recent"]


def test_one_round_of_the_command_beats_runs_the_steps_and_marks_itself_stopped(story):
    delivery = a_delivery(story)
    with scopes_disabled():
        Delivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
    call_command("run_deadlines", "--once", "--process-id", "loop-once")
    assert queued_for(delivery) == 1
    beat = Heartbeat.objects.get(pk="loop-once")
    assert beat.kind == Heartbeat.Kind.DEADLINES and beat.stopped_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_loop_stops_cleanly_on_sigterm(tmp_path):
    env = {
        **os.environ,
        "PEERWORK_TESTING": "1",
        "PEERWORK_DATABASE_URL": database_url(),
    }
    log = (tmp_path / "loop.log").open("wb")
    loop = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_deadlines",
            "--interval",
            "0.1",
            "--process-id",
            "loop-sigterm",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: Heartbeat.objects.filter(pk="loop-sigterm").exists())
        loop.send_signal(signal.SIGTERM)
        assert loop.wait(timeout=30) == 0, (tmp_path / "loop.log").read_text()
    finally:
        if loop.poll() is None:
            loop.kill()
            loop.wait()
        log.close()
    assert Heartbeat.objects.get(pk="loop-sigterm").stopped_at is not None
    assert "stopped" in (tmp_path / "loop.log").read_text()
