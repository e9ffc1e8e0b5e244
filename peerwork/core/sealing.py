"""Sealed fields: text encrypted at rest and bound to its row (DESIGN.md "Sealing").

One field type::

    class Disclosure(OrganisationOwned):
        owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
        text = SealedField(_("what I share"), owner="owner")

``owner`` names a foreign key on the same model to ``Membership`` or ``User``: the value is
sealed with that person's key in the row's organisation, so erasing the person
(``keyring.erase_person``) erases it. ``owner=None`` seals with the organisation's own key
(organisation secrets such as a webhook's signing secret). The model must be
organisation-owned (a foreign key named ``organisation``) with a UUID primary key made in
Python (``OrganisationOwned`` gives both); ``manage.py check`` says so otherwise.

How it works
    A value is sealed in ``pre_save`` (Django's other hooks do not see the row) with
    AES-256-GCM whose associated data is the organisation, table, column and row id, so a
    ciphertext copied to another row, column or organisation does not open. What the
    database returns is kept as a ``SealedValue`` and opened only when the attribute is
    read. Each ciphertext starts with a header naming its key (kind and version) so that
    ``rotate_keys`` can move values to new keys row by row.

Reading
    ``note.text`` gives a ``SealedText`` (a ``str`` whose ``repr()`` hides its content, so
    logs, debug pages and tracebacks do not show it), or ``None`` when empty.

    After crypto-shredding, reading gives ``None`` and ``is_erased(note, "text")`` is True:
    pages show erased values as empty rather than failing. A value that was altered, or
    copied from another row, raises ``SealedValueInvalid``; a key file that does not match
    the database raises ``keyring.KeyringError``.

What is refused (``SealedFieldError``, a ``FieldError``)
    Filtering or any lookup on a sealed field (``filter(text=…)``, ``exclude``,
    ``text__isnull``); writing through ``QuerySet.update()`` or ``bulk_update()``; and
    ``values()``/``values_list()`` that select a sealed field (including ``values()`` with no
    names). Ordering by a sealed field is not refused but orders by ciphertext, which means
    nothing. Keep what queries need (times, states) in plain, non-identifying columns. Sealed
    values also cannot be loaded from fixtures (``loaddata``); ``dumpdata`` writes the
    ciphertext.

Care
    A model's ``__str__`` must not show a sealed field (``repr()`` of a model uses it).
    Renaming a sealed field's table or column makes its values unreadable: re-seal them in
    the migration. A membership's person never changes (the owner's key is the person's).
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from cryptography.exceptions import InvalidTag
from django import forms
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import connections, models, router
from django.db.models import signals
from django.db.models.sql.compiler import SQLUpdateCompiler
from django.utils.translation import gettext_lazy as _

from . import keyring

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

MAGIC = b"PW"
FORMAT = 1
HEADER_BYTES = 12  # magic 2, format 1, kind 1, key version 4, key check 4
OWNER_CACHE_ENTRIES = 10000


class SealedFieldError(FieldError):
    """A query tried to filter on, write around, or select a sealed field."""


class SealedValueInvalid(Exception):
    """A sealed value does not open for its row: it was altered or copied from elsewhere."""


class SealedText(str):
    """The opened text of a sealed field; ``repr()`` does not show it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<sealed text>"


class _Erased:
    def __repr__(self) -> str:
        return "<erased>"


ERASED = _Erased()

_UNOPENED = object()

# (organisation id, owner foreign key value, row id) as strings; None where not loaded.
Origin = tuple[str | None, str | None, str]


class SealedValue:
    """A ciphertext as read from the database, opened on first read of the attribute.

    ``origin`` records the row it was loaded from, so saving it unchanged to the same row
    keeps the ciphertext, while saving it to another row or owner seals it again.
    Pickling keeps the ciphertext only, never the opened text.
    """

    __slots__ = ("_opened", "ciphertext", "origin")

    def __init__(self, ciphertext: bytes, origin: Origin | None = None) -> None:
        self.ciphertext = ciphertext
        self.origin = origin
        self._opened: object = _UNOPENED

    def __repr__(self) -> str:
        return "<sealed value>"

    def __reduce__(self) -> tuple[type[SealedValue], tuple[bytes, Origin | None]]:
        return (SealedValue, (self.ciphertext, self.origin))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SealedValue) and other.ciphertext == self.ciphertext

    def __hash__(self) -> int:
        return hash(self.ciphertext)

    @property
    def header(self) -> Header:
        return read_header(self.ciphertext)


class _SaveValue:
    """What ``pre_save`` hands to the query: the one value the field lets be written."""

    __slots__ = ("ciphertext",)

    def __init__(self, ciphertext: bytes | None) -> None:
        self.ciphertext = ciphertext

    def __repr__(self) -> str:
        return "<sealed value to save>"


# --- the format ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    kind: str  # "p": a person's key, "o": the organisation's key
    version: int
    check: bytes

    def to_bytes(self) -> bytes:
        return (
            MAGIC
            + bytes([FORMAT])
            + self.kind.encode("ascii")
            + self.version.to_bytes(4, "big")
            + self.check
        )


def read_header(ciphertext: bytes) -> Header:
    if (
        len(ciphertext) < HEADER_BYTES + keyring.NONCE_BYTES + 16
        or ciphertext[:2] != MAGIC
        or ciphertext[2] != FORMAT
        or ciphertext[3:4] not in (b"p", b"o")
    ):
        raise SealedValueInvalid("the stored value is not a sealed value of a known format")
    return Header(
        kind=ciphertext[3:4].decode("ascii"),
        version=int.from_bytes(ciphertext[4:8], "big"),
        check=ciphertext[8:HEADER_BYTES],
    )


@dataclass(frozen=True)
class SealContext:
    """Where a value lives; bound into its ciphertext as associated data."""

    organisation_id: str
    user_id: str | None  # the owner's person, or None for the organisation's own key
    table: str
    column: str
    row_id: str

    def associated(self, header: Header) -> bytes:
        place = "\0".join((self.organisation_id, self.table, self.column, self.row_id))
        return header.to_bytes() + b"\0" + place.encode("utf-8")


def _key_for(header: Header, context: SealContext) -> keyring.DataKey | None:
    if header.kind == "o":
        if context.user_id is not None:
            raise SealedValueInvalid("sealed with an organisation key where a person's belongs")
        return keyring.organisation_key(context.organisation_id, header.version)
    if context.user_id is None:
        raise SealedValueInvalid("sealed with a person's key where the organisation's belongs")
    return keyring.person_key(context.organisation_id, context.user_id, header.version)


def current_key(context: SealContext) -> keyring.DataKey:
    if context.user_id is None:
        return keyring.current_organisation_key(context.organisation_id)
    return keyring.current_person_key(context.organisation_id, context.user_id)


def seal_text(text: str, context: SealContext) -> bytes:
    key = current_key(context)
    header = Header(kind=key.kind, version=key.version, check=key.check)
    return header.to_bytes() + keyring.encrypt(
        key.key, text.encode("utf-8"), context.associated(header)
    )


def open_text(ciphertext: bytes, context: SealContext) -> str | _Erased:
    """The text, or ``ERASED`` when its key is gone; ``SealedValueInvalid`` if tampered."""
    header = read_header(ciphertext)
    key = _key_for(header, context)
    if key is None or key.check != header.check:
        # Gone, or made anew after an erasure with the same version number.
        return ERASED
    try:
        plain = keyring.decrypt(key.key, ciphertext[HEADER_BYTES:], context.associated(header))
    except InvalidTag:
        raise SealedValueInvalid(
            f"a sealed value in {context.table}.{context.column} (row {context.row_id}) does "
            "not open for its row: it was altered or copied from another row"
        ) from None
    return plain.decode("utf-8")


def key_exists(ciphertext: bytes, context: SealContext) -> bool:
    header = read_header(ciphertext)
    key = _key_for(header, context)
    return key is not None and key.check == header.check


def _id(value: Any) -> Any:
    """An id as canonical text (None stays None): it is bound into ciphertexts."""
    return None if value is None else keyring.canonical_id(value)


# --- owners -------------------------------------------------------------------------------

_owner_lock = threading.Lock()
_owner_cache: OrderedDict[str, tuple[str, str]] = OrderedDict()


def _membership_people(membership_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Membership id → (user id, organisation id), cached: a membership's person is fixed."""
    from .models import Membership

    wanted = {keyring.canonical_id(i) for i in membership_ids}
    found: dict[str, tuple[str, str]] = {}
    with _owner_lock:
        for mid in wanted:
            if mid in _owner_cache:
                found[mid] = _owner_cache[mid]
    missing = wanted - found.keys()
    if missing:
        # The plain base manager: an id lookup inside code that already holds the row.
        rows = Membership._base_manager.filter(pk__in=missing).values_list(
            "pk", "user_id", "organisation_id"
        )
        with _owner_lock:
            for pk, user_id, org_id in rows:
                found[str(pk)] = _owner_cache[str(pk)] = (str(user_id), str(org_id))
                _owner_cache.move_to_end(str(pk))
            while len(_owner_cache) > OWNER_CACHE_ENTRIES:
                _owner_cache.popitem(last=False)
    return found


def _binary(connection: BaseDatabaseWrapper, value: bytes) -> Any:
    """A bytes parameter as the driver wants it (as Django's BinaryField does)."""
    return connection.Database.Binary(value)  # type: ignore[attr-defined]


# --- the field ----------------------------------------------------------------------------


class SealedAttribute:
    """The descriptor: opens on read, takes text or None on write."""

    def __init__(self, field: SealedField) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, cls: Any = None) -> Any:
        if instance is None:
            return self
        name = self.field.attname
        if name not in instance.__dict__:
            self.field._load_deferred(instance)
        value = instance.__dict__[name]
        if isinstance(value, SealedValue):
            return self.field._open(instance, value)
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        name = self.field.attname
        if value is None or isinstance(value, SealedValue):
            instance.__dict__[name] = value
            return
        if not isinstance(value, str):
            raise TypeError(f"{self.field} takes text or None, not {type(value).__name__}")
        current = instance.__dict__.get(name)
        if isinstance(current, SealedValue) and current._opened == value:
            return  # the same text read back (full_clean, refresh): keep the ciphertext
        instance.__dict__[name] = value if isinstance(value, SealedText) else SealedText(value)


class SealedField(models.Field):
    """Text sealed for its owner (or the organisation) and bound to its row."""

    description = _("Sealed text")
    descriptor_class = SealedAttribute
    empty_strings_allowed = True

    def __init__(self, verbose_name: Any = None, *, owner: str | None, **kwargs: Any) -> None:
        self.owner = owner
        super().__init__(verbose_name, **kwargs)

    # --- declaration ---

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["owner"] = self.owner
        return name, "peerwork.core.sealing.SealedField", args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        if not cls._meta.abstract:
            signals.post_init.connect(self._remember_origin, sender=cls)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_sealing()]

    def _check_sealing(self) -> list[checks.CheckMessage]:
        model = self.model
        errors: list[checks.CheckMessage] = []
        if self.unique or getattr(self, "db_index", False) or self.primary_key:
            errors.append(
                checks.Error(
                    "A sealed field cannot be unique, indexed or a primary key.",
                    obj=self,
                    id="peerwork.E110",
                )
            )
        try:
            org: Any = model._meta.get_field("organisation")
        except FieldDoesNotExist:
            org = None
        if not (
            isinstance(org, models.ForeignKey)
            and org.related_model is apps.get_model("core", "Organisation")
        ):
            errors.append(
                checks.Error(
                    "A model with a sealed field needs a foreign key 'organisation' to Organisation.",
                    hint="Inherit from peerwork.core.models.tenancy.OrganisationOwned.",
                    obj=self,
                    id="peerwork.E111",
                )
            )
        pk = model._meta.pk
        if not (isinstance(pk, models.UUIDField) and callable(pk.default)):
            errors.append(
                checks.Error(
                    "A model with a sealed field needs a UUID primary key made in Python.",
                    hint="Inherit from peerwork.core.models.tenancy.OrganisationOwned.",
                    obj=self,
                    id="peerwork.E112",
                )
            )
        if self.owner is not None:
            allowed = {
                apps.get_model("core", "Membership"),
                apps.get_model(settings.AUTH_USER_MODEL),
            }
            try:
                owner: Any = model._meta.get_field(self.owner)
            except FieldDoesNotExist:
                owner = None
            if not (isinstance(owner, models.ForeignKey) and owner.related_model in allowed):
                errors.append(
                    checks.Error(
                        f"owner={self.owner!r} must name a foreign key on {model.__name__} to "
                        "Membership or User (or be None for the organisation's key).",
                        obj=self,
                        id="peerwork.E113",
                    )
                )
        return errors

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        return super().formfield(
            form_class=form_class or forms.CharField,
            choices_form_class=choices_form_class,
            **{"widget": forms.Textarea, **kwargs},
        )

    # --- refusals ---

    def _refuse(self, what: str) -> SealedFieldError:
        return SealedFieldError(
            f"{self.model.__name__}.{self.name} is sealed and {what}. Keep what queries need "
            "in plain, non-identifying columns (docs: peerwork/core/sealing.py)."
        )

    def get_lookup(self, lookup_name: str) -> Any:
        raise self._refuse(f"cannot be filtered or compared (lookup {lookup_name!r})")

    def get_transform(self, lookup_name: str) -> Any:
        raise self._refuse(f"cannot be filtered or compared (lookup {lookup_name!r})")

    def select_format(self, compiler: Any, sql: str, params: Any) -> tuple[str, Any]:
        if compiler.query.values_select:
            raise self._refuse(
                "cannot be read with values() or values_list(); read it on the instance"
            )
        return sql, params

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        if hasattr(value, "as_sql") or hasattr(value, "resolve_expression"):
            raise self._refuse(
                "can only be written by save() on the instance, not update() or bulk_update()"
            )
        return self.get_db_prep_value(value, connection, prepared=False)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if isinstance(value, _SaveValue):
            value = value.ciphertext
            return None if value is None else _binary(connection, value)
        if value is None:
            # A migration's default for a new nullable column; update(x=None) is caught
            # in get_placeholder.
            return None
        raise self._refuse(
            "can only be written by save() on the instance, not update() or bulk_update()"
        )

    def get_placeholder(self, value: Any, compiler: Any, connection: BaseDatabaseWrapper) -> str:
        if isinstance(compiler, SQLUpdateCompiler):
            # Model.save() passes (field, None, value) to the update query; update() and
            # bulk_update() pass (field, model, value).
            for field, model, _value in compiler.query.values:
                if field is self and model is not None:
                    raise self._refuse(
                        "can only be written by save() on the instance, not update() or bulk_update()"
                    )
        return "%s"

    # --- reading and writing ---

    def from_db_value(
        self, value: Any, expression: Any, connection: BaseDatabaseWrapper
    ) -> SealedValue | None:
        if value is None:
            return None
        return SealedValue(bytes(value))

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, (str, SealedValue)):
            return value
        return str(value)

    def value_to_string(self, obj: models.Model) -> str:
        """For dumpdata: the ciphertext (base64), never the text."""
        stored = obj.__dict__.get(self.attname)
        if isinstance(stored, SealedValue):
            return base64.b64encode(stored.ciphertext).decode("ascii")
        if stored is None:
            return ""
        raise self._refuse("has unsaved text; save the row before serialising it")

    def _origin_now(self, instance: models.Model) -> Origin:
        owner = getattr(instance, self._owner_attname) if self.owner else None
        return (
            _id(instance.organisation_id),  # type: ignore[attr-defined]
            _id(owner),
            _id(instance.pk),
        )

    @property
    def _owner_attname(self) -> str:
        assert self.owner is not None  # noqa: S101
        return self.model._meta.get_field(self.owner).attname  # type: ignore[union-attr]

    def _remember_origin(self, instance: models.Model, **kwargs: Any) -> None:
        value = instance.__dict__.get(self.attname)
        if isinstance(value, SealedValue) and value.origin is None:
            # Read without loading deferred fields: None marks a part not loaded.
            org = instance.__dict__.get("organisation_id")
            owner = instance.__dict__.get(self._owner_attname) if self.owner else None
            complete = org is not None and (
                not self.owner or self._owner_attname in instance.__dict__
            )
            value.origin = (
                (_id(org), _id(owner), _id(instance.pk))
                if complete
                else (None, None, _id(instance.pk))
            )

    def _complete_origin(self, instance: models.Model, value: SealedValue) -> Origin:
        origin = value.origin or (None, None, _id(instance.pk))
        if origin[0] is not None:
            return origin
        names = ["organisation_id"] + ([self._owner_attname] if self.owner else [])
        row = (
            type(instance)
            ._base_manager.using(instance._state.db or router.db_for_read(type(instance)))
            .filter(pk=origin[2])
            .values_list(*names)
            .first()
        )
        if row is None:  # the row is gone: take the instance's own place
            now = self._origin_now(instance)
            value.origin = (now[0], now[1], origin[2])
        else:
            value.origin = (_id(row[0]), _id(row[1]) if self.owner else None, origin[2])
        return value.origin

    def context_for(self, origin: Origin) -> SealContext | None:
        """The sealing context of a row; None when it has an owner field but no owner."""
        org, owner, row_id = origin
        assert org is not None  # noqa: S101
        user: str | None = None
        if self.owner is not None:
            if owner is None:
                return None
            fk = cast(models.ForeignKey, self.model._meta.get_field(self.owner))
            if fk.related_model is apps.get_model(settings.AUTH_USER_MODEL):
                user = owner
            else:
                person = _membership_people([owner]).get(owner)
                if person is None:
                    return None
                if person[1] != org:
                    raise SealedFieldError(
                        f"{self.model.__name__}.{self.name}: the owner belongs to another organisation"
                    )
                user = person[0]
        return SealContext(org, user, self.model._meta.db_table, self.column, row_id)

    def _open(self, instance: models.Model, value: SealedValue) -> SealedText | None:
        if value._opened is _UNOPENED:
            context = self.context_for(self._complete_origin(instance, value))
            result: str | _Erased = (
                ERASED if context is None else open_text(value.ciphertext, context)
            )
            if result is ERASED and context is not None:
                # A rotation may have re-sealed the row and retired the key we hold.
                fresh = self._read_stored(
                    instance, value.origin[2] if value.origin else _id(instance.pk)
                )
                if fresh is not None and fresh != value.ciphertext:
                    value.ciphertext = fresh
                    result = open_text(fresh, context)
            value._opened = result if result is ERASED else SealedText(cast(str, result))
        return None if value._opened is ERASED else cast(SealedText, value._opened)

    def _read_stored(self, instance: models.Model, row_id: str) -> bytes | None:
        fresh = (
            type(instance)
            ._base_manager.using(instance._state.db or router.db_for_read(type(instance)))
            .filter(pk=row_id)
            .only(self.attname)
            .first()
        )
        stored = None if fresh is None else fresh.__dict__.get(self.attname)
        return stored.ciphertext if isinstance(stored, SealedValue) else None

    def _load_deferred(self, instance: models.Model) -> None:
        names = [self.attname, "organisation"] + ([self.owner] if self.owner else [])
        fresh = (
            type(instance)
            ._base_manager.using(instance._state.db or router.db_for_read(type(instance)))
            .filter(pk=instance.pk)
            .only(*names)
            .get()
        )
        instance.__dict__[self.attname] = fresh.__dict__[self.attname]

    def pre_save(self, model_instance: models.Model, add: bool) -> _SaveValue:
        name = self.attname
        value = model_instance.__dict__.get(name)
        if value is None:
            return _SaveValue(None)
        if model_instance.pk is None:
            raise SealedFieldError(
                f"{self.model.__name__}.{self.name}: the row needs its id before sealing"
            )
        here = self._origin_now(model_instance)
        if isinstance(value, SealedValue):
            origin = self._complete_origin(model_instance, value)
            context = self.context_for(origin)
            if origin == here and context is not None and key_exists(value.ciphertext, context):
                return _SaveValue(value.ciphertext)
            text: str | None = self._open(model_instance, value)
            if text is None:
                # Erased: its key is gone wherever the ciphertext goes, so it stays erased.
                return _SaveValue(value.ciphertext)
        else:
            text = value
        context = self.context_for(here)
        if context is None:
            raise SealedFieldError(
                f"{self.model.__name__}.{self.name}: the row has no owner to seal for"
            )
        sealed = SealedValue(seal_text(text, context), origin=here)
        sealed._opened = text if isinstance(text, SealedText) else SealedText(text)
        model_instance.__dict__[name] = sealed
        return _SaveValue(sealed.ciphertext)

    # --- rotation ---

    def _stored_with_context(
        self, instance: models.Model
    ) -> tuple[SealedValue, SealContext] | None:
        """The value as loaded from the database and what it is bound to; None when the
        row holds no sealed value or its owner is gone."""
        value = instance.__dict__.get(self.attname)
        if not isinstance(value, SealedValue):
            return None
        context = self.context_for(self._complete_origin(instance, value))
        if context is None:
            return None
        return value, context

    def reseal_stored(self, instance: models.Model) -> tuple[bytes, bytes] | None:
        """For rotation: (old, new) ciphertext when the stored value is not under its
        current key; None when it is current, empty or erased."""
        stored = self._stored_with_context(instance)
        if stored is None:
            return None
        value, context = stored
        result = open_text(value.ciphertext, context)
        if result is ERASED:
            return None
        current = current_key(context)
        header = value.header
        if (
            header.kind == current.kind
            and header.version == current.version
            and header.check == current.check
        ):
            return None
        return value.ciphertext, seal_text(cast(str, result), context)

    def replace_stored(self, instance: models.Model, old: bytes, new: bytes) -> bool:
        """Conditional update of one row's ciphertext: True if it still held ``old``."""
        model = type(instance)
        using = instance._state.db or router.db_for_write(model)
        connection = connections[using]
        quote = connection.ops.quote_name
        pk = model._meta.pk
        assert pk is not None  # noqa: S101
        sql = (
            f"UPDATE {quote(model._meta.db_table)} SET {quote(self.column)} = %s "  # noqa: S608 (names from model metadata, quoted)
            f"WHERE {quote(pk.column)} = %s AND {quote(self.column)} = %s"
        )
        params = [
            _binary(connection, new),
            pk.get_db_prep_value(instance.pk, connection),
            _binary(connection, old),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return bool(cursor.rowcount)

    def stored_key(self, instance: models.Model) -> tuple[str, str, str | None, int] | None:
        """For rotation: (kind, organisation, person, version) of the stored value."""
        stored = self._stored_with_context(instance)
        if stored is None:
            return None
        value, context = stored
        header = value.header
        return header.kind, context.organisation_id, context.user_id, header.version


def is_erased(instance: models.Model, field_name: str) -> bool:
    """True when the field held a value whose key was erased (reading it gave None)."""
    field = instance._meta.get_field(field_name)
    if not isinstance(field, SealedField):
        raise TypeError(f"{field_name} is not a sealed field")
    getattr(instance, field.attname)
    value = instance.__dict__.get(field.attname)
    return isinstance(value, SealedValue) and value._opened is ERASED


def sealed_models() -> list[tuple[type[models.Model], list[SealedField]]]:
    """Every installed model with sealed fields, and those fields (for rotation)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, SealedField)]
        if fields:
            found.append((model, fields))
    return found
