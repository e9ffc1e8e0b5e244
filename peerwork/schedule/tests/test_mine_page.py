"""My schedule (issue 6 items 1, 2 and 4): my hours this week as agreed, my changes of
hours with the buttons to answer them, my private notes with what Peerwork works out from
them (App. 10 case 3: 10:45), and my own meeting conflicts, privately.

The arrangement here is Olena's story (DEMO.md): Monday to Friday 09:00–17:30, methadone
collected when the clinic opens at 10:00, a 15-minute wait and 30 minutes of travel, and a
Wednesday team meeting from 09:30 to 11:30. The other schedule page tests build on it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import Notification
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.availability import set_working_pattern
from peerwork.people.models import Adjustment
from peerwork.people.tests.helpers import EVERYONE
from peerwork.schedule import conflicts, services
from peerwork.schedule.models import Meeting, PrivateNeed

pytestmark = pytest.mark.django_db

WEDNESDAY = 2
WORKDAY = (dt.time(9, 0), dt.time(17, 30))
CLINIC = "Bandari Health Centre"
CASE_3 = {
    "kind": "dispensing",
    "site": CLINIC,
    "days": [0, 1, 2, 3, 4],
    "opens": "10:00",
    "closes": "13:00",
    "collection": "at_opening",
    "wait_minutes": 15,
    "travel_minutes": 30,
}
# Words of Olena's note that must never reach anyone but her (and HR under her share).
SECRETS = (CLINIC, "10:00", "dispensing", "Dispensing", "methadone", "ppointment")


def today_there(story: Any) -> dt.date:
    return timezone.localdate(timezone.now(), conflicts.zone_of(story.harbourside))


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7 or 7)


@dataclass
class Olena:
    need: PrivateNeed
    adjustment: Adjustment | None
    meeting: Meeting | None
    today: dt.date
    wednesday: dt.date


def olena(story: Any, *, agreed: bool = True, meeting: bool = True) -> Olena:
    """Olena's pattern and note; with ``agreed``, her later start proposed from the note
    and agreed by Ravi; with ``meeting``, Ravi's weekly Wednesday 09:30 team meeting."""
    today = today_there(story)
    wednesday = next_weekday(today, WEDNESDAY)
    with scope(organisation=story.harbourside.pk):
        for person in (story.olena, story.amina):
            set_working_pattern(
                actor=story.ravi, membership=person, days=dict.fromkeys(range(5), WORKDAY)
            )
        need = services.record_need(actor=story.olena, owner=story.olena, details=CASE_3)
        adjustment = None
        if agreed:
            (proposed,) = services.propose_from_need(
                actor=story.olena,
                need=need,
                valid_from=today - dt.timedelta(days=today.weekday()),  # this Monday
                review_on=today + dt.timedelta(days=180),
            )
            adjustment = services.agree_adjustment(
                actor=story.ravi, adjustment=proposed, version=proposed.version
            )
        made = None
        if meeting:
            made = services.create_meeting(
                actor=story.ravi,
                fields=services.MeetingFields(
                    title="Team meeting",
                    kind=Meeting.Kind.TEAM_MEETING,
                    first_on=wednesday,
                    starts=dt.time(9, 30),
                    minutes=120,
                    repeats=Meeting.Repeats.WEEKLY,
                    team=story.team,
                    required=[story.olena.pk, story.amina.pk],
                ),
            )
    return Olena(need, adjustment, made, today, wednesday)


def manager_proposes(story: Any, person: Any, starts: dt.time = dt.time(10, 0)) -> Adjustment:
    with scope(organisation=story.harbourside.pk):
        return services.propose_adjustment(
            actor=story.ravi,
            person=person,
            weekdays=[0, 2],
            starts=starts,
            valid_from=today_there(story),
        )


def page(member: Any, url: str = "/schedule/") -> str:
    response = signed_in(member).get(url)
    assert response.status_code == 200, response.status_code
    return assert_sound_page(response)


def assert_phone_sized(html: str) -> None:
    """360 px and keyboard basics: the viewport follows the device, nothing sets a width,
    tables have at most two columns, every action is a real button or link."""
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "width=" not in html.replace("width=device-width", "")
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        assert len(re.findall(r"<t[hd][ >]", row)) <= 2
    assert "onclick" not in html.lower() and 'tabindex="-1"' in html  # only <main> skips
    assert html.count('tabindex="') == 1
    for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S):
        assert '<button type="submit"' in form


# --- what Olena sees -----------------------------------------------------------------------


def test_olena_sees_her_week_with_the_agreed_later_start_and_its_dates(story):
    arranged = olena(story)
    html = page(story.olena)
    assert "Your working hours this week" in html
    assert html.count("10:45–17:30") == 5 and "agreed change" in html
    review = (arranged.today + dt.timedelta(days=180)).isoformat()
    assert f"starts 10:45 Mon–Fri</a>, agreed {arranged.today.isoformat()}, review {review}" in html
    assert f'href="/schedule/adjustments/{arranged.adjustment.pk}/"' in html


def test_her_note_shows_what_peerwork_works_out_and_offers_to_propose_it(story):
    arranged = olena(story, agreed=False, meeting=False)
    html = page(story.olena)
    assert CLINIC in html and "open 10:00–13:00" in html
    assert "You can be at work from 10:45 on Mon–Fri." in html
    assert f'action="/schedule/notes/{arranged.need.pk}/propose/"' in html
    assert "Propose these hours to my line manager" in html
    assert f'href="/schedule/notes/{arranged.need.pk}/"' in html


def test_once_agreed_her_note_says_her_hours_already_fit(story):
    olena(story, meeting=False)
    html = page(story.olena)
    assert "Your hours already fit" in html and "Propose these hours" not in html


def test_proposing_from_her_note_asks_ravi_with_the_hours_only(story):
    arranged = olena(story, agreed=False, meeting=False)
    client = signed_in(story.olena)
    response = client.post(
        f"/schedule/notes/{arranged.need.pk}/propose/",
        {"valid_from": arranged.today.isoformat(), "review_on": ""},
        follow=True,
    )
    html = response.content.decode()
    assert "Proposed: starts 10:45 Mon–Fri." in html
    assert "Waiting for your line manager" in html
    # Proposed once: the note says so instead of offering it again.
    assert "Proposed: waiting for an answer from the line manager." in html
    assert "Propose these hours" not in html
    with scope(organisation=story.harbourside.pk):
        row = Adjustment.objects.get(membership=story.olena)
        assert row.state == Adjustment.State.PROPOSED and row.starts == dt.time(10, 45)
        assert Notification.objects.filter(recipient=story.ravi).exists()


def test_proposing_with_a_bad_date_keeps_it_and_proposes_nothing(story):
    arranged = olena(story, agreed=False, meeting=False)
    response = signed_in(story.olena).post(
        f"/schedule/notes/{arranged.need.pk}/propose/",
        {"valid_from": "2026-13-45", "review_on": ""},
    )
    html = assert_sound_page(response)
    assert response.status_code == 200 and "Enter a valid date." in html
    assert 'value="2026-13-45"' in html
    with scope(organisation=story.harbourside.pk):
        assert not Adjustment.objects.filter(membership=story.olena).exists()


def test_her_own_conflicts_say_when_she_can_be_there_and_only_she_sees_them(story):
    arranged = olena(story)
    html = page(story.olena)
    when = arranged.wednesday.strftime("%a %-d %b")
    assert f"Team meeting, {when} 09:30 — you can be there from 10:45" in html
    assert "Only you see this list." in html
    assert "you can be there from" not in page(story.amina)


def test_a_change_proposed_by_ravi_waits_for_her_answer_and_agreeing_comes_back_here(story):
    olena(story, agreed=False, meeting=False)
    row = manager_proposes(story, story.olena)
    html = page(story.olena)
    assert "Waiting for your answer" in html and "starts 10:00 Mon, Wed" in html
    assert f'action="/schedule/adjustments/{row.pk}/agree/"' in html
    response = signed_in(story.olena).post(
        f"/schedule/adjustments/{row.pk}/agree/",
        {"version": row.version, "next": "/schedule/"},
    )
    assert response.status_code == 302 and response["Location"] == "/schedule/"
    with scope(organisation=story.harbourside.pk):
        assert Adjustment.objects.get(pk=row.pk).state == Adjustment.State.AGREED


def test_the_page_says_notes_are_private_and_links_the_calendar_and_new_notes(story):
    html = page(story.amina)
    assert "only you see them" in html and "never why" in html
    assert 'href="/schedule/calendar/"' in html
    assert 'href="/schedule/notes/new/?kind=dispensing"' in html
    assert 'href="/schedule/notes/new/?kind=appointment"' in html
    assert "No working pattern has been agreed with you yet." in html
    assert "No notes yet." in html


# --- everyone, and the page's weight ----------------------------------------------------


def test_every_member_has_a_page_of_their_own_and_sees_only_their_own(story):
    olena(story)
    for name in EVERYONE:
        html = page(getattr(story, name))
        if name != "olena":
            assert CLINIC not in html and "10:45" not in html, name


def test_not_signed_in_goes_to_sign_in(story):
    from django.test import Client

    response = Client().get("/schedule/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_fits_a_phone_and_the_keyboard(story):
    olena(story, agreed=False)
    manager_proposes(story, story.olena)
    assert_phone_sized(page(story.olena))


def test_the_number_of_queries_does_not_grow_with_the_notes(story):
    olena(story, agreed=False, meeting=False)
    client = signed_in(story.olena)
    client.get("/schedule/")
    with CaptureQueriesContext(connection) as first:
        client.get("/schedule/")
    with scope(organisation=story.harbourside.pk):
        for _ in range(3):
            services.record_need(actor=story.olena, owner=story.olena, details=CASE_3)
    with CaptureQueriesContext(connection) as more:
        client.get("/schedule/")
    # Opening each sealed note looks up its keys, which the process's key cache answers
    # outside a test's transaction (peerwork.core.keyring); nothing else grows.
    keys = [
        q
        for q in more.captured_queries
        if "_personkey" in q["sql"] or "_organisationkey" in q["sql"]
    ]
    assert len(more) - len(keys) <= len(first)


def test_the_note_stays_sealed_in_the_database(story):
    arranged = olena(story, meeting=False)
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT content FROM schedule_privateneed WHERE id = %s", [arranged.need.pk.hex]
        )
        stored = cursor.fetchone()
    assert stored is not None and CLINIC.encode() not in bytes(str(stored[0]), "utf-8")
