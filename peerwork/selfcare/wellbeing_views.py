"""The self-care home and the wellbeing pages: the burnout self-check, the personal relapse
plan, weekly goals and grief (issue 7 items 3 and 4; §3.9, §4.10, App. 11).

Thin views: the first line is a gate (``access``), then a form, a flow in ``wellbeing``
and a render. Every record here is its owner's alone: the gates answer 404 to everyone
else, whatever their role. What a person ticks on the burnout or grief page is answered
back to them and stored only when they press "keep"; ticks travel in a POST, never in a
link, so they stay out of browser history and server logs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, carry_over, put_errors
from peerwork.schedule.services import local_today

from . import access, wellbeing
from .models import RiskCircle, SelfCheck
from .wellbeing_forms import BurnoutForm, GoalForm, GriefForm, KeepBurnoutForm, PlanForms

PAST_WEEKS_SHOWN = 12


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _selfcare_member(request: HttpRequest) -> Membership:
    """The gate of the self-care pages that name no record: the member's own tools."""
    member = _member(request)
    if not access.uses_selfcare(member):
        raise Http404
    return member


# --- home ---------------------------------------------------------------------------------


@require_safe
@member_page
def home(request: HttpRequest) -> HttpResponse:
    """The self-care tools, private by default; what is opened to me; this week's goals;
    a hint when my risk circle is due for its review (App. 3 step 11)."""
    member = _selfcare_member(request)
    today = local_today(member)
    week = wellbeing.monday_of(today)
    review_due = RiskCircle.objects.filter(
        organisation_id=member.organisation_id,
        owner=member,
        review_due_on__lte=today,
    ).exists()
    context = {
        "opened_to_me": access.live_openings(member).count(),
        "week": week,
        "goals": wellbeing.goals_of(member, week),
        "review_due": review_due,
    }
    return render(request, "selfcare/home.html", context)


# --- the burnout self-check -------------------------------------------------------------


def _supporters(member: Membership) -> list[Any]:
    return wellbeing.supporters_of(member)


@require_http_methods(["GET", "POST"])
@member_page
def burnout(request: HttpRequest) -> HttpResponse:
    """The signs to tick; on "see what this can mean", the result for the person alone.
    Nothing is stored here."""
    member = _selfcare_member(request)
    form = BurnoutForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        signs = form.signs()
        keep = KeepBurnoutForm(initial={"signs": signs})
        return _burnout_result(request, member, signs, keep)
    context = {
        "form": form,
        "kept": wellbeing.selfchecks_of(member, SelfCheck.Kind.BURNOUT).order_by("-made_at")[:20],
    }
    return render(request, "selfcare/wellbeing/burnout.html", context)


def _burnout_result(
    request: HttpRequest, member: Membership, signs: list[str], keep: KeepBurnoutForm
) -> HttpResponse:
    context = {
        "reading": wellbeing.burnout_reading(signs),
        "strategies": wellbeing.INDIVIDUAL_STRATEGIES,
        "supporters": _supporters(member),
        "keep": keep,
    }
    return render(request, "selfcare/wellbeing/burnout_result.html", context)


@require_POST
@member_page
def burnout_keep(request: HttpRequest) -> HttpResponse:
    """ "Keep this privately": the check sealed for the person alone."""
    member = _selfcare_member(request)
    form = KeepBurnoutForm(request.POST)
    if form.is_valid():
        try:
            check = wellbeing.keep_selfcheck(
                actor=member,
                kind=SelfCheck.Kind.BURNOUT,
                content={"signs": form.cleaned_data["signs"], "note": form.cleaned_data["note"]},
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Kept. Only you can see it."))
            return redirect("selfcare:selfcheck", self_check_id=check.pk)
    signs = [code for code in request.POST.getlist("signs") if code in wellbeing.BURNOUT_SIGNS]
    return _burnout_result(request, member, signs, form)


# --- kept self-checks -------------------------------------------------------------------


@require_safe
@member_page
def selfcheck(request: HttpRequest, self_check_id: str) -> HttpResponse:
    """A kept burnout or grief check: its owner's alone."""
    check = access.selfcheck_for_member(_member(request), self_check_id)
    member = _member(request)
    content = wellbeing.read_selfcheck(check)
    if check.kind == SelfCheck.Kind.BURNOUT:
        context: dict[str, Any] = {
            "reading": wellbeing.burnout_reading(content["signs"]),
            "strategies": wellbeing.INDIVIDUAL_STRATEGIES,
        }
    else:
        context = {
            "reading": wellbeing.grief_reading(content["noticed"]),
            "help_now": wellbeing.needs_help_now(content["noticed"]),
        }
    context.update({"check": check, "note": content["note"], "supporters": _supporters(member)})
    return render(request, "selfcare/wellbeing/selfcheck.html", context)


@require_POST
@member_page
def selfcheck_remove(request: HttpRequest, self_check_id: str) -> HttpResponse:
    check = access.selfcheck_for_member(_member(request), self_check_id)
    kind = check.kind
    wellbeing.remove_selfcheck(actor=_member(request), check=check)
    messages.success(request, _("Deleted for good."))
    return redirect("selfcare:burnout" if kind == SelfCheck.Kind.BURNOUT else "selfcare:grief")


# --- grief --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def grief(request: HttpRequest) -> HttpResponse:
    """Grief reactions as information, what helps, when to get help now, what the
    organisation can do; a private note only if the person saves one."""
    member = _selfcare_member(request)
    form = GriefForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            check = wellbeing.keep_selfcheck(
                actor=member, kind=SelfCheck.Kind.GRIEF, content=form.content()
            )
        except ValidationError as error:
            put_errors(form, error, {"noticed": "usual"})
        else:
            messages.success(request, _("Kept. Only you can see it."))
            return redirect("selfcare:selfcheck", self_check_id=check.pk)
    context = {
        "form": form,
        "groups": [(group, wellbeing.GRIEF_HELP[group.code]) for group in wellbeing.GRIEF_GROUPS],
        "supporters": _supporters(member),
        "kept": wellbeing.selfchecks_of(member, SelfCheck.Kind.GRIEF).order_by("-made_at")[:20],
    }
    return render(request, "selfcare/wellbeing/grief.html", context)


# --- the personal relapse plan ----------------------------------------------------------


@require_safe
@member_page
def plan(request: HttpRequest) -> HttpResponse:
    """My plan as kept, quick to read when it is needed; or what a plan is, to make one."""
    member = _selfcare_member(request)
    found = wellbeing.plan_of(member)
    context: dict[str, Any] = {"plan": found}
    if found is not None:
        content = wellbeing.read_plan(found)
        chosen = set(content["cravings"])
        context.update(
            {
                "content": content,
                "cravings": [item for item in wellbeing.CRAVING_SUGGESTIONS if item.code in chosen],
                "factors": [
                    (item, content["factors"][item.code])
                    for item in wellbeing.FACTOR_AREAS
                    if content["factors"].get(item.code)
                ],
            }
        )
    return render(request, "selfcare/wellbeing/plan.html", context)


@require_http_methods(["GET", "POST"])
@member_page
def plan_edit(request: HttpRequest) -> HttpResponse:
    """Make or change my plan. A save over a plan changed meanwhile (another tab, the
    app) is refused, keeping what was typed; the next save goes over it knowingly."""
    member = _selfcare_member(request)
    found = wellbeing.plan_of(member)
    if request.method != "POST":
        forms = PlanForms(
            plan=wellbeing.read_plan(found) if found else None,
            version=found.version if found else 0,
        )
        return _plan_edit_page(request, found, forms)
    forms = PlanForms(request.POST)
    if forms.is_valid():
        version = forms.form.cleaned_data.get("version")
        try:
            wellbeing.save_plan(
                actor=member,
                content=forms.content(),
                plan=found,
                version=version or 0,
            )
        except ValidationError as error:
            put_errors(forms.form, error)
        except StaleVersion:
            found = wellbeing.plan_of(member)
            carry_over(forms.form, "version", found.version if found else 0)
            return _plan_edit_page(request, found, forms, stale=True)
        else:
            messages.success(request, _("Your plan is saved. Only you can see it."))
            return redirect("selfcare:plan")
    return _plan_edit_page(request, found, forms)


def _plan_edit_page(
    request: HttpRequest, found: Any, forms: PlanForms, *, stale: bool = False
) -> HttpResponse:
    context = {"plan": found, "forms": forms, "stale": stale}
    return render(request, "selfcare/wellbeing/plan_edit.html", context)


@require_POST
@member_page
def plan_remove(request: HttpRequest, relapse_plan_id: str) -> HttpResponse:
    found = access.plan_for_member(_member(request), relapse_plan_id)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        wellbeing.remove_plan(actor=_member(request), plan=found, version=version or 0)
    except StaleVersion:
        messages.error(
            request,
            _(
                "Your plan changed while you were looking at it, so it was not deleted. Here it is now."
            ),
        )
        return redirect("selfcare:plan")
    messages.success(request, _("Your plan is deleted for good."))
    return redirect("selfcare:plan")


# --- weekly goals -------------------------------------------------------------------------


def _week_asked(request: HttpRequest, this_week: dt.date) -> dt.date:
    try:
        asked = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return this_week
    return (
        wellbeing.monday_of(asked)
        if dt.date(1970, 1, 5) <= asked <= dt.date(2200, 1, 1)
        else this_week
    )


def _goals_page(
    request: HttpRequest, member: Membership, week: dt.date, form: GoalForm | None = None
) -> HttpResponse:
    this_week = wellbeing.this_week(member)
    goals = wellbeing.goals_of(member, week)
    context = {
        "week": week,
        "week_ends": week + dt.timedelta(days=6),
        "is_this_week": week == this_week,
        "this_week": this_week,
        "goals": goals,
        "done": sum(1 for goal in goals if goal.done_at),
        "form": form or GoalForm(),
        "may_add": week == this_week and len(goals) < wellbeing.GOALS_A_WEEK,
        "past": wellbeing.goal_weeks(member, before=this_week, most=PAST_WEEKS_SHOWN),
    }
    return render(request, "selfcare/wellbeing/goals.html", context)


@require_safe
@member_page
def goals(request: HttpRequest) -> HttpResponse:
    """This week's goals (or an earlier week's, ``?week=``), ticked or not."""
    member = _selfcare_member(request)
    return _goals_page(request, member, _week_asked(request, wellbeing.this_week(member)))


@require_POST
@member_page
def goal_new(request: HttpRequest) -> HttpResponse:
    member = _selfcare_member(request)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            wellbeing.add_goal(actor=member, text=form.cleaned_data["text"])
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Goal set for this week."))
            return redirect("selfcare:goals")
    return _goals_page(request, member, wellbeing.this_week(member), form)


def _back_to_week(goal: Any) -> HttpResponse:
    return redirect(f"{reverse('selfcare:goals')}?week={goal.week_of.isoformat()}")


@require_POST
@member_page
def goal_done(request: HttpRequest, weekly_goal_id: str) -> HttpResponse:
    goal = access.goal_for_member(_member(request), weekly_goal_id)
    wellbeing.set_goal_done(actor=_member(request), goal=goal, done=True)
    return _back_to_week(goal)


@require_POST
@member_page
def goal_undo(request: HttpRequest, weekly_goal_id: str) -> HttpResponse:
    goal = access.goal_for_member(_member(request), weekly_goal_id)
    wellbeing.set_goal_done(actor=_member(request), goal=goal, done=False)
    return _back_to_week(goal)


@require_POST
@member_page
def goal_remove(request: HttpRequest, weekly_goal_id: str) -> HttpResponse:
    goal = access.goal_for_member(_member(request), weekly_goal_id)
    week = goal.week_of
    wellbeing.remove_goal(actor=_member(request), goal=goal)
    messages.success(request, _("Goal removed."))
    return redirect(f"{reverse('selfcare:goals')}?week={week.isoformat()}")
