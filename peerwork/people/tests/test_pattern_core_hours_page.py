"""The working-pattern editor's core hours and home-working days (issue 6 item 1): a line
manager or HR records, for each working day, core hours inside the day (the person
chooses when to start and finish around them) and whether the day is worked from home.
Bad input is refused beside its day, with nothing saved and nothing typed lost."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import availability
from peerwork.people.models import WorkingPattern

pytestmark = pytest.mark.django_db


def url_of(person) -> str:
    return f"/records/{person.pk}/pattern"


def rows_of(person) -> list[tuple[int, dt.time, dt.time, dt.time | None, dt.time | None, bool]]:
    with scopes_disabled():
        return [
            (r.weekday, r.starts, r.ends, r.core_starts, r.core_ends, r.home_working)
            for r in WorkingPattern.objects.filter(membership=person).order_by("weekday")
        ]


def week(**extra: str) -> dict[str, str]:
    data = {}
    for day in range(5):
        data[f"starts_{day}"] = "08:00"
        data[f"ends_{day}"] = "18:00"
    data.update(extra)
    return data


def test_the_editor_offers_core_hours_and_home_working_for_every_day(story):
    html = assert_sound_page(signed_in(story.ravi).get(url_of(story.amina)))
    for day in range(7):
        assert f'for="id_core_starts_{day}"' in html and f'for="id_core_ends_{day}"' in html
        assert f'for="id_home_{day}"' in html and f'name="home_{day}"' in html


def test_ravi_records_flexible_days_with_core_hours_and_a_home_day(story):
    client = signed_in(story.ravi)
    core = {f"core_starts_{d}": "10:00" for d in range(5)} | {
        f"core_ends_{d}": "15:00" for d in range(5)
    }
    response = client.post(url_of(story.amina), week(**core, home_4="on"))
    assert response.status_code == 302
    rows = rows_of(story.amina)
    assert rows[0] == (0, dt.time(8), dt.time(18), dt.time(10), dt.time(15), False)
    assert rows[4] == (4, dt.time(8), dt.time(18), dt.time(10), dt.time(15), True)
    form = client.get(url_of(story.amina)).content.decode()
    assert 'name="core_starts_0" value="10:00"' in form
    checkboxes = dict(re.findall(r'<input type="checkbox" name="(home_\d)"([^>]*)>', form))
    assert "checked" in checkboxes["home_4"] and "checked" not in checkboxes["home_0"]
    record = client.get(f"/records/{story.amina.pk}").content.decode()
    assert "core hours 10:00–15:00" in record and "from home" in record


def test_a_pattern_without_core_hours_still_saves_as_before(story):
    assert signed_in(story.grace).post(url_of(story.amina), week()).status_code == 302
    assert {row[3:] for row in rows_of(story.amina)} == {(None, None, False)}


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"core_starts_1": "10:00"}, "core_ends_1", "Give core hours as a start and an end"),
        (
            {"core_starts_1": "07:00", "core_ends_1": "12:00"},
            "core_ends_1",
            "Core hours must lie inside the working day.",
        ),
        (
            {"core_starts_1": "14:00", "core_ends_1": "12:00"},
            "core_ends_1",
            "Core hours must lie inside the working day.",
        ),
        ({"core_starts_5": "10:00", "core_ends_5": "12:00"}, "core_starts_5", "need a working day"),
        ({"home_6": "on"}, "home_6", "Working from home needs a working day."),
        ({"core_starts_2": "noonish"}, "core_starts_2", "Enter a valid time."),
    ],
)
def test_bad_core_hours_are_refused_beside_their_day_and_nothing_is_saved(
    story, extra, field, message
):
    with scope(organisation=story.harbourside.pk):
        availability.set_working_pattern(
            actor=story.ravi, membership=story.amina, days={0: (dt.time(9), dt.time(17))}
        )
    before = rows_of(story.amina)
    response = signed_in(story.ravi).post(url_of(story.amina), week(**extra))
    assert response.status_code == 200
    html = assert_sound_page(response)
    assert message in html and f'id="id_{field}_error"' in html
    for value in extra.values():
        if value != "on":
            assert f'value="{value}"' in html
    assert rows_of(story.amina) == before


def test_the_person_and_colleagues_cannot_set_core_hours(story):
    data = week(core_starts_0="10:00", core_ends_0="15:00")
    for member in (story.amina, story.joseph, story.taslima):
        assert signed_in(member).post(url_of(story.amina), data).status_code in (403, 404)
    assert rows_of(story.amina) == []


def test_a_stale_save_shows_the_saved_core_hours_and_keeps_the_typing(story):
    client = signed_in(story.ravi)
    html = client.get(url_of(story.amina)).content.decode()
    version = html.split('name="pattern_version" value="')[1].split('"')[0]
    with scope(organisation=story.harbourside.pk):
        availability.set_working_pattern(
            actor=story.grace,
            membership=story.amina,
            days=[availability.PatternDay(0, dt.time(9), dt.time(17), dt.time(11), dt.time(14))],
        )
    response = client.post(
        url_of(story.amina),
        week(core_starts_0="10:00", core_ends_0="15:00", pattern_version=version),
    )
    html = assert_sound_page(response)
    assert "Someone else changed this working pattern" in html
    assert "core hours 11:00–14:00" in html
    assert 'name="core_starts_0" value="10:00"' in html
