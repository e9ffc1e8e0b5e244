"""The person's calendar feed page /schedule/calendar/: make an address (shown once), make
a new one, stop it, see when it was last read (issue 6 item 6)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from django.test import Client
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.schedule import feeds
from peerwork.schedule.models import CalendarFeed

PAGE = "/schedule/calendar/"
MAKE = "/schedule/calendar/make/"
STOP = "/schedule/calendar/stop/"
ADDRESS = re.compile(r'value="(https?://[^"]+/cal/([A-Za-z0-9_-]+)\.ics)"')


def live(member: Any) -> list[CalendarFeed]:
    with scope(organisation=member.organisation_id):
        return list(CalendarFeed.objects.filter(member=member, revoked_at=None))


def test_it_offers_to_make_a_feed_to_someone_who_has_none(story: Any) -> None:
    html = assert_sound_page(signed_in(story.amina).get(PAGE))

    assert "You have no calendar feed." in html
    assert f'action="{MAKE}"' in html
    assert "/cal/" not in html


def test_it_shows_the_new_address_once_with_how_to_use_it(story: Any) -> None:
    browser = signed_in(story.amina)

    response = browser.post(MAKE)

    html = assert_sound_page(response)
    assert response.status_code == 200
    address, token = ADDRESS.search(html).groups()  # type: ignore[union-attr]
    assert address.startswith("http://127.0.0.1")
    assert f'href="webcal://{address.split("://", 1)[1]}"' in html
    assert "Anyone who has this address can read your feed" in html
    assert "Add calendar from URL" in html
    [feed] = live(story.amina)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert "no-store" in response["Cache-Control"]
    # Afterwards the page never shows it again.
    again = assert_sound_page(browser.get(PAGE))
    assert token not in again
    assert "You have a feed address, made on" in again
    assert Client().get(f"/cal/{token}.ics").status_code == 200


def test_it_makes_a_new_address_that_stops_the_old_one(story: Any) -> None:
    browser = signed_in(story.amina)
    first = ADDRESS.search(browser.post(MAKE).content.decode()).group(2)  # type: ignore[union-attr]

    second = ADDRESS.search(browser.post(MAKE).content.decode()).group(2)  # type: ignore[union-attr]

    assert first != second
    assert len(live(story.amina)) == 1
    assert Client().get(f"/cal/{first}.ics").status_code == 404
    assert Client().get(f"/cal/{second}.ics").status_code == 200


def test_it_stops_the_feed(story: Any) -> None:
    feed, token = _made(story.amina)
    browser = signed_in(story.amina)

    response = browser.post(STOP, {"feed": str(feed.pk)}, follow=True)

    html = assert_sound_page(response)
    assert response.redirect_chain == [(PAGE, 302)]
    assert "Your calendar feed is stopped" in html
    assert "You have no calendar feed." in html
    assert live(story.amina) == []
    assert Client().get(f"/cal/{token}.ics").status_code == 404


def test_it_says_so_when_the_feed_was_already_stopped(story: Any) -> None:
    feed, _token = _made(story.amina)
    with scope(organisation=story.harbourside.pk):
        feeds.revoke_feed(actor=story.amina, feed=feed)

    response = signed_in(story.amina).post(STOP, {"feed": str(feed.pk)}, follow=True)

    assert "That feed address was already stopped." in response.content.decode()


def test_it_shows_when_a_calendar_app_last_read_it(story: Any) -> None:
    feed, token = _made(story.amina)
    browser = signed_in(story.amina)
    assert "No calendar app has read it yet." in browser.get(PAGE).content.decode()
    read_at = timezone.now() - dt.timedelta(hours=3)
    with scope(organisation=story.harbourside.pk):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=read_at)

    html = browser.get(PAGE).content.decode()

    local = timezone.localtime(read_at, timezone.get_fixed_timezone(180))
    assert f"A calendar app last read it around {local:%-d %b %Y, %H:%M}" in html


def test_it_acts_only_on_post(story: Any) -> None:
    browser = signed_in(story.amina)

    assert browser.get(MAKE).status_code == 405
    assert browser.get(STOP).status_code == 405
    assert browser.post(PAGE).status_code == 405
    assert live(story.amina) == []


def test_it_refuses_a_post_without_the_csrf_token(story: Any) -> None:
    browser = signed_in(story.amina, enforce_csrf=True)

    assert browser.post(MAKE).status_code == 403
    assert live(story.amina) == []


def test_it_answers_404_to_stopping_someone_elses_feed(story: Any) -> None:
    feed, token = _made(story.olena)

    for member in (story.amina, story.ravi, story.grace, story.chen):
        assert signed_in(member).post(STOP, {"feed": str(feed.pk)}).status_code == 404
    assert signed_in(story.amina).post(STOP, {"feed": "not-an-id"}).status_code == 404
    assert Client().get(f"/cal/{token}.ics").status_code == 200


def test_it_answers_404_to_someone_from_another_organisation(story: Any) -> None:
    feed, _token = _made(story.amina)

    response = signed_in(story.taras).post(STOP, {"feed": str(feed.pk)})

    assert response.status_code == 404
    assert len(live(story.amina)) == 1


def test_it_shows_each_person_only_their_own_feed(story: Any) -> None:
    mine, _token = _made(story.amina)

    html = signed_in(story.olena).get(PAGE).content.decode()

    assert "You have no calendar feed." in html
    assert str(mine.pk) not in html


def test_it_sends_people_who_are_not_signed_in_to_sign_in(story: Any) -> None:
    response = Client().get(PAGE)

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert Client().post(MAKE).status_code == 302


def _made(member: Any) -> tuple[CalendarFeed, str]:
    with scope(organisation=member.organisation_id):
        return feeds.make_feed(actor=member)
