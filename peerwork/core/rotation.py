"""Key rotation in small committed steps (``manage.py rotate_keys``; docs/operations.md).

``rotation_steps`` is a generator: each item it yields describes a step that has already
committed, so the command can be killed at any moment and run again without losing a
value. Phases, in order:

1. Re-wrap every organisation key that is not under the current master key (always).
2. ``organisation_keys``: make a new key version for each organisation.
3. Re-wrap every person key not under its organisation's newest key (always; after 2
   that is all of them).
4. ``data``: make a new key version for each person.
5. Re-seal every sealed value of every model with sealed fields that is not under its
   owner's newest key (after 2 or 4, or whenever older versions exist), row by row with
   conditional updates, so a value a person saves meanwhile is never overwritten.
6. Delete old key versions that nothing uses any more: no sealed value and no person key.

Running again without options finishes phases 5 and 6 of an earlier run.

Why old versions wait ``grace`` before deletion: each process caches "the newest key" for
``keyring.CACHE_SECONDS``, so for a short while after a new version is made another process
may still seal with the previous one. Only once the newest version is older than the grace
period can a scan prove that an old version is unused for good.

It works across organisations on purpose, and reads each model through its plain base
manager (never a scoped or filtering default manager): a row it missed would lose its value
when the old key is deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import keyring
from .models.keys import OrganisationKey, PersonKey
from .sealing import SealedField, _membership_people, sealed_models

ROTATION_GRACE = timedelta(minutes=15)


def rotation_steps(
    *,
    organisation_keys: bool = False,
    data: bool = False,
    batch_size: int = 200,
    now: datetime | None = None,
    grace: timedelta = ROTATION_GRACE,
) -> Iterator[str]:
    """The steps of a rotation; each yielded line describes a step already committed."""
    yield from _rewrap_organisation_keys()
    if organisation_keys:
        yield from _new_organisation_key_versions()
    yield from _rewrap_person_keys(batch_size)
    if data:
        yield from _new_person_key_versions(batch_size)
    if organisation_keys or data or _old_versions_exist():
        yield from _reseal_values(batch_size)
        yield from _retire_old_versions(now or timezone.now(), grace, batch_size)


def _rewrap_organisation_keys() -> Iterator[str]:
    master = keyring.load_key_file().current_master
    pending = list(
        OrganisationKey.objects.exclude(master_key_id=master.id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in pending:
        with transaction.atomic(durable=True):
            row = OrganisationKey.objects.filter(pk=pk).first()
            done = (
                row is not None
                and row.master_key_id != master.id
                and keyring.rewrap_organisation_key(row, master)
            )
        if done and row is not None:
            yield _(
                "Re-wrapped organisation key %(organisation)s v%(version)s under master key %(master)s."
            ) % {"organisation": row.organisation_id, "version": row.version, "master": master.id}


def _new_organisation_key_versions() -> Iterator[str]:
    organisations = list(
        OrganisationKey.objects.order_by("organisation_id")
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    for org in organisations:
        with transaction.atomic(durable=True):
            key = keyring.new_organisation_key_version(org)
        yield _("Made organisation key %(organisation)s v%(version)s.") % {
            "organisation": org,
            "version": key.version,
        }


def _rewrap_person_keys(batch_size: int) -> Iterator[str]:
    newest, _people = keyring.newest_versions()
    stale = [
        Q(organisation_id=org) & ~Q(organisation_key_version=version)
        for org, version in newest.items()
        if OrganisationKey.objects.filter(organisation_id=org, version__lt=version).exists()
    ]
    if not stale:
        return
    last = 0
    while True:
        with transaction.atomic(durable=True):
            rows = list(
                PersonKey.objects.filter(reduce(or_, stale), pk__gt=last).order_by("pk")[
                    :batch_size
                ]
            )
            if not rows:
                return
            done = 0
            for row in rows:
                wrapping = keyring.organisation_key(
                    row.organisation_id, newest[str(row.organisation_id)]
                )
                if wrapping is not None and keyring.rewrap_person_key(row, wrapping):
                    done += 1
            last = rows[-1].pk
        yield _("Re-wrapped %(count)s person keys under their organisation's newest key.") % {
            "count": done
        }


def _new_person_key_versions(batch_size: int) -> Iterator[str]:
    people = list(
        PersonKey.objects.order_by("organisation_id", "user_id")
        .values_list("organisation_id", "user_id")
        .distinct()
    )
    for start in range(0, len(people), batch_size):
        batch = people[start : start + batch_size]
        with transaction.atomic(durable=True):
            for org, user in batch:
                keyring.new_person_key_version(org, user)
        yield _("Made new key versions for %(count)s people.") % {"count": len(batch)}


def _old_versions_exist() -> bool:
    newest_orgs, newest_people = keyring.newest_versions()
    org_keys = OrganisationKey.objects.count()
    person_keys = PersonKey.objects.count()
    return org_keys > len(newest_orgs) or person_keys > len(newest_people)


def _batches(
    model: type[models.Model], fields: list[SealedField], batch_size: int
) -> Iterator[list[models.Model]]:
    """Rows of a model in primary-key order, ``batch_size`` at a time, each batch read in
    the transaction the caller opens around the step."""
    names = {"pk", "organisation", *(f.owner for f in fields if f.owner), *(f.name for f in fields)}
    last = None
    while True:
        query = model._base_manager.order_by("pk").only(*names)
        if last is not None:
            query = query.filter(pk__gt=last)
        rows = list(query[:batch_size])
        if not rows:
            return
        _prefetch_owners(fields, rows)
        yield rows
        last = rows[-1].pk


def _prefetch_owners(fields: list[SealedField], rows: list[models.Model]) -> None:
    from .models import Membership

    ids: set[str] = set()
    for field in fields:
        if field.owner is not None:
            fk = field.model._meta.get_field(field.owner)
            if isinstance(fk, models.ForeignKey) and fk.related_model is Membership:
                ids |= {
                    str(row.__dict__[fk.attname]) for row in rows if row.__dict__.get(fk.attname)
                }
    if ids:
        _membership_people(ids)


def _each_batch(
    batch_size: int, handle: Callable[[list[SealedField], list[models.Model]], int]
) -> Iterator[tuple[type[models.Model], list[models.Model], int]]:
    """Every batch of rows with sealed fields, read and handled in one committed
    transaction; each is yielded (with what ``handle`` counted) only after its commit, so a
    rotation stopped between steps never leaves a batch half done."""
    for model, fields in sealed_models():
        batches = _batches(model, fields, batch_size)
        while True:
            with transaction.atomic(durable=True):
                rows = next(batches, None)
                if rows is None:
                    break
                counted = handle(fields, rows)
            yield model, rows, counted


def _reseal_batch(fields: list[SealedField], rows: list[models.Model]) -> int:
    resealed = 0
    for row in rows:
        for field in fields:
            change = field.reseal_stored(row)
            if change is not None and field.replace_stored(row, *change):
                resealed += 1
    return resealed


def _reseal_values(batch_size: int) -> Iterator[str]:
    for model, rows, resealed in _each_batch(batch_size, _reseal_batch):
        yield _("Re-sealed %(values)s values in %(rows)s rows of %(model)s.") % {
            "values": resealed,
            "rows": len(rows),
            "model": model._meta.label,
        }


def _retire_old_versions(now: datetime, grace: timedelta, batch_size: int) -> Iterator[str]:
    newest_orgs, newest_people = keyring.newest_versions()
    org_rows = {
        (str(r.organisation_id), r.version): r
        for r in OrganisationKey.objects.order_by("organisation_id", "version")
    }
    person_rows = {
        (str(r.organisation_id), str(r.user_id), r.version): r
        for r in PersonKey.objects.order_by("organisation_id", "user_id", "version")
    }
    # Old versions, each with the time its organisation's or person's newest key was made.
    old_orgs = {
        key: org_rows[(key[0], newest_orgs[key[0]])].created_at
        for key in org_rows
        if key[1] < newest_orgs[key[0]]
    }
    old_people = {
        key: person_rows[(key[0], key[1], newest_people[(key[0], key[1])])].created_at
        for key in person_rows
        if key[2] < newest_people[(key[0], key[1])]
    }
    settled = now - grace
    young = [made for made in [*old_orgs.values(), *old_people.values()] if made > settled]
    due_orgs = [key for key, made in old_orgs.items() if made <= settled]
    due_people = [key for key, made in old_people.items() if made <= settled]

    if due_orgs or due_people:
        used: set[tuple[str, str, str | None, int]] = set()

        def note_keys(fields: list[SealedField], rows: list[models.Model]) -> int:
            for row in rows:
                for field in fields:
                    stored = field.stored_key(row)
                    if stored is not None:
                        used.add(stored)
            return 0

        for model, rows, _none in _each_batch(batch_size, note_keys):
            yield _("Checked %(rows)s rows of %(model)s for keys still in use.") % {
                "rows": len(rows),
                "model": model._meta.label,
            }
        used_orgs = {
            (str(org), version)
            for org, version in PersonKey.objects.values_list(
                "organisation_id", "organisation_key_version"
            )
        } | {(org, version) for kind, org, _user, version in used if kind == "o"}
        used_people = {(org, user, version) for kind, org, user, version in used if kind == "p"}
        in_use = deleted = 0
        with transaction.atomic(durable=True):
            for person_key in due_people:
                if person_key in used_people:
                    in_use += 1
                else:
                    deleted += PersonKey.objects.filter(pk=person_rows[person_key].pk).delete()[0]
            for org_key in due_orgs:
                if org_key in used_orgs:
                    in_use += 1
                else:
                    deleted += OrganisationKey.objects.filter(pk=org_rows[org_key].pk).delete()[0]
        keyring.forget_cached_keys()
        yield _("Deleted %(count)s old key versions that nothing uses.") % {"count": deleted}
        if in_use:
            yield _(
                "%(count)s old key versions are still in use (values saved during the "
                "rotation); run rotate_keys again to move them."
            ) % {"count": in_use}
    if young:
        yield _(
            "%(count)s old key versions are kept until their successors are %(minutes)s "
            "minutes old; run rotate_keys again after %(time)s UTC to delete them."
        ) % {
            "count": len(young),
            "minutes": int(grace.total_seconds() // 60),
            "time": f"{max(young) + grace:%Y-%m-%d %H:%M}",
        }
