"""Peer retreats (issue 7 item 8; guide §3.12).

A retreat brings peers from across the organisation together: time to rest and be
together, to learn and grow, and a chance to look hard at how the organisation employs
people who use drugs (§3.12). So every retreat's agenda holds an **audit item** that cannot
be taken off it. The page shows it with prompts drawn from the Section 3 menu of support
(``AUDIT_PROMPTS``), and the organiser records what the audit found (``audit_notes``).

``Retreat.agenda`` is a list of items, each ``{"kind": "item", "text": "…"}`` (the
organiser's words) or ``{"kind": "audit"}`` (the audit item, whose words are ours and are
shown in the reader's language). ``agenda_from_lines`` builds it from lines of text and
always adds the audit item; a line that repeats the audit item's title is not kept twice.

A line manager, HR or the director plans a retreat (``plan_retreat``). It goes on the
schedule as an event (``peerwork.schedule.services.create_meeting``) with the people
invited, so everyone sees it and its planners see who cannot be there. The schedule's
meetings happen on one day, so the event is the retreat's first day, at the times the
organiser gives; the retreat's page gives all its days. Its organiser, HR and the director
change it (the event follows) or cancel it (the event is cancelled too). Retreats are work
data: every working member sees them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core import audit
from peerwork.core.access import DataClass
from peerwork.core.models import Membership, Role
from peerwork.core.versions import update_if_current
from peerwork.schedule import services as schedule
from peerwork.schedule.models import Attendee, Meeting
from peerwork.schedule.services import local_today

from .access import organises_retreats
from .models import Retreat

TITLE_MAX = 200
TEXT_MAX = 4000
ITEM_MAX = 300
ITEMS_MAX = 30
# A retreat runs over a few days; two weeks is a long one.
DAYS_MAX = 14
DAY_STARTS = dt.time(9, 0)
DAY_ENDS = dt.time(17, 0)

ITEM = "item"
AUDIT = "audit"

AUDIT_TITLE = gettext_lazy("Audit: how we employ people who use drugs")
AUDIT_HINT = gettext_lazy(
    "Look together at each kind of support the organisation offers, or could offer: what "
    "works, what is missing, what to change. Record what you find."
)
# The Section 3 menu of support, as questions to look at together (our words).
AUDIT_PROMPTS = (
    gettext_lazy(
        "Code of conduct and drug policy: do they judge fitness to work, not drug use, "
        "and were staff part of writing them?"
    ),
    gettext_lazy("Induction: does it prepare new peers for the work and its risks?"),
    gettext_lazy("Health checks: are they offered to everyone and kept voluntary?"),
    gettext_lazy(
        "OST arrangements: can staff on OST collect their dose and still work their hours?"
    ),
    gettext_lazy(
        "Chronic conditions: do flexible hours and time for appointments work in practice?"
    ),
    gettext_lazy("Training: who gets it, and does it lead somewhere?"),
    gettext_lazy("Peer risk assessment: do people use the risk circle, and does it help?"),
    gettext_lazy(
        "Lapses and burnout: do people know the signs and have a plan, and is there time and "
        "cover to recover? A lapse is not collapse."
    ),
    gettext_lazy("Peer support: do the groups help, and can everyone join?"),
    gettext_lazy("Mentoring: does everyone who wants a mentor have one?"),
    gettext_lazy("Retreats: is this one worth the time, and what should the next one do?"),
    gettext_lazy(
        "Psychological and professional support: is it there, and does it stay confidential?"
    ),
    gettext_lazy("Performance review: does it value peer work and lived experience?"),
    gettext_lazy("Sensitisation training: have all staff had it, managers included?"),
    gettext_lazy(
        "Positive recruitment: do our adverts welcome people who use drugs, and do peers "
        "sit on interview panels?"
    ),
)


@dataclass(frozen=True)
class AgendaItem:
    text: str
    is_audit: bool


def agenda_from_lines(lines: Iterable[str]) -> list[dict[str, str]]:
    """The agenda as stored: the organiser's lines (blank ones dropped), then the audit
    item. A line that names the audit item itself is not kept twice."""
    audit_titles = {str(AUDIT_TITLE).casefold()}
    items: list[dict[str, str]] = []
    for line in lines:
        text = line.strip()
        if text and text.casefold() not in audit_titles:
            items.append({"kind": ITEM, "text": text})
    items.append({"kind": AUDIT})
    return items


def organiser_lines(retreat: Retreat) -> list[str]:
    """The organiser's own items, for the edit form."""
    return [
        str(entry.get("text", ""))
        for entry in _stored(retreat.agenda)
        if entry.get("kind") == ITEM and entry.get("text")
    ]


def agenda_of(retreat: Retreat) -> list[AgendaItem]:
    """The agenda as read, in the active language: always with the audit item."""
    items: list[AgendaItem] = []
    has_audit = False
    for entry in _stored(retreat.agenda):
        if entry.get("kind") == AUDIT:
            if not has_audit:
                items.append(AgendaItem(str(AUDIT_TITLE), True))
                has_audit = True
        elif entry.get("text"):
            items.append(AgendaItem(str(entry["text"]), False))
    if not has_audit:
        items.append(AgendaItem(str(AUDIT_TITLE), True))
    return items


def _stored(agenda: Any) -> list[dict[str, Any]]:
    return [entry for entry in agenda or [] if isinstance(entry, dict)]


@dataclass
class RetreatFields:
    """What a retreat form or API request gives."""

    title: str
    purpose: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    place: str = ""
    agenda: Sequence[str] = ()
    audit_notes: str = ""
    day_starts: dt.time = DAY_STARTS
    day_ends: dt.time = DAY_ENDS
    attendees: list[object] = field(default_factory=list)  # membership ids


def check_retreat(fields: RetreatFields, *, today: dt.date, current: Retreat | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if not fields.title.strip():
        errors["title"] = [_("Give the retreat a title.")]
    elif len(fields.title) > TITLE_MAX:
        errors["title"] = [_("Keep the title to 200 characters.")]
    if not fields.purpose.strip():
        errors["purpose"] = [_("Say what the retreat is for.")]
    elif len(fields.purpose) > TEXT_MAX:
        errors["purpose"] = [_("Keep the purpose to 4,000 characters.")]
    if len(fields.place) > TITLE_MAX:
        errors["place"] = [_("Keep the place to 200 characters.")]
    if len(fields.audit_notes) > TEXT_MAX * 3:
        errors["audit_notes"] = [_("Keep what the audit found to 12,000 characters.")]
    lines = [line.strip() for line in fields.agenda if line.strip()]
    if len(lines) > ITEMS_MAX:
        errors["agenda"] = [_("Keep the agenda to 30 items.")]
    elif any(len(line) > ITEM_MAX for line in lines):
        errors["agenda"] = [_("Keep each agenda item to 300 characters.")]
    if fields.starts_on is None:
        errors["starts_on"] = [_("Give the first day.")]
    elif (current is None or fields.starts_on != current.starts_on) and fields.starts_on < today:
        errors["starts_on"] = [_("The first day cannot be in the past.")]
    if fields.ends_on is None:
        errors["ends_on"] = [_("Give the last day.")]
    elif fields.starts_on is not None:
        if fields.ends_on < fields.starts_on:
            errors["ends_on"] = [_("The last day must be on or after the first.")]
        elif (fields.ends_on - fields.starts_on).days >= DAYS_MAX:
            errors["ends_on"] = [_("A retreat lasts at most 14 days.")]
    if fields.day_ends <= fields.day_starts:
        errors["day_ends"] = [_("Each day must end after it starts.")]
    if not fields.attendees:
        errors["attendees"] = [_("Invite at least one person.")]
    if errors:
        raise ValidationError(errors)


def _minutes(fields: RetreatFields) -> int:
    start = fields.day_starts.hour * 60 + fields.day_starts.minute
    end = fields.day_ends.hour * 60 + fields.day_ends.minute
    return end - start


def _meeting_fields(fields: RetreatFields) -> schedule.MeetingFields:
    assert fields.starts_on is not None  # noqa: S101 (checked before)
    return schedule.MeetingFields(
        title=fields.title.strip(),
        kind=Meeting.Kind.EVENT,
        first_on=fields.starts_on,
        starts=fields.day_starts,
        minutes=_minutes(fields),
        repeats=Meeting.Repeats.NEVER,
        place=fields.place.strip(),
        required=list(fields.attendees),
    )


def _renamed(error: ValidationError) -> ValidationError:
    """The schedule's words for its fields, under the retreat's names."""
    if not hasattr(error, "error_dict"):
        return error
    names = {"required": "attendees", "optional": "attendees", "minutes": "day_ends"}
    found: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        found.setdefault(names.get(name, name), []).extend(messages)
    return ValidationError(found)


def plan_retreat(
    *, actor: Membership, fields: RetreatFields, now: dt.datetime | None = None
) -> Retreat:
    """A line manager, HR or the director plans a retreat and puts it on the schedule."""
    if not organises_retreats(actor):
        raise PermissionDenied(_("Line managers, HR and the director plan retreats."))
    check_retreat(fields, today=local_today(actor, now))
    assert fields.starts_on is not None and fields.ends_on is not None  # noqa: S101
    with transaction.atomic():
        try:
            meeting = schedule.create_meeting(actor=actor, fields=_meeting_fields(fields))
        except ValidationError as error:
            raise _renamed(error) from None
        retreat = Retreat.objects.create(
            organisation_id=actor.organisation_id,
            title=fields.title.strip(),
            purpose=fields.purpose.strip(),
            place=fields.place.strip(),
            starts_on=fields.starts_on,
            ends_on=fields.ends_on,
            agenda=agenda_from_lines(fields.agenda),
            audit_notes=fields.audit_notes.strip(),
            organiser=actor,
            meeting=meeting,
        )
        _audit(actor, "support.retreat.plan", retreat)
    return retreat


def may_change(member: Membership, retreat: Retreat) -> bool:
    """Its organiser, HR and the director (as ``access.retreat_for_member`` says)."""
    return bool(
        member.is_active
        and (member.pk == retreat.organiser_id or member.has_role(Role.HR, Role.DIRECTOR))
    )


def change_retreat(
    *,
    actor: Membership,
    retreat: Retreat,
    version: int,
    fields: RetreatFields,
    now: dt.datetime | None = None,
) -> Retreat:
    """Change a retreat as a whole; the event on the schedule follows. The audit item
    stays on the agenda whatever is sent. ``StaleVersion`` when it moved on."""
    if not may_change(actor, retreat):
        raise PermissionDenied(_("The organiser, HR and the director change a retreat."))
    if retreat.cancelled_at is not None:
        raise ValidationError(_("This retreat is cancelled."))
    check_retreat(fields, today=local_today(actor, now), current=retreat)
    with transaction.atomic():
        update_if_current(
            Retreat,
            pk=retreat.pk,
            version=version,
            changes={
                "title": fields.title.strip(),
                "purpose": fields.purpose.strip(),
                "place": fields.place.strip(),
                "starts_on": fields.starts_on,
                "ends_on": fields.ends_on,
                "agenda": agenda_from_lines(fields.agenda),
                "audit_notes": fields.audit_notes.strip(),
            },
        )
        retreat.refresh_from_db()
        meeting = retreat.meeting
        try:
            if meeting is None or meeting.is_cancelled:
                meeting = schedule.create_meeting(actor=actor, fields=_meeting_fields(fields))
                Retreat.objects.filter(pk=retreat.pk).update(meeting=meeting)
                retreat.refresh_from_db()
            else:
                schedule.update_meeting(
                    actor=actor,
                    meeting=meeting,
                    version=meeting.version,
                    fields=_meeting_fields(fields),
                )
        except ValidationError as error:
            raise _renamed(error) from None
        _audit(actor, "support.retreat.change", retreat)
    return retreat


def cancel_retreat(
    *, actor: Membership, retreat: Retreat, version: int, now: dt.datetime | None = None
) -> Retreat:
    """Cancel a retreat; its event leaves the schedule too."""
    if not may_change(actor, retreat):
        raise PermissionDenied(_("The organiser, HR and the director cancel a retreat."))
    if retreat.cancelled_at is not None:
        raise ValidationError(_("This retreat is already cancelled."))
    with transaction.atomic():
        update_if_current(
            Retreat,
            pk=retreat.pk,
            version=version,
            changes={"cancelled_at": now or timezone.now()},
        )
        retreat.refresh_from_db()
        meeting = retreat.meeting
        if meeting is not None and not meeting.is_cancelled:
            schedule.cancel_meeting(actor=actor, meeting=meeting, version=meeting.version)
        _audit(actor, "support.retreat.cancel", retreat)
    return retreat


def invited(retreat: Retreat) -> list[Membership]:
    """Who is invited: the attendees of its event, by name."""
    meeting = retreat.meeting
    if meeting is None:
        return []
    if "attendees" in getattr(meeting, "_prefetched_objects_cache", {}):
        rows = list(meeting.attendees.all())  # a list's prefetch: no query
    else:
        rows = list(
            Attendee.objects.filter(
                organisation_id=retreat.organisation_id, meeting_id=meeting.pk
            ).select_related("member__user")
        )
    return sorted((a.member for a in rows), key=lambda m: (m.name.casefold(), str(m.pk)))


def day_times(retreat: Retreat) -> tuple[dt.time, dt.time]:
    """The times of each day, as its event keeps them."""
    meeting = retreat.meeting
    if meeting is None:
        return DAY_STARTS, DAY_ENDS
    start = meeting.starts.hour * 60 + meeting.starts.minute + meeting.minutes
    return meeting.starts, dt.time(min(start // 60, 23), start % 60 if start < 1440 else 59)


def _audit(actor: Membership, action: str, retreat: Retreat) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="support.retreat",
        object_id=retreat.pk,
        data_class=DataClass.WORK,
    )
