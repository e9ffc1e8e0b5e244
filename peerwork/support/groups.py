"""Peer support groups (issue 7 item 7; guide §3.10, §4.8, App. 4 "support group model terms
of reference").

A group works under terms of reference that HR or the director write when they start it:
where and how often it meets, whether in members' own time, work hours or the lunch break,
how management gets in touch with it and where concerns raised inside it go, and when the
terms are reviewed. ``terms_text`` turns them into the page's wording, which also says what
the group is and is not: a support structure, not a team inside the team or a second
management (App. 4); not a 12-step group, which would put off people who use drugs or are
on OST (§3.10); open to every staff member and volunteer, not only to people who use drugs
(§4.8); sharing what it learns only when it decides to (App. 4).

- **Membership**: any working member joins or leaves (``join_group``, ``leave_group``).
  Who is in a group, and when it met, are seen by its members and facilitator only
  (``access.sees_group_inside``); not by HR, the director or the line managers.
- **Meetings**: a member or the facilitator records that the group met and how many came;
  never what was said. Refused for a date that falls in a suspension.
- **Shared learning**: a member or the facilitator shares a text with everyone; nobody is
  named as its author, since that would tell everyone who is in the group.
- **The §4.8 path** when a group goes wrong, recorded by HR or the director, strictly in
  order: mediation; then a meeting with the group to review its terms; only then a
  suspension for a fixed period, ending on a date at most ``SUSPENSION_MAX_DAYS`` ahead.
  The order counts from the group's last resumption: after a suspension has ended, a new
  suspension again needs mediation and a review first. Each step tells the facilitator; a
  suspension tells the members too. When the end date has passed, the deadline loop
  (``resume_groups``) resumes the group, records a ``RESUMED`` step and tells the
  facilitator and the members.
- **Review reminder**: when the review date comes, the facilitator and HR are told once
  (``remind_group_reviews``, claiming ``review_reminded_at``); a new review date sets it
  due again.

Every flow takes the acting membership, checks what it may do, and writes its audit event
in the same transaction. Dates are the organisation's (``local_today``), never the
server's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope, scopes_disabled

from peerwork.core import audit
from peerwork.core.access import DataClass, is_working_member, parse_id
from peerwork.core.deadlines import BATCH_SIZE, register_deadline
from peerwork.core.models import Membership, Notification, Role, active_members
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import notify, register_kind
from peerwork.core.versions import update_if_current
from peerwork.schedule.conflicts import zone_of
from peerwork.schedule.services import local_today

from .access import is_facilitator, manages_groups, sees_group_inside, sees_groups
from .models import GroupLearning, GroupMeeting, GroupMember, GroupStep, SupportGroup

NAME_MAX = 200
TEXT_MAX = 2000
OUTCOME_MAX = 4000
# "A fixed period" (§4.8): long enough to reset, short enough to stay a pause.
SUSPENSION_MAX_DAYS = 183
# A review date further ahead than this is a typing mistake more often than a plan.
REVIEW_MAX_DAYS = 3 * 366

Kind = GroupStep.Kind
# The steps HR or the director record; ``RESUMED`` is the loop's.
RECORDED_STEPS = (Kind.MEDIATION, Kind.TOR_REVIEW, Kind.SUSPENSION)


# --- messages ------------------------------------------------------------------------
#
# Subjects show on lock screens and shared inboxes: "a group", never "support group" and
# never a name, so nobody learns from a phone that its owner is in one.


def _group_link(notification: Notification) -> str | None:
    group = notification.params.get("group")
    return reverse("support:group", args=[group]) if group else None


def _until_context(notification: Notification) -> dict[str, object]:
    until = parse_date(str(notification.params.get("until") or ""))
    return {"until": formats.date_format(until, "DATE_FORMAT") if until else "—"}


GROUP_REVIEW_DUE = register_kind(
    "support.group_review_due",
    subject=gettext_lazy("A group's terms are due for review"),
    body=gettext_lazy(
        "The terms of reference of a peer support group reach their review date. Look at "
        "them again together with the group."
    ),
    default_channels=(Channel.EMAIL,),
    link=_group_link,
)
GROUP_STEP = register_kind(
    "support.group_step",
    subject=gettext_lazy("A step was recorded for a group you facilitate"),
    body=gettext_lazy(
        "HR or the director recorded a step for a peer support group you facilitate. Its "
        "page says what came of it."
    ),
    default_channels=(Channel.EMAIL,),
    link=_group_link,
)
GROUP_SUSPENDED = register_kind(
    "support.group_suspended",
    subject=gettext_lazy("A group is paused for a while"),
    body=gettext_lazy(
        "A peer support group you are part of is suspended until %(until)s. It meets "
        "again after that."
    ),
    default_channels=(Channel.EMAIL,),
    link=_group_link,
    context=_until_context,
)
GROUP_RESUMED = register_kind(
    "support.group_resumed",
    subject=gettext_lazy("A group meets again"),
    body=gettext_lazy(
        "The suspension of a peer support group you are part of has ended: the group meets again."
    ),
    default_channels=(Channel.EMAIL,),
    link=_group_link,
)
GROUP_CLOSED = register_kind(
    "support.group_closed",
    subject=gettext_lazy("A group has closed"),
    body=gettext_lazy("A peer support group you are part of has been closed."),
    default_channels=(Channel.EMAIL,),
    link=_group_link,
)


# --- who is in a group ---------------------------------------------------------------


def current_members(group: SupportGroup) -> QuerySet[Membership]:
    """The group's members now (memberships still active), by name. Inside data: show it
    only to those ``access.sees_group_inside`` lets see it."""
    return (
        Membership.objects.filter(
            active_members(),
            organisation_id=group.organisation_id,
            pk__in=GroupMember.objects.filter(
                organisation_id=group.organisation_id, group=group, left_at__isnull=True
            ).values("member"),
        )
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )


def sees_steps(member: Membership, group: SupportGroup) -> bool:
    """The §4.8 steps: HR and the director who take them, the facilitator they are told
    to, and the members of the group they are about."""
    return manages_groups(member) or sees_group_inside(member, group)


def _told_of_change(group: SupportGroup) -> list[Membership]:
    """The facilitator and the current members, each once."""
    people: dict[uuid.UUID, Membership] = {m.pk: m for m in current_members(group)}
    if group.facilitator is not None and group.facilitator.is_active:
        people.setdefault(group.facilitator.pk, group.facilitator)
    return list(people.values())


def _hr_of(organisation_id: uuid.UUID) -> QuerySet[Membership]:
    return Membership.objects.filter(
        active_members(), organisation_id=organisation_id, role_grants__role=Role.HR
    ).distinct()


# --- the terms of reference ----------------------------------------------------------


@dataclass
class GroupTerms:
    """The terms a group works under (App. 4), as a form or an API request gives them."""

    name: str
    place: str
    frequency: str
    timing: str
    management_contact: str
    concerns_to: str
    review_on: dt.date | None
    facilitator: object | None = None  # a membership id (or Membership), or None

    @classmethod
    def of(cls, group: SupportGroup) -> GroupTerms:
        return cls(
            name=group.name,
            place=group.place,
            frequency=group.frequency,
            timing=group.timing,
            management_contact=group.management_contact,
            concerns_to=group.concerns_to,
            review_on=group.review_on,
            facilitator=group.facilitator_id,
        )


def _facilitator(actor: Membership, wanted: object | None) -> Membership | None:
    if wanted in (None, ""):
        return None
    if isinstance(wanted, Membership):
        wanted = wanted.pk
    message = _("Choose the facilitator from your organisation's members.")
    try:
        wanted_id = parse_id(wanted)
    except Http404:
        raise ValidationError({"facilitator": [message]}) from None
    found = (
        Membership.objects.filter(organisation_id=actor.organisation_id, pk=wanted_id)
        .select_related("user")
        .first()
    )
    if found is None or not found.is_active:
        raise ValidationError({"facilitator": [message]})
    return found


def check_terms(
    actor: Membership,
    terms: GroupTerms,
    *,
    today: dt.date,
    current: SupportGroup | None = None,
) -> Membership | None:
    """Refuse terms that do not hold together, naming each field; the facilitator found."""
    errors: dict[str, list[str]] = {}
    if not terms.name.strip():
        errors["name"] = [_("Give the group a name.")]
    elif len(terms.name) > NAME_MAX:
        errors["name"] = [_("Keep the name to 200 characters.")]
    if not terms.place.strip():
        errors["place"] = [_("Say where the group meets.")]
    elif len(terms.place) > NAME_MAX:
        errors["place"] = [_("Keep the place to 200 characters.")]
    if not terms.frequency.strip():
        errors["frequency"] = [_("Say how often the group meets.")]
    elif len(terms.frequency) > NAME_MAX:
        errors["frequency"] = [_("Keep how often it meets to 200 characters.")]
    if terms.timing not in SupportGroup.Timing.values:
        errors["timing"] = [
            _("Choose when it meets: in members' own time, work hours or the lunch break.")
        ]
    for name, missing in (
        ("management_contact", _("Say how management gets in touch with the group.")),
        ("concerns_to", _("Say where concerns that come up in the group go.")),
    ):
        value = str(getattr(terms, name))
        if not value.strip():
            errors[name] = [missing]
        elif len(value) > TEXT_MAX:
            errors[name] = [_("Keep this to 2,000 characters.")]
    if terms.review_on is None:
        errors["review_on"] = [_("Give the date the terms are reviewed.")]
    elif current is None or terms.review_on != current.review_on:
        if terms.review_on <= today:
            errors["review_on"] = [_("The review date must be after today.")]
        elif terms.review_on > today + dt.timedelta(days=REVIEW_MAX_DAYS):
            errors["review_on"] = [_("Choose a review date within three years.")]
    facilitator = None
    try:
        facilitator = _facilitator(actor, terms.facilitator)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return facilitator


def start_group(
    *, actor: Membership, terms: GroupTerms, now: dt.datetime | None = None
) -> SupportGroup:
    """HR or the director start a group with its terms of reference (App. 4)."""
    if not manages_groups(actor):
        raise PermissionDenied(_("HR and the director start peer support groups."))
    now = now or timezone.now()
    facilitator = check_terms(actor, terms, today=local_today(actor, now))
    assert terms.review_on is not None  # noqa: S101 (refused above)
    with transaction.atomic():
        group = SupportGroup.objects.create(
            organisation_id=actor.organisation_id,
            name=terms.name.strip(),
            facilitator=facilitator,
            place=terms.place.strip(),
            frequency=terms.frequency.strip(),
            timing=terms.timing,
            management_contact=terms.management_contact.strip(),
            concerns_to=terms.concerns_to.strip(),
            review_on=terms.review_on,
            created_by=actor,
            created_at=now,
        )
        _audit(actor, "support.group.start", group)
    return group


def change_terms(
    *,
    actor: Membership,
    group: SupportGroup,
    version: int,
    terms: GroupTerms,
    now: dt.datetime | None = None,
) -> SupportGroup:
    """HR, the director or the facilitator change the terms. A new review date sets its
    reminder due again. ``StaleVersion`` when someone changed them since ``version``."""
    if not (manages_groups(actor) or is_facilitator(actor, group)):
        raise PermissionDenied(_("HR, the director and the facilitator change the terms."))
    if group.state == SupportGroup.State.CLOSED:
        raise ValidationError(_("This group is closed: its terms no longer change."))
    now = now or timezone.now()
    facilitator = check_terms(actor, terms, today=local_today(actor, now), current=group)
    if facilitator is not None and facilitator.pk != group.facilitator_id:
        _kept_apart(actor, facilitator, current_members(group), field="facilitator")
    changes: dict[str, object] = {
        "name": terms.name.strip(),
        "facilitator": facilitator,
        "place": terms.place.strip(),
        "frequency": terms.frequency.strip(),
        "timing": terms.timing,
        "management_contact": terms.management_contact.strip(),
        "concerns_to": terms.concerns_to.strip(),
        "review_on": terms.review_on,
    }
    if terms.review_on != group.review_on:
        changes["review_reminded_at"] = None
    with transaction.atomic():
        update_if_current(SupportGroup, pk=group.pk, version=version, changes=changes)
        group.refresh_from_db()
        _audit(actor, "support.group.terms", group)
    return group


def close_group(
    *, actor: Membership, group: SupportGroup, version: int, now: dt.datetime | None = None
) -> SupportGroup:
    """HR or the director close a group; its facilitator and members are told."""
    if not manages_groups(actor):
        raise PermissionDenied(_("HR and the director close peer support groups."))
    if group.state == SupportGroup.State.CLOSED:
        raise ValidationError(_("This group is already closed."))
    now = now or timezone.now()
    with transaction.atomic():
        update_if_current(
            SupportGroup,
            pk=group.pk,
            version=version,
            changes={"state": SupportGroup.State.CLOSED, "suspended_until": None},
        )
        group.refresh_from_db()
        _audit(actor, "support.group.close", group)
        for person in _told_of_change(group):
            if person.pk != actor.pk:
                notify(
                    recipient=person,
                    kind=GROUP_CLOSED.kind,
                    params={"group": str(group.pk)},
                    now=now,
                )
    return group


def _kept_apart(
    actor: Membership,
    facilitator: Membership,
    people: Iterable[Membership],
    field: str | None = None,
) -> None:
    """Whoever investigates someone cannot facilitate a group they are in, nor can they
    join a group their investigator facilitates (§4.7, ``peerwork.concerns.separation``);
    the refusal is audited there, outside this change's transaction."""
    from peerwork.concerns import separation

    for person in people:
        if person.pk == facilitator.pk:
            continue
        try:
            separation.check_may_support(actor=actor, member=facilitator, person=person)
        except separation.SeparationRefused as refused:
            raise ValidationError(
                {field: [refused.message]} if field else refused.message
            ) from None


# --- joining and leaving -------------------------------------------------------------


def membership_of(member: Membership, group: SupportGroup) -> GroupMember | None:
    return GroupMember.objects.filter(
        organisation_id=group.organisation_id, group=group, member=member, left_at__isnull=True
    ).first()


def join_group(
    *, actor: Membership, group: SupportGroup, now: dt.datetime | None = None
) -> GroupMember:
    """Any working member joins (§4.8: open to all staff, not only people who use drugs).
    Joining again while in the group changes nothing."""
    if not sees_groups(actor):
        raise PermissionDenied(_("Staff members and volunteers join peer support groups."))
    if group.state == SupportGroup.State.CLOSED:
        raise ValidationError(_("This group is closed."))
    existing = membership_of(actor, group)
    if existing is not None:
        return existing
    if group.facilitator is not None:
        _kept_apart(actor, group.facilitator, [actor])
    with transaction.atomic():
        row = GroupMember.objects.create(
            organisation_id=group.organisation_id,
            group=group,
            member=actor,
            joined_at=now or timezone.now(),
        )
        _audit(actor, "support.group.join", group, subject=actor)
    return row


def leave_group(*, actor: Membership, group: SupportGroup, now: dt.datetime | None = None) -> bool:
    """The member leaves; False when they were not in the group (nothing changes)."""
    with transaction.atomic():
        left = GroupMember.objects.filter(
            organisation_id=group.organisation_id,
            group=group,
            member=actor,
            left_at__isnull=True,
        ).update(left_at=now or timezone.now())
        if left:
            _audit(actor, "support.group.leave", group, subject=actor)
    return bool(left)


# --- meetings and shared learning ----------------------------------------------------


def suspension_on(group: SupportGroup, day: dt.date) -> GroupStep | None:
    """The suspension step whose period holds ``day``, if any."""
    return (
        GroupStep.objects.filter(
            organisation_id=group.organisation_id,
            group=group,
            kind=Kind.SUSPENSION,
            held_on__lte=day,
            ends_on__gte=day,
        )
        .order_by("-recorded_at")
        .first()
    )


def record_meeting(
    *,
    actor: Membership,
    group: SupportGroup,
    held_on: dt.date | None,
    attended: int | None,
    now: dt.datetime | None = None,
) -> GroupMeeting:
    """A member or the facilitator records that the group met, and how many came. What
    was said stays in the room. Others who cannot see inside the group get 404."""
    if not sees_group_inside(actor, group):
        raise Http404
    now = now or timezone.now()
    today = local_today(actor, now)
    errors: dict[str, list[str]] = {}
    if group.state == SupportGroup.State.CLOSED:
        raise ValidationError(_("This group is closed."))
    if held_on is None:
        errors["held_on"] = [_("Give the date the group met.")]
    elif held_on > today:
        errors["held_on"] = [_("Record a meeting once it has taken place.")]
    elif held_on < today - dt.timedelta(days=366):
        errors["held_on"] = [_("Record meetings of the last twelve months.")]
    else:
        paused = suspension_on(group, held_on)
        if paused is not None:
            errors["held_on"] = [
                _(
                    "The group was suspended on that date (until %(until)s), so it did not "
                    "meet then."
                )
                % {"until": formats.date_format(paused.ends_on or held_on, "DATE_FORMAT")}
            ]
    if attended is not None and not 0 <= attended <= 500:
        errors["attended"] = [_("Give how many came, from 0 to 500.")]
    if errors:
        raise ValidationError(errors)
    assert held_on is not None  # noqa: S101 (refused above)
    with transaction.atomic():
        meeting = GroupMeeting.objects.create(
            organisation_id=group.organisation_id,
            group=group,
            held_on=held_on,
            attended=attended,
            recorded_by=actor,
        )
        _audit(actor, "support.group.meeting", group)
    return meeting


def may_share(member: Membership, group: SupportGroup) -> bool:
    return sees_group_inside(member, group) and group.state != SupportGroup.State.CLOSED


def share_learning(
    *, actor: Membership, group: SupportGroup, text: str, now: dt.datetime | None = None
) -> GroupLearning:
    """A member or the facilitator shares what the group learned with everyone (App. 4):
    the group chooses to. Nobody is named as its author."""
    if not sees_group_inside(actor, group):
        raise PermissionDenied(_("The group's members and facilitator share its learning."))
    if group.state == SupportGroup.State.CLOSED:
        raise ValidationError(_("This group is closed."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write what the group wants to share.")]})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": [_("Keep this to 2,000 characters.")]})
    with transaction.atomic():
        learning = GroupLearning.objects.create(
            organisation_id=group.organisation_id,
            group=group,
            text=text,
            shared_by=actor,
            shared_at=now or timezone.now(),
        )
        _audit(actor, "support.group.learning", group)
    return learning


def learning_seen_by(member: Membership) -> QuerySet[GroupLearning]:
    """What groups shared, for every working member; a facilitator outside the working
    roles sees their own groups' learning."""
    rows = GroupLearning.objects.filter(organisation_id=member.organisation_id)
    if not member.is_active:
        return rows.none()
    if not is_working_member(member):
        rows = rows.filter(group__facilitator=member)
    return rows.select_related("group").order_by("-shared_at")


# --- the §4.8 path -------------------------------------------------------------------


def _since_resumption(group: SupportGroup) -> list[GroupStep]:
    steps = list(
        GroupStep.objects.filter(organisation_id=group.organisation_id, group=group).order_by(
            "recorded_at", "pk"
        )
    )
    last = max((i for i, s in enumerate(steps) if s.kind == Kind.RESUMED), default=-1)
    return steps[last + 1 :]


def steps_possible(group: SupportGroup, today: dt.date) -> list[str]:
    """The steps that may be recorded now, in the §4.8 order: mediation always; a review
    of the terms once mediation is recorded; a suspension once both are."""
    if group.state == SupportGroup.State.CLOSED or group.is_suspended(today):
        return []
    kinds = {s.kind for s in _since_resumption(group)}
    possible = [Kind.MEDIATION.value]
    if Kind.MEDIATION in kinds:
        possible.append(Kind.TOR_REVIEW.value)
        if Kind.TOR_REVIEW in kinds:
            possible.append(Kind.SUSPENSION.value)
    return possible


def _out_of_order(kind: str, earlier: list[GroupStep], held_on: dt.date | None) -> str | None:
    """What must come first, in words, or None when ``kind`` may come now."""
    mediations = [s.held_on for s in earlier if s.kind == Kind.MEDIATION]
    reviews = [s.held_on for s in earlier if s.kind == Kind.TOR_REVIEW]
    if kind == Kind.TOR_REVIEW:
        if not mediations:
            return _(
                "Mediation comes first: record the mediation before a review of the terms "
                "of reference with the group."
            )
        if held_on is not None and held_on < min(mediations):
            return _("The review of the terms must be on or after the day of the mediation.")
    if kind == Kind.SUSPENSION:
        if not mediations:
            return _(
                "Mediation comes first, then a review of the terms of reference with the "
                "group; only then a suspension."
            )
        if not reviews:
            return _(
                "A review of the terms of reference with the group comes before a "
                "suspension: record the review first."
            )
        if held_on is not None and held_on < min(reviews):
            return _("The suspension must be on or after the day of the review of the terms.")
    return None


def record_step(
    *,
    actor: Membership,
    group: SupportGroup,
    kind: str,
    held_on: dt.date | None,
    outcome: str,
    ends_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> GroupStep:
    """HR or the director record a step of the §4.8 path, strictly in its order. A
    suspension needs its end date (after today, at most ``SUSPENSION_MAX_DAYS`` ahead) and
    suspends the group until then. The facilitator is told of every step; the members of a
    suspension too. Out of order, or incomplete: ``ValidationError`` naming what must come
    first, and nothing saved."""
    if not manages_groups(actor):
        raise PermissionDenied(_("HR and the director record the steps when a group goes wrong."))
    now = now or timezone.now()
    today = local_today(actor, now)
    resume_if_ended(group, now)
    if group.state == SupportGroup.State.CLOSED:
        raise ValidationError(_("This group is closed."))
    if group.is_suspended(today):
        raise ValidationError(
            _("The group is suspended until %(until)s: steps continue once it meets again.")
            % {"until": formats.date_format(group.suspended_until or today, "DATE_FORMAT")}
        )
    errors: dict[str, list[str]] = {}
    if kind not in RECORDED_STEPS:
        errors["kind"] = [
            _("Choose the step: mediation, a review of the terms, or a suspension.")
            if kind != Kind.RESUMED
            else _("A group meets again by itself when its suspension ends.")
        ]
    if held_on is None:
        errors["held_on"] = [_("Give the date of the step.")]
    elif held_on > today:
        errors["held_on"] = [_("Record a step on or after the day it happens.")]
    elif held_on < today - dt.timedelta(days=366):
        errors["held_on"] = [_("Record steps of the last twelve months.")]
    outcome = outcome.strip()
    if not outcome:
        errors["outcome"] = [_("Say what came of it.")]
    elif len(outcome) > OUTCOME_MAX:
        errors["outcome"] = [_("Keep this to 4,000 characters.")]
    if kind == Kind.SUSPENSION:
        if ends_on is None:
            errors["ends_on"] = [_("A suspension is for a fixed period: give the date it ends.")]
        elif ends_on <= today:
            errors["ends_on"] = [_("The suspension must end after today.")]
        elif ends_on > today + dt.timedelta(days=SUSPENSION_MAX_DAYS):
            errors["ends_on"] = [_("A suspension lasts at most six months.")]
    elif ends_on is not None and kind in RECORDED_STEPS:
        errors["ends_on"] = [_("Only a suspension has an end date.")]
    if "kind" not in errors:
        first = _out_of_order(kind, _since_resumption(group), held_on)
        if first is not None:
            errors["kind"] = [first]
    if errors:
        raise ValidationError(errors)
    assert held_on is not None  # noqa: S101 (refused above)
    with transaction.atomic():
        if kind == Kind.SUSPENSION:
            moved = SupportGroup.objects.filter(
                organisation_id=group.organisation_id,
                pk=group.pk,
                state=SupportGroup.State.ACTIVE,
            ).update(
                state=SupportGroup.State.SUSPENDED,
                suspended_until=ends_on,
                version=F("version") + 1,
            )
            if not moved:
                raise ValidationError(_("The group is no longer meeting: look at it again."))
        step = GroupStep.objects.create(
            organisation_id=group.organisation_id,
            group=group,
            kind=kind,
            held_on=held_on,
            outcome=outcome,
            ends_on=ends_on if kind == Kind.SUSPENSION else None,
            recorded_by=actor,
            recorded_at=now,
        )
        group.refresh_from_db()
        _audit(actor, f"support.group.step.{kind}", group)
        params: dict[str, object] = {"group": str(group.pk)}
        if kind == Kind.SUSPENSION:
            params["until"] = str(ends_on)
            for person in _told_of_change(group):
                notify(recipient=person, kind=GROUP_SUSPENDED.kind, params=params, now=now)
        elif group.facilitator is not None and group.facilitator.pk != actor.pk:
            notify(recipient=group.facilitator, kind=GROUP_STEP.kind, params=params, now=now)
    return step


# --- deadlines -----------------------------------------------------------------------


def _latest_today(now: dt.datetime) -> dt.date:
    # The latest "today" of any zone: a date reached somewhere may be due.
    return (now + dt.timedelta(hours=14)).date()


def resume_if_ended(group: SupportGroup, now: dt.datetime) -> bool:
    """Resume ``group`` if its suspension ended before today where it is: the state goes
    back to meeting (claimed by a conditional update, so it happens once), a ``RESUMED``
    step is recorded and the facilitator and members are told. Run by the deadline loop,
    and before a step is recorded so the §4.8 order counts from the resumption."""
    until = group.suspended_until
    if group.state != SupportGroup.State.SUSPENDED or until is None:
        return False
    organisation = group.organisation
    if until >= timezone.localdate(now, zone_of(organisation)):
        return False
    with scope(organisation=group.organisation_id), transaction.atomic():
        won = SupportGroup.objects.filter(
            organisation_id=group.organisation_id,
            pk=group.pk,
            state=SupportGroup.State.SUSPENDED,
            suspended_until=until,
        ).update(
            state=SupportGroup.State.ACTIVE,
            suspended_until=None,
            version=F("version") + 1,
        )
        if not won:
            return False
        group.refresh_from_db()
        GroupStep.objects.create(
            organisation_id=group.organisation_id,
            group=group,
            kind=Kind.RESUMED,
            held_on=until + dt.timedelta(days=1),
            outcome="",
            recorded_by=None,
            recorded_at=now,
        )
        audit.record(
            actor=None,
            action="support.group.resume",
            object_type="support.group",
            object_id=group.pk,
            data_class=DataClass.WORK,
            organisation=organisation,
        )
        for person in _told_of_change(group):
            notify(
                recipient=person,
                kind=GROUP_RESUMED.kind,
                params={"group": str(group.pk)},
                now=now,
            )
    return True


@register_deadline
def resume_groups(now: dt.datetime) -> int:
    """Suspensions whose end date has passed where the group is: it meets again."""
    with scopes_disabled():  # ids and dates only
        due = list(
            SupportGroup.objects.filter(
                state=SupportGroup.State.SUSPENDED, suspended_until__lt=_latest_today(now)
            )
            .order_by("suspended_until")
            .values_list("pk", "organisation_id")[:BATCH_SIZE]
        )
    resumed = 0
    for group_id, organisation_id in due:
        with scope(organisation=organisation_id):
            group = (
                SupportGroup.objects.filter(organisation_id=organisation_id, pk=group_id)
                .select_related("organisation", "facilitator__user")
                .first()
            )
            if group is not None and resume_if_ended(group, now):
                resumed += 1
    return resumed


@register_deadline
def remind_group_reviews(now: dt.datetime) -> int:
    """Terms reaching their review date: the facilitator and HR, once."""
    with scopes_disabled():  # ids and dates only
        due = list(
            SupportGroup.objects.filter(
                review_reminded_at__isnull=True, review_on__lte=_latest_today(now)
            )
            .exclude(state=SupportGroup.State.CLOSED)
            .order_by("review_on")
            .values_list("pk", "organisation_id", "review_on")[:BATCH_SIZE]
        )
    sent = 0
    for group_id, organisation_id, review_on in due:
        with scope(organisation=organisation_id), transaction.atomic():
            group = (
                SupportGroup.objects.filter(organisation_id=organisation_id, pk=group_id)
                .select_related("organisation", "facilitator__user")
                .first()
            )
            if group is None or review_on > timezone.localdate(now, zone_of(group.organisation)):
                continue
            won = SupportGroup.objects.filter(
                organisation_id=organisation_id,
                pk=group_id,
                review_on=review_on,
                review_reminded_at__isnull=True,
            ).update(review_reminded_at=now)
            if not won:
                continue
            told = {m.pk: m for m in _hr_of(organisation_id)}
            if group.facilitator is not None and group.facilitator.is_active:
                told.setdefault(group.facilitator.pk, group.facilitator)
            for person in told.values():
                notify(
                    recipient=person,
                    kind=GROUP_REVIEW_DUE.kind,
                    params={"group": str(group.pk)},
                    now=now,
                )
            sent += 1
    return sent


# --- the words of the terms ----------------------------------------------------------


def terms_text(group: SupportGroup) -> list[str]:
    """The terms of reference as paragraphs, in the active language and our own words
    (App. 4's model, §3.10, §4.8)."""
    organisation = group.organisation.name
    timings: dict[str, str] = {
        SupportGroup.Timing.OWN_TIME: _("in members' own time"),
        SupportGroup.Timing.WORK_HOURS: _("during work hours"),
        SupportGroup.Timing.LUNCH: _("during the lunch break"),
    }
    timing = timings.get(group.timing, "")
    paragraphs = [
        _("%(organisation)s supports this group and gives it a place to meet.")
        % {"organisation": organisation},
        _("Where: %(place)s. How often: %(frequency)s. The group meets %(timing)s.")
        % {"place": group.place, "frequency": group.frequency, "timing": timing},
        _(
            "The group is where colleagues think through together what working here brings "
            "up: the pressures of the work, the challenges of being a peer worker, and how "
            "work and the rest of life meet. People come for advice and backing from others "
            "who know the work."
        ),
        _(
            "It is a support structure. It is not a team inside the team, and it does not "
            "take the place of line management or of the organisation's management."
        ),
        _(
            "It is not a 12-step group such as NA or AA, and nobody is asked to stop using "
            "drugs to take part: people who use drugs and people on OST are as welcome as "
            "anyone."
        ),
        _(
            "Every staff member and volunteer may join, whether or not they use drugs. "
            "Nobody has to say why they come."
        ),
        _(
            "What is said in the group stays in the group. The group decides for itself "
            "whether to share what it learns with colleagues or management, to help the "
            "whole team talk these things through."
        ),
        _("If management has concerns about the group, it gets in touch this way: %(how)s")
        % {"how": group.management_contact},
        _("Concerns that come up within the group go to: %(where)s") % {"where": group.concerns_to},
        _("These terms are reviewed on %(date)s.")
        % {"date": formats.date_format(group.review_on, "DATE_FORMAT")},
    ]
    return paragraphs


# --- audit ---------------------------------------------------------------------------


def _audit(
    actor: Membership, action: str, group: SupportGroup, subject: Membership | None = None
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="support.group",
        object_id=group.pk,
        subject=subject,
        data_class=DataClass.WORK,
    )


def groups_seen_by(member: Membership) -> QuerySet[SupportGroup]:
    """The groups a member sees: all of them for working members; a facilitator outside
    the working roles sees the groups they facilitate."""
    rows = SupportGroup.objects.filter(organisation_id=member.organisation_id).select_related(
        "facilitator__user"
    )
    if not member.is_active:
        return rows.none()
    if sees_groups(member):
        return rows
    return rows.filter(facilitator=member)


def ids_of_groups_joined(member: Membership, groups: Iterable[SupportGroup]) -> set[uuid.UUID]:
    return set(
        GroupMember.objects.filter(
            organisation_id=member.organisation_id,
            member=member,
            left_at__isnull=True,
            group__in=list(groups),
        ).values_list("group_id", flat=True)
    )
