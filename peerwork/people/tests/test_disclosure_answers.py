"""The questions of each disclosure category: what an answer may hold (issue 4 item 2)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from peerwork.people.disclosures import QUESTIONS, TEXT_MAX, clean_answer, describe
from peerwork.people.models import Category


def test_every_category_has_questions():
    assert set(QUESTIONS) == set(Category.values)
    assert all(spec.questions for spec in QUESTIONS.values())


def test_the_relationship_to_drug_use_offers_the_groups_of_the_guide_and_own_words():
    codes = {code for code, _label in QUESTIONS["drug_use"].question("relationship").choices}
    assert codes == {"ex_drug_user", "in_recovery", "on_ost", "uses_drugs", "own_words"}


def test_prefer_not_to_say_replaces_every_other_answer():
    assert clean_answer("ost", {"prefer_not_to_say": "on", "medicine": "methadone"}) == {
        "prefer_not_to_say": True
    }


def test_text_is_trimmed_and_empty_answers_are_left_out():
    assert clean_answer("health", {"own_words": "  living with HIV  ", "conditions": []}) == {
        "own_words": "living with HIV"
    }


def test_several_conditions_may_be_chosen():
    assert clean_answer("health", {"conditions": ["tb", "hiv", "tb"]}) == {
        "conditions": ["hiv", "tb"]
    }


@pytest.mark.parametrize(
    ("category", "raw", "field"),
    [
        ("drug_use", {"relationship": "something else"}, "relationship"),
        ("health", {"conditions": ["hiv", "flu"]}, "conditions"),
        ("ost", {"prescriber": "x" * (TEXT_MAX + 1)}, "prescriber"),
        ("ost", {"dose_mg": "80"}, "dose_mg"),
        ("accommodations", {"needs": 5}, "needs"),
    ],
)
def test_an_answer_outside_the_questions_is_refused_by_field(category, raw, field):
    with pytest.raises(ValidationError) as refused:
        clean_answer(category, raw)
    assert field in refused.value.message_dict


def test_an_empty_answer_is_refused():
    with pytest.raises(ValidationError):
        clean_answer("criminal_record", {"facts": "   "})


def test_an_unknown_category_is_refused():
    with pytest.raises(ValidationError):
        clean_answer("hobbies", {"x": "y"})


def test_an_answer_is_described_in_the_readers_language():
    answer = clean_answer("ost", {"medicine": "methadone", "dispensing": "daily_supervised"})
    with translation.override("en"):
        lines = describe("ost", answer)
    assert [(line.label, line.value) for line in lines] == [
        ("Medicine", "Methadone"),
        ("How you collect it", "Every day at the clinic"),
    ]
