"""The other Section 4 paths as stages (§4.3–§4.7, mediation; issue 8 item 4), recorded
through the one service every path shares (``paths.record_step``) with each path's own
rules: mediation only when everyone is willing (§4.3, §4.5, mediation between colleagues);
the organisation's support stated for a worker when a client's complaint has no grounds
(§4.5); approval as a real outcome that closes the concern (§4.6); the client's safety
first and the presumption of innocence (§4.7, App. 10 case 7); restorative justice as an
option, and when it is not (§4.4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from peerwork.concerns import other_paths, paths
from peerwork.concerns.models import Concern, PathStep
from peerwork.core.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db

Path = Concern.Path
FIVE = {"professional": "no", "power": "unsure", "open": "yes", "before": "yes", "consent": "yes"}


def concern_on(story: Any, path: str, *, person: str = "amina", by: str = "ravi") -> Concern:
    """A concern as the intake records one (§4.2), on ``path``."""
    org = story.harbourside
    with scope(organisation=org.pk):
        concern = Concern(
            organisation_id=org.pk,
            person=getattr(story, person),
            raised_by=getattr(story, by),
            source=Concern.Source.MANAGER,
            category=Concern.Category.CONDUCT,
            path=path,
            noticed_from=org.local_today() - dt.timedelta(days=7),
        )
        concern.what_happened = "Something happened at work"
        concern.save()
    return concern


def today(story: Any) -> str:
    return story.harbourside.local_today().isoformat()


def record(
    story: Any,
    concern: Concern,
    stage: str,
    answers: dict[str, object],
    notes: str = "",
    *,
    by: str = "ravi",
    version: int | None = None,
) -> PathStep:
    with scope(organisation=story.harbourside.pk):
        return paths.record_step(
            actor=getattr(story, by),
            concern=concern,
            stage_key=stage,
            answers=answers,
            notes=notes,
            version=version,
        )


def refused(story: Any, concern: Concern, stage: str, answers: dict[str, object], notes: str = ""):
    with pytest.raises(ValidationError) as error:
        record(story, concern, stage, answers, notes)
    with scope(organisation=story.harbourside.pk):
        assert not PathStep.objects.filter(concern=concern, stage=stage).exists()
    return error.value.message_dict


def test_every_other_path_is_registered_with_its_guide_section_and_stages():
    registered = {spec.path: spec for spec in paths.registered_paths()}
    for path, section in (
        (Path.PERSONAL_MODELS, "§4.3"),
        (Path.THEFT_FRAUD, "§4.4"),
        (Path.CLIENT_COMPLAINT, "§4.5"),
        (Path.CLIENT_RELATIONSHIP, "§4.6"),
        (Path.SUPPLY, "§4.7"),
    ):
        assert section in registered[path].guide, path
        assert registered[path].stages and str(registered[path].intro)
    assert registered[Path.MEDIATION].stages[-1].key == "mediation"
    # The five questions of §4.6 are one list, asked on both paths that need them.
    relationship = registered[Path.CLIENT_RELATIONSHIP].stage("questions")
    supply = registered[Path.SUPPLY].stage("relationship")
    assert relationship and supply and relationship.questions == supply.questions
    assert [q.kind for q in relationship.questions] == ["yes_no_unsure"] * 5


# --- §4.3 ----------------------------------------------------------------------------------


def test_personal_models_records_what_happened_a_way_and_refuses_an_unwilling_mediation(story):
    concern = concern_on(story, Path.PERSONAL_MODELS)
    assert "stage" in refused(
        story, concern, "intervention", {"intervention": "coaching", "held_on": today(story)}
    )
    record(
        story, concern, "what_happened", {"towards": "client"}, "Told a client to go to meetings"
    )
    errors = refused(
        story,
        concern,
        "intervention",
        {"intervention": "mediation", "all_willing": "no", "held_on": today(story)},
    )
    assert errors == {
        "all_willing": [
            "A mediation is held only when everyone taking part wants it. Choose another way, "
            "or ask them first."
        ]
    }
    step = record(
        story,
        concern,
        "intervention",
        {"intervention": "mediation", "all_willing": "yes", "held_on": today(story)},
    )
    assert step.answers["intervention"] == "mediation"
    with scope(organisation=story.harbourside.pk):
        links = other_paths.notes_for(concern, story.ravi).links
    assert any(link.url == "/concerns/library/" for link in links)


# --- §4.5 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("worker", "client"), [("no", "yes"), ("yes", "no"), ("no", "no")])
def test_a_mediation_with_a_client_is_refused_unless_both_are_willing(story, worker, client):
    concern = concern_on(story, Path.CLIENT_COMPLAINT)
    answers = {
        "worker_willing": worker,
        "client_willing": client,
        "held_on": today(story),
        "mediator": "hr",
    }
    errors = refused(story, concern, "mediation", answers, "We met")
    assert errors["client_willing"][0].startswith(
        "Mediation is only for when both the worker and the client want it (§4.5)."
    )
    record(
        story, concern, "mediation", {**answers, "worker_willing": "yes", "client_willing": "yes"}
    )


def test_no_grounds_needs_the_organisations_support_and_the_worker_reads_it(story):
    concern = concern_on(story, Path.CLIENT_COMPLAINT)
    record(story, concern, "complaint", {"raised_on": today(story)}, "Says the worker ignores him")
    record(story, concern, "client_meeting", {"met_on": today(story)}, "Feels left behind")
    errors = refused(story, concern, "grounds", {"grounds": "no"})
    assert errors == {
        "notes": [
            "No grounds were found: write the organisation's support for the worker. They "
            "will read it on their case page."
        ]
    }
    assert refused(story, concern, "grounds", {"grounds": "yes"}) == {
        "notes": ["Please write what was found."]
    }
    statement = "We looked into it and found no grounds. We stand behind your work."
    record(story, concern, "grounds", {"grounds": "no"}, statement)
    with scope(organisation=story.harbourside.pk):
        for_her = other_paths.notes_for(concern, story.amina).notices
        for_ravi = other_paths.notes_for(concern, story.ravi)
    assert [(n.title, n.text, n.tone) for n in for_her] == [
        ("The organisation stands behind you", statement, "success")
    ]
    assert for_ravi.notices[0].title == "The organisation stands behind Amina Wanjiru"
    assert not any("review" in link.url for link in for_ravi.links)


def test_grounds_found_lead_to_a_review_meeting_and_support_is_offered_to_the_worker(story):
    concern = concern_on(story, Path.CLIENT_COMPLAINT)
    record(story, concern, "grounds", {"grounds": "yes"}, "Kept a client waiting on purpose")
    with scope(organisation=story.harbourside.pk):
        ravi = other_paths.notes_for(concern, story.ravi)
        amina = other_paths.notes_for(concern, story.amina)
    planned = [link for link in ravi.links if link.stage == "grounds"]
    assert [link.url for link in planned] == [f"/concerns/reviews/new/?concern={concern.pk}"]
    assert not amina.links and not amina.notices  # the worker plans no meeting
    assert "offered" in refused(story, concern, "worker_support", {"accepted": "yes"})
    step = record(
        story,
        concern,
        "worker_support",
        {"offered": ["peer_mentor", "coaching"], "accepted": "yes"},
    )
    assert step.answers["offered"] == ["coaching", "peer_mentor"]


# --- §4.6 ----------------------------------------------------------------------------------


def test_approval_of_a_relationship_with_a_client_closes_the_concern_as_resolved(story):
    concern = concern_on(story, Path.CLIENT_RELATIONSHIP)
    assert "stage" in refused(story, concern, "outcome", {"outcome": "approved"}, "Approved")
    assert "power" in refused(story, concern, "questions", {**FIVE, "power": "maybe"}, "Notes")
    record(story, concern, "questions", FIVE, "They were friends for years before she was hired")
    record(story, concern, "outcome", {"outcome": "approved"}, "Approved, with a check-in in May")
    with scope(organisation=story.harbourside.pk):
        closed = Concern.objects.get(pk=concern.pk)
        assert closed.state == Concern.State.CLOSED
        assert closed.outcome == Concern.Outcome.RESOLVED and closed.closed_by_id == story.ravi.pk
        event = AuditEvent.objects.get(action="concerns.concern.close", object_id=concern.pk)
        assert event.detail == {"outcome": "resolved"} and event.actor_id == story.ravi.pk
        assert "approved (§4.6)" in closed.outcome_reason
        told = Notification.objects.filter(recipient=story.amina, kind="concerns.closed")
        assert told.exists()
        notices = other_paths.notes_for(closed, story.amina).notices
    assert notices[0].title == "The relationship is approved"
    # Closed: nothing more is recorded on it.
    with pytest.raises(ValidationError):
        record(story, closed, "questions", FIVE, "Again")


def test_boundaries_agreed_leave_the_concern_open(story):
    concern = concern_on(story, Path.CLIENT_RELATIONSHIP)
    record(story, concern, "questions", FIVE, "He lends money to clients he grew up with")
    record(story, concern, "outcome", {"outcome": "boundaries"}, "No more loans; a peer mentor")
    with scope(organisation=story.harbourside.pk):
        assert Concern.objects.get(pk=concern.pk).state == Concern.State.OPEN


# --- §4.7 ----------------------------------------------------------------------------------


def test_the_clients_safety_comes_first_and_the_person_is_presumed_innocent(story):
    concern = concern_on(story, Path.SUPPLY, by="grace")
    for stage, answers in (
        ("relationship", FIVE),
        ("investigation", {"alleged": "buying_for_client"}),
        ("suspension", {"suspended": "no"}),
    ):
        errors = refused(story, concern, stage, answers, "Notes")
        assert errors == {
            "stage": ["First record the client's safety: it comes before anything else (§4.7)."]
        }, stage
    record(
        story,
        concern,
        "client_safety",
        {"client": "reassigned", "decided_by": "together", "client_asked": "yes"},
        by="grace",
    )
    record(story, concern, "relationship", FIVE, "Bought for the client, for a cut", by="grace")
    with scope(organisation=story.harbourside.pk):
        for member in (story.amina, story.ravi, story.grace):
            notes = other_paths.notes_for(concern, member)
            assert notes.notices[0].title == "Presumed innocent"
            assert "remains an employee, until the investigation is completed" in (
                notes.notices[0].text
            )
        grace = other_paths.notes_for(concern, story.grace).links
        amina = other_paths.notes_for(concern, story.amina).links
    assert f"/concerns/investigations/new/?concern={concern.pk}" in [link.url for link in grace]
    assert all("investigations" not in link.url for link in amina)


def test_the_five_questions_need_a_client_and_a_suspension_needs_support(story):
    concern = concern_on(story, Path.SUPPLY, by="grace")
    record(story, concern, "client_safety", {"client": "no_client", "decided_by": "hr"}, by="grace")
    errors = refused(story, concern, "relationship", FIVE, "Notes")
    assert errors["stage"][0].startswith("No client is involved")
    assert "support" in refused(story, concern, "suspension", {"suspended": "yes"})
    step = record(
        story, concern, "suspension", {"suspended": "yes", "support": ["named_supporter"]}
    )
    assert step.answers == {"suspended": "yes", "support": ["named_supporter"]}


# --- §4.4 ----------------------------------------------------------------------------------


def test_restorative_justice_is_an_option_when_both_sides_are_willing(story):
    concern = concern_on(story, Path.THEFT_FRAUD)
    record(
        story, concern, "what_missing", {"kind": "equipment", "found_on": today(story)}, "A phone"
    )
    record(story, concern, "role", {"financial": "no", "managerial": "no"})
    willing = {"person_willing": "yes", "affected_willing": "yes", "repair": "agreed"}
    assert refused(story, concern, "restorative", willing, "Pays it back")["stage"]
    record(story, concern, "route", {"route": "restorative"})
    errors = refused(story, concern, "restorative", {**willing, "affected_willing": "no"}, "x")
    assert errors["affected_willing"][0].startswith("Restorative justice happens only when")
    assert refused(story, concern, "restorative", willing) == {
        "notes": ["Write the repair that was agreed."]
    }
    step = record(story, concern, "restorative", willing, "Replaces the phone over two months")
    assert step.answers["repair"] == "agreed"


def test_fraud_by_someone_with_financial_responsibility_goes_to_an_investigation(story):
    concern = concern_on(story, Path.THEFT_FRAUD)
    record(story, concern, "what_missing", {"kind": "fraud", "found_on": today(story)}, "Claims")
    record(story, concern, "role", {"financial": "yes", "managerial": "no"})
    errors = refused(story, concern, "route", {"route": "restorative"})
    assert "threshold of gross misconduct" in errors["route"][0]
    record(story, concern, "route", {"route": "investigation"})
    with scope(organisation=story.harbourside.pk):
        links = other_paths.notes_for(concern, story.grace).links
        ravi = other_paths.notes_for(concern, story.ravi).links
    # HR opens the investigation; the line manager may ask for a hand-off.
    assert [link.stage for link in links if "investigations" in link.url] == ["route"]
    assert not [link for link in ravi if "investigations" in link.url]
    handoff = [link for link in ravi if link.url == f"/concerns/{concern.pk}/handoff/"]
    assert [link.stage for link in handoff] == ["route"]


# --- mediation between colleagues ----------------------------------------------------------


def test_a_mediation_between_colleagues_waits_until_everyone_is_willing(story):
    concern = concern_on(story, Path.MEDIATION)
    record(story, concern, "who", {"involved": "colleague"}, "Disagree about the van rota")
    record(story, concern, "willing", {"person_willing": "yes", "others_willing": "no"})
    held = {"mediator": "colleague", "held_on": today(story)}
    errors = refused(story, concern, "mediation", held, "Agreed a rota")
    assert errors["stage"][0].startswith("A mediation is recorded only once everyone")
    with scope(organisation=story.harbourside.pk):
        willing = PathStep.objects.get(concern=concern, stage="willing")
    record(
        story,
        concern,
        "willing",
        {"person_willing": "yes", "others_willing": "yes"},
        version=willing.version,
    )
    early = (story.harbourside.local_today() - dt.timedelta(days=1)).isoformat()
    assert refused(story, concern, "mediation", {**held, "follow_up_on": early}, "x") == {
        "follow_up_on": ["The follow-up comes after the day it was held."]
    }
    assert "held_on" in refused(story, concern, "mediation", {**held, "held_on": "1900-01-01"}, "x")
    later = (story.harbourside.local_today() + dt.timedelta(days=30)).isoformat()
    step = record(story, concern, "mediation", {**held, "follow_up_on": later}, "Agreed a rota")
    assert step.answers["follow_up_on"] == later and step.recorded_at <= timezone.now()
