"""The anonymous team stress pulse, its services (issue 7 item 3; §3.9): one answer a week
with no link to its person, the week in Nairobi's time, and figures shown only for a team's
finished week of at least five answers, with an organisation total nobody can subtract a
small team out of."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django_scopes import scope

from peerwork.core.models import Membership, Team
from peerwork.selfcare import pulse
from peerwork.selfcare.models import PulseAnswer, PulseReceipt

pytestmark = pytest.mark.django_db

NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")
# A Wednesday noon in Nairobi: "now" for the services, so nothing here hangs on the clock.
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=NAIROBI)
THIS_WEEK = dt.date(2026, 3, 2)
LAST_WEEK = THIS_WEEK - dt.timedelta(weeks=1)
TWO_WEEKS_AGO = THIS_WEEK - dt.timedelta(weeks=2)

# The story's working members, all in the team "Outreach" (conftest.py).
WORKING = ("amina", "olena", "joseph", "ravi", "taslima", "grace", "daniel", "samuel", "chen")


def midweek(week: dt.date) -> dt.datetime:
    """Wednesday noon of the week of ``week``, where Harbourside works."""
    return dt.datetime.combine(week + dt.timedelta(days=2), dt.time(12, 0), tzinfo=NAIROBI)


def answer(story: Any, who: str, level: int, now: dt.datetime) -> dt.date:
    with scope(organisation=story.harbourside.pk):
        return pulse.answer(actor=getattr(story, who), level=level, now=now)


def answer_week(
    story: Any, week: dt.date, levels: Iterable[int], people: Iterable[str] = WORKING
) -> None:
    """Each of ``people`` in turn answers one of ``levels`` in the week of ``week``."""
    for who, level in zip(people, levels, strict=False):
        answer(story, who, level, midweek(week))


def move(story: Any, team: Team | None, *names: str) -> None:
    with scope(organisation=story.harbourside.pk):
        for name in names:
            member: Membership = getattr(story, name)
            member.team = team
            member.save(update_fields=["team"])


def new_team(story: Any, name: str) -> Team:
    with scope(organisation=story.harbourside.pk):
        return Team.objects.create(organisation=story.harbourside, site=story.site, name=name)


def overview(story: Any, who: str, now: dt.datetime = NOW) -> pulse.Overview:
    with scope(organisation=story.harbourside.pk):
        return pulse.overview(actor=getattr(story, who), now=now)


def week_of(group: pulse.GroupPulse | None, week: dt.date) -> pulse.WeekFigure:
    assert group is not None
    (found,) = [figure for figure in group.weeks if figure.week_of == week]
    return found


def team_named(found: pulse.Overview, name: str) -> pulse.GroupPulse:
    (group,) = [g for g in found.teams if g.team is not None and g.team.name == name]
    return group


def answers(story: Any) -> list[PulseAnswer]:
    with scope(organisation=story.harbourside.pk):
        return list(PulseAnswer.objects.all())


def receipts(story: Any) -> list[PulseReceipt]:
    with scope(organisation=story.harbourside.pk):
        return list(PulseReceipt.objects.all())


# --- what is kept -----------------------------------------------------------------------


def test_the_answer_row_has_no_link_to_a_person_and_no_time():
    fields = {field.name for field in PulseAnswer._meta.concrete_fields}
    assert fields == {"id", "organisation", "team", "week_of", "level"}
    assert not [
        field
        for field in PulseAnswer._meta.get_fields()
        if isinstance(field, models.DateTimeField)
        or getattr(field, "related_model", None) is Membership
    ]
    # The receipt names the person and the week, nothing about the answer.
    assert {field.name for field in PulseReceipt._meta.concrete_fields} == {
        "id",
        "organisation",
        "member",
        "week_of",
    }


def test_an_answer_keeps_a_receipt_for_the_person_and_the_level_with_the_team_only(story):
    week = answer(story, "amina", 4, NOW)
    assert week == THIS_WEEK
    (kept,) = answers(story)
    assert (kept.team_id, kept.week_of, kept.level) == (story.team.pk, THIS_WEEK, 4)
    (receipt,) = receipts(story)
    assert (receipt.member_id, receipt.week_of) == (story.amina.pk, THIS_WEEK)
    with scope(organisation=story.harbourside.pk):
        assert pulse.answered(story.amina, THIS_WEEK)
        assert not pulse.answered(story.olena, THIS_WEEK)


def test_someone_not_in_a_team_answers_for_the_week_only(story):
    move(story, None, "olena")
    answer(story, "olena", 2, NOW)
    (kept,) = answers(story)
    assert kept.team_id is None and kept.level == 2


def test_a_second_answer_in_a_week_is_refused_and_nothing_more_is_saved(story):
    answer(story, "amina", 2, NOW)
    with pytest.raises(ValidationError) as refused:
        answer(story, "amina", 5, NOW + dt.timedelta(days=2))
    assert refused.value.code == pulse.ALREADY_ANSWERED
    assert "You have already answered for this week." in refused.value.messages[0]
    assert "2026-03-09" in refused.value.messages[0]  # when the next week begins
    assert [row.level for row in answers(story)] == [2]
    assert len(receipts(story)) == 1


@pytest.mark.parametrize("level", [0, 6, -1, 100, True])
def test_a_level_outside_one_to_five_is_refused_and_nothing_is_saved(story, level):
    with pytest.raises(ValidationError) as refused:
        answer(story, "amina", level, NOW)
    assert refused.value.message_dict == {"level": ["Choose one of the five answers."]}
    assert answers(story) == [] and receipts(story) == []


@pytest.mark.parametrize("who", ["leila", "farah", "peter"])
def test_people_who_do_not_use_the_selfcare_tools_cannot_answer(story, who):
    with pytest.raises(Http404):
        answer(story, who, 3, NOW)
    assert answers(story) == []


def test_the_week_begins_on_monday_in_nairobi_not_in_utc(story):
    sunday_evening_utc = dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC)  # 23:30 in Nairobi
    monday_in_nairobi = dt.datetime(2026, 3, 1, 21, 30, tzinfo=dt.UTC)  # 00:30 on Monday
    assert answer(story, "amina", 3, sunday_evening_utc) == dt.date(2026, 2, 23)
    with pytest.raises(ValidationError):
        answer(story, "amina", 3, dt.datetime(2026, 3, 1, 20, 59, tzinfo=dt.UTC))
    # Still Sunday on the server's clock, already Monday where Amina works: a new week.
    assert answer(story, "amina", 4, monday_in_nairobi) == dt.date(2026, 3, 2)
    assert sorted(r.week_of for r in receipts(story)) == [dt.date(2026, 2, 23), THIS_WEEK]


def test_each_answer_writes_its_team_week_again_so_storage_order_pairs_nothing(story):
    answer_week(story, THIS_WEEK, [1, 2, 3, 4])
    before = {row.pk for row in answers(story)}
    answer(story, "chen", 5, NOW)
    after = answers(story)
    # Every row of the team's week is new (new keys, in a random order), not just one
    # added after the others: the newest receipt points at a batch, not at a row.
    assert before.isdisjoint(row.pk for row in after)
    assert sorted(row.level for row in after) == [1, 2, 3, 4, 5]
    # Another team's week is left as it was.
    other = new_team(story, "Drop-in")
    move(story, other, "samuel")
    answer(story, "samuel", 3, NOW)
    assert {row.pk for row in answers(story) if row.team_id == story.team.pk} == {
        row.pk for row in after
    }


# --- what is shown ----------------------------------------------------------------------


def test_a_team_week_with_four_answers_shows_nothing_not_even_the_count(story):
    answer_week(story, LAST_WEEK, [2, 3, 4, 5])
    figure = week_of(team_named(overview(story, "ravi"), "Outreach"), LAST_WEEK)
    assert figure == pulse.WeekFigure(LAST_WEEK)
    assert not figure.shown
    assert (figure.answers, figure.average, figure.high_share) == (None, None, None)


def test_a_team_week_with_five_answers_shows_its_count_average_and_share_of_a_lot(story):
    answer_week(story, LAST_WEEK, [1, 2, 3, 4, 5])
    figure = week_of(team_named(overview(story, "ravi"), "Outreach"), LAST_WEEK)
    assert figure.shown
    assert (figure.answers, figure.average, figure.high_share) == (5, 3.0, 40)


def test_the_open_week_is_shown_only_once_it_has_ended(story):
    answer_week(story, THIS_WEEK, [3, 3, 3, 3, 3])
    found = overview(story, "ravi")
    assert found.this_week == THIS_WEEK
    assert found.weeks[-1] == LAST_WEEK and len(found.weeks) == pulse.WEEKS_SHOWN
    assert THIS_WEEK not in found.weeks
    next_monday = overview(story, "ravi", NOW + dt.timedelta(days=5))
    assert week_of(team_named(next_monday, "Outreach"), THIS_WEEK).answers == 5


def test_the_organisation_total_leaves_out_a_team_too_small_to_show(story):
    drop_in = new_team(story, "Drop-in")
    move(story, drop_in, "olena", "joseph", "samuel")
    move(story, None, "chen")
    answer_week(story, LAST_WEEK, [2, 2, 3, 4, 4], ["amina", "ravi", "taslima", "grace", "daniel"])
    answer_week(story, LAST_WEEK, [5, 5, 5], ["olena", "joseph", "samuel"])
    answer_week(story, LAST_WEEK, [1], ["chen"])
    found = overview(story, "grace")
    outreach = week_of(team_named(found, "Outreach"), LAST_WEEK)
    small = week_of(team_named(found, "Drop-in"), LAST_WEEK)
    without_team = week_of(found.no_team, LAST_WEEK)
    whole = week_of(found.organisation, LAST_WEEK)
    assert not small.shown and not without_team.shown
    # The total is exactly the teams shown: subtracting them leaves nothing to reveal.
    assert whole == pulse.WeekFigure(LAST_WEEK, answers=5, average=3.0, high_share=40)
    assert (whole.answers, whole.average, whole.high_share) == (
        outreach.answers,
        outreach.average,
        outreach.high_share,
    )


def test_answers_without_a_team_count_in_the_total_only_when_they_alone_reach_five(story):
    move(story, None, "amina", "olena", "joseph", "samuel", "chen")
    answer_week(story, LAST_WEEK, [4, 4, 4, 4, 4], ["amina", "olena", "joseph", "samuel", "chen"])
    answer_week(story, LAST_WEEK, [1, 1, 1, 1], ["ravi", "taslima", "grace", "daniel"])
    answer_week(story, TWO_WEEKS_AGO, [4, 4], ["amina", "olena"])
    answer_week(story, TWO_WEEKS_AGO, [1, 2, 1, 2, 1], ["ravi", "taslima", "grace", "daniel"])
    found = overview(story, "daniel")
    assert week_of(found.no_team, LAST_WEEK).answers == 5
    assert not week_of(team_named(found, "Outreach"), LAST_WEEK).shown
    assert week_of(found.organisation, LAST_WEEK).answers == 5
    assert week_of(found.organisation, LAST_WEEK).average == 4.0
    # Two weeks ago only four in the team answered and two without one: nothing at all.
    assert not week_of(found.organisation, TWO_WEEKS_AGO).shown


def test_the_trend_compares_the_latest_week_shown_with_the_one_before(story):
    answer_week(story, TWO_WEEKS_AGO, [2, 2, 2, 2, 2])
    answer_week(story, LAST_WEEK, [3, 3, 3, 3, 2])
    outreach = team_named(overview(story, "ravi"), "Outreach")
    assert outreach.trend == pulse.Trend.HIGHER
    assert outreach.previous is not None and outreach.latest is not None
    assert (outreach.previous.week_of, outreach.latest.week_of) == (TWO_WEEKS_AGO, LAST_WEEK)
    assert (
        team_named(overview(story, "ravi", NOW - dt.timedelta(weeks=1)), "Outreach").trend is None
    )


def test_a_change_under_the_step_reads_as_about_the_same_and_a_fall_as_lower(story):
    three_weeks_ago = THIS_WEEK - dt.timedelta(weeks=3)
    answer_week(story, three_weeks_ago, [4, 4, 4, 4, 4])
    answer_week(story, TWO_WEEKS_AGO, [4, 4, 4, 4, 3])  # 3.8
    answer_week(story, LAST_WEEK, [1, 2])  # not shown: the trend skips it
    outreach = team_named(overview(story, "ravi"), "Outreach")
    assert outreach.trend == pulse.Trend.SAME
    answer_week(story, LAST_WEEK, [2, 2, 2], ["ravi", "taslima", "grace"])
    assert team_named(overview(story, "ravi"), "Outreach").trend == pulse.Trend.LOWER


# --- who sees what ----------------------------------------------------------------------


def test_ravi_sees_the_team_his_reports_are_in_and_no_organisation_total(story):
    found = overview(story, "ravi")
    assert [g.team.name for g in found.teams if g.team] == ["Outreach"]
    assert found.organisation is None and found.no_team is None


def test_a_line_manager_sees_only_teams_where_someone_reports_to_them(story):
    elsewhere = new_team(story, "Drop-in")
    move(story, elsewhere, "samuel", "chen")
    assert [g.team.name for g in overview(story, "ravi").teams if g.team] == ["Outreach"]
    move(story, elsewhere, "olena")
    assert [g.team.name for g in overview(story, "ravi").teams if g.team] == [
        "Drop-in",
        "Outreach",
    ]


@pytest.mark.parametrize("who", ["grace", "daniel"])
def test_hr_and_the_director_see_every_team_and_the_whole_organisation(story, who):
    new_team(story, "Drop-in")
    found = overview(story, who)
    assert [g.team.name for g in found.teams if g.team] == ["Drop-in", "Outreach"]
    assert found.organisation is not None and found.no_team is not None
    assert found.organisation.kind == "organisation" and found.no_team.kind == "no_team"


@pytest.mark.parametrize(
    "who", ["taslima", "amina", "samuel", "chen", "joseph", "leila", "farah", "peter"]
)
def test_everyone_else_gets_404_for_the_team_figures(story, who):
    answer_week(story, LAST_WEEK, [3, 3, 3, 3, 3])
    with pytest.raises(Http404):
        overview(story, who)
    with scope(organisation=story.harbourside.pk):
        assert not pulse.sees_team_figures(getattr(story, who))


def test_a_line_manager_of_another_organisation_sees_none_of_harbourside(story):
    answer_week(story, LAST_WEEK, [3, 3, 3, 3, 3])
    with scope(organisation=story.riverside.pk), pytest.raises(Http404):
        pulse.overview(actor=story.taras, now=NOW)
