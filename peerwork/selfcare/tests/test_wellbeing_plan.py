"""The personal relapse plan (§3.9): cravings, risky situations, where I get help, people I
can call, with "a lapse is not collapse" in our words; too long text refused with what was
typed kept; a save over a plan changed meanwhile refused; deleting; nobody else's."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.core.versions import StaleVersion
from peerwork.selfcare import wellbeing
from peerwork.selfcare.models import RelapsePlan

pytestmark = pytest.mark.django_db

PLAN = "/selfcare/plan/"
EDIT = "/selfcare/plan/edit/"


def typed(version: int = 0, **changes: object) -> dict[str, object]:
    """A plan as Amina types it: two craving ways, one situation, money help, one person."""
    data: dict[str, object] = {
        "version": str(version),
        "cravings": ["walk", "talk"],
        "own_cravings": "Drink a big glass of water\nRing my sister",
        "situation-TOTAL_FORMS": "2",
        "situation-INITIAL_FORMS": "0",
        "situation-0-situation": "Payday evening near the market",
        "situation-0-response": "Go straight home by bus",
        "situation-0-refusal": "Not tonight, I'm working early",
        "situation-1-situation": "",
        "situation-1-response": "",
        "situation-1-refusal": "",
        "factor_finances": "The savings group at church",
        "supporter-TOTAL_FORMS": "1",
        "supporter-INITIAL_FORMS": "0",
        "supporter-0-name": "Samuel",
        "supporter-0-contact": "0712 000 111",
    }
    data.update(changes)
    return data


def plan_of(story) -> RelapsePlan | None:
    with scope(organisation=story.harbourside.pk):
        return RelapsePlan.objects.filter(owner=story.amina).first()


def content_of(story) -> dict[str, object]:
    found = plan_of(story)
    assert found is not None
    with scope(organisation=story.harbourside.pk):
        return json.loads(RelapsePlan.objects.get(pk=found.pk).content)


def make(story) -> RelapsePlan:
    with scope(organisation=story.harbourside.pk):
        return wellbeing.save_plan(
            actor=story.amina, content={"cravings": ["music"], "own_cravings": ["Ring my sister"]}
        )


def test_without_a_plan_the_page_explains_it_and_that_a_slip_is_not_a_fall(story):
    html = assert_sound_page(signed_in(story.amina).get(PLAN))
    assert "A slip is not a fall." in html
    assert "Make my plan" in html and "never opened to anyone" in html


def test_the_form_suggests_ways_through_a_craving_and_asks_the_four_parts(story):
    html = assert_sound_page(signed_in(story.amina).get(EDIT))
    for item in wellbeing.CRAVING_SUGGESTIONS:
        assert str(item.label) in html
    for item in wellbeing.FACTOR_AREAS:
        assert str(item.label) in html
    assert "How I say no if I am offered" in html and "How I reach them" in html
    assert "A slip is not a fall." in html


def test_amina_makes_her_plan_and_reads_it_back(story):
    client = signed_in(story.amina)
    response = client.post(EDIT, typed())
    assert response.status_code == 302 and response["Location"] == PLAN
    assert content_of(story) == {
        "cravings": ["talk", "walk"],
        "own_cravings": ["Drink a big glass of water", "Ring my sister"],
        "situations": [
            {
                "situation": "Payday evening near the market",
                "response": "Go straight home by bus",
                "refusal": "Not tonight, I'm working early",
            }
        ],
        "factors": {"finances": "The savings group at church"},
        "supporters": [{"name": "Samuel", "contact": "0712 000 111"}],
    }
    html = assert_sound_page(client.get(PLAN))
    for text in (
        "Go for a walk",
        "Ring my sister",
        "Payday evening near the market",
        "Not tonight, I&#x27;m working early",
        "The savings group at church",
        "0712 000 111",
    ):
        assert text in html, text


def test_the_edit_form_shows_the_plan_with_room_for_one_more_row(story):
    client = signed_in(story.amina)
    client.post(EDIT, typed())
    html = assert_sound_page(client.get(EDIT))
    assert "Payday evening near the market" in html
    assert 'name="situation-TOTAL_FORMS" value="2"' in html
    assert 'name="supporter-TOTAL_FORMS" value="2"' in html
    assert 'name="version" value="1"' in html


def test_a_situation_too_long_is_refused_and_everything_typed_is_kept(story):
    long = "On the way home " * 40
    response = signed_in(story.amina).post(EDIT, typed(**{"situation-0-situation": long}))
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "at most 500 characters" in html
    assert long.strip() in html
    assert "Ring my sister" in html and "0712 000 111" in html
    assert plan_of(story) is None


def test_an_own_way_over_a_line_too_long_is_refused_with_the_rest_kept(story):
    line = "Breathe slowly " * 30
    response = signed_in(story.amina).post(EDIT, typed(own_cravings=f"Walk\n{line}"))
    html = assert_sound_page(response)
    assert "Keep each line to 300 characters." in html
    assert line.strip() in html and "Payday evening near the market" in html
    assert plan_of(story) is None


def test_a_save_over_a_plan_changed_meanwhile_is_refused_keeping_what_was_typed(story):
    found = make(story)
    client = signed_in(story.amina)
    with scope(organisation=story.harbourside.pk):
        wellbeing.save_plan(
            actor=story.amina, content={"cravings": ["walk"]}, plan=found, version=1
        )
    response = client.post(EDIT, typed(version=1, **{"supporter-0-name": "Auntie Rose"}))
    html = assert_sound_page(response)
    assert "changed somewhere else meanwhile" in html
    assert "Auntie Rose" in html
    assert 'name="version" value="2"' in html
    assert content_of(story)["cravings"] == ["walk"]
    # Saving again goes over the newer plan knowingly.
    response = client.post(EDIT, typed(version=2, **{"supporter-0-name": "Auntie Rose"}))
    assert response.status_code == 302
    assert content_of(story)["supporters"] == [{"name": "Auntie Rose", "contact": "0712 000 111"}]


def test_a_plan_made_in_another_tab_meanwhile_is_not_overwritten(story):
    client = signed_in(story.amina)
    make(story)  # made elsewhere after this form was opened without a plan
    html = assert_sound_page(client.post(EDIT, typed(version=0)))
    assert "changed somewhere else meanwhile" in html
    assert content_of(story)["own_cravings"] == ["Ring my sister"]


def test_the_service_refuses_a_stale_version(story):
    found = make(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(StaleVersion):
        wellbeing.save_plan(actor=story.amina, content={}, plan=found, version=7)


def test_she_deletes_her_plan(story):
    found = make(story)
    client = signed_in(story.amina)
    assert "Delete my plan for good" in client.get(PLAN).content.decode()
    response = client.post(f"/selfcare/plan/{found.pk}/delete/", {"version": "1"})
    assert response.status_code == 302
    assert plan_of(story) is None


def test_a_delete_from_a_page_read_before_a_change_deletes_nothing(story):
    found = make(story)
    with scope(organisation=story.harbourside.pk):
        wellbeing.save_plan(actor=story.amina, content={}, plan=found, version=1)
    client = signed_in(story.amina)
    response = client.post(f"/selfcare/plan/{found.pk}/delete/", {"version": "1"}, follow=True)
    assert "so it was not deleted" in response.content.decode()
    assert plan_of(story) is not None


@pytest.mark.parametrize("name", ["ravi", "grace", "daniel", "samuel", "chen", "taras"])
def test_nobody_else_sees_or_deletes_her_plan(story, name):
    found = make(story)
    client = signed_in(getattr(story, name))
    assert "Ring my sister" not in client.get(PLAN).content.decode()
    assert "Ring my sister" not in client.get(EDIT).content.decode()
    response = client.post(f"/selfcare/plan/{found.pk}/delete/", {"version": "1"})
    assert response.status_code == 404
    assert plan_of(story) is not None
