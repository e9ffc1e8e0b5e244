"""My availability: the agreed working pattern (read only) and times away with neutral
labels, never a reason (issue 4 item 5; DESIGN.md "Privacy model")."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import availability
from peerwork.people.models import Unavailability
from peerwork.people.tests.helpers import EVERYONE

pytestmark = pytest.mark.django_db

NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")  # Harbourside's time zone


def day(ahead: int) -> dt.date:
    return timezone.localdate(timezone.now(), NAIROBI) + dt.timedelta(days=ahead)


def away(**fields):
    data = {"kind": "appointment", "start_date": day(3).isoformat(), "start_time": "14:00"}
    data.update({"end_time": "15:00"}, **fields)
    return data


def rows_of(person):
    with scopes_disabled():
        return list(Unavailability.objects.filter(membership=person).order_by("starts_at"))


def test_everyone_with_a_membership_has_their_own_availability_page(story):
    for name in EVERYONE:
        response = signed_in(getattr(story, name)).get("/me/availability")
        assert response.status_code == 200, name
        assert_sound_page(response)


def test_the_page_says_planners_see_only_a_neutral_word(story):
    html = assert_sound_page(signed_in(story.amina).get("/me/availability"))
    assert "never see a reason" in html
    assert "Africa/Nairobi" in html
    assert 'name="reason"' not in html  # nothing asks why


def test_a_time_away_is_kept_in_the_organisations_time_zone(story):
    client = signed_in(story.amina)
    response = client.post("/me/availability", away())
    assert response.status_code == 302 and response["Location"] == "/me/availability"
    [row] = rows_of(story.amina)
    assert row.kind == "appointment"
    assert row.starts_at == dt.datetime.combine(day(3), dt.time(14), tzinfo=NAIROBI)
    assert row.ends_at == dt.datetime.combine(day(3), dt.time(15), tzinfo=NAIROBI)
    html = assert_sound_page(client.get("/me/availability"))
    assert "Appointment" in html and "14:00" in html and "15:00" in html


def test_a_time_away_may_run_over_several_days(story):
    response = signed_in(story.amina).post(
        "/me/availability",
        away(kind="unavailable", start_time="09:00", end_date=day(5).isoformat(), end_time="17:00"),
    )
    assert response.status_code == 302
    [row] = rows_of(story.amina)
    assert row.ends_at - row.starts_at == dt.timedelta(days=2, hours=8)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end_time": "13:00"}, "The end must be after the start."),
        ({"start_date": "2020-01-06"}, "This time has already passed."),
        ({"start_date": "not a date"}, "Enter a valid date."),
        ({"kind": "clinic"}, "Select a valid choice."),
        ({"end_date": day(40).isoformat()}, "Add at most 31 days at a time."),
    ],
)
def test_bad_input_is_refused_keeping_what_was_typed(story, fields, message):
    typed = away(**fields)
    response = signed_in(story.amina).post("/me/availability", typed)
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert message in html
    assert f'value="{typed["start_date"]}"' in html and 'value="14:00"' in html
    assert rows_of(story.amina) == []


def test_a_third_appointment_at_the_same_hour_is_refused_and_points_to_the_pattern(story):
    client = signed_in(story.amina)
    for ahead in (3, 4):
        typed = away(start_date=day(ahead).isoformat(), start_time="08:00", end_time="08:30")
        assert client.post("/me/availability", typed).status_code == 302
    third = away(start_date=day(5).isoformat(), start_time="08:15", end_time="08:45")
    response = client.post("/me/availability", third)
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "A regular time belongs in the working pattern" in html
    assert 'value="08:15"' in html and f'value="{day(5).isoformat()}"' in html
    assert len(rows_of(story.amina)) == 2


def test_the_person_removes_their_own_time_away(story):
    client = signed_in(story.amina)
    client.post("/me/availability", away())
    [row] = rows_of(story.amina)
    response = client.post(f"/me/availability/{row.pk}/remove")
    assert response.status_code == 302 and response["Location"] == "/me/availability"
    assert rows_of(story.amina) == []


def test_nobody_else_removes_a_time_away_through_this_page(story):
    signed_in(story.amina).post("/me/availability", away())
    [row] = rows_of(story.amina)
    for name in EVERYONE:
        if name == "amina":
            continue
        response = signed_in(getattr(story, name)).post(f"/me/availability/{row.pk}/remove")
        assert response.status_code == 404, name
    assert signed_in(story.amina).get(f"/me/availability/{row.pk}/remove").status_code == 405
    assert rows_of(story.amina) == [row]


def test_the_agreed_pattern_shows_read_only(story):
    with scope(organisation=story.harbourside.pk):
        availability.set_working_pattern(
            actor=story.ravi,
            membership=story.amina,
            days={d: (dt.time(10, 45), dt.time(17)) for d in range(5)},
        )
    html = assert_sound_page(signed_in(story.amina).get("/me/availability"))
    assert "10:45–17:00" in html and "Not a working day" in html
    assert 'name="starts_0"' not in html


def test_the_line_manager_sees_the_next_two_weeks_with_neutral_labels_only(story):
    client = signed_in(story.amina)
    client.post("/me/availability", away(start_date=day(3).isoformat()))
    client.post(
        "/me/availability",
        away(kind="unavailable", start_date=day(20).isoformat(), start_time="11:00"),
    )
    html = assert_sound_page(signed_in(story.ravi).get(f"/records/{story.amina.pk}"))
    assert "Times away in the next 14 days" in html
    assert "Appointment" in html
    assert day(3).strftime("%-d %b") in html
    assert day(20).strftime("%-d %b") not in html


def test_the_page_asks_the_same_queries_however_many_times_away(story):
    client = signed_in(story.amina)
    client.get("/me/availability")
    with CaptureQueriesContext(connection) as few:
        client.get("/me/availability")
    start = timezone.now() + dt.timedelta(days=1)
    with scope(organisation=story.harbourside.pk):
        for n in range(12):
            at = start + dt.timedelta(days=n, hours=n * 2)
            availability.add_unavailability(
                actor=story.amina,
                membership=story.amina,
                kind="unavailable",
                starts_at=at,
                ends_at=at + dt.timedelta(minutes=30),
            )
    with CaptureQueriesContext(connection) as many:
        html = client.get("/me/availability").content.decode()
    assert html.count("/remove") == 12
    assert len(many) == len(few)
