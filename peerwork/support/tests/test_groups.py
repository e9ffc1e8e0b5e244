"""Peer support groups as services (issue 7 item 7; §3.10, §4.8, App. 4): the §4.8 path
strictly in its order, a suspension with a fixed end that stops meetings and ends by
itself, terms changed with their version, open membership, and the review reminder.

Time is arranged in data: the services and deadline steps are given ``now``; dates are
Harbourside's (Nairobi), never the server's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core.models import Notification
from peerwork.core.versions import StaleVersion
from peerwork.schedule.services import local_today
from peerwork.support import groups
from peerwork.support.models import GroupMember, GroupStep, SupportGroup

pytestmark = pytest.mark.django_db

Kind = GroupStep.Kind


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def lunch_group(story, **changes) -> SupportGroup:
    """Grace (HR) starts the Friday lunch group, Farah facilitating; Amina and Olena join."""
    today = local_today(story.grace)
    terms = groups.GroupTerms(
        name="Friday lunch group",
        place="The drop-in's back room",
        frequency="Every Friday, 13:00 to 14:00",
        timing=SupportGroup.Timing.LUNCH,
        management_contact="Through Farah",
        concerns_to="Farah, then Grace",
        review_on=today + days(180),
        facilitator=story.farah.pk,
    )
    for name, value in changes.items():
        setattr(terms, name, value)
    with scope(organisation=story.harbourside.pk):
        group = groups.start_group(actor=story.grace, terms=terms)
        for person in (story.amina, story.olena):
            groups.join_group(actor=person, group=group)
        return SupportGroup.objects.select_related("facilitator__user", "organisation").get(
            pk=group.pk
        )


def step(story, group, kind, *, actor=None, held_on=None, ends_on=None, now=None):
    with scope(organisation=story.harbourside.pk):
        return groups.record_step(
            actor=actor or story.grace,
            group=group,
            kind=kind,
            held_on=held_on or local_today(story.grace),
            outcome="Everyone said how they see it.",
            ends_on=ends_on,
            now=now,
        )


def refused(story, group, kind, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        step(story, group, kind, **kwargs)
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def steps_of(story, group) -> list[str]:
    with scope(organisation=story.harbourside.pk):
        return list(GroupStep.objects.filter(group=group).values_list("kind", flat=True))


def fresh(story, group) -> SupportGroup:
    with scope(organisation=story.harbourside.pk):
        return SupportGroup.objects.select_related("facilitator__user", "organisation").get(
            pk=group.pk
        )


def told(kind: str) -> set[object]:
    with scopes_disabled():
        return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


# --- the §4.8 order -------------------------------------------------------------------


def test_a_review_of_the_terms_before_mediation_is_refused(story):
    group = lunch_group(story)
    errors = refused(story, group, Kind.TOR_REVIEW)
    assert errors["kind"] == [
        "Mediation comes first: record the mediation before a review of the terms of "
        "reference with the group."
    ]
    assert steps_of(story, group) == []


def test_a_suspension_before_mediation_and_review_is_refused(story):
    group = lunch_group(story)
    today = local_today(story.grace)
    errors = refused(story, group, Kind.SUSPENSION, ends_on=today + days(30))
    assert "Mediation comes first" in errors["kind"][0]
    assert steps_of(story, group) == []
    assert fresh(story, group).state == SupportGroup.State.ACTIVE


def test_a_suspension_after_mediation_alone_asks_for_the_review_first(story):
    group = lunch_group(story)
    step(story, group, Kind.MEDIATION)
    today = local_today(story.grace)
    errors = refused(story, group, Kind.SUSPENSION, ends_on=today + days(30))
    assert errors["kind"] == [
        "A review of the terms of reference with the group comes before a suspension: "
        "record the review first."
    ]
    assert steps_of(story, group) == [Kind.MEDIATION]


def test_a_suspension_without_an_end_date_is_refused(story):
    group = lunch_group(story)
    step(story, group, Kind.MEDIATION)
    step(story, group, Kind.TOR_REVIEW)
    errors = refused(story, group, Kind.SUSPENSION)
    assert errors["ends_on"] == ["A suspension is for a fixed period: give the date it ends."]
    assert fresh(story, group).state == SupportGroup.State.ACTIVE


@pytest.mark.parametrize("ends_in", [-3, 0])
def test_a_suspension_ending_today_or_before_is_refused(story, ends_in):
    group = lunch_group(story)
    step(story, group, Kind.MEDIATION)
    step(story, group, Kind.TOR_REVIEW)
    today = local_today(story.grace)
    errors = refused(story, group, Kind.SUSPENSION, ends_on=today + days(ends_in))
    assert errors["ends_on"] == ["The suspension must end after today."]
    assert steps_of(story, group) == [Kind.MEDIATION, Kind.TOR_REVIEW]


def test_a_suspension_longer_than_six_months_is_refused(story):
    group = lunch_group(story)
    step(story, group, Kind.MEDIATION)
    step(story, group, Kind.TOR_REVIEW)
    today = local_today(story.grace)
    errors = refused(story, group, Kind.SUSPENSION, ends_on=today + days(200))
    assert errors["ends_on"] == ["A suspension lasts at most six months."]


def test_in_order_the_group_is_suspended_until_the_end_date(story):
    group = lunch_group(story)
    today = local_today(story.grace)
    step(story, group, Kind.MEDIATION)
    step(story, group, Kind.TOR_REVIEW, actor=story.daniel)
    version = fresh(story, group).version
    step(story, group, Kind.SUSPENSION, ends_on=today + days(28))
    group = fresh(story, group)
    assert group.state == SupportGroup.State.SUSPENDED
    assert group.suspended_until == today + days(28)
    assert group.is_suspended(today) and group.is_suspended(today + days(28))
    assert not group.is_suspended(today + days(29))
    assert group.version == version + 1
    assert steps_of(story, group) == [Kind.MEDIATION, Kind.TOR_REVIEW, Kind.SUSPENSION]
    # The facilitator and the members are told of a suspension.
    assert told(groups.GROUP_SUSPENDED.kind) == {story.farah.pk, story.amina.pk, story.olena.pk}


def test_a_review_dated_before_the_mediation_is_out_of_order(story):
    group = lunch_group(story)
    today = local_today(story.grace)
    step(story, group, Kind.MEDIATION, held_on=today - days(2))
    errors = refused(story, group, Kind.TOR_REVIEW, held_on=today - days(5))
    assert errors["kind"] == [
        "The review of the terms must be on or after the day of the mediation."
    ]


def test_each_step_tells_the_facilitator(story):
    group = lunch_group(story)
    step(story, group, Kind.MEDIATION)
    step(story, group, Kind.TOR_REVIEW)
    with scopes_disabled():
        sent = Notification.objects.filter(kind=groups.GROUP_STEP.kind, recipient=story.farah)
        assert sent.count() == 2
    assert told(groups.GROUP_STEP.kind) == {story.farah.pk}


@pytest.mark.parametrize("who", ["farah", "amina", "ravi"])
def test_only_hr_and_the_director_record_steps(story, who):
    group = lunch_group(story)
    with pytest.raises(PermissionDenied):
        step(story, group, Kind.MEDIATION, actor=getattr(story, who))
    assert steps_of(story, group) == []


def test_nobody_records_a_resumption_by_hand(story):
    group = lunch_group(story)
    errors = refused(story, group, Kind.RESUMED)
    assert errors["kind"] == ["A group meets again by itself when its suspension ends."]


def test_a_step_in_the_future_is_refused(story):
    group = lunch_group(story)
    errors = refused(story, group, Kind.MEDIATION, held_on=local_today(story.grace) + days(1))
    assert errors["held_on"] == ["Record a step on or after the day it happens."]


# --- while suspended, and after -------------------------------------------------------


def suspended(story, *, for_days=14) -> SupportGroup:
    group = lunch_group(story)
    step(story, group, Kind.MEDIATION)
    step(story, group, Kind.TOR_REVIEW)
    step(story, group, Kind.SUSPENSION, ends_on=local_today(story.grace) + days(for_days))
    return fresh(story, group)


def record(story, group, held_on, *, actor=None, now=None):
    with scope(organisation=story.harbourside.pk):
        return groups.record_meeting(
            actor=actor or story.amina, group=group, held_on=held_on, attended=5, now=now
        )


def test_a_meeting_during_the_suspension_is_refused(story):
    group = suspended(story)
    with pytest.raises(ValidationError) as caught:
        record(story, group, local_today(story.grace))
    assert "The group was suspended on that date" in caught.value.message_dict["held_on"][0]
    with scope(organisation=story.harbourside.pk):
        assert not group.meetings.exists()


def test_a_meeting_before_the_suspension_is_still_recorded(story):
    group = suspended(story)
    yesterday = local_today(story.grace) - days(1)
    meeting = record(story, group, yesterday)
    assert meeting.held_on == yesterday


def test_no_further_step_while_the_group_is_suspended(story):
    group = suspended(story)
    errors = refused(story, group, Kind.MEDIATION)
    assert "The group is suspended until" in errors["__all__"][0]


def test_it_resumes_after_the_end_date_and_tells_facilitator_and_members(story):
    group = suspended(story, for_days=14)
    end = group.suspended_until
    assert end is not None
    # The last day of the suspension, late evening where the group is: not yet.
    zone = timezone.get_fixed_timezone(180)
    on_last_day = dt.datetime.combine(end, dt.time(22, 0), tzinfo=zone)
    assert groups.resume_groups(on_last_day) == 0
    assert fresh(story, group).state == SupportGroup.State.SUSPENDED
    # The morning after: the group meets again, once, however often the loop runs.
    morning_after = dt.datetime.combine(end + days(1), dt.time(7, 0), tzinfo=zone)
    assert groups.resume_groups(morning_after) == 1
    assert groups.resume_groups(morning_after + dt.timedelta(minutes=1)) == 0
    group = fresh(story, group)
    assert group.state == SupportGroup.State.ACTIVE and group.suspended_until is None
    assert steps_of(story, group)[-1] == Kind.RESUMED
    with scope(organisation=story.harbourside.pk):
        resumed = GroupStep.objects.get(group=group, kind=Kind.RESUMED)
    assert resumed.held_on == end + days(1) and resumed.recorded_by is None
    assert told(groups.GROUP_RESUMED.kind) == {story.farah.pk, story.amina.pk, story.olena.pk}
    # It meets again from the day after the end date.
    meeting = record(story, group, end + days(1), now=morning_after)
    assert meeting.held_on == end + days(1)


def test_after_it_resumed_a_new_suspension_needs_mediation_again(story):
    group = suspended(story, for_days=3)
    assert group.suspended_until is not None
    later = dt.datetime.combine(
        group.suspended_until + days(2), dt.time(9), tzinfo=timezone.get_fixed_timezone(180)
    )
    groups.resume_groups(later)
    group = fresh(story, group)
    errors = refused(story, group, Kind.TOR_REVIEW, now=later, held_on=later.date())
    assert "Mediation comes first" in errors["kind"][0]


# --- terms, joining, leaving ------------------------------------------------------------


def test_only_hr_and_the_director_start_a_group(story):
    with scope(organisation=story.harbourside.pk), pytest.raises(PermissionDenied):
        groups.start_group(
            actor=story.ravi,
            terms=groups.GroupTerms(
                name="Team within a team",
                place="Office",
                frequency="Daily",
                timing=SupportGroup.Timing.WORK_HOURS,
                management_contact="-",
                concerns_to="-",
                review_on=local_today(story.ravi) + days(30),
            ),
        )


def test_terms_missing_or_dated_in_the_past_are_refused_by_field(story):
    with pytest.raises(ValidationError) as caught:
        lunch_group(
            story,
            place=" ",
            timing="sometimes",
            concerns_to="",
            review_on=local_today(story.grace) - days(1),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"place", "timing", "concerns_to", "review_on"}
    assert errors["review_on"] == ["The review date must be after today."]


def test_a_facilitator_from_another_organisation_is_refused(story):
    with pytest.raises(ValidationError) as caught:
        lunch_group(story, facilitator=story.taras.pk)
    assert caught.value.message_dict["facilitator"] == [
        "Choose the facilitator from your organisation's members."
    ]


def test_the_facilitator_changes_the_terms_and_a_stale_version_changes_nothing(story):
    group = lunch_group(story)
    terms = groups.GroupTerms.of(group)
    terms.place = "The garden, when it is dry"
    with scope(organisation=story.harbourside.pk):
        changed = groups.change_terms(
            actor=story.farah, group=group, version=group.version, terms=terms
        )
        assert changed.place == "The garden, when it is dry"
        terms.place = "Somewhere else"
        with pytest.raises(StaleVersion):
            groups.change_terms(actor=story.grace, group=group, version=1, terms=terms)
    assert fresh(story, group).place == "The garden, when it is dry"


@pytest.mark.parametrize("who", ["joseph", "ravi", "grace", "daniel", "samuel"])
def test_every_working_member_may_join_not_only_people_who_use_drugs(story, who):
    group = lunch_group(story)
    person = getattr(story, who)
    with scope(organisation=story.harbourside.pk):
        groups.join_group(actor=person, group=group)
        groups.join_group(actor=person, group=group)  # again: nothing changes
        assert GroupMember.objects.filter(group=group, member=person).count() == 1
        assert groups.leave_group(actor=person, group=group)
        assert not groups.leave_group(actor=person, group=group)
        groups.join_group(actor=person, group=group)
        assert person in list(groups.current_members(group))


@pytest.mark.parametrize("who", ["peter", "leila"])
def test_peer_interviewers_and_coaches_do_not_join(story, who):
    group = lunch_group(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(PermissionDenied):
        groups.join_group(actor=getattr(story, who), group=group)


def test_learning_is_shared_by_members_and_the_facilitator_only(story):
    group = lunch_group(story)
    with scope(organisation=story.harbourside.pk):
        groups.share_learning(actor=story.farah, group=group, text="Pairs want a second phone")
        groups.share_learning(actor=story.amina, group=group, text="Debriefs help")
        with pytest.raises(PermissionDenied):
            groups.share_learning(actor=story.grace, group=group, text="Not hers to share")
        assert [row.text for row in groups.learning_seen_by(story.joseph)] == [
            "Debriefs help",
            "Pairs want a second phone",
        ]
        assert not groups.learning_seen_by(story.peter).exists()


def test_a_meeting_is_recorded_by_the_inside_only(story):
    group = lunch_group(story)
    from django.http import Http404

    with pytest.raises(Http404):
        record(story, group, local_today(story.grace), actor=story.grace)
    record(story, group, local_today(story.grace), actor=story.farah)


def test_a_meeting_ahead_is_refused(story):
    group = lunch_group(story)
    with pytest.raises(ValidationError) as caught:
        record(story, group, local_today(story.grace) + days(1))
    assert caught.value.message_dict["held_on"] == ["Record a meeting once it has taken place."]


def test_a_closed_group_takes_no_one_new(story):
    group = lunch_group(story)
    with scope(organisation=story.harbourside.pk):
        groups.close_group(actor=story.daniel, group=group, version=group.version)
        with pytest.raises(ValidationError):
            groups.join_group(actor=story.joseph, group=group)
    assert told(groups.GROUP_CLOSED.kind) == {story.farah.pk, story.amina.pk, story.olena.pk}


# --- the review reminder ----------------------------------------------------------------


def test_the_review_reminder_goes_once_to_the_facilitator_and_hr_and_again_after_a_new_date(
    story,
):
    group = lunch_group(story)
    review = group.review_on
    zone = timezone.get_fixed_timezone(180)
    before = dt.datetime.combine(review - days(1), dt.time(12), tzinfo=zone)
    assert groups.remind_group_reviews(before) == 0
    on_the_day = dt.datetime.combine(review, dt.time(8), tzinfo=zone)
    assert groups.remind_group_reviews(on_the_day) == 1
    assert groups.remind_group_reviews(on_the_day) == 0
    assert told(groups.GROUP_REVIEW_DUE.kind) == {story.farah.pk, story.grace.pk}
    # A new review date sets the reminder due again.
    group = fresh(story, group)
    terms = groups.GroupTerms.of(group)
    terms.review_on = review + days(180)
    with scope(organisation=story.harbourside.pk):
        groups.change_terms(
            actor=story.grace, group=group, version=group.version, terms=terms, now=on_the_day
        )
    assert fresh(story, group).review_reminded_at is None
    later = dt.datetime.combine(review + days(180), dt.time(8), tzinfo=zone)
    assert groups.remind_group_reviews(later) == 1
