"""SMS check-out and check-in through the webhook, for each gateway (issue 5 item 3): a
worker's text changes her shift and the reply reaches a fake gateway on 127.0.0.1; a bad
signature, a replayed webhook, an unknown number and a wrong PIN change nothing.

Amina (work phone +254 700 000 001, PIN 2468, duress PIN 1357) and Olena are on an evening
shift starting in half an hour. Chen, the org admin, set up the numbers."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks_db.models import DBTaskResult

from peerwork.core.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from peerwork.core.models import AuditEvent
from peerwork.core.tests.test_sms_gateways import (  # noqa: F401 (the fixture)
    at_answer,
    gateway,
    use_africastalking,
    use_twilio,
)
from peerwork.outreach import services
from peerwork.outreach.models import InboundSms, Shift, SmsNumber
from peerwork.outreach.pins import set_pin
from peerwork.outreach.sms_tasks import send_reply
from peerwork.outreach.sms_views import add_number, twilio_signature

BASE = "https://peerwork.example.org"
AMINA_PHONE = "+254700000001"
STRANGER = "+254799999999"
PIN = "2468"
DURESS = "1357"
TWILIO_TOKEN = "twilio-auth-token-of-the-account"
TASK = "peerwork.outreach.sms_tasks.send_reply"


@dataclass
class Setup:
    story: Any
    number: SmsNumber
    secret: str
    shift: Shift
    gateway: Any

    def post(self, client, text: str, message_id: str, sender: str = AMINA_PHONE, **bad: Any):
        return SENDERS[self.number.gateway](self, client, text, message_id, sender, **bad)

    def fresh(self) -> Shift:
        with scopes_disabled():
            return Shift.objects.get(pk=self.shift.pk)


def _twilio(s: Setup, client, text, message_id, sender, *, wrong_key=False, **_: Any):
    path = f"/outreach/sms/in/{s.number.pk}/"
    params = {
        "MessageSid": message_id,
        "AccountSid": "AC0123456789",
        "From": sender,
        "To": s.number.number,
        "Body": text,
        "NumMedia": "0",
    }
    token = "not the token" if wrong_key else TWILIO_TOKEN
    signature = twilio_signature(token, BASE + path, {k: [v] for k, v in params.items()})
    return client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


def _generic(s: Setup, client, text, message_id, sender, *, wrong_key=False, at=None, **_: Any):
    path = f"/outreach/sms/in/{s.number.pk}/"
    body = json.dumps({"id": message_id, "from": sender, "text": text}).encode()
    timestamp = int(at if at is not None else time.time())
    secret = "not the secret" if wrong_key else s.secret
    return client.post(
        path,
        body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(secret, timestamp, body), TIMESTAMP_HEADER: str(timestamp)},
    )


def _africastalking(s: Setup, client, text, message_id, sender, *, wrong_key=False, **_: Any):
    key = "not-the-key" if wrong_key else s.secret
    params = {
        "from": sender,
        "to": s.number.number,
        "text": text,
        "date": "2026-11-24 17:35:00",
        "id": message_id,
        "linkId": "",
    }
    return client.post(
        f"/outreach/sms/in/{s.number.pk}/?key={key}",
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
    )


SENDERS = {"twilio": _twilio, "http": _generic, "africastalking": _africastalking}
GATEWAYS = list(SENDERS)


def _outbound(kind: str, settings, gateway) -> None:  # noqa: F811 (the fixture's name)
    if kind == "twilio":
        use_twilio(settings, gateway)
        gateway.then = (201, '{"sid": "SM1"}')
    elif kind == "africastalking":
        use_africastalking(settings, gateway)
        gateway.then = at_answer(101)
    else:
        settings.PEERWORK_SMS_GATEWAY = "http"
        settings.PEERWORK_SMS_URL = f"{gateway.url}/sms/send"
        settings.PEERWORK_SMS_TOKEN = "gateway-token"
        gateway.then = (200, "{}")


def make_setup(story, settings, gateway, kind: str) -> Setup:  # noqa: F811
    settings.PEERWORK_BASE_URL = BASE
    _outbound(kind, settings, gateway)
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        story.amina.work_phone = "+254 700 000 001"
        story.amina.save(update_fields=["work_phone"])
        set_pin(actor=story.amina, pin=PIN, duress_pin=DURESS)
        number, secret = add_number(
            actor=story.chen,
            number="+254711000000",
            gateway=kind,
            auth_token=TWILIO_TOKEN if kind == "twilio" else "",
        )
        shift = services.plan_shift(
            actor=story.amina,
            workers=[story.amina, story.olena],
            area="The market car park",
            planned_start=now + timedelta(minutes=30),
            planned_return=now + timedelta(hours=4),
            now=now,
        )
    return Setup(story, number, secret or TWILIO_TOKEN, shift, gateway)


@pytest.fixture(params=GATEWAYS)
def setup(request, story, settings, gateway) -> Setup:  # noqa: F811
    return make_setup(story, settings, gateway, request.param)


def queued() -> list[list[Any]]:
    return [
        row.args_kwargs["args"]
        for row in DBTaskResult.objects.filter(task_path=TASK).order_by("enqueued_at")
    ]


def send_queued() -> None:
    for args in queued():
        send_reply.call(*args)
    DBTaskResult.objects.filter(task_path=TASK).delete()


def replies(gateway) -> list[tuple[str, str]]:  # noqa: F811
    """(to, text) of each message the fake gateway was asked to send."""
    found = []
    for request in gateway.received:
        if request.path.endswith("/sms/send"):
            payload = json.loads(request.body)
            found.append((payload["to"], payload["text"]))
        elif request.path.endswith("Messages.json"):
            form = request.form()
            found.append((form["To"], form["Body"]))
        else:
            form = request.form()
            found.append((form["to"], form["message"]))
    return found


def post(setup: Setup, client, text, message_id, capture, **kw: Any):
    with capture(execute=True):
        response = setup.post(client, text, message_id, **kw)
    send_queued()
    return response


# --- the commands, for each gateway ------------------------------------------------------


def test_out_ext_and_in_change_the_shift_and_each_reply_reaches_the_gateway(
    setup, client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    response = post(setup, client, "OUT 2468", "m-1", capture)
    assert response.status_code == 200
    shift = setup.fresh()
    assert shift.state == Shift.State.OUT
    back_by = timezone.localtime(shift.planned_return, timezone=_nairobi()).strftime("%H:%M")

    assert post(setup, client, "ext 30 2468", "m-2", capture).status_code == 200
    extended = setup.fresh()
    assert extended.planned_return == shift.planned_return + timedelta(minutes=30)
    later = timezone.localtime(extended.planned_return, timezone=_nairobi()).strftime("%H:%M")

    assert post(setup, client, "2468 in", "m-3", capture).status_code == 200
    assert setup.fresh().state == Shift.State.RETURNED

    sent = replies(setup.gateway)
    assert [to for to, _text in sent] == ["+254 700 000 001"] * 3
    assert sent[0][1].startswith(f"Checked out. Back by {back_by}?")
    assert sent[1][1] == f"Return time moved to {later}."
    assert sent[2][1] == "Checked in. Welcome back."
    assert all(PIN not in text for _to, text in sent)
    with scopes_disabled():
        rows = list(InboundSms.objects.order_by("received_at").values_list("outcome", "member"))
    assert rows == [(o, setup.story.amina.pk) for o in ("out", "ext", "in")]


def test_help_by_sms_asks_for_help_at_once(setup, client, django_capture_on_commit_callbacks):
    response = post(setup, client, "HELP 2468", "m-help", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    shift = setup.fresh()
    assert shift.state == Shift.State.HELP and not shift.help_silent
    assert replies(setup.gateway) == [
        ("+254 700 000 001", "Help is on its way. Stay where it is safe if you can.")
    ]


def test_a_bad_signature_is_refused_audited_and_changes_nothing(
    setup, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = setup.post(client, "OUT 2468", "m-1", wrong_key=True)
    assert response.status_code == 403
    assert setup.fresh().state == Shift.State.PLANNED
    with scopes_disabled():
        assert not InboundSms.objects.exists()
        refused = AuditEvent.objects.filter(action="outreach.sms.refused").get()
    assert refused.organisation_id == setup.story.harbourside.pk and refused.actor_id is None
    assert refused.detail == {"reason": "bad_signature", "gateway": setup.number.gateway}
    assert queued() == [] and setup.gateway.received == []


def test_a_replayed_webhook_changes_nothing_and_gets_no_second_reply(
    setup, client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    assert post(setup, client, "OUT 2468", "m-1", capture).status_code == 200
    checked_out = setup.fresh()
    # The same message again (the gateway retried): 200, so it stops retrying.
    assert post(setup, client, "OUT 2468", "m-1", capture).status_code == 200
    again = setup.fresh()
    assert (again.state, again.version) == (Shift.State.OUT, checked_out.version)
    with scopes_disabled():
        assert InboundSms.objects.count() == 1
    assert len(replies(setup.gateway)) == 1


def test_an_unknown_number_changes_nothing_and_is_told_so(
    setup, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = setup.post(client, "OUT 2468", "m-1", sender=STRANGER)
    assert response.status_code == 200
    # The queue holds the stranger's number sealed, never readable.
    [args] = queued()
    assert "254799999999" not in json.dumps(args)
    send_queued()
    assert setup.fresh().state == Shift.State.PLANNED
    assert replies(setup.gateway) == [
        ("254799999999", "This number is not registered for outreach.")
    ]
    with scopes_disabled():
        inbound = InboundSms.objects.get()
        assert (inbound.outcome, inbound.member_id) == ("unknown_number", None)
        audited = AuditEvent.objects.get(action="outreach.sms.received")
    assert audited.detail["outcome"] == "unknown_number" and audited.actor_id is None


def test_a_wrong_pin_is_refused_audited_and_changes_nothing(
    setup, client, django_capture_on_commit_callbacks
):
    response = post(setup, client, "OUT 9999", "m-1", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert setup.fresh().state == Shift.State.PLANNED
    assert replies(setup.gateway) == [("+254 700 000 001", "Wrong PIN. Nothing was changed.")]
    with scopes_disabled():
        assert InboundSms.objects.get().outcome == "wrong_pin"
        refusal = AuditEvent.objects.get(action="outreach.pin.refused")
    assert refusal.actor_id == setup.story.amina.pk
    assert refusal.detail == {"via": "sms", "reason": "wrong_pin"}


def test_the_duress_pin_raises_a_silent_alert_and_answers_as_the_command_would(
    setup, client, django_capture_on_commit_callbacks
):
    response = post(setup, client, "OUT 1357", "m-1", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    shift = setup.fresh()
    assert shift.state == Shift.State.HELP and shift.help_silent
    assert shift.state_shown_to_worker() == Shift.State.RETURNED
    [(to, text)] = replies(setup.gateway)
    back_by = timezone.localtime(shift.planned_return, timezone=_nairobi()).strftime("%H:%M")
    assert text.startswith(f"Checked out. Back by {back_by}?")
    assert DURESS not in text


# --- one gateway is enough for the rest ---------------------------------------------------


@pytest.fixture
def twilio(story, settings, gateway) -> Setup:  # noqa: F811
    return make_setup(story, settings, gateway, "twilio")


@pytest.fixture
def generic(story, settings, gateway) -> Setup:  # noqa: F811
    return make_setup(story, settings, gateway, "http")


def test_in_without_a_shift_out_is_told_there_is_none(
    twilio, client, django_capture_on_commit_callbacks
):
    post(twilio, client, "IN 2468", "m-1", django_capture_on_commit_callbacks)
    assert twilio.fresh().state == Shift.State.PLANNED
    assert replies(twilio.gateway) == [("+254 700 000 001", "No shift to check in.")]


def test_a_text_that_is_not_a_command_is_answered_with_how_to_write_one(
    twilio, client, django_capture_on_commit_callbacks
):
    post(twilio, client, "hello are you there", "m-1", django_capture_on_commit_callbacks)
    assert replies(twilio.gateway) == [
        ("+254 700 000 001", "Text OUT, IN, EXT 30 or HELP, with your PIN.")
    ]


def test_a_phone_two_members_share_is_refused_as_unknown(
    twilio, client, django_capture_on_commit_callbacks
):
    with scope(organisation=twilio.story.harbourside.pk):
        twilio.story.olena.work_phone = "00254700000001"
        twilio.story.olena.save(update_fields=["work_phone"])
    post(twilio, client, "OUT 2468", "m-1", django_capture_on_commit_callbacks)
    assert twilio.fresh().state == Shift.State.PLANNED
    with scopes_disabled():
        assert InboundSms.objects.get().outcome == "unknown_number"


def test_an_old_generic_webhook_is_refused_even_with_a_good_signature(generic, client):
    response = generic.post(client, "OUT 2468", "m-1", at=time.time() - 3600)
    assert response.status_code == 403
    assert generic.fresh().state == Shift.State.PLANNED


def test_a_switched_off_or_unknown_number_is_not_found_and_get_is_refused(twilio, client):
    assert client.get(f"/outreach/sms/in/{twilio.number.pk}/").status_code == 405
    assert client.post("/outreach/sms/in/not-an-id/").status_code == 404
    with scopes_disabled():
        SmsNumber.objects.filter(pk=twilio.number.pk).update(is_active=False)
    assert twilio.post(client, "OUT 2468", "m-1").status_code == 404
    assert twilio.fresh().state == Shift.State.PLANNED


def test_a_failed_reply_is_tried_again_later_and_an_unknown_one_is_not(
    twilio, client, django_capture_on_commit_callbacks
):
    twilio.gateway.plan = [(500, "{}")]
    with django_capture_on_commit_callbacks(execute=True):
        twilio.post(client, "OUT 2468", "m-1")
    [first] = queued()
    DBTaskResult.objects.filter(task_path=TASK).delete()
    send_reply.call(*first)
    [again] = DBTaskResult.objects.filter(task_path=TASK)
    # The second attempt, queued to run after the core's first wait.
    assert again.args_kwargs["args"][-1] == 2 and again.run_after is not None
    send_queued()
    assert len(replies(twilio.gateway)) == 2
    twilio.gateway.plan = ["drop"]
    post(twilio, client, "EXT 30 2468", "m-2", django_capture_on_commit_callbacks)
    assert queued() == []
    assert len(replies(twilio.gateway)) == 3


def test_running_a_reply_task_twice_sends_once(twilio, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        twilio.post(client, "OUT 2468", "m-1")
    [args] = queued()
    send_reply.call(*args)
    send_reply.call(*args)
    assert len(replies(twilio.gateway)) == 1


@pytest.mark.parametrize("kind", GATEWAYS)
def test_no_malformed_request_raises(story, settings, gateway, client, kind):  # noqa: F811
    setup = make_setup(story, settings, gateway, kind)
    path = f"/outreach/sms/in/{setup.number.pk}/"
    bodies = [
        ("", "application/x-www-form-urlencoded"),
        ("%%%", "application/x-www-form-urlencoded"),
        ("From=&Body=&MessageSid=", "application/x-www-form-urlencoded"),
        ("{", "application/json"),
        ("[1, 2]", "application/json"),
        ('{"id": 5, "from": [], "text": null}', "application/json"),
        ("\xff\xfe", "text/plain"),
        ("x" * 5000, "application/octet-stream"),
    ]
    for body, content_type in bodies:
        for query in ("", "?key=", f"?key={setup.secret}", "?key=%ff"):
            response = client.post(path + query, body, content_type=content_type)
            assert response.status_code in (200, 400, 403), (body[:20], query, response)
    # Correctly signed but malformed: 400, nothing recorded.
    ts = int(time.time())
    if kind == "http":
        for body in (b"{", b"[]", b'{"id": "", "from": "+1", "text": "x"}', b'{"id": 3}'):
            response = client.post(
                path,
                body,
                content_type="application/json",
                headers={SIGNATURE_HEADER: sign(setup.secret, ts, body), TIMESTAMP_HEADER: str(ts)},
            )
            assert response.status_code == 400
    for text in ("", "\x00", "OUT " * 100, "EXT 9999999999 2468", "ЕХТ 30 2468", "🙂 2468"):
        response = setup.post(client, text, f"fuzz-{text[:8]}-{len(text)}")
        assert response.status_code == 200
    assert setup.fresh().state == Shift.State.PLANNED


def _nairobi():
    import zoneinfo

    return zoneinfo.ZoneInfo("Africa/Nairobi")


def test_a_message_to_another_organisations_number_finds_no_one_here(
    twilio, client, django_capture_on_commit_callbacks
):
    """The webhook is the gateway's, signed for one number: Amina's phone texting
    Riverside's number is unknown there, and her shift is untouched."""
    story = twilio.story
    with scopes_disabled():
        their = SmsNumber(
            organisation=story.riverside,
            number="+380441234567",
            gateway=SmsNumber.Gateway.TWILIO,
            secret=TWILIO_TOKEN,
        )
        their.save()
    theirs = Setup(story, their, TWILIO_TOKEN, twilio.shift, twilio.gateway)
    post(theirs, client, "OUT 2468", "m-1", django_capture_on_commit_callbacks)
    assert twilio.fresh().state == Shift.State.PLANNED
    with scopes_disabled():
        inbound = InboundSms.objects.get()
    assert (inbound.organisation_id, inbound.outcome) == (story.riverside.pk, "unknown_number")


def test_the_record_of_a_message_holds_neither_its_text_nor_the_senders_number(
    twilio, client, django_capture_on_commit_callbacks
):
    post(twilio, client, "OUT 2468", "m-1", django_capture_on_commit_callbacks)
    with scopes_disabled():
        row = InboundSms.objects.values().get()
        audited = list(AuditEvent.objects.values("detail"))
    text = json.dumps([row, audited], default=str)
    assert "2468" not in text and "254700000001" not in text and "OUT" not in text
