"""The duress PIN on the shift link: a silent alert to the on-call manager and the top of
the chain at once, while the phone shows an ordinary check-in; nothing in the page, its
HTML or its headers gives it away (issue 5 item 4; guide §4.4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Notification
from peerwork.outreach import link_views, services
from peerwork.outreach.models import Shift, ShiftEvent

from .link_story import DURESS, PIN, on_call, opened, path_of, plan, tap, with_pins, without_tokens


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        with_pins(story)
        on_call(story)
        yield story


def twin_shifts(story: object) -> tuple[Shift, Shift]:
    """Two shifts alike in every word and minute, both out: one for each PIN."""
    now = timezone.now().replace(second=0, microsecond=0)
    start, back = now - timedelta(minutes=30), now + timedelta(hours=2)
    shifts = []
    for _ in range(2):
        shift = plan(story, start=start, back=back)
        shifts.append(services.check_out(actor=story.amina, shift=shift))  # type: ignore[attr-defined]
    return shifts[0], shifts[1]


def fresh(shift: Shift) -> Shift:
    return Shift.objects.get(pk=shift.pk)


def told(kind: str) -> list[str]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__user__username", flat=True)
    )


def test_the_duress_pin_raises_a_silent_alert_at_once(org):
    shift, _normal = twin_shifts(org)
    opened(shift, org.amina, DURESS)
    shift = fresh(shift)
    assert shift.state == Shift.State.HELP and shift.help_silent
    # The on-call manager and the top of the chain, straight away; the partner is not told.
    assert told("outreach.duress") == ["daniel", "taslima"]
    workers_told = Notification.objects.filter(recipient__in=[org.amina, org.joseph]).exclude(
        kind="outreach.shift_planned"
    )
    assert not workers_told.exists()
    line = ShiftEvent.objects.get(shift=shift, kind=ShiftEvent.Kind.HELP)
    assert line.detail == {"silent": True, "via": "link"}


def test_the_answer_to_the_duress_pin_is_the_answer_to_the_pin(org):
    duress_shift, normal_shift = twin_shifts(org)
    duress_path, normal_path = path_of(duress_shift, org.amina), path_of(normal_shift, org.amina)
    duress = Client().post(duress_path, {"pin": DURESS})
    normal = Client().post(normal_path, {"pin": PIN})
    assert duress.status_code == normal.status_code == 303
    assert duress["Location"].replace(duress_path, "") == normal["Location"].replace(
        normal_path, ""
    )
    assert sorted(duress.headers.items()) == sorted(
        (k, v.replace(normal_path, duress_path)) for k, v in normal.headers.items()
    )
    cookies = [r.cookies[link_views.COOKIE] for r in (duress, normal)]
    for name in ("expires", "httponly", "samesite", "secure", "max-age"):
        assert cookies[0][name] == cookies[1][name], name
    assert len(cookies[0].value) == len(cookies[1].value)


def test_a_duress_check_in_looks_exactly_like_a_normal_one(org):
    duress_shift, normal_shift = twin_shifts(org)
    phone, path = opened(normal_shift, org.amina, PIN)
    normal = tap(phone, path, "in")
    phone, path = opened(duress_shift, org.amina, DURESS)
    duress = tap(phone, path, "in")
    assert "You are checked in" in duress.content.decode()
    assert without_tokens(duress.content.decode()) == without_tokens(normal.content.decode())
    assert fresh(normal_shift).state == Shift.State.RETURNED
    # The alert is still on: a check-in after the duress PIN stops nothing.
    duress_shift = fresh(duress_shift)
    assert duress_shift.state == Shift.State.HELP and duress_shift.help_silent
    assert duress_shift.escalation_due_at is not None


def test_after_the_duress_pin_every_page_shows_the_shift_as_checked_in(org):
    duress_shift, normal_shift = twin_shifts(org)
    phone, path = opened(duress_shift, org.amina, DURESS)
    page = phone.get(path).content.decode()
    for hidden in ("Help asked for", "Check in: I am back", "I'm OK", "Share a rough"):
        assert hidden not in page, hidden
    assert "Returned" in page
    # As the page of a shift really checked in, link for link.
    services.check_in(actor=org.amina, shift=normal_shift)
    other, other_path = opened(normal_shift, org.amina, PIN)
    assert without_tokens(page) == without_tokens(other.get(other_path).content.decode())
    # Opened again later with the ordinary PIN, on another phone: still checked in.
    again, again_path = opened(duress_shift, org.amina, PIN)
    assert "Returned" in again.get(again_path).content.decode()


def test_buttons_pressed_after_the_duress_pin_answer_as_for_a_checked_in_shift(org):
    duress_shift, normal_shift = twin_shifts(org)
    services.check_in(actor=org.amina, shift=normal_shift)
    duress_phone, duress_path = opened(duress_shift, org.amina, DURESS)
    normal_phone, normal_path = opened(normal_shift, org.amina, PIN)
    for do in ("ok", "extend", "location", "out"):
        duress = duress_phone.post(duress_path, {"do": do, "location": "x", "minutes": "30"})
        normal = normal_phone.post(normal_path, {"do": do, "location": "x", "minutes": "30"})
        assert duress.status_code == normal.status_code, do
        assert without_tokens(duress.content.decode()) == without_tokens(normal.content.decode()), (
            do
        )
    assert ShiftEvent.objects.filter(shift=duress_shift, kind=ShiftEvent.Kind.OK).count() == 0


def test_help_tapped_after_the_duress_pin_is_answered_as_sent_and_stays_silent(org):
    shift, _normal = twin_shifts(org)
    phone, path = opened(shift, org.amina, DURESS)
    page = tap(phone, path, "help").content.decode()
    assert "Help is on its way" in page
    assert fresh(shift).help_silent


def test_the_duress_pin_after_help_is_already_on_its_way_still_opens_an_ordinary_page(org):
    shift, _normal = twin_shifts(org)
    services.ask_for_help(actor=org.joseph, shift=shift)
    phone = Client()
    response = phone.post(path_of(shift, org.amina), {"pin": DURESS})
    assert response.status_code == 303 and link_views.COOKIE in response.cookies
    assert phone.get(path_of(shift, org.amina)).status_code == 200
