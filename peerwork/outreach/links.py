"""Shift links: each worker's own link to their shift, opened with their PIN (issue 5 item
3; guide §4.4 asks for planned return times a worker can keep without an office).

A link is a token signed with the server's secret under its own salt, naming one shift and
one worker. It cannot be guessed (the signature is an HMAC), and it cannot be bent to name
another shift or another worker: either change breaks the signature. It opens only while
the worker is still on that shift and for ``MARGIN`` after it:

- a planned shift: until ``MARGIN`` after its planned return;
- a shift that is out, overdue, missing or asked for help: while it is open, however late
  (a missing worker must still be able to check in), and ``MARGIN`` after that;
- a returned or closed shift: ``MARGIN`` after the planned return or the return (or the
  closing), whichever is later, so a duress PIN can still be used once back;
- a cancelled shift: never.

``read`` answers ``None`` for every kind of refusal (a bad signature, a shift or worker
that no longer matches, a worker who has left, an expired or cancelled shift), so whoever
holds a bad link learns nothing about why.

The link is not a sign-in: it opens this shift's page and nothing else, for whoever also
knows the worker's PIN (``pins.check``); ``link_views`` sets a cookie for that one link.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from peerwork.core.models import Membership

from .models import WATCHED_STATES, Shift, ShiftWorker

SALT = "peerwork.outreach.shift_link"
MARGIN = timedelta(hours=12)


@dataclass(frozen=True)
class Opened:
    """What a good link names: the shift, its worker, and until when the link opens."""

    shift: Shift
    member: Membership
    expires_at: datetime
    token: str


def make_token(shift_id: object, member_id: object) -> str:
    """The signed token for this worker on this shift (ids only: the kinds' link callable
    builds it from a notification's params without reading anything)."""
    value = f"{uuid.UUID(str(shift_id)).hex}.{uuid.UUID(str(member_id)).hex}"
    return signing.Signer(salt=SALT).sign(value)


def link_path(shift_id: object, member_id: object) -> str:
    return reverse("outreach:link", kwargs={"token": make_token(shift_id, member_id)})


def link_url(shift_id: object, member_id: object) -> str:
    """The absolute link, on the configured base URL (never a request's Host header)."""
    return f"{settings.PEERWORK_BASE_URL}{link_path(shift_id, member_id)}"


def expires_at(shift: Shift, *, now: datetime | None = None) -> datetime | None:
    """Until when the shift's links open; None for a cancelled shift (never)."""
    now = now or timezone.now()
    if shift.state == Shift.State.CANCELLED:
        return None
    ends = [shift.planned_return]
    if shift.state in WATCHED_STATES:
        # Still open: the link must keep working for as long as the shift is watched.
        ends.append(now)
    ends += [t for t in (shift.returned_at, shift.closed_at) if t is not None]
    return max(ends) + MARGIN


def read(token: str, *, now: datetime | None = None) -> Opened | None:
    """The shift and worker a good, current link names; None for any refusal.

    Read without a scope on purpose: whoever opens a link is not signed in, and the signed
    ids name exactly one place on one shift; the organisation comes from the shift.
    """
    now = now or timezone.now()
    try:
        value = signing.Signer(salt=SALT).unsign(token)
        shift_hex, member_hex = value.split(".")
        shift_id, member_id = uuid.UUID(hex=shift_hex), uuid.UUID(hex=member_hex)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    with scopes_disabled():
        place = (
            ShiftWorker.objects.select_related(
                "shift", "member", "member__user", "member__organisation"
            )
            .filter(shift_id=shift_id, member_id=member_id)
            .first()
        )
    if place is None:
        return None
    shift, member = place.shift, place.member
    if not (
        place.organisation_id == shift.organisation_id == member.organisation_id
        and member.is_active
    ):
        return None
    until = expires_at(shift, now=now)
    if until is None or now >= until:
        return None
    return Opened(shift=shift, member=member, expires_at=until, token=token)


__all__ = ["MARGIN", "Opened", "expires_at", "link_path", "link_url", "make_token", "read"]
