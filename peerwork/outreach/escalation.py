"""The escalation loop: overdue shifts alert their chain, step by step, until someone
says "I'm on it" (issue 5 item 5; guide §4.4; DESIGN.md "deadlines").

Built like healthchecks' ``sendalerts``: ``Shift.escalation_due_at`` is the due time
(a partial index covers the watched states), ``due`` reads the ids of due shifts across
organisations, and each is claimed with a conditional update from the exact state, step
and due time it was seen with. Only the loop whose update changed the row goes on, so
several loops may run at once and each step is taken once.

The step's messages are created through ``notify`` in the SAME transaction as the claim:
the deliveries commit with it, so a loop killed right after claiming loses nothing (the
core's ``DueDeliveries`` step sends any delivery whose send was never queued), and a
claim that rolls back sends nothing. Sending is the core's job: one delivery per channel,
retried with backoff, every attempt recorded.

What one claim does, seen in state S at step k:

- ``out`` (the planned return plus grace has passed): the shift is overdue, and step 1
  alerts its recipients.
- ``overdue`` or ``missing``: step k+1 alerts its recipients; once the chain has run out,
  the last step's recipients are alerted again at its wait, until someone acknowledges.
- Once the overdue time plus the policy's ``missing_after`` has passed, the shift counts
  as missing: everyone alerted so far is told, and the chain moves on at once.

A step that finds nobody (no on-call manager on the rota, a lone worker with no partner)
is written on the timeline and the next step comes due at once. A shift whose claim raises
is set aside (its due time cleared, a SET_ASIDE line on its timeline, the error logged)
and the loop goes on with the others: no shift can stop it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django_scopes import scope, scopes_disabled

from peerwork.core.deadlines import BATCH_SIZE, ClaimingStep, register_deadline
from peerwork.core.notify import notify

from . import kinds
from .chain import help_recipients, recipients_for
from .models import WATCHED_STATES, Shift, ShiftEvent
from .policy import policy_for, steps_for
from .services import HELP_REPEAT, alerted

logger = logging.getLogger(__name__)

# (shift id, organisation id, state, step, due time): what the claim must still find.
DueShift = tuple[uuid.UUID, uuid.UUID, str, int, datetime | None]
MAX_STEP = 30000  # the step counter keeps counting repeats of the last step; capped


class Escalation(ClaimingStep[DueShift]):
    name = "outreach.escalation"

    def due(self, now: datetime) -> list[DueShift]:
        with scopes_disabled():  # every organisation's due shifts: ids and times only
            return list(
                Shift.objects.filter(
                    state__in=WATCHED_STATES,
                    escalation_due_at__isnull=False,  # as the partial index says
                    escalation_due_at__lte=now,
                )
                .order_by("escalation_due_at")
                .values_list(
                    "pk", "organisation_id", "state", "escalation_step", "escalation_due_at"
                )[:BATCH_SIZE]
            )

    def __call__(self, now: datetime) -> int:
        acted = 0
        for item in self.due(now):
            try:
                won = self.claim(item, now)
            except Exception:
                logger.exception("outreach shift %s set aside after an error", item[0])
                set_aside(item, now)
                continue
            if won:
                self.act(item, now)
                acted += 1
        return acted

    def claim(self, item: DueShift, now: datetime) -> bool:
        """Take the next step if no other loop has, and create its messages with it."""
        shift_id, organisation_id, state, step, due_at = item
        with scope(organisation=organisation_id), transaction.atomic():
            # Claim first, with the row as it was seen: a loop that loses the race stops
            # here, before reading the policy and the people (two loops read the same
            # due shifts). The winner then holds the row until it commits, and sets the
            # state and the next due time it works out below in the same transaction.
            seen = Shift.objects.filter(
                pk=shift_id,
                state=state,
                escalation_step=step,
                escalation_due_at=due_at,
                acknowledged_at__isnull=True,
            )
            # On PostgreSQL a row another loop is claiming is skipped, not waited for:
            # waiting, two loops walked the same batch in step, each blocked on the
            # other's row until it committed, so a second loop added no throughput
            # (bench/outreach_escalation.py, README "Outreach escalation"). A row skipped
            # because a person's change holds it is due again next round. The update
            # below still decides; SQLite has no row locks (one writer at a time).
            locks = connection.features.has_select_for_update_skip_locked
            if locks and not seen.select_for_update(skip_locked=True).values_list("pk", flat=True):
                return False
            won = seen.update(escalation_step=min(step + 1, MAX_STEP), version=F("version") + 1)
            if not won:
                return False
            shift = Shift.objects.get(pk=shift_id)
            if state == Shift.State.HELP:
                self.repeat_help(shift, now)
                return True
            policy = policy_for(organisation_id=organisation_id, site_id=shift.site_id)
            chain = steps_for(policy)
            index = min(step, len(chain) - 1)
            plan = chain[index]
            overdue_at = shift.deadline(policy)
            missing_at = overdue_at + policy.missing_after
            new_state = Shift.State.OVERDUE if state == Shift.State.OUT else state
            if new_state == Shift.State.OVERDUE and now >= missing_at:
                new_state = Shift.State.MISSING
            recipients = recipients_for(shift, plan, now=now)
            next_due = now + plan.wait if recipients else now
            if new_state == Shift.State.OVERDUE:
                next_due = min(next_due, missing_at)
            Shift.objects.filter(pk=shift_id).update(state=new_state, escalation_due_at=next_due)
            params = {"shift": str(shift.pk)}
            if state == Shift.State.OUT:
                _event(shift, ShiftEvent.Kind.OVERDUE, now)
            told = recipients
            if new_state == Shift.State.MISSING and state != Shift.State.MISSING:
                # Everyone alerted so far hears it is now serious, with this step's people,
                # each once.
                _event(shift, ShiftEvent.Kind.MISSING, now)
                earlier = alerted(shift)
                told = earlier + [m for m in recipients if m.pk not in {e.pk for e in earlier}]
            kind = kinds.MISSING if new_state == Shift.State.MISSING else kinds.OVERDUE
            for member in told:
                # The policy's step says how people are reached; a step with no channels
                # (the default chain) uses each person's own choice for this kind.
                notify(
                    recipient=member,
                    kind=kind.kind,
                    params=params,
                    now=now,
                    channels=list(plan.channels) or None,
                )
            _event(
                shift,
                ShiftEvent.Kind.ALERTED,
                now,
                {
                    "step": index + 1,
                    "who": plan.who,
                    "channels": list(plan.channels),
                    "recipients": [str(m.pk) for m in recipients],
                },
            )
        return True

    def repeat_help(self, shift: Shift, now: datetime) -> None:
        """A call for help nobody has taken yet (claimed by the caller): the same people
        again, every ``HELP_REPEAT``, until someone says "I'm on it" (issue 5 item 4)."""
        Shift.objects.filter(pk=shift.pk).update(escalation_due_at=now + HELP_REPEAT)
        recipients = help_recipients(shift, now=now)
        kind = kinds.DURESS if shift.help_silent else kinds.HELP
        for member in recipients:
            notify(recipient=member, kind=kind.kind, params={"shift": str(shift.pk)}, now=now)
        _event(
            shift,
            ShiftEvent.Kind.ALERTED,
            now,
            {
                "who": "help",
                "silent": shift.help_silent,
                "recipients": [str(m.pk) for m in recipients],
            },
        )


def set_aside(item: DueShift, now: datetime) -> None:
    """Stop watching a shift whose step failed, so it cannot hold the loop up; the
    timeline says so, for a person to look at."""
    shift_id, organisation_id, state, step, due_at = item
    try:
        with scope(organisation=organisation_id), transaction.atomic():
            cleared = Shift.objects.filter(
                pk=shift_id, state=state, escalation_step=step, escalation_due_at=due_at
            ).update(escalation_due_at=None)
            if cleared:
                ShiftEvent.objects.create(
                    organisation_id=organisation_id,
                    shift_id=shift_id,
                    kind=ShiftEvent.Kind.SET_ASIDE,
                    at=now,
                    detail={"step": step},
                )
    except Exception:
        logger.exception("outreach shift %s could not be set aside", shift_id)


def _event(shift: Shift, kind: str, now: datetime, detail: dict[str, object] | None = None) -> None:
    ShiftEvent.objects.create(
        organisation_id=shift.organisation_id, shift=shift, kind=kind, at=now, detail=detail or {}
    )


escalation = register_deadline(Escalation())
