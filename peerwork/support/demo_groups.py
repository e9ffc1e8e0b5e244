"""The peer support group and retreat part of the demo story (``/work/shared/DEMO.md``;
issue 7 items 7 and 8; guide §3.10, §3.12, §4.8, App. 4).

- Harbourside's **Friday lunch group**: Farah facilitates it; it meets every Friday from
  13:00 to 14:00 in the drop-in's back room, during the lunch break. Management gets in
  touch through Farah; concerns raised in the group go to Farah, then to Grace (HR). Its
  terms are reviewed six months after the first seed. Amina, Olena, Samuel and Joseph are
  in it, so it is plainly not only for people who use drugs (§4.8). It met on each of the
  last four Fridays, and it chose to share one thing with everyone. No §4.8 step: a
  healthy group.
- A **peer retreat** about two months ahead, two days by the coast, planned by Ravi with
  the peers invited. Each day starts at 11:00 so that everyone can be there from the start
  (Olena's agreed hours begin at 10:45), and its agenda holds the audit of how
  Harbourside employs people who use drugs.

Everything goes through the services (``groups``, ``retreats``), as on a real server.
Farah, the facilitator, is one of the demo's people (``peerwork.core.demo``). Idempotent: the group is looked up by name, the retreat by title; meetings and the
shared learning are seeded only while the group has none. A second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from peerwork.core.demo import DemoContext, seed_step
from peerwork.people import demo as people_demo  # its steps first
from peerwork.schedule import demo as schedule_demo  # noqa: F401  (Olena's hours first)

from . import groups, retreats
from .models import GroupLearning, GroupMeeting, Retreat, SupportGroup

H = people_demo.H

GROUP_NAME = "Friday lunch group"
GROUP_MEMBERS = ("amina", "olena", "samuel", "joseph")
# How many came on each of the last four Fridays, oldest first.
ATTENDANCE = (5, 4, 6, 5)
SHARED = (
    "Evening outreach pairs want a second charged phone, so one of the pair can always "
    "call for help. Could each pair take two from the office?"
)

RETREAT_TITLE = "Harbourside peer retreat"
RETREAT_PURPOSE = (
    "Two days away from the drop-in: time to rest and be together, to learn from each "
    "other's work on the scenes, and to look honestly at how Harbourside employs peers, "
    "what helps and what we should change."
)
RETREAT_PLACE = "Tiwi beach guest house, south coast (fictional)"
RETREAT_AGENDA = (
    "Arrive, settle in, lunch together",
    "What went well this year: stories from outreach and the drop-in",
    "Looking after ourselves: burnout signs and what helps",
    "Walk on the beach",
    "Next year's training wishes",
)
RETREAT_INVITED = ("amina", "joseph", "olena", "samuel", "grace", "ravi")
RETREAT_WEEKS_AHEAD = 8


def _zone(demo: DemoContext) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(demo.organisation(H).time_zone)


def last_fridays(today: dt.date, count: int) -> list[dt.date]:
    """The ``count`` Fridays before today, oldest first."""
    latest = today - dt.timedelta(days=(today.weekday() - 4) % 7 or 7)
    return [latest - dt.timedelta(weeks=n) for n in reversed(range(count))]


@seed_step("support: the Friday lunch group")
def seed_lunch_group(demo: DemoContext) -> None:
    grace = demo.member(H, "grace")
    farah = demo.member(H, "farah")
    with demo.scope(H), timezone.override(_zone(demo)):
        today = timezone.localdate()
        group = SupportGroup.objects.filter(
            organisation=demo.organisation(H), name=GROUP_NAME
        ).first()
        if group is None:
            group = groups.start_group(
                actor=grace,
                terms=groups.GroupTerms(
                    name=GROUP_NAME,
                    place="The drop-in's back room",
                    frequency="Every Friday, 13:00 to 14:00",
                    timing=SupportGroup.Timing.LUNCH,
                    management_contact=(
                        "Through Farah, who brings it to the group at its next meeting."
                    ),
                    concerns_to="Farah first; if that does not settle it, Grace in HR.",
                    review_on=today + dt.timedelta(days=182),
                    facilitator=farah.pk,
                ),
            )
            demo.changes += 1
        for username in GROUP_MEMBERS:
            person = demo.member(H, username)
            if groups.membership_of(person, group) is None:
                groups.join_group(actor=person, group=group)
                demo.changes += 1
        if not GroupMeeting.objects.filter(group=group).exists():
            for day, came in zip(last_fridays(today, len(ATTENDANCE)), ATTENDANCE, strict=True):
                groups.record_meeting(actor=farah, group=group, held_on=day, attended=came)
            demo.changes += 1
        if not GroupLearning.objects.filter(group=group).exists():
            groups.share_learning(actor=demo.member(H, "amina"), group=group, text=SHARED)
            demo.changes += 1


@seed_step("support: a peer retreat")
def seed_retreat(demo: DemoContext) -> None:
    ravi = demo.member(H, "ravi")
    with demo.scope(H), timezone.override(_zone(demo)):
        if Retreat.objects.filter(organisation=demo.organisation(H), title=RETREAT_TITLE).exists():
            return
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday())
        first = monday + dt.timedelta(weeks=RETREAT_WEEKS_AHEAD, days=3)  # a Thursday
        retreats.plan_retreat(
            actor=ravi,
            fields=retreats.RetreatFields(
                title=RETREAT_TITLE,
                purpose=RETREAT_PURPOSE,
                place=RETREAT_PLACE,
                starts_on=first,
                ends_on=first + dt.timedelta(days=1),
                day_starts=dt.time(11, 0),
                day_ends=dt.time(17, 0),
                agenda=list(RETREAT_AGENDA),
                attendees=[demo.member(H, u).pk for u in RETREAT_INVITED],
            ),
        )
        demo.changes += 1
