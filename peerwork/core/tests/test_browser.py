"""End to end in headless Chromium: the demo's line manager sets up an authenticator app,
signs in again with its TOTP code, sees his day, reads it in Russian and in Swahili, and
the README's screenshots are taken (``docs/screenshots/``, rewritten by every run).

One live server (pytest-django's session-wide ``live_server``) and one browser for the
module (DESIGN.md "Known pitfalls"), and the whole journey in one test so that pytest-xdist
never splits it across two processes (each would start its own server and browser). The
browser is Debian's ``/usr/bin/chromium``, driven by Playwright from its wheel
(``bench/browser.py``, shared with the page-weight benchmark); nothing is ever downloaded.
Where Chromium is missing the module is skipped with a message; CI installs it
(``.ci/run``), so there it always runs.

Playwright's synchronous API keeps an event loop marked as running on this thread while the
browser is open, and Django refuses database work from such a thread (even pytest-django's
own flush after the test). Playwright's calls block until they finish, so nothing runs
concurrently here: the ``browser`` fixture sets ``DJANGO_ALLOW_ASYNC_UNSAFE`` while the
browser is open, as Playwright's documentation advises for Django, and restores it after.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import translation

from bench.browser import CHROMIUM, chromium, sign_in

SCREENSHOTS = settings.BASE_DIR / "docs" / "screenshots"
PASSWORD = "harbour-demo-browser"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
CODE_PAGE = "/accounts/2fa/authenticate/"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing (Debian: apt-get install chromium); CI installs it",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with chromium() as browser:
            yield browser


def translated(text: str, language: str) -> str:
    """``text`` in ``language`` from the compiled catalog; it must differ from English, or
    finding it on the page would prove nothing."""
    with translation.override(language):
        words = translation.gettext(text)
    assert words != text, f"{text!r} is not translated to {language!r} in the catalog"
    return words


@pytest.fixture
def demo(settings, tmp_path, transactional_db):
    """The demo story seeded into the live server's database (the catalogs are compiled
    once per session by conftest's ``compiled_catalogs``)."""
    from peerwork.core.demo import seed

    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = PASSWORD
    seed()


def test_the_line_manager_signs_in_with_totp_and_reads_his_day_in_three_languages(
    demo, live_server, browser
):
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/")
    assert urlsplit(page.url).path == "/accounts/login/"

    # Ravi line-manages people, so Peerwork requires a second step of him (issue 3 item 1):
    # the demo gives him an authenticator app, or Peerwork sends him to set one up; from
    # then on every sign-in asks for the app's code.
    secrets: dict[str, str] = {}
    passed = sign_in(page, base, "ravi", PASSWORD, secrets=secrets, secret_of=totp_secret_of)
    assert passed, "Ravi was never asked for a second step"
    page.goto(f"{base}/")
    assert urlsplit(page.url).path == "/", f"after {passed} Ravi is on {page.url}"
    if CODE_PAGE not in passed:
        # He set up his app just now: sign out, and in again with its code.
        page.click("header button:has-text('Sign out')")
        assert urlsplit(page.url).path == "/accounts/login/"
        passed = sign_in(page, base, "ravi", PASSWORD, secrets=secrets, secret_of=totp_secret_of)
        assert passed == [CODE_PAGE], passed
    assert page.url == f"{base}/"
    assert page.inner_text("h1") == "Hello, Ravi Shah"
    people = page.inner_text("#reports-h + ul")
    assert "Amina Wanjiru" in people and "Olena Petrenko" in people

    page.reload()  # without the one-off "signed in" message
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-phone.png"), full_page=True)

    for language in ("ru", "sw"):
        page.select_option("#switch-language", language)
        page.click("form:has(#switch-language) button[type=submit]")
        assert page.get_attribute("html", "lang") == language
        assert page.inner_text("#reports-h") == translated("People you manage", language)
        assert translated("Sign out", language) in page.inner_text("header")
        assert "Ravi Shah" in page.inner_text("h1")
    context.close()


def totp_secret_of(username: str) -> str:
    """The TOTP secret allauth keeps for an enrolled person (sealed by its adapter)."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.get(user__username=username, type=Authenticator.Type.TOTP)
    return get_adapter().decrypt(authenticator.data["secret"])
