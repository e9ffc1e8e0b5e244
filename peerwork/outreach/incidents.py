"""Incidents: an arrest, a police encounter, violence, a robbery, an injury, a needle-stick
(issue 5 item 6; guide §4.4 "Criminal exposure", §3.4, App. 10 cases 6 and 8).

Every function takes the acting membership and ``now`` and is keyword-only. Each change is
one conditional ``UPDATE … WHERE version = …`` on the incident (``StaleVersion`` when
someone else changed it first, a ValidationError when it is closed), written in the same
transaction as its audit line, which holds ids and codes only: never what happened.

On duty (from a shift) anyone on the shift or its chain opens one, and a manager handles it
through the guide's steps for its kind. Off duty only the person records anything, or the
one colleague they ask to help. **An off-duty arrest for possession opens nothing
disciplinary**: "drug possession-related offences outside of work should not routinely be
a disciplinary matter" and "it is the role of the legal system to prosecute staff who use
drugs ..., not the employing organisation" (§4.4). Off-duty records reach no manager, and
no module may read them for anything but the person's own page and export.

Two steps need the worker's consent, recorded with the step and never assumed: contacting
their family, and documenting a human-rights violation (informed consent; never coerced).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core import audit
from peerwork.core.access import DataClass
from peerwork.core.models import Membership, Role, active_members
from peerwork.core.notify import notify
from peerwork.core.versions import StaleVersion, update_if_current

from . import kinds
from .access import (
    is_on_call,
    is_worker_on,
    may_change_incident,
    may_edit_legal_contacts,
    may_handle,
    may_open_incident,
)
from .models import Incident, IncidentStep, LegalContact, LegalEvent, OnCall, Shift, ShiftEvent

NOTE_MAX = 4000
SUMMARY_MAX = 4000
# PEP works best started within hours, and not at all after 72 hours (§3.4).
PEP_LATEST = dt.timedelta(hours=72)


@dataclass(frozen=True)
class Step:
    """One of the guide's steps: a code, a label and short help, in our own words."""

    code: str
    label: str | Promise
    help: str | Promise
    needs_consent: bool = False


STEPS: dict[str, Step] = {
    step.code: step
    for step in (
        # Arrest (§4.4: "the first step is to ensure that they have access to a lawyer and
        # are released from police custody as quickly as possible"; App. 10 cases 6, 8).
        Step(
            "lawyer",
            gettext_lazy("A lawyer is on it"),
            gettext_lazy(
                "Call a lawyer from the legal-contacts directory below. People are innocent "
                "until proven guilty (§4.4)."
            ),
        ),
        Step(
            "release",
            gettext_lazy("Released from custody"),
            gettext_lazy("Work with the lawyer to get the worker out of custody quickly."),
        ),
        Step(
            "bail_call",
            gettext_lazy("The bail call"),
            gettext_lazy(
                "The worker may ask for one phone call to arrange bail: be the one who answers."
            ),
        ),
        Step(
            "duty_of_care",
            gettext_lazy("Duty of care in custody"),
            gettext_lazy(
                "Food, medicines and visits. Someone on opioid substitution therapy must not "
                "miss their doses in custody: ask the lawyer to arrange them."
            ),
        ),
        Step(
            "family",
            gettext_lazy("Family contacted"),
            gettext_lazy("Only if the worker agrees. They decide who is told, and what."),
            needs_consent=True,
        ),
        Step(
            "human_rights",
            gettext_lazy("Human-rights documentation"),
            gettext_lazy(
                "Only with the worker's informed consent: explain what is written down, who "
                "sees it and what it may lead to. Never press them."
            ),
            needs_consent=True,
        ),
        Step(
            "press",
            gettext_lazy("What to say to the press"),
            gettext_lazy(
                "One spokesperson speaks for the organisation; nothing that identifies the worker."
            ),
        ),
        # Police encounters, violence, robbery, injury: the guide's strategies for working
        # with the police and its duty of care (§4.4), our own plans for the worst case.
        Step(
            "safe_now",
            gettext_lazy("The worker is safe"),
            gettext_lazy("Somewhere safe, not alone, and with a way home."),
        ),
        Step(
            "medical",
            gettext_lazy("Medical care"),
            gettext_lazy("First aid, then a clinic or hospital if needed."),
        ),
        Step(
            "details_noted",
            gettext_lazy("Details noted"),
            gettext_lazy("Badge numbers or vehicle plates, as the worker remembers them (§4.4)."),
        ),
        Step(
            "police_report",
            gettext_lazy("Reported to the police"),
            gettext_lazy("Only if the worker wants to: it is their decision."),
        ),
        Step(
            "police_liaison",
            gettext_lazy("Raised with police contacts"),
            gettext_lazy(
                "Talk to the organisation's police contacts about outreach work; the police "
                "liaison letter explains it (§4.4)."
            ),
        ),
        Step(
            "materials_replaced",
            gettext_lazy("Phone and materials replaced"),
            gettext_lazy("What was taken or seized, replaced before the next shift."),
        ),
        Step(
            "debrief",
            gettext_lazy("Talked it through"),
            gettext_lazy("A conversation with the worker about what happened and what helps."),
        ),
        Step(
            "plans_reviewed",
            gettext_lazy("Plans reviewed"),
            gettext_lazy("Did the team's plans for the worst case work? Agree any changes."),
        ),
        # Needle-stick (§3.4: access to post-exposure prophylaxis, testing and treatment).
        Step(
            "first_aid",
            gettext_lazy("First aid"),
            gettext_lazy(
                "Let the wound bleed freely, wash it with soap and running water; do not "
                "scrub or suck it."
            ),
        ),
        Step(
            "pep",
            gettext_lazy("PEP started"),
            gettext_lazy(
                "Post-exposure prophylaxis works best within hours, and within 72 hours at "
                "the latest. Go to the clinic or emergency department now."
            ),
        ),
        Step(
            "testing",
            gettext_lazy("Tested"),
            gettext_lazy("A first test for HIV and hepatitis B and C, voluntary and private."),
        ),
        Step(
            "follow_up",
            gettext_lazy("Follow-up tests"),
            gettext_lazy("Tests again at the times the clinic gives, and support meanwhile."),
        ),
    )
}

# The steps for each kind, in the order the handler walks them.
STEPS_FOR: dict[str, tuple[str, ...]] = {
    Incident.Kind.ARREST: (
        "lawyer",
        "release",
        "bail_call",
        "duty_of_care",
        "family",
        "human_rights",
        "press",
    ),
    Incident.Kind.POLICE: (
        "safe_now",
        "details_noted",
        "lawyer",
        "human_rights",
        "police_liaison",
        "debrief",
    ),
    Incident.Kind.VIOLENCE: (
        "safe_now",
        "medical",
        "police_report",
        "human_rights",
        "debrief",
        "plans_reviewed",
    ),
    Incident.Kind.ROBBERY: (
        "safe_now",
        "medical",
        "police_report",
        "materials_replaced",
        "debrief",
        "plans_reviewed",
    ),
    Incident.Kind.INJURY: ("first_aid", "medical", "debrief", "plans_reviewed"),
    Incident.Kind.NEEDLE_STICK: ("first_aid", "pep", "testing", "follow_up"),
}

# Kinds that may come to court (App. 10 case 8): they get a court timeline.
COURT_KINDS = (Incident.Kind.ARREST, Incident.Kind.POLICE)


def read_incident(*, actor: Membership, incident: Incident) -> None:
    """Note that someone other than the person read an incident: the words are the
    person's, sealed under their key, and every other reader is audited (§2.3)."""
    if actor.pk != incident.person_id:
        audit.record_read(
            actor=actor,
            action="outreach.incident.read",
            object_type="outreach.incident",
            object_id=incident.pk,
            subject=incident.person,
            data_class=DataClass.PRIVATE,
        )


def step_label(code: str) -> str | Promise:
    step = STEPS.get(code)
    return step.label if step else code


def steps_for(kind: str) -> list[Step]:
    return [STEPS[code] for code in STEPS_FOR.get(kind, ())]


# --- opening ---------------------------------------------------------------------------


def open_incident(
    *,
    actor: Membership,
    shift: Shift,
    person: Membership,
    kind: str,
    occurred_at: dt.datetime,
    summary: str = "",
    now: dt.datetime | None = None,
) -> Incident:
    """Open an incident on duty, from a shift: anyone on the shift or its chain (item 6).

    The handler is the opener if they handle the shift, else the on-call manager now,
    else the person's line manager. The shift's timeline gets a line with the incident's
    id only: everyone who sees the schedule sees that something happened, never what."""
    now = now or timezone.now()
    if not may_open_incident(actor, shift):
        raise PermissionDenied
    errors = _check(kind=kind, occurred_at=occurred_at, summary=summary, now=now)
    if not is_worker_on(person, shift):
        errors.setdefault("person", []).append(_("Choose a worker on this shift."))
    if errors:
        raise ValidationError(errors)
    handler = _default_handler(actor=actor, shift=shift, person=person, now=now)
    with transaction.atomic():
        incident = Incident.objects.create(
            organisation_id=shift.organisation_id,
            person=person,
            shift=shift,
            on_duty=True,
            kind=kind,
            occurred_at=occurred_at,
            summary=summary.strip(),
            opened_by=actor,
            handler=handler,
            created_at=now,
        )
        ShiftEvent.objects.create(
            organisation_id=shift.organisation_id,
            shift=shift,
            kind=ShiftEvent.Kind.INCIDENT,
            actor=actor,
            at=now,
            detail={"incident": str(incident.pk)},
        )
        _audit(actor, "outreach.incident.open", incident, {"kind": kind, "on_duty": True})
        told = {actor.pk, person.pk}
        for member in (handler, person.line_manager if person.line_manager_id else None):
            if member is not None and member.pk not in told and member.is_active:
                told.add(member.pk)
                notify(
                    recipient=member, kind=kinds.INCIDENT.kind, params=_params(incident), now=now
                )
    return incident


def record_off_duty(
    *,
    actor: Membership,
    kind: str,
    occurred_at: dt.datetime,
    summary: str = "",
    now: dt.datetime | None = None,
) -> Incident:
    """The person records an incident in their own time, for themselves only.

    It reaches no manager, HR or director, and opens nothing disciplinary: an off-duty
    arrest for possession is the legal system's business, not the employer's (§4.4)."""
    now = now or timezone.now()
    errors = _check(kind=kind, occurred_at=occurred_at, summary=summary, now=now)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.create(
            organisation_id=actor.organisation_id,
            person=actor,
            on_duty=False,
            kind=kind,
            occurred_at=occurred_at,
            summary=summary.strip(),
            opened_by=actor,
            created_at=now,
        )
        _audit(actor, "outreach.incident.open", incident, {"kind": kind, "on_duty": False})
    return incident


# --- who handles it --------------------------------------------------------------------


def set_helper(
    *,
    actor: Membership,
    incident: Incident,
    version: int,
    helper: Membership | None,
    now: dt.datetime | None = None,
) -> Incident:
    """Off duty, the person asks one colleague to help with their record (or nobody)."""
    now = now or timezone.now()
    if incident.on_duty or actor.pk != incident.person_id:
        raise PermissionDenied
    if helper is not None and (
        helper.pk == actor.pk
        or helper.organisation_id != actor.organisation_id
        or not helper.is_active
    ):
        raise ValidationError({"helper": [_("Choose a colleague from your organisation.")]})
    with transaction.atomic():
        _change(incident, version, helper=helper)
        _audit(actor, "outreach.incident.helper", incident, {"helper": bool(helper)})
        if helper is not None:
            notify(
                recipient=helper, kind=kinds.INCIDENT_HELPER.kind, params=_params(incident), now=now
            )
    return _fresh(incident)


def may_take_over(member: Membership, incident: Incident, *, now: dt.datetime) -> bool:
    """The on-call manager now, or the person's line manager, may become the handler of an
    open on-duty incident (never the person themselves)."""
    if not incident.on_duty or incident.state != Incident.State.OPEN:
        return False
    if not member.is_active or member.pk in (incident.person_id, incident.handler_id):
        return False
    if member.has_role(Role.LINE_MANAGER) and incident.person.line_manager_id == member.pk:
        return True
    return is_on_call(member, now=now)


def take_over(
    *, actor: Membership, incident: Incident, version: int, now: dt.datetime | None = None
) -> Incident:
    """The on-call manager or the line manager becomes the handler."""
    now = now or timezone.now()
    if not may_take_over(actor, incident, now=now):
        raise PermissionDenied
    before = incident.handler
    with transaction.atomic():
        _change(incident, version, handler=actor)
        _audit(actor, "outreach.incident.take_over", incident)
        if before is not None and before.is_active:
            notify(
                recipient=before, kind=kinds.INCIDENT_HANDED.kind, params=_params(incident), now=now
            )
    return _fresh(incident)


def may_pass_to_director(member: Membership, incident: Incident) -> bool:
    return (
        incident.on_duty
        and incident.state == Incident.State.OPEN
        and incident.escalated_at is None
        and member.is_active
        and (
            member.pk == incident.handler_id
            or (member.has_role(Role.LINE_MANAGER) and incident.person.line_manager_id == member.pk)
        )
    )


def pass_to_director(
    *, actor: Membership, incident: Incident, version: int, now: dt.datetime | None = None
) -> Incident:
    """The handler or the line manager passes an on-duty incident to the director, who
    then reads it (item 6). The directors are told in neutral words."""
    now = now or timezone.now()
    if not may_pass_to_director(actor, incident):
        raise PermissionDenied
    with transaction.atomic():
        _change(incident, version, escalated_at=now)
        _audit(actor, "outreach.incident.pass_to_director", incident)
        directors = Membership.objects.filter(
            active_members(),
            organisation_id=incident.organisation_id,
            role_grants__role=Role.DIRECTOR,
        ).exclude(pk__in=[actor.pk, incident.person_id])
        for director in directors.distinct():
            notify(
                recipient=director,
                kind=kinds.INCIDENT_DIRECTOR.kind,
                params=_params(incident),
                now=now,
            )
    return _fresh(incident)


# --- the steps and the court timeline --------------------------------------------------


def record_step(
    *,
    actor: Membership,
    incident: Incident,
    version: int,
    step: str,
    note: str = "",
    consent: str = "",
    now: dt.datetime | None = None,
) -> IncidentStep:
    """A step of the guide's list for the incident's kind, done: who, when, a sealed note.

    Contacting the family and human-rights documentation need the worker's consent, given
    and recorded with the step; without it the step is refused."""
    now = now or timezone.now()
    if not may_change_incident(actor, incident):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    found = STEPS.get(step)
    if found is None or step not in STEPS_FOR.get(incident.kind, ()):
        errors["step"] = [_("Choose one of the steps listed for this incident.")]
    elif found.needs_consent and consent != IncidentStep.Consent.GIVEN:
        errors["consent"] = [
            _("Only with the worker's consent: ask them first, and record this once they agree.")
        ]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [
            _("The note is too long: keep it under %(n)s characters.") % {"n": NOTE_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    assert found is not None  # noqa: S101 - checked above; for the type checker
    with transaction.atomic():
        _change(incident, version)
        row = IncidentStep.objects.create(
            organisation_id=incident.organisation_id,
            incident=incident,
            person_id=incident.person_id,
            step=step,
            consent=IncidentStep.Consent.GIVEN if found.needs_consent else "",
            note=note,
            done_at=now,
            done_by=actor,
        )
        _audit(actor, "outreach.incident.step", incident, {"step": step})
    return row


def add_legal_event(
    *,
    actor: Membership,
    incident: Incident,
    version: int,
    kind: str,
    on: dt.date | None,
    note: str = "",
    now: dt.datetime | None = None,
) -> LegalEvent:
    """A line of the court timeline: charges, hearings, lawyer, bail, support given,
    outcome (App. 10 case 8: the project manager stands by the worker through the case)."""
    now = now or timezone.now()
    if not may_change_incident(actor, incident):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if incident.kind not in COURT_KINDS:
        errors["kind"] = [_("Only an arrest or a police encounter has a court timeline.")]
    elif kind not in LegalEvent.Kind.values:
        errors["kind"] = [_("Choose what this entry is about.")]
    if on is None:
        errors["on"] = [_("Give the date.")]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [
            _("The note is too long: keep it under %(n)s characters.") % {"n": NOTE_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    assert on is not None  # noqa: S101 - checked above; for the type checker
    with transaction.atomic():
        _change(incident, version)
        row = LegalEvent.objects.create(
            organisation_id=incident.organisation_id,
            incident=incident,
            person_id=incident.person_id,
            kind=kind,
            on=on,
            note=note,
            recorded_by=actor,
            created_at=now,
        )
        _audit(actor, "outreach.incident.legal", incident, {"kind": kind})
    return row


# --- closing and deleting --------------------------------------------------------------


def may_close(member: Membership, incident: Incident) -> bool:
    """On duty: the handler or the line manager; off duty: the person."""
    if incident.state != Incident.State.OPEN or not member.is_active:
        return False
    if not incident.on_duty:
        return member.pk == incident.person_id
    return member.pk == incident.handler_id or (
        member.has_role(Role.LINE_MANAGER) and incident.person.line_manager_id == member.pk
    )


def close_incident(
    *, actor: Membership, incident: Incident, version: int, now: dt.datetime | None = None
) -> Incident:
    now = now or timezone.now()
    if not may_close(actor, incident):
        raise PermissionDenied
    with transaction.atomic():
        _change(incident, version, state=Incident.State.CLOSED, closed_at=now)
        _audit(actor, "outreach.incident.close", incident)
    return _fresh(incident)


def may_delete(member: Membership, incident: Incident) -> bool:
    return not incident.on_duty and member.pk == incident.person_id and member.is_active


def delete_incident(
    *, actor: Membership, incident: Incident, version: int, now: dt.datetime | None = None
) -> None:
    """Off duty, the person deletes their own record, with its steps and court timeline.
    On duty nobody does: it is the organisation's record of harm at work."""
    if not may_delete(actor, incident):
        raise PermissionDenied
    with transaction.atomic():
        deleted, _by_model = Incident.objects.filter(pk=incident.pk, version=version).delete()
        if not deleted:
            raise StaleVersion
        _audit(actor, "outreach.incident.delete", incident)


# --- helpers ---------------------------------------------------------------------------


def _check(
    *, kind: str, occurred_at: dt.datetime | None, summary: str, now: dt.datetime
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in Incident.Kind.values:
        errors["kind"] = [_("Choose what happened.")]
    if occurred_at is None:
        errors["occurred_at"] = [_("Say when it happened.")]
    elif occurred_at > now + dt.timedelta(minutes=5):
        errors["occurred_at"] = [_("That time has not come yet: say when it happened.")]
    if len(summary or "") > SUMMARY_MAX:
        errors["summary"] = [
            _("Keep it under %(n)s characters; add more as notes on the steps.")
            % {"n": SUMMARY_MAX}
        ]
    return errors


def _default_handler(
    *, actor: Membership, shift: Shift, person: Membership, now: dt.datetime
) -> Membership | None:
    if actor.pk != person.pk and may_handle(actor, shift, now=now):
        return actor
    on_call = (
        OnCall.objects.filter(
            Q(site=shift.site_id) | Q(site__isnull=True) if shift.site_id else Q(site__isnull=True),
            active_members("member__"),
            organisation_id=shift.organisation_id,
            starts_at__lte=now,
            ends_at__gt=now,
        )
        .exclude(member=person)
        .select_related("member")
        .order_by(F("site").desc(nulls_last=True), "starts_at")
        .first()
    )
    if on_call is not None:
        return on_call.member
    manager = person.line_manager if person.line_manager_id else None
    return manager if manager is not None and manager.is_active else None


def _change(incident: Incident, version: int, **changes: object) -> None:
    """One conditional update on the incident as read; closed or moved on: refused."""
    updated = Incident.objects.filter(
        pk=incident.pk, version=version, state=Incident.State.OPEN
    ).update(version=F("version") + 1, **changes)
    if updated:
        return
    state = Incident.objects.filter(pk=incident.pk).values_list("state", flat=True).first()
    if state == Incident.State.CLOSED:
        raise ValidationError(_("This incident is closed."))
    raise StaleVersion


def _fresh(incident: Incident) -> Incident:
    incident.refresh_from_db()
    return incident


def _params(incident: Incident) -> dict[str, object]:
    return {"incident": str(incident.pk)}


def _audit(
    actor: Membership, action: str, incident: Incident, detail: dict[str, object] | None = None
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="outreach.incident",
        object_id=incident.pk,
        subject=incident.person,
        detail=detail,
    )


__all__ = [
    "read_incident",
    "COURT_KINDS",
    "add_legal_contact",
    "change_legal_contact",
    "legal_contacts_for_site",
    "remove_legal_contact",
    "PEP_LATEST",
    "STEPS",
    "STEPS_FOR",
    "add_legal_event",
    "close_incident",
    "delete_incident",
    "may_close",
    "may_delete",
    "may_pass_to_director",
    "may_take_over",
    "open_incident",
    "pass_to_director",
    "record_off_duty",
    "record_step",
    "set_helper",
    "step_label",
    "steps_for",
    "take_over",
]


# --- the legal-contacts directory (item 7) ---------------------------------------------


def add_legal_contact(
    *, actor: Membership, changes: dict[str, object], now: dt.datetime | None = None
) -> LegalContact:
    """A lawyer, legal aid or paralegal to call when a worker is arrested (§4.4 "establish
    links with lawyers or legal services")."""
    if not may_edit_legal_contacts(actor):
        raise PermissionDenied
    _check_site(actor, changes.get("site"))
    with transaction.atomic():
        contact = LegalContact.objects.create(organisation_id=actor.organisation_id, **changes)
        audit.record(
            actor=actor,
            action="outreach.legal_contact.add",
            object_type="outreach.legal_contact",
            object_id=contact.pk,
        )
    return contact


def change_legal_contact(
    *,
    actor: Membership,
    contact: LegalContact,
    version: int,
    changes: dict[str, object],
    now: dt.datetime | None = None,
) -> None:
    """Versioned: an edit over someone else's newer one raises ``StaleVersion``."""
    if not may_edit_legal_contacts(actor):
        raise PermissionDenied
    _check_site(actor, changes.get("site"))
    with transaction.atomic():
        update_if_current(LegalContact, pk=contact.pk, version=version, changes=changes)
        audit.record(
            actor=actor,
            action="outreach.legal_contact.change",
            object_type="outreach.legal_contact",
            object_id=contact.pk,
        )


def remove_legal_contact(
    *, actor: Membership, contact: LegalContact, version: int, now: dt.datetime | None = None
) -> None:
    if not may_edit_legal_contacts(actor):
        raise PermissionDenied
    with transaction.atomic():
        deleted, _by_model = LegalContact.objects.filter(pk=contact.pk, version=version).delete()
        if not deleted:
            raise StaleVersion
        audit.record(
            actor=actor,
            action="outreach.legal_contact.remove",
            object_type="outreach.legal_contact",
            object_id=contact.pk,
        )


def legal_contacts_for_site(
    organisation_id: uuid.UUID, site_id: uuid.UUID | None
) -> list[LegalContact]:
    """The directory for a site: its own entries first, then those for every site."""
    rows = LegalContact.objects.filter(organisation_id=organisation_id)
    if site_id:
        rows = rows.filter(Q(site_id=site_id) | Q(site__isnull=True))
    return list(
        rows.select_related("site").order_by(F("site").asc(nulls_last=True), "kind", "name")
    )


def _check_site(actor: Membership, site: object) -> None:
    if site is not None and getattr(site, "organisation_id", None) != actor.organisation_id:
        raise ValidationError({"site": [_("Choose a site of your organisation.")]})
