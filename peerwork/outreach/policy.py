"""The outreach policy that applies to a shift, and its chain of escalation steps (§4.4).

A site's own policy wins over the organisation's; with neither, the defaults of
``OutreachPolicy`` apply (not saved). A policy with no steps uses ``DEFAULT_CHAIN``: the
partner first, then up the line (issue 5 item 1).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from peerwork.core.models.notifications import Channel

from .models import EscalationStep, OutreachPolicy


@dataclass(frozen=True)
class StepPlan:
    """One step of the chain, whether stored or the default."""

    who: str
    channels: tuple[str, ...]
    wait: timedelta
    buddy_id: uuid.UUID | None = None
    position: int = 0


DEFAULT_WAIT = timedelta(minutes=15)
DEFAULT_CHANNELS = (Channel.INBOX, Channel.EMAIL, Channel.SMS)
# For a policy with no steps: the partner first, then up the line (issue 5 item 1).
DEFAULT_CHAIN = (
    EscalationStep.Who.PARTNER,
    EscalationStep.Who.LINE_MANAGER,
    EscalationStep.Who.ON_CALL,
    EscalationStep.Who.DIRECTOR,
)


def policy_for(*, organisation_id: uuid.UUID, site_id: uuid.UUID | None = None) -> OutreachPolicy:
    """The site's policy, else the organisation's, else the defaults (not saved)."""
    policies = {
        p.site_id: p
        for p in OutreachPolicy.objects.filter(organisation_id=organisation_id).filter(
            Q(site__isnull=True) | Q(site_id=site_id)
        )
    }
    found = policies.get(site_id) if site_id is not None else None
    return found or policies.get(None) or OutreachPolicy(organisation_id=organisation_id)


def steps_for(policy: OutreachPolicy) -> list[StepPlan]:
    """The policy's chain in order; a policy with no steps uses the default chain."""
    stored: Sequence[EscalationStep] = (
        list(policy.steps.order_by("position")) if not policy._state.adding else []
    )
    if stored:
        return [
            StepPlan(
                who=s.who,
                channels=tuple(s.channel_list()),
                wait=s.wait,
                buddy_id=s.buddy_id,
                position=s.position,
            )
            for s in stored
        ]
    return [
        StepPlan(who=who, channels=DEFAULT_CHANNELS, wait=DEFAULT_WAIT, position=n)
        for n, who in enumerate(DEFAULT_CHAIN, start=1)
    ]


def default_guidelines() -> list[str]:
    """Peerwork's own field guidelines, for a policy that wrote none (issue 5 item 1: picture
    ID, pairs, no valuables, no personal details to clients, the manager's card; §4.4)."""
    return [
        _("Carry your picture ID and your outreach ID card."),
        _("Go in pairs, and stay where your partner can see you."),
        _("Leave valuables at the office: take only what the work needs."),
        _("Never give clients your personal details: your phone number, your address."),
        _("Carry your manager's card, with the number to call if you are stopped."),
    ]


def guidelines_for(policy: OutreachPolicy) -> list[str]:
    """The policy's field guidelines, one a line, or Peerwork's own when it has none."""
    lines = [line.strip() for line in (policy.guidelines or "").splitlines() if line.strip()]
    return lines or default_guidelines()
