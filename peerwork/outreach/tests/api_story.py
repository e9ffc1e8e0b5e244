"""What the outreach API tests share (not a test module itself): the evening shift of
Amina and Joseph (Ravi is their line manager, Daniel the director) arranged through the
services in Harbourside's scope, with time arranged in data around the real clock, since
the API acts at the real time. Calls are ``peerwork.people.tests.api_calls``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from peerwork.outreach import services
from peerwork.outreach.escalation import escalation
from peerwork.outreach.models import OnCall, Shift


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def planned(story: Any, *, start: datetime | None = None, **kw: Any) -> Shift:
    """Amina and Joseph's shift, planned by Ravi: starting in an hour, back three hours
    later (or from ``start``)."""
    start = start or timezone.now() + minutes(60)
    values: dict[str, Any] = {
        "actor": story.ravi,
        "workers": [story.amina, story.joseph],
        "area": "The station underpass",
        "materials": "Needles, naloxone",
        "planned_start": start,
        "planned_return": start + minutes(180),
        "now": min(start, timezone.now()) - minutes(60),
    }
    values.update(kw)
    with scope(organisation=story.harbourside.pk):
        return services.plan_shift(**values)


def out(story: Any) -> Shift:
    """The shift, checked out a few minutes ago and due back in three hours."""
    shift = planned(story, start=timezone.now() - minutes(5))
    with scope(organisation=story.harbourside.pk):
        return services.check_out(actor=story.amina, shift=shift, now=shift.planned_start)


def overdue(story: Any) -> Shift:
    """The shift, whose return passed half an hour ago: the loop has alerted the chain's
    first step (the partner) and the shift is overdue."""
    start = timezone.now() - minutes(210)
    shift = planned(story, start=start)
    with scope(organisation=story.harbourside.pk):
        services.check_out(actor=story.amina, shift=shift, now=start)
        escalation(timezone.now())
        return fresh(story, shift)


def on_call(story: Any, member: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        OnCall.objects.create(
            organisation=story.harbourside,
            member=member,
            starts_at=timezone.now() - minutes(60),
            ends_at=timezone.now() + minutes(600),
        )


def fresh(story: Any, shift: Shift) -> Shift:
    with scope(organisation=story.harbourside.pk):
        return Shift.objects.get(pk=shift.pk)
