"""The circle's drawing checked by its geometry, not only that it renders (issue 7 "Tests
that must exist"; App. 3 steps 2-8).

For 4, 7 and 10 areas: each part spans 360/N degrees and the parts tile the circle; the
shading darkens with every step of the rating. Text in the rings (a long Russian strategy)
stays inside its ring's radii and its part's angles: each line's box is estimated as
characters × font size × ``WIDTH_FACTOR`` wide and one font size high, read back from the
SVG's own ``x``, ``y`` and rotation, and its four corners and nearest point checked.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from peerwork.selfcare import circle_svg
from peerwork.selfcare.circle_svg import (
    CENTRE,
    CORE,
    MANAGEMENT,
    PREVENTION,
    WIDTH_FACTOR,
    Piece,
    Sector,
)

RUSSIAN = (
    "Всегда иметь при себе номер юриста и не носить с собой больше, чем нужно на один раз. "
) * 4
COUNTS = (4, 7, 10)


def pieces(count: int, strategy: str = RUSSIAN) -> list[Piece]:
    return [
        Piece(f"Область риска номер {index + 1}", index % 10 + 1, strategy, strategy)
        for index in range(count)
    ]


def polar(x: float, y: float) -> tuple[float, float]:
    """Radius and compass angle (0 at 12 o'clock, clockwise) of a point."""
    dx, dy = x - CENTRE, y - CENTRE
    return math.hypot(dx, dy), math.degrees(math.atan2(dx, -dy)) % 360


def within_angles(angle: float, sector: Sector, slack: float = 1e-6) -> bool:
    if sector.span >= 360:
        return True
    offset = (angle - sector.start) % 360
    return offset <= sector.span + slack or offset >= 360 - slack


def box_of(element: ET.Element) -> tuple[list[tuple[float, float]], float, float]:
    """A ``<text>``'s corners (as drawn: rotated about its anchor), its centre and height,
    from the SVG's attributes and the width estimate."""
    x, y = float(element.get("x", 0)), float(element.get("y", 0))
    size = float(element.get("font-size") or 0)
    rotation = 0.0
    found = re.match(r"rotate\(([-\d.]+) ", element.get("transform") or "")
    if found:
        rotation = math.radians(float(found.group(1)))
    half = len(element.text or "") * size * WIDTH_FACTOR / 2
    corners = []
    for u, v in ((-half, -size / 2), (half, -size / 2), (half, size / 2), (-half, size / 2)):
        corners.append(
            (
                x + u * math.cos(rotation) - v * math.sin(rotation),
                y + u * math.sin(rotation) + v * math.cos(rotation),
            )
        )
    return corners, x, y


def texts(svg: str) -> list[ET.Element]:
    """Every ``<text>`` with the font size it inherits from its group."""
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    found = []

    def walk(node: ET.Element, size: str | None) -> None:
        size = node.get("font-size") or size
        for child in node:
            if child.tag == "text":
                child.set("font-size", size or "0")
                found.append(child)
            else:
                walk(child, size)

    walk(root, None)
    return found


# --- parts ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", COUNTS)
def test_each_part_spans_an_equal_share_and_the_parts_tile_the_circle(count):
    parts = circle_svg.sectors(count, 0, CORE)
    assert len(parts) == count
    for part in parts:
        assert part.span == pytest.approx(360 / count)
    assert parts[0].start == 0
    for before, after in zip(parts, parts[1:], strict=False):
        assert after.start == pytest.approx(before.end)
    assert parts[-1].end == pytest.approx(360)
    assert sum(part.span for part in parts) == pytest.approx(360)


@pytest.mark.parametrize("count", COUNTS)
def test_the_drawing_has_three_sectors_per_area_in_order_from_the_core_out(count):
    drawing = circle_svg.layout(pieces(count))
    for index, part in enumerate(drawing.parts):
        for sector in (part.core, part.prevention, part.management):
            assert sector.start == pytest.approx(index * 360 / count)
            assert sector.span == pytest.approx(360 / count)
        assert (part.core.inner, part.core.outer) == (0, CORE)
        assert (part.prevention.inner, part.prevention.outer) == (CORE, PREVENTION)
        assert (part.management.inner, part.management.outer) == (PREVENTION, MANAGEMENT)
    svg = circle_svg.render(drawing, title="t", description="d")
    assert svg.count("<path ") == 3 * count


@pytest.mark.parametrize("count", COUNTS)
def test_each_outline_ends_on_its_parts_edges(count):
    """The path of a part starts on the outer arc at its first angle and returns through
    the centre (a wedge) or along the inner arc (a ring)."""
    for sector in circle_svg.sectors(count, CORE, PREVENTION):
        path = circle_svg.sector_path(sector)
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
        start = polar(numbers[0], numbers[1])
        assert start[0] == pytest.approx(PREVENTION, abs=0.1)
        assert start[1] % 360 == pytest.approx(sector.start % 360, abs=0.1) or start[
            1
        ] == pytest.approx(360, abs=0.1)


def test_the_shading_darkens_with_every_step_of_the_rating():
    shades = [circle_svg.shade(rating) for rating in range(1, 11)]
    brightness = [circle_svg.luminance(colour) for colour in shades]
    assert len(set(shades)) == 10
    assert all(a > b for a, b in zip(brightness, brightness[1:], strict=False))


@pytest.mark.parametrize("count", COUNTS)
def test_each_part_is_shaded_by_its_rating_and_prints_it_readably(count):
    drawing = circle_svg.layout(pieces(count))
    svg = circle_svg.render(drawing, title="t", description="d")
    for part in drawing.parts:
        assert part.fill == circle_svg.shade(part.piece.rating)
        assert f'fill="{part.fill}"' in svg
        assert [line.text for line in part.rating] == [str(part.piece.rating)]
        assert circle_svg.contrast(part.ink, part.fill) >= 4.5


# --- text kept inside -------------------------------------------------------------------


def _sector_of(drawing: circle_svg.Drawing, x: float, y: float) -> tuple[Sector, str]:
    """The sector a line belongs to, by its anchor."""
    radius, angle = polar(x, y)
    for part in drawing.parts:
        for sector, name in (
            (part.core, "core"),
            (part.prevention, "prevention"),
            (part.management, "management"),
        ):
            if sector.inner <= radius <= sector.outer and within_angles(angle, sector):
                return sector, name
    raise AssertionError(f"a line at {x}, {y} is in no part")


@pytest.mark.parametrize("count", COUNTS)
def test_long_russian_strategies_stay_inside_their_ring_and_part(count):
    drawing = circle_svg.layout(pieces(count))
    svg = circle_svg.render(drawing, title="t", description="d")
    ring_lines = 0
    for element in texts(svg):
        corners, x, y = box_of(element)
        sector, name = _sector_of(drawing, x, y)
        size = float(element.get("font-size") or 0)
        radius = polar(x, y)[0]
        # The box's point nearest the centre is the middle of its inner edge.
        assert radius - size / 2 >= sector.inner - 1e-6, (name, element.text)
        for corner in corners:
            r, angle = polar(*corner)
            assert sector.inner - 1e-6 <= r <= sector.outer + 1e-6, (name, element.text)
            assert within_angles(angle, sector), (name, element.text, angle, sector)
        if name != "core":
            ring_lines += 1
    assert ring_lines >= 2 * count  # every ring shows some of its strategy


@pytest.mark.parametrize("count", COUNTS)
def test_what_does_not_fit_is_cut_with_an_ellipsis_and_listed_in_full_elsewhere(count):
    drawing = circle_svg.layout(pieces(count))
    for part in drawing.parts:
        shown = " ".join(line.text for line in part.prevention_lines)
        assert shown.endswith("…")
        assert len(shown) < len(RUSSIAN)
        assert RUSSIAN.startswith(shown.split()[0])


def test_a_short_strategy_is_shown_whole():
    drawing = circle_svg.layout(pieces(4, "Позвонить юристу"))
    assert [line.text for line in drawing.parts[0].prevention_lines] == ["Позвонить юристу"]


@pytest.mark.parametrize("count", (1, 2, 3, 16))
def test_one_area_or_the_most_still_draws_inside_the_rings(count):
    drawing = circle_svg.layout(pieces(count))
    svg = circle_svg.render(drawing, title="t", description="d")
    for element in texts(svg):
        corners, x, y = box_of(element)
        sector, _name = _sector_of(drawing, x, y)
        for corner in corners:
            r, angle = polar(*corner)
            assert sector.inner - 1e-6 <= r <= sector.outer + 1e-6
            assert within_angles(angle, sector)


def test_lines_read_upright_in_the_lower_half():
    drawing = circle_svg.layout(pieces(4))
    for part in drawing.parts:
        for line in part.lines:
            assert -90 <= line.rotation <= 90, (part.core.middle, line.rotation)


# --- the placing functions ---------------------------------------------------------------


def test_a_line_holds_as_many_characters_as_its_width_allows():
    sector = Sector(0, 36, CORE, PREVENTION)
    for radius in circle_svg.slots(sector, 11):
        room = circle_svg.capacity(sector, radius, 11)
        assert room * 11 * WIDTH_FACTOR <= 2 * circle_svg.half_span(sector, radius, 11) + 1e-6


def test_words_wrap_whole_and_only_a_word_too_long_for_any_line_is_cut():
    lines, done = circle_svg.wrap("one two three four", [7, 7, 7])
    assert [text for _slot, text in lines] == ["one two", "three", "four"]
    assert done
    lines, done = circle_svg.wrap("one two three four", [7, 5])
    assert [text for _slot, text in lines] == ["one two", "thre…"]
    assert not done
    lines, done = circle_svg.wrap("Needle-stick", [7, 7])
    assert [text for _slot, text in lines] == ["Needle-", "stick"]


def test_the_drawing_names_itself_for_screen_readers_and_needs_no_style_or_script():
    svg = circle_svg.render(
        circle_svg.layout(pieces(4)), title="My <circle>", description="A & B", ident="c"
    )
    assert 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">My &lt;circle&gt;</title>' in svg
    assert '<desc id="c-desc">A &amp; B</desc>' in svg
    assert "style" not in svg and "<script" not in svg
    assert 'viewBox="0 0 640 640"' in svg
