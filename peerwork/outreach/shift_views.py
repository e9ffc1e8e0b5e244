"""A shift's page and its buttons (issue 5 items 2–5; guide §4.4).

The page shows the shift, the field guidelines (§4.4: picture ID, pairs, no valuables, no
personal details to clients, the manager's card), the timeline and the buttons the person
may use; every button is a small form (no JavaScript) posting to its own view, which
opens the shift through ``access.shift_for_member`` with the action first and then calls
the service. A refused change (a ValidationError: the shift moved on, a bad number) is
shown as a message on the page and changes nothing.

Who sees what follows the access matrix's [record: shift]: the rough location only the
workers and the handlers; the alerts (who was told, by which channels, each delivery
attempt) and any silent call for help only the handlers. The shift's own workers see a
silent call for help as an ordinary check-in (issue 5 item 4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerwork.core.access import Action
from peerwork.core.models import Membership, Notification
from peerwork.core.models.notifications import Channel
from peerwork.core.views import MemberRequest, member_page

from . import services
from .access import HANDLE, WORK, may_change, may_open_incident, sees_alert, shift_for_member
from .forms import CloseForm, ExtendForm, LocationForm
from .models import WATCHED_STATES, Shift, ShiftEvent
from .policy import guidelines_for, policy_for
from .schedule_views import ATTENTION, shown_state, with_workers

TIMELINE_LIMIT = 200
DELIVERY_LIMIT = 50
# Lines only those handling the shift see: alerts, and "I'm on it" (which would give a
# silent call for help away to anyone looking at a worker's phone).
HANDLERS_ONLY = {ShiftEvent.Kind.ALERTED, ShiftEvent.Kind.ACKNOWLEDGED, ShiftEvent.Kind.SET_ASIDE}


@dataclass
class Line:
    event: ShiftEvent
    actor: str
    recipients: list[str]
    channels: list[str]


def _visible(event: ShiftEvent, *, handler: bool, private: bool) -> bool:
    if handler:
        return True
    if event.kind in HANDLERS_ONLY:
        return False
    if event.kind == ShiftEvent.Kind.HELP and (event.detail or {}).get("silent"):
        return False
    return private or event.kind != ShiftEvent.Kind.LOCATION


def _timeline(shift: Shift, *, handler: bool, private: bool) -> list[Line]:
    events = list(
        ShiftEvent.objects.filter(shift=shift)
        .select_related("actor__user")
        .order_by("at", "seq")[:TIMELINE_LIMIT]
    )
    events = [e for e in events if _visible(e, handler=handler, private=private)]
    ids = {i for e in events for i in (e.detail or {}).get("recipients", [])}
    names = {
        str(m.pk): m.name
        for m in Membership.objects.filter(
            organisation_id=shift.organisation_id, pk__in=ids
        ).select_related("user")
    }
    channels = dict(Channel.choices)
    return [
        Line(
            event=e,
            actor=e.actor.name if e.actor else "",
            recipients=[
                names.get(i, _("someone who has left")) for i in e.detail.get("recipients", [])
            ],
            channels=[str(channels.get(c, c)) for c in e.detail.get("channels", [])],
        )
        for e in events
    ]


def _deliveries(shift: Shift) -> list[Notification]:
    """The messages about this shift and each delivery's attempts (handlers only)."""
    return list(
        Notification.objects.filter(
            organisation_id=shift.organisation_id, params__shift=str(shift.pk)
        )
        .select_related("recipient__user")
        .prefetch_related("deliveries")
        .order_by("-created_at")[:DELIVERY_LIMIT]
    )


@require_GET
@member_page
def shift_page(request: HttpRequest, shift_id: str) -> HttpResponse:
    member = cast(MemberRequest, request).member
    shift = shift_for_member(member, shift_id, Action.READ)
    now = timezone.now()
    shift = with_workers(Shift.objects.filter(pk=shift.pk)).get()
    workers = [w.member for w in shift.workers.all()]
    is_worker = any(w.pk == member.pk for w in workers)
    handler = sees_alert(member, shift, now=now)
    private = is_worker or handler
    state = shown_state(shift, handler=handler)
    policy = policy_for(organisation_id=shift.organisation_id, site_id=shift.site_id)
    watched = state in WATCHED_STATES
    context = {
        "shift": shift,
        "workers": workers,
        "state": state,
        "state_label": dict(Shift.State.choices).get(state, state),
        "attention": state in ATTENTION,
        "is_worker": is_worker,
        "handler": handler,
        "private": private,
        "guidelines": guidelines_for(policy),
        "policy": policy,
        "timeline": _timeline(shift, handler=handler, private=private),
        "deliveries": _deliveries(shift) if handler else [],
        "can": {
            "check_out": is_worker and state == Shift.State.PLANNED,
            "extend": is_worker and state == Shift.State.OUT and shift.may_extend(now),
            "ok": is_worker and watched,
            "check_in": is_worker and watched,
            "location": is_worker and (state == Shift.State.PLANNED or watched),
            "help": is_worker
            and state in (Shift.State.PLANNED, Shift.State.RETURNED, *WATCHED_STATES),
            "acknowledge": handler and shift.state in ATTENTION and shift.acknowledged_at is None,
            "close": handler and shift.state in ATTENTION,
            "cancel": state == Shift.State.PLANNED and may_change(member, shift),
            # On duty, anyone on the shift or its chain records what happened (§4.4).
            "incident": state not in (Shift.State.PLANNED, Shift.State.CANCELLED)
            and may_open_incident(member, shift),
        },
        "extend_form": ExtendForm(),
        "location_form": LocationForm(initial={"location": shift.coarse_location}),
        "close_form": CloseForm(),
    }
    return render(request, "outreach/shifts/shift.html", context)


# --- the buttons -------------------------------------------------------------------------


def _act(
    request: HttpRequest, shift: Shift, change: Callable[[], object], done: str
) -> HttpResponse:
    """Run one change; its refusal is a message on the shift's page, and nothing changed."""
    try:
        change()
    except ValidationError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        messages.success(request, done)
    return redirect("outreach:shift", shift.pk)


def _refused(request: HttpRequest, shift: Shift, form: object) -> HttpResponse:
    errors = [str(e) for errs in form.errors.values() for e in errs]  # type: ignore[attr-defined]
    messages.error(request, " ".join(errors))
    return redirect("outreach:shift", shift.pk)


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


@require_POST
@member_page
def check_out(request: HttpRequest, shift_id: str) -> HttpResponse:
    member = _member(request)
    shift = shift_for_member(member, shift_id, WORK)
    return _act(
        request,
        shift,
        lambda: services.check_out(actor=member, shift=shift),
        _("You are checked out. Stay safe, and check in when you are back."),
    )


@require_POST
@member_page
def extend(request: HttpRequest, shift_id: str) -> HttpResponse:
    member = _member(request)
    shift = shift_for_member(member, shift_id, WORK)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _refused(request, shift, form)
    minutes = form.cleaned_data["minutes"]
    return _act(
        request,
        shift,
        lambda: services.extend(actor=member, shift=shift, minutes=minutes),
        _("Your return time is later by %(minutes)d minutes.") % {"minutes": minutes},
    )


@require_POST
@member_page
def im_ok(request: HttpRequest, shift_id: str) -> HttpResponse:
    member = _member(request)
    shift = shift_for_member(member, shift_id, WORK)
    return _act(
        request,
        shift,
        lambda: services.im_ok(actor=member, shift=shift),
        _("Noted: you are OK."),
    )


@require_POST
@member_page
def check_in(request: HttpRequest, shift_id: str) -> HttpResponse:
    member = _member(request)
    shift = shift_for_member(member, shift_id, WORK)
    return _act(
        request,
        shift,
        lambda: services.check_in(actor=member, shift=shift),
        _("Welcome back: you are checked in."),
    )


@require_POST
@member_page
def share_location(request: HttpRequest, shift_id: str) -> HttpResponse:
    member = _member(request)
    shift = shift_for_member(member, shift_id, WORK)
    form = LocationForm(request.POST)
    if not form.is_valid():
        return _refused(request, shift, form)
    location = form.cleaned_data["location"]
    return _act(
        request,
        shift,
        lambda: services.share_location(actor=member, shift=shift, location=location),
        _("Your rough location is shared for this shift.")
        if location.strip()
        else _("Your rough location is taken back."),
    )


@require_POST
@member_page
def ask_for_help(request: HttpRequest, shift_id: str) -> HttpResponse:
    member = _member(request)
    shift = shift_for_member(member, shift_id, WORK)
    return _act(
        request,
        shift,
        lambda: services.ask_for_help(actor=member, shift=shift),
        _("Help is on its way: the on-call manager has been alerted."),
    )


@require_POST
@member_page
def acknowledge(request: HttpRequest, shift_id: str) -> HttpResponse:
    member = _member(request)
    shift = shift_for_member(member, shift_id, HANDLE)
    return _act(
        request,
        shift,
        lambda: services.acknowledge(actor=member, shift=shift),
        _("You are on it: nobody further up the chain is alerted."),
    )


@require_POST
@member_page
def close(request: HttpRequest, shift_id: str) -> HttpResponse:
    member = _member(request)
    shift = shift_for_member(member, shift_id, HANDLE)
    form = CloseForm(request.POST)
    incident = form.is_valid() and bool(form.cleaned_data["incident"])
    return _act(
        request,
        shift,
        lambda: services.close_shift(actor=member, shift=shift, incident=incident),
        _("The shift is closed."),
    )


@require_POST
@member_page
def cancel(request: HttpRequest, shift_id: str) -> HttpResponse:
    member = _member(request)
    shift = shift_for_member(member, shift_id, Action.CHANGE)
    return _act(
        request,
        shift,
        lambda: services.cancel_shift(actor=member, shift=shift),
        _("The shift is cancelled."),
    )
