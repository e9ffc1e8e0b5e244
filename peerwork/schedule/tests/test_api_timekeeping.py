"""A time-keeping question through the API (issue 6 item 4; App. 10 case 3): the answer is
the person's agreed hours that day, naming the adjustment they come from, never a reason
and never a concern; for the person, their line manager and HR only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.people.availability import set_working_pattern
from peerwork.people.tests.api_calls import get
from peerwork.schedule import services

pytestmark = pytest.mark.django_db

WORKDAY = (dt.time(9, 0), dt.time(17, 30))


def next_wednesday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7)


@pytest.fixture
def olena_starts_later(story):
    """Olena works 09:00–17:30 Mon–Fri with an agreed 10:45 start Mon–Fri (case 3)."""
    with scope(organisation=story.harbourside.pk):
        set_working_pattern(
            actor=story.ravi, membership=story.olena, days=dict.fromkeys(range(5), WORKDAY)
        )
        proposed = services.propose_adjustment(
            actor=story.olena,
            person=story.olena,
            weekdays=[0, 1, 2, 3, 4],
            starts=dt.time(10, 45),
            valid_from=timezone.localdate(),
        )
        return services.agree_adjustment(
            actor=story.ravi, adjustment=proposed, version=proposed.version
        )


def ask(member, person, day, arrived_at):
    return get(
        member,
        f"/timekeeping?person={person.pk}&date={day.isoformat()}&arrived_at={arrived_at}",
    )


def test_it_answers_the_line_manager_with_the_agreed_later_start(story, olena_starts_later):
    response = ask(story.ravi, story.olena, next_wednesday(), "10:40")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["starts"] == "10:45" and body["ends"] == "17:30"
    assert body["adjusted"] is True and body["within"] is True
    assert body["adjustment"] == str(olena_starts_later.pk)
    assert body["agreed_on"] == olena_starts_later.agreed_on.isoformat()
    assert body["time_zone"] == "Africa/Nairobi"


def test_an_arrival_after_the_agreed_start_is_not_within_it(story, olena_starts_later):
    body = ask(story.grace, story.olena, next_wednesday(), "11:10").json()
    assert body["starts"] == "10:45" and body["within"] is False


def test_a_day_that_is_not_a_working_day_says_so(story, olena_starts_later):
    saturday = next_wednesday() + dt.timedelta(days=3)
    body = ask(story.ravi, story.olena, saturday, "10:00").json()
    assert body["working_day"] is False and body["starts"] is None and body["within"] is False


def test_the_answer_holds_hours_and_no_reason(story, olena_starts_later):
    text = ask(story.ravi, story.olena, next_wednesday(), "10:40").text.lower()
    for word in ("ost", "dispens", "clinic", "methadone", "appointment", "concern"):
        assert word not in text


@pytest.mark.parametrize("asker", ["joseph", "taslima", "daniel", "chen", "samuel", "taras"])
def test_anyone_but_the_person_their_line_manager_and_hr_gets_404(story, olena_starts_later, asker):
    response = ask(getattr(story, asker), story.olena, next_wednesday(), "10:40")
    assert response.status_code == 404


def test_the_person_may_ask_about_themself(story, olena_starts_later):
    assert ask(story.olena, story.olena, next_wednesday(), "10:40").json()["within"] is True


def test_a_time_that_is_not_a_time_is_refused(story, olena_starts_later):
    response = ask(story.ravi, story.olena, next_wednesday(), "25:00")
    assert response.status_code == 422
