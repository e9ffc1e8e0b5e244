"""Check-out and check-in by SMS (issue 5 item 3): a worker texts ``OUT``, ``IN``,
``EXT 30`` or ``HELP`` with their PIN to the organisation's number.

Three parts, each testable alone:

- ``parse``: the words of a text into a ``Command`` (pure: no database). Case and spaces do
  not matter, the PIN may come before or after, ``EXT`` takes 5 to 240 minutes. English
  keywords always work, and a few words in the languages Peerwork is translated into.
- ``receive``: what one verified inbound message does, inside its organisation's scope:
  the replay guard (one ``InboundSms`` row per gateway message id, a conditional INSERT on
  its unique constraint), the sender's number matched to one active member's work phone,
  the PIN checked (``pins.check``), and the shift flow of ``services``. The duress PIN on
  any command asks for help silently and answers as the command would (item 4).
- The reply: a short code and small parameters, sent after commit by ``sms_tasks``.

Nothing here keeps the text (it holds a PIN) or the sender's number: ``InboundSms`` holds
the gateway's message id, the member when known, and a short outcome code.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from peerwork.core import audit
from peerwork.core.deadlines import BATCH_SIZE, register_deadline
from peerwork.core.models import Membership, Organisation
from peerwork.core.models.tenancy import active_members

from . import pins, services
from .models import WATCHED_STATES, InboundSms, Shift, SmsNumber

# --- parsing (pure) --------------------------------------------------------------------


class Action(StrEnum):
    OUT = "out"
    IN = "in"
    EXT = "ext"
    HELP = "help"


# English always; then the languages Peerwork is translated into, each a plain everyday
# word a worker would type (sw: toka/rudi/ongeza/msaada; id: keluar/kembali/tambah/tolong;
# ru and uk: выход/вернулся/продлить/помощь, вихід/повернувся/продовжити/допомога).
KEYWORDS: dict[str, Action] = {
    "OUT": Action.OUT,
    "IN": Action.IN,
    "BACK": Action.IN,
    "EXT": Action.EXT,
    "EXTEND": Action.EXT,
    "HELP": Action.HELP,
    "SOS": Action.HELP,
    # Swahili
    "TOKA": Action.OUT,
    "RUDI": Action.IN,
    "NIMERUDI": Action.IN,
    "ONGEZA": Action.EXT,
    "MSAADA": Action.HELP,
    "SAIDIA": Action.HELP,
    # Indonesian
    "KELUAR": Action.OUT,
    "KEMBALI": Action.IN,
    "TAMBAH": Action.EXT,
    "TOLONG": Action.HELP,
    "BANTU": Action.HELP,
    # Russian
    "ВЫХОД": Action.OUT,
    "ВЕРНУЛСЯ": Action.IN,
    "ВЕРНУЛАСЬ": Action.IN,
    "ПРОДЛИТЬ": Action.EXT,
    "ПОМОЩЬ": Action.HELP,
    # Ukrainian
    "ВИХІД": Action.OUT,
    "ПОВЕРНУВСЯ": Action.IN,
    "ПОВЕРНУЛАСЯ": Action.IN,
    "ПРОДОВЖИТИ": Action.EXT,
    "ДОПОМОГА": Action.HELP,
}
PIN_TOKEN = re.compile(r"^\d{4,6}$")
MINUTES_TOKEN = re.compile(r"^\d{1,3}$")
# Longer than any command: a text this long is not one, and is not read further.
MAX_TEXT = 160


class Refusal(StrEnum):
    """Why a text is not a command (each has its own reply)."""

    NOT_A_COMMAND = "bad_command"
    NO_PIN = "no_pin"
    BAD_MINUTES = "bad_minutes"


@dataclass(frozen=True)
class Command:
    action: Action
    pin: str = field(repr=False)
    minutes: int | None = None


def parse(text: str) -> Command | Refusal:
    """``OUT 1234``, ``1234 in``, ``ext 30 1234``, ``EXT 1234 30``, ``help 1234`` …

    A PIN is 4 to 6 digits and minutes 1 to 3, so they never mix up whichever comes first.
    One keyword, one PIN, minutes only (and always) with ``EXT``; anything else is refused.
    """
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return Refusal.NOT_A_COMMAND
    tokens = text.replace(",", " ").replace(".", " ").split()
    actions = [KEYWORDS[t.upper()] for t in tokens if t.upper() in KEYWORDS]
    pins_given = [t for t in tokens if PIN_TOKEN.match(t)]
    numbers = [t for t in tokens if MINUTES_TOKEN.match(t)]
    others = [
        t
        for t in tokens
        if t.upper() not in KEYWORDS and not PIN_TOKEN.match(t) and not MINUTES_TOKEN.match(t)
    ]
    if len(actions) != 1 or others:
        return Refusal.NOT_A_COMMAND
    action = actions[0]
    minutes: int | None = None
    if action is Action.EXT:
        if len(numbers) != 1:
            return Refusal.BAD_MINUTES
        minutes = int(numbers[0])
        if not services.EXTEND_MIN <= minutes <= services.EXTEND_MAX:
            return Refusal.BAD_MINUTES
    elif numbers:
        return Refusal.NOT_A_COMMAND
    if len(pins_given) != 1:
        return Refusal.NO_PIN
    return Command(action=action, pin=pins_given[0], minutes=minutes)


def phone_digits(number: object) -> str:
    """A phone number as E.164 digits (``+254 700-000 001`` → ``254700000001``); a number
    written with ``00`` for the international prefix is read the same. Empty if it is not
    a plausible number (E.164: at most 15 digits)."""
    if not isinstance(number, str):
        return ""
    digits = "".join(c for c in number if c.isascii() and c.isdigit())
    if number.strip().startswith("00"):
        digits = digits[2:]
    return digits if 6 <= len(digits) <= 15 else ""


# --- receiving one message ------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """What to answer: a code (``sms_tasks.REPLIES``) and small parameters (a time, the
    minutes). Never the PIN, never the text."""

    code: str
    params: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    """What one inbound message did. ``reply`` None: answer nothing (a replay)."""

    inbound: InboundSms | None
    outcome: str
    reply: Reply | None
    member: Membership | None = None


# How early before its planned start a shift may be checked out by SMS.
OUT_WINDOW = timedelta(hours=2)


def receive(
    *,
    number: SmsNumber,
    message_id: str,
    sender: str,
    text: str,
    now: datetime | None = None,
) -> Received:
    """Act on one verified inbound message, once. Call inside the number's organisation's
    scope. The replay guard and everything the message does commit together, so a crash
    half-way lets the gateway's retry act again, and two deliveries of one message at once
    act once: the second INSERT of the same (number, message id) fails on the unique
    constraint (on PostgreSQL it waits for the first to commit) and changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                inbound = InboundSms.objects.create(
                    organisation_id=number.organisation_id,
                    number=number,
                    message_id=message_id[:100],
                    received_at=now,
                )
        except IntegrityError:
            return Received(inbound=None, outcome="replay", reply=None)
        member = _member_for(number.organisation_id, sender)
        if member is None:
            received = Received(inbound, "unknown_number", Reply("unknown_number"))
        else:
            received = _act(inbound, member, text, now)
        InboundSms.objects.filter(pk=inbound.pk).update(
            outcome=received.outcome, member=received.member
        )
        audit.record(
            actor=received.member,
            organisation=None if received.member else _organisation(number),
            action="outreach.sms.received",
            object_type="outreach.inbound_sms",
            object_id=inbound.pk,
            detail={"outcome": received.outcome, "gateway": number.gateway},
        )
    return received


def _organisation(number: SmsNumber) -> Organisation:
    return Organisation.objects.get(pk=number.organisation_id)


def _member_for(organisation_id: uuid.UUID, sender: str) -> Membership | None:
    """The one active member whose work phone is this number; None for none or several
    (a shared phone cannot say who is texting, so it is refused as unknown)."""
    wanted = phone_digits(sender)
    if not wanted:
        return None
    found = [
        m
        for m in Membership.objects.filter(active_members(), organisation_id=organisation_id)
        .exclude(work_phone="")
        .select_related("user", "organisation")
        if phone_digits(m.work_phone) == wanted
    ]
    return found[0] if len(found) == 1 else None


def _act(inbound: InboundSms, member: Membership, text: str, now: datetime) -> Received:
    command = parse(text)
    if isinstance(command, Refusal):
        return Received(inbound, command.value, Reply(command.value), member)
    checked = pins.check(member, command.pin, via="sms", now=now)
    if checked is pins.Checked.WRONG:
        return Received(inbound, "wrong_pin", Reply("wrong_pin"), member)
    if checked is pins.Checked.LOCKED:
        return Received(inbound, "locked", Reply("locked"), member)
    shift = _shift_for(member, command.action, now)
    if checked is pins.Checked.DURESS:
        return _duress(inbound, member, command, shift, now)
    if shift is None:
        code = {Action.OUT: "no_shift_out", Action.EXT: "no_shift_ext"}.get(
            command.action, "no_shift"
        )
        return Received(inbound, code, Reply(code), member)
    try:
        return _run(inbound, member, command, shift, now)
    except (ValidationError, PermissionDenied):
        # The shift moved on between reading and acting (a manager closed it, the return
        # time passed): nothing changed, and the worker is told.
        code = "too_late" if command.action is Action.EXT else "refused"
        return Received(inbound, code, Reply(code), member)


def _run(
    inbound: InboundSms, member: Membership, command: Command, shift: Shift, now: datetime
) -> Received:
    if command.action is Action.OUT:
        shift = services.check_out(actor=member, shift=shift, now=now)
        return Received(inbound, "out", Reply("out", _at(shift.planned_return)), member)
    if command.action is Action.IN:
        services.check_in(actor=member, shift=shift, now=now)
        return Received(inbound, "in", Reply("in"), member)
    if command.action is Action.EXT:
        if not shift.may_extend(now):
            return Received(inbound, "too_late", Reply("too_late"), member)
        shift = services.extend(actor=member, shift=shift, minutes=command.minutes or 0, now=now)
        return Received(inbound, "ext", Reply("ext", _at(shift.planned_return)), member)
    services.ask_for_help(actor=member, shift=shift, silent=False, via="sms", now=now)
    return Received(inbound, "help", Reply("help"), member)


def _duress(
    inbound: InboundSms,
    member: Membership,
    command: Command,
    shift: Shift | None,
    now: datetime,
) -> Received:
    """The duress PIN: help is asked for silently, and the answer is the one the command
    would get, so whoever makes the worker text sees nothing unusual (issue 5 item 4)."""
    shift = shift or _shift_for(member, Action.HELP, now)
    if shift is not None:
        # A refusal means help is already on its way for this shift: nothing more to raise.
        with contextlib.suppress(ValidationError, PermissionDenied):
            services.ask_for_help(actor=member, shift=shift, silent=True, via="sms", now=now)
    if shift is None:
        # Nothing to raise help on; the audit record says a duress PIN came in.
        return Received(inbound, "duress_no_shift", Reply("no_shift"), member)
    if command.action is Action.OUT:
        reply = Reply("out", _at(shift.planned_return))
    elif command.action is Action.EXT:
        reply = Reply("ext", _at(shift.planned_return + timedelta(minutes=command.minutes or 0)))
    else:
        reply = Reply(command.action.value)
    return Received(inbound, "duress", reply, member)


def _at(moment: datetime) -> dict[str, str | int]:
    return {"at": moment.isoformat()}


def _shift_for(member: Membership, action: Action, now: datetime) -> Shift | None:
    """The shift a command is about. OUT: the member's planned shift starting soonest
    (from ``OUT_WINDOW`` before its start, while its return is ahead). IN and EXT: their
    shift that is out (or overdue, missing, asked for help). HELP: that one, or else the
    planned one OUT would pick, or one back within a day (the duress PIN may be demanded
    after a worker is back)."""
    mine = Shift.objects.filter(workers__member=member)
    planned = (
        mine.filter(
            state=Shift.State.PLANNED,
            planned_start__lte=now + OUT_WINDOW,
            planned_return__gt=now,
        )
        .order_by("planned_start")
        .first()
    )
    if action is Action.OUT:
        return planned
    # EXT names the shift that is out; one already late is found, to be refused clearly.
    states: tuple[str, ...] = (
        (Shift.State.OUT, Shift.State.OVERDUE, Shift.State.MISSING)
        if action is Action.EXT
        else tuple(WATCHED_STATES)
    )
    active = mine.filter(state__in=states).order_by("-checked_out_at", "-planned_start").first()
    if active is not None or action is not Action.HELP:
        return active
    if planned is not None:
        return planned
    return (
        mine.filter(Q(state=Shift.State.RETURNED), returned_at__gt=now - timedelta(days=1))
        .order_by("-returned_at")
        .first()
    )


__all__ = [
    "KEYWORDS",
    "Action",
    "Command",
    "Received",
    "Refusal",
    "Reply",
    "parse",
    "phone_digits",
    "receive",
]


# --- forgetting who texted --------------------------------------------------------------

# Long enough to answer "was that text from me?" after a shift; the row itself stays (its
# message id is what refuses a replay, however late), without the person.
SENDER_KEPT = timedelta(days=90)


def forget_senders(now: datetime) -> int:
    """The deadline loop's step: unlink inbound messages older than ``SENDER_KEPT`` from
    the member who sent them, a batch a round, across organisations (ids only)."""
    with scopes_disabled():
        old = list(
            InboundSms.objects.filter(
                received_at__lt=now - SENDER_KEPT, member__isnull=False
            ).values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not old:
            return 0
        # Conditional: of two loops, the second finds nothing left to change.
        return InboundSms.objects.filter(pk__in=old, member__isnull=False).update(member=None)


forget_senders.name = "outreach.forget_sms_senders"  # type: ignore[attr-defined]
register_deadline(forget_senders)
