"""The reply to an inbound SMS, sent after commit as a background task (issue 5 item 3).

The task carries the ``InboundSms`` id, a reply code and small parameters (a time, a
number of minutes): no words sit in the queue, and the inbound text is never needed. The
reply goes to the member's work phone; only when the sender is not a member (the reply
"This number is not registered") does the task need the sender's number, and then it
carries it sealed with the organisation's key (``keyring``), bound to the inbound id, so
the queue holds no readable phone number either.

Words are rendered when the task runs, in the organisation's first language, and the
time in its time zone. A failed send is tried again after the core's waits
(``RETRY_DELAYS``); a send whose outcome is unknown is not, since a second reply
would say the same thing twice. Each (inbound, attempt) is claimed once in the shared
cache, so a task run twice (a worker that died mid-task) sends once.
"""

from __future__ import annotations

import base64
import logging
import zoneinfo
from datetime import datetime

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope, scopes_disabled
from django_tasks import task

from peerwork.core import keyring
from peerwork.core.channels import Outcome, SendResult, sms_gateway
from peerwork.core.models import Membership, Organisation
from peerwork.core.models.notifications import MAX_ATTEMPTS, RETRY_DELAYS

from .models import InboundSms, SmsNumber

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 7 * 24 * 3600

# The replies, short enough for one SMS. Never the PIN: an SMS stays on the phone.
REPLIES = {
    "out": gettext_lazy(
        "Checked out. Back by %(time)s? Text IN and your PIN when you are back, or EXT 30 "
        "and your PIN for more time."
    ),
    "in": gettext_lazy("Checked in. Welcome back."),
    "ext": gettext_lazy("Return time moved to %(time)s."),
    "help": gettext_lazy("Help is on its way. Stay where it is safe if you can."),
    "unknown_number": gettext_lazy("This number is not registered for outreach."),
    "wrong_pin": gettext_lazy("Wrong PIN. Nothing was changed."),
    "locked": gettext_lazy("Too many wrong PINs. Try again later, or call your manager."),
    "no_shift": gettext_lazy("No shift to check in."),
    "no_shift_out": gettext_lazy("No planned shift to check out now."),
    "no_shift_ext": gettext_lazy("No shift out to extend."),
    "too_late": gettext_lazy(
        "The return time has passed: text IN and your PIN, or call your manager."
    ),
    "refused": gettext_lazy("Nothing was changed: this shift has moved on. Call your manager."),
    "bad_command": gettext_lazy("Text OUT, IN, EXT 30 or HELP, with your PIN."),
    "no_pin": gettext_lazy("Add your PIN, for example: OUT and your PIN."),
    "bad_minutes": gettext_lazy("Extend by 5 to 240 minutes, for example: EXT 30 and your PIN."),
}


def seal_sender(organisation_id: object, inbound_id: object, sender: str) -> str:
    """The sender's number sealed for the task, bound to the organisation and the inbound
    message: ``<key version>:<base64>``."""
    key = keyring.current_organisation_key(str(organisation_id))
    sealed = keyring.encrypt(key.key, sender.encode(), _associated(organisation_id, inbound_id))
    return f"{key.version}:{base64.urlsafe_b64encode(sealed).decode()}"


def _open_sender(organisation_id: object, inbound_id: object, sealed: str) -> str:
    try:
        version, data = sealed.split(":", 1)
        key = keyring.organisation_key(str(organisation_id), int(version))
        if key is None:
            return ""
        raw = base64.urlsafe_b64decode(data.encode())
        return keyring.decrypt(key.key, raw, _associated(organisation_id, inbound_id)).decode()
    except (ValueError, InvalidTag, UnicodeDecodeError):
        return ""


def _associated(organisation_id: object, inbound_id: object) -> bytes:
    return f"peerwork outreach sms reply\0{organisation_id}\0{inbound_id}".encode()


def render_reply(code: str, params: dict[str, str | int], organisation: Organisation) -> str:
    """The reply's words in the organisation's first language, times in its zone."""
    known = {code for code, _name in settings.LANGUAGES}
    language = next((c for c in organisation.languages or [] if c in known), settings.LANGUAGE_CODE)
    words = REPLIES.get(code, REPLIES["bad_command"])
    with translation.override(language):
        values: dict[str, object] = {}
        moment = parse_datetime(str(params.get("at", ""))) if params.get("at") else None
        if moment is not None:
            values["time"] = timezone.localtime(
                moment, timezone=_zone(organisation.time_zone)
            ).strftime("%H:%M")
        text = str(words)
        try:
            return text % values if values else text
        except (KeyError, ValueError, TypeError):
            return _("Text OUT, IN, EXT 30 or HELP, with your PIN.")


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def enqueue_reply(
    inbound_id: object, code: str, params: dict[str, str | int], sealed_to: str = ""
) -> None:
    """Queue the reply; called on commit. A queue that cannot take it is logged (the
    worker's action is committed either way)."""
    try:
        send_reply.enqueue(str(inbound_id), code, params, sealed_to, 1)
    except Exception:
        logger.exception("could not enqueue the reply to inbound SMS %s", inbound_id)


def reply_now(
    inbound_id: str,
    code: str,
    params: dict[str, str | int],
    sealed_to: str = "",
    attempt: int = 1,
    *,
    now: datetime | None = None,
) -> SendResult | None:
    """Send one reply (what the task does). None when there was nothing to do: the
    inbound message is gone, this attempt was already taken, or there is no number."""
    with scopes_disabled():
        found = (
            InboundSms.objects.filter(pk=inbound_id)
            .values_list("organisation_id", "number_id", "member_id")
            .first()
        )
    if found is None:
        return None
    organisation_id, number_id, member_id = found
    if not cache.add(f"outreach.sms.reply:{inbound_id}:{attempt}", 1, CLAIM_SECONDS):
        return None
    with scope(organisation=organisation_id):
        organisation = Organisation.objects.get(pk=organisation_id)
        number = SmsNumber.objects.filter(pk=number_id).first()
        to = ""
        if member_id is not None:
            member = Membership.objects.filter(pk=member_id).first()
            to = member.work_phone.strip() if member else ""
        elif sealed_to:
            to = _open_sender(organisation_id, inbound_id, sealed_to)
        if not to or number is None or not number.is_active:
            return None
        text = render_reply(code, params, organisation)
        gateway = sms_gateway()
        if gateway.name == number.gateway and hasattr(gateway, "sender"):
            # Answer from the number the worker texted, when it is on this gateway.
            gateway.sender = number.number
        try:
            result = gateway.send(to, text)
        except Exception as exc:
            logger.exception("reply to inbound SMS %s raised", inbound_id)
            result = SendResult.failed(type(exc).__name__)
    if result.outcome == Outcome.FAILED and attempt < MAX_ATTEMPTS:
        run_after = (now or timezone.now()) + RETRY_DELAYS[attempt - 1]
        try:
            send_reply.using(run_after=run_after).enqueue(
                inbound_id, code, params, sealed_to, attempt + 1
            )
        except Exception:
            logger.exception("could not queue the reply to inbound SMS %s again", inbound_id)
    if result.error:
        logger.warning("reply to inbound SMS %s: %s %s", inbound_id, result.outcome, result.error)
    return result


@task()
def send_reply(
    inbound_id: str,
    code: str,
    params: dict[str, str | int],
    sealed_to: str = "",
    attempt: int = 1,
) -> None:
    """Send the reply to one inbound SMS (``reply_now``)."""
    reply_now(inbound_id, code, params, sealed_to, attempt)
