"""``notify``: the one way to tell a person something (DESIGN.md "Notifications").

A message is a registered *kind* plus opaque parameters (ids, times). It is stored as an
inbox ``Notification`` and, for each channel the person chose for that kind (or the kind's
default), a ``Delivery`` that a background task sends after the transaction commits,
carrying only the delivery's id. Words are rendered from the kind only when the message is
shown or sent, in the reader's language — so a message never sits in a queue, a task row
or a log in readable form, and erasing a person leaves nothing personal behind.

Modules register their kinds once, at import (from their ``AppConfig.ready``)::

    register_kind(
        "outreach.return_missed",
        subject=gettext_lazy("A check-in is overdue"),
        body=gettext_lazy("%(name)s has not checked in from their shift."),
        default_channels=(Channel.EMAIL, Channel.SMS),
        link=lambda n: reverse("outreach:shift", args=[n.params["shift"]]),
        context=lambda n: {"name": ...},  # read at render time, inside the scope
    )

Subjects show on lock screens and shared inboxes: keep them neutral (nothing about drug
use, health or arrests; no names), in the guide's respectful words (LANGUAGE.md).
"""

from __future__ import annotations

import logging
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from .models import (
    Delivery,
    Membership,
    Notification,
    NotificationPreference,
    WebhookEndpoint,
)
from .models.notifications import Channel

logger = logging.getLogger(__name__)

ParamValue = str | int | bool | None
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
MAX_PARAMS = 12
MAX_PARAM_KEY = 40
# Long enough for a UUID or an ISO time with zone; too short for a sentence about someone.
MAX_PARAM_TEXT = 64


@dataclass(frozen=True)
class Kind:
    kind: str
    subject: str | Promise
    body: str | Promise
    default_channels: tuple[str, ...]
    link: Callable[[Notification], str | None] | None = None
    context: Callable[[Notification], Mapping[str, object]] | None = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    # A path on this site (``/people/…``), or None; channels make it absolute.
    link: str | None


_kinds: dict[str, Kind] = {}


def register_kind(
    kind: str,
    *,
    subject: str | Promise,
    body: str | Promise,
    default_channels: Iterable[str] = (),
    link: Callable[[Notification], str | None] | None = None,
    context: Callable[[Notification], Mapping[str, object]] | None = None,
) -> Kind:
    """Register a kind of message. ``subject`` and ``body`` are lazy translations; the
    body may name values the ``context`` callable gives at render time (``%(name)s``).
    ``default_channels`` are used for people with no preference for this kind; the inbox
    is always on."""
    if not KIND_PATTERN.match(kind) or len(kind) > 64:
        raise ValueError(f"kind {kind!r}: expected dotted lower-case words, at most 64 characters")
    channels = tuple(Channel(c).value for c in default_channels)
    if kind in _kinds:
        raise ValueError(f"kind {kind!r} is already registered")
    registered = Kind(kind, subject, body, channels, link, context)
    _kinds[kind] = registered
    return registered


def get_kind(kind: str) -> Kind | None:
    return _kinds.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_kinds)


def validate_params(params: Mapping[str, object]) -> dict[str, ParamValue]:
    """Parameters are opaque ids and times only, never words about a person."""
    if len(params) > MAX_PARAMS:
        raise ValueError(f"at most {MAX_PARAMS} parameters")
    clean: dict[str, ParamValue] = {}
    for key, value in params.items():
        if not isinstance(key, str) or not key or len(key) > MAX_PARAM_KEY:
            raise ValueError(f"parameter name {key!r}: a short string")
        if isinstance(value, datetime):
            value = value.isoformat()
        if value is not None and not isinstance(value, str | int | bool):
            raise ValueError(f"parameter {key!r}: only str, int, bool or None (an id or a time)")
        if isinstance(value, str) and len(value) > MAX_PARAM_TEXT:
            raise ValueError(f"parameter {key!r}: longer than {MAX_PARAM_TEXT} characters")
        clean[key] = value
    return clean


def recipient_language(member: Membership) -> str:
    """The person's own language, else their organisation's first, else English."""
    known = {code for code, _name in settings.LANGUAGES}
    if member.user.language in known:
        return member.user.language
    for code in member.organisation.languages or ():
        if code in known:
            return code
    return settings.LANGUAGE_CODE


def render(notification: Notification, *, language: str | None = None) -> Rendered:
    """The message's words, in ``language`` (default: the active language)."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        kind = _kinds.get(notification.kind)
        if kind is None:
            # A kind whose module was removed: still a message, without its words.
            return Rendered(str(_("A message from Peerwork")), "", None)
        subject = str(kind.subject)
        body = str(kind.body)
        if kind.context is not None:
            body = body % dict(kind.context(notification))
        link = None
        if kind.link is not None:
            try:
                link = kind.link(notification)
            except (NoReverseMatch, KeyError):
                link = None
        return Rendered(subject, body, link)


def channels_for(member: Membership, kind: Kind) -> list[str]:
    """The channels this person chose for this kind, else the kind's default."""
    preference = NotificationPreference.objects.filter(membership=member, kind=kind.kind).first()
    chosen = preference.channels if preference is not None else kind.default_channels
    known = set(Channel.values)
    return [c for c in dict.fromkeys(chosen) if c in known and c != Channel.INBOX]


def notify(
    *,
    recipient: Membership,
    kind: str,
    params: Mapping[str, object] | None = None,
    now: datetime | None = None,
    channels: Iterable[str] | None = None,
) -> Notification:
    """Tell ``recipient`` something: an inbox message, and a delivery per chosen channel.

    ``channels``, when given, replaces the person's preference and the kind's default: an
    organisation's outreach policy decides how each escalation step reaches people (§4.4),
    not the recipient's everyday choice. The inbox is always written.

    The sends are enqueued when the surrounding transaction commits (nothing is sent for
    a rolled-back change), each task carrying only its delivery's id. A person whose
    membership has ended gets the inbox message only. Webhooks go to each active endpoint
    of the organisation that lists this kind.
    """
    registered = _kinds.get(kind)
    if registered is None:
        raise ValueError(f"unknown kind of message {kind!r}: register_kind it first")
    clean = validate_params(params or {})
    now = now or timezone.now()
    with transaction.atomic(), scope(organisation=recipient.organisation_id):
        notification = Notification.objects.create(
            organisation_id=recipient.organisation_id,
            recipient=recipient,
            kind=kind,
            params=clean,
            created_at=now,
        )
        deliveries: list[Delivery] = []
        if recipient.is_active:
            chosen = (
                channels_for(recipient, registered)
                if channels is None
                else [
                    c for c in dict.fromkeys(channels) if c in Channel.values and c != Channel.INBOX
                ]
            )
            for channel in chosen:
                if channel == Channel.WEBHOOK:
                    endpoints = [
                        e
                        for e in WebhookEndpoint.objects.filter(is_active=True).order_by(
                            "created_at"
                        )
                        if kind in (e.kinds or [])
                    ]
                    deliveries += [
                        _delivery(notification, channel, now, endpoint=e) for e in endpoints
                    ]
                else:
                    deliveries.append(_delivery(notification, channel, now))
        Delivery.objects.bulk_create(deliveries)
        delivery_ids = [str(d.pk) for d in deliveries]
        if delivery_ids:
            transaction.on_commit(lambda: _enqueue(delivery_ids))
    return notification


def _delivery(
    notification: Notification,
    channel: str,
    now: datetime,
    endpoint: WebhookEndpoint | None = None,
) -> Delivery:
    return Delivery(
        organisation_id=notification.organisation_id,
        notification=notification,
        channel=channel,
        endpoint=endpoint,
        created_at=now,
        # Should the queued send be lost (a queue emptied, a crash before enqueueing), the
        # deadline loop finds the delivery due after one lease and enqueues it again.
        next_attempt_at=now + Delivery.lease(),
    )


def _enqueue(delivery_ids: list[str]) -> None:
    from .tasks import deliver

    for delivery_id in delivery_ids:
        try:
            deliver.enqueue(delivery_id)
        except Exception:
            # The change is committed; the deadline loop sends it when the lease passes.
            logger.exception("could not enqueue delivery %s", delivery_id)


# --- the inbox -------------------------------------------------------------------------


def inbox_for(member: Membership) -> models.QuerySet[Notification]:
    """The member's own messages, newest first (the caller paginates). Each renders
    ``subject``, ``body`` and ``link`` in the active language."""
    with scope(organisation=member.organisation_id):
        return Notification.objects.filter(recipient=member).order_by("-created_at", "-id")


def unread_count(member: Membership) -> int:
    with scope(organisation=member.organisation_id):
        return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def mark_read(
    *, member: Membership, notification: Notification, now: datetime | None = None
) -> bool:
    """Mark one of the member's own messages read; False if it was already read.

    Anyone else's message is refused: views reach it through
    ``access.notification_for_member`` first, so this is a second lock, not the gate.
    """
    from django.core.exceptions import PermissionDenied

    if notification.recipient_id != member.pk:
        raise PermissionDenied
    now = now or timezone.now()
    with scope(organisation=member.organisation_id):
        updated = Notification.objects.filter(
            pk=notification.pk, recipient=member, read_at__isnull=True
        ).update(read_at=now)
    if updated:
        notification.read_at = now
    return bool(updated)


# --- the foundation's kinds --------------------------------------------------------------


def _member_link(notification: Notification) -> str | None:
    membership = notification.params.get("membership")
    return reverse("core:member", args=[membership]) if membership else None


def _tokens_link(notification: Notification) -> str | None:
    return reverse("core:tokens")


def _expiry_context(notification: Notification) -> dict[str, object]:
    """The expiry date, in the organisation's time zone and the reader's date format."""
    expires = parse_datetime(str(notification.params.get("expires_at") or ""))
    if expires is None:
        return {"expires": "—"}
    tz = _organisation_zone(notification)
    return {"expires": formats.date_format(timezone.localtime(expires, tz), "DATE_FORMAT")}


def _organisation_zone(notification: Notification) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(notification.organisation.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


INVITATION_ACCEPTED = register_kind(
    "core.invitation_accepted",
    subject=_("Someone you invited has joined"),
    body=_("A person you invited to Peerwork accepted the invitation and is now a member."),
    default_channels=(),
    link=_member_link,
)
API_TOKEN_EXPIRING = register_kind(
    "core.api_token_expiring",
    subject=_("An API token expires soon"),
    body=_(
        "One of your API tokens stops working on %(expires)s. If something still uses it, "
        "make a new token before then."
    ),
    default_channels=(Channel.EMAIL,),
    link=_tokens_link,
    context=_expiry_context,
)
