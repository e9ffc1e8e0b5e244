"""Outreach policy settings: the organisation's policy and a site's own, the escalation
chain and the on-call rota (issue 5 item 1; guide §4.4: decide when a late worker counts as
missing, send workers in pairs, plan for the worst case as a team, agreed and dated).

Configuration, so the org admin's and the director's: everyone else gets 404. Every change
is versioned by the policy's ``version``: the policy's fields, and each change to its chain
(add, remove, move a step), name the version the person read and are refused when someone
else saved first, with what they typed kept (``peerwork.core.versions``). Each write is
recorded in the audit chain in the same transaction, as the shift services do.

The flows are in ``policy_settings``; the views here only parse and render.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerwork.core.access import lookup
from peerwork.core.models import Membership, Site
from peerwork.core.models.notifications import Channel
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import carry_over

from .forms import OnCallForm, PolicyForm, StepForm
from .models import EscalationStep, OnCall
from .policy import DEFAULT_CHAIN
from .policy_settings import (
    POLICY_FIELDS,
    add_on_call,
    add_step,
    may_configure,
    move_step,
    remove_on_call,
    remove_step,
    save_policy,
    stored_policy,
)

ROTA_LIMIT = 50


# --- pages -------------------------------------------------------------------------------


def _configurer(request: HttpRequest) -> Membership:
    member = cast(MemberRequest, request).member
    if not may_configure(member):
        raise Http404
    return member


def _site(member: Membership, site_id: str | None) -> Site | None:
    if site_id is None:
        return None
    return lookup(Site.objects.filter(organisation_id=member.organisation_id), site_id)


def _policy_url(site: Site | None) -> str:
    if site is None:
        return reverse("outreach:policy")
    return reverse("outreach:site_policy", args=[site.pk])


def _page(
    request: HttpRequest,
    member: Membership,
    site: Site | None,
    *,
    policy_form: PolicyForm | None = None,
    step_form: StepForm | None = None,
    on_call_form: OnCallForm | None = None,
    stale: bool = False,
) -> HttpResponse:
    policy = stored_policy(organisation_id=member.organisation_id, site=site)
    fields = {name: getattr(policy, name) for name in POLICY_FIELDS}
    fields["project_manager"] = policy.project_manager_id
    fields["version"] = policy.version
    steps = (
        list(policy.steps.select_related("buddy__user").order_by("position"))
        if not policy._state.adding
        else []
    )
    context: dict[str, Any] = {
        "site": site,
        "policy": policy,
        "saved": not policy._state.adding,
        "policy_form": policy_form or PolicyForm(initial=fields, member=member),
        "step_form": step_form
        or StepForm(initial={"version": policy.version}, member=member, prefix="step"),
        "steps": steps,
        "default_chain": [EscalationStep.Who(w).label for w in DEFAULT_CHAIN],
        "channels": _channels(),
        "stale": stale,
        "action": _policy_url(site),
    }
    if site is None:
        context["sites"] = list(Site.objects.filter(organisation_id=member.organisation_id))
        context["rota"] = list(
            OnCall.objects.filter(
                organisation_id=member.organisation_id, ends_at__gt=timezone.now()
            )
            .select_related("member__user", "site")
            .order_by("starts_at")[:ROTA_LIMIT]
        )
        context["on_call_form"] = on_call_form or OnCallForm(member=member, prefix="oncall")
    return render(request, "outreach/policy/policy.html", context)


def _channels() -> dict[str, str]:
    return {value: str(label) for value, label in Channel.choices}


@require_http_methods(["GET", "POST"])
@member_page
def policy_page(request: HttpRequest, policy_site_id: str | None = None) -> HttpResponse:
    member = _configurer(request)
    site = _site(member, policy_site_id)
    if request.method != "POST":
        return _page(request, member, site)
    form = PolicyForm(request.POST, member=member)
    if not form.is_valid():
        return _page(request, member, site, policy_form=form)
    try:
        save_policy(
            actor=member,
            site=site,
            version=form.cleaned_data.get("version"),
            values=form.cleaned_data,
        )
    except StaleVersion:
        # Someone else saved first: show theirs, keep what was typed, and let the next save
        # knowingly go over it.
        now = stored_policy(organisation_id=member.organisation_id, site=site)
        form.keep_typing_over(now.version)
        return _page(request, member, site, policy_form=form, stale=True)
    messages.success(request, _("The outreach policy is saved."))
    return redirect(_policy_url(site))


@require_POST
@member_page
def step_add(request: HttpRequest, policy_site_id: str | None = None) -> HttpResponse:
    member = _configurer(request)
    site = _site(member, policy_site_id)
    form = StepForm(request.POST, member=member, prefix="step")
    if not form.is_valid():
        return _page(request, member, site, step_form=form)
    data = form.cleaned_data
    try:
        add_step(
            actor=member,
            site=site,
            version=data.get("version"),
            who=data["who"],
            channels=data["channels"],
            wait_minutes=data["wait_minutes"],
            buddy=data.get("buddy"),
        )
    except StaleVersion:
        now = stored_policy(organisation_id=member.organisation_id, site=site)
        carry_over(form, form.add_prefix("version"), now.version)
        return _page(request, member, site, step_form=form, stale=True)
    messages.success(request, _("The step is added at the end of the chain."))
    return redirect(_policy_url(site))


def _step(member: Membership, step_id: str) -> EscalationStep:
    return lookup(
        EscalationStep.objects.filter(organisation_id=member.organisation_id).select_related(
            "policy__site"
        ),
        step_id,
    )


def _version(request: HttpRequest) -> int | None:
    form = forms.Form(request.POST)
    form.fields["version"] = forms.IntegerField(min_value=0)
    return form.cleaned_data["version"] if form.is_valid() else None


@require_POST
@member_page
def step_remove(request: HttpRequest, step_id: str) -> HttpResponse:
    member = _configurer(request)
    step = _step(member, step_id)
    site = step.policy.site
    try:
        remove_step(actor=member, step=step, version=_version(request))
    except StaleVersion:
        messages.error(request, _stale_chain())
    else:
        messages.success(request, _("The step is removed from the chain."))
    return redirect(_policy_url(site))


@require_POST
@member_page
def step_move(request: HttpRequest, step_id: str) -> HttpResponse:
    member = _configurer(request)
    step = _step(member, step_id)
    site = step.policy.site
    try:
        move_step(
            actor=member, step=step, version=_version(request), up=request.POST.get("up") == "1"
        )
    except StaleVersion:
        messages.error(request, _stale_chain())
    else:
        messages.success(request, _("The chain is in its new order."))
    return redirect(_policy_url(site))


def _stale_chain() -> str:
    return _(
        "Someone else changed this policy while you were looking at it, so nothing was "
        "changed. Here it is as it is now: try again if you still want to."
    )


@require_POST
@member_page
def on_call_add(request: HttpRequest) -> HttpResponse:
    member = _configurer(request)
    form = OnCallForm(request.POST, member=member, prefix="oncall")
    if not form.is_valid():
        return _page(request, member, None, on_call_form=form)
    data = form.cleaned_data
    add_on_call(
        actor=member,
        member=data["member"],
        site=data.get("site"),
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
    )
    messages.success(request, _("The on-call turn is on the rota."))
    return redirect("outreach:policy")


@require_POST
@member_page
def on_call_remove(request: HttpRequest, on_call_id: str) -> HttpResponse:
    member = _configurer(request)
    turn = lookup(OnCall.objects.filter(organisation_id=member.organisation_id), on_call_id)
    remove_on_call(actor=member, turn=turn)
    messages.success(request, _("The on-call turn is taken off the rota."))
    return redirect("outreach:policy")
