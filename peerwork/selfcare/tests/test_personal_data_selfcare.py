"""The self-care tools in the register of personal data: the owner's export opens their
circle (with its versions and suggestions), programmes and their records, plan, goals and
kept self-checks in readable words; nobody else's export holds a word of them; erasure
removes them at once, keeps the pulse receipts while the person works here, and takes an
author's name off the suggestions they made (issue 7; issue 4 items 7 and 8)."""

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
from peerwork.selfcare.models import (
    CircleSuggestion,
    Opening,
    PulseAnswer,
    PulseReceipt,
    RelapsePlan,
    RiskCircle,
    RiskCircleVersion,
    SelfCheck,
    SelfControlEntry,
    SelfControlProgramme,
    WeeklyGoal,
)

pytestmark = pytest.mark.django_db

OWN = (
    "selfcare.risk_circle",
    "selfcare.risk_circle_version",
    "selfcare.circle_suggestion",
    "selfcare.opening",
    "selfcare.programme",
    "selfcare.programme_entry",
    "selfcare.relapse_plan",
    "selfcare.weekly_goal",
    "selfcare.self_check",
)
KEYS = (*OWN, "selfcare.suggestion_made", "selfcare.opening_received", "selfcare.pulse_receipt")


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


def _amina_keeps_everything(org: Any) -> None:
    for key in OWN:
        _sample(key, org.amina)
    _sample("selfcare.pulse_receipt", org.amina)


def test_it_registers_every_selfcare_model_that_marks_a_person_and_explains_the_pulse_answer():
    registered = personal_data.registered_models()
    for model in (
        RiskCircle,
        RiskCircleVersion,
        CircleSuggestion,
        Opening,
        SelfControlProgramme,
        SelfControlEntry,
        RelapsePlan,
        WeeklyGoal,
        SelfCheck,
        PulseReceipt,
    ):
        assert model in registered, model
    assert PulseAnswer in personal_data.not_personal()
    assert "no link" in str(personal_data.not_personal()[PulseAnswer])
    assert {e.key for e in personal_data.entries()} >= set(KEYS)


def test_the_owners_export_opens_her_circle_in_readable_words(org):
    _sample("selfcare.risk_circle", org.amina)
    [item] = _sections(org.amina)["selfcare.risk_circle"]["items"]
    [area] = item["Risk areas"]
    assert area["Risk area"] == "Arrest when buying"
    assert area["Rating (1–10)"] == 7
    assert area["Preventing the risk"] == "Buy with a friend"
    assert area["Managing it if it happens"] == "Call the lawyer on the card"


def test_the_owners_export_holds_each_of_her_self_care_records(org):
    _amina_keeps_everything(org)
    sections = _sections(org.amina)
    for key in (*OWN, "selfcare.pulse_receipt"):
        assert sections[key]["items"], key
    text = _text(sections)
    for words in (
        "Arrest when buying",
        "Keep the lawyer's card in your phone case",
        "Spending on the way home",
        "Bought on the way",
        "Walk to the sea",
        "Take the Friday lunch break away from the drop-in",
        "A long month",
        "Little energy, or tired most of the time",
    ):
        assert words in text, words


def test_she_sees_who_made_each_suggestion_and_what_she_decided(org):
    suggestion = _sample("selfcare.circle_suggestion", org.amina)
    suggestion.accepted, suggestion.decided_at = True, timezone.now()
    suggestion.save(update_fields=["accepted", "decided_at"])
    [item] = _sections(org.amina)["selfcare.circle_suggestion"]["items"]
    assert item["Suggested by"] == suggestion.author.name
    assert item["Risk area"] == "Arrest when buying"
    assert item["Ring"] == "Preventing the risk"
    assert item["Accepted"] is True


def test_nobody_elses_export_holds_a_word_of_her_self_care(org):
    _amina_keeps_everything(org)
    for other in (org.ravi, org.grace, org.daniel, org.samuel, org.olena, org.chen):
        sections = _sections(other)
        for key in OWN:
            assert not sections[key]["items"], (other, key)
        text = _text(sections)
        for words in ("Arrest when buying", "Walk to the sea", "A long month"):
            assert words not in text, (other, words)


def test_the_author_of_a_suggestion_exports_when_and_which_ring_never_the_words(org):
    suggestion = _sample("selfcare.suggestion_made", org.samuel)
    sections = _sections(org.samuel)
    [item] = sections["selfcare.suggestion_made"]["items"]
    assert item["Ring"] == "Managing it if it happens" and item["Suggested"]
    text = _text(sections)
    assert "Carry the outreach ID card" not in text
    assert suggestion.owner.name not in _text(item)
    owner = _sections(suggestion.owner)["selfcare.circle_suggestion"]["items"]
    assert "Carry the outreach ID card" in _text(owner)


def test_an_opening_made_to_someone_shows_them_who_and_until_when_never_the_circle(org):
    opening = _sample("selfcare.opening_received", org.samuel)
    [item] = _sections(org.samuel)["selfcare.opening_received"]["items"]
    assert item["Person"] == opening.owner.name
    assert item["What was opened"] == "Risk circle" and item["Until"]
    assert "Arrest when buying" not in _text(_sections(org.samuel))
    [made] = _sections(opening.owner)["selfcare.opening"]["items"]
    assert made["Opened to"] == "Samuel Kiprop"


def test_the_programme_plan_and_self_check_read_in_words_never_as_codes(org):
    for key in ("selfcare.programme_entry", "selfcare.relapse_plan", "selfcare.self_check"):
        _sample(key, org.amina)
    sections = _sections(org.amina)
    [programme] = sections["selfcare.programme"]["items"]
    assert programme["Programme"]["Target behaviour"] == "Spending on the way home"
    [record] = sections["selfcare.programme_entry"]["items"]
    assert record["Record"]["What came before"] == "Payday" and record["Kind"] == "Baseline record"
    [plan] = sections["selfcare.relapse_plan"]["items"]
    assert plan["Plan"]["When a craving comes"] == ["Go for a walk", "Walk to the sea"]
    [check] = sections["selfcare.self_check"]["items"]
    assert check["What I noticed"]["What I noticed"] == [
        "Little energy, or tired most of the time",
        "Frustrated or quick to anger",
    ]
    assert "frustrated" not in _text(check)


def test_a_pulse_receipt_says_only_the_week(org):
    receipt = _sample("selfcare.pulse_receipt", org.amina)
    [item] = _sections(org.amina)["selfcare.pulse_receipt"]["items"]
    assert item == {"Week of": receipt.week_of.isoformat()}


def test_erasing_removes_every_self_care_record_at_once_and_keeps_the_pulse_receipt(org):
    _amina_keeps_everything(org)
    answer = PulseAnswer.objects.create(
        organisation_id=org.harbourside.pk, team=org.team, week_of=timezone.localdate(), level=3
    )
    erase_now(actor=org.amina)
    for model in (
        RiskCircle,
        RiskCircleVersion,
        CircleSuggestion,
        SelfControlProgramme,
        SelfControlEntry,
        RelapsePlan,
        WeeklyGoal,
        SelfCheck,
    ):
        assert not model.objects.filter(owner=org.amina).exists(), model
    assert not Opening.objects.filter(owner=org.amina).exists()
    assert PulseReceipt.objects.filter(member=org.amina).exists()  # nobody answers twice
    assert PulseAnswer.objects.filter(pk=answer.pk).exists()  # nobody's answer


def test_erasing_a_leaver_removes_their_pulse_receipts(org):
    _sample("selfcare.pulse_receipt", org.amina)
    _leave(org.amina)
    erase_now(actor=org.amina)
    assert not PulseReceipt.objects.filter(member=org.amina).exists()


def test_erasing_the_author_keeps_the_suggestion_for_the_owner_without_their_name(org):
    suggestion = _sample("selfcare.suggestion_made", org.samuel)
    erase_now(actor=org.samuel)
    suggestion.refresh_from_db()
    assert suggestion.author_id is None
    assert str(suggestion.text) == "Carry the outreach ID card"


def test_erasing_whom_a_circle_was_opened_to_leaves_the_owners_opening_to_her(org):
    opening = _sample("selfcare.opening_received", org.samuel)
    erase_now(actor=org.samuel)
    assert Opening.objects.filter(pk=opening.pk).exists()


def test_every_selfcare_section_says_what_erasure_does(org):
    sections = _sections(org.olena)
    for key in KEYS:
        assert sections[key]["title"] and sections[key]["what_erasure_does"], key
