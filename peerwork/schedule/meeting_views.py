"""Meetings, trainings and events: the list, the form, one meeting's page with its
conflicts and suggestions, and the suggestion buttons (issue 6 items 3 and 4; guide §2.4.1,
App. 10 case 3).

Meetings are work data: every working member sees them (``access.sees_schedule``);
their planners (``access.may_plan``) change, move and cancel them. A meeting's page shows
its planners, per coming date, who cannot be there for the whole meeting and when they
can arrive or must leave, never why (kept ``Conflict`` rows, read through
``access.conflicts_visible_to``); an attendee who is not a planner sees only their own,
privately. Each suggestion (``services.suggestions_for``) is one small form: one click
moves the meeting or sets a late-join agenda, and the conflicts are worked out again in
the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors

from . import access, conflicts, services, windows
from .meeting_forms import LateJoinForm, MeetingForm, MoveForm
from .models import Attendee, Conflict, Meeting

# How many coming dates a meeting's page shows with their conflicts.
OCCURRENCES = 6
# How many meetings the list shows at most (a page stays small).
LIST_LIMIT = 100
# How far ahead the list looks for a meeting's next date.
NEXT_DATE_WITHIN = dt.timedelta(days=400)


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def today_of(member: Membership) -> dt.date:
    """Today in the organisation's time zone, which meetings are kept in."""
    return timezone.localdate(timezone.now(), conflicts.zone_of(member.organisation))


def hhmm(value: dt.time | None) -> str:
    return "" if value is None else value.strftime("%H:%M")


def ends_at(meeting: Meeting) -> dt.time:
    return windows.time_of(conflicts.meeting_span(meeting)[1])


def next_dates(meeting: Meeting, today: dt.date, count: int) -> list[dt.date]:
    if meeting.is_cancelled:
        return []
    return list(
        islice(
            windows.occurrences(
                meeting.first_on,
                meeting.repeats,
                meeting.until,
                today,
                today + NEXT_DATE_WITHIN,
            ),
            count,
        )
    )


# --- suggestions as buttons ----------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """One suggestion as one button: a move (``starts``, perhaps ``weekday``) or a
    late-join agenda (``decisions_from``)."""

    label: str
    action: str  # "move" or "late_join"
    starts: dt.time | None = None
    weekday: int | None = None
    decisions_from: dt.time | None = None


def offers_for(meeting: Meeting, suggested: services.Suggestions) -> list[Offer]:
    """The suggestions for a meeting's next date, as buttons, best first: the same day
    later, another weekday, then keeping the time with a late-join agenda (App. 10 case 3).
    None when nobody required misses that date."""
    if suggested.occurs_on is None or not suggested.late:
        return []
    offers: list[Offer] = []
    if suggested.same_day is not None:
        offers.append(
            Offer(
                _("Start at %(time)s instead") % {"time": hhmm(suggested.same_day.starts)},
                "move",
                starts=suggested.same_day.starts,
            )
        )
    # A monthly meeting keeps its date (``services.move_meeting``).
    if meeting.repeats != Meeting.Repeats.MONTHLY:
        for day in suggested.other_days:
            if meeting.repeats == Meeting.Repeats.NEVER:
                label = _("Move to %(day)s %(date)s at %(time)s") % {
                    "day": WEEKDAYS[day.weekday],
                    "date": date_format(day.occurs_on, "j F"),
                    "time": hhmm(day.starts),
                }
            else:
                label = _("Move to %(day)s at %(time)s") % {
                    "day": WEEKDAYS[day.weekday],
                    "time": hhmm(day.starts),
                }
            offers.append(Offer(label, "move", starts=day.starts, weekday=day.weekday))
    if suggested.late_join is not None and suggested.late_join != meeting.decisions_from:
        offers.append(
            Offer(
                _("Keep %(start)s with a late-join agenda: updates first, decisions from %(time)s")
                % {"start": hhmm(meeting.starts), "time": hhmm(suggested.late_join)},
                "late_join",
                decisions_from=suggested.late_join,
            )
        )
    return offers


# --- the list ------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    meeting: Meeting
    next_on: dt.date
    ends: dt.time
    attends: bool


@require_safe
@member_page
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Every meeting, training and event with a date still to come, soonest first."""
    member = _member(request)
    if not access.sees_schedule(member):
        raise Http404
    today = today_of(member)
    found = (
        Meeting.objects.filter(organisation_id=member.organisation_id, cancelled_at__isnull=True)
        .filter(
            Q(until__gte=today)
            | Q(until__isnull=True, first_on__gte=today)
            | (Q(until__isnull=True) & ~Q(repeats=Meeting.Repeats.NEVER))
        )
        .select_related("team")
    )
    attending = set(
        Attendee.objects.filter(organisation_id=member.organisation_id, member=member).values_list(
            "meeting_id", flat=True
        )
    )
    rows = []
    for meeting in found:
        dates = next_dates(meeting, today, 1)
        if dates:
            rows.append(ListRow(meeting, dates[0], ends_at(meeting), meeting.pk in attending))
    rows.sort(key=lambda row: (row.next_on, row.meeting.starts, row.meeting.title.casefold()))
    return render(
        request,
        "schedule/meetings/list.html",
        {
            "rows": rows[:LIST_LIMIT],
            "more": len(rows) > LIST_LIMIT,
            "limit": LIST_LIMIT,
            "today": today,
            "may_organise": access.may_organise(member),
        },
    )


# --- the form ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def meeting_new(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not access.sees_schedule(member):
        raise Http404
    if not access.may_organise(member):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, organisation_id=member.organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(actor=member, fields=form.meeting_fields())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The meeting is on the schedule."))
            return redirect("schedule:meeting", meeting.pk)
    return render(request, "schedule/meetings/form.html", {"form": form, "meeting": None})


@require_http_methods(["GET", "POST"])
@member_page
def meeting_edit(request: HttpRequest, meeting_id: str) -> HttpResponse:
    member = _member(request)
    meeting = access.meeting_for_member(member, meeting_id, Action.CHANGE)
    form = MeetingForm(
        request.POST or None, organisation_id=member.organisation_id, meeting=meeting
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(
                actor=member,
                meeting=meeting,
                version=form.cleaned_data["version"] or 0,
                fields=form.meeting_fields(),
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            stale = True
            meeting.refresh_from_db()
            form.keep_typing_over(meeting.version)
        else:
            messages.success(request, _("Saved. Who cannot be there is worked out again."))
            return redirect("schedule:meeting", meeting.pk)
    return render(
        request,
        "schedule/meetings/form.html",
        {
            "form": form,
            "meeting": meeting,
            "stale": stale,
            "ends": ends_at(meeting),
        },
    )


# --- one meeting ---------------------------------------------------------------------


@dataclass
class Occurrence:
    day: dt.date
    rows: list[Conflict] = field(default_factory=list)


@require_safe
@member_page
def meeting_page(request: HttpRequest, meeting_id: str) -> HttpResponse:
    member = _member(request)
    meeting = access.meeting_for_member(member, meeting_id)
    planner = access.may_plan(member, meeting)
    today = today_of(member)
    attendees = sorted(
        Attendee.objects.filter(
            organisation_id=meeting.organisation_id, meeting=meeting
        ).select_related("member__user"),
        key=lambda a: (a.member.name.casefold(), str(a.member_id)),
    )
    required = {a.member_id for a in attendees if a.required}
    attends = any(a.member_id == member.pk for a in attendees)
    dates = next_dates(meeting, today, OCCURRENCES)
    occurrences = [Occurrence(day) for day in dates]
    if dates and (planner or attends):
        by_day: dict[dt.date, list[Conflict]] = defaultdict(list)
        for row in (
            access.conflicts_visible_to(member, meeting)
            .filter(occurs_on__in=dates)
            .select_related("member__user")
        ):
            by_day[row.occurs_on].append(row)
        for occurrence in occurrences:
            occurrence.rows = sorted(
                by_day.get(occurrence.day, ()),
                key=lambda r: (r.member_id not in required, r.member.name.casefold()),
            )
    offers: list[Offer] = []
    if planner and occurrences and any(r.member_id in required for r in occurrences[0].rows):
        offers = offers_for(meeting, services.suggestions_for(meeting, today=today))
    return render(
        request,
        "schedule/meetings/meeting.html",
        {
            "meeting": meeting,
            "ends": ends_at(meeting),
            "planner": planner,
            "required": [a.member for a in attendees if a.required],
            "required_ids": required,
            "optional": [a.member for a in attendees if not a.required],
            "occurrences": occurrences,
            "any_conflict": any(o.rows for o in occurrences),
            "offers": offers,
            # An attendee who does not plan it sees their own dates only, privately.
            "mine": [] if planner else [(o.day, row) for o in occurrences for row in o.rows],
        },
    )


def _back(form: MoveForm | LateJoinForm, meeting: Meeting) -> HttpResponse:
    back = form.cleaned_data.get("back") if hasattr(form, "cleaned_data") else None
    if back == "health":
        return redirect("schedule:health")
    return redirect("schedule:meeting", meeting.pk)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _stale(request: HttpRequest) -> None:
    messages.error(
        request,
        _(
            "Someone changed this meeting in the meantime, so nothing was changed. Look at "
            "it again as it is now."
        ),
    )


@require_POST
@member_page
def meeting_move(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """One suggestion taken: the meeting moves, its conflicts are worked out again."""
    member = _member(request)
    meeting = access.meeting_for_member(member, meeting_id, Action.CHANGE)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That suggestion could not be read. Choose it again."))
        return _back(form, meeting)
    weekday = form.cleaned_data["weekday"]
    try:
        moved = services.move_meeting(
            actor=member,
            meeting=meeting,
            version=form.cleaned_data["version"] or 0,
            starts=form.cleaned_data["starts"],
            weekday=weekday,
            today=today_of(member),
        )
    except StaleVersion:
        _stale(request)
    except ValidationError as error:
        _refused(request, error)
    else:
        if weekday is not None:
            messages.success(
                request,
                _("Moved: from %(date)s it is on %(day)s at %(time)s.")
                % {
                    "date": date_format(moved.first_on, "j F"),
                    "day": WEEKDAYS[moved.first_on.weekday()],
                    "time": hhmm(moved.starts),
                },
            )
        else:
            messages.success(
                request, _("Moved: it now starts at %(time)s.") % {"time": hhmm(moved.starts)}
            )
    return _back(form, meeting)


@require_POST
@member_page
def meeting_late_join(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """A late-join agenda set (updates first, decisions later) or taken away."""
    member = _member(request)
    meeting = access.meeting_for_member(member, meeting_id, Action.CHANGE)
    form = LateJoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That suggestion could not be read. Choose it again."))
        return _back(form, meeting)
    decisions_from = form.cleaned_data["decisions_from"]
    try:
        services.set_late_join(
            actor=member,
            meeting=meeting,
            version=form.cleaned_data["version"] or 0,
            decisions_from=decisions_from,
        )
    except StaleVersion:
        _stale(request)
    except ValidationError as error:
        _refused(request, error)
    else:
        if decisions_from is None:
            messages.success(request, _("The late-join agenda is taken away."))
        else:
            messages.success(
                request,
                _("Late-join agenda: updates first, decisions from %(time)s.")
                % {"time": hhmm(decisions_from)},
            )
    return _back(form, meeting)


@require_POST
@member_page
def meeting_cancel(request: HttpRequest, meeting_id: str) -> HttpResponse:
    member = _member(request)
    meeting = access.meeting_for_member(member, meeting_id, Action.DELETE)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.cancel_meeting(actor=member, meeting=meeting, version=version or 0)
    except StaleVersion:
        _stale(request)
        return redirect("schedule:meeting", meeting.pk)
    except ValidationError as error:
        _refused(request, error)
        return redirect("schedule:meeting", meeting.pk)
    messages.success(request, _("The meeting is cancelled."))
    return redirect("schedule:meetings")
