"""The stress pulse part of the demo (peerwork/selfcare/demo_pulse.py): six finished weeks
at Harbourside, answered by the people who are really in each team; Coordination (five
people) shown in five weeks and "not enough answers" in one, the two-person teams never
shown, one receipt per person and week, this week left open, and a second seed adds
nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django_scopes import scope, scopes_disabled

from peerwork.core import demo
from peerwork.core.models import Membership
from peerwork.selfcare import demo_pulse, pulse
from peerwork.selfcare.models import PulseAnswer, PulseReceipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = "harbour-demo-2026"
    return demo.seed()


def member(username: str) -> Membership:
    with scopes_disabled():
        return Membership.objects.select_related("user", "organisation").get(
            organisation__slug="harbourside", user__username=username
        )


def counts() -> tuple[int, int]:
    with scopes_disabled():
        return PulseAnswer.objects.count(), PulseReceipt.objects.count()


def test_the_seed_has_a_step_for_the_pulse():
    assert "stress pulse" in demo.steps()


def test_six_weeks_of_answers_by_the_people_in_each_team_one_receipt_each(seeded):
    grace = member("grace")
    with scope(organisation=grace.organisation_id):
        found = pulse.overview(actor=grace)
        receipts = list(PulseReceipt.objects.select_related("member__user"))
        answers = list(PulseAnswer.objects.all())
    weeks = found.weeks[-demo_pulse.WEEKS :]
    # As many answers as receipts, all in the six finished weeks, none this week.
    assert len(answers) == len(receipts)
    assert {row.week_of for row in answers} == set(weeks)
    assert Counter((row.member_id, row.week_of) for row in receipts).most_common(1)[0][1] == 1
    by_team = {group.team.name: group for group in found.teams if group.team}
    coordination = [w for w in by_team["Coordination"].weeks if w.week_of in weeks]
    assert [w.answers for w in coordination].count(5) == 5
    assert [w.shown for w in coordination].count(False) == 1
    for small in ("Outreach", "Drop-in and counselling"):
        assert not by_team[small].shown, small
    # The whole organisation is Coordination's weeks shown, and nothing else.
    assert found.organisation is not None
    assert [w.answers for w in found.organisation.weeks] == [
        w.answers for w in by_team["Coordination"].weeks
    ]
    with scope(organisation=grace.organisation_id):
        assert not pulse.answered(member("amina"), found.this_week)
    people = {receipt.member.user.username for receipt in receipts}
    assert people == {"ravi", "grace", "daniel", "chen", "bashir"} | {
        "amina",
        "joseph",
        "olena",
        "samuel",
    }


def test_ravi_sees_his_reports_two_small_teams_with_nothing_shown(seeded):
    ravi = member("ravi")
    with scope(organisation=ravi.organisation_id):
        found = pulse.overview(actor=ravi)
    assert sorted(g.team.name for g in found.teams if g.team) == [
        "Drop-in and counselling",
        "Outreach",
    ]
    assert not any(group.shown for group in found.teams)


def test_a_second_seed_adds_nothing(seeded):
    before = counts()
    assert before[0] > 0
    demo.seed()
    assert counts() == before


def test_the_short_week_comes_once_in_any_six_weeks():
    monday = dt.date(2026, 11, 2)
    for start in range(12):
        window = [monday + dt.timedelta(weeks=start + back) for back in range(demo_pulse.WEEKS)]
        sizes = [len(demo_pulse.answers_of(week)) for week in window]
        assert sorted(sizes) == [7, 9, 9, 9, 9, 9]
