"""Exception reports: the two exits from confidential support (§3.11, §3.13, App. 4).

A peer mentor or a coach keeps what a staff member tells them to themselves, with two
exceptions the staff member was told of before the first session: actual or planned gross
misconduct, and someone's life (the staff member's own or another's) in danger. When one
applies the supporter writes an ``ExceptionReport``: what they are disclosing and why. It
goes to the one recipient the terms of reference name; the staff member is told at once, in
Peerwork and by email, and may read exactly what was reported and to whom. The mentoring
or coaching notes themselves never leave the two people: the report is a separate record.

Until the support module adds terms of reference, the recipients offered are the
organisation's directors (or HR where there is no director); the support module registers
a ``recipients`` function that answers from the terms of reference instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.access import DataClass, is_supporter_of
from peerwork.core.models import Membership, Role, active_members
from peerwork.core.notify import notify

from . import kinds
from .models import ExceptionReport

DISCLOSED_MAX = 4000

Recipients = Callable[[Membership, Membership], list[Membership] | None]
_recipient_rules: list[Recipients] = []


def register_recipients(rule: Recipients) -> Recipients:
    """A module that knows the terms of reference answers (supporter, person) with the
    recipients they name, or None to leave the question to the default."""
    _recipient_rules.append(rule)
    return rule


def _default_recipients(supporter: Membership, person: Membership) -> list[Membership]:
    people = (
        Membership.objects.filter(active_members(), organisation_id=person.organisation_id)
        .exclude(pk__in=[supporter.pk, person.pk])
        .select_related("user")
        .prefetch_related("role_grants")
        .order_by("user__display_name", "user__username")
    )
    for role in (Role.DIRECTOR, Role.HR):
        found = [m for m in people if m.has_role(role)]
        if found:
            return found
    return []


def recipients_for(supporter: Membership, person: Membership) -> list[Membership]:
    """Who may receive an exception report about ``person`` from ``supporter``."""
    for rule in _recipient_rules:
        answer = rule(supporter, person)
        if answer is not None:
            return [m for m in answer if m.pk not in (supporter.pk, person.pk) and m.is_active]
    return _default_recipients(supporter, person)


def report_exception(
    *,
    actor: Membership,
    person: Membership,
    reason: str,
    disclosed: str,
    recipient: Membership | None,
    now: dt.datetime | None = None,
) -> ExceptionReport:
    """The actor, ``person``'s current mentor or coach, reports an exception.

    The recipient and the person are both told before this returns (their inbox; email on
    commit): the person is never the last to know (App. 4).
    """
    if not is_supporter_of(actor, person):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    try:
        reason = ExceptionReport.Reason(reason)
    except ValueError:
        errors["reason"] = [_("Choose one of the two exceptions.")]
    disclosed = (disclosed or "").strip()
    if not disclosed:
        errors["disclosed"] = [_("Write what you are disclosing, and only that.")]
    elif len(disclosed) > DISCLOSED_MAX:
        errors["disclosed"] = [_("Please keep this under %(n)d characters.") % {"n": DISCLOSED_MAX}]
    allowed = {m.pk for m in recipients_for(actor, person)}
    if recipient is None or recipient.pk not in allowed:
        errors["recipient"] = [_("Choose who receives the report from the list.")]
    if errors:
        raise ValidationError(errors)
    assert recipient is not None  # noqa: S101 (checked above)
    now = now or timezone.now()
    with transaction.atomic():
        report = ExceptionReport(
            organisation_id=person.organisation_id,
            person=person,
            supporter=actor,
            recipient=recipient,
            reason=reason,
            made_at=now,
            person_told_at=now,
        )
        report.disclosed = disclosed
        report.save()
        audit.record(
            actor=actor,
            action="exception_report.create",
            object_type="people.exception_report",
            object_id=report.pk,
            subject=person,
            data_class=DataClass.CONFIDENTIAL,
            # The reason stays on the report, which erasure removes; the chain outlives it.
            detail={"recipient": recipient.pk},
        )
        params = {"report": str(report.pk)}
        kinds_sent = (
            (recipient, kinds.EXCEPTION_REPORT_RECEIVED.kind),
            (person, kinds.EXCEPTION_REPORT_ABOUT_YOU.kind),
        )
        for member, kind in kinds_sent:
            notify(recipient=member, kind=kind, params=params, now=now)
    return report


def read_exception_report(*, actor: Membership, report: ExceptionReport) -> str | None:
    """What the report discloses, with the read written to the audit chain first (the
    person's "who saw my data" lists the recipient's reads). Outside a transaction."""
    audit.record_read(
        actor=actor,
        action="exception_report.read",
        object_type="people.exception_report",
        object_id=report.pk,
        subject=report.person,
        data_class=DataClass.CONFIDENTIAL,
    )
    return report.disclosed


def reports_for(member: Membership) -> dict[str, list[ExceptionReport]]:
    """The reports about ``member``, received by them, and made by them."""
    if not member.is_active:
        # Someone who left reads nothing more here, as with shares (access.grants_reaching).
        return {"about_me": [], "received": [], "made": []}
    base = ExceptionReport.objects.filter(organisation_id=member.organisation_id).select_related(
        "person__user", "supporter__user", "recipient__user"
    )
    return {
        "about_me": list(base.filter(person=member)),
        "received": list(base.filter(recipient=member)),
        "made": list(base.filter(supporter=member)),
    }
