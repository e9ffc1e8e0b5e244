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

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.models import Membership, Site, Team
from peerwork.core.notify import notify

from . import kinds
from .access import may_change, may_handle
from .models import WATCHED_STATES, Shift, ShiftEvent, ShiftWorker
from .policy import StepPlan, policy_for, steps_for

EXTEND_MIN = 5
EXTEND_MAX = 240
ALERTED_STATES = (Shift.State.OVERDUE, Shift.State.MISSING, Shift.State.HELP)
# A call for help is possible from the moment a shift is planned until a day after it
# ended (the duress PIN may be demanded after the worker is back).
HELP_FROM_STATES = (
    Shift.State.PLANNED,
    Shift.State.OUT,
    Shift.State.OVERDUE,
    Shift.State.MISSING,
    Shift.State.RETURNED,
    Shift.State.CLOSED,
)
# How often a call for help is sent again to the same people until someone is on it.
HELP_REPEAT = timedelta(minutes=5)
LOCATION_MAX = 120


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
        # Each worker gets their own shift link (sent once the shift is saved for good).
        for member in people:
            notify(
                recipient=member,
                kind=kinds.SHIFT_PLANNED.kind,
                params={"shift": str(shift.pk), "member": str(member.pk)},
                now=now,
            )
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
    if shift.state == Shift.State.HELP and shift.help_silent:
        # After the duress PIN, a check-in may be forced: it is written on the timeline
        # but stops nothing; only the person handling the alert closes the shift.
        with transaction.atomic():
            _event(shift, ShiftEvent.Kind.CHECKED_IN, actor, now, {"after_duress": True})
            _audit(actor, "outreach.shift.check_in", shift, {"after_duress": True})
        return _fresh(shift)
    with transaction.atomic():
        _change(
            shift,
            Q(state__in=WATCHED_STATES),
            _("This shift is not out: there is nothing to check in."),
            state=Shift.State.RETURNED,
            returned_at=now,
            escalation_due_at=None,
            coarse_location="",
        )
        _event(shift, ShiftEvent.Kind.CHECKED_IN, actor, now)
        _audit(actor, "outreach.shift.check_in", shift)
        for member in [m for m in alerted(shift) if m.pk != actor.pk]:
            notify(recipient=member, kind=kinds.BACK.kind, params={"shift": str(shift.pk)}, now=now)
    return _fresh(shift)


def cancel_shift(*, actor: Membership, shift: Shift, now: datetime | None = None) -> Shift:
    """Take a planned shift off the schedule (only before it starts)."""
    now = now or timezone.now()
    if not may_change(actor, shift):
        raise PermissionDenied
    with transaction.atomic():
        _change(
            shift,
            Q(state=Shift.State.PLANNED),
            _("Only a shift that has not started can be cancelled."),
            state=Shift.State.CANCELLED,
            coarse_location="",
        )
        _event(shift, ShiftEvent.Kind.CANCELLED, actor, now)
        _audit(actor, "outreach.shift.cancel", shift)
    return _fresh(shift)


def share_location(
    *, actor: Membership, shift: Shift, location: str, now: datetime | None = None
) -> Shift:
    """A worker chooses to share a rough place, in words, for this shift only (issue 5
    item 2). Empty takes it back. The timeline says that it changed, never what it says."""
    now = now or timezone.now()
    _require_worker(actor, shift)
    location = (location or "").strip()
    if len(location) > LOCATION_MAX:
        raise ValidationError(_("Describe the place in fewer words."))
    with transaction.atomic():
        _change(
            shift,
            Q(state__in=(Shift.State.PLANNED, *WATCHED_STATES)),
            _("This shift has ended: there is no location to share."),
            coarse_location=location,
        )
        _event(shift, ShiftEvent.Kind.LOCATION, actor, now, {"shared": bool(location)})
        _audit(actor, "outreach.shift.location", shift, {"shared": bool(location)})
    return _fresh(shift)


def ask_for_help(
    *,
    actor: Membership,
    shift: Shift,
    silent: bool = False,
    via: str = "app",
    now: datetime | None = None,
) -> Shift:
    """HELP, or the duress PIN when ``silent``: straight to the on-call manager and the
    top of the chain, in this transaction, without waiting for the loop (issue 5 item 4).

    The shift moves to ``help`` (watched again, even if it had been acknowledged or had
    returned), and the loop repeats the alert every ``HELP_REPEAT`` until someone says
    "I'm on it". A silent request looks like a check-in to the shift's own workers.
    """
    from .chain import help_recipients  # the chain reads the policy, as this module does

    now = now or timezone.now()
    _require_worker(actor, shift)
    ended_at = shift.closed_at or shift.returned_at
    if shift.state in (Shift.State.RETURNED, Shift.State.CLOSED) and (
        ended_at is None or now - ended_at > timedelta(days=1)
    ):
        raise ValidationError(_("This shift ended more than a day ago: call your manager."))
    if shift.state == Shift.State.HELP:
        # Asked again while help is already on its way: nothing more to send, and no
        # message that could tell a bystander more than the first tap did.
        return shift
    with transaction.atomic():
        _change(
            shift,
            Q(state__in=HELP_FROM_STATES),
            _("This shift has been cancelled: call your manager."),
            state=Shift.State.HELP,
            help_at=now,
            help_silent=silent,
            acknowledged_at=None,
            acknowledged_by=None,
            escalation_due_at=now + HELP_REPEAT,
        )
        shift = _fresh(shift)
        recipients = help_recipients(shift, now=now)
        kind = kinds.DURESS if silent else kinds.HELP
        for member in recipients:
            notify(recipient=member, kind=kind.kind, params={"shift": str(shift.pk)}, now=now)
        _event(shift, ShiftEvent.Kind.HELP, actor, now, {"silent": silent, "via": via})
        _event(
            shift,
            ShiftEvent.Kind.ALERTED,
            None,
            now,
            {"who": "help", "silent": silent, "recipients": [str(m.pk) for m in recipients]},
        )
        _audit(actor, "outreach.shift.help", shift, {"silent": silent, "via": via})
    return shift


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
            _("Only an overdue or missing shift, or one that asked for help, can be closed."),
            state=Shift.State.CLOSED,
            closed_at=now,
            escalation_due_at=None,
            coarse_location="",
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
    if not may_handle(actor, shift):
        raise PermissionDenied


__all__ = [
    "StepPlan",
    "acknowledge",
    "alerted",
    "ask_for_help",
    "cancel_shift",
    "check_in",
    "check_out",
    "close_shift",
    "extend",
    "im_ok",
    "plan_shift",
    "share_location",
    "policy_for",
    "steps_for",
]
