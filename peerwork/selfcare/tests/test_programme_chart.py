"""The progress chart's geometry (issue 7 item 2; App. 8 "self-monitoring"): checked by
its numbers, not only that it renders. No database: the geometry is pure."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from peerwork.selfcare import programme_chart as chart
from peerwork.selfcare.programme_chart import Count

START = dt.date(2026, 3, 2)  # a Monday
END = START + dt.timedelta(days=20)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def words(
    summary: str = "3 of your last 7 recorded days were at or under your goal",
) -> chart.Words:
    return chart.Words(
        title="Progress chart",
        summary=summary,
        baseline="Baseline",
        goal="Goal: 2",
        goal_by="Goal date",
        dates={START: "2 Mar", END: "22 Mar"},
    )


def test_a_points_height_above_the_axis_is_proportional_to_its_count():
    counts = [Count(day(0), 0), Count(day(1), 2), Count(day(2), 4), Count(day(3), 8)]
    layout = chart.layout(counts, start=START, end=END)
    bottom = layout.plot_bottom
    heights = [bottom - p.y for p in layout.points]
    assert heights[0] == pytest.approx(0)
    assert heights[2] == pytest.approx(2 * heights[1])
    assert heights[3] == pytest.approx(4 * heights[1])
    # The axis ends at the round number above the highest count.
    assert layout.y_max == 10
    assert layout.points[3].y == pytest.approx(chart.y_of(8, layout.y_max))


def test_the_goal_line_sits_at_the_height_of_its_count():
    counts = [Count(day(0), 5), Count(day(1), 2)]
    layout = chart.layout(counts, start=START, end=END, target=2)
    assert layout.goal_y is not None
    point_at_two = layout.points[1]
    assert layout.goal_y == pytest.approx(point_at_two.y)
    assert layout.plot_top <= layout.goal_y <= layout.plot_bottom


def test_a_goal_above_every_count_still_fits_the_axis():
    layout = chart.layout([Count(day(0), 1)], start=START, end=END, target=7)
    assert layout.y_max >= 7
    assert layout.goal_y is not None and layout.goal_y >= layout.plot_top


def test_dates_run_left_to_right_whatever_order_they_come_in():
    counts = [Count(day(5), 1), Count(day(1), 3), Count(day(12), 2), Count(day(0), 4)]
    layout = chart.layout(counts, start=START, end=END)
    xs = [p.x for p in layout.points]
    assert [p.day for p in layout.points] == sorted(c.day for c in counts)
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert layout.points[0].x == pytest.approx(layout.plot_left)  # the first day, on the axis
    # Equal days apart are equal distances apart.
    assert chart.x_of(day(2), START, END) - chart.x_of(day(1), START, END) == pytest.approx(
        chart.x_of(day(11), START, END) - chart.x_of(day(10), START, END)
    )
    assert chart.x_of(END, START, END) == pytest.approx(layout.plot_right)


def test_the_baseline_band_covers_the_baseline_days_and_no_other():
    counts = [Count(day(n), 3, baseline=n < 7) for n in range(0, 14)]
    layout = chart.layout(counts, start=START, end=END, baseline=(day(0), day(6)))
    assert layout.band is not None
    x0, x1 = layout.band
    inside = [p for p in layout.points if x0 <= p.x <= x1]
    assert [p.day for p in inside] == [day(n) for n in range(0, 7)]
    step = chart.day_step(START, END)
    assert x1 == pytest.approx(chart.x_of(day(6), START, END) + step / 2)
    assert x0 == pytest.approx(layout.plot_left)  # clamped to the plot


def test_the_goal_date_is_marked_where_it_falls():
    goal_by = day(15)
    layout = chart.layout([], start=START, end=END, goal_by=goal_by)
    assert layout.goal_by_x == pytest.approx(chart.x_of(goal_by, START, END))


def test_an_empty_series_draws_no_points_but_still_its_frame():
    layout = chart.layout([], start=START, end=END, target=2)
    assert layout.points == []
    drawn = chart.svg(layout, words("Nothing recorded yet"))
    assert "<circle" not in drawn and "<polyline" not in drawn and "<rect" not in drawn
    assert drawn.startswith("<svg") and 'role="img"' in drawn
    assert "<desc" in drawn and "Nothing recorded yet" in drawn


def test_weekly_counts_are_bars_in_the_middle_of_their_week():
    weeks = [Count(day(0), 6), Count(day(7), 3), Count(day(14), 9)]
    layout = chart.layout(weeks, start=START, end=END, weekly=True)
    assert layout.start.weekday() == 0 and layout.end.weekday() == 6
    for count, point in zip(weeks, layout.points, strict=True):
        monday = chart.x_of(count.day, layout.start, layout.end)
        sunday_end = chart.x_of(count.day, layout.start, layout.end, 7.0)
        assert point.x == pytest.approx((monday + sunday_end) / 2)
        assert layout.bar_width < sunday_end - monday
    drawn = chart.svg(layout, words())
    assert drawn.count("<rect") == 3


def test_the_svg_draws_each_point_and_marks_baseline_points_hollow():
    counts = [Count(day(0), 3, baseline=True), Count(day(1), 2), Count(day(2), 1)]
    layout = chart.layout(counts, start=START, end=END, baseline=(day(0), day(0)), target=2)
    drawn = chart.svg(layout, words())
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+" fill="([^"]+)"', drawn)
    assert len(circles) == 3
    assert circles[0][2] == "#fff" and circles[1][2] != "#fff"
    assert float(circles[1][1]) == pytest.approx(layout.points[1].y, abs=0.05)
    assert 'stroke-dasharray="6 4"' in drawn  # the goal line is dashed, not only coloured
    assert "Baseline" in drawn and "Goal: 2" in drawn and "2 Mar" in drawn
    assert "style=" not in drawn and "<script" not in drawn


def test_words_in_the_chart_are_escaped():
    layout = chart.layout([], start=START, end=END)
    drawn = chart.svg(layout, words("<b>&</b>"))
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in drawn and "<b>" not in drawn


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (13, 20), (60, 100)]
)
def test_the_count_axis_ends_at_a_round_number_at_or_above_the_highest(value, top):
    assert chart.nice_max(value) == top


def test_a_chart_of_one_day_puts_it_in_the_middle():
    layout = chart.layout([Count(START, 2)], start=START, end=START)
    (point,) = layout.points
    assert point.x == pytest.approx((layout.plot_left + layout.plot_right) / 2)
