"""The risk assessment circle drawn as SVG (guide App. 3 steps 2–8), with no script.

App. 3 draws a circle cut into one part per risk area, each part marked for how much risk it
holds (step 4), then two circles around it: the inner ring for how the person prevents the
risk (step 7), the outer ring for how they would manage it if it happened anyway (step 8).
This module does the same in pure functions, so tests can check the geometry itself:

- ``sectors(n)``: ``n`` equal parts tiling the circle, clockwise from 12 o'clock.
- ``shade(rating)``: one hue, lighter for a low rating and darker for a high one, one step
  per point of the scale; the rating is also printed in its part, so nothing depends on
  telling colours apart (and the drawing prints in grey).
- ``fit(text, sector, size)``: the lines of a text placed inside an annular sector.
  Lines run along the circle (tangent to it, turned half a turn in the lower half so they
  read upright); each line's extent is estimated as characters × font size ×
  ``WIDTH_FACTOR`` wide and one font size high, and the placement keeps that box inside
  the sector's radii and angles. What does not fit is cut with "…": the page lists every
  area in full beside the drawing.
- ``layout(pieces)`` places everything; ``render(drawing, …)`` writes the SVG.

Angles are degrees clockwise from 12 o'clock; lengths are viewBox units (the drawing is
``SIZE`` units square and scales to the width of the page: a 360 px phone or A4 paper).
Styling is in attributes only (the CSP allows no inline styles).
"""

from __future__ import annotations

import colorsys
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape

SIZE = 640
CENTRE = SIZE / 2
HOLE = 22.0  # nothing is written this close to the centre
CORE = 178.0  # the circle of the risk areas
PREVENTION = 250.0  # the inner ring (preventing the risk) runs from CORE to here
MANAGEMENT = 318.0  # the outer ring (managing it if it happens) runs from PREVENTION to here

NAME_SIZE = 14.0  # smaller when there are many areas: see name_size()
RATING_SIZE = 24.0
RING_SIZE = 11.0
LINE_PITCH = 1.2  # line spacing, in font sizes
# A character's average advance in ems: a generous estimate for Latin and Cyrillic sans
# serif text, so the estimated box is never narrower than what a browser draws.
WIDTH_FACTOR = 0.6
PAD = 4.0  # kept clear inside every edge of a sector
ELLIPSIS = "…"
EPSILON = 1e-6

INK = "#1b1f24"
PAPER = "#ffffff"
LINE_COLOUR = "#4a5360"
PREVENTION_FILL = "#eef4f3"
MANAGEMENT_FILL = "#f8f9fb"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif"

# The shading: one warm hue, a lightness per rating from 1 to 10, lighter to darker. The
# steps skip the middle lightnesses, where neither dark nor white text would stand out
# enough (WCAG 4.5:1): ratings 1-6 take dark text, 7-10 white.
HUE, SATURATION = 12.0, 0.62
LIGHTNESS = (0.94, 0.87, 0.80, 0.73, 0.66, 0.58, 0.47, 0.41, 0.35, 0.28)


# --- geometry --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sector:
    """The part of an annulus between two angles (``inner`` 0: a wedge of the disc)."""

    start: float
    end: float
    inner: float
    outer: float

    @property
    def span(self) -> float:
        return self.end - self.start

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2

    @property
    def flipped(self) -> bool:
        """Text in the lower half is turned half a turn so that it reads upright."""
        return 90.0 < self.middle % 360 < 270.0


def sectors(count: int, inner: float = 0.0, outer: float = CORE) -> list[Sector]:
    """``count`` equal parts of the ring from ``inner`` to ``outer``, clockwise from 12
    o'clock: each spans 360/count degrees and the next starts where one ends."""
    if count < 1:
        return []
    step = 360.0 / count
    return [Sector(index * step, (index + 1) * step, inner, outer) for index in range(count)]


def point(radius: float, angle: float) -> tuple[float, float]:
    """Where a radius at a compass angle ends, in viewBox coordinates (y grows down)."""
    theta = math.radians(angle)
    return CENTRE + radius * math.sin(theta), CENTRE - radius * math.cos(theta)


def text_width(text: str, size: float) -> float:
    """The estimated width of a line of text."""
    return len(text) * size * WIDTH_FACTOR


def half_span(sector: Sector, radius: float, size: float) -> float:
    """How far a line centred on ``radius`` at the sector's middle may reach either side
    and stay inside: its box's inner edge stays outside ``inner``, its outer corners
    inside ``outer`` and its inner corners (the widest in angle) inside the side edges."""
    low, high = radius - size / 2, radius + size / 2
    if low < sector.inner + PAD - EPSILON or high > sector.outer - PAD + EPSILON or low <= 0:
        return 0.0
    by_radius = math.sqrt(max(0.0, (sector.outer - PAD) ** 2 - high**2))
    if sector.span >= 360.0:
        return by_radius
    half_angle = math.radians(sector.span / 2) - PAD / low
    if half_angle <= 0:
        return 0.0
    by_angle = low * math.tan(min(half_angle, math.radians(80)))
    return min(by_radius, by_angle)


def capacity(sector: Sector, radius: float, size: float) -> int:
    """How many characters a line at ``radius`` holds."""
    return int(2 * half_span(sector, radius, size) / (size * WIDTH_FACTOR) + EPSILON)


def slots(sector: Sector, size: float, phase: float = 0.0) -> list[float]:
    """The radii lines may be centred on, one line apart, in reading order: outside in,
    or inside out in the lower half (where "up" on the page points to the centre).
    ``phase`` (a fraction of a line) moves the grid inwards: a line against the outer
    edge has no room (a straight line cannot follow the arc), one a little further in
    has more. Only radii that hold at least one character are given."""
    radii = []
    radius = sector.outer - PAD - size / 2 - phase * size * LINE_PITCH
    while radius - size / 2 >= sector.inner + PAD - EPSILON:
        radii.append(radius)
        radius -= size * LINE_PITCH
    if sector.flipped:
        radii.reverse()
    return [r for r in radii if capacity(sector, r, size) >= 1]


def wrap(text: str, capacities: Sequence[int]) -> tuple[list[tuple[int, str]], bool]:
    """Words into lines of at most ``capacities[i]`` characters, as (slot, line) pairs. A
    word too long for a line moves on to the next; one too long for every line left ends
    the text there, or is cut if nothing is shown yet. Returns the lines and whether everything fitted; when not, the last line
    ends with "…"."""
    pending = deque(text.split())
    placed: list[tuple[int, str]] = []
    stop = False
    for index, limit in enumerate(capacities):
        if not pending:
            break
        line = ""
        while pending:
            candidate = f"{line} {pending[0]}" if line else pending[0]
            if len(candidate) <= limit:
                line = candidate
                pending.popleft()
                continue
            if not line and len(pending[0]) > max(capacities[index:]):
                if placed:  # no room for it below: stop here, with "…"
                    stop = True
                else:  # nothing shown yet: show the start of it (after a hyphen if any)
                    word = pending[0]
                    cut = word.rfind("-", 0, limit) + 1 or limit
                    line, pending[0] = word[:cut], word[cut:]
            break
        if line:
            placed.append((index, line))
        if stop:
            break
    done = not pending
    if not done and placed:
        index, last = placed[-1]
        if len(last) + len(ELLIPSIS) > capacities[index]:
            last = last[: capacities[index] - len(ELLIPSIS)].rstrip()
        placed[-1] = (index, last + ELLIPSIS) if last else (index, ELLIPSIS)
    return placed, done


@dataclass(frozen=True)
class Line:
    """One line of text: centred on ``radius`` at compass ``angle``, along the circle."""

    text: str
    radius: float
    angle: float
    size: float
    flipped: bool
    bold: bool = False

    @property
    def x(self) -> float:
        return point(self.radius, self.angle)[0]

    @property
    def y(self) -> float:
        return point(self.radius, self.angle)[1]

    @property
    def rotation(self) -> float:
        """The SVG rotation (clockwise degrees) that lays the line along the circle."""
        turned = self.angle + 180.0 if self.flipped else self.angle
        return (turned + 180.0) % 360.0 - 180.0


PHASES = (0.0, 0.25, 0.5, 0.75)


def fit(text: str, sector: Sector, size: float, *, align: str = "centre") -> list[Line]:
    """``text`` written inside ``sector``, in as few lines as it needs. Of the ways to
    place it (grids of lines a little further in or out, starting at one line or the
    next), the one showing the whole text wins, then the one showing most of it, then the
    most compact, then the one nearest ``align``: "centre" (the middle of the sector) or
    "outer" (against its outer edge)."""
    text = " ".join(text.split())
    if not text:
        return []
    best: tuple[tuple[bool, int, int, float], list[Line]] | None = None
    for phase in PHASES:
        radii = slots(sector, size, phase)
        for offset in range(len(radii)):
            capacities = [capacity(sector, r, size) for r in radii[offset:]]
            placed, done = wrap(text, capacities)
            if not placed:
                continue
            first, last = offset + placed[0][0], offset + placed[-1][0]
            if align == "outer":
                distance = float(first if not sector.flipped else len(radii) - 1 - last)
            else:
                middle = (radii[first] + radii[last]) / 2
                distance = abs(middle - (sector.inner + sector.outer) / 2)
            shown = sum(len(line) for _slot, line in placed)
            key = (done, shown, -(last - first), -distance)
            if best is None or key > best[0]:
                lines = [
                    Line(line, radii[offset + slot], sector.middle, size, sector.flipped)
                    for slot, line in placed
                ]
                best = (key, lines)
    return best[1] if best else []


# --- shading ---------------------------------------------------------------------------


def shade(rating: int) -> str:
    """The fill of a part rated ``rating`` (1–10): lighter for low, darker for high."""
    rating = min(10, max(1, int(rating)))
    red, green, blue = colorsys.hls_to_rgb(HUE / 360, LIGHTNESS[rating - 1], SATURATION)
    return "#" + "".join(f"{round(value * 255):02x}" for value in (red, green, blue))


def luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink_on(fill: str) -> str:
    """Dark or white text, whichever reads better on ``fill``."""
    return INK if contrast(INK, fill) >= contrast(PAPER, fill) else PAPER


# --- the drawing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """What one risk area shows."""

    name: str
    rating: int
    prevention: str
    management: str


@dataclass(frozen=True)
class Part:
    """One risk area's three sectors and their lines."""

    piece: Piece
    core: Sector
    prevention: Sector
    management: Sector
    fill: str
    ink: str
    rating: list[Line]
    name: list[Line]
    prevention_lines: list[Line]
    management_lines: list[Line]

    @property
    def lines(self) -> list[Line]:
        return [*self.rating, *self.name, *self.prevention_lines, *self.management_lines]


@dataclass(frozen=True)
class Drawing:
    parts: list[Part]


# The band of a part where its rating is printed: the number, the pads, and a little more
# so that a straight line of two digits clears the arc of the edge.
RATING_BAND = RATING_SIZE + 2 * PAD + 8


def rating_sector(core: Sector) -> Sector:
    """The outer band of an area's part, where its rating is printed."""
    return Sector(core.start, core.end, core.outer - RATING_BAND, core.outer)


def name_sector(core: Sector) -> Sector:
    """The rest of the part, inside the rating, where its name is written."""
    return Sector(core.start, core.end, HOLE, core.outer - RATING_BAND)


def name_size(count: int) -> float:
    """Names get smaller as the parts get narrower."""
    return NAME_SIZE if count <= 8 else NAME_SIZE - 2 if count <= 12 else NAME_SIZE - 3


def layout(pieces: Sequence[Piece]) -> Drawing:
    """Every part of the circle for these areas, in their order, and its text."""
    parts = []
    count = len(pieces)
    for piece, core, prevention, management in zip(
        pieces,
        sectors(count, 0.0, CORE),
        sectors(count, CORE, PREVENTION),
        sectors(count, PREVENTION, MANAGEMENT),
        strict=True,
    ):
        fill = shade(piece.rating)
        rating = [
            Line(line.text, line.radius, line.angle, line.size, line.flipped, bold=True)
            for line in fit(str(piece.rating), rating_sector(core), RATING_SIZE)
        ]
        parts.append(
            Part(
                piece=piece,
                core=core,
                prevention=prevention,
                management=management,
                fill=fill,
                ink=ink_on(fill),
                rating=rating,
                name=fit(piece.name, name_sector(core), name_size(count), align="outer"),
                prevention_lines=fit(piece.prevention, prevention, RING_SIZE),
                management_lines=fit(piece.management, management, RING_SIZE),
            )
        )
    return Drawing(parts)


# --- SVG -------------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate, short: one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _arc_to(radius: float, angle: float, span: float, clockwise: bool) -> str:
    x, y = point(radius, angle)
    large = 1 if span > 180 else 0
    return f"A{_n(radius)} {_n(radius)} 0 {large} {1 if clockwise else 0} {_n(x)} {_n(y)}"


def _circle_path(radius: float) -> str:
    top = point(radius, 0)
    return (
        f"M{_n(top[0])} {_n(top[1])}"
        f"{_arc_to(radius, 180, 180, True)}{_arc_to(radius, 360, 180, True)}Z"
    )


def sector_path(sector: Sector) -> str:
    """The outline of a sector (a whole disc or ring when it spans the circle)."""
    if sector.span >= 360.0:
        path = _circle_path(sector.outer)
        return path + (_circle_path(sector.inner) if sector.inner > 0 else "")
    start_outer = point(sector.outer, sector.start)
    path = f"M{_n(start_outer[0])} {_n(start_outer[1])}"
    path += _arc_to(sector.outer, sector.end, sector.span, True)
    if sector.inner > 0:
        end_inner = point(sector.inner, sector.end)
        path += f"L{_n(end_inner[0])} {_n(end_inner[1])}"
        path += _arc_to(sector.inner, sector.start, sector.span, False)
    else:
        path += f"L{_n(CENTRE)} {_n(CENTRE)}"
    return path + "Z"


def _text(line: Line, fill: str | None = None) -> str:
    attributes = f'x="{_n(line.x)}" y="{_n(line.y)}"'
    if abs(line.rotation) >= 0.05:
        attributes += f' transform="rotate({_n(line.rotation)} {_n(line.x)} {_n(line.y)})"'
    if fill:
        attributes += f' fill="{fill}"'
    return f"<text {attributes}>{escape(line.text)}</text>"


def render(drawing: Drawing, *, title: str, description: str, ident: str = "circle") -> str:
    """The SVG element for a page: ``title`` and ``description`` name it for screen
    readers (``role="img"``); the page lists the areas in full besides."""
    shapes: list[str] = []
    ratings: list[str] = []
    names: list[str] = []
    rings: list[str] = []
    for part in drawing.parts:
        rule = ' fill-rule="evenodd"' if part.core.span >= 360 else ""
        shapes.append(
            f'<path d="{sector_path(part.management)}" fill="{MANAGEMENT_FILL}"{rule}/>'
            f'<path d="{sector_path(part.prevention)}" fill="{PREVENTION_FILL}"{rule}/>'
            f'<path d="{sector_path(part.core)}" fill="{part.fill}"/>'
        )
        ratings += [_text(line, part.ink) for line in part.rating]
        names += [_text(line, None if part.ink == INK else part.ink) for line in part.name]
        rings += [_text(line) for line in part.prevention_lines + part.management_lines]
    return (
        f'<svg viewBox="0 0 {SIZE} {SIZE}" width="100%" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}" fill="{INK}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f'<g stroke="{LINE_COLOUR}" stroke-width="1.5" stroke-linejoin="round">{"".join(shapes)}</g>'
        f'<g text-anchor="middle" dominant-baseline="central">'
        f'<g font-size="{_n(RATING_SIZE)}" font-weight="700">{"".join(ratings)}</g>'
        f'<g font-size="{_n(name_size(len(drawing.parts)))}">{"".join(names)}</g>'
        f'<g font-size="{_n(RING_SIZE)}">{"".join(rings)}</g>'
        "</g></svg>"
    )
