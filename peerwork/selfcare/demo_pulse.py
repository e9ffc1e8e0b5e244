"""The stress pulse part of the demo story (issue 7 item 3; §3.9; shared/DEMO.md).

Harbourside's people answered the weekly pulse over the six weeks before this one, through
the same service as the page (``pulse.answer``), so each answer is a receipt for its
person and a level in their team's week with no link between them.

What is true of the demo's teams decides what is seeded; nobody is invented:

- **Coordination** (Ravi, Grace, Daniel, Chen and Bashir) is the one team of five: all five
  answer most weeks, and in one week of every six only three do, so that week shows as
  "not enough answers". Its levels rise for a busy fortnight and ease again.
- **Outreach** has two people in the demo (Amina and Joseph) and **Drop-in and
  counselling** two (Olena and Samuel): they answer every week, and their teams' weeks
  never reach the minimum of five, so nobody sees anything of them, as it should be.
  (The brief asked for Outreach with five answers a week; with two people that would be
  invented answers.)

Grace and Daniel see Coordination's weeks and the whole organisation (Coordination's
weeks only); Ravi, whose reports are in Outreach and Drop-in and counselling, sees both
teams as "not enough answers". This week is left open for the live demo: anyone may
answer it.

Which weeks are short, and the levels, follow the week's date (its number since 0001-01-01
in sixes), so a seed run in a later week adds that week in the same pattern, and any six
weeks hold exactly one short week. Idempotent: a person who already has a week's receipt is
skipped (their answer is in), so a second run adds nothing and nobody ever has two receipts
in a week.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from peerwork.core.demo import DemoContext, H, seed_step

from . import pulse
from .models import PulseReceipt

WEEKS = 6

# Who answers, team by team, and the levels each week gives in turn (by the week's place in
# the cycle of six). The levels of a week are a multiset: which person gave which is not
# kept, so they are not paired with people here either.
COORDINATION = ("ravi", "grace", "daniel", "chen", "bashir")
COORDINATION_LEVELS = (
    (2, 3, 2, 3, 2),
    (3, 3, 2, 4, 3),
    (3, 4, 4, 3, 4),
    (4, 3, 4),  # only three answered: "not enough answers to show"
    (3, 4, 3, 2, 3),
    (2, 3, 2, 3, 2),
)
SMALL_TEAMS = {
    ("amina", "joseph"): ((3, 2), (3, 3), (4, 3), (3, 4), (2, 3), (2, 2)),
    ("olena", "samuel"): ((2, 2), (2, 3), (3, 3), (3, 2), (2, 2), (1, 2)),
}


def cycle_of(week: dt.date) -> int:
    """The week's place (0–5) in the cycle of six: the same for a week whenever seeded."""
    return (week.toordinal() // 7) % WEEKS


def answers_of(week: dt.date) -> list[tuple[str, int]]:
    """(username, level) of everyone who answers in the week of ``week``."""
    place = cycle_of(week)
    found = list(zip(COORDINATION, COORDINATION_LEVELS[place], strict=False))
    for people, levels in SMALL_TEAMS.items():
        found += zip(people, levels[place], strict=True)
    return found


@seed_step("stress pulse")
def seed_pulse(demo: DemoContext) -> None:
    organisation = demo.organisation(H)
    zone = zoneinfo.ZoneInfo(organisation.time_zone)
    with demo.scope(H):
        current = pulse.this_week(demo.member(H, "ravi"))
        for back in range(WEEKS, 0, -1):
            week = current - dt.timedelta(weeks=back)
            # Midweek, at noon where Harbourside works: well inside the week.
            moment = timezone.make_aware(
                dt.datetime.combine(week + dt.timedelta(days=2), dt.time(12, 0)), zone
            )
            for username, level in answers_of(week):
                member = demo.member(H, username)
                if PulseReceipt.objects.filter(
                    organisation=organisation, member=member, week_of=week
                ).exists():
                    continue
                pulse.answer(actor=member, level=level, now=moment)
                demo.changes += 1
