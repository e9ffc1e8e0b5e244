"""Isolation makers of the outreach module's shifts and policy routes (see isolation.py).

- ``shift_id``: a shift that is OUT (checked out, due back in three hours), planned by a
  member who is both a director and one of its two workers, with an ordinary colleague as
  the partner. Its owner is that director: a worker of the shift (the workers' buttons,
  and the API's check-in and check-out), who also handles it ("I'm on it", close) and may
  change it (cancel), so every route and operation on ``{shift_id}`` has an owner who may
  use it.
- ``policy_site_id``: a site, as the org admin who sets its outreach policy;
- ``step_id``: a step of the organisation's escalation chain, as that org admin;
- ``on_call_id``: a turn on the on-call rota, as that org admin.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import cast

from django.utils import timezone

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Role, Site

from . import services
from .models import EscalationStep, OnCall, OutreachPolicy


def _shift(other: Other) -> Made:
    director = other.member_with(Role.STAFF, Role.DIRECTOR)
    now = timezone.now()
    shift = services.plan_shift(
        actor=director,
        workers=[director, other.member],
        area="Isolation underpass",
        planned_start=now - timedelta(minutes=5),
        planned_return=now + timedelta(hours=3),
        now=now - timedelta(hours=1),
    )
    shift = services.check_out(actor=director, shift=shift, now=now - timedelta(minutes=5))
    return Made(value=str(shift.pk), owner=director, obj=shift)


def _site(other: Other) -> Made:
    site = Site.objects.create(
        organisation=other.organisation, name=f"Isolation outreach site {uuid.uuid4().hex[:8]}"
    )
    return Made(value=str(site.pk), owner=other.member_with(Role.ORG_ADMIN), obj=site)


def _step(other: Other) -> Made:
    policy, _created = OutreachPolicy.objects.get_or_create(
        organisation=other.organisation, site=None
    )
    last = policy.steps.order_by("-position").first()
    step = EscalationStep.objects.create(
        organisation=other.organisation,
        policy=policy,
        position=(last.position if last else 0) + 1,
        who=EscalationStep.Who.LINE_MANAGER,
        channels=["inbox"],
    )
    return Made(value=str(step.pk), owner=other.member_with(Role.ORG_ADMIN), obj=step)


def _on_call(other: Other) -> Made:
    now = timezone.now()
    turn = OnCall.objects.create(
        organisation=other.organisation,
        member=other.member,
        starts_at=now,
        ends_at=now + timedelta(hours=8),
    )
    return Made(value=str(turn.pk), owner=other.member_with(Role.ORG_ADMIN), obj=turn)


register_isolation_maker("shift_id", _shift)
register_isolation_maker("policy_site_id", _site)
register_isolation_maker("step_id", _step)
register_isolation_maker("on_call_id", _on_call)


def _policy_version(made: Made) -> Body:
    step = cast(EscalationStep, made.obj)
    return Body(data={"version": str(step.policy.version), "up": "1"})


def _extend(made: Made) -> Body:
    return Body(data={"minutes": "30"})


register_isolation_request("POST outreach:step_move", _policy_version)
register_isolation_request("POST outreach:step_remove", _policy_version)
register_isolation_request("POST outreach:extend", _extend)
