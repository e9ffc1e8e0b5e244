"""The keys behind sealing and the audit MACs (DESIGN.md "Sealing", "Audit").

Key hierarchy::

    key file (outside the database, PEERWORK_MASTER_KEY_FILE)
      └─ master key ─ wraps ─ OrganisationKey (one per organisation, versioned)
                                └─ wraps ─ PersonKey (one per person per organisation, versioned)
                                             └─ seals ─ that person's sealed values

Values sealed for the organisation itself (``SealedField(owner=None)``) are sealed with the
organisation key directly.

The key file
------------
UTF-8 JSON, readable by the Peerwork user only (mode 0600)::

    {
      "peerwork_keys": 1,
      "master_keys": [
        {"id": "m20261124-8c1f2a", "key": "<base64 of 32 random bytes>", "created": "…"}
      ],
      "audit_mac_keys": [
        {"id": "a20261124-51be07", "key": "<base64 of 32 random bytes>", "created": "…"}
      ]
    }

``peerwork_keys`` is the format version. In each list the FIRST entry is current: new
organisation keys are wrapped with the first master key and new audit events are MACed with
the first audit key. Later entries are kept so that what they protect can still be opened:
master keys until ``rotate_keys`` has re-wrapped every organisation key (and no backup you
keep still needs them), audit keys for as long as events MACed with them exist (always).
Ids are at most 32 characters. ``python manage.py rotate_keys --new-master-key`` (or
``--new-audit-key``) adds a key at the front. The demo makes the file on first use; in
production a missing or malformed file stops Peerwork with a message saying what is wrong
(never showing key material).

Keys are made on first use. Two processes making the same key at once both try to insert
the same version; the unique constraint lets one win and the other reads the winner's row.

Each process caches unwrapped keys (bounded, for ``CACHE_SECONDS``): so an erasure in one
process stops other processes from opening the erased values within that time.

Erasure (crypto-shredding)
--------------------------
``erase_person`` deletes a person's keys in one organisation, ``erase_organisation`` an
organisation's keys; what was sealed with them can no longer be opened, in the database or
in any backup whose keys are gone. Each erasure is first appended to the erasure journal
(``PEERWORK_ERASURE_JOURNAL_FILE``, outside the database) so that after restoring an older
backup ``python manage.py replay_erasures`` erases again what was erased since.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

if TYPE_CHECKING:
    from .models.keys import OrganisationKey, PersonKey

logger = logging.getLogger(__name__)

KEY_FILE_FORMAT = 1
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_MAX = 32
CHECK_BYTES = 4
CACHE_SECONDS = 60.0
CACHE_ENTRIES = 4096
JOURNAL_FORMAT = 1

OrganisationId = uuid.UUID | str
UserId = uuid.UUID | str


class KeyFileError(ImproperlyConfigured):
    """The key file is missing, unreadable or malformed. Messages never show key material."""


class KeyringError(Exception):
    """A stored key cannot be unwrapped: the key file does not match the database."""


class UnknownKeyId(KeyError):
    """No key with this id in the key file (an audit key or master key was removed)."""


def _models() -> ModuleType:
    """The key tables, imported late so that ``python -m peerwork.core.keyring new`` runs
    before Django is set up (production settings refuse to load without a key file)."""
    from .models import keys

    return keys


# --- the key file ---------------------------------------------------------------------


@dataclass(frozen=True)
class KeyEntry:
    id: str
    key: bytes = field(repr=False)
    created: str = ""


@dataclass(frozen=True)
class KeyFile:
    path: Path
    master_keys: tuple[KeyEntry, ...]
    audit_mac_keys: tuple[KeyEntry, ...]

    @property
    def current_master(self) -> KeyEntry:
        return self.master_keys[0]

    def master(self, key_id: str) -> KeyEntry:
        for entry in self.master_keys:
            if entry.id == key_id:
                return entry
        raise UnknownKeyId(key_id)


_file_lock = threading.Lock()
_file_cache: dict[Path, tuple[tuple[int, int, int], KeyFile]] = {}


def key_file_path() -> Path:
    return Path(settings.PEERWORK_MASTER_KEY_FILE)


def _new_entry(prefix: str) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "id": f"{prefix}{now:%Y%m%d}-{secrets.token_hex(3)}",
        "key": base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii"),
        "created": now.isoformat(timespec="seconds"),
    }


def _new_key_file_data() -> dict[str, Any]:
    return {
        "peerwork_keys": KEY_FILE_FORMAT,
        "master_keys": [_new_entry("m")],
        "audit_mac_keys": [_new_entry("a")],
    }


def _serialise(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def create_key_file(path: Path) -> bool:
    """Write a new key file at ``path`` (mode 0600) unless one exists; True if written.

    The file is written aside and linked into place, so a second process racing to create
    it either wins or finds a complete file, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_serialise(_new_key_file_data()))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _parse_entries(raw: Any, name: str, problem: Any) -> tuple[KeyEntry, ...]:
    if not isinstance(raw, list) or not raw:
        raise problem(f'"{name}" must be a non-empty list (current key first)')
    entries: list[KeyEntry] = []
    for number, item in enumerate(raw, start=1):
        where = f'"{name}" entry {number}'
        if not isinstance(item, dict):
            raise problem(f"{where} must be an object with id and key")
        key_id, encoded = item.get("id"), item.get("key")
        if not isinstance(key_id, str) or not 0 < len(key_id) <= KEY_ID_MAX:
            raise problem(f"{where}: id must be text of 1 to {KEY_ID_MAX} characters")
        if not isinstance(encoded, str):
            raise problem(f"{where} ({key_id}): key must be base64 text")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise problem(f"{where} ({key_id}): key is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise problem(f"{where} ({key_id}): key must be {KEY_BYTES} bytes")
        if any(e.id == key_id for e in entries):
            raise problem(f'"{name}" has id {key_id} twice')
        entries.append(KeyEntry(id=key_id, key=key, created=str(item.get("created", ""))))
    return tuple(entries)


def parse_key_file(path: Path, content: bytes) -> KeyFile:
    def problem(message: str) -> KeyFileError:
        return KeyFileError(f"PEERWORK_MASTER_KEY_FILE={str(path)!r} is malformed: {message}")

    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        # The parser's message may quote the file's content, which is key material.
        raise problem("it is not UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise problem("expected a JSON object")
    if data.get("peerwork_keys") != KEY_FILE_FORMAT:
        raise problem(f'"peerwork_keys" must be {KEY_FILE_FORMAT} (the format version)')
    return KeyFile(
        path=path,
        master_keys=_parse_entries(data.get("master_keys"), "master_keys", problem),
        audit_mac_keys=_parse_entries(data.get("audit_mac_keys"), "audit_mac_keys", problem),
    )


def load_key_file() -> KeyFile:
    """The key file, read again whenever it changes on disk (after a key is added)."""
    path = key_file_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        if not settings.DEMO:
            raise KeyFileError(
                f"PEERWORK_MASTER_KEY_FILE={str(path)!r} does not exist. Restore it from your "
                "key backup (see docs/operations.md); without it nothing sealed can be opened."
            ) from None
        if create_key_file(path):
            logger.warning("Created a new demo key file at %s", path)
        stat = path.stat()
    except OSError as exc:
        raise KeyFileError(f"PEERWORK_MASTER_KEY_FILE={str(path)!r} cannot be read: {exc}") from exc
    signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _file_lock:
        cached = _file_cache.get(path)
        if cached and cached[0] == signature:
            return cached[1]
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"PEERWORK_MASTER_KEY_FILE={str(path)!r} cannot be read: {exc}") from exc
    parsed = parse_key_file(path, content)
    with _file_lock:
        _file_cache[path] = (signature, parsed)
    return parsed


def _add_key(list_name: str, prefix: str, path: Path | None = None) -> str:
    """Put a new key first in one list of the key file; returns its id.

    The file is replaced whole (written aside, then renamed), keeping its owner, group and
    mode, so a reader never sees half a file.
    """
    path = path or key_file_path()
    before = path.stat()
    parse_key_file(path, path.read_bytes())  # fails loudly on a malformed file first
    data = json.loads(path.read_text(encoding="utf-8"))
    entry = _new_entry(prefix)
    data[list_name] = [entry, *data[list_name]]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_serialise(data))
            handle.flush()
            os.fsync(handle.fileno())
        if (before.st_uid, before.st_gid) != (os.getuid(), os.getgid()):
            os.chown(tmp, before.st_uid, before.st_gid)
        os.chmod(tmp, stat.S_IMODE(before.st_mode))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return entry["id"]


def add_master_key(path: Path | None = None) -> str:
    """Put a new master key first in the key file; returns its id. Old ones stay.

    Processes that read a copy of the file (systemd credentials) see it once restarted;
    re-wrap (``rotate_keys``) only after that.
    """
    return _add_key("master_keys", "m", path)


def add_audit_mac_key(path: Path | None = None) -> str:
    """Put a new audit MAC key first in the key file; returns its id. Old ones stay."""
    return _add_key("audit_mac_keys", "a", path)


def audit_mac_key() -> tuple[str, bytes]:
    """The current audit MAC key: ``(key_id, key)``. Store the id with each event."""
    entry = load_key_file().audit_mac_keys[0]
    return entry.id, entry.key


def audit_mac_key_by_id(key_id: str) -> bytes:
    """The audit MAC key with this id; raises ``UnknownKeyId`` if the file lacks it."""
    for entry in load_key_file().audit_mac_keys:
        if entry.id == key_id:
            return entry.key
    raise UnknownKeyId(key_id)


# --- wrapping ---------------------------------------------------------------------------


def encrypt(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """AES-256-GCM with a random nonce; returns nonce + ciphertext + tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def decrypt(key: bytes, sealed: bytes, associated: bytes) -> bytes:
    """Inverse of ``encrypt``; raises ``cryptography.exceptions.InvalidTag`` on any change."""
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)


def key_check(key: bytes) -> bytes:
    """A short public fingerprint of a data key, carried in each sealed value's header.

    It tells "this value was sealed with an erased key and a new key now has the same
    version" (reads as erased) from "this value was altered or moved" (an error).
    """
    return hmac.new(key, b"peerwork key check v1", hashlib.sha256).digest()[:CHECK_BYTES]


def canonical_id(value: uuid.UUID | str) -> str:
    """An id in one spelling (lower case, with dashes): keys and sealed values are bound to
    ids as text, so ``"ABCD…"`` and ``"abcd…"`` must not make two different places."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _org_key_ad(organisation_id: OrganisationId, version: int) -> bytes:
    return f"peerwork organisation key\0{organisation_id}\0{version}".encode()


def _person_key_ad(organisation_id: OrganisationId, user_id: UserId, version: int) -> bytes:
    return f"peerwork person key\0{organisation_id}\0{user_id}\0{version}".encode()


@dataclass(frozen=True)
class DataKey:
    """An unwrapped key: an organisation's (``user_id`` None) or a person's."""

    organisation_id: str
    user_id: str | None
    version: int
    key: bytes = field(repr=False)
    created_at: datetime | None = None

    @property
    def kind(self) -> str:
        return "o" if self.user_id is None else "p"

    @property
    def check(self) -> bytes:
        return key_check(self.key)


# --- the process cache ------------------------------------------------------------------

CacheKey = tuple[
    str, str, str | None, int | None
]  # kind, organisation, user, version (None: current)


class _KeyCache:
    """Bounded, time-limited cache of unwrapped keys, safe across threads.

    Keys this process created inside a transaction are cached only once it commits: a
    rolled-back key must not be used, because another process may then make a different
    key with the same version.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[CacheKey, tuple[float, DataKey]] = OrderedDict()
        self._uncommitted: dict[CacheKey, bytes] = {}

    def get(self, key: CacheKey) -> DataKey | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            if hit[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return hit[1]

    def put(self, key: CacheKey, value: DataKey) -> None:
        with self._lock:
            pending = self._uncommitted.get(key)
            if pending is not None:
                if pending == value.check:
                    return  # our own uncommitted row: wait for the commit
                del self._uncommitted[key]  # ours was rolled back; this row is committed
            self._entries[key] = (time.monotonic() + CACHE_SECONDS, value)
            self._entries.move_to_end(key)
            while len(self._entries) > CACHE_ENTRIES:
                self._entries.popitem(last=False)

    def created(self, keys: Iterable[CacheKey], value: DataKey) -> None:
        keys = list(keys)
        with self._lock:
            for key in keys:
                self._uncommitted[key] = value.check

        def committed() -> None:
            with self._lock:
                for key in keys:
                    self._uncommitted.pop(key, None)
            for key in keys:
                self.put(key, value)

        transaction.on_commit(committed)

    def forget(self, organisation_id: str | None = None, user_id: str | None = None) -> None:
        with self._lock:
            if organisation_id is None:
                self._entries.clear()
                self._uncommitted.clear()
                return
            for store in (self._entries, self._uncommitted):
                for key in [k for k in store if k[1] == organisation_id]:
                    if user_id is None or key[2] == user_id:
                        del store[key]


_cache = _KeyCache()


def forget_cached_keys() -> None:
    """Drop every cached key of this process (tests; after restoring a backup)."""
    _cache.forget()
    with _file_lock:
        _file_cache.clear()


# --- organisation keys --------------------------------------------------------------------


def _unwrap_organisation_key(row: OrganisationKey) -> DataKey:
    organisation_id = str(row.organisation_id)
    try:
        master = load_key_file().master(row.master_key_id)
    except UnknownKeyId:
        raise KeyringError(
            f"Organisation key {organisation_id} v{row.version} is wrapped by master key "
            f"{row.master_key_id}, which the key file no longer holds. Put that key back "
            "(from your key backup) and run rotate_keys before removing it."
        ) from None
    try:
        key = decrypt(master.key, bytes(row.wrapped), _org_key_ad(organisation_id, row.version))
    except InvalidTag:
        raise KeyringError(
            f"Organisation key {organisation_id} v{row.version} does not open with master key "
            f"{master.id}: the key file does not belong to this database."
        ) from None
    return DataKey(organisation_id, None, row.version, key, row.created_at)


def organisation_key(organisation_id: OrganisationId, version: int) -> DataKey | None:
    """An organisation's key of this version, or None if it was erased or retired."""
    org = canonical_id(organisation_id)
    cache_key: CacheKey = ("o", org, None, version)
    cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    row = _models().OrganisationKey.objects.filter(organisation_id=org, version=version).first()
    if row is None:
        return None
    key = _unwrap_organisation_key(row)
    _cache.put(cache_key, key)
    return key


def _latest_organisation_key(org: str) -> DataKey | None:
    row = _models().OrganisationKey.objects.filter(organisation_id=org).order_by("-version").first()
    return None if row is None else _unwrap_organisation_key(row)


def _insert_organisation_key(org: str, version: int) -> DataKey | None:
    """Insert a new key of this version; None if another process inserted it first."""
    master = load_key_file().current_master
    key = secrets.token_bytes(KEY_BYTES)
    try:
        with transaction.atomic():
            row = _models().OrganisationKey.objects.create(
                organisation_id=org,
                version=version,
                master_key_id=master.id,
                wrapped=encrypt(master.key, key, _org_key_ad(org, version)),
            )
    except IntegrityError:
        return None
    made = DataKey(org, None, version, key, row.created_at)
    _cache.created([("o", org, None, version), ("o", org, None, None)], made)
    return made


def current_organisation_key(organisation_id: OrganisationId) -> DataKey:
    """The organisation's newest key, made on first use."""
    org = canonical_id(organisation_id)
    cached = _cache.get(("o", org, None, None))
    if cached is not None:
        return cached
    for _attempt in range(5):
        latest = _latest_organisation_key(org)
        if latest is None:
            latest = _insert_organisation_key(org, 1)
        if latest is not None:
            _cache.put(("o", org, None, None), latest)
            _cache.put(("o", org, None, latest.version), latest)
            return latest
    raise KeyringError(f"Could not make a key for organisation {org}")  # pragma: no cover


def new_organisation_key_version(organisation_id: OrganisationId) -> DataKey:
    """Make the organisation's next key version (rotation); returns the newest key."""
    org = canonical_id(organisation_id)
    latest = _latest_organisation_key(org)
    made = _insert_organisation_key(org, (latest.version if latest else 0) + 1)
    if made is None:
        _cache.forget(org, None)
    result = made or _latest_organisation_key(org)
    assert result is not None  # noqa: S101  (a competing process made it)
    return result


# --- person keys --------------------------------------------------------------------------


def _unwrap_person_key(row: PersonKey) -> DataKey:
    org, user = str(row.organisation_id), str(row.user_id)
    wrapping = organisation_key(org, row.organisation_key_version)
    if wrapping is None:
        raise KeyringError(
            f"Person key {org}/{user} v{row.version} is wrapped by organisation key "
            f"v{row.organisation_key_version}, which no longer exists."
        )
    try:
        key = decrypt(wrapping.key, bytes(row.wrapped), _person_key_ad(org, user, row.version))
    except InvalidTag:
        raise KeyringError(
            f"Person key {org}/{user} v{row.version} does not open with its organisation key."
        ) from None
    return DataKey(org, user, row.version, key, row.created_at)


def person_key(organisation_id: OrganisationId, user_id: UserId, version: int) -> DataKey | None:
    """A person's key of this version, or None if it was erased or retired."""
    org, user = canonical_id(organisation_id), canonical_id(user_id)
    cache_key: CacheKey = ("p", org, user, version)
    cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    row = (
        _models()
        .PersonKey.objects.filter(organisation_id=org, user_id=user, version=version)
        .first()
    )
    if row is None:
        return None
    key = _unwrap_person_key(row)
    _cache.put(cache_key, key)
    return key


def _latest_person_key(org: str, user: str) -> DataKey | None:
    row = (
        _models()
        .PersonKey.objects.filter(organisation_id=org, user_id=user)
        .order_by("-version")
        .first()
    )
    return None if row is None else _unwrap_person_key(row)


def _insert_person_key(org: str, user: str, version: int) -> DataKey | None:
    wrapping = current_organisation_key(org)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        with transaction.atomic():
            row = _models().PersonKey.objects.create(
                organisation_id=org,
                user_id=user,
                version=version,
                organisation_key_version=wrapping.version,
                wrapped=encrypt(wrapping.key, key, _person_key_ad(org, user, version)),
            )
    except IntegrityError:
        return None
    made = DataKey(org, user, version, key, row.created_at)
    _cache.created([("p", org, user, version), ("p", org, user, None)], made)
    return made


def current_person_key(organisation_id: OrganisationId, user_id: UserId) -> DataKey:
    """The person's newest key in this organisation, made on first use."""
    org, user = canonical_id(organisation_id), canonical_id(user_id)
    cached = _cache.get(("p", org, user, None))
    if cached is not None:
        return cached
    for _attempt in range(5):
        latest = _latest_person_key(org, user)
        if latest is None:
            latest = _insert_person_key(org, user, 1)
        if latest is not None:
            _cache.put(("p", org, user, None), latest)
            _cache.put(("p", org, user, latest.version), latest)
            return latest
    raise KeyringError(f"Could not make a key for person {org}/{user}")  # pragma: no cover


def new_person_key_version(organisation_id: OrganisationId, user_id: UserId) -> DataKey:
    """Make the person's next key version (rotation); returns the newest key."""
    org, user = canonical_id(organisation_id), canonical_id(user_id)
    latest = _latest_person_key(org, user)
    made = _insert_person_key(org, user, (latest.version if latest else 0) + 1)
    if made is None:
        _cache.forget(org, user)
    result = made or _latest_person_key(org, user)
    assert result is not None  # noqa: S101  (a competing process made it)
    return result


def rewrap_person_key(row: PersonKey, wrapping: DataKey) -> bool:
    """Re-wrap one person key under ``wrapping`` (a newer organisation key).

    A conditional update: False if another process changed the row first.
    """
    unwrapped = _unwrap_person_key(row)
    wrapped = encrypt(
        wrapping.key, unwrapped.key, _person_key_ad(row.organisation_id, row.user_id, row.version)
    )
    return bool(
        _models()
        .PersonKey.objects.filter(pk=row.pk, organisation_key_version=row.organisation_key_version)
        .update(organisation_key_version=wrapping.version, wrapped=wrapped)
    )


def rewrap_organisation_key(row: OrganisationKey, master: KeyEntry) -> bool:
    """Re-wrap one organisation key under ``master``; False if another process did first."""
    unwrapped = _unwrap_organisation_key(row)
    wrapped = encrypt(master.key, unwrapped.key, _org_key_ad(row.organisation_id, row.version))
    return bool(
        _models()
        .OrganisationKey.objects.filter(pk=row.pk, master_key_id=row.master_key_id)
        .update(master_key_id=master.id, wrapped=wrapped)
    )


# --- erasure ------------------------------------------------------------------------------


def journal_path() -> Path:
    return Path(settings.PEERWORK_ERASURE_JOURNAL_FILE)


def _append_journal(entry: dict[str, Any]) -> None:
    """Append one line and wait for the disk: the erasure must outlive a crash."""
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def _delete_person_keys(org: str, user: str, before: datetime) -> int:
    deleted, _ = (
        _models()
        .PersonKey.objects.filter(organisation_id=org, user_id=user, created_at__lte=before)
        .delete()
    )
    _forget_now_and_on_commit(org, user)
    return deleted


def _delete_organisation_keys(org: str, before: datetime) -> int:
    people, _ = (
        _models().PersonKey.objects.filter(organisation_id=org, created_at__lte=before).delete()
    )
    organisation, _ = (
        _models()
        .OrganisationKey.objects.filter(organisation_id=org, created_at__lte=before)
        .delete()
    )
    _forget_now_and_on_commit(org, None)
    return people + organisation


def _forget_now_and_on_commit(org: str, user: str | None) -> None:
    # Again on commit: until then another thread may still read (and cache) the rows.
    _cache.forget(org, user)
    transaction.on_commit(lambda: _cache.forget(org, user))


def erase_person(
    organisation_id: OrganisationId, user_id: UserId, *, now: datetime | None = None
) -> int:
    """Crypto-shred a person in one organisation: delete their keys; returns how many.

    Everything sealed for them there (in the database and in backups, once replayed) can no
    longer be opened; reading it gives ``None`` (see ``peerwork.core.sealing``). The journal
    line is written first, so a crash between the two leaves a line whose replay finishes
    the erasure. Call it as the last step of an erasure, or on commit: a journal line
    cannot be taken back by a rollback. Keys made after ``now`` (the person came back) are
    kept, here and in every replay.
    """
    org, user = canonical_id(organisation_id), canonical_id(user_id)
    now = now or timezone.now()
    _append_journal(
        {
            "v": JOURNAL_FORMAT,
            "at": now.isoformat(),
            "erase": "person",
            "organisation": org,
            "user": user,
        }
    )
    return _delete_person_keys(org, user, now)


def erase_organisation(organisation_id: OrganisationId, *, now: datetime | None = None) -> int:
    """Crypto-shred an organisation: delete its key and all its people's keys."""
    org = canonical_id(organisation_id)
    now = now or timezone.now()
    _append_journal(
        {"v": JOURNAL_FORMAT, "at": now.isoformat(), "erase": "organisation", "organisation": org}
    )
    return _delete_organisation_keys(org, now)


@dataclass(frozen=True)
class JournalEntry:
    line: int
    at: datetime
    organisation_id: str
    user_id: str | None


class JournalError(Exception):
    """The erasure journal has a line that cannot be read."""


def read_journal(path: Path) -> Iterator[JournalEntry]:
    """The journal's erasures in order.

    A last line without its newline is a write that a crash cut short; its erasure never
    ran (the journal is written first), so it is skipped with a warning. Any other bad line
    stops the replay before anything is erased, naming the line.
    """
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    entries: list[JournalEntry] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entries.append(_parse_journal_line(number, line))
        except (ValueError, KeyError, TypeError) as exc:
            if number == len(lines) and not raw.endswith(b"\n"):
                logger.warning("Erasure journal %s: skipped an unfinished last line", path)
                continue
            raise JournalError(f"{path}: line {number} cannot be read ({exc})") from None
    yield from entries


def _parse_journal_line(number: int, line: bytes) -> JournalEntry:
    data = json.loads(line.decode("utf-8"))
    if data.get("v") != JOURNAL_FORMAT:
        raise ValueError(f"unknown format {data.get('v')!r}")
    at = datetime.fromisoformat(data["at"])
    if at.tzinfo is None:
        raise ValueError("time without time zone")
    org = str(uuid.UUID(data["organisation"]))
    if data["erase"] == "person":
        return JournalEntry(number, at, org, str(uuid.UUID(data["user"])))
    if data["erase"] == "organisation":
        return JournalEntry(number, at, org, None)
    raise ValueError(f"unknown erasure {data['erase']!r}")


@dataclass
class ReplayResult:
    erasures: int = 0
    keys_deleted: int = 0


def replay_erasures(path: Path | None = None) -> ReplayResult:
    """Erase again everything the journal lists (after restoring a backup). Idempotent."""
    path = path or journal_path()
    result = ReplayResult()
    entries = list(read_journal(path))  # all lines read before anything is erased
    for entry in entries:
        with transaction.atomic():
            if entry.user_id is None:
                deleted = _delete_organisation_keys(entry.organisation_id, entry.at)
            else:
                deleted = _delete_person_keys(entry.organisation_id, entry.user_id, entry.at)
        result.erasures += 1
        result.keys_deleted += deleted
    return result


# --- rotation helpers ---------------------------------------------------------------------


def newest_versions() -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """The newest organisation and person key version of each, from the database."""
    orgs = {
        str(row["organisation_id"]): row["newest"]
        for row in _models()
        .OrganisationKey.objects.values("organisation_id")
        .annotate(newest=Max("version"))
    }
    people = {
        (str(row["organisation_id"]), str(row["user_id"])): row["newest"]
        for row in _models()
        .PersonKey.objects.values("organisation_id", "user_id")
        .annotate(newest=Max("version"))
    }
    return orgs, people


# --- making the first key file --------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m peerwork.core.keyring new|add-master-key|add-audit-key PATH``.

    ``new`` writes a new key file (mode 0600) and never overwrites one; the others put a
    new key first in an existing file. It runs without Django settings (production settings
    refuse to load until the key file exists), as root for a file the service cannot write.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m peerwork.core.keyring",
        description="Make Peerwork's key file (see docs/operations.md).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="write a new key file; an existing file is kept")
    new.add_argument("path", type=Path)
    for name, what in (("add-master-key", "master key"), ("add-audit-key", "audit MAC key")):
        add = commands.add_parser(name, help=f"put a new {what} first in the key file")
        add.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.command != "new":
        try:
            if args.command == "add-master-key":
                key_id = add_master_key(args.path)
            else:
                key_id = add_audit_mac_key(args.path)
        except (OSError, KeyFileError) as exc:
            print(f"{args.path}: {exc}", file=sys.stderr)
            return 1
        print(
            f"Added key {key_id} first in {args.path}; the older keys stay. Restart Peerwork's "
            "services so they read it, then run `manage.py rotate_keys`."
        )
        return 0
    if not create_key_file(args.path):
        print(f"{args.path} exists already; it was not changed.", file=sys.stderr)
        return 1
    print(
        f"Wrote a new key file to {args.path} (mode 0600). Back it up now, apart from database backups."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
