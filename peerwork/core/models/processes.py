"""Heartbeats of the long-running processes (task workers and deadline loops).

A worker writes its heartbeat before it claims its first task and keeps it fresh while it
runs, so "the heartbeat of the worker that holds this task is older than the lease (or
gone)" means that worker died, and its task may be given to another (DESIGN.md "Known
pitfalls": django-tasks-db never reclaims a task itself). ``/healthz`` reports the youngest
heartbeat of each kind.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    class Kind(models.TextChoices):
        WORKER = "worker", "task worker"
        DEADLINES = "deadlines", "deadline loop"

    process_id = models.CharField(max_length=64, primary_key=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.process_id}"

    @classmethod
    def beat(cls, *, process_id: str, kind: str, now: datetime | None = None) -> None:
        """Say this process is alive (creating its row on the first beat)."""
        now = now or timezone.now()
        if cls.objects.filter(pk=process_id).update(last_seen=now):
            return
        cls.objects.update_or_create(
            process_id=process_id,
            defaults={"last_seen": now},
            create_defaults={
                "kind": kind,
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "last_seen": now,
            },
        )

    @classmethod
    def stop(cls, *, process_id: str, now: datetime | None = None) -> None:
        """A clean exit: the process says it is gone, so nothing waits for its lease."""
        now = now or timezone.now()
        cls.objects.filter(pk=process_id).update(last_seen=now, stopped_at=now)

    @classmethod
    def alive(cls, *, kind: str, now: datetime, lease: timedelta) -> models.QuerySet[Heartbeat]:
        return cls.objects.filter(kind=kind, stopped_at__isnull=True, last_seen__gte=now - lease)

    @classmethod
    def youngest_age(cls, *, kind: str, now: datetime) -> float | None:
        """Seconds since the freshest running process of this kind beat, or None if none."""
        last = (
            cls.objects.filter(kind=kind, stopped_at__isnull=True)
            .order_by("-last_seen")
            .values_list("last_seen", flat=True)
            .first()
        )
        if last is None:
            return None
        return max(0.0, (now - last).total_seconds())
