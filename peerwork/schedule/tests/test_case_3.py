"""App. 10 case 3, with its numbers (issue 6 item 4, "Tests that must exist").

Olena collects her dose when her clinic opens at 10:00, waits about 15 minutes and travels
30 minutes to the office, so she can be at work from 10:45. Her working day was agreed as
09:00 to 17:30, Monday to Friday, and Ravi's team meeting is on Wednesdays at 09:30 for
two hours. Without an agreed later start the meeting looks fine on paper and she misses
its start every week; with it, the schedule says so, without saying why, and suggests
what to do: start at 10:45 or later that day, meet on another weekday, or keep 09:30 and
take decisions from 10:45 (a late-join agenda). Moving the meeting to 10:45 clears it.

The variant: a site open 10:00 to 19:00 where she can collect at any time fits after work
(her day ends at 17:30): nothing is proposed and no conflict is invented.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from peerwork.people.availability import set_working_pattern
from peerwork.people.models import Adjustment
from peerwork.schedule import needs, services
from peerwork.schedule.models import Conflict, Meeting

pytestmark = pytest.mark.django_db

WEDNESDAY = 2
WORKDAY = (dt.time(9, 0), dt.time(17, 30))
CLINIC = {
    "kind": "dispensing",
    "site": "Harbour clinic",
    "days": [0, 1, 2, 3, 4, 5, 6],
    "opens": "10:00",
    "closes": "14:00",
    "collection": "at_opening",
    "wait_minutes": 15,
    "travel_minutes": 30,
    "take_home_days": [],
}
ANY_TIME_SITE = {**CLINIC, "opens": "10:00", "closes": "19:00", "collection": "any_time"}
T = dt.time


def next_wednesday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(WEDNESDAY - today.weekday()) % 7 or 7)


def olena_works_weekdays(story: Any) -> None:
    set_working_pattern(
        actor=story.ravi, membership=story.olena, days=dict.fromkeys(range(5), WORKDAY)
    )
    set_working_pattern(
        actor=story.ravi, membership=story.amina, days=dict.fromkeys(range(5), WORKDAY)
    )


def wednesday_meeting(story: Any, today: dt.date) -> Meeting:
    return services.create_meeting(
        actor=story.ravi,
        fields=services.MeetingFields(
            title="Team meeting",
            kind=Meeting.Kind.TEAM_MEETING,
            first_on=next_wednesday(today),
            starts=T(9, 30),
            minutes=120,
            repeats=Meeting.Repeats.WEEKLY,
            place="Drop-in centre, back room",
            team=story.team,
            required=[story.olena.pk, story.amina.pk],
        ),
    )


def agreed_later_start(story: Any, details: dict[str, Any], today: dt.date) -> list[Adjustment]:
    need = services.record_need(actor=story.olena, owner=story.olena, details=details)
    proposed = services.propose_from_need(
        actor=story.olena, need=need, valid_from=today, review_on=today + dt.timedelta(days=90)
    )
    return [
        services.agree_adjustment(actor=story.ravi, adjustment=row, version=row.version)
        for row in proposed
    ]


def conflicts_of(meeting: Meeting) -> list[Conflict]:
    return list(Conflict.objects.filter(meeting=meeting).order_by("occurs_on"))


def test_the_clinic_at_10_with_a_15_minute_wait_and_30_minutes_travel_gives_10_45() -> None:
    clinic = needs.dispensing_from(CLINIC)
    assert needs.earliest_at_work(clinic) == T(10, 45)


def test_the_proposal_is_a_10_45_start_monday_to_friday(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        olena_works_weekdays(story)
        need = services.record_need(actor=story.olena, owner=story.olena, details=CLINIC)
        found = services.proposals_for_need(need)
        assert found == [needs.Proposal(frozenset(range(5)), starts=T(10, 45))]
        today = timezone.localdate()
        [row] = services.propose_from_need(actor=story.olena, need=need, valid_from=today)
        assert row.state == Adjustment.State.PROPOSED
        assert (row.starts, row.ends, row.break_starts) == (T(10, 45), None, None)
        assert sorted(row.weekdays) == [0, 1, 2, 3, 4]
        # What Ravi will see is the hours, not the clinic.
        assert services.describe(row) == "starts 10:45 Mon–Fri"


def test_the_wednesday_meeting_conflicts_once_the_later_start_is_agreed(story: Any) -> None:
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        olena_works_weekdays(story)
        meeting = wednesday_meeting(story, today)
        assert conflicts_of(meeting) == []  # on paper she starts at 09:00: nothing shows

        [agreed] = agreed_later_start(story, CLINIC, today)
        assert agreed.state == Adjustment.State.AGREED

        rows = conflicts_of(meeting)
        assert rows, "every Wednesday from now on"
        assert {row.member_id for row in rows} == {story.olena.pk}
        assert {row.occurs_on.weekday() for row in rows} == {WEDNESDAY}
        assert {(row.kind, row.arrives_at, row.leaves_at) for row in rows} == {
            (Conflict.Kind.LATE, T(10, 45), None)
        }
        assert rows[0].occurs_on == next_wednesday(today)
        # She sees her own conflicts, privately.
        assert [row.pk for row in services.own_conflicts(story.olena, today=today)] == [
            row.pk for row in rows
        ]


def test_the_suggestions_are_10_45_that_day_another_weekday_or_decisions_from_10_45(
    story: Any,
) -> None:
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        olena_works_weekdays(story)
        meeting = wednesday_meeting(story, today)
        agreed_later_start(story, CLINIC, today)

        found = services.suggestions_for(meeting, today=today)

        assert found.occurs_on == next_wednesday(today)
        assert [(row.member_id, row.arrives_at) for row in found.late] == [
            (story.olena.pk, T(10, 45))
        ]
        assert found.same_day is not None
        assert found.same_day.weekday == WEDNESDAY
        assert found.same_day.starts == T(10, 45)
        assert found.other_days, "another weekday"
        assert {s.weekday for s in found.other_days} == {0, 1, 3, 4}  # no weekend: nobody works
        assert all(s.starts >= T(10, 45) for s in found.other_days)
        assert found.late_join == T(10, 45)


def test_a_late_join_agenda_keeps_09_30_and_takes_decisions_from_10_45(story: Any) -> None:
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        olena_works_weekdays(story)
        meeting = wednesday_meeting(story, today)
        agreed_later_start(story, CLINIC, today)
        meeting = services.set_late_join(
            actor=story.ravi, meeting=meeting, version=meeting.version, decisions_from=T(10, 45)
        )
        assert (meeting.starts, meeting.decisions_from) == (T(9, 30), T(10, 45))
        assert conflicts_of(meeting)  # she still arrives after the start; it is planned for


def test_moving_the_meeting_to_10_45_clears_the_conflict(story: Any) -> None:
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        olena_works_weekdays(story)
        meeting = wednesday_meeting(story, today)
        agreed_later_start(story, CLINIC, today)
        assert conflicts_of(meeting)

        suggested = services.suggestions_for(meeting, today=today).same_day
        assert suggested is not None
        moved = services.move_meeting(
            actor=story.ravi, meeting=meeting, version=meeting.version, starts=suggested.starts
        )

        assert moved.starts == T(10, 45)
        assert moved.first_on.weekday() == WEDNESDAY
        assert conflicts_of(moved) == []
        assert services.suggestions_for(moved, today=today).late == ()


def test_moving_it_to_another_weekday_at_the_suggested_time_clears_it_too(story: Any) -> None:
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        olena_works_weekdays(story)
        meeting = wednesday_meeting(story, today)
        agreed_later_start(story, CLINIC, today)
        thursday = next(
            s for s in services.suggestions_for(meeting, today=today).other_days if s.weekday == 3
        )
        moved = services.move_meeting(
            actor=story.ravi,
            meeting=meeting,
            version=meeting.version,
            starts=thursday.starts,
            weekday=thursday.weekday,
            today=today,
        )
        assert moved.first_on.weekday() == 3
        assert moved.starts == thursday.starts
        assert conflicts_of(moved) == []


# --- the variant: collection at any time while the site is open ---------------------------


def test_collecting_any_time_while_open_until_19_proposes_nothing(story: Any) -> None:
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        olena_works_weekdays(story)
        site = needs.dispensing_from(ANY_TIME_SITE)
        assert needs.earliest_at_work(site) is None  # it depends on the working day
        need = services.record_need(actor=story.olena, owner=story.olena, details=ANY_TIME_SITE)
        assert services.proposals_for_need(need) == []
        with pytest.raises(ValidationError) as refused:
            services.propose_from_need(actor=story.olena, need=need, valid_from=today)
        assert refused.value.messages == [
            "Your agreed working hours already fit: there is nothing to change."
        ]
        assert not Adjustment.objects.filter(membership=story.olena).exists()


def test_collecting_any_time_while_open_invents_no_conflict(story: Any) -> None:
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        olena_works_weekdays(story)
        services.record_need(actor=story.olena, owner=story.olena, details=ANY_TIME_SITE)
        meeting = wednesday_meeting(story, today)
        assert conflicts_of(meeting) == []
        found = services.suggestions_for(meeting, today=today)
        assert found.late == ()
        # Nothing pushes the day later: the earliest start everyone can make is 09:00.
        assert found.same_day is not None and found.same_day.starts == T(9, 0)
        assert found.late_join is None


def test_a_site_that_closes_before_the_working_day_ends_still_asks_for_a_later_start(
    story: Any,
) -> None:
    # Any time, but open only 10:00 to 14:00: neither before nor after work fits, so the
    # earliest visit (opening, the wait, the journey) decides.
    with scope(organisation=story.harbourside.pk):
        olena_works_weekdays(story)
        details = {**ANY_TIME_SITE, "closes": "14:00"}
        need = services.record_need(actor=story.olena, owner=story.olena, details=details)
        assert services.proposals_for_need(need) == [
            needs.Proposal(frozenset(range(5)), starts=T(10, 45))
        ]
