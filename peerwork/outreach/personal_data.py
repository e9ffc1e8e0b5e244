"""The outreach module's entries in the register of personal data (people/personal_data.py).

Shifts and their timelines are the organisation's record of its outreach work and of how it
kept its workers safe: who went out, when, when they came back, who was alerted and who
answered. A later incident, an insurance claim or a court case may need them (guide §4.4,
App. 10 case 8), so erasure KEEPs them; they hold no disclosure, nothing sealed, and the
area is written in words without any client's address. The on-call rota is kept for the
same reason. Being named as someone's buddy in an escalation chain is not a record of work
done: that step goes when the person leaves, so no alert is ever sent to someone who left.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

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
    register_personal_data,
)

from .models import EscalationStep, OnCall, OutreachPolicy, Shift, ShiftEvent, ShiftWorker

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


def register() -> None:
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
    ):
        register_personal_data(item)
