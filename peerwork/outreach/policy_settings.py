"""Outreach policy settings as flows: save the organisation's or a site's policy, change
its escalation chain and the on-call rota (issue 5 item 1; guide §4.4).

Typed, keyword-only, taking the acting membership. Every change names the policy version
the person read and is refused when someone else saved first (``peerwork.core.versions``),
and each write is recorded in the audit chain in the same transaction. Configuration is
the org admin's and the director's (``may_configure``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max

from peerwork.core import audit
from peerwork.core.access import is_director, is_org_admin
from peerwork.core.models import Membership, Site
from peerwork.core.versions import StaleVersion, update_if_current

from .models import EscalationStep, OnCall, OutreachPolicy

POLICY_FIELDS = (
    "grace_minutes",
    "missing_after_minutes",
    "pairs_required",
    "guidelines",
    "contingency_plans",
    "contingency_agreed_on",
    "project_manager",
)


def may_configure(member: Membership) -> bool:
    """The org admin and the director set the outreach policy (issue 5 item 1)."""
    return bool(is_org_admin(member) or is_director(member))


def stored_policy(*, organisation_id: uuid.UUID, site: Site | None) -> OutreachPolicy:
    """The policy row for the organisation (``site`` None) or a site, or an unsaved one with
    the defaults (version 1) when nobody has saved it yet."""
    found = OutreachPolicy.objects.filter(organisation_id=organisation_id, site=site).first()
    return found or OutreachPolicy(organisation_id=organisation_id, site=site)


def _claim(*, actor: Membership, site: Site | None, version: int | None) -> OutreachPolicy:
    """The policy at the version the person read, one version on: created at version 1 if
    nobody saved it yet. ``StaleVersion`` if someone else saved first. Call inside a
    transaction: the change it guards commits with it."""
    if version is None:
        raise StaleVersion
    policy = stored_policy(organisation_id=actor.organisation_id, site=site)
    if policy._state.adding:
        if version != policy.version:
            raise StaleVersion
        try:
            with transaction.atomic():
                policy.save()
        except IntegrityError:  # someone else created it first
            raise StaleVersion from None
    update_if_current(OutreachPolicy, pk=policy.pk, version=version, changes={})
    policy.refresh_from_db()
    return policy


def save_policy(
    *, actor: Membership, site: Site | None, version: int | None, values: dict[str, Any]
) -> OutreachPolicy:
    """Save the policy's own fields, if it is still as the person read it."""
    changes = {name: values[name] for name in POLICY_FIELDS if name in values}
    with transaction.atomic():
        policy = _claim(actor=actor, site=site, version=version)
        OutreachPolicy.objects.filter(pk=policy.pk).update(**changes)
        _audit(actor, "outreach.policy.save", policy)
    policy.refresh_from_db()
    return policy


def add_step(
    *,
    actor: Membership,
    site: Site | None,
    version: int | None,
    who: str,
    channels: list[str],
    wait_minutes: int,
    buddy: Membership | None = None,
) -> EscalationStep:
    """A new last step of the chain."""
    with transaction.atomic():
        policy = _claim(actor=actor, site=site, version=version)
        last = policy.steps.aggregate(last=Max("position"))["last"] or 0
        step = EscalationStep.objects.create(
            organisation_id=policy.organisation_id,
            policy=policy,
            position=last + 1,
            who=who,
            buddy=buddy if who == EscalationStep.Who.BUDDY else None,
            channels=list(channels),
            wait_minutes=wait_minutes,
        )
        _audit(actor, "outreach.policy.step_add", policy, {"step": step.pk, "who": who})
    return step


def remove_step(*, actor: Membership, step: EscalationStep, version: int | None) -> None:
    """Take a step out of the chain; the later ones move up (a chain left empty uses our
    default chain: partner, line manager, on-call manager, director)."""
    policy = step.policy
    with transaction.atomic():
        _claim(actor=actor, site=policy.site, version=version)
        EscalationStep.objects.filter(pk=step.pk).delete()
        # Ascending, so no two steps share a position on the way.
        for later in policy.steps.filter(position__gt=step.position).order_by("position"):
            EscalationStep.objects.filter(pk=later.pk).update(position=F("position") - 1)
        _audit(actor, "outreach.policy.step_remove", policy, {"step": step.pk})


def move_step(*, actor: Membership, step: EscalationStep, version: int | None, up: bool) -> None:
    """Swap a step with the one before (``up``) or after it."""
    policy = step.policy
    with transaction.atomic():
        _claim(actor=actor, site=policy.site, version=version)
        neighbours = policy.steps.filter(
            position__lt=step.position if up else 32767,
            position__gt=0 if up else step.position,
        ).order_by("-position" if up else "position")
        other = neighbours.first()
        if other is None:
            return
        mine, theirs = step.position, other.position
        # Through 0 (never a position), so the unique (policy, position) holds throughout.
        EscalationStep.objects.filter(pk=step.pk).update(position=0)
        EscalationStep.objects.filter(pk=other.pk).update(position=mine)
        EscalationStep.objects.filter(pk=step.pk).update(position=theirs)
        _audit(actor, "outreach.policy.step_move", policy, {"step": step.pk, "up": up})


def add_on_call(
    *, actor: Membership, member: Membership, site: Site | None, starts_at: Any, ends_at: Any
) -> OnCall:
    with transaction.atomic():
        turn = OnCall.objects.create(
            organisation_id=actor.organisation_id,
            member=member,
            site=site,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        audit.record(
            actor=actor,
            action="outreach.on_call.add",
            object_type="outreach.on_call",
            object_id=turn.pk,
        )
    return turn


def remove_on_call(*, actor: Membership, turn: OnCall) -> None:
    with transaction.atomic():
        OnCall.objects.filter(pk=turn.pk).delete()
        audit.record(
            actor=actor,
            action="outreach.on_call.remove",
            object_type="outreach.on_call",
            object_id=turn.pk,
        )


def _audit(
    actor: Membership, action: str, policy: OutreachPolicy, detail: dict[str, Any] | None = None
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="outreach.policy",
        object_id=policy.pk,
        detail=detail,
    )
