"""The people module's operations: disclosing, sharing, reading under a share, staff records.

Each is a keyword-only function taking the acting membership. Callers have already passed
the access gate for the record (``peerwork.people.access``); these functions check the
domain rules (a share needs a purpose, an expiry in the future, …), write the change and its
audit event in one transaction, and send their messages on commit.

Reads of disclosed data go through ``read_disclosures``, which writes one audit event per
disclosure read before returning it (DESIGN.md "Audit": in its own short transaction, so the
record survives whatever happens to the request afterwards). The owner's "who saw my data"
list is made of these events (§2.3).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.access import Action, DataClass, can
from peerwork.core.models import AuditEvent, Membership, Role
from peerwork.core.notify import notify
from peerwork.core.versions import StaleVersion, update_if_current

from . import kinds
from .access import categories_open_to, grants_reaching, may_enter_for
from .disclosures import clean_answer
from .models import DEFAULT_SHARE_DAYS, Category, Disclosure, Profile, SharingGrant, StaffRecord

# Longest a share to a person may be given for at once; it can be renewed (issue 4).
MAX_SHARE_DAYS = 2 * 366


# --- disclosures -----------------------------------------------------------------------


def current_disclosures(owner: Membership) -> dict[str, Disclosure]:
    """The owner's current answer per category (no audit: callers read through
    ``read_disclosures``, or show only which categories have answers)."""
    rows = Disclosure.objects.filter(
        organisation_id=owner.organisation_id, owner=owner, replaced_at__isnull=True
    )
    return {row.category: row for row in rows}


def disclose(
    *,
    actor: Membership,
    owner: Membership,
    category: str,
    answer: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> Disclosure:
    """Record the owner's new answer for ``category``, keeping the old one as history.

    The owner writes their own; HR may write one for them only under an active share of
    that category to HR (issue 4), and the owner is told at once.
    """
    cleaned = clean_answer(category, answer)
    if actor.pk != owner.pk and not may_enter_for(actor, owner, category):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        previous = (
            Disclosure.objects.filter(
                organisation_id=owner.organisation_id,
                owner=owner,
                category=category,
                replaced_at__isnull=True,
            )
            .only("pk")
            .first()
        )
        if previous is not None:
            # A conditional update: of two answers racing, each replaces at most the one it
            # saw, and the unique constraint refuses a second current answer.
            Disclosure.objects.filter(pk=previous.pk, replaced_at__isnull=True).update(
                replaced_at=now
            )
        disclosure = Disclosure(
            organisation_id=owner.organisation_id,
            owner=owner,
            category=category,
            made_at=now,
            entered_by=None if actor.pk == owner.pk else actor,
        )
        disclosure.set_answer(cleaned)
        disclosure.save()
        audit.record(
            actor=actor,
            action="disclosure.write",
            object_type="people.disclosure",
            object_id=disclosure.pk,
            subject=owner,
            data_class=DataClass.DISCLOSED,
        )
        if actor.pk != owner.pk:
            notify(recipient=owner, kind=kinds.DISCLOSURE_ENTERED.kind, params={})
    return disclosure


def remove_disclosure(*, actor: Membership, category: str) -> int:
    """The owner takes back a category: every answer in it, history included, is deleted."""
    Category(category)
    with transaction.atomic():
        deleted, _counts = Disclosure.objects.filter(
            organisation_id=actor.organisation_id, owner=actor, category=category
        ).delete()
        if deleted:
            audit.record(
                actor=actor,
                action="disclosure.remove",
                object_type="people.disclosure",
                subject=actor,
                data_class=DataClass.DISCLOSED,
                detail={"rows": deleted},
            )
    return deleted


def read_disclosures(
    *,
    actor: Membership,
    owner: Membership,
    categories: Iterable[str] | None = None,
    history: bool = False,
) -> list[Disclosure]:
    """The owner's disclosures that ``actor`` may read now, each read written to the audit
    chain first. ``categories`` narrows to some (a share's); ``history`` (the owner only)
    includes replaced answers. Must be called outside a transaction (``audit.record_read``).
    """
    allowed = categories_open_to(actor, owner)
    if categories is not None:
        allowed &= set(categories)
    if not allowed:
        return []
    rows = Disclosure.objects.filter(
        organisation_id=owner.organisation_id, owner=owner, category__in=sorted(allowed)
    )
    if not (history and actor.pk == owner.pk):
        rows = rows.filter(replaced_at__isnull=True)
    found = list(rows.order_by("category", "-made_at"))
    # One event per disclosure read; the owner reading their own history is one event per
    # category (the newest row, and how many were shown), so a long history does not make
    # the page slower with every answer ever given.
    shown: dict[str, tuple[Disclosure, int]] = {}
    for disclosure in found:
        newest, count = shown.get(disclosure.category, (disclosure, 0))
        shown[disclosure.category] = (newest, count + 1)
    audit.record_reads(
        {
            "actor": actor,
            "action": "disclosure.read",
            "object_type": "people.disclosure",
            "object_id": newest.pk,
            "subject": owner,
            "data_class": DataClass.DISCLOSED,
            "detail": {"rows": count} if count > 1 else None,
        }
        for newest, count in shown.values()
    )
    return found


def insert_first(row: models.Model) -> None:
    """Write the first row of a record one per person or organisation (a profile, a staff
    record, a retention policy). Two first saves racing: the unique constraint refuses the
    second, which is told the record changed meanwhile (``StaleVersion``), so it reads what
    the first wrote before changing it. Call inside a transaction."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        raise StaleVersion from None


def what_was_read(events: Iterable[AuditEvent]) -> dict[object, str]:
    """For "who saw my data": the category each read disclosure was about, by event id.

    Audit events never name the category (a chain outlives erasure, and "an OST answer"
    next to a person's id says too much to whoever holds the database); the category is
    read from the disclosure row while it exists. Reads of removed or erased answers map
    to "" ("an answer since removed").
    """
    events = list(events)
    ids = {e.object_id for e in events if e.object_type == "people.disclosure" and e.object_id}
    categories: dict[object, str] = (
        dict(Disclosure.objects.filter(pk__in=ids).values_list("pk", "category")) if ids else {}
    )
    return {e.pk: categories.get(e.object_id, "") for e in events}


def names_of(organisation_id: uuid.UUID, ids: Iterable[object]) -> dict[Any, str]:
    """The names of memberships by id, in one query, for lists that name who did what
    ("entered by", "who saw my data", the export's audit rows). An id missing from the
    answer is someone erased since: each caller says how it names them."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    found = Membership.objects.filter(organisation_id=organisation_id, pk__in=wanted)
    return {m.pk: m.name for m in found.select_related("user")}


# --- sharing ---------------------------------------------------------------------------


def _clean_categories(categories: Iterable[str]) -> list[str]:
    chosen = sorted(set(categories))
    if not chosen:
        raise ValidationError({"categories": [_("Choose at least one thing to share.")]})
    known = set(Category.values)
    if any(c not in known for c in chosen):
        raise ValidationError({"categories": [_("Choose from the list.")]})
    return chosen


def _clean_expiry(
    expires_on: dt.date | None, *, required: bool, now: dt.datetime
) -> dt.datetime | None:
    """The end of ``expires_on`` in the organisation's time zone (the active one)."""
    if expires_on is None:
        if required:
            return now + dt.timedelta(days=DEFAULT_SHARE_DAYS)
        return None
    today = timezone.localdate(now)
    if expires_on <= today:
        raise ValidationError({"expires_on": [_("Choose a date after today.")]})
    if expires_on > today + dt.timedelta(days=MAX_SHARE_DAYS):
        raise ValidationError(
            {"expires_on": [_("Choose a date within two years; you can renew it later.")]}
        )
    end_of_day = dt.datetime.combine(expires_on, dt.time.max)
    return timezone.make_aware(end_of_day)


def _clean_purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": [_("Say why you are sharing it.")]})
    if len(purpose) > 500:
        raise ValidationError(
            {"purpose": [_("Please keep this under %(n)d characters.") % {"n": 500}]}
        )
    return purpose


def share(
    *,
    actor: Membership,
    audience: str,
    categories: Iterable[str],
    purpose: str,
    grantee: Membership | None = None,
    expires_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SharingGrant:
    """The actor shares chosen categories of their own disclosures (§2.3).

    A share to a person or to the line manager always has an expiry (6 months unless the
    owner picks a date); a share to the team or the whole organisation has none unless the
    owner picks one. ``grantee`` must be an active colleague in the same organisation
    (callers find them through the directory gate).
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    try:
        audience = SharingGrant.Audience(audience)
    except ValueError:
        raise ValidationError({"audience": [_("Choose who to share with.")]}) from None
    try:
        chosen = _clean_categories(categories)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        purpose = _clean_purpose(purpose)
    except ValidationError as error:
        errors.update(error.message_dict)
    personal = audience in (SharingGrant.Audience.PERSON, SharingGrant.Audience.LINE_MANAGER)
    try:
        expires_at = _clean_expiry(expires_on, required=personal, now=now)
    except ValidationError as error:
        errors.update(error.message_dict)
    team_id = None
    if audience == SharingGrant.Audience.PERSON:
        if (
            grantee is None
            or grantee.organisation_id != actor.organisation_id
            or not grantee.is_active
        ):
            errors["grantee"] = [_("Choose a colleague from the list.")]
        elif grantee.pk == actor.pk:
            errors["grantee"] = [_("You already see your own information.")]
    elif audience == SharingGrant.Audience.LINE_MANAGER:
        grantee = actor.line_manager
        if grantee is None or not grantee.is_active:
            errors["audience"] = [_("You have no line manager in Peerwork to share with.")]
    else:
        grantee = None
        if audience == SharingGrant.Audience.TEAM:
            team_id = actor.team_id
            if team_id is None:
                errors["audience"] = [_("You are not in a team yet.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grant = SharingGrant(
            organisation_id=actor.organisation_id,
            owner=actor,
            audience=audience,
            grantee=grantee,
            team_id=team_id,
            categories=chosen,
            created_at=now,
            expires_at=expires_at,
        )
        grant.purpose = purpose
        grant.save()
        audit.record(
            actor=actor,
            action="grant.create",
            object_type="people.sharing_grant",
            object_id=grant.pk,
            subject=actor,
            data_class=DataClass.DISCLOSED,
            detail={
                "audience": audience.value,
                **({"grantee": grantee.pk} if grantee is not None else {}),
            },
        )
        if grantee is not None:
            notify(
                recipient=grantee, kind=kinds.SHARED_WITH_YOU.kind, params={"grant": str(grant.pk)}
            )
    return grant


def _change_grant(
    grant: SharingGrant, *, version: int | None, changes: dict[str, Any], still: dict[str, Any]
) -> None:
    """Write ``changes`` only if the grant is still as the caller saw it (and ``still``
    holds): two tabs stopping and renewing the same share never overwrite each other."""
    match: dict[str, Any] = {"pk": grant.pk, **still}
    if version is not None:
        match["version"] = version
    updated = SharingGrant.objects.filter(**match).update(**changes, version=F("version") + 1)
    if not updated:
        raise StaleVersion
    grant.refresh_from_db()


def revoke_grant(
    *,
    actor: Membership,
    grant: SharingGrant,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> SharingGrant:
    """Stop a share at once: the next request by the grantee no longer sees anything."""
    if grant.owner_id != actor.pk:
        raise PermissionDenied
    if grant.revoked_at is not None:
        return grant
    now = now or timezone.now()
    with transaction.atomic():
        _change_grant(
            grant, version=version, changes={"revoked_at": now}, still={"revoked_at__isnull": True}
        )
        audit.record(
            actor=actor,
            action="grant.revoke",
            object_type="people.sharing_grant",
            object_id=grant.pk,
            subject=actor,
            data_class=DataClass.DISCLOSED,
        )
    return grant


def renew_grant(
    *,
    actor: Membership,
    grant: SharingGrant,
    expires_on: dt.date | None = None,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> SharingGrant:
    """Give a share a new expiry (6 months from now unless a date is chosen). A stopped
    share cannot be renewed: the owner shares again instead, so a stop is final."""
    if grant.owner_id != actor.pk:
        raise PermissionDenied
    if grant.revoked_at is not None:
        raise ValidationError(_("This share was stopped. Share again to start a new one."))
    now = now or timezone.now()
    personal = grant.audience in (SharingGrant.Audience.PERSON, SharingGrant.Audience.LINE_MANAGER)
    expires_at = _clean_expiry(expires_on, required=personal, now=now)
    with transaction.atomic():
        _change_grant(
            grant,
            version=version,
            changes={"expires_at": expires_at},
            still={"revoked_at__isnull": True},
        )
        audit.record(
            actor=actor,
            action="grant.renew",
            object_type="people.sharing_grant",
            object_id=grant.pk,
            subject=actor,
            data_class=DataClass.DISCLOSED,
        )
    return grant


def confirm_grant(
    *, actor: Membership, grant: SharingGrant, version: int | None = None
) -> SharingGrant:
    """The owner confirms a paused line-manager share for their new line manager."""
    if grant.owner_id != actor.pk:
        raise PermissionDenied
    if grant.audience != SharingGrant.Audience.LINE_MANAGER or not grant.is_paused():
        raise ValidationError(_("This share is not waiting for you to confirm it."))
    if grant.revoked_at is not None or grant.is_expired():
        raise ValidationError(_("This share has ended. Share again to start a new one."))
    new_manager = actor.line_manager
    if new_manager is None or not new_manager.is_active:
        raise ValidationError(_("You have no line manager in Peerwork to share with."))
    with transaction.atomic():
        _change_grant(
            grant,
            version=version,
            changes={"grantee": new_manager},
            still={"revoked_at__isnull": True, "grantee_id": grant.grantee_id},
        )
        audit.record(
            actor=actor,
            action="grant.confirm",
            object_type="people.sharing_grant",
            object_id=grant.pk,
            subject=actor,
            data_class=DataClass.DISCLOSED,
            detail={"grantee": new_manager.pk},
        )
        notify(
            recipient=new_manager, kind=kinds.SHARED_WITH_YOU.kind, params={"grant": str(grant.pk)}
        )
    return grant


def pause_line_manager_shares(*, person: Membership, old_manager_id: object) -> int:
    """Called when a person's line manager changes: their line-manager shares now fail
    closed (``SharingGrant.is_paused``) and the person is told, once."""
    paused = SharingGrant.objects.live().filter(
        organisation_id=person.organisation_id,
        owner=person,
        audience=SharingGrant.Audience.LINE_MANAGER,
        grantee_id=old_manager_id,
    )
    count = paused.count()
    if count:
        audit.record(
            actor=None,
            action="grant.pause",
            object_type="people.sharing_grant",
            subject=person,
            data_class=DataClass.DISCLOSED,
            detail={"count": count},
            organisation=person.organisation,
        )
        notify(recipient=person, kind=kinds.SHARE_PAUSED.kind, params={})
    return count


def shares_with(member: Membership) -> list[SharingGrant]:
    """Shares active now whose audience includes ``member``: the "Shared with me" list."""
    return grants_reaching(member)


# --- staff records and profiles ----------------------------------------------------------

STAFF_RECORD_FIELDS = ("grade", "contract", "hours_per_week", "started_on", "ends_on")


def update_staff_record(
    *,
    actor: Membership,
    person: Membership,
    record: StaffRecord,
    version: int | None,
    changes: Mapping[str, Any],
) -> StaffRecord:
    """Change a person's terms: the staff record, their position (``Membership.title``) and
    their line manager. Only the line manager and HR change them (personnel data).

    ``version`` is the record's version as the editor read it (None for a record not yet
    saved); a record changed since then raises ``StaleVersion``. A new line manager pauses
    the person's line-manager shares until they confirm them (issue 4).
    """
    if not can(actor, Action.CHANGE, DataClass.PERSONNEL, person):
        raise PermissionDenied
    unknown = set(changes) - {*STAFF_RECORD_FIELDS, "position", "line_manager"}
    if unknown:
        raise ValidationError({name: [_("This cannot be changed here.")] for name in unknown})
    record_changes = {k: v for k, v in changes.items() if k in STAFF_RECORD_FIELDS}
    candidate = StaffRecord(
        pk=record.pk,
        organisation_id=person.organisation_id,
        membership=person,
        **{f: getattr(record, f) for f in STAFF_RECORD_FIELDS},
    )
    for name, value in record_changes.items():
        setattr(candidate, name, value)
    if candidate.started_on and candidate.ends_on and candidate.ends_on < candidate.started_on:
        raise ValidationError({"ends_on": [_("The end date cannot be before the start date.")]})
    candidate.full_clean(
        exclude=["organisation", "membership"], validate_unique=False, validate_constraints=False
    )
    new_manager = changes.get("line_manager", person.line_manager)
    if "line_manager" in changes and new_manager is not None:
        if (
            new_manager.organisation_id != person.organisation_id
            or not new_manager.is_active
            or not new_manager.has_role(Role.LINE_MANAGER)
        ):
            raise ValidationError({"line_manager": [_("Choose a line manager from the list.")]})
        if new_manager.pk == person.pk:
            raise ValidationError({"line_manager": [_("Nobody is their own line manager.")]})
    position = changes.get("position", person.title)
    if len(position or "") > 200:
        raise ValidationError(
            {"position": [_("Please keep this under %(n)d characters.") % {"n": 200}]}
        )
    old_manager_id = person.line_manager_id
    with transaction.atomic():
        if record._state.adding:
            if version not in (None, 0):
                raise StaleVersion
            if StaffRecord.objects.filter(membership=person).exists():
                raise StaleVersion
            insert_first(candidate)
        else:
            update_if_current(
                StaffRecord, pk=record.pk, version=version or 0, changes=record_changes
            )
        membership_changes: dict[str, Any] = {}
        if "position" in changes and position != person.title:
            membership_changes["title"] = (position or "").strip()
        manager_changed = "line_manager" in changes and (
            (new_manager.pk if new_manager else None) != old_manager_id
        )
        if manager_changed:
            membership_changes["line_manager"] = new_manager
        if membership_changes:
            Membership.objects.filter(pk=person.pk).update(
                **membership_changes, version=F("version") + 1
            )
            for name, value in membership_changes.items():
                setattr(person, name, value)
        audit.record(
            actor=actor,
            action="staff_record.change",
            object_type="people.staff_record",
            object_id=candidate.pk,
            subject=person,
            data_class=DataClass.PERSONNEL,
            detail={"fields": sorted(changes)},
        )
        if manager_changed and old_manager_id is not None:
            pause_line_manager_shares(person=person, old_manager_id=old_manager_id)
    return StaffRecord.objects.get(pk=candidate.pk)


def update_profile(
    *,
    actor: Membership,
    display_name: str | None = None,
    pronouns: str | None = None,
    languages: str | None = None,
    emergency_contact: str | None = None,
    version: int | None = None,
) -> Profile:
    """The person changes their own profile (nobody else does). ``None`` leaves a field as
    it is; an empty string clears it. The emergency contact is sealed (only they read it)."""
    profile = Profile.objects.filter(membership=actor).first() or Profile(
        organisation_id=actor.organisation_id, membership=actor
    )
    if version is not None and not profile._state.adding and version != profile.version:
        raise StaleVersion
    errors: dict[str, list[str]] = {}
    limits = {"display_name": 150, "pronouns": 40, "languages": 200, "emergency_contact": 300}
    given = {
        "display_name": display_name,
        "pronouns": pronouns,
        "languages": languages,
        "emergency_contact": emergency_contact,
    }
    for name, value in given.items():
        if value is not None and len(value.strip()) > limits[name]:
            errors[name] = [_("Please keep this under %(n)d characters.") % {"n": limits[name]}]
    if display_name is not None and not display_name.strip():
        errors["display_name"] = [_("Say what name to show.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if display_name is not None and display_name.strip() != actor.user.display_name:
            actor.user.display_name = display_name.strip()
            actor.user.save(update_fields=["display_name"])
        if pronouns is not None:
            profile.pronouns = pronouns.strip()
        if languages is not None:
            profile.languages = languages.strip()
        if emergency_contact is not None:
            profile.emergency_contact = emergency_contact.strip() or None
        if profile._state.adding:
            insert_first(profile)
        else:
            updated = Profile.objects.filter(pk=profile.pk, version=profile.version).update(
                pronouns=profile.pronouns, languages=profile.languages, version=F("version") + 1
            )
            if not updated:
                raise StaleVersion
            if emergency_contact is not None:
                # Sealed fields are written by save(), never by update() (core.sealing).
                profile.save(update_fields=["emergency_contact"])
            profile.refresh_from_db()
        audit.record(
            actor=actor,
            action="profile.change",
            object_type="people.profile",
            object_id=profile.pk,
            subject=actor,
            data_class=DataClass.WORK,
            detail={"fields": sorted(k for k, v in given.items() if v is not None)},
        )
    return profile
