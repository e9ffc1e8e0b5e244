"""Isolation makers of the outreach module's link routes (see isolation.py).

``s/<token>/`` is a worker's shift link: its maker plans a real shift in the other
organisation with its member and a colleague, and gives that member's link, owned by the
member (a browser signed in as anyone else gets 404 for it; signed in as the worker, it
asks for the PIN). The PIN itself is never sent by the walk: its page answers the same to
everyone not signed in, good link or bad (``link_views``).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from peerwork.core.isolation import Made, Other, register_isolation_maker
from peerwork.core.models import Role

from . import links, services


def _link(other: Other) -> Made:
    now = timezone.now()
    shift = services.plan_shift(
        actor=other.member,
        workers=[other.member, other.member_with(Role.STAFF)],
        area="Isolation car park",
        planned_start=now + timedelta(hours=1),
        planned_return=now + timedelta(hours=3),
        now=now,
    )
    return Made(value=links.make_token(shift.pk, other.member.pk), owner=other.member, obj=shift)


register_isolation_maker("s/token", _link)
