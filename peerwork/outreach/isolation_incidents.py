"""Isolation makers of the outreach module's incidents routes (see isolation.py).

``incidents/<incident_id>/…``: an on-duty incident on a shift of the other organisation,
with nobody handling it yet; its owner is the worker's line manager (Taras there), who may
read it, record steps and the court timeline, take it over, pass it on and close it.
``off-duty/<incident_id>/…``: an off-duty incident; its owner is the person, the only one
who may ask a helper or delete it. ``contact_id``: a legal contact, kept by an org admin.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from peerwork.core.isolation import Made, Other, register_isolation_maker
from peerwork.core.models import Membership, Role

from .models import Incident, LegalContact, Shift, ShiftWorker


def _on_duty(other: Other) -> Made:
    manager = other.member
    person = other.member_with(Role.STAFF)
    Membership.objects.filter(pk=person.pk).update(line_manager=manager)
    person.refresh_from_db()
    now = timezone.now()
    shift = Shift.objects.create(
        organisation=other.organisation,
        area="Isolation area",
        planned_start=now - timedelta(hours=2),
        planned_return=now + timedelta(hours=1),
        created_by=person,
    )
    ShiftWorker.objects.create(organisation=other.organisation, shift=shift, member=person)
    incident = Incident.objects.create(
        organisation=other.organisation,
        person=person,
        shift=shift,
        on_duty=True,
        kind=Incident.Kind.ARREST,
        occurred_at=now - timedelta(hours=1),
        summary="Isolation",
        opened_by=person,
    )
    return Made(value=str(incident.pk), owner=manager, obj=incident)


def _off_duty(other: Other) -> Made:
    incident = Incident.objects.create(
        organisation=other.organisation,
        person=other.member,
        on_duty=False,
        kind=Incident.Kind.POLICE,
        occurred_at=timezone.now() - timedelta(hours=1),
        summary="Isolation",
        opened_by=other.member,
    )
    return Made(value=str(incident.pk), owner=other.member, obj=incident)


def _contact(other: Other) -> Made:
    contact = LegalContact.objects.create(
        organisation=other.organisation,
        kind=LegalContact.Kind.LAWYER,
        name="Isolation lawyer",
        phone="+000",
    )
    return Made(value=str(contact.pk), owner=other.member_with(Role.ORG_ADMIN), obj=contact)


register_isolation_maker("incidents/incident_id", _on_duty)
register_isolation_maker("off-duty/incident_id", _off_duty)
register_isolation_maker("contact_id", _contact)
