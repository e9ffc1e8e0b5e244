"""A working pattern's core hours and home-working days through the people API (issue 6
item 1): set by the line manager or HR with the pattern, shown to everyone planning in the
colleague's availability, refused when they do not fit inside the day."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from peerwork.people.models import WorkingPattern
from peerwork.people.tests.api_calls import call, get

pytestmark = pytest.mark.django_db

FLEXIBLE_MONDAY = {
    "weekday": 0,
    "starts": "07:30",
    "ends": "18:00",
    "core_starts": "10:45",
    "core_ends": "15:00",
}
HOME_FRIDAY = {"weekday": 4, "starts": "09:00", "ends": "17:00", "home_working": True}


def _put(member, person, days, **kw):
    return call(member, "PUT", f"/people/{person.pk}/working-pattern", {"days": days}, **kw)


def _rows(story, person):
    with scope(organisation=story.harbourside.pk):
        return list(WorkingPattern.objects.filter(membership=person).order_by("weekday"))


def test_it_sets_a_flexible_day_and_a_home_working_day(story):
    response = _put(story.ravi, story.amina, [FLEXIBLE_MONDAY, HOME_FRIDAY])
    assert response.status_code == 200, response.json()
    monday, friday = response.json()["days"]
    assert monday == {
        "weekday": 0,
        "day": "Monday",
        "starts": "07:30",
        "ends": "18:00",
        "core_starts": "10:45",
        "core_ends": "15:00",
    }
    assert friday == {
        "weekday": 4,
        "day": "Friday",
        "starts": "09:00",
        "ends": "17:00",
        "home_working": True,
    }
    first, last = _rows(story, story.amina)
    assert (first.core_starts, first.core_ends, first.home_working) == (
        dt.time(10, 45),
        dt.time(15, 0),
        False,
    )
    assert last.home_working is True


def test_a_colleague_planning_sees_core_hours_and_home_working(story):
    _put(story.grace, story.amina, [FLEXIBLE_MONDAY, HOME_FRIDAY])
    response = get(story.joseph, f"/people/{story.amina.pk}/availability")
    assert response.status_code == 200
    monday, friday = response.json()["pattern"]
    assert (monday["core_starts"], monday["core_ends"]) == ("10:45", "15:00")
    assert friday["home_working"] is True


def test_the_version_changes_with_core_hours_alone(story):
    first = _put(
        story.ravi, story.amina, [{**FLEXIBLE_MONDAY, "core_starts": None, "core_ends": None}]
    )
    changed = _put(story.ravi, story.amina, [FLEXIBLE_MONDAY], if_match=first.json()["version"])
    assert changed.status_code == 200
    assert changed.json()["version"] != first.json()["version"]
    stale = _put(story.grace, story.amina, [HOME_FRIDAY], if_match=first.json()["version"])
    assert stale.status_code == 409
    assert [row.weekday for row in _rows(story, story.amina)] == [0]


def test_core_hours_outside_the_day_are_refused_and_the_pattern_kept(story):
    _put(story.ravi, story.amina, [HOME_FRIDAY])
    response = _put(story.ravi, story.amina, [{**FLEXIBLE_MONDAY, "core_ends": "19:00"}])
    assert response.status_code == 400
    assert response.json()["errors"] == {"days": ["Core hours must lie inside the working day."]}
    assert [row.weekday for row in _rows(story, story.amina)] == [4]


def test_half_of_the_core_hours_is_refused(story):
    response = _put(story.ravi, story.amina, [{**FLEXIBLE_MONDAY, "core_ends": None}])
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "days": ["Give core hours as a start and an end, or neither."]
    }
    assert _rows(story, story.amina) == []


def test_the_person_reads_but_does_not_set_their_own_pattern(story):
    response = _put(story.amina, story.amina, [FLEXIBLE_MONDAY])
    assert response.status_code == 403
    assert _rows(story, story.amina) == []
