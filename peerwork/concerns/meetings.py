"""Review meetings and their meeting notes (issue 8 items 2 and 8; guide App. 7, the last
paragraph of §4.1, §4.2, App. 9 q5 and q7).

A review meeting is the first thing a concern leads to, and it may also stand alone, as part
of ordinary supervision (App. 7: "as part of a standard management supervision meeting").
The person's line manager or HR plans it (``schedule_meeting``); the staff member is told
and may bring a peer supporter of their choosing (``choose_supporter``), never someone who
investigates them (§4.7: ``separation.check_may_support`` refuses and audits it).

The agenda follows App. 7 in its order (``AGENDA``): the purpose and the person's
questions; the issue and the standards or policies it touches; the level expected for the
post and grade; the person's own account and any worries about their job; the support,
training and development agreed from the Section 3 menu; and whether and when to meet
again. Each side writes its own part (``change_meeting``): the manager (or HR) the purpose,
the issue, the expected level and the support agreed; the staff member, and only they,
word their account, their worries about the job and how the record mentions any support
they use outside work. Left blank, that reads "External support agreed"
(``support_menu.EXTERNAL_DEFAULT``): the person decides what the record says about
services outside work (App. 9 q6, issue 8 item 2).

The meeting ends in a **meeting note** (App. 7: "agree a summary of the meeting in a
meeting note"; App. 9 q7: "confirm these in a meeting note"). It is not a warning and sits
outside any disciplinary proceedings. The two people who were there each agree it or
record what they disagree with, which stays beside it (``answer_note``); nobody else can
answer for them. Changing the summary asks both again. A review date, when agreed, is
told to both on the day where the organisation works (``remind_note_reviews``, a step of
the deadline loop).

Services take the acting membership and are called after the record's gate
(``peerwork.concerns.access``); they raise ``ValidationError`` (a refused rule, the field
named, nothing saved), ``PermissionDenied`` (someone who reads the meeting but may not do
this) and ``StaleVersion`` (changed by someone else since it was read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core import audit
from peerwork.core.access import WORKING_ROLES, DataClass
from peerwork.core.deadlines import claim_dated_rows, register_deadline
from peerwork.core.models import Membership, Notification, Role, active_members
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import notify, register_kind
from peerwork.core.versions import StaleVersion

from . import access, separation, support_menu
from .models import Concern, MeetingNote, ReviewMeeting

PLACE_MAX = 200
TEXT_MAX = 5000
SUMMARY_MAX = 10000
DISAGREEMENT_MAX = 3000
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200

PERSON, MANAGER = "person", "manager"

# Who writes which part of the agenda (issue 8 item 2: the person words their own part).
MANAGER_FIELDS = (
    "starts_at",
    "place",
    "purpose",
    "issue_and_standards",
    "expected_level",
    "support_agreed",
    "support_details",
    "meet_again",
)
PERSON_FIELDS = ("person_account", "job_concerns", "external_support")
TEXT_FIELDS = (
    "purpose",
    "issue_and_standards",
    "expected_level",
    "support_details",
    "person_account",
    "job_concerns",
    "external_support",
)
# Sealed columns are not written by ``QuerySet.update()``: they are saved after the
# version is taken.
SEALED = frozenset(TEXT_FIELDS)

NOT_THERE = gettext_lazy(
    "Only the staff member and the manager who held the meeting agree its note."
)
ONLY_PERSON = gettext_lazy(
    "Only the staff member words this part: their own account, their concerns about their "
    "job and the support they use outside work."
)
ONLY_MANAGER = gettext_lazy("Only the manager or HR writes this part of the agenda.")
NOT_A_WARNING = gettext_lazy(
    "This note is a summary the two of you agree. It is not a warning, and it is not part "
    "of any disciplinary proceedings."
)


# --- the agenda (App. 7, in its order) -----------------------------------------------------


@dataclass(frozen=True)
class AgendaStep:
    key: str
    title: Promise
    guide: str
    prompt: Promise
    manager_fields: tuple[str, ...] = ()
    person_fields: tuple[str, ...] = ()


AGENDA: tuple[AgendaStep, ...] = (
    AgendaStep(
        "purpose",
        gettext_lazy("Why we are meeting, and your questions"),
        "App. 7",
        gettext_lazy(
            "Say what the meeting is for, then give the staff member room to ask anything "
            "before you go on."
        ),
        manager_fields=("purpose",),
    ),
    AgendaStep(
        "issue",
        gettext_lazy("The issue, and the standards that apply"),
        "App. 7, §4.2",
        gettext_lazy(
            "Describe what happened at work and how it affected the work, and name the "
            "standards or policies it touches. Talk about work, not about anyone's drug use."
        ),
        manager_fields=("issue_and_standards",),
    ),
    AgendaStep(
        "level",
        gettext_lazy("What the post and grade expect"),
        "App. 7",
        gettext_lazy(
            "Say how senior the role is and what level of work is expected at this post and grade."
        ),
        manager_fields=("expected_level",),
    ),
    AgendaStep(
        "account",
        gettext_lazy("The staff member's own account"),
        "App. 7",
        gettext_lazy(
            "The staff member says how they understand the issue and how it relates to their "
            "work, and raises anything that worries them about their job. They write this "
            "part themselves."
        ),
        person_fields=("person_account", "job_concerns"),
    ),
    AgendaStep(
        "support",
        gettext_lazy("Support, training and development"),
        "App. 7, Section 3, App. 9 q6",
        gettext_lazy(
            "Agree together what would help: support the organisation offers, training or "
            "development. Services outside work are the staff member's own choice, and they "
            "decide how the record mentions them."
        ),
        manager_fields=("support_agreed", "support_details"),
        person_fields=("external_support",),
    ),
    AgendaStep(
        "again",
        gettext_lazy("Meeting again"),
        "App. 7",
        gettext_lazy(
            "Agree whether and when to meet again to look at progress. The meeting note "
            "keeps the date."
        ),
        manager_fields=("meet_again",),
    ),
)


# --- messages ------------------------------------------------------------------------------
#
# Neutral words (lock screens, shared inboxes): no names, nothing about why.


def _to_meeting(notification: Notification) -> str | None:
    review = notification.params.get("review")
    return reverse("concerns:review", args=[review]) if review else None


def _to_note(notification: Notification) -> str | None:
    link = _to_meeting(notification)
    return f"{link}#note" if link else None


MEETING_PLANNED = register_kind(
    "concerns.review_planned",
    subject=gettext_lazy("A review meeting is planned"),
    body=gettext_lazy(
        "A review meeting with you has been planned. Open Peerwork to see when and where, "
        "and to choose whether to bring a peer supporter."
    ),
    default_channels=(Channel.EMAIL,),
    link=_to_meeting,
)
MEETING_MOVED = register_kind(
    "concerns.review_moved",
    subject=gettext_lazy("A review meeting has a new time or place"),
    body=gettext_lazy("A review meeting you are part of has a new time or place."),
    default_channels=(Channel.EMAIL,),
    link=_to_meeting,
)
MEETING_CANCELLED = register_kind(
    "concerns.review_cancelled",
    subject=gettext_lazy("A review meeting is cancelled"),
    body=gettext_lazy("A review meeting you were part of has been cancelled."),
    default_channels=(Channel.EMAIL,),
    link=_to_meeting,
)
SUPPORTER_ASKED = register_kind(
    "concerns.review_supporter",
    subject=gettext_lazy("You are asked to come to a meeting"),
    body=gettext_lazy(
        "A colleague would like you to come with them to a meeting as their peer supporter."
    ),
    default_channels=(Channel.EMAIL,),
    link=_to_meeting,
)
NOTE_WAITING = register_kind(
    "concerns.note_waiting",
    subject=gettext_lazy("A meeting note is waiting for you"),
    body=gettext_lazy(
        "A meeting note is waiting for you to read it and say whether you agree with it."
    ),
    default_channels=(Channel.EMAIL,),
    link=_to_note,
)
NOTE_CHANGED = register_kind(
    "concerns.note_changed",
    subject=gettext_lazy("A meeting note was changed"),
    body=gettext_lazy(
        "A meeting note you answered was changed. Please read it again and say whether you "
        "agree with it."
    ),
    default_channels=(Channel.EMAIL,),
    link=_to_note,
)
REVIEW_DUE = register_kind(
    "concerns.note_review_due",
    subject=gettext_lazy("A date to meet again has come"),
    body=gettext_lazy(
        "Today is the day agreed in a meeting note to meet again and look at progress."
    ),
    default_channels=(Channel.EMAIL,),
    link=_to_note,
)


def _notify_each(
    people: Iterable[Membership | None],
    kind: str,
    meeting: ReviewMeeting,
    now: dt.datetime,
    *,
    leave_out: Membership | None = None,
) -> None:
    seen: set[object] = {leave_out.pk} if leave_out is not None else set()
    for person in people:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        notify(recipient=person, kind=kind, params={"review": str(meeting.pk)}, now=now)


# --- who is who ----------------------------------------------------------------------------


def side_of(member: Membership, meeting: ReviewMeeting) -> str | None:
    """Which part of the meeting ``member`` writes: the staff member's (``PERSON``), the
    manager's and HR's (``MANAGER``), or none (a peer supporter, anyone else)."""
    if not member.is_active or member.organisation_id != meeting.organisation_id:
        return None
    if member.pk == meeting.person_id:
        return PERSON
    if member.pk == meeting.held_by_id or access.manages_case(member, meeting.person):
        return MANAGER
    return None


def party_of(member: Membership, meeting: ReviewMeeting) -> str | None:
    """Which answer of the note is ``member``'s: the two who were there only."""
    if not member.is_active or not meeting.was_there(member):
        return None
    return PERSON if member.pk == meeting.person_id else MANAGER


def plans_meetings(member: Membership) -> bool:
    """Line managers (with their reports) and HR plan review meetings."""
    return access.raises_concerns(member)


def people_to_meet(member: Membership) -> QuerySet[Membership]:
    """Whom ``member`` may plan a review meeting with: HR, any working colleague; a line
    manager, their own reports."""
    found = Membership.objects.filter(
        active_members(),
        organisation_id=member.organisation_id,
        role_grants__role__in=list(WORKING_ROLES),
    ).exclude(pk=member.pk)
    if not access.is_hr(member):
        if not member.is_active or not member.has_role(Role.LINE_MANAGER):
            return found.none()
        found = found.filter(line_manager=member)
    return found.select_related("user").distinct().order_by("user__display_name", "user__username")


def supporters_to_choose(meeting: ReviewMeeting) -> QuerySet[Membership]:
    """Whom the staff member may bring: any working colleague but themself and their
    manager (App. 7's meeting is theirs; a peer supports them, not the meeting)."""
    left_out = [meeting.person_id, meeting.held_by_id]
    if meeting.person.line_manager_id:
        left_out.append(meeting.person.line_manager_id)
    return (
        Membership.objects.filter(
            active_members(),
            organisation_id=meeting.organisation_id,
            role_grants__role__in=list(WORKING_ROLES),
        )
        .exclude(pk__in=left_out)
        .select_related("user")
        .distinct()
        .order_by("user__display_name", "user__username")
    )


def meetings_visible_to(member: Membership) -> QuerySet[ReviewMeeting]:
    """The meetings ``member`` reads: the query twin of ``access.reads_meeting``."""
    found = ReviewMeeting.objects.filter(organisation_id=member.organisation_id).select_related(
        "person__user", "person__organisation", "held_by__user", "peer_supporter__user"
    )
    if not member.is_active:
        return found.none()
    if access.is_hr(member):
        return found
    seen = (
        Q(person=member)
        | Q(held_by=member)
        | Q(peer_supporter=member)
        | Q(concern__state=Concern.State.OPEN, concern__supporters__member=member)
    )
    if member.has_role(Role.LINE_MANAGER):
        seen |= Q(person__line_manager=member)
    return found.filter(seen).distinct()


def meetings_of_concern(member: Membership, concern: Concern) -> list[ReviewMeeting]:
    """A concern's meetings that ``member`` reads, earliest first (for the case page)."""
    found = (
        ReviewMeeting.objects.filter(organisation_id=concern.organisation_id, concern=concern)
        .select_related("person__user", "held_by__user", "peer_supporter__user", "concern")
        .order_by("starts_at")
    )
    return [meeting for meeting in found if access.reads_meeting(member, meeting)]


def note_of(meeting: ReviewMeeting) -> MeetingNote | None:
    return (
        MeetingNote.objects.filter(organisation_id=meeting.organisation_id, meeting=meeting)
        .select_related("written_by__user")
        .first()
    )


# --- what the record says -------------------------------------------------------------------


def external_support_text(meeting: ReviewMeeting) -> str:
    """How the record mentions support outside work: the staff member's words, or "External
    support agreed" when it was agreed and they left it blank; empty when it is not part of
    the meeting."""
    worded = str(meeting.external_support or "").strip()
    if worded:
        return worded
    if support_menu.EXTERNAL in (meeting.support_agreed or []):
        return str(support_menu.EXTERNAL_DEFAULT)
    return ""


@dataclass(frozen=True)
class SupportLine:
    code: str
    label: str
    guide: str


def support_lines(meeting: ReviewMeeting) -> list[SupportLine]:
    """The support agreed, in the menu's order, with the guide section of each."""
    agreed = set(meeting.support_agreed or [])
    return [
        SupportLine(code, str(label), section)
        for code, label, section in support_menu.MENU
        if code in agreed and code != support_menu.EXTERNAL
    ]


def local_start(meeting: ReviewMeeting) -> dt.datetime:
    return timezone.localtime(meeting.starts_at, meeting.person.organisation.zone)


def may_mark_held(meeting: ReviewMeeting, now: dt.datetime | None = None) -> bool:
    """From the day it was planned for, where the organisation works."""
    organisation = meeting.person.organisation
    return (
        meeting.state == ReviewMeeting.State.SCHEDULED
        and organisation.local_today(now) >= local_start(meeting).date()
    )


# --- cleaning --------------------------------------------------------------------------------


def _year_ok(value: dt.date | None) -> bool:
    return value is None or EARLIEST_YEAR <= value.year <= LATEST_YEAR


def _years_message() -> str:
    return _("Choose a date between the years %(first)d and %(last)d.") % {
        "first": EARLIEST_YEAR,
        "last": LATEST_YEAR,
    }


def _text(value: object, limit: int) -> tuple[str, str | None]:
    text = str(value or "").strip()
    if len(text) > limit:
        return text, _("Please keep this under %(n)d characters.") % {"n": limit}
    return text, None


def clean_changes(changes: Mapping[str, object]) -> dict[str, object]:
    """The agenda's values as stored, or ``ValidationError`` naming every field at fault."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, object] = {}
    for name, value in changes.items():
        if name == "starts_at":
            if not isinstance(value, dt.datetime) or timezone.is_naive(value):
                errors[name] = [_("Choose the day and time of the meeting.")]
            elif not _year_ok(value.date()):
                errors[name] = [_years_message()]
            else:
                clean[name] = value
        elif name == "place":
            text, problem = _text(value, PLACE_MAX)
            if problem:
                errors[name] = [problem]
            clean[name] = text
        elif name in TEXT_FIELDS:
            text, problem = _text(value, TEXT_MAX)
            if problem:
                errors[name] = [problem]
            clean[name] = text
        elif name == "support_agreed":
            values = [value] if isinstance(value, str) else list(value or [])  # type: ignore[call-overload]
            if not all(isinstance(code, str) and code in support_menu.CODES for code in values):
                errors[name] = [_("Please choose from the list.")]
                continue
            chosen = set(values)
            clean[name] = [code for code, _label, _s in support_menu.MENU if code in chosen]
        elif name == "meet_again":
            if value is not None and not isinstance(value, bool):
                errors[name] = [_("Please choose from the list.")]
                continue
            clean[name] = value
        else:
            errors[name] = [_("This cannot be changed here.")]
    if errors:
        raise ValidationError(errors)
    return clean


def _current(meeting: ReviewMeeting, name: str) -> object:
    value = getattr(meeting, name)
    return str(value or "") if name in SEALED else value


def _record(actor: Membership, action: str, meeting: ReviewMeeting, **detail: object) -> None:
    audit.record(
        actor=actor,
        action=f"concerns.{action}",
        object_type="review_meeting",
        object_id=meeting.pk,
        subject=meeting.person,
        data_class=DataClass.PERSONNEL,
        detail=detail or None,
    )


def _save_meeting(
    meeting: ReviewMeeting, changes: Mapping[str, object], version: int
) -> ReviewMeeting:
    """Take the version read (``StaleVersion`` when it moved on), then write the changes."""
    plain = {name: value for name, value in changes.items() if name not in SEALED}
    moved = ReviewMeeting.objects.filter(pk=meeting.pk, version=version).update(
        version=F("version") + 1, **plain
    )
    if not moved:
        raise StaleVersion
    for name, value in changes.items():
        setattr(meeting, name, value)
    meeting.version = version + 1
    sealed = [name for name in changes if name in SEALED]
    if sealed:
        meeting.save(update_fields=sealed)
    return meeting


# --- planning ----------------------------------------------------------------------------------


def schedule_meeting(
    *,
    actor: Membership,
    person: Membership | None,
    starts_at: dt.datetime | None,
    place: str = "",
    concern: Concern | None = None,
    now: dt.datetime | None = None,
) -> ReviewMeeting:
    """The person's line manager or HR plans a review meeting, about a concern or on its
    own (supervision, App. 7). The staff member is told, with a link and nothing else."""
    if not plans_meetings(actor):
        raise PermissionDenied(_("Only a line manager or HR plans a review meeting."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if concern is not None:
        if person is not None and person.pk != concern.person_id:
            errors["person"] = [_("A meeting about a concern is with the person it is about.")]
        person = concern.person
        if not concern.is_open():
            errors["concern"] = [_("This concern is closed: plan a meeting on its own instead.")]
    if person is None:
        errors["person"] = [_("Choose the staff member.")]
    elif (
        person.organisation_id != actor.organisation_id
        or not person.is_active
        or not access.manages_case(actor, person)
    ):
        errors["person"] = [
            _("Choose someone you manage. HR can plan a meeting with any colleague.")
        ]
    try:
        clean = clean_changes({"starts_at": starts_at, "place": place})
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
        clean = {}
    if errors:
        raise ValidationError(errors)
    assert person is not None  # noqa: S101  # for the type checker: refused above
    with transaction.atomic():
        meeting = ReviewMeeting(
            organisation_id=actor.organisation_id,
            concern=concern,
            person=person,
            held_by=actor,
            starts_at=cast(dt.datetime, clean["starts_at"]),
            place=str(clean["place"]),
        )
        meeting.save()
        if concern is not None:
            _record(actor, "meeting_planned", meeting, concern=concern.pk)
        else:
            _record(actor, "meeting_planned", meeting, standalone=True)
        _notify_each([person], MEETING_PLANNED.kind, meeting, now)
    return meeting


def check_changes(actor: Membership, meeting: ReviewMeeting, names: Iterable[str]) -> str:
    """The side ``actor`` writes, once every name in ``names`` is theirs to change;
    ``ValidationError`` naming each field of the other side (nothing is saved), or
    ``PermissionDenied`` for someone who writes no part of the meeting."""
    side = side_of(actor, meeting)
    if side is None:
        raise PermissionDenied(ONLY_MANAGER)
    allowed = PERSON_FIELDS if side == PERSON else MANAGER_FIELDS
    refused: dict[str, list[str]] = {}
    for name in names:
        if name in allowed:
            continue
        if name in PERSON_FIELDS:
            refused[name] = [str(ONLY_PERSON)]
        elif name in MANAGER_FIELDS:
            refused[name] = [str(ONLY_MANAGER)]
        elif name == "peer_supporter":
            if side != PERSON:
                refused[name] = [
                    _("Only the staff member chooses whether to bring a peer supporter.")
                ]
        else:
            refused[name] = [_("This cannot be changed here.")]
    if refused:
        raise ValidationError(refused)
    if meeting.state == ReviewMeeting.State.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: it no longer changes."))
    return side


def change_meeting(
    *,
    actor: Membership,
    meeting: ReviewMeeting,
    changes: Mapping[str, object],
    version: int,
    now: dt.datetime | None = None,
) -> ReviewMeeting:
    """Write one side's part of the agenda at the version read. A field of the other side
    is refused (400, the field named): a manager never words the person's account, their
    worries about the job or their support outside work, and the person writes nothing
    else. Unchanged values change nothing. A new time or place is told to the person (and
    their peer supporter)."""
    side = check_changes(actor, meeting, changes)
    clean = clean_changes(changes)
    changed = {name: value for name, value in clean.items() if _current(meeting, name) != value}
    if not changed:
        if version != meeting.version:
            raise StaleVersion
        return meeting
    if "starts_at" in changed and meeting.state != ReviewMeeting.State.SCHEDULED:
        raise ValidationError({"starts_at": [_("The meeting was held: its time stays.")]})
    now = now or timezone.now()
    with transaction.atomic():
        _save_meeting(meeting, changed, version)
        _record(actor, "meeting_changed", meeting, side=side, fields=sorted(changed))
        if {"starts_at", "place"} & changed.keys() and meeting.state == "scheduled":
            _notify_each(
                [meeting.person, meeting.peer_supporter, meeting.held_by],
                MEETING_MOVED.kind,
                meeting,
                now,
                leave_out=actor,
            )
    return meeting


def choose_supporter(
    *,
    actor: Membership,
    meeting: ReviewMeeting,
    supporter: Membership | None,
    version: int,
    now: dt.datetime | None = None,
) -> ReviewMeeting:
    """The staff member brings a peer supporter (or nobody) to a planned meeting. Anyone
    who investigates them is refused with a clear message, and the attempt audited (§4.7).
    The person chosen is told; they then read the meeting and its note, nothing else."""
    if actor.pk != meeting.person_id:
        raise ValidationError(
            {
                "peer_supporter": [
                    _("Only the staff member chooses whether to bring a peer supporter.")
                ]
            }
        )
    if meeting.state != ReviewMeeting.State.SCHEDULED:
        raise ValidationError(
            {"peer_supporter": [_("The meeting is no longer planned: this stays as it was.")]}
        )
    if supporter is not None:
        if supporter.pk == meeting.peer_supporter_id:
            if version != meeting.version:
                raise StaleVersion
            return meeting
        allowed = supporters_to_choose(meeting).filter(pk=supporter.pk).exists()
        if not allowed:
            raise ValidationError(
                {
                    "peer_supporter": [
                        _(
                            "Choose a colleague who works here, other than yourself and "
                            "your manager."
                        )
                    ]
                }
            )
        try:
            # Audits a refusal in its own transaction, so call it outside ours.
            separation.check_may_support(actor=actor, member=supporter, person=meeting.person)
        except separation.SeparationRefused as refused:
            raise ValidationError({"peer_supporter": [refused.message]}) from None
    elif meeting.peer_supporter_id is None:
        if version != meeting.version:
            raise StaleVersion
        return meeting
    now = now or timezone.now()
    with transaction.atomic():
        _save_meeting(meeting, {"peer_supporter": supporter}, version)
        _record(actor, "meeting_supporter", meeting, brought=supporter is not None)
        if supporter is not None:
            _notify_each([supporter], SUPPORTER_ASKED.kind, meeting, now)
    return meeting


def _manager_only(actor: Membership, meeting: ReviewMeeting, message: str) -> None:
    if side_of(actor, meeting) != MANAGER:
        raise PermissionDenied(message)


def mark_held(
    *,
    actor: Membership,
    meeting: ReviewMeeting,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ReviewMeeting:
    """The manager (or HR) marks the meeting held, from the day it was planned for (the
    organisation's date). Holding it again changes nothing."""
    _manager_only(actor, meeting, _("Only the manager or HR marks the meeting held."))
    if meeting.state == ReviewMeeting.State.HELD:
        return meeting
    if meeting.state == ReviewMeeting.State.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: it cannot be marked held."))
    now = now or timezone.now()
    if not may_mark_held(meeting, now):
        raise ValidationError(
            _("The meeting is planned for %(day)s: mark it held on that day or later.")
            % {"day": date_format(local_start(meeting).date(), "DATE_FORMAT")}
        )
    at = meeting.version if version is None else version
    with transaction.atomic():
        _save_meeting(meeting, {"state": ReviewMeeting.State.HELD, "held_at": now}, at)
        _record(actor, "meeting_held", meeting)
    return meeting


def cancel_meeting(
    *,
    actor: Membership,
    meeting: ReviewMeeting,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ReviewMeeting:
    """The manager (or HR) cancels a planned meeting; the person and their peer supporter
    are told. A held meeting stays held; cancelling again changes nothing."""
    _manager_only(actor, meeting, _("Only the manager or HR cancels the meeting."))
    if meeting.state == ReviewMeeting.State.CANCELLED:
        return meeting
    if meeting.state == ReviewMeeting.State.HELD:
        raise ValidationError(_("This meeting was held: it cannot be cancelled."))
    now = now or timezone.now()
    at = meeting.version if version is None else version
    with transaction.atomic():
        _save_meeting(meeting, {"state": ReviewMeeting.State.CANCELLED}, at)
        _record(actor, "meeting_cancelled", meeting)
        _notify_each(
            [meeting.person, meeting.peer_supporter, meeting.held_by],
            MEETING_CANCELLED.kind,
            meeting,
            now,
            leave_out=actor,
        )
    return meeting


# --- the meeting note ------------------------------------------------------------------------


def _clean_note(
    summary: object, review_on: object, *, today: dt.date, review_changed: bool
) -> tuple[str, dt.date | None]:
    errors: dict[str, list[str]] = {}
    text, problem = _text(summary, SUMMARY_MAX)
    if problem:
        errors["summary"] = [problem]
    elif not text:
        errors["summary"] = [_("Write the summary of the meeting.")]
    day: dt.date | None = None
    if review_on is not None:
        if not isinstance(review_on, dt.date) or isinstance(review_on, dt.datetime):
            errors["review_on"] = [_("Please give a date like 2026-03-31.")]
        elif not _year_ok(review_on):
            errors["review_on"] = [_years_message()]
        elif review_changed and review_on <= today:
            errors["review_on"] = [_("The date to meet again must be after today.")]
        else:
            day = review_on
    if errors:
        raise ValidationError(errors)
    return text, day


def write_note(
    *,
    actor: Membership,
    meeting: ReviewMeeting,
    summary: str,
    review_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> MeetingNote:
    """The manager (or HR) writes the meeting's note once it is held (writing it on or
    after the planned day marks a planned meeting held). The two who were there are asked
    to agree it; the writer is told nothing."""
    _manager_only(actor, meeting, _("Only the manager or HR writes the meeting note."))
    now = now or timezone.now()
    if meeting.state == ReviewMeeting.State.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: it has no note."))
    if meeting.state == ReviewMeeting.State.SCHEDULED and not may_mark_held(meeting, now):
        raise ValidationError(_("The note is written once the meeting has been held."))
    if note_of(meeting) is not None:
        raise ValidationError(_("This meeting has a note already: change it there."))
    organisation = meeting.person.organisation
    text, day = _clean_note(
        summary, review_on, today=organisation.local_today(now), review_changed=True
    )
    try:
        with transaction.atomic():
            if meeting.state == ReviewMeeting.State.SCHEDULED:
                _save_meeting(
                    meeting,
                    {"state": ReviewMeeting.State.HELD, "held_at": now},
                    meeting.version,
                )
                _record(actor, "meeting_held", meeting)
            note = MeetingNote(
                organisation_id=meeting.organisation_id,
                meeting=meeting,
                person=meeting.person,
                summary=text,
                review_on=day,
                written_by=actor,
                written_at=now,
            )
            note.save()
            audit.record(
                actor=actor,
                action="concerns.note_written",
                object_type="meeting_note",
                object_id=note.pk,
                subject=meeting.person,
                data_class=DataClass.PERSONNEL,
                detail={"meeting": meeting.pk, "review_date": day is not None},
            )
            _notify_each(
                [meeting.person, meeting.held_by], NOTE_WAITING.kind, meeting, now, leave_out=actor
            )
    except IntegrityError:
        # Someone else wrote it in the same moment.
        raise ValidationError(_("This meeting has a note already: change it there.")) from None
    return note


def _save_note(note: MeetingNote, changes: Mapping[str, object], version: int) -> MeetingNote:
    sealed_names = {"summary", "person_disagreement", "manager_disagreement"}
    plain = {name: value for name, value in changes.items() if name not in sealed_names}
    moved = MeetingNote.objects.filter(pk=note.pk, version=version).update(
        version=F("version") + 1, **plain
    )
    if not moved:
        raise StaleVersion
    for name, value in changes.items():
        setattr(note, name, value)
    note.version = version + 1
    sealed = [name for name in changes if name in sealed_names]
    if sealed:
        note.save(update_fields=sealed)
    return note


def change_note(
    *,
    actor: Membership,
    note: MeetingNote,
    summary: str,
    review_on: dt.date | None,
    version: int,
    now: dt.datetime | None = None,
) -> MeetingNote:
    """The manager (or HR) changes the summary or the date to meet again. A new summary
    clears both answers and asks the two again; a new date is reminded again."""
    meeting = note.meeting
    _manager_only(actor, meeting, _("Only the manager or HR changes the meeting note."))
    now = now or timezone.now()
    organisation = meeting.person.organisation
    text, day = _clean_note(
        summary,
        review_on,
        today=organisation.local_today(now),
        review_changed=review_on != note.review_on,
    )
    new_summary = text != str(note.summary or "")
    changes: dict[str, object] = {}
    if new_summary:
        changes.update(
            summary=text,
            person_response="",
            person_responded_at=None,
            person_disagreement="",
            manager_response="",
            manager_responded_at=None,
            manager_disagreement="",
        )
    if day != note.review_on:
        changes.update(review_on=day, review_reminded_at=None)
    if not changes:
        if version != note.version:
            raise StaleVersion
        return note
    with transaction.atomic():
        _save_note(note, changes, version)
        audit.record(
            actor=actor,
            action="concerns.note_changed",
            object_type="meeting_note",
            object_id=note.pk,
            subject=note.person,
            data_class=DataClass.PERSONNEL,
            detail={"summary": new_summary, "review_date": "review_on" in changes},
        )
        if new_summary:
            _notify_each(
                [meeting.person, meeting.held_by], NOTE_CHANGED.kind, meeting, now, leave_out=actor
            )
    return note


def answer_note(
    *,
    actor: Membership,
    note: MeetingNote,
    agrees: bool,
    disagreement: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> MeetingNote:
    """One of the two who were there agrees the note, or records what they disagree with;
    the disagreement stays beside the note and both still read it. Anyone else is refused
    (``NOT_THERE``). Agreeing again changes nothing."""
    party = party_of(actor, note.meeting)
    if party is None:
        raise PermissionDenied(NOT_THERE)
    text = ""
    if not agrees:
        text, problem = _text(disagreement, DISAGREEMENT_MAX)
        if problem:
            raise ValidationError({"disagreement": [problem]})
        if not text:
            raise ValidationError(
                {"disagreement": [_("Write what you disagree with: it is kept beside the note.")]}
            )
    response = MeetingNote.Response.AGREED if agrees else MeetingNote.Response.DISAGREED
    at = note.version if version is None else version
    if agrees and getattr(note, f"{party}_response") == MeetingNote.Response.AGREED:
        return note
    now = now or timezone.now()
    with transaction.atomic():
        _save_note(
            note,
            {
                f"{party}_response": response,
                f"{party}_responded_at": now,
                f"{party}_disagreement": text,
            },
            at,
        )
        audit.record(
            actor=actor,
            action="concerns.note_agreed" if agrees else "concerns.note_disagreed",
            object_type="meeting_note",
            object_id=note.pk,
            subject=note.person,
            data_class=DataClass.PERSONNEL,
            detail={"party": party},
        )
    return note


def waiting_for(member: Membership, note: MeetingNote) -> bool:
    """Whether ``member`` still has to answer the note."""
    party = party_of(member, note.meeting)
    return party is not None and not getattr(note, f"{party}_response")


# --- reminders of the date to meet again ---------------------------------------------------------


@register_deadline
def remind_note_reviews(now: dt.datetime) -> int:
    """A meeting note's date to meet again has come where the organisation works: the staff
    member and the manager who held the meeting are told once. A new date is told again
    (``change_note`` clears the claim)."""

    def tell(note: MeetingNote) -> bool:
        meeting = note.meeting
        if meeting.state != ReviewMeeting.State.HELD:
            return False
        _notify_each([meeting.person, meeting.held_by], REVIEW_DUE.kind, meeting, now)
        return True

    return claim_dated_rows(
        MeetingNote,
        date_field="review_on",
        claimed_field="review_reminded_at",
        now=now,
        act=tell,
        related=("meeting__person__user", "meeting__held_by__user"),
    )
