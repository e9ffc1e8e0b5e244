"""The self-control programme pages (issue 7 item 2; App. 8, §4.2).

A guided page per App. 8 step (commitment, target behaviour, baseline, goal, strategies,
the quick log, progress, revisions), an overview that a phone user opens to log a day in
seconds, and the pages that open a programme to the peer mentor who mentors its owner.

Thin views: the first line is the programme's gate (``access.programme_for_member``;
``access.opening_for_owner`` for an opening), then a form, a flow in ``programmes`` and a
render. The owner does everything; the mentor it is opened to reads the overview, the
progress and the revisions, each read audited (``programmes.read_programme``), and gets
403 for any change; anyone else, and the mentor once the opening has closed or expired,
gets 404. Nothing needs JavaScript.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors

from . import access, programme_chart, programmes
from .models import SelfControlEntry, SelfControlProgramme
from .programme_forms import (
    BaselineForm,
    CommitmentForm,
    GoalForm,
    LogForm,
    OpenForm,
    RevisionForm,
    StrategiesForm,
    TargetForm,
    strategies_initial,
)

# The most records a page lists; the chart and the API hold them all.
RECORDS_SHOWN = 14
REVISIONS_SHOWN = 5
CHART_TABLE_ROWS = 14

BASELINE = SelfControlEntry.Phase.BASELINE
MONITORING = SelfControlEntry.Phase.MONITORING


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _read_or_change(request: HttpRequest) -> str:
    return Action.CHANGE if request.method == "POST" else Action.READ


# --- the steps ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str  # the url name's end: selfcare:programme_<name>
    label: Any


STEPS = [
    Step("commitment", gettext_lazy("Commitment")),
    Step("target", gettext_lazy("What to change")),
    Step("baseline", gettext_lazy("Baseline records")),
    Step("goal", gettext_lazy("Goal")),
    Step("strategies", gettext_lazy("Strategies")),
    Step("log", gettext_lazy("Daily log")),
    Step("progress", gettext_lazy("Progress")),
    Step("revisions", gettext_lazy("Revisions")),
]


@dataclass(frozen=True)
class StepLink:
    number: int
    label: str
    url: str
    done: bool
    current: bool


def _steps(
    programme: SelfControlProgramme,
    plan: programmes.Plan | None,
    records: list[programmes.Record] | None,
    current: str = "",
) -> list[StepLink]:
    records = records or []
    done = {
        "commitment": bool(plan and plan.has_commitment),
        "target": bool(plan and plan.target),
        "baseline": any(r.baseline for r in records),
        "goal": bool(plan and plan.goal),
        "strategies": bool(plan and plan.has_strategies),
        "log": any(not r.baseline for r in records),
        "progress": False,
        "revisions": bool(plan and plan.revisions),
    }
    return [
        StepLink(
            number,
            str(step.label),
            reverse(f"selfcare:programme_{step.name}", kwargs={"programme_id": programme.pk}),
            done[step.name],
            step.name == current,
        )
        for number, step in enumerate(STEPS, start=1)
    ]


def _next_step(programme: SelfControlProgramme, name: str) -> HttpResponse:
    names = [step.name for step in STEPS]
    following = names[min(names.index(name) + 1, len(names) - 1)]
    return redirect(f"selfcare:programme_{following}", programme_id=programme.pk)


def _stale_message() -> str:
    return _(
        "This programme was changed somewhere else meanwhile (another tab or device), so "
        "your changes were not saved. What you typed is still here: check it and save again."
    )


def _save(
    form: BaseForm,
    flow: Callable[[], object],
    aliases: dict[str, str] | None = None,
) -> str:
    """Run a flow for a valid form: "saved", "refused" (its errors are on the form) or
    "stale" (the programme moved on since the person read it)."""
    if not form.is_valid():
        return "refused"
    try:
        flow()
    except ValidationError as error:
        put_errors(form, error, aliases)
        return "refused"
    except StaleVersion:
        return "stale"
    return "saved"


def _keep_typing(form: VersionForm, programme: SelfControlProgramme) -> None:
    """After a stale save: the form keeps what was typed and carries the version as it is
    now, so the next save knowingly goes over it."""
    programme.refresh_from_db()
    form.keep_typing_over(programme.version)


def _step_page(
    request: HttpRequest,
    programme: SelfControlProgramme,
    step: str,
    template: str,
    *,
    plan: programmes.Plan | None = None,
    records: list[programmes.Record] | None = None,
    status: str = "",
    **context: Any,
) -> HttpResponse:
    member = _member(request)
    if plan is None:
        plan = programmes.read_programme(actor=member, programme=programme)
    if records is None:
        records = programmes.read_entries(actor=member, programme=programme, audited=False)
    base = {
        "programme": programme,
        "plan": plan,
        "steps": _steps(programme, plan, records, step),
        "step": step,
        "stale": status == "stale",
        "is_owner": programme.owner_id == member.pk,
    }
    return render(request, f"selfcare/programme/{template}", {**base, **context})


# --- my programmes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    programme: SelfControlProgramme
    target: str
    goal: str


@require_safe
@member_page
def programmes_page(request: HttpRequest) -> HttpResponse:
    """My programmes: the one going first, then the ended ones; a start when none is going."""
    member = _member(request)
    rows = []
    for programme in programmes.programmes_of(member):
        plan = programmes.read_programme(actor=member, programme=programme)
        goal = programmes.goal_in_words(plan.goal, programme.goal_by) if plan.goal else ""
        rows.append(Row(programme, plan.target, goal))
    context = {
        "rows": rows,
        "going": any(row.programme.ended_at is None for row in rows),
        "may_start": access.uses_selfcare(member),
        "opened_count": len(programmes.opened_to(member)),
    }
    return render(request, "selfcare/programme/list.html", context)


@require_http_methods(["GET", "POST"])
@member_page
def programme_new(request: HttpRequest) -> HttpResponse:
    """Start a programme with step 1, the commitment."""
    member = _member(request)
    if not access.uses_selfcare(member):
        raise PermissionDenied
    form = CommitmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        found: list[SelfControlProgramme] = []

        def start() -> None:
            found.append(
                programmes.start_programme(
                    actor=member,
                    benefits=form.cleaned_data["benefits"],
                    told=form.told_list(),
                    obstacles=form.cleaned_data.get("obstacles", ""),
                )
            )

        if _save(form, start) == "saved":
            messages.success(request, _("Your programme is started. Only you can see it."))
            return _next_step(found[0], "commitment")
    going = programmes.active_programme(member)
    return render(request, "selfcare/programme/new.html", {"form": form, "going": going})


# --- the overview -----------------------------------------------------------------------------


def chart_for(
    programme: SelfControlProgramme, plan: programmes.Plan, records: list[programmes.Record]
) -> dict[str, Any]:
    """The chart (SVG, its summary in words, and its numbers as a table)."""
    today = programmes.local_today(programme.owner)
    found = programmes.progress(programme, plan, records, today)
    weekly = found.unit == programmes.WEEK
    chart = programme_chart.layout(
        [programme_chart.Count(p.day, p.count, p.baseline) for p in found.periods],
        start=found.start,
        end=found.end,
        baseline=found.baseline,
        target=found.goal.target if found.goal else None,
        goal_by=found.goal_by,
        weekly=weekly,
    )
    words = programme_chart.Words(
        title=_("Progress chart"),
        summary=found.summary,
        baseline=_("Baseline"),
        goal=_("Goal: %(count)d") % {"count": found.goal.target} if found.goal else "",
        goal_by=_("Goal date"),
        dates={day: formats.date_format(day, "j M") for day, _x in chart.x_ticks},
    )
    return {
        "chart_svg": mark_safe(programme_chart.svg(chart, words)),  # noqa: S308 (escaped inside)
        "chart_summary": found.summary,
        "chart_rows": list(reversed(found.periods))[:CHART_TABLE_ROWS],
        "chart_weekly": weekly,
    }


@require_safe
@member_page
def programme_page(request: HttpRequest, programme_id: str) -> HttpResponse:
    """A programme at a glance: the quick log first (for the owner), the steps, the goal,
    the chart, the strategies, the recent records and the revisions. The mentor it is
    opened to reads it all, read-only."""
    programme = access.programme_for_member(_member(request), programme_id)
    member = _member(request)
    plan = programmes.read_programme(actor=member, programme=programme)
    records = programmes.read_entries(actor=member, programme=programme, audited=False)
    is_owner = programme.owner_id == member.pk
    today = programmes.local_today(member)
    opening = None
    if not is_owner:
        opening = (
            access.live_openings(member).filter(programme=programme).order_by("-expires_at").first()
        )
    logged_today = next((r.count for r in records if not r.baseline and r.day == today), None)
    context = {
        "programme": programme,
        "plan": plan,
        "is_owner": is_owner,
        "opening": opening,
        "steps": _steps(programme, plan, records) if is_owner else [],
        "goal_text": programmes.goal_in_words(plan.goal, programme.goal_by) if plan.goal else "",
        "strategies": plan.strategies_in_words(),
        "baseline_records": [r for r in records if r.baseline][-RECORDS_SHOWN:],
        "log_records": list(reversed([r for r in records if not r.baseline]))[:RECORDS_SHOWN],
        "revisions": list(reversed(plan.revisions))[:REVISIONS_SHOWN],
        "more_revisions": max(0, len(plan.revisions) - REVISIONS_SHOWN),
        "log_form": LogForm(initial={"day": today}, auto_id="id_log_%s")
        if is_owner and programme.ended_at is None
        else None,
        "logged_today": logged_today,
        "openings": programmes.openings_of(programme) if is_owner else [],
        **chart_for(programme, plan, records),
    }
    return render(request, "selfcare/programme/programme.html", context)


# --- step 1 and 2: commitment and target -----------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def programme_commitment(request: HttpRequest, programme_id: str) -> HttpResponse:
    programme = access.programme_for_member(_member(request), programme_id, Action.CHANGE)
    member = _member(request)
    plan = programmes.read_programme(actor=member, programme=programme)
    status = ""
    if request.method != "POST":
        form = CommitmentForm(
            initial={
                "version": programme.version,
                "benefits": plan.benefits,
                "told": "\n".join(plan.told),
                "obstacles": plan.obstacles,
            }
        )
    else:
        form = CommitmentForm(request.POST)
        status = _save(
            form,
            lambda: programmes.save_commitment(
                actor=member,
                programme=programme,
                version=form.cleaned_data.get("version"),
                benefits=form.cleaned_data["benefits"],
                told=form.told_list(),
                obstacles=form.cleaned_data.get("obstacles", ""),
            ),
        )
        if status == "saved":
            messages.success(request, _("Your commitment is saved."))
            return _next_step(programme, "commitment")
        if status == "stale":
            _keep_typing(form, programme)
            plan = programmes.read_programme(actor=member, programme=programme)
    return _step_page(
        request, programme, "commitment", "commitment.html", plan=plan, form=form, status=status
    )


@require_http_methods(["GET", "POST"])
@member_page
def programme_target(request: HttpRequest, programme_id: str) -> HttpResponse:
    programme = access.programme_for_member(_member(request), programme_id, Action.CHANGE)
    member = _member(request)
    plan = programmes.read_programme(actor=member, programme=programme)
    status = ""
    if request.method != "POST":
        form = TargetForm(initial={"version": programme.version, "target": plan.target})
    else:
        form = TargetForm(request.POST)
        status = _save(
            form,
            lambda: programmes.save_target(
                actor=member,
                programme=programme,
                version=form.cleaned_data.get("version"),
                target=form.cleaned_data["target"],
            ),
        )
        if status == "saved":
            messages.success(request, _("Saved. Next, keep a week or two of records."))
            return _next_step(programme, "target")
        if status == "stale":
            _keep_typing(form, programme)
            plan = programmes.read_programme(actor=member, programme=programme)
    return _step_page(
        request, programme, "target", "target.html", plan=plan, form=form, status=status
    )


# --- step 3: baseline records -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def programme_baseline(request: HttpRequest, programme_id: str) -> HttpResponse:
    """Baseline records for one to two weeks: each with what came before and after."""
    programme = access.programme_for_member(_member(request), programme_id, Action.CHANGE)
    member = _member(request)
    today = programmes.local_today(member)
    if request.method != "POST":
        form = BaselineForm(initial={"day": today})
    else:
        form = BaselineForm(request.POST)
        status = _save(
            form,
            lambda: programmes.record_entry(
                actor=member,
                programme=programme,
                phase=BASELINE,
                day=form.cleaned_data["day"],
                count=form.cleaned_data["count"],
                antecedent=form.cleaned_data.get("antecedent", ""),
                behaviour=form.cleaned_data.get("behaviour", ""),
                consequence=form.cleaned_data.get("consequence", ""),
            ),
        )
        if status == "saved":
            messages.success(request, _("Record kept."))
            return redirect("selfcare:programme_baseline", programme_id=programme.pk)
    records = programmes.read_entries(actor=member, programme=programme)
    baseline = [r for r in records if r.baseline]
    days = programmes.baseline_days(baseline)
    return _step_page(
        request,
        programme,
        "baseline",
        "baseline.html",
        records=records,
        form=form,
        baseline=list(reversed(baseline)),
        days=days,
        hint=programmes.baseline_hint(days) if baseline else "",
    )


# --- step 4: the goal ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def programme_goal(request: HttpRequest, programme_id: str) -> HttpResponse:
    programme = access.programme_for_member(_member(request), programme_id, Action.CHANGE)
    member = _member(request)
    plan = programmes.read_programme(actor=member, programme=programme)
    changing = plan.goal is not None
    status = ""
    if request.method != "POST":
        initial: dict[str, Any] = {"version": programme.version}
        if plan.goal is not None:
            initial.update(
                unit=plan.goal.unit,
                direction=plan.goal.direction,
                target=plan.goal.target,
                goal_by=programme.goal_by,
            )
        form = GoalForm(initial=initial, changing=changing)
    else:
        form = GoalForm(request.POST, changing=changing)
        hints: list[str] = []

        def save() -> None:
            _saved, found = programmes.set_goal(
                actor=member,
                programme=programme,
                version=form.cleaned_data.get("version"),
                unit=form.cleaned_data["unit"],
                direction=form.cleaned_data["direction"],
                target=form.cleaned_data["target"],
                goal_by=form.cleaned_data["goal_by"],
                why=form.cleaned_data.get("why", ""),
            )
            hints.extend(found)

        status = _save(form, save)
        if status == "saved":
            messages.success(request, _("Your goal is set."))
            for hint in hints:
                messages.info(request, hint)
            return _next_step(programme, "goal")
        if status == "stale":
            _keep_typing(form, programme)
            plan = programmes.read_programme(actor=member, programme=programme)
    records = programmes.read_entries(actor=member, programme=programme, audited=False)
    baseline = [r for r in records if r.baseline]
    days = programmes.baseline_days(baseline)
    per_day = programmes.baseline_average(baseline, programmes.DAY)
    return _step_page(
        request,
        programme,
        "goal",
        "goal.html",
        plan=plan,
        records=records,
        form=form,
        status=status,
        hint="" if changing else programmes.baseline_hint(days),
        per_day=per_day,
        per_week=None if per_day is None else per_day * 7,
        goal_text=programmes.goal_in_words(plan.goal, programme.goal_by) if plan.goal else "",
    )


# --- step 5: strategies -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def programme_strategies(request: HttpRequest, programme_id: str) -> HttpResponse:
    programme = access.programme_for_member(_member(request), programme_id, Action.CHANGE)
    member = _member(request)
    plan = programmes.read_programme(actor=member, programme=programme)
    changing = plan.has_strategies
    status = ""
    if request.method != "POST":
        form = StrategiesForm(
            initial=strategies_initial(plan, programme.version), changing=changing
        )
    else:
        form = StrategiesForm(request.POST, changing=changing)
        status = _save(
            form,
            lambda: programmes.save_strategies(
                actor=member,
                programme=programme,
                version=form.cleaned_data.get("version"),
                codes=form.codes(),
                own=form.cleaned_data.get("own", ""),
                why=form.cleaned_data.get("why", ""),
            ),
            {"codes": "environmental"},
        )
        if status == "saved":
            messages.success(
                request,
                _("Your strategies are changed and kept with the revisions.")
                if changing
                else _("Your strategies are saved."),
            )
            return _next_step(programme, "strategies")
        if status == "stale":
            _keep_typing(form, programme)
            plan = programmes.read_programme(actor=member, programme=programme)
    return _step_page(
        request, programme, "strategies", "strategies.html", plan=plan, form=form, status=status
    )


# --- step 6: the quick log ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def programme_log(request: HttpRequest, programme_id: str) -> HttpResponse:
    """Self-monitoring in seconds: today's number, a short note if wanted."""
    programme = access.programme_for_member(_member(request), programme_id, Action.CHANGE)
    member = _member(request)
    today = programmes.local_today(member)
    if request.method != "POST":
        form = LogForm(initial={"day": today})
    else:
        form = LogForm(request.POST)
        status = _save(
            form,
            lambda: programmes.record_entry(
                actor=member,
                programme=programme,
                phase=MONITORING,
                day=form.cleaned_data["day"],
                count=form.cleaned_data["count"],
                note=form.cleaned_data.get("note", ""),
            ),
        )
        if status == "saved":
            day = form.cleaned_data["day"]
            messages.success(
                request,
                _("Logged: %(count)d for %(day)s.")
                % {
                    "count": form.cleaned_data["count"],
                    "day": _("today") if day == today else formats.date_format(day, "DATE_FORMAT"),
                },
            )
            return redirect("selfcare:programme", programme_id=programme.pk)
    records = programmes.read_entries(actor=member, programme=programme)
    log = [r for r in records if not r.baseline]
    return _step_page(
        request,
        programme,
        "log",
        "log.html",
        records=records,
        form=form,
        log=list(reversed(log))[:RECORDS_SHOWN],
        more=max(0, len(log) - RECORDS_SHOWN),
    )


@require_POST
@member_page
def programme_entry_remove(request: HttpRequest, programme_id: str, entry_id: str) -> HttpResponse:
    """Remove one record typed by mistake."""
    programme = access.programme_for_member(_member(request), programme_id, Action.CHANGE)
    member = _member(request)
    entry = programmes.entry_of(programme, entry_id)
    phase = entry.phase
    try:
        programmes.remove_entry(actor=member, programme=programme, entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The record is removed."))
    step = "baseline" if phase == BASELINE else "log"
    return redirect(f"selfcare:programme_{step}", programme_id=programme.pk)


# --- step 7: progress ---------------------------------------------------------------------------


@require_safe
@member_page
def programme_progress(request: HttpRequest, programme_id: str) -> HttpResponse:
    """The chart against the goal, in words too."""
    programme = access.programme_for_member(_member(request), programme_id)
    member = _member(request)
    plan = programmes.read_programme(actor=member, programme=programme)
    records = programmes.read_entries(actor=member, programme=programme, audited=False)
    return _step_page(
        request,
        programme,
        "progress",
        "progress.html",
        plan=plan,
        records=records,
        goal_text=programmes.goal_in_words(plan.goal, programme.goal_by) if plan.goal else "",
        **chart_for(programme, plan, records),
    )


# --- step 8: revisions --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def programme_revisions(request: HttpRequest, programme_id: str) -> HttpResponse:
    """What changed in the plan and why, newest first; a new note (the owner)."""
    programme = access.programme_for_member(
        _member(request), programme_id, _read_or_change(request)
    )
    member = _member(request)
    plan = programmes.read_programme(actor=member, programme=programme)
    is_owner = programme.owner_id == member.pk
    status = ""
    form = None
    if is_owner and programme.ended_at is None:
        form = RevisionForm(initial={"version": programme.version})
    if request.method == "POST":
        form = RevisionForm(request.POST)
        status = _save(
            form,
            lambda: programmes.add_revision(
                actor=member,
                programme=programme,
                version=form.cleaned_data.get("version"),
                what=form.cleaned_data["what"],
                why=form.cleaned_data.get("why", ""),
            ),
        )
        if status == "saved":
            messages.success(request, _("The revision is kept."))
            return redirect("selfcare:programme_revisions", programme_id=programme.pk)
        if status == "stale":
            _keep_typing(form, programme)
            plan = programmes.read_programme(actor=member, programme=programme)
    return _step_page(
        request,
        programme,
        "revisions",
        "revisions.html",
        plan=plan,
        form=form,
        status=status,
        revisions=list(reversed(plan.revisions)),
    )


# --- ending and deleting ------------------------------------------------------------------------


@require_POST
@member_page
def programme_end(request: HttpRequest, programme_id: str) -> HttpResponse:
    """End the programme: kept, read-only, to look back on; openings of it close."""
    programme = access.programme_for_member(_member(request), programme_id, Action.CHANGE)
    member = _member(request)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        programmes.end_programme(actor=member, programme=programme, version=version or 0)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except StaleVersion:
        messages.error(request, _stale_message())
    else:
        messages.success(
            request, _("The programme is ended. It stays here for you to look back on.")
        )
    return redirect("selfcare:programme", programme_id=programme.pk)


@require_http_methods(["GET", "POST"])
@member_page
def programme_delete(request: HttpRequest, programme_id: str) -> HttpResponse:
    """Delete a programme for good, with all its records: asked once more first."""
    programme = access.programme_for_member(_member(request), programme_id, Action.DELETE)
    member = _member(request)
    if request.method == "POST":
        form = VersionForm(request.POST)
        version = form.cleaned_data.get("version") if form.is_valid() else None
        try:
            programmes.delete_programme(actor=member, programme=programme, version=version or 0)
        except StaleVersion:
            messages.error(request, _stale_message())
        else:
            messages.success(request, _("The programme and all its records are deleted."))
            return redirect("selfcare:programmes")
    entries = SelfControlEntry.objects.filter(
        organisation_id=programme.organisation_id, programme=programme
    ).count()
    return render(
        request,
        "selfcare/programme/delete.html",
        {"programme": programme, "entries": entries},
    )


# --- opening to the peer mentor ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def programme_open(request: HttpRequest, programme_id: str) -> HttpResponse:
    """Open the programme, read-only, to my peer mentor until a date; close it early."""
    programme = access.programme_for_member(_member(request), programme_id, Action.CHANGE)
    member = _member(request)
    candidates = programmes.opening_candidates(member)
    today = programmes.local_today(member)
    default_until = today + dt.timedelta(days=14)
    if request.method != "POST":
        form = OpenForm(
            initial={"until": default_until, "grantee": candidates[0].pk if candidates else None},
            candidates=candidates,
        )
    else:
        form = OpenForm(request.POST, candidates=candidates)

        def open_it() -> None:
            programmes.open_programme(
                actor=member,
                programme=programme,
                grantee=form.cleaned_data["grantee"],
                expires_at=programmes.opening_until(member, form.cleaned_data["until"]),
            )

        if _save(form, open_it, {"expires_at": "until"}) == "saved":
            messages.success(
                request,
                _("Opened to %(name)s until %(date)s. They can read it, not change it.")
                % {
                    "name": form.cleaned_data["grantee"].name,
                    "date": formats.date_format(form.cleaned_data["until"], "DATE_FORMAT"),
                },
            )
            return redirect("selfcare:programme_open", programme_id=programme.pk)
    context = {
        "programme": programme,
        "form": form,
        "candidates": candidates,
        "openings": programmes.openings_of(programme),
    }
    return render(request, "selfcare/programme/open.html", context)


@require_POST
@member_page
def programme_opening_close(request: HttpRequest, opening_id: str) -> HttpResponse:
    """Close an opening before its expiry."""
    opening = access.opening_for_owner(_member(request), opening_id)
    member = _member(request)
    if opening.programme_id is None:
        raise Http404  # a risk circle's opening: closed on the circle's pages
    programmes.close_opening(actor=member, opening=opening)
    messages.success(
        request, _("Closed. %(name)s can no longer read it.") % {"name": opening.grantee.name}
    )
    return redirect("selfcare:programme_open", programme_id=opening.programme_id)


@require_safe
@member_page
def programmes_opened(request: HttpRequest) -> HttpResponse:
    """The programmes opened to me now (a peer mentor), with until when."""
    member = _member(request)
    openings = programmes.opened_to(member)
    return render(request, "selfcare/programme/opened.html", {"openings": openings})
