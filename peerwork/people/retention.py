"""Erasure and retention: what happens to a person's records when they ask, and when they
leave (issue 4 item 8; §2.3: a person decides what is known about them).

- ``erase_now``: the person erases their private records at once, from the erase page.
- ``apply_retention``: the daily step. For each organisation, in its own scope:

  * a membership that ended more than ``RetentionPolicy.private_days`` ago (30 when the
    organisation has set none) and has no ``Erasure`` at or after its end is erased: its
    private records, and the records kept only while the person works here;
  * a membership that ended more than ``personnel_days`` ago is anonymised: the staff record
    no longer points at the person, and the membership loses its role title and work
    contacts. An ``person.anonymise`` audit event at or after the end marks it done.

Erasing means: every share the person made is stopped, then deleted; every register entry
(``peerwork.people.personal_data``) whose rule says so is deleted; the emergency contact is
cleared; an ``Erasure`` row and a ``person.erase`` audit event (opaque ids only) are
written; and, once all of that has committed, the person's data key in this organisation is
deleted (``keyring.erase_person``), so whatever is still sealed under it anywhere, in the
database or in a backup, reads as nothing. The audit chain holds no content, so it stays
whole and verifiable.

Safe to rerun, and safe with several deadline loops at once: each leaver is claimed with a
conditional update of their membership's version, in the same transaction as the work, so
of two loops one acts and the other finds nothing to do; a loop that dies mid-way rolls
back and the leaver stays due.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core import audit, keyring
from peerwork.core.access import DataClass, is_org_admin
from peerwork.core.deadlines import register_deadline
from peerwork.core.models import AuditEvent, Membership, Organisation
from peerwork.core.versions import StaleVersion

from . import personal_data, services
from .models import Erasure, Profile, RetentionPolicy
from .personal_data import OnErasure

logger = logging.getLogger(__name__)

ANONYMISE_ACTION = "person.anonymise"
ERASE_ACTION = "person.erase"


@dataclass
class RetentionResult:
    erased: int = 0
    anonymised: int = 0

    def __add__(self, other: RetentionResult) -> RetentionResult:
        return RetentionResult(self.erased + other.erased, self.anonymised + other.anonymised)


def policy_for(organisation_id: uuid.UUID) -> RetentionPolicy:
    """The organisation's policy, or the defaults (30 days; six years) when it has none."""
    return RetentionPolicy.objects.filter(
        organisation_id=organisation_id
    ).first() or RetentionPolicy(organisation_id=organisation_id)


# --- erasing -----------------------------------------------------------------------------


def _erase(
    member: Membership, *, now: dt.datetime, by_person: bool, actor: Membership | None
) -> Erasure:
    """Erase ``member``'s records as the register says. Call inside a transaction."""
    left = member.ended_at is not None and member.ended_at <= now
    rules = {OnErasure.ERASE} | ({OnErasure.ERASE_ON_LEAVING} if left else set())
    # The shares entry stops every share before deleting it; it runs first, so nothing
    # the person shared is live while the rest is being deleted.
    ordered = sorted(personal_data.entries(), key=lambda e: e.key != "people.shares_made")
    changed = 0
    for entry in ordered:
        if entry.on_erasure in rules:
            changed += entry.apply_erasure(member, now)
    if not left:
        # The emergency contact goes at once; the rest of the profile while they work here.
        for profile in Profile.objects.filter(membership=member):
            if profile.emergency_contact is not None:
                profile.emergency_contact = None
                profile.save(update_fields=["emergency_contact"])
                changed += 1
    erasure = Erasure.objects.create(
        organisation_id=member.organisation_id,
        membership=member,
        erased_at=now,
        by_person=by_person,
    )
    audit.record(
        actor=actor,
        action=ERASE_ACTION,
        object_type="people.erasure",
        object_id=erasure.pk,
        subject=member,
        data_class=DataClass.PRIVATE,
        detail={"by_person": by_person, "left": left, "rows": changed},
    )
    # Last, and only once the deletions have committed: a journal line cannot be rolled
    # back (keyring.erase_person). Its own time, not ``now``: keys made until this moment
    # go, a key made later (the person discloses again) stays.
    transaction.on_commit(partial(keyring.erase_person, member.organisation_id, member.user_id))
    return erasure


def erase_now(*, actor: Membership, now: dt.datetime | None = None) -> Erasure:
    """The person erases their private records at once (the erase page). The caller has
    passed ``export.own_records_for_member``; ``actor`` is the person themself."""
    now = now or timezone.now()
    with transaction.atomic():
        return _erase(actor, now=now, by_person=True, actor=actor)


# --- the daily step ------------------------------------------------------------------------


def _claim(member_id: uuid.UUID, version: int, still: Q) -> Membership | None:
    """Claim a leaver by raising their membership's version from the one seen; None when
    another loop got there first (or the membership changed since)."""
    claimed = Membership.objects.filter(still, pk=member_id, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        return None
    return Membership.objects.select_related("user", "organisation").get(pk=member_id)


def _erased_since_leaving() -> Exists:
    return Exists(
        Erasure.objects.filter(membership=OuterRef("pk"), erased_at__gte=OuterRef("ended_at"))
    )


def _anonymised_since_leaving(organisation_id: uuid.UUID) -> Exists:
    return Exists(
        AuditEvent.objects.filter(
            organisation_id=organisation_id,
            subject_id=OuterRef("pk"),
            action=ANONYMISE_ACTION,
            at__gte=OuterRef("ended_at"),
        )
    )


def _erase_leavers(organisation_id: uuid.UUID, cutoff: dt.datetime, now: dt.datetime) -> int:
    due = Q(organisation_id=organisation_id, ended_at__isnull=False, ended_at__lte=cutoff)
    found = list(
        Membership.objects.filter(due)
        .filter(~_erased_since_leaving())
        .order_by("ended_at")
        .values_list("pk", "version")
    )
    erased = 0
    for member_id, version in found:
        with transaction.atomic():
            member = _claim(member_id, version, due)
            if (
                member is None
                or Erasure.objects.filter(
                    membership=member, erased_at__gte=member.ended_at
                ).exists()
            ):
                continue
            _erase(member, now=now, by_person=False, actor=None)
        erased += 1
    return erased


def _anonymise_leavers(organisation_id: uuid.UUID, cutoff: dt.datetime, now: dt.datetime) -> int:
    due = Q(organisation_id=organisation_id, ended_at__isnull=False, ended_at__lte=cutoff)
    found = list(
        Membership.objects.filter(due)
        .filter(~_anonymised_since_leaving(organisation_id))
        .order_by("ended_at")
        .values_list("pk", "version")
    )
    anonymised = 0
    for member_id, version in found:
        with transaction.atomic():
            member = _claim(member_id, version, due)
            if member is None:
                continue
            if (
                Membership.objects.filter(pk=member.pk)
                .filter(_anonymised_since_leaving(organisation_id))
                .exists()
            ):
                continue
            changed = sum(
                entry.apply_erasure(member, now)
                for entry in personal_data.entries()
                if entry.on_erasure is OnErasure.ANONYMISE
            )
            audit.record(
                actor=None,
                action=ANONYMISE_ACTION,
                object_type="core.membership",
                object_id=member.pk,
                subject=member,
                data_class=DataClass.PERSONNEL,
                detail={"rows": changed},
            )
        anonymised += 1
    return anonymised


def apply_retention_to(organisation_id: uuid.UUID, *, now: dt.datetime) -> RetentionResult:
    """One organisation's due erasures and anonymisations, inside its scope."""
    with scope(organisation=organisation_id):
        policy = policy_for(organisation_id)
        return RetentionResult(
            erased=_erase_leavers(
                organisation_id, now - dt.timedelta(days=policy.private_days), now
            ),
            anonymised=_anonymise_leavers(
                organisation_id, now - dt.timedelta(days=policy.personnel_days), now
            ),
        )


def apply_retention(*, now: dt.datetime | None = None) -> RetentionResult:
    """Every organisation's due erasures and anonymisations; a second run does nothing."""
    now = now or timezone.now()
    with scopes_disabled():  # the organisations' ids only
        organisations = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    total = RetentionResult()
    for organisation_id in organisations:
        try:
            total += apply_retention_to(organisation_id, now=now)
        except Exception:
            # One organisation's failure (logged by id) must not hold back the others.
            logger.exception("retention failed for organisation %s", organisation_id)
    return total


class RetentionStep:
    """The deadline loop's step: ``apply_retention`` at most once a day per loop.

    Retention is measured in days, so running more often would only repeat the search.
    Each loop keeps the time of its last run in memory; a loop that starts runs it at once.
    Several loops may run it on the same day: the claims make that harmless.
    """

    name = "people.retention"
    every = dt.timedelta(days=1)

    def __init__(self) -> None:
        self.last_run: dt.datetime | None = None

    def __call__(self, now: dt.datetime) -> int:
        if self.last_run is not None and self.last_run <= now < self.last_run + self.every:
            return 0
        self.last_run = now
        result = apply_retention(now=now)
        return result.erased + result.anonymised


retention_step = register_deadline(RetentionStep())


# --- the organisation's policy -----------------------------------------------------------


def set_policy(
    *,
    actor: Membership,
    private_days: int,
    personnel_days: int,
    seen: tuple[int, int],
) -> RetentionPolicy:
    """The org admin sets how long a leaver's records are kept.

    ``seen`` is the (private, personnel) days the admin's form showed: the change is made
    only if the policy still reads so (a conditional update; the policy has no version of
    its own), else ``StaleVersion``, so two admins never silently overwrite each other.
    """
    if not is_org_admin(actor):
        raise PermissionDenied
    candidate = RetentionPolicy(
        organisation_id=actor.organisation_id,
        private_days=private_days,
        personnel_days=personnel_days,
    )
    candidate.full_clean(exclude=["organisation"], validate_unique=False)
    with transaction.atomic():
        current = policy_for(actor.organisation_id)
        if (current.private_days, current.personnel_days) != tuple(seen):
            raise StaleVersion
        if current._state.adding:
            services.insert_first(candidate)
        else:
            updated = RetentionPolicy.objects.filter(
                pk=current.pk,
                private_days=seen[0],
                personnel_days=seen[1],
            ).update(private_days=private_days, personnel_days=personnel_days)
            if not updated:
                raise StaleVersion
        audit.record(
            actor=actor,
            action="retention_policy.change",
            object_type="people.retention_policy",
            data_class=DataClass.WORK,
            detail={"private_days": private_days, "personnel_days": personnel_days},
        )
    return policy_for(actor.organisation_id)
