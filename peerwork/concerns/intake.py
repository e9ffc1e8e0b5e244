"""Concerns: intake, editing, closing, deleting, the home lists and the aggregates (issue 8
items 1, 6 and 8; guide §4.1, §4.2, App. 10 cases 1 and 3).

A concern is about work (§4.2): "problem drug use" means drug use that affects work, so a
concern is recorded by the effect it had on work, in a work category, and describes
behaviour at work. Signs someone noticed (pinned pupils, sweating, drowsiness…) are kept
beside the category and never instead of it: on their own they are not a problem, and they
can be normal for someone on OST at the right dose (§4.2, App. 10 case 1). So a concern
with signs and no effect on work is not saved as open: the manager says what the effect on
work was, or records that it was looked at and closed with no action (``SignsOnly``).

A time-keeping question about someone with an agreed working pattern or an agreed change
of hours looks at the pattern first (App. 10 case 3; issue 6): the hours may be exactly
what was agreed. The manager sees the pattern and may review it instead (the concern is
closed as a pattern review) or go on and record the concern anyway (``PatternFirst``).
For attendance the same happens when the pattern explains the absence (a day that is not
one of the person's days, or an agreed change of hours in force then).

The person always reads their own concerns (no secret files) and is told when one is
recorded or closed, in neutral words that name nobody and say nothing of why.

Who: the person's line manager and HR record and work a concern, never about themselves
(``access.raises_concerns``, ``access.manages_case``); HR deletes one raised in error.
The director and HR see counts only (``aggregates``), with any count from 1 to 4 shown as
"fewer than 5".

Every service takes the acting membership, keyword-only; the view or API handler has
called the record's gate first. Rules refused raise ``ValidationError`` naming the fields
(nothing saved); a change made over someone else's raises ``StaleVersion``.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core import audit
from peerwork.core.access import WORKING_ROLES, DataClass, lookup
from peerwork.core.models import Membership, Notification, Organisation, Role, active_members
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import notify, register_kind
from peerwork.core.versions import StaleVersion
from peerwork.people.availability import PatternDay, hours_on, pattern_of, terms_of
from peerwork.people.models import Adjustment, WorkingPattern

from . import access
from .models import Concern, Handoff, NamedSupporter, ReviewMeeting

TEXT_MAX = 5000
REASON_MAX = 2000
EARLIEST_YEAR = 1970
# Below this many concerns a count could point at someone (the dashboard's own rule).
MINIMUM_GROUP_SIZE = 5
QUARTERS_SHOWN = 5  # this quarter and the four before it

# What a category leads to unless the manager chooses another path (§4.4–§4.7).
DEFAULT_PATHS: dict[str, str] = {
    Concern.Category.SUPPLY: Concern.Path.SUPPLY,
    Concern.Category.THEFT_FRAUD: Concern.Path.THEFT_FRAUD,
    Concern.Category.CLIENT_COMPLAINT: Concern.Path.CLIENT_COMPLAINT,
    Concern.Category.BOUNDARIES: Concern.Path.CLIENT_RELATIONSHIP,
}
PATTERN_CATEGORIES = frozenset({Concern.Category.TIME_KEEPING, Concern.Category.ATTENDANCE})
# How a concern may be closed (a hand-off is the App. 9 area's, not a closing).
CLOSING_OUTCOMES = (
    Concern.Outcome.RESOLVED,
    Concern.Outcome.NO_ACTION,
    Concern.Outcome.NO_GROUNDS,
    Concern.Outcome.PATTERN_REVIEW,
)
# How a concern may be closed at intake, without ever being open.
INTAKE_OUTCOMES = (Concern.Outcome.NO_ACTION, Concern.Outcome.PATTERN_REVIEW)


def default_path(category: str) -> str:
    return DEFAULT_PATHS.get(category, Concern.Path.REVIEW)


def local_today(organisation: Organisation, now: dt.datetime | None = None) -> dt.date:
    return organisation.local_today(now)


# --- messages ------------------------------------------------------------------------
#
# Subjects show on lock screens and shared inboxes: neutral, no names, nothing about why.


def _concern_link(notification: Notification) -> str | None:
    value = notification.params.get("concern")
    return reverse("concerns:concern", args=[value]) if value else None


RECORDED = register_kind(
    "concerns.recorded",
    subject=gettext_lazy("A note about your work"),
    body=gettext_lazy(
        "Your line manager or HR has recorded a concern about your work. You can read it "
        "here; nothing about you is kept from you."
    ),
    default_channels=(Channel.EMAIL,),
    link=_concern_link,
)
CLOSED = register_kind(
    "concerns.closed",
    subject=gettext_lazy("A note about your work"),
    body=gettext_lazy("A concern about your work has been closed. You can read how here."),
    default_channels=(Channel.EMAIL,),
    link=_concern_link,
)


# --- who ------------------------------------------------------------------------------


def may_raise_about(actor: Membership, person: Membership) -> bool:
    """Line managers about the people they manage, HR about anyone working; never about
    oneself (§4.1)."""
    return (
        access.raises_concerns(actor)
        and person.organisation_id == actor.organisation_id
        and person.is_active
        and person.has_role(*WORKING_ROLES)
        and access.manages_case(actor, person)
    )


def people_to_raise_about(actor: Membership) -> QuerySet[Membership]:
    """Whom ``actor`` may record a concern about: their reports; for HR everyone working."""
    people = Membership.objects.filter(
        active_members(),
        organisation_id=actor.organisation_id,
        role_grants__role__in=list(WORKING_ROLES),
    ).exclude(pk=actor.pk)
    if not access.is_hr(actor):
        people = (
            people.filter(line_manager=actor)
            if actor.has_role(Role.LINE_MANAGER)
            else people.none()
        )
    if not access.raises_concerns(actor):
        people = people.none()
    return (
        people.select_related("user")
        .prefetch_related("role_grants")
        .distinct()
        .order_by("user__display_name", "user__username")
    )


def person_for_intake(actor: Membership, person_id: object) -> Membership:
    """The person a new concern is about, through the intake's gate: 404 for anyone the
    actor may not record a concern about (or who does not exist, or is elsewhere)."""
    if not access.raises_concerns(actor):
        raise Http404
    person = lookup(
        Membership.objects.filter(organisation_id=actor.organisation_id).select_related(
            "user", "organisation"
        ),
        person_id,
    )
    if not may_raise_about(actor, person):
        raise Http404
    return person


# --- what a concern says --------------------------------------------------------------


@dataclass(frozen=True)
class ConcernFields:
    """What the intake form or an API request gives; checked by ``clean_fields``."""

    source: str
    category: str
    noticed_from: dt.date | None
    what_happened: str
    noticed_to: dt.date | None = None
    evidence: str = ""
    work_impact: str = ""
    signs: Sequence[str] = ()
    path: str | None = None  # None: the category's default path


class SignsOnly(ValidationError):
    """Signs were ticked and nothing was said about work (§4.2, App. 10 case 1)."""


class PatternFirst(ValidationError):
    """The person's agreed pattern may answer a time-keeping or attendance question
    (App. 10 case 3); ``pattern`` is what to show."""

    def __init__(self, message: Any, pattern: AgreedPattern) -> None:
        super().__init__(message)
        self.pattern = pattern


def signs_only_message() -> str:
    return _(
        "These signs are not a problem in themselves. They can be normal for someone on "
        "OST who is on the right dose (§4.2). What matters is the effect on work: what was "
        "it? Write it here, or record that you looked at this and no action is needed."
    )


def _text(errors: dict[str, list[str]], name: str, value: str, limit: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        errors[name] = [_("Please take out the hidden characters this text holds.")]
    elif len(text) > limit:
        errors[name] = [_("Please keep this under %(n)d characters.") % {"n": limit}]
    return text


def _date(
    errors: dict[str, list[str]], name: str, value: dt.date | None, today: dt.date
) -> dt.date | None:
    if value is None:
        return None
    if value.year < EARLIEST_YEAR:
        errors[name] = [_("Choose a date after %(year)d.") % {"year": EARLIEST_YEAR}]
        return None
    if value > today:
        errors[name] = [_("This date is in the future: give the day it was noticed.")]
        return None
    return value


def clean_fields(fields: ConcernFields, today: dt.date) -> dict[str, Any]:
    """The fields as stored, or ``ValidationError`` naming every field at fault. ``today``
    is the organisation's."""
    errors: dict[str, list[str]] = {}
    if fields.source not in Concern.Source.values:
        errors["source"] = [_("Choose who raised it.")]
    if fields.category not in Concern.Category.values:
        errors["category"] = [_("Choose the effect on work.")]
    path = fields.path or default_path(fields.category)
    if path not in Concern.Path.values:
        errors["path"] = [_("Choose a path from the list.")]
    signs = sorted({str(sign) for sign in fields.signs})
    if not set(signs) <= set(Concern.Sign.values):
        errors["signs"] = [_("Choose signs from the list.")]
    first = _date(errors, "noticed_from", fields.noticed_from, today)
    if fields.noticed_from is None:
        errors["noticed_from"] = [_("Give the day it was first noticed.")]
    last = _date(errors, "noticed_to", fields.noticed_to, today)
    if first is not None and last is not None and last < first:
        errors["noticed_to"] = [_("The last day must be on or after the first.")]
    what = _text(errors, "what_happened", fields.what_happened)
    if not what and "what_happened" not in errors:
        errors["what_happened"] = [_("Describe what happened at work.")]
    evidence = _text(errors, "evidence", fields.evidence)
    impact = _text(errors, "work_impact", fields.work_impact)
    if errors:
        raise ValidationError(errors)
    return {
        "source": fields.source,
        "category": fields.category,
        "path": path,
        "signs": signs,
        "noticed_from": first,
        "noticed_to": last,
        "what_happened": what,
        "evidence": evidence,
        "work_impact": impact,
    }


# --- the agreed pattern first (App. 10 case 3) -----------------------------------------


@dataclass(frozen=True)
class AgreedPattern:
    """A person's agreed working pattern and the agreed changes of hours in force over the
    days a concern names: the hours only, never a reason."""

    person: Membership
    days: tuple[PatternDay, ...]
    adjustments: tuple[Adjustment, ...]
    off_days: tuple[dt.date, ...] = ()  # noticed days that are not their working days

    @property
    def day_rows(self) -> list[tuple[str, PatternDay]]:
        names = dict(WorkingPattern.Weekday.choices)
        return [(str(names[day.weekday]), day) for day in self.days]

    def adjustment_rows(self) -> list[tuple[Adjustment, str]]:
        from peerwork.schedule.services import describe

        return [(row, describe(row)) for row in self.adjustments]


def agreed_pattern(person: Membership, first: dt.date, last: dt.date) -> AgreedPattern:
    days = pattern_of(person)
    rows = tuple(
        Adjustment.objects.filter(
            organisation_id=person.organisation_id,
            membership=person,
            state=Adjustment.State.AGREED,
            valid_from__lte=last,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
        .order_by("valid_from")
    )
    by_weekday = {day.weekday: day for day in days}
    terms = [terms_of(row) for row in rows]
    off = tuple(
        day for day in {first, last} if by_weekday and hours_on(day, by_weekday, terms) is None
    )
    return AgreedPattern(person, days, rows, tuple(sorted(off)))


def pattern_answers(
    person: Membership, category: str, first: dt.date | None, last: dt.date | None, today: dt.date
) -> AgreedPattern | None:
    """The pattern to look at first, or None when it has nothing to say: time-keeping with
    an agreed pattern or change of hours; attendance when the pattern explains an absence."""
    if category not in PATTERN_CATEGORIES or first is None:
        return None
    found = agreed_pattern(person, first, last or today)
    if category == Concern.Category.TIME_KEEPING:
        return found if (found.days or found.adjustments) else None
    return found if (found.adjustments or found.off_days) else None


def pattern_message(person: Membership) -> str:
    return _(
        "%(name)s has an agreed working pattern. Look at it first: what looks like a "
        "time-keeping problem may be the hours that were agreed (App. 10 case 3)."
    ) % {"name": person.name}


# --- recording ---------------------------------------------------------------------------


def _audit(actor: Membership, action: str, concern: Concern, **detail: object) -> None:
    audit.record(
        actor=actor,
        action=f"concerns.concern.{action}",
        object_type="concerns.concern",
        object_id=concern.pk,
        subject=concern.person,
        data_class=DataClass.PERSONNEL,
        detail=detail or None,
    )


def _tell(person: Membership, kind: str, concern: Concern, now: dt.datetime) -> None:
    # ``notify`` sends after the transaction commits, carrying the ids only.
    notify(recipient=person, kind=kind, params={"concern": str(concern.pk)}, now=now)


def record_concern(
    *,
    actor: Membership,
    person: Membership,
    fields: ConcernFields,
    record_anyway: bool = False,
    close_as: str | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Concern:
    """Record a concern about ``person`` (§4.2), and tell them.

    Refused with ``SignsOnly`` when signs were ticked and the effect on work is empty, and
    with ``PatternFirst`` when the person's agreed pattern may answer it (unless
    ``record_anyway``). ``close_as`` records it closed at once instead: ``no_action`` (with
    the reason: looked at and closed, so the record shows it) or ``pattern_review`` (the
    agreed pattern is reviewed instead).
    """
    if not may_raise_about(actor, person):
        raise PermissionDenied(_("You may record concerns about the people you manage only."))
    now = now or timezone.now()
    today = local_today(person.organisation, now)
    clean = clean_fields(fields, today)
    reason_errors: dict[str, list[str]] = {}
    reason = _text(reason_errors, "outcome_reason", reason, REASON_MAX)
    if reason_errors:
        raise ValidationError(reason_errors)
    if close_as is not None:
        if close_as not in INTAKE_OUTCOMES:
            raise ValidationError({"outcome": [_("Choose how to close it.")]})
        if close_as == Concern.Outcome.NO_ACTION and not reason:
            raise ValidationError(
                {"outcome_reason": [_("Say why no action is needed, for the record.")]}
            )
    else:
        if clean["signs"] and not clean["work_impact"]:
            raise SignsOnly({"work_impact": [signs_only_message()]})
        if not record_anyway:
            found = pattern_answers(
                person, clean["category"], clean["noticed_from"], clean["noticed_to"], today
            )
            if found is not None:
                raise PatternFirst({"category": [pattern_message(person)]}, found)

    concern = Concern(
        organisation_id=person.organisation_id,
        person=person,
        raised_by=actor,
        raised_at=now,
        source=clean["source"],
        category=clean["category"],
        path=clean["path"],
        signs=clean["signs"],
        noticed_from=clean["noticed_from"],
        noticed_to=clean["noticed_to"],
    )
    concern.what_happened = clean["what_happened"]
    concern.evidence = clean["evidence"]
    concern.work_impact = clean["work_impact"]
    if close_as is not None:
        concern.state = Concern.State.CLOSED
        concern.outcome = close_as
        concern.outcome_reason = reason
        concern.closed_at = now
        concern.closed_by = actor
    with transaction.atomic():
        concern.save()
        _audit(
            actor,
            "record",
            concern,
            category=concern.category,
            path=concern.path,
            signs=len(concern.signs),
            state=concern.state,
            outcome=concern.outcome or "none",
        )
        _tell(person, RECORDED.kind, concern, now)
    return concern


def change_concern(
    *,
    actor: Membership,
    concern: Concern,
    fields: ConcernFields,
    version: int,
    now: dt.datetime | None = None,
) -> Concern:
    """The line manager or HR corrects an open concern. The path does not change once a
    stage of it is recorded; signs with no effect on work are refused as at intake."""
    if not access.manages_case(actor, concern.person):
        raise PermissionDenied
    if not concern.is_open():
        raise ValidationError(_("This concern is closed; it can no longer change."))
    now = now or timezone.now()
    clean = clean_fields(fields, local_today(concern.person.organisation, now))
    if clean["signs"] and not clean["work_impact"]:
        raise SignsOnly({"work_impact": [signs_only_message()]})
    if clean["path"] != concern.path and concern.steps.exists():
        raise ValidationError(
            {"path": [_("A stage of this path is recorded already, so the path stays.")]}
        )
    plain = ("source", "category", "path", "signs", "noticed_from", "noticed_to")
    sealed = ("what_happened", "evidence", "work_impact")
    with transaction.atomic():
        # A sealed field is not written by ``update()``: move the version first, then save.
        moved = Concern.objects.filter(pk=concern.pk, version=version, state=Concern.State.OPEN)
        if not moved.update(version=F("version") + 1, **{name: clean[name] for name in plain}):
            raise StaleVersion
        for name in (*plain, *sealed):
            setattr(concern, name, clean[name])
        concern.version = version + 1
        concern.save(update_fields=list(sealed))
        _audit(actor, "change", concern, category=concern.category, path=concern.path)
    return concern


def close_concern(
    *,
    actor: Membership,
    concern: Concern,
    outcome: str,
    reason: str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Concern:
    """The line manager or HR closes an open concern with an outcome and the reason, and
    the person is told."""
    if not access.manages_case(actor, concern.person):
        raise PermissionDenied
    if not concern.is_open():
        raise ValidationError(_("This concern is closed already."))
    errors: dict[str, list[str]] = {}
    if outcome not in CLOSING_OUTCOMES:
        errors["outcome"] = [_("Choose how it ends.")]
    text = _text(errors, "outcome_reason", reason, REASON_MAX)
    if not text and "outcome_reason" not in errors:
        errors["outcome_reason"] = [_("Say why, for the record and for the staff member.")]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    at = concern.version if version is None else version
    with transaction.atomic():
        moved = Concern.objects.filter(pk=concern.pk, version=at, state=Concern.State.OPEN).update(
            version=F("version") + 1,
            state=Concern.State.CLOSED,
            outcome=outcome,
            closed_at=now,
            closed_by=actor,
        )
        if not moved:
            raise StaleVersion
        concern.state = Concern.State.CLOSED
        concern.outcome = outcome
        concern.closed_at = now
        concern.closed_by = actor
        concern.version = at + 1
        concern.outcome_reason = text
        concern.save(update_fields=["outcome_reason"])
        _audit(actor, "close", concern, outcome=outcome)
        _tell(concern.person, CLOSED.kind, concern, now)
    return concern


def delete_concern(*, actor: Membership, concern: Concern) -> None:
    """HR removes a concern raised in error, with everything recorded under it. The audit
    chain keeps that it was removed, by whom and about whom (ids only)."""
    if not access.is_hr(actor) or actor.pk == concern.person_id:
        raise PermissionDenied(_("Only HR removes a concern raised in error."))
    handoff = Handoff.objects.filter(
        organisation_id=concern.organisation_id, concern=concern
    ).first()
    # A concern handed to the disciplinary procedure is the record of that hand-off: the
    # procedure relies on it, so it is not "raised in error". A withdrawn hand-off goes with
    # its concern (first, since it holds on to a review meeting).
    if handoff is not None and handoff.state != Handoff.State.WITHDRAWN:
        raise ValidationError(
            _(
                "This concern was handed to the disciplinary procedure, or waits for HR's "
                "countersignature to be; it stays as the record of that. Withdraw a waiting "
                "hand-off first if the concern was raised in error."
            )
        )
    with transaction.atomic():
        _audit(actor, "delete", concern, category=concern.category, state=concern.state)
        if handoff is not None:
            handoff.delete()
        concern.delete()


def hints_of(concern: Concern, language: str | None = None) -> dict[str, list[Any]]:
    """The wording hints of a concern's free text (``wording``)."""
    from . import wording

    return wording.hints_for_fields(
        {
            "what_happened": str(concern.what_happened or ""),
            "evidence": str(concern.evidence or ""),
            "work_impact": str(concern.work_impact or ""),
            "outcome_reason": str(concern.outcome_reason or ""),
        },
        language,
    )


# --- lists -------------------------------------------------------------------------------


def _listed(organisation_id: uuid.UUID) -> QuerySet[Concern]:
    return (
        Concern.objects.filter(organisation_id=organisation_id)
        .select_related("person__user", "raised_by__user")
        .annotate(
            meeting_count=Count(
                "meetings", filter=~Q(meetings__state=ReviewMeeting.State.CANCELLED)
            )
        )
    )


def concerns_visible_to(member: Membership) -> QuerySet[Concern]:
    """Every concern ``member`` reads as a case: their own; for a line manager, those of
    the people they manage; for HR, all; where they are named to support, the open ones.
    (An investigator reads the concern under investigation through its own page.)"""
    visible = Q(person=member)
    if member.has_role(Role.LINE_MANAGER):
        visible |= Q(person__line_manager=member) & ~Q(person=member)
    if access.is_hr(member):
        visible |= ~Q(person=member)
    supported = NamedSupporter.objects.filter(
        organisation_id=member.organisation_id, member=member
    ).values("concern")
    visible |= Q(pk__in=supported, state=Concern.State.OPEN)
    return _listed(member.organisation_id).filter(visible)


@dataclass
class Home:
    """What the concerns home shows one member."""

    mine: list[Concern] = field(default_factory=list)
    my_meetings: list[ReviewMeeting] = field(default_factory=list)
    reports: list[Concern] = field(default_factory=list)
    hr_open: list[Concern] = field(default_factory=list)
    supporting: list[Concern] = field(default_factory=list)
    may_raise: bool = False
    sees_aggregates: bool = False
    is_hr: bool = False
    is_manager: bool = False


HOME_LIMIT = 100


def home_of(member: Membership) -> Home:
    """The member's own concerns and review meetings; a line manager's reports' cases; for
    HR every open case; cases they are named to support. A bounded number of queries, not
    one per concern."""
    home = Home(
        may_raise=access.raises_concerns(member),
        sees_aggregates=access.sees_aggregates(member),
        is_hr=access.is_hr(member),
        is_manager=member.has_role(Role.LINE_MANAGER),
    )
    org = member.organisation_id
    home.mine = list(_listed(org).filter(person=member)[:HOME_LIMIT])
    home.my_meetings = list(
        ReviewMeeting.objects.filter(organisation_id=org, person=member)
        .exclude(state=ReviewMeeting.State.CANCELLED)
        .select_related("held_by__user")
        .order_by("-starts_at")[:HOME_LIMIT]
    )
    if home.is_manager:
        home.reports = list(
            _listed(org)
            .filter(person__line_manager=member)
            .exclude(person=member)
            .order_by("state", "-raised_at")[:HOME_LIMIT]
        )
    if home.is_hr:
        home.hr_open = list(
            _listed(org)
            .filter(state=Concern.State.OPEN)
            .exclude(person=member)
            .order_by("-raised_at")[:HOME_LIMIT]
        )
    supported = NamedSupporter.objects.filter(organisation_id=org, member=member).values("concern")
    home.supporting = list(
        _listed(org).filter(pk__in=supported, state=Concern.State.OPEN).exclude(person=member)
    )
    return home


# --- aggregates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One count. ``suppressed``: shown as "fewer than 5" (1 to 4, or a count hidden beside
    one, so a small team cannot point at someone)."""

    code: str
    label: str
    count: int
    suppressed: bool = False

    @property
    def shown(self) -> int | None:
        return None if self.suppressed else self.count


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4
    starts: dt.date
    ends: dt.date  # the last day
    by_category: tuple[Figure, ...]
    by_path: tuple[Figure, ...]
    by_outcome: tuple[Figure, ...]
    reached_meeting: Figure
    handed_off: Figure

    @property
    def label(self) -> str:
        return _("%(year)d, quarter %(number)d") % {"year": self.year, "number": self.number}


def _small(count: int) -> bool:
    return 0 < count < MINIMUM_GROUP_SIZE


def suppress(figures: Iterable[tuple[str, Promise | str, int]]) -> tuple[Figure, ...]:
    """Counts of one breakdown, each 1 to 4 hidden. When exactly one is hidden, the next
    smallest count is hidden too: the breakdowns share a total, so one hidden count alone
    could be worked out from the others."""
    rows = [(code, str(label), count) for code, label, count in figures]
    hidden = {code for code, _label, count in rows if _small(count)}
    if len(hidden) == 1:
        others = sorted(
            (count, code) for code, _label, count in rows if count and code not in hidden
        )
        if others:
            hidden.add(others[0][1])
    return tuple(Figure(code, label, count, code in hidden) for code, label, count in rows)


def _single(code: str, label: str, count: int) -> Figure:
    return Figure(code, label, count, _small(count))


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarter_bounds(year: int, number: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * (number - 1) + 1, 1)
    following = dt.date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
    return first, following - dt.timedelta(days=1)


def _moment(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def aggregates(organisation: Organisation, *, now: dt.datetime | None = None) -> list[Quarter]:
    """Counts of concerns recorded in this quarter and the four before it (the
    organisation's dates), by category, path and outcome, and how many reached a review
    meeting and were handed off. Never a name; small counts hidden (``suppress``). A fixed
    number of queries whatever the data."""
    today = local_today(organisation, now)
    zone = organisation.zone
    year, number = quarter_of(today)
    quarters: list[tuple[int, int]] = []
    for _step in range(QUARTERS_SHOWN):
        quarters.append((year, number))
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
    earliest = _quarter_bounds(*quarters[-1])[0]
    rows = list(
        Concern.objects.filter(
            organisation_id=organisation.pk, raised_at__gte=_moment(earliest, zone)
        ).values_list("pk", "raised_at", "category", "path", "outcome")
    )
    ids = [row[0] for row in rows]
    met = set(
        ReviewMeeting.objects.filter(organisation_id=organisation.pk, concern_id__in=ids)
        .exclude(state=ReviewMeeting.State.CANCELLED)
        .values_list("concern_id", flat=True)
    )
    handed = set(
        Handoff.objects.filter(
            organisation_id=organisation.pk,
            concern_id__in=ids,
            state=Handoff.State.HANDED_OFF,
        ).values_list("concern_id", flat=True)
    )
    result = []
    for year, number in quarters:
        starts, ends = _quarter_bounds(year, number)
        inside = [row for row in rows if starts <= timezone.localtime(row[1], zone).date() <= ends]

        def count(index: int, code: str, inside: list[tuple[Any, ...]] = inside) -> int:
            return sum(1 for row in inside if row[index] == code)

        result.append(
            Quarter(
                year=year,
                number=number,
                starts=starts,
                ends=ends,
                by_category=suppress(
                    (code, label, count(2, code)) for code, label in Concern.Category.choices
                ),
                by_path=suppress(
                    (code, label, count(3, code)) for code, label in Concern.Path.choices
                ),
                by_outcome=suppress(
                    (code, label, count(4, code)) for code, label in Concern.Outcome.choices
                ),
                reached_meeting=_single(
                    "reached_meeting",
                    _("Reached a review meeting (planned or held)"),
                    sum(1 for row in inside if row[0] in met),
                ),
                handed_off=_single(
                    "handed_off",
                    _("Handed to the disciplinary procedure"),
                    sum(1 for row in inside if row[0] in handed),
                ),
            )
        )
    return result
