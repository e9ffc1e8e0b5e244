"""The other Section 4 paths on the pages (issue 8 item 4): each path's intro and guide
section on the case page; the stages recorded on the one stage page every path shares,
where each path's rules refuse with a clear message and keep what was typed; the
organisation's support shown to the worker when a client's complaint had no grounds
(§4.5); the presumption of innocence on the §4.7 case and stage pages; approval closing a
§4.6 concern; and the stages' links to the training library, a review meeting and an
investigation."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns.models import Concern, PathStep
from peerwork.concerns.tests.test_other_paths import FIVE, concern_on, record, today
from peerwork.core.tests.page_checks import assert_sound_page

pytestmark = pytest.mark.django_db

Path = Concern.Path


def stage_url(concern: Concern, stage: str) -> str:
    return f"/concerns/{concern.pk}/stage/?stage={stage}"


def steps(story, concern: Concern) -> list[str]:
    with scope(organisation=story.harbourside.pk):
        return list(PathStep.objects.filter(concern=concern).values_list("stage", flat=True))


@pytest.mark.parametrize(
    ("path", "title", "section"),
    [
        (Path.PERSONAL_MODELS, "Imposing a personal model of drug use", "§4.3"),
        (Path.THEFT_FRAUD, "Theft or fraud", "§4.4"),
        (Path.CLIENT_COMPLAINT, "A client&#x27;s complaint about a worker", "§4.5"),
        (Path.CLIENT_RELATIONSHIP, "A relationship with a client", "§4.6, App. 10 case 5"),
        (Path.SUPPLY, "Supplying or asking for drugs", "§4.7, App. 10 case 7"),
        (Path.MEDIATION, "Mediation between colleagues", "§4.3, §4.5, §4.8"),
    ],
)
def test_the_case_page_shows_the_paths_intro_with_its_guide_section(story, path, title, section):
    concern = concern_on(story, path)
    html = assert_sound_page(signed_in(story.amina).get(f"/concerns/{concern.pk}/"))
    assert title in html and f"({section})" in html


def test_an_unwilling_client_refuses_the_mediation_stage_and_keeps_what_was_typed(story):
    concern = concern_on(story, Path.CLIENT_COMPLAINT)
    ravi = signed_in(story.ravi)
    response = ravi.post(
        stage_url(concern, "mediation"),
        {
            "worker_willing": "yes",
            "client_willing": "no",
            "held_on": today(story),
            "mediator": "external",
            "notes": "Typed before the refusal",
        },
    )
    html = assert_sound_page(response)
    assert "Mediation is only for when both the worker and the client want it (§4.5)." in html
    assert "Typed before the refusal" in html and 'id="id_client_willing_error"' in html
    assert steps(story, concern) == []


def test_the_worker_reads_the_organisations_support_when_there_are_no_grounds(story):
    concern = concern_on(story, Path.CLIENT_COMPLAINT)
    ravi = signed_in(story.ravi)
    refused = assert_sound_page(ravi.post(stage_url(concern, "grounds"), {"grounds": "no"}))
    assert "write the organisation&#x27;s support for the worker" in refused
    statement = "We heard the client and found no grounds. Your work with clients is valued."
    done = ravi.post(stage_url(concern, "grounds"), {"grounds": "no", "notes": statement})
    assert done.status_code == 302
    case = assert_sound_page(signed_in(story.amina).get(f"/concerns/{concern.pk}/"))
    assert "The organisation stands behind you" in case and statement in case
    assert "The organisation stands behind Amina Wanjiru" in assert_sound_page(
        ravi.get(f"/concerns/{concern.pk}/")
    )


def test_grounds_found_link_to_planning_a_review_meeting(story):
    concern = concern_on(story, Path.CLIENT_COMPLAINT)
    record(story, concern, "grounds", {"grounds": "yes"}, "Refused a client a kit twice")
    html = assert_sound_page(signed_in(story.ravi).get(stage_url(concern, "grounds")))
    assert f'href="/concerns/reviews/new/?concern={concern.pk}"' in html


def test_supply_starts_with_the_clients_safety_and_states_the_presumption_of_innocence(story):
    concern = concern_on(story, Path.SUPPLY, by="grace")
    grace = signed_in(story.grace)
    first = assert_sound_page(
        grace.post(
            stage_url(concern, "investigation"),
            {"alleged": "buying_for_client", "notes": "Kept after the refusal"},
        )
    )
    assert "First record the client&#x27;s safety" in first and "Kept after the refusal" in first
    stage = assert_sound_page(grace.get(stage_url(concern, "client_safety")))
    assert "Presumed innocent" in stage and "Moved to another worker" in stage
    done = grace.post(
        stage_url(concern, "client_safety"), {"client": "reassigned", "decided_by": "hr"}
    )
    assert done.status_code == 302 and steps(story, concern) == ["client_safety"]
    case = assert_sound_page(signed_in(story.amina).get(f"/concerns/{concern.pk}/"))
    assert "Presumed innocent" in case
    assert "remains an employee, until the investigation is completed" in case
    investigation = assert_sound_page(grace.get(stage_url(concern, "investigation")))
    assert f'href="/concerns/investigations/new/?concern={concern.pk}"' in investigation


def test_approving_a_relationship_on_the_page_closes_the_concern(story):
    concern = concern_on(story, Path.CLIENT_RELATIONSHIP)
    ravi = signed_in(story.ravi)
    questions = assert_sound_page(ravi.get(stage_url(concern, "questions")))
    assert "Was the staff member open about it, and did they ask for advice?" in questions
    assert "Not sure yet" in questions
    record(story, concern, "questions", FIVE, "Together since before she joined us")
    done = ravi.post(stage_url(concern, "outcome"), {"outcome": "approved", "notes": "Approved"})
    assert done.status_code == 302
    with scope(organisation=story.harbourside.pk):
        closed = Concern.objects.get(pk=concern.pk)
    assert closed.state == Concern.State.CLOSED and closed.outcome == Concern.Outcome.RESOLVED
    case = assert_sound_page(signed_in(story.amina).get(f"/concerns/{concern.pk}/"))
    assert "The relationship is approved" in case


def test_the_personal_models_and_theft_stages_offer_the_library_and_restorative_justice(story):
    models = concern_on(story, Path.PERSONAL_MODELS)
    record(story, models, "what_happened", {"towards": "colleague"}, "Called a colleague weak")
    html = assert_sound_page(signed_in(story.ravi).get(stage_url(models, "intervention")))
    assert 'href="/concerns/library/"' in html and "A coaching meeting" in html
    theft = concern_on(story, Path.THEFT_FRAUD)
    route = assert_sound_page(signed_in(story.ravi).get(stage_url(theft, "route")))
    assert "Restorative justice" in route and "An investigation" in route
