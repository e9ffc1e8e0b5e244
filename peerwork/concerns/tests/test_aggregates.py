"""Counts of concerns for the director and HR (issue 8 item 6): by category, path and
outcome, for this quarter and the four before it in the organisation's own dates, how many
reached a review meeting and how many were handed off; never a name, and any count from 1
to 4 shown as "fewer than 5" (with a second one hidden beside a lone one)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import intake
from peerwork.concerns.models import Concern, Handoff, ReviewMeeting
from peerwork.concerns.tests.test_api_concerns import record
from peerwork.core.tests.page_checks import assert_sound_page

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 5, 15, 9, 0, tzinfo=UTC)  # 2026, quarter 2, in Nairobi too


def counts(figures: tuple[intake.Figure, ...]) -> dict[str, int | None]:
    return {figure.code: figure.shown for figure in figures}


def raised_at(story, moment: dt.datetime, n: int = 1, **changes) -> list[Concern]:
    made = []
    for _i in range(n):
        concern = record(story, **changes)
        with scope(organisation=story.harbourside.pk):
            Concern.objects.filter(pk=concern.pk).update(raised_at=moment)
        made.append(concern)
    return made


def test_a_lone_small_count_hides_the_next_smallest_too():
    figures = intake.suppress([("a", "A", 6), ("b", "B", 2), ("c", "C", 9), ("d", "D", 0)])
    assert [(f.code, f.shown) for f in figures] == [("a", None), ("b", None), ("c", 9), ("d", 0)]
    two = intake.suppress([("a", "A", 1), ("b", "B", 4), ("c", "C", 7)])
    assert [f.shown for f in two] == [None, None, 7]
    none = intake.suppress([("a", "A", 5), ("b", "B", 0)])
    assert [f.shown for f in none] == [5, 0]
    alone = intake.suppress([("a", "A", 3), ("b", "B", 0)])
    assert [f.suppressed for f in alone] == [True, False]


def test_quarters_follow_the_organisations_calendar_and_five_are_shown(story):
    # 22:30 on 31 March in UTC is already 1 April in Nairobi: this quarter, not the last.
    raised_at(story, dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC), 5, category="attendance")
    raised_at(story, dt.datetime(2026, 3, 31, 20, 0, tzinfo=UTC), 6, category="performance")
    raised_at(story, dt.datetime(2025, 2, 1, 12, 0, tzinfo=UTC), 7)  # 2025 Q1: the fifth
    raised_at(story, dt.datetime(2024, 12, 1, 12, 0, tzinfo=UTC), 8)  # too long ago
    with scope(organisation=story.harbourside.pk):
        quarters = intake.aggregates(story.harbourside, now=NOW)
    assert [(q.year, q.number) for q in quarters] == [
        (2026, 2),
        (2026, 1),
        (2025, 4),
        (2025, 3),
        (2025, 2),
    ]
    assert quarters[0].starts == dt.date(2026, 4, 1) and quarters[0].ends == dt.date(2026, 6, 30)
    assert counts(quarters[0].by_category)["attendance"] == 5
    assert counts(quarters[1].by_category)["performance"] == 6
    assert counts(quarters[1].by_category)["attendance"] == 0
    assert sum(f.count for q in quarters for f in q.by_category) == 11  # 2025 Q1 not shown


def test_meetings_and_hand_offs_are_counted_and_small_ones_hidden(story):
    concerns = raised_at(story, NOW - dt.timedelta(days=1), 6, category="conduct")
    with scope(organisation=story.harbourside.pk):
        for concern in concerns[:5]:
            ReviewMeeting.objects.create(
                organisation=story.harbourside,
                concern=concern,
                person=story.amina,
                held_by=story.ravi,
                starts_at=NOW,
            )
        ReviewMeeting.objects.create(  # a cancelled meeting is not reached
            organisation=story.harbourside,
            concern=concerns[5],
            person=story.amina,
            held_by=story.ravi,
            starts_at=NOW,
            state=ReviewMeeting.State.CANCELLED,
        )
        Handoff.objects.create(
            organisation=story.harbourside,
            concern=concerns[0],
            person=story.amina,
            grounds=Handoff.Grounds.GROSS_MISCONDUCT,
            state=Handoff.State.HANDED_OFF,
        )
        intake.close_concern(
            actor=story.grace, concern=concerns[1], outcome="resolved", reason="Talked it through"
        )
        quarter = intake.aggregates(story.harbourside, now=NOW)[0]
    assert quarter.reached_meeting.shown == 5
    assert quarter.handed_off.count == 1 and quarter.handed_off.shown is None
    assert counts(quarter.by_outcome)["resolved"] is None  # one closed: fewer than 5
    assert counts(quarter.by_category)["conduct"] == 6


def test_the_page_shows_counts_and_never_a_name(story):
    raised_at(story, dt.datetime.now(UTC), 2, category="supply")
    raised_at(story, dt.datetime.now(UTC), 5, category="attendance")
    html = assert_sound_page(signed_in(story.daniel).get("/concerns/aggregates/"))
    assert "fewer than 5" in html and "Supplying or asking for drugs" in html
    assert "Reached a review meeting (planned or held)" in html
    assert "Amina" not in html and "Ravi Shah" not in html
    assert html.count('class="card"') == 5
    assert_sound_page(signed_in(story.grace).get("/concerns/aggregates/"))


@pytest.mark.parametrize("who", ["ravi", "amina", "chen", "samuel", "peter", "taras"])
def test_nobody_else_sees_the_counts(story, who):
    assert signed_in(getattr(story, who)).get("/concerns/aggregates/").status_code == 404


def test_the_counts_ask_the_database_as_often_for_many_concerns_as_for_a_few(story):
    raised_at(story, dt.datetime.now(UTC), 1)

    def queries() -> int:
        with (
            CaptureQueriesContext(connection) as captured,
            scope(organisation=story.harbourside.pk),
        ):
            intake.aggregates(story.harbourside)
        return len(captured.captured_queries)

    few = queries()
    raised_at(story, dt.datetime.now(UTC), 12)
    assert queries() == few <= 4
