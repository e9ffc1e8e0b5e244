"""Who an alert goes to: one step of the chain, or a call for help (issue 5 items 1, 4).

Shared by the escalation loop and by HELP, which does not wait for the loop: it goes
straight to the on-call manager and the top of the chain in the same transaction as the
request (issue 5 item 4).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from peerwork.core.models import Membership, Role, active_members

from .models import EscalationStep, OnCall, Shift
from .policy import StepPlan, policy_for, steps_for


def recipients_for(shift: Shift, plan: StepPlan, *, now: datetime) -> list[Membership]:
    """Who a step alerts: active members, never the shift's own workers except as each
    other's partner. An unknown kind of step is an error (the shift is set aside)."""
    workers = list(
        Membership.objects.filter(shift_places(shift)).select_related("user", "organisation")
    )
    worker_ids = {m.pk for m in workers}
    live = Membership.objects.filter(active_members(), organisation_id=shift.organisation_id)
    if plan.who == EscalationStep.Who.PARTNER:
        # Each worker alerts the other: on a shift of two, both are told the shift is late.
        found = [m for m in workers if m.is_active] if len(workers) > 1 else []
    elif plan.who == EscalationStep.Who.BUDDY:
        found = list(live.filter(pk=plan.buddy_id)) if plan.buddy_id else []
    elif plan.who == EscalationStep.Who.LINE_MANAGER:
        found = list(live.filter(pk__in=[m.line_manager_id for m in workers if m.line_manager_id]))
    elif plan.who == EscalationStep.Who.ON_CALL:
        turns = OnCall.objects.filter(
            organisation_id=shift.organisation_id, starts_at__lte=now, ends_at__gt=now
        )
        site_turns = turns.filter(site_id=shift.site_id) if shift.site_id else turns.none()
        chosen = site_turns if site_turns.exists() else turns.filter(site__isnull=True)
        found = list(live.filter(pk__in=chosen.values("member_id")))
    elif plan.who == EscalationStep.Who.DIRECTOR:
        found = list(live.filter(role_grants__role=Role.DIRECTOR))
    else:
        raise ValueError(f"unknown escalation step {plan.who!r}")
    if plan.who != EscalationStep.Who.PARTNER:
        found = [m for m in found if m.pk not in worker_ids]
    unique = {m.pk: m for m in found}
    return sorted(unique.values(), key=lambda m: str(m.pk))


def shift_places(shift: Shift) -> Q:
    return Q(pk__in=shift.workers.values("member_id"))


def help_recipients(shift: Shift, *, now: datetime) -> list[Membership]:
    """HELP and the duress PIN: the on-call manager and the top (last) step of the chain,
    each once. The partner is not told: a silent alert must not show on a phone nearby."""
    chain = steps_for(policy_for(organisation_id=shift.organisation_id, site_id=shift.site_id))
    top = chain[-1]
    on_call = StepPlan(who=EscalationStep.Who.ON_CALL, channels=top.channels, wait=top.wait)
    found = {m.pk: m for m in recipients_for(shift, on_call, now=now)}
    if top.who != EscalationStep.Who.PARTNER:
        found.update({m.pk: m for m in recipients_for(shift, top, now=now)})
    if not found:
        # Nobody on the rota and no top step reachable: the directors, whatever the chain.
        director = StepPlan(who=EscalationStep.Who.DIRECTOR, channels=(), wait=top.wait)
        found = {m.pk: m for m in recipients_for(shift, director, now=now)}
    return sorted(found.values(), key=lambda m: str(m.pk))
