"""Peer retreat pages (issue 7 item 8; guide §3.12): the list, planning one, its page with
the agenda and the audit item's prompts, changing and cancelling it.

Retreats are work data: every working member sees them (``access.retreat_for_member``);
line managers, HR and the director plan them; their organiser, HR and the director
change and cancel them. Thin views: the gate first, the form parses, ``retreats`` decides.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action, is_working_member
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors
from peerwork.schedule.services import local_today

from . import access, retreats
from .models import Retreat
from .retreat_forms import RetreatForm

LIST_LIMIT = 50


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


@require_safe
@member_page
def retreat_list(request: HttpRequest) -> HttpResponse:
    """Retreats still to come (soonest first), then the last few that have passed."""
    member = _member(request)
    if not is_working_member(member):
        raise Http404
    today = local_today(member)
    found = Retreat.objects.filter(organisation_id=member.organisation_id).select_related(
        "organiser__user"
    )
    coming = list(found.filter(ends_on__gte=today).order_by("starts_on", "title")[:LIST_LIMIT])
    past = list(found.filter(Q(ends_on__lt=today)).order_by("-starts_on", "title")[:LIST_LIMIT])
    return render(
        request,
        "support/retreats/list.html",
        {
            "coming": coming,
            "past": past,
            "today": today,
            "may_plan": access.organises_retreats(member),
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def retreat_new(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not is_working_member(member):
        raise Http404
    if not access.organises_retreats(member):
        raise PermissionDenied
    form = RetreatForm(request.POST or None, organisation_id=member.organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            retreat = retreats.plan_retreat(actor=member, fields=form.fields_given())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The retreat is planned and on the schedule."))
            return redirect("support:retreat", retreat.pk)
    return render(request, "support/retreats/form.html", {"form": form, "retreat": None})


@require_safe
@member_page
def retreat_page(request: HttpRequest, retreat_id: str) -> HttpResponse:
    member = _member(request)
    retreat = access.retreat_for_member(member, retreat_id)
    starts, ends = retreats.day_times(retreat)
    return render(
        request,
        "support/retreats/retreat.html",
        {
            "retreat": retreat,
            "agenda": retreats.agenda_of(retreat),
            "prompts": [str(p) for p in retreats.AUDIT_PROMPTS],
            "audit_hint": retreats.AUDIT_HINT,
            "invited": retreats.invited(retreat),
            "day_starts": starts,
            "day_ends": ends,
            "may_change": retreat.cancelled_at is None and retreats.may_change(member, retreat),
            "days": (retreat.ends_on - retreat.starts_on).days + 1,
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def retreat_edit(request: HttpRequest, retreat_id: str) -> HttpResponse:
    member = _member(request)
    retreat = access.retreat_for_member(member, retreat_id, Action.CHANGE)
    form = RetreatForm(
        request.POST or None, organisation_id=member.organisation_id, retreat=retreat
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            retreats.change_retreat(
                actor=member,
                retreat=retreat,
                version=form.cleaned_data["version"] or 0,
                fields=form.fields_given(),
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            stale = True
            retreat.refresh_from_db()
            form.keep_typing_over(retreat.version)
        else:
            messages.success(request, _("Saved. The schedule shows the change."))
            return redirect("support:retreat", retreat.pk)
    return render(
        request,
        "support/retreats/form.html",
        {"form": form, "retreat": retreat, "stale": stale},
    )


@require_POST
@member_page
def retreat_cancel(request: HttpRequest, retreat_id: str) -> HttpResponse:
    member = _member(request)
    retreat = access.retreat_for_member(member, retreat_id, Action.DELETE)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        retreats.cancel_retreat(actor=member, retreat=retreat, version=version or 0)
    except StaleVersion:
        messages.error(
            request,
            _("Someone changed this retreat in the meantime, so it was not cancelled. Look again."),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The retreat is cancelled and off the schedule."))
    return redirect("support:retreat", retreat.pk)
