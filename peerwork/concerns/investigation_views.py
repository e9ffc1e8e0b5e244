"""The investigation and named-supporter pages (issue 8 items 4 and 5; §4.4, §4.5, §4.7).

- ``investigations/``: the investigations the member may know of.
- ``investigations/new/?concern=``: HR opens one on a concern.
- ``investigations/<id>/``: what it is and, for the person, their standing in plain words
  (presumed innocent, still an employee, who supports them and that supporters take no
  part); what is inside (investigators, findings) for the investigators and HR, and for the
  person once completed. HR names investigators, records a suspension with support and
  completes it; investigators and HR write the findings.
- ``supporters/?concern=``: who supports the person while the concern is open; the person
  (or whoever works the case) names someone, and ends a named support.

Thin views: the first line is the record's gate (``access.investigation_for_member``,
``access.concern_for_member``, ``investigations.supporter_for_member``); the flows are in
``investigations``. A supporter asking for an investigation gets 404 like an outsider, and
the gate audits the attempt.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action, parse_id
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors

from . import access, investigations
from .investigation_forms import (
    CompleteForm,
    FindingsForm,
    InvestigatorForm,
    SupporterForm,
    SuspensionForm,
)
from .models import Concern, Investigation


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _stale() -> str:
    return _(
        "This investigation was changed by someone else meanwhile, so your change was not "
        "saved. What you typed is still here: save again to replace what is stored now."
    )


def _page(investigation: Investigation) -> HttpResponse:
    return redirect("concerns:investigation", investigation_id=investigation.pk)


def _supporters_url(concern: Concern) -> str:
    return f"{reverse('concerns:supporters')}?concern={concern.pk}"


# --- the list and opening ----------------------------------------------------------------


@require_safe
@member_page
def investigation_list(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not access.uses_concerns(member):
        raise Http404
    rows = investigations.investigations_for(member)
    return render(
        request,
        "concerns/investigation_list.html",
        {"rows": rows, "member": member},
    )


@require_http_methods(["GET", "POST"])
@member_page
def investigation_new(request: HttpRequest) -> HttpResponse:
    """HR opens an investigation on a concern (``?concern=``): a page that says what it
    means, and a button."""
    concern = access.concern_for_member(_member(request), request.GET.get("concern"), Action.CHANGE)
    member = _member(request)
    existing = investigations.investigation_of(concern)
    if existing is not None:
        if access.reads_investigation(member, existing):
            return _page(existing)
        raise Http404  # one they may not know of (§4.7): as if there were none to see
    if not investigations.may_open(member, concern):
        raise PermissionDenied
    error = None
    if request.method == "POST":
        try:
            investigation = investigations.open_investigation(actor=member, concern=concern)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(
                request,
                _(
                    "The investigation is open. Name the investigators: people who take no part in the staff member's support."
                ),
            )
            return _page(investigation)
    context = {
        "concern": concern,
        "suggested": investigations.suggests_investigation(concern),
        "error": error,
    }
    return render(request, "concerns/investigation_new.html", context)


# --- one investigation -----------------------------------------------------------------------


def _investigation_page(
    request: HttpRequest,
    investigation: Investigation,
    *,
    investigator_form: InvestigatorForm | None = None,
    findings_form: FindingsForm | None = None,
    stale: bool = False,
) -> HttpResponse:
    member = _member(request)
    concern = investigation.concern
    inside = access.reads_findings(member, investigation)
    runs = investigations.runs_investigation(member, investigation) and investigation.is_open()
    writes = investigations.writes_findings(member, investigation)
    if runs and investigator_form is None:
        investigator_form = InvestigatorForm(investigation=investigation)
    if writes and findings_form is None:
        findings_form = FindingsForm(
            initial={"findings": investigation.findings or "", "version": investigation.version}
        )
    today = investigation.person.organisation.local_today()
    sees_supporters = member.pk == investigation.person_id or access.manages_case(
        member, investigation.person
    )
    context: dict[str, Any] = {
        "investigation": investigation,
        "concern": concern,
        "is_person": member.pk == investigation.person_id,
        "inside": inside,
        "investigators": investigations.investigators_on(investigation) if inside else [],
        "findings": (investigation.findings or "") if inside else "",
        "supporters": investigations.supporters_on(concern) if sees_supporters else [],
        "sees_supporters": sees_supporters,
        "supporters_url": _supporters_url(concern),
        "suspended_now": investigations.suspended_on(investigation, today),
        "suspension_ahead": investigations.suspension_ahead(investigation, today),
        "runs": runs,
        "investigator_form": investigator_form if runs else None,
        "findings_form": findings_form if writes else None,
        "stale": stale,
    }
    return render(request, "concerns/investigation.html", context)


@require_safe
@member_page
def investigation_page(request: HttpRequest, investigation_id: str) -> HttpResponse:
    investigation = access.investigation_for_member(_member(request), investigation_id)
    return _investigation_page(request, investigation)


@require_POST
@member_page
def investigator_add(request: HttpRequest, investigation_id: str) -> HttpResponse:
    """HR names an investigator; a supporter of the person is refused with the rule in
    words (§4.7), the choice kept in the form."""
    investigation = access.investigation_for_member(
        _member(request), investigation_id, Action.CHANGE
    )
    member = _member(request)
    if not investigations.runs_investigation(member, investigation):
        raise PermissionDenied
    form = InvestigatorForm(request.POST, investigation=investigation)
    if form.is_valid():
        try:
            investigations.add_investigator(
                actor=member, investigation=investigation, member=form.cleaned_data["member"]
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is an investigator now.") % {"name": form.cleaned_data["member"].name},
            )
            return _page(investigation)
    return _investigation_page(request, investigation, investigator_form=form)


@require_POST
@member_page
def investigator_remove(request: HttpRequest, investigation_id: str) -> HttpResponse:
    investigation = access.investigation_for_member(
        _member(request), investigation_id, Action.CHANGE
    )
    member = _member(request)
    if not investigations.runs_investigation(member, investigation):
        raise PermissionDenied
    try:
        wanted = parse_id(request.POST.get("member"))
    except Http404:
        wanted = None
    try:
        removed = wanted is not None and investigations.remove_investigator(
            actor=member, investigation=investigation, member_id=wanted
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if removed:
            messages.success(request, _("They are no longer an investigator."))
        else:
            messages.error(request, _("They were not an investigator: nothing changed."))
    return _page(investigation)


@require_POST
@member_page
def findings_save(request: HttpRequest, investigation_id: str) -> HttpResponse:
    investigation = access.investigation_for_member(
        _member(request), investigation_id, Action.CHANGE
    )
    member = _member(request)
    if not investigations.writes_findings(member, investigation):
        raise PermissionDenied
    form = FindingsForm(request.POST)
    stale = False
    if form.is_valid():
        try:
            investigations.record_findings(
                actor=member,
                investigation=investigation,
                findings=form.cleaned_data.get("findings") or "",
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            investigation.refresh_from_db()
            form.keep_typing_over(investigation.version)
            stale = True
        else:
            messages.success(request, _("The findings are saved."))
            return _page(investigation)
    return _investigation_page(request, investigation, findings_form=form, stale=stale)


@require_http_methods(["GET", "POST"])
@member_page
def suspension(request: HttpRequest, investigation_id: str) -> HttpResponse:
    """HR records a suspension with support (§4.7)."""
    investigation = access.investigation_for_member(
        _member(request), investigation_id, Action.CHANGE
    )
    member = _member(request)
    if not investigations.runs_investigation(member, investigation):
        raise PermissionDenied
    stale = False
    if request.method != "POST":
        form = SuspensionForm(
            initial={
                "suspended_from": investigation.suspended_from,
                "suspended_until": investigation.suspended_until,
                "version": investigation.version,
            }
        )
    else:
        form = SuspensionForm(request.POST)
        if form.is_valid():
            try:
                investigations.set_suspension(
                    actor=member,
                    investigation=investigation,
                    suspended_from=form.cleaned_data["suspended_from"],
                    suspended_until=form.cleaned_data["suspended_until"],
                    version=form.cleaned_data.get("version"),
                )
            except ValidationError as error:
                put_errors(form, error)
            except StaleVersion:
                investigation.refresh_from_db()
                form.keep_typing_over(investigation.version)
                stale = True
            else:
                messages.success(
                    request,
                    _(
                        "The suspension is recorded. The staff member is told, and their supporters go on supporting them."
                    ),
                )
                return _page(investigation)
    context = {
        "investigation": investigation,
        "form": form,
        "stale": stale,
        "supporters": investigations.supporters_on(investigation.concern),
        "supporters_url": _supporters_url(investigation.concern),
    }
    return render(request, "concerns/investigation_suspension.html", context)


@require_POST
@member_page
def suspension_end(request: HttpRequest, investigation_id: str) -> HttpResponse:
    investigation = access.investigation_for_member(
        _member(request), investigation_id, Action.CHANGE
    )
    member = _member(request)
    if not investigations.runs_investigation(member, investigation):
        raise PermissionDenied
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        investigations.end_suspension(actor=member, investigation=investigation, version=version)
    except StaleVersion:
        messages.error(request, _stale())
    else:
        messages.success(request, _("The suspension has ended. The staff member is told."))
    return _page(investigation)


@require_http_methods(["GET", "POST"])
@member_page
def complete(request: HttpRequest, investigation_id: str) -> HttpResponse:
    """HR completes the investigation with its findings and outcome."""
    investigation = access.investigation_for_member(
        _member(request), investigation_id, Action.CHANGE
    )
    member = _member(request)
    if not investigations.runs_investigation(member, investigation):
        raise PermissionDenied
    if not investigation.is_open():
        return _page(investigation)
    stale = False
    if request.method != "POST":
        form = CompleteForm(
            initial={"findings": investigation.findings or "", "version": investigation.version}
        )
    else:
        form = CompleteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                investigations.complete_investigation(
                    actor=member,
                    investigation=investigation,
                    outcome=data["outcome"],
                    findings=data["findings"],
                    reason=data.get("reason") or "",
                    version=data.get("version"),
                )
            except ValidationError as error:
                put_errors(form, error)
            except StaleVersion:
                investigation.refresh_from_db()
                form.keep_typing_over(investigation.version)
                stale = True
            else:
                if data["outcome"] == Investigation.Outcome.DISCIPLINARY:
                    done = _(
                        "The investigation is completed. The hand-off to the disciplinary "
                        "procedure waits for HR's countersignature."
                    )
                else:
                    done = _("The investigation is completed and the concern is closed.")
                messages.success(request, done)
                return _page(investigation)
    context = {"investigation": investigation, "form": form, "stale": stale}
    return render(request, "concerns/investigation_complete.html", context)


# --- named supporters --------------------------------------------------------------------------


def _supporters_page(
    request: HttpRequest, concern: Concern, form: SupporterForm | None = None
) -> HttpResponse:
    member = _member(request)
    names = investigations.names_supporters(member, concern) and concern.is_open()
    if names and form is None:
        form = SupporterForm(person=concern.person)
    rows = investigations.supporters_on(concern)
    context: dict[str, Any] = {
        "concern": concern,
        "is_person": member.pk == concern.person_id,
        "rows": rows,
        "removable": {
            row.pk
            for row in rows
            if member.pk in (concern.person_id, row.member_id) or access.is_hr(member)
        },
        "form": form if names else None,
        "member": member,
    }
    return render(request, "concerns/supporters.html", context)


def _supporters_concern(request: HttpRequest, wanted: object) -> Concern:
    """The concern whose supporters are asked for: the person, whoever works the case and
    its supporters see them; an investigator, as such, does not (§4.7)."""
    concern = access.concern_for_member(_member(request), wanted)
    member = _member(request)
    if not (
        member.pk == concern.person_id
        or access.manages_case(member, concern.person)
        or access.is_named_supporter(member, concern)
    ):
        raise Http404
    return concern


@require_http_methods(["GET", "POST"])
@member_page
def supporters(request: HttpRequest) -> HttpResponse:
    """Who supports the person while the concern is open (``?concern=``), and naming one."""
    concern = _supporters_concern(request, request.GET.get("concern"))
    member = _member(request)
    if request.method != "POST":
        return _supporters_page(request, concern)
    if not investigations.names_supporters(member, concern):
        raise PermissionDenied
    form = SupporterForm(request.POST, person=concern.person)
    if form.is_valid():
        try:
            investigations.name_supporter(
                actor=member, concern=concern, member=form.cleaned_data["member"]
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is named to support. They are told.")
                % {"name": form.cleaned_data["member"].name},
            )
            return redirect(_supporters_url(concern))
    return _supporters_page(request, concern, form)


@require_POST
@member_page
def supporter_remove(request: HttpRequest, named_supporter_id: str) -> HttpResponse:
    row = investigations.supporter_for_member(_member(request), named_supporter_id, Action.DELETE)
    try:
        investigations.remove_supporter(actor=_member(request), supporter=row)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("That support has ended."))
    concern = row.concern
    member = _member(request)
    if (
        member.pk == concern.person_id
        or access.manages_case(member, concern.person)
        or access.is_named_supporter(member, concern)
    ):
        return redirect(_supporters_url(concern))
    return redirect("/")  # a supporter who stepped down sees the case no more
