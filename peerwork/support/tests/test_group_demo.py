"""The peer support group and retreat part of the demo (peerwork/support/demo_groups.py,
DEMO.md): Harbourside's Friday lunch group, facilitated by Farah, with Amina, Olena, Samuel
and Joseph, four Friday meetings, one thing shared and no §4.8 step; a two-day peer retreat
about two months ahead with the audit on its agenda; and a second seed changes nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core import demo
from peerwork.support import groups, retreats
from peerwork.support.demo_groups import GROUP_NAME, RETREAT_TITLE
from peerwork.support.models import (
    GroupLearning,
    GroupMeeting,
    GroupMember,
    GroupStep,
    Retreat,
    SupportGroup,
)

pytestmark = pytest.mark.django_db

NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")


@pytest.fixture
def seeded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = "harbour-demo-2026"
    return demo.seed()


def lunch_group() -> SupportGroup:
    with scopes_disabled():
        return SupportGroup.objects.select_related("facilitator__user", "organisation").get(
            name=GROUP_NAME
        )


def test_the_friday_lunch_group_meets_at_lunch_with_farah_and_four_colleagues(seeded):
    group = lunch_group()
    assert group.organisation.slug == "harbourside"
    assert group.facilitator is not None and group.facilitator.name == "Farah Ali"
    assert group.timing == SupportGroup.Timing.LUNCH
    assert group.place == "The drop-in's back room"
    assert "Farah" in group.management_contact and "Grace" in group.concerns_to
    today = timezone.localdate(timezone.now(), NAIROBI)
    assert 170 <= (group.review_on - today).days <= 190
    with scope(organisation=group.organisation_id):
        members = {m.user.username for m in groups.current_members(group)}
        meetings = list(GroupMeeting.objects.filter(group=group).order_by("held_on"))
        shared = list(GroupLearning.objects.filter(group=group))
        steps = GroupStep.objects.filter(group=group).count()
    assert members == {"amina", "olena", "samuel", "joseph"}
    assert [m.held_on.weekday() for m in meetings] == [4, 4, 4, 4]
    assert meetings[-1].held_on < today and (today - meetings[0].held_on).days <= 28
    assert [m.attended for m in meetings] == [5, 4, 6, 5]
    assert len(shared) == 1 and "second charged phone" in shared[0].text
    assert steps == 0 and group.state == SupportGroup.State.ACTIVE


def test_a_two_day_peer_retreat_is_planned_with_the_audit_on_its_agenda(seeded):
    with scopes_disabled():
        retreat = Retreat.objects.select_related("meeting", "organiser__user").get(
            title=RETREAT_TITLE
        )
        invited = {m.user.username for m in retreats.invited(retreat)}
    today = timezone.localdate(timezone.now(), NAIROBI)
    assert 45 <= (retreat.starts_on - today).days <= 70
    assert (retreat.ends_on - retreat.starts_on).days == 1
    assert retreat.organiser is not None and retreat.organiser.name == "Ravi Shah"
    assert retreat.meeting is not None and retreat.meeting.starts == dt.time(11, 0)
    assert [i.is_audit for i in retreats.agenda_of(retreat)][-1] is True
    assert {"amina", "olena", "joseph", "samuel"} <= invited


def test_a_second_seed_changes_nothing(seeded):
    def counts() -> list[int]:
        with scopes_disabled():
            return [
                model.objects.count()
                for model in (
                    SupportGroup,
                    GroupMember,
                    GroupMeeting,
                    GroupLearning,
                    GroupStep,
                    Retreat,
                )
            ]

    before = counts()
    with scopes_disabled():
        versions = sorted(SupportGroup.objects.values_list("pk", "version"))
    second = demo.seed()
    assert second.changes == 0
    assert counts() == before
    with scopes_disabled():
        assert sorted(SupportGroup.objects.values_list("pk", "version")) == versions
