"""The scheduling part of the demo story (``/work/shared/DEMO.md``; issue 6; guide §2.4.1,
§3.4, §3.5, App. 10 case 3).

Olena Petrenko, a peer counsellor at Harbourside, is on methadone. She collects it every
day when the clinic opens at 10:00 (take-home doses on Sundays); the wait is usually 15
minutes and the clinic is 30 minutes from the office, so she can be at work from 10:45.
Her contract says the team's usual 09:00–17:30, Monday to Friday (``people/demo.py``).
The seed tells how that became a working arrangement rather than a string of late
mornings, through the scheduling services, as it would happen on a real server:

- Olena keeps a private planning note of her dispensing (sealed under her key; nobody
  else reads it, not Ravi, not HR without her share).
- From it she proposes a later start, 10:45 Monday to Friday, on 2026-10-28. Ravi, her
  line manager, agrees it on 2026-11-01 as her working pattern, with a review on
  2027-05-01. The adjustment's page shows that history; Ravi and every planner see the
  hours, never why. (The services take their dates from the clock, so the seed sets the
  historic dates on the rows afterwards: it is the demo.)
- Ravi's weekly team meeting is on Wednesdays at 09:30 with Amina, Joseph and Olena. It
  still clashes with Olena's agreed start: "schedule health" shows the conflict (she can
  be there from 10:45, never why), and moving the meeting is left for the live demo and
  the browser test.
- A monthly practice session for the counselling and outreach staff, run by Grace (HR).
- A peer counselling training in Mombasa in a few weeks. Olena travels; Ravi organises it
  with the OST site near the venue, when it opens, how far it is and a transport plan
  (§3.4 tips). Olena has opted in to her private checklist and done its first steps.
- An event Harbourside hosts for peer workers from the region, with OST access arranged
  for visiting participants and said so in its announcement (§3.4 tips).
- At Riverside, a small weekly check-in of Taras's peer team.

Idempotent like the rest of the seed: the note is looked up by its owner, the adjustment
by its hours, a meeting or a trip by its title, a traveller by the trip and the person.
A second run changes nothing. What someone changed in the live demo (a meeting moved, a
checklist ticked) is left as they made it, as the outreach demo leaves its shifts.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from peerwork.core.demo import DemoContext, seed_step
from peerwork.core.models import Membership
from peerwork.people import demo as people_demo  # its steps first: Olena's contract
from peerwork.people.models import Adjustment

from . import conflicts, needs, services, travel
from .models import Meeting, PrivateNeed, Traveller, Trip

H, R = people_demo.H, people_demo.R

# --- the story as data ---------------------------------------------------------------

# Olena's own note, in our words. The clinic's name is the demo's invention.
OLENA_NOTE: dict[str, Any] = {
    "kind": needs.DISPENSING,
    "site": "Harbour OST clinic",
    "days": [0, 1, 2, 3, 4, 5, 6],
    "opens": "10:00",
    "closes": "13:00",
    "collection": needs.AT_OPENING,
    "wait_minutes": 15,
    "travel_minutes": 30,
    "take_home_days": [6],
}

# The adjustment the note proposes (App. 10 case 3: 10:00 + 15 + 30) and its history.
LATER_START = dt.time(10, 45)
WEEKDAYS = [0, 1, 2, 3, 4]
PROPOSED_AT = (dt.date(2026, 10, 28), dt.time(11, 20))
AGREED_AT = (dt.date(2026, 11, 1), dt.time(9, 40))
VALID_FROM = dt.date(2026, 11, 2)
REVIEW_ON = dt.date(2027, 5, 1)


@dataclass(frozen=True)
class DemoMeeting:
    organisation: str
    title: str
    kind: str
    organiser: str
    first_on: dt.date
    starts: dt.time
    minutes: int
    repeats: str
    place: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


TEAM_MEETING = "Programme team meeting"

MEETINGS = (
    # Ravi's Wednesday meeting: it began before Olena's later start was agreed, and still
    # starts at 09:30, two hours long, so she misses its start and the decisions taken in
    # it (App. 10 case 3) until it moves or takes its decisions after 10:45.
    DemoMeeting(
        H,
        TEAM_MEETING,
        Meeting.Kind.TEAM_MEETING,
        "ravi",
        dt.date(2026, 9, 2),
        dt.time(9, 30),
        120,
        Meeting.Repeats.WEEKLY,
        "Drop-in centre, meeting room",
        ("amina", "joseph", "olena"),
    ),
    DemoMeeting(
        H,
        "Peer counselling practice session",
        Meeting.Kind.TRAINING,
        "grace",
        dt.date(2026, 9, 15),
        dt.time(14, 0),
        120,
        Meeting.Repeats.MONTHLY,
        "Drop-in centre, training room",
        ("olena", "samuel", "amina"),
        ("joseph",),
    ),
    DemoMeeting(
        R,
        "Peer team check-in",
        Meeting.Kind.TEAM_MEETING,
        "taras",
        dt.date(2026, 9, 7),
        dt.time(10, 0),
        45,
        Meeting.Repeats.WEEKLY,
        "Podil office",
        ("iryna", "dmytro"),
        ("oksana",),
    ),
)


# --- helpers -------------------------------------------------------------------------


def _zone(demo: DemoContext, organisation: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(demo.organisation(organisation).time_zone)


def _at(day_and_time: tuple[dt.date, dt.time], zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day_and_time[0], day_and_time[1], tzinfo=zone)


def _wanted_note() -> dict[str, Any]:
    return needs.details_to_store(needs.DISPENSING, needs.parse(OLENA_NOTE))


def olenas_note(olena: Membership) -> PrivateNeed | None:
    return (
        PrivateNeed.objects.filter(organisation_id=olena.organisation_id, owner=olena)
        .order_by("created_at")
        .first()
    )


def olenas_later_start(olena: Membership) -> Adjustment | None:
    """The adjustment of the story: 10:45 Monday to Friday, neither declined nor ended."""
    for row in Adjustment.objects.filter(
        organisation_id=olena.organisation_id,
        membership=olena,
        state__in=(Adjustment.State.PROPOSED, Adjustment.State.AGREED),
    ).order_by("proposed_at"):
        if row.starts == LATER_START and sorted(row.weekdays) == WEEKDAYS:
            return row
    return None


# --- seed steps ----------------------------------------------------------------------


@seed_step("schedule: Olena's private note and her agreed later start")
def seed_olenas_later_start(demo: DemoContext) -> None:
    """Olena's note, the adjustment she proposed from it and Ravi's agreement (App. 10
    case 3), through the services, with the story's dates set afterwards."""
    olena = demo.member(H, "olena")
    ravi = demo.member(H, "ravi")
    zone = _zone(demo, H)
    with demo.scope(H), timezone.override(zone):
        wanted = _wanted_note()
        note = olenas_note(olena)
        if note is None:
            note = services.record_need(actor=olena, owner=olena, details=dict(OLENA_NOTE))
            demo.changes += 1
        elif json.loads(note.content or "{}") != wanted:
            note = services.record_need(
                actor=olena,
                owner=olena,
                details=dict(OLENA_NOTE),
                need=note,
                version=note.version,
            )
            demo.changes += 1

        adjustment = olenas_later_start(olena)
        if adjustment is None:
            [adjustment] = services.propose_from_need(
                actor=olena, need=note, valid_from=VALID_FROM, review_on=REVIEW_ON
            )
            demo.changes += 1
        if adjustment.state == Adjustment.State.PROPOSED:
            adjustment = services.agree_adjustment(
                actor=ravi, adjustment=adjustment, version=adjustment.version
            )
            demo.changes += 1
        history = {
            "valid_from": VALID_FROM,
            "review_on": REVIEW_ON,
            "proposed_at": _at(PROPOSED_AT, zone),
            "person_agreed_at": _at(PROPOSED_AT, zone),
            "manager_agreed_at": _at(AGREED_AT, zone),
            "agreed_on": AGREED_AT[0],
        }
        differs = {k: v for k, v in history.items() if getattr(adjustment, k) != v}
        if differs:
            # The services date their rows by the clock; the story's dates are historic.
            Adjustment.objects.filter(pk=adjustment.pk).update(**differs)
            demo.changes += 1
            if "valid_from" in differs:
                conflicts.recalculate_member(olena)


@seed_step("schedule: meetings and trainings")
def seed_meetings(demo: DemoContext) -> None:
    """The Wednesday team meeting that still clashes with Olena's start, a monthly
    training, and Riverside's weekly check-in, each made by its organiser."""
    for spec in MEETINGS:
        with demo.scope(spec.organisation), timezone.override(_zone(demo, spec.organisation)):
            organiser = demo.member(spec.organisation, spec.organiser)
            if Meeting.objects.filter(
                organisation=demo.organisation(spec.organisation), title=spec.title
            ).exists():
                continue
            services.create_meeting(
                actor=organiser,
                fields=services.MeetingFields(
                    title=spec.title,
                    kind=spec.kind,
                    first_on=spec.first_on,
                    starts=spec.starts,
                    minutes=spec.minutes,
                    repeats=spec.repeats,
                    place=spec.place,
                    required=[demo.member(spec.organisation, u).pk for u in spec.required],
                    optional=[demo.member(spec.organisation, u).pk for u in spec.optional],
                ),
            )
            demo.changes += 1


# --- trips and events ------------------------------------------------------------------

TRAINING_TRIP = "Peer counselling training"
HOSTED_EVENT = "Regional peer workers' gathering"


@dataclass(frozen=True)
class DemoTrip:
    title: str
    kind: str
    place: str
    organiser: str
    weeks_ahead: int  # its first day: the Monday this many weeks after the seed, plus
    weekday: int  # this many days
    days: int
    first_session_at: dt.time
    travellers: tuple[str, ...]
    ost_site_name: str
    ost_site_address: str
    ost_site_opens: dt.time
    ost_site_travel_minutes: int
    transport_plan: str
    ost_access_arranged: bool = False


TRIPS = (
    # Olena travels; the organiser knows the site near the venue and how to get there and
    # back before the first session (the §3.4 tips), for everyone, whoever is on OST.
    DemoTrip(
        TRAINING_TRIP,
        Trip.Kind.EVENT_ELSEWHERE,
        "Mombasa, Coast Peer Learning Centre (fictional)",
        "ravi",
        weeks_ahead=4,
        weekday=0,
        days=3,
        first_session_at=dt.time(9, 0),
        travellers=("olena", "samuel"),
        ost_site_name="Coast OST dispensing site (fictional)",
        ost_site_address="Off Nkrumah Road, Mombasa (fictional)",
        ost_site_opens=dt.time(8, 0),
        ost_site_travel_minutes=20,
        transport_plan=(
            "A taxi is booked for each morning: from the hotel at 07:40 to the dispensing "
            "site, then on to the venue for 08:50. Ask the organiser if you need it."
        ),
    ),
    # An event Harbourside hosts: OST access arranged for visiting participants, and said
    # so in the announcement (the service drafts it).
    DemoTrip(
        HOSTED_EVENT,
        Trip.Kind.HOSTED_EVENT,
        "Harbourside drop-in centre",
        "daniel",
        weeks_ahead=6,
        weekday=3,
        days=2,
        first_session_at=dt.time(9, 30),
        travellers=("amina", "joseph", "samuel"),
        ost_site_name="Eastlands community OST site (fictional)",
        ost_site_address="Next to the Eastlands health centre (fictional)",
        ost_site_opens=dt.time(7, 30),
        ost_site_travel_minutes=25,
        transport_plan=(
            "Our minibus waits outside the site from 08:15 and brings everyone to the "
            "drop-in centre for the first session."
        ),
        ost_access_arranged=True,
    ),
)

# What Olena has done on her checklist so far: she told her prescriber the day the trip was
# planned (the request date) and packed a copy of her passport. Her own entries.
OLENA_CHECKLIST = {
    "take_home_limit": "Two travel requests a year",
    "take_home_used": 0,
    "packed": ["passport_copy"],
    "medicine": "Methadone",
}


def _first_day(today: dt.date, spec: DemoTrip) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    return monday + dt.timedelta(weeks=spec.weeks_ahead, days=spec.weekday)


@seed_step("schedule: trips and events")
def seed_trips(demo: DemoContext) -> None:
    """The training in Mombasa Olena travels to, with her checklist started, and the
    gathering Harbourside hosts with OST access arranged. Dated from the seed's day the
    first time; looked up by title afterwards."""
    zone = _zone(demo, H)
    with demo.scope(H), timezone.override(zone):
        today = timezone.localdate()
        for spec in TRIPS:
            if Trip.objects.filter(organisation=demo.organisation(H), title=spec.title).exists():
                continue
            starts_on = _first_day(today, spec)
            travel.create_trip(
                actor=demo.member(H, spec.organiser),
                fields=travel.TripFields(
                    title=spec.title,
                    kind=spec.kind,
                    place=spec.place,
                    starts_on=starts_on,
                    ends_on=starts_on + dt.timedelta(days=spec.days - 1),
                    first_session_at=spec.first_session_at,
                    travellers=[demo.member(H, u).pk for u in spec.travellers],
                    ost_site_name=spec.ost_site_name,
                    ost_site_address=spec.ost_site_address,
                    ost_site_opens=spec.ost_site_opens,
                    ost_site_travel_minutes=spec.ost_site_travel_minutes,
                    transport_plan=spec.transport_plan,
                    ost_access_arranged=spec.ost_access_arranged,
                ),
            )
            demo.changes += 1
        _seed_olenas_checklist(demo, today)


def _seed_olenas_checklist(demo: DemoContext, today: dt.date) -> None:
    """Olena opted in to her checklist and did its first steps. Once started it is hers:
    a later seed leaves it as she keeps it in the live demo."""
    olena = demo.member(H, "olena")
    traveller = (
        Traveller.objects.filter(
            organisation=demo.organisation(H), member=olena, trip__title=TRAINING_TRIP
        )
        .select_related("trip__organisation", "member__organisation")
        .first()
    )
    if traveller is None or travel.is_opted_in(traveller):
        return
    traveller = travel.opt_in(actor=olena, traveller=traveller)
    started = travel.read_checklist(actor=olena, traveller=traveller)
    travel.update_checklist(
        actor=olena,
        traveller=traveller,
        version=traveller.version,
        details={**started, **OLENA_CHECKLIST, "request_sent_on": today},
    )
    demo.changes += 1
