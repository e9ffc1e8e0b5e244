"""The risk circle part of the demo story (peerwork/selfcare/demo_circle.py, DEMO.md):
Amina's circle of six areas in her own words, saved twice and once more by the suggestion
of Samuel's she kept, opened to Samuel for two weeks with his second suggestion waiting;
and a second seed changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core import demo
from peerwork.core.models import Membership
from peerwork.selfcare import circles
from peerwork.selfcare.demo_circle import ARREST_OUTREACH, DEBT, FAMILY, KEPT, WAITING
from peerwork.selfcare.models import CircleSuggestion, Opening, RiskCircle, RiskCircleVersion

AVOIDED = ("clean", "addict", "junkie", "abuse", "dirty")


def member(username: str) -> Membership:
    with scopes_disabled():
        return Membership.objects.select_related("user", "organisation").get(
            organisation__slug="harbourside", user__username=username
        )


def counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            model.__name__: model._base_manager.count()
            for model in (RiskCircle, RiskCircleVersion, Opening, CircleSuggestion)
        }


@pytest.mark.django_db
def test_the_demo_gives_amina_a_circle_opened_to_samuel_and_seeds_it_once(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = "harbour-demo-2026"
    demo.seed()
    amina, samuel = member("amina"), member("samuel")
    with scope(organisation=amina.organisation_id):
        circle = circles.circle_of(amina)
        assert circle is not None
        areas = circles.parse_content(circle.content)
        assert len(areas) == 6 and FAMILY in [a.name for a in areas]
        by_name = {a.name: a for a in areas}
        assert by_name[ARREST_OUTREACH].rating == 7 and by_name[DEBT].rating == 4
        assert by_name[ARREST_OUTREACH].management.endswith(KEPT[2])
        for area in areas:
            words = f"{area.name} {area.prevention} {area.management}".lower()
            assert not any(word in words for word in AVOIDED), area.name
        versions = circles.versions_of(circle)
        assert [v.number for v in versions] == [3, 2, 1]
        assert versions[-1].saved_at < timezone.now() - dt.timedelta(days=100)
        compared = circles.compare(
            circles.parse_content(versions[2].content), circles.parse_content(versions[1].content)
        )
        assert [a.name for a in compared.added] == [FAMILY]
        [opening] = circles.live_openings_of(circle)
        assert opening.grantee_id == samuel.pk
        assert dt.timedelta(days=13) < opening.expires_at - timezone.now() <= dt.timedelta(days=14)
        [waiting] = circles.pending_suggestions(circle)
        assert str(waiting.text) == WAITING[2]
        assert CircleSuggestion.objects.filter(circle=circle, accepted=True).count() == 1
    before = counts()
    demo.seed()
    assert counts() == before
    with scope(organisation=amina.organisation_id):
        assert circles.circle_of(amina).version == circle.version
