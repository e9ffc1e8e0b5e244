"""A person's working hours as their line manager and HR see them (issue 6 items 1, 2, 4):
the agreed pattern, agreed and proposed changes, the hours only, and the time-keeping
question that points to the pattern, not to a concern (App. 10 case 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.availability import PatternDay, set_working_pattern
from peerwork.people.tests.helpers import expected, statuses
from peerwork.schedule.tests.test_mine_page import (
    CLINIC,
    SECRETS,
    assert_phone_sized,
    manager_proposes,
    olena,
)

pytestmark = pytest.mark.django_db


def url_of(person) -> str:
    return f"/schedule/people/{person.pk}/"


def page(member, person, query: str = "") -> str:
    response = signed_in(member).get(url_of(person) + query)
    assert response.status_code == 200, response.status_code
    return assert_sound_page(response)


def test_the_page_opens_to_the_line_manager_and_hr_and_the_person_goes_to_their_own(story):
    olena(story)
    assert statuses(story, url_of(story.olena)) == expected(ravi=200, grace=200, olena=302)
    response = signed_in(story.olena).get(url_of(story.olena))
    assert response["Location"] == "/schedule/"


def test_a_person_of_another_organisation_or_no_one_is_not_found(story):
    assert signed_in(story.ravi).get(url_of(story.taras)).status_code == 404
    assert signed_in(story.taras).get(url_of(story.olena)).status_code == 404
    for bad in ("not-an-id", "00000000-0000-0000-0000-000000000000"):
        assert signed_in(story.grace).get(f"/schedule/people/{bad}/").status_code == 404


def test_ravi_sees_the_pattern_and_the_agreed_change_with_its_dates(story):
    arranged = olena(story)
    with scope(organisation=story.harbourside.pk):
        set_working_pattern(
            actor=story.ravi,
            membership=story.olena,
            days=[
                PatternDay(d, dt.time(9), dt.time(17, 30), dt.time(11), dt.time(15), d == 4)
                for d in range(5)
            ],
        )
    html = page(story.ravi, story.olena)
    assert "Olena Petrenko's working hours" in html
    assert "09:00–17:30" in html and "core hours 11:00–15:00" in html and "from home" in html
    review = (arranged.today + dt.timedelta(days=180)).isoformat()
    assert f"starts 10:45 Mon–Fri</a>, agreed {arranged.today.isoformat()}, review {review}" in html
    assert "Propose a change of hours" in html
    assert f'href="/schedule/people/{story.olena.pk}/adjustments/new/"' in html
    assert_phone_sized(html)


def test_proposed_changes_say_whose_answer_they_wait_for(story):
    olena(story, agreed=False, meeting=False)
    manager_proposes(story, story.olena)
    html = page(story.grace, story.olena)
    assert "starts 10:00 Mon, Wed" in html and "waiting for Olena Petrenko's answer" in html


def test_neither_ravi_nor_hr_ever_sees_the_reason_or_the_note(story):
    arranged = olena(story)
    day = arranged.wednesday.isoformat()
    for member in (story.ravi, story.grace):
        for query in ("", f"?arrived=10:40&day={day}"):
            html = page(member, story.olena, query)
            for secret in (*SECRETS, "OST"):
                assert secret not in html, (member, secret)


# --- the time-keeping question ----------------------------------------------------------


def test_an_arrival_within_agreed_hours_points_to_the_pattern_not_a_concern(story):
    arranged = olena(story)
    html = page(story.ravi, story.olena, f"?arrived=10:40&day={arranged.wednesday.isoformat()}")
    agreed = arranged.today.isoformat()
    assert (
        f"Their agreed hours on Wednesday start at 10:45 (agreed {agreed}). 10:40 is within them."
        in html
    )
    assert 'href="#pattern"' in html and 'id="pattern"' in html
    assert f'href="/schedule/adjustments/{arranged.adjustment.pk}/"' in html
    # The answer itself speaks of the pattern, never of a concern (the menu links to the
    # concerns module on every page, so only the page's own content is read).
    main = html.split('<main id="main"', 1)[1]
    assert "concern" not in main.lower()


def test_an_arrival_after_the_agreed_start_says_so_plainly(story):
    arranged = olena(story)
    html = page(story.ravi, story.olena, f"?arrived=11:00&day={arranged.wednesday.isoformat()}")
    assert "start at 10:45" in html and "11:00 is after the start." in html


def test_a_day_without_a_change_answers_with_the_pattern(story):
    olena(story, agreed=False, meeting=False)
    html = page(story.ravi, story.olena, "?arrived=08:55&day=2026-12-07")
    assert "Their hours on Monday start at 09:00. 08:55 is within them." in html


def test_a_day_off_and_no_pattern_are_said_as_such(story):
    olena(story, agreed=False, meeting=False)
    html = page(story.ravi, story.olena, "?arrived=09:00&day=2026-12-05")
    assert "2026-12-05 is not one of their working days." in html
    html = page(story.ravi, story.joseph, "?arrived=09:00&day=2026-12-07")
    assert "No working pattern has been agreed for them yet." in html


def test_a_question_that_is_not_a_time_is_explained_and_kept(story):
    olena(story, meeting=False)
    html = page(story.ravi, story.olena, "?arrived=late&day=2026-12-02")
    assert "Enter a valid time." in html and 'value="late"' in html
    assert "is within them" not in html


def test_the_record_page_links_here_for_those_who_see_it(story):
    olena(story, meeting=False)
    link = f'href="/schedule/people/{story.olena.pk}/"'
    for member in (story.ravi, story.grace):
        html = signed_in(member).get(f"/records/{story.olena.pk}").content.decode()
        assert link in html


def test_colleagues_see_nothing_of_her_note_anywhere_they_look(story):
    arranged = olena(story)
    pages = (
        url_of(story.olena),
        f"/schedule/notes/{arranged.need.pk}/",
        f"/schedule/adjustments/{arranged.adjustment.pk}/",
        "/schedule/",
        "/",
    )
    for member in (story.amina, story.joseph, story.taslima, story.samuel):
        client = signed_in(member)
        for url in pages:
            html = client.get(url).content.decode()
            for secret in (CLINIC, "10:00", "methadone", "10:45"):
                assert secret not in html, (member, url, secret)
