"""End to end in headless Chromium on a 360 px phone: a line manager opens schedule health,
sees the Wednesday team meeting at 09:30 that one of his reports cannot be at from the
start, and moves it with one click to 10:45; the conflict is gone (issue 6 "Tests that must
exist"; App. 10 case 3).

Olena's later start (10:45, Monday to Friday) is agreed between her and Ravi, her line
manager, as the services do it; the page never says why. It uses the core browser tests'
live server and their ``browser`` fixture (Debian's ``/usr/bin/chromium`` through
Playwright, nothing downloaded), and checks each page for horizontal scrolling at 360 px
and for its button being reachable with the Tab key. The whole journey is one test.
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
from peerwork.people.availability import set_working_pattern
from peerwork.schedule import conflicts, services
from peerwork.schedule.models import Conflict, Meeting

PASSWORD = "correct horse battery"  # the shared story's password (conftest.py)
PHONE = {"width": 360, "height": 740}
WEDNESDAY = 2
WORKDAY = (dt.time(9, 0), dt.time(17, 30))
BUTTON = "Start at 10:45 instead: Team meeting"
REASONS = re.compile(r"\bOST\b|dispens|appointment|clinic", re.IGNORECASE)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing (Debian: apt-get install chromium); CI installs it",
    ),
]

browser = core_browser.browser


def _arrange(story: Any) -> Meeting:
    """Olena's agreed later start, and Ravi's weekly Wednesday meeting at 09:30."""
    org = story.harbourside
    today = timezone.localdate(timezone.now(), conflicts.zone_of(org))
    wednesday = today + dt.timedelta(days=(WEDNESDAY - today.weekday()) % 7 or 7)
    with scope(organisation=org.pk):
        for person in (story.amina, story.olena, story.joseph):
            set_working_pattern(
                actor=story.ravi, membership=person, days=dict.fromkeys(range(5), WORKDAY)
            )
        adjustment = services.propose_adjustment(
            actor=story.olena,
            person=story.olena,
            weekdays=range(5),
            starts=dt.time(10, 45),
            valid_from=today,
            review_on=today + dt.timedelta(days=180),
        )
        services.agree_adjustment(
            actor=story.ravi, adjustment=adjustment, version=adjustment.version
        )
        return services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="Team meeting",
                kind=Meeting.Kind.TEAM_MEETING,
                first_on=wednesday,
                starts=dt.time(9, 30),
                minutes=90,
                repeats=Meeting.Repeats.WEEKLY,
                place="Drop-in centre, back room",
                team=story.team,
                required=[story.amina.pk, story.olena.pk],
                optional=[story.joseph.pk],
            ),
        )


def _olenas_conflicts(story: Any, meeting: Meeting) -> int:
    with scope(organisation=story.harbourside.pk):
        return Conflict.objects.filter(meeting=meeting, member=story.olena).count()


@pytest.mark.django_db(transaction=True)
def test_a_manager_moves_the_wednesday_meeting_with_one_click_from_schedule_health(
    story: Any, live_server: Any, browser: Any
) -> None:
    base = live_server.url
    meeting = _arrange(story)
    assert _olenas_conflicts(story, meeting) > 0
    secrets: dict[str, str] = {}

    context = browser.new_context(viewport=PHONE, locale="en-GB")
    ravi = context.new_page()
    sign_in(ravi, base, "ravi", PASSWORD, secrets=secrets, secret_of=core_browser.totp_secret_of)

    # From his day, the menu leads him to schedule health.
    ravi.goto(f"{base}/")
    fits_and_tabs_to(ravi, "Schedule health")
    ravi.get_by_role("link", name="Schedule health").click()
    assert path_of(ravi) == "/schedule/health/"
    shown = " ".join(ravi.inner_text("main").split())
    assert "Team meeting" in shown and "Wednesday 09:30–11:00" in shown
    assert "1 of 2 required attendees cannot be there for the whole meeting" in shown
    assert "Olena Petrenko" in shown and "Amina Wanjiru" not in shown
    assert not REASONS.search(shown)
    fits_and_tabs_to(ravi, BUTTON)

    # One click moves it; he is back on schedule health, and the conflict is gone.
    ravi.get_by_role("button", name=re.compile(r"^Start at 10:45 instead\W+Team meeting$")).click()
    assert path_of(ravi) == "/schedule/health/"
    shown = " ".join(ravi.inner_text("main").split())
    assert "Moved: it now starts at 10:45." in shown
    assert "Olena Petrenko" not in shown
    assert "Every required attendee can be at the meetings you plan" in shown
    assert _olenas_conflicts(story, meeting) == 0

    # The meeting's page shows the new time and everyone there for all of it.
    ravi.goto(f"{base}/schedule/meetings/{meeting.pk}/")
    shown = " ".join(ravi.inner_text("main").split())
    assert "10:45–12:15" in shown
    assert "Everyone can be there for the whole meeting" in shown
    fits_and_tabs_to(ravi, "Change the meeting")

    # The list of meetings and the form fit a phone too.
    ravi.goto(f"{base}/schedule/meetings/")
    assert "Team meeting" in ravi.inner_text("main")
    fits_and_tabs_to(ravi, "Put a meeting on the schedule")
    ravi.goto(f"{base}/schedule/meetings/new/")
    fits_and_tabs_to(ravi, "Put it on the schedule")

    context.close()
