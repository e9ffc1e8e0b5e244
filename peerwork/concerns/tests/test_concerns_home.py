"""The concerns home and the menu (issue 8 item 6): a staff member sees their own concerns
and review meetings; a line manager the cases of the people they manage; HR every open
case; the director a way to the counts and nobody's case; the page asks the database as
often for many concerns as for a few."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import intake
from peerwork.concerns.models import NamedSupporter, ReviewMeeting
from peerwork.concerns.tests.test_api_concerns import record
from peerwork.core.tests.page_checks import assert_sound_page

pytestmark = pytest.mark.django_db

HOME = "/concerns/"


def test_amina_sees_her_own_concerns_and_review_meetings_only(story):
    concern = record(story)
    record(story, person=story.olena)
    with scope(organisation=story.harbourside.pk):
        ReviewMeeting.objects.create(
            organisation=story.harbourside,
            concern=concern,
            person=story.amina,
            held_by=story.ravi,
            starts_at=timezone.now() + dt.timedelta(days=3),
        )
    html = assert_sound_page(signed_in(story.amina).get(HOME))
    assert f'href="/concerns/{concern.pk}/"' in html and "Conduct" in html
    assert "My review meetings" in html and "Ravi Shah" in html
    assert "Olena Petrenko" not in html
    assert "Record a concern" not in html and "The people I manage" not in html
    assert "Counts of concerns" not in html


def test_ravi_sees_the_cases_of_the_people_he_manages(story):
    amina = record(story)
    olena = record(story, person=story.olena)
    mine = record(story, person=story.ravi, actor=story.grace)
    html = assert_sound_page(signed_in(story.ravi).get(HOME))
    assert "Record a concern" in html and "The people I manage" in html
    assert "Amina Wanjiru: Conduct" in html and "Olena Petrenko: Conduct" in html
    assert f'href="/concerns/{amina.pk}/"' in html and f'href="/concerns/{olena.pk}/"' in html
    # His own concern is under his own work, not among his reports.
    assert f'href="/concerns/{mine.pk}/"' in html and "Ravi Shah: Conduct" not in html
    taslima = assert_sound_page(signed_in(story.taslima).get(HOME))
    assert "Amina Wanjiru" not in taslima and "No concern about the people you manage." in taslima


def test_hr_sees_every_open_case_and_not_the_closed_ones(story):
    open_one = record(story)
    closed = record(story, person=story.olena)
    with scope(organisation=story.harbourside.pk):
        intake.close_concern(
            actor=story.grace, concern=closed, outcome="resolved", reason="Talked it through"
        )
    html = assert_sound_page(signed_in(story.grace).get(HOME))
    assert "Open cases" in html and f'href="/concerns/{open_one.pk}/"' in html
    assert f'href="/concerns/{closed.pk}/"' not in html


def test_the_director_gets_the_way_to_the_counts_and_nobodys_case(story):
    record(story)
    html = assert_sound_page(signed_in(story.daniel).get(HOME))
    assert 'href="/concerns/aggregates/"' in html
    assert "Amina Wanjiru" not in html and "Record a concern" not in html


def test_someone_named_to_support_sees_the_case_they_support(story):
    concern = record(story)
    with scope(organisation=story.harbourside.pk):
        NamedSupporter.objects.create(
            organisation=story.harbourside, concern=concern, member=story.joseph
        )
    html = assert_sound_page(signed_in(story.joseph).get(HOME))
    assert "Where I am named to support someone" in html
    assert f'href="/concerns/{concern.pk}/"' in html


@pytest.mark.parametrize("who", ["peter", "farah", "leila"])
def test_people_who_are_not_working_members_get_404_and_no_menu_entry(story, who):
    client = signed_in(getattr(story, who))
    assert client.get(HOME).status_code == 404
    assert 'href="/concerns/"' not in client.get("/").content.decode()


def test_working_members_have_concerns_in_the_menu(story):
    for who in ("amina", "ravi", "grace", "daniel", "joseph"):
        html = signed_in(getattr(story, who)).get("/").content.decode()
        assert '<a href="/concerns/">Concerns</a>' in html, who


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_home_asks_the_database_as_often_for_many_concerns_as_for_a_few(story):
    record(story)
    record(story, person=story.olena)
    grace, ravi = signed_in(story.grace), signed_in(story.ravi)
    few = (_queries(grace, HOME), _queries(ravi, HOME))
    for person in (story.amina, story.olena, story.joseph) * 4:
        concern = record(story, person=person)
        with scope(organisation=story.harbourside.pk):
            ReviewMeeting.objects.create(
                organisation=story.harbourside,
                concern=concern,
                person=person,
                held_by=story.ravi,
                starts_at=timezone.now(),
            )
    many = (_queries(grace, HOME), _queries(ravi, HOME))
    assert many == few
    assert few[0] < 40
