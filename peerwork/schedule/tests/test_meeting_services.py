"""The meeting services (``services``: create, edit, move, late-join agenda, cancel) with
bad input, stale versions and the wrong actor (issue 6 item 3, "Bad input").

Bad input is refused with a message on the field at fault and nothing is saved; what was
saved before stays as it was. A stale version changes nothing. Only a meeting's planners
(its organiser, HR, the director, a line manager of an attendee) change it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.schedule import services
from peerwork.schedule.models import Attendee, Meeting

pytestmark = pytest.mark.django_db

T = dt.time


def fields(story: Any, **kw: Any) -> services.MeetingFields:
    values: dict[str, Any] = {
        "title": "Team meeting",
        "kind": Meeting.Kind.TEAM_MEETING,
        "first_on": timezone.localdate() + dt.timedelta(days=7),
        "starts": T(9, 30),
        "minutes": 60,
        "repeats": Meeting.Repeats.WEEKLY,
        "place": "Back room",
        "team": story.team,
        "required": [story.amina.pk, story.olena.pk],
        "optional": [story.joseph.pk],
    }
    values.update(kw)
    return services.MeetingFields(**values)


def errors_of(refused: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return refused.value.message_dict


def snapshot(meeting: Meeting) -> tuple[Any, ...]:
    row = Meeting.objects.get(pk=meeting.pk)
    attendees = sorted(
        (str(member), required)
        for member, required in Attendee.objects.filter(meeting=meeting).values_list(
            "member_id", "required"
        )
    )
    return (
        row.title,
        row.first_on,
        row.starts,
        row.minutes,
        row.repeats,
        row.until,
        row.decisions_from,
        row.cancelled_at,
        row.version,
        tuple(attendees),
    )


@pytest.fixture
def meeting(story: Any) -> Meeting:
    with scope(organisation=story.harbourside.pk):
        return services.create_meeting(actor=story.ravi, fields=fields(story))


# --- creating ---------------------------------------------------------------------------


def test_it_creates_a_meeting_with_required_and_optional_attendees(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        made = services.create_meeting(actor=story.ravi, fields=fields(story, title="  Plan  "))
        assert made.title == "Plan"
        assert made.organiser_id == story.ravi.pk
        assert dict(Attendee.objects.filter(meeting=made).values_list("member_id", "required")) == {
            story.amina.pk: True,
            story.olena.pk: True,
            story.joseph.pk: False,
        }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": " "}, "title", "Give the meeting a title."),
        ({"title": "x" * 201}, "title", "Keep the title to 200 characters."),
        ({"kind": "party"}, "kind", "Choose what kind of meeting it is."),
        ({"repeats": "daily"}, "repeats", "Choose how often it happens."),
        ({"minutes": 0}, "minutes", "A meeting lasts from 5 minutes to 12 hours."),
        ({"minutes": 721}, "minutes", "A meeting lasts from 5 minutes to 12 hours."),
        # Ending after midnight, at 00:30 and at "25:00".
        (
            {"starts": T(23, 30), "minutes": 60},
            "minutes",
            "The meeting must end on the day it starts.",
        ),
        (
            {"starts": T(23, 0), "minutes": 120},
            "minutes",
            "The meeting must end on the day it starts.",
        ),
        ({"until": "before"}, "until", "The last date must be on or after the first."),
        ({"place": "p" * 201}, "place", "Keep the place to 200 characters."),
        ({"required": []}, "required", "Name at least one required attendee."),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(
    story: Any, change: dict[str, Any], field: str, message: str
) -> None:
    if change.get("until") == "before":
        change = {"until": timezone.localdate()}  # the first date is a week later
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            services.create_meeting(actor=story.ravi, fields=fields(story, **change))
        assert errors_of(refused)[field] == [message]
        assert not Meeting.objects.exists()
        assert not Attendee.objects.exists()


def test_a_meeting_ending_at_midnight_exactly_is_fine(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        made = services.create_meeting(
            actor=story.ravi, fields=fields(story, starts=T(23, 0), minutes=60)
        )
        assert made.starts == T(23, 0)


def test_another_organisations_member_is_an_unknown_attendee(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            services.create_meeting(
                actor=story.ravi, fields=fields(story, required=[story.amina.pk, story.taras.pk])
            )
        assert errors_of(refused) == {
            "required": ["Someone in the list is not a member of this organisation."]
        }
        with pytest.raises(ValidationError) as refused:
            services.create_meeting(
                actor=story.ravi, fields=fields(story, optional=[story.taras.pk])
            )
        assert errors_of(refused) == {
            "optional": ["Someone in the list is not a member of this organisation."]
        }
        assert not Meeting.objects.exists()


@pytest.mark.parametrize("bad", ["not-an-id", "", "12345", None, "' OR 1=1 --"])
def test_a_malformed_attendee_id_is_refused(story: Any, bad: object) -> None:
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            services.create_meeting(
                actor=story.ravi, fields=fields(story, required=[story.amina.pk, bad])
            )
        assert errors_of(refused) == {"required": ["Choose attendees from the list."]}
        assert not Meeting.objects.exists()


def test_someone_who_has_left_is_an_unknown_attendee(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        Membership.objects.filter(pk=story.olena.pk).update(
            ended_at=timezone.now() - dt.timedelta(days=1)
        )
        with pytest.raises(ValidationError) as refused:
            services.create_meeting(actor=story.ravi, fields=fields(story))
        assert "required" in errors_of(refused)
        assert not Meeting.objects.exists()


def test_a_person_is_required_or_optional_not_both(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            services.create_meeting(
                actor=story.ravi, fields=fields(story, optional=[story.amina.pk])
            )
        assert errors_of(refused) == {
            "optional": ["A person is either required or optional, not both."]
        }


def test_a_team_of_another_organisation_is_refused(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            services.create_meeting(actor=story.ravi, fields=fields(story, team=story.other_team))
        assert errors_of(refused) == {"team": ["Choose one of your organisation's teams."]}


@pytest.mark.parametrize("who", ["amina", "joseph", "chen", "samuel", "leila"])
def test_only_managers_hr_and_the_director_put_meetings_on_the_schedule(
    story: Any, who: str
) -> None:
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(PermissionDenied):
            services.create_meeting(actor=getattr(story, who), fields=fields(story))
        assert not Meeting.objects.exists()


# --- changing -----------------------------------------------------------------------------


def test_bad_input_in_an_edit_keeps_what_was_saved(story: Any, meeting: Meeting) -> None:
    with scope(organisation=story.harbourside.pk):
        before = snapshot(meeting)
        for change in (
            {"starts": T(23, 30)},
            {"required": [story.taras.pk]},
            {"required": ["nonsense"]},
            {"title": ""},
            {"until": meeting.first_on - dt.timedelta(days=1)},
        ):
            with pytest.raises(ValidationError):
                services.update_meeting(
                    actor=story.ravi,
                    meeting=meeting,
                    version=meeting.version,
                    fields=fields(story, **change),
                )
            assert snapshot(meeting) == before


def test_an_edit_with_a_stale_version_changes_nothing(story: Any, meeting: Meeting) -> None:
    with scope(organisation=story.harbourside.pk):
        services.move_meeting(
            actor=story.grace, meeting=meeting, version=meeting.version, starts=T(11, 0)
        )
        before = snapshot(meeting)
        stale = meeting.version - 1
        with pytest.raises(StaleVersion):
            services.update_meeting(
                actor=story.ravi,
                meeting=meeting,
                version=stale,
                fields=fields(story, title="Mine", required=[story.amina.pk]),
            )
        with pytest.raises(StaleVersion):
            services.move_meeting(actor=story.ravi, meeting=meeting, version=stale, starts=T(14, 0))
        with pytest.raises(StaleVersion):
            services.set_late_join(
                actor=story.ravi, meeting=meeting, version=stale, decisions_from=T(11, 30)
            )
        with pytest.raises(StaleVersion):
            services.cancel_meeting(actor=story.ravi, meeting=meeting, version=stale)
        assert snapshot(meeting) == before


def test_moving_to_a_time_that_ends_after_midnight_is_refused(story: Any, meeting: Meeting) -> None:
    with scope(organisation=story.harbourside.pk):
        before = snapshot(meeting)
        with pytest.raises(ValidationError) as refused:
            services.move_meeting(
                actor=story.ravi, meeting=meeting, version=meeting.version, starts=T(23, 30)
            )
        assert errors_of(refused) == {"starts": ["The meeting must end on the day it starts."]}
        assert snapshot(meeting) == before


def test_moving_to_another_weekday_starts_from_its_next_date(story: Any, meeting: Meeting) -> None:
    with scope(organisation=story.harbourside.pk):
        weekday = (meeting.first_on.weekday() + 2) % 7
        was = meeting.first_on
        moved = services.move_meeting(
            actor=story.ravi,
            meeting=meeting,
            version=meeting.version,
            starts=T(10, 0),
            weekday=weekday,
        )
        assert moved.first_on.weekday() == weekday
        assert was < moved.first_on < was + dt.timedelta(days=7)


def test_a_monthly_meeting_keeps_its_date_and_a_bad_weekday_is_refused(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        monthly = services.create_meeting(
            actor=story.ravi, fields=fields(story, repeats=Meeting.Repeats.MONTHLY)
        )
        for weekday, message in (
            ((monthly.first_on.weekday() + 1) % 7, "A monthly meeting keeps its date"),
            (9, "Choose a day of the week."),
        ):
            with pytest.raises(ValidationError) as refused:
                services.move_meeting(
                    actor=story.ravi,
                    meeting=monthly,
                    version=monthly.version,
                    starts=T(10, 0),
                    weekday=weekday,
                )
            assert errors_of(refused)["weekday"][0].startswith(message)


def test_a_move_past_the_last_date_is_refused(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        first_on = timezone.localdate() + dt.timedelta(days=3)
        short = services.create_meeting(
            actor=story.ravi, fields=fields(story, first_on=first_on, until=first_on)
        )
        with pytest.raises(ValidationError) as refused:
            services.move_meeting(
                actor=story.ravi,
                meeting=short,
                version=short.version,
                starts=T(10, 0),
                weekday=(first_on.weekday() + 1) % 7,
            )
        assert errors_of(refused) == {"weekday": ["The meeting has no dates left to move."]}


def test_decisions_must_come_during_the_meeting(story: Any, meeting: Meeting) -> None:
    with scope(organisation=story.harbourside.pk):
        for when in (T(9, 30), T(10, 30), T(8, 0), T(12, 0)):
            with pytest.raises(ValidationError) as refused:
                services.set_late_join(
                    actor=story.ravi, meeting=meeting, version=meeting.version, decisions_from=when
                )
            assert errors_of(refused) == {
                "decisions_from": ["Decisions must come during the meeting."]
            }
        agenda = services.set_late_join(
            actor=story.ravi, meeting=meeting, version=meeting.version, decisions_from=T(10, 0)
        )
        assert agenda.decisions_from == T(10, 0)
        # A new time makes the agenda for the old one meaningless.
        moved = services.move_meeting(
            actor=story.ravi, meeting=agenda, version=agenda.version, starts=T(11, 0)
        )
        assert moved.decisions_from is None


def test_a_cancelled_meeting_cannot_be_cancelled_again(story: Any, meeting: Meeting) -> None:
    with scope(organisation=story.harbourside.pk):
        cancelled = services.cancel_meeting(
            actor=story.ravi, meeting=meeting, version=meeting.version
        )
        assert cancelled.is_cancelled
        with pytest.raises(ValidationError) as refused:
            services.cancel_meeting(actor=story.ravi, meeting=cancelled, version=cancelled.version)
        assert refused.value.messages == ["This meeting is already cancelled."]


# --- who plans ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ravi", "grace", "daniel"])
def test_its_planners_change_move_and_cancel_it(story: Any, meeting: Meeting, who: str) -> None:
    actor = getattr(story, who)
    with scope(organisation=story.harbourside.pk):
        meeting = services.update_meeting(
            actor=actor,
            meeting=meeting,
            version=meeting.version,
            fields=fields(story, title="Renamed"),
        )
        meeting = services.move_meeting(
            actor=actor, meeting=meeting, version=meeting.version, starts=T(10, 0)
        )
        meeting = services.cancel_meeting(actor=actor, meeting=meeting, version=meeting.version)
        assert (meeting.title, meeting.starts, meeting.is_cancelled) == ("Renamed", T(10, 0), True)


def test_a_line_manager_of_an_attendee_plans_a_meeting_someone_else_organised(
    story: Any,
) -> None:
    with scope(organisation=story.harbourside.pk):
        made = services.create_meeting(
            actor=story.grace, fields=fields(story, required=[story.amina.pk], optional=[])
        )
        moved = services.move_meeting(
            actor=story.ravi, meeting=made, version=made.version, starts=T(10, 0)
        )
        assert moved.starts == T(10, 0)


@pytest.mark.parametrize("who", ["taslima", "amina", "olena", "joseph", "chen", "samuel", "taras"])
def test_anyone_else_is_refused_and_nothing_changes(story: Any, meeting: Meeting, who: str) -> None:
    actor = getattr(story, who)
    with scope(organisation=story.harbourside.pk):
        before = snapshot(meeting)
        with pytest.raises(PermissionDenied):
            services.update_meeting(
                actor=actor, meeting=meeting, version=meeting.version, fields=fields(story)
            )
        with pytest.raises(PermissionDenied):
            services.move_meeting(
                actor=actor, meeting=meeting, version=meeting.version, starts=T(10, 0)
            )
        with pytest.raises(PermissionDenied):
            services.set_late_join(
                actor=actor, meeting=meeting, version=meeting.version, decisions_from=T(10, 0)
            )
        with pytest.raises(PermissionDenied):
            services.cancel_meeting(actor=actor, meeting=meeting, version=meeting.version)
        assert snapshot(meeting) == before


def test_a_planner_who_has_left_plans_nothing(story: Any, meeting: Meeting) -> None:
    with scope(organisation=story.harbourside.pk):
        Membership.objects.filter(pk=story.ravi.pk).update(
            ended_at=timezone.now() - dt.timedelta(minutes=1)
        )
        ravi = Membership.objects.get(pk=story.ravi.pk)
        with pytest.raises(PermissionDenied):
            services.cancel_meeting(actor=ravi, meeting=meeting, version=meeting.version)


def test_an_edit_keeps_a_late_join_agenda_only_while_it_fits_the_meeting(
    story: Any, meeting: Meeting
) -> None:
    with scope(organisation=story.harbourside.pk):
        meeting = services.set_late_join(
            actor=story.ravi, meeting=meeting, version=meeting.version, decisions_from=T(10, 15)
        )
        meeting = services.update_meeting(
            actor=story.ravi,
            meeting=meeting,
            version=meeting.version,
            fields=fields(story, title="Renamed"),
        )
        assert meeting.decisions_from == T(10, 15)
        # Forty minutes, 09:30 to 10:10: decisions from 10:15 would come after the end.
        meeting = services.update_meeting(
            actor=story.ravi,
            meeting=meeting,
            version=meeting.version,
            fields=fields(story, minutes=40),
        )
        assert meeting.decisions_from is None
