"""Support at work in the register of personal data (people/personal_data.py).

What support at work holds about a person, and what erasure does to it (issue 7; issue 4
items 7 and 8; guide §3.10–§3.13, §4.2, §4.8, App. 4):

- **As the staff member a pair supports**: the agreement (App. 4) is the organisation's
  three-way record and stays; how the two keep in touch is sealed under the staff member's
  key, so it can no longer be read once they are erased. The **session log** is about the
  staff member and sealed under their key: it is in their export (never in the
  supporter's, Principle 5) and erased at once when they erase. The **yes/no
  confirmations** hold no content and are kept while they work here. Their **requests for
  a mentor** are theirs, with what they wrote sealed under their key.
- **As a mentor or coach**: the staff member's records stay theirs. Erasing the supporter
  takes their name off the sessions they logged (the staff member's log stays whole), and
  off a request that named them. Their part in an agreement is the organisation's record.
- **Peer support groups** (§3.10, §4.8): being a member is kept while the person works
  here. The meetings they recorded and the learning they shared stay with the group, and
  no longer name them once they have left: a name on either would tell who was in the
  group, which only its members and facilitator know. What they facilitate and the §4.8
  steps they record, and the retreats they organise (§3.12), are the organisation's
  records of its work.

Nothing here opens another person's sealed content: a supporter's export names the kind of
support and when, never the staff member's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core.models import Membership, SupportRelationship
from peerwork.people.personal_data import (
    ERASED_ON_LEAVING,
    Item,
    OnErasure,
    PersonalData,
    fields,
    label,
    plain,
    register_personal_data,
)

from .models import (
    GroupLearning,
    GroupMeeting,
    GroupMember,
    GroupStep,
    MentoringRequest,
    Retreat,
    SupportAgreement,
    SupportConfirmation,
    SupportGroup,
    SupportSession,
)

KEPT_AS_ORGANISATION_RECORD = gettext_lazy(
    "Kept as the organisation's record of its work: it stays when you leave."
)
NOT_NAMED_ONCE_LEFT = gettext_lazy(
    "It stays in the group's record. Once you have left it no longer names you, since that "
    "would tell who was in the group."
)


def _text(value: str | None) -> str | None:
    return None if value is None else str(value)


def _colleague(member: Membership) -> Membership:
    other = (
        Membership.objects.filter(organisation_id=member.organisation_id, ended_at__isnull=True)
        .exclude(pk=member.pk)
        .select_related("user")
        .order_by("joined_at", "pk")
        .first()
    )
    if other is None:
        raise LookupError("a sample needs a second member in the organisation")
    return other


def _pair(member: Membership, *, supporting: bool = False) -> SupportRelationship:
    """A current pair with ``member`` as the staff member (or, ``supporting``, as the
    mentor), for samples."""
    colleague = _colleague(member)
    supporter, person = (member, colleague) if supporting else (colleague, member)
    return SupportRelationship.objects.create(
        organisation_id=member.organisation_id,
        supporter=supporter,
        person=person,
        kind=SupportRelationship.Kind.MENTOR,
    )


def _agreement(relationship: SupportRelationship, recipient: Membership) -> SupportAgreement:
    agreement = SupportAgreement(
        organisation_id=relationship.organisation_id,
        relationship=relationship,
        person=relationship.person,
        supporter=relationship.supporter,
        service="Peer mentoring",
        frequency=SupportAgreement.Frequency.FORTNIGHTLY,
        exception_recipient=recipient,
        review_on=timezone.localdate() + dt.timedelta(days=180),
    )
    agreement.contact = "A coffee after the Tuesday shift"
    agreement.save()
    return agreement


def _session(relationship: SupportRelationship) -> SupportSession:
    session = SupportSession(
        organisation_id=relationship.organisation_id,
        relationship=relationship,
        person=relationship.person,
        held_on=timezone.localdate(),
        minutes=45,
        logged_by=relationship.supporter,
    )
    session.notes = "Talked about the new outreach area"
    session.save()
    return session


# --- as the staff member a pair supports ------------------------------------------------


def _agreement_rows(member: Membership) -> models.QuerySet[SupportAgreement]:
    return (
        SupportAgreement.objects.filter(organisation_id=member.organisation_id, person=member)
        .select_related(
            "relationship", "supporter__user", "exception_recipient__user", "organisation_agreed_by"
        )
        .order_by("drafted_at")
    )


def _agreement_export(rows: Sequence[SupportAgreement], member: Membership) -> list[Item]:
    out = []
    for row in rows:
        item: Item = {label(SupportRelationship, "kind"): str(row.relationship.get_kind_display())}
        item |= fields(row, "supporter", "service", "sessions", "frequency", "session_minutes")
        item |= fields(row, "concerns_route", "exception_recipient", "exception_route")
        item[label(SupportAgreement, "contact")] = _text(row.contact)
        item |= fields(
            row,
            "review_on",
            "drafted_at",
            "person_agreed_at",
            "duty_acknowledged_at",
            "supporter_agreed_at",
            "organisation_agreed_at",
            "organisation_agreed_by",
            "confirm_consent_at",
        )
        out.append(item)
    return out


def _agreement_sample(member: Membership) -> object:
    relationship = _pair(member)
    return _agreement(relationship, _colleague(relationship.supporter))


def _session_rows(member: Membership) -> models.QuerySet[SupportSession]:
    return (
        SupportSession.objects.filter(organisation_id=member.organisation_id, person=member)
        .select_related("relationship", "logged_by__user")
        .order_by("held_on", "logged_at")
    )


def _session_export(rows: Sequence[SupportSession], member: Membership) -> list[Item]:
    return [
        {label(SupportRelationship, "kind"): str(row.relationship.get_kind_display())}
        | fields(row, "held_on", "minutes")
        | {label(SupportSession, "notes"): _text(row.notes)}
        | fields(row, "logged_by", "logged_at")
        for row in rows
    ]


def _session_sample(member: Membership) -> object:
    return _session(_pair(member))


def _confirmation_rows(member: Membership) -> models.QuerySet[SupportConfirmation]:
    return (
        SupportConfirmation.objects.filter(organisation_id=member.organisation_id, person=member)
        .select_related("relationship__supporter__user")
        .order_by("made_at")
    )


def _confirmation_export(rows: Sequence[SupportConfirmation], member: Membership) -> list[Item]:
    return [
        {
            label(SupportRelationship, "kind"): str(row.relationship.get_kind_display()),
            label(SupportRelationship, "supporter"): row.relationship.supporter.name,
        }
        | fields(row, "taking_place", "made_at")
        for row in rows
    ]


def _confirmation_sample(member: Membership) -> object:
    relationship = _pair(member)
    return SupportConfirmation.objects.create(
        organisation_id=member.organisation_id,
        relationship=relationship,
        person=member,
        taking_place=True,
    )


def _request_rows(member: Membership) -> models.QuerySet[MentoringRequest]:
    return (
        MentoringRequest.objects.filter(organisation_id=member.organisation_id, person=member)
        .select_related("wanted__user")
        .order_by("made_at")
    )


def _request_export(rows: Sequence[MentoringRequest], member: Membership) -> list[Item]:
    return [
        fields(row, "wanted")
        | {label(MentoringRequest, "note"): _text(row.note)}
        | fields(row, "state", "made_at")
        for row in rows
    ]


def _request_sample(member: Membership) -> object:
    request = MentoringRequest(organisation_id=member.organisation_id, person=member)
    request.note = "Someone who knows outreach at night"
    request.save()
    return request


# --- as a mentor or coach -------------------------------------------------------------


def _logged_rows(member: Membership) -> models.QuerySet[SupportSession]:
    """Sessions the person logged as the supporter of someone else."""
    return (
        SupportSession.objects.filter(organisation_id=member.organisation_id, logged_by=member)
        .exclude(person=member)
        .select_related("relationship")
        .order_by("logged_at")
    )


def _logged_export(rows: Sequence[SupportSession], member: Membership) -> list[Item]:
    # The kind of support and when it was logged: who it was with and what was said are in
    # the staff member's log, theirs alone with the supporter while the pair lasts.
    return [
        {label(SupportRelationship, "kind"): str(row.relationship.get_kind_display())}
        | fields(row, "logged_at")
        for row in rows
    ]


def _drop_logger(member: Membership, now: dt.datetime) -> int:
    """The staff member's log stays whole; it no longer says who wrote each session."""
    return _logged_rows(member).update(logged_by=None)


def _logged_sample(member: Membership) -> object:
    return _session(_pair(member, supporting=True))


def _party_rows(member: Membership) -> models.QuerySet[SupportAgreement]:
    """Agreements the person is a party to other than as the staff member: as the mentor
    or coach, as who drafted or agreed it for the organisation, or as who receives an
    exception report."""
    return (
        SupportAgreement.objects.filter(organisation_id=member.organisation_id)
        .exclude(person=member)
        .filter(
            Q(supporter=member)
            | Q(drafted_by=member)
            | Q(organisation_agreed_by=member)
            | Q(exception_recipient=member)
        )
        .select_related("relationship")
        .order_by("drafted_at")
    )


def _party_export(rows: Sequence[SupportAgreement], member: Membership) -> list[Item]:
    # The person's own part only: never the staff member's name, terms or words.
    out = []
    for row in rows:
        parts = []
        agreed: dt.datetime | None = None
        if row.supporter_id == member.pk:
            parts.append(str(label(SupportAgreement, "supporter")))
            agreed = row.supporter_agreed_at
        if row.drafted_by_id == member.pk:
            parts.append(_("Drafted it"))
        if row.organisation_agreed_by_id == member.pk:
            parts.append(str(label(SupportAgreement, "organisation_agreed_by")))
            agreed = agreed or row.organisation_agreed_at
        if row.exception_recipient_id == member.pk:
            parts.append(str(label(SupportAgreement, "exception_recipient")))
        out.append(
            {
                label(SupportRelationship, "kind"): str(row.relationship.get_kind_display()),
                _("Your part"): parts,
                _("Agreed by you"): plain(agreed),
            }
            | fields(row, "drafted_at")
        )
    return out


def _party_sample(member: Membership) -> object:
    relationship = _pair(member, supporting=True)
    return _agreement(relationship, _colleague(relationship.person))


def _asked_for_rows(member: Membership) -> models.QuerySet[MentoringRequest]:
    """Requests that named the person as the mentor they would like."""
    return (
        MentoringRequest.objects.filter(organisation_id=member.organisation_id, wanted=member)
        .exclude(person=member)
        .order_by("made_at")
    )


def _asked_for_export(rows: Sequence[MentoringRequest], member: Membership) -> list[Item]:
    # That a request named them, nothing more: the request is the asker's and HR's.
    return [{_("A request for a mentor named you"): True} for _row in rows]


def _drop_wanted(member: Membership, now: dt.datetime) -> int:
    """The asker's request stays; it no longer names the person."""
    return _asked_for_rows(member).update(wanted=None, version=models.F("version") + 1)


def _asked_for_sample(member: Membership) -> object:
    request = MentoringRequest(
        organisation_id=member.organisation_id, person=_colleague(member), wanted=member
    )
    request.note = "Someone I already know"
    request.save()
    return request


# --- peer support groups and retreats ---------------------------------------------------


def _sample_group(member: Membership, **kw: object) -> SupportGroup:
    return SupportGroup.objects.create(
        organisation_id=member.organisation_id,
        name="Friday lunch group",
        place="Drop-in centre, back room",
        frequency="Every Friday",
        timing=SupportGroup.Timing.LUNCH,
        management_contact="Through the facilitator",
        concerns_to="The director",
        review_on=timezone.localdate() + dt.timedelta(days=180),
        **kw,
    )


def _membership_rows(member: Membership) -> models.QuerySet[GroupMember]:
    return (
        GroupMember.objects.filter(organisation_id=member.organisation_id, member=member)
        .select_related("group")
        .order_by("joined_at")
    )


def _membership_export(rows: Sequence[GroupMember], member: Membership) -> list[Item]:
    return [{_("Group"): row.group.name} | fields(row, "joined_at", "left_at") for row in rows]


def _membership_sample(member: Membership) -> object:
    return GroupMember.objects.create(
        organisation_id=member.organisation_id, group=_sample_group(member), member=member
    )


def _facilitated_rows(member: Membership) -> models.QuerySet[SupportGroup]:
    return SupportGroup.objects.filter(organisation_id=member.organisation_id).filter(
        Q(facilitator=member) | Q(created_by=member)
    )


def _facilitated_export(rows: Sequence[SupportGroup], member: Membership) -> list[Item]:
    return [
        fields(row, "name", "facilitator", "place", "frequency", "timing", "review_on", "state")
        | fields(row, "suspended_until", "created_at")
        for row in rows
    ]


def _facilitated_sample(member: Membership) -> object:
    return _sample_group(member, facilitator=member, created_by=member)


def _meeting_rows(member: Membership) -> models.QuerySet[GroupMeeting]:
    return (
        GroupMeeting.objects.filter(organisation_id=member.organisation_id, recorded_by=member)
        .select_related("group")
        .order_by("held_on")
    )


def _meeting_export(rows: Sequence[GroupMeeting], member: Membership) -> list[Item]:
    return [{_("Group"): row.group.name} | fields(row, "held_on", "attended") for row in rows]


def _drop_recorder(member: Membership, now: dt.datetime) -> int:
    """The meeting stays in the group's record; it no longer names who recorded it."""
    return _meeting_rows(member).update(recorded_by=None)


def _meeting_sample(member: Membership) -> object:
    return GroupMeeting.objects.create(
        organisation_id=member.organisation_id,
        group=_sample_group(member),
        held_on=timezone.localdate(),
        attended=6,
        recorded_by=member,
    )


def _learning_rows(member: Membership) -> models.QuerySet[GroupLearning]:
    return (
        GroupLearning.objects.filter(organisation_id=member.organisation_id, shared_by=member)
        .select_related("group")
        .order_by("shared_at")
    )


def _learning_export(rows: Sequence[GroupLearning], member: Membership) -> list[Item]:
    return [{_("Group"): row.group.name} | fields(row, "text", "shared_at") for row in rows]


def _drop_sharer(member: Membership, now: dt.datetime) -> int:
    """What the group shared stays, as nobody's (as it is shown)."""
    return _learning_rows(member).update(shared_by=None)


def _learning_sample(member: Membership) -> object:
    return GroupLearning.objects.create(
        organisation_id=member.organisation_id,
        group=_sample_group(member),
        text="Evening outreach needs a second phone charger in the bag",
        shared_by=member,
    )


def _step_rows(member: Membership) -> models.QuerySet[GroupStep]:
    return (
        GroupStep.objects.filter(organisation_id=member.organisation_id, recorded_by=member)
        .select_related("group")
        .order_by("recorded_at")
    )


def _step_export(rows: Sequence[GroupStep], member: Membership) -> list[Item]:
    return [
        {_("Group"): row.group.name} | fields(row, "kind", "held_on", "outcome", "ends_on")
        for row in rows
    ]


def _step_sample(member: Membership) -> object:
    return GroupStep.objects.create(
        organisation_id=member.organisation_id,
        group=_sample_group(member),
        kind=GroupStep.Kind.MEDIATION,
        held_on=timezone.localdate(),
        outcome="Agreed to meet again",
        recorded_by=member,
    )


def _retreat_rows(member: Membership) -> models.QuerySet[Retreat]:
    return Retreat.objects.filter(
        organisation_id=member.organisation_id, organiser=member
    ).order_by("starts_on")


def _retreat_export(rows: Sequence[Retreat], member: Membership) -> list[Item]:
    return [
        fields(row, "title", "purpose", "place", "starts_on", "ends_on", "cancelled_at")
        for row in rows
    ]


def _retreat_sample(member: Membership) -> object:
    starts = timezone.localdate() + dt.timedelta(days=60)
    return Retreat.objects.create(
        organisation_id=member.organisation_id,
        title="Peer retreat",
        purpose="Rest, learning and an audit of how we employ people who use drugs",
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=1),
        organiser=member,
    )


# --- the register -------------------------------------------------------------------------


def register() -> None:
    for item in (
        PersonalData(
            key="support.agreement",
            model=SupportAgreement,
            title=gettext_lazy("Your mentoring and coaching agreements"),
            rows=_agreement_rows,
            export=_agreement_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "The agreement is the organisation's three-way record and stays. How you and "
                "your mentor or coach keep in touch is sealed with your key: once you are "
                "erased nobody can read it."
            ),
            sample=_agreement_sample,
        ),
        PersonalData(
            key="support.session",
            model=SupportSession,
            title=gettext_lazy("Your mentoring and coaching sessions"),
            rows=_session_rows,
            export=_session_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "Between you and your mentor or coach, about you and sealed with your key: "
                "erased at once when you erase your private records."
            ),
            sample=_session_sample,
        ),
        PersonalData(
            key="support.confirmation",
            model=SupportConfirmation,
            title=gettext_lazy("Confirmations to your line manager that support is taking place"),
            rows=_confirmation_rows,
            export=_confirmation_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=format_lazy(
                "{} {}",
                gettext_lazy("A yes or a no, given only with your consent; nothing more."),
                ERASED_ON_LEAVING,
            ),
            sample=_confirmation_sample,
        ),
        PersonalData(
            key="support.mentoring_request",
            model=MentoringRequest,
            title=gettext_lazy("Your requests for a mentor"),
            rows=_request_rows,
            export=_request_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "Yours, with what you wrote sealed with your key: erased at once when you "
                "erase your private records. A pair already made stays."
            ),
            sample=_request_sample,
        ),
        PersonalData(
            key="support.session_logged",
            model=SupportSession,
            title=gettext_lazy("Sessions you logged as a mentor or coach"),
            rows=_logged_rows,
            export=_logged_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "The log belongs to the person you supported and stays with them: erasing "
                "takes your name off the sessions at once."
            ),
            erase=_drop_logger,
            sample=_logged_sample,
        ),
        PersonalData(
            key="support.agreement_party",
            model=SupportAgreement,
            title=gettext_lazy("Agreements you are a party to"),
            rows=_party_rows,
            export=_party_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "The organisation's record of who agreed to support whom, and who receives "
                "exception reports: it stays when you leave."
            ),
            sample=_party_sample,
        ),
        PersonalData(
            key="support.asked_for",
            model=MentoringRequest,
            title=gettext_lazy("Requests that asked for you as a mentor"),
            rows=_asked_for_rows,
            export=_asked_for_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=gettext_lazy(
                "The request belongs to the colleague who made it. Once you have left, it no "
                "longer names you."
            ),
            erase=_drop_wanted,
            sample=_asked_for_sample,
        ),
        PersonalData(
            key="support.group_member",
            model=GroupMember,
            title=gettext_lazy("Peer support groups you are in"),
            rows=_membership_rows,
            export=_membership_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=format_lazy(
                "{} {}",
                gettext_lazy("You can leave a group at any time on its page."),
                ERASED_ON_LEAVING,
            ),
            sample=_membership_sample,
        ),
        PersonalData(
            key="support.group_facilitated",
            model=SupportGroup,
            title=gettext_lazy("Peer support groups you facilitate or started"),
            rows=_facilitated_rows,
            export=_facilitated_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_ORGANISATION_RECORD,
            sample=_facilitated_sample,
        ),
        PersonalData(
            key="support.group_meeting",
            model=GroupMeeting,
            title=gettext_lazy("Group meetings you recorded"),
            rows=_meeting_rows,
            export=_meeting_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=NOT_NAMED_ONCE_LEFT,
            erase=_drop_recorder,
            sample=_meeting_sample,
        ),
        PersonalData(
            key="support.group_learning",
            model=GroupLearning,
            title=gettext_lazy("Learning you shared for a group"),
            rows=_learning_rows,
            export=_learning_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=NOT_NAMED_ONCE_LEFT,
            erase=_drop_sharer,
            sample=_learning_sample,
        ),
        PersonalData(
            key="support.group_step",
            model=GroupStep,
            title=gettext_lazy("Steps you recorded when a group went wrong"),
            rows=_step_rows,
            export=_step_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_ORGANISATION_RECORD,
            sample=_step_sample,
        ),
        PersonalData(
            key="support.retreat",
            model=Retreat,
            title=gettext_lazy("Peer retreats you organised"),
            rows=_retreat_rows,
            export=_retreat_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_AS_ORGANISATION_RECORD,
            sample=_retreat_sample,
        ),
    ):
        register_personal_data(item)
