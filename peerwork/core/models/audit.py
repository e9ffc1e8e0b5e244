"""The append-only, hash-chained audit log (DESIGN.md "Audit").

Events carry opaque ids, never personal content, so erasing a person never breaks a chain.
Rows are never updated or deleted: the model refuses it, the admin offers neither, and
database triggers refuse it underneath both.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .tenancy import Organisation


class AuditImmutable(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise AuditImmutable("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("audit events are append-only")


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        # Reads of disclosed, private or confidential data are what a person's "who saw my
        # data" page lists (DESIGN.md "Privacy model"); writes are everything else.
        WRITE = "write", _("change")
        READ = "read", _("read")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    seq = models.PositiveBigIntegerField(_("number"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor_id = models.UUIDField(_("who"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.WRITE)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("kind of record"), max_length=64, blank=True)
    object_id = models.UUIDField(_("record"), null=True, blank=True)
    subject_id = models.UUIDField(_("whose data"), null=True, blank=True)
    data_class = models.CharField(_("data class"), max_length=16, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    key_id = models.CharField(max_length=32)
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    objects = ScopedManager(
        organisation="organisation",
        _manager_class=models.Manager.from_queryset(AuditEventQuerySet),
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["organisation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seq"], name="audit_seq_unique")
        ]
        indexes = [
            models.Index(fields=["organisation", "subject_id", "at"], name="audit_subject_idx")
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.seq}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AuditImmutable("audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("audit events are append-only")


class AuditHead(models.Model):
    """The last event of an organisation's chain; its row is the lock appends take."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    seq = models.PositiveBigIntegerField(default=0)
    mac = models.CharField(max_length=64, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"head #{self.seq}"
