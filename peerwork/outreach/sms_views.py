"""The SMS webhook and the SMS number settings (issue 5 item 3).

**The webhook** (``/outreach/sms/in/<number_id>/``) is the gateway's, not a member's page:
it is authenticated by what only the gateway and Peerwork know, per gateway:

- ``twilio``: ``X-Twilio-Signature``, base64 HMAC-SHA1 under the account's auth token of
  the full webhook URL followed by every form field's name and value, sorted by name.
  Twilio retries with the same ``MessageSid``, which is the replay key.
- ``http`` (the generic gateway): the core's scheme (``channels.verify_signature``):
  ``Peerwork-Signature`` is HMAC-SHA256 under the number's secret over
  ``"<Peerwork-Timestamp>.<body>"``, the timestamp within five minutes; the JSON body is
  ``{"id", "from", "text"}`` and ``id`` is the replay key.
- ``africastalking``: Africa's Talking does not sign its callbacks (its incoming-message
  callback is a plain form POST of ``from``, ``to``, ``text``, ``date``, ``id``, ``linkId``).
  What is checked instead is a secret carried in the callback URL (``?key=``), compared in
  constant time; ``id`` is the replay key. This is weaker than a signature: the key travels
  with every request and sits in AT's dashboard and in any log of full URLs on the way, and
  a body is not bound to it. Serve the webhook over https only.

A request that fails its check gets 403 and an audit record (the organisation, no actor),
and changes nothing. A message seen before gets 200 and nothing else (no second reply).
The number is found by id across organisations (ids only), then everything runs inside its
organisation's scope.

**The settings page** (``/outreach/sms/``) is the org admin's: add a number with its
gateway, read the webhook URL to paste into the gateway, make a new secret (Twilio: paste
the auth token), switch a number off or on. Everyone else gets 404.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_scopes import scope, scopes_disabled

from peerwork.core import audit
from peerwork.core.access import is_org_admin, lookup, parse_id
from peerwork.core.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from peerwork.core.models import Membership, Organisation
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm

from .models import SmsNumber
from .sms import phone_digits, receive
from .sms_tasks import enqueue_reply, seal_sender

TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_MESSAGE_ID = 100
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


# --- the webhook ------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbound:
    message_id: str
    sender: str
    text: str


class Refused(Exception):
    """The request is not the gateway's: 403."""


class Malformed(Exception):
    """The gateway's, but not an inbound message we can read: 400."""


def webhook_url(number: SmsNumber) -> str:
    """The address to paste into the gateway, on the configured base URL (never a request's
    Host header); Twilio signs exactly this."""
    path = reverse("outreach:sms_inbound", kwargs={"number_id": str(number.pk)})
    return f"{settings.PEERWORK_BASE_URL}{path}"


def twilio_signature(token: str, url: str, params: dict[str, list[str]]) -> str:
    """Twilio's: base64(HMAC-SHA1(auth token, URL + each field's name and value, sorted))."""
    data = url + "".join(name + value for name in sorted(params) for value in params[name])
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def _secret(number: SmsNumber) -> str:
    secret = number.secret
    if not secret:
        raise Refused
    return str(secret)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise Malformed
    # NUL carries nothing a gateway means, and PostgreSQL cannot store it.
    return value.replace("\x00", "")


def _message(message_id: object, sender: object, text: object) -> Inbound:
    message_id = _text(message_id).strip()
    if not message_id or len(message_id) > MAX_MESSAGE_ID:
        raise Malformed
    return Inbound(message_id=message_id, sender=_text(sender), text=_text(text))


def _twilio(request: HttpRequest, number: SmsNumber) -> Inbound:
    given = request.headers.get(TWILIO_SIGNATURE_HEADER, "")
    url = f"{settings.PEERWORK_BASE_URL}{request.get_full_path()}"
    params = {name: request.POST.getlist(name) for name in request.POST}
    if not given or not constant_time_compare(
        twilio_signature(_secret(number), url, params), given
    ):
        raise Refused
    return _message(
        request.POST.get("MessageSid"), request.POST.get("From"), request.POST.get("Body", "")
    )


def _generic(request: HttpRequest, number: SmsNumber) -> Inbound:
    body = request.body
    if not verify_signature(
        secret=_secret(number),
        body=body,
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        signature=request.headers.get(SIGNATURE_HEADER, ""),
    ):
        raise Refused
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Malformed from None
    if not isinstance(payload, dict):
        raise Malformed
    return _message(payload.get("id"), payload.get("from"), payload.get("text", ""))


def _africastalking(request: HttpRequest, number: SmsNumber) -> Inbound:
    given = request.GET.get("key", "")
    if not given or not constant_time_compare(given, _secret(number)):
        raise Refused
    return _message(request.POST.get("id"), request.POST.get("from"), request.POST.get("text", ""))


VERIFIERS = {
    SmsNumber.Gateway.TWILIO: _twilio,
    SmsNumber.Gateway.HTTP: _generic,
    SmsNumber.Gateway.AFRICAS_TALKING: _africastalking,
}


def _ok(number: SmsNumber) -> HttpResponse:
    if number.gateway == SmsNumber.Gateway.TWILIO:
        # Empty TwiML: Twilio sends nothing itself; the reply goes out from the task.
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")
    return HttpResponse("", content_type="text/plain")


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, number_id: str) -> HttpResponse:
    """One inbound SMS from the gateway: verified, acted on once, answered after commit."""
    pk = parse_id(number_id)
    with scopes_disabled():
        organisation_id = (
            SmsNumber.objects.filter(pk=pk, is_active=True)
            .values_list("organisation_id", flat=True)
            .first()
        )
    if organisation_id is None:
        raise Http404
    with scope(organisation=organisation_id):
        number = SmsNumber.objects.get(pk=pk)
        try:
            message = VERIFIERS[SmsNumber.Gateway(number.gateway)](request, number)
        except Refused:
            with transaction.atomic():
                audit.record(
                    actor=None,
                    organisation=Organisation.objects.get(pk=organisation_id),
                    action="outreach.sms.refused",
                    object_type="outreach.sms_number",
                    object_id=number.pk,
                    detail={"reason": "bad_signature", "gateway": number.gateway},
                )
            return HttpResponse(status=403)
        except Malformed:
            return HttpResponse(status=400)
        received = receive(
            number=number,
            message_id=message.message_id,
            sender=message.sender,
            text=message.text,
        )
        reply, inbound_sms = received.reply, received.inbound
        if reply is not None and inbound_sms is not None:
            sealed_to = (
                seal_sender(organisation_id, inbound_sms.pk, phone_digits(message.sender))
                if received.member is None and phone_digits(message.sender)
                else ""
            )
            to_send = (str(inbound_sms.pk), reply.code, dict(reply.params), sealed_to)
            transaction.on_commit(lambda: enqueue_reply(*to_send))
        return _ok(number)


# --- the settings page -----------------------------------------------------------------


class NumberForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Number"),
        max_length=32,
        help_text=gettext_lazy("In international form, for example +254 700 000 000."),
    )
    gateway = forms.ChoiceField(label=gettext_lazy("Gateway"), choices=SmsNumber.Gateway.choices)
    auth_token = forms.CharField(
        label=gettext_lazy("Twilio auth token"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Twilio only: the account's auth token, which signs its webhooks."),
    )

    def clean_number(self) -> str:
        digits = phone_digits(self.cleaned_data["number"])
        if not digits:
            raise forms.ValidationError(_("Write the number in international form, with +."))
        return f"+{digits}"

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("gateway") == SmsNumber.Gateway.TWILIO and not data.get("auth_token"):
            self.add_error("auth_token", _("Paste the Twilio account's auth token."))
        return data


class SecretForm(VersionForm):
    auth_token = forms.CharField(
        label=gettext_lazy("Twilio auth token"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
    )


def _admin(request: HttpRequest) -> Membership:
    member = cast(MemberRequest, request).member
    if not is_org_admin(member):
        raise Http404
    return member


def number_for_admin(member: Membership, number_id: object) -> SmsNumber:
    """The gate of a number's actions: the org admin's own organisation's, or 404."""
    if not is_org_admin(member):
        raise Http404
    return lookup(SmsNumber.objects.filter(organisation_id=member.organisation_id), number_id)


def add_number(
    *, actor: Membership, number: str, gateway: str, auth_token: str = ""
) -> tuple[SmsNumber, str]:
    """A new number in use; returns it and the secret to show once (Twilio: the pasted
    token, shown as nothing)."""
    secret = auth_token if gateway == SmsNumber.Gateway.TWILIO else secrets.token_urlsafe(32)
    with transaction.atomic():
        made = SmsNumber(
            organisation_id=actor.organisation_id, number=number, gateway=gateway, secret=secret
        )
        made.save()
        audit.record(
            actor=actor,
            action="outreach.sms_number.add",
            object_type="outreach.sms_number",
            object_id=made.pk,
            detail={"gateway": gateway},
        )
    return made, "" if gateway == SmsNumber.Gateway.TWILIO else secret


def new_secret(
    *, actor: Membership, number: SmsNumber, version: int | None, auth_token: str = ""
) -> str:
    """A new secret (Twilio: the pasted auth token), claimed on the version read. Returns
    the secret to show once; ValidationError when the number moved on or a token is missing."""
    is_twilio = number.gateway == SmsNumber.Gateway.TWILIO
    if is_twilio and not auth_token:
        raise forms.ValidationError(_("Paste the Twilio account's auth token."))
    secret = auth_token if is_twilio else secrets.token_urlsafe(32)
    with transaction.atomic():
        claimed = SmsNumber.objects.filter(pk=number.pk, version=version or 0).update(
            version=F("version") + 1
        )
        if not claimed:
            raise forms.ValidationError(
                _("Someone changed this number since you opened the page: look again.")
            )
        number.refresh_from_db()
        # A sealed field is written by save(), never by update().
        number.secret = secret
        number.save(update_fields=["secret"])
        audit.record(
            actor=actor,
            action="outreach.sms_number.secret",
            object_type="outreach.sms_number",
            object_id=number.pk,
        )
    return "" if is_twilio else secret


def switch_number(*, actor: Membership, number: SmsNumber, on: bool, version: int | None) -> None:
    with transaction.atomic():
        changed = SmsNumber.objects.filter(pk=number.pk, version=version or 0).update(
            is_active=on, version=F("version") + 1
        )
        if not changed:
            raise forms.ValidationError(
                _("Someone changed this number since you opened the page: look again.")
            )
        audit.record(
            actor=actor,
            action="outreach.sms_number.switch",
            object_type="outreach.sms_number",
            object_id=number.pk,
            detail={"on": on},
        )


def _page(
    request: HttpRequest,
    member: Membership,
    *,
    form: NumberForm | None = None,
    shown: SmsNumber | None = None,
    secret: str = "",
    status: int = 200,
) -> HttpResponse:
    numbers = list(
        SmsNumber.objects.filter(organisation_id=member.organisation_id).order_by("created_at")
    )
    shown_url = ""
    if shown is not None:
        shown_url = webhook_url(shown)
        if shown.gateway == SmsNumber.Gateway.AFRICAS_TALKING and secret:
            shown_url = f"{shown_url}?key={secret}"
    context = {
        "member": member,
        "form": form or NumberForm(),
        "rows": [(n, webhook_url(n)) for n in numbers],
        "shown": shown,
        "shown_url": shown_url,
        "secret": secret if shown and shown.gateway == SmsNumber.Gateway.HTTP else "",
        "gateways": SmsNumber.Gateway,
    }
    return render(request, "outreach/sms/numbers.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_page
def numbers_page(request: HttpRequest) -> HttpResponse:
    member = _admin(request)
    if request.method != "POST":
        return _page(request, member)
    form = NumberForm(request.POST)
    if not form.is_valid():
        return _page(request, member, form=form, status=400)
    try:
        made, secret = add_number(
            actor=member,
            number=form.cleaned_data["number"],
            gateway=form.cleaned_data["gateway"],
            auth_token=form.cleaned_data.get("auth_token") or "",
        )
    except IntegrityError:
        form.add_error("number", _("This number is already in use in Peerwork."))
        return _page(request, member, form=form, status=400)
    return _page(request, member, shown=made, secret=secret)


@require_POST
@member_page
def number_secret(request: HttpRequest, number_id: str) -> HttpResponse:
    member = cast(MemberRequest, request).member
    number = number_for_admin(member, number_id)
    form = SecretForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        secret = new_secret(
            actor=member,
            number=number,
            version=version,
            auth_token=(form.cleaned_data.get("auth_token") or "") if form.is_valid() else "",
        )
    except forms.ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("outreach:sms_numbers")
    return _page(request, member, shown=number, secret=secret)


@require_POST
@member_page
def number_switch(request: HttpRequest, number_id: str) -> HttpResponse:
    member = cast(MemberRequest, request).member
    number = number_for_admin(member, number_id)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    on = request.POST.get("on") == "1"
    try:
        switch_number(actor=member, number=number, on=on, version=version)
    except forms.ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The number is in use again.") if on else _("The number is switched off.")
        )
    return redirect("outreach:sms_numbers")


__all__ = ["inbound", "number_secret", "number_switch", "numbers_page", "twilio_signature"]
