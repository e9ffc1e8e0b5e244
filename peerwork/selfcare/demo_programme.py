"""The self-control programme part of the demo story (issue 7 item 2; shared/DEMO.md; guide
App. 8, §4.2).

The story does not name a programme, so this one stays modest and Amina's own: three weeks
ago she started one about using before her evening outreach shifts. She kept ten days of
baseline records (what happened before, what she did, what came after), then set a small
goal (once a week at most, in six weeks) and chose her strategies, one of them in her own
words; she has logged the days since, and noted one revision. It is private: not opened to
anyone (her circle is the record she opened to Samuel).

Everything goes through the services with the story's past dates passed as ``now``, as on
a real server. Idempotent: if Amina has any programme, nothing is done, so what someone
changed in the live demo is left as they made it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerwork.core.demo import DemoContext, seed_step
from peerwork.people import demo as people_demo

from . import programmes
from .models import SelfControlEntry

H = people_demo.H

STARTED = dt.timedelta(days=21)
GOAL_SET = dt.timedelta(days=11)
REVISED = dt.timedelta(days=3)

BEFORE = (
    "Waiting alone at the bus stop for an hour before the shift",
    "A row at home before I left",
    "Tired after the day at the drop-in",
)
# Days ago: (count, what happened before); a day at 0 has no story to tell.
BASELINE = {
    20: (1, BEFORE[0]),
    19: (0, ""),
    18: (1, BEFORE[1]),
    17: (0, ""),
    16: (0, ""),
    15: (1, BEFORE[0]),
    14: (1, BEFORE[2]),
    13: (0, ""),
    12: (1, BEFORE[0]),
    11: (0, ""),
}
LOGGED = {10: 0, 9: 0, 8: 1, 7: 0, 6: 0, 5: 0, 4: 0, 3: 0, 2: 1, 1: 0}


@seed_step("selfcare: Amina's self-control programme")
def seed_aminas_programme(demo: DemoContext) -> None:
    amina = demo.member(H, "amina")
    with demo.scope(H):
        if programmes.programmes_of(amina):
            return
        now = timezone.now()
        programme = programmes.start_programme(
            actor=amina,
            benefits="A clear head on shift and when I talk with clients. Keeping my place in "
            "the evening pair with Joseph.",
            told=["Samuel, my mentor", "My sister Wanjiku"],
            obstacles="The long wait before the shift. I will go to the drop-in early and "
            "have tea with whoever is there instead of waiting alone.",
            target="Using before going out on evening outreach",
            now=now - STARTED,
        )
        today = programmes.local_today(amina, now)
        for days_ago, (count, before) in BASELINE.items():
            programmes.record_entry(
                actor=amina,
                programme=programme,
                phase=SelfControlEntry.Phase.BASELINE,
                day=today - dt.timedelta(days=days_ago),
                count=count,
                antecedent=before,
                behaviour="Used before going out" if count else "",
                consequence="Slow on the first round; Joseph did most of the talking"
                if count
                else "",
                now=now - dt.timedelta(days=days_ago),
            )
        programme, _hints = programmes.set_goal(
            actor=amina,
            programme=programme,
            version=programme.version,
            unit=programmes.WEEK,
            direction=programmes.FEWER,
            target=1,
            goal_by=today + dt.timedelta(days=31),
            now=now - GOAL_SET,
        )
        programme = programmes.save_strategies(
            actor=amina,
            programme=programme,
            version=programme.version,
            codes=["env_avoid", "beh_support", "beh_alternative", "cog_benefits"],
            own="Tea at the drop-in with the team before the shift.",
            now=now - GOAL_SET,
        )
        for days_ago, count in LOGGED.items():
            programmes.record_entry(
                actor=amina,
                programme=programme,
                phase=SelfControlEntry.Phase.MONITORING,
                day=today - dt.timedelta(days=days_ago),
                count=count,
                note="Tea with Farah first" if days_ago == 4 else "",
                now=now - dt.timedelta(days=days_ago),
            )
        programmes.add_revision(
            actor=amina,
            programme=programme,
            version=programme.version,
            what="Asked Joseph to meet me at the drop-in on shift days.",
            why="My records show the waiting alone comes before almost every time.",
            now=now - REVISED,
        )
        demo.changes += 1
