"""The burnout self-check (§3.9): the signs as ticks, the result for the person alone
(what the signs can mean, the seven individual strategies, whom to reach), never a score
or a count; nothing stored unless the person keeps it; a kept check is theirs alone."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.selfcare import wellbeing
from peerwork.selfcare.models import SelfCheck

pytestmark = pytest.mark.django_db

BURNOUT = "/selfcare/burnout/"
TICKED = {"body": ["tired", "aches"], "doing": ["sleep", "withdrawing", "focus"], "feeling": []}
OTHERS = ("ravi", "grace", "daniel", "samuel", "chen", "taras")


def checks(story) -> list[SelfCheck]:
    with scope(organisation=story.harbourside.pk):
        return list(SelfCheck.objects.all())


def kept(story, signs=("tired", "sleep"), note="A heavy month") -> SelfCheck:
    with scope(organisation=story.harbourside.pk):
        return wellbeing.keep_selfcheck(
            actor=story.amina,
            kind=SelfCheck.Kind.BURNOUT,
            content={"signs": list(signs), "note": note},
        )


def test_the_page_lists_the_signs_of_all_three_kinds_as_ticks(story):
    html = assert_sound_page(signed_in(story.amina).get(BURNOUT))
    for heading in ("In my body", "In what I do", "In how I feel"):
        assert heading in html
    assert html.count('type="checkbox"') == len(wellbeing.BURNOUT_SIGNS)
    assert "there is no score" in html


def test_the_result_says_what_the_signs_can_mean_and_what_helps(story):
    html = assert_sound_page(signed_in(story.amina).post(BURNOUT, TICKED))
    assert "Little energy, or tired most of the time" in html
    assert "Sleeping badly, or waking up still tired" in html
    assert str(wellbeing.BURNOUT_GROUPS[0].meaning) in html
    assert str(wellbeing.BURNOUT_GROUPS[1].meaning) in html
    # Nothing ticked in feelings: that group's meaning is not shown.
    assert str(wellbeing.BURNOUT_GROUPS[2].meaning) not in html
    for strategy in wellbeing.INDIVIDUAL_STRATEGIES:
        assert str(strategy.label) in html
    assert "Keep this privately" in html


def test_the_result_shows_no_score_no_level_and_no_count(story):
    html = signed_in(story.amina).post(BURNOUT, TICKED).content.decode()
    main = html[html.index('<main id="main"') : html.index("</main>")]
    visible = re.sub(r"<[^>]+>", " ", main)
    for word in ("score", "level", "out of", "of 24", "/24", "points", "high risk", "low risk"):
        assert word not in visible.lower().replace("there is no score", ""), word
    # The only digits on the result are in the name of nothing: no "5 signs", no totals.
    assert not re.search(r"\d", visible), re.findall(r".{20}\d.{20}", visible)


def test_the_result_names_her_peer_mentor(story):
    html = signed_in(story.amina).post(BURNOUT, TICKED).content.decode()
    assert "Samuel Kiprop, your peer mentor" in html
    assert 'href="/support/"' in html
    # Olena's coach for Olena; Ravi has nobody and is shown the way to find someone.
    assert (
        "Leila Haddad, your coach" in signed_in(story.olena).post(BURNOUT, TICKED).content.decode()
    )
    html = signed_in(story.ravi).post(BURNOUT, TICKED).content.decode()
    assert "Find a peer mentor, a coach or a support group" in html


def test_seeing_the_result_stores_nothing(story):
    with scopes_disabled():
        before = AuditEvent.objects.count()
    signed_in(story.amina).post(BURNOUT, TICKED)
    assert checks(story) == []
    with scopes_disabled():
        assert AuditEvent.objects.count() == before


def test_the_ticks_travel_in_the_form_not_in_a_link(story):
    html = signed_in(story.amina).get(BURNOUT).content.decode()
    assert re.search(r'<form method="post" action="/selfcare/burnout/"', html)


def test_keep_this_privately_seals_the_check_for_her(story):
    client = signed_in(story.amina)
    response = client.post(
        "/selfcare/burnout/keep/", {"signs": ["tired", "sleep"], "note": "After the funeral"}
    )
    (check,) = checks(story)
    assert response.status_code == 302
    assert response["Location"] == f"/selfcare/checks/{check.pk}/"
    with scope(organisation=story.harbourside.pk):
        stored = json.loads(SelfCheck.objects.get(pk=check.pk).content)
    assert stored == {"signs": ["tired", "sleep"], "note": "After the funeral"}
    html = assert_sound_page(client.get(response["Location"]))
    assert "After the funeral" in html and "Only you can see it." in html
    assert "Little energy, or tired most of the time" in html
    assert f'href="/selfcare/checks/{check.pk}/"' in client.get(BURNOUT).content.decode()


def test_the_sealed_column_does_not_hold_the_signs_in_clear(story):
    check = kept(story, note="Sleepless again")
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM selfcare_selfcheck WHERE id = %s", [check.pk.hex])
        (raw,) = cursor.fetchone()
    assert b"Sleepless" not in bytes(raw) and b"tired" not in bytes(raw)


def test_a_note_too_long_is_refused_and_the_result_stays(story):
    typed = "x" * (wellbeing.NOTE_MAX + 1)
    response = signed_in(story.amina).post(
        "/selfcare/burnout/keep/", {"signs": ["tired"], "note": typed}
    )
    html = assert_sound_page(response)
    assert "at most 2000 characters" in html and typed in html
    assert "Little energy, or tired most of the time" in html
    assert checks(story) == []


def test_she_deletes_a_kept_check(story):
    check = kept(story)
    response = signed_in(story.amina).post(f"/selfcare/checks/{check.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == BURNOUT
    assert checks(story) == []


@pytest.mark.parametrize("name", OTHERS)
def test_a_kept_check_is_not_found_for_anyone_else(story, name):
    check = kept(story)
    client = signed_in(getattr(story, name))
    assert client.get(f"/selfcare/checks/{check.pk}/").status_code == 404
    assert client.post(f"/selfcare/checks/{check.pk}/delete/").status_code == 404
    assert f"/selfcare/checks/{check.pk}/" not in client.get(BURNOUT).content.decode()
    assert len(checks(story)) == 1


def test_a_coach_without_the_self_care_tools_is_not_shown_the_page(story):
    # Leila is an external coach only: the tools are for working members.
    assert signed_in(story.leila).get(BURNOUT).status_code == 404
