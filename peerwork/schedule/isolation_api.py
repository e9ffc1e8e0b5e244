"""Isolation makers and requests of the schedule's records (see isolation.py; nothing here
runs in production). The makers go by parameter name, so the pages' routes on the same
records (``<uuid:meeting_id>`` and so on) use them too.

- ``adjustment_id``: a later start proposed by a member for themself; they are its owner
  (they read it, agree, decline and end it; ``end`` first finds it agreed, as it would be).
- ``note_id``: a member's private dispensing note, against a Monday-to-Friday pattern it
  asks a later start of (so ``propose`` has something to propose); its owner is the member.
- ``meeting_id``: a weekly meeting organised by a line manager who is its one required
  attendee; they plan it, so every operation on it is theirs.
- ``trip_id``: a trip a month ahead organised by a line manager who goes on it; theirs.
- ``traveller_id``: a member going on such a trip, opted in to their checklist and agreeing
  to the request letter; the checklist and the letter are theirs alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import cast

from django.utils import timezone
from django_scopes import scope

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Membership, Role
from peerwork.people.availability import set_working_pattern
from peerwork.people.models import Adjustment

from . import services, travel
from .models import Meeting, PrivateNeed, Traveller, Trip

API = "/api/v1"
WORKDAY = (dt.time(9, 0), dt.time(17, 30))
DISPENSING = {
    "kind": "dispensing",
    "site": "Isolation clinic",
    "days": [0, 1, 2, 3, 4],
    "opens": "10:00",
    "closes": "13:00",
    "collection": "at_opening",
    "wait_minutes": 15,
    "travel_minutes": 30,
}


def _adjustment(other: Other) -> Made:
    person = other.member
    row = services.propose_adjustment(
        actor=person,
        person=person,
        weekdays=[0, 1, 2, 3, 4],
        starts=dt.time(10, 45),
        valid_from=timezone.localdate(),
    )
    return Made(value=str(row.pk), owner=person, obj=row)


def _note(other: Other) -> Made:
    person = other.member
    set_working_pattern(
        actor=other.member_with(Role.HR),
        membership=person,
        days=dict.fromkeys(range(5), WORKDAY),
    )
    need = services.record_need(actor=person, owner=person, details=DISPENSING)
    return Made(value=str(need.pk), owner=person, obj=need)


def _meeting(other: Other) -> Made:
    organiser = other.member_with(Role.LINE_MANAGER)
    meeting = services.create_meeting(
        actor=organiser,
        fields=services.MeetingFields(
            title="Isolation meeting",
            kind=Meeting.Kind.TEAM_MEETING,
            first_on=timezone.localdate() + dt.timedelta(days=1),
            starts=dt.time(9, 30),
            minutes=60,
            repeats=Meeting.Repeats.WEEKLY,
            required=[organiser.pk],
        ),
    )
    return Made(value=str(meeting.pk), owner=organiser, obj=meeting)


def _trip_of(organiser: Membership, travellers: list[object]) -> Trip:
    start = timezone.localdate() + dt.timedelta(days=30)
    return travel.create_trip(
        actor=organiser,
        fields=travel.TripFields(
            title="Isolation training",
            kind=Trip.Kind.EVENT_ELSEWHERE,
            place="Isolation town",
            starts_on=start,
            ends_on=start + dt.timedelta(days=2),
            travellers=travellers,
        ),
    )


def _trip(other: Other) -> Made:
    organiser = other.member_with(Role.LINE_MANAGER)
    trip = _trip_of(organiser, [organiser.pk])
    return Made(value=str(trip.pk), owner=organiser, obj=trip)


def _traveller(other: Other) -> Made:
    """Opted in, and agreeing to the request letter, so its page opens for them too."""
    trip = _trip_of(other.member_with(Role.LINE_MANAGER), [other.member.pk])
    traveller = Traveller.objects.select_related("trip__organisation", "member").get(
        trip=trip, member=other.member
    )
    traveller = travel.opt_in(actor=other.member, traveller=traveller)
    traveller = travel.update_checklist(
        actor=other.member,
        traveller=traveller,
        version=traveller.version,
        details={"medicine": "Methadone", "daily_dose": "60 mg", "letter_consent": True},
    )
    return Made(value=str(traveller.pk), owner=other.member, obj=traveller)


register_isolation_maker("adjustment_id", _adjustment)
register_isolation_maker("note_id", _note)
register_isolation_maker("meeting_id", _meeting)
register_isolation_maker("trip_id", _trip)
register_isolation_maker("traveller_id", _traveller)


# --- what the API's changes send ------------------------------------------------------


def _version_of(made: Made) -> dict[str, str]:
    versioned = cast(Adjustment | PrivateNeed | Meeting | Trip | Traveller, made.obj)
    return {"If-Match": f'"{versioned.version}"'}


def _versioned(data: dict[str, object] | None = None) -> Callable[[Made], Body]:
    return lambda made: Body(data=data or {}, headers=_version_of(made))


def _agreed(made: Made) -> Body:
    """``end`` takes an agreed adjustment: agree it as both sides would have."""
    row = cast(Adjustment, made.obj)
    now = timezone.now()
    with scope(organisation=row.organisation_id):
        Adjustment.objects.filter(pk=row.pk).update(
            state=Adjustment.State.AGREED,
            manager_agreed_at=now,
            agreed_on=timezone.localdate(now),
        )
    return Body(data={}, headers=_version_of(made))


def _meeting_again(made: Made) -> Body:
    meeting = cast(Meeting, made.obj)
    return Body(
        data={
            "title": "Isolation meeting, moved",
            "kind": meeting.kind,
            "first_on": str(meeting.first_on),
            "starts": "11:00",
            "minutes": 45,
            "repeats": meeting.repeats,
            "required": [str(made.owner.pk)],
        },
        headers=_version_of(made),
    )


ADJUSTMENT = f"POST {API}/adjustments/{{adjustment_id}}"
MEETING = f"POST {API}/meetings/{{meeting_id}}"

register_isolation_request(f"{ADJUSTMENT}/agree", _versioned())
register_isolation_request(f"{ADJUSTMENT}/decline", _versioned())
register_isolation_request(f"{ADJUSTMENT}/end", _agreed)
register_isolation_request(f"PUT {API}/private-notes/{{note_id}}", _versioned(DISPENSING))
register_isolation_request(f"PUT {API}/meetings/{{meeting_id}}", _meeting_again)
register_isolation_request(f"{MEETING}/move", _versioned({"starts": "11:00"}))
register_isolation_request(f"{MEETING}/late-join", _versioned({"decisions_from": "10:00"}))
register_isolation_request(f"{MEETING}/cancel", _versioned())


def _trip_again(made: Made) -> Body:
    trip = cast(Trip, made.obj)
    return Body(
        data={
            "title": "Isolation training, longer",
            "kind": trip.kind,
            "place": trip.place,
            "starts_on": str(trip.starts_on),
            "ends_on": str(trip.ends_on + dt.timedelta(days=1)),
            "travellers": [str(made.owner.pk)],
        },
        headers=_version_of(made),
    )


register_isolation_request(f"PUT {API}/trips/{{trip_id}}", _trip_again)
register_isolation_request(f"POST {API}/trips/{{trip_id}}/cancel", _versioned())
register_isolation_request(
    f"PUT {API}/travellers/{{traveller_id}}/checklist",
    _versioned({"opted_in": True, "take_home_limit": "2 a year"}),
)
