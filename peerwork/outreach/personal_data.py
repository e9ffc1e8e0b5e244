"""The outreach module's entries in the register of personal data (people/personal_data.py).

Shifts and their timelines are the organisation's record of its outreach work and of how it
kept its workers safe: who went out, when, when they came back, who was alerted and who
answered. A later incident, an insurance claim or a court case may need them (guide §4.4,
App. 10 case 8), so erasure KEEPs them; they hold no disclosure, nothing sealed, and the
area is written in words without any client's address. The on-call rota is kept for the
same reason. Being named as someone's buddy in an escalation chain is not a record of work
done: that step goes when the person leaves, so no alert is ever sent to someone who left.
Being named as the project manager is cleared on leaving for the same reason: their work
contact is printed on outreach ID cards and police liaison letters.

Incidents (issue 5 item 6; §4.4, App. 10 cases 6 and 8). What happened, the steps taken
and the court timeline are the person's, sealed under their key:

- On duty: KEEP. The organisation's record of harm to a worker at work: an insurance claim,
  a court case or a health-and-safety review may need that it happened, when and what was
  done. The words are sealed under the person's key, so erasing the person erases them
  (crypto-shredding): what stays is the kind, the times and who acted.
- Off duty: ERASE. The person's own record, which reaches no manager and opens nothing
  disciplinary (§4.4); it goes when they erase or when the retention period after they
  leave has passed (the steps and court entries go with it).

A shift PIN is the person's and goes when they leave. The inbound-SMS log is a security
log (replays, wrong PINs): on erasure, and in any case after 90 days
(``sms.forget_senders``), its rows lose their link to the person but stay, because the row
is what makes a replayed gateway call change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core.models import Membership
from peerwork.people.personal_data import (
    ERASED_ON_LEAVING,
    Item,
    OnErasure,
    PersonalData,
    fields,
    plain,
    register_not_personal,
    register_personal_data,
)

from .models import (
    EscalationStep,
    InboundSms,
    Incident,
    IncidentStep,
    LegalContact,
    LegalEvent,
    OnCall,
    OutreachPolicy,
    Shift,
    ShiftEvent,
    ShiftPin,
    ShiftWorker,
    SmsNumber,
)

KEPT_AS_WORK_RECORD = gettext_lazy(
    "Kept as the organisation's record of its outreach work and of how it kept its workers "
    "safe; it holds no disclosure."
)


def _sample_shift(member: Membership) -> Shift:
    now = timezone.now()
    shift = Shift.objects.create(
        organisation_id=member.organisation_id,
        area="Sample area",
        planned_start=now + timedelta(hours=1),
        planned_return=now + timedelta(hours=3),
        created_by=member,
    )
    ShiftWorker.objects.create(organisation_id=member.organisation_id, shift=shift, member=member)
    return shift


# --- shifts the person worked --------------------------------------------------------


def _shift_rows(member: Membership) -> models.QuerySet[Shift]:
    return Shift.objects.filter(
        organisation_id=member.organisation_id, workers__member=member
    ).order_by("planned_start")


def _shift_export(rows: Sequence[Shift], member: Membership) -> list[Item]:
    return [
        fields(
            row,
            "area",
            "materials",
            "planned_start",
            "planned_return",
            "state",
            "checked_out_at",
            "returned_at",
        )
        for row in rows
    ]


def _worker_rows(member: Membership) -> models.QuerySet[ShiftWorker]:
    return ShiftWorker.objects.filter(
        organisation_id=member.organisation_id, member=member
    ).select_related("shift")


def _worker_export(rows: Sequence[ShiftWorker], member: Membership) -> list[Item]:
    return [
        {_("Shift"): str(row.shift_id), _("Planned start"): plain(row.shift.planned_start)}
        for row in rows
    ]


def _worker_sample(member: Membership) -> object:
    return _sample_shift(member)


# --- the timeline lines the person acted in ------------------------------------------


def _event_rows(member: Membership) -> models.QuerySet[ShiftEvent]:
    return ShiftEvent.objects.filter(organisation_id=member.organisation_id, actor=member).order_by(
        "at"
    )


def _event_export(rows: Sequence[ShiftEvent], member: Membership) -> list[Item]:
    return [{_("Shift"): str(row.shift_id)} | fields(row, "at", "kind") for row in rows]


def _event_sample(member: Membership) -> object:
    shift = _sample_shift(member)
    return ShiftEvent.objects.create(
        organisation_id=member.organisation_id,
        shift=shift,
        kind=ShiftEvent.Kind.PLANNED,
        actor=member,
    )


# --- the on-call rota ------------------------------------------------------------------


def _on_call_rows(member: Membership) -> models.QuerySet[OnCall]:
    return OnCall.objects.filter(organisation_id=member.organisation_id, member=member).order_by(
        "starts_at"
    )


def _on_call_export(rows: Sequence[OnCall], member: Membership) -> list[Item]:
    return [fields(row, "starts_at", "ends_at") for row in rows]


def _on_call_sample(member: Membership) -> object:
    now = timezone.now()
    return OnCall.objects.create(
        organisation_id=member.organisation_id,
        member=member,
        starts_at=now,
        ends_at=now + timedelta(hours=8),
    )


# --- steps naming the person as a buddy ------------------------------------------------


def _buddy_rows(member: Membership) -> models.QuerySet[EscalationStep]:
    return EscalationStep.objects.filter(
        organisation_id=member.organisation_id, buddy=member
    ).order_by("position")


def _buddy_export(rows: Sequence[EscalationStep], member: Membership) -> list[Item]:
    return [fields(row, "position", "wait_minutes") for row in rows]


def _buddy_sample(member: Membership) -> object:
    policy, _created = OutreachPolicy.objects.get_or_create(
        organisation_id=member.organisation_id, site=None
    )
    position = (policy.steps.aggregate(models.Max("position"))["position__max"] or 0) + 1
    return EscalationStep.objects.create(
        organisation_id=member.organisation_id,
        policy=policy,
        position=position,
        who=EscalationStep.Who.BUDDY,
        buddy=member,
        channels=["email"],
    )


# --- being named as the project manager --------------------------------------------------


def _project_manager_rows(member: Membership) -> models.QuerySet[OutreachPolicy]:
    return OutreachPolicy.objects.filter(
        organisation_id=member.organisation_id, project_manager=member
    ).select_related("site")


def _project_manager_export(rows: Sequence[OutreachPolicy], member: Membership) -> list[Item]:
    return [{_("Site"): row.site.name if row.site else _("Every site")} for row in rows]


def _clear_project_manager(member: Membership, now: datetime) -> int:
    """The policy stays (it is the organisation's); only the name on its documents goes."""
    return _project_manager_rows(member).update(
        project_manager=None, version=models.F("version") + 1
    )


def _project_manager_sample(member: Membership) -> object:
    policy, _created = OutreachPolicy.objects.get_or_create(
        organisation_id=member.organisation_id, site=None
    )
    OutreachPolicy.objects.filter(pk=policy.pk).update(project_manager=member)
    return policy


# --- the person's shift PIN -------------------------------------------------------------


def _pin_rows(member: Membership) -> models.QuerySet[ShiftPin]:
    return ShiftPin.objects.filter(organisation_id=member.organisation_id, member=member)


def _pin_export(rows: Sequence[ShiftPin], member: Membership) -> list[Item]:
    # Whether there is a PIN, a duress PIN and a lock; never the hashes.
    return [
        {
            _("Changed"): plain(row.changed_at),
            _("Duress PIN set"): bool(row.duress_hash),
            _("Locked until"): plain(row.locked_until),
        }
        for row in rows
    ]


def _pin_sample(member: Membership) -> object:
    from .pins import set_pin

    return set_pin(actor=member, pin="4821")


# --- inbound SMS the person sent ------------------------------------------------------


def _sms_rows(member: Membership) -> models.QuerySet[InboundSms]:
    return InboundSms.objects.filter(
        organisation_id=member.organisation_id, member=member
    ).order_by("received_at")


def _sms_export(rows: Sequence[InboundSms], member: Membership) -> list[Item]:
    return [{_("Received"): plain(row.received_at), _("Outcome"): row.outcome} for row in rows]


def _unlink_sms(member: Membership, now: datetime) -> int:
    """Unlink, never delete: the row is what makes a replayed gateway call change nothing."""
    return _sms_rows(member).update(member=None)


def _sms_sample(member: Membership) -> object:
    number = SmsNumber.objects.create(
        organisation_id=member.organisation_id,
        number=f"+4470000{SmsNumber.objects.count():05d}",
        gateway=SmsNumber.Gateway.HTTP,
        secret="sample",  # noqa: S106 - a sample row for tests, not a credential
    )
    return InboundSms.objects.create(
        organisation_id=member.organisation_id,
        number=number,
        message_id="sample",
        member=member,
        outcome="in",
    )


# --- incidents, their steps and court timelines -----------------------------------------


def _incident_rows(member: Membership, *, on_duty: bool) -> models.QuerySet[Incident]:
    return (
        Incident.objects.filter(
            organisation_id=member.organisation_id, person=member, on_duty=on_duty
        )
        .select_related("handler__user", "helper__user")
        .order_by("occurred_at")
    )


def _incident_export(rows: Sequence[Incident], member: Membership) -> list[Item]:
    out = []
    for row in rows:
        item = fields(row, "kind", "occurred_at", "summary", "state", "closed_at")
        item |= fields(row, "escalated_at", "handler", "helper")
        out.append(item)
    return out


def _step_rows(member: Membership, *, on_duty: bool) -> models.QuerySet[IncidentStep]:
    return (
        IncidentStep.objects.filter(
            organisation_id=member.organisation_id, person=member, incident__on_duty=on_duty
        )
        .select_related("done_by__user")
        .order_by("done_at")
    )


def _step_export(rows: Sequence[IncidentStep], member: Membership) -> list[Item]:
    from .incidents import step_label

    return [
        {_("Incident"): str(row.incident_id), _("Step"): str(step_label(row.step))}
        | fields(row, "consent", "note", "done_at", "done_by")
        for row in rows
    ]


def _legal_rows(member: Membership, *, on_duty: bool) -> models.QuerySet[LegalEvent]:
    return (
        LegalEvent.objects.filter(
            organisation_id=member.organisation_id, person=member, incident__on_duty=on_duty
        )
        .select_related("recorded_by__user")
        .order_by("on", "created_at")
    )


def _legal_export(rows: Sequence[LegalEvent], member: Membership) -> list[Item]:
    return [
        {_("Incident"): str(row.incident_id)} | fields(row, "kind", "on", "note", "recorded_by")
        for row in rows
    ]


def _sample_incident(member: Membership, *, on_duty: bool) -> Incident:
    now = timezone.now()
    return Incident.objects.create(
        organisation_id=member.organisation_id,
        person=member,
        shift=_sample_shift(member) if on_duty else None,
        on_duty=on_duty,
        kind=Incident.Kind.ARREST,
        occurred_at=now,
        summary="Sample",
        opened_by=member,
    )


def _sample_step(member: Membership, *, on_duty: bool) -> IncidentStep:
    return IncidentStep.objects.create(
        organisation_id=member.organisation_id,
        incident=_sample_incident(member, on_duty=on_duty),
        person=member,
        step="lawyer",
        note="Sample",
        done_by=member,
    )


def _sample_legal(member: Membership, *, on_duty: bool) -> LegalEvent:
    return LegalEvent.objects.create(
        organisation_id=member.organisation_id,
        incident=_sample_incident(member, on_duty=on_duty),
        person=member,
        kind=LegalEvent.Kind.HEARING,
        on=timezone.localdate(),
        note="Sample",
        recorded_by=member,
    )


KEPT_AS_INCIDENT_RECORD = gettext_lazy(
    "Kept as the organisation's record of harm to a worker at work (an insurance claim or a "
    "court case may need it), but the words are sealed with your key: once you are erased "
    "nobody can read them."
)
ERASED_AS_OWN = gettext_lazy(
    "Yours alone: an incident off duty reaches no manager and opens nothing disciplinary. "
    "Erased with your private records."
)


# One named function per entry, so that registering again finds equal entries.


def _incidents_at_work(member: Membership) -> models.QuerySet[Incident]:
    return _incident_rows(member, on_duty=True)


def _incidents_off_duty(member: Membership) -> models.QuerySet[Incident]:
    return _incident_rows(member, on_duty=False)


def _steps_at_work(member: Membership) -> models.QuerySet[IncidentStep]:
    return _step_rows(member, on_duty=True)


def _steps_off_duty(member: Membership) -> models.QuerySet[IncidentStep]:
    return _step_rows(member, on_duty=False)


def _legal_at_work(member: Membership) -> models.QuerySet[LegalEvent]:
    return _legal_rows(member, on_duty=True)


def _legal_off_duty(member: Membership) -> models.QuerySet[LegalEvent]:
    return _legal_rows(member, on_duty=False)


def _incident_sample_at_work(member: Membership) -> object:
    return _sample_incident(member, on_duty=True)


def _incident_sample_off_duty(member: Membership) -> object:
    return _sample_incident(member, on_duty=False)


def _step_sample_at_work(member: Membership) -> object:
    return _sample_step(member, on_duty=True)


def _step_sample_off_duty(member: Membership) -> object:
    return _sample_step(member, on_duty=False)


def _legal_sample_at_work(member: Membership) -> object:
    return _sample_legal(member, on_duty=True)


def _legal_sample_off_duty(member: Membership) -> object:
    return _sample_legal(member, on_duty=False)


def _incident_entries() -> tuple[PersonalData, ...]:
    return (
        PersonalData(
            key="outreach.incident",
            model=Incident,
            title=gettext_lazy("Incidents that happened to you at work"),
            rows=_incidents_at_work,
            export=_incident_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_INCIDENT_RECORD,
            sample=_incident_sample_at_work,
        ),
        PersonalData(
            key="outreach.incident_step",
            model=IncidentStep,
            title=gettext_lazy("Steps taken after incidents at work"),
            rows=_steps_at_work,
            export=_step_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_INCIDENT_RECORD,
            sample=_step_sample_at_work,
        ),
        PersonalData(
            key="outreach.legal_event",
            model=LegalEvent,
            title=gettext_lazy("Court cases after incidents at work"),
            rows=_legal_at_work,
            export=_legal_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_INCIDENT_RECORD,
            sample=_legal_sample_at_work,
        ),
        PersonalData(
            key="outreach.incident_off_duty",
            model=Incident,
            title=gettext_lazy("Incidents off duty"),
            rows=_incidents_off_duty,
            export=_incident_export,
            on_erasure=OnErasure.ERASE,
            explanation=ERASED_AS_OWN,
            sample=_incident_sample_off_duty,
        ),
        PersonalData(
            key="outreach.incident_step_off_duty",
            model=IncidentStep,
            title=gettext_lazy("Steps taken after incidents off duty"),
            rows=_steps_off_duty,
            export=_step_export,
            on_erasure=OnErasure.ERASE,
            explanation=ERASED_AS_OWN,
            sample=_step_sample_off_duty,
        ),
        PersonalData(
            key="outreach.legal_event_off_duty",
            model=LegalEvent,
            title=gettext_lazy("Court cases after incidents off duty"),
            rows=_legal_off_duty,
            export=_legal_export,
            on_erasure=OnErasure.ERASE,
            explanation=ERASED_AS_OWN,
            sample=_legal_sample_off_duty,
        ),
    )


def _register_not_personal() -> None:
    register_not_personal(
        SmsNumber,
        gettext_lazy(
            "The organisation's outreach SMS number and its gateway's signing secret (sealed "
            "with the organisation's key): an integration, not a person."
        ),
    )
    # Not a member's data: outside lawyers and legal-aid services the organisation calls.
    # The completeness test does not ask (no person, nothing sealed); said here so the
    # decision is written down.
    register_not_personal(
        LegalContact,
        gettext_lazy(
            "A directory of outside lawyers and legal-aid services the organisation calls "
            "when a worker is arrested; it names no member."
        ),
    )


def register() -> None:
    _register_not_personal()
    for item in (
        PersonalData(
            key="outreach.shift",
            model=Shift,
            title=gettext_lazy("Your outreach shifts"),
            rows=_shift_rows,
            export=_shift_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_WORK_RECORD,
            sample=_sample_shift,
        ),
        PersonalData(
            key="outreach.shift_worker",
            model=ShiftWorker,
            title=gettext_lazy("Your places on outreach shifts"),
            rows=_worker_rows,
            export=_worker_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_WORK_RECORD,
            sample=_worker_sample,
        ),
        PersonalData(
            key="outreach.shift_event",
            model=ShiftEvent,
            title=gettext_lazy("What you did on outreach shifts"),
            rows=_event_rows,
            export=_event_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_WORK_RECORD,
            sample=_event_sample,
        ),
        PersonalData(
            key="outreach.on_call",
            model=OnCall,
            title=gettext_lazy("Your on-call turns"),
            rows=_on_call_rows,
            export=_on_call_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "Kept as the organisation's record of who answered outreach alerts when."
            ),
            sample=_on_call_sample,
        ),
        PersonalData(
            key="outreach.buddy",
            model=EscalationStep,
            title=gettext_lazy("Where you are named as an outreach buddy"),
            rows=_buddy_rows,
            export=_buddy_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_buddy_sample,
        ),
        PersonalData(
            key="outreach.project_manager",
            model=OutreachPolicy,
            title=gettext_lazy("Where you are named as the outreach project manager"),
            rows=_project_manager_rows,
            export=_project_manager_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=gettext_lazy(
                "Your work contact is printed on outreach ID cards and police letters: your "
                "name is taken off the policy when you leave (the policy stays)."
            ),
            erase=_clear_project_manager,
            sample=_project_manager_sample,
        ),
        PersonalData(
            key="outreach.shift_pin",
            model=ShiftPin,
            title=gettext_lazy("Your shift PIN"),
            rows=_pin_rows,
            export=_pin_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_pin_sample,
        ),
        PersonalData(
            key="outreach.inbound_sms",
            model=InboundSms,
            title=gettext_lazy("Text messages you sent to the outreach number"),
            rows=_sms_rows,
            export=_sms_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "Never the text or your number: when and what it did. On erasure the record "
                "stays as a security log, no longer linked to you."
            ),
            erase=_unlink_sms,
            sample=_sms_sample,
        ),
        *_incident_entries(),
    ):
        register_personal_data(item)
