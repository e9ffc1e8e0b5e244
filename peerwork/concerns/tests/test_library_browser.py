"""The training library in headless Chromium on a 360 px phone, by keyboard only (issue 8
item 7; §3.15, App. 10): Joseph, a volunteer, opens the library, tabs to a case and opens
it with Enter, reads it, tabs to the facilitator's note and unfolds it with Enter, then
goes on to the next case. Every page is checked for sideways scrolling at 360 px.

It uses the core browser tests' live server and their ``browser`` fixture (Debian's
``/usr/bin/chromium`` through Playwright, nothing downloaded).
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.browser import CHROMIUM, sign_in
from peerwork.core.tests import test_browser as core_browser
from peerwork.outreach.tests.test_browser_outreach import fits_and_tabs_to, path_of

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


def shown(page: Any) -> str:
    return " ".join(page.inner_text("main").split())


@pytest.mark.django_db(transaction=True)
def test_a_volunteer_reads_a_case_and_its_facilitators_note_by_keyboard_on_a_phone(
    story: Any, live_server: Any, browser: Any
) -> None:
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    joseph = context.new_page()
    sign_in(joseph, base, "joseph", PASSWORD, secrets={}, secret_of=core_browser.totp_secret_of)

    joseph.goto(f"{base}/concerns/library/")
    assert "Training library: case studies" in shown(joseph)
    fits_and_tabs_to(joseph, "Case 3: The clinic opens at ten")
    joseph.keyboard.press("Enter")
    joseph.wait_for_url(f"{base}/concerns/library/case-3/")

    assert "Svitlana is a peer worker on methadone" in shown(joseph)
    note = joseph.locator("details")
    assert not note.evaluate("element => element.open")
    assert not joseph.get_by_text("The late start is not a time-keeping problem").is_visible()
    fits_and_tabs_to(joseph, "Notes for the facilitator")
    joseph.keyboard.press("Enter")
    assert note.evaluate("element => element.open")
    assert joseph.get_by_text("The late start is not a time-keeping problem").is_visible()
    fits_and_tabs_to(joseph, "Next: case 5")

    joseph.keyboard.press("Enter")
    joseph.wait_for_url(f"{base}/concerns/library/case-5/")
    assert path_of(joseph) == "/concerns/library/case-5/"
    fits_and_tabs_to(joseph, "Previous: case 3")
    context.close()
