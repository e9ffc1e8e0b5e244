"""Support at work in the register of personal data: the staff member's export holds their
agreements, their session log, their requests for a mentor, the confirmations and their
group memberships, with labels; a mentor's or coach's export never holds the staff
member's words; erasure takes the staff member's log at once, keeps the agreement with its
sealed part unreadable, and takes a supporter's name off what they logged (issue 7; issue 4
items 7 and 8)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Membership
from peerwork.people import personal_data
from peerwork.people.export import build_export
from peerwork.people.retention import erase_now
from peerwork.support.models import (
    GroupLearning,
    GroupMeeting,
    GroupMember,
    GroupStep,
    MentoringRequest,
    Retreat,
    SupportAgreement,
    SupportConfirmation,
    SupportGroup,
    SupportSession,
)

pytestmark = pytest.mark.django_db

AS_STAFF_MEMBER = (
    "support.agreement",
    "support.session",
    "support.confirmation",
    "support.mentoring_request",
    "support.group_member",
)
KEYS = (
    *AS_STAFF_MEMBER,
    "support.session_logged",
    "support.agreement_party",
    "support.asked_for",
    "support.group_facilitated",
    "support.group_meeting",
    "support.group_learning",
    "support.group_step",
    "support.retreat",
)


@pytest.fixture
def org(story: Any, tmp_path: Any, settings: Any) -> Any:
    settings.PEERWORK_ERASURE_JOURNAL_FILE = tmp_path / "erasures.log"
    settings.PEERWORK_AUDIT_HEAD_FILE = tmp_path / "audit-heads.log"
    with scope(organisation=story.harbourside.pk):
        yield story


def _sample(key: str, member: Membership) -> Any:
    sample = personal_data.entry(key).sample
    assert sample is not None
    return sample(member)


def _sections(member: Membership) -> dict[str, Any]:
    return {s["key"]: s for s in build_export(member)["sections"]}


def _text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _leave(member: Membership) -> None:
    Membership.objects.filter(pk=member.pk).update(ended_at=timezone.now() - dt.timedelta(days=1))
    member.refresh_from_db()


def test_it_registers_every_support_model_that_marks_a_person():
    registered = personal_data.registered_models()
    for model in (
        MentoringRequest,
        SupportAgreement,
        SupportSession,
        SupportConfirmation,
        SupportGroup,
        GroupMember,
        GroupMeeting,
        GroupLearning,
        GroupStep,
        Retreat,
    ):
        assert model in registered, model
    assert {e.key for e in personal_data.entries()} >= set(KEYS)


def test_the_staff_members_export_holds_her_agreement_with_its_terms_in_words(org):
    agreement = _sample("support.agreement", org.amina)
    [item] = _sections(org.amina)["support.agreement"]["items"]
    assert item["Kind"] == "Peer mentoring"
    assert item["Mentor or coach"] == agreement.supporter.name
    assert item["How often"] == "Every two weeks"
    assert item["Exception reports go to"] == agreement.exception_recipient.name
    assert item["How to keep in touch"] == "A coffee after the Tuesday shift"
    assert "Reporting duty acknowledged by the staff member" in item


def test_the_staff_members_export_holds_her_session_log_requests_confirmations_and_groups(org):
    for key in AS_STAFF_MEMBER:
        _sample(key, org.amina)
    sections = _sections(org.amina)
    for key in AS_STAFF_MEMBER:
        assert sections[key]["items"], key
    [session] = sections["support.session"]["items"]
    assert session["Notes"] == "Talked about the new outreach area" and session["Minutes"] == 45
    [request] = sections["support.mentoring_request"]["items"]
    assert request["What would help"] == "Someone who knows outreach at night"
    assert request["State"] == "Waiting for a mentor"
    [confirmation] = sections["support.confirmation"]["items"]
    assert confirmation["Support is taking place"] is True
    [group] = sections["support.group_member"]["items"]
    assert group["Group"] == "Friday lunch group"


def test_the_supporters_export_never_holds_the_staff_members_words(org):
    session = _sample("support.session", org.amina)
    supporter = session.relationship.supporter
    SupportSession.objects.filter(pk=session.pk).update(logged_by=supporter)
    agreement = _agreement_for(session)
    sections = _sections(supporter)
    assert not sections["support.session"]["items"]
    assert not sections["support.agreement"]["items"]
    [logged] = sections["support.session_logged"]["items"]
    assert logged["Kind"] == "Peer mentoring" and logged["Logged"]
    [part] = sections["support.agreement_party"]["items"]
    assert part["Your part"] == ["Mentor or coach"]
    text = _text(sections)
    assert "Talked about the new outreach area" not in text
    assert "A coffee after the Tuesday shift" not in text
    # Who the pair is stays core's record of the pair; support's own sections never name her.
    ours = {key: section for key, section in sections.items() if key.startswith("support.")}
    assert org.amina.name not in _text(ours)
    assert agreement.supporter_id == supporter.pk


def _agreement_for(session: SupportSession) -> SupportAgreement:
    agreement = SupportAgreement(
        organisation_id=session.organisation_id,
        relationship=session.relationship,
        person=session.person,
        supporter=session.relationship.supporter,
        service="Peer mentoring",
        frequency=SupportAgreement.Frequency.WEEKLY,
        exception_recipient=Membership.objects.get(user__username="daniel"),
        review_on=timezone.localdate() + dt.timedelta(days=90),
    )
    agreement.contact = "A coffee after the Tuesday shift"
    agreement.save()
    return agreement


def test_nobody_elses_export_holds_her_log_request_or_agreement(org):
    for key in AS_STAFF_MEMBER:
        _sample(key, org.amina)
    for other in (org.ravi, org.grace, org.daniel, org.samuel, org.olena, org.chen):
        sections = _sections(other)
        for key in ("support.agreement", "support.session", "support.mentoring_request"):
            assert not sections[key]["items"], (other, key)
        text = _text(sections)
        for words in ("Talked about the new outreach area", "Someone who knows outreach"):
            assert words not in text, (other, words)


def test_a_mentor_named_in_a_request_learns_only_that_one_named_them(org):
    request = _sample("support.asked_for", org.samuel)
    [item] = _sections(org.samuel)["support.asked_for"]["items"]
    assert item == {"A request for a mentor named you": True}
    assert "Someone I already know" not in _text(_sections(org.samuel))
    assert request.person.name not in _text(item)


def test_erasing_the_staff_member_takes_her_log_and_requests_and_keeps_the_agreement(org):
    agreement = _sample("support.agreement", org.amina)
    session = _sample("support.session", org.amina)
    request = _sample("support.mentoring_request", org.amina)
    confirmation = _sample("support.confirmation", org.amina)
    membership = _sample("support.group_member", org.amina)
    erase_now(actor=org.amina)
    assert not SupportSession.objects.filter(pk=session.pk).exists()
    assert not MentoringRequest.objects.filter(pk=request.pk).exists()
    assert SupportAgreement.objects.filter(pk=agreement.pk).exists()
    assert SupportConfirmation.objects.filter(pk=confirmation.pk).exists()
    assert GroupMember.objects.filter(pk=membership.pk).exists()


def test_erasing_a_leaver_takes_her_confirmations_and_group_memberships(org):
    confirmation = _sample("support.confirmation", org.amina)
    membership = _sample("support.group_member", org.amina)
    _leave(org.amina)
    erase_now(actor=org.amina)
    assert not SupportConfirmation.objects.filter(pk=confirmation.pk).exists()
    assert not GroupMember.objects.filter(pk=membership.pk).exists()
    assert SupportGroup.objects.filter(pk=membership.group_id).exists()


def test_erasing_the_supporter_keeps_the_staff_members_log_without_their_name(org):
    session = _sample("support.session_logged", org.samuel)
    erase_now(actor=org.samuel)
    session.refresh_from_db()
    assert session.logged_by_id is None
    assert str(session.notes) == "Talked about the new outreach area"
    assert session.relationship.supporter_id == org.samuel.pk  # the pair is core's record


def test_a_request_no_longer_names_a_mentor_who_left_and_erased(org):
    request = _sample("support.asked_for", org.samuel)
    erase_now(actor=org.samuel)
    request.refresh_from_db()
    assert request.wanted_id == org.samuel.pk  # still here: kept while they work here
    _leave(org.samuel)
    erase_now(actor=org.samuel)
    request.refresh_from_db()
    assert request.wanted_id is None
    assert str(request.note) == "Someone I already know"


def test_a_meeting_recorded_and_learning_shared_name_a_member_only_while_they_work_here(org):
    meeting = _sample("support.group_meeting", org.amina)
    learning = _sample("support.group_learning", org.amina)
    erase_now(actor=org.amina)
    assert GroupMeeting.objects.filter(pk=meeting.pk, recorded_by=org.amina).exists()
    assert GroupLearning.objects.filter(pk=learning.pk, shared_by=org.amina).exists()


def test_what_someone_did_for_groups_and_retreats_stays_when_they_leave(org):
    group = _sample("support.group_facilitated", org.farah)
    meeting = _sample("support.group_meeting", org.farah)
    learning = _sample("support.group_learning", org.farah)
    step = _sample("support.group_step", org.grace)
    retreat = _sample("support.retreat", org.ravi)
    sections = _sections(org.farah)
    assert sections["support.group_facilitated"]["items"][0]["Name"] == "Friday lunch group"
    assert sections["support.group_learning"]["items"][0]["What the group shares"]
    for member in (org.farah, org.grace, org.ravi):
        _leave(member)
        erase_now(actor=member)
    assert SupportGroup.objects.filter(pk=group.pk, facilitator=org.farah).exists()
    assert GroupMeeting.objects.filter(pk=meeting.pk, recorded_by__isnull=True).exists()
    assert GroupLearning.objects.filter(pk=learning.pk, shared_by__isnull=True).exists()
    assert GroupStep.objects.filter(pk=step.pk).exists()
    assert Retreat.objects.filter(pk=retreat.pk, organiser=org.ravi).exists()


def test_every_support_section_says_what_erasure_does(org):
    sections = _sections(org.olena)
    for key in KEYS:
        assert sections[key]["title"] and sections[key]["what_erasure_does"], key
