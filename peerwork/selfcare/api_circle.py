"""The risk circle in the API (issue 7 items 1 and 9; shared/API.md; guide §3.8, App. 3).

Thin handlers, as in ``peerwork.schedule.api``: the acting membership, the record's gate
first (``peerwork.selfcare.access``), a flow in ``circles``, an answer built here.
``ValidationError`` answers 400 with the fields at fault (``areas.2.rating``), nothing
saved; ``StaleVersion`` 409; ``PermissionDenied`` 403; gates 404 (missing, another
organisation's, or not the asker's to see: one answer).

- ``/risk-circles/mine``: my own circle (read, save with ``If-Match``, delete, mark a big
  change), its versions and a comparison of two, its openings and the suggestions on it.
- ``/risk-circle-openings/{circle_opening_id}``: close an opening early (its owner).
- ``/risk-circle-suggestions/{suggestion_id}``: read one; the owner accepts or declines.
- ``/risk-circles/opened`` and ``/risk-circles/opened/{circle_id}``: circles opened to me
  now, read (each read audited for the owner to see) and suggested on. When the opening
  ends or is closed, they answer 404 at once.

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the schemas' names could not be looked up.
"""

import datetime as dt
import uuid
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, PersonRef, Text, Time, check_year, codes, errors, person_ref
from peerwork.core import access as core_access
from peerwork.core.access import Action
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership

from . import circles
from .access import (
    circle_for_member,
    opening_for_owner,
    suggest_on_circle_for_member,
    suggestion_for_member,
    uses_selfcare,
)
from .models import CircleSuggestion, Opening, RiskCircle

router = Router(tags=["risk circle"])

RingCode = Annotated[CircleSuggestion.Ring, codes(CircleSuggestion.Ring)]

IfMatchOptional = Header(
    None,
    alias="If-Match",
    description="The `version` as you read it; 409 if it changed since. Needed once the "
    "circle exists (without it, a save over an existing circle is 409).",
)
IfMatchRequired = Header(
    ...,
    alias="If-Match",
    description="The `version` as you read it (also the `ETag`); 409 if it changed since.",
)


# --- schemas -----------------------------------------------------------------------------


class AreaIn(Schema):
    key: str | None = Field(
        None,
        description="8 hexadecimal digits: keep an area's key to keep it the same area "
        "(its suggestions and comparisons follow it). Leave it out for a new area.",
    )
    name: Text = Field(description=f"At most {circles.NAME_MAX} characters.")
    rating: int | None = Field(description="1 (very low risk) to 10 (very high). Required.")
    likelihood: int | None = Field(None, description="Optional: how likely, 1 to 5.")
    consequence: int | None = Field(None, description="Optional: how bad, 1 to 5.")
    prevention: Text = Field("", description=f"At most {circles.STRATEGY_MAX} characters.")
    management: Text = Field("", description=f"At most {circles.STRATEGY_MAX} characters.")


class CircleIn(Schema):
    areas: list[AreaIn] = Field(
        max_length=64,
        description=f"In the person's order (the drawing's, clockwise). Usually 4 to 10; "
        f"at most {circles.MOST_AREAS}.",
    )


class AreaOut(Schema):
    key: str
    name: str
    rating: int
    likelihood: int | None
    consequence: int | None
    suggested_rating: int | None = Field(
        description="From likelihood × consequence ÷ 2.5, rounded up; null unless both "
        "are given. Only a suggestion: `rating` is the person's."
    )
    prevention: str
    management: str


def _area_out(area: circles.Area) -> dict[str, object]:
    return {
        "key": area.key,
        "name": area.name,
        "rating": area.rating,
        "likelihood": area.likelihood,
        "consequence": area.consequence,
        "suggested_rating": area.suggested,
        "prevention": area.prevention,
        "management": area.management,
    }


class CircleOut(Schema):
    """A person's own risk circle (App. 3)."""

    id: uuid.UUID
    person: PersonRef
    areas: list[AreaOut]
    talk_first: list[str] = Field(description="Area keys, highest rating first (App. 3 step 5).")
    note: str | None = Field(description="A kind word when outside the usual 4 to 10 areas.")
    created_at: Time
    saved_at: Time
    review_due_on: dt.date | None
    review_due: bool = Field(description="The review date is today or has passed.")
    changed_at: Time | None = Field(description="When a big change in life was last marked.")
    versions: int
    version: int = Field(description="Send it back as `If-Match` to change the circle.")


def _circle_out(member: Membership, circle: RiskCircle) -> dict[str, object]:
    areas = circles.areas_of(actor=member, circle=circle)
    today = circles.local_today(circle.owner.organisation)
    return {
        "id": circle.pk,
        "person": person_ref(circle.owner),
        "areas": [_area_out(area) for area in areas],
        "talk_first": [area.key for area in circles.talk_first(areas)],
        "note": circles.range_note(len(areas)),
        "created_at": circle.created_at,
        "saved_at": circle.saved_at,
        "review_due_on": circle.review_due_on,
        "review_due": circle.review_due_on is not None and circle.review_due_on <= today,
        "changed_at": circle.changed_at,
        "versions": circle.versions.count(),
        "version": circle.version,
    }


def _mine(member: Membership) -> RiskCircle:
    """My own circle; 404 when I keep none (or the self-care tools are not mine)."""
    if not uses_selfcare(member):
        raise Http404
    circle = circles.circle_of(member)
    if circle is None:
        raise Http404
    return circle


def _answer(member: Membership, response: HttpResponse) -> dict[str, object]:
    circle = _mine(member)
    etag(response, circle.version)
    return _circle_out(member, circle)


class VersionOut(Schema):
    number: int
    saved_at: Time
    areas: list[AreaOut]


class RatingChange(Schema):
    key: str
    name: str
    before: int
    after: int


class Renamed(Schema):
    key: str
    name: str
    was: str


class ComparisonOut(Schema):
    older: int
    newer: int
    added: list[AreaOut]
    removed: list[AreaOut]
    rating_up: list[RatingChange]
    rating_down: list[RatingChange]
    renamed: list[Renamed]
    strategies_changed: list[str] = Field(description="Keys of areas whose strategies changed.")


class CompareQuery(Schema):
    older: int = Field(ge=1, le=1_000_000, description="A version number.")
    newer: int = Field(ge=1, le=1_000_000, description="A version number.")


class OpeningIn(Schema):
    grantee: uuid.UUID = Field(
        description="A peer mentor, the owner's own line manager or their own coach."
    )
    until: dt.date | None = Field(
        None, description="Open through the end of this day (the organisation's time zone)."
    )
    days: int | None = Field(None, description="Or open for this many days from now.")


class OpeningOut(Schema):
    id: uuid.UUID
    grantee: PersonRef
    opened_at: Time
    expires_at: Time
    closed_at: Time | None


def _opening_out(opening: Opening) -> dict[str, object]:
    return {
        "id": opening.pk,
        "grantee": person_ref(opening.grantee),
        "opened_at": opening.opened_at,
        "expires_at": opening.expires_at,
        "closed_at": opening.closed_at,
    }


class SuggestionIn(Schema):
    area: str = Field(description="The key of one of the circle's areas.")
    ring: RingCode
    text: Text = Field(description=f"At most {circles.SUGGESTION_MAX} characters.")


class SuggestionOut(Schema):
    id: uuid.UUID
    area: str = Field(description="The area's key.")
    area_name: str | None = Field(description="Null when the area is no longer in the circle.")
    ring: RingCode
    text: str
    author: PersonRef | None
    made_at: Time
    decided_at: Time | None
    accepted: bool | None = Field(description="Null until the owner decides.")


def _suggestion_out(suggestion: CircleSuggestion, areas: list[circles.Area]) -> dict[str, object]:
    names = {area.key: area.name for area in areas}
    return {
        "id": suggestion.pk,
        "area": suggestion.area,
        "area_name": names.get(suggestion.area),
        "ring": suggestion.ring,
        "text": str(suggestion.text or ""),
        "author": person_ref(suggestion.author),
        "made_at": suggestion.made_at,
        "decided_at": suggestion.decided_at,
        "accepted": suggestion.accepted,
    }


class OpenedOut(Schema):
    """A circle opened to me, without its content."""

    circle: uuid.UUID
    person: PersonRef
    expires_at: Time


class OpenedCircleOut(Schema):
    """A circle opened to me, read (the owner sees each read)."""

    id: uuid.UUID
    person: PersonRef
    expires_at: Time = Field(description="When it closes to me, unless the owner closes it sooner.")
    areas: list[AreaOut]
    talk_first: list[str]
    my_suggestions: list[SuggestionOut]


class Deleted(Schema):
    id: uuid.UUID
    deleted: bool


# --- my circle -----------------------------------------------------------------------


@router.get(
    "/risk-circles/mine",
    response={200: CircleOut, **errors(404)},
    summary="My risk circle",
)
def circle_mine(request: HttpRequest, response: HttpResponse) -> dict[str, object]:
    """My own risk assessment circle: the areas in my order, those to talk about first,
    the review date. 404 when I keep none."""
    return _answer(member_of(request), response)


@router.put(
    "/risk-circles/mine",
    response={200: CircleOut, **errors(400, 403, 404, 409)},
    summary="Save my risk circle",
)
def circle_save(
    request: HttpRequest,
    payload: CircleIn,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    """The whole circle again (made the first time). Each save is kept as a version and
    sets the review a year ahead. A rating outside 1 to 10, a missing name, more than 16
    areas: 400 with the fields named (`areas.2.rating`), nothing saved."""
    member = member_of(request)
    if not uses_selfcare(member):
        raise Http404
    circles.save_circle(
        actor=member,
        areas=[area.model_dump() for area in payload.areas],
        version=version_from(if_match) if if_match is not None else None,
    )
    return _answer(member, response)


@router.delete(
    "/risk-circles/mine",
    response={200: Deleted, **errors(400, 404, 409)},
    summary="Delete my risk circle",
)
def circle_delete(
    request: HttpRequest, if_match: str | None = IfMatchOptional
) -> dict[str, object]:
    """With its versions, its openings (closed at once) and the suggestions on it."""
    member = member_of(request)
    circle = _mine(member)
    pk = circle.pk
    circles.delete_circle(
        actor=member,
        circle=circle,
        version=version_from(if_match) if if_match is not None else None,
    )
    return {"id": pk, "deleted": True}


@router.post(
    "/risk-circles/mine/big-change",
    response={200: CircleOut, **errors(400, 404, 409)},
    summary="Mark a big change in my life",
)
def circle_big_change(
    request: HttpRequest, response: HttpResponse, if_match: str = IfMatchRequired
) -> dict[str, object]:
    """The review becomes due today (App. 3 step 11)."""
    member = member_of(request)
    circle = _mine(member)
    circles.mark_big_change(actor=member, circle=circle, version=version_from(if_match))
    return _answer(member, response)


@router.get(
    "/risk-circles/mine/versions",
    response={200: list[VersionOut], **errors(404)},
    summary="Saved versions of my risk circle",
)
@paginate(Pages)
def circle_versions(request: HttpRequest) -> list[dict[str, object]]:
    """Every saved state, newest first."""
    circle = _mine(member_of(request))
    return [
        {
            "number": version.number,
            "saved_at": version.saved_at,
            "areas": [_area_out(a) for a in circles.parse_content(version.content)],
        }
        for version in circles.versions_of(circle)
    ]


@router.get(
    "/risk-circles/mine/compare",
    response={200: ComparisonOut, **errors(404)},
    summary="Compare two versions of my risk circle",
)
def circle_compare(request: HttpRequest, query: Query[CompareQuery]) -> dict[str, object]:
    """Areas added and removed, ratings up and down, names and strategies changed, from
    the older to the newer of the two. 404 for a version that does not exist."""
    circle = _mine(member_of(request))
    found = {v.number: v for v in circles.versions_of(circle)}
    if query.older not in found or query.newer not in found:
        raise Http404
    older, newer = sorted((found[query.older], found[query.newer]), key=lambda v: v.number)
    result = circles.compare(
        circles.parse_content(older.content), circles.parse_content(newer.content)
    )

    def change(pair: tuple[circles.Area, circles.Area]) -> dict[str, object]:
        return {
            "key": pair[1].key,
            "name": pair[1].name,
            "before": pair[0].rating,
            "after": pair[1].rating,
        }

    return {
        "older": older.number,
        "newer": newer.number,
        "added": [_area_out(a) for a in result.added],
        "removed": [_area_out(a) for a in result.removed],
        "rating_up": [change(pair) for pair in result.rating_up],
        "rating_down": [change(pair) for pair in result.rating_down],
        "renamed": [
            {"key": new.key, "name": new.name, "was": old.name} for old, new in result.renamed
        ],
        "strategies_changed": [a.key for a in result.strategies_changed],
    }


# --- openings ------------------------------------------------------------------------


@router.get(
    "/risk-circles/mine/openings",
    response={200: list[OpeningOut], **errors(404)},
    summary="Whom my risk circle is open to",
)
def circle_openings(request: HttpRequest) -> list[dict[str, object]]:
    """The openings running now, soonest to end first."""
    circle = _mine(member_of(request))
    return [_opening_out(opening) for opening in circles.live_openings_of(circle)]


def _grantee(member: Membership, wanted: uuid.UUID) -> Membership:
    try:
        return core_access.membership_for_member(member, wanted)
    except Http404:
        raise ValidationError(
            {"grantee": [_("Choose a peer mentor, your own line manager or your own coach.")]}
        ) from None


@router.post(
    "/risk-circles/mine/openings",
    response={201: OpeningOut, **errors(400, 404)},
    summary="Open my risk circle to someone",
)
def circle_open(request: HttpRequest, payload: OpeningIn) -> Status:
    """To a peer mentor, my own line manager or my own coach, until the end of a date or
    for a number of days, at most 90. They are told; they read it and suggest, nothing
    more. An end in the past or too far ahead: 400, nothing opened."""
    member = member_of(request)
    circle = _mine(member)
    check_year(payload.until, "until")
    opening = circles.open_circle(
        actor=member,
        circle=circle,
        grantee=_grantee(member, payload.grantee),
        until=payload.until,
        days=payload.days,
    )
    return Status(201, _opening_out(opening))


@router.delete(
    "/risk-circle-openings/{circle_opening_id}",
    response={200: OpeningOut, **errors(404)},
    summary="Close an opening of my risk circle",
)
def opening_close(request: HttpRequest, circle_opening_id: str) -> dict[str, object]:
    """The person loses access at once."""
    opening = opening_for_owner(member_of(request), circle_opening_id)
    if opening.circle_id is None:
        raise Http404
    return _opening_out(circles.close_opening(actor=member_of(request), opening=opening))


# --- suggestions ---------------------------------------------------------------------


@router.get(
    "/risk-circles/mine/suggestions",
    response={200: list[SuggestionOut], **errors(404)},
    summary="Suggestions on my risk circle",
)
@paginate(Pages)
def circle_suggestions(request: HttpRequest) -> list[dict[str, object]]:
    """Every suggestion made on my circle, oldest first; `accepted` null while waiting."""
    member = member_of(request)
    circle = _mine(member)
    areas = circles.parse_content(circle.content)
    rows = CircleSuggestion.objects.filter(
        organisation_id=member.organisation_id, circle=circle
    ).select_related("author__user")
    return [_suggestion_out(s, areas) for s in rows.order_by("made_at", "id")]


def _suggestion_answer(member: Membership, suggestion: CircleSuggestion) -> dict[str, object]:
    circle = RiskCircle.objects.get(pk=suggestion.circle_id)
    return _suggestion_out(suggestion, circles.parse_content(circle.content))


@router.get(
    "/risk-circle-suggestions/{suggestion_id}",
    response={200: SuggestionOut, **errors(404)},
    summary="One suggestion on a risk circle",
)
def suggestion_detail(request: HttpRequest, suggestion_id: str) -> dict[str, object]:
    """The circle's owner reads it; its author too, while the circle is open to them."""
    suggestion = suggestion_for_member(member_of(request), suggestion_id)
    return _suggestion_answer(member_of(request), suggestion)


def _decide(request: HttpRequest, suggestion_id: str, accept: bool) -> dict[str, object]:
    suggestion = suggestion_for_member(member_of(request), suggestion_id, Action.CHANGE)
    member = member_of(request)
    circles.decide_suggestion(actor=member, suggestion=suggestion, accept=accept)
    return _suggestion_answer(member, suggestion)


@router.post(
    "/risk-circle-suggestions/{suggestion_id}/accept",
    response={200: SuggestionOut, **errors(400, 403, 404, 409)},
    summary="Keep a suggestion",
)
def suggestion_accept(request: HttpRequest, suggestion_id: str) -> dict[str, object]:
    """The circle's owner: the text joins that area's strategy on a new line, and the
    circle is saved as a new version. Already decided, or the area gone: 400."""
    return _decide(request, suggestion_id, True)


@router.post(
    "/risk-circle-suggestions/{suggestion_id}/decline",
    response={200: SuggestionOut, **errors(400, 403, 404)},
    summary="Do not keep a suggestion",
)
def suggestion_decline(request: HttpRequest, suggestion_id: str) -> dict[str, object]:
    """The circle's owner; the circle stays as it was."""
    return _decide(request, suggestion_id, False)


# --- opened to me ----------------------------------------------------------------------


@router.get(
    "/risk-circles/opened",
    response={200: list[OpenedOut], **errors()},
    summary="Risk circles opened to me",
)
def opened_list(request: HttpRequest) -> list[dict[str, object]]:
    """Open now, soonest to close first; their content is read one by one (and the owner
    sees each read)."""
    member = member_of(request)
    return [
        {"circle": o.circle_id, "person": person_ref(o.owner), "expires_at": o.expires_at}
        for o in circles.opened_to(member)
    ]


@router.get(
    "/risk-circles/opened/{circle_id}",
    response={200: OpenedCircleOut, **errors(404)},
    summary="A risk circle opened to me",
)
def opened_detail(request: HttpRequest, circle_id: str) -> dict[str, Any]:
    """Its areas and my suggestions on it. The read is audited: the owner sees it. After
    the opening's end, or once the owner closes it: 404 (and for the owner, whose own is
    `/risk-circles/mine`)."""
    circle = circle_for_member(member_of(request), circle_id)
    member = member_of(request)
    if circle.owner_id == member.pk:
        raise Http404  # their own: /risk-circles/mine
    areas = circles.areas_of(actor=member, circle=circle)
    return {
        "id": circle.pk,
        "person": person_ref(circle.owner),
        "expires_at": circles.opening_for(member, circle).expires_at,
        "areas": [_area_out(a) for a in areas],
        "talk_first": [a.key for a in circles.talk_first(areas)],
        "my_suggestions": [
            _suggestion_out(s, areas) for s in circles.suggestions_by(member, circle)
        ],
    }


@router.post(
    "/risk-circles/opened/{circle_id}/suggestions",
    response={201: SuggestionOut, **errors(400, 403, 404)},
    summary="Suggest a strategy on a risk circle opened to me",
)
def opened_suggest(request: HttpRequest, circle_id: str, payload: SuggestionIn) -> Status:
    """For one area's prevention or management ring; the owner decides. An unknown area,
    an empty text: 400."""
    circle = suggest_on_circle_for_member(member_of(request), circle_id)
    member = member_of(request)
    suggestion = circles.suggest(
        actor=member, circle=circle, area=payload.area, ring=payload.ring, text=payload.text
    )
    return Status(201, _suggestion_out(suggestion, circles.parse_content(circle.content)))
