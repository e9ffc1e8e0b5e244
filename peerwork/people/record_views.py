"""Pages of staff records, working patterns, availability, exception reports, and HR
entering a disclosure for a person under their share (issue 4 items 1, 3, 5, 6, 9).

Thin views: the first line calls an access gate (``peerwork.people.access``), then the view parses a form, calls a service and renders. Who sees
what follows DESIGN.md "Privacy model":

- a staff record is personnel data: the person, their line manager and HR read it; the line
  manager and HR change it; colleagues keep seeing only the directory card;
- availability is work data with neutral labels: nobody planning sees a reason (§2.4.1:
  regular OST dispensing is agreed as the working pattern, not shown as appointments);
- an exception report is seen by the person it is about, the mentor or coach who made it
  and its recipient; each read of what it discloses is audited (§3.11, §3.13, App. 4);
- HR enters a disclosure for a person only under an active share of that category from
  them (§2.3), and the person is told.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action, DataClass, can, is_hr
from peerwork.core.models import Membership, active_members
from peerwork.core.versions import StaleVersion
from peerwork.core.views import PAGE_SIZE, MemberRequest, member_page

from . import access, availability, exception_reports, services
from .disclosures import questions_for
from .forms import DisclosureForm, put_errors
from .models import Category, Unavailability, WorkingPattern
from .record_forms import (
    CategoryChoiceForm,
    ExceptionReportForm,
    StaffRecordForm,
    UnavailabilityForm,
    WorkingPatternForm,
    organisation_zone,
)

# How far ahead a staff record page shows a person's times away.
AVAILABILITY_AHEAD = dt.timedelta(days=14)
# The most upcoming times away "My availability" lists (a person rarely has more).
UPCOMING_LIMIT = 100


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _pattern_days(person: Membership) -> list[tuple[str, WorkingPattern | None]]:
    """Each weekday, Monday first, with its agreed hours or None for a day off."""
    rows = {
        row.weekday: row
        for row in WorkingPattern.objects.filter(
            organisation_id=person.organisation_id, membership=person
        )
    }
    return [(str(name), rows.get(day)) for day, name in WorkingPattern.Weekday.choices]


# --- staff records ---------------------------------------------------------------------


@require_safe
@member_page
def staff_records(request: HttpRequest) -> HttpResponse:
    """HR's list of working members and their terms (no disclosures, ever)."""
    member = _member(request)
    if not is_hr(member):
        raise Http404
    people = (
        Membership.objects.filter(active_members(), organisation_id=member.organisation_id)
        .select_related("user", "team", "staff_record")
        .order_by("user__display_name", "user__username")
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(person, getattr(person, "staff_record", None)) for person in page]
    return render(request, "people/records.html", {"page": page, "rows": rows})


@require_safe
@member_page
def staff_record(request: HttpRequest, person_id: str) -> HttpResponse:
    member = _member(request)
    person, record = access.staff_record_for_member(member, person_id)
    now = timezone.now()
    away = availability.availability_for(person, now, now + AVAILABILITY_AHEAD)
    return render(
        request,
        "people/record.html",
        {
            "person": person,
            "record": record,
            "saved": not record._state.adding,
            "pattern": _pattern_days(person),
            "has_pattern": away.has_pattern,
            "away": away.unavailable,
            "ahead_days": AVAILABILITY_AHEAD.days,
            "is_self": person.pk == member.pk,
            "may_change": can(member, Action.CHANGE, DataClass.PERSONNEL, person),
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def staff_record_edit(request: HttpRequest, person_id: str) -> HttpResponse:
    member = _member(request)
    person, record = access.staff_record_for_member(member, person_id, Action.CHANGE)
    form = StaffRecordForm(
        request.POST if request.method == "POST" else None, person=person, record=record
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            services.update_staff_record(
                actor=member,
                person=person,
                record=record,
                version=form.cleaned_data["version"],
                changes=changes,
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            # Someone else saved first: show what is stored now beside what this person
            # typed, and let the next save knowingly go over it.
            stale = True
            person.refresh_from_db()
            record = access.staff_record_of(person)
            form.keep_typing_over(0 if record._state.adding else record.version)
        else:
            messages.success(request, _("Staff record saved."))
            if "line_manager" in changes:
                messages.info(
                    request,
                    _(
                        "The line manager changed: anything %(name)s shared with their line "
                        "manager is paused until they confirm it."
                    )
                    % {"name": person.name},
                )
            return redirect("people:staff_record", person_id=person.pk)
    return render(
        request,
        "people/record_form.html",
        {"form": form, "person": person, "record": record, "stale": stale},
    )


@require_http_methods(["GET", "POST"])
@member_page
def working_pattern(request: HttpRequest, person_id: str) -> HttpResponse:
    member = _member(request)
    person, _record = access.staff_record_for_member(member, person_id, Action.CHANGE)
    current = [row for _name, row in _pattern_days(person) if row is not None]
    form = WorkingPatternForm(
        request.POST if request.method == "POST" else None,
        pattern=current,
        version=availability.pattern_fingerprint(person),
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            availability.set_working_pattern(
                actor=member, membership=person, days=form.days(), expected=form.read_version()
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            # Another manager saved first: show their pattern beside what this one typed,
            # and let the next save knowingly go over it.
            stale = True
            form.keep_typing_over(availability.pattern_fingerprint(person))
        else:
            messages.success(request, _("Working pattern saved."))
            return redirect("people:staff_record", person_id=person.pk)
    return render(
        request,
        "people/pattern_form.html",
        {
            "form": form,
            "person": person,
            "stale": stale,
            "saved": _pattern_days(person) if stale else [],
        },
    )


# --- my availability -------------------------------------------------------------------


def _availability_page(
    request: HttpRequest, member: Membership, form: UnavailabilityForm
) -> HttpResponse:
    upcoming = list(
        Unavailability.objects.filter(
            organisation_id=member.organisation_id,
            membership=member,
            ends_at__gt=timezone.now(),
        ).order_by("starts_at")[:UPCOMING_LIMIT]
    )
    return render(
        request,
        "people/availability.html",
        {"form": form, "pattern": _pattern_days(member), "upcoming": upcoming},
    )


@require_http_methods(["GET", "POST"])
@member_page
def my_availability(request: HttpRequest) -> HttpResponse:
    """The person's agreed working pattern (read only) and their times away."""
    member = _member(request)
    zone = organisation_zone(member.organisation)
    form = UnavailabilityForm(request.POST if request.method == "POST" else None, zone=zone)
    if request.method == "POST" and form.is_valid():
        try:
            availability.add_unavailability(
                actor=member,
                membership=member,
                kind=form.cleaned_data["kind"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except ValidationError as error:
            put_errors(form, error, {"ends_at": "end_time", "starts_at": "start_time"})
        else:
            messages.success(request, _("Time away added."))
            return redirect("people:availability")
    return _availability_page(request, member, form)


@require_POST
@member_page
def unavailability_remove(request: HttpRequest, unavailability_id: str) -> HttpResponse:
    member = _member(request)
    row = access.unavailability_for_member(member, unavailability_id)
    availability.remove_unavailability(actor=member, row=row)
    messages.success(request, _("Time away removed."))
    return redirect("people:availability")


# --- exception reports -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def exception_new(request: HttpRequest, supported_id: str) -> HttpResponse:
    member = _member(request)
    person = access.supported_person_for_member(member, supported_id)
    recipients = exception_reports.recipients_for(member, person)
    form = ExceptionReportForm(
        request.POST if request.method == "POST" else None, recipients=recipients
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = exception_reports.report_exception(
                actor=member,
                person=person,
                reason=form.cleaned_data["reason"],
                disclosed=form.cleaned_data["disclosed"],
                recipient=form.chosen_recipient(),
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            recipient = report.recipient
            messages.success(
                request,
                _("Report sent to %(recipient)s. %(person)s has been told.")
                % {"recipient": recipient.name if recipient else "", "person": person.name},
            )
            return redirect("people:exception_report", report_id=report.pk)
    return render(
        request,
        "people/exception_form.html",
        {"form": form, "person": person, "has_recipients": bool(recipients)},
    )


@require_safe
@member_page
def exception_report_list(request: HttpRequest) -> HttpResponse:
    """Reports about me, sent to me, and made by me (usually none of any)."""
    member = _member(request)
    reports = exception_reports.reports_for(member)
    return render(
        request,
        "people/exception_reports.html",
        {"reports": reports, "any": any(reports.values())},
    )


@require_safe
@member_page
def exception_report_detail(request: HttpRequest, report_id: str) -> HttpResponse:
    member = _member(request)
    report = access.exception_report_for_member(member, report_id)
    # The read is written to the audit chain before the text is shown.
    disclosed = exception_reports.read_exception_report(actor=member, report=report)
    return render(
        request,
        "people/exception_report.html",
        {
            "report": report,
            "disclosed": disclosed,
            "about_me": report.person_id == member.pk,
            "made_by_me": report.supporter_id == member.pk,
        },
    )


# --- HR entering a disclosure for a person ---------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def disclose_for(request: HttpRequest, shared_id: str) -> HttpResponse:
    """HR enters an answer for a person, in a category the person shared with them."""
    member = _member(request)
    grant = access.grant_for_member(member, shared_id)
    owner = grant.owner
    # The owner answers on their own page; only HR enters for someone, and only under a
    # share made to them by name (being in a team or organisation the owner is open with
    # lets nobody write their answers: ``access.may_enter_for``).
    if owner.pk == member.pk or not is_hr(member) or grant.grantee_id != member.pk:
        raise Http404
    # The share is active and reaches them (the gate), so it opens its categories to them.
    enterable = [c for c in Category.values if grant.covers(c)]
    if not enterable:
        raise Http404
    labels = [(c, str(Category(c).label)) for c in enterable]
    posted = request.method == "POST"
    chosen: str | None = (request.POST if posted else request.GET).get("category", "")
    problem = ""
    if chosen not in enterable:
        if posted and chosen in Category.values:
            raise PermissionDenied  # a category this share does not open to them
        if posted:
            problem = _("Choose what to enter from the list.")
        chosen = enterable[0] if len(enterable) == 1 and not posted else None
    answer_form = None
    if chosen is not None and posted and not access.may_enter_for(member, owner, chosen):
        raise PermissionDenied
    if chosen is not None:
        answer_form = DisclosureForm(request.POST if posted else None, spec=questions_for(chosen))
        if posted and answer_form.is_valid():
            try:
                services.disclose(
                    actor=member, owner=owner, category=chosen, answer=answer_form.answer()
                )
            except ValidationError as error:
                put_errors(answer_form, error)
            else:
                messages.success(
                    request,
                    _("Saved. %(name)s has been told that you entered it.") % {"name": owner.name},
                )
                return redirect("people:disclose_for", shared_id=grant.pk)
    context: dict[str, Any] = {
        "grant": grant,
        "owner": owner,
        "chooser": CategoryChoiceForm(initial={"category": chosen}, categories=labels),
        "several": len(enterable) > 1,
        "chosen": chosen,
        "chosen_label": str(Category(chosen).label) if chosen else "",
        "answer_form": answer_form,
        "spec": questions_for(chosen) if chosen else None,
        "problem": problem,
    }
    return render(request, "people/disclose_for.html", context)
