"""The schedule's situation in the shared story (the [record: schedule] section of the
access matrix), for every schedule test to build on.

At Harbourside (Africa/Nairobi, no daylight saving) Amina works Monday to Friday, 09:00 to
17:30. She keeps a private planning note: a weekly appointment on Tuesdays, 13:00 to
14:00, 20 minutes away. A later start on Tuesdays (10:45, from ``FROM``) is her agreed
adjustment with Ravi, her line manager. Ravi organises the weekly team meeting on Tuesdays
at 09:30 for two hours, Amina and Olena required, Joseph optional: Amina arrives late to every
occurrence (a conflict). Ravi organises a training trip to Mombasa that Amina goes on; she
opted in to its OST checklist. Amina has a calendar feed. With ``share_with_grace``, Amina
has shared OST and health with Grace (HR) by name: the matrix's ``hr-with-share`` row.

Dates are arranged around the real clock: the meeting's first date is the coming Tuesday,
the trip a month ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django_scopes import scope

from peerwork.people.availability import set_working_pattern
from peerwork.people.models import Adjustment
from peerwork.people.services import share
from peerwork.schedule import feeds, services, travel
from peerwork.schedule.models import CalendarFeed, Meeting, PrivateNeed, Traveller, Trip

TUESDAY = 1
WORKDAY = (dt.time(9, 0), dt.time(17, 30))
APPOINTMENT = {
    "kind": "appointment",
    "weekday": TUESDAY,
    "starts": "13:00",
    "ends": "14:00",
    "travel_minutes": 20,
    "every_weeks": 1,
}


@dataclass
class Situation:
    need: PrivateNeed
    adjustment: Adjustment
    meeting: Meeting
    trip: Trip
    traveller: Traveller
    feed: CalendarFeed
    feed_token: str
    today: dt.date
    next_tuesday: dt.date


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7 or 7)


def arrange(story: Any, *, share_with_grace: bool = False) -> Situation:
    org = story.harbourside
    today = timezone.localdate()
    tuesday = next_weekday(today, TUESDAY)
    with scope(organisation=org.pk):
        for person in (story.amina, story.olena, story.joseph):
            set_working_pattern(
                actor=story.ravi, membership=person, days=dict.fromkeys(range(5), WORKDAY)
            )
        need = services.record_need(actor=story.amina, owner=story.amina, details=APPOINTMENT)
        adjustment = services.propose_adjustment(
            actor=story.amina,
            person=story.amina,
            weekdays=[TUESDAY],
            starts=dt.time(10, 45),
            valid_from=today,
            review_on=today + dt.timedelta(days=180),
        )
        adjustment = services.agree_adjustment(
            actor=story.ravi, adjustment=adjustment, version=adjustment.version
        )
        meeting = services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="Team meeting",
                kind=Meeting.Kind.TEAM_MEETING,
                first_on=tuesday,
                starts=dt.time(9, 30),
                minutes=120,
                repeats=Meeting.Repeats.WEEKLY,
                place="Drop-in centre, back room",
                team=story.team,
                required=[story.amina.pk, story.olena.pk],
                optional=[story.joseph.pk],
            ),
        )
        trip = travel.create_trip(
            actor=story.ravi,
            fields=travel.TripFields(
                title="Peer counselling training",
                kind=Trip.Kind.EVENT_ELSEWHERE,
                place="Mombasa",
                starts_on=today + dt.timedelta(days=30),
                ends_on=today + dt.timedelta(days=32),
                first_session_at=dt.time(9, 0),
                travellers=[story.amina.pk],
            ),
        )
        traveller = Traveller.objects.get(trip=trip, member=story.amina)
        traveller = travel.opt_in(actor=story.amina, traveller=traveller)
        feed, token = feeds.make_feed(actor=story.amina)
        if share_with_grace:
            share(
                actor=story.amina,
                audience="person",
                grantee=story.grace,
                categories=["ost", "health"],
                purpose="Help with travel and planning",
            )
    return Situation(
        need=need,
        adjustment=adjustment,
        meeting=meeting,
        trip=trip,
        traveller=traveller,
        feed=feed,
        feed_token=token,
        today=today,
        next_tuesday=tuesday,
    )
