"""The self-control programme part of the demo (demo_programme.py, DEMO.md): Amina's modest
programme with ten days of baseline, a small weekly goal, her strategies, the days logged
since and one revision, private to her; a second run changes nothing."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.demo import DemoContext
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.selfcare import programmes
from peerwork.selfcare.demo_programme import BASELINE, LOGGED, seed_aminas_programme
from peerwork.selfcare.models import Opening

pytestmark = pytest.mark.django_db


def demo_of(story) -> DemoContext:
    demo = DemoContext(password="demo")
    demo.organisations["harbourside"] = story.harbourside
    demo.members[("harbourside", "amina")] = story.amina
    return demo


def test_amina_has_a_modest_programme_that_only_she_sees(story):
    demo = demo_of(story)
    seed_aminas_programme(demo)
    assert demo.changes == 1
    with scope(organisation=story.harbourside.pk):
        (programme,) = programmes.programmes_of(story.amina)
        plan = programmes.read_programme(actor=story.amina, programme=programme)
        records = programmes.read_entries(actor=story.amina, programme=programme)
        assert not Opening.objects.exists()
    assert programme.started_on < programmes.local_today(story.amina)
    assert plan.goal is not None and (plan.goal.unit, plan.goal.target) == ("week", 1)
    assert programmes.baseline_days(records) == len(BASELINE) == 10
    assert len([r for r in records if not r.baseline]) == len(LOGGED)
    assert len(plan.strategy_codes) == 4 and plan.own_strategies
    (revision,) = plan.revisions
    assert revision.kind == "note" and revision.why
    html = assert_sound_page(signed_in(story.amina).get(f"/selfcare/programmes/{programme.pk}/"))
    assert "at most 1 time a week" in html and "Tea at the drop-in" in html
    assert signed_in(story.samuel).get(f"/selfcare/programmes/{programme.pk}/").status_code == 404


def test_a_second_seed_changes_nothing(story):
    seed_aminas_programme(demo_of(story))
    again = demo_of(story)
    seed_aminas_programme(again)
    assert again.changes == 0
    with scope(organisation=story.harbourside.pk):
        assert len(programmes.programmes_of(story.amina)) == 1
