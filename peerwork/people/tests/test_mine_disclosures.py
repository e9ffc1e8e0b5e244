"""One page per disclosure category (``/me/drug-use``, ``/me/ost`` …): the questions, the
person's answer, its history and removing it."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core import audit
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import services
from peerwork.people.models import Disclosure

pytestmark = pytest.mark.django_db

PAGES = {
    "drug_use": "/me/drug-use",
    "ost": "/me/ost",
    "health": "/me/health",
    "accommodations": "/me/accommodations",
    "criminal_record": "/me/criminal-record",
}


def _answers(person, category):
    with scope(organisation=person.organisation):
        rows = Disclosure.objects.filter(owner=person, category=category).order_by("made_at")
        return [(row.answer, row.replaced_at is None) for row in rows]


def test_every_category_has_a_page_with_its_questions(story):
    client = signed_in(story.amina)
    for path in PAGES.values():
        html = assert_sound_page(client.get(path))
        assert 'name="prefer_not_to_say"' in html, path
        assert "You have not answered in this category." in html
    html = client.get("/me/drug-use").content.decode()
    assert 'type="radio" name="relationship" value="in_recovery"' in html
    assert "<textarea" in html and 'name="own_words"' in html
    html = client.get("/me/health").content.decode()
    assert 'type="checkbox" name="conditions" value="hiv"' in html


def test_a_chosen_answer_can_be_taken_back_with_no_answer(story):
    client = signed_in(story.amina)
    client.post("/me/drug-use", {"relationship": "on_ost", "own_words": "Steady", "current": ""})
    html = client.get("/me/drug-use").content.decode()
    assert 'type="radio" name="relationship" value="" id="id_relationship_0">' in html
    with scope(organisation=story.harbourside):
        first = Disclosure.objects.get(owner=story.amina, category="drug_use")
    client.post(
        "/me/drug-use", {"relationship": "", "own_words": "Steady", "current": str(first.pk)}
    )
    assert _answers(story.amina, "drug_use")[-1] == ({"own_words": "Steady"}, True)


def test_an_answer_is_saved_and_shown_on_my_information(story):
    client = signed_in(story.amina)
    response = client.post(
        "/me/health", {"conditions": ["hiv", "tb"], "own_words": "Well managed", "current": ""}
    )
    assert response.status_code == 302 and response["Location"] == "/me"
    assert _answers(story.amina, "health") == [
        ({"conditions": ["hiv", "tb"], "own_words": "Well managed"}, True)
    ]
    html = assert_sound_page(client.get("/me"))
    assert "is saved" in html
    assert "HIV, Tuberculosis (TB)" in html and "Well managed" in html


def test_prefer_not_to_say_is_an_answer_of_its_own(story):
    client = signed_in(story.amina)
    client.post("/me/drug-use", {"prefer_not_to_say": "on", "current": ""})
    assert _answers(story.amina, "drug_use") == [({"prefer_not_to_say": True}, True)]
    html = assert_sound_page(client.get("/me/drug-use"))
    assert 'id="id_prefer_not_to_say" checked' in html


def test_a_new_answer_keeps_the_earlier_one_as_history_for_the_person_alone(story):
    client = signed_in(story.amina)
    client.post("/me/drug-use", {"relationship": "on_ost", "current": ""})
    html = client.get("/me/drug-use").content.decode()
    with scope(organisation=story.harbourside):
        first = Disclosure.objects.get(owner=story.amina, category="drug_use")
    assert f'name="current" value="{first.pk}"' in html
    # The first choice is "No answer" (a radio button cannot be unticked otherwise).
    assert 'value="on_ost" id="id_relationship_3" checked' in html
    client.post("/me/drug-use", {"relationship": "in_recovery", "current": str(first.pk)})
    assert [current for _answer, current in _answers(story.amina, "drug_use")] == [False, True]
    html = assert_sound_page(client.get("/me/drug-use"))
    assert "My answers over time" in html
    assert html.index("In recovery") < html.index("On opioid substitution therapy (OST)</dd>")
    assert html.count("current answer") == 1


def test_the_history_reads_are_in_who_saw_my_data(story):
    client = signed_in(story.amina)
    client.post("/me/ost", {"medicine": "methadone", "current": ""})
    with scope(organisation=story.harbourside):
        before = audit.events_about(story.amina).count()
    client.get("/me/ost")
    with scope(organisation=story.harbourside):
        after = list(audit.events_about(story.amina))
    assert len(after) == before + 1
    assert after[0].actor_id == story.amina.pk and after[0].action == "disclosure.read"
    html = assert_sound_page(client.get("/me/reads"))
    assert "<td>You</td><td>Opioid substitution therapy (OST)</td>" in html


def test_an_empty_answer_is_refused_and_nothing_is_saved(story):
    response = signed_in(story.amina).post("/me/accommodations", {"needs": "  ", "current": ""})
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Answer at least one question" in html
    assert _answers(story.amina, "accommodations") == []


def test_a_bad_choice_keeps_what_was_typed_and_saves_nothing(story):
    response = signed_in(story.amina).post(
        "/me/ost",
        {"medicine": "heroin", "prescriber": "Mvita clinic", "take_home": "Fridays", "current": ""},
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert 'id="id_medicine_error"' in html and "Choose one of the answers offered." in html
    assert "Mvita clinic</textarea>" in html and "Fridays</textarea>" in html
    assert _answers(story.amina, "ost") == []


def test_too_long_an_answer_keeps_it_and_saves_nothing(story):
    long_text = "x" * 1001
    response = signed_in(story.amina).post(
        "/me/criminal-record", {"facts": long_text, "current": ""}
    )
    html = assert_sound_page(response)
    assert 'id="id_facts_error"' in html and long_text in html
    assert _answers(story.amina, "criminal_record") == []


def test_an_answer_entered_meanwhile_is_not_overwritten_silently(story):
    client = signed_in(story.amina)
    assert 'name="current" id="id_current"' in client.get("/me/accommodations").content.decode()
    with scope(organisation=story.harbourside):  # HR enters one under a share meanwhile
        services.share(
            actor=story.amina,
            audience="person",
            grantee=story.grace,
            categories=["accommodations"],
            purpose="hours",
        )
        entered = services.disclose(
            actor=story.grace,
            owner=story.amina,
            category="accommodations",
            answer={"needs": "Start at 10:45"},
        )
    response = client.post("/me/accommodations", {"needs": "Home on Fridays", "current": ""})
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "changed while you were editing" in html
    assert "Home on Fridays</textarea>" in html
    assert "Start at 10:45" in html and "entered for you by Grace Njeri" in html
    assert f'name="current" value="{entered.pk}"' in html
    assert _answers(story.amina, "accommodations") == [({"needs": "Start at 10:45"}, True)]
    response = client.post(
        "/me/accommodations", {"needs": "Home on Fridays", "current": str(entered.pk)}
    )
    assert response.status_code == 302
    assert _answers(story.amina, "accommodations")[-1] == ({"needs": "Home on Fridays"}, True)


def test_removing_a_category_asks_first_then_removes_every_answer(story):
    client = signed_in(story.amina)
    client.post("/me/ost", {"medicine": "methadone", "current": ""})
    with scope(organisation=story.harbourside):
        first = Disclosure.objects.get(owner=story.amina, category="ost")
    client.post("/me/ost", {"medicine": "buprenorphine", "current": str(first.pk)})
    assert 'href="/me/ost/remove"' in client.get("/me/ost").content.decode()
    html = assert_sound_page(client.get("/me/ost/remove"))
    assert "Remove every answer about" in html and "Yes, remove them" in html
    assert len(_answers(story.amina, "ost")) == 2  # asking changed nothing
    response = client.post("/me/ost/remove")
    assert response.status_code == 302 and response["Location"] == "/me"
    assert _answers(story.amina, "ost") == []
    html = client.get("/me").content.decode()
    assert "is removed" in html and html.count("Not answered") == 5


def test_a_grantee_no_longer_sees_a_removed_category(story):
    client = signed_in(story.amina)
    client.post("/me/ost", {"prescriber": "Mvita clinic", "current": ""})
    with scope(organisation=story.harbourside):
        grant = services.share(
            actor=story.amina, audience="line_manager", categories=["ost"], purpose="plan"
        )
    ravi = signed_in(story.ravi)
    assert "Mvita clinic" in ravi.get(f"/shared/{grant.pk}").content.decode()
    client.post("/me/ost/remove")
    html = ravi.get(f"/shared/{grant.pk}").content.decode()
    assert "Mvita clinic" not in html and "Nothing answered in this category." in html


def test_one_persons_answers_never_show_on_anothers_category_page(story):
    signed_in(story.amina).post("/me/ost", {"prescriber": "Mvita clinic", "current": ""})
    for person in (story.ravi, story.grace, story.chen, story.taras):
        assert "Mvita clinic" not in signed_in(person).get("/me/ost").content.decode()
