"""The register of personal data: every model that holds something about a person.

One list says, for each kind of record about a person, where their rows are, how they read
in their own-data export, and what erasure does to them (issue 4 items 7 and 8). The export
(``peerwork.people.export``), the erase page and the retention step
(``peerwork.people.retention``) all read it, so they cannot drift apart, and a test walks
every installed model: a model of ours that points at a person (a foreign key or one-to-one
to ``Membership`` or ``User``) or seals something (a ``SealedField``) must be here or in the
list of what is not personal data, with the reason. A new model cannot be forgotten.

What erasure does, per entry (``OnErasure``):

- ``ERASE``: a private record. Deleted when the person erases at once, or when the
  organisation's retention period after they left has passed (default 30 days).
- ``ERASE_ON_LEAVING``: kept while the person works here (their inbox, their tokens, their
  agreed working pattern); deleted with the private records once they have left.
- ``ANONYMISE``: a personnel record. Kept for the organisation's personnel period after the
  person left, then cut loose from them (what the organisation's figures need stays).
- ``KEEP``: the organisation's record, or the person's own sign-in, which is not the
  organisation's to erase. What is sealed in it under the person's key can no longer be
  read once they are erased (crypto-shredding: ``keyring.erase_person``).

Entries for the core's and this module's models are registered at the bottom; later modules
register theirs from their ``AppConfig.ready``. An export function receives all of a
person's rows of one entry at once (so it can read related names in one query) and returns
JSON-able dicts whose keys are readable labels in the active language. It opens sealed
values the person owns, and never another person's sealed content: a share someone made to
the person shows who and what, never their purpose.

Investigations (§4.7; the concerns module): what an open investigation holds about a person
is left out of their export while it is open, and the export says so without revealing it.
A module that holds such records registers a withholding function with
``register_withholding``; it answers with (kind, reason) pairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from peerwork.core.models import (
    ApiToken,
    AuditEvent,
    AuditHead,
    Delivery,
    DeliveryAttempt,
    Heartbeat,
    Invitation,
    Membership,
    MembershipRole,
    Notification,
    NotificationPreference,
    Organisation,
    OrganisationKey,
    PersonKey,
    Role,
    Site,
    SupportRelationship,
    Team,
    User,
    WebhookEndpoint,
)

from . import services
from .disclosures import describe
from .models import (
    Category,
    Disclosure,
    Erasure,
    ExceptionReport,
    Profile,
    RetentionPolicy,
    SharingGrant,
    StaffRecord,
    Unavailability,
    WorkingPattern,
)

Item = dict[str, Any]


class OnErasure(StrEnum):
    ERASE = "erase"
    ERASE_ON_LEAVING = "erase_on_leaving"
    ANONYMISE = "anonymise"
    KEEP = "keep"


@dataclass(frozen=True)
class PersonalData:
    """One kind of record about a person.

    - ``key``: a stable name for the export's section (``app.what``).
    - ``rows(member)``: the person's rows, a queryset or a list.
    - ``export(rows, member)``: the rows as JSON-able dicts with readable labels.
    - ``on_erasure`` and ``explanation``: what erasure does, in words for the erase page.
    - ``erase(member, now)``: what erasure (``ERASE``, ``ERASE_ON_LEAVING``) or
      anonymisation (``ANONYMISE``) does to the rows; returns how many rows it changed.
      Without one, the rows are deleted. ``KEEP`` entries need none.
    - ``sample(member)``: makes one row for the person, for the test that every registered
      entry reaches the export (only tests call it).
    """

    key: str
    model: type[models.Model]
    title: str | Promise
    rows: Callable[[Membership], Iterable[Any]]
    export: Callable[[Sequence[Any], Membership], list[Item]]
    on_erasure: OnErasure
    explanation: str | Promise
    erase: Callable[[Membership, dt.datetime], int] | None = None
    sample: Callable[[Membership], object] | None = None

    def apply_erasure(self, member: Membership, now: dt.datetime) -> int:
        if self.erase is not None:
            return self.erase(member, now)
        rows = self.rows(member)
        if isinstance(rows, models.QuerySet):
            deleted, _by_model = rows.delete()
            return deleted
        count = 0
        for row in rows:
            row.delete()
            count += 1
        return count


_entries: dict[str, PersonalData] = {}
_not_personal: dict[type[models.Model], str | Promise] = {}

Withholding = Callable[[Membership], list[tuple[str, str]]]
_withholdings: list[Withholding] = []


def register_personal_data(entry: PersonalData) -> PersonalData:
    """Add an entry (once per key; registering the same key again is a mistake)."""
    if entry.key in _entries and _entries[entry.key] != entry:
        raise ValueError(f"personal data {entry.key!r} is already registered")
    _entries[entry.key] = entry
    return entry


def register_not_personal(model: type[models.Model], reason: str | Promise) -> None:
    """Say that ``model`` holds no personal data, and why (the completeness test reads it)."""
    if not str(reason).strip():
        raise ValueError("say why the model holds no personal data")
    _not_personal[model] = reason


def entries() -> list[PersonalData]:
    return list(_entries.values())


def entry(key: str) -> PersonalData:
    return _entries[key]


def registered_models() -> set[type[models.Model]]:
    return {e.model for e in _entries.values()}


def not_personal() -> dict[type[models.Model], str | Promise]:
    return dict(_not_personal)


def register_withholding(fn: Withholding) -> Withholding:
    """``fn(member)`` lists (kind, reason) for records held back from the person's export
    while an investigation is open (issue 4 item 7). Register it from ``AppConfig.ready``."""
    if fn not in _withholdings:
        _withholdings.append(fn)
    return fn


def unregister_withholding(fn: Withholding) -> None:
    if fn in _withholdings:
        _withholdings.remove(fn)


def withheld_for(member: Membership) -> list[tuple[str, str]]:
    """Every (kind, reason) the registered functions give for ``member``."""
    found: list[tuple[str, str]] = []
    for fn in _withholdings:
        found.extend((str(kind), str(reason)) for kind, reason in fn(member))
    return found


# --- how values read in the export ------------------------------------------------------


def plain(value: object) -> object:
    """A value as JSON can hold it: times in the active time zone (the organisation's)."""
    if value is None or isinstance(value, bool | int | float | str):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)


def label(model: type[models.Model], field: str) -> str:
    found = model._meta.get_field(field)
    return str(capfirst(str(getattr(found, "verbose_name", field))))


def fields(row: models.Model, *names: str) -> Item:
    """``{label: value}`` for plain fields, choices shown by their label, people by name."""
    item: Item = {}
    for name in names:
        field = row._meta.get_field(name)
        if getattr(field, "choices", None):
            value: object = getattr(row, f"get_{name}_display")()
        else:
            value = getattr(row, name)
        if isinstance(value, Membership):
            value = value.name
        elif isinstance(value, models.Model):
            value = str(value)
        item[label(type(row), name)] = plain(value)
    return item


def _name(member: Membership | None) -> str | None:
    return member.name if member is not None else None


def _categories(codes: Iterable[str]) -> list[str]:
    labels = dict(Category.choices)
    return [str(labels.get(code, code)) for code in codes]


def _colleague(member: Membership) -> Membership:
    """Another member of the organisation, for samples that need a second person."""
    other = (
        Membership.objects.filter(organisation_id=member.organisation_id)
        .exclude(pk=member.pk)
        .select_related("user")
        .order_by("joined_at", "pk")
        .first()
    )
    if other is None:
        raise LookupError("a sample needs a second member in the organisation")
    return other


# --- the core's records ------------------------------------------------------------------


def _user_rows(member: Membership) -> list[User]:
    return [member.user]


def _user_export(rows: Sequence[User], member: Membership) -> list[Item]:
    return [
        fields(user, "username", "display_name", "first_name", "last_name", "email", "language")
        | fields(user, "date_joined", "last_login")
        for user in rows
    ]


def _email_rows(member: Membership) -> models.QuerySet[Any]:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user_id=member.user_id).order_by("email")


def _email_export(rows: Sequence[Any], member: Membership) -> list[Item]:
    return [
        {
            _("Email"): row.email,
            _("Confirmed"): row.verified,
            _("Main address"): row.primary,
        }
        for row in rows
    ]


def _email_sample(member: Membership) -> object:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.get_or_create(
        user_id=member.user_id,
        email=member.user.email or f"{member.user.username}@example.org",
        defaults={"verified": True, "primary": True},
    )


def _authenticator_rows(member: Membership) -> models.QuerySet[Any]:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=member.user_id).order_by("created_at")


def _authenticator_export(rows: Sequence[Any], member: Membership) -> list[Item]:
    # The type and times only: the stored secrets and codes never leave the server.
    return [
        {
            _("Kind"): str(row.get_type_display()),
            _("Added"): plain(row.created_at),
            _("Last used"): plain(row.last_used_at),
        }
        for row in rows
    ]


def _authenticator_sample(member: Membership) -> object:
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    from peerwork.core.mfa import enrol_totp

    return enrol_totp(member.user, generate_totp_secret())


def _membership_rows(member: Membership) -> list[Membership]:
    return list(
        Membership.objects.filter(pk=member.pk).select_related(
            "organisation", "team", "line_manager__user"
        )
    )


def _membership_export(rows: Sequence[Membership], member: Membership) -> list[Item]:
    return [
        {_("Organisation"): row.organisation.name}
        | fields(row, "team", "title", "line_manager", "work_email", "work_phone")
        | fields(row, "joined_at", "ended_at")
        for row in rows
    ]


def _anonymise_membership(member: Membership, now: dt.datetime) -> int:
    """Clear the leaver's role title and work contacts (their place in the figures stays)."""
    return Membership.objects.filter(pk=member.pk).update(
        title="", work_email="", work_phone="", version=models.F("version") + 1
    )


def _role_rows(member: Membership) -> models.QuerySet[MembershipRole]:
    return MembershipRole.objects.filter(membership=member).order_by("role")


def _role_export(rows: Sequence[MembershipRole], member: Membership) -> list[Item]:
    return [fields(row, "role") for row in rows]


def _support_rows(member: Membership) -> models.QuerySet[SupportRelationship]:
    return (
        SupportRelationship.objects.filter(organisation_id=member.organisation_id)
        .filter(Q(supporter=member) | Q(person=member))
        .select_related("supporter__user", "person__user")
        .order_by("started_on")
    )


def _support_export(rows: Sequence[SupportRelationship], member: Membership) -> list[Item]:
    return [fields(row, "kind", "supporter", "person", "started_on", "ended_on") for row in rows]


def _support_sample(member: Membership) -> object:
    return SupportRelationship.objects.create(
        organisation_id=member.organisation_id,
        supporter=_colleague(member),
        person=member,
        kind=SupportRelationship.Kind.MENTOR,
    )


def _invitation_rows(member: Membership) -> models.QuerySet[Invitation]:
    # Only the invitation the person accepted: its address is theirs. Invitations an org
    # admin sent name other people and are the organisation's record.
    return Invitation.objects.filter(
        organisation_id=member.organisation_id, accepted_by_id=member.user_id
    ).order_by("created_at")


def _invitation_export(rows: Sequence[Invitation], member: Membership) -> list[Item]:
    roles = dict(Role.choices)
    out = []
    for row in rows:
        item = fields(row, "email", "created_at", "accepted_at")
        item[_("Roles offered")] = [str(roles.get(r, r)) for r in row.roles]
        out.append(item)
    return out


def _invitation_sample(member: Membership) -> object:
    now = timezone.now()
    return Invitation.objects.create(
        organisation_id=member.organisation_id,
        email=member.user.email or "sample@example.org",
        roles=["staff"],
        created_at=now,
        expires_at=now + dt.timedelta(days=7),
        accepted_at=now,
        accepted_by=member.user,
    )


def _notification_rows(member: Membership) -> models.QuerySet[Notification]:
    return Notification.objects.filter(recipient=member).order_by("created_at")


def _notification_export(rows: Sequence[Notification], member: Membership) -> list[Item]:
    return [
        {
            _("Subject"): row.subject,
            _("Message"): row.body,
            label(Notification, "created_at"): plain(row.created_at),
            label(Notification, "read_at"): plain(row.read_at),
        }
        for row in rows
    ]


def _notification_sample(member: Membership) -> Notification:
    return Notification.objects.create(
        organisation_id=member.organisation_id, recipient=member, kind="people.share_paused"
    )


def _delivery_rows(member: Membership) -> models.QuerySet[Delivery]:
    return Delivery.objects.filter(
        organisation_id=member.organisation_id, notification__recipient=member
    ).order_by("created_at")


def _delivery_export(rows: Sequence[Delivery], member: Membership) -> list[Item]:
    return [
        {
            _("Sent through"): str(row.get_channel_display()),
            _("State"): str(row.get_state_display()),
            _("Attempts"): row.attempts,
            _("Made"): plain(row.created_at),
        }
        for row in rows
    ]


def _delivery_sample(member: Membership) -> object:
    notification = _notification_sample(member)
    return Delivery.objects.create(
        organisation_id=member.organisation_id, notification=notification, channel="email"
    )


def _attempt_rows(member: Membership) -> models.QuerySet[DeliveryAttempt]:
    return DeliveryAttempt.objects.filter(
        organisation_id=member.organisation_id, delivery__notification__recipient=member
    ).order_by("started_at")


def _attempt_export(rows: Sequence[DeliveryAttempt], member: Membership) -> list[Item]:
    return [
        {
            _("Attempt"): row.number,
            _("Started"): plain(row.started_at),
            _("Finished"): plain(row.finished_at),
            _("Outcome"): str(row.get_outcome_display()),
        }
        for row in rows
    ]


def _attempt_sample(member: Membership) -> object:
    delivery = _delivery_sample(member)
    assert isinstance(delivery, Delivery)  # noqa: S101 (narrows the type)
    return DeliveryAttempt.objects.create(
        organisation_id=member.organisation_id,
        delivery=delivery,
        number=1,
        outcome=DeliveryAttempt.Outcome.SENT,
    )


def _preference_rows(member: Membership) -> models.QuerySet[NotificationPreference]:
    return NotificationPreference.objects.filter(membership=member).order_by("kind")


def _preference_export(rows: Sequence[NotificationPreference], member: Membership) -> list[Item]:
    from peerwork.core.models.notifications import Channel
    from peerwork.core.notify import get_kind

    names = dict(Channel.choices)

    def kind_name(code: str) -> str:
        kind = get_kind(code)
        return str(kind.subject) if kind is not None else code

    return [
        {
            _("Kind of message"): kind_name(row.kind),
            _("Sent through"): [str(names.get(c, c)) for c in row.channels],
        }
        for row in rows
    ]


def _preference_sample(member: Membership) -> object:
    return NotificationPreference.objects.create(
        organisation_id=member.organisation_id,
        membership=member,
        kind="people.share_paused",
        channels=["email"],
    )


def _token_rows(member: Membership) -> models.QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=member).order_by("created_at")


def _token_export(rows: Sequence[ApiToken], member: Membership) -> list[Item]:
    from peerwork.core.tokens import display_prefix

    # The name and the public prefix only: the secret was never stored, and its digest
    # stays on the server.
    return [
        fields(row, "name")
        | {_("Starts with"): display_prefix(row)}
        | fields(row, "created_at", "expires_at", "revoked_at", "last_used_at")
        for row in rows
    ]


def _token_sample(member: Membership) -> object:
    from peerwork.core.tokens import create_token

    return create_token(member=member, name="sample")


def _audit_rows(member: Membership) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        organisation_id=member.organisation_id, subject_id=member.pk
    ).order_by("seq")


def _audit_export(rows: Sequence[AuditEvent], member: Membership) -> list[Item]:
    names = services.names_of(member.organisation_id, (row.actor_id for row in rows))
    kinds = {value: capfirst(str(name)) for value, name in AuditEvent.Kind.choices}
    out = []
    for row in rows:
        who: object = None
        if row.actor_id is not None:
            who = names.get(row.actor_id, str(row.actor_id))
        out.append(
            {
                _("Time"): plain(row.at),
                _("Read or change"): str(kinds.get(row.kind, row.kind)),
                _("What happened"): row.action,
                _("Who"): who,
                _("Kind of record"): row.object_type,
                _("Record"): plain(row.object_id),
                _("Number in the audit record"): row.seq,
            }
        )
    return out


def _audit_sample(member: Membership) -> object:
    from peerwork.core import audit

    return audit.record(actor=member, action="sample.write", subject=member)


# --- this module's records -----------------------------------------------------------------


def _profile_rows(member: Membership) -> models.QuerySet[Profile]:
    return Profile.objects.filter(membership=member)


def _profile_export(rows: Sequence[Profile], member: Membership) -> list[Item]:
    return [fields(row, "pronouns", "languages", "emergency_contact") for row in rows]


def _profile_sample(member: Membership) -> object:
    from . import services

    return services.update_profile(actor=member, pronouns="they", emergency_contact="sample")


def _staff_record_rows(member: Membership) -> models.QuerySet[StaffRecord]:
    return StaffRecord.objects.filter(membership=member)


def _staff_record_export(rows: Sequence[StaffRecord], member: Membership) -> list[Item]:
    return [
        fields(row, "grade", "contract", "hours_per_week", "started_on", "ends_on") for row in rows
    ]


def _anonymise_staff_record(member: Membership, now: dt.datetime) -> int:
    """The record keeps its grade, contract and dates for the organisation's figures, and
    no longer points at the person (issue 4 "Leaving and erasure")."""
    return StaffRecord.objects.filter(membership=member, anonymised_at__isnull=True).update(
        membership=None, anonymised_at=now, version=models.F("version") + 1
    )


def _staff_record_sample(member: Membership) -> object:
    return StaffRecord.objects.create(
        organisation_id=member.organisation_id, membership=member, grade="3"
    )


def _disclosure_rows(member: Membership) -> models.QuerySet[Disclosure]:
    return (
        Disclosure.objects.filter(organisation_id=member.organisation_id, owner=member)
        .select_related("entered_by__user")
        .order_by("category", "-made_at")
    )


def _disclosure_export(rows: Sequence[Disclosure], member: Membership) -> list[Item]:
    out = []
    for row in rows:
        item: Item = fields(row, "category")
        if row.content is None:
            item[pgettext("a disclosure's answer, as a label", "Answer")] = (
                None  # sealed under a key that was erased
            )
        else:
            for line in describe(row.category, row.answer):
                item[line.label] = line.value
        item |= fields(row, "made_at", "replaced_at")
        if row.entered_by_id is not None:
            item |= fields(row, "entered_by")
        out.append(item)
    return out


def _disclosure_sample(member: Membership) -> object:
    from . import services

    return services.disclose(
        actor=member, owner=member, category="accommodations", answer={"needs": "sample"}
    )


def _shares_made_rows(member: Membership) -> models.QuerySet[SharingGrant]:
    return (
        SharingGrant.objects.filter(organisation_id=member.organisation_id, owner=member)
        .select_related("owner", "grantee__user", "team")
        .order_by("created_at")
    )


def _audience(grant: SharingGrant) -> str:
    shown = str(grant.get_audience_display())
    if grant.grantee is not None:
        return f"{shown}: {grant.grantee.name}"
    if grant.team is not None:
        return f"{shown}: {grant.team.name}"
    return shown


_STATES = {
    "active": gettext_lazy("Active"),
    "paused": gettext_lazy("Paused until you confirm it"),
    "expired": gettext_lazy("Ended"),
    "revoked": gettext_lazy("Stopped"),
}
# The same states as the person a share was made to sees them: a paused share waits for its
# owner, not for them.
_STATES_RECEIVED = {**_STATES, "paused": gettext_lazy("Paused by a change of line manager")}


def _shares_made_export(rows: Sequence[SharingGrant], member: Membership) -> list[Item]:
    out = []
    for grant in rows:
        item: Item = {label(SharingGrant, "audience"): _audience(grant)}
        item[label(SharingGrant, "categories")] = _categories(grant.categories)
        item |= fields(grant, "purpose", "created_at", "expires_at", "revoked_at")
        item[_("State")] = str(_STATES[grant.state()])
        out.append(item)
    return out


def _erase_shares_made(member: Membership, now: dt.datetime) -> int:
    """Stop every share first, then delete them: a share is never live without its rows."""
    shares = SharingGrant.objects.filter(organisation_id=member.organisation_id, owner=member)
    shares.filter(revoked_at__isnull=True).update(revoked_at=now, version=models.F("version") + 1)
    deleted, _by_model = shares.delete()
    return deleted


def _shares_made_sample(member: Membership) -> object:
    from . import services

    return services.share(
        actor=member,
        audience="person",
        grantee=_colleague(member),
        categories=["accommodations"],
        purpose="sample",
    )


def _shares_received_rows(member: Membership) -> models.QuerySet[SharingGrant]:
    return (
        SharingGrant.objects.filter(organisation_id=member.organisation_id, grantee=member)
        .select_related("owner__user", "grantee")
        .order_by("created_at")
    )


def _shares_received_export(rows: Sequence[SharingGrant], member: Membership) -> list[Item]:
    # Who shared what with the person, and until when; never the owner's purpose or what
    # they disclosed: those are the owner's, sealed under the owner's key.
    out = []
    for grant in rows:
        item: Item = {label(SharingGrant, "owner"): grant.owner.name}
        item[label(SharingGrant, "categories")] = _categories(grant.categories)
        item |= fields(grant, "created_at", "expires_at", "revoked_at")
        item[_("State")] = str(_STATES_RECEIVED[grant.state()])
        out.append(item)
    return out


def _shares_received_sample(member: Membership) -> object:
    from . import services

    return services.share(
        actor=_colleague(member),
        audience="person",
        grantee=member,
        categories=["health"],
        purpose="sample",
    )


def _pattern_rows(member: Membership) -> models.QuerySet[WorkingPattern]:
    return WorkingPattern.objects.filter(membership=member).select_related("agreed_by__user")


def _pattern_export(rows: Sequence[WorkingPattern], member: Membership) -> list[Item]:
    return [fields(row, "weekday", "starts", "ends", "agreed_on", "agreed_by") for row in rows]


def _pattern_sample(member: Membership) -> object:
    return WorkingPattern.objects.create(
        organisation_id=member.organisation_id,
        membership=member,
        weekday=0,
        starts=dt.time(10, 45),
        ends=dt.time(17, 0),
    )


def _unavailability_rows(member: Membership) -> models.QuerySet[Unavailability]:
    return Unavailability.objects.filter(membership=member).order_by("starts_at")


def _unavailability_export(rows: Sequence[Unavailability], member: Membership) -> list[Item]:
    return [fields(row, "kind", "starts_at", "ends_at") for row in rows]


def _unavailability_sample(member: Membership) -> object:
    starts = timezone.now() + dt.timedelta(days=3)
    return Unavailability.objects.create(
        organisation_id=member.organisation_id,
        membership=member,
        kind=Unavailability.Kind.APPOINTMENT,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
    )


def _report_rows(member: Membership) -> models.QuerySet[ExceptionReport]:
    return (
        ExceptionReport.objects.filter(organisation_id=member.organisation_id, person=member)
        .select_related("supporter__user", "recipient__user")
        .order_by("made_at")
    )


def _report_export(rows: Sequence[ExceptionReport], member: Membership) -> list[Item]:
    # What was disclosed is about the person and sealed under their key: theirs to read.
    return [
        fields(row, "reason", "disclosed", "supporter", "recipient", "made_at", "person_told_at")
        for row in rows
    ]


def _report_sample(member: Membership) -> object:
    return ExceptionReport.objects.create(
        organisation_id=member.organisation_id,
        person=member,
        supporter=_colleague(member),
        recipient=None,
        reason=ExceptionReport.Reason.LIFE_IN_DANGER,
        disclosed="sample",
    )


def _erasure_rows(member: Membership) -> models.QuerySet[Erasure]:
    return Erasure.objects.filter(membership=member).order_by("erased_at")


def _erasure_export(rows: Sequence[Erasure], member: Membership) -> list[Item]:
    return [fields(row, "erased_at", "by_person") for row in rows]


def _erasure_sample(member: Membership) -> object:
    return Erasure.objects.create(
        organisation_id=member.organisation_id, membership=member, by_person=True
    )


# --- the register ----------------------------------------------------------------------------
# Titles and explanations are lazy: each reads in the language of whoever reads them.

KEPT_ACCOUNT = gettext_lazy(
    "Your sign-in is yours, not the organisation's: it stays while you can sign in, here or "
    "in another organisation you belong to."
)
PART_OF_SIGN_IN = gettext_lazy("Part of your sign-in, kept with your account.")
ERASED_ON_LEAVING = gettext_lazy(
    "Kept while you work here, and erased with your private records once you have left."
)


def _register_core() -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    for item in (
        PersonalData(
            key="core.user",
            model=User,
            title=gettext_lazy("Your account"),
            rows=_user_rows,
            export=_user_export,
            on_erasure=OnErasure.KEEP,
            explanation=KEPT_ACCOUNT,
        ),
        PersonalData(
            key="account.email_address",
            model=EmailAddress,
            title=gettext_lazy("Email addresses you sign in with"),
            rows=_email_rows,
            export=_email_export,
            on_erasure=OnErasure.KEEP,
            explanation=PART_OF_SIGN_IN,
            sample=_email_sample,
        ),
        PersonalData(
            key="mfa.authenticator",
            model=Authenticator,
            title=gettext_lazy("Your ways of two-step sign-in"),
            rows=_authenticator_rows,
            export=_authenticator_export,
            on_erasure=OnErasure.KEEP,
            explanation=PART_OF_SIGN_IN,
            sample=_authenticator_sample,
        ),
        PersonalData(
            key="core.membership",
            model=Membership,
            title=gettext_lazy("Your place in the organisation"),
            rows=_membership_rows,
            export=_membership_export,
            on_erasure=OnErasure.ANONYMISE,
            explanation=gettext_lazy(
                "Your role title and work contacts are kept as long as your staff record, "
                "then cleared."
            ),
            erase=_anonymise_membership,
        ),
        PersonalData(
            key="core.membership_role",
            model=MembershipRole,
            title=gettext_lazy("Your roles"),
            rows=_role_rows,
            export=_role_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy("Kept as the organisation's record of who did which work."),
        ),
        PersonalData(
            key="core.support_relationship",
            model=SupportRelationship,
            title=gettext_lazy("Peer mentoring and coaching"),
            rows=_support_rows,
            export=_support_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "Who mentored or coached whom, and when, is kept as the organisation's record; "
                "what was said stays with the support module's own rules."
            ),
            sample=_support_sample,
        ),
        PersonalData(
            key="core.invitation",
            model=Invitation,
            title=gettext_lazy("The invitation you accepted"),
            rows=_invitation_rows,
            export=_invitation_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_invitation_sample,
        ),
        PersonalData(
            key="core.notification",
            model=Notification,
            title=gettext_lazy("Messages to you"),
            rows=_notification_rows,
            export=_notification_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_notification_sample,
        ),
        PersonalData(
            key="core.delivery",
            model=Delivery,
            title=gettext_lazy("How messages were sent to you"),
            rows=_delivery_rows,
            export=_delivery_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_delivery_sample,
        ),
        PersonalData(
            key="core.delivery_attempt",
            model=DeliveryAttempt,
            title=gettext_lazy("Each try at sending a message"),
            rows=_attempt_rows,
            export=_attempt_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_attempt_sample,
        ),
        PersonalData(
            key="core.notification_preference",
            model=NotificationPreference,
            title=gettext_lazy("How you want to be told"),
            rows=_preference_rows,
            export=_preference_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_preference_sample,
        ),
        PersonalData(
            key="core.api_token",
            model=ApiToken,
            title=gettext_lazy("Your API tokens"),
            rows=_token_rows,
            export=_token_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_token_sample,
        ),
        PersonalData(
            key="core.audit_event",
            model=AuditEvent,
            title=gettext_lazy("The audit record about you"),
            rows=_audit_rows,
            export=_audit_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "Kept: it holds only opaque ids and times, never what you disclosed, so it "
                "stays and can still be checked for tampering."
            ),
            sample=_audit_sample,
        ),
    ):
        register_personal_data(item)


def _register_people() -> None:
    for item in (
        PersonalData(
            key="people.profile",
            model=Profile,
            title=gettext_lazy("Your profile"),
            rows=_profile_rows,
            export=_profile_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=gettext_lazy(
                "Your emergency contact is erased at once; your pronouns and languages are "
                "kept while you work here."
            ),
            sample=_profile_sample,
        ),
        PersonalData(
            key="people.staff_record",
            model=StaffRecord,
            title=gettext_lazy("Your staff record"),
            rows=_staff_record_rows,
            export=_staff_record_export,
            on_erasure=OnErasure.ANONYMISE,
            explanation=gettext_lazy(
                "Kept for the organisation's personnel period after you leave, then no longer "
                "linked to you: the grade, contract and dates stay for the organisation's "
                "figures."
            ),
            erase=_anonymise_staff_record,
            sample=_staff_record_sample,
        ),
        PersonalData(
            key="people.disclosure",
            model=Disclosure,
            title=gettext_lazy("What you told the organisation about yourself"),
            rows=_disclosure_rows,
            export=_disclosure_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy("Every answer, with its history."),
            sample=_disclosure_sample,
        ),
        PersonalData(
            key="people.shares_made",
            model=SharingGrant,
            title=gettext_lazy("What you shared, with whom and why"),
            rows=_shares_made_rows,
            export=_shares_made_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy("Every share you made: stopped first, then deleted."),
            erase=_erase_shares_made,
            sample=_shares_made_sample,
        ),
        PersonalData(
            key="people.shares_received",
            model=SharingGrant,
            title=gettext_lazy("What colleagues shared with you"),
            rows=_shares_received_rows,
            export=_shares_received_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "These belong to the colleagues who made them: they decide. A share stops "
                "reaching you when you leave."
            ),
            sample=_shares_received_sample,
        ),
        PersonalData(
            key="people.working_pattern",
            model=WorkingPattern,
            title=gettext_lazy("Your agreed working pattern"),
            rows=_pattern_rows,
            export=_pattern_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_pattern_sample,
        ),
        PersonalData(
            key="people.unavailability",
            model=Unavailability,
            title=gettext_lazy("Times you are not available"),
            rows=_unavailability_rows,
            export=_unavailability_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=ERASED_ON_LEAVING,
            sample=_unavailability_sample,
        ),
        PersonalData(
            key="people.exception_report",
            model=ExceptionReport,
            title=gettext_lazy("Exception reports about you"),
            rows=_report_rows,
            export=_report_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "The report is kept as the organisation's record, but what it disclosed is "
                "sealed with your key: once you are erased nobody can read it."
            ),
            sample=_report_sample,
        ),
        PersonalData(
            key="people.erasure",
            model=Erasure,
            title=gettext_lazy("Erasures"),
            rows=_erasure_rows,
            export=_erasure_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "When your records were erased: kept, so it is not done twice."
            ),
            sample=_erasure_sample,
        ),
    ):
        register_personal_data(item)


def _register_not_personal() -> None:
    for model, reason in (
        (
            Organisation,
            gettext_lazy("The organisation itself: its name and settings are nobody's own."),
        ),
        (
            Site,
            gettext_lazy(
                "A place the organisation works from; people are linked to it only by team."
            ),
        ),
        (Team, gettext_lazy("A team's name; who is in it is part of each person's membership.")),
        (AuditHead, gettext_lazy("The last number and MAC of the audit chain: no person in it.")),
        (OrganisationKey, gettext_lazy("Key material for the organisation: never exported.")),
        (
            PersonKey,
            gettext_lazy(
                "A person's key is key material, never exported; erasing the person deletes "
                "it, which is what makes their sealed values unreadable."
            ),
        ),
        (
            WebhookEndpoint,
            gettext_lazy(
                "The organisation's webhook address and signing secret (sealed with the "
                "organisation's key): an integration, not a person."
            ),
        ),
        (Heartbeat, gettext_lazy("Peerwork's own processes: host names and times.")),
        (RetentionPolicy, gettext_lazy("The organisation's retention periods.")),
    ):
        register_not_personal(model, reason)


_register_core()
_register_people()
_register_not_personal()
