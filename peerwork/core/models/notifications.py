"""Notifications: the in-app inbox, and a delivery per channel with every attempt recorded.

Messages are stored as a kind plus opaque parameters (ids, times), and rendered in the
recipient's language only when shown or sent; nothing personal is copied into a task.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ..sealing import SealedField
from .tenancy import Membership, OrganisationOwned

if TYPE_CHECKING:
    from peerwork.core.notify import Rendered

# Waits before the 2nd, 3rd … attempt of a delivery; after the last one the delivery is
# failed. Short first steps, because alerts (a missed return) must arrive within a minute
# or two (DESIGN.md "Budgets"); longer later ones, so an endpoint that is down for a while
# is not hammered.
RETRY_DELAYS = (
    timedelta(seconds=15),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


class Channel(models.TextChoices):
    INBOX = "inbox", _("In Peerwork")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


class Notification(OrganisationOwned):
    recipient = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.kind

    # Rendered from the kind's registry (peerwork.core.notify) in the active language, when
    # shown: the row itself holds no words, only the kind and opaque parameters.
    @property
    def rendered(self) -> Rendered:
        from peerwork.core.notify import render

        cache = self.__dict__.setdefault("_rendered", {})
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in cache:
            cache[language] = render(self)
        return cache[language]

    @property
    def subject(self) -> str:
        return self.rendered.subject

    @property
    def body(self) -> str:
        return self.rendered.body

    @property
    def link(self) -> str | None:
        return self.rendered.link


class Delivery(OrganisationOwned):
    """One notification on one channel; the deadline loop retries it when it is due."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # Webhook deliveries go to one endpoint each, so a retry resends only where it failed.
    endpoint = models.ForeignKey(
        "WebhookEndpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Due time for the next attempt (or for taking back a send whose sender died); the
    # deadline loop claims due rows with a conditional update.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Sends whose outcome was unknown (a timeout after the request left): a retry may
    # duplicate them, and DESIGN.md asks that duplicates be counted.
    unknown_outcomes = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due_idx",
                condition=models.Q(state__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.state}"

    # --- state rules ------------------------------------------------------------------
    # pending --claim--> sending --finish--> sent | pending (retry later) | failed
    # sending --take_back (sender died, lease passed)--> pending | failed
    # Every move is a conditional UPDATE on the old state, so two processes never both act
    # (SQLite ignores select_for_update). Callers hold the organisation's scope.

    @staticmethod
    def lease() -> timedelta:
        return timedelta(seconds=settings.PEERWORK_WORKER_LEASE_SECONDS)

    @classmethod
    def claim(
        cls, delivery_id: str | uuid.UUID, *, now: datetime
    ) -> tuple[Delivery, DeliveryAttempt] | None:
        """Take a pending delivery for sending, or None when another sender has it (or it
        is no longer pending). The attempt row is written with the claim, as "outcome
        unknown" until the send finishes, so a sender that dies mid-send leaves a true record.
        """
        with transaction.atomic():
            claimed = cls.objects.filter(pk=delivery_id, state=cls.State.PENDING).update(
                state=cls.State.SENDING,
                attempts=F("attempts") + 1,
                # Past this time the deadline loop takes the send back from a dead sender.
                next_attempt_at=now + cls.lease(),
            )
            if not claimed:
                return None
            delivery = cls.objects.select_related("notification").get(pk=delivery_id)
            attempt = DeliveryAttempt.objects.create(
                organisation_id=delivery.organisation_id,
                delivery=delivery,
                number=delivery.attempts,
                started_at=now,
                outcome=DeliveryAttempt.Outcome.UNKNOWN,
            )
        return delivery, attempt

    @classmethod
    def _after(cls, outcome: str, number: int, now: datetime) -> dict[str, object]:
        """The delivery's columns after attempt ``number`` ended with ``outcome``."""
        Outcome = DeliveryAttempt.Outcome
        fields: dict[str, object]
        if outcome == Outcome.SENT:
            fields = {"state": cls.State.SENT, "sent_at": now, "next_attempt_at": None}
        elif outcome == Outcome.SKIPPED or number >= MAX_ATTEMPTS:
            # Skipped sends (no gateway, no address) would be skipped again: no retry.
            fields = {"state": cls.State.FAILED, "next_attempt_at": None}
        else:
            fields = {"state": cls.State.PENDING, "next_attempt_at": now + RETRY_DELAYS[number - 1]}
        if outcome == Outcome.UNKNOWN:
            fields["unknown_outcomes"] = F("unknown_outcomes") + 1
        return fields

    def finish(
        self, attempt: DeliveryAttempt, *, outcome: str, error: str = "", now: datetime
    ) -> bool:
        """Record how the attempt ended and move on: sent, a retry after a wait, or failed.

        False when the deadline loop already took this send back (the sender was too slow):
        the attempt then stays recorded as "outcome unknown", which it was.
        """
        with transaction.atomic():
            moved = Delivery.objects.filter(
                pk=self.pk, state=self.State.SENDING, attempts=attempt.number
            ).update(**self._after(outcome, attempt.number, now))
            if moved:
                DeliveryAttempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
                    outcome=outcome, error=error[:300], finished_at=now
                )
        return bool(moved)

    @classmethod
    def due(cls, *, now: datetime) -> models.QuerySet[Delivery]:
        """Pending deliveries whose next attempt is due (cross-organisation: the caller
        opens the right scope or, for the deadline loop, disables scopes deliberately)."""
        return cls.objects.filter(state=cls.State.PENDING, next_attempt_at__lte=now)

    @classmethod
    def stuck(cls, *, now: datetime) -> models.QuerySet[Delivery]:
        """Sends whose sender has held them past the lease: it died or hung."""
        return cls.objects.filter(state=cls.State.SENDING, next_attempt_at__lte=now)

    @classmethod
    def claim_due(cls, delivery_id: str | uuid.UUID, *, now: datetime) -> bool:
        """The deadline loop's claim on a due delivery, before it enqueues a send.

        Moves the due time one lease on, so neither this loop's next round nor another
        loop enqueues it again; should the queued send be lost, it is due again then.
        """
        return bool(
            cls.objects.filter(
                pk=delivery_id, state=cls.State.PENDING, next_attempt_at__lte=now
            ).update(next_attempt_at=now + cls.lease())
        )

    @classmethod
    def take_back(cls, delivery_id: str | uuid.UUID, *, now: datetime) -> bool:
        """Take a send back from a sender that died: its outcome is unknown (it may have
        reached the person), so it counts as unknown and is retried or failed."""
        with transaction.atomic():
            delivery = cls.objects.filter(pk=delivery_id).only("attempts").first()
            if delivery is None:
                return False
            number = delivery.attempts
            moved = cls.objects.filter(
                pk=delivery_id, state=cls.State.SENDING, attempts=number, next_attempt_at__lte=now
            ).update(**cls._after(DeliveryAttempt.Outcome.UNKNOWN, number, now))
            if moved:
                DeliveryAttempt.objects.filter(
                    delivery_id=delivery_id, number=number, finished_at__isnull=True
                ).update(
                    outcome=DeliveryAttempt.Outcome.UNKNOWN,
                    finished_at=now,
                    error="sender stopped before the outcome was recorded",
                )
        return bool(moved)


class DeliveryAttempt(OrganisationOwned):
    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Outcome unknown")
        SKIPPED = "skipped", _("Not sent")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_set")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    # Technical detail only (status code, exception class); never message content.
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.outcome}"


class NotificationPreference(OrganisationOwned):
    """Which channels a member wants for one kind of message (beside the inbox)."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    channels = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return self.kind


class WebhookEndpoint(OrganisationOwned):
    """An organisation's receiver for machine-readable alerts (signed with its secret)."""

    url = models.URLField(_("address"), max_length=500)
    # Sealed with the organisation's own key (peerwork.core.sealing); reads as plain text.
    secret = SealedField(_("signing secret"), owner=None)
    kinds = models.JSONField(_("kinds of message"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url
