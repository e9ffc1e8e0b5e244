"""The meetings list and one meeting's page with its conflicts and suggestion buttons
(issue 6 items 3 and 4; App. 10 case 3): work data for working members, who cannot be
there (never why) for the planners, one's own dates privately for an attendee, and one
click to move the meeting, set a late-join agenda or cancel it, each with the version read.

Amina's agreed later start on Tuesdays (10:45) makes her late for Ravi's Tuesday 09:30
team meeting; she also keeps a private planning note (an appointment), which nobody else
may ever glimpse through these pages.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.availability import set_working_pattern
from peerwork.schedule import services
from peerwork.schedule.models import Conflict, Meeting

pytestmark = pytest.mark.django_db

TUESDAY = 1
WORKDAY = (dt.time(9, 0), dt.time(17, 30))
APPOINTMENT = {
    "kind": "appointment",
    "weekday": TUESDAY,
    "starts": "13:00",
    "ends": "14:00",
    "travel_minutes": 20,
    "every_weeks": 1,
}
REASONS = re.compile(r"\bOST\b|dispens|appointment|clinic", re.IGNORECASE)


def today():
    return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo("Africa/Nairobi"))


def next_weekday(weekday):
    day = today()
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7 or 7)


@pytest.fixture
def meeting(story):
    """Ravi's weekly Tuesday team meeting, 09:30 to 11:00; Amina can be there from 10:45."""
    with scope(organisation=story.harbourside.pk):
        for person in (story.amina, story.olena, story.joseph):
            set_working_pattern(
                actor=story.ravi, membership=person, days=dict.fromkeys(range(5), WORKDAY)
            )
        services.record_need(actor=story.amina, owner=story.amina, details=APPOINTMENT)
        adjustment = services.propose_adjustment(
            actor=story.amina,
            person=story.amina,
            weekdays=[TUESDAY],
            starts=dt.time(10, 45),
            valid_from=today(),
        )
        services.agree_adjustment(
            actor=story.ravi, adjustment=adjustment, version=adjustment.version
        )
        return services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="Team meeting",
                kind=Meeting.Kind.TEAM_MEETING,
                first_on=next_weekday(TUESDAY),
                starts=dt.time(9, 30),
                minutes=90,
                repeats=Meeting.Repeats.WEEKLY,
                place="Drop-in centre, back room",
                team=story.team,
                required=[story.amina.pk, story.olena.pk],
                optional=[story.joseph.pk],
            ),
        )


def page_of(member, meeting):
    return signed_in(member).get(reverse("schedule:meeting", args=[meeting.pk]))


def stored(story, meeting):
    with scope(organisation=story.harbourside.pk):
        return Meeting.objects.get(pk=meeting.pk)


def conflicts_of(story, meeting):
    with scope(organisation=story.harbourside.pk):
        return list(
            Conflict.objects.filter(meeting=meeting, occurs_on__gte=today()).values_list(
                "member_id", "kind", "arrives_at"
            )
        )


# --- the list --------------------------------------------------------------------------


def test_it_lists_the_coming_meetings_with_date_time_place_and_kind(story, meeting):
    html = assert_sound_page(signed_in(story.samuel).get(reverse("schedule:meetings")))
    assert "Team meeting" in html and "Drop-in centre, back room" in html
    assert "09:30–11:00" in html and "Every week" in html
    assert next_weekday(TUESDAY).strftime("%-d") in html
    assert reverse("schedule:meeting", args=[meeting.pk]) in html
    assert reverse("schedule:meeting_new") not in html  # Samuel does not organise


def test_it_offers_organisers_a_new_meeting_and_schedule_health(story, meeting):
    html = assert_sound_page(signed_in(story.ravi).get(reverse("schedule:meetings")))
    assert reverse("schedule:meeting_new") in html and reverse("schedule:health") in html


def test_it_leaves_cancelled_and_past_meetings_out(story, meeting):
    with scope(organisation=story.harbourside.pk):
        services.cancel_meeting(actor=story.ravi, meeting=meeting, version=meeting.version)
        services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="Last year's training",
                kind=Meeting.Kind.TRAINING,
                first_on=today() - dt.timedelta(days=300),
                starts=dt.time(10, 0),
                minutes=90,
                required=[story.olena.pk],
            ),
        )
    html = assert_sound_page(signed_in(story.olena).get(reverse("schedule:meetings")))
    assert "Team meeting" not in html and "Last year" not in html
    assert "Nothing on the schedule yet." in html


@pytest.mark.parametrize("name", ["leila", "farah", "peter"])
def test_it_answers_not_found_to_people_outside_the_working_roles(story, meeting, name):
    client = signed_in(getattr(story, name))
    assert client.get(reverse("schedule:meetings")).status_code == 404
    assert client.get(reverse("schedule:meeting", args=[meeting.pk])).status_code == 404


def test_it_answers_not_found_to_another_organisation(story, meeting):
    client = signed_in(story.taras)
    assert client.get(reverse("schedule:meeting", args=[meeting.pk])).status_code == 404
    move = client.post(
        reverse("schedule:meeting_move", args=[meeting.pk]),
        {"version": meeting.version, "starts": "10:45"},
    )
    assert move.status_code == 404
    assert "Team meeting" not in client.get(reverse("schedule:meetings")).content.decode()


def test_it_answers_not_found_to_a_malformed_or_unknown_id(story, meeting):
    client = signed_in(story.ravi)
    assert client.get("/schedule/meetings/not-an-id/").status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/schedule/meetings/{unknown}/").status_code == 404


# --- one meeting: planners ---------------------------------------------------------------


def test_it_shows_the_planner_who_cannot_be_there_from_the_start_and_never_why(story, meeting):
    html = assert_sound_page(page_of(story.ravi, meeting))
    assert "Amina Wanjiru" in html and "can be there from 10:45" in html
    assert next_weekday(TUESDAY).strftime("%-d") in html
    assert "Olena Petrenko: can be there" not in html  # she can be there
    assert not REASONS.search(html), REASONS.search(html)


@pytest.mark.parametrize("name", ["ravi", "grace", "daniel"])
def test_it_offers_the_case_three_suggestions_to_every_planner(story, meeting, name):
    html = assert_sound_page(page_of(getattr(story, name), meeting))
    assert "Start at 10:45 instead" in html
    assert "Move to Wednesday at 09:00" in html and "Move to Thursday at 09:00" in html
    assert "Move to Saturday" not in html  # nobody required works weekends
    assert "Keep 09:30 with a late-join agenda: updates first, decisions from 10:45" in html
    assert reverse("schedule:meeting_edit", args=[meeting.pk]) in html
    assert f'name="version" value="{meeting.version}"' in html
    assert not REASONS.search(html)


def test_one_click_moves_it_to_a_later_start_and_the_conflicts_are_worked_out_again(story, meeting):
    client = signed_in(story.ravi)
    response = client.post(
        reverse("schedule:meeting_move", args=[meeting.pk]),
        {"version": meeting.version, "starts": "10:45", "back": "meeting"},
    )
    assert response.status_code == 302
    assert response.url == reverse("schedule:meeting", args=[meeting.pk])
    assert stored(story, meeting).starts == dt.time(10, 45)
    assert conflicts_of(story, meeting) == []
    html = assert_sound_page(client.get(response.url))
    assert "Moved: it now starts at 10:45." in html
    assert "10:45–12:15" in html
    assert "can be there from" not in html and "Start at" not in html
    assert "Everyone can be there for the whole meeting" in html


def test_one_click_moves_it_to_another_weekday(story, meeting):
    client = signed_in(story.ravi)
    response = client.post(
        reverse("schedule:meeting_move", args=[meeting.pk]),
        {"version": meeting.version, "starts": "09:30", "weekday": 3},
        follow=True,
    )
    after = stored(story, meeting)
    assert after.first_on.weekday() == 3 and after.starts == dt.time(9, 30)
    assert conflicts_of(story, meeting) == []
    assert "Moved: from" in response.content.decode()
    assert "Thursday at 09:30" in response.content.decode()


def test_one_click_sets_a_late_join_agenda_everyone_then_sees(story, meeting):
    response = signed_in(story.ravi).post(
        reverse("schedule:meeting_late_join", args=[meeting.pk]),
        {"version": meeting.version, "decisions_from": "10:45"},
    )
    assert response.status_code == 302
    assert stored(story, meeting).decisions_from == dt.time(10, 45)
    for member in (story.ravi, story.olena, story.samuel):
        html = assert_sound_page(page_of(member, meeting))
        assert "Decisions from 10:45" in html, member
    planner = assert_sound_page(page_of(story.ravi, meeting))
    assert "Keep 09:30 with a late-join agenda" not in planner  # it is the agenda already
    assert "Take away the late-join agenda" in planner


def test_a_late_join_agenda_outside_the_meeting_is_refused_with_a_message(story, meeting):
    response = signed_in(story.ravi).post(
        reverse("schedule:meeting_late_join", args=[meeting.pk]),
        {"version": meeting.version, "decisions_from": "12:00"},
        follow=True,
    )
    assert "Decisions must come during the meeting." in response.content.decode()
    assert stored(story, meeting).decisions_from is None


def test_a_move_past_midnight_is_refused_with_a_message(story, meeting):
    response = signed_in(story.ravi).post(
        reverse("schedule:meeting_move", args=[meeting.pk]),
        {"version": meeting.version, "starts": "23:30"},
        follow=True,
    )
    assert "The meeting must end on the day it starts." in response.content.decode()
    assert stored(story, meeting).starts == dt.time(9, 30)


def test_an_unreadable_suggestion_changes_nothing(story, meeting):
    response = signed_in(story.ravi).post(
        reverse("schedule:meeting_move", args=[meeting.pk]),
        {"version": meeting.version, "starts": "soon", "weekday": 9},
        follow=True,
    )
    assert "That suggestion could not be read." in response.content.decode()
    assert stored(story, meeting).version == meeting.version


def test_a_stale_version_moves_nothing_and_says_so(story, meeting):
    client = signed_in(story.ravi)
    client.post(
        reverse("schedule:meeting_late_join", args=[meeting.pk]),
        {"version": meeting.version, "decisions_from": "10:45"},
    )
    response = client.post(
        reverse("schedule:meeting_move", args=[meeting.pk]),
        {"version": meeting.version, "starts": "10:45"},
        follow=True,
    )
    assert "Someone changed this meeting in the meantime" in response.content.decode()
    after = stored(story, meeting)
    assert after.starts == dt.time(9, 30) and after.decisions_from == dt.time(10, 45)


def test_a_planner_cancels_it_with_the_version_read(story, meeting):
    client = signed_in(story.ravi)
    stale = client.post(
        reverse("schedule:meeting_cancel", args=[meeting.pk]),
        {"version": meeting.version + 5},
        follow=True,
    )
    assert "Someone changed this meeting" in stale.content.decode()
    assert not stored(story, meeting).is_cancelled
    response = client.post(
        reverse("schedule:meeting_cancel", args=[meeting.pk]), {"version": meeting.version}
    )
    assert response.url == reverse("schedule:meetings")
    assert stored(story, meeting).is_cancelled
    assert conflicts_of(story, meeting) == []
    html = assert_sound_page(page_of(story.ravi, meeting))
    assert "Cancelled" in html and "Start at" not in html


# --- one meeting: everyone else -----------------------------------------------------------


def test_an_attendee_sees_only_her_own_conflict_privately(story, meeting):
    html = assert_sound_page(page_of(story.amina, meeting))
    assert "You can be there from 10:45" in html
    assert "Start at 10:45 instead" not in html and "Change the meeting" not in html
    assert not REASONS.search(html)


def test_another_attendee_does_not_see_aminas_conflict(story, meeting):
    html = assert_sound_page(page_of(story.olena, meeting))
    assert "Amina Wanjiru" in html  # she is a required attendee: work data
    assert "10:45" not in html and "can be there from" not in html
    assert "Your dates" not in html


@pytest.mark.parametrize("name", ["samuel", "taslima", "joseph", "chen"])
def test_a_colleague_reads_the_meeting_but_no_conflicts(story, meeting, name):
    html = assert_sound_page(page_of(getattr(story, name), meeting))
    assert "Team meeting" in html and "09:30–11:00" in html
    assert "10:45" not in html and "Suggestions" not in html
    assert reverse("schedule:meeting_cancel", args=[meeting.pk]) not in html


@pytest.mark.parametrize("name", ["samuel", "taslima", "amina", "olena"])
def test_a_non_planner_may_not_move_set_an_agenda_or_cancel(story, meeting, name):
    client = signed_in(getattr(story, name))
    for route, data in (
        ("schedule:meeting_move", {"starts": "10:45"}),
        ("schedule:meeting_late_join", {"decisions_from": "10:45"}),
        ("schedule:meeting_cancel", {}),
    ):
        response = client.post(
            reverse(route, args=[meeting.pk]), {"version": meeting.version, **data}
        )
        assert response.status_code == 403, route
    after = stored(story, meeting)
    assert after.version == meeting.version and not after.is_cancelled


def test_the_buttons_take_only_posts(story, meeting):
    client = signed_in(story.ravi)
    for route in ("schedule:meeting_move", "schedule:meeting_late_join", "schedule:meeting_cancel"):
        assert client.get(reverse(route, args=[meeting.pk])).status_code == 405
