"""The shift link: signed for one worker on one shift, opened with their PIN and nothing
else, refused the same way whatever is wrong with it (issue 5 item 3)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import signing
from django.test import Client
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent, Notification
from peerwork.core.notify import render
from peerwork.outreach import link_views, links, pins, services
from peerwork.outreach.models import Shift, ShiftPin

from .link_story import DURESS, PIN, opened, path_of, plan, with_pins

PAGE_BUDGET = 20 * 1024


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        with_pins(story)
        yield story


def refused(client: Client, path: str) -> None:
    """The one neutral refusal, after the PIN, whatever is wrong with the link."""
    response = client.post(path, {"pin": PIN})
    assert response.status_code == 404
    assert "This link does not open" in response.content.decode()
    assert link_views.COOKIE not in response.cookies


def bent(token: str, *, shift: object = None, member: object = None) -> str:
    """The token with another shift's or member's id put in, its signature kept."""
    value, signature = token.rsplit(":", 1)
    shift_hex, member_hex = value.split(".")
    shift_hex = shift.pk.hex if shift is not None else shift_hex  # type: ignore[attr-defined]
    member_hex = member.pk.hex if member is not None else member_hex  # type: ignore[attr-defined]
    return f"{shift_hex}.{member_hex}:{signature}"


def test_the_right_pin_opens_the_shift_with_a_cookie_for_that_link_only_and_no_session(org):
    shift = plan(org)
    phone, path = Client(), path_of(shift, org.amina)
    assert "Type your PIN" in phone.get(path).content.decode()
    response = phone.post(path, {"pin": PIN})
    assert response.status_code == 303 and response["Location"] == path
    cookie = response.cookies[link_views.COOKIE]
    assert cookie["path"] == path
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["expires"]  # until the link expires, not the 15-minute session
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    page = phone.get(path).content.decode()
    assert "The market car park" in page and "Check out: I am leaving now" in page
    # Signed in to nothing else.
    assert "_auth_user_id" not in phone.session
    assert phone.get("/outreach/pin/").status_code == 302


def test_the_pin_page_says_nothing_about_a_link_before_its_pin(org):
    shift = plan(org)
    good = Client().get(path_of(shift, org.amina))
    bad = Client().get("/s/not-a-link/")
    assert good.status_code == bad.status_code == 200
    assert "market" not in good.content.decode()


def test_a_link_bent_to_another_shift_or_another_worker_is_refused(org):
    shift, other = plan(org), plan(org, area="The bus station")
    token = links.make_token(shift.pk, org.amina.pk)
    refused(Client(), f"/s/{bent(token, shift=other)}/")
    refused(Client(), f"/s/{bent(token, member=org.joseph)}/")
    # Joseph's own link needs Joseph's PIN: Amina's does not open it.
    response = Client().post(path_of(shift, org.joseph), {"pin": PIN})
    assert response.status_code == 200 and "not right" in response.content.decode()


def test_a_bad_signature_or_a_token_from_another_signer_is_refused(org):
    shift = plan(org)
    token = links.make_token(shift.pk, org.amina.pk)
    refused(Client(), f"/s/{token[:-2]}xx/")
    forged = signing.Signer(salt="peerwork.invitation").sign(token.rsplit(":", 1)[0])
    refused(Client(), f"/s/{forged}/")
    refused(Client(), "/s/nothing/")


def test_the_open_page_of_one_link_does_not_open_another(org):
    shift, other = plan(org), plan(org, area="The bus station")
    phone, _path = opened(shift, org.amina)
    # The test client sends every cookie to every path; the cookie still names its link.
    page = phone.get(path_of(other, org.amina)).content.decode()
    assert "Type your PIN" in page and "bus station" not in page


def test_an_expired_shift_and_a_cancelled_one_are_refused(org):
    now = timezone.now()
    long_ago = plan(org, start=now - timedelta(days=2), back=now - timedelta(hours=40))
    refused(Client(), path_of(long_ago, org.amina))
    later = plan(org, start=now + timedelta(hours=3), back=now + timedelta(hours=5))
    services.cancel_shift(actor=org.ravi, shift=later)
    refused(Client(), path_of(later, org.amina))


def test_a_closed_shift_opens_for_the_margin_and_then_no_more(org):
    shift = plan(org)
    services.check_out(actor=org.amina, shift=shift)
    services.ask_for_help(actor=org.amina, shift=shift)
    closed_at = timezone.now()
    services.close_shift(actor=org.daniel, shift=shift, incident=False, now=closed_at)
    shift.refresh_from_db()
    assert links.read(links.make_token(shift.pk, org.amina.pk)) is not None
    after = closed_at + links.MARGIN + timedelta(hours=3)
    assert links.read(links.make_token(shift.pk, org.amina.pk), now=after) is None


def test_an_open_shift_keeps_its_link_however_late_the_worker_is(org):
    shift = plan(org)
    services.check_out(actor=org.amina, shift=shift)
    much_later = timezone.now() + timedelta(days=3)
    assert links.read(links.make_token(shift.pk, org.amina.pk), now=much_later) is not None


def test_a_worker_who_has_left_the_organisation_cannot_use_their_link(org):
    shift = plan(org)
    org.amina.ended_at = timezone.now() - timedelta(minutes=1)
    org.amina.save(update_fields=["ended_at"])
    refused(Client(), path_of(shift, org.amina))


def test_a_browser_signed_in_as_someone_else_gets_404_and_the_worker_still_types_the_pin(org):
    shift = plan(org)
    path = path_of(shift, org.amina)
    for someone in (org.ravi, org.joseph, org.taras):
        assert signed_in(someone).get(path).status_code == 404
        assert signed_in(someone).post(path, {"pin": PIN}).status_code == 404
    own = signed_in(org.amina)
    assert "Type your PIN" in own.get(path).content.decode()
    assert own.post(path, {"pin": PIN}).status_code == 303


def test_a_wrong_pin_is_refused_audited_and_changes_nothing(org):
    shift = plan(org)
    before = Shift.objects.values().get(pk=shift.pk)
    phone, path = Client(), path_of(shift, org.amina)
    response = phone.post(path, {"pin": "0000"})
    assert response.status_code == 200
    assert "That PIN is not right" in response.content.decode()
    assert link_views.COOKIE not in response.cookies
    assert Shift.objects.values().get(pk=shift.pk) == before
    refusal = AuditEvent.objects.filter(action="outreach.pin.refused").get()
    assert refusal.detail == {"via": "link", "reason": "wrong_pin"}
    assert "Type your PIN" in phone.get(path).content.decode()


def test_an_empty_pin_is_asked_for_again_and_not_counted(org):
    shift = plan(org)
    response = Client().post(path_of(shift, org.amina), {"pin": ""})
    assert "Type your PIN." in response.content.decode()
    assert ShiftPin.objects.get(member=org.amina).failures == 0


def test_after_five_wrong_pins_the_link_is_locked_and_says_whom_to_call(org):
    org.ravi.work_phone = "+254 700 000 111"
    org.ravi.save(update_fields=["work_phone"])
    shift = plan(org)
    phone, path = Client(), path_of(shift, org.amina)
    for _ in range(pins.MAX_FAILURES - 1):
        assert "not right" in phone.post(path, {"pin": "0000"}).content.decode()
    page = phone.post(path, {"pin": "0000"}).content.decode()
    assert "locked" in page and 'href="tel:+254 700 000 111"' in page and "Ravi Shah" in page
    # Locked: the right PIN does not open it either, and changes nothing.
    response = phone.post(path, {"pin": PIN})
    assert response.status_code == 200 and "locked" in response.content.decode()
    assert link_views.COOKIE not in response.cookies


def test_a_new_pin_closes_the_pages_opened_with_the_old_one(org):
    shift = plan(org)
    phone, path = opened(shift, org.amina)
    pins.set_pin(actor=org.amina, pin="5555", duress_pin=DURESS)
    assert "Type your PIN" in phone.get(path).content.decode()


def test_each_worker_is_sent_their_own_link_when_a_shift_is_planned(org):
    shift = plan(org)
    sent = Notification.objects.filter(kind="outreach.shift_planned")
    assert sorted(n.recipient.user.username for n in sent) == ["amina", "joseph"]
    for notification in sent:
        words = render(notification)
        assert words.subject == "You have an outreach shift"
        assert "market" not in words.subject + words.body
        assert words.link == path_of(shift, notification.recipient)


def test_the_pages_have_no_script_and_fit_the_budget_with_their_css_at_360_px(org):
    shift = plan(org)
    stylesheet = Path(finders.find("outreach/link.css")).read_bytes()  # type: ignore[arg-type]
    phone = Client()
    path = path_of(shift, org.amina)
    pages = [phone.get(path), phone.post(path, {"pin": "0000"})]
    phone, path = opened(shift, org.amina)
    pages.append(phone.get(path))
    for response in pages:
        html = response.content.decode()
        assert "<script" not in html.lower() and " on" + "click" not in html.lower()
        assert '<link rel="stylesheet" href="/static/outreach/link.css">' in html
        assert len(response.content) + len(stylesheet) < PAGE_BUDGET
        # A phone's width: the viewport follows the device, and nothing sets a width.
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
        assert "width=" not in html.replace("width=device-width", "")
        assert "<table" not in html
    assert b"max-width: 32rem" in stylesheet and b"width: 100%" in stylesheet
    assert 'inputmode="numeric"' in pages[0].content.decode()
    assert 'autocomplete="off"' in pages[0].content.decode()
