"""Peer retreats as services (issue 7 item 8; §3.12): planned by a line manager, HR or the
director, on the schedule as an event with the people invited, an agenda that always holds
the audit of how the organisation employs people who use drugs, changed with its version
(the event follows), and cancelled together with its event.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from peerwork.core.versions import StaleVersion
from peerwork.schedule.models import Attendee, Meeting
from peerwork.schedule.services import local_today
from peerwork.support import retreats
from peerwork.support.models import Retreat

pytestmark = pytest.mark.django_db


def fields(story, **changes) -> retreats.RetreatFields:
    first = local_today(story.ravi) + dt.timedelta(days=60)
    given = retreats.RetreatFields(
        title="Peer retreat by the sea",
        purpose="Rest, learn from each other, and look at how we employ peers.",
        place="Diani beach house",
        starts_on=first,
        ends_on=first + dt.timedelta(days=1),
        agenda=["Arrive and settle in", "Walk on the beach"],
        attendees=[story.amina.pk, story.olena.pk, story.joseph.pk],
    )
    for name, value in changes.items():
        setattr(given, name, value)
    return given


def planned(story, actor=None, **changes) -> Retreat:
    with scope(organisation=story.harbourside.pk):
        return retreats.plan_retreat(actor=actor or story.ravi, fields=fields(story, **changes))


def fresh(story, retreat) -> Retreat:
    with scope(organisation=story.harbourside.pk):
        return Retreat.objects.select_related("meeting").get(pk=retreat.pk)


def test_a_planned_retreat_is_an_event_on_the_schedule_of_those_invited(story):
    retreat = fresh(story, planned(story))
    meeting = retreat.meeting
    assert meeting is not None and meeting.kind == Meeting.Kind.EVENT
    assert meeting.first_on == retreat.starts_on and meeting.title == retreat.title
    assert (meeting.starts, meeting.minutes) == (dt.time(9), 8 * 60)
    with scope(organisation=story.harbourside.pk):
        invited = set(Attendee.objects.filter(meeting=meeting).values_list("member", flat=True))
    assert invited == {story.amina.pk, story.olena.pk, story.joseph.pk}


def test_the_agenda_always_holds_the_audit_item_with_its_prompts(story):
    retreat = planned(story)
    items = retreats.agenda_of(retreat)
    assert [i.text for i in items] == [
        "Arrive and settle in",
        "Walk on the beach",
        "Audit: how we employ people who use drugs",
    ]
    assert [i.is_audit for i in items] == [False, False, True]
    assert len(retreats.AUDIT_PROMPTS) == 15


def test_a_change_that_leaves_the_audit_item_out_keeps_it(story):
    retreat = planned(story)
    with scope(organisation=story.harbourside.pk):
        changed = retreats.change_retreat(
            actor=story.grace,
            retreat=retreat,
            version=retreat.version,
            fields=fields(story, agenda=["Only the walk"]),
        )
    assert [i.text for i in retreats.agenda_of(changed)] == [
        "Only the walk",
        "Audit: how we employ people who use drugs",
    ]


def test_typing_the_audit_item_as_a_line_does_not_list_it_twice(story):
    retreat = planned(story, agenda=["Welcome", "Audit: how we employ people who use drugs"])
    assert [i.is_audit for i in retreats.agenda_of(retreat)] == [False, True]


def test_a_last_day_before_the_first_is_refused_and_nothing_is_planned(story):
    first = local_today(story.ravi) + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as caught:
        planned(story, starts_on=first, ends_on=first - dt.timedelta(days=1))
    assert caught.value.message_dict["ends_on"] == ["The last day must be on or after the first."]
    with scope(organisation=story.harbourside.pk):
        assert not Retreat.objects.exists() and not Meeting.objects.exists()


def test_nobody_invited_or_someone_from_elsewhere_is_refused(story):
    with pytest.raises(ValidationError) as caught:
        planned(story, attendees=[])
    assert caught.value.message_dict["attendees"] == ["Invite at least one person."]
    with pytest.raises(ValidationError) as caught:
        planned(story, attendees=[story.taras.pk])
    assert "attendees" in caught.value.message_dict


@pytest.mark.parametrize("who", ["amina", "samuel", "chen"])
def test_only_line_managers_hr_and_the_director_plan_retreats(story, who):
    with pytest.raises(PermissionDenied):
        planned(story, actor=getattr(story, who))


def test_the_event_follows_a_change_and_a_stale_version_changes_nothing(story):
    retreat = planned(story)
    read = retreat.version
    later = retreat.starts_on + dt.timedelta(days=7)
    with scope(organisation=story.harbourside.pk):
        retreats.change_retreat(
            actor=story.ravi,
            retreat=retreat,
            version=read,
            fields=fields(
                story,
                starts_on=later,
                ends_on=later + dt.timedelta(days=2),
                day_starts=dt.time(10),
                attendees=[story.amina.pk],
            ),
        )
        with pytest.raises(StaleVersion):
            retreats.change_retreat(
                actor=story.daniel, retreat=retreat, version=read, fields=fields(story)
            )
    retreat = fresh(story, retreat)
    assert retreat.meeting is not None
    assert retreat.starts_on == later and retreat.meeting.first_on == later
    assert retreat.meeting.starts == dt.time(10)
    with scope(organisation=story.harbourside.pk):
        assert retreats.invited(retreat) == [story.amina]


def test_taslima_who_did_not_organise_it_may_not_change_it(story):
    retreat = planned(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(PermissionDenied):
        retreats.change_retreat(
            actor=story.taslima, retreat=retreat, version=retreat.version, fields=fields(story)
        )


def test_cancelling_a_retreat_cancels_its_event(story):
    retreat = planned(story)
    with scope(organisation=story.harbourside.pk):
        retreats.cancel_retreat(actor=story.daniel, retreat=retreat, version=retreat.version)
        with pytest.raises(ValidationError):
            retreats.cancel_retreat(
                actor=story.daniel, retreat=retreat, version=retreat.version + 1
            )
    retreat = fresh(story, retreat)
    assert retreat.meeting is not None
    assert retreat.cancelled_at is not None and retreat.meeting.is_cancelled
