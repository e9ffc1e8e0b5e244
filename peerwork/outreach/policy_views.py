"""Outreach policy settings: the organisation's policy and a site's own, the escalation
chain and the on-call rota (issue 5 item 1; guide §4.4: decide when a late worker counts as
missing, send workers in pairs, plan for the worst case as a team, agreed and dated).

Configuration, so the org admin's and the director's: everyone else gets 404. Every change
is versioned by the policy's ``version``: the policy's fields, and each change to its chain
(add, remove, move a step), name the version the person read and are refused when someone
else saved first, with what they typed kept (``peerwork.core.versions``). Each write is
recorded in the audit chain in the same transaction, as the shift services do.

The flows are the typed keyword-only functions at the top; the views below only parse
and render.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerwork.core import audit
from peerwork.core.access import is_director, is_org_admin, lookup
from peerwork.core.models import Membership, Site
from peerwork.core.models.notifications import Channel
from peerwork.core.versions import StaleVersion, update_if_current
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import carry_over

from .forms import OnCallForm, PolicyForm, StepForm
from .models import EscalationStep, OnCall, OutreachPolicy
from .policy import DEFAULT_CHAIN

ROTA_LIMIT = 50
POLICY_FIELDS = (
    "grace_minutes",
    "missing_after_minutes",
    "pairs_required",
    "guidelines",
    "contingency_plans",
    "contingency_agreed_on",
    "project_manager",
)


# --- flows -------------------------------------------------------------------------------


def may_configure(member: Membership) -> bool:
    """The org admin and the director set the outreach policy (issue 5 item 1)."""
    return bool(is_org_admin(member) or is_director(member))


def stored_policy(*, organisation_id: uuid.UUID, site: Site | None) -> OutreachPolicy:
    """The policy row for the organisation (``site`` None) or a site, or an unsaved one with
    the defaults (version 1) when nobody has saved it yet."""
    found = OutreachPolicy.objects.filter(organisation_id=organisation_id, site=site).first()
    return found or OutreachPolicy(organisation_id=organisation_id, site=site)


def _claim(*, actor: Membership, site: Site | None, version: int | None) -> OutreachPolicy:
    """The policy at the version the person read, one version on: created at version 1 if
    nobody saved it yet. ``StaleVersion`` if someone else saved first. Call inside a
    transaction: the change it guards commits with it."""
    if version is None:
        raise StaleVersion
    policy = stored_policy(organisation_id=actor.organisation_id, site=site)
    if policy._state.adding:
        if version != policy.version:
            raise StaleVersion
        try:
            with transaction.atomic():
                policy.save()
        except IntegrityError:  # someone else created it first
            raise StaleVersion from None
    update_if_current(OutreachPolicy, pk=policy.pk, version=version, changes={})
    policy.refresh_from_db()
    return policy


def save_policy(
    *, actor: Membership, site: Site | None, version: int | None, values: dict[str, Any]
) -> OutreachPolicy:
    """Save the policy's own fields, if it is still as the person read it."""
    changes = {name: values[name] for name in POLICY_FIELDS if name in values}
    with transaction.atomic():
        policy = _claim(actor=actor, site=site, version=version)
        OutreachPolicy.objects.filter(pk=policy.pk).update(**changes)
        _audit(actor, "outreach.policy.save", policy)
    policy.refresh_from_db()
    return policy


def add_step(
    *,
    actor: Membership,
    site: Site | None,
    version: int | None,
    who: str,
    channels: list[str],
    wait_minutes: int,
    buddy: Membership | None = None,
) -> EscalationStep:
    """A new last step of the chain."""
    with transaction.atomic():
        policy = _claim(actor=actor, site=site, version=version)
        last = policy.steps.aggregate(last=Max("position"))["last"] or 0
        step = EscalationStep.objects.create(
            organisation_id=policy.organisation_id,
            policy=policy,
            position=last + 1,
            who=who,
            buddy=buddy if who == EscalationStep.Who.BUDDY else None,
            channels=list(channels),
            wait_minutes=wait_minutes,
        )
        _audit(actor, "outreach.policy.step_add", policy, {"step": step.pk, "who": who})
    return step


def remove_step(*, actor: Membership, step: EscalationStep, version: int | None) -> None:
    """Take a step out of the chain; the later ones move up (a chain left empty uses our
    default chain: partner, line manager, on-call manager, director)."""
    policy = step.policy
    with transaction.atomic():
        _claim(actor=actor, site=policy.site, version=version)
        EscalationStep.objects.filter(pk=step.pk).delete()
        # Ascending, so no two steps share a position on the way.
        for later in policy.steps.filter(position__gt=step.position).order_by("position"):
            EscalationStep.objects.filter(pk=later.pk).update(position=F("position") - 1)
        _audit(actor, "outreach.policy.step_remove", policy, {"step": step.pk})


def move_step(*, actor: Membership, step: EscalationStep, version: int | None, up: bool) -> None:
    """Swap a step with the one before (``up``) or after it."""
    policy = step.policy
    with transaction.atomic():
        _claim(actor=actor, site=policy.site, version=version)
        neighbours = policy.steps.filter(
            position__lt=step.position if up else 32767,
            position__gt=0 if up else step.position,
        ).order_by("-position" if up else "position")
        other = neighbours.first()
        if other is None:
            return
        mine, theirs = step.position, other.position
        # Through 0 (never a position), so the unique (policy, position) holds throughout.
        EscalationStep.objects.filter(pk=step.pk).update(position=0)
        EscalationStep.objects.filter(pk=other.pk).update(position=mine)
        EscalationStep.objects.filter(pk=step.pk).update(position=theirs)
        _audit(actor, "outreach.policy.step_move", policy, {"step": step.pk, "up": up})


def add_on_call(
    *, actor: Membership, member: Membership, site: Site | None, starts_at: Any, ends_at: Any
) -> OnCall:
    with transaction.atomic():
        turn = OnCall.objects.create(
            organisation_id=actor.organisation_id,
            member=member,
            site=site,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        audit.record(
            actor=actor,
            action="outreach.on_call.add",
            object_type="outreach.on_call",
            object_id=turn.pk,
        )
    return turn


def remove_on_call(*, actor: Membership, turn: OnCall) -> None:
    with transaction.atomic():
        OnCall.objects.filter(pk=turn.pk).delete()
        audit.record(
            actor=actor,
            action="outreach.on_call.remove",
            object_type="outreach.on_call",
            object_id=turn.pk,
        )


def _audit(
    actor: Membership, action: str, policy: OutreachPolicy, detail: dict[str, Any] | None = None
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="outreach.policy",
        object_id=policy.pk,
        detail=detail,
    )


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
