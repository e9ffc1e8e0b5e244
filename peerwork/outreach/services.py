"""Outreach shifts: plan, check out, extend, "I'm OK", check in, acknowledge, close, cancel.

Every function takes the acting membership and ``now`` (tests arrange time in data) and
is keyword-only. Each change of state is one conditional ``UPDATE … WHERE`` on the shift's
id and the state it was seen in, so two people acting at once (a worker checking in as a
manager closes the shift, or the deadline loop claiming a step) never both win: the loser
gets a ValidationError and nothing changes. The shift's timeline (``ShiftEvent``) and the
audit chain are written in the same transaction as the change.

The guide asks for a schedule of shifts with planned return times, a policy saying when a
late worker counts as missing, and outreach in pairs (§4.4); the policy here says each.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.models import Membership, Role, Site, Team
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import notify

from . import kinds
from .models import WATCHED_STATES, EscalationStep, OutreachPolicy, Shift, ShiftEvent, ShiftWorker

EXTEND_MIN = 5
EXTEND_MAX = 240
ALERTED_STATES = (Shift.State.OVERDUE, Shift.State.MISSING)


# --- the policy ------------------------------------------------------------------------


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


# --- planning --------------------------------------------------------------------------


def plan_shift(
    *,
    actor: Membership,
    workers: Iterable[Membership],
    area: str,
    planned_start: datetime,
    planned_return: datetime,
    materials: str = "",
    site: Site | None = None,
    team: Team | None = None,
    now: datetime | None = None,
) -> Shift:
    """Put a shift on the schedule. Raises ValidationError (nothing saved) on bad input."""
    now = now or timezone.now()
    people = list({m.pk: m for m in workers}.values())
    policy = policy_for(organisation_id=actor.organisation_id, site_id=site.pk if site else None)
    errors: dict[str, list[str]] = {}
    if any(m.organisation_id != actor.organisation_id or not m.is_active for m in people):
        errors.setdefault("workers", []).append(_("Choose workers from your organisation."))
    elif policy.pairs_required and len(people) != 2:
        errors.setdefault("workers", []).append(
            _("Outreach here goes in pairs: choose two workers.")
        )
    elif not people:
        errors.setdefault("workers", []).append(_("Choose who goes on the shift."))
    area = (area or "").strip()
    if not area:
        errors.setdefault("area", []).append(_("Say in words where the shift goes."))
    elif len(area) > Shift._meta.get_field("area").max_length:  # type: ignore[operator]
        errors.setdefault("area", []).append(_("Describe the area in fewer words."))
    materials = (materials or "").strip()
    if len(materials) > Shift._meta.get_field("materials").max_length:  # type: ignore[operator]
        errors.setdefault("materials", []).append(_("List the materials in fewer words."))
    if planned_return <= planned_start:
        errors.setdefault("planned_return", []).append(
            _("The planned return must be after the planned start.")
        )
    elif planned_return <= now:
        errors.setdefault("planned_return", []).append(
            _("The planned return has already passed: choose a later time.")
        )
    if site is not None and site.organisation_id != actor.organisation_id:
        errors.setdefault("site", []).append(_("Choose a site of your organisation."))
    if team is not None and team.organisation_id != actor.organisation_id:
        errors.setdefault("team", []).append(_("Choose a team of your organisation."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        shift = Shift.objects.create(
            organisation_id=actor.organisation_id,
            site=site,
            team=team,
            area=area,
            materials=materials,
            planned_start=planned_start,
            planned_return=planned_return,
            created_by=actor,
            created_at=now,
        )
        ShiftWorker.objects.bulk_create(
            [
                ShiftWorker(organisation_id=actor.organisation_id, shift=shift, member=m)
                for m in people
            ]
        )
        _event(shift, ShiftEvent.Kind.PLANNED, actor, now)
        _audit(actor, "outreach.shift.plan", shift)
    return shift


# --- the worker's actions --------------------------------------------------------------


def check_out(*, actor: Membership, shift: Shift, now: datetime | None = None) -> Shift:
    """The worker leaves: the shift is out and watched from its deadline plus grace."""
    now = now or timezone.now()
    _require_worker(actor, shift)
    policy = policy_for(organisation_id=shift.organisation_id, site_id=shift.site_id)
    if shift.planned_return <= now:
        raise ValidationError(
            _("The planned return has already passed: extend it or plan a new shift.")
        )
    with transaction.atomic():
        _change(
            shift,
            Q(state=Shift.State.PLANNED),
            _("This shift is not waiting to start."),
            state=Shift.State.OUT,
            checked_out_at=now,
            escalation_step=0,
            escalation_due_at=shift.planned_return + policy.grace,
        )
        _event(shift, ShiftEvent.Kind.CHECKED_OUT, actor, now)
        _audit(actor, "outreach.shift.check_out", shift)
    return _fresh(shift)


def extend(*, actor: Membership, shift: Shift, minutes: int, now: datetime | None = None) -> Shift:
    """Move the planned return later, only while it has not passed (issue 5 item 3)."""
    now = now or timezone.now()
    _require_worker(actor, shift)
    if not isinstance(minutes, int) or not EXTEND_MIN <= minutes <= EXTEND_MAX:
        raise ValidationError(
            _("Extend by %(min)d to %(max)d minutes.") % {"min": EXTEND_MIN, "max": EXTEND_MAX}
        )
    if not shift.may_extend(now):
        raise ValidationError(
            _("The return time has passed: check in, or ask your manager for help.")
        )
    policy = policy_for(organisation_id=shift.organisation_id, site_id=shift.site_id)
    new_return = shift.planned_return + timedelta(minutes=minutes)
    with transaction.atomic():
        _change(
            shift,
            Q(state=Shift.State.OUT, planned_return=shift.planned_return, planned_return__gt=now),
            _("The return time has passed: check in, or ask your manager for help."),
            planned_return=new_return,
            escalation_due_at=new_return + policy.grace,
        )
        _event(shift, ShiftEvent.Kind.EXTENDED, actor, now, {"minutes": minutes})
        _audit(actor, "outreach.shift.extend", shift, {"minutes": minutes})
    return _fresh(shift)


def im_ok(*, actor: Membership, shift: Shift, now: datetime | None = None) -> ShiftEvent:
    """An optional "I'm OK" on the timeline; it changes no state and stops no alert."""
    now = now or timezone.now()
    _require_worker(actor, shift)
    if shift.state not in WATCHED_STATES:
        raise ValidationError(_("This shift is not out."))
    with transaction.atomic():
        event = _event(shift, ShiftEvent.Kind.OK, actor, now)
        _audit(actor, "outreach.shift.ok", shift)
    return event


def check_in(*, actor: Membership, shift: Shift, now: datetime | None = None) -> Shift:
    """The worker is back: the shift is returned, the loop stops watching it, and
    everyone already alerted (but the one checking in) is told, once each."""
    now = now or timezone.now()
    _require_worker(actor, shift)
    with transaction.atomic():
        _change(
            shift,
            Q(state__in=WATCHED_STATES),
            _("This shift is not out: there is nothing to check in."),
            state=Shift.State.RETURNED,
            returned_at=now,
            escalation_due_at=None,
        )
        _event(shift, ShiftEvent.Kind.CHECKED_IN, actor, now)
        _audit(actor, "outreach.shift.check_in", shift)
        for member in [m for m in alerted(shift) if m.pk != actor.pk]:
            notify(recipient=member, kind=kinds.BACK.kind, params={"shift": str(shift.pk)}, now=now)
    return _fresh(shift)


def cancel_shift(*, actor: Membership, shift: Shift, now: datetime | None = None) -> Shift:
    """Take a planned shift off the schedule (only before it starts)."""
    now = now or timezone.now()
    if actor.pk != shift.created_by_id and not _is_worker(actor, shift):
        raise PermissionDenied
    with transaction.atomic():
        _change(
            shift,
            Q(state=Shift.State.PLANNED),
            _("Only a shift that has not started can be cancelled."),
            state=Shift.State.CANCELLED,
        )
        _event(shift, ShiftEvent.Kind.CANCELLED, actor, now)
        _audit(actor, "outreach.shift.cancel", shift)
    return _fresh(shift)


# --- the chain's actions ---------------------------------------------------------------


def acknowledge(*, actor: Membership, shift: Shift, now: datetime | None = None) -> Shift:
    """ "I'm on it": the actor handles it, and no further step is sent."""
    now = now or timezone.now()
    _require_handler(actor, shift)
    with transaction.atomic():
        _change(
            shift,
            Q(state__in=ALERTED_STATES, acknowledged_at__isnull=True),
            _("This shift does not need anyone now, or someone is already on it."),
            acknowledged_at=now,
            acknowledged_by=actor,
            escalation_due_at=None,
        )
        _event(shift, ShiftEvent.Kind.ACKNOWLEDGED, actor, now)
        _audit(actor, "outreach.shift.acknowledge", shift)
    return _fresh(shift)


def close_shift(
    *, actor: Membership, shift: Shift, incident: bool, now: datetime | None = None
) -> Shift:
    """Close an overdue or missing shift once it is resolved, saying whether there was an
    incident (the incident record itself comes with issue 5 item 6)."""
    now = now or timezone.now()
    _require_handler(actor, shift)
    with transaction.atomic():
        _change(
            shift,
            Q(state__in=ALERTED_STATES),
            _("Only an overdue or missing shift can be closed."),
            state=Shift.State.CLOSED,
            closed_at=now,
            escalation_due_at=None,
        )
        _event(shift, ShiftEvent.Kind.CLOSED, actor, now, {"incident": bool(incident)})
        _audit(actor, "outreach.shift.close", shift, {"incident": bool(incident)})
    return _fresh(shift)


def alerted(shift: Shift) -> list[Membership]:
    """Everyone an alert about this shift went to, each once, in the order alerted."""
    ids: list[str] = []
    for detail in ShiftEvent.objects.filter(shift=shift, kind=ShiftEvent.Kind.ALERTED).values_list(
        "detail", flat=True
    ):
        ids += [i for i in (detail or {}).get("recipients", []) if i not in ids]
    if not ids:
        return []
    found = {
        str(m.pk): m
        for m in Membership.objects.filter(
            organisation_id=shift.organisation_id, pk__in=ids
        ).select_related("user", "organisation")
    }
    return [found[i] for i in ids if i in found]


# --- helpers ---------------------------------------------------------------------------


def _change(shift: Shift, when: Q, refused: str, **changes: object) -> None:
    """One conditional update; ValidationError when the shift is no longer as seen."""
    updated = Shift.objects.filter(when, pk=shift.pk).update(version=F("version") + 1, **changes)
    if not updated:
        raise ValidationError(refused)


def _fresh(shift: Shift) -> Shift:
    shift.refresh_from_db()
    return shift


def _event(
    shift: Shift,
    kind: str,
    actor: Membership | None,
    now: datetime,
    detail: dict[str, object] | None = None,
) -> ShiftEvent:
    return ShiftEvent.objects.create(
        organisation_id=shift.organisation_id,
        shift=shift,
        kind=kind,
        actor=actor,
        at=now,
        detail=detail or {},
    )


def _audit(
    actor: Membership, action: str, shift: Shift, detail: dict[str, object] | None = None
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="outreach.shift",
        object_id=shift.pk,
        detail=dict(detail) if detail else None,
    )


def _is_worker(actor: Membership, shift: Shift) -> bool:
    return ShiftWorker.objects.filter(shift=shift, member=actor).exists()


def _require_worker(actor: Membership, shift: Shift) -> None:
    if actor.organisation_id != shift.organisation_id or not _is_worker(actor, shift):
        raise PermissionDenied


def _require_handler(actor: Membership, shift: Shift) -> None:
    """Who may say "I'm on it" or close: anyone alerted about the shift, a line manager
    of one of its workers, or a director."""
    if actor.organisation_id != shift.organisation_id or not actor.is_active:
        raise PermissionDenied
    if actor.has_role(Role.DIRECTOR) or any(m.pk == actor.pk for m in alerted(shift)):
        return
    if ShiftWorker.objects.filter(shift=shift, member__line_manager=actor).exists():
        return
    raise PermissionDenied


__all__ = [
    "StepPlan",
    "acknowledge",
    "alerted",
    "cancel_shift",
    "check_in",
    "check_out",
    "close_shift",
    "extend",
    "im_ok",
    "plan_shift",
    "policy_for",
    "steps_for",
]
