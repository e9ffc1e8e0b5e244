"""Schedule health (issue 6 item 4; App. 10 case 3): for people who may organise, the
meetings they plan that a required attendee cannot be at for the whole meeting in the next
four weeks, with names only (never why), whether a late-join agenda covers it, and the
first suggestion as one button. It reads the kept conflicts: its queries do not grow with
the number of meetings.

Olena (Ravi's report) starts at 10:45 Monday to Friday as agreed; she keeps a private note
of her dispensing, which nobody else may ever glimpse. Ravi's Wednesday meeting starts at
09:30.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.availability import set_working_pattern
from peerwork.schedule import health_views, services
from peerwork.schedule.models import Meeting

pytestmark = pytest.mark.django_db

HEALTH = reverse("schedule:health")
WEDNESDAY = 2
WORKDAY = (dt.time(9, 0), dt.time(17, 30))
DISPENSING = {
    "kind": "dispensing",
    "days": [0, 1, 2, 3, 4],
    "opens": "10:00",
    "closes": "12:00",
    "collection": "at_opening",
    "wait_minutes": 15,
    "travel_minutes": 30,
    "site": "Kilimani clinic",
}
REASONS = re.compile(r"\bOST\b|dispens|appointment|clinic|Kilimani", re.IGNORECASE)


def today():
    return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo("Africa/Nairobi"))


def next_weekday(weekday):
    day = today()
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7 or 7)


def make_meeting(story, title="Team meeting", *, actor=None, required=None, weekday=WEDNESDAY):
    with scope(organisation=story.harbourside.pk):
        return services.create_meeting(
            actor=actor or story.ravi,
            fields=services.MeetingFields(
                title=title,
                kind=Meeting.Kind.TEAM_MEETING,
                first_on=next_weekday(weekday),
                starts=dt.time(9, 30),
                minutes=90,
                repeats=Meeting.Repeats.WEEKLY,
                required=required or [story.olena.pk, story.amina.pk],
                optional=[],
            ),
        )


@pytest.fixture
def olena_starts_later(story):
    with scope(organisation=story.harbourside.pk):
        for person in (story.amina, story.olena, story.joseph):
            set_working_pattern(
                actor=story.ravi, membership=person, days=dict.fromkeys(range(5), WORKDAY)
            )
        services.record_need(actor=story.olena, owner=story.olena, details=DISPENSING)
        adjustment = services.propose_adjustment(
            actor=story.olena,
            person=story.olena,
            weekdays=range(5),
            starts=dt.time(10, 45),
            valid_from=today(),
        )
        services.agree_adjustment(
            actor=story.ravi, adjustment=adjustment, version=adjustment.version
        )


@pytest.fixture
def meeting(story, olena_starts_later):
    return make_meeting(story)


def test_a_line_manager_sees_the_wednesday_conflict_with_names_only(story, meeting):
    html = assert_sound_page(signed_in(story.ravi).get(HEALTH))
    assert "Team meeting" in html
    assert "Wednesday 09:30–11:00" in html
    assert "1 of 2 required attendees cannot be there for the whole meeting" in html
    assert "Olena Petrenko" in html and "Amina Wanjiru" not in html
    assert next_weekday(WEDNESDAY).strftime("%-d %b") in html
    assert "No late-join agenda." in html
    assert not REASONS.search(html), REASONS.search(html)


def test_its_first_suggestion_is_one_button_carrying_the_version(story, meeting):
    html = assert_sound_page(signed_in(story.ravi).get(HEALTH))
    assert 'Start at 10:45 instead<span class="vh">: Team meeting</span>' in html
    assert reverse("schedule:meeting_move", args=[meeting.pk]) in html
    assert f'name="version" value="{meeting.version}"' in html
    assert 'name="back" value="health"' in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count("<button") == 1  # only the first suggestion here


def test_one_click_moves_the_meeting_and_the_conflict_is_gone(story, meeting):
    client = signed_in(story.ravi)
    response = client.post(
        reverse("schedule:meeting_move", args=[meeting.pk]),
        {"version": meeting.version, "starts": "10:45", "back": "health"},
    )
    assert response.status_code == 302 and response.url == HEALTH
    html = assert_sound_page(client.get(HEALTH))
    assert "Moved: it now starts at 10:45." in html
    assert "Olena Petrenko" not in html
    assert "Every required attendee can be at the meetings you plan" in html


def test_a_late_join_agenda_that_covers_it_is_said_and_no_button_offered(story, meeting):
    with scope(organisation=story.harbourside.pk):
        services.set_late_join(
            actor=story.ravi,
            meeting=meeting,
            version=meeting.version,
            decisions_from=dt.time(10, 45),
        )
    html = assert_sound_page(signed_in(story.ravi).get(HEALTH))
    assert "Late-join agenda covers it: decisions from 10:45" in html
    assert "<button" not in html.split("<main", 1)[1]


def test_a_late_join_agenda_too_early_for_someone_is_said(story, meeting):
    with scope(organisation=story.harbourside.pk):
        services.set_late_join(
            actor=story.ravi,
            meeting=meeting,
            version=meeting.version,
            decisions_from=dt.time(10, 0),
        )
    html = assert_sound_page(signed_in(story.ravi).get(HEALTH))
    assert "Decisions from 10:00, but not everyone can be there by then." in html
    assert "Start at 10:45 instead" in html


@pytest.mark.parametrize("name", ["grace", "daniel"])
def test_hr_and_the_director_see_every_meeting(story, meeting, name):
    html = assert_sound_page(signed_in(getattr(story, name)).get(HEALTH))
    assert "Team meeting" in html and "Olena Petrenko" in html


def test_another_line_manager_sees_only_the_meetings_she_plans(story, meeting):
    mine = make_meeting(story, "Taslima's huddle", actor=story.taslima, required=[story.olena.pk])
    html = assert_sound_page(signed_in(story.taslima).get(HEALTH))
    assert "Taslima&#x27;s huddle" in html and reverse("schedule:meeting", args=[mine.pk]) in html
    assert reverse("schedule:meeting", args=[meeting.pk]) not in html
    # Ravi plans hers too: Olena, who attends it, is his report.
    assert "Taslima&#x27;s huddle" in signed_in(story.ravi).get(HEALTH).content.decode()


def test_a_cancelled_meeting_is_left_out(story, meeting):
    with scope(organisation=story.harbourside.pk):
        services.cancel_meeting(actor=story.ravi, meeting=meeting, version=meeting.version)
    html = assert_sound_page(signed_in(story.ravi).get(HEALTH))
    assert "Team meeting" not in html


def test_an_optional_attendees_conflict_does_not_count(story, olena_starts_later):
    with scope(organisation=story.harbourside.pk):
        services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="Reading group",
                kind=Meeting.Kind.TRAINING,
                first_on=next_weekday(WEDNESDAY),
                starts=dt.time(9, 30),
                minutes=60,
                required=[story.amina.pk],
                optional=[story.olena.pk],
            ),
        )
    html = assert_sound_page(signed_in(story.ravi).get(HEALTH))
    assert "Reading group" not in html


@pytest.mark.parametrize("name", ["samuel", "amina", "olena", "joseph", "chen", "leila", "farah"])
def test_people_who_do_not_organise_get_not_found(story, meeting, name):
    assert signed_in(getattr(story, name)).get(HEALTH).status_code == 404


def test_another_organisation_sees_none_of_it(story, meeting):
    html = assert_sound_page(signed_in(story.taras).get(HEALTH))
    assert "Team meeting" not in html and "Olena" not in html
    move = signed_in(story.taras).post(
        reverse("schedule:meeting_move", args=[meeting.pk]),
        {"version": meeting.version, "starts": "10:45", "back": "health"},
    )
    assert move.status_code == 404


def test_a_non_planner_pressing_the_button_is_refused(story, meeting):
    response = signed_in(story.taslima).post(
        reverse("schedule:meeting_move", args=[meeting.pk]),
        {"version": meeting.version, "starts": "10:45", "back": "health"},
    )
    assert response.status_code == 403
    with scope(organisation=story.harbourside.pk):
        meeting.refresh_from_db()
    assert meeting.starts == dt.time(9, 30)


def test_a_stale_button_moves_nothing_and_says_so(story, meeting):
    read = meeting.version
    with scope(organisation=story.harbourside.pk):
        services.set_late_join(
            actor=story.grace, meeting=meeting, version=read, decisions_from=dt.time(10, 0)
        )
    response = signed_in(story.ravi).post(
        reverse("schedule:meeting_move", args=[meeting.pk]),
        {"version": read, "starts": "10:45", "back": "health"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == HEALTH
    assert "Someone changed this meeting in the meantime" in response.content.decode()
    with scope(organisation=story.harbourside.pk):
        meeting.refresh_from_db()
    assert meeting.starts == dt.time(9, 30)


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(HEALTH)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_its_queries_do_not_grow_with_the_meetings(story, olena_starts_later):
    client = signed_in(story.ravi)
    for number in range(health_views.PAGE_SIZE):
        make_meeting(story, f"Meeting {number:02d}", weekday=number % 5)
    full_page, html = _queries(client)
    assert html.count("required attendees cannot be there") == health_views.PAGE_SIZE
    for number in range(health_views.PAGE_SIZE, 3 * health_views.PAGE_SIZE):
        make_meeting(story, f"Meeting {number:02d}", weekday=number % 5)
    three_pages, html = _queries(client)
    assert three_pages == full_page
    assert "Page 1 of 3" in html and "Next page" in html
    second, html = _queries(client)
    assert second == full_page
    page_two = client.get(HEALTH + "?page=2").content.decode()
    assert html.count("required attendees cannot be there") == health_views.PAGE_SIZE
    assert "Previous page" in page_two
    # A fixed part, and a few queries per meeting shown (its first suggestion).
    assert full_page <= 20 + 8 * health_views.PAGE_SIZE


def nav_of(html):
    return html.split('class="nav"', 1)[1].split("</nav>", 1)[0]


def test_the_menu_leads_organisers_to_schedule_health_and_working_members_to_the_schedule(
    story,
):
    for name, schedule, health in (
        ("ravi", True, True),
        ("grace", True, True),
        ("daniel", True, True),
        ("samuel", True, False),
        ("joseph", True, False),
        ("chen", True, False),
        ("leila", False, False),
        ("farah", False, False),
    ):
        nav = nav_of(
            signed_in(getattr(story, name)).get(reverse("core:dashboard")).content.decode()
        )
        assert (f'href="{reverse("schedule:mine")}"' in nav) is schedule, name
        assert (f'href="{HEALTH}"' in nav) is health, name
    nav = nav_of(signed_in(story.ravi).get(HEALTH).content.decode())
    assert f'href="{HEALTH}" aria-current="page"' in nav
