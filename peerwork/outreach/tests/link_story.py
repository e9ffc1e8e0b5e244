"""The shift link's tests' shared story: Amina and Joseph on this evening's shift in the
market car park, their PINs set, and a phone (a test client, signed in to nothing) that
opens Amina's link. Times are arranged around the real clock, since the pages read it:
the shift started half an hour ago and is due back in two hours."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from peerwork.core.models import Membership
from peerwork.outreach import links, pins, services
from peerwork.outreach.models import OnCall, Shift

PIN = "2468"
DURESS = "1357"
JOSEPH_PIN = "8642"
AREA = "The market car park"


def plan(
    story: object,
    *,
    start: datetime | None = None,
    back: datetime | None = None,
    area: str = AREA,
) -> Shift:
    now = timezone.now()
    start = start or now - timedelta(minutes=30)
    back = back or now + timedelta(hours=2)
    return services.plan_shift(
        actor=story.ravi,  # type: ignore[attr-defined]
        workers=[story.amina, story.joseph],  # type: ignore[attr-defined]
        area=area,
        planned_start=start,
        planned_return=back,
        now=start - timedelta(hours=1),
    )


def with_pins(story: object) -> None:
    pins.set_pin(actor=story.amina, pin=PIN, duress_pin=DURESS)  # type: ignore[attr-defined]
    pins.set_pin(actor=story.joseph, pin=JOSEPH_PIN)  # type: ignore[attr-defined]


def on_call(story: object) -> None:
    """Taslima is on call tonight."""
    now = timezone.now()
    OnCall.objects.create(
        organisation=story.harbourside,  # type: ignore[attr-defined]
        member=story.taslima,  # type: ignore[attr-defined]
        starts_at=now - timedelta(hours=4),
        ends_at=now + timedelta(hours=8),
    )


def path_of(shift: Shift, member: Membership) -> str:
    return links.link_path(shift.pk, member.pk)


def opened(shift: Shift, member: Membership, pin: str = PIN) -> tuple[Client, str]:
    """A phone with this worker's link opened by ``pin``."""
    phone = Client()
    path = path_of(shift, member)
    response = phone.post(path, {"pin": pin})
    assert response.status_code == 303, response.content[:300]
    return phone, path


def tap(phone: Client, path: str, do: str, **data: str) -> object:
    """One button, and the page it leads to."""
    return phone.post(path, {"do": do, **data}, follow=True)


def without_tokens(html: str) -> str:
    """The page with what differs between any two links taken out: CSRF tokens and the
    link itself."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    return re.sub(r"/s/[^/\"]+/", "/s/LINK/", html)
