"""Concerns in the register of personal data (issue 8 item 6; issue 4 items 7 and 8; guide
§4.7): the staff member's own-data export holds her concerns, the meetings she was in,
their notes, her targets, the stages, the hand-off, that an investigation is open with its
suspension, and her request for advice; while the investigation is open its inside is
held back with a reason that tells nothing; nobody else's export holds a word of any of
it; erasing her at once leaves the organisation's case with its words unreadable, and the
case goes whole after the personnel period from the day she left."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone
from django_scopes import scope

from peerwork.concerns.models import (
    AdviceRequest,
    Concern,
    Handoff,
    Investigation,
    Investigator,
    MeetingNote,
    NamedSupporter,
    PathStep,
    ReviewMeeting,
    Target,
)
from peerwork.concerns.personal_data import withheld_investigations
from peerwork.concerns.tests.situation import WORDS, Situation, arrange, name_investigator
from peerwork.core.models import Membership
from peerwork.core.sealing import is_erased
from peerwork.people import personal_data
from peerwork.people.export import build_export
from peerwork.people.personal_data import OnErasure
from peerwork.people.retention import apply_retention, erase_now

pytestmark = pytest.mark.django_db

AS_STAFF_MEMBER = (
    "concerns.concern",
    "concerns.review_meeting",
    "concerns.meeting_note",
    "concerns.path_step",
    "concerns.target",
    "concerns.handoff",
    "concerns.investigation",
    "concerns.advice_request",
)
KEYS = (
    *AS_STAFF_MEMBER,
    "concerns.recorded",
    "concerns.meeting_part",
    "concerns.handoff_part",
    "concerns.investigator",
    "concerns.named_supporter",
    "concerns.advice_asked",
)
CASE_MODELS = (Concern, ReviewMeeting, MeetingNote, PathStep, Target, Handoff, Investigation)


@pytest.fixture
def org(story: Any, tmp_path: Any, settings: Any) -> Any:
    settings.PEERWORK_ERASURE_JOURNAL_FILE = tmp_path / "erasures.log"
    settings.PEERWORK_AUDIT_HEAD_FILE = tmp_path / "audit-heads.log"
    with scope(organisation=story.harbourside.pk):
        yield story


@pytest.fixture
def s(org: Any) -> Situation:
    return arrange(org)


def _sections(member: Membership) -> dict[str, Any]:
    return {section["key"]: section for section in build_export(member)["sections"]}


def _text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _leave(member: Membership, days_ago: int) -> None:
    Membership.objects.filter(pk=member.pk).update(
        ended_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    member.refresh_from_db()


def _complete(s: Situation) -> None:
    """HR completes the investigation with no grounds found (the rows as the service
    leaves them)."""
    Investigation.objects.filter(pk=s.investigation.pk).update(
        state=Investigation.State.CLOSED,
        outcome=Investigation.Outcome.NO_GROUNDS,
        closed_at=timezone.now(),
        version=F("version") + 1,
    )


# --- the register ---------------------------------------------------------------------------


def test_it_registers_every_concerns_model_with_a_person_in_it():
    registered = personal_data.registered_models()
    for model in (*CASE_MODELS, Investigator, NamedSupporter, AdviceRequest):
        assert model in registered, model
    assert {e.key for e in personal_data.entries()} >= set(KEYS)


def test_the_case_is_kept_per_retention_her_advice_while_she_works_here_and_others_parts_stay():
    rules = {key: personal_data.entry(key).on_erasure for key in KEYS}
    for key in AS_STAFF_MEMBER[:-1]:
        assert rules[key] is OnErasure.ANONYMISE, key
    assert rules["concerns.advice_request"] is OnErasure.ERASE_ON_LEAVING
    for key in KEYS[len(AS_STAFF_MEMBER) :]:
        assert rules[key] is OnErasure.KEEP, key


def test_every_concerns_section_says_what_erasure_does(s, org):
    sections = _sections(org.olena)
    for key in KEYS:
        assert sections[key]["title"] and sections[key]["what_erasure_does"], key


# --- her export -----------------------------------------------------------------------------


def test_her_export_holds_her_concerns_meetings_notes_targets_stages_hand_off_and_advice(s, org):
    sections = _sections(org.amina)
    for key in AS_STAFF_MEMBER:
        assert sections[key]["items"], key
    attendance, supply = sections["concerns.concern"]["items"]
    assert attendance["Effect on work"] == "Attendance"
    assert attendance["What happened at work"] == WORDS["concern"]
    assert attendance["Evidence"] == WORDS["evidence"]
    assert attendance["Recorded by"] == org.ravi.name
    assert supply["What happened at work"] == WORDS["supply"]
    [meeting] = sections["concerns.review_meeting"]["items"]
    assert meeting["The staff member's account"] == WORDS["account"]
    assert meeting["Peer supporter"] == org.samuel.name
    [note] = sections["concerns.meeting_note"]["items"]
    assert note["Summary"] == WORDS["note"]
    first, second = sections["concerns.target"]["items"]
    assert (first["Measure"], second["Measure"]) == ("Attendance", "Time-keeping")
    assert first["The staff member's self-reflection"] == WORDS["reflection"]
    [step] = sections["concerns.path_step"]["items"]
    assert step["What was found"] == WORDS["step"]
    [handoff] = sections["concerns.handoff"]["items"]
    assert handoff["Grounds"] == "Gross misconduct"
    assert handoff["State"] == "Waiting for HR's countersignature"
    assert handoff["Written reason"] == WORDS["handoff"]
    [advice] = sections["concerns.advice_request"]["items"]
    assert advice["What you would like advice on"] == WORDS["advice"]
    assert advice["Whom you asked"] == org.ravi.name


def test_an_open_investigation_shows_that_it_is_open_and_the_suspension_and_nothing_inside(s, org):
    name_investigator(org, s)
    data = build_export(org.amina)
    [item] = next(x for x in data["sections"] if x["key"] == "concerns.investigation")["items"]
    assert item["State"] == "Open"
    assert item["Suspended from"] == str(s.investigation.suspended_from)
    assert item["Suspended until"] == str(s.investigation.suspended_until)
    assert "Findings" not in item and "Investigator" not in item
    text = _text(data)
    assert WORDS["findings"] not in text
    assert org.taslima.name not in text
    [withheld] = data["withheld"]
    assert withheld["kind"] == "investigation"
    assert "investigation about you is open" in withheld["reason"]
    assert WORDS["findings"] not in withheld["note"] and org.taslima.name not in withheld["note"]


def test_once_completed_her_export_holds_the_findings_and_who_investigated_and_holds_nothing_back(
    s, org
):
    name_investigator(org, s)
    _complete(s)
    data = build_export(org.amina)
    [item] = next(x for x in data["sections"] if x["key"] == "concerns.investigation")["items"]
    assert item["State"] == "Completed"
    assert item["Findings"] == WORDS["findings"]
    assert item["Investigator"] == [org.taslima.name]
    assert item["Outcome"] == "No grounds found"
    assert data["withheld"] == []


def test_only_the_person_an_open_investigation_is_about_has_something_held_back(s, org):
    assert len(withheld_investigations(org.amina)) == 1
    for other in (org.olena, org.ravi, org.grace, org.taslima, org.samuel):
        assert withheld_investigations(other) == [], other


# --- everyone else's --------------------------------------------------------------------------


def test_nobody_elses_export_holds_a_word_of_her_case_or_her_advice(s, org):
    name_investigator(org, s)
    amina_words = [words for key, words in WORDS.items() if not key.startswith("olena")]
    for other in (
        org.ravi,
        org.grace,
        org.taslima,
        org.samuel,
        org.daniel,
        org.olena,
        org.chen,
        org.leila,
    ):
        data = build_export(other)
        text = _text(data)
        for words in amina_words:
            assert words not in text, (other.name, words)
        ours = {x["key"]: x for x in data["sections"] if x["key"].startswith("concerns.")}
        assert org.amina.name not in _text(ours), other.name
        assert data["withheld"] == [], other.name


def test_the_only_export_that_holds_her_investigations_findings_is_hers_once_completed(s, org):
    _complete(s)
    people = [org.amina, org.ravi, org.grace, org.samuel, org.olena]
    holders = [p.name for p in people if WORDS["findings"] in _text(build_export(p))]
    assert holders == [org.amina.name]


def test_olenas_export_holds_her_closed_concern_and_its_note_and_nothing_of_aminas(s, org):
    sections = _sections(org.olena)
    [concern] = sections["concerns.concern"]["items"]
    assert concern["What happened at work"] == WORDS["olena"]
    assert concern["Outcome"] == "A review of the agreed working pattern instead"
    [note] = sections["concerns.meeting_note"]["items"]
    assert note["Summary"] == WORDS["olena-note"]
    assert WORDS["concern"] not in _text(sections)


def test_her_line_managers_export_says_what_he_did_and_never_whom_or_what(s, org):
    sections = _sections(org.ravi)
    recorded = sections["concerns.recorded"]["items"]
    assert sorted(tuple(item["Your part"]) for item in recorded) == [
        ("Recorded it",),
        ("Recorded it", "Closed it"),
    ]
    held = sections["concerns.meeting_part"]["items"]
    assert [item["Your part"] for item in held] == [["Held it"], ["Held it"]]
    [handoff] = sections["concerns.handoff_part"]["items"]
    assert handoff["Your part"] == ["Asked for it"]
    [asked] = sections["concerns.advice_asked"]["items"]
    assert asked["Outcome"] == "Waiting for an answer"
    assert set(asked) == {"Asked", "Outcome", "Answered"}
    for key in AS_STAFF_MEMBER:
        assert not sections[key]["items"], key


def test_the_peer_mentor_she_brought_learns_only_that_he_came(s, org):
    sections = _sections(org.samuel)
    [came] = sections["concerns.meeting_part"]["items"]
    assert came["Your part"] == ["Came as a peer supporter"]
    assert WORDS["account"] not in _text(sections) and WORDS["note"] not in _text(sections)


def test_an_investigator_and_a_named_supporter_find_their_part_and_its_state_only(s, org):
    name_investigator(org, s)
    NamedSupporter.objects.create(
        organisation_id=org.harbourside.pk, concern=s.supply, member=org.joseph
    )
    [part] = _sections(org.taslima)["concerns.investigator"]["items"]
    assert part["State"] == "Open" and part["Added at"]
    [named] = _sections(org.joseph)["concerns.named_supporter"]["items"]
    assert named["The concern is"] == "open"
    for member in (org.taslima, org.joseph):
        assert WORDS["supply"] not in _text(_sections(member))


# --- erasure --------------------------------------------------------------------------------


def test_erasing_her_at_once_keeps_the_case_and_makes_every_word_in_it_unreadable(
    s, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        erase_now(actor=org.amina)
    concern = Concern.objects.get(pk=s.concern.pk)
    assert concern.category == Concern.Category.ATTENDANCE and concern.what_happened is None
    assert is_erased(concern, "what_happened") and is_erased(concern, "evidence")
    assert is_erased(ReviewMeeting.objects.get(pk=s.meeting.pk), "person_account")
    assert is_erased(MeetingNote.objects.get(pk=s.note.pk), "summary")
    assert is_erased(Target.objects.get(pk=s.target.pk), "description")
    assert is_erased(PathStep.objects.get(pk=s.step.pk), "notes")
    handoff = Handoff.objects.get(pk=s.handoff.pk)
    assert handoff.grounds == Handoff.Grounds.GROSS_MISCONDUCT and is_erased(handoff, "reason")
    assert is_erased(Investigation.objects.get(pk=s.investigation.pk), "findings")
    # Her request for advice is kept while she works here; its words are gone with her key.
    assert is_erased(AdviceRequest.objects.get(pk=s.advice.pk), "question")
    # Olena's case is hers, under her own key.
    assert str(Concern.objects.get(pk=s.olena_concern.pk).what_happened) == WORDS["olena"]


def test_once_she_has_left_and_erased_her_request_for_advice_goes(
    s, org, django_capture_on_commit_callbacks
):
    _leave(org.amina, days_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        erase_now(actor=org.amina)
    assert not AdviceRequest.objects.filter(pk=s.advice.pk).exists()
    assert Concern.objects.filter(person=org.amina).count() == 2


def test_after_the_personnel_period_her_whole_case_goes_and_nobody_elses(
    s, org, django_capture_on_commit_callbacks
):
    name_investigator(org, s)
    # A hand-off on App. 9's grounds rests on a review meeting, which may not go first.
    Handoff.objects.filter(pk=s.handoff.pk).update(review=s.meeting)
    standalone = ReviewMeeting.objects.create(
        organisation_id=org.harbourside.pk,
        person=org.amina,
        held_by=org.ravi,
        starts_at=timezone.now() - dt.timedelta(days=400),
    )
    _leave(org.amina, days_ago=6 * 365 + 1)
    with django_capture_on_commit_callbacks(execute=True):
        result = apply_retention()
    assert result.anonymised == 1
    for model in CASE_MODELS:
        assert not model._default_manager.filter(person=org.amina).exists(), model
    assert not Investigator.objects.filter(investigation__person=org.amina).exists()
    assert not ReviewMeeting.objects.filter(pk=standalone.pk).exists()
    assert Concern.objects.filter(pk=s.olena_concern.pk).exists()
    assert MeetingNote.objects.filter(pk=s.olena_note.pk).exists()


def test_her_case_stays_whole_until_the_personnel_period_has_passed(
    s, org, django_capture_on_commit_callbacks
):
    _leave(org.amina, days_ago=6 * 365 - 1)
    with django_capture_on_commit_callbacks(execute=True):
        apply_retention()
    assert Concern.objects.filter(person=org.amina).count() == 2
    assert Handoff.objects.filter(pk=s.handoff.pk).exists()


def test_when_her_line_manager_leaves_and_is_erased_her_case_stays_whole_and_readable(
    s, org, django_capture_on_commit_callbacks
):
    _leave(org.ravi, days_ago=6 * 365 + 1)
    with django_capture_on_commit_callbacks(execute=True):
        apply_retention()
    concern = Concern.objects.get(pk=s.concern.pk)
    assert concern.raised_by_id == org.ravi.pk
    assert str(concern.what_happened) == WORDS["concern"]
    assert str(MeetingNote.objects.get(pk=s.note.pk).summary) == WORDS["note"]
    assert AdviceRequest.objects.filter(pk=s.advice.pk, asked=org.ravi).exists()
