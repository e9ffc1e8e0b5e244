"""Trips and events, and the traveller's OST checklist and request letter (issue 6 item 5;
§2.4.1, the §3.4 tips).

Thin views: the first line is the gate (``access``), then a form, a flow in ``travel`` and
a render. A trip is work data: every working member sees it, with who goes by name. Its
planners (``access.may_plan_trip``) change and cancel it, and they are shown the timing
check: whether the first session starts before people collecting at the OST site can
arrive. The checklist and the letter are the traveller's alone (and HR's under their named
share of OST); nobody else learns whether anyone opted in: the trip page is the same for
everyone who is not the traveller.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership, Role
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.outreach.documents import in_org_language
from peerwork.people.forms import VersionForm, carry_over, put_errors

from . import access, conflicts, letter, travel
from .models import Traveller, Trip
from .travel_forms import ChecklistForm, TripForm, checklist_initial, trip_initial

LIST_LIMIT = 100


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _today(member: Membership) -> Any:
    return timezone.localdate(timezone.now(), conflicts.zone_of(member.organisation))


# --- trips -----------------------------------------------------------------------------


@require_safe
@member_page
def trips(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not access.sees_schedule(member):
        raise Http404
    today = _today(member)
    rows = list(
        Trip.objects.filter(organisation_id=member.organisation_id, ends_on__gte=today).order_by(
            "starts_on", "title"
        )[:LIST_LIMIT]
    )
    mine = set(
        Traveller.objects.filter(
            organisation_id=member.organisation_id, member=member, trip__in=rows
        ).values_list("trip_id", flat=True)
    )
    return render(
        request,
        "schedule/travel/trips.html",
        {
            "rows": [(trip, trip.pk in mine) for trip in rows],
            "may_organise": access.may_organise(member),
            "may_change_settings": travel.may_change_settings(member),
        },
    )


def _draft_into(form: TripForm, member: Membership) -> TripForm:
    """The typed trip again, its announcement replaced by a draft (nothing saved)."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["announcement"] = travel.draft_announcement(form.trip_fields())
    return TripForm(data, member=member)


@require_http_methods(["GET", "POST"])
@member_page
def trip_new(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not access.sees_schedule(member):
        raise Http404
    if not access.may_organise(member):
        raise PermissionDenied
    form = TripForm(request.POST or None, member=member, initial={"version": 1})
    if request.method == "POST" and form.is_valid():
        if "draft" in request.POST:
            form = _draft_into(form, member)
        else:
            try:
                trip = travel.create_trip(actor=member, fields=form.trip_fields())
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(request, _("The trip is on the schedule."))
                return redirect("schedule:trip", trip.pk)
    return render(request, "schedule/travel/trip_form.html", {"form": form, "trip": None})


@require_safe
@member_page
def trip_page(request: HttpRequest, trip_id: str) -> HttpResponse:
    member = _member(request)
    trip = access.trip_for_member(member, trip_id)
    travellers = travel.travellers_of(trip)
    planner = access.may_plan_trip(member, trip)
    own = next((row for row in travellers if row.member_id == member.pk), None)
    return render(
        request,
        "schedule/travel/trip.html",
        {
            "trip": trip,
            "travellers": travellers,
            "planner": planner,
            "timing": travel.timing_warning(trip) if planner else None,
            "arrival": travel.earliest_arrival(trip),
            "own": own,
            "helped": _help_links(member, travellers),
            "cancel_form": VersionForm(initial={"version": trip.version}),
        },
    )


def _help_links(member: Membership, travellers: list[Traveller]) -> list[Traveller]:
    """Travellers whose checklist HR may help with under their named share of OST (the
    same links whether or not anyone opted in)."""
    if not member.has_role(Role.HR):
        return []
    return [
        row
        for row in travellers
        if row.member_id != member.pk and access.may_help_with(member, row.member, "ost")
    ]


@require_http_methods(["GET", "POST"])
@member_page
def trip_edit(request: HttpRequest, trip_id: str) -> HttpResponse:
    member = _member(request)
    trip = access.trip_for_member(member, trip_id, Action.CHANGE)
    if trip.is_cancelled:
        messages.error(request, _("This trip is cancelled; it cannot be changed."))
        return redirect("schedule:trip", trip.pk)
    stale = False
    if request.method != "POST":
        ids = [row.member_id for row in travel.travellers_of(trip)]
        form = TripForm(initial=trip_initial(trip, ids), member=member)
    else:
        form = TripForm(request.POST, member=member)
        if form.is_valid():
            if "draft" in request.POST:
                form = _draft_into(form, member)
            else:
                try:
                    travel.update_trip(
                        actor=member,
                        trip=trip,
                        version=form.cleaned_data.get("version") or 0,
                        fields=form.trip_fields(),
                    )
                except ValidationError as error:
                    put_errors(form, error)
                except StaleVersion:
                    trip.refresh_from_db()
                    form.keep_typing_over(trip.version)
                    stale = True
                else:
                    messages.success(request, _("The trip is saved."))
                    return redirect("schedule:trip", trip.pk)
    return render(
        request, "schedule/travel/trip_form.html", {"form": form, "trip": trip, "stale": stale}
    )


@require_POST
@member_page
def trip_cancel(request: HttpRequest, trip_id: str) -> HttpResponse:
    member = _member(request)
    trip = access.trip_for_member(member, trip_id, Action.CHANGE)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        travel.cancel_trip(actor=member, trip=trip, version=version or 0)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except StaleVersion:
        messages.error(
            request,
            _(
                "Someone else changed this trip a moment ago, so it was not cancelled. Check it and try again."
            ),
        )
    else:
        messages.success(request, _("The trip is cancelled. Travellers see it as cancelled."))
    return redirect("schedule:trip", trip.pk)


# --- the traveller's checklist ----------------------------------------------------------


def _checklist_page(
    request: HttpRequest,
    member: Membership,
    traveller: Traveller,
    *,
    details: dict[str, Any],
    form: ChecklistForm | None = None,
    stale: bool = False,
) -> HttpResponse:
    opted_in = bool(details)
    dates = travel.checklist_dates(traveller, details, today=_today(member))
    if opted_in and form is None:
        form = ChecklistForm(initial=checklist_initial(details, traveller.version))
    return render(
        request,
        "schedule/travel/checklist.html",
        {
            "traveller": traveller,
            "trip": traveller.trip,
            "own": traveller.member_id == member.pk,
            "opted_in": opted_in,
            "details": details,
            "dates": dates,
            "form": form,
            "stale": stale,
            "letter_ready": opted_in and bool(details.get("letter_consent")),
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def checklist(request: HttpRequest, traveller_id: str) -> HttpResponse:
    member = _member(request)
    traveller = access.checklist_for_member(member, traveller_id)
    if request.method != "POST":
        details = travel.read_checklist(actor=member, traveller=traveller)
        return _checklist_page(request, member, traveller, details=details)
    action = request.POST.get("action", "save")
    try:
        if action == "opt_in":
            travel.opt_in(actor=member, traveller=traveller)
            messages.success(request, _("Your travel checklist is started. Only you see it."))
            return redirect("schedule:checklist", traveller.pk)
        if action == "opt_out":
            travel.opt_out(actor=member, traveller=traveller)
            messages.success(request, _("The checklist is cleared: nothing of it is kept."))
            return redirect("schedule:checklist", traveller.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("schedule:checklist", traveller.pk)
    form = ChecklistForm(request.POST)
    stale = False
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            travel.update_checklist(
                actor=member,
                traveller=traveller,
                version=traveller.version if version is None else version,
                details=data,
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            traveller.refresh_from_db()
            carry_over(form, "version", traveller.version)
            stale = True
        else:
            messages.success(request, _("Your checklist is saved."))
            return redirect("schedule:checklist", traveller.pk)
    details = travel.read_checklist(actor=member, traveller=traveller)
    if not details:  # cleared meanwhile
        return redirect("schedule:checklist", traveller.pk)
    return _checklist_page(request, member, traveller, details=details, form=form, stale=stale)


@require_safe
@member_page
def letter_pdf(request: HttpRequest, traveller_id: str) -> HttpResponse:
    """The draft request letter, only for the traveller (or HR under their share) and only
    once they consented on their checklist; anyone else, or before consent: 404."""
    member = _member(request)
    traveller = access.checklist_for_member(member, traveller_id)
    details = travel.read_checklist(actor=member, traveller=traveller)
    if not details.get("letter_consent"):
        raise Http404
    with in_org_language(traveller.trip.organisation):
        found = letter.disclosed(member, traveller)
        content = letter.letter_pdf(letter.letter_for(traveller, details, found))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="ost-request-letter.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
