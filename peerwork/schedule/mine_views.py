"""A person's own schedule, their private planning notes, adjustments of working hours, and
what a line manager or HR sees of a person's hours (issue 6 items 1, 2 and 4; §2.4.1,
§3.5, §3.6, §4.9, App. 10 case 3).

Thin views: the first line is a gate (``access``, ``peerwork.core.access``), then a form,
a flow in ``services`` or ``people.availability``, and a render. What crosses from a
person to their manager is the hours only: the person page and the adjustment page never
show a reason or anything from a note (DESIGN.md "Privacy model"). A note is its owner's;
HR opens it only under the owner's named share, and each read by HR is audited
(``services.read_need``). A time-keeping question about hours that are an agreed
adjustment points the manager to the pattern, never to a concern (App. 10 case 3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core import access as core_access
from peerwork.core.access import Action, DataClass, can
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.availability import (
    DayHours,
    PatternDay,
    add_unavailability,
    agreed_adjustments_of,
    hours_on,
    pattern_of,
)
from peerwork.people.forms import VersionForm, put_errors
from peerwork.people.models import Adjustment, Unavailability, WorkingPattern

from . import access, conflicts, needs, services, windows
from .mine_forms import (
    NEED_FORMS,
    AdjustmentForm,
    AppointmentForm,
    AwayForm,
    DispensingForm,
    EndForm,
    ProposeForm,
    TimekeepingForm,
    need_initial,
)
from .models import PrivateNeed

# The most of one's own conflicts the page lists (a weekly meeting gives 13 in a quarter).
CONFLICTS_SHOWN = 20


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _today(member: Membership) -> dt.date:
    return timezone.localdate(timezone.now(), conflicts.zone_of(member.organisation))


def _safe_next(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


# --- the week as agreed -----------------------------------------------------------------


@dataclass(frozen=True)
class WeekDay:
    day: dt.date
    hours: DayHours | None
    pattern: PatternDay | None


def week_of(member: Membership, today: dt.date) -> list[WeekDay]:
    """The person's working hours this week, Monday first: the pattern with agreed
    adjustments applied, with the pattern's core hours and home days."""
    monday = today - dt.timedelta(days=today.weekday())
    sunday = monday + dt.timedelta(days=6)
    pattern = {day.weekday: day for day in pattern_of(member)}
    adjustments = agreed_adjustments_of(member, monday, sunday)
    return [
        WeekDay(day, hours_on(day, pattern, adjustments), pattern.get(day.weekday()))
        for day in (monday + dt.timedelta(days=offset) for offset in range(7))
    ]


@dataclass(frozen=True)
class AdjustmentRow:
    row: Adjustment
    hours: str  # "starts 10:45 Mon–Fri"


def _adjustments(person: Membership, today: dt.date) -> dict[str, list[AdjustmentRow]]:
    """The person's adjustments in force or ahead, and the proposals, by whose answer they
    wait for."""
    rows = [
        AdjustmentRow(row, services.describe(row))
        for row in Adjustment.objects.filter(
            organisation_id=person.organisation_id,
            membership=person,
            state__in=[Adjustment.State.PROPOSED, Adjustment.State.AGREED],
        )
        .select_related("agreed_by__user", "proposed_by__user")
        .order_by("valid_from", "proposed_at")
    ]
    proposed = [item for item in rows if item.row.state == Adjustment.State.PROPOSED]
    return {
        "waiting_person": [item for item in proposed if item.row.person_agreed_at is None],
        "waiting_manager": [item for item in proposed if item.row.person_agreed_at is not None],
        "agreed": [
            item
            for item in rows
            if item.row.state == Adjustment.State.AGREED
            and (item.row.valid_until is None or item.row.valid_until >= today)
        ],
    }


# --- private notes ------------------------------------------------------------------------


def proposals_of(details: dict[str, Any], pattern: dict[int, PatternDay]) -> list[needs.Proposal]:
    """What a note asks of the owner's pattern as agreed now (as
    ``services.proposals_for_need``); empty when the agreed hours already fit."""
    try:
        return needs.proposals(needs.parse(details), pattern)
    except ValidationError:
        return []


def _terms_key(weekdays: Any, *times: dt.time | None) -> tuple[object, ...]:
    return (tuple(sorted(int(day) for day in weekdays)), *times)


def pending_keys(person: Membership) -> set[tuple[object, ...]]:
    """The hours the person has proposed and their manager not answered yet."""
    return {
        _terms_key(row.weekdays, row.starts, row.ends, row.break_starts, row.break_ends)
        for row in Adjustment.objects.filter(
            organisation_id=person.organisation_id,
            membership=person,
            state=Adjustment.State.PROPOSED,
        )
    }


def proposal_texts(found: list[needs.Proposal]) -> list[str]:
    """The proposals in the person's words: "You can be at work from 10:45 on Mon–Fri"."""
    texts = []
    for proposal in found:
        days = services.days_text(proposal.weekdays)
        if proposal.starts is not None:
            texts.append(
                _("You can be at work from %(time)s on %(days)s.")
                % {"time": proposal.starts.strftime("%H:%M"), "days": days}
            )
        if proposal.ends is not None:
            texts.append(
                _("You need to finish by %(time)s on %(days)s.")
                % {"time": proposal.ends.strftime("%H:%M"), "days": days}
            )
        if proposal.break_starts is not None and proposal.break_ends is not None:
            texts.append(
                _("You need to be away from %(from)s to %(until)s on %(days)s.")
                % {
                    "from": proposal.break_starts.strftime("%H:%M"),
                    "until": proposal.break_ends.strftime("%H:%M"),
                    "days": days,
                }
            )
    return texts


def _occasional(details: dict[str, Any]) -> bool:
    """An appointment every two or four weeks: no pattern, neutral times away instead."""
    return details.get("kind") == needs.APPOINTMENT and details.get("every_weeks") in (2, 4)


@dataclass
class NoteView:
    need: PrivateNeed
    details: dict[str, Any]
    proposals: list[str]
    propose_form: ProposeForm
    away_form: AwayForm | None
    # Every proposal is already waiting for an answer: no button to propose it again.
    proposed: bool = False

    @property
    def kind(self) -> str:
        return str(self.details.get("kind") or needs.DISPENSING)

    @property
    def days(self) -> str:
        return services.days_text(self.details.get("days") or [])

    @property
    def take_home(self) -> str:
        return services.days_text(self.details.get("take_home_days") or [])

    @property
    def weekday(self) -> str:
        weekday = self.details.get("weekday")
        if not isinstance(weekday, int) or weekday not in range(7):
            return ""
        return str(WorkingPattern.Weekday(weekday).label)


def note_view(
    member: Membership,
    need: PrivateNeed,
    details: dict[str, Any],
    *,
    pattern: dict[int, PatternDay] | None = None,
    pending: set[tuple[object, ...]] | None = None,
    propose_form: ProposeForm | None = None,
    away_form: AwayForm | None = None,
) -> NoteView:
    """A note with its forms; ``pattern`` and ``pending``: the owner's agreed pattern and
    proposals waiting for an answer, if already read."""
    today = _today(member)
    if pattern is None:
        pattern = services.agreed_pattern_now(need.owner, today)
    if pending is None:
        pending = pending_keys(need.owner)
    found = proposals_of(details, pattern)
    auto_id = f"id_{need.pk.hex[:8]}_%s"
    away = None
    if _occasional(details):
        away = away_form or AwayForm(
            auto_id=auto_id, weekday=int(details.get("weekday") or 0), today=today
        )
    return NoteView(
        need=need,
        details=details,
        proposals=proposal_texts(found),
        propose_form=propose_form or ProposeForm(auto_id=auto_id, initial={"valid_from": today}),
        away_form=away,
        proposed=bool(found)
        and all(
            _terms_key(p.weekdays, p.starts, p.ends, p.break_starts, p.break_ends) in pending
            for p in found
        ),
    )


# --- my schedule --------------------------------------------------------------------------


@require_safe
@member_page
def mine(request: HttpRequest) -> HttpResponse:
    """My schedule: my hours this week as agreed, my adjustments, my private notes with
    what Peerwork works out from them, and my own meeting conflicts."""
    member = _member(request)
    today = _today(member)
    pattern = services.agreed_pattern_now(member, today)
    pending = pending_keys(member)
    notes = []
    for need in PrivateNeed.objects.filter(
        organisation_id=member.organisation_id, owner=member
    ).order_by("created_at"):
        need.owner = member
        details = services.read_need(actor=member, need=need)
        notes.append(note_view(member, need, details, pattern=pattern, pending=pending))
    own = services.own_conflicts(member, today=today)
    week = week_of(member, today)
    context = {
        "today": today,
        "week": week,
        "has_pattern": any(item.pattern for item in week),
        "adjustments": _adjustments(member, today),
        "notes": notes,
        "conflicts": own[:CONFLICTS_SHOWN],
        "more_conflicts": max(0, len(own) - CONFLICTS_SHOWN),
        "here": reverse("schedule:mine"),
    }
    return render(request, "schedule/mine/mine.html", context)


# --- a note -------------------------------------------------------------------------------


def _need_page(
    request: HttpRequest,
    member: Membership,
    *,
    form: DispensingForm | AppointmentForm,
    need: PrivateNeed | None = None,
    details: dict[str, Any] | None = None,
    propose_form: ProposeForm | None = None,
    away_form: AwayForm | None = None,
    stale: bool = False,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "kind": form.kind,
        "need": need,
        "stale": stale,
        "is_owner": need is None or need.owner_id == member.pk,
    }
    if need is not None and details is not None:
        context["note"] = note_view(
            member, need, details, propose_form=propose_form, away_form=away_form
        )
    return render(request, "schedule/mine/need.html", context)


@require_http_methods(["GET", "POST"])
@member_page
def need_new(request: HttpRequest) -> HttpResponse:
    """Keep a new private note: OST dispensing or a regular appointment (``?kind=``)."""
    member = _member(request)
    kind = request.GET.get("kind", "")
    form_class = NEED_FORMS.get(kind)
    if form_class is None:
        return render(request, "schedule/mine/need_kind.html", {})
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.record_need(actor=member, owner=member, details=form.details())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Your note is kept. Only you can see it."))
            return redirect(f"{reverse('schedule:mine')}#note-{need.pk}")
    return _need_page(request, member, form=form)


@require_http_methods(["GET", "POST"])
@member_page
def need_page(request: HttpRequest, note_id: str) -> HttpResponse:
    """A note: read, change; what it asks of the working hours, and proposing it."""
    need = access.need_for_member(_member(request), note_id)
    member = _member(request)
    details = services.read_need(actor=member, need=need)
    form_class = NEED_FORMS.get(str(details.get("kind")), DispensingForm)
    if request.method != "POST":
        form = form_class(initial=need_initial(details, need.version))
        return _need_page(request, member, form=form, need=need, details=details)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            services.record_need(
                actor=member,
                owner=need.owner,
                details=form.details(),
                need=need,
                version=form.cleaned_data.get("version") or 0,
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            # Someone changed it meanwhile (the person in another tab, or HR helping):
            # show it as it is now, keep what was typed, let the next save go over it.
            need.refresh_from_db()
            form.keep_typing_over(need.version)
            details = services.read_need(actor=member, need=need)
            return _need_page(request, member, form=form, need=need, details=details, stale=True)
        else:
            messages.success(request, _("The note is saved."))
            return redirect("schedule:need", note_id=need.pk)
    return _need_page(request, member, form=form, need=need, details=details)


@require_POST
@member_page
def need_remove(request: HttpRequest, note_id: str) -> HttpResponse:
    """The person removes their own note for good (HR, who may help, does not)."""
    need = access.need_for_member(_member(request), note_id)
    member = _member(request)
    if need.owner_id != member.pk:
        raise PermissionDenied
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    with transaction.atomic():
        current = (
            PrivateNeed.objects.select_for_update()
            .filter(organisation_id=member.organisation_id, pk=need.pk, version=version or 0)
            .exists()
        )
        if current:
            services.remove_need(actor=member, need=need)
    if not current:
        messages.error(request, _stale_note())
        return redirect("schedule:need", note_id=need.pk)
    messages.success(request, _("The note is removed. Agreed hours stay as they are."))
    return redirect("schedule:mine")


def _stale_note() -> str:
    return _(
        "This note changed while you were looking at it, so nothing was removed. Here it is "
        "as it is now."
    )


@require_POST
@member_page
def need_propose(request: HttpRequest, note_id: str) -> HttpResponse:
    """Propose the hours a note asks for to the line manager; only the hours cross."""
    need = access.need_for_member(_member(request), note_id)
    member = _member(request)
    details = services.read_need(actor=member, need=need)
    form = ProposeForm(request.POST)
    if form.is_valid():
        try:
            rows = services.propose_from_need(
                actor=member,
                need=need,
                valid_from=form.cleaned_data["valid_from"],
                review_on=form.cleaned_data.get("review_on"),
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Proposed: %(hours)s. Your line manager is asked to agree; they see the hours only."
                )
                % {"hours": "; ".join(services.describe(row) for row in rows)},
            )
            if need.owner_id == member.pk:
                return redirect("schedule:mine")
            return redirect("schedule:need", note_id=need.pk)
    form_class = NEED_FORMS.get(str(details.get("kind")), DispensingForm)
    return _need_page(
        request,
        member,
        form=form_class(initial=need_initial(details, need.version)),
        need=need,
        details=details,
        propose_form=form,
    )


@require_POST
@member_page
def need_away(request: HttpRequest, note_id: str) -> HttpResponse:
    """An appointment every two or four weeks: its next dates as neutral "Appointment"
    times away, with the journey; all of them or, if one is refused, none."""
    need = access.need_for_member(_member(request), note_id)
    member = _member(request)
    details = services.read_need(actor=member, need=need)
    if not _occasional(details):
        messages.error(
            request, _("Only an appointment every two or four weeks is added as times away.")
        )
        return redirect("schedule:need", note_id=need.pk)
    parsed = needs.parse(details)
    assert isinstance(parsed, needs.Appointment)  # noqa: S101 (narrows the type)
    form = AwayForm(request.POST, weekday=parsed.weekday, today=_today(member))
    if form.is_valid():
        zone = conflicts.zone_of(member.organisation)
        away_from = max(0, windows.minute_of(parsed.starts) - parsed.travel_minutes)
        back_at = min(windows.DAY_MINUTES, windows.minute_of(parsed.ends) + parsed.travel_minutes)
        first: dt.date = form.cleaned_data["first_on"]
        count: int = form.cleaned_data["count"]
        try:
            with transaction.atomic():
                for index in range(count):
                    day = first + dt.timedelta(weeks=index * parsed.every_weeks)
                    add_unavailability(
                        actor=member,
                        membership=need.owner,
                        kind=Unavailability.Kind.APPOINTMENT,
                        starts_at=windows.at(day, away_from, zone),
                        ends_at=windows.at(day, back_at, zone),
                    )
        except ValidationError as error:
            put_errors(form, error, {"starts_at": "first_on", "ends_at": "first_on"})
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d date added as time away, shown to others as “Appointment”.",
                    "%(count)d dates added as times away, shown to others as “Appointment”.",
                    count,
                )
                % {"count": count},
            )
            if need.owner_id == member.pk:
                return redirect("schedule:mine")
            return redirect("schedule:need", note_id=need.pk)
    form_class = NEED_FORMS.get(str(details.get("kind")), AppointmentForm)
    return _need_page(
        request,
        member,
        form=form_class(initial=need_initial(details, need.version)),
        need=need,
        details=details,
        away_form=form,
    )


# --- a person's hours, for their line manager and HR ----------------------------------


def _person_for_member(member: Membership, person_id: str, action: str = Action.READ) -> Membership:
    """A person's hours are personnel data: their line manager and HR; others 404."""
    person = core_access.membership_for_member(member, person_id)
    if not can(member, Action.READ, DataClass.PERSONNEL, person):
        raise Http404
    if action != Action.READ and not can(member, action, DataClass.PERSONNEL, person):
        raise PermissionDenied
    return person


@dataclass(frozen=True)
class Answer:
    """The time-keeping answer in words, with where it points."""

    text: str
    adjustment: Adjustment | None


def _timekeeping(member: Membership, person: Membership, form: TimekeepingForm) -> Answer | None:
    if not form.is_bound or not form.is_valid():
        return None
    day: dt.date = form.cleaned_data["day"]
    arrived: dt.time = form.cleaned_data["arrived"]
    found = services.timekeeping_answer(actor=member, person=person, day=day, arrived_at=arrived)
    if found.starts is None:
        if not pattern_of(person):
            return Answer(_("No working pattern has been agreed for them yet."), None)
        return Answer(
            _("%(day)s is not one of their working days.") % {"day": day.strftime("%Y-%m-%d")},
            None,
        )
    weekday = str(WorkingPattern.Weekday(day.weekday()).label)
    values = {
        "weekday": weekday,
        "start": found.starts.strftime("%H:%M"),
        "time": arrived.strftime("%H:%M"),
    }
    if found.adjusted and found.adjustment is not None and found.adjustment.agreed_on:
        values["agreed"] = found.adjustment.agreed_on.isoformat()
        hours = _("Their agreed hours on %(weekday)s start at %(start)s (agreed %(agreed)s).")
    else:
        hours = _("Their hours on %(weekday)s start at %(start)s.")
    verdict = _("%(time)s is within them.") if found.within else _("%(time)s is after the start.")
    return Answer(f"{hours % values} {verdict % values}", found.adjustment)


@require_safe
@member_page
def person_page(request: HttpRequest, person_id: str) -> HttpResponse:
    """A person's agreed pattern and adjustments, the hours only, with the time-keeping
    question (for their line manager and HR)."""
    person = _person_for_member(_member(request), person_id)
    member = _member(request)
    if person.pk == member.pk:
        return redirect("schedule:mine")
    today = _today(member)
    form = TimekeepingForm(request.GET if "arrived" in request.GET else None)
    pattern = {day.weekday: day for day in pattern_of(person)}
    context = {
        "person": person,
        "pattern": [
            (str(name), pattern.get(weekday)) for weekday, name in WorkingPattern.Weekday.choices
        ],
        "has_pattern": bool(pattern),
        "week": week_of(person, today),
        "adjustments": _adjustments(person, today),
        "may_change": can(member, Action.CHANGE, DataClass.PERSONNEL, person),
        "form": form,
        "answer": _timekeeping(member, person, form),
        "here": reverse("schedule:person", kwargs={"person_id": person.pk}),
    }
    return render(request, "schedule/mine/person.html", context)


@require_http_methods(["GET", "POST"])
@member_page
def adjustment_new(request: HttpRequest, person_id: str) -> HttpResponse:
    """Propose a change of a person's hours; they are asked to agree."""
    person = _person_for_member(_member(request), person_id, Action.CHANGE)
    member = _member(request)
    if request.method != "POST":
        form = AdjustmentForm(initial={"valid_from": _today(member)})
    else:
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            try:
                row = services.propose_adjustment(actor=member, person=person, **form.terms())
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Proposed: %(hours)s. %(name)s is asked to agree.")
                    % {"hours": services.describe(row), "name": person.name},
                )
                return redirect("schedule:person", person_id=person.pk)
    return render(request, "schedule/mine/adjustment_new.html", {"form": form, "person": person})


# --- an adjustment ----------------------------------------------------------------------


def _sides(member: Membership, row: Adjustment) -> dict[str, bool]:
    """Which buttons ``member`` has on ``row``."""
    is_person = member.pk == row.membership_id
    is_manager = not is_person and can(member, Action.CHANGE, DataClass.PERSONNEL, row.membership)
    proposed = row.state == Adjustment.State.PROPOSED
    waiting_on_me = proposed and (
        (is_person and row.person_agreed_at is None)
        or (is_manager and row.manager_agreed_at is None)
    )
    return {
        "may_answer": waiting_on_me,
        "may_withdraw": proposed and (is_person or is_manager) and not waiting_on_me,
        "may_end": row.state == Adjustment.State.AGREED and (is_person or is_manager),
    }


def _adjustment_page(
    request: HttpRequest,
    member: Membership,
    row: Adjustment,
    *,
    end_form: EndForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "row": row,
        "hours": services.describe(row),
        "is_person": member.pk == row.membership_id,
        "end_form": end_form or EndForm(initial={"version": row.version}),
        **_sides(member, row),
    }
    return render(request, "schedule/mine/adjustment.html", context, status=status)


@require_safe
@member_page
def adjustment_page(request: HttpRequest, adjustment_id: str) -> HttpResponse:
    row = access.adjustment_for_member(_member(request), adjustment_id)
    return _adjustment_page(request, _member(request), row)


def _answer(request: HttpRequest, adjustment_id: str, flow: Any, done: str) -> HttpResponse:
    """Agree, not agree or withdraw: the version as read, the flow, back where it came from."""
    row = access.adjustment_for_member(_member(request), adjustment_id, Action.CHANGE)
    member = _member(request)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        flow(actor=member, adjustment=row, version=version or 0)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except StaleVersion:
        messages.error(request, _stale_adjustment())
    else:
        messages.success(request, done)
    return redirect(
        _safe_next(request, reverse("schedule:adjustment", kwargs={"adjustment_id": row.pk}))
    )


def _stale_adjustment() -> str:
    return _(
        "This change of hours was answered or changed while you were looking at it, so "
        "nothing was done. Here it is as it is now."
    )


@require_POST
@member_page
def adjustment_agree(request: HttpRequest, adjustment_id: str) -> HttpResponse:
    return _answer(request, adjustment_id, services.agree_adjustment, _("You agreed."))


@require_POST
@member_page
def adjustment_decline(request: HttpRequest, adjustment_id: str) -> HttpResponse:
    return _answer(
        request,
        adjustment_id,
        services.decline_adjustment,
        _("Not agreed: the hours stay as they were."),
    )


@require_POST
@member_page
def adjustment_end(request: HttpRequest, adjustment_id: str) -> HttpResponse:
    row = access.adjustment_for_member(_member(request), adjustment_id, Action.CHANGE)
    member = _member(request)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.end_adjustment(
                actor=member,
                adjustment=row,
                version=form.cleaned_data.get("version") or 0,
                last_day=form.cleaned_data.get("last_day"),
            )
        except ValidationError as error:
            put_errors(form, error, {"valid_until": "last_day"})
        except StaleVersion:
            row.refresh_from_db()
            messages.error(request, _stale_adjustment())
            return redirect("schedule:adjustment", adjustment_id=row.pk)
        else:
            messages.success(request, _("Ended. The usual hours apply after its last day."))
            return redirect("schedule:adjustment", adjustment_id=row.pk)
    return _adjustment_page(request, member, row, end_form=form)
