"""Another organisation's risk circle records for the organisation isolation test
(``peerwork.core.isolation``; nothing here runs in production).

- ``circle_id``: a circle of a staff member there, opened to the member the test acts as
  (who reads it and suggests on it: the routes with ``circle_id`` are the reader's). The
  opening is written directly, since that member need not be someone a circle may be
  opened to through the service.
- ``suggestion_id``: a suggestion by a peer mentor there on the member's own circle: they
  read and decide it.
- ``circle_opening_id``: the member's own circle opened to a peer mentor there: they close
  it. (Named apart from the programme's ``opening_id``: each area makes its own.)

Every circle has an area with the fixed key ``AREA`` so that a suggestion's body can name
it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Membership, Role

from . import circles
from .models import CircleSuggestion, Opening, RiskCircle

API = "/api/v1"
AREA = "1501a7ed"
AREAS = [
    {
        "key": AREA,
        "name": "Isolation risk area",
        "rating": 5,
        "prevention": "Isolation prevention",
        "management": "Isolation management",
    }
]


def _circle_of(owner: Membership) -> RiskCircle:
    """The owner's circle, made the first time it is needed."""
    circle = circles.circle_of(owner)
    if circle is None or AREA not in {a.key for a in circles.parse_content(circle.content)}:
        circles.save_circle(actor=owner, areas=AREAS, version=circle.version if circle else None)
        circle = circles.circle_of(owner)
    assert circle is not None  # noqa: S101 (just saved)
    return circle


def _circle(other: Other) -> Made:
    circle = _circle_of(other.member_with(Role.STAFF))
    now = timezone.now()
    Opening.objects.create(
        organisation_id=circle.organisation_id,
        owner_id=circle.owner_id,
        grantee=other.member,
        circle=circle,
        opened_at=now,
        expires_at=now + dt.timedelta(days=7),
    )
    return Made(value=str(circle.pk), owner=other.member, obj=circle)


def _suggestion(other: Other) -> Made:
    circle = _circle_of(other.member)
    mentor = other.member_with(Role.STAFF, Role.PEER_MENTOR)
    circles.open_circle(actor=other.member, circle=circle, grantee=mentor, days=7)
    suggestion = circles.suggest(
        actor=mentor,
        circle=circle,
        area=AREA,
        ring=CircleSuggestion.Ring.PREVENTION,
        text="Isolation suggestion",
    )
    return Made(value=str(suggestion.pk), owner=other.member, obj=suggestion)


def _opening(other: Other) -> Made:
    circle = _circle_of(other.member)
    mentor = other.member_with(Role.STAFF, Role.PEER_MENTOR)
    opening = circles.open_circle(actor=other.member, circle=circle, grantee=mentor, days=7)
    return Made(value=str(opening.pk), owner=other.member, obj=opening)


register_isolation_maker("circle_id", _circle)
register_isolation_maker("suggestion_id", _suggestion)
register_isolation_maker("circle_opening_id", _opening)


def _suggest(made: Made) -> Body:
    return Body(data={"area": AREA, "ring": "management", "text": "Isolation idea"})


register_isolation_request("POST selfcare:opened_circle_suggest", _suggest)
register_isolation_request(f"POST {API}/risk-circles/opened/{{circle_id}}/suggestions", _suggest)
