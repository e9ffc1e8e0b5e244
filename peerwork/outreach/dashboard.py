"""The outreach section of "my day" (issue 5 item 2): the member's own shifts today, each a
tap from its page, and for the people who handle shifts, those that need someone now and
that nobody has said "I'm on it" to. The core's dashboard asks for it through
``section``; a member who sees no shifts gets none."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from peerwork.core.models import Membership

from .access import sees_shifts
from .models import Shift
from .schedule_views import needing_someone, on_day, rows_for, with_workers

TEMPLATE = "outreach/shifts/my_day.html"
MINE_LIMIT = 10


def section(member: Membership) -> dict[str, Any] | None:
    if not sees_shifts(member):
        return None
    now = timezone.now()
    mine = list(
        with_workers(
            on_day(
                Shift.objects.filter(organisation_id=member.organisation_id), timezone.localdate()
            )
            .filter(workers__member=member)
            .exclude(state=Shift.State.CANCELLED)
        ).order_by("planned_start")[:MINE_LIMIT]
    )
    return {
        "template": TEMPLATE,
        "mine": rows_for(member, mine, now=now),
        "needing": needing_someone(member, now=now),
    }
