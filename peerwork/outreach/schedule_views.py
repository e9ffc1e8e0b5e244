"""The outreach schedule and planning a shift (issue 5 items 1, 2; guide §4.4: the team
keeps a schedule of shifts and their planned return times).

The schedule is work data: every working member sees the organisation's shifts for a day,
grouped by team (``access.shifts_for_member``). A silent call for help (the duress PIN)
shows as a check-in to everyone but the people handling the shift, as it does on the
shift's own page (the matrix's [record: shift] "alert" column). The page reads a fixed
number of queries whatever the number of shifts, and shows at most ``DAY_LIMIT``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from peerwork.core.models import Membership
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import put_errors

from . import services
from .access import alerts_seen_by, may_plan_for, sees_shifts, shifts_for_member
from .forms import DayForm, PlanShiftForm
from .models import Shift, ShiftWorker
from .policy import policy_for

DAY_LIMIT = 200  # shifts shown for one day; an organisation plans far fewer
ATTENTION = (Shift.State.OVERDUE, Shift.State.MISSING, Shift.State.HELP)


# --- who handles which shifts, for many shifts at once -----------------------------------


def with_workers(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """Shifts with their workers and the workers' people, in two queries for any number."""
    return shifts.select_related("team", "site").prefetch_related(
        Prefetch(
            "workers",
            queryset=ShiftWorker.objects.select_related("member__user").order_by(
                "member__user__display_name"
            ),
        )
    )


def shown_state(shift: Shift, *, handler: bool) -> str:
    """The state a person sees: a silent call for help only to those handling it."""
    return shift.state if handler else shift.state_shown_to_worker()


@dataclass
class Row:
    """One shift as the schedule and "my day" show it."""

    shift: Shift
    state: str
    label: str
    workers: list[Membership]
    attention: bool
    mine: bool


def rows_for(
    member: Membership,
    shifts: Iterable[Shift],
    *,
    now: dt.datetime,
    handles: set[object] | None = None,
) -> list[Row]:
    shifts = list(shifts)
    if handles is None:
        handles = alerts_seen_by(member, shifts, now=now)
    labels = dict(Shift.State.choices)
    rows = []
    for shift in shifts:
        state = shown_state(shift, handler=shift.pk in handles)
        workers = [w.member for w in shift.workers.all()]
        rows.append(
            Row(
                shift=shift,
                state=state,
                label=str(labels.get(state, state)),
                workers=workers,
                attention=state in ATTENTION,
                mine=any(w.pk == member.pk for w in workers),
            )
        )
    return rows


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day from midnight to midnight in the active (the organisation's) time zone."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def on_day(shifts: QuerySet[Shift], day: dt.date) -> QuerySet[Shift]:
    """Shifts that overlap the day (an evening shift returning after midnight included),
    and any that started before it and still need attention: a worker overdue since last
    night is on today's schedule."""
    start, end = day_bounds(day)
    return shifts.filter(
        Q(planned_return__gt=start) | Q(state__in=ATTENTION), planned_start__lt=end
    )


# --- pages -----------------------------------------------------------------------------


@dataclass
class Group:
    name: str
    rows: list[Row] = field(default_factory=list)


@require_GET
@member_page
def schedule(request: HttpRequest) -> HttpResponse:
    member = cast(MemberRequest, request).member
    if not sees_shifts(member):
        raise Http404
    today = timezone.localdate()
    form = DayForm(request.GET or None)
    day = today
    if form.is_bound and form.is_valid() and form.cleaned_data.get("day"):
        day = form.cleaned_data["day"]
    if not form.is_bound:
        form = DayForm(initial={"day": day})
    shifts = list(
        with_workers(on_day(shifts_for_member(member), day)).order_by(
            "team__name", "planned_start", "pk"
        )[: DAY_LIMIT + 1]
    )
    more = len(shifts) > DAY_LIMIT
    groups: dict[object, Group] = {}
    for row in rows_for(member, shifts[:DAY_LIMIT], now=timezone.now()):
        team = row.shift.team
        key = team.pk if team else None
        groups.setdefault(key, Group(team.name if team else _("No team")))
        groups[key].rows.append(row)
    return render(
        request,
        "outreach/shifts/schedule.html",
        {
            "form": form,
            "day": day,
            "today": today,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "groups": sorted(groups.values(), key=lambda g: (g.name == _("No team"), g.name)),
            "more": more,
            "limit": DAY_LIMIT,
            "may_plan": may_plan_for(member, [member]),
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def plan(request: HttpRequest) -> HttpResponse:
    """Plan a shift: one's own (with any colleague), a line manager's reports', or anyone's
    for a director (``access.may_plan_for``)."""
    member = cast(MemberRequest, request).member
    if not sees_shifts(member):
        raise Http404
    form = PlanShiftForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        workers = list(data["workers"])
        if not may_plan_for(member, workers):
            form.add_error(
                "workers",
                _("You can plan shifts you go on yourself, or for the people you manage."),
            )
        else:
            try:
                shift = services.plan_shift(
                    actor=member,
                    workers=workers,
                    area=data["area"],
                    materials=data["materials"],
                    planned_start=data["planned_start"],
                    planned_return=data["planned_return"],
                    site=data["site"],
                    team=data["team"],
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(request, _("The shift is on the schedule."))
                return redirect("outreach:shift", shift.pk)
    policy = policy_for(organisation_id=member.organisation_id)
    return render(request, "outreach/shifts/plan.html", {"form": form, "policy": policy})


def needing_someone(member: Membership, *, now: dt.datetime, limit: int = 20) -> list[Row]:
    """Shifts that need someone now and that nobody has said "I'm on it" to, which this
    member handles (for "my day")."""
    candidates = with_workers(
        shifts_for_member(member).filter(Q(state__in=ATTENTION) & Q(acknowledged_at__isnull=True))
    ).order_by("planned_return")[:limit]
    shifts = list(candidates)
    handles = alerts_seen_by(member, shifts, now=now)
    return rows_for(member, [s for s in shifts if s.pk in handles], now=now, handles=handles)
