"""The risk circle part of the demo story (issue 7; shared/DEMO.md; guide §3.8, App. 3).

Amina Wanjiru keeps a risk circle. She first made it four months ago with five areas; a
month ago, after a talk with Samuel Kiprop (her peer mentor), she saved it again: she
added the worry of word getting back to her family, rated arrest on outreach a little
lower now that she works in pairs, and her debt lower since she stopped buying on credit.
So it has two saves to compare. She has opened it to Samuel for two weeks from now;
he suggested two strategies: she kept one (which joined that area's management strategy
and saved the circle as a third version), the other waits for her answer.

Everything goes through the services, as on a real server, with the story's past dates
passed as ``now``. Idempotent: the circle is looked up by its owner, the opening by
whether one to Samuel is open, the suggestions by their author. A second run changes
nothing; what someone changed in the live demo is left as they made it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerwork.core.demo import DemoContext, seed_step
from peerwork.people import demo as people_demo

from . import circles
from .models import CircleSuggestion

H = people_demo.H

ARREST_OUTREACH = "Arrest on evening outreach"
ARREST_BUYING = "Arrest when buying"
BOUNDARIES = "Boundaries with peers who are also friends"
DEBT = "Owing money to suppliers"
NEEDLE = "Needle-stick injury"
FAMILY = "Word getting back to my family"


def _area(name: str, rating: int, prevention: str, management: str, **scale: int) -> dict[str, Any]:
    return {
        "name": name,
        "rating": rating,
        "prevention": prevention,
        "management": management,
        **scale,
    }


# Amina's own words: the first save, four months ago.
FIRST: tuple[dict[str, Any], ...] = (
    _area(
        ARREST_OUTREACH,
        8,
        "Carry my outreach ID card and the police liaison letter. Never go out alone after "
        "dark. Carry only outreach supplies on shift.",
        "Stay calm and polite, show the card and the letter, ask for the lawyer whose number "
        "is on the card. My partner calls Ravi, and the team follows the arrest plan.",
        likelihood=3,
        consequence=5,
    ),
    _area(
        ARREST_BUYING,
        6,
        "Buy only off shift, never with the work bag, and never near the drop-in.",
        "Say nothing about work. Call the lawyer's number I keep on paper. Samuel knows whom "
        "to call at home.",
        likelihood=3,
        consequence=4,
    ),
    _area(
        BOUNDARIES,
        6,
        "Say early that at work I am there as an outreach worker. Keep my work phone and my "
        "own phone apart.",
        "If a friend asks for something I cannot give on shift, say no kindly, and talk it "
        "over with Samuel afterwards.",
    ),
    _area(
        DEBT,
        5,
        "Pay cash. Keep a small budget for the week.",
        "Tell Samuel, make a plan to pay it off quickly, and stay away from that place "
        "until it is settled.",
    ),
    _area(
        NEEDLE,
        3,
        "Gloves on, sharps straight into the bin, never recap. The sharps tube goes on "
        "every shift.",
        "Wash it under running water, tell Ravi the same shift, and go for PEP within 72 hours.",
        likelihood=2,
        consequence=3,
    ),
)

# A month ago, after a talk with Samuel: re-rated, one more area, the debt strategy firmer.
CHANGES: dict[str, dict[str, Any]] = {
    ARREST_OUTREACH: {
        "rating": 7,
        "prevention": "Carry my outreach ID card and the police liaison letter. Work in pairs "
        "with Joseph, never alone after dark. Carry only outreach supplies on shift.",
    },
    DEBT: {
        "rating": 4,
        "prevention": "Pay cash only and never buy on credit. Keep a small budget for the week.",
    },
}
ADDED = _area(
    FAMILY,
    5,
    "Work the scenes away from my home street where I can; Ravi and I agreed which ones.",
    "Decide beforehand what I say if someone asks, and talk it over with Samuel.",
)

# Samuel's suggestions: the first kept, the second waiting.
KEPT = (
    ARREST_OUTREACH,
    CircleSuggestion.Ring.MANAGEMENT,
    "Keep the lawyer's number written on paper too, in case your phone is taken.",
)
WAITING = (
    DEBT,
    CircleSuggestion.Ring.PREVENTION,
    "The Friday lunch group keeps a savings box; putting a little in each week helped me.",
)

FIRST_SAVED = dt.timedelta(days=120)
SECOND_SAVED = dt.timedelta(days=30)
OPEN_FOR = 14


@seed_step("selfcare: Amina's risk circle, opened to Samuel")
def seed_aminas_circle(demo: DemoContext) -> None:
    amina = demo.member(H, "amina")
    samuel = demo.member(H, "samuel")
    with demo.scope(H):
        now = timezone.now()
        circle = circles.circle_of(amina)
        if circle is None:
            circles.save_circle(actor=amina, areas=list(FIRST), version=None, now=now - FIRST_SAVED)
            circle = circles.circle_of(amina)
            assert circle is not None  # noqa: S101 (just saved)
            second = [
                {**area, "key": saved.key, **CHANGES.get(area["name"], {})}
                for area, saved in zip(FIRST, circles.parse_content(circle.content), strict=True)
            ]
            second.insert(3, ADDED)
            circles.save_circle(
                actor=amina, areas=second, version=circle.version, now=now - SECOND_SAVED
            )
            demo.changes += 2
            circle = circles.circle_of(amina)
        assert circle is not None  # noqa: S101 (kept above)

        if not any(o.grantee_id == samuel.pk for o in circles.live_openings_of(circle, now)):
            circles.open_circle(actor=amina, circle=circle, grantee=samuel, days=OPEN_FOR, now=now)
            demo.changes += 1

        if CircleSuggestion.objects.filter(circle=circle, author=samuel).exists():
            return
        keys = {area.name: area.key for area in circles.parse_content(circle.content)}
        for (name, ring, text), accept in ((KEPT, True), (WAITING, False)):
            if name not in keys:  # changed in the live demo
                continue
            suggestion = circles.suggest(
                actor=samuel, circle=circle, area=keys[name], ring=ring, text=text, now=now
            )
            if accept:
                circles.decide_suggestion(actor=amina, suggestion=suggestion, accept=True, now=now)
            demo.changes += 1
