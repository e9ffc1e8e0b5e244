"""Review meetings on their pages (issue 8 item 2; App. 7): planning one from a concern or
on its own; who reads the meeting page (the matrix's meeting column: the person, her line
manager, HR, the peer supporter she brought, nobody else); the agenda in App. 7's order
with each side's form; the manager's form cannot carry the staff member's words; a stale
save keeps what was typed; bad input keeps it too; the mentor's consented yes or no; the
peer supporter's choice, refused for an investigator; held and cancelled; the case page's
list of meetings. Every page stays sound (size, labels, no inline code)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import meetings
from peerwork.concerns.models import Investigation, Investigator, ReviewMeeting
from peerwork.concerns.tests.test_meetings import (
    at_there,
    concern_about,
    fresh,
    held,
    plan,
    today_there,
)
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.support import agreements, mentoring
from peerwork.support.tests.test_mentoring_pairs import draft, pair_of

pytestmark = pytest.mark.django_db


def page(meeting: ReviewMeeting) -> str:
    return f"/concerns/reviews/{meeting.pk}/"


def text_of(html: str) -> str:
    """What the page says, without its tags."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def local_input(story: Any, day: dt.date, hour: int = 14) -> str:
    return at_there(story, day, hour).strftime("%Y-%m-%dT%H:%M")


# --- planning ---------------------------------------------------------------------------------


def test_ravi_plans_a_meeting_from_amina_s_concern(story):
    concern = concern_about(story)
    url = f"/concerns/reviews/new/?concern={concern.pk}"
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(url))
    assert "With Amina Wanjiru, about the concern recorded on" in text_of(html)
    assert 'name="person"' not in html  # the concern names her
    day = today_there(story) + dt.timedelta(days=3)
    response = ravi.post(url, {"starts_at": local_input(story, day), "place": "Room 2"})
    with scope(organisation=story.harbourside.pk):
        meeting = ReviewMeeting.objects.get()
    assert response["Location"] == page(meeting)
    assert meeting.concern_id == concern.pk and meeting.person_id == story.amina.pk
    assert meeting.starts_at == at_there(story, day)  # the organisation's time, not UTC


def test_hr_plans_a_meeting_on_its_own_and_bad_input_keeps_what_was_typed(story):
    grace = signed_in(story.grace)
    html = assert_sound_page(grace.get("/concerns/reviews/new/"))
    assert "Olena Petrenko" in html
    response = grace.post(
        "/concerns/reviews/new/",
        {"person": str(story.olena.pk), "starts_at": "next tuesday", "place": "The garden"},
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Give the day and time like 2026-03-31 14:00." in text_of(html)
    assert 'value="The garden"' in html and 'value="next tuesday"' in html
    with scope(organisation=story.harbourside.pk):
        assert not ReviewMeeting.objects.exists()


def test_who_may_plan_a_meeting(story):
    assert signed_in(story.amina).get("/concerns/reviews/new/").status_code == 403
    assert signed_in(story.peter).get("/concerns/reviews/new/").status_code == 404
    # Taslima manages nobody: her list of people is empty, and Amina is refused.
    taslima = signed_in(story.taslima)
    response = taslima.post(
        "/concerns/reviews/new/",
        {
            "person": str(story.amina.pk),
            "starts_at": local_input(story, today_there(story) + dt.timedelta(days=1)),
        },
    )
    assert response.status_code == 200 and "Choose someone from the list." in response.text
    concern = concern_about(story)
    assert taslima.get(f"/concerns/reviews/new/?concern={concern.pk}").status_code == 404
    assert (
        signed_in(story.amina).get(f"/concerns/reviews/new/?concern={concern.pk}").status_code
        == 403
    )


# --- who reads it ---------------------------------------------------------------------------------


def test_the_meeting_page_is_read_by_the_person_her_manager_hr_and_a_brought_supporter(story):
    meeting = plan(story, concern=concern_about(story))
    for name in ("amina", "ravi", "grace"):
        assert signed_in(getattr(story, name)).get(page(meeting)).status_code == 200, name
    for name in ("taslima", "daniel", "chen", "samuel", "leila", "joseph", "farah", "peter"):
        assert signed_in(getattr(story, name)).get(page(meeting)).status_code == 404, name
    assert signed_in(story.taras).get(page(meeting)).status_code == 404
    with scope(organisation=story.harbourside.pk):
        meetings.choose_supporter(
            actor=story.amina, meeting=meeting, supporter=story.samuel, version=meeting.version
        )
    html = text_of(assert_sound_page(signed_in(story.samuel).get(page(meeting))))
    assert "Peer supporter Samuel Kiprop" in html
    assert "Save the agenda" not in html and "Save my account" not in html


def test_the_list_shows_each_person_the_meetings_they_read(story):
    plan(story)
    plan(story, "olena", by="grace")
    listed = {
        name: signed_in(getattr(story, name)).get("/concerns/reviews/").text
        for name in ("amina", "ravi", "grace", "taslima", "joseph")
    }
    assert "With Amina Wanjiru" in listed["amina"] and "Olena" not in listed["amina"]
    assert "With Amina Wanjiru" in listed["ravi"] and "With Olena Petrenko" in listed["ravi"]
    assert "With Olena Petrenko" in listed["grace"]
    assert "With" not in text_of(listed["taslima"]).split("Planned", 1)[1]
    assert (
        "Plan a review meeting" in listed["ravi"]
        and "Plan a review meeting" not in listed["joseph"]
    )
    assert signed_in(story.peter).get("/concerns/reviews/").status_code == 404


# --- the agenda ----------------------------------------------------------------------------------


def test_the_agenda_is_in_app_7_s_order_with_each_sides_form(story):
    meeting = plan(story)
    raw = assert_sound_page(signed_in(story.ravi).get(page(meeting)))
    html = text_of(raw)
    titles = [str(step.title) for step in meetings.AGENDA]
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "Save the agenda" in html and 'name="purpose"' in raw
    assert 'name="person_account"' not in raw and 'name="external_support"' not in raw
    assert "For information only: services outside work" in html
    assert "Self-referral to an OST service" in html  # shown, never stored
    mine = assert_sound_page(signed_in(story.amina).get(page(meeting)))
    assert 'name="person_account"' in mine and 'name="purpose"' not in mine
    assert "Bring a peer supporter" in mine and "Nobody: I come on my own" in mine


def test_the_manager_s_form_cannot_carry_the_staff_member_s_words(story):
    meeting = plan(story)
    with scope(organisation=story.harbourside.pk):
        meetings.change_meeting(
            actor=story.amina,
            meeting=meeting,
            changes={"person_account": "My own words.", "external_support": "Mine too."},
            version=meeting.version,
        )
    stored = fresh(meeting)
    response = signed_in(story.ravi).post(
        f"{page(meeting)}agenda/",
        {
            "version": str(stored.version),
            "starts_at": local_input(story, today_there(story) + dt.timedelta(days=2)),
            "purpose": "To talk about attendance.",
            "person_account": "Ravi's version.",
            "external_support": "Ravi's version.",
            "job_concerns": "Ravi's version.",
        },
    )
    assert response.status_code == 302
    stored = fresh(meeting)
    assert stored.purpose == "To talk about attendance."
    assert stored.person_account == "My own words." and stored.external_support == "Mine too."
    assert not stored.job_concerns


def test_amina_words_her_account_and_her_support_outside_work(story):
    meeting = plan(story)
    with scope(organisation=story.harbourside.pk):
        meetings.change_meeting(
            actor=story.ravi,
            meeting=meeting,
            changes={"support_agreed": ["flexible_hours", "external_support"]},
            version=meeting.version,
        )
    amina = signed_in(story.amina)
    html = text_of(amina.get(page(meeting)).content.decode())
    assert "External support agreed" in html  # blank: the default wording
    response = amina.post(
        f"{page(meeting)}agenda/",
        {
            "version": str(fresh(meeting).version),
            "person_account": "The late bus stopped running, so I missed the evening shifts.",
            "job_concerns": "",
            "purpose": "Amina's purpose.",
        },
    )
    assert response.status_code == 302
    stored = fresh(meeting)
    assert stored.person_account.startswith("The late bus")
    assert not stored.purpose  # not her field: the form has no such input
    html = text_of(signed_in(story.ravi).get(page(meeting)).content.decode())
    assert "The late bus stopped running" in html and "External support agreed" in html


def test_a_stale_save_keeps_what_was_typed_and_says_so(story):
    meeting = plan(story)
    read = fresh(meeting).version
    with scope(organisation=story.harbourside.pk):
        meetings.change_meeting(
            actor=story.ravi, meeting=meeting, changes={"purpose": "Ravi's."}, version=read
        )
    response = signed_in(story.amina).post(
        f"{page(meeting)}agenda/",
        {"version": str(read), "person_account": "What I typed, kept."},
    )
    html = text_of(assert_sound_page(response))
    assert response.status_code == 200
    assert "Someone else changed this meeting meanwhile" in html
    assert "What I typed, kept." in html
    assert not fresh(meeting).person_account
    # Saving again goes over what is there now.
    again = signed_in(story.amina).post(
        f"{page(meeting)}agenda/",
        {"version": str(read + 1), "person_account": "What I typed, kept."},
    )
    assert again.status_code == 302 and fresh(meeting).person_account == "What I typed, kept."


def test_too_long_text_is_refused_beside_the_field_and_kept(story):
    meeting = plan(story)
    long = "x" * (meetings.TEXT_MAX + 1)
    response = signed_in(story.amina).post(
        f"{page(meeting)}agenda/", {"version": "1", "person_account": long}
    )
    assert response.status_code == 200 and long in response.text
    assert not fresh(meeting).person_account


def test_a_word_to_avoid_gets_a_gentle_hint_and_is_saved_as_typed(story):
    meeting = plan(story)
    ravi = signed_in(story.ravi)
    response = ravi.post(
        f"{page(meeting)}agenda/",
        {
            "version": "1",
            "starts_at": local_input(story, today_there(story) + dt.timedelta(days=2)),
            "issue_and_standards": "Someone said she is no longer clean.",
        },
        follow=True,
    )
    html = text_of(response.content.decode())
    assert "Many people find “not using drugs, or not currently using” more respectful." in html
    assert fresh(meeting).issue_and_standards == "Someone said she is no longer clean."


def test_the_mentors_yes_or_no_shows_only_with_amina_s_consent(story):
    meeting = plan(story)
    draft(story, consent=False)
    ravi = signed_in(story.ravi)
    assert "confirmed that support is taking place" not in text_of(ravi.get(page(meeting)).text)
    with scope(organisation=story.harbourside.pk):
        agreement = mentoring.agreement_of(pair_of(story))
        agreements.consent_to_confirmation(actor=story.amina, agreement=agreement)
        mentoring.confirm_support(actor=story.samuel, pair=pair_of(story), taking_place=True)
    html = text_of(assert_sound_page(ravi.get(page(meeting))))
    assert "the mentor or coach confirmed that support is taking place" in html
    with scope(organisation=story.harbourside.pk):
        agreements.withdraw_consent(
            actor=story.amina, agreement=mentoring.agreement_of(pair_of(story))
        )
    assert "confirmed that support is taking place" not in text_of(ravi.get(page(meeting)).text)


# --- the peer supporter ---------------------------------------------------------------------------


def test_amina_brings_samuel_and_he_is_told(story):
    meeting = plan(story)
    amina = signed_in(story.amina)
    response = amina.post(
        f"{page(meeting)}supporter/", {"version": "1", "peer_supporter": str(story.samuel.pk)}
    )
    assert response.status_code == 302
    assert fresh(meeting).peer_supporter_id == story.samuel.pk
    html = text_of(amina.get(page(meeting)).text)
    assert "Samuel Kiprop is asked to come with you." in html


def test_an_investigator_is_refused_as_peer_supporter_with_a_clear_message(story):
    concern = concern_about(story)
    with scope(organisation=story.harbourside.pk):
        investigation = Investigation.objects.create(
            organisation=story.harbourside, concern=concern, person=story.amina
        )
        Investigator.objects.create(
            organisation=story.harbourside, investigation=investigation, member=story.joseph
        )
    meeting = plan(story, concern=concern)
    response = signed_in(story.amina).post(
        f"{page(meeting)}supporter/", {"version": "1", "peer_supporter": str(story.joseph.pk)}
    )
    html = text_of(assert_sound_page(response))
    assert response.status_code == 200 and "Joseph Otieno" in html and "§4.7" in html
    assert fresh(meeting).peer_supporter_id is None


def test_ravi_cannot_choose_amina_s_supporter(story):
    meeting = plan(story)
    response = signed_in(story.ravi).post(
        f"{page(meeting)}supporter/",
        {"version": "1", "peer_supporter": str(story.samuel.pk)},
        follow=True,
    )
    assert "Only the staff member chooses whether to bring a peer supporter." in response.text
    assert fresh(meeting).peer_supporter_id is None


# --- held and cancelled ---------------------------------------------------------------------------


def test_ravi_marks_it_held_from_its_day_and_not_before(story):
    ahead = plan(story, days=2)
    ravi = signed_in(story.ravi)
    assert "Mark it held" not in ravi.get(page(ahead)).text
    response = ravi.post(f"{page(ahead)}held/", {"version": "1"}, follow=True)
    assert "mark it held on that day or later" in response.text
    assert fresh(ahead).state == "scheduled"
    today = plan(story, days=0)
    assert "Mark it held" in ravi.get(page(today)).text
    ravi.post(f"{page(today)}held/", {"version": "1"})
    assert fresh(today).state == "held"
    # Amina reads the button's route but is told it is not hers.
    other = plan(story, days=-1)
    response = signed_in(story.amina).post(f"{page(other)}held/", {"version": "1"}, follow=True)
    assert "Only the manager or HR marks the meeting held." in response.text
    assert fresh(other).state == "scheduled"


def test_ravi_cancels_a_planned_meeting(story):
    meeting = plan(story)
    signed_in(story.ravi).post(f"{page(meeting)}cancel/", {"version": "1"})
    assert fresh(meeting).state == "cancelled"
    html = text_of(assert_sound_page(signed_in(story.amina).get(page(meeting))))
    assert "Cancelled" in html and "it has no note" in html
    assert "Save my account" not in html


# --- the case page ---------------------------------------------------------------------------------


def test_the_case_page_lists_the_meetings_each_reader_may_read(story):
    concern = concern_about(story)
    meeting = held(story, concern=concern)
    with scope(organisation=story.harbourside.pk):
        meetings.write_note(
            actor=story.ravi,
            meeting=meeting,
            summary="We agreed a change of shift days.",
            review_on=today_there(story) + dt.timedelta(days=21),
        )
        investigation = Investigation.objects.create(
            organisation=story.harbourside, concern=concern, person=story.amina
        )
        Investigator.objects.create(
            organisation=story.harbourside, investigation=investigation, member=story.taslima
        )

    def part(member: Any) -> str:
        with scope(organisation=story.harbourside.pk), timezone.override(story.harbourside.zone):
            return render_to_string(
                "concerns/_case_meetings.html", {"concern": concern, "member": member}
            )

    ravis = part(story.ravi)
    assert page(meeting) in ravis and "note waiting for answers" in ravis
    assert (
        at_there(story, today_there(story) - dt.timedelta(days=1)).strftime("%Y-%m-%d 14:00")
        in ravis
    )
    assert "meet again on" in ravis and "Plan a review meeting" in ravis
    assert page(meeting) in part(story.amina) and "Plan a review meeting" not in part(story.amina)
    # An investigator reads the case, never its review meetings.
    assert page(meeting) not in part(story.taslima)
    assert "No review meeting yet." in part(story.taslima)
