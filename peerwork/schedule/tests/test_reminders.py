"""The scheduling reminders the deadline loop sends (``reminders``), with time arranged in
data: each step is called with a ``now`` in the future.

- An agreed adjustment reaching its review date: the person and their line manager, once
  (§3.5: reviewed together).
- A trip whose prescriber notice period begins (§2.4.1): every traveller, once, whether
  or not they are on OST, so the message itself tells nobody anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Notification
from peerwork.people.availability import set_working_pattern
from peerwork.people.models import Adjustment
from peerwork.schedule import kinds, reminders, services, travel
from peerwork.schedule.models import ScheduleSettings, Traveller, Trip

pytestmark = pytest.mark.django_db

T = dt.time
REVIEW = kinds.ADJUSTMENT_REVIEW_DUE.kind
TRAVEL = kinds.TRAVEL_NOTICE_DUE.kind


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def sent(kind: str) -> list[tuple[Any, dict[str, Any]]]:
    return sorted(
        (
            (n.recipient_id, n.params)
            for n in Notification.objects.filter(kind=kind).order_by("created_at")
        ),
        key=str,
    )


def agreed(story: Any, person: Any, manager: Any, review_in: int | None) -> Adjustment:
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        set_working_pattern(
            actor=story.grace, membership=person, days=dict.fromkeys(range(5), (T(9), T(17)))
        )
        row = services.propose_adjustment(
            actor=person,
            person=person,
            weekdays=[0],
            starts=T(10, 30),
            valid_from=today,
            review_on=None if review_in is None else today + days(review_in),
        )
        return services.agree_adjustment(actor=manager, adjustment=row, version=row.version)


# --- reviews ---------------------------------------------------------------------------


def test_a_review_date_reached_tells_the_person_and_the_line_manager_once(story: Any) -> None:
    row = agreed(story, story.amina, story.ravi, review_in=30)
    assert reminders.remind_reviews(timezone.now() + days(20)) == 0
    assert reminders.remind_reviews(timezone.now() + days(31)) == 1
    assert reminders.remind_reviews(timezone.now() + days(32)) == 0
    with scope(organisation=story.harbourside.pk):
        expected = [
            (story.amina.pk, {"adjustment": str(row.pk)}),
            (story.ravi.pk, {"adjustment": str(row.pk)}),
        ]
        assert sent(REVIEW) == sorted(expected, key=str)


def test_someone_without_a_line_manager_is_told_alone(story: Any) -> None:
    agreed(story, story.taslima, story.grace, review_in=1)
    assert reminders.remind_reviews(timezone.now() + days(2)) == 1
    with scope(organisation=story.harbourside.pk):
        assert [who for who, _ in sent(REVIEW)] == [story.taslima.pk]


def test_no_review_date_or_not_agreed_sends_nothing(story: Any) -> None:
    agreed(story, story.amina, story.ravi, review_in=None)
    with scope(organisation=story.harbourside.pk):
        services.propose_adjustment(
            actor=story.olena,
            person=story.olena,
            weekdays=[2],
            starts=T(10, 30),
            valid_from=timezone.localdate(),
            review_on=timezone.localdate(),
        )
    assert reminders.remind_reviews(timezone.now() + days(400)) == 0
    with scope(organisation=story.harbourside.pk):
        assert sent(REVIEW) == []


# --- travellers -----------------------------------------------------------------------------


def trip(story: Any, starts_in: int, travellers: list[Any]) -> Trip:
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        return travel.create_trip(
            actor=story.ravi,
            fields=travel.TripFields(
                title="Peer counselling training",
                kind=Trip.Kind.EVENT_ELSEWHERE,
                place="Mombasa",
                starts_on=today + days(starts_in),
                ends_on=today + days(starts_in + 2),
                travellers=[person.pk for person in travellers],
            ),
        )


def test_every_traveller_is_told_once_when_the_notice_period_begins(story: Any) -> None:
    made = trip(story, 30, [story.amina, story.olena])
    with scope(organisation=story.harbourside.pk):
        travel.opt_in(
            actor=story.amina, traveller=Traveller.objects.get(trip=made, member=story.amina)
        )
    assert reminders.remind_travellers(timezone.now() + days(10)) == 0  # 20 days out
    assert reminders.remind_travellers(timezone.now() + days(17)) == 2  # 13 days out
    assert reminders.remind_travellers(timezone.now() + days(18)) == 0
    with scope(organisation=story.harbourside.pk):
        # The opted-in traveller and the other get the same message.
        assert sent(TRAVEL) == sorted(
            [
                (story.amina.pk, {"trip": str(made.pk)}),
                (story.olena.pk, {"trip": str(made.pk)}),
            ],
            key=str,
        )


def test_the_organisations_notice_period_decides(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        ScheduleSettings.objects.create(organisation=story.harbourside, prescriber_notice_days=45)
    trip(story, 60, [story.amina])
    assert reminders.remind_travellers(timezone.now() + days(10)) == 0
    assert reminders.remind_travellers(timezone.now() + days(16)) == 1


def test_cancelled_and_past_trips_send_nothing(story: Any) -> None:
    cancelled = trip(story, 10, [story.amina])
    with scope(organisation=story.harbourside.pk):
        travel.cancel_trip(actor=story.ravi, trip=cancelled, version=cancelled.version)
    trip(story, 3, [story.olena])
    assert reminders.remind_travellers(timezone.now() + days(5)) == 0
    with scope(organisation=story.harbourside.pk):
        assert sent(TRAVEL) == []


def test_moving_a_trip_reminds_again_for_the_new_dates(story: Any) -> None:
    made = trip(story, 10, [story.amina])
    assert reminders.remind_travellers(timezone.now()) == 1
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        travel.update_trip(
            actor=story.ravi,
            trip=made,
            version=made.version,
            fields=travel.TripFields(
                title=made.title,
                kind=made.kind,
                place=made.place,
                starts_on=today + days(40),
                ends_on=today + days(42),
                travellers=[story.amina.pk],
            ),
        )
    assert reminders.remind_travellers(timezone.now()) == 0
    assert reminders.remind_travellers(timezone.now() + days(27)) == 1
