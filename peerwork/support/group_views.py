"""Peer support group pages (issue 7 item 7; guide §3.10, §4.8, App. 4): the list with
what groups shared, starting a group, one group's page with its terms, and the forms that
change it.

Who sees what (``access``; the [record: support] section of the access matrix): every
working member sees the groups, their terms, what they shared and whether they meet; a
facilitator outside the working roles sees the groups they facilitate. Who is in a group
and when it met are seen by its members and facilitator only (``sees_group_inside``), not
by HR, the director or line managers. The §4.8 steps are seen by HR, the director, the
facilitator and the members (``groups.sees_steps``). How many members a group has is not
shown outside it: a small number could point to people.

Thin views: the gate on the first line, a form to parse, a service in ``groups`` to
decide, a page to render. A refused save shows the form again with everything typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors
from peerwork.schedule.services import local_today

from . import access, groups, tor_pdf
from .group_forms import GroupMeetingForm, GroupTermsForm, LearningForm, StepForm
from .models import GroupMeeting, GroupStep, SupportGroup

# How much of a group's history its page shows (the page stays small on a phone).
MEETINGS_SHOWN = 12
LEARNING_SHOWN = 20
LIST_LEARNING_SHOWN = 20


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


# --- the list ------------------------------------------------------------------------


@require_safe
@member_page
def group_list(request: HttpRequest) -> HttpResponse:
    """Every group with its state, the ones I am in marked, and what groups shared."""
    member = _member(request)
    found = list(groups.groups_seen_by(member))
    if not access.sees_groups(member) and not found:
        raise Http404
    today = local_today(member)
    joined = groups.ids_of_groups_joined(member, found)
    return render(
        request,
        "support/groups/list.html",
        {
            "open_groups": [g for g in found if g.state != SupportGroup.State.CLOSED],
            "closed_groups": [g for g in found if g.state == SupportGroup.State.CLOSED],
            "joined": joined,
            "today": today,
            "learning": list(groups.learning_seen_by(member)[:LIST_LEARNING_SHOWN]),
            "may_start": access.manages_groups(member),
        },
    )


# --- starting a group and changing its terms -------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def group_new(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not access.sees_groups(member):
        raise Http404
    if not access.manages_groups(member):
        raise PermissionDenied
    form = GroupTermsForm(request.POST or None, organisation_id=member.organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            group = groups.start_group(actor=member, terms=form.terms())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The group is started. Its terms are on its page."))
            return redirect("support:group", group.pk)
    return render(request, "support/groups/form.html", {"form": form, "group": None})


@require_http_methods(["GET", "POST"])
@member_page
def group_edit(request: HttpRequest, group_id: str) -> HttpResponse:
    member = _member(request)
    group = access.group_for_member(member, group_id, Action.CHANGE)
    form = GroupTermsForm(request.POST or None, organisation_id=member.organisation_id, group=group)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            groups.change_terms(
                actor=member,
                group=group,
                version=form.cleaned_data["version"] or 0,
                terms=form.terms(),
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            stale = True
            group.refresh_from_db()
            form.keep_typing_over(group.version)
        else:
            messages.success(request, _("The terms are saved."))
            return redirect("support:group", group.pk)
    return render(
        request,
        "support/groups/form.html",
        {"form": form, "group": group, "stale": stale},
    )


# --- one group -----------------------------------------------------------------------


def _group_page(
    request: HttpRequest,
    member: Membership,
    group: SupportGroup,
    *,
    meeting_form: GroupMeetingForm | None = None,
    learning_form: LearningForm | None = None,
) -> HttpResponse:
    today = local_today(member)
    inside = access.sees_group_inside(member, group)
    context: dict[str, Any] = {
        "group": group,
        "terms": groups.terms_text(group),
        "today": today,
        "suspended": group.is_suspended(today),
        "inside": inside,
        "is_member": access.is_group_member(member, group),
        "may_join": access.sees_groups(member) and group.state != SupportGroup.State.CLOSED,
        "may_change_terms": group.state != SupportGroup.State.CLOSED
        and (access.manages_groups(member) or access.is_facilitator(member, group)),
        "manages": access.manages_groups(member),
        "may_share": groups.may_share(member, group),
        "learning": list(group.learning.order_by("-shared_at")[:LEARNING_SHOWN]),
        "sees_steps": groups.sees_steps(member, group),
    }
    if inside:
        context["members"] = list(groups.current_members(group))
        context["meetings"] = list(
            GroupMeeting.objects.filter(
                organisation_id=group.organisation_id, group=group
            ).order_by("-held_on")[:MEETINGS_SHOWN]
        )
        if group.state != SupportGroup.State.CLOSED:
            context["meeting_form"] = meeting_form or GroupMeetingForm(initial={"held_on": today})
    if context["may_share"]:
        context["learning_form"] = learning_form or LearningForm()
    if context["sees_steps"]:
        context["steps"] = list(
            GroupStep.objects.filter(organisation_id=group.organisation_id, group=group)
            .select_related("recorded_by__user")
            .order_by("recorded_at")
        )
        context["steps_possible"] = groups.steps_possible(group, today)
    return render(request, "support/groups/group.html", context)


@require_safe
@member_page
def group_page(request: HttpRequest, group_id: str) -> HttpResponse:
    member = _member(request)
    group = access.group_for_member(member, group_id)
    return _group_page(request, member, group)


@require_safe
@member_page
def group_terms_pdf(request: HttpRequest, group_id: str) -> HttpResponse:
    """The terms of reference as a PDF, for whoever sees the group."""
    member = _member(request)
    group = access.group_for_member(member, group_id)
    content = tor_pdf.terms_pdf(group, today=local_today(member))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="terms-of-reference.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@member_page
def group_join(request: HttpRequest, group_id: str) -> HttpResponse:
    member = _member(request)
    group = access.group_for_member(member, group_id)
    try:
        if groups.membership_of(member, group) is not None:
            messages.info(request, _("You are in this group already."))
        else:
            groups.join_group(actor=member, group=group)
            messages.success(request, _("You have joined the group."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("support:group", group.pk)


@require_POST
@member_page
def group_leave(request: HttpRequest, group_id: str) -> HttpResponse:
    member = _member(request)
    group = access.group_for_member(member, group_id)
    if groups.leave_group(actor=member, group=group):
        messages.success(request, _("You have left the group."))
    else:
        messages.info(request, _("You were not in this group."))
    return redirect("support:group", group.pk)


@require_POST
@member_page
def group_meeting_new(request: HttpRequest, group_id: str) -> HttpResponse:
    """A member or the facilitator records that the group met."""
    member = _member(request)
    group = access.group_for_member(member, group_id)
    if not access.sees_group_inside(member, group):
        raise Http404
    form = GroupMeetingForm(request.POST)
    if form.is_valid():
        try:
            groups.record_meeting(
                actor=member,
                group=group,
                held_on=form.cleaned_data["held_on"],
                attended=form.cleaned_data["attended"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect("support:group", group.pk)
    return _group_page(request, member, group, meeting_form=form)


@require_POST
@member_page
def group_learning_new(request: HttpRequest, group_id: str) -> HttpResponse:
    """A member or the facilitator shares what the group learned, with everyone."""
    member = _member(request)
    group = access.group_for_member(member, group_id)
    if not access.sees_group_inside(member, group):
        raise PermissionDenied
    form = LearningForm(request.POST)
    if form.is_valid():
        try:
            groups.share_learning(actor=member, group=group, text=form.cleaned_data["text"])
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Shared with everyone in the organisation."))
            return redirect("support:group", group.pk)
    return _group_page(request, member, group, learning_form=form)


@require_http_methods(["GET", "POST"])
@member_page
def group_step_new(request: HttpRequest, group_id: str) -> HttpResponse:
    """HR or the director record a step of the §4.8 path, in its order."""
    member = _member(request)
    group = access.group_for_member(member, group_id)
    if not groups.sees_steps(member, group):
        raise Http404
    if not access.manages_groups(member):
        raise PermissionDenied
    today = local_today(member)
    possible = groups.steps_possible(group, today)
    form = StepForm(request.POST or None, initial={"held_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            step = groups.record_step(
                actor=member,
                group=group,
                kind=form.cleaned_data["kind"],
                held_on=form.cleaned_data["held_on"],
                outcome=form.cleaned_data["outcome"],
                ends_on=form.cleaned_data["ends_on"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            if step.kind == GroupStep.Kind.SUSPENSION:
                messages.success(
                    request,
                    _("The group is suspended. Its facilitator and members have been told."),
                )
            else:
                messages.success(request, _("The step is recorded. The facilitator is told."))
            return redirect("support:group", group.pk)
    return render(
        request,
        "support/groups/step_form.html",
        {
            "group": group,
            "form": form,
            "possible": [GroupStep.Kind(kind).label for kind in possible],
            "suspended": group.is_suspended(today),
            "max_end": today + dt.timedelta(days=groups.SUSPENSION_MAX_DAYS),
        },
    )


@require_POST
@member_page
def group_close(request: HttpRequest, group_id: str) -> HttpResponse:
    member = _member(request)
    group = access.group_for_member(member, group_id, Action.DELETE)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        groups.close_group(actor=member, group=group, version=version or 0)
    except StaleVersion:
        messages.error(
            request,
            _("Someone changed this group in the meantime, so it was not closed. Look again."),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The group is closed."))
    return redirect("support:group", group.pk)
