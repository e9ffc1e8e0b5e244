"""Requests for advice before acting on their pages (§4.6): asking someone from the list
(line manager, HR, peer mentor, coach), the request seen by the two only, answering with
the five questions, a reply and an outcome, withdrawing while it waits; bad or stale input
explained with everything typed kept; and nothing of it on the concern pages."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import advice
from peerwork.concerns.models import AdviceRequest, Concern
from peerwork.concerns.tests.test_other_paths import concern_on
from peerwork.core.tests.page_checks import assert_sound_page

pytestmark = pytest.mark.django_db

QUESTION = "A client from my old neighbourhood wants to go out with me"
FIVE = {"professional": "yes", "power": "unsure", "open": "yes", "before": "yes", "consent": "yes"}


def the_request(story) -> AdviceRequest:
    with scope(organisation=story.harbourside.pk):
        return AdviceRequest.objects.get()


def test_amina_asks_her_peer_mentor_from_the_list_and_only_the_two_read_it(story):
    amina = signed_in(story.amina)
    html = assert_sound_page(amina.get("/concerns/advice/new/"))
    for words in ("Ravi Shah · Line manager", "Grace Njeri · HR", "Samuel Kiprop · Peer mentor"):
        assert words in html, words
    assert "Taslima" not in html and "Leila" not in html
    assert "Does everyone in it consent, knowing what it means for them?" in html
    response = amina.post(
        "/concerns/advice/new/", {"asked": str(story.samuel.pk), "question": QUESTION}
    )
    item = the_request(story)
    assert response["Location"] == f"/concerns/advice/{item.pk}/"
    page = assert_sound_page(amina.get(response["Location"]))
    assert QUESTION in page and "Withdraw my request" in page and "Waiting for Samuel" in page
    samuel = assert_sound_page(signed_in(story.samuel).get(f"/concerns/advice/{item.pk}/"))
    assert QUESTION in samuel and "Send my answer" in samuel
    for outsider in ("ravi", "grace", "taslima", "daniel", "leila", "taras"):
        got = signed_in(getattr(story, outsider)).get(f"/concerns/advice/{item.pk}/")
        assert got.status_code == 404, outsider
    listed = assert_sound_page(signed_in(story.samuel).get("/concerns/advice/"))
    assert "From Amina Wanjiru" in listed and QUESTION not in listed


def test_a_request_without_a_question_or_to_someone_else_is_explained_and_kept(story):
    amina = signed_in(story.amina)
    response = amina.post("/concerns/advice/new/", {"asked": str(story.ravi.pk), "question": ""})
    html = assert_sound_page(response)
    assert 'id="id_question_error"' in html
    assert re.search(rf'value="{story.ravi.pk}"[^>]*checked', html)
    response = amina.post(
        "/concerns/advice/new/", {"asked": str(story.taslima.pk), "question": QUESTION}
    )
    html = assert_sound_page(response)
    assert "Choose someone from the list." in html and QUESTION in html
    with scope(organisation=story.harbourside.pk):
        assert not AdviceRequest.objects.exists()


def test_the_person_asked_answers_and_approval_shows_to_both(story):
    with scope(organisation=story.harbourside.pk):
        item = advice.ask_for_advice(actor=story.amina, asked=story.ravi, question=QUESTION)
    ravi = signed_in(story.ravi)
    url = f"/concerns/advice/{item.pk}/answer/"
    missing = ravi.post(url, {"reply": "Typed reply kept", "outcome": "approved"})
    html = assert_sound_page(missing)
    assert "Please answer this question." in html and "Typed reply kept" in html
    assert (
        signed_in(story.amina).post(url, {**FIVE, "reply": "x", "outcome": "approved"}).status_code
        == 403
    )
    done = ravi.post(
        url,
        {**FIVE, "reply": "Thank you for asking first.", "outcome": "approved", "version": "1"},
    )
    assert done["Location"] == f"/concerns/advice/{item.pk}/"
    page = assert_sound_page(signed_in(story.amina).get(done["Location"]))
    assert "Approved" in page and "Thank you for asking first." in page
    assert "Not sure yet" in page and "Withdraw my request" not in page


def test_amina_withdraws_and_ravis_answer_after_it_is_not_saved(story):
    with scope(organisation=story.harbourside.pk):
        item = advice.ask_for_advice(actor=story.amina, asked=story.ravi, question=QUESTION)
    assert (
        signed_in(story.ravi)
        .post(f"/concerns/advice/{item.pk}/withdraw/", {"version": "1"})
        .status_code
        == 403
    )
    amina = signed_in(story.amina)
    gone = amina.post(f"/concerns/advice/{item.pk}/withdraw/", {"version": "1"})
    assert gone["Location"] == f"/concerns/advice/{item.pk}/"
    assert the_request(story).outcome == AdviceRequest.Outcome.WITHDRAWN
    late = signed_in(story.ravi).post(
        f"/concerns/advice/{item.pk}/answer/",
        {**FIVE, "reply": "Let us talk", "outcome": "advice", "version": "1"},
        follow=True,
    )
    html = assert_sound_page(late)
    assert "This request is no longer waiting for an answer: Withdrawn." in html
    assert the_request(story).outcome == AdviceRequest.Outcome.WITHDRAWN


def test_a_request_for_advice_appears_on_no_concern_page(story):
    concern = concern_on(story, Concern.Path.CLIENT_RELATIONSHIP)
    with scope(organisation=story.harbourside.pk):
        advice.ask_for_advice(actor=story.amina, asked=story.ravi, question=QUESTION)
    for member in (story.amina, story.ravi):
        case = assert_sound_page(signed_in(member).get(f"/concerns/{concern.pk}/"))
        assert QUESTION not in case and "request for advice" not in case.lower()
    with scope(organisation=story.harbourside.pk):
        Concern.objects.filter(pk=concern.pk).delete()
    mine = assert_sound_page(signed_in(story.amina).get("/concerns/"))
    assert "No concern has been recorded about your work." in mine and QUESTION not in mine
    managed = assert_sound_page(signed_in(story.ravi).get("/concerns/"))
    assert "No concern about the people you manage." in managed
