"""Grief (§4.10, App. 11): usual and heavier reactions as information with what helps,
a clear line for getting help now, what the organisation can do; reading stores nothing;
a note is kept only when the person saves it, for them alone."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.selfcare import wellbeing
from peerwork.selfcare.models import SelfCheck

pytestmark = pytest.mark.django_db

GRIEF = "/selfcare/grief/"


def checks(story) -> list[SelfCheck]:
    with scope(organisation=story.harbourside.pk):
        return list(SelfCheck.objects.all())


def test_the_page_tells_usual_from_heavier_reactions_with_what_helps(story):
    html = assert_sound_page(signed_in(story.amina).get(GRIEF))
    assert "Usual reactions to a loss" in html and "Heavier reactions" in html
    for help_texts in wellbeing.GRIEF_HELP.values():
        for text in help_texts:
            assert str(text) in html
    assert "This page is information, not a diagnosis." in html


def test_the_page_says_plainly_when_to_get_help_now(story):
    html = signed_in(story.amina).get(GRIEF).content.decode()
    assert "If you are thinking about ending your life, or have tried, get help today." in html


def test_the_page_says_what_the_organisation_can_do(story):
    html = signed_in(story.amina).get(GRIEF).content.decode()
    assert "21 July, International Drug User Remembrance Day" in html
    assert "memorial book" in html and "time and a place to mourn during working hours" in html


def test_the_page_prompts_her_to_reach_her_mentor(story):
    html = signed_in(story.amina).get(GRIEF).content.decode()
    assert "Samuel Kiprop, your peer mentor" in html


def test_reading_the_page_stores_nothing(story):
    with scopes_disabled():
        before = AuditEvent.objects.count()
    signed_in(story.amina).get(GRIEF)
    assert checks(story) == []
    with scopes_disabled():
        assert AuditEvent.objects.count() == before


def test_a_saved_note_is_sealed_for_her_and_shown_with_what_helps(story):
    client = signed_in(story.amina)
    response = client.post(
        GRIEF, {"usual": ["crying", "sleep"], "heavier": [], "note": "For Wanjiku, lost in May"}
    )
    (check,) = checks(story)
    assert check.kind == SelfCheck.Kind.GRIEF
    assert response["Location"] == f"/selfcare/checks/{check.pk}/"
    with scope(organisation=story.harbourside.pk):
        stored = json.loads(SelfCheck.objects.get(pk=check.pk).content)
    assert stored == {"noticed": ["sleep", "crying"], "note": "For Wanjiku, lost in May"}
    html = assert_sound_page(client.get(response["Location"]))
    assert "For Wanjiku, lost in May" in html and "Co-counselling" in html
    assert "get help today" not in html
    assert f'href="/selfcare/checks/{check.pk}/"' in client.get(GRIEF).content.decode()


def test_a_note_naming_thoughts_of_suicide_shows_the_line_for_help_now(story):
    client = signed_in(story.amina)
    response = client.post(GRIEF, {"heavier": ["suicide"], "note": ""})
    html = client.get(response["Location"]).content.decode()
    assert "get help today" in html and "A grief counsellor." in html


def test_nothing_ticked_and_nothing_written_keeps_nothing(story):
    html = assert_sound_page(signed_in(story.amina).post(GRIEF, {"note": "  "}))
    assert "there is nothing to keep" in html
    assert checks(story) == []


def test_a_note_too_long_is_refused_and_the_ticks_and_text_kept(story):
    typed = "remember " * 300
    response = signed_in(story.amina).post(GRIEF, {"usual": ["guilt"], "note": typed})
    html = assert_sound_page(response)
    assert "at most 2000 characters" in html and typed.strip() in html
    assert 'value="guilt" id="id_usual_2" checked' in html
    assert checks(story) == []


@pytest.mark.parametrize("name", ["ravi", "grace", "daniel", "samuel", "taras"])
def test_a_kept_grief_note_is_not_found_for_anyone_else(story, name):
    with scope(organisation=story.harbourside.pk):
        check = wellbeing.keep_selfcheck(
            actor=story.amina, kind=SelfCheck.Kind.GRIEF, content={"note": "For Wanjiku"}
        )
    client = signed_in(getattr(story, name))
    assert client.get(f"/selfcare/checks/{check.pk}/").status_code == 404
    assert "For Wanjiku" not in client.get(GRIEF).content.decode()
