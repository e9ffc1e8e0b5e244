"""The stress pulse pages (issue 7 item 3; §3.9): a working member answers for this week;
line managers, HR and the director read their teams' finished weeks as aggregates of at
least ``PULSE_MINIMUM`` answers (``pulse`` says how nothing links an answer to anyone).

Thin views: the gate first (``pulse.require_answering``, or ``pulse.overview`` whose first
step is ``pulse.teams_seen_by``), then the form and the flow in ``pulse``, then a render.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from peerwork.core.models import Membership
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import put_errors

from . import pulse
from .pulse_forms import PulseForm


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


@require_http_methods(["GET", "POST"])
@member_page
def pulse_page(request: HttpRequest) -> HttpResponse:
    """This week's question, or a thank-you once answered; how the answer stays anonymous."""
    pulse.require_answering(_member(request))
    member = _member(request)
    week = pulse.this_week(member)
    done = pulse.answered(member, week)
    form = PulseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                pulse.answer(actor=member, level=form.cleaned_data["level"])
            except ValidationError as error:
                if getattr(error, "code", None) != pulse.ALREADY_ANSWERED:
                    put_errors(form, error)
                    return _pulse_page(request, member, week, done, form)
                messages.warning(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("Thank you. Your answer is counted in your team's week, without your name."),
                )
            return redirect("selfcare:pulse")
        if done:
            messages.warning(request, pulse.already_answered_message(week))
            return redirect("selfcare:pulse")
    return _pulse_page(request, member, week, done, form)


def _pulse_page(
    request: HttpRequest, member: Membership, week: dt.date, done: bool, form: PulseForm
) -> HttpResponse:
    context = {
        "form": form,
        "week": week,
        "week_ends": week + dt.timedelta(days=6),
        "next_week": week + dt.timedelta(days=7),
        "answered": done,
        "team": member.team,
        "minimum": pulse.PULSE_MINIMUM,
        "sees_teams": pulse.sees_team_figures(member),
    }
    return render(request, "selfcare/pulse/pulse.html", context)


# --- the team figures -------------------------------------------------------------------

# The chart's drawing area (SVG user units): one slot per week, a bar per shown week.
CHART_WIDTH, CHART_TOP, CHART_BASE, SLOT = 320, 16, 96, 40
BAR_WIDTH = 26


@dataclass(frozen=True)
class Bar:
    """One week of a group's chart: a bar from the baseline up to the average (out of 5),
    or a dashed mark on the baseline when the week is not shown."""

    figure: pulse.WeekFigure
    x: int
    middle: int
    y: float
    height: float

    @property
    def label_y(self) -> float:
        return round(self.y - 4, 1)


def chart(group: pulse.GroupPulse) -> list[Bar]:
    bars = []
    for index, figure in enumerate(group.weeks):
        x = index * SLOT + (SLOT - BAR_WIDTH) // 2
        height = 0.0
        if figure.average is not None:
            height = round((CHART_BASE - CHART_TOP) * figure.average / pulse.HIGHEST, 1)
        bars.append(Bar(figure, x, x + BAR_WIDTH // 2, round(CHART_BASE - height, 1), height))
    return bars


def trend_text(group: pulse.GroupPulse) -> str:
    """The change from the week shown before to the latest week shown, in words."""
    latest, previous, trend = group.latest, group.previous, group.trend
    if (
        latest is None
        or previous is None
        or latest.average is None
        or previous.average is None
        or trend is None
    ):
        return _("Not enough weeks with figures yet to show a change.")
    values = {
        "latest": latest.week_of.isoformat(),
        "previous": previous.week_of.isoformat(),
        "now": number_format(latest.average, 1),
        "before": number_format(previous.average, 1),
    }
    if trend == pulse.Trend.HIGHER:
        text = _(
            "Higher in the week of %(latest)s than in the week of %(previous)s: an average of "
            "%(now)s against %(before)s."
        )
    elif trend == pulse.Trend.LOWER:
        text = _(
            "Lower in the week of %(latest)s than in the week of %(previous)s: an average of "
            "%(now)s against %(before)s."
        )
    else:
        text = _(
            "About the same in the week of %(latest)s as in the week of %(previous)s: an "
            "average of %(now)s against %(before)s."
        )
    return text % values


@dataclass(frozen=True)
class GroupView:
    group: pulse.GroupPulse
    name: str
    bars: list[Bar]

    @property
    def trend(self) -> str:
        return trend_text(self.group)


@require_safe
@member_page
def pulse_teams(request: HttpRequest) -> HttpResponse:
    """Each team's finished weeks as aggregates (404 for anyone who sees no team)."""
    found = pulse.overview(actor=_member(request))
    groups = [GroupView(g, g.team.name if g.team else "", chart(g)) for g in found.teams]
    if found.no_team is not None:
        groups.append(GroupView(found.no_team, _("People not in a team"), chart(found.no_team)))
    whole = None
    if found.organisation is not None:
        whole = GroupView(
            found.organisation, _("The whole organisation"), chart(found.organisation)
        )
    context = {
        "overview": found,
        "groups": groups,
        "whole": whole,
        "minimum": pulse.PULSE_MINIMUM,
        "chart_width": CHART_WIDTH,
        "chart_base": CHART_BASE,
        "bar_width": BAR_WIDTH,
    }
    return render(request, "selfcare/pulse/teams.html", context)
