"""Notifications: the in-app inbox, and a delivery per channel with every attempt recorded.

Messages are stored as a kind plus opaque parameters (ids, times), and rendered in the
recipient's language only when shown or sent; nothing personal is copied into a task.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..sealing import SealedField
from .tenancy import Membership, OrganisationOwned


class Channel(models.TextChoices):
    INBOX = "inbox", _("In Peerwork")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


class Notification(OrganisationOwned):
    recipient = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notifications",
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
