"""End to end in headless Chromium on a 360 px phone: an outreach worker checks out, her
return passes, her line manager opens the shift from his alert and says "I'm on it", she
checks in, and he sees her back (issue 5 "Tests that must exist"; guide §4.4).

It uses the core browser tests' live server and their ``browser`` fixture (Debian's
``/usr/bin/chromium`` through Playwright, nothing downloaded). The deadline passing is
arranged in data: the escalation step runs with ``now`` after the deadline, as the loop
would then; nothing sleeps. Every page is checked for horizontal scrolling at 360 px and
for its buttons being reachable with the Tab key. The whole journey is one test.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from django_scopes import scope

from bench.browser import CHROMIUM, sign_in
from peerwork.core.tests import test_browser as core_browser
from peerwork.outreach import services
from peerwork.outreach.escalation import escalation
from peerwork.outreach.models import OutreachPolicy, Shift

PASSWORD = "correct horse battery"  # the shared story's password (conftest.py)
PHONE = {"width": 360, "height": 740}
AREA = "The station underpass"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing (Debian: apt-get install chromium); CI installs it",
    ),
]

browser = core_browser.browser


def path_of(page: Any) -> str:
    return urlsplit(page.url).path


def fits_and_tabs_to(page: Any, button: str) -> None:
    """No horizontal scroll at 360 px, and the Tab key reaches ``button``."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path_of(page)} scrolls sideways by {overflow}px at 360 px"
    page.locator("body").focus()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement ? document.activeElement.textContent || '' : ''"
        )
        if " ".join(focused.split()) == button:
            return
    raise AssertionError(f"Tab never reached “{button}” on {path_of(page)}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_out_is_late_her_manager_is_on_it_and_sees_her_back(
    story: Any, live_server: Any, browser: Any
) -> None:
    base = live_server.url
    secrets: dict[str, str] = {}
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        policy = OutreachPolicy.objects.create(organisation=story.harbourside, grace_minutes=10)
        policy.steps.create(
            organisation=story.harbourside,
            position=1,
            who="line_manager",
            channels=["inbox"],
            wait_minutes=15,
        )
        shift = services.plan_shift(
            actor=story.ravi,
            workers=[story.amina, story.olena],
            area=AREA,
            planned_start=now - timedelta(minutes=1),
            planned_return=now + timedelta(minutes=20),
            team=story.team,
            now=now - timedelta(hours=1),
        )
    shift_path = f"/outreach/shifts/{shift.pk}/"

    # Amina, on her phone, finds the shift on her day and checks out.
    amina_context = browser.new_context(viewport=PHONE, locale="en-GB")
    amina = amina_context.new_page()
    assert sign_in(amina, base, "amina", PASSWORD, secrets=secrets) == []
    amina.goto(f"{base}/")
    fits_and_tabs_to(amina, "The outreach schedule")
    amina.get_by_role("link", name=AREA).first.click()
    assert path_of(amina) == shift_path
    assert "Carry your picture ID" in amina.inner_text("main")
    fits_and_tabs_to(amina, "Check out")
    amina.get_by_role("button", name="Check out").click()
    assert "You are checked out" in amina.inner_text("main")
    fits_and_tabs_to(amina, "Check in: I'm back")
    amina.goto(f"{base}/outreach/")
    assert AREA in amina.inner_text("main")
    fits_and_tabs_to(amina, "Plan a shift")

    # Her return and the grace pass: the escalation step, run as the loop would then.
    with scope(organisation=story.harbourside.pk):
        deadline = Shift.objects.get(pk=shift.pk).planned_return + timedelta(minutes=10)
    assert escalation(deadline + timedelta(minutes=1)) == 1

    # Ravi, on his phone, opens the shift from his alert and says he is on it.
    ravi_context = browser.new_context(viewport=PHONE, locale="en-GB")
    ravi = ravi_context.new_page()
    sign_in(ravi, base, "ravi", PASSWORD, secrets=secrets, secret_of=core_browser.totp_secret_of)
    ravi.goto(f"{base}/")
    assert "needs someone now" in ravi.inner_text("main")
    ravi.goto(f"{base}/inbox")
    fits_and_tabs_to(ravi, "Open An outreach shift is overdue")
    ravi.get_by_role("link", name="Open An outreach shift is overdue").click()
    assert path_of(ravi) == shift_path
    shown = ravi.inner_text("main")
    assert "⚠ Overdue" in shown and "To: Ravi Shah" in shown
    fits_and_tabs_to(ravi, "I'm on it")
    ravi.get_by_role("button", name="I'm on it").click()
    assert "You are on it" in ravi.inner_text("main")
    assert "“I'm on it” · Ravi Shah" in ravi.inner_text("main")

    # Amina checks in.
    amina.goto(f"{base}{shift_path}")
    assert "Alert sent" not in amina.inner_text("main")
    amina.get_by_role("button", name="Check in: I'm back").click()
    assert "Welcome back" in amina.inner_text("main")

    # Ravi sees her back: on the shift's page, and told in his inbox.
    ravi.reload()
    shown = ravi.inner_text("main")
    assert "Returned" in shown and "Checked in · Amina Wanjiru" in shown
    ravi.goto(f"{base}/inbox")
    assert "An outreach worker is back" in ravi.inner_text("main")

    # The policy pages fit a phone too (Daniel, the director).
    daniel_context = browser.new_context(viewport=PHONE, locale="en-GB")
    daniel = daniel_context.new_page()
    sign_in(
        daniel, base, "daniel", PASSWORD, secrets=secrets, secret_of=core_browser.totp_secret_of
    )
    daniel.goto(f"{base}/outreach/policy/")
    fits_and_tabs_to(daniel, "Save the policy")
    daniel.goto(f"{base}/outreach/plan/")
    fits_and_tabs_to(daniel, "Put it on the schedule")

    for context in (amina_context, ravi_context, daniel_context):
        context.close()
