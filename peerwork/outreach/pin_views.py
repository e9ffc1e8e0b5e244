"""A member's shift PIN and duress PIN, and the links to their coming shifts (issue 5
items 3 and 4; guide §4.4).

The PIN opens a shift link on a phone without signing in; the duress PIN opens it too and
looks the same, but tells the on-call manager and the top of the chain at once, silently
(``link_views``). Changing a PIN asks for the current one (``pins.check`` counts a wrong
one, as on the link). PINs typed are never written back into the page: a refused form
asks for them again (four to six digits), so no PIN sits in a page's HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from peerwork.core.models import Membership
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import put_errors

from . import links, pins
from .models import WATCHED_STATES, Shift, ShiftPin, ShiftWorker

SHIFTS_SHOWN = 20


def _pin_input() -> forms.PasswordInput:
    return forms.PasswordInput(
        attrs={"inputmode": "numeric", "pattern": "[0-9]*", "maxlength": 6, "autocomplete": "off"}
    )


class PinForm(forms.Form):
    """What the person types; ``pins.set_pin`` holds the rules (4 to 6 digits, different)."""

    current_pin = forms.CharField(
        label=gettext_lazy("Your current PIN"), required=False, widget=_pin_input()
    )
    password = forms.CharField(
        label=gettext_lazy("Forgot your PIN? Your Peerwork password instead"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    pin = forms.CharField(label=gettext_lazy("New PIN"), widget=_pin_input())
    pin_again = forms.CharField(label=gettext_lazy("New PIN again"), widget=_pin_input())
    duress_pin = forms.CharField(
        label=gettext_lazy("Duress PIN (optional)"),
        required=False,
        widget=_pin_input(),
        help_text=gettext_lazy("Leave it empty to have no duress PIN."),
    )
    duress_pin_again = forms.CharField(
        label=gettext_lazy("Duress PIN again"), required=False, widget=_pin_input()
    )

    def __init__(self, *args: object, changing: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not changing:
            del self.fields["current_pin"]
            del self.fields["password"]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("pin") and data.get("pin") != data.get("pin_again"):
            self.add_error("pin_again", _("The two PINs are not the same: type them again."))
        if (data.get("duress_pin") or "") != (data.get("duress_pin_again") or ""):
            self.add_error(
                "duress_pin_again", _("The two duress PINs are not the same: type them again.")
            )
        return data


@dataclass(frozen=True)
class Coming:
    """A shift of the member's whose link still opens."""

    shift: Shift
    state_label: str
    url: str


@require_http_methods(["GET", "POST"])
@member_page
def pin(request: HttpRequest) -> HttpResponse:
    member = cast(MemberRequest, request).member
    now = timezone.now()
    stored = ShiftPin.objects.filter(member=member).first()
    form = PinForm(request.POST or None, changing=stored is not None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _current_pin_right(form, member, stored, now)
    ):
        try:
            pins.set_pin(
                actor=member,
                pin=form.cleaned_data["pin"],
                duress_pin=form.cleaned_data["duress_pin"],
                now=now,
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your PIN is saved. Pages of your shift links that were open are closed: "
                    "open them again with your new PIN."
                ),
            )
            return redirect("outreach:pin")
    context = {
        "form": form,
        "stored": stored,
        "has_duress": bool(stored and stored.duress_hash),
        "locked": bool(stored and stored.locked_until and stored.locked_until > now),
        "coming": _coming(member, now),
    }
    return render(request, "outreach/link/pin_settings.html", context)


def _current_pin_right(
    form: PinForm, member: Membership, stored: ShiftPin | None, now: datetime
) -> bool:
    """Changing a PIN needs the current one (a wrong one counts as on the link), or, for
    a forgotten PIN, the account's password: the person is signed in already, and this
    is what stops someone who finds the phone signed in from changing it."""
    if stored is None:
        return True
    password = form.cleaned_data.get("password") or ""
    if password and not form.cleaned_data.get("current_pin"):
        if member.user.check_password(password):
            return True
        form.add_error("password", _("That is not your password."))
        return False
    answer = pins.check(member, form.cleaned_data.get("current_pin") or "", via="pin_page", now=now)
    if answer is pins.Checked.OK:
        return True
    if answer is pins.Checked.LOCKED:
        form.add_error(
            "current_pin",
            _("Your PIN is locked after too many wrong tries. Try again in %(minutes)d minutes.")
            % {"minutes": int(pins.LOCK_FOR.total_seconds() // 60)},
        )
    else:
        form.add_error("current_pin", _("That is not your current PIN."))
    return False


def _coming(member: Membership, now: datetime) -> list[Coming]:
    """The member's shifts whose links still open, soonest first."""
    since = now - links.MARGIN
    places = (
        ShiftWorker.objects.filter(member=member)
        .exclude(shift__state=Shift.State.CANCELLED)
        .filter(
            Q(shift__state__in=WATCHED_STATES)
            | Q(shift__planned_return__gte=since)
            | Q(shift__returned_at__gte=since)
            | Q(shift__closed_at__gte=since)
        )
        .select_related("shift")
        .order_by("shift__planned_start")[:SHIFTS_SHOWN]
    )
    found = []
    for place in places:
        shift = place.shift
        until = links.expires_at(shift, now=now)
        if until is not None and now < until:
            shown = Shift.State(shift.state_shown_to_worker())
            found.append(Coming(shift, str(shown.label), links.link_url(shift.pk, member.pk)))
    return found
