"""The time-keeping question (``services.timekeeping_answer``; issue 6 item 4, App. 10
case 3): a manager asking whether someone was late is shown the hours agreed for that day
and whether the time is within them. When the hours are an agreed adjustment, the answer
points to it (the pattern), not to a concern, and never says why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_scopes import scope

from peerwork.people.availability import PatternDay, set_working_pattern
from peerwork.schedule import services

pytestmark = pytest.mark.django_db

T = dt.time
WORKDAY = (T(9, 0), T(17, 30))


def next_weekday(weekday: int) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


@pytest.fixture
def adjusted(story: Any) -> Any:
    """Amina works Monday to Friday, 09:00 to 17:30, starting 10:45 on Tuesdays (agreed)."""
    with scope(organisation=story.harbourside.pk):
        set_working_pattern(
            actor=story.ravi, membership=story.amina, days=dict.fromkeys(range(5), WORKDAY)
        )
        row = services.propose_adjustment(
            actor=story.amina,
            person=story.amina,
            weekdays=[1],
            starts=T(10, 45),
            valid_from=timezone.localdate(),
        )
        return services.agree_adjustment(actor=story.ravi, adjustment=row, version=row.version)


def ask(story: Any, day: dt.date, arrived_at: dt.time, actor: Any = None) -> Any:
    with scope(organisation=story.harbourside.pk):
        return services.timekeeping_answer(
            actor=actor or story.ravi, person=story.amina, day=day, arrived_at=arrived_at
        )


def test_arriving_at_10_45_on_an_adjusted_day_is_within_the_agreed_hours(
    story: Any, adjusted: Any
) -> None:
    answer = ask(story, next_weekday(1), T(10, 45))
    assert (answer.starts, answer.ends, answer.adjusted, answer.within) == (
        T(10, 45),
        T(17, 30),
        True,
        True,
    )
    assert answer.adjustment is not None and answer.adjustment.pk == adjusted.pk


def test_after_the_agreed_start_it_is_after_the_start(story: Any, adjusted: Any) -> None:
    answer = ask(story, next_weekday(1), T(10, 50))
    assert (answer.adjusted, answer.within) == (True, False)


def test_a_day_without_an_adjustment_is_the_pattern(story: Any, adjusted: Any) -> None:
    answer = ask(story, next_weekday(2), T(10, 45))
    assert (answer.starts, answer.adjusted, answer.adjustment, answer.within) == (
        T(9, 0),
        False,
        None,
        False,
    )


def test_a_day_off_has_no_hours(story: Any, adjusted: Any) -> None:
    answer = ask(story, next_weekday(6), T(10, 0))
    assert (answer.starts, answer.ends, answer.within) == (None, None, False)


def test_an_adjustment_not_yet_agreed_or_ended_is_not_the_pattern(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        set_working_pattern(
            actor=story.ravi, membership=story.amina, days=dict.fromkeys(range(5), WORKDAY)
        )
        row = services.propose_adjustment(
            actor=story.amina,
            person=story.amina,
            weekdays=[1],
            starts=T(10, 45),
            valid_from=timezone.localdate(),
        )
    assert ask(story, next_weekday(1), T(10, 45)).adjusted is False
    with scope(organisation=story.harbourside.pk):
        row = services.agree_adjustment(actor=story.ravi, adjustment=row, version=row.version)
        services.end_adjustment(
            actor=story.ravi, adjustment=row, version=row.version, last_day=timezone.localdate()
        )
    assert ask(story, next_weekday(1), T(10, 45)).adjusted is False


def test_with_core_hours_any_arrival_before_them_is_within(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        set_working_pattern(
            actor=story.ravi,
            membership=story.amina,
            days=[PatternDay(d, T(8, 0), T(18, 0), T(10, 0), T(15, 0)) for d in range(5)],
        )
    assert ask(story, next_weekday(3), T(9, 40)).within is True
    assert ask(story, next_weekday(3), T(10, 0)).within is True
    assert ask(story, next_weekday(3), T(10, 5)).within is False


def test_the_answer_holds_hours_and_nothing_about_why(story: Any, adjusted: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        services.record_need(
            actor=story.amina,
            owner=story.amina,
            details={
                "kind": "appointment",
                "weekday": 1,
                "starts": "09:30",
                "ends": "10:00",
                "travel_minutes": 20,
                "every_weeks": 1,
            },
        )
    answer = ask(story, next_weekday(1), T(10, 45))
    assert {f.name for f in dataclasses.fields(answer)} == {
        "day",
        "starts",
        "ends",
        "adjusted",
        "adjustment",
        "within",
    }
    assert "09:30" not in repr(answer) and "appointment" not in repr(answer)


@pytest.mark.parametrize("who", ["ravi", "grace", "amina"])
def test_the_line_manager_hr_and_the_person_ask(story: Any, adjusted: Any, who: str) -> None:
    assert ask(story, next_weekday(1), T(10, 0), actor=getattr(story, who)).within is True


@pytest.mark.parametrize("who", ["taslima", "olena", "samuel", "joseph", "chen", "taras"])
def test_no_one_else_asks(story: Any, adjusted: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        ask(story, next_weekday(1), T(10, 0), actor=getattr(story, who))
