"""The shift link's page: a worker's one-tap check-out, check-in, extend, "I'm OK", rough
location and HELP, opened with their PIN, without signing in (issue 5 items 3 and 4;
guide §4.4).

One route, ``/s/<token>/``: a GET shows the page, a POST either types the PIN (``pin``) or
taps a button (``do``). No JavaScript; every button is a small form.

**Who gets what.** Someone not signed in sees the same PIN page for any link, good or
bad: the page says nothing about a link before its PIN, and a PIN typed for a bad link
(forged, bent, another shift's, expired, cancelled) gets one neutral refusal. A browser
signed in as anyone but the link's worker gets 404 at once, as for any page of another
organisation (``peerwork/core/tests/test_isolation.py`` walks the route).

**The PIN.** The right PIN sets a signed, HttpOnly, SameSite=Lax cookie for this link's
path only, until the link expires (``links.expires_at``), naming the shift, the worker
and their PIN's version (a new PIN closes every open page). It is not the 15-minute
session and signs nobody in to anything else. A wrong PIN changes nothing but
``pins.check``'s count (which audits it); after ``pins.MAX_FAILURES`` the PIN is locked
and the page says to call the manager, with their work phone when there is one.

**The duress PIN** (item 4) calls ``services.ask_for_help(silent=True)`` at once, then
answers exactly as the right PIN does: the same redirect, the same cookie. From then on
every page shows the shift as the worker's own view of it (``Shift.state_shown_to_worker``:
checked in), its buttons are those of a checked-in shift, and a check-in shows the
ordinary "you are checked in" page. Nothing in the HTML or headers tells the two apart.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_scopes import scope

from peerwork.core.models import Membership
from peerwork.core.notify import recipient_language

from . import links, pins, services
from .models import Shift, ShiftPin
from .policy import guidelines_for, policy_for

logger = logging.getLogger(__name__)

COOKIE = "peerwork_shift"
COOKIE_SALT = "peerwork.outreach.shift_link.open"
EXTEND_CHOICES = (15, 30, 60)

# The buttons each state (as the worker sees it) offers. A check-in is always passed to
# the service, which refuses it with its own reason (a closed shift) or, after the duress
# PIN, takes it without stopping the alert.
OFFERED: dict[str, frozenset[str]] = {
    Shift.State.PLANNED: frozenset({"out", "location", "help"}),
    Shift.State.OUT: frozenset({"in", "extend", "ok", "location", "help"}),
    Shift.State.OVERDUE: frozenset({"in", "ok", "location", "help"}),
    Shift.State.MISSING: frozenset({"in", "ok", "location", "help"}),
    Shift.State.HELP: frozenset({"in", "ok", "location"}),
    Shift.State.RETURNED: frozenset({"help"}),
}
ACTIONS = ("out", "in", "extend", "ok", "location", "help", "lock")


@dataclass(frozen=True)
class Place:
    """The opened link, for the page: what the worker sees of their shift."""

    opened: links.Opened
    shown: str  # the state shown to the worker

    @property
    def shift(self) -> Shift:
        return self.opened.shift

    @property
    def member(self) -> Membership:
        return self.opened.member


# --- the route ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    opened = links.read(token, now=now)
    if request.user.is_authenticated and (
        opened is None or opened.member.user_id != request.user.pk
    ):
        # A signed-in browser is someone's: a link not theirs is another's page.
        raise Http404
    if opened is None:
        if request.method == "POST" and request.POST.get("pin", "").strip():
            return _refused(request)
        return _pin_page(request, token)
    with (
        scope(organisation=opened.shift.organisation_id),
        timezone.override(_zone(opened.member)),
    ):
        if not _is_open(request, opened):
            if request.method == "POST" and "pin" in request.POST:
                return _type_pin(request, opened, now)
            return _pin_page(request, token)
        with translation.override(recipient_language(opened.member)):
            if request.method == "POST":
                return _tap(request, opened, now)
            return _page(request, opened, now, done=request.GET.get("done", ""))


# --- the PIN -----------------------------------------------------------------------


def _pin_page(
    request: HttpRequest,
    token: str,
    *,
    problem: str = "",
    phones: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    """The same for every link until a PIN is typed: nothing about the shift."""
    return render(
        request,
        "outreach/link/pin.html",
        {"action": request.path, "problem": problem, "phones": phones or []},
    )


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/link/refused.html", status=404)


def _type_pin(request: HttpRequest, opened: links.Opened, now: datetime) -> HttpResponse:
    pin = request.POST.get("pin", "").strip()
    if not pin:
        return _pin_page(request, opened.token, problem=_("Type your PIN."))
    answer = pins.check(opened.member, pin, via="link", now=now)
    if answer is pins.Checked.DURESS:
        try:
            services.ask_for_help(
                actor=opened.member, shift=opened.shift, silent=True, via="link", now=now
            )
        except (ValidationError, PermissionDenied):
            # Help already on its way, or the shift closed: the page must still look
            # ordinary. Logged for the operator; the person sees nothing.
            logger.warning("duress PIN on shift %s raised no new alert", opened.shift.pk)
    if answer in (pins.Checked.OK, pins.Checked.DURESS):
        response = HttpResponseRedirect(request.path, status=303)
        _set_open(response, request, opened)
        return response
    if answer is pins.Checked.WRONG and not _locked(opened.member, now):
        problem = _(
            "That PIN is not right. Try again. If you have not set a PIN yet, sign in to "
            "Peerwork and set one on the PIN page."
        )
        return _pin_page(request, opened.token, problem=problem)
    problem = _(
        "Too many wrong PINs: this link is locked for %(minutes)d minutes. Call your "
        "manager to check in."
    ) % {"minutes": int(pins.LOCK_FOR.total_seconds() // 60)}
    return _pin_page(request, opened.token, problem=problem, phones=_phones(opened))


def _locked(member: Membership, now: datetime) -> bool:
    return ShiftPin.objects.filter(member=member, locked_until__gt=now).exists()


def _phones(opened: links.Opened) -> list[tuple[str, str]]:
    """Whom to call: the project manager's and the line manager's work phones."""
    policy = policy_for(organisation_id=opened.shift.organisation_id, site_id=opened.shift.site_id)
    people = [policy.project_manager, opened.member.line_manager]
    found: list[tuple[str, str]] = []
    for person in people:
        if person is not None and person.is_active and person.work_phone:
            line = (person.name, person.work_phone)
            if line not in found:
                found.append(line)
    return found


# --- the cookie that keeps the page open --------------------------------------------


def _cookie_value(opened: links.Opened) -> str | None:
    version = (
        ShiftPin.objects.filter(member=opened.member).values_list("version", flat=True).first()
    )
    if version is None:
        return None
    return f"{opened.shift.pk.hex}.{opened.member.pk.hex}.{version}"


def _is_open(request: HttpRequest, opened: links.Opened) -> bool:
    wanted = _cookie_value(opened)
    found = request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT)
    return wanted is not None and found == wanted


def _set_open(response: HttpResponse, request: HttpRequest, opened: links.Opened) -> None:
    response.set_signed_cookie(
        COOKIE,
        _cookie_value(opened) or "",
        salt=COOKIE_SALT,
        expires=opened.expires_at,
        path=request.path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- the open page ------------------------------------------------------------------


def _place(opened: links.Opened) -> Place:
    return Place(opened=opened, shown=opened.shift.state_shown_to_worker())


def _page(
    request: HttpRequest,
    opened: links.Opened,
    now: datetime,
    *,
    done: str = "",
    problem: str = "",
) -> HttpResponse:
    place = _place(opened)
    shift = place.shift
    offered = OFFERED.get(place.shown, frozenset())
    context = {
        "action": request.path,
        "shift": shift,
        "shown": place.shown,
        "state_label": Shift.State(place.shown).label,
        "offered": offered,
        "may_extend": "extend" in offered and shift.may_extend(now),
        "extend_choices": EXTEND_CHOICES,
        "location": shift.coarse_location if "location" in offered else "",
        "location_max": services.LOCATION_MAX,
        "guidelines": guidelines_for(
            policy_for(organisation_id=shift.organisation_id, site_id=shift.site_id)
        ),
        "phones": _phones(opened),
        "done": _done_message(done),
        "problem": problem,
    }
    return render(request, "outreach/link/open.html", context)


def _done_message(code: str) -> str:
    messages = {
        "out": _("You are checked out. Stay safe, and check in when you are back."),
        "in": _("You are checked in. Welcome back."),
        "extended": _("Your return time is extended."),
        "ok": _("Thank you: your “I'm OK” is on the shift's record."),
        "shared": _("Your rough location is shared for this shift only."),
        "taken_back": _("Your rough location is taken back."),
        "help": _("Help is on its way: the on-call manager has been told."),
    }
    return messages.get(code, "")


def _tap(request: HttpRequest, opened: links.Opened, now: datetime) -> HttpResponse:
    """One button: the service with the link's worker, then the page again."""
    do = request.POST.get("do", "")
    if do == "lock":
        response = HttpResponseRedirect(request.path, status=303)
        response.delete_cookie(COOKIE, path=request.path, samesite="Lax")
        return response
    if do not in ACTIONS:
        return _page(request, opened, now, problem=_("Choose one of the buttons."))
    place = _place(opened)
    shift, member = place.shift, place.member
    if do != "in" and do not in OFFERED.get(place.shown, frozenset()):
        return _page(request, opened, now, problem=_not_now(do))
    done = do
    try:
        if do == "out":
            services.check_out(actor=member, shift=shift, now=now)
        elif do == "in":
            services.check_in(actor=member, shift=shift, now=now)
        elif do == "extend":
            services.extend(actor=member, shift=shift, minutes=_minutes(request), now=now)
            done = "extended"
        elif do == "ok":
            services.im_ok(actor=member, shift=shift, now=now)
        elif do == "location":
            location = request.POST.get("location", "")
            services.share_location(actor=member, shift=shift, location=location, now=now)
            done = "shared" if location.strip() else "taken_back"
        elif do == "help":
            _help(member, shift, now)
    except ValidationError as error:
        return _page(request, opened, now, problem=" ".join(error.messages))
    return HttpResponseRedirect(f"{request.path}?done={done}", status=303)


def _help(member: Membership, shift: Shift, now: datetime) -> None:
    """HELP, one tap. After the duress PIN help is already on its way: the tap is
    answered as if it went now, since that is the truth."""
    try:
        services.ask_for_help(actor=member, shift=shift, via="link", now=now)
    except ValidationError:
        if not (shift.state == Shift.State.HELP and shift.help_silent):
            raise


def _minutes(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("minutes", ""))
    except ValueError:
        return 0  # the service says what it takes


def _not_now(do: str) -> str:
    return {
        "out": _("This shift has already started or ended: there is nothing to check out."),
        "extend": _("The return time can be extended only while you are out, before it passes."),
        "ok": _("“I'm OK” is only for a shift that is out."),
        "location": _("This shift has ended: there is no location to share."),
        "help": _("Help is already on its way for this shift, or it has been closed."),
    }[do]


def _zone(member: Membership) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(member.organisation.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
