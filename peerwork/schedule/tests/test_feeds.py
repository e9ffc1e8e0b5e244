"""The calendar feed /cal/<token>.ics: what Amina's shows, when it answers 404, its
daylight-saving times and its cost (issue 6 item 6). Time is arranged in data around the
real clock, or given to ``calendar_for`` as ``now``."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope
from icalendar import Calendar

from peerwork.core.models import AuditEvent
from peerwork.outreach import services as outreach
from peerwork.people.availability import add_unavailability
from peerwork.people.models import Unavailability
from peerwork.schedule import feeds, services
from peerwork.schedule.models import CalendarFeed, Meeting, Traveller, Trip

NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")
KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


def meeting(story: Any, **kw: Any) -> Meeting:
    """Ravi's weekly team meeting at 09:30 for an hour, Amina and Olena required."""
    org = kw.pop("org", story.harbourside)
    values: dict[str, Any] = {
        "title": "Peer support circle",
        "kind": Meeting.Kind.TEAM_MEETING,
        "first_on": timezone.localdate(timezone.now(), NAIROBI) + dt.timedelta(days=1),
        "starts": dt.time(9, 30),
        "minutes": 60,
        "repeats": Meeting.Repeats.WEEKLY,
        "place": "Back room of the Eastleigh clinic",
        "team": story.team,
        "required": [story.amina.pk, story.olena.pk],
        "optional": [],
    }
    actor = kw.pop("actor", story.ravi)
    values.update(kw)
    with scope(organisation=org.pk):
        return services.create_meeting(actor=actor, fields=services.MeetingFields(**values))


def shift(story: Any, *, in_days: float = 1, **kw: Any) -> Any:
    """Amina and Olena's outreach shift, three hours from ``in_days`` days ahead."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=in_days)
    values: dict[str, Any] = {
        "actor": story.ravi,
        "workers": [story.amina, story.olena],
        "area": "The station underpass",
        "materials": "Needles, naloxone",
        "planned_start": start,
        "planned_return": start + dt.timedelta(hours=3),
        "team": story.team,
        "now": min(start, timezone.now()) - dt.timedelta(hours=1),
    }
    values.update(kw)
    with scope(organisation=story.harbourside.pk):
        return outreach.plan_shift(**values)


def trip(story: Any, *, travellers: list[Any], in_days: int = 30, **kw: Any) -> Trip:
    """A three-day training trip to Mombasa a month ahead."""
    today = timezone.localdate(timezone.now(), NAIROBI)
    with scope(organisation=story.harbourside.pk):
        row = Trip.objects.create(
            organisation=story.harbourside,
            title=kw.get("title", "Naloxone training of trainers"),
            kind=Trip.Kind.EVENT_ELSEWHERE,
            place="Mombasa",
            starts_on=today + dt.timedelta(days=in_days),
            ends_on=today + dt.timedelta(days=in_days + 2),
            organiser=story.ravi,
            ost_site_name="Coast methadone clinic",
            ost_site_address="Moi Avenue",
            cancelled_at=kw.get("cancelled_at"),
        )
        for person in travellers:
            Traveller.objects.create(organisation=story.harbourside, trip=row, member=person)
    return row


def away(
    story: Any, *, in_days: int = 2, hour: int = 14, kind: str = Unavailability.Kind.APPOINTMENT
) -> Any:
    """Amina away for two hours from 14:00 (Nairobi) ``in_days`` days ahead."""
    day = timezone.localdate(timezone.now(), NAIROBI) + dt.timedelta(days=in_days)
    starts = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=NAIROBI)
    with scope(organisation=story.harbourside.pk):
        return add_unavailability(
            actor=story.amina,
            membership=story.amina,
            kind=kind,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
        )


def make(member: Any) -> tuple[CalendarFeed, str]:
    with scope(organisation=member.organisation_id):
        return feeds.make_feed(actor=member)


def fetch(token: str) -> Any:
    return Client().get(f"/cal/{token}.ics")


def events(body: bytes) -> list[Any]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def summaries(body: bytes) -> list[str]:
    return [str(event["SUMMARY"]) for event in events(body)]


def test_it_shows_amina_her_shift_meetings_trip_and_busy_time(story: Any) -> None:
    work = shift(story)
    weekly = meeting(story)
    once = meeting(
        story,
        title="First aid refresher",
        kind=Meeting.Kind.TRAINING,
        repeats=Meeting.Repeats.NEVER,
        first_on=timezone.localdate(timezone.now(), NAIROBI) + dt.timedelta(days=3),
    )
    travel = trip(story, travellers=[story.amina])
    busy = away(story)
    _feed, token = make(story.amina)

    response = fetch(token)

    assert response.status_code == 200
    found = events(response.content)
    by_uid = {str(event["UID"]): event for event in found}
    shift_event = by_uid[f"{work.pk}-{work.planned_start.astimezone(NAIROBI).date()}@peerwork"]
    assert str(shift_event["SUMMARY"]) == "Shift"
    assert shift_event["DTSTART"].dt == work.planned_start
    assert shift_event["DTEND"].dt == work.planned_return
    assert str(shift_event["URL"]).endswith(f"/outreach/shifts/{work.pk}/")
    # Every week from the first Tuesday for 13 weeks: 13 or 14 occurrences.
    weekly_events = [e for e in found if str(e["UID"]).startswith(str(weekly.pk))]
    assert 13 <= len(weekly_events) <= 14
    assert {str(e["SUMMARY"]) for e in weekly_events} == {"Team meeting"}
    first = min(weekly_events, key=lambda e: e["DTSTART"].dt)
    assert first["DTSTART"].dt == dt.datetime.combine(
        weekly.first_on, dt.time(9, 30), tzinfo=NAIROBI
    )
    assert first["DTEND"].dt - first["DTSTART"].dt == dt.timedelta(hours=1)
    training = [e for e in found if str(e["UID"]).startswith(str(once.pk))]
    assert [str(e["SUMMARY"]) for e in training] == ["Training"]
    trip_event = by_uid[f"{travel.pk}-{travel.starts_on}@peerwork"]
    assert str(trip_event["SUMMARY"]) == "Work trip"
    assert trip_event["DTSTART"].dt == travel.starts_on  # a whole day
    assert trip_event["DTEND"].dt == travel.ends_on + dt.timedelta(days=1)
    busy_event = by_uid[f"{busy.pk}-{busy.starts_at.astimezone(NAIROBI).date()}@peerwork"]
    assert str(busy_event["SUMMARY"]) == "Busy"
    assert busy_event["DTSTART"].dt == busy.starts_at
    assert len(found) == 1 + len(weekly_events) + 1 + 1 + 1
    starts = [
        e["DTSTART"].dt
        if isinstance(e["DTSTART"].dt, dt.datetime)
        else dt.datetime.combine(e["DTSTART"].dt, dt.time(0), tzinfo=NAIROBI)
        for e in found
    ]
    assert starts == sorted(starts)


def test_it_answers_as_a_private_calendar_file_nobody_keeps(story: Any) -> None:
    _feed, token = make(story.amina)

    response = fetch(token)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
    assert "sessionid" not in response.cookies


def test_it_leaves_out_cancelled_shifts_meetings_and_trips(story: Any) -> None:
    work = shift(story)
    weekly = meeting(story)
    trip(story, travellers=[story.amina], cancelled_at=timezone.now())
    with scope(organisation=story.harbourside.pk):
        outreach.cancel_shift(actor=story.ravi, shift=work)
        services.cancel_meeting(actor=story.ravi, meeting=weekly, version=weekly.version)
    _feed, token = make(story.amina)

    assert events(fetch(token).content) == []


def test_it_covers_the_past_two_weeks_and_the_next_thirteen(story: Any) -> None:
    shift(story, in_days=-13, now=timezone.now() - dt.timedelta(days=14))
    shift(story, in_days=-16, now=timezone.now() - dt.timedelta(days=17))
    shift(story, in_days=90)
    shift(story, in_days=93)
    _feed, token = make(story.amina)

    assert summaries(fetch(token).content) == ["Shift", "Shift"]


def test_it_gives_the_same_uids_every_time_it_is_read(story: Any) -> None:
    shift(story)
    meeting(story)
    _feed, token = make(story.amina)

    first = [str(e["UID"]) for e in events(fetch(token).content)]
    again = [str(e["UID"]) for e in events(fetch(token).content)]

    assert first == again
    assert len(set(first)) == len(first)


def test_it_keeps_a_kyiv_meeting_at_0930_across_the_end_of_summer_time(story: Any) -> None:
    """Riverside is in Europe/Kyiv: clocks go back on the last Sunday of October."""
    year = timezone.now().year + 1
    last_sunday = max(
        dt.date(year, 10, day) for day in range(25, 32) if dt.date(year, 10, day).weekday() == 6
    )
    tuesday_before = last_sunday - dt.timedelta(days=5)
    weekly = meeting(
        story,
        org=story.riverside,
        actor=story.taras,
        title="Network coordination",
        first_on=tuesday_before,
        team=story.other_team,
        required=[story.taras.pk],
    )
    now = dt.datetime.combine(tuesday_before, dt.time(8, 0), tzinfo=KYIV)

    with scope(organisation=story.riverside.pk):
        body = feeds.calendar_for(story.taras, now=now)

    found = sorted(events(body), key=lambda e: e["DTSTART"].dt)
    before, after = found[0], found[1]
    assert before["DTSTART"].dt.date() == tuesday_before
    assert after["DTSTART"].dt.date() == tuesday_before + dt.timedelta(days=7)
    assert {e["DTSTART"].dt.time() for e in found} == {dt.time(9, 30)}
    assert before["DTSTART"].params["TZID"] == "Europe/Kyiv"
    assert before["DTSTART"].dt.astimezone(dt.UTC).time() == dt.time(6, 30)
    assert after["DTSTART"].dt.astimezone(dt.UTC).time() == dt.time(7, 30)
    assert str(weekly.pk) in str(before["UID"])
    # The zone's rules travel with the file, so an app in another zone places it right.
    assert b"BEGIN:VTIMEZONE" in body and b"TZID:Europe/Kyiv" in body


def test_it_answers_404_to_an_unknown_address(story: Any) -> None:
    make(story.amina)

    assert fetch("not-a-real-token").status_code == 404
    assert fetch("x" * 43).status_code == 404


def test_it_answers_404_once_the_feed_is_stopped(story: Any) -> None:
    feed, token = make(story.amina)
    with scope(organisation=story.harbourside.pk):
        feeds.revoke_feed(actor=story.amina, feed=feed)

    assert fetch(token).status_code == 404


def test_it_answers_404_once_a_new_address_is_made(story: Any) -> None:
    old, old_token = make(story.amina)
    new, new_token = make(story.amina)

    assert fetch(old_token).status_code == 404
    assert fetch(new_token).status_code == 200
    with scope(organisation=story.harbourside.pk):
        old.refresh_from_db()
        assert old.revoked_at is not None
        assert CalendarFeed.objects.filter(member=story.amina, revoked_at=None).get() == new


def test_it_answers_404_once_the_person_has_left(story: Any) -> None:
    _feed, token = make(story.amina)
    story.amina.ended_at = timezone.now() - dt.timedelta(minutes=1)
    story.amina.save(update_fields=["ended_at"])

    assert fetch(token).status_code == 404


def test_it_keeps_only_a_hash_of_the_address(story: Any) -> None:
    feed, token = make(story.amina)

    with scope(organisation=story.harbourside.pk):
        stored = CalendarFeed.objects.get(pk=feed.pk)
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64
    assert len(token) >= 43


def test_it_records_making_and_stopping_in_the_audit_log(story: Any) -> None:
    feed, _token = make(story.amina)
    make(story.amina)

    with scope(organisation=story.harbourside.pk):
        actions = list(
            AuditEvent.objects.filter(object_type="schedule.calendar_feed")
            .order_by("seq")
            .values_list("action", "object_id", "actor_id")
        )
    assert [action for action, _id, _actor in actions] == [
        "schedule.feed.make",
        "schedule.feed.revoke",
        "schedule.feed.make",
    ]
    assert actions[1][1] == feed.pk
    assert {actor for _a, _id, actor in actions} == {story.amina.pk}


def test_it_notes_when_it_was_last_read_at_most_once_an_hour(story: Any) -> None:
    feed, token = make(story.amina)
    fetch(token)
    with scope(organisation=story.harbourside.pk):
        first = CalendarFeed.objects.get(pk=feed.pk).last_read_at
        assert first is not None
        fetch(token)
        assert CalendarFeed.objects.get(pk=feed.pk).last_read_at == first
        earlier = timezone.now() - dt.timedelta(hours=2)
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=earlier)
        fetch(token)
        noted = CalendarFeed.objects.get(pk=feed.pk).last_read_at
        assert noted is not None and noted > earlier


def test_it_costs_the_same_few_queries_however_much_it_holds(
    story: Any, django_assert_max_num_queries: Any
) -> None:
    _feed, token = make(story.amina)
    shift(story)
    meeting(story)
    with django_assert_max_num_queries(7):
        small = fetch(token)
    for n in range(2, 8):
        shift(story, in_days=n)
        meeting(story, title=f"Meeting {n}", first_on=timezone.localdate() + dt.timedelta(days=n))
        trip(story, travellers=[story.amina], in_days=10 + n)
        away(story, in_days=n + 20, hour=8 + n)

    with django_assert_max_num_queries(7):
        big = fetch(token)

    assert len(events(big.content)) > 5 * len(events(small.content))


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_reads_only(story: Any, method: str) -> None:
    _feed, token = make(story.amina)

    assert getattr(Client(), method)(f"/cal/{token}.ics").status_code == 405
