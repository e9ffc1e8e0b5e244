"""Incident pages (issue 5 item 6; guide §4.4, §3.4, App. 10 cases 6 and 8).

Thin views: the first line is the gate (``access``), then a form, a flow in ``incidents``
and a render. The incident page walks whoever handles it through the guide's steps for its
kind, with who did what when, the consent recorded, the court timeline for arrests and the
site's legal contacts. Each read of the sealed words by someone other than the person is
audited. A refused action shows the page again with what was typed.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors

from . import access, incidents
from .incident_forms import HelperForm, IncidentForm, LegalEventForm, StepForm
from .models import Incident, IncidentStep, LegalEvent, ShiftWorker


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


@require_safe
@member_page
def incident_list(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    rows = (
        access.incidents_for_member(member)
        .select_related("person__user", "handler__user", "shift")
        .order_by("state", "-occurred_at")[:200]
    )
    return render(
        request,
        "outreach/incidents/list.html",
        {"rows": rows, "may_record": access.sees_shifts(member)},
    )


@require_http_methods(["GET", "POST"])
@member_page
def incident_new(request: HttpRequest, shift_id: str) -> HttpResponse:
    """Open an incident on duty, from a shift."""
    member = _member(request)
    shift = access.shift_for_incident(member, shift_id)
    workers = [
        w.member for w in ShiftWorker.objects.filter(shift=shift).select_related("member__user")
    ]
    form = IncidentForm(request.POST or None, workers=workers)
    if request.method == "POST" and form.is_valid():
        person = next(w for w in workers if str(w.pk) == form.cleaned_data["person"])
        try:
            incident = incidents.open_incident(
                actor=member,
                shift=shift,
                person=person,
                kind=form.cleaned_data["kind"],
                occurred_at=form.cleaned_data["occurred_at"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            if incident.handler_id == member.pk or access.incidents_for_member(member).filter(
                pk=incident.pk
            ):
                return redirect("outreach:incident", incident.pk)
            # The partner who opened it does not keep it (the access matrix): say who has it.
            messages.success(
                request, _("Recorded. The handling manager has been told and will follow up.")
            )
            return redirect("outreach:incidents")
    return render(request, "outreach/incidents/new.html", {"form": form, "shift": shift})


@require_http_methods(["GET", "POST"])
@member_page
def incident_off_duty_new(request: HttpRequest) -> HttpResponse:
    """Record an incident in one's own time: for oneself only (§4.4)."""
    member = _member(request)
    if not access.sees_shifts(member):
        raise Http404
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = incidents.record_off_duty(
                actor=member,
                kind=form.cleaned_data["kind"],
                occurred_at=form.cleaned_data["occurred_at"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            return redirect("outreach:incident", incident.pk)
    return render(request, "outreach/incidents/off_duty_new.html", {"form": form})


@require_safe
@member_page
def incident_page(request: HttpRequest, incident_id: str) -> HttpResponse:
    member = _member(request)
    incident = access.incident_for_member(member, incident_id)
    return _render_incident(request, member, incident)


@require_POST
@member_page
def incident_step(request: HttpRequest, incident_id: str) -> HttpResponse:
    member = _member(request)
    incident = access.incident_for_member(member, incident_id, Action.CHANGE)
    form = StepForm(request.POST, incident=incident)
    if form.is_valid():
        try:
            incidents.record_step(
                actor=member,
                incident=incident,
                version=form.cleaned_data["version"] or 0,
                step=form.cleaned_data["step"],
                note=form.cleaned_data["note"],
                consent=form.consent_value(),
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            return _stale(request, member, incident, step_form=form)
        else:
            messages.success(request, _("Step recorded."))
            return redirect("outreach:incident", incident.pk)
    return _render_incident(request, member, incident, step_form=form)


@require_POST
@member_page
def incident_legal(request: HttpRequest, incident_id: str) -> HttpResponse:
    member = _member(request)
    incident = access.incident_for_member(member, incident_id, Action.CHANGE)
    form = LegalEventForm(request.POST, incident=incident)
    if form.is_valid():
        try:
            incidents.add_legal_event(
                actor=member,
                incident=incident,
                version=form.cleaned_data["version"] or 0,
                kind=form.cleaned_data["kind"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            return _stale(request, member, incident, legal_form=form)
        else:
            messages.success(request, _("Added to the court timeline."))
            return redirect("outreach:incident", incident.pk)
    return _render_incident(request, member, incident, legal_form=form)


@require_POST
@member_page
def incident_take_over(request: HttpRequest, incident_id: str) -> HttpResponse:
    member = _member(request)
    incident = access.incident_to_take_over(member, incident_id)
    return _simple(request, member, incident, incidents.take_over, _("You are handling it now."))


@require_POST
@member_page
def incident_pass(request: HttpRequest, incident_id: str) -> HttpResponse:
    member = _member(request)
    incident = access.incident_for_member(member, incident_id, Action.CHANGE)
    return _simple(
        request, member, incident, incidents.pass_to_director, _("Passed to the director.")
    )


@require_POST
@member_page
def incident_close(request: HttpRequest, incident_id: str) -> HttpResponse:
    member = _member(request)
    incident = access.incident_for_member(member, incident_id, Action.CHANGE)
    return _simple(request, member, incident, incidents.close_incident, _("Closed."))


@require_POST
@member_page
def incident_helper(request: HttpRequest, incident_id: str) -> HttpResponse:
    """Off duty: the person asks one colleague to help (or nobody)."""
    member = _member(request)
    # The same people as may delete it: the person, off duty.
    incident = access.incident_for_member(member, incident_id, Action.DELETE)
    form = HelperForm(request.POST, incident=incident)
    if form.is_valid():
        try:
            incidents.set_helper(
                actor=member,
                incident=incident,
                version=form.cleaned_data["version"] or 0,
                helper=form.cleaned_data["helper"],
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            return _stale(request, member, incident, helper_form=form)
        else:
            messages.success(request, _("Saved."))
            return redirect("outreach:incident", incident.pk)
    return _render_incident(request, member, incident, helper_form=form)


@require_POST
@member_page
def incident_delete(request: HttpRequest, incident_id: str) -> HttpResponse:
    """Off duty: the person deletes their own record."""
    member = _member(request)
    incident = access.incident_for_member(member, incident_id, Action.DELETE)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            incidents.delete_incident(
                actor=member, incident=incident, version=form.cleaned_data["version"] or 0
            )
        except StaleVersion:
            return _stale(request, member, incident)
        messages.success(request, _("Deleted, with its steps and court timeline."))
        return redirect("outreach:incidents")
    return _render_incident(request, member, incident)


# --- helpers ---------------------------------------------------------------------------


def _simple(
    request: HttpRequest, member: Membership, incident: Incident, flow: Any, done: str
) -> HttpResponse:
    """A button: the version as read, the flow, the page again."""
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            flow(actor=member, incident=incident, version=form.cleaned_data["version"] or 0)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except StaleVersion:
            return _stale(request, member, incident)
        else:
            messages.success(request, done)
            if access.incidents_for_member(member).filter(pk=incident.pk).exists():
                return redirect("outreach:incident", incident.pk)
            return redirect("outreach:incidents")
    if access.incidents_for_member(member).filter(pk=incident.pk).exists():
        return redirect("outreach:incident", incident.pk)
    return redirect("outreach:incidents")


def _stale(
    request: HttpRequest, member: Membership, incident: Incident, **forms: Any
) -> HttpResponse:
    """Someone else changed the record first: the page as it is now, what was typed kept."""
    incident.refresh_from_db()
    for form in forms.values():
        form.keep_typing_over(incident.version)
    return _render_incident(request, member, incident, stale=True, **forms)


def _render_incident(
    request: HttpRequest,
    member: Membership,
    incident: Incident,
    *,
    stale: bool = False,
    step_form: StepForm | None = None,
    legal_form: LegalEventForm | None = None,
    helper_form: HelperForm | None = None,
) -> HttpResponse:
    incidents.read_incident(actor=member, incident=incident)
    now = timezone.now()
    done = list(
        IncidentStep.objects.filter(incident=incident)
        .select_related("done_by__user")
        .order_by("done_at")
    )
    checklist = [
        (step, [row for row in done if row.step == step.code])
        for step in incidents.steps_for(incident.kind)
    ]
    court = incident.kind in incidents.COURT_KINDS
    may_change = access.may_change_incident(member, incident)
    is_open = incident.state == Incident.State.OPEN
    context = {
        "incident": incident,
        "is_person": member.pk == incident.person_id,
        "checklist": checklist,
        "court": court,
        "legal_events": list(
            LegalEvent.objects.filter(incident=incident)
            .select_related("recorded_by__user")
            .order_by("on", "created_at")
        )
        if court
        else [],
        "contacts": incidents.legal_contacts_for_site(
            incident.organisation_id, incident.shift.site_id if incident.shift else None
        )
        if incident.kind == Incident.Kind.ARREST
        else [],
        "may_change": may_change and is_open,
        "step_form": step_form or StepForm(incident=incident),
        "legal_form": legal_form or LegalEventForm(incident=incident),
        "helper_form": helper_form or HelperForm(incident=incident),
        "may_set_helper": access.may_delete_incident(member, incident) and is_open,
        "may_delete": access.may_delete_incident(member, incident),
        "may_pass": incidents.may_pass_to_director(member, incident),
        "may_close": incidents.may_close(member, incident),
        "may_take_over": incidents.may_take_over(member, incident, now=now),
        "since_hours": int((now - incident.occurred_at).total_seconds() // 3600),
        "since_minutes": int((now - incident.occurred_at).total_seconds() // 60 % 60),
        "pep_open": incident.kind == Incident.Kind.NEEDLE_STICK
        and now - incident.occurred_at < incidents.PEP_LATEST
        and not any(row.step == "pep" for row in done),
        "stale": stale,
    }
    return render(request, "outreach/incidents/incident.html", context)
