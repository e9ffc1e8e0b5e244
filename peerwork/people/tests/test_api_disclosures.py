"""/disclosures: a person's own answers, their history, and taking a category back (§2.3)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.core.audit import events_about
from peerwork.people.models import Disclosure
from peerwork.people.tests.api_calls import get, post

pytestmark = pytest.mark.django_db


def _answer(member, category, answer=None, **extra):
    return post(member, "/disclosures", {"category": category, "answer": answer or {}, **extra})


def _stored(story):
    with scope(organisation=story.harbourside.pk):
        return list(Disclosure.objects.filter(owner=story.amina))


def test_a_person_answers_a_category_and_gets_the_answer_back_in_words(story):
    response = _answer(story.amina, "ost", {"medicine": "methadone", "prescriber": "Mathare"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["category"] == "ost"
    assert body["category_label"] == "Opioid substitution therapy (OST)"
    assert body["answer"] == {"medicine": "methadone", "prescriber": "Mathare"}
    assert body["prefer_not_to_say"] is False
    assert {"label": "Medicine", "value": "Methadone"} in body["lines"]
    assert body["made_at"].endswith("+03:00")  # Harbourside's zone, with its offset
    assert body["replaced_at"] is None
    assert body["entered_by"] is None


def test_reading_my_answers_writes_one_audit_read_per_answer(story):
    _answer(story.amina, "ost", {"medicine": "methadone"})
    _answer(story.amina, "health", {"conditions": ["hiv"]})
    response = get(story.amina, "/disclosures")
    assert response.status_code == 200
    assert [d["category"] for d in response.json()] == ["health", "ost"]
    with scope(organisation=story.harbourside.pk):
        reads = list(events_about(story.amina))
    assert sorted(str(e.object_id) for e in reads) == sorted(d["id"] for d in response.json())
    assert {e.action for e in reads} == {"disclosure.read"}
    assert {e.actor_id for e in reads} == {story.amina.pk}


def test_a_new_answer_replaces_the_current_one_and_the_old_one_stays_in_my_history(story):
    _answer(story.amina, "drug_use", {"relationship": "in_recovery"})
    _answer(story.amina, "drug_use", {"relationship": "uses_drugs"})
    current = get(story.amina, "/disclosures").json()
    assert [d["answer"] for d in current] == [{"relationship": "uses_drugs"}]
    history = get(story.amina, "/disclosures/history").json()
    assert [d["answer"]["relationship"] for d in history] == ["uses_drugs", "in_recovery"]
    assert history[0]["replaced_at"] is None
    assert history[1]["replaced_at"] is not None


def test_prefer_not_to_say_is_an_answer_of_its_own(story):
    response = _answer(story.amina, "health", {"conditions": ["hiv"]}, prefer_not_to_say=True)
    assert response.status_code == 201
    assert response.json()["answer"] == {"prefer_not_to_say": True}
    assert response.json()["prefer_not_to_say"] is True
    assert response.json()["lines"] == [{"label": "Answer", "value": "I prefer not to say"}]


def test_an_answer_that_does_not_fit_its_questions_names_each_answer_and_changes_nothing(story):
    response = _answer(story.amina, "ost", {"medicine": "heroin", "colour": "blue"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"answer.medicine", "answer.colour"}
    empty = _answer(story.amina, "ost", {"medicine": ""})
    assert empty.status_code == 400
    assert "prefer not to say" in empty.json()["detail"]
    assert _stored(story) == []


def test_a_body_that_does_not_fit_the_schema_gets_422(story):
    for body in (
        {},
        {"category": "religion", "answer": {}},
        {"category": "ost", "answer": {"medicine": {"name": "x"}}},
        {"category": "ost", "answer": ["methadone"]},
        {"category": "ost", "prefer_not_to_say": "maybe"},
    ):
        response = post(story.amina, "/disclosures", body)
        assert response.status_code == 422, body
    assert _stored(story) == []


def test_taking_a_category_back_deletes_its_history_and_again_is_harmless(story):
    _answer(story.amina, "drug_use", {"relationship": "in_recovery"})
    _answer(story.amina, "drug_use", {"relationship": "ex_drug_user"})
    _answer(story.amina, "ost", {"medicine": "buprenorphine"})
    removed = post(story.amina, "/disclosures/remove", {"category": "drug_use"})
    assert removed.status_code == 200
    assert removed.json() == {"category": "drug_use", "removed": 2}
    assert [d.category for d in _stored(story)] == ["ost"]
    again = post(story.amina, "/disclosures/remove", {"category": "drug_use"})
    assert again.json()["removed"] == 0
    assert post(story.amina, "/disclosures/remove", {"category": "x"}).status_code == 422


def test_my_answers_are_mine_alone_whoever_else_asks(story):
    _answer(story.amina, "ost", {"medicine": "methadone", "prescriber": "Canary5521 clinic"})
    for name in ("ravi", "grace", "daniel", "chen", "samuel", "leila", "peter", "taras"):
        for path in ("/disclosures", "/disclosures/history", "/shared-with-me"):
            response = get(getattr(story, name), path)
            assert response.status_code == 200, (name, path)
            assert "Canary5521" not in response.content.decode(), (name, path)
