"""The tamper-evident audit chain (DESIGN.md "Audit").

Every organisation has one append-only chain of ``AuditEvent`` rows. Each event's MAC is
HMAC-SHA-256 over a canonical encoding of its content and the previous event's MAC, keyed by a
per-organisation key derived (HKDF) from the audit MAC key in the key file
(``peerwork.core.keyring``), which never enters the database. Someone who can write to the
database but does not hold the key file cannot edit, insert, delete or re-chain events
without ``verify_audit`` noticing; someone who also holds the key is caught by the head
digests written outside the database (``settings.PEERWORK_AUDIT_HEAD_FILE``).

Events carry opaque ids only (UUIDs, role codes, action names), never personal content, so
erasing a person never breaks a chain: ``record`` refuses anything else.

- ``record`` is for writes: it joins the caller's transaction, so the event rolls back with
  the write it describes.
- ``record_read`` is for reads of disclosed, private or confidential data: it commits in its
  own short transaction, so the record of a read survives whatever happens to the request
  afterwards (a rolled-back request still showed the data). Calling it inside an open
  transaction is a programming error and raises.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from .access import DataClass
from .models import AuditEvent, AuditHead, Membership, Organisation

logger = logging.getLogger("peerwork.audit")

# The MAC of "no previous event": the first event of every chain links to it.
GENESIS = ""

# Short codes: action names ("disclosure.read"), record kinds ("people.disclosure"), role
# codes, states. Lower case, no spaces and no "@", so names, sentences, email addresses and
# phone numbers ("+254…") do not fit.
_CODE = re.compile(r"^[a-z][a-z0-9_.:-]{0,63}$")
_DETAIL_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_MAX_DETAIL_KEYS = 16
_MAX_DETAIL_LIST = 32
_MAX_DETAIL_INT = 2**53  # exact in JSON everywhere, so the canonical encoding round-trips

_SENSITIVE_READS = frozenset({DataClass.DISCLOSED, DataClass.PRIVATE, DataClass.CONFIDENTIAL})


class AuditDetailRefused(ValueError):
    """An event was given something other than opaque ids and short codes."""


# --- keys and the canonical encoding -------------------------------------------------


def _organisation_key(master: bytes, organisation_id: uuid.UUID) -> bytes:
    """One MAC key per organisation, so one organisation's chain says nothing of another's."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"peerwork audit chain v1",
        info=organisation_id.bytes,
    ).derive(master)


def _current_key(organisation_id: uuid.UUID) -> tuple[str, bytes]:
    from . import keyring

    key_id, master = keyring.audit_mac_key()
    return key_id, _organisation_key(master, organisation_id)


def _key_by_id(key_id: str, organisation_id: uuid.UUID) -> bytes | None:
    """The organisation key for ``key_id``, or None when the key file does not hold it."""
    from . import keyring

    try:
        master = keyring.audit_mac_key_by_id(key_id)
    except (KeyError, LookupError, ValueError):
        return None
    return _organisation_key(master, organisation_id)


def _timestamp(at: datetime) -> str:
    # Microseconds survive both SQLite and PostgreSQL, so the encoding round-trips.
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def canonical(event: AuditEvent, *, seq: int | None = None) -> bytes:
    """The bytes an event's MAC covers: every column but the MAC itself.

    ``seq`` overrides the stored number (``verify_audit`` uses it to recognise events that
    were renumbered to make room for an insertion or to hide a deletion).
    """
    payload = {
        "v": 1,
        "id": str(event.id),
        "organisation": str(event.organisation_id),
        "seq": event.seq if seq is None else seq,
        "at": _timestamp(event.at),
        "kind": event.kind,
        "actor": _str_or_none(event.actor_id),
        "action": event.action,
        "object_type": event.object_type,
        "object_id": _str_or_none(event.object_id),
        "subject": _str_or_none(event.subject_id),
        "data_class": event.data_class,
        "detail": event.detail,
        "key_id": event.key_id,
        "prev_mac": event.prev_mac,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def compute_mac(key: bytes, event: AuditEvent, *, seq: int | None = None) -> str:
    return hmac.new(key, canonical(event, seq=seq), hashlib.sha256).hexdigest()


# --- validation ----------------------------------------------------------------------


def _check_code(name: str, value: object, *, blank: bool = False) -> str:
    if blank and value == "":
        return ""
    if not isinstance(value, str) or not _CODE.match(value):
        raise AuditDetailRefused(f"{name} must be a short lower-case code, got {value!r}")
    return value


def _check_uuid(name: str, value: object) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise AuditDetailRefused(f"{name} must be a UUID") from None


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _check_scalar(key: str, value: object) -> object:
    # bool before int: bool is an int in Python.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) >= _MAX_DETAIL_INT:
            raise AuditDetailRefused(f"detail[{key!r}]: number out of range")
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str) and (_is_uuid(value) or _CODE.match(value)):
        return value.lower() if _is_uuid(value) else value
    # Say what was refused without repeating it: it may be the personal content itself.
    raise AuditDetailRefused(
        f"detail[{key!r}]: only UUIDs, short lower-case codes, whole numbers and true/false "
        f"may go into an audit event (got a {type(value).__name__})"
    )


def clean_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """The detail as stored, or ``AuditDetailRefused`` for anything but opaque values."""
    if detail is None:
        return {}
    if not isinstance(detail, dict):
        raise AuditDetailRefused("detail must be a dict")
    if len(detail) > _MAX_DETAIL_KEYS:
        raise AuditDetailRefused(f"detail may hold at most {_MAX_DETAIL_KEYS} entries")
    cleaned: dict[str, Any] = {}
    for key, value in detail.items():
        if not isinstance(key, str) or not _DETAIL_KEY.match(key):
            raise AuditDetailRefused("detail keys must be short lower-case names")
        if isinstance(value, list | tuple):
            if len(value) > _MAX_DETAIL_LIST:
                raise AuditDetailRefused(f"detail[{key!r}]: list too long")
            cleaned[key] = [_check_scalar(key, item) for item in value]
        else:
            cleaned[key] = _check_scalar(key, value)
    return cleaned


def _organisation_of(
    actor: Membership | None, subject: Membership | None, organisation: Organisation | None
) -> uuid.UUID:
    ids = {m.organisation_id for m in (actor, subject) if m is not None} | (
        {organisation.pk} if organisation is not None else set()
    )
    if not ids:
        raise ValueError("an audit event needs an actor, a subject or an organisation")
    if len(ids) > 1:
        raise ValueError("an audit event belongs to exactly one organisation")
    return ids.pop()


# --- appending -----------------------------------------------------------------------


def _lock_head(organisation_id: uuid.UUID) -> AuditHead:
    """The organisation's head row, locked until the transaction ends.

    On PostgreSQL ``select_for_update`` makes appenders queue; on SQLite every transaction
    begins IMMEDIATE (settings), which already lets one writer in at a time. The first
    event of an organisation creates the row; ``INSERT … ON CONFLICT DO NOTHING`` lets two
    first events race without either failing.
    """
    head = AuditHead.objects.select_for_update().filter(organisation_id=organisation_id).first()
    if head is None:
        AuditHead.objects.bulk_create(
            [AuditHead(organisation_id=organisation_id)], ignore_conflicts=True
        )
        head = AuditHead.objects.select_for_update().get(organisation_id=organisation_id)
    return head


def _append(
    *,
    kind: str,
    actor: Membership | None,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str | None,
    subject: Membership | None,
    data_class: str,
    detail: dict[str, Any] | None,
    organisation: Organisation | None,
) -> AuditEvent:
    organisation_id = _organisation_of(actor, subject, organisation)
    action = _check_code("action", action)
    object_type = _check_code("object_type", object_type, blank=True)
    object_uuid = _check_uuid("object_id", object_id)
    if data_class:
        data_class = DataClass(data_class).value
    cleaned = clean_detail(detail)

    with transaction.atomic():
        head = _lock_head(organisation_id)
        key_id, key = _current_key(organisation_id)
        event = AuditEvent(
            organisation_id=organisation_id,
            seq=head.seq + 1,
            at=timezone.now(),
            kind=kind,
            actor_id=actor.pk if actor is not None else None,
            action=action,
            object_type=object_type,
            object_id=object_uuid,
            subject_id=subject.pk if subject is not None else None,
            data_class=data_class,
            detail=cleaned,
            key_id=key_id,
            prev_mac=head.mac,
        )
        event.mac = compute_mac(key, event)
        event.save(force_insert=True)
        # Conditional on the number we read: under the lock it always matches; if the lock
        # ever failed, this (and the unique (organisation, seq)) refuses a forked chain.
        moved = AuditHead.objects.filter(organisation_id=organisation_id, seq=head.seq).update(
            seq=event.seq, mac=event.mac, updated_at=event.at
        )
        if moved != 1:
            raise RuntimeError("the audit chain head moved while it was locked")
        transaction.on_commit(
            partial(write_head_line, organisation_id=organisation_id, seq=event.seq, mac=event.mac)
        )
    return event


def record(
    *,
    actor: Membership | None,
    action: str,
    object_type: str = "",
    object_id: uuid.UUID | str | None = None,
    subject: Membership | None = None,
    data_class: str = "",
    detail: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
) -> AuditEvent:
    """Append an event to the organisation's chain, inside the caller's transaction.

    For writes: call it in the same ``transaction.atomic`` block as the change it
    describes, so both commit or neither does. ``actor`` and ``subject`` are memberships
    (their ids are stored, never their names); ``organisation`` is needed only when there is
    neither, e.g. the instance operator acting on an organisation. ``detail`` holds only
    UUIDs, short lower-case codes, whole numbers and booleans (or short lists of them);
    anything else raises ``AuditDetailRefused``.
    """
    return _append(
        kind=AuditEvent.Kind.WRITE,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        subject=subject,
        data_class=data_class,
        detail=detail,
        organisation=organisation,
    )


def record_read(
    *,
    actor: Membership | None,
    action: str,
    object_type: str = "",
    object_id: uuid.UUID | str | None = None,
    subject: Membership | None = None,
    data_class: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that ``actor`` read ``subject``'s disclosed, private or confidential data.

    Committed in its own short transaction before the data is shown, so it survives a
    request that later rolls back. ``transaction.atomic(durable=True)`` makes a call from
    inside an open transaction raise ``RuntimeError`` instead of silently joining it
    (docs/decisions.md).
    """
    if subject is None:
        raise ValueError("a read is of someone's data: name the subject")
    if data_class not in _SENSITIVE_READS:
        raise ValueError("record_read is for disclosed, private or confidential data")
    with transaction.atomic(durable=True):
        return _append(
            kind=AuditEvent.Kind.READ,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            subject=subject,
            data_class=data_class,
            detail=detail,
            organisation=None,
        )


def record_reads(reads: Iterable[dict[str, Any]]) -> list[AuditEvent]:
    """Several reads shown together (one page), each as ``record_read`` would write it, in
    one short transaction of their own: a page showing five answers pays for one commit.
    Each item holds ``record_read``'s keyword arguments."""
    reads = list(reads)
    for read in reads:
        if read.get("subject") is None:
            raise ValueError("a read is of someone's data: name the subject")
        if read.get("data_class") not in _SENSITIVE_READS:
            raise ValueError("record_reads is for disclosed, private or confidential data")
    if not reads:
        return []
    with transaction.atomic(durable=True):
        return [
            _append(
                kind=AuditEvent.Kind.READ,
                organisation=None,
                **{"object_type": "", "object_id": None, "detail": None, **read},
            )
            for read in reads
        ]


def events_about(subject: Membership) -> QuerySet[AuditEvent]:
    """Reads of ``subject``'s data, newest first, for their "who saw my data" page.

    Owner only: the caller checks access. Runs in the caller's organisation scope.
    """
    return AuditEvent.objects.filter(
        organisation_id=subject.organisation_id,
        subject_id=subject.pk,
        kind=AuditEvent.Kind.READ,
    ).order_by("-at", "-seq")


# --- heads outside the database ------------------------------------------------------


def head_line(*, organisation_id: uuid.UUID, seq: int, mac: str, at: datetime | None = None) -> str:
    """One line of the head file: ``<time> <organisation id> <seq> <mac>``."""
    return f"{_timestamp(at or timezone.now())} {organisation_id} {seq} {mac}\n"


def write_head_line(*, organisation_id: uuid.UUID, seq: int, mac: str) -> None:
    """Append a chain head to the head file, after commit.

    One ``write`` on an ``O_APPEND`` descriptor, so lines from several processes never
    interleave. A failure is logged, not raised: the event is already committed, and a
    missing line weakens only the truncation check, which ``verify_audit`` says.
    """
    path = Path(settings.PEERWORK_AUDIT_HEAD_FILE)
    line = head_line(organisation_id=organisation_id, seq=seq, mac=mac).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError:
        logger.exception("could not append the audit head to %s", path)


@dataclass
class FileHead:
    seq: int
    mac: str
    conflicting: bool = False  # two lines name this number with different MACs


@dataclass
class HeadFile:
    heads: dict[uuid.UUID, FileHead] = field(default_factory=dict)
    malformed: int = 0


def read_head_file(lines: Iterable[str]) -> HeadFile:
    """The newest head per organisation from head-file lines (any order, any number)."""
    result = HeadFile()
    for raw in lines:
        parts = raw.split()
        if not parts or parts[0].startswith("#"):
            continue
        try:
            organisation_id = uuid.UUID(parts[1])
            seq = int(parts[2])
            mac = parts[3]
        except (IndexError, ValueError):
            result.malformed += 1
            continue
        if seq < 1 or not re.fullmatch(r"[0-9a-f]{64}", mac):
            result.malformed += 1
            continue
        known = result.heads.get(organisation_id)
        if known is None or seq > known.seq:
            result.heads[organisation_id] = FileHead(seq, mac)
        elif seq == known.seq and mac != known.mac:
            known.conflicting = True
    return result


# --- verification --------------------------------------------------------------------


@dataclass
class ChainReport:
    """What ``verify_chain`` found in one organisation's chain.

    Each list holds event numbers (as stored; for deletions, the missing numbers).
    """

    organisation: Organisation
    events: int = 0
    last_seq: int = 0
    edited: list[int] = field(default_factory=list)
    inserted: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    renumbered: list[int] = field(default_factory=list)
    # Breaks whose extent cannot be told (the event after a break could not be placed).
    breaks_before: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # truncation and head disagreements
    notes: list[str] = field(default_factory=list)  # weaknesses that are not evidence

    @property
    def intact(self) -> bool:
        return not (
            self.edited
            or self.inserted
            or self.deleted
            or self.renumbered
            or self.breaks_before
            or self.problems
        )


class _Keys:
    """Organisation keys by key id, derived once per verification."""

    def __init__(self, organisation_id: uuid.UUID) -> None:
        self.organisation_id = organisation_id
        self._keys: dict[str, bytes | None] = {}

    def get(self, key_id: str) -> bytes | None:
        if key_id not in self._keys:
            self._keys[key_id] = _key_by_id(key_id, self.organisation_id)
        return self._keys[key_id]


def _mac_matches(keys: _Keys, event: AuditEvent, seq: int) -> bool:
    key = keys.get(event.key_id)
    return key is not None and hmac.compare_digest(compute_mac(key, event, seq=seq), event.mac)


def _with_next(items: Iterator[AuditEvent]) -> Iterator[tuple[AuditEvent, AuditEvent | None]]:
    current = next(items, None)
    while current is not None:
        following = next(items, None)
        yield current, following
        current = following


# How far past a break to look for an event's original number (a deletion of up to this
# many events followed by renumbering is still named as such; beyond it, as a break).
_RENUMBER_SEARCH = 64


def verify_chain(organisation: Organisation, *, file_head: FileHead | None = None) -> ChainReport:
    """Recompute an organisation's chain and name what does not fit.

    Walks the events in number order, keeping the MAC and original number of the last event
    that belongs to the chain:

    - **edited**: the event's content no longer matches its MAC, but the chain continues
      from its MAC (the next event, or the head, links to it). A recompute by someone
      without the key file shows up as every event edited.
    - **inserted**: an event the chain does not pass through: the next event links past
      it, it stands beyond the chain head, or its number is out of order.
    - **deleted**: original numbers missing from the chain (a gap, or a break in the links
      before an event whose MAC places it further on).
    - **renumbered**: an event whose MAC matches only its original number.
    - **truncated**: the head row or the head file outside the database names a later event
      than the table holds.
    """
    report = ChainReport(organisation=organisation)
    keys = _Keys(organisation.pk)
    # Read the head before the events: appends committed meanwhile are newer than this head
    # and are checked against the head as read again at the end.
    head_before = AuditHead.objects.filter(organisation_id=organisation.pk).first()
    chain_mac = GENESIS
    chain_seq = 0
    # Where the MACs the heads name are found: a head vouches for its event even when it
    # was renumbered (reported as such), and an absent one is truncation or a rewrite.
    head_macs = {h.mac for h in (head_before, file_head) if h is not None and h.seq > 0}
    found: set[str] = set()

    with scope(organisation=organisation.pk):
        events = (
            AuditEvent.objects.filter(organisation_id=organisation.pk)
            .order_by("seq")
            .iterator(chunk_size=2000)
        )
        head_after: AuditHead | None = None
        for event, following in _with_next(events):
            report.events += 1
            report.last_seq = event.seq
            if event.mac in head_macs:
                found.add(event.mac)
            expected = chain_seq + 1
            links = event.prev_mac == chain_mac
            skipped = (
                following is not None
                and following.prev_mac != event.mac
                and following.prev_mac == chain_mac
            )
            beyond_head = False
            if following is None:
                head_after = AuditHead.objects.filter(organisation_id=organisation.pk).first()
                beyond_head = (
                    head_after is not None
                    and event.seq > head_after.seq
                    and event.mac != head_after.mac
                )
            if event.seq < 1 or skipped or beyond_head:
                report.inserted.append(event.seq)
                continue

            if _mac_matches(keys, event, event.seq):
                original: int | None = event.seq
            else:
                candidates = (
                    [expected] if links else range(expected + 1, expected + 1 + _RENUMBER_SEARCH)
                )
                original = next(
                    (s for s in candidates if s != event.seq and _mac_matches(keys, event, s)),
                    None,
                )
                if original is None:
                    report.edited.append(event.seq)
                else:
                    report.renumbered.append(event.seq)

            if not links:
                if original is not None and original > expected:
                    report.deleted.extend(range(expected, original))
                elif event.seq > expected:
                    report.deleted.extend(range(expected, event.seq))
                else:
                    report.breaks_before.append(event.seq)
            chain_mac = event.mac
            chain_seq = original if original is not None else max(event.seq, expected)

    _check_heads(report, head_before, head_after, file_head, found)
    return report


def _check_heads(
    report: ChainReport,
    head_before: AuditHead | None,
    head_after: AuditHead | None,
    file_head: FileHead | None,
    found: set[str],
) -> None:
    if head_before is None and head_after is None:
        if report.events:
            report.problems.append(_("The chain head row is missing."))
    elif head_before is not None and head_before.seq > 0 and head_before.mac not in found:
        if head_before.seq > report.last_seq:
            report.problems.append(
                _(
                    "Truncated: the chain head names event %(head)s but the newest event is "
                    "%(last)s."
                )
                % {"head": head_before.seq, "last": report.last_seq}
            )
        else:
            report.problems.append(
                _("The chain head does not match event %(seq)s.") % {"seq": head_before.seq}
            )

    if file_head is None:
        if report.events:
            report.notes.append(
                _(
                    "The head file has no line for this organisation: truncation of the newest "
                    "events cannot be ruled out."
                )
            )
        return
    if file_head.conflicting:
        report.problems.append(
            _("The head file names event %(seq)s with two different MACs.") % {"seq": file_head.seq}
        )
    if file_head.mac in found:
        return
    if file_head.seq > report.last_seq:
        report.problems.append(
            _("Truncated: the head file names event %(head)s but the newest event is %(last)s.")
            % {"head": file_head.seq, "last": report.last_seq}
        )
    else:
        report.problems.append(
            _("Rewritten: event %(seq)s differs from the head recorded outside the database.")
            % {"seq": file_head.seq}
        )


def current_heads() -> list[tuple[Organisation, AuditHead]]:
    """Every organisation's chain head, for ``audit_heads``.

    ``AuditHead`` is not organisation-scoped: it holds no content, only numbers and MACs.
    """
    organisations = {o.pk: o for o in Organisation.objects.all()}
    return [
        (organisations[h.organisation_id], h)
        for h in AuditHead.objects.order_by("organisation_id")
        if h.organisation_id in organisations and h.seq > 0
    ]
