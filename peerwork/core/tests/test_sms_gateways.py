"""The Africa's Talking and Twilio adapters (``peerwork.core.channels``) against a fake
gateway: a real HTTP server on 127.0.0.1 that records each request and answers as planned
(a status and a body, a dropped connection, or an answer too slow to wait for).

The fake gateway is also used by the outreach SMS tests (``gateway`` fixture)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from peerwork.core import channels
from peerwork.core.channels import AfricasTalkingGateway, TwilioGateway, sms_gateway


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


@dataclass
class FakeGateway:
    """Answers each POST with the next planned reply: ``(status, body)``, ``"drop"`` (read
    the request, close without answering) or ``"slow"`` (answer only after the sender gave
    up). Without a plan it answers ``then``."""

    plan: list[tuple[int, str] | str] = field(default_factory=list)
    then: tuple[int, str] | str = (201, "{}")
    received: list[Request] = field(default_factory=list)
    url: str = ""
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            fake.received.append(Request(self.path, dict(self.headers.items()), body))
            reply = fake.plan.pop(0) if fake.plan else fake.then
            if reply == "drop":
                self.close_connection = True
                return
            if reply == "slow":
                fake.release.wait(timeout=5)
                reply = (201, "{}")
            status, text = reply if isinstance(reply, tuple) else (201, "{}")
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

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
        fake.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def at_answer(*codes: int) -> tuple[int, str]:
    recipients = [
        {"statusCode": c, "number": "+254700000001", "status": "x", "messageId": "ATXid_1"}
        for c in codes
    ]
    return 201, json.dumps({"SMSMessageData": {"Message": "Sent", "Recipients": recipients}})


def use_africastalking(settings, gateway: FakeGateway) -> None:
    settings.PEERWORK_SMS_GATEWAY = "africastalking"
    settings.PEERWORK_SMS_AT_URL = f"{gateway.url}/version1/messaging"
    settings.PEERWORK_SMS_AT_USERNAME = "sandbox"
    settings.PEERWORK_SMS_AT_API_KEY = "at-api-key"
    settings.PEERWORK_SMS_SENDER = "HARBOUR"


def use_twilio(settings, gateway: FakeGateway, *, sender: str = "+15005550006") -> None:
    settings.PEERWORK_SMS_GATEWAY = "twilio"
    settings.PEERWORK_SMS_TWILIO_URL = gateway.url
    settings.PEERWORK_SMS_TWILIO_ACCOUNT_SID = "AC0123456789"
    settings.PEERWORK_SMS_TWILIO_AUTH_TOKEN = "twilio-auth-token"
    settings.PEERWORK_SMS_TWILIO_MESSAGING_SERVICE_SID = "MG0123456789"
    settings.PEERWORK_SMS_SENDER = sender


# --- Africa's Talking -------------------------------------------------------------------


def test_africas_talking_gets_a_form_with_username_to_message_and_from_and_the_api_key(
    settings, gateway
):
    use_africastalking(settings, gateway)
    gateway.plan = [at_answer(101)]
    result = sms_gateway().send("+254700000001", "Checked in. Welcome back.")
    assert (result.outcome, result.error) == ("sent", "")
    [request] = gateway.received
    assert request.path == "/version1/messaging"
    assert request.headers["apiKey"] == "at-api-key"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.form() == {
        "username": "sandbox",
        "to": "+254700000001",
        "message": "Checked in. Welcome back.",
        "from": "HARBOUR",
    }


def test_africas_talking_without_a_sender_lets_the_account_choose(settings, gateway):
    use_africastalking(settings, gateway)
    settings.PEERWORK_SMS_SENDER = ""
    gateway.plan = [at_answer(101)]
    AfricasTalkingGateway().send("+254700000001", "hello")
    assert "from" not in gateway.received[0].form()


@pytest.mark.parametrize("code", [100, 101, 102])
def test_africas_talking_processed_sent_or_queued_counts_as_sent(settings, gateway, code):
    use_africastalking(settings, gateway)
    gateway.plan = [at_answer(code)]
    assert AfricasTalkingGateway().send("+254700000001", "hi").outcome == "sent"


@pytest.mark.parametrize("code", [401, 403, 405, 406, 407, 500, 502])
def test_africas_talking_any_other_recipient_status_is_a_failure_naming_the_code(
    settings, gateway, code
):
    use_africastalking(settings, gateway)
    gateway.plan = [at_answer(code)]
    result = AfricasTalkingGateway().send("+254700000001", "hi")
    assert (result.outcome, result.error) == ("failed", f"AT {code}")


def test_africas_talking_with_no_recipient_accepted_is_a_failure(settings, gateway):
    use_africastalking(settings, gateway)
    gateway.plan = [(201, json.dumps({"SMSMessageData": {"Message": "Invalid", "Recipients": []}}))]
    result = AfricasTalkingGateway().send("+254700000001", "hi")
    assert (result.outcome, result.error) == ("failed", "no recipient accepted")


@pytest.mark.parametrize("body", ["not json", "{}", '{"SMSMessageData": {"Recipients": "x"}}'])
def test_africas_talking_answer_that_cannot_be_read_may_have_been_sent(settings, gateway, body):
    use_africastalking(settings, gateway)
    gateway.plan = [(201, body)]
    result = AfricasTalkingGateway().send("+254700000001", "hi")
    assert (result.outcome, result.error) == ("unknown", "unreadable answer")


def test_africas_talking_refusing_the_key_is_a_plain_failure(settings, gateway):
    use_africastalking(settings, gateway)
    gateway.plan = [(401, "The supplied authentication is invalid")]
    result = AfricasTalkingGateway().send("+254700000001", "hi")
    assert (result.outcome, result.error) == ("failed", "HTTP 401")


def test_africas_talking_read_timeout_is_an_unknown_outcome(settings, gateway, monkeypatch):
    monkeypatch.setattr(channels, "SEND_TIMEOUT_SECONDS", 0.2)
    use_africastalking(settings, gateway)
    gateway.plan = ["slow"]
    result = AfricasTalkingGateway().send("+254700000001", "hi")
    assert (result.outcome, result.error) == ("unknown", "ReadTimeout")


def test_the_sandbox_setting_chooses_the_sandbox_address_and_a_gateway_needs_its_keys(tmp_path):
    from peerwork.core.tests.fresh_settings import setting_in_fresh_process

    production = {"PEERWORK_ENV": "production", "PEERWORK_BASE_URL": "https://peerwork.example.org"}
    sandbox = setting_in_fresh_process(
        tmp_path, "PEERWORK_SMS_AT_URL", PEERWORK_SMS_AT_SANDBOX="on", **production
    )
    assert sandbox.stdout.strip() == "https://api.sandbox.africastalking.com/version1/messaging"
    live = setting_in_fresh_process(tmp_path, "PEERWORK_SMS_AT_URL", **production)
    assert live.stdout.strip() == "https://api.africastalking.com/version1/messaging"
    missing = setting_in_fresh_process(
        tmp_path, "PEERWORK_SMS_GATEWAY", PEERWORK_SMS_GATEWAY="twilio", **production
    )
    assert missing.returncode != 0 and "PEERWORK_SMS_TWILIO_ACCOUNT_SID" in missing.stderr


# --- Twilio ------------------------------------------------------------------------------


def test_twilio_gets_to_from_and_body_on_the_accounts_messages_resource_with_basic_auth(
    settings, gateway
):
    use_twilio(settings, gateway)
    gateway.plan = [(201, '{"sid": "SM1", "status": "queued"}')]
    result = sms_gateway().send("+254700000001", "Return time moved to 21:30.")
    assert (result.outcome, result.error) == ("sent", "")
    [request] = gateway.received
    assert request.path == "/2010-04-01/Accounts/AC0123456789/Messages.json"
    expected = base64.b64encode(b"AC0123456789:twilio-auth-token").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.form() == {
        "To": "+254700000001",
        "From": "+15005550006",
        "Body": "Return time moved to 21:30.",
    }


def test_twilio_without_a_sender_number_sends_from_the_messaging_service(settings, gateway):
    use_twilio(settings, gateway, sender="")
    gateway.plan = [(201, "{}")]
    TwilioGateway().send("+254700000001", "hi")
    form = gateway.received[0].form()
    assert form["MessagingServiceSid"] == "MG0123456789" and "From" not in form


@pytest.mark.parametrize("status", [400, 401, 429, 500])
def test_twilio_errors_are_failures_with_the_status(settings, gateway, status):
    use_twilio(settings, gateway)
    gateway.plan = [(status, '{"code": 21211, "message": "Invalid To"}')]
    result = TwilioGateway().send("+254700000001", "hi")
    assert (result.outcome, result.error) == ("failed", f"HTTP {status}")


def test_twilio_read_timeout_is_an_unknown_outcome(settings, gateway, monkeypatch):
    monkeypatch.setattr(channels, "SEND_TIMEOUT_SECONDS", 0.2)
    use_twilio(settings, gateway)
    gateway.plan = ["slow"]
    result = TwilioGateway().send("+254700000001", "hi")
    assert (result.outcome, result.error) == ("unknown", "ReadTimeout")


def test_a_dropped_answer_is_unknown_and_a_closed_port_is_a_failure(settings, gateway):
    use_twilio(settings, gateway)
    gateway.plan = ["drop"]
    assert TwilioGateway().send("+254700000001", "hi").outcome == "unknown"
    settings.PEERWORK_SMS_TWILIO_URL = "http://127.0.0.1:9"
    result = TwilioGateway().send("+254700000001", "hi")
    assert (result.outcome, result.error) == ("failed", "ConnectError")
