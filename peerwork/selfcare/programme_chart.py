"""The self-control programme's progress chart (App. 8 "self-monitoring": records show
whether the strategies work), as inline SVG with no script.

Two halves, so tests can check the drawing by its numbers:

- ``layout`` is pure geometry: where each day's (or week's) count goes, where the goal
  line, the baseline band and the goal date fall. ``x`` grows with the date, ``y`` falls
  as the count rises (SVG's y runs downwards), in proportion to the count.
- ``svg`` writes the SVG string from a layout and the words to show, escaped. Styling is
  in attributes only (the CSP has no ``unsafe-inline``), and nothing relies on colour
  alone: baseline points are hollow, the goal line is dashed, the goal date dotted, and
  every mark has a text label. ``role="img"`` with a title and the summary in words as its
  description.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape

# The drawing's own units (viewBox); it scales to the width of the page.
WIDTH, HEIGHT = 360.0, 220.0
LEFT, RIGHT, TOP, BOTTOM = 34.0, 12.0, 22.0, 34.0
FONT = 11
POINT_RADIUS = 3.5

INK = "#1b1f24"
MUTED = "#4a5360"
BRAND = "#0b5d52"
BAND = "#e3e8ee"
GOAL = "#7a4a00"


@dataclass(frozen=True)
class Count:
    """A day's (or a week's, by its Monday) count, as the chart is given it."""

    day: dt.date
    count: int
    baseline: bool = False


@dataclass(frozen=True)
class Placed:
    day: dt.date
    count: int
    baseline: bool
    x: float
    y: float


@dataclass(frozen=True)
class Layout:
    start: dt.date
    end: dt.date
    weekly: bool
    y_max: int
    points: list[Placed]
    goal_y: float | None
    band: tuple[float, float] | None  # the baseline period's x range
    goal_by_x: float | None
    y_ticks: list[tuple[int, float]]
    x_ticks: list[tuple[dt.date, float]]
    bar_width: float

    @property
    def plot_left(self) -> float:
        return LEFT

    @property
    def plot_right(self) -> float:
        return WIDTH - RIGHT

    @property
    def plot_top(self) -> float:
        return TOP

    @property
    def plot_bottom(self) -> float:
        return HEIGHT - BOTTOM


def nice_max(value: float) -> int:
    """The top of the count axis: at least ``value`` and at least 1, rounded up to 1, 2 or
    5 times a power of ten (2 → 2, 3 → 5, 7 → 10, 13 → 20)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)  # pragma: no cover (the loop always returns)


def day_step(start: dt.date, end: dt.date) -> float:
    """The width of one day along the x axis."""
    return (WIDTH - LEFT - RIGHT) / max(1, (end - start).days)


def x_of(day: dt.date, start: dt.date, end: dt.date, offset_days: float = 0.0) -> float:
    """Where a date falls: ``start`` at the left edge of the plot, ``end`` at the right.
    A chart of one day puts it in the middle."""
    width = WIDTH - LEFT - RIGHT
    if end <= start:
        return LEFT + width / 2
    return LEFT + ((day - start).days + offset_days) * width / (end - start).days


def y_of(count: float, y_max: int) -> float:
    """Where a count falls: 0 on the bottom of the plot, ``y_max`` on its top, in
    proportion between."""
    height = HEIGHT - TOP - BOTTOM
    return HEIGHT - BOTTOM - (count / max(1, y_max)) * height


def layout(
    counts: Sequence[Count],
    *,
    start: dt.date,
    end: dt.date,
    baseline: tuple[dt.date, dt.date] | None = None,
    target: int | None = None,
    goal_by: dt.date | None = None,
    weekly: bool = False,
) -> Layout:
    """The chart's geometry. Weekly counts sit in the middle of their week; the frame
    widens to whole weeks so every bar fits."""
    if weekly:
        start = start - dt.timedelta(days=start.weekday())
        end = end + dt.timedelta(days=6 - end.weekday())
    end = max(end, start)
    y_max = nice_max(max([c.count for c in counts] + [target or 0, 1]))
    middle = 3.5 if weekly else 0.0
    ordered = sorted(counts, key=lambda c: c.day)
    points = [
        Placed(c.day, c.count, c.baseline, x_of(c.day, start, end, middle), y_of(c.count, y_max))
        for c in ordered
        if start <= c.day <= end
    ]
    step = day_step(start, end)
    band = None
    if baseline is not None:
        first, last = baseline
        if weekly:
            first = first - dt.timedelta(days=first.weekday())
            last = last + dt.timedelta(days=6 - last.weekday())
            x0, x1 = x_of(first, start, end), x_of(last, start, end, 1.0)
        else:
            x0 = x_of(first, start, end) - step / 2
            x1 = x_of(last, start, end) + step / 2
        band = (max(LEFT, x0), min(WIDTH - RIGHT, x1))
    goal_y = y_of(target, y_max) if target is not None else None
    goal_by_x = x_of(goal_by, start, end) if goal_by is not None and goal_by <= end else None
    y_ticks = [(0, y_of(0, y_max))]
    if y_max % 2 == 0 and y_max > 2:
        y_ticks.append((y_max // 2, y_of(y_max // 2, y_max)))
    y_ticks.append((y_max, y_of(y_max, y_max)))
    x_ticks = [(start, x_of(start, start, end))]
    if end > start:
        x_ticks.append((end, x_of(end, start, end)))
    bar_width = min(24.0, step * 7 * 0.6) if weekly else 0.0
    return Layout(
        start=start,
        end=end,
        weekly=weekly,
        y_max=y_max,
        points=points,
        goal_y=goal_y,
        band=band,
        goal_by_x=goal_by_x,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        bar_width=bar_width,
    )


@dataclass(frozen=True)
class Words:
    """What the chart says, in the reader's language (escaped here)."""

    title: str
    summary: str
    baseline: str
    goal: str
    goal_by: str
    dates: dict[dt.date, str]  # the x axis labels, by date


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def svg(chart: Layout, words: Words, *, element_id: str = "progress-chart") -> str:
    """The chart as an SVG element for the page."""
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    parts = [
        f'<svg id="{element_id}" class="chart" viewBox="0 0 {_n(WIDTH)} {_n(HEIGHT)}" '
        f'width="100%" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">',
        f'<title id="{title_id}">{escape(words.title)}</title>',
        f'<desc id="{desc_id}">{escape(words.summary)}</desc>',
    ]
    top, bottom = chart.plot_top, chart.plot_bottom
    left, right = chart.plot_left, chart.plot_right
    if chart.band is not None:
        x0, x1 = chart.band
        parts.append(
            f'<rect x="{_n(x0)}" y="{_n(top)}" width="{_n(max(0.0, x1 - x0))}" '
            f'height="{_n(bottom - top)}" fill="{BAND}"/>'
            f'<text x="{_n(x0 + 2)}" y="{_n(top - 6)}" fill="{MUTED}">'
            f"{escape(words.baseline)}</text>"
        )
    # Axes and the count ticks.
    parts.append(
        f'<path d="M{_n(left)} {_n(top)}V{_n(bottom)}H{_n(right)}" fill="none" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    for value, y in chart.y_ticks:
        parts.append(
            f'<text x="{_n(left - 5)}" y="{_n(y + 4)}" text-anchor="end" fill="{INK}">'
            f"{value}</text>"
        )
    for index, (day, x) in enumerate(chart.x_ticks):
        anchor = "start" if index == 0 else "end"
        label = words.dates.get(day, day.isoformat())
        parts.append(
            f'<text x="{_n(x)}" y="{_n(bottom + 16)}" text-anchor="{anchor}" '
            f'fill="{INK}">{escape(label)}</text>'
        )
    if chart.goal_by_x is not None:
        parts.append(
            f'<path d="M{_n(chart.goal_by_x)} {_n(top)}V{_n(bottom)}" stroke="{GOAL}" '
            f'stroke-width="1.5" stroke-dasharray="2 3"/>'
            f'<text x="{_n(chart.goal_by_x - 3)}" y="{_n(bottom + 30)}" text-anchor="end" '
            f'fill="{GOAL}">{escape(words.goal_by)}</text>'
        )
    if chart.weekly:
        for point in chart.points:
            fill = "#fff" if point.baseline else BRAND
            parts.append(
                f'<rect x="{_n(point.x - chart.bar_width / 2)}" y="{_n(point.y)}" '
                f'width="{_n(chart.bar_width)}" height="{_n(bottom - point.y)}" '
                f'fill="{fill}" stroke="{BRAND}" stroke-width="1.5"/>'
            )
    elif chart.points:
        if len(chart.points) > 1:
            line = " ".join(f"{_n(p.x)},{_n(p.y)}" for p in chart.points)
            parts.append(
                f'<polyline points="{line}" fill="none" stroke="{BRAND}" stroke-width="1"/>'
            )
        for point in chart.points:
            fill = "#fff" if point.baseline else BRAND
            parts.append(
                f'<circle cx="{_n(point.x)}" cy="{_n(point.y)}" r="{_n(POINT_RADIUS)}" '
                f'fill="{fill}" stroke="{BRAND}" stroke-width="1.5"/>'
            )
    if chart.goal_y is not None:
        parts.append(
            f'<path d="M{_n(left)} {_n(chart.goal_y)}H{_n(right)}" stroke="{GOAL}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{_n(right)}" y="{_n(chart.goal_y - 4)}" text-anchor="end" '
            f'fill="{GOAL}">{escape(words.goal)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
