"""The schedule's part of "my day" (issue 6 item 4): the member's own meeting conflicts in
the next seven days, privately, and the changes of working hours waiting for their answer,
as the person or as the line manager who agrees them. The core's dashboard asks for it
through ``section``; None when there is nothing to say."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerwork.core.models import Membership, active_members
from peerwork.people.models import Adjustment

from . import conflicts, services

TEMPLATE = "schedule/mine/my_day.html"
AHEAD = dt.timedelta(days=7)
LIMIT = 10


def section(member: Membership) -> dict[str, Any] | None:
    today = timezone.localdate(timezone.now(), conflicts.zone_of(member.organisation))
    clashes = [
        row for row in services.own_conflicts(member, today=today) if row.occurs_on <= today + AHEAD
    ][:LIMIT]
    proposed = Adjustment.objects.filter(
        organisation_id=member.organisation_id, state=Adjustment.State.PROPOSED
    )
    mine = list(
        proposed.filter(membership=member, person_agreed_at__isnull=True).order_by("proposed_at")[
            :LIMIT
        ]
    )
    # Proposals of the people they manage, waiting for their agreement (hours only).
    reports = list(
        proposed.filter(
            active_members("membership__"),
            membership__line_manager=member,
            manager_agreed_at__isnull=True,
        )
        .exclude(membership=member)
        .select_related("membership__user")
        .order_by("proposed_at")[:LIMIT]
    )
    if not (clashes or mine or reports):
        return None
    return {
        "template": TEMPLATE,
        "conflicts": clashes,
        "mine": [(row, services.describe(row)) for row in mine],
        "reports": [(row, services.describe(row)) for row in reports],
    }
