"""Asking for advice before acting (§4.6): whom a member may ask (their line manager, HR,
their peer mentor, their coach), the answer with the five questions, a reply and an
outcome that can be approval, withdrawing while it waits, version checks, neutral
messages to the two, audited reads by the person asked, and that a request for advice is
never a concern."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from peerwork.concerns import advice, intake
from peerwork.concerns.models import AdviceRequest, Concern
from peerwork.core.models import AuditEvent, Notification
from peerwork.core.notify import render
from peerwork.core.versions import StaleVersion
from peerwork.people.tests.api_calls import get

pytestmark = pytest.mark.django_db

FIVE_YES = dict.fromkeys(("professional", "power", "open", "before", "consent"), "yes")
QUESTION = "An old friend from the programme asked me to dinner next week"


def ask(story, *, asker="amina", asked="ravi", question=QUESTION) -> AdviceRequest:
    with scope(organisation=story.harbourside.pk):
        return advice.ask_for_advice(
            actor=getattr(story, asker), asked=getattr(story, asked), question=question
        )


def fresh(item: AdviceRequest) -> AdviceRequest:
    with scope(organisation=item.organisation_id):
        return AdviceRequest.objects.get(pk=item.pk)


def test_a_member_may_ask_her_line_manager_hr_and_her_peer_mentor_and_nobody_else(story):
    with scope(organisation=story.harbourside.pk):
        names = {m.user.username for m in advice.advisers_for(story.amina)}
        assert names == {"ravi", "grace", "samuel"}
        # Olena's coach is among hers; nobody is ever their own adviser.
        assert {m.user.username for m in advice.advisers_for(story.olena)} == {
            "ravi",
            "grace",
            "leila",
        }
        assert "grace" not in {m.user.username for m in advice.advisers_for(story.grace)}
        assert advice.relation_of(story.samuel, story.amina) == "Peer mentor"
        assert advice.relation_of(story.leila, story.olena) == "Coach"
    for outsider in ("taslima", "leila", "daniel", "amina"):
        with pytest.raises(ValidationError) as refused:
            ask(story, asked=outsider)
        assert "asked" in refused.value.message_dict, outsider


def test_asking_needs_a_question_and_the_person_asked_is_told_without_a_word_of_it(story):
    with pytest.raises(ValidationError) as refused:
        ask(story, question="   ")
    assert refused.value.message_dict == {"question": ["Write what you would like advice on."]}
    item = ask(story)
    assert item.outcome == AdviceRequest.Outcome.WAITING and item.asked_id == story.ravi.pk
    with scope(organisation=story.harbourside.pk):
        message = Notification.objects.get(kind=advice.ADVICE_ASKED.kind)
        assert message.recipient_id == story.ravi.pk
        shown = render(message)
    assert shown.link == f"/concerns/advice/{item.pk}/"
    assert "Amina" not in shown.subject + shown.body and "dinner" not in shown.body


def test_the_person_asked_answers_with_the_five_questions_and_approval_is_an_outcome(story):
    item = ask(story)
    with pytest.raises(PermissionDenied):
        advice.answer_advice(
            actor=story.amina, advice=item, answers=FIVE_YES, reply="Yes", outcome="approved"
        )
    with pytest.raises(ValidationError) as refused:
        advice.answer_advice(
            actor=story.ravi,
            advice=item,
            answers={**FIVE_YES, "power": "perhaps"},
            reply="",
            outcome="maybe",
        )
    assert set(refused.value.message_dict) == {"power", "reply", "outcome"}
    assert fresh(item).outcome == AdviceRequest.Outcome.WAITING
    with scope(organisation=story.harbourside.pk):
        advice.answer_advice(
            actor=story.ravi,
            advice=item,
            answers={**FIVE_YES, "power": "no", "before": "unsure"},
            reply="It began long before you worked here; thank you for being open.",
            outcome="approved",
            version=item.version,
        )
    answered = fresh(item)
    assert answered.outcome == AdviceRequest.Outcome.APPROVED and answered.answered_at
    assert answered.answers["power"] == "no" and answered.answers["before"] == "unsure"
    assert answered.reply.startswith("It began long before")
    with scope(organisation=story.harbourside.pk):
        told = Notification.objects.get(kind=advice.ADVICE_ANSWERED.kind)
    assert told.recipient_id == story.amina.pk
    # Answered once: a second answer is refused.
    with pytest.raises(ValidationError):
        advice.answer_advice(
            actor=story.ravi, advice=answered, answers=FIVE_YES, reply="x", outcome="advice"
        )


def test_an_answer_over_a_withdrawal_is_stale_and_the_asker_withdraws_only_while_waiting(story):
    item = ask(story)
    read_at = item.version
    with pytest.raises(PermissionDenied):
        advice.withdraw_advice(actor=story.ravi, advice=item)
    with scope(organisation=story.harbourside.pk):
        advice.withdraw_advice(actor=story.amina, advice=item, version=read_at)
        stale = AdviceRequest.objects.get(pk=item.pk)
        stale.outcome = AdviceRequest.Outcome.WAITING  # as Ravi's page still shows it
        with pytest.raises(StaleVersion):
            advice.answer_advice(
                actor=story.ravi,
                advice=stale,
                answers=FIVE_YES,
                reply="Let us talk",
                outcome="advice",
                version=read_at,
            )
    assert fresh(item).outcome == AdviceRequest.Outcome.WITHDRAWN
    with pytest.raises(ValidationError):
        advice.withdraw_advice(actor=story.amina, advice=fresh(item))


def test_the_person_asked_reading_the_question_is_audited_and_the_askers_own_read_is_not(story):
    item = ask(story)
    with scope(organisation=story.harbourside.pk):
        assert advice.read_question(actor=story.amina, advice=item) == QUESTION
        assert advice.read_question(actor=story.ravi, advice=item) == QUESTION
        reads = AuditEvent.objects.filter(action="concerns.advice.read", object_id=str(item.pk))
        assert [e.actor_id for e in reads] == [story.ravi.pk]
        with pytest.raises(PermissionDenied):
            advice.read_question(actor=story.grace, advice=item)


def test_a_request_for_advice_is_never_a_concern_nor_counted_or_listed_with_them(story):
    with scope(organisation=story.harbourside.pk):
        counts_before = intake.aggregates(story.harbourside)
    item = ask(story)
    ask(story, asker="olena", asked="grace")
    with scope(organisation=story.harbourside.pk):
        advice.answer_advice(
            actor=story.ravi, advice=item, answers=FIVE_YES, reply="Fine", outcome="not_approved"
        )
        assert not Concern.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="concerns.concern").exists()
        assert intake.aggregates(story.harbourside) == counts_before
        for member in (story.amina, story.ravi, story.grace, story.olena):
            assert not intake.concerns_visible_to(member).exists()
    for member in (story.amina, story.ravi, story.grace):
        listed = get(member, "/concerns")
        assert listed.status_code == 200 and listed.json()["items"] == []
