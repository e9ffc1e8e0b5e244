"""Who may see and act on outreach shifts and incidents (issue 5; DESIGN.md "Privacy
model"; the [record: shift] and [record: incident] sections of the access matrix).

Shifts are work data: every working member of the organisation sees the schedule (the
guide asks for one the team keeps, §4.4). Coaches, facilitators and peer interviewers,
who may be external or clients, see none. On a shift:

- its **workers** check out, extend, check in, say "I'm OK", share a rough location and
  ask for help;
- its **handlers** (the director, a line manager of one of its workers, the on-call
  manager now, and anyone an alert went to) say "I'm on it", close it and open an incident
  from it;
- who may **change** it (cancel a planned shift): whoever planned it, its workers, a line
  manager of one of them, a director.

The rough location and a silent alert are shown to the workers and handlers only.

Incidents are not work data. On duty: the person, their line manager and the manager
handling it (the handler named on the incident); the director once it is passed to them.
Off duty: the person, and the one person they asked to help; nobody by role (§4.4).

Gates answer 404 for what the member may not see (or that does not exist, or belongs to
another organisation) and 403 for what they see but may not do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peerwork.core.access import Action, is_working_member, lookup
from peerwork.core.models import Membership, Role

from .models import Incident, LegalContact, OnCall, Shift, ShiftEvent, ShiftWorker

# Shift actions beyond the core's five.
WORK = "work"  # the workers' own actions
HANDLE = "handle"  # "I'm on it", close, open an incident


def sees_shifts(member: Membership) -> bool:
    return bool(is_working_member(member))


def is_worker_on(member: Membership, shift: Shift) -> bool:
    return ShiftWorker.objects.filter(shift=shift, member=member).exists()


def is_on_call(member: Membership, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return OnCall.objects.filter(member=member, starts_at__lte=now, ends_at__gt=now).exists()


def was_alerted(member: Membership, shift: Shift) -> bool:
    return any(
        str(member.pk) in (detail or {}).get("recipients", [])
        for detail in ShiftEvent.objects.filter(
            shift=shift, kind=ShiftEvent.Kind.ALERTED
        ).values_list("detail", flat=True)
    )


def alerts_seen_by(
    member: Membership, shifts: Iterable[Shift], *, now: datetime | None = None
) -> set[object]:
    """The ids of the shifts whose alerts ``member`` sees: ``may_handle`` asked of a list in
    at most two queries (prefetch the shifts' workers), and never about a shift they work
    on themselves, a director among its workers included: a silent alert must not show on
    a phone someone beside them may see. The one rule of the pages and the API."""
    shifts = [
        s
        for s in shifts
        if s.organisation_id == member.organisation_id
        and not any(w.member_id == member.pk for w in s.workers.all())
    ]
    if not shifts or not member.is_active:
        return set()
    if member.has_role(Role.DIRECTOR):
        return {s.pk for s in shifts}
    found: set[object] = set()
    line_manager = member.has_role(Role.LINE_MANAGER)
    rest = []
    for shift in shifts:
        workers = [w.member for w in shift.workers.all()]
        if line_manager and any(w.line_manager_id == member.pk for w in workers):
            found.add(shift.pk)
        else:
            rest.append(shift)
    if not rest:
        return found
    if is_on_call(member, now=now):
        return found | {s.pk for s in rest}
    me = str(member.pk)
    for shift_id, detail in ShiftEvent.objects.filter(
        shift__in=rest, kind=ShiftEvent.Kind.ALERTED
    ).values_list("shift_id", "detail"):
        if me in (detail or {}).get("recipients", []):
            found.add(shift_id)
    return found


def sees_alert(member: Membership, shift: Shift, *, now: datetime | None = None) -> bool:
    """Whether ``member`` sees this shift's alert (``alerts_seen_by`` of one shift)."""
    return shift.pk in alerts_seen_by(member, [shift], now=now)


def may_handle(member: Membership, shift: Shift, *, now: datetime | None = None) -> bool:
    """The director, a line manager of one of its workers, the on-call manager now, or
    anyone an alert about it went to. Never its own workers, about themselves."""
    if not member.is_active or member.organisation_id != shift.organisation_id:
        return False
    if member.has_role(Role.DIRECTOR):
        return True
    if ShiftWorker.objects.filter(shift=shift, member__line_manager=member).exists() and (
        member.has_role(Role.LINE_MANAGER)
    ):
        return True
    if is_worker_on(member, shift):
        return False
    return is_on_call(member, now=now) or was_alerted(member, shift)


def may_change(member: Membership, shift: Shift) -> bool:
    if not member.is_active or member.organisation_id != shift.organisation_id:
        return False
    return (
        member.pk == shift.created_by_id
        or member.has_role(Role.DIRECTOR)
        or is_worker_on(member, shift)
        or (
            member.has_role(Role.LINE_MANAGER)
            and ShiftWorker.objects.filter(shift=shift, member__line_manager=member).exists()
        )
    )


def may_plan_for(member: Membership, workers: Iterable[Membership]) -> bool:
    """A working member plans a shift they go on (with any colleague); a line manager
    plans for their own reports, and a director for anyone."""
    people = list(workers)
    if not sees_shifts(member):
        return False
    if member.has_role(Role.DIRECTOR) or any(w.pk == member.pk for w in people):
        return True
    return bool(people) and all(member.manages(w) for w in people)


def sees_private_parts(member: Membership, shift: Shift) -> bool:
    """The rough location and a silent alert: workers and handlers only."""
    return is_worker_on(member, shift) or may_handle(member, shift)


def shift_for_member(member: Membership, shift_id: object, action: str = Action.READ) -> Shift:
    """The one gate for a shift (404 unseen, 403 seen but not this action)."""
    if not sees_shifts(member):
        raise Http404
    shift = lookup(
        Shift.objects.filter(organisation_id=member.organisation_id).select_related("site", "team"),
        shift_id,
    )
    if action in (Action.READ, Action.LIST):
        return shift
    allowed = {
        WORK: is_worker_on,
        HANDLE: may_handle,
        Action.CHANGE: may_change,
    }.get(action)
    if allowed is None or not allowed(member, shift):
        raise PermissionDenied
    return shift


def shifts_for_member(member: Membership) -> QuerySet[Shift]:
    """The schedule this member sees: the organisation's shifts, or none."""
    if not sees_shifts(member):
        return Shift.objects.none()
    return Shift.objects.filter(organisation_id=member.organisation_id)


# --- incidents -------------------------------------------------------------------------


def _incident_readers(member: Membership) -> Q:
    """Incidents this member may read, as a filter (one rule for lists and the gate)."""
    mine = Q(person=member) | Q(helper=member)
    if not member.is_active:
        return Q(pk__in=[])
    on_duty = Q(on_duty=True) & (
        Q(handler=member)
        | (Q(person__line_manager=member) if member.has_role(Role.LINE_MANAGER) else Q(pk__in=[]))
        | (Q(escalated_at__isnull=False) if member.has_role(Role.DIRECTOR) else Q(pk__in=[]))
    )
    return mine | on_duty


def incidents_for_member(member: Membership) -> QuerySet[Incident]:
    return Incident.objects.filter(
        _incident_readers(member), organisation_id=member.organisation_id
    )


def may_change_incident(member: Membership, incident: Incident) -> bool:
    """Record steps and the court timeline: the person, their helper; on duty also the
    handler and the person's line manager (not the director, who reads once passed)."""
    if not member.is_active:
        return False
    if member.pk in (incident.person_id, incident.helper_id):
        return True
    if not incident.on_duty:
        return False
    return member.pk == incident.handler_id or (
        member.has_role(Role.LINE_MANAGER) and incident.person.line_manager_id == member.pk
    )


def may_open_incident(member: Membership, shift: Shift) -> bool:
    """On duty: anyone on the shift or its chain (issue 5 item 6)."""
    return is_worker_on(member, shift) or may_handle(member, shift)


def may_delete_incident(member: Membership, incident: Incident) -> bool:
    """Off duty, the person only; on duty nobody (the organisation's record of harm at work)."""
    return member.is_active and not incident.on_duty and member.pk == incident.person_id


def incident_for_member(
    member: Membership, incident_id: object, action: str = Action.READ
) -> Incident:
    """The one gate for an incident (404 unseen, 403 seen but not this action)."""
    incident = lookup(
        incidents_for_member(member).select_related("person", "shift", "handler", "helper"),
        incident_id,
    )
    if action in (Action.READ, Action.LIST):
        return incident
    if action == Action.CHANGE and may_change_incident(member, incident):
        return incident
    if action == Action.DELETE and may_delete_incident(member, incident):
        return incident
    raise PermissionDenied


def incident_to_take_over(member: Membership, incident_id: object) -> Incident:
    """The gate of "take over": an open on-duty incident the member may become the handler
    of without reading it yet (the on-call manager now, or the person's line manager).
    Anyone else gets 404, as for an incident they do not see."""
    from .incidents import may_take_over  # the rule lives with the flow

    if not member.is_active:
        raise Http404
    incident = lookup(
        Incident.objects.filter(
            organisation_id=member.organisation_id, on_duty=True
        ).select_related("person", "handler"),
        incident_id,
    )
    if not may_take_over(member, incident, now=timezone.now()):
        if incidents_for_member(member).filter(pk=incident.pk).exists():
            raise PermissionDenied
        raise Http404
    return incident


def shift_for_incident(member: Membership, shift_id: object) -> Shift:
    """The gate of opening an incident from a shift: anyone on it or its chain."""
    shift = shift_for_member(member, shift_id)
    if not may_open_incident(member, shift):
        raise PermissionDenied
    return shift


def may_edit_legal_contacts(member: Membership) -> bool:
    """The directory is kept by the org admin, directors and line managers: those who
    arrange a lawyer when a worker is arrested (§4.4 "establish links with lawyers")."""
    return member.is_active and any(
        member.has_role(role) for role in (Role.ORG_ADMIN, Role.DIRECTOR, Role.LINE_MANAGER)
    )


def sees_legal_contacts(member: Membership) -> bool:
    """Every working member (phone numbers matter in an emergency), and the editors."""
    return sees_shifts(member) or may_edit_legal_contacts(member)


def legal_contacts_for_member(member: Membership) -> QuerySet[LegalContact]:
    if not sees_legal_contacts(member):
        return LegalContact.objects.none()
    return LegalContact.objects.filter(organisation_id=member.organisation_id)


def legal_contact_for_member(
    member: Membership, contact_id: object, action: str = Action.READ
) -> LegalContact:
    """The one gate for a legal contact (404 unseen, 403 seen but not this action)."""
    contact = lookup(legal_contacts_for_member(member).select_related("site"), contact_id)
    if action in (Action.READ, Action.LIST) or may_edit_legal_contacts(member):
        return contact
    raise PermissionDenied


def may_print_card_for(member: Membership, person: Membership) -> bool:
    """The outreach ID card: one's own, or any worker's for their line manager, a director
    or the org admin."""
    if not member.is_active or not person.is_active:
        return False
    if member.pk == person.pk:
        return sees_shifts(member)
    return (
        member.has_role(Role.DIRECTOR)
        or member.has_role(Role.ORG_ADMIN)
        or (member.has_role(Role.LINE_MANAGER) and person.line_manager_id == member.pk)
    )


def card_holder_for_member(member: Membership, person_id: object) -> Membership:
    """The gate of the ID card: another organisation's person, 404; a colleague whose card
    this member may not print, 403."""
    person = lookup(
        Membership.objects.filter(organisation_id=member.organisation_id).select_related(
            "user", "organisation"
        ),
        person_id,
    )
    if may_print_card_for(member, person):
        return person
    if sees_shifts(member) or member.pk == person.pk:
        raise PermissionDenied
    raise Http404


__all__ = [
    "HANDLE",
    "WORK",
    "card_holder_for_member",
    "incident_for_member",
    "incident_to_take_over",
    "incidents_for_member",
    "legal_contact_for_member",
    "legal_contacts_for_member",
    "may_change",
    "may_change_incident",
    "may_delete_incident",
    "may_edit_legal_contacts",
    "may_handle",
    "may_open_incident",
    "may_plan_for",
    "may_print_card_for",
    "sees_legal_contacts",
    "sees_private_parts",
    "shift_for_incident",
    "shift_for_member",
    "shifts_for_member",
]
