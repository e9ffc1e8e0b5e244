"""Shift PINs: the short personal PIN that opens a shift link or signs an SMS, and the
duress PIN that does the same while raising a silent alert (issue 5 items 3 and 4).

A PIN is 4 to 6 digits, so few values that no slow hash protects it once the table is
read; it is kept instead as an HMAC under the server's secret key and the member's id
(``salted_hmac``), useless without the key, and guessing online is what is limited: after
``MAX_FAILURES`` wrong PINs in a row the PIN is refused for ``LOCK_FOR``, every wrong try
is audited, and the worker is told to call their manager. Changing ``SECRET_KEY`` makes
every worker set their PIN again (docs/operations.md).

``check`` answers ``OK``, ``DURESS``, ``WRONG`` or ``LOCKED``; a wrong PIN and a locked
one change nothing but the count.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.models import Membership

from .models import ShiftPin

PIN_PATTERN = re.compile(r"^\d{4,6}$")
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
SALT = "peerwork.outreach.pin"


class Checked(StrEnum):
    OK = "ok"
    DURESS = "duress"
    WRONG = "wrong"
    LOCKED = "locked"


def digest(member: Membership, pin: str) -> str:
    return salted_hmac(SALT, f"{member.pk}:{pin}", algorithm="sha256").hexdigest()


def has_pin(member: Membership) -> bool:
    return ShiftPin.objects.filter(member=member).exists()


def set_pin(
    *, actor: Membership, pin: str, duress_pin: str = "", now: datetime | None = None
) -> ShiftPin:
    """Set one's own PIN (and, optionally, a different duress PIN). Clears a lock."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    pin = (pin or "").strip()
    duress_pin = (duress_pin or "").strip()
    if not PIN_PATTERN.match(pin):
        errors["pin"] = [_("A PIN is 4 to 6 digits.")]
    if duress_pin and not PIN_PATTERN.match(duress_pin):
        errors["duress_pin"] = [_("A PIN is 4 to 6 digits.")]
    elif duress_pin and duress_pin == pin:
        errors["duress_pin"] = [_("The duress PIN must be different from your PIN.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        found, created = ShiftPin.objects.get_or_create(
            member=actor,
            defaults={
                "organisation_id": actor.organisation_id,
                "pin_hash": digest(actor, pin),
                "duress_hash": digest(actor, duress_pin) if duress_pin else "",
                "changed_at": now,
            },
        )
        if not created:
            ShiftPin.objects.filter(pk=found.pk).update(
                pin_hash=digest(actor, pin),
                duress_hash=digest(actor, duress_pin) if duress_pin else "",
                failures=0,
                locked_until=None,
                changed_at=now,
                version=F("version") + 1,
            )
            found.refresh_from_db()
        audit.record(
            actor=actor,
            action="outreach.pin.set",
            object_type="outreach.pin",
            object_id=found.pk,
            detail={"duress": bool(duress_pin)},
        )
    return found


def check(member: Membership, pin: str, *, via: str, now: datetime | None = None) -> Checked:
    """Is this the member's PIN, their duress PIN, or neither? Counts and audits misses."""
    now = now or timezone.now()
    found = ShiftPin.objects.filter(member=member).first()
    if found is None:
        _audit_refusal(member, via, "no_pin")
        return Checked.WRONG
    if found.locked_until and found.locked_until > now:
        _audit_refusal(member, via, "locked")
        return Checked.LOCKED
    given = digest(member, (pin or "").strip())
    if constant_time_compare(given, found.pin_hash):
        answer = Checked.OK
    elif found.duress_hash and constant_time_compare(given, found.duress_hash):
        answer = Checked.DURESS
    else:
        answer = Checked.WRONG
    with transaction.atomic():
        if answer is Checked.WRONG:
            # One conditional update counts the miss and, at the limit, locks: two wrong
            # tries at once are both counted.
            ShiftPin.objects.filter(pk=found.pk).update(failures=F("failures") + 1)
            ShiftPin.objects.filter(pk=found.pk, failures__gte=MAX_FAILURES).update(
                locked_until=now + LOCK_FOR, failures=0
            )
            _audit_refusal(member, via, "wrong_pin")
        elif found.failures:
            ShiftPin.objects.filter(pk=found.pk).update(failures=0)
    return answer


def _audit_refusal(member: Membership, via: str, reason: str) -> None:
    audit.record(
        actor=member,
        action="outreach.pin.refused",
        object_type="outreach.pin",
        detail={"via": via, "reason": reason},
    )


__all__ = ["MAX_FAILURES", "Checked", "check", "has_pin", "set_pin"]
