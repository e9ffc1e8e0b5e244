"""Support and investigation never mix (§4.7, PRODUCT.md Principle 4): who counts as
supporting a person and who as investigating them, and the two checks that keep them
apart: a refusal is audited with ids only, and says who investigates whom to HR alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import AuditEvent, SupportRelationship

from .. import investigations, separation
from ..models import Concern, ReviewMeeting
from .test_investigations import (
    SUPPORTER_KINDS,
    make_supporter,
    named,
    opened,
    supply_concern,
    today_there,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", SUPPORTER_KINDS)
def test_each_kind_of_supporter_supports_the_person_and_nobody_else(story, kind):
    concern = supply_concern(story)
    supporter = make_supporter(story, kind, concern)
    with scope(organisation=story.harbourside.pk):
        assert separation.supports(supporter, story.amina)
        assert supporter in separation.supporters_of(story.amina)
        if kind != "coach":  # Leila coaches Olena in the story
            assert not separation.supports(supporter, story.olena)


def test_a_mentor_whose_pair_ended_supports_no_longer_unless_they_reported_an_exception(story):
    with scope(organisation=story.harbourside.pk):
        SupportRelationship.objects.filter(supporter=story.samuel, person=story.amina).update(
            ended_on=today_there(story) - dt.timedelta(days=1)
        )
        assert not separation.supports(story.samuel, story.amina)
    concern = supply_concern(story)
    with scope(organisation=story.harbourside.pk):
        SupportRelationship.objects.filter(supporter=story.samuel).update(ended_on=None)
    make_supporter(story, "mentor_who_reported", concern)  # reports, then the pair ends
    with scope(organisation=story.harbourside.pk):
        assert separation.supports(story.samuel, story.amina)


def test_a_cancelled_meeting_brings_nobody_and_a_closed_concern_names_nobody(story):
    concern = supply_concern(story)
    named(story, concern, story.joseph)
    with scope(organisation=story.harbourside.pk):
        ReviewMeeting.objects.create(
            organisation=story.harbourside,
            concern=concern,
            person=story.amina,
            held_by=story.ravi,
            peer_supporter=story.olena,
            starts_at=timezone.now(),
            state=ReviewMeeting.State.CANCELLED,
        )
        assert not separation.supports(story.olena, story.amina)
        assert separation.supports(story.joseph, story.amina)
        Concern.objects.filter(pk=concern.pk).update(state=Concern.State.CLOSED)
        assert not separation.supports(story.joseph, story.amina)


def test_who_investigates_is_the_investigators_and_the_hr_officer_who_opened_it(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        investigations.add_investigator(
            actor=story.grace, investigation=investigation, member=story.taslima
        )
        assert set(separation.investigators_of(story.amina)) == {story.grace, story.taslima}
        assert not separation.investigates(story.taslima, story.olena)
        investigations.complete_investigation(
            actor=story.grace, investigation=investigation, outcome="support", findings="Done."
        )
        assert not separation.investigators_of(story.amina).exists()


def test_the_refusal_names_who_investigates_whom_to_hr_only(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        investigations.add_investigator(
            actor=story.grace, investigation=investigation, member=story.taslima
        )

        def refusal(actor):
            with pytest.raises(separation.SeparationRefused) as refused:
                separation.check_may_support(actor=actor, member=story.taslima, person=story.amina)
            return refused.value.message

        assert refusal(story.grace) == (
            "Taslima Akter investigates Amina Wanjiru, so they cannot support them while it "
            "is open (§4.7). Choose someone who takes no part in the investigation."
        )
        to_amina = refusal(story.amina)
        assert "cannot support you" in to_amina and "Amina" not in to_amina
        to_director = refusal(story.daniel)
        assert "Taslima Akter cannot take this role" in to_director
        assert "Amina" not in to_director and "investigat" not in to_director
        separation.check_may_support(actor=story.grace, member=story.joseph, person=story.amina)


def test_a_refusal_is_audited_with_ids_only(story):
    concern = supply_concern(story)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(separation.SeparationRefused, match="supports Amina Wanjiru"):
            separation.check_may_investigate(
                actor=story.grace, member=story.samuel, person=story.amina
            )
        with pytest.raises(separation.SeparationRefused, match="themself"):
            separation.check_may_investigate(
                actor=story.grace, member=story.amina, person=story.amina
            )
        separation.check_may_investigate(
            actor=story.grace, member=story.taslima, person=story.amina
        )
        events = list(AuditEvent.objects.filter(action="concerns.investigator_refused"))
    assert [(e.object_id, e.subject_id, e.detail) for e in events] == [
        (story.samuel.pk, story.amina.pk, {"refused": True}),
        (story.amina.pk, story.amina.pk, {"refused": True}),
    ]
    assert concern.pk  # the concern is not part of the trace


def test_a_supporter_reading_an_investigation_is_refused_and_audited_by_the_gate(story):
    investigation = opened(story)
    from django.http import Http404

    from .. import access

    with scope(organisation=story.harbourside.pk):
        with pytest.raises(Http404):
            access.investigation_for_member(story.samuel, investigation.pk)
        with pytest.raises(Http404):
            access.investigation_for_member(story.peter, investigation.pk)
        events = list(AuditEvent.objects.filter(action="concerns.investigation_read_refused"))
    assert [(e.actor_id, e.object_id) for e in events] == [(story.samuel.pk, investigation.pk)]
