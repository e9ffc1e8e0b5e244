"""Channels: how a delivery leaves Peerwork (inbox, email, SMS, webhook).

One small interface: a ``ChannelSender`` takes a claimed ``Delivery`` and its rendered
message and returns a ``SendResult`` — sent, failed, unknown (the request may have arrived:
a timeout after it was sent) or skipped (nothing to send to: no address, no gateway). Only
``send_delivery`` calls them, after claiming the delivery, and it records every try as a
``DeliveryAttempt`` with a short technical error, never the message.

SMS goes through a gateway adapter chosen by ``PEERWORK_SMS_GATEWAY``. Adding a gateway
(Africa's Talking, Twilio) is one class::

    @register_sms_gateway
    class TwilioGateway(SmsGateway):
        name = "twilio"

        def send(self, to: str, text: str) -> SendResult:
            return http_post(url, data={...}, auth=(sid, token))

(plus its name in the settings' choices for ``PEERWORK_SMS_GATEWAY``).

Webhooks carry opaque ids and the kind, never words, signed with HMAC-SHA256 under the
endpoint's secret over ``"<timestamp>.<body>"``: receivers check the signature and refuse
old timestamps (``verify_signature``), and use the ``delivery`` id to drop repeats (a send
whose outcome was unknown is sent again).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import smtplib
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .models import Delivery, DeliveryAttempt
from .models.notifications import Channel
from .notify import Rendered, recipient_language, render

logger = logging.getLogger(__name__)

# Short, so a slow receiver cannot hold a worker (and an alert behind it) for long.
SEND_TIMEOUT_SECONDS = 5.0
SIGNATURE_HEADER = "Peerwork-Signature"
TIMESTAMP_HEADER = "Peerwork-Timestamp"
DELIVERY_HEADER = "Peerwork-Delivery"
SIGNATURE_TOLERANCE_SECONDS = 300

Outcome = DeliveryAttempt.Outcome


@dataclass(frozen=True)
class SendResult:
    outcome: str
    # Technical only: an HTTP status, an exception class. Never the message or address.
    error: str = ""

    @classmethod
    def sent(cls) -> SendResult:
        return cls(Outcome.SENT)

    @classmethod
    def failed(cls, error: str) -> SendResult:
        return cls(Outcome.FAILED, error)

    @classmethod
    def unknown(cls, error: str) -> SendResult:
        return cls(Outcome.UNKNOWN, error)

    @classmethod
    def skipped(cls, error: str) -> SendResult:
        return cls(Outcome.SKIPPED, error)


_client: tuple[int, httpx.Client] | None = None


def _http_client() -> httpx.Client:
    """One client per process: building one per request made a TLS context each time
    (most of a send's CPU, bench/outreach_escalation.py) and opened a new connection. A
    forked process makes its own rather than share the parent's sockets."""
    global _client
    if _client is None or _client[0] != os.getpid():
        _client = (
            os.getpid(),
            httpx.Client(follow_redirects=False),
        )
    return _client[1]


def http_post(
    url: str,
    *,
    content: bytes | None = None,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    read: Callable[[httpx.Response], SendResult] | None = None,
) -> SendResult:
    """POST with a short timeout, sorting failures into "not sent" and "may have arrived".

    ``read``, when given, judges a 2xx answer (a gateway that says in its body whether it
    took the message); anything else is as before: 2xx sent, other statuses failed.
    """
    try:
        response = _http_client().post(
            url,
            content=content,
            data=data,
            headers=headers,
            auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
            timeout=SEND_TIMEOUT_SECONDS,  # read at each send (tests shorten it)
        )
    except (
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.PoolTimeout,
        httpx.UnsupportedProtocol,
        httpx.ProxyError,
        httpx.InvalidURL,
    ) as exc:
        # The request never left: safe to send again.
        return SendResult.failed(type(exc).__name__)
    except (httpx.TimeoutException, httpx.TransportError) as exc:
        # Read/write timeouts, a dropped connection: the receiver may have acted on it.
        return SendResult.unknown(type(exc).__name__)
    if 200 <= response.status_code < 300:
        return read(response) if read else SendResult.sent()
    return SendResult.failed(f"HTTP {response.status_code}")


def absolute(link: str | None) -> str:
    return f"{settings.PEERWORK_BASE_URL}{link}" if link else ""


# --- channels ------------------------------------------------------------------------


class ChannelSender:
    channel: ClassVar[str]

    def send(self, delivery: Delivery, message: Rendered) -> SendResult:
        raise NotImplementedError


class InboxChannel(ChannelSender):
    """The inbox is the notification itself: nothing to send."""

    channel = Channel.INBOX

    def send(self, delivery: Delivery, message: Rendered) -> SendResult:
        return SendResult.sent()


class EmailChannel(ChannelSender):
    """Django's email backend (``PEERWORK_EMAIL_URL``), to the person's own address."""

    channel = Channel.EMAIL

    def send(self, delivery: Delivery, message: Rendered) -> SendResult:
        member = delivery.notification.recipient
        address = member.user.email or member.work_email
        if not address:
            return SendResult.skipped("not sent: no email address")
        text = message.body
        if message.link:
            text = f"{text}\n\n{absolute(message.link)}\n"
        email = EmailMessage(message.subject, text, None, [address])
        try:
            email.send(fail_silently=False)
        except TimeoutError as exc:
            # The server may have taken the message before the line went quiet.
            return SendResult.unknown(type(exc).__name__)
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult.failed(type(exc).__name__)
        return SendResult.sent()


class SmsChannel(ChannelSender):
    """SMS to the member's work phone, through the configured gateway.

    Only the subject and the link: an SMS shows on the lock screen and stays on the phone,
    so it says no more than a neutral subject (the words are behind the sign-in).
    """

    channel = Channel.SMS

    def send(self, delivery: Delivery, message: Rendered) -> SendResult:
        phone = delivery.notification.recipient.work_phone.strip()
        if not phone:
            return SendResult.skipped("not sent: no phone number")
        text = message.subject
        if message.link:
            text = f"{text} {absolute(message.link)}"
        return sms_gateway().send(phone, text)


class WebhookChannel(ChannelSender):
    """A signed JSON POST of opaque ids to one of the organisation's endpoints."""

    channel = Channel.WEBHOOK

    def send(self, delivery: Delivery, message: Rendered) -> SendResult:
        endpoint = delivery.endpoint
        if endpoint is None or not endpoint.is_active:
            return SendResult.skipped("not sent: endpoint removed or switched off")
        body = webhook_body(delivery)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
            DELIVERY_HEADER: str(delivery.pk),
        }
        return http_post(endpoint.url, content=body, headers=headers)


def webhook_body(delivery: Delivery) -> bytes:
    notification = delivery.notification
    payload = {
        "delivery": str(delivery.pk),
        "notification": str(notification.pk),
        "kind": notification.kind,
        "organisation": str(notification.organisation_id),
        "recipient": str(notification.recipient_id),
        "created_at": notification.created_at.isoformat(),
        "params": notification.params,
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    *,
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), signature)


SENDERS: dict[str, ChannelSender] = {
    sender.channel: sender
    for sender in (InboxChannel(), EmailChannel(), SmsChannel(), WebhookChannel())
}


# --- SMS gateways --------------------------------------------------------------------


class SmsGateway:
    """An SMS gateway adapter: one ``send``; settings read when it is made."""

    name: ClassVar[str]

    def send(self, to: str, text: str) -> SendResult:
        raise NotImplementedError


SMS_GATEWAYS: dict[str, type[SmsGateway]] = {}


def register_sms_gateway(cls: type[SmsGateway]) -> type[SmsGateway]:
    SMS_GATEWAYS[cls.name] = cls
    return cls


def sms_gateway() -> SmsGateway:
    return SMS_GATEWAYS[settings.PEERWORK_SMS_GATEWAY]()


@register_sms_gateway
class NoGateway(SmsGateway):
    """No gateway configured: SMS deliveries are recorded as not sent."""

    name = "none"

    def send(self, to: str, text: str) -> SendResult:
        return SendResult.skipped("not sent: no gateway")


@register_sms_gateway
class HttpGateway(SmsGateway):
    """The generic HTTP gateway: POST ``{"to", "text", "from"}`` as JSON to
    ``PEERWORK_SMS_URL`` with ``Authorization: Bearer PEERWORK_SMS_TOKEN``."""

    name = "http"

    def __init__(self) -> None:
        self.url = settings.PEERWORK_SMS_URL
        self.token = settings.PEERWORK_SMS_TOKEN
        self.sender = settings.PEERWORK_SMS_SENDER

    def send(self, to: str, text: str) -> SendResult:
        body = json.dumps({"to": to, "text": text, "from": self.sender}).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return http_post(self.url, content=body, headers=headers)


@register_sms_gateway
class AfricasTalkingGateway(SmsGateway):
    """Africa's Talking's messaging API: a form POST of ``username``, ``to``, ``message``
    and ``from`` (the sender id or short code, optional) with the ``apiKey`` header, to
    ``PEERWORK_SMS_AT_URL`` (their sandbox or live address, ``PEERWORK_SMS_AT_SANDBOX``).

    AT answers 201 with ``SMSMessageData.Recipients[].statusCode`` per number: 100
    (processed), 101 (sent) and 102 (queued) mean AT has the message; every other code
    (401 risk hold, 403 invalid number, 405 insufficient balance, 5xx …) means it was not
    sent. A 2xx whose body cannot be read may have been sent: unknown, not failed.
    """

    name = "africastalking"
    ACCEPTED = frozenset({100, 101, 102})

    def __init__(self) -> None:
        self.url = settings.PEERWORK_SMS_AT_URL
        self.username = settings.PEERWORK_SMS_AT_USERNAME
        self.api_key = settings.PEERWORK_SMS_AT_API_KEY
        self.sender = settings.PEERWORK_SMS_SENDER

    def send(self, to: str, text: str) -> SendResult:
        data = {"username": self.username, "to": to, "message": text}
        if self.sender:
            data["from"] = self.sender
        headers = {"apiKey": self.api_key, "Accept": "application/json"}
        return http_post(self.url, data=data, headers=headers, read=self._read)

    @classmethod
    def _read(cls, response: httpx.Response) -> SendResult:
        try:
            recipients = response.json()["SMSMessageData"]["Recipients"]
            codes = [int(r["statusCode"]) for r in recipients]
        except (ValueError, KeyError, TypeError):
            return SendResult.unknown("unreadable answer")
        if not codes:
            # AT lists no recipient when it refused the whole request (its Message says why).
            return SendResult.failed("no recipient accepted")
        refused = [c for c in codes if c not in cls.ACCEPTED]
        return SendResult.failed(f"AT {refused[0]}") if refused else SendResult.sent()


@register_sms_gateway
class TwilioGateway(SmsGateway):
    """Twilio's Messages resource: a form POST of ``To``, ``Body`` and ``From`` (or
    ``MessagingServiceSid``) to ``/2010-04-01/Accounts/{sid}/Messages.json`` under
    ``PEERWORK_SMS_TWILIO_URL``, with basic auth (account SID, auth token). Twilio answers
    201 Created when it has queued the message; 4xx (a bad number, an unverified sender)
    is a failure, and so is 5xx."""

    name = "twilio"

    def __init__(self) -> None:
        self.account_sid = settings.PEERWORK_SMS_TWILIO_ACCOUNT_SID
        self.auth_token = settings.PEERWORK_SMS_TWILIO_AUTH_TOKEN
        self.messaging_service_sid = settings.PEERWORK_SMS_TWILIO_MESSAGING_SERVICE_SID
        self.sender = settings.PEERWORK_SMS_SENDER
        base = settings.PEERWORK_SMS_TWILIO_URL.rstrip("/")
        self.url = f"{base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def send(self, to: str, text: str) -> SendResult:
        data = {"To": to, "Body": text}
        if self.sender:
            data["From"] = self.sender
        else:
            data["MessagingServiceSid"] = self.messaging_service_sid
        return http_post(self.url, data=data, auth=(self.account_sid, self.auth_token))


# --- sending one delivery --------------------------------------------------------------


def send_delivery(
    delivery_id: str | uuid.UUID, *, now: datetime | None = None
) -> DeliveryAttempt | None:
    """Claim the delivery, send it once, record the attempt and what happens next.

    Idempotent: only the caller whose claim (pending → sending) succeeds sends, so running
    this twice for one delivery sends once — unless the first outcome was unknown, when
    the retry may duplicate it (and ``Delivery.unknown_outcomes`` counts that). Returns
    the attempt, or None when there was nothing to do.
    """
    # The task carries only the id: read the organisation first (ids and nothing else),
    # then do everything inside that organisation's scope.
    with scopes_disabled():
        try:
            organisation_id = (
                Delivery.objects.filter(pk=delivery_id)
                .values_list("organisation_id", flat=True)
                .first()
            )
        except ValidationError:
            return None
    if organisation_id is None:
        return None
    with scope(organisation=organisation_id):
        claimed = Delivery.claim(delivery_id, now=now or timezone.now())
        if claimed is None:
            return None
        delivery, attempt = claimed
        notification = delivery.notification
        recipient = notification.recipient
        message = render(notification, language=recipient_language(recipient))
        sender = SENDERS.get(delivery.channel)
        result: SendResult
        if sender is None:
            result = SendResult.skipped(f"not sent: unknown channel {delivery.channel}")
        else:
            try:
                result = sender.send(delivery, message)
            except Exception as exc:
                # A defect of ours, before or while sending: recorded, retried, and logged
                # with the ids only.
                logger.exception("delivery %s: %s raised", delivery.pk, delivery.channel)
                result = SendResult.failed(type(exc).__name__)
        delivery.finish(
            attempt, outcome=result.outcome, error=result.error, now=now or timezone.now()
        )
        attempt.refresh_from_db()
        return attempt
