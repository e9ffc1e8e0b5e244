"""Support at work, the module's home page (issue 7; §3.10–§3.13, §4.2): what support I have,
whom I support, HR's pairs and requests, a line manager's confirmations (only consented
ones), and the links to the other support. Working members, coaches and facilitators open
it; peer interviewers get 404 and another organisation's members see only their own; a coach sees only their
own pairs and a line manager never learns of a report's mentor here."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.support import mentoring
from peerwork.support.tests.test_mentoring_pairs import draft, pair_of

pytestmark = pytest.mark.django_db

HOME = "/support/"


def test_who_opens_support_at_work(story):
    for name in ("amina", "ravi", "grace", "daniel", "chen", "samuel", "joseph", "olena"):
        assert_sound_page(signed_in(getattr(story, name)).get(HOME))
    # Coaches and facilitators may come from outside: they open it and see only theirs.
    for name in ("leila", "farah"):
        assert_sound_page(signed_in(getattr(story, name)).get(HOME))
    assert signed_in(story.peter).get(HOME).status_code == 404
    # Taras opens Riverside's, which shows nothing of Harbourside.
    html = assert_sound_page(signed_in(story.taras).get(HOME))
    assert "Samuel Kiprop" not in html and "Leila Haddad" not in html


def test_amina_sees_her_mentor_and_samuel_whom_he_supports(story):
    agreement = draft(story, duty=False)
    pair = pair_of(story)
    html = assert_sound_page(signed_in(story.amina).get(HOME))
    assert "Peer mentoring with Samuel Kiprop" in html
    assert f"/support/agreements/{agreement.pk}/" in html
    assert "acknowledge them" in html  # the reporting duty waits for her
    assert "Ask for a peer mentor" not in html  # she has one
    html = assert_sound_page(signed_in(story.samuel).get(HOME))
    assert "Whom I support" in html and f"/support/pairs/{pair.pk}/" in html
    assert "Amina Wanjiru" in html and "Olena Petrenko" not in html


def test_a_coach_sees_only_their_own_pairs(story):
    html = assert_sound_page(signed_in(story.leila).get(HOME))
    assert "Olena Petrenko" in html and "Amina Wanjiru" not in html
    assert "Pairs and requests" not in html


def test_joseph_without_a_mentor_may_ask_for_one(story):
    html = assert_sound_page(signed_in(story.joseph).get(HOME))
    assert "You have no mentor or coach at the moment." in html
    assert 'href="/support/requests/new/"' in html


def test_hr_sees_how_many_pairs_and_requests_and_the_way_to_them(story):
    with scope(organisation=story.harbourside.pk):
        mentoring.ask_for_mentor(actor=story.joseph, note="Evenings suit me.")
    html = assert_sound_page(signed_in(story.grace).get(HOME))
    assert "2 current pairs" in html and "1 request waiting" in html
    assert 'href="/support/pairs/"' in html


def test_a_line_manager_sees_only_shared_answers_and_nothing_of_a_mentor(story):
    draft(story)
    html = assert_sound_page(signed_in(story.ravi).get(HOME))
    assert "No answers have been shared with you." in html
    assert "Samuel Kiprop" not in html and "Amina Wanjiru" not in html


def test_a_line_manager_sees_a_consented_answer_on_support_at_work(story):
    draft(story, consent=True)
    with scope(organisation=story.harbourside.pk):
        mentoring.confirm_support(actor=story.samuel, pair=pair_of(story), taking_place=True)
    html = assert_sound_page(signed_in(story.ravi).get(HOME))
    assert "Amina Wanjiru" in html and "yes, support is taking place" in html
    assert "Samuel Kiprop" not in html
