"""End to end in headless Chromium on a 360 px phone (issue 8 "Tests that must exist": a
manager raises an attendance concern, holds a review meeting, both agree the note, a review
date is set; App. 7): Ravi records an attendance concern about Amina's work, plans a review
meeting from the case page, writes the agenda in App. 7's order, marks it held and writes
the note with a date to meet again; Amina signs in, words her own account and agrees the
note; Ravi agrees; the page shows both agreed and the date.

It uses the core browser tests' live server and their ``browser`` fixture (Debian's
``/usr/bin/chromium`` through Playwright, nothing downloaded), and checks each page for
horizontal scrolling at 360 px and for its main button being reachable with the Tab key.
The whole journey is one test; it saves the note as both see it at the end to
``docs/screenshots/concerns-meeting-note.png``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django_scopes import scope

from bench.browser import CHROMIUM, sign_in
from peerwork.concerns.models import MeetingNote
from peerwork.core.tests import test_browser as core_browser
from peerwork.outreach.tests.test_browser_outreach import fits_and_tabs_to, path_of

PASSWORD = "correct horse battery"  # the shared story's password (conftest.py)
PHONE = {"width": 360, "height": 740}

ACCOUNT = (
    "The late bus on my route stopped running in the evenings, so twice I could not get "
    "back in time. I have asked about a lift share."
)
SUMMARY = (
    "We talked about the two evening shifts Amina missed. The late bus on her route stopped "
    "running. Agreed: a change of shift days for a month, and we meet again in three weeks."
)

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
def test_ravi_raises_a_concern_holds_a_review_meeting_and_both_agree_its_note(
    story: Any, live_server: Any, browser: Any
) -> None:
    base = live_server.url
    secrets: dict[str, str] = {}
    today = story.harbourside.local_today()
    review_on = today + dt.timedelta(days=21)

    # Ravi records an attendance concern about Amina's work.
    ravi_context = browser.new_context(viewport=PHONE, locale="en-GB")
    ravi = ravi_context.new_page()
    sign_in(ravi, base, "ravi", PASSWORD, secrets=secrets, secret_of=core_browser.totp_secret_of)
    ravi.goto(f"{base}/concerns/new/?person={story.amina.pk}")
    fits_and_tabs_to(ravi, "Record the concern")
    ravi.select_option("#id_source", "manager")
    ravi.check("input[name=category][value=attendance]")
    ravi.fill("#id_noticed_from", (today - dt.timedelta(days=14)).isoformat())
    ravi.fill("#id_noticed_to", (today - dt.timedelta(days=3)).isoformat())
    ravi.fill(
        "#id_what_happened", "Amina did not come to two evening outreach shifts this fortnight."
    )
    ravi.fill("#id_work_impact", "Joseph went out without his outreach partner once.")
    ravi.get_by_role("button", name="Record the concern").click()
    assert re.fullmatch(r"/concerns/[0-9a-f-]{36}/", path_of(ravi)), path_of(ravi)

    # From the case page, he plans a review meeting for today.
    fits_and_tabs_to(ravi, "Plan a review meeting")
    ravi.get_by_role("link", name="Plan a review meeting").click()
    assert path_of(ravi) == "/concerns/reviews/new/"
    assert "With Amina Wanjiru, about the concern recorded on" in shown(ravi)
    ravi.fill("#id_starts_at", f"{today.isoformat()}T00:30")
    ravi.fill("#id_place", "The small meeting room")
    fits_and_tabs_to(ravi, "Plan the meeting")
    ravi.get_by_role("button", name="Plan the meeting").click()
    meeting_page = path_of(ravi)
    assert re.fullmatch(r"/concerns/reviews/[0-9a-f-]{36}/", meeting_page)
    assert "The meeting is planned. Amina Wanjiru is told" in shown(ravi)

    # The agenda, in App. 7's order.
    text = shown(ravi)
    assert text.index("Why we are meeting") < text.index("The staff member's own account")
    ravi.fill("#id_purpose", "To talk about the missed evening shifts and what would help.")
    ravi.fill(
        "#id_issue_and_standards",
        "Two evening shifts missed without notice; outreach goes out in pairs.",
    )
    ravi.fill("#id_expected_level", "Shifts agreed a month ahead, a day's notice when not.")
    ravi.check("input[name=support_agreed][value=flexible_hours]")
    ravi.check("input[name=support_agreed][value=external_support]")
    ravi.fill("#id_support_details", "Monday and Wednesday evenings for a month.")
    ravi.check("input[name=meet_again][value=yes]")
    fits_and_tabs_to(ravi, "Save the agenda")
    ravi.get_by_role("button", name="Save the agenda").click()
    assert path_of(ravi) == meeting_page and "Saved." in shown(ravi)
    assert "External support agreed" in shown(ravi)  # Amina has not worded it

    # Held, and the note with a date to meet again.
    fits_and_tabs_to(ravi, "Mark it held")
    ravi.get_by_role("button", name="Mark it held").click()
    assert "The meeting is marked held." in shown(ravi)
    ravi.fill("#id_summary", SUMMARY)
    ravi.fill("#id_review_on", review_on.isoformat())
    fits_and_tabs_to(ravi, "Write the note")
    ravi.get_by_role("button", name="Write the note").click()
    assert "The note is written. Amina Wanjiru is asked to read it" in shown(ravi)
    assert "It is not a warning, and it is not part of any disciplinary proceedings." in shown(ravi)

    # Amina words her own account and agrees the note.
    amina_context = browser.new_context(viewport=PHONE, locale="en-GB")
    amina = amina_context.new_page()
    sign_in(amina, base, "amina", PASSWORD, secrets=secrets, secret_of=core_browser.totp_secret_of)
    amina.goto(f"{base}{meeting_page}")
    assert SUMMARY in shown(amina)
    assert "Please read the note and say whether you agree." in shown(amina)
    amina.fill("#id_person_account", ACCOUNT)
    fits_and_tabs_to(amina, "Save my account")
    amina.get_by_role("button", name="Save my account").click()
    assert "Your account is saved." in shown(amina)
    fits_and_tabs_to(amina, "I agree with this note")
    amina.get_by_role("button", name="I agree with this note").click()
    assert "You agreed the note." in shown(amina)

    # Ravi reads her account and agrees too: both agreed, the date to meet again shown.
    ravi.goto(f"{base}{meeting_page}")
    assert ACCOUNT in shown(ravi)
    fits_and_tabs_to(ravi, "I agree with this note")
    ravi.get_by_role("button", name="I agree with this note").click()
    text = shown(ravi)
    assert "Both agreed this note." in text
    assert f"Meet again to review on {review_on.isoformat()}" in text
    with scope(organisation=story.harbourside.pk):
        note = MeetingNote.objects.get()
        assert note.is_agreed() and note.review_on == review_on
    # The note as both see it now, on the phone.
    ravi.locator("#note").screenshot(
        path=str(core_browser.SCREENSHOTS / "concerns-meeting-note.png")
    )

    amina_context.close()
    ravi_context.close()
