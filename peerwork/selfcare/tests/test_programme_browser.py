"""On a 360 px phone in headless Chromium (issue 7 item 2; App. 8 "self-monitoring ...
should not become too lengthy or complex"): Amina logs today's count from her programme's
overview with the keyboard alone, and the overview, the chart and the goal step fit the
screen without sideways scrolling. It uses the core browser tests' ``browser`` fixture
(Debian's ``/usr/bin/chromium`` through Playwright, nothing downloaded)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.browser import CHROMIUM, sign_in
from peerwork.core.tests import test_browser as core_browser
from peerwork.outreach.tests.test_browser_outreach import fits_and_tabs_to
from peerwork.selfcare.tests.test_programme_services import (
    a_goal,
    programme_of,
    records_of,
    today_there,
    with_records,
)

PASSWORD = "correct horse battery"  # the shared story's password (conftest.py)
PHONE = {"width": 360, "height": 740}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing (Debian: apt-get install chromium); CI installs it",
    ),
]

browser = core_browser.browser


@pytest.mark.django_db(transaction=True)
def test_amina_logs_today_from_her_phone_with_the_keyboard(
    story: Any, live_server: Any, browser: Any
) -> None:
    programme = programme_of(story, goal=a_goal(story, target=2))
    with_records(story, programme, {days: 3 + days % 3 for days in range(3, 12)})
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    sign_in(page, base, "amina", PASSWORD, secrets={})

    page.goto(f"{base}/selfcare/programmes/{programme.pk}/")
    assert page.inner_text("h1") == "My self-control programme"
    chart = page.locator("svg#progress-chart")
    assert chart.get_attribute("role") == "img"
    box = chart.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    fits_and_tabs_to(page, "Log it")
    page.fill("#id_log_count", "1")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Logged: 1 for today." in page.inner_text("main")
    assert [r.count for r in records_of(programme) if not r.baseline] == [1]
    assert [r.day for r in records_of(programme) if not r.baseline] == [today_there(story)]

    for step in ("goal", "strategies", "baseline", "progress"):
        page.goto(f"{base}/selfcare/programmes/{programme.pk}/{step}/")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{step} scrolls sideways by {overflow}px at 360 px"
    page.goto(f"{base}/selfcare/programmes/{programme.pk}/")
    core_browser.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(core_browser.SCREENSHOTS / "programme-phone.png"), full_page=True)
    context.close()
