"""Area D through the API (issue 8 item 8; shared/API.md): requests for advice before acting
(§4.6): asking (400 for someone the asker may not ask), reading (the two only, 404 for
anyone else), answering (403 for the asker, 409 over a withdrawal, 422 for an answer that
is not yes, no or not sure), withdrawing; lists that carry no words; the paths a concern
can follow; and the other paths' stages recorded through the concern's steps with each
path's own rules (400)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.concerns.models import AdviceRequest, Concern
from peerwork.concerns.tests.test_other_paths import FIVE, concern_on, today
from peerwork.core.models import AuditEvent
from peerwork.people.tests.api_calls import get, post

pytestmark = pytest.mark.django_db

QUESTION = "A client I have known since school asked me to move in"


def ask(story, asked="samuel") -> dict:
    made = post(
        story.amina,
        "/advice-requests",
        {"asked": str(getattr(story, asked).pk), "question": QUESTION},
    )
    assert made.status_code == 201, made.content
    return made.json()


def test_amina_asks_her_peer_mentor_who_answers_with_approval(story):
    refused = post(
        story.amina, "/advice-requests", {"asked": str(story.taslima.pk), "question": QUESTION}
    )
    assert refused.status_code == 400 and "asked" in refused.json()["errors"]
    elsewhere = post(
        story.amina, "/advice-requests", {"asked": str(story.taras.pk), "question": QUESTION}
    )
    assert elsewhere.status_code == 400 and "asked" in elsewhere.json()["errors"]
    empty = post(story.amina, "/advice-requests", {"asked": str(story.samuel.pk), "question": ""})
    assert empty.status_code == 400 and "question" in empty.json()["errors"]

    made = ask(story)
    assert made["outcome"] == "waiting" and made["question"] == QUESTION
    assert made["answers"] is None and made["reply"] is None
    path = f"/advice-requests/{made['id']}"
    for outsider in ("ravi", "grace", "daniel", "leila", "taras"):
        assert get(getattr(story, outsider), path).status_code == 404, outsider
    read = get(story.samuel, path)
    assert read.status_code == 200 and read["ETag"] == f'"{made["version"]}"'
    with scope(organisation=story.harbourside.pk):
        assert AuditEvent.objects.filter(
            action="concerns.advice.read", actor_id=story.samuel.pk
        ).exists()

    answer = {"answers": FIVE, "reply": "Being open was right. Go ahead.", "outcome": "approved"}
    assert post(story.amina, f"{path}/answer", answer).status_code == 403
    assert (
        post(story.samuel, f"{path}/answer", {**answer, "outcome": "withdrawn"}).status_code == 422
    )
    bad = {**answer, "answers": {**FIVE, "power": "perhaps"}}
    assert post(story.samuel, f"{path}/answer", bad).status_code == 422
    answered = post(story.samuel, f"{path}/answer", answer, if_match=made["version"])
    assert answered.status_code == 200
    body = answered.json()
    assert body["outcome"] == "approved" and body["answers"] == FIVE
    assert body["reply"] == "Being open was right. Go ahead."
    assert post(story.samuel, f"{path}/answer", answer).status_code == 400  # answered once
    assert post(story.amina, f"{path}/withdraw").status_code == 400  # nothing waits
    with scope(organisation=story.harbourside.pk):
        assert not Concern.objects.exists()  # advice is never a concern


def test_the_asker_withdraws_while_it_waits_and_a_late_answer_is_refused(story):
    made = ask(story, asked="ravi")
    path = f"/advice-requests/{made['id']}"
    assert post(story.ravi, f"{path}/withdraw").status_code == 403
    assert post(story.amina, f"{path}/withdraw", if_match="W/x").status_code == 400
    withdrawn = post(story.amina, f"{path}/withdraw", if_match=made["version"])
    assert withdrawn.status_code == 200 and withdrawn.json()["outcome"] == "withdrawn"
    late = post(
        story.ravi,
        f"{path}/answer",
        {"answers": FIVE, "reply": "Let us talk", "outcome": "advice"},
        if_match=made["version"],
    )
    assert late.status_code == 400
    assert late.json()["detail"] == "This request is no longer waiting for an answer."
    with scope(organisation=story.harbourside.pk):
        assert AdviceRequest.objects.get(pk=made["id"]).outcome == "withdrawn"


def test_lists_show_mine_and_those_asked_of_me_without_their_words(story):
    made = ask(story, asked="ravi")
    for member in (story.amina, story.ravi):
        listed = get(member, "/advice-requests")
        assert listed.status_code == 200
        items = listed.json()["items"]
        assert [item["id"] for item in items] == [made["id"]]
        assert "question" not in items[0] and QUESTION not in listed.content.decode()
    assert get(story.grace, "/advice-requests").json()["items"] == []


def test_the_paths_a_concern_can_follow_name_their_stages_and_questions(story):
    assert get(story.peter, "/concern-paths").status_code == 404
    answer = get(story.ravi, "/concern-paths")
    assert answer.status_code == 200
    by_path = {row["path"]: row for row in answer.json()}
    complaint = by_path["client_complaint"]
    assert complaint["guide"] == "§4.5"
    mediation = next(s for s in complaint["stages"] if s["key"] == "mediation")
    assert [q["key"] for q in mediation["questions"]][:2] == ["worker_willing", "client_willing"]
    assert mediation["questions"][0]["options"] == [
        {"code": "yes", "label": "Yes"},
        {"code": "no", "label": "No"},
    ]
    supply = by_path["supply"]
    assert supply["stages"][0]["key"] == "client_safety"


def test_stages_of_the_other_paths_go_through_the_concerns_steps_with_their_rules(story):
    complaint = concern_on(story, Concern.Path.CLIENT_COMPLAINT)
    steps = f"/concerns/{complaint.pk}/steps"
    unwilling = {
        "stage": "mediation",
        "answers": {
            "worker_willing": "yes",
            "client_willing": "no",
            "held_on": today(story),
            "mediator": "hr",
        },
    }
    refused = post(story.ravi, steps, unwilling)
    assert refused.status_code == 400
    assert "both the worker and the client" in refused.json()["errors"]["client_willing"][0]
    no_grounds = post(story.ravi, steps, {"stage": "grounds", "answers": {"grounds": "no"}})
    assert no_grounds.status_code == 400 and "notes" in no_grounds.json()["errors"]
    assert (
        post(story.amina, steps, {"stage": "grounds", "answers": {"grounds": "no"}}).status_code
        == 403
    )

    relationship = concern_on(story, Concern.Path.CLIENT_RELATIONSHIP)
    steps = f"/concerns/{relationship.pk}/steps"
    first = post(story.ravi, steps, {"stage": "questions", "answers": FIVE, "notes": "Old friends"})
    assert first.status_code == 201
    approved = post(
        story.ravi,
        steps,
        {"stage": "outcome", "answers": {"outcome": "approved"}, "notes": "Approved"},
    )
    assert approved.status_code == 201
    with scope(organisation=story.harbourside.pk):
        closed = Concern.objects.get(pk=relationship.pk)
    assert closed.state == "closed" and closed.outcome == "resolved"
