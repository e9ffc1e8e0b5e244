"""The self-care part of "my day" (issue 7): this week's goals, how many are done of how
many set, and the way to the self-care tools. Only the person's own goals, and only counts:
the goals themselves stay on the goals page (a shared office screen shows my day)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from peerwork.core.models import Membership

from . import wellbeing
from .access import uses_selfcare
from .models import WeeklyGoal

TEMPLATE = "selfcare/wellbeing/my_day.html"


def section(member: Membership) -> dict[str, Any] | None:
    if not uses_selfcare(member):
        return None
    counts = WeeklyGoal.objects.filter(
        organisation_id=member.organisation_id,
        owner=member,
        week_of=wellbeing.this_week(member),
    ).aggregate(set=Count("id"), done=Count("id", filter=Q(done_at__isnull=False)))
    return {"template": TEMPLATE, "set": counts["set"], "done": counts["done"]}
