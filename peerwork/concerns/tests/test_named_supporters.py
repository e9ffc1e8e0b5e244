"""Named supporters (issue 8 item 5; §4.5, §4.7): the person names someone they trust to
support them while the concern is open, or their line manager or HR does and the person is
told; the supporter is told in neutral words, reads the case and never the investigation;
nobody is named twice, nor the person, nor someone outside the working members and
coaches; the person, HR or the supporter ends it; once the concern closes, the support
ends with it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django_scopes import scope

from peerwork.core.models import AuditEvent, Notification

from .. import access, investigations
from ..models import Concern, NamedSupporter
from .test_investigations import named, opened, supply_concern

pytestmark = pytest.mark.django_db


def test_amina_names_joseph_and_he_is_told_in_neutral_words(story):
    concern = supply_concern(story)
    row = named(story, concern, story.joseph)
    with scope(organisation=story.harbourside.pk):
        assert row.added_by_id == story.amina.pk
        told = Notification.objects.get(recipient=story.joseph)
        assert told.kind == "concerns.supporter_named"
        assert told.params == {"concern": str(concern.pk)}
        assert not Notification.objects.filter(
            recipient=story.amina, kind="concerns.supporter_named_for_you"
        ).exists()
        event = AuditEvent.objects.get(action="concerns.supporter.name")
        assert event.detail == {"member": str(story.joseph.pk)}


@pytest.mark.parametrize("who", ["ravi", "grace"])
def test_whoever_works_the_case_names_a_supporter_and_the_person_is_told(story, who):
    concern = supply_concern(story)
    named(story, concern, story.olena, by=getattr(story, who))
    with scope(organisation=story.harbourside.pk):
        assert Notification.objects.filter(
            recipient=story.amina, kind="concerns.supporter_named_for_you"
        ).exists()


def test_nobody_else_names_a_supporter(story):
    concern = supply_concern(story)
    with scope(organisation=story.harbourside.pk):
        for someone in (story.taslima, story.samuel, story.daniel, story.joseph):
            with pytest.raises(PermissionDenied):
                investigations.name_supporter(actor=someone, concern=concern, member=story.olena)
        assert not NamedSupporter.objects.exists()


def test_who_can_be_named(story):
    concern = supply_concern(story)

    def refused(member) -> str:
        with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as error:
            investigations.name_supporter(actor=story.amina, concern=concern, member=member)
        return " ".join(error.value.message_dict["member"])

    assert "other than the staff member" in refused(story.amina)
    assert "works here" in refused(story.peter)  # a peer interviewer may be a client
    assert "works here" in refused(story.taras)
    named(story, concern, story.leila)  # a coach supports
    assert "already named" in refused(story.leila)
    with scope(organisation=story.harbourside.pk):
        Concern.objects.filter(pk=concern.pk).update(state=Concern.State.CLOSED)
        concern.refresh_from_db()
        with pytest.raises(ValidationError, match="closed"):
            investigations.name_supporter(actor=story.amina, concern=concern, member=story.joseph)


def test_a_supporter_reads_the_case_never_the_investigation_and_not_once_it_closes(story):
    investigation = opened(story)
    concern = investigation.concern
    named(story, concern, story.joseph)
    with scope(organisation=story.harbourside.pk):
        assert access.reads_case(story.joseph, concern)
        assert not access.reads_investigation(story.joseph, investigation)
        assert not access.reads_findings(story.joseph, investigation)
        with pytest.raises(Http404):
            access.investigation_for_member(story.joseph, investigation.pk)
        Concern.objects.filter(pk=concern.pk).update(state=Concern.State.CLOSED)
        concern.refresh_from_db()
        assert not access.reads_case(story.joseph, concern)


def test_the_person_hr_or_the_supporter_ends_it_and_the_line_manager_may_not(story):
    concern = supply_concern(story)
    first = named(story, concern, story.joseph)
    second = named(story, concern, story.olena)
    third = named(story, concern, story.leila)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(PermissionDenied):
            investigations.remove_supporter(actor=story.ravi, supporter=first)
        with pytest.raises(PermissionDenied):
            investigations.supporter_for_member(story.ravi, first.pk, "delete")
        with pytest.raises(Http404):
            investigations.supporter_for_member(story.samuel, first.pk)
        investigations.remove_supporter(actor=story.joseph, supporter=first)
        investigations.remove_supporter(actor=story.amina, supporter=second)
        investigations.remove_supporter(actor=story.grace, supporter=third)
        assert not NamedSupporter.objects.exists()
        assert AuditEvent.objects.filter(action="concerns.supporter.remove").count() == 3
