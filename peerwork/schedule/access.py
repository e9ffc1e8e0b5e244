"""Who may see and change what in scheduling (issue 6; DESIGN.md "Privacy model"; the
[record: schedule] section of the access matrix).

- **Meetings and trips** are work data: every working member of the organisation sees
  them. Their **planners** change, move and cancel them: whoever organised it, HR, the
  director, and a line manager of one of its attendees (or, for a trip, travellers).
- **Conflicts** (who cannot be there from the start, never why) are seen by a meeting's
  planners; each person sees their own, privately.
- **Adjustments** of a working pattern are personnel records: the person, their line
  manager and HR. Everyone planning sees only the hours they make (``availability_for``).
- **Private planning notes** and a traveller's **OST checklist** are the person's alone.
  HR may help with them only under a share the person made to them by name covering OST
  (a dispensing note, the checklist) or health (an appointment) (issue 6 item 2).
- A **calendar feed** is its person's alone.

Gates answer 404 for what the member may not see (or that does not exist, or belongs to
another organisation) and 403 for what they see but may not do.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from peerwork.core.access import Action, DataClass, can, is_working_member, lookup
from peerwork.core.models import Membership, Role
from peerwork.people.access import may_enter_for
from peerwork.people.models import Adjustment, Category

from . import needs
from .models import Attendee, CalendarFeed, Conflict, Meeting, PrivateNeed, Traveller, Trip


def sees_schedule(member: Membership) -> bool:
    return bool(is_working_member(member))


def may_plan(member: Membership, meeting: Meeting) -> bool:
    """The organiser, HR, the director, or a line manager of one of its attendees."""
    if not member.is_active or member.organisation_id != meeting.organisation_id:
        return False
    if meeting.organiser_id == member.pk or member.has_role(Role.HR, Role.DIRECTOR):
        return True
    return member.has_role(Role.LINE_MANAGER) and (
        Attendee.objects.filter(
            organisation_id=meeting.organisation_id,
            meeting=meeting,
            member__line_manager=member,
        ).exists()
    )


def may_plan_trip(member: Membership, trip: Trip) -> bool:
    if not member.is_active or member.organisation_id != trip.organisation_id:
        return False
    if trip.organiser_id == member.pk or member.has_role(Role.HR, Role.DIRECTOR):
        return True
    return member.has_role(Role.LINE_MANAGER) and (
        Traveller.objects.filter(
            organisation_id=trip.organisation_id, trip=trip, member__line_manager=member
        ).exists()
    )


def may_organise(member: Membership) -> bool:
    """Who may put a meeting, training, event or trip on the schedule."""
    return bool(member.is_active and member.has_role(Role.LINE_MANAGER, Role.HR, Role.DIRECTOR))


def meeting_for_member(
    member: Membership, meeting_id: object, action: str = Action.READ
) -> Meeting:
    meeting = lookup(
        Meeting.objects.filter(organisation_id=member.organisation_id).select_related(
            "organisation", "team", "organiser__user"
        ),
        meeting_id,
    )
    # Working members see the schedule; anyone else only a meeting they attend (asked
    # only then, so the common case costs no query).
    if not sees_schedule(member) and not (
        member.is_active
        and Attendee.objects.filter(
            organisation_id=member.organisation_id, meeting=meeting, member=member
        ).exists()
    ):
        raise Http404
    if action != Action.READ and not may_plan(member, meeting):
        raise PermissionDenied
    return meeting


def conflicts_visible_to(member: Membership, meeting: Meeting) -> QuerySet[Conflict]:
    """A meeting's conflicts as ``member`` may see them: all of them for its planners,
    their own for anyone else."""
    rows = Conflict.objects.filter(organisation_id=member.organisation_id, meeting=meeting)
    if may_plan(member, meeting):
        return rows
    return rows.filter(member=member)


def trip_for_member(member: Membership, trip_id: object, action: str = Action.READ) -> Trip:
    trip = lookup(
        Trip.objects.filter(organisation_id=member.organisation_id).select_related(
            "organisation", "organiser__user"
        ),
        trip_id,
    )
    if not sees_schedule(member) and not (
        member.is_active
        and Traveller.objects.filter(
            organisation_id=member.organisation_id, trip=trip, member=member
        ).exists()
    ):
        raise Http404
    if action != Action.READ and not may_plan_trip(member, trip):
        raise PermissionDenied
    return trip


def may_help_with(actor: Membership, owner: Membership, category: str) -> bool:
    """The owner, or HR under the owner's named share of ``category``."""
    if actor.pk == owner.pk:
        return actor.is_active
    return actor.is_active and may_enter_for(actor, owner, category)


def need_category(need: PrivateNeed) -> str:
    """The disclosure category a share must cover for HR to help with a note."""
    try:
        kind = json.loads(need.content or "{}").get("kind")
    except ValueError:
        kind = None
    return Category.HEALTH if kind == needs.APPOINTMENT else Category.OST


def need_for_member(member: Membership, need_id: object) -> PrivateNeed:
    """A private planning note: its owner's, or HR's under the owner's named share."""
    need = lookup(
        PrivateNeed.objects.filter(organisation_id=member.organisation_id).select_related(
            "owner__organisation"
        ),
        need_id,
    )
    if need.owner_id == member.pk and member.is_active:
        return need
    if not member.is_active or not member.has_role(Role.HR):
        raise Http404
    if not may_help_with(member, need.owner, need_category(need)):
        raise Http404
    return need


def checklist_for_member(member: Membership, traveller_id: object) -> Traveller:
    """A traveller's OST checklist: theirs, or HR's under their named share of OST."""
    traveller = lookup(
        Traveller.objects.filter(organisation_id=member.organisation_id).select_related(
            "trip__organisation", "member__user", "member__organisation"
        ),
        traveller_id,
    )
    if not may_help_with(member, traveller.member, Category.OST):
        raise Http404
    return traveller


def adjustment_for_member(
    member: Membership, adjustment_id: object, action: str = Action.READ
) -> Adjustment:
    """An adjustment is personnel data: the person, their line manager, HR. The person
    and the manager each agree; either may end it."""
    adjustment = lookup(
        Adjustment.objects.filter(organisation_id=member.organisation_id).select_related(
            "membership__user", "membership__organisation", "agreed_by__user"
        ),
        adjustment_id,
    )
    person = adjustment.membership
    if not can(member, Action.READ, DataClass.PERSONNEL, person):
        raise Http404
    if action != Action.READ and not (
        (member.pk == person.pk) or can(member, Action.CHANGE, DataClass.PERSONNEL, person)
    ):
        raise PermissionDenied
    return adjustment


def feed_for_member(member: Membership, feed_id: object) -> CalendarFeed:
    return lookup(
        CalendarFeed.objects.filter(organisation_id=member.organisation_id, member=member),
        feed_id,
    )
