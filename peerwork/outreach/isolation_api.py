"""Isolation requests of the outreach API's operations (see isolation.py).

The operations on ``{incident_id}`` use the incidents' maker (``isolation_incidents``): an
open arrest on duty, owned by the worker's line manager, who may record on it, pass it to
the director and close it; each sends the version it read.

The operations on ``{shift_id}`` use the shifts' maker (``isolation_shifts``): a shift that
is out, owned by a director who is also one of its workers, so its owner may work it,
handle it and cancel it. What each action needs beyond that is arranged here, in data,
before anyone asks: a shift waiting to start for check-out and cancel, an overdue one for
"I'm on it" and close, and the body each sends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.utils import timezone
from django_scopes import scope

from peerwork.core.isolation import Body, Made, register_isolation_request

from .models import Incident, Shift

API = "POST /api/v1/shifts/{shift_id}"
INCIDENT = "POST /api/v1/incidents/{incident_id}"


def _in_state(state: str, data: dict[str, object] | None = None) -> Callable[[Made], Body]:
    """A body maker that first puts the made shift in ``state``, as the services or the
    deadline loop would have (a planned shift has not checked out; an overdue one has had
    its first alert)."""

    def build(made: Made) -> Body:
        shift = cast(Shift, made.obj)
        changes: dict[str, object] = {"state": state}
        if state == Shift.State.PLANNED:
            changes.update(checked_out_at=None, escalation_due_at=None, escalation_step=0)
        elif state == Shift.State.OVERDUE:
            changes.update(escalation_step=1)
        with scope(organisation=shift.organisation_id):
            Shift.objects.filter(pk=shift.pk).update(**changes)
            shift.refresh_from_db()
        return Body(data=data or {})

    return build


def _body(data: dict[str, object]) -> Callable[[Made], Body]:
    return lambda made: Body(data=data)


register_isolation_request(f"{API}/check-out", _in_state(Shift.State.PLANNED))
register_isolation_request(f"{API}/cancel", _in_state(Shift.State.PLANNED))
register_isolation_request(f"{API}/acknowledge", _in_state(Shift.State.OVERDUE))
register_isolation_request(f"{API}/close", _in_state(Shift.State.OVERDUE, {"incident": False}))
register_isolation_request(f"{API}/extend", _body({"minutes": 30}))
register_isolation_request(f"{API}/location", _body({"location": "Near the isolation market"}))
register_isolation_request(f"{API}/check-in", _body({}))
register_isolation_request(f"{API}/ok", _body({}))
register_isolation_request(f"{API}/help", _body({}))


def _now_happened(made: Made) -> Body:
    return Body(data={"kind": "injury", "occurred_at": timezone.now().isoformat()})


def _versioned(data: dict[str, object]) -> Callable[[Made], Body]:
    def build(made: Made) -> Body:
        incident = cast(Incident, made.obj)
        return Body(data=data, headers={"If-Match": f'"{incident.version}"'})

    return build


register_isolation_request(f"{API}/incidents", _now_happened)
register_isolation_request(f"{INCIDENT}/steps", _versioned({"step": "lawyer"}))
register_isolation_request(
    f"{INCIDENT}/court-timeline", _versioned({"kind": "hearing", "on": "2026-12-10"})
)
register_isolation_request(f"{INCIDENT}/pass-to-director", _versioned({}))
register_isolation_request(f"{INCIDENT}/close", _versioned({}))
