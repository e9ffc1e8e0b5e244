"""/people/{person_id}/availability and /me/unavailability: work facts for planning, never a
reason (issue 4 item 5; DESIGN.md "Privacy model": regular dispensing is an agreed working
pattern, one-off times are neutral)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from urllib.parse import quote

import pytest
from django_scopes import scope

from peerwork.people import availability, services
from peerwork.people.models import Unavailability
from peerwork.people.tests.api_calls import call, get, post

pytestmark = pytest.mark.django_db

NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")
MONDAY = dt.datetime(2030, 3, 4, tzinfo=NAIROBI)  # a Monday
CANARY = "Canary8128 dispensary"


def _window(start: dt.datetime, end: dt.datetime) -> str:
    return f"?start={quote(start.isoformat())}&end={quote(end.isoformat())}"


def _olena_with_a_pattern_and_an_appointment(story):
    """Olena collects her OST every morning; Ravi agreed her start at 10:45 (§2.4.1)."""
    with scope(organisation=story.harbourside.pk):
        services.disclose(
            actor=story.olena,
            owner=story.olena,
            category="ost",
            answer={"dispensing": "daily_supervised", "prescriber": CANARY},
        )
        availability.set_working_pattern(
            actor=story.ravi,
            membership=story.olena,
            days={d: (dt.time(10, 45), dt.time(17, 30)) for d in range(5)},
        )
        availability.add_unavailability(
            actor=story.olena,
            membership=story.olena,
            kind="appointment",
            starts_at=MONDAY.replace(hour=14),
            ends_at=MONDAY.replace(hour=15),
        )


def _availability(reader, story, query=""):
    return get(reader, f"/people/{story.olena.pk}/availability{query}")


def test_a_colleague_sees_the_agreed_pattern_in_local_times_and_a_neutral_appointment(story):
    _olena_with_a_pattern_and_an_appointment(story)
    response = _availability(story.joseph, story, _window(MONDAY, MONDAY + dt.timedelta(days=2)))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["person"] == {"id": str(story.olena.pk), "name": "Olena Petrenko"}
    assert body["time_zone"] == "Africa/Nairobi"
    assert body["start"] == "2030-03-04T00:00:00+03:00"
    assert body["pattern"][0] == {"weekday": 0, "day": "Monday", "starts": "10:45", "ends": "17:30"}
    assert body["working"] == [
        {"starts_at": "2030-03-04T10:45:00+03:00", "ends_at": "2030-03-04T17:30:00+03:00"},
        {"starts_at": "2030-03-05T10:45:00+03:00", "ends_at": "2030-03-05T17:30:00+03:00"},
    ]
    assert body["unavailable"] == [
        {
            "starts_at": "2030-03-04T14:00:00+03:00",
            "ends_at": "2030-03-04T15:00:00+03:00",
            "label": "appointment",
        }
    ]


def test_availability_never_carries_a_reason_for_anyone_who_may_see_it(story):
    _olena_with_a_pattern_and_an_appointment(story)
    query = _window(MONDAY, MONDAY + dt.timedelta(days=7))
    for name in ("olena", "ravi", "grace", "daniel", "chen", "joseph", "samuel", "leila"):
        response = _availability(getattr(story, name), story, query)
        assert response.status_code == 200, name
        text = response.content.decode()
        for word in ("Canary8128", "ost", "OST", "methadone", "clinic", "reason", "dispens"):
            assert word not in text, (name, word)


def test_people_who_see_no_directory_and_other_organisations_get_404(story):
    _olena_with_a_pattern_and_an_appointment(story)
    for name in ("peter", "farah", "taras"):
        assert _availability(getattr(story, name), story).status_code == 404, name
    # A coach sees the person they coach, and nobody else.
    assert _availability(story.leila, story).status_code == 200
    assert get(story.leila, f"/people/{story.amina.pk}/availability").status_code == 404


def test_without_a_window_it_answers_the_coming_week(story):
    body = _availability(story.amina, story).json()
    start = dt.datetime.fromisoformat(body["start"])
    end = dt.datetime.fromisoformat(body["end"])
    assert end - start == dt.timedelta(days=7)
    assert body["pattern"] == body["working"] == body["unavailable"] == []


def test_a_window_without_an_offset_too_long_backwards_or_out_of_range_is_refused(story):
    refused = {
        "?start=2030-03-04T09:00:00&end=2030-03-05T09:00:00": None,
        _window(MONDAY, MONDAY + dt.timedelta(days=63)): "end",
        _window(MONDAY, MONDAY - dt.timedelta(hours=1)): "end",
        _window(MONDAY.replace(year=9999), MONDAY.replace(year=9999, day=10)): "start",
        "?end=" + quote("0001-01-02T00:00:00+00:00"): "end",
    }
    for query, field in refused.items():
        response = _availability(story.amina, story, query)
        assert response.status_code == 400, (query, response.content)
        if field:
            assert field in response.json()["errors"], query
    for query in ("?start=monday", "?start=2030-03-04T09:00:00%2B03:00&end=soon"):
        assert _availability(story.amina, story, query).status_code == 422, query


def test_a_person_adds_and_removes_a_time_away_shown_only_by_its_label(story):
    created = post(
        story.amina,
        "/me/unavailability",
        {
            "kind": "unavailable",
            "starts_at": MONDAY.replace(hour=9).isoformat(),
            "ends_at": MONDAY.replace(hour=12).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    row = created.json()
    assert row["kind"] == "unavailable"
    assert row["label"] == "Unavailable"
    assert row["starts_at"] == "2030-03-04T09:00:00+03:00"
    listed = get(story.amina, "/me/unavailability").json()
    assert [r["id"] for r in listed["items"]] == [row["id"]]
    seen = get(
        story.ravi,
        f"/people/{story.amina.pk}/availability" + _window(MONDAY, MONDAY + dt.timedelta(days=1)),
    )
    assert [b["label"] for b in seen.json()["unavailable"]] == ["unavailable"]

    removed = call(story.amina, "DELETE", f"/me/unavailability/{row['id']}")
    assert removed.status_code == 200
    assert removed.json() == row
    assert call(story.amina, "DELETE", f"/me/unavailability/{row['id']}").status_code == 404
    assert get(story.amina, "/me/unavailability").json()["count"] == 0


def test_nobody_removes_someone_elses_time_away(story):
    with scope(organisation=story.harbourside.pk):
        row = availability.add_unavailability(
            actor=story.amina,
            membership=story.amina,
            kind="appointment",
            starts_at=MONDAY,
            ends_at=MONDAY + dt.timedelta(hours=1),
        )
    for name in ("ravi", "grace", "chen", "taras"):
        response = call(getattr(story, name), "DELETE", f"/me/unavailability/{row.pk}")
        assert response.status_code == 404, name
    with scope(organisation=story.harbourside.pk):
        assert Unavailability.objects.filter(pk=row.pk).exists()


def test_a_time_that_repeats_daily_belongs_in_the_working_pattern_and_is_refused(story):
    for day in range(2):
        start = MONDAY.replace(hour=9) + dt.timedelta(days=day)
        body = {
            "kind": "appointment",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
        }
        assert post(story.amina, "/me/unavailability", body).status_code == 201
    third = MONDAY.replace(hour=9) + dt.timedelta(days=2)
    response = post(
        story.amina,
        "/me/unavailability",
        {
            "kind": "appointment",
            "starts_at": third.isoformat(),
            "ends_at": (third + dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "working pattern" in response.json()["detail"]
    with scope(organisation=story.harbourside.pk):
        assert Unavailability.objects.filter(membership=story.amina).count() == 2


def test_a_time_away_that_is_backwards_naive_or_out_of_range_is_refused_and_nothing_added(story):
    start = MONDAY.replace(hour=9)
    refused = [
        (
            {
                "starts_at": start.isoformat(),
                "ends_at": (start - dt.timedelta(hours=1)).isoformat(),
            },
            "ends_at",
        ),
        ({"starts_at": "2030-03-04T09:00:00", "ends_at": "2030-03-04T10:00:00"}, None),
        ({"starts_at": "0001-01-01T00:00:00+00:00", "ends_at": start.isoformat()}, "starts_at"),
    ]
    for times, field in refused:
        response = post(story.amina, "/me/unavailability", {"kind": "unavailable", **times})
        assert response.status_code == 400, (times, response.content)
        if field:
            assert field in response.json()["errors"]
    for body in (
        {"kind": "clinic", "starts_at": start.isoformat(), "ends_at": start.isoformat()},
        {"kind": "unavailable", "starts_at": "monday", "ends_at": start.isoformat()},
        {"kind": "unavailable"},
    ):
        assert post(story.amina, "/me/unavailability", body).status_code == 422, body
    with scope(organisation=story.harbourside.pk):
        assert not Unavailability.objects.exists()
