"""What a calendar feed never says (issue 6 item 6; DESIGN.md "Privacy model").

Feeds are copied into other companies' calendar clouds, so even the owner's own feed has
neutral labels only: no meeting title or place, no outreach area, no trip title, place or
dispensing site, nothing from a private planning note, no kind of time away, no names and
no organisation. And each address shows only its own person's calendar.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone
from django_scopes import scope
from icalendar import Calendar

from peerwork.people.models import Unavailability
from peerwork.schedule import feeds, services
from peerwork.schedule.models import Meeting
from peerwork.schedule.tests.test_feeds import NAIROBI, away, make, meeting, shift, trip

CLINIC = "Eastleigh Methadone Clinic"
DISPENSING = {
    "kind": "dispensing",
    "site": CLINIC,
    "days": [0, 1, 2, 3, 4],
    "opens": "10:00",
    "closes": "12:00",
    "collection": "at_opening",
    "wait_minutes": 15,
    "travel_minutes": 30,
}


def amina_with_everything(story: Any) -> str:
    """Amina's week with every kind of event, each row full of words a feed must not
    carry; returns her feed's token."""
    with scope(organisation=story.harbourside.pk):
        services.record_need(actor=story.amina, owner=story.amina, details=DISPENSING)
    shift(story, area="Kariokor market, behind the OST clinic")
    meeting(story, title="OST peer support circle", place=f"Upstairs at the {CLINIC}")
    meeting(
        story,
        title="Appointment planning with HR",
        kind=Meeting.Kind.EVENT,
        repeats=Meeting.Repeats.NEVER,
        place="Dispensing room",
        required=[story.amina.pk],
        first_on=timezone.localdate(timezone.now(), NAIROBI) + dt.timedelta(days=4),
    )
    trip(story, travellers=[story.amina], title="Harbourside at the OST conference")
    away(story, kind=Unavailability.Kind.APPOINTMENT)
    away(story, in_days=5, kind=Unavailability.Kind.UNAVAILABLE)
    return make(story.amina)[1]


def feed_text(token: str) -> str:
    response = Client().get(f"/cal/{token}.ics")
    assert response.status_code == 200
    return response.content.decode()


def test_it_never_says_what_a_meeting_shift_or_trip_is_about(story: Any) -> None:
    text = feed_text(amina_with_everything(story))
    lowered = text.lower()

    for words in (
        "OST peer support circle",
        "Upstairs",
        "Kariokor",
        "underpass",
        "Mombasa",
        "Moi Avenue",
        "conference",
        "Dispensing room",
        "Needles",
    ):
        assert words.lower() not in lowered, words
    assert "OST" not in text
    assert "methadone" not in lowered
    assert "clinic" not in lowered


def test_it_never_says_why_someone_is_away(story: Any) -> None:
    lowered = feed_text(amina_with_everything(story)).lower()

    assert "appointment" not in lowered
    assert "dispensing" not in lowered
    assert "unavailable" not in lowered
    assert "10:45" not in lowered


def test_it_never_names_the_organisation_or_anyone(story: Any) -> None:
    text = feed_text(amina_with_everything(story))
    lowered = text.lower()

    for words in ("Harbourside", "Harm Reduction", "Amina", "Wanjiru", "Olena", "Ravi"):
        assert words.lower() not in lowered, words
    assert "Outreach" not in text  # the team's name (a link's path is /outreach/…)
    assert "description" not in lowered
    assert "location" not in lowered
    assert "organizer" not in lowered
    assert "attendee" not in lowered


def test_it_labels_every_event_with_its_kind_only(story: Any) -> None:
    text = feed_text(amina_with_everything(story))

    labels = {str(e["SUMMARY"]) for e in Calendar.from_ical(text).walk("VEVENT")}

    assert labels == {"Shift", "Team meeting", "Event", "Work trip", "Busy"}


def test_it_shows_each_person_only_their_own_calendar(story: Any) -> None:
    amina_with_everything(story)
    _feed, token = make(story.olena)

    labels = [str(e["SUMMARY"]) for e in Calendar.from_ical(feed_text(token)).walk("VEVENT")]

    # Olena is on the shift and required at the weekly meeting; not on the trip, the
    # one-off event or Amina's times away.
    assert "Shift" in labels and "Team meeting" in labels
    assert "Work trip" not in labels and "Busy" not in labels and "Event" not in labels


def test_it_shows_nothing_of_another_organisation(story: Any) -> None:
    amina_with_everything(story)
    _feed, token = make(story.taras)

    assert list(Calendar.from_ical(feed_text(token)).walk("VEVENT")) == []


def test_it_says_no_more_in_the_persons_own_language(story: Any) -> None:
    story.amina.user.language = "uk"
    story.amina.user.save(update_fields=["language"])
    amina_with_everything(story)
    with scope(organisation=story.harbourside.pk):
        text = feeds.calendar_for(story.amina).decode()

    assert "OST" not in text
    assert "Harbourside" not in text
