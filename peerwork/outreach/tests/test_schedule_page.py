"""The outreach schedule: the organisation's shifts for a day, by team, with an obvious
marker for the ones that need someone, in a fixed number of queries (issue 5 item 2;
§4.4: the team keeps a schedule with planned return times)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.outreach import services
from peerwork.outreach.tests.test_shift_page import minutes, out, overdue, planned

NAIROBI = dt.timezone(dt.timedelta(hours=3))


def schedule(member, query: str = "") -> str:
    response = signed_in(member).get(f"/outreach/{query}")
    assert response.status_code == 200
    return assert_sound_page(response)


def test_working_members_see_the_days_shifts_grouped_by_team(story):
    shift = out(story)
    html = schedule(story.joseph)
    assert "<h2" in html and "Outreach</h2>" in html
    assert "The station underpass" in html and "Amina Wanjiru, Olena Petrenko" in html
    assert f'href="/outreach/shifts/{shift.pk}/"' in html
    assert "Out" in html


def test_a_shift_without_a_team_is_listed_under_no_team(story):
    planned(story, team=None, start=timezone.now() + minutes(1))
    assert "No team</h2>" in schedule(story.amina)


def test_an_overdue_shift_is_marked_for_everyone(story):
    overdue(story)
    html = schedule(story.joseph)
    assert "⚠ Overdue" in html and 'class="notice error"' in html


def test_a_silent_alert_shows_as_returned_except_to_those_handling_it(story):
    shift = out(story)
    with scope(organisation=story.harbourside.pk):
        services.ask_for_help(actor=story.amina, shift=shift, silent=True)
    for member in (story.amina, story.olena, story.joseph):
        html = schedule(member)
        assert "Returned" in html and "Help asked for" not in html
    assert "⚠ Help asked for" in schedule(story.daniel)
    assert "⚠ Help asked for" in schedule(story.ravi)


def test_another_day_is_chosen_with_the_links_or_the_date_picker(story):
    tomorrow = timezone.localdate(timezone.now(), NAIROBI) + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(18, 0), tzinfo=NAIROBI)
    planned(story, start=start, area="Tomorrow's market")
    assert "Tomorrow&#x27;s market" not in schedule(story.amina)
    html = schedule(story.amina, f"?day={tomorrow.isoformat()}")
    assert "Tomorrow&#x27;s market" in html
    assert f"?day={(tomorrow - dt.timedelta(days=1)).isoformat()}" in html
    assert f"?day={(tomorrow + dt.timedelta(days=1)).isoformat()}" in html


def test_a_bad_date_is_explained_and_today_is_shown(story):
    out(story)
    html = schedule(story.amina, "?day=not-a-date")
    assert "Enter a valid date." in html and "The station underpass" in html


def test_roles_that_see_no_shifts_and_other_organisations_get_not_found(story):
    out(story)
    for member in (story.leila, story.farah, story.peter):
        assert signed_in(member).get("/outreach/").status_code == 404
    html = schedule(story.taras)
    assert "The station underpass" not in html


def test_the_number_of_queries_does_not_grow_with_the_number_of_shifts(story):
    out(story)
    client = signed_in(story.ravi)
    client.get("/outreach/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/outreach/").status_code == 200
    for n in range(6):
        out(story, area=f"Scene {n}", workers=[story.joseph, story.olena])
    overdue(story)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/outreach/").content.decode()
    assert "Scene 5" in html
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
