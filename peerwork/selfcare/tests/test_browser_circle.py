"""End to end in headless Chromium on a 360 px phone (issue 7 "Tests that must exist"; App.
3): Amina builds her risk circle, opens it to Samuel, her peer mentor; Samuel reads it and
suggests a strategy; Amina keeps it; the opening's end is then moved into the past in the
data, and Samuel's page answers "not found" with nothing having to run.

It uses the core browser tests' live server and their ``browser`` fixture (Debian's
``/usr/bin/chromium`` through Playwright, nothing downloaded), and checks each page for
horizontal scrolling at 360 px and for its main button being reachable with the Tab key.
The whole journey is one test.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from bench.browser import CHROMIUM, sign_in
from peerwork.core.tests import test_browser as core_browser
from peerwork.outreach.tests.test_browser_outreach import fits_and_tabs_to, path_of
from peerwork.selfcare import circles
from peerwork.selfcare.models import Opening

PASSWORD = "correct horse battery"  # the shared story's password (conftest.py)
PHONE = {"width": 360, "height": 740}

AREAS = (
    (
        "Arrest on evening outreach",
        "7",
        "Carry my ID card and the liaison letter; work in pairs.",
        "Stay calm, ask for the lawyer on the card, call Ravi.",
    ),
    (
        "Needle-stick injury",
        "3",
        "Gloves on, sharps straight into the bin.",
        "Wash it, report it, PEP.",
    ),
    ("Owing money to suppliers", "4", "Pay cash only.", "Tell Samuel and make a plan to pay."),
    ("Word getting back to my family", "5", "Work away from my home street.", "Decide what I say."),
)
SUGGESTION = "Keep the number of the lawyer on paper too, in case the phone is taken."

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
def test_amina_builds_her_circle_opens_it_to_samuel_keeps_his_suggestion_and_it_closes(
    story: Any, live_server: Any, browser: Any
) -> None:
    base = live_server.url
    secrets: dict[str, str] = {}

    # Amina starts her circle from her self-care page.
    amina_context = browser.new_context(viewport=PHONE, locale="en-GB")
    amina = amina_context.new_page()
    sign_in(amina, base, "amina", PASSWORD, secrets=secrets, secret_of=core_browser.totp_secret_of)
    amina.goto(f"{base}/selfcare/circle/")
    fits_and_tabs_to(amina, "Start my circle")
    amina.get_by_role("link", name="Start my circle").click()
    assert path_of(amina) == "/selfcare/circle/edit/"
    for index, (name, rating, prevention, management) in enumerate(AREAS):
        amina.fill(f"#id_area{index}-name", name)
        amina.fill(f"#id_area{index}-rating", rating)
        amina.fill(f"#id_area{index}-prevention", prevention)
        amina.fill(f"#id_area{index}-management", management)
    amina.select_option("#id_area0-likelihood", "3")
    amina.select_option("#id_area0-consequence", "5")
    fits_and_tabs_to(amina, "Save my circle")
    amina.get_by_role("button", name="Save my circle").click()

    # Her circle, drawn and listed, highest first.
    assert path_of(amina) == "/selfcare/circle/"
    text = shown(amina)
    assert "Your circle is saved. Only you can see it." in text
    assert amina.locator("svg[role=img]").count() == 1
    drawing = amina.locator("svg[role=img]").bounding_box()
    assert drawing is not None and drawing["width"] <= PHONE["width"]
    first = amina.inner_text("#first-h + p + ol")
    assert first.index("Arrest on evening outreach") < first.index("Word getting back")
    fits_and_tabs_to(amina, "Open it")

    # She opens it to Samuel for a week.
    amina.select_option("#id_grantee", label="Samuel Kiprop")
    amina.fill("#id_days", "7")
    amina.get_by_role("button", name="Open it").click()
    assert "Opened to Samuel Kiprop until" in shown(amina)
    assert "Close it to Samuel Kiprop now" in shown(amina)

    # Samuel, her mentor, reads it and suggests a strategy.
    samuel_context = browser.new_context(viewport=PHONE, locale="en-GB")
    samuel = samuel_context.new_page()
    sign_in(
        samuel, base, "samuel", PASSWORD, secrets=secrets, secret_of=core_browser.totp_secret_of
    )
    samuel.goto(f"{base}/selfcare/circle/opened/")
    fits_and_tabs_to(samuel, "Amina Wanjiru's risk circle")
    samuel.get_by_role("link", name="Amina Wanjiru's risk circle").click()
    circle_page = path_of(samuel)
    assert re.fullmatch(r"/selfcare/circle/opened/[0-9a-f-]{36}/", circle_page)
    assert "Stay calm, ask for the lawyer on the card, call Ravi." in shown(samuel)
    samuel.select_option("#id_area", label="Arrest on evening outreach")
    samuel.check("#id_ring_1")  # managing it if it happens
    samuel.fill("#id_text", SUGGESTION)
    fits_and_tabs_to(samuel, "Send the suggestion")
    samuel.get_by_role("button", name="Send the suggestion").click()
    assert path_of(samuel) == circle_page
    assert "Sent. Amina Wanjiru decides whether to keep it." in shown(samuel)

    # Amina keeps it: it joins that strategy, as a new version of her circle.
    amina.goto(f"{base}/selfcare/circle/")
    assert SUGGESTION in shown(amina)
    fits_and_tabs_to(amina, "Keep it")
    amina.get_by_role("button", name="Keep it", exact=True).click()
    assert "Kept: it is now part of that strategy" in shown(amina)
    assert "2 saved versions" in shown(amina)
    with scope(organisation=story.harbourside.pk):
        circle = circles.circle_of(story.amina)
        assert circle is not None
        [arrest] = [a for a in circles.parse_content(circle.content) if a.rating == 7]
        assert arrest.management.endswith(SUGGESTION)

        # The week passes (in the data: nothing runs to close it).
        Opening.objects.filter(circle=circle, grantee=story.samuel).update(
            opened_at=timezone.now() - dt.timedelta(days=8),
            expires_at=timezone.now() - dt.timedelta(minutes=1),
        )

    # Samuel's page answers "not found", and nothing is listed as opened to him.
    response = samuel.goto(f"{base}{circle_page}")
    assert response is not None and response.status == 404
    assert "Stay calm" not in samuel.content()
    samuel.goto(f"{base}/selfcare/circle/opened/")
    assert "Amina Wanjiru" not in shown(samuel)
    assert "Nobody has opened a risk circle to you just now." in shown(samuel)

    samuel_context.close()
    amina_context.close()
