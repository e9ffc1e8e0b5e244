"""End to end in headless Chromium: a staff member shares her OST with her line manager,
then stops (issue 4 "Tests that must exist"; §2.3 "My information, my choice").

Olena answers the OST questions on "My information", shares them with her line manager
Ravi for three months, and Ravi, signed in in a browser of his own (with his authenticator
app's code), reads them under "Shared with me". Olena stops the share; Ravi's very next
request finds nothing (the share's page answers 404 and the list is empty), and Olena's
"Who saw my data" lists Ravi's read.

It uses the core browser tests' live server (pytest-django's session-wide ``live_server``)
and their ``browser`` fixture: Debian's ``/usr/bin/chromium`` through Playwright, nothing
downloaded (DESIGN.md "Known pitfalls"). The whole journey is one test, so pytest-xdist
never splits it. Everything is done through the pages, as each of them would; the
test reads the database only to find Ravi's authenticator secret, as his phone would know it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from typing import Any
from urllib.parse import urlsplit

import pytest

from bench.browser import CHROMIUM, sign_in
from peerwork.core.tests import test_browser as core_browser

PASSWORD = "correct horse battery"  # the shared story's password (conftest.py)
PHONE = {"width": 360, "height": 740}
OST = "Opioid substitution therapy (OST)"
CLINIC = "Bandari clinic, window 3"
PURPOSE = "To plan my shifts around collecting my dose"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing (Debian: apt-get install chromium); CI installs it",
    ),
]

# The core's browser, not a second kind of it: one Chromium, driven the same way.
browser = core_browser.browser


def path_of(page: Any) -> str:
    return urlsplit(page.url).path


def three_months_from_today() -> dt.date:
    """The same day three months on in Harbourside (the last of the month if it is short)."""
    today = dt.datetime.now(zoneinfo.ZoneInfo("Africa/Nairobi")).date()
    year, month = divmod(today.month - 1 + 3, 12)
    year, month = today.year + year, month + 1
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


@pytest.mark.django_db(transaction=True)
def test_olena_shares_her_ost_with_her_line_manager_then_stops_and_sees_who_read_it(
    story: Any, live_server: Any, browser: Any
) -> None:
    base = live_server.url
    secrets: dict[str, str] = {}

    # Olena, on a phone.
    olena_context = browser.new_context(viewport=PHONE, locale="en-GB")
    olena = olena_context.new_page()
    assert sign_in(olena, base, "olena", PASSWORD, secrets=secrets) == []
    olena.goto(f"{base}/")
    olena.get_by_role("link", name="My information").first.click()
    assert path_of(olena) == "/me"
    assert olena.inner_text("h1") == "My information"

    # She answers the OST questions.
    olena.get_by_role("link", name=f"Answer {OST}").click()
    assert path_of(olena) == "/me/ost"
    olena.get_by_label("Methadone").check()
    olena.get_by_label("Prescriber or clinic").fill(CLINIC)
    olena.get_by_label("Every day at the clinic").check()
    olena.get_by_role("button", name="Save my answer").click()
    assert path_of(olena) == "/me"
    assert CLINIC in olena.inner_text("main")

    # She shares them with Ravi, her line manager, for three months.
    olena.get_by_role("link", name="Share something").first.click()
    assert path_of(olena) == "/me/shares/new"
    olena.get_by_label(OST).check()
    olena.get_by_label("My line manager (Ravi Shah)").check()
    olena.get_by_label("Why you are sharing it").fill(PURPOSE)
    until = three_months_from_today()
    olena.get_by_label("Until").fill(until.isoformat())
    olena.get_by_role("button", name="Share", exact=True).click()
    assert path_of(olena) == "/me/shares"
    shares = olena.inner_text("main")
    assert "Shared with My line manager (Ravi Shah)." in shares
    assert PURPOSE in shares and "Active" in shares
    assert until.strftime("%-d %b %Y") in shares

    # Ravi signs in, in a browser of his own, with his authenticator app's code.
    ravi_context = browser.new_context(viewport=PHONE, locale="en-GB")
    ravi = ravi_context.new_page()
    passed = sign_in(
        ravi, base, "ravi", PASSWORD, secrets=secrets, secret_of=core_browser.totp_secret_of
    )
    assert passed == ["/accounts/2fa/authenticate/"]
    ravi.goto(f"{base}/")
    ravi.get_by_role("link", name="Shared with me").first.click()
    assert path_of(ravi) == "/shared"
    listed = ravi.inner_text("main")
    assert "Olena Petrenko" in listed and PURPOSE in listed and OST in listed
    ravi.get_by_role("link", name="Olena Petrenko").click()
    shared_url = ravi.url
    assert path_of(ravi).startswith("/shared/")
    shown = ravi.inner_text("main")
    assert "Methadone" in shown and CLINIC in shown and PURPOSE in shown
    assert "Please keep it to yourself" in shown

    # Olena stops the share.
    olena.get_by_role("button", name="Stop sharing").click()
    assert path_of(olena) == "/me/shares"
    assert "The share is stopped" in olena.inner_text("main")
    assert "Stopped" in olena.inner_text("main")

    # Ravi's next request finds nothing: the share's page is not found, the list is empty.
    response = ravi.goto(shared_url)
    assert response is not None and response.status == 404
    assert CLINIC not in ravi.content()
    ravi.goto(f"{base}/shared")
    after = ravi.inner_text("main")
    assert "Nothing is shared with you." in after
    assert "Olena Petrenko" not in after and CLINIC not in after

    # "Who saw my data" lists Ravi's read of her OST answer.
    olena.goto(f"{base}/me")
    olena.get_by_role("link", name="See who saw my data").click()
    assert path_of(olena) == "/me/reads"
    rows = olena.locator("#reads-h ~ .scroll tbody tr")
    reads = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any("Ravi Shah" in row and OST in row for row in reads), reads
    made = olena.inner_text("#made-h ~ .scroll")
    assert "Ravi Shah" in made and "Stopped" in made

    ravi_context.close()
    olena_context.close()
