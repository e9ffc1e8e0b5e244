"""The mentoring part of the demo (demo_mentoring.py, DEMO.md): Amina's mentoring agreement
with Samuel (exceptions to Daniel, all three agreed, the duty acknowledged, consent given,
three sessions, Samuel's "yes" for Ravi) and Olena's coaching agreement with Leila
(exceptions to Grace, agreed by Ravi for the organisation, two sessions, no consent); the
words follow LANGUAGE.md; a second run changes nothing."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from peerwork.core.demo import DemoContext
from peerwork.support import mentoring
from peerwork.support.demo_mentoring import AGREEMENTS, seed_mentoring
from peerwork.support.models import SupportAgreement, SupportSession
from peerwork.support.tests.test_mentoring_pairs import pair_of, today_there

pytestmark = pytest.mark.django_db

PEOPLE = ("amina", "samuel", "olena", "leila", "grace", "daniel", "ravi")
AVOIDED = re.compile(r"\b(clean|dirty|addict\w*|junkie|abuse\w*|relapse\w*)\b", re.IGNORECASE)


def demo_of(story) -> DemoContext:
    demo = DemoContext(password="demo")
    demo.organisations["harbourside"] = story.harbourside
    for name in PEOPLE:
        demo.members[("harbourside", name)] = getattr(story, name)
    return demo


def agreement_of(story, person: str) -> SupportAgreement:
    with scope(organisation=story.harbourside.pk):
        return SupportAgreement.objects.select_related("organisation_agreed_by").get(
            relationship=pair_of(story, person)
        )


def sessions_of(story, person: str) -> list[SupportSession]:
    with scope(organisation=story.harbourside.pk):
        return list(SupportSession.objects.filter(relationship=pair_of(story, person)))


def test_the_demo_tells_amina_and_olenas_support(story):
    demo = demo_of(story)
    seed_mentoring(demo)
    amina = agreement_of(story, "amina")
    assert amina.is_agreed() and amina.may_log_sessions()
    assert amina.exception_recipient_id == story.daniel.pk
    assert amina.frequency == "fortnightly" and amina.confirm_consent_at is not None
    assert amina.organisation_agreed_by_id == story.grace.pk
    assert amina.contact.startswith("Coffee")
    sessions = sessions_of(story, "amina")
    assert len(sessions) == 3
    assert all(s.held_on < today_there(story) for s in sessions)
    with scope(organisation=story.harbourside.pk):
        answer = mentoring.confirmation_for(story.ravi, story.amina)
    assert answer is not None and answer.taking_place is True

    olena = agreement_of(story, "olena")
    assert olena.is_agreed() and olena.organisation_agreed_by_id == story.ravi.pk
    assert olena.exception_recipient_id == story.grace.pk
    assert (olena.frequency, olena.session_minutes, olena.sessions) == ("monthly", 60, 6)
    assert olena.confirm_consent_at is None
    assert len(sessions_of(story, "olena")) == 2
    with scope(organisation=story.harbourside.pk):
        assert mentoring.confirmation_for(story.ravi, story.olena) is None
        # The pairs began before the first session.
        assert pair_of(story, "amina").started_on < min(s.held_on for s in sessions)


def test_the_demo_words_are_respectful(story):
    for spec in AGREEMENTS:
        for text in (spec.contact, spec.concerns_route, spec.exception_route):
            assert not AVOIDED.search(text), text
        for logged in spec.logged:
            assert not AVOIDED.search(logged.notes), logged.notes


def test_a_second_seed_changes_nothing(story):
    seed_mentoring(demo_of(story))
    before = (len(sessions_of(story, "amina")), agreement_of(story, "amina").version)
    again = demo_of(story)
    seed_mentoring(again)
    assert again.changes == 0
    assert (len(sessions_of(story, "amina")), agreement_of(story, "amina").version) == before
