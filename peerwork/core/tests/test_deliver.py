"""The ``deliver`` task (``channels.send_delivery``): claims, attempts, retries with backoff,
unknown outcomes, against real HTTP servers on 127.0.0.1 (a webhook receiver, an SMS
gateway) and Django's in-memory email backend."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core.channels import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    send_delivery,
    verify_signature,
)
from peerwork.core.models import Delivery, DeliveryAttempt, WebhookEndpoint
from peerwork.core.models.notifications import MAX_ATTEMPTS, RETRY_DELAYS
from peerwork.core.notify import API_TOKEN_EXPIRING, notify
from peerwork.core.tasks import deliver

SECRET = "a-webhook-secret-of-thirty-two-chars!"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeServer:
    """Answers each POST with the next planned reply: a status code, "drop" to read the
    request and close the connection without answering, or "slow" to answer only when the
    test releases it (after the sender has given up: the outcome is then unknown)."""

    plan: list[int | str] = field(default_factory=list)
    then: int | str = 200
    received: list[Received] = field(default_factory=list)
    url: str = ""
    slow_release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            fake.received.append(Received(self.path, dict(self.headers.items()), body))
            reply = fake.plan.pop(0) if fake.plan else fake.then
            if reply == "drop":
                self.close_connection = True
                return
            if reply == "slow":
                fake.slow_release.wait(timeout=5)
                reply = 200
            self.send_response(int(reply))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield fake
    finally:
        fake.slow_release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def webhook_delivery(story, url: str) -> Delivery:
    with scope(organisation=story.harbourside.pk):
        WebhookEndpoint.objects.create(
            organisation=story.harbourside,
            url=f"{url}/hooks/peerwork",
            secret=SECRET,
            kinds=[API_TOKEN_EXPIRING.kind],
        )
    return delivery_on(story, "webhook")


def delivery_on(story, channel: str, recipient=None) -> Delivery:
    from peerwork.core.models import NotificationPreference

    recipient = recipient or story.amina
    with scope(organisation=recipient.organisation_id):
        NotificationPreference.objects.update_or_create(
            organisation_id=recipient.organisation_id,
            membership=recipient,
            kind=API_TOKEN_EXPIRING.kind,
            defaults={"channels": [channel]},
        )
    notification = notify(
        recipient=recipient,
        kind=API_TOKEN_EXPIRING.kind,
        params={"token": "5d0e", "expires_at": "2026-12-01T09:00:00+00:00"},
    )
    with scopes_disabled():
        return Delivery.objects.get(notification=notification)


def reload(delivery: Delivery) -> Delivery:
    with scopes_disabled():
        return Delivery.objects.get(pk=delivery.pk)


def attempts_of(delivery: Delivery) -> list[DeliveryAttempt]:
    with scopes_disabled():
        return list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number"))


def test_a_webhook_that_fails_twice_is_retried_after_waits_and_the_third_attempt_arrives(
    story, server
):
    server.plan = [500, 503]
    delivery = webhook_delivery(story, server.url)
    start = timezone.now()

    send_delivery(delivery.pk, now=start)
    after_first = reload(delivery)
    assert after_first.state == Delivery.State.PENDING
    assert after_first.next_attempt_at == start + RETRY_DELAYS[0]

    second = start + timedelta(seconds=20)
    send_delivery(delivery.pk, now=second)
    assert reload(delivery).next_attempt_at == second + RETRY_DELAYS[1]

    deliver.call(str(delivery.pk))
    done = reload(delivery)
    assert done.state == Delivery.State.SENT and done.sent_at is not None
    assert done.attempts == 3 and done.unknown_outcomes == 0 and done.next_attempt_at is None
    assert [(a.number, a.outcome, a.error) for a in attempts_of(delivery)] == [
        (1, "failed", "HTTP 500"),
        (2, "failed", "HTTP 503"),
        (3, "sent", ""),
    ]
    assert len(server.received) == 3
    assert all(a.finished_at is not None for a in attempts_of(delivery))


def test_the_webhook_is_signed_timestamped_and_carries_opaque_ids_only(story, server):
    delivery = webhook_delivery(story, server.url)
    send_delivery(delivery.pk)
    [request] = server.received
    assert request.path == "/hooks/peerwork"
    assert verify_signature(
        secret=SECRET,
        body=request.body,
        timestamp=request.headers[TIMESTAMP_HEADER],
        signature=request.headers[SIGNATURE_HEADER],
    )
    # A replay much later, or a changed body, does not verify.
    assert not verify_signature(
        secret=SECRET,
        body=request.body,
        timestamp=request.headers[TIMESTAMP_HEADER],
        signature=request.headers[SIGNATURE_HEADER],
        now=int(request.headers[TIMESTAMP_HEADER]) + 3600,
    )
    assert not verify_signature(
        secret=SECRET,
        body=request.body.replace(b"5d0e", b"5d0f"),
        timestamp=request.headers[TIMESTAMP_HEADER],
        signature=request.headers[SIGNATURE_HEADER],
    )
    assert not verify_signature(
        secret="another secret",
        body=request.body,
        timestamp=request.headers[TIMESTAMP_HEADER],
        signature=request.headers[SIGNATURE_HEADER],
    )
    payload = json.loads(request.body)
    assert payload == {
        "delivery": str(delivery.pk),
        "notification": str(delivery.notification_id),
        "kind": API_TOKEN_EXPIRING.kind,
        "organisation": str(story.harbourside.pk),
        "recipient": str(story.amina.pk),
        "created_at": payload["created_at"],
        "params": {"token": "5d0e", "expires_at": "2026-12-01T09:00:00+00:00"},
    }
    assert request.headers[DELIVERY_HEADER] == str(delivery.pk)
    body = request.body.decode()
    assert "Amina" not in body and "expires soon" not in body and "amina@" not in body


def test_attempt_rows_hold_no_words_of_the_message(story, server):
    server.plan = [500]
    delivery = webhook_delivery(story, server.url)
    send_delivery(delivery.pk)
    send_delivery(delivery.pk)
    with scopes_disabled():
        rows = list(DeliveryAttempt.objects.filter(delivery=delivery).values())
    text = json.dumps(rows, default=str)
    assert len(rows) == 2
    for words in ("API token", "expires", "Amina", "amina@example.org", "stops working"):
        assert words not in text


def test_retries_stop_after_the_last_attempt(story, server):
    server.then = 500
    delivery = webhook_delivery(story, server.url)
    now = timezone.now()
    for n in range(MAX_ATTEMPTS):
        send_delivery(delivery.pk, now=now + timedelta(hours=n))
    failed = reload(delivery)
    assert failed.state == Delivery.State.FAILED and failed.next_attempt_at is None
    assert send_delivery(delivery.pk) is None
    assert deliver.call(str(delivery.pk)) is None
    assert len(server.received) == MAX_ATTEMPTS
    assert len(attempts_of(delivery)) == MAX_ATTEMPTS


def test_running_the_task_twice_sends_once(story, server):
    delivery = webhook_delivery(story, server.url)
    deliver.call(str(delivery.pk))
    deliver.call(str(delivery.pk))
    assert len(server.received) == 1
    assert reload(delivery).attempts == 1


def test_an_answer_lost_after_the_request_arrived_is_counted_unknown_and_sent_again(story, server):
    server.plan = ["drop"]
    delivery = webhook_delivery(story, server.url)
    attempt = send_delivery(delivery.pk)
    assert attempt is not None and attempt.outcome == DeliveryAttempt.Outcome.UNKNOWN
    assert attempt.error == "RemoteProtocolError"
    unknown = reload(delivery)
    assert unknown.state == Delivery.State.PENDING and unknown.unknown_outcomes == 1

    send_delivery(delivery.pk)
    sent = reload(delivery)
    assert sent.state == Delivery.State.SENT and sent.unknown_outcomes == 1
    # The receiver saw it twice, with the same delivery id to drop the repeat by.
    assert [r.headers[DELIVERY_HEADER] for r in server.received] == [str(delivery.pk)] * 2


def test_a_timeout_after_the_request_was_sent_is_counted_unknown(story, server, monkeypatch):
    from peerwork.core import channels

    # A shorter wait than the 5 s in service, so the test does not sit through it.
    monkeypatch.setattr(channels, "SEND_TIMEOUT_SECONDS", 0.2)
    server.plan = ["slow"]
    delivery = webhook_delivery(story, server.url)
    attempt = send_delivery(delivery.pk)
    assert attempt is not None and attempt.outcome == DeliveryAttempt.Outcome.UNKNOWN
    assert attempt.error == "ReadTimeout"
    assert reload(delivery).unknown_outcomes == 1
    assert len(server.received) == 1


def test_a_receiver_that_is_not_listening_is_a_plain_failure_not_an_unknown(story, server):
    delivery = webhook_delivery(story, "http://127.0.0.1:9")
    attempt = send_delivery(delivery.pk)
    assert attempt is not None and attempt.outcome == DeliveryAttempt.Outcome.FAILED
    assert attempt.error == "ConnectError"
    assert reload(delivery).unknown_outcomes == 0


def test_a_switched_off_endpoint_is_skipped_without_retries(story, server):
    delivery = webhook_delivery(story, server.url)
    with scopes_disabled():
        WebhookEndpoint.objects.update(is_active=False)
    attempt = send_delivery(delivery.pk)
    assert attempt is not None and attempt.outcome == DeliveryAttempt.Outcome.SKIPPED
    assert reload(delivery).state == Delivery.State.FAILED
    assert server.received == []


def test_sms_goes_through_the_http_gateway_with_the_subject_and_link_only(story, server, settings):
    settings.PEERWORK_SMS_GATEWAY = "http"
    settings.PEERWORK_SMS_URL = f"{server.url}/sms/send"
    settings.PEERWORK_SMS_TOKEN = "gateway-token"
    settings.PEERWORK_SMS_SENDER = "Peerwork"
    settings.PEERWORK_BASE_URL = "https://peerwork.example.org"
    story.amina.work_phone = "+254700000001"
    with scope(organisation=story.harbourside.pk):
        story.amina.save(update_fields=["work_phone"])
    delivery = delivery_on(story, "sms")
    attempt = send_delivery(delivery.pk)
    assert attempt is not None and attempt.outcome == DeliveryAttempt.Outcome.SENT
    [request] = server.received
    assert request.path == "/sms/send"
    assert request.headers["Authorization"] == "Bearer gateway-token"
    assert json.loads(request.body) == {
        "to": "+254700000001",
        "text": "An API token expires soon https://peerwork.example.org/tokens",
        "from": "Peerwork",
    }


def test_a_gateway_error_is_retried(story, server, settings):
    settings.PEERWORK_SMS_GATEWAY = "http"
    settings.PEERWORK_SMS_URL = f"{server.url}/sms/send"
    server.plan = [502]
    story.amina.work_phone = "+254700000001"
    with scope(organisation=story.harbourside.pk):
        story.amina.save(update_fields=["work_phone"])
    delivery = delivery_on(story, "sms")
    send_delivery(delivery.pk)
    assert reload(delivery).state == Delivery.State.PENDING
    send_delivery(delivery.pk)
    assert reload(delivery).state == Delivery.State.SENT
    assert [a.error for a in attempts_of(delivery)] == ["HTTP 502", ""]


def test_without_a_gateway_an_sms_is_recorded_as_not_sent(story, settings):
    settings.PEERWORK_SMS_GATEWAY = "none"
    story.amina.work_phone = "+254700000001"
    with scope(organisation=story.harbourside.pk):
        story.amina.save(update_fields=["work_phone"])
    delivery = delivery_on(story, "sms")
    attempt = send_delivery(delivery.pk)
    assert attempt is not None
    assert (attempt.outcome, attempt.error) == ("skipped", "not sent: no gateway")
    assert reload(delivery).state == Delivery.State.FAILED
    assert send_delivery(delivery.pk) is None


def test_without_a_phone_number_an_sms_is_recorded_as_not_sent(story, server, settings):
    settings.PEERWORK_SMS_GATEWAY = "http"
    settings.PEERWORK_SMS_URL = f"{server.url}/sms/send"
    delivery = delivery_on(story, "sms")
    attempt = send_delivery(delivery.pk)
    assert attempt is not None and attempt.error == "not sent: no phone number"
    assert server.received == []


def test_email_goes_to_the_persons_address_in_their_language(story, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PEERWORK_BASE_URL = "https://peerwork.example.org"
    delivery = delivery_on(story, "email")
    attempt = send_delivery(delivery.pk)
    assert attempt is not None and attempt.outcome == DeliveryAttempt.Outcome.SENT
    [message] = mail.outbox
    assert message.to == ["amina@example.org"]
    assert message.subject == "An API token expires soon"
    assert "https://peerwork.example.org/tokens" in message.body


def test_a_malformed_or_unknown_delivery_id_does_nothing(db):
    assert send_delivery("not-a-uuid") is None
    assert send_delivery("6f1e1d2c-8f0e-4a59-9d1a-2f3e4c5b6a70") is None
