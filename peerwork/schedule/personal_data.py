"""The scheduling module's entries in the register of personal data (people/personal_data.py).

What scheduling holds about a person, and what erasure does to it (issue 6; issue 4 items 7
and 8; guide §2.4.1, §3.4, §3.5, §3.6):

- **Agreed adjustments** (``people.Adjustment``, registered here because scheduling makes
  them): terms of work, like the working pattern they change. Kept while the person works
  here, erased with their private records once they have left. They hold hours only.
- **Private planning notes** (``PrivateNeed``): the person's alone, sealed under their key.
  Their export opens them for them; erasure deletes them at once.
- **Meetings and trips someone organised**: the organisation's record of its work; they
  stay when the organiser leaves or erases.
- **Being on a meeting's list of attendees**, and the **conflicts** worked out from the
  person's hours (never from a reason): kept up to date while they work here, erased once
  they have left, so nobody is planned around a leaver.
- **Travelling** (``Traveller``): who went on work travel is the organisation's record and
  stays. The **OST checklist** on that row is the traveller's alone (sealed under their
  key): erasure clears it at once and leaves the row.
- **Calendar feeds**: the person's secret addresses, like API tokens: their hashes never
  leave the server; erased once they have left.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core.models import Membership
from peerwork.people.models import Adjustment, WorkingPattern
from peerwork.people.personal_data import (
    ERASED_ON_LEAVING,
    Item,
    OnErasure,
    PersonalData,
    fields,
    label,
    plain,
    register_not_personal,
    register_personal_data,
)

from . import needs
from .models import (
    Attendee,
    CalendarFeed,
    Conflict,
    Meeting,
    PrivateNeed,
    ScheduleSettings,
    Traveller,
    Trip,
)
from .travel import packing_choices

KEPT_AS_PLANNING_RECORD = gettext_lazy(
    "Kept as the organisation's record of its work: it stays when you leave. It holds no "
    "reason for anyone's hours."
)


def _weekdays(days: Sequence[object]) -> list[str]:
    names = dict(WorkingPattern.Weekday.choices)
    out = []
    for day in days:
        try:
            out.append(str(names[int(str(day))]))
        except (KeyError, ValueError):
            out.append(str(day))
    return out


def _sample_meeting(member: Membership, *, organiser: Membership | None = None) -> Meeting:
    return Meeting.objects.create(
        organisation_id=member.organisation_id,
        title="Sample meeting",
        kind=Meeting.Kind.TEAM_MEETING,
        organiser=organiser,
        first_on=timezone.localdate() + dt.timedelta(days=7),
        starts=dt.time(9, 30),
        minutes=60,
    )


def _sample_trip(member: Membership, *, organiser: Membership | None = None) -> Trip:
    first = timezone.localdate() + dt.timedelta(days=30)
    return Trip.objects.create(
        organisation_id=member.organisation_id,
        title="Sample trip",
        kind=Trip.Kind.TRAVEL,
        place="Sample place",
        starts_on=first,
        ends_on=first + dt.timedelta(days=2),
        organiser=organiser,
    )


# --- agreed adjustments of the working pattern ----------------------------------------


def _adjustment_rows(member: Membership) -> models.QuerySet[Adjustment]:
    return (
        Adjustment.objects.filter(organisation_id=member.organisation_id, membership=member)
        .select_related("proposed_by__user", "agreed_by__user")
        .order_by("valid_from", "proposed_at")
    )


def _adjustment_export(rows: Sequence[Adjustment], member: Membership) -> list[Item]:
    return [
        {label(Adjustment, "weekdays"): _weekdays(row.weekdays)}
        | fields(row, "starts", "ends", "break_starts", "break_ends")
        | fields(row, "valid_from", "valid_until", "review_on", "state")
        | fields(row, "proposed_by", "proposed_at", "person_agreed_at", "manager_agreed_at")
        | fields(row, "agreed_by", "agreed_on", "ended_at")
        for row in rows
    ]


def _adjustment_sample(member: Membership) -> object:
    return Adjustment.objects.create(
        organisation_id=member.organisation_id,
        membership=member,
        weekdays=[0, 1, 2, 3, 4],
        starts=dt.time(10, 45),
        valid_from=timezone.localdate(),
        proposed_by=member,
        person_agreed_at=timezone.now(),
    )


# --- private planning notes -----------------------------------------------------------

_NEED_KINDS = {
    needs.DISPENSING: gettext_lazy("OST dispensing"),
    needs.APPOINTMENT: gettext_lazy("A regular appointment"),
}
_COLLECTIONS = {
    needs.AT_OPENING: gettext_lazy("When the site opens"),
    needs.ANY_TIME: gettext_lazy("Any time while it is open"),
    needs.FIXED_TIME: gettext_lazy("At a fixed time"),
}


def _need_labels() -> dict[str, str]:
    return {
        "site": _("Site"),
        "days": _("Days it dispenses"),
        "opens": _("Opens"),
        "closes": _("Closes"),
        "collection": _("How you collect"),
        "fixed_at": _("Fixed time"),
        "wait_minutes": _("Usual wait in minutes"),
        "travel_minutes": _("Travel each way in minutes"),
        "take_home_days": _("Take-home days"),
        "weekday": _("Day"),
        "starts": _("Starts"),
        "ends": _("Ends"),
        "every_weeks": _("Every how many weeks"),
    }


def _need_rows(member: Membership) -> models.QuerySet[PrivateNeed]:
    # The person's own notes only: one HR entered under a share is still the owner's.
    return (
        PrivateNeed.objects.filter(organisation_id=member.organisation_id, owner=member)
        .select_related("entered_by__user")
        .order_by("created_at")
    )


def _need_details(content: str | None) -> dict[str, Any] | None:
    if content is None:
        return None  # sealed under a key that was erased
    try:
        details = json.loads(content or "{}")
    except ValueError:
        return None
    return details if isinstance(details, dict) else None


def _need_export(rows: Sequence[PrivateNeed], member: Membership) -> list[Item]:
    labels = _need_labels()
    out = []
    for row in rows:
        details = _need_details(row.content)
        item: Item = {}
        if details is None:
            item[label(PrivateNeed, "content")] = None
        else:
            kind = str(details.get("kind") or "")
            item[_("What it is about")] = str(_NEED_KINDS.get(kind, kind))
            for key, value in details.items():
                if key == "kind" or value in (None, "", []):
                    continue
                shown: object = value
                if key in ("days", "take_home_days"):
                    shown = _weekdays(value)
                elif key == "weekday":
                    shown = _weekdays([value])[0]
                elif key == "collection":
                    shown = str(_COLLECTIONS.get(value, value))
                item[labels.get(key, key)] = plain(shown)
        item |= fields(row, "created_at", "updated_at")
        if row.entered_by_id is not None:
            item |= fields(row, "entered_by")
        out.append(item)
    return out


def _need_sample(member: Membership) -> object:
    need = PrivateNeed(organisation_id=member.organisation_id, owner=member)
    need.content = json.dumps(
        {
            "kind": needs.DISPENSING,
            "site": "Sample clinic",
            "days": [0, 1, 2, 3, 4, 5, 6],
            "opens": "10:00",
            "closes": "14:00",
            "collection": needs.AT_OPENING,
            "fixed_at": None,
            "wait_minutes": 15,
            "travel_minutes": 30,
            "take_home_days": [6],
        },
        sort_keys=True,
    )
    need.save()
    return need


# --- meetings: organised, attended, and their conflicts --------------------------------


def _organised_meeting_rows(member: Membership) -> models.QuerySet[Meeting]:
    return Meeting.objects.filter(
        organisation_id=member.organisation_id, organiser=member
    ).order_by("first_on", "starts")


def _organised_meeting_export(rows: Sequence[Meeting], member: Membership) -> list[Item]:
    return [
        fields(row, "title", "kind", "place", "first_on", "starts", "minutes", "repeats")
        | fields(row, "until", "cancelled_at")
        for row in rows
    ]


def _organised_meeting_sample(member: Membership) -> object:
    return _sample_meeting(member, organiser=member)


def _attendee_rows(member: Membership) -> models.QuerySet[Attendee]:
    return (
        Attendee.objects.filter(organisation_id=member.organisation_id, member=member)
        .select_related("meeting")
        .order_by("meeting__first_on", "meeting__starts")
    )


def _attendee_export(rows: Sequence[Attendee], member: Membership) -> list[Item]:
    return [
        {
            _("Meeting"): row.meeting.title,
            label(Meeting, "first_on"): plain(row.meeting.first_on),
            label(Meeting, "starts"): plain(row.meeting.starts),
            label(Meeting, "repeats"): str(row.meeting.get_repeats_display()),
        }
        | fields(row, "required")
        for row in rows
    ]


def _attendee_sample(member: Membership) -> object:
    return Attendee.objects.create(
        organisation_id=member.organisation_id, meeting=_sample_meeting(member), member=member
    )


def _conflict_rows(member: Membership) -> models.QuerySet[Conflict]:
    return (
        Conflict.objects.filter(organisation_id=member.organisation_id, member=member)
        .select_related("meeting")
        .order_by("occurs_on", "meeting__starts")
    )


def _conflict_export(rows: Sequence[Conflict], member: Membership) -> list[Item]:
    return [
        {_("Meeting"): row.meeting.title}
        | fields(row, "occurs_on", "kind", "arrives_at", "leaves_at")
        for row in rows
    ]


def _conflict_sample(member: Membership) -> object:
    meeting = _sample_meeting(member)
    return Conflict.objects.create(
        organisation_id=member.organisation_id,
        meeting=meeting,
        member=member,
        occurs_on=meeting.first_on,
        kind=Conflict.Kind.LATE,
        arrives_at=dt.time(10, 45),
    )


# --- trips: organised, travelled, and the traveller's checklist -----------------------


def _organised_trip_rows(member: Membership) -> models.QuerySet[Trip]:
    return Trip.objects.filter(organisation_id=member.organisation_id, organiser=member).order_by(
        "starts_on"
    )


def _organised_trip_export(rows: Sequence[Trip], member: Membership) -> list[Item]:
    return [
        fields(row, "title", "kind", "place", "starts_on", "ends_on", "cancelled_at")
        for row in rows
    ]


def _organised_trip_sample(member: Membership) -> object:
    return _sample_trip(member, organiser=member)


def _traveller_rows(member: Membership) -> models.QuerySet[Traveller]:
    return (
        Traveller.objects.filter(organisation_id=member.organisation_id, member=member)
        .select_related("trip")
        .order_by("trip__starts_on")
    )


def _trip_of(row: Traveller) -> Item:
    return {
        _("Trip"): row.trip.title,
        label(Trip, "place"): row.trip.place,
        label(Trip, "starts_on"): plain(row.trip.starts_on),
        label(Trip, "ends_on"): plain(row.trip.ends_on),
    }


def _traveller_export(rows: Sequence[Traveller], member: Membership) -> list[Item]:
    return [_trip_of(row) for row in rows]


def _traveller_sample(member: Membership) -> object:
    return Traveller.objects.create(
        organisation_id=member.organisation_id, trip=_sample_trip(member), member=member
    )


def _checklist_labels() -> dict[str, str]:
    # The keys of ``travel.CHECKLIST_KEYS``; an unknown key reads as itself.
    return {
        "opted_in_on": _("Started on"),
        "take_home_limit": _("Limit on take-home requests for travel"),
        "take_home_used": _("Requests used"),
        "request_sent_on": _("Request sent on"),
        "reply_received_on": _("Reply received on"),
        "packed": _("Packed"),
        "medicine": _("Medicine"),
        "daily_dose": _("Daily dose"),
        "ost_site": _("OST site near the event"),
        "ost_site_address": _("Its address"),
        "letter_consent": _("The letter may be filled from your OST disclosure"),
    }


def _checklist_rows(member: Membership) -> list[Traveller]:
    # A sealed field cannot be filtered on: the rows with a checklist are picked here.
    return [row for row in _traveller_rows(member) if row.checklist]


def _checklist_export(rows: Sequence[Traveller], member: Membership) -> list[Item]:
    out = []
    for row in rows:
        item = _trip_of(row)
        try:
            details = json.loads(row.checklist or "{}")
        except ValueError:
            details = None
        if isinstance(details, dict):
            labels = _checklist_labels()
            packing = dict(packing_choices())
            opened: Item = {}
            for key, value in details.items():
                shown: object = value
                if key == "packed" and isinstance(value, list):
                    shown = [packing.get(str(v), str(v)) for v in value]
                opened[labels.get(str(key), str(key))] = plain(shown)
            item[label(Traveller, "checklist")] = opened
        else:
            item[label(Traveller, "checklist")] = None
        out.append(item)
    return out


def _clear_checklists(member: Membership, now: dt.datetime) -> int:
    """The checklist goes at once; that the person travelled stays with the trip."""
    cleared = 0
    for row in _checklist_rows(member):
        row.checklist = ""  # as before opting in (the column holds no NULL)
        row.save(update_fields=["checklist"])
        Traveller.objects.filter(pk=row.pk).update(version=models.F("version") + 1)
        cleared += 1
    return cleared


def _checklist_sample(member: Membership) -> object:
    traveller = Traveller(
        organisation_id=member.organisation_id, trip=_sample_trip(member), member=member
    )
    traveller.checklist = json.dumps(
        {"request_sent_on": "2026-01-05", "packed": ["passport"], "medicine": "Sample"}
    )
    traveller.save()
    return traveller


# --- calendar feeds -------------------------------------------------------------------


def _feed_rows(member: Membership) -> models.QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(
        organisation_id=member.organisation_id, member=member
    ).order_by("created_at")


def _feed_export(rows: Sequence[CalendarFeed], member: Membership) -> list[Item]:
    # When it was made, stopped and last read; never its hash.
    return [fields(row, "created_at", "revoked_at", "last_read_at") for row in rows]


def _feed_sample(member: Membership) -> object:
    live = _feed_rows(member).filter(revoked_at__isnull=True).first()
    if live is not None:
        return live
    return CalendarFeed.objects.create(
        organisation_id=member.organisation_id,
        member=member,
        token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
    )


# --- the register -----------------------------------------------------------------------


def register() -> None:
    register_not_personal(
        ScheduleSettings,
        gettext_lazy(
            "The organisation's scheduling settings: the prescriber's notice period and the "
            "hours meetings are suggested in. They name no member."
        ),
    )
    for item in (
        PersonalData(
            key="schedule.adjustment",
            model=Adjustment,
            title=gettext_lazy("Agreed adjustments of your working hours"),
            rows=_adjustment_rows,
            export=_adjustment_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=gettext_lazy(
                "Terms of your work, like your working pattern: kept while you work here and "
                "erased with your private records once you have left. They hold the hours "
                "only, never why."
            ),
            sample=_adjustment_sample,
        ),
        PersonalData(
            key="schedule.private_need",
            model=PrivateNeed,
            title=gettext_lazy("Your private planning notes"),
            rows=_need_rows,
            export=_need_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "Yours alone, sealed with your key: erased at once when you erase your "
                "private records. Adjustments agreed from a note stay, with the hours only."
            ),
            sample=_need_sample,
        ),
        PersonalData(
            key="schedule.meeting_organised",
            model=Meeting,
            title=gettext_lazy("Meetings you organised"),
            rows=_organised_meeting_rows,
            export=_organised_meeting_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_PLANNING_RECORD,
            sample=_organised_meeting_sample,
        ),
        PersonalData(
            key="schedule.attendee",
            model=Attendee,
            title=gettext_lazy("Meetings you are invited to"),
            rows=_attendee_rows,
            export=_attendee_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=gettext_lazy(
                "Kept while you work here; once you have left you are taken off the lists of "
                "attendees (the meetings stay)."
            ),
            sample=_attendee_sample,
        ),
        PersonalData(
            key="schedule.conflict",
            model=Conflict,
            title=gettext_lazy("Meetings you cannot be at from the start"),
            rows=_conflict_rows,
            export=_conflict_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=gettext_lazy(
                "Worked out from your agreed hours and times away, never from a reason, and "
                "kept up to date while you work here; erased once you have left."
            ),
            sample=_conflict_sample,
        ),
        PersonalData(
            key="schedule.trip_organised",
            model=Trip,
            title=gettext_lazy("Trips and events you organised"),
            rows=_organised_trip_rows,
            export=_organised_trip_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_PLANNING_RECORD,
            sample=_organised_trip_sample,
        ),
        PersonalData(
            key="schedule.traveller",
            model=Traveller,
            title=gettext_lazy("Work travel and events you went to"),
            rows=_traveller_rows,
            export=_traveller_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "Who travelled for work is kept as the organisation's record; your checklist "
                "is not part of it."
            ),
            sample=_traveller_sample,
        ),
        PersonalData(
            key="schedule.travel_checklist",
            model=Traveller,
            title=gettext_lazy("Your travel checklists"),
            rows=_checklist_rows,
            export=_checklist_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "Yours alone, sealed with your key: cleared at once when you erase your "
                "private records. That you travelled stays with the trip."
            ),
            erase=_clear_checklists,
            sample=_checklist_sample,
        ),
        PersonalData(
            key="schedule.calendar_feed",
            model=CalendarFeed,
            title=gettext_lazy("Your calendar feeds"),
            rows=_feed_rows,
            export=_feed_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_feed_sample,
        ),
    ):
        register_personal_data(item)
