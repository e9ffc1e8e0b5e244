"""Review meetings as services (issue 8 item 2; App. 7, §4.7): the line manager or HR plans
one, about a concern or on its own; each side writes its own part of the agenda and the
manager can never word the staff member's account, their worries about the job or their
support outside work; blank support outside work reads "External support agreed"; a
stale edit is refused; the meeting is held only from its day where the organisation
works; the staff member brings a peer supporter, never someone who investigates them
(refused and audited); cancelling and holding exclude each other.

The helpers here (a concern, a planned or held meeting, times where the organisation
works) serve the other meeting test modules too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from peerwork.concerns import access, meetings, support_menu
from peerwork.concerns.models import Concern, Investigation, Investigator, ReviewMeeting
from peerwork.core.models import AuditEvent, Membership, Notification
from peerwork.core.notify import render
from peerwork.core.versions import StaleVersion

pytestmark = pytest.mark.django_db


# --- helpers -------------------------------------------------------------------------------


def today_there(story: Any) -> dt.date:
    return story.harbourside.local_today()


def at_there(story: Any, day: dt.date, hour: int = 14, minute: int = 0) -> dt.datetime:
    """A moment on ``day`` where Harbourside works (Nairobi)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=story.harbourside.zone)


def concern_about(
    story: Any, person: str = "amina", *, by: str = "ravi", state: str = "open"
) -> Concern:
    """An attendance concern, as the intake records one (§4.2: about work only)."""
    with scope(organisation=story.harbourside.pk):
        return Concern.objects.create(
            organisation=story.harbourside,
            person=getattr(story, person),
            raised_by=getattr(story, by),
            source=Concern.Source.MANAGER,
            category=Concern.Category.ATTENDANCE,
            noticed_from=today_there(story) - dt.timedelta(days=20),
            what_happened="Missed two evening outreach shifts without word.",
            work_impact="The outreach partner went out alone.",
            state=state,
        )


def plan(
    story: Any,
    person: str = "amina",
    *,
    by: str = "ravi",
    concern: Concern | None = None,
    days: int = 2,
    place: str = "The small meeting room",
) -> ReviewMeeting:
    """A meeting planned ``days`` from today at 14:00 where Harbourside works."""
    with scope(organisation=story.harbourside.pk):
        return meetings.schedule_meeting(
            actor=getattr(story, by),
            person=getattr(story, person),
            starts_at=at_there(story, today_there(story) + dt.timedelta(days=days)),
            place=place,
            concern=concern,
        )


def held(story: Any, person: str = "amina", *, by: str = "ravi", **kwargs: Any) -> ReviewMeeting:
    """A meeting planned for yesterday and marked held."""
    meeting = plan(story, person, by=by, days=-1, **kwargs)
    with scope(organisation=story.harbourside.pk):
        return meetings.mark_held(actor=getattr(story, by), meeting=meeting)


def fresh(meeting: ReviewMeeting) -> ReviewMeeting:
    with scope(organisation=meeting.organisation_id):
        return ReviewMeeting.objects.select_related(
            "person__user", "person__organisation", "held_by__user", "peer_supporter__user"
        ).get(pk=meeting.pk)


def told(kind: str) -> list[object]:
    """Who was told ``kind``, by membership id."""
    with scopes_disabled():
        return sorted(
            Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True), key=str
        )


def ids(*people: Membership) -> list[object]:
    return sorted((p.pk for p in people), key=str)


def audited(action: str) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action=action))


# --- planning --------------------------------------------------------------------------------


def test_a_line_manager_plans_a_meeting_about_a_concern_and_the_person_is_told_neutrally(story):
    concern = concern_about(story)
    meeting = plan(story, concern=concern)
    assert (meeting.person_id, meeting.held_by_id) == (story.amina.pk, story.ravi.pk)
    assert meeting.concern_id == concern.pk and meeting.state == "scheduled"
    assert told(meetings.MEETING_PLANNED.kind) == [story.amina.pk]
    with scopes_disabled():
        words = render(Notification.objects.get(kind=meetings.MEETING_PLANNED.kind))
    assert words.link == f"/concerns/reviews/{meeting.pk}/"
    for name in ("Amina", "Ravi", "attendance", "shift"):
        assert name not in words.subject + words.body
    [event] = audited("concerns.meeting_planned")
    assert event.detail == {"concern": str(concern.pk)}


def test_hr_plans_a_meeting_on_its_own_as_supervision(story):
    meeting = plan(story, "olena", by="grace")
    assert meeting.concern_id is None and meeting.held_by_id == story.grace.pk


def test_only_the_persons_line_manager_or_hr_plans_a_meeting(story):
    when = at_there(story, today_there(story) + dt.timedelta(days=3))
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            meetings.schedule_meeting(actor=story.taslima, person=story.amina, starts_at=when)
        assert "person" in refused.value.message_dict
        with pytest.raises(PermissionDenied):
            meetings.schedule_meeting(actor=story.amina, person=story.olena, starts_at=when)
        with pytest.raises(PermissionDenied):
            meetings.schedule_meeting(actor=story.samuel, person=story.amina, starts_at=when)
        # Nobody plans a meeting with themself.
        with pytest.raises(ValidationError):
            meetings.schedule_meeting(actor=story.grace, person=story.grace, starts_at=when)
        assert not ReviewMeeting.objects.exists()


def test_a_meeting_needs_a_time_and_a_closed_concern_takes_no_new_one(story):
    closed = concern_about(story, state="closed")
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            meetings.schedule_meeting(
                actor=story.ravi, person=None, starts_at=None, concern=closed, place="x" * 201
            )
        assert set(refused.value.message_dict) == {"concern", "starts_at", "place"}
        assert not ReviewMeeting.objects.exists()


def test_the_people_a_manager_may_meet_are_their_reports_and_for_hr_everyone(story):
    with scope(organisation=story.harbourside.pk):
        ravis = set(meetings.people_to_meet(story.ravi))
        assert ravis == {story.amina, story.olena, story.joseph}
        assert not meetings.people_to_meet(story.taslima).exists()
        graces = set(meetings.people_to_meet(story.grace))
        assert story.amina in graces and story.ravi in graces and story.grace not in graces
        assert story.peter not in graces  # a peer interviewer only: not a working member


# --- the agenda --------------------------------------------------------------------------------


def test_the_agenda_follows_app_7_in_its_order(story):
    assert [step.key for step in meetings.AGENDA] == [
        "purpose",
        "issue",
        "level",
        "account",
        "support",
        "again",
    ]
    written = {name for step in meetings.AGENDA for name in step.person_fields}
    assert written == set(meetings.PERSON_FIELDS)


def test_each_side_writes_its_own_part(story):
    meeting = plan(story, concern=concern_about(story))
    with scope(organisation=story.harbourside.pk):
        meetings.change_meeting(
            actor=story.ravi,
            meeting=meeting,
            changes={
                "purpose": "To talk about the missed evening shifts and what would help.",
                "support_agreed": ["flexible_hours", support_menu.EXTERNAL, "peer_mentor"],
                "meet_again": True,
            },
            version=meeting.version,
        )
        meetings.change_meeting(
            actor=story.amina,
            meeting=meeting,
            changes={"person_account": "My bus stopped running after eight in the evening."},
            version=meeting.version,
        )
    stored = fresh(meeting)
    assert stored.purpose.startswith("To talk about")
    assert stored.person_account == "My bus stopped running after eight in the evening."
    # In the menu's order, whatever order they were ticked in.
    assert stored.support_agreed == ["flexible_hours", "peer_mentor", support_menu.EXTERNAL]
    assert stored.meet_again is True and stored.version == 3
    sides = [e.detail["side"] for e in audited("concerns.meeting_changed")]
    assert sides == ["manager", "person"]


@pytest.mark.parametrize("field", ["person_account", "job_concerns", "external_support"])
@pytest.mark.parametrize("manager", ["ravi", "grace"])
def test_the_manager_never_words_the_persons_own_part(story, field, manager):
    meeting = plan(story)
    with scope(organisation=story.harbourside.pk):
        meetings.change_meeting(
            actor=story.amina,
            meeting=meeting,
            changes={field: "In my words."},
            version=meeting.version,
        )
        with pytest.raises(ValidationError) as refused:
            meetings.change_meeting(
                actor=getattr(story, manager),
                meeting=meeting,
                changes={"purpose": "Fine.", field: "Said differently."},
                version=meeting.version,
            )
    assert list(refused.value.message_dict) == [field]
    assert "Only the staff member words this part" in refused.value.message_dict[field][0]
    stored = fresh(meeting)
    assert getattr(stored, field) == "In my words." and not stored.purpose


def test_the_staff_member_writes_nothing_of_the_managers_part(story):
    meeting = plan(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        meetings.change_meeting(
            actor=story.amina,
            meeting=meeting,
            changes={"expected_level": "Lower.", "support_agreed": ["leave"]},
            version=meeting.version,
        )
    assert set(refused.value.message_dict) == {"expected_level", "support_agreed"}
    assert fresh(meeting).version == 1


def test_a_peer_supporter_writes_nothing(story):
    meeting = plan(story)
    with scope(organisation=story.harbourside.pk):
        meetings.choose_supporter(
            actor=story.amina, meeting=meeting, supporter=story.samuel, version=meeting.version
        )
        with pytest.raises(PermissionDenied):
            meetings.change_meeting(
                actor=story.samuel,
                meeting=meeting,
                changes={"purpose": "x"},
                version=meeting.version,
            )


def test_blank_support_outside_work_reads_external_support_agreed(story):
    meeting = plan(story)
    assert meetings.external_support_text(meeting) == ""
    with scope(organisation=story.harbourside.pk):
        meetings.change_meeting(
            actor=story.ravi,
            meeting=meeting,
            changes={"support_agreed": [support_menu.EXTERNAL]},
            version=meeting.version,
        )
        assert meetings.external_support_text(meeting) == "External support agreed"
        meetings.change_meeting(
            actor=story.amina,
            meeting=meeting,
            changes={"external_support": "Support I arrange myself, outside work."},
            version=meeting.version,
        )
    assert meetings.external_support_text(fresh(meeting)) == (
        "Support I arrange myself, outside work."
    )


def test_a_stale_edit_is_refused_and_changes_nothing(story):
    meeting = plan(story)
    read = meeting.version
    with scope(organisation=story.harbourside.pk):
        meetings.change_meeting(
            actor=story.ravi, meeting=meeting, changes={"purpose": "First."}, version=read
        )
        other = fresh(meeting)
        with pytest.raises(StaleVersion):
            meetings.change_meeting(
                actor=story.amina,
                meeting=other,
                changes={"person_account": "Mine."},
                version=read,
            )
    stored = fresh(meeting)
    assert stored.purpose == "First." and not stored.person_account


def test_bad_values_are_refused_by_field(story):
    meeting = plan(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        meetings.change_meeting(
            actor=story.ravi,
            meeting=meeting,
            changes={
                "purpose": "x" * (meetings.TEXT_MAX + 1),
                "support_agreed": ["drug_testing"],
                "meet_again": "perhaps",
                "starts_at": dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
            },
            version=meeting.version,
        )
    assert set(refused.value.message_dict) == {
        "purpose",
        "support_agreed",
        "meet_again",
        "starts_at",
    }


def test_a_new_time_is_told_to_the_person(story):
    meeting = plan(story)
    with scope(organisation=story.harbourside.pk):
        meetings.change_meeting(
            actor=story.ravi,
            meeting=meeting,
            changes={"starts_at": at_there(story, today_there(story) + dt.timedelta(days=5))},
            version=meeting.version,
        )
    assert told(meetings.MEETING_MOVED.kind) == [story.amina.pk]


# --- held and cancelled ----------------------------------------------------------------------------


def test_a_meeting_is_held_only_from_its_day_where_the_organisation_works(story):
    meeting = plan(story, days=1)
    start_day = today_there(story) + dt.timedelta(days=1)
    # 23:30 in Nairobi the evening before: still the day before there.
    evening_before = at_there(story, start_day - dt.timedelta(days=1), 23, 30)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError):
            meetings.mark_held(actor=story.ravi, meeting=meeting, now=evening_before)
        assert fresh(meeting).state == "scheduled"
        # 00:10 there is still 21:10 the day before in UTC: it is the day, where they work.
        just_after_midnight = at_there(story, start_day, 0, 10)
        assert just_after_midnight.astimezone(dt.UTC).date() < start_day
        meetings.mark_held(actor=story.ravi, meeting=meeting, now=just_after_midnight)
    stored = fresh(meeting)
    assert stored.state == "held" and stored.held_at == just_after_midnight


def test_only_the_manager_or_hr_holds_or_cancels(story):
    meeting = plan(story, days=-1)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(PermissionDenied):
            meetings.mark_held(actor=story.amina, meeting=meeting)
        with pytest.raises(PermissionDenied):
            meetings.cancel_meeting(actor=story.amina, meeting=meeting)
        meetings.mark_held(actor=story.grace, meeting=meeting)
    assert fresh(meeting).state == "held"


def test_a_held_meeting_is_not_cancelled_and_a_cancelled_one_is_not_held(story):
    meeting = held(story)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError):
            meetings.cancel_meeting(actor=story.ravi, meeting=meeting)
        # Holding again changes nothing.
        assert meetings.mark_held(actor=story.ravi, meeting=meeting).version == meeting.version
        other = plan(story, days=-1)
        meetings.choose_supporter(
            actor=story.amina, meeting=other, supporter=story.samuel, version=other.version
        )
        meetings.cancel_meeting(actor=story.ravi, meeting=other)
        with pytest.raises(ValidationError):
            meetings.mark_held(actor=story.ravi, meeting=other)
        with pytest.raises(ValidationError):
            meetings.change_meeting(
                actor=story.ravi, meeting=other, changes={"purpose": "x"}, version=other.version
            )
    assert fresh(other).state == "cancelled"
    assert told(meetings.MEETING_CANCELLED.kind) == ids(story.amina, story.samuel)


# --- a peer supporter --------------------------------------------------------------------------


def test_the_staff_member_brings_a_peer_supporter_who_then_reads_the_meeting(story):
    meeting = plan(story)
    with scope(organisation=story.harbourside.pk):
        assert not access.reads_meeting(story.samuel, meeting)
        meetings.choose_supporter(
            actor=story.amina, meeting=meeting, supporter=story.samuel, version=meeting.version
        )
        assert access.reads_meeting(story.samuel, fresh(meeting))
    assert told(meetings.SUPPORTER_ASKED.kind) == [story.samuel.pk]
    with scopes_disabled():
        words = render(Notification.objects.get(kind=meetings.SUPPORTER_ASKED.kind))
    assert "Amina" not in words.subject + words.body


def test_the_peer_supporter_is_any_working_colleague_but_the_manager(story):
    meeting = plan(story)
    with scope(organisation=story.harbourside.pk):
        choices = set(meetings.supporters_to_choose(meeting))
        assert {story.samuel, story.joseph, story.olena, story.grace} <= choices
        assert not {story.amina, story.ravi, story.peter, story.farah} & choices
        with pytest.raises(ValidationError) as refused:
            meetings.choose_supporter(
                actor=story.amina, meeting=meeting, supporter=story.ravi, version=meeting.version
            )
    assert "peer_supporter" in refused.value.message_dict


def test_only_the_staff_member_chooses_the_peer_supporter(story):
    meeting = plan(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        meetings.choose_supporter(
            actor=story.ravi, meeting=meeting, supporter=story.samuel, version=meeting.version
        )
    assert "peer_supporter" in refused.value.message_dict
    assert fresh(meeting).peer_supporter_id is None


def test_someone_who_investigates_the_person_cannot_be_their_peer_supporter(story):
    concern = concern_about(story)
    with scope(organisation=story.harbourside.pk):
        investigation = Investigation.objects.create(
            organisation=story.harbourside, concern=concern, person=story.amina
        )
        Investigator.objects.create(
            organisation=story.harbourside, investigation=investigation, member=story.taslima
        )
    meeting = plan(story, concern=concern)
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        meetings.choose_supporter(
            actor=story.amina,
            meeting=meeting,
            supporter=story.taslima,
            version=meeting.version,
        )
    [message] = refused.value.message_dict["peer_supporter"]
    assert "Taslima Akter" in message and "§4.7" in message
    assert fresh(meeting).peer_supporter_id is None
    [event] = audited("concerns.supporter_refused")
    assert (event.actor_id, str(event.object_id)) == (story.amina.pk, str(story.taslima.pk))
    assert told(meetings.SUPPORTER_ASKED.kind) == []


def test_the_list_of_meetings_agrees_with_who_reads_each(story):
    mine = plan(story)
    olenas = plan(story, "olena", by="grace")
    with scope(organisation=story.harbourside.pk):
        meetings.choose_supporter(
            actor=story.amina, meeting=mine, supporter=story.joseph, version=mine.version
        )
        for name in ("amina", "ravi", "taslima", "grace", "daniel", "samuel", "joseph", "olena"):
            member = getattr(story, name)
            listed = set(meetings.meetings_visible_to(member))
            readable = {m for m in (fresh(mine), fresh(olenas)) if access.reads_meeting(member, m)}
            assert listed == readable, name
