"""The risk assessment circle (issue 7 item 1; guide §3.8, App. 3): what it holds, its
rules, and the flows the pages and the API share.

A person lists the risks they face at work and in their wider life (App. 3 step 1), rates
each from 1 (very low) to 10 (very high) weighing how likely it is and how bad it would be
(step 4), and writes how they prevent it (step 7) and how they would manage it if it
happened anyway (step 8). Peerwork draws it (``circle_svg``), lists the highest-rated
areas first to talk about (step 5), keeps every saved state to compare (``RiskCircleVersion``)
and reminds the person to look again after a year or after a big change (step 11).

It is private (App. 3 step 10, §3.8): the owner may open it to a peer mentor, their own
line manager or their own coach for a time (``access.may_open_circle_to``,
``access.LONGEST_OPENING``). That person reads it (each read audited) and may suggest a
strategy for one area's ring; the owner accepts a suggestion (it joins the strategy, and a
new version is saved) or declines it.

Content
-------
``RiskCircle.content`` and ``RiskCircleVersion.content`` are sealed JSON under the owner's
key::

    {"areas": [
        {"key": "3f9a01c2",       # 8 hex digits, random, kept for the area's life
                                  # (suggestions name their area by it)
         "name": "Arrest on evening outreach",   # the person's words, at most 120 characters
         "rating": 7,             # 1 (very low risk) to 10 (very high): required
         "likelihood": 3,         # 1-5 or null: how likely it is (optional help, see below)
         "consequence": 4,        # 1-5 or null: how bad it would be
         "prevention": "...",     # how I prevent it: at most 1000 characters, may be empty
         "management": "..."},    # how I would manage it: at most 1000 characters
        ...]}

The areas are in the person's order, which is the drawing's order (clockwise from 12
o'clock). Usually 4 to 10 (App. 3: "not usually less than four or more than ten"):
outside that Peerwork says so kindly and goes on, up to ``MOST_AREAS``, the most the
drawing shows readably.

Suggested rating
----------------
Likelihood and consequence are optional help for the rating, each 1 to 5 (words in
``LIKELIHOODS`` and ``CONSEQUENCES``). Their product (1 to 25) divided by 2.5 and rounded
up gives a rating on the 1-10 scale (``suggested_rating``): both very likely (5) and very
bad (5) suggest 10; possible (3) and serious (3) suggest 4; very unlikely (1) and minor
(1) suggest 1. The person's own rating is what counts; the suggestion is only shown.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import secrets
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_scopes import scope, scopes_disabled

from peerwork.core import audit
from peerwork.core.access import DataClass
from peerwork.core.deadlines import BATCH_SIZE, register_deadline
from peerwork.core.models import Membership, Notification, Organisation, Role, SupportRelationship
from peerwork.core.models.notifications import Channel
from peerwork.core.models.tenancy import active_members
from peerwork.core.notify import notify, register_kind
from peerwork.core.versions import StaleVersion, update_if_current

from . import openings
from .access import LONGEST_OPENING, live_openings, may_open_circle_to, uses_selfcare
from .models import CircleSuggestion, Opening, RiskCircle, RiskCircleVersion

NAME_MAX = 120
STRATEGY_MAX = 1000
SUGGESTION_MAX = 1000
USUAL_FEWEST, USUAL_MOST = 4, 10
MOST_AREAS = 16  # the most the drawing shows readably
RATING_MIN, RATING_MAX = 1, 10
SCALE_MIN, SCALE_MAX = 1, 5  # likelihood and consequence
KEY_PATTERN = re.compile(r"^[0-9a-f]{8}$")

OBJECT_TYPE = "selfcare.risk_circle"

# Risk areas to start from (App. 3's example list), in our own words.
SUGGESTED_AREAS: tuple[tuple[str, Any], ...] = (
    ("arrest_outreach", gettext_lazy("Being arrested while on outreach")),
    ("arrest_buying", gettext_lazy("Being arrested when buying")),
    ("boundaries", gettext_lazy("Keeping boundaries with peers and clients")),
    ("former_peers", gettext_lazy("Relationships and money with former peers and clients")),
    ("debt", gettext_lazy("Owing money to suppliers")),
    ("supplying", gettext_lazy("Being asked to sell or pass on drugs to others")),
    ("needle_stick", gettext_lazy("Needle-stick injury")),
    ("supplier_conflict", gettext_lazy("Conflict with suppliers where people buy or use")),
)

LIKELIHOODS: tuple[tuple[int, Any], ...] = (
    (1, gettext_lazy("1 – very unlikely")),
    (2, gettext_lazy("2 – unlikely")),
    (3, gettext_lazy("3 – could happen")),
    (4, gettext_lazy("4 – likely")),
    (5, gettext_lazy("5 – very likely")),
)
CONSEQUENCES: tuple[tuple[int, Any], ...] = (
    (1, gettext_lazy("1 – minor, soon over")),
    (2, gettext_lazy("2 – unpleasant, I would cope")),
    (3, gettext_lazy("3 – serious")),
    (4, gettext_lazy("4 – very serious")),
    (5, gettext_lazy("5 – could change my life (prison, lasting harm)")),
)


# --- content -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """One risk area, as stored (see the module docstring)."""

    key: str
    name: str
    rating: int
    likelihood: int | None = None
    consequence: int | None = None
    prevention: str = ""
    management: str = ""

    @property
    def suggested(self) -> int | None:
        return suggested_rating(self.likelihood, self.consequence)

    def strategy(self, ring: str) -> str:
        return self.prevention if ring == CircleSuggestion.Ring.PREVENTION else self.management


def suggested_rating(likelihood: int | None, consequence: int | None) -> int | None:
    """A 1-10 rating from likelihood and consequence (1-5 each): their product divided by
    2.5, rounded up; None unless both are given."""
    if likelihood is None or consequence is None:
        return None
    return max(RATING_MIN, min(RATING_MAX, math.ceil(likelihood * consequence * 2 / 5)))


def new_key(taken: Iterable[str] = ()) -> str:
    used = set(taken)
    while True:
        key = secrets.token_hex(4)
        if key not in used:
            return key


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_content(stored: str | None) -> list[Area]:
    """The areas of a stored circle (what was saved through ``clean_areas``); anything
    unreadable is left out rather than failing the page."""
    try:
        data = json.loads(stored or "{}")
    except ValueError:
        return []
    raw = data.get("areas") if isinstance(data, dict) else None
    areas = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        rating = _int_or_none(item.get("rating"))
        areas.append(
            Area(
                key=str(item.get("key") or ""),
                name=str(item.get("name") or ""),
                rating=min(RATING_MAX, max(RATING_MIN, rating or RATING_MIN)),
                likelihood=_int_or_none(item.get("likelihood")),
                consequence=_int_or_none(item.get("consequence")),
                prevention=str(item.get("prevention") or ""),
                management=str(item.get("management") or ""),
            )
        )
    return areas


def dump_content(areas: Sequence[Area]) -> str:
    return json.dumps({"areas": [asdict(area) for area in areas]}, ensure_ascii=False)


def _scale(value: object, field: str, errors: dict[str, list[str]], message: str) -> int | None:
    if value is None or value == "":
        return None
    number = _int_or_none(value)
    if number is None or not SCALE_MIN <= number <= SCALE_MAX:
        errors.setdefault(field, []).append(message)
        return None
    return number


def clean_areas(raw: Sequence[Mapping[str, Any]]) -> list[Area]:
    """Check what a person gave for their areas; ``ValidationError`` names each field at
    fault as ``areas.<index>.<field>`` (index in ``raw``), or ``areas`` for the list.
    Names are trimmed and kept on one line; strategies keep their line breaks."""
    errors: dict[str, list[str]] = {}
    if not raw:
        errors["areas"] = [
            _("List at least one risk area. To remove your circle altogether, delete it.")
        ]
    if len(raw) > MOST_AREAS:
        errors["areas"] = [
            _(
                "The circle holds at most %(most)d risk areas, so that the drawing stays "
                "readable. Remove %(extra)d, or join some that belong together."
            )
            % {"most": MOST_AREAS, "extra": len(raw) - MOST_AREAS}
        ]
    areas: list[Area] = []
    keys: set[str] = set()
    for index, item in enumerate(raw):
        at = f"areas.{index}."
        found: dict[str, list[str]] = {}
        name = " ".join(str(item.get("name") or "").split())
        if not name:
            found[at + "name"] = [_("Give this risk area a name.")]
        elif len(name) > NAME_MAX:
            found[at + "name"] = [
                _("Keep the name to %(most)d characters (it has %(count)d).")
                % {"most": NAME_MAX, "count": len(name)}
            ]
        rating = _int_or_none(item.get("rating"))
        likelihood = _scale(
            item.get("likelihood"),
            at + "likelihood",
            found,
            _("Choose how likely it is from 1 to 5, or leave it empty."),
        )
        consequence = _scale(
            item.get("consequence"),
            at + "consequence",
            found,
            _("Choose how bad it would be from 1 to 5, or leave it empty."),
        )
        if rating is None or not RATING_MIN <= rating <= RATING_MAX:
            message = _("Rate this risk with a whole number from 1 (very low) to 10 (very high).")
            suggestion = suggested_rating(likelihood, consequence)
            if suggestion is not None and item.get("rating") in (None, ""):
                message += " " + _(
                    "From how likely and how bad you said it is, about %(rating)d."
                ) % {"rating": suggestion}
            found[at + "rating"] = [message]
        strategies = {}
        for ring in ("prevention", "management"):
            text = str(item.get(ring) or "").strip().replace("\r\n", "\n")
            if len(text) > STRATEGY_MAX:
                found[at + ring] = [
                    _("Keep this to %(most)d characters (it has %(count)d).")
                    % {"most": STRATEGY_MAX, "count": len(text)}
                ]
            strategies[ring] = text
        key = str(item.get("key") or "")
        if key and (not KEY_PATTERN.match(key) or key in keys):
            found[at + "key"] = [_("An area's key is 8 hexadecimal digits, each used once.")]
        errors.update(found)
        if found:
            continue
        key = key or new_key(keys | {str(i.get("key") or "") for i in raw})
        keys.add(key)
        assert rating is not None  # noqa: S101 (checked above)
        areas.append(
            Area(
                key=key,
                name=name,
                rating=rating,
                likelihood=likelihood,
                consequence=consequence,
                prevention=strategies["prevention"],
                management=strategies["management"],
            )
        )
    if errors:
        raise ValidationError(errors)
    return areas


def range_note(count: int) -> str | None:
    """A kind word when the number of areas is outside the usual four to ten."""
    if count == 0 or USUAL_FEWEST <= count <= USUAL_MOST:
        return None
    if count < USUAL_FEWEST:
        return ngettext(
            "You have listed %(count)d risk area. Most people find at least four when they "
            "think about work and life outside it; add more whenever you are ready.",
            "You have listed %(count)d risk areas. Most people find at least four when they "
            "think about work and life outside it; add more whenever you are ready.",
            count,
        ) % {"count": count}
    return _(
        "You have listed %(count)d risk areas, more than the usual ten. That is fine; you "
        "might join some that belong together, and talk first about those rated highest."
    ) % {"count": count}


def talk_first(areas: Sequence[Area]) -> list[Area]:
    """The areas by rating, highest first (App. 3 step 5: talk first about the high
    ones); equal ratings keep the person's order."""
    return sorted(areas, key=lambda area: -area.rating)


@dataclass(frozen=True)
class Comparison:
    """What changed between two saved states, area by area (matched by key)."""

    added: list[Area]
    removed: list[Area]
    rating_up: list[tuple[Area, Area]]  # (before, after)
    rating_down: list[tuple[Area, Area]]
    renamed: list[tuple[Area, Area]]
    strategies_changed: list[Area]

    @property
    def nothing(self) -> bool:
        return not any(
            (
                self.added,
                self.removed,
                self.rating_up,
                self.rating_down,
                self.renamed,
                self.strategies_changed,
            )
        )


def compare(older: Sequence[Area], newer: Sequence[Area]) -> Comparison:
    before = {area.key: area for area in older}
    after = {area.key: area for area in newer}
    both = [(before[area.key], area) for area in newer if area.key in before]
    return Comparison(
        added=[area for area in newer if area.key not in before],
        removed=[area for area in older if area.key not in after],
        rating_up=[(old, new) for old, new in both if new.rating > old.rating],
        rating_down=[(old, new) for old, new in both if new.rating < old.rating],
        renamed=[(old, new) for old, new in both if new.name != old.name],
        strategies_changed=[
            new
            for old, new in both
            if (old.prevention, old.management) != (new.prevention, new.management)
        ],
    )


# --- time ----------------------------------------------------------------------------


def zone_of(organisation: Organisation) -> zoneinfo.ZoneInfo:
    return organisation.zone


def local_today(organisation: Organisation, now: dt.datetime | None = None) -> dt.date:
    return organisation.local_today(now)


def a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# --- reading -------------------------------------------------------------------------


def circle_of(member: Membership) -> RiskCircle | None:
    """The member's own circle, if they keep one."""
    return (
        RiskCircle.objects.filter(organisation_id=member.organisation_id, owner=member)
        .select_related("owner__user", "owner__organisation")
        .first()
    )


def areas_of(*, actor: Membership, circle: RiskCircle) -> list[Area]:
    """The opened areas. A read by anyone but the owner (someone it is opened to) is
    audited first, so the owner sees it in "who saw my data"."""
    if actor.pk != circle.owner_id:
        audit.record_read(
            actor=actor,
            action="selfcare.circle.read",
            object_type=OBJECT_TYPE,
            object_id=circle.pk,
            subject=circle.owner,
            data_class=DataClass.PRIVATE,
        )
    return parse_content(circle.content)


def versions_of(circle: RiskCircle) -> list[RiskCircleVersion]:
    """Every saved state, newest first (their content is read with ``parse_content``)."""
    return list(
        RiskCircleVersion.objects.filter(
            organisation_id=circle.organisation_id, circle=circle
        ).order_by("-number")
    )


def live_openings_of(circle: RiskCircle, now: dt.datetime | None = None) -> list[Opening]:
    return openings.live_openings_of(circle, now)


def pending_suggestions(circle: RiskCircle) -> list[CircleSuggestion]:
    return list(
        CircleSuggestion.objects.filter(
            organisation_id=circle.organisation_id, circle=circle, decided_at__isnull=True
        )
        .select_related("author__user")
        .order_by("made_at")
    )


def suggestions_by(member: Membership, circle: RiskCircle) -> list[CircleSuggestion]:
    """What ``member`` suggested on ``circle`` (they read their own while it is open)."""
    return list(
        CircleSuggestion.objects.filter(
            organisation_id=circle.organisation_id, circle=circle, author=member
        ).order_by("-made_at")
    )


def open_candidates(owner: Membership) -> list[Membership]:
    """Whom the owner may open their circle to: peer mentors, their own line manager,
    their own coach (``access.may_open_circle_to``)."""
    coaches = SupportRelationship.objects.filter(
        organisation_id=owner.organisation_id, person=owner
    ).values("supporter")
    found = (
        Membership.objects.filter(active_members(), organisation_id=owner.organisation_id)
        .filter(
            Q(role_grants__role=Role.PEER_MENTOR)
            | Q(pk=owner.line_manager_id)
            | Q(role_grants__role=Role.COACH, pk__in=coaches)
        )
        .exclude(pk=owner.pk)
        .distinct()
        .select_related("user")
        .prefetch_related("role_grants")
    )
    return sorted(
        (member for member in found if may_open_circle_to(owner, member)),
        key=lambda member: member.name.casefold(),
    )


# --- saving ----------------------------------------------------------------------------


def _own(actor: Membership, circle: RiskCircle | None = None) -> None:
    if not actor.is_active or not uses_selfcare(actor):
        raise PermissionDenied
    if circle is not None and circle.owner_id != actor.pk:
        raise PermissionDenied


def _store(
    *,
    actor: Membership,
    circle: RiskCircle | None,
    areas: Sequence[Area],
    version: int | None,
    now: dt.datetime,
) -> RiskCircle:
    """Write ``areas`` as the circle's content and as a new version, inside the caller's
    transaction; the review is due a year from today and its reminder is owed again."""
    stored = dump_content(areas)
    due = a_year_after(local_today(actor.organisation, now))
    if circle is None:
        if version:
            raise StaleVersion  # they read a circle that is gone
        circle = RiskCircle(
            organisation_id=actor.organisation_id,
            owner=actor,
            created_at=now,
            saved_at=now,
            review_due_on=due,
        )
        circle.content = stored
        try:
            with transaction.atomic():
                circle.save()
        except IntegrityError:  # made meanwhile in another tab
            raise StaleVersion from None
    else:
        if version is None or version != circle.version:
            raise StaleVersion
        changes = {"saved_at": now, "review_due_on": due, "review_reminded_at": None}
        update_if_current(RiskCircle, pk=circle.pk, version=version, changes=changes)
        for name, value in changes.items():
            setattr(circle, name, value)
        circle.version = version + 1
        circle.content = stored
        circle.save(update_fields=["content"])
    number = (
        RiskCircleVersion.objects.filter(circle=circle).aggregate(last=Max("number"))["last"] or 0
    ) + 1
    kept = RiskCircleVersion(
        organisation_id=circle.organisation_id,
        circle=circle,
        owner_id=circle.owner_id,
        number=number,
        saved_at=now,
    )
    kept.content = stored
    kept.save()
    audit.record(
        actor=actor,
        action="selfcare.circle.save",
        object_type=OBJECT_TYPE,
        object_id=circle.pk,
        subject=actor,
        data_class=DataClass.PRIVATE,
        detail={"version": number, "areas": len(areas)},
    )
    return circle


def save_circle(
    *,
    actor: Membership,
    areas: Sequence[Mapping[str, Any]],
    version: int | None,
    now: dt.datetime | None = None,
) -> RiskCircle:
    """Save the actor's own circle (making it the first time) and keep the saved state as
    a new version. ``version`` is the circle's version as the person read it (None: they
    read none); ``StaleVersion`` when it moved on. ``ValidationError`` names the fields at
    fault (``clean_areas``) and nothing is saved."""
    _own(actor)
    cleaned = clean_areas(areas)
    now = now or timezone.now()
    with transaction.atomic():
        circle = circle_of(actor)
        return _store(actor=actor, circle=circle, areas=cleaned, version=version, now=now)


def mark_big_change(
    *, actor: Membership, circle: RiskCircle, version: int, now: dt.datetime | None = None
) -> RiskCircle:
    """Something big changed in the person's life (App. 3 step 11): the review is due
    today. No reminder is sent for it: the person asked for it themself."""
    _own(actor, circle)
    now = now or timezone.now()
    changes = {
        "changed_at": now,
        "review_due_on": local_today(actor.organisation, now),
        "review_reminded_at": now,
    }
    with transaction.atomic():
        update_if_current(RiskCircle, pk=circle.pk, version=version, changes=changes)
        audit.record(
            actor=actor,
            action="selfcare.circle.big_change",
            object_type=OBJECT_TYPE,
            object_id=circle.pk,
            subject=actor,
            data_class=DataClass.PRIVATE,
        )
    for name, value in changes.items():
        setattr(circle, name, value)
    circle.version = version + 1
    return circle


def delete_circle(*, actor: Membership, circle: RiskCircle, version: int | None = None) -> None:
    """The owner deletes their circle with everything kept with it: its versions, its
    openings (whoever it was opened to loses it at once) and the suggestions on it."""
    _own(actor, circle)
    with transaction.atomic():
        rows = RiskCircle.objects.filter(pk=circle.pk)
        if version is not None:
            rows = rows.filter(version=version)
        if not rows.exists():
            raise StaleVersion
        audit.record(
            actor=actor,
            action="selfcare.circle.delete",
            object_type=OBJECT_TYPE,
            object_id=circle.pk,
            subject=actor,
            data_class=DataClass.PRIVATE,
        )
        circle.delete()


# --- opening it to someone ----------------------------------------------------------------


def latest_until(organisation: Organisation, now: dt.datetime) -> dt.date:
    """The last day an opening made now may run to (``LONGEST_OPENING``)."""
    return timezone.localdate(now + LONGEST_OPENING, zone_of(organisation)) - dt.timedelta(days=1)


def expiry(
    organisation: Organisation,
    *,
    until: dt.date | None,
    days: int | None,
    now: dt.datetime,
) -> dt.datetime:
    """When an opening ends: at the end of ``until`` (a date, the organisation's local
    day) or ``days`` from now. Not in the past, and not beyond ``LONGEST_OPENING``."""
    most = LONGEST_OPENING.days
    if until is not None and days is not None:
        raise ValidationError({"until": [_("Give a date or a number of days, not both.")]})
    if until is None and days is None:
        raise ValidationError(
            {"until": [_("Choose until when, or for how many days, to open it.")]}
        )
    if days is not None:
        if days < 1:
            raise ValidationError({"days": [_("Open it for at least one day.")]})
        if days > most:
            raise ValidationError(
                {"days": [_("Open it for at most %(most)d days.") % {"most": most}]}
            )
        return now + dt.timedelta(days=days)
    assert until is not None  # noqa: S101 (one of the two is given)
    zone = zone_of(organisation)
    today = timezone.localdate(now, zone)
    if until < today:
        raise ValidationError({"until": [_("That date has passed. Choose today or a later date.")]})
    last = latest_until(organisation, now)
    if until > last:
        raise ValidationError(
            {
                "until": [
                    _("Open it for at most %(most)d days: until %(last)s at the latest.")
                    % {"most": most, "last": formats.date_format(last, "DATE_FORMAT")}
                ]
            }
        )
    return dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=zone)


def open_circle(
    *,
    actor: Membership,
    circle: RiskCircle,
    grantee: Membership | None,
    until: dt.date | None = None,
    days: int | None = None,
    now: dt.datetime | None = None,
) -> Opening:
    """Open the circle to ``grantee`` until ``until`` (the end of that day) or for
    ``days``. Opening it again to someone it is open to moves the end. They are told, in
    words that say nothing of what it is."""
    _own(actor, circle)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if grantee is None or not may_open_circle_to(actor, grantee):
        errors["grantee"] = [
            _("Choose a peer mentor, your own line manager or your own coach from the list.")
        ]
    try:
        expires_at = expiry(actor.organisation, until=until, days=days, now=now)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    assert grantee is not None  # noqa: S101 (checked above)
    return openings.open_record(
        actor=actor,
        record=circle,
        grantee=grantee,
        expires_at=expires_at,
        now=now,
        action="selfcare.circle.open",
        object_type=OBJECT_TYPE,
        kind=CIRCLE_OPENED.kind,
    )


def close_opening(
    *, actor: Membership, opening: Opening, now: dt.datetime | None = None
) -> Opening:
    """The owner closes an opening before its end; the person loses access at once."""
    if opening.circle_id is None:
        raise PermissionDenied
    return openings.close_opening(
        actor=actor,
        opening=opening,
        now=now or timezone.now(),
        action="selfcare.circle.close",
        object_type=OBJECT_TYPE,
    )


def opened_to(member: Membership, now: dt.datetime | None = None) -> list[Opening]:
    """The circles open to ``member`` now, soonest to close first."""
    return list(openings.opened_to(member, circles=True, now=now))


def opening_for(member: Membership, circle: RiskCircle, now: dt.datetime | None = None) -> Opening:
    """The live opening that lets ``member`` read ``circle`` (the gate checked there is
    one), the one that runs longest."""
    found = live_openings(member, now).filter(circle=circle).order_by("-expires_at").first()
    if found is None:
        raise PermissionDenied
    return found


# --- suggestions ---------------------------------------------------------------------


def suggest(
    *,
    actor: Membership,
    circle: RiskCircle,
    area: str,
    ring: str,
    text: str,
    now: dt.datetime | None = None,
) -> CircleSuggestion:
    """Someone the circle is open to suggests a strategy for one area's ring (App. 3
    step 7: the coach may offer strategies other peers use). The owner is told."""
    now = now or timezone.now()
    if actor.pk == circle.owner_id:
        raise PermissionDenied
    opening_for(actor, circle, now)
    errors: dict[str, list[str]] = {}
    if ring not in CircleSuggestion.Ring.values:
        errors["ring"] = [_("Choose the ring: preventing the risk, or managing it.")]
    text = str(text or "").strip().replace("\r\n", "\n")
    if not text:
        errors["text"] = [_("Write your suggestion.")]
    elif len(text) > SUGGESTION_MAX:
        errors["text"] = [
            _("Keep it to %(most)d characters (it has %(count)d).")
            % {"most": SUGGESTION_MAX, "count": len(text)}
        ]
    if area not in {item.key for item in parse_content(circle.content)}:
        errors["area"] = [_("Choose one of the risk areas in the circle.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        suggestion = CircleSuggestion(
            organisation_id=circle.organisation_id,
            circle=circle,
            owner_id=circle.owner_id,
            author=actor,
            area=area,
            ring=ring,
            made_at=now,
        )
        suggestion.text = text
        suggestion.save()
        audit.record(
            actor=actor,
            action="selfcare.circle.suggest",
            object_type=OBJECT_TYPE,
            object_id=circle.pk,
            subject=circle.owner,
            data_class=DataClass.PRIVATE,
            detail={"suggestion": suggestion.pk},
        )
        notify(
            recipient=circle.owner,
            kind=SUGGESTION_MADE.kind,
            params={"suggestion": str(suggestion.pk)},
            now=now,
        )
    return suggestion


def decide_suggestion(
    *,
    actor: Membership,
    suggestion: CircleSuggestion,
    accept: bool,
    now: dt.datetime | None = None,
) -> CircleSuggestion:
    """The owner keeps a suggestion (its text joins that area's strategy, on a new line,
    and the circle is saved as a new version) or declines it. Each is decided once."""
    _own(actor)
    if suggestion.owner_id != actor.pk:
        raise PermissionDenied
    now = now or timezone.now()
    already = ValidationError(_("This suggestion was already decided."))
    if suggestion.decided_at is not None:
        raise already
    with transaction.atomic():
        won = CircleSuggestion.objects.filter(pk=suggestion.pk, decided_at__isnull=True).update(
            decided_at=now, accepted=accept
        )
        if not won:
            raise already
        if accept:
            circle = RiskCircle.objects.select_related("owner__organisation").get(
                pk=suggestion.circle_id
            )
            areas = parse_content(circle.content)
            index = next((i for i, a in enumerate(areas) if a.key == suggestion.area), None)
            if index is None:
                raise ValidationError(
                    {
                        "area": [
                            _(
                                "That risk area is no longer in your circle, so the "
                                "suggestion cannot join it. You can decline it."
                            )
                        ]
                    }
                )
            joined = "\n".join(
                part for part in (areas[index].strategy(suggestion.ring), suggestion.text) if part
            )
            if len(joined) > STRATEGY_MAX:
                raise ValidationError(
                    {
                        "text": [
                            _(
                                "With this suggestion the strategy would be longer than "
                                "%(most)d characters. Shorten the strategy first, then "
                                "accept it."
                            )
                            % {"most": STRATEGY_MAX}
                        ]
                    }
                )
            if suggestion.ring == CircleSuggestion.Ring.PREVENTION:
                areas[index] = replace(areas[index], prevention=joined)
            else:
                areas[index] = replace(areas[index], management=joined)
            _store(actor=actor, circle=circle, areas=areas, version=circle.version, now=now)
        audit.record(
            actor=actor,
            action="selfcare.circle.accept" if accept else "selfcare.circle.decline",
            object_type=OBJECT_TYPE,
            object_id=suggestion.circle_id,
            subject=actor,
            data_class=DataClass.PRIVATE,
            detail={"suggestion": suggestion.pk},
        )
    suggestion.decided_at, suggestion.accepted = now, accept
    return suggestion


# --- messages ----------------------------------------------------------------------------


def _mine(notification: Notification) -> str:
    return reverse("selfcare:circle")


def _opened(notification: Notification) -> str:
    return reverse("selfcare:circles_opened")


CIRCLE_OPENED = register_kind(
    "selfcare.circle_opened",
    subject=gettext_lazy("A colleague opened a page to you"),
    body=gettext_lazy(
        "%(name)s opened a page to you until %(until)s. It is theirs: please keep what you "
        "read to yourself."
    ),
    default_channels=(Channel.EMAIL,),
    link=_opened,
    context=openings.opened_message,
)
SUGGESTION_MADE = register_kind(
    "selfcare.circle_suggestion",
    subject=gettext_lazy("A suggestion is waiting for you"),
    body=gettext_lazy(
        "Someone you opened a page to has made a suggestion. You decide whether to keep it."
    ),
    default_channels=(),
    link=_mine,
)
REVIEW_DUE = register_kind(
    "selfcare.circle_review_due",
    subject=gettext_lazy("Time to look at your risk circle again"),
    body=gettext_lazy(
        "It is a year since you last saved it, or you said something big changed. Look "
        "through your areas and strategies when you are ready."
    ),
    default_channels=(Channel.EMAIL,),
    link=_mine,
)


# --- the review reminder -----------------------------------------------------------------


@register_deadline
def remind_circle_reviews(now: dt.datetime) -> int:
    """Tell each owner once when their circle's review is due (a year after they saved
    it). Found across organisations by dates and ids only; each row is claimed with a
    conditional update inside its organisation before the message is sent, so two loops
    never send it twice. Due means reached in the organisation's own time zone."""
    # The latest "today" of any zone: rows due somewhere; each is checked in its own zone.
    latest = (now + dt.timedelta(hours=14)).date()
    with scopes_disabled():
        due = list(
            RiskCircle.objects.filter(review_reminded_at__isnull=True, review_due_on__lte=latest)
            .order_by("review_due_on")
            .values_list("pk", "organisation_id", "review_due_on", "organisation__time_zone")[
                :BATCH_SIZE
            ]
        )
    sent = 0
    for circle_id, organisation_id, due_on, time_zone in due:
        try:
            zone = zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        if due_on is None or due_on > timezone.localdate(now, zone):
            continue
        with scope(organisation=organisation_id), transaction.atomic():
            won = RiskCircle.objects.filter(
                organisation_id=organisation_id, pk=circle_id, review_reminded_at__isnull=True
            ).update(review_reminded_at=now)
            if not won:
                continue
            owner = (
                RiskCircle.objects.filter(organisation_id=organisation_id, pk=circle_id)
                .select_related("owner__user", "owner__organisation")
                .get()
                .owner
            )
            notify(
                recipient=owner, kind=REVIEW_DUE.kind, params={"circle": str(circle_id)}, now=now
            )
            sent += 1
    return sent
