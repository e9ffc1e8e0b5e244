"""Schedule health: the meetings a manager plans that some required attendees cannot be at
for the whole meeting in the coming four weeks (issue 6 item 4; App. 10 case 3, where a
worker missed the start of every Wednesday meeting and nobody changed the meeting).

For people who may organise meetings (``access.may_organise``); anyone else gets 404. It
lists the meetings they may plan (``access.may_plan``: their own, and for a line manager
those their reports attend; every meeting for HR and the director) with who cannot be
there (names only, never why), whether a late-join agenda already covers it, and the
first suggestion as one button. It reads the kept ``Conflict`` rows, never recomputes
them, and only those of the meetings on the page shown; the suggestions of that page are
worked out together (``services.suggestions_for_many``): a fixed number of queries, however
large the organisation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from peerwork.core.models import Membership, Role
from peerwork.core.views import member_page

from . import access, services
from .meeting_views import Offer, _member, ends_at, offers_for, today_of
from .models import Attendee, Conflict, Meeting

# The window the page looks at, and how many meetings one page of it shows.
WEEKS_AHEAD = 4
PAGE_SIZE = 10


def plannable(member: Membership) -> QuerySet[Meeting]:
    """The meetings ``member`` may plan, as one query (the set twin of ``access.may_plan``)."""
    meetings = Meeting.objects.filter(organisation_id=member.organisation_id)
    if not member.is_active:
        return meetings.none()
    if member.has_role(Role.HR, Role.DIRECTOR):
        return meetings
    mine = Q(organiser=member)
    if member.has_role(Role.LINE_MANAGER):
        mine |= Q(
            Exists(
                Attendee.objects.filter(
                    organisation_id=member.organisation_id,
                    meeting=OuterRef("pk"),
                    member__line_manager=member,
                )
            )
        )
    return meetings.filter(mine)


@dataclass
class HealthRow:
    """One meeting with conflicts ahead: who (names only), on which dates, whether its
    late-join agenda covers them, and its first suggestion."""

    meeting: Meeting
    ends: dt.time
    dates: list[dt.date] = field(default_factory=list)
    people: dict[object, str] = field(default_factory=dict)
    required_count: int = 0
    late_join_covers: bool = True
    offer: Offer | None = None

    @property
    def names(self) -> list[str]:
        return sorted(self.people.values(), key=str.casefold)


def _covered(meeting: Meeting, row: Conflict) -> bool:
    """A late-join agenda covers a conflict when the person arrives by the decisions and
    stays to the end."""
    return (
        meeting.decisions_from is not None
        and row.kind == Conflict.Kind.LATE
        and row.arrives_at is not None
        and row.arrives_at <= meeting.decisions_from
        and row.leaves_at is None
    )


@require_safe
@member_page
def health(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not access.may_organise(member):
        raise Http404
    today = today_of(member)
    last = today + dt.timedelta(weeks=WEEKS_AHEAD, days=-1)
    required_attendee = Attendee.objects.filter(
        organisation_id=member.organisation_id,
        meeting_id=OuterRef("meeting_id"),
        member_id=OuterRef("member_id"),
        required=True,
    )
    ahead = Conflict.objects.filter(
        organisation_id=member.organisation_id,
        meeting__in=plannable(member).values("pk"),
        meeting__cancelled_at__isnull=True,
        occurs_on__gte=today,
        occurs_on__lte=last,
    ).filter(Exists(required_attendee))
    # First which meetings have conflicts, soonest first, as ids only; then the rows and
    # suggestions of the one page shown: the cost is one page's, however many there are.
    first_dates = (
        ahead.values("meeting_id")
        .annotate(first=Min("occurs_on"))
        .order_by("first", "meeting__starts", "meeting_id")
        .values_list("meeting_id", flat=True)
    )
    page = Paginator(first_dates, PAGE_SIZE).get_page(request.GET.get("page"))
    shown_ids = list(page.object_list)
    found: dict[object, HealthRow | None] = dict.fromkeys(shown_ids)
    for row in (
        ahead.filter(meeting_id__in=shown_ids)
        .select_related("meeting__organisation", "member__user")
        .order_by("occurs_on", "meeting__starts", "meeting_id")
    ):
        health = found.get(row.meeting_id)
        if health is None:
            health = found[row.meeting_id] = HealthRow(row.meeting, ends_at(row.meeting))
        if row.occurs_on not in health.dates:
            health.dates.append(row.occurs_on)
        health.people[row.member_id] = row.member.name
        health.late_join_covers = health.late_join_covers and _covered(row.meeting, row)
    shown: list[HealthRow] = [health for health in found.values() if health is not None]
    counts = dict(
        Attendee.objects.filter(
            organisation_id=member.organisation_id,
            meeting_id__in=[row.meeting.pk for row in shown],
            required=True,
        )
        .values("meeting_id")
        .annotate(n=Count("id"))
        .values_list("meeting_id", "n")
    )
    suggestions = services.suggestions_for_many(
        [health.meeting for health in shown if not health.late_join_covers], today=today
    )
    for health in shown:
        health.required_count = counts.get(health.meeting.pk, 0)
        if health.meeting.pk in suggestions:
            offers = offers_for(health.meeting, suggestions[health.meeting.pk])
            health.offer = offers[0] if offers else None
    return render(
        request,
        "schedule/health.html",
        {"rows": shown, "page": page, "weeks": WEEKS_AHEAD, "today": today, "last": last},
    )
