"""Work travel and events for staff on OST (issue 6 item 5; §2.4.1, the §3.4 tips).

A ``Trip`` is work data: its dates, place, who goes (``Traveller`` rows) and the logistics
the §3.4 tips ask an organiser to know about the dispensing site near the event (its name
and address, when it opens, how far it is, a transport plan). For an event the organisation
hosts, the organiser can also say that OST access is arranged for participants and
announce it (a draft is written for them, ``draft_announcement``). Visiting participants
who are not members are told in the announcement; nothing about them is recorded.

Each traveller on OST may opt in to a **checklist** (§2.4.1): it is sealed under their key
in ``Traveller.checklist`` and is theirs alone; HR may help with it only under the
traveller's named share of OST. Opting out clears it. Its keys (``CHECKLIST_KEYS``):

- ``opted_in_on``: the date they opted in;
- ``take_home_limit``: the clinic's limit on take-home requests for travel, as they typed
  it ("2 a year"), and ``take_home_used``: how many of those they have used;
- ``request_sent_on`` and ``reply_received_on``: ISO dates or None;
- ``packed``: which of ``PACKING`` are packed;
- ``medicine``, ``daily_dose``, ``ost_site``, ``ost_site_address``: what the request
  letter needs (the site is filled from the trip's fields when they opt in);
- ``letter_consent``: whether they agreed that the letter may be filled from their OST
  disclosure (medicine and prescriber); the letter is made only once they did.

Dates come from the trip and the organisation's notice period (``ScheduleSettings``):
the prescriber should hear of the trip by ``starts_on − notice`` (``checklist_dates``).

Whether anyone opted in, and anything on the list, is never shown to the organiser, a
line manager or a colleague: the trip page and its messages are the same for everyone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.access import DataClass, parse_id
from peerwork.core.models import Membership, Role
from peerwork.core.versions import StaleVersion, update_if_current
from peerwork.people.models import Category

from . import conflicts, windows
from .access import may_help_with, may_organise, may_plan_trip
from .models import ScheduleSettings, Traveller, Trip
from .services import active_members

TITLE_MAX = 200
TEXT_MAX = 2000
ANNOUNCEMENT_MAX = 4000
SHORT_MAX = 200
MAX_TRAVEL_MINUTES = 240
USUAL_WAIT_MINUTES = 15  # the usual wait at a dispensing site (App. 10 case 3)
REPLY_WANTED_DAYS = 7  # a reply not in a week before leaving is flagged
MAX_USED = 99

# What a traveller packs (§2.4.1): the request letter as signed, the doctor's
# recommendations, the passport and a copy of it.
PACKING = ("request_letter", "recommendations", "passport", "passport_copy")

CHECKLIST_KEYS = (
    "opted_in_on",
    "take_home_limit",
    "take_home_used",
    "request_sent_on",
    "reply_received_on",
    "packed",
    "medicine",
    "daily_dose",
    "ost_site",
    "ost_site_address",
    "letter_consent",
)


def packing_choices() -> list[tuple[str, str]]:
    return [
        ("request_letter", _("The original request letter")),
        ("recommendations", _("The doctor's recommendations")),
        ("passport", _("Your passport")),
        ("passport_copy", _("A copy of your passport")),
    ]


# --- trips ---------------------------------------------------------------------------


@dataclass
class TripFields:
    """What a trip form or API request gives; checked by ``check_trip``."""

    title: str
    kind: str  # Trip.Kind value
    place: str
    starts_on: dt.date
    ends_on: dt.date
    first_session_at: dt.time | None = None
    travellers: list[object] = field(default_factory=list)  # membership ids
    ost_site_name: str = ""
    ost_site_address: str = ""
    ost_site_opens: dt.time | None = None
    ost_site_travel_minutes: int | None = None
    transport_plan: str = ""
    ost_access_arranged: bool = False
    announcement: str = ""


def check_trip(fields: TripFields) -> None:
    """Refuse what cannot be a trip; ``ValidationError`` names every field at fault."""
    errors: dict[str, list[str]] = {}
    if not fields.title.strip():
        errors["title"] = [_("Give the trip or event a title.")]
    elif len(fields.title) > TITLE_MAX:
        errors["title"] = [_("Keep the title to 200 characters.")]
    if fields.kind not in Trip.Kind.values:
        errors["kind"] = [_("Choose what kind of trip or event it is.")]
    if not fields.place.strip():
        errors["place"] = [_("Say where it is.")]
    elif len(fields.place) > TITLE_MAX:
        errors["place"] = [_("Keep the place to 200 characters.")]
    if fields.ends_on < fields.starts_on:
        errors["ends_on"] = [_("The last day must be on or after the first.")]
    if len(fields.ost_site_name) > SHORT_MAX:
        errors["ost_site_name"] = [_("Keep the name to 200 characters.")]
    if len(fields.ost_site_address) > TEXT_MAX:
        errors["ost_site_address"] = [_("Keep the address to 2000 characters.")]
    minutes = fields.ost_site_travel_minutes
    if minutes is not None and not 0 <= minutes <= MAX_TRAVEL_MINUTES:
        errors["ost_site_travel_minutes"] = [
            _("Give a number of minutes from 0 to %(most)s.") % {"most": MAX_TRAVEL_MINUTES}
        ]
    if len(fields.transport_plan) > TEXT_MAX:
        errors["transport_plan"] = [_("Keep the transport plan to 2000 characters.")]
    if len(fields.announcement) > ANNOUNCEMENT_MAX:
        errors["announcement"] = [_("Keep the announcement to 4000 characters.")]
    if errors:
        raise ValidationError(errors)


def _travellers(actor: Membership, wanted: Iterable[object]) -> list[Membership]:
    """Active members of the actor's organisation by id; anyone else is refused."""
    try:
        ids = list(dict.fromkeys(parse_id(value) for value in wanted))
    except Http404:
        raise ValidationError({"travellers": [_("Choose travellers from the list.")]}) from None
    found = active_members(actor, ids)
    if set(ids) - set(found):
        raise ValidationError(
            {"travellers": [_("Someone in the list is not a member of this organisation.")]}
        )
    return [found[i] for i in ids]


def _trip_values(fields: TripFields) -> dict[str, Any]:
    announcement = fields.announcement.strip()
    if fields.kind == Trip.Kind.HOSTED_EVENT and fields.ost_access_arranged and not announcement:
        announcement = draft_announcement(fields)
    return {
        "title": fields.title.strip(),
        "kind": fields.kind,
        "place": fields.place.strip(),
        "starts_on": fields.starts_on,
        "ends_on": fields.ends_on,
        "first_session_at": fields.first_session_at,
        "ost_site_name": fields.ost_site_name.strip(),
        "ost_site_address": fields.ost_site_address.strip(),
        "ost_site_opens": fields.ost_site_opens,
        "ost_site_travel_minutes": fields.ost_site_travel_minutes,
        "transport_plan": fields.transport_plan.strip(),
        "ost_access_arranged": fields.ost_access_arranged,
        "announcement": announcement,
    }


def create_trip(*, actor: Membership, fields: TripFields) -> Trip:
    """Put a trip or event on the schedule (line managers, HR, the director)."""
    if not may_organise(actor):
        raise PermissionDenied
    check_trip(fields)
    people = _travellers(actor, fields.travellers)
    with transaction.atomic():
        trip = Trip.objects.create(
            organisation_id=actor.organisation_id, organiser=actor, **_trip_values(fields)
        )
        Traveller.objects.bulk_create(
            [
                Traveller(organisation_id=trip.organisation_id, trip=trip, member=person)
                for person in people
            ]
        )
        _audit_trip(actor, "schedule.trip.create", trip)
    return trip


def update_trip(*, actor: Membership, trip: Trip, version: int, fields: TripFields) -> Trip:
    """Change a trip as a whole (the edit form); a stale ``version`` changes nothing.

    Travellers who stay keep their row (and so their checklist, which the organiser never
    sees); those taken off lose theirs with the row. When the first day moves, everyone is
    reminded again for the new dates.
    """
    if not may_plan_trip(actor, trip):
        raise PermissionDenied
    if trip.is_cancelled:
        raise ValidationError(_("This trip is cancelled; it cannot be changed."))
    check_trip(fields)
    people = _travellers(actor, fields.travellers)
    with transaction.atomic():
        update_if_current(Trip, pk=trip.pk, version=version, changes=_trip_values(fields))
        rows = Traveller.objects.filter(organisation_id=trip.organisation_id, trip=trip)
        keep = {person.pk for person in people}
        rows.exclude(member_id__in=keep).delete()
        present = set(rows.values_list("member_id", flat=True))
        Traveller.objects.bulk_create(
            [
                Traveller(organisation_id=trip.organisation_id, trip=trip, member=person)
                for person in people
                if person.pk not in present
            ]
        )
        if fields.starts_on != trip.starts_on:
            rows.update(reminded_at=None)
        trip.refresh_from_db()
        _audit_trip(actor, "schedule.trip.change", trip)
    return trip


def cancel_trip(*, actor: Membership, trip: Trip, version: int) -> Trip:
    if not may_plan_trip(actor, trip):
        raise PermissionDenied
    if trip.is_cancelled:
        raise ValidationError(_("This trip is already cancelled."))
    with transaction.atomic():
        update_if_current(
            Trip, pk=trip.pk, version=version, changes={"cancelled_at": timezone.now()}
        )
        trip.refresh_from_db()
        _audit_trip(actor, "schedule.trip.cancel", trip)
    return trip


def _audit_trip(actor: Membership, action: str, trip: Trip) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="schedule.trip",
        object_id=trip.pk,
        data_class=DataClass.WORK,
        organisation=trip.organisation,
    )


def travellers_of(trip: Trip) -> list[Traveller]:
    """Who goes, by name: the same list for everyone who sees the trip."""
    return list(
        Traveller.objects.filter(organisation_id=trip.organisation_id, trip=trip)
        .select_related("member__user")
        .order_by("member__user__display_name", "member__user__username", "pk")
    )


# --- the event's timing and announcement (the §3.4 tips) ------------------------------


def earliest_arrival(trip: Trip | TripFields) -> dt.time | None:
    """When someone collecting at the site's opening can be at the first session: opening,
    the usual wait, then the journey. None when the trip does not say enough."""
    opens, minutes = trip.ost_site_opens, trip.ost_site_travel_minutes
    if opens is None or minutes is None:
        return None
    arrive = windows.minute_of(opens) + USUAL_WAIT_MINUTES + minutes
    return windows.time_of(min(arrive, windows.DAY_MINUTES - 1))


def timing_warning(trip: Trip | TripFields) -> dt.time | None:
    """The time people collecting at the OST site can arrive, when the first session starts
    before it and no transport plan is written; otherwise None. About the event, never
    about a person: it is the same whether or not anyone opted in (issue 6 item 5)."""
    arrive = earliest_arrival(trip)
    if arrive is None or trip.first_session_at is None or trip.transport_plan.strip():
        return None
    return arrive if trip.first_session_at < arrive else None


def draft_announcement(trip: Trip | TripFields, *, language: str | None = None) -> str:
    """A draft the organiser edits: the event, and that OST access is arranged so people on
    OST know they are welcome, with where and when the site is (the §3.4 tips)."""
    with translation.override(language) if language else contextlib.nullcontext():
        lines = [
            _("%(title)s, %(place)s, %(dates)s.")
            % {"title": trip.title.strip(), "place": trip.place.strip(), "dates": _dates(trip)},
            "",
            _(
                "Everyone is welcome, including participants on opioid substitution therapy "
                "(OST). We have arranged OST access for participants during the event, so "
                "you can take part without missing a dose."
            ),
        ]
        site = trip.ost_site_name.strip()
        if site:
            where = site
            if trip.ost_site_address.strip():
                where = f"{site}, {' '.join(trip.ost_site_address.split())}"
            lines.append(_("The dispensing site near the event: %(site)s.") % {"site": where})
        if trip.ost_site_opens is not None:
            lines.append(
                _("It opens at %(time)s.") % {"time": trip.ost_site_opens.strftime("%H:%M")}
            )
        if trip.transport_plan.strip():
            lines.append(
                _("Getting there: %(plan)s") % {"plan": " ".join(trip.transport_plan.split())}
            )
        lines += [
            "",
            _(
                "If you need OST while you are with us, tell the organisers in confidence "
                "before you come, and we will help with the arrangements. We keep no "
                "record of who asks."
            ),
        ]
    return "\n".join(lines)


def _dates(trip: Trip | TripFields) -> str:
    if trip.starts_on == trip.ends_on:
        return trip.starts_on.isoformat()
    return f"{trip.starts_on.isoformat()} – {trip.ends_on.isoformat()}"


# --- the traveller's checklist --------------------------------------------------------


def is_opted_in(traveller: Traveller) -> bool:
    return bool(traveller.checklist)


def _opened(traveller: Traveller) -> dict[str, Any]:
    try:
        details = json.loads(traveller.checklist or "{}")
    except ValueError:
        details = {}
    return details if isinstance(details, dict) else {}


def _check_may_help(actor: Membership, traveller: Traveller) -> None:
    if not may_help_with(actor, traveller.member, Category.OST):
        raise PermissionDenied


def _save_checklist(
    actor: Membership,
    traveller: Traveller,
    version: int,
    details: dict[str, Any] | None,
    action: str,
) -> Traveller:
    with transaction.atomic():
        updated = Traveller.objects.filter(
            organisation_id=traveller.organisation_id, pk=traveller.pk, version=version
        ).update(version=F("version") + 1)
        if not updated:
            raise StaleVersion
        traveller.version = version + 1
        traveller.checklist = "" if details is None else json.dumps(details, sort_keys=True)
        traveller.save(update_fields=["checklist"])
        audit.record(
            actor=actor,
            action=action,
            object_type="schedule.traveller",
            object_id=traveller.pk,
            subject=traveller.member,
            data_class=DataClass.PRIVATE,
        )
    return traveller


def opt_in(*, actor: Membership, traveller: Traveller) -> Traveller:
    """Start the traveller's checklist, the site filled from the trip (already started:
    nothing changes)."""
    _check_may_help(actor, traveller)
    if is_opted_in(traveller):
        return traveller
    trip = traveller.trip
    if trip.is_cancelled:
        raise ValidationError(_("This trip is cancelled."))
    today = timezone.localdate(timezone.now(), conflicts.zone_of(trip.organisation))
    details: dict[str, Any] = {
        "opted_in_on": today.isoformat(),
        "take_home_limit": "",
        "take_home_used": None,
        "request_sent_on": None,
        "reply_received_on": None,
        "packed": [],
        "medicine": "",
        "daily_dose": "",
        "ost_site": trip.ost_site_name,
        "ost_site_address": trip.ost_site_address,
        "letter_consent": False,
    }
    return _save_checklist(actor, traveller, traveller.version, details, "schedule.checklist.start")


def opt_out(*, actor: Membership, traveller: Traveller) -> Traveller:
    """Clear the checklist: nothing of it is kept (not opted in: nothing changes)."""
    _check_may_help(actor, traveller)
    if not is_opted_in(traveller):
        return traveller
    return _save_checklist(actor, traveller, traveller.version, None, "schedule.checklist.clear")


def read_checklist(*, actor: Membership, traveller: Traveller) -> dict[str, Any]:
    """The opened checklist ({} when not opted in). A read by anyone but the traveller is
    audited, so they see it in "who saw my data"."""
    _check_may_help(actor, traveller)
    details = _opened(traveller)
    if actor.pk != traveller.member_id and details:
        audit.record_read(
            actor=actor,
            action="schedule.checklist.read",
            object_type="schedule.traveller",
            object_id=traveller.pk,
            subject=traveller.member,
            data_class=DataClass.PRIVATE,
        )
    return details


def _date(value: Any, name: str, errors: dict[str, list[str]]) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        errors[name] = [_("Give a date such as 2026-05-31.")]
        return None


def _text(value: Any, name: str, most: int, errors: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if len(text) > most:
        errors[name] = [_("Keep it to %(most)s characters.") % {"most": most}]
    return text


def REPLY_BEFORE_SENT() -> str:  # noqa: N802 — one message for the form and the service
    return _("The reply cannot come before the request was sent.")


def clean_checklist(details: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Check what the traveller typed; ``ValidationError`` names every field at fault."""
    errors: dict[str, list[str]] = {}
    used_raw = details.get("take_home_used")
    used: int | None = None
    if used_raw not in (None, ""):
        try:
            used = int(str(used_raw).strip())
        except ValueError:
            used = -1
        if not 0 <= used <= MAX_USED:
            errors["take_home_used"] = [
                _("Give a whole number from 0 to %(most)s.") % {"most": MAX_USED}
            ]
    sent = _date(details.get("request_sent_on"), "request_sent_on", errors)
    reply = _date(details.get("reply_received_on"), "reply_received_on", errors)
    if sent and reply and reply < sent:
        errors["reply_received_on"] = [REPLY_BEFORE_SENT()]
    raw_packed = details.get("packed") or []
    if isinstance(raw_packed, str):
        raw_packed = [raw_packed]
    packed = [str(item) for item in raw_packed]
    if set(packed) - set(PACKING):
        errors["packed"] = [_("Choose from the list.")]
    cleaned = {
        "opted_in_on": current.get("opted_in_on") or timezone.localdate().isoformat(),
        "take_home_limit": _text(details.get("take_home_limit"), "take_home_limit", 100, errors),
        "take_home_used": used,
        "request_sent_on": sent,
        "reply_received_on": reply,
        "packed": [item for item in PACKING if item in packed],
        "medicine": _text(details.get("medicine"), "medicine", 100, errors),
        "daily_dose": _text(details.get("daily_dose"), "daily_dose", 100, errors),
        "ost_site": _text(details.get("ost_site"), "ost_site", SHORT_MAX, errors),
        "ost_site_address": _text(
            details.get("ost_site_address"), "ost_site_address", TEXT_MAX, errors
        ),
        "letter_consent": details.get("letter_consent") in (True, "true", "on", "1", 1),
    }
    if errors:
        raise ValidationError(errors)
    return cleaned


def update_checklist(
    *, actor: Membership, traveller: Traveller, version: int, details: dict[str, Any]
) -> Traveller:
    """Keep what the traveller (or HR under their share) filled in; a stale ``version``
    changes nothing, bad input saves nothing."""
    _check_may_help(actor, traveller)
    if not is_opted_in(traveller):
        raise ValidationError(_("Start the checklist first."))
    if version != traveller.version:
        raise StaleVersion
    cleaned = clean_checklist(details, _opened(traveller))
    return _save_checklist(actor, traveller, version, cleaned, "schedule.checklist.change")


@dataclass(frozen=True)
class ChecklistDates:
    """The dates of a checklist, worked out from the trip and the notice period."""

    notice_by: dt.date  # tell the prescriber by then
    notice_days: int
    notice_overdue: bool  # the day passed and no request was sent
    reply_wanted_by: dt.date
    reply_overdue: bool  # sent, no reply, and the trip is close
    treatment_days: int  # the days of treatment the letter asks for


def checklist_dates(
    traveller: Traveller, details: Mapping[str, Any], *, today: dt.date | None = None
) -> ChecklistDates:
    trip = traveller.trip
    today = today or timezone.localdate(timezone.now(), conflicts.zone_of(trip.organisation))
    notice = conflicts.settings_for(trip.organisation_id).prescriber_notice_days
    notice_by = trip.starts_on - dt.timedelta(days=notice)
    reply_by = trip.starts_on - dt.timedelta(days=REPLY_WANTED_DAYS)
    sent = details.get("request_sent_on")
    replied = details.get("reply_received_on")
    return ChecklistDates(
        notice_by=notice_by,
        notice_days=notice,
        notice_overdue=not sent and today > notice_by,
        reply_wanted_by=reply_by,
        reply_overdue=not replied and today > reply_by,
        treatment_days=(trip.ends_on - trip.starts_on).days + 1,
    )


# --- the organisation's scheduling settings ------------------------------------------


def may_change_settings(member: Membership) -> bool:
    """HR, the director and the org admin set how the organisation plans."""
    return bool(member.is_active and member.has_role(Role.HR, Role.DIRECTOR, Role.ORG_ADMIN))


def save_settings(
    *,
    actor: Membership,
    version: int | None,
    prescriber_notice_days: int,
    day_starts: dt.time,
    day_ends: dt.time,
) -> ScheduleSettings:
    """Keep the settings; the row is made on the first save. A stale ``version`` (someone
    saved first) changes nothing; bad input saves nothing."""
    if not may_change_settings(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not 1 <= prescriber_notice_days <= 90:
        errors["prescriber_notice_days"] = [_("Give a number of days from 1 to 90.")]
    if day_ends <= day_starts:
        errors["day_ends"] = [_("Meetings must end after they start.")]
    if errors:
        raise ValidationError(errors)
    organisation_id = actor.organisation_id
    values = {
        "prescriber_notice_days": prescriber_notice_days,
        "day_starts": day_starts,
        "day_ends": day_ends,
    }
    with transaction.atomic():
        row = ScheduleSettings.objects.filter(organisation_id=organisation_id).first()
        if row is None:
            if version not in (None, ScheduleSettings().version):
                raise StaleVersion
            try:
                with transaction.atomic():
                    row = ScheduleSettings.objects.create(organisation_id=organisation_id, **values)
            except IntegrityError:  # someone else made it first
                raise StaleVersion from None
        else:
            update_if_current(
                ScheduleSettings,
                pk=row.pk,
                version=row.version if version is None else version,
                changes=values,
            )
            row.refresh_from_db()
        audit.record(
            actor=actor,
            action="schedule.settings.change",
            object_type="schedule.settings",
            object_id=row.pk,
            data_class=DataClass.WORK,
            organisation=actor.organisation,
        )
    return row
