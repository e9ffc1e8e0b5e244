"""The hand-off on its pages and its summary (issue 8 item 3; App. 9 q8, §4.2, §4.7): the line
manager asks; a refusal names what is missing and keeps the written reason; gross
misconduct waits for HR's countersignature on the hand-off's page; the summary PDF, in the
organisation's first language, holds the concern in terms of work, the stages, the
meetings with their notes and any disagreement beside them, the targets and how they
went, the support offered and whether it was taken up, the staff member's own words for
support outside work, and the line that Peerwork runs no discipline; never a mentoring
session, a self-care record or a disclosure."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from django_scopes import scope
from pypdf import PdfReader

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import app9, support_menu
from peerwork.concerns.handoff_pdf import handoff_pdf
from peerwork.concerns.models import Concern, Handoff, MeetingNote, PathStep
from peerwork.concerns.tests.test_app9_path import app9_concern, meeting_on, today_there
from peerwork.concerns.tests.test_handoff import ready
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.support import mentoring
from peerwork.support.tests.test_mentoring_pairs import draft, pair_of

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def fresh(handoff: Handoff) -> Handoff:
    with scope(organisation=handoff.organisation_id):
        return Handoff.objects.select_related("concern", "person__organisation").get(pk=handoff.pk)


def test_the_line_manager_hands_off_when_targets_are_unmet_despite_support(story):
    with scope(organisation=story.harbourside.pk):
        concern, review = ready(story)
    url = f"/concerns/{concern.pk}/handoff/"
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(url))
    assert "Peerwork runs no discipline" in html
    assert "7 stages of 8 recorded." in html and "1 target set." in html
    assert f'value="{review.pk}"' in html
    response = ravi.post(url, {"grounds": "unmet_despite_support", "review": str(review.pk)})
    with scope(organisation=story.harbourside.pk):
        handoff = Handoff.objects.get(concern=concern)
        concern.refresh_from_db()
    assert response["Location"] == f"/concerns/handoffs/{handoff.pk}/"
    assert concern.state == Concern.State.HANDED_OFF
    html = assert_sound_page(signed_in(story.amina).get(response["Location"]))
    assert "Peerwork does not run disciplinary procedures" in html
    assert "Targets not met despite support" in html
    assert f'href="/concerns/handoffs/{handoff.pk}/summary.pdf"' in html
    # Asking again leads to the hand-off that exists.
    assert ravi.get(url)["Location"] == f"/concerns/handoffs/{handoff.pk}/"


def test_a_refused_hand_off_names_what_is_missing_and_keeps_the_reason(story):
    with scope(organisation=story.harbourside.pk):
        concern = app9_concern(story)
    response = signed_in(story.ravi).post(
        f"/concerns/{concern.pk}/handoff/",
        {"grounds": "support_refused", "review": "", "reason": "My careful words"},
    )
    html = assert_sound_page(response)
    assert "First record these stages" in html
    assert "Set at least one target for work first (App. 9 q7)." in html
    assert "Choose the review meeting, held on or after a target" in html
    assert "My careful words" in html
    with scope(organisation=story.harbourside.pk):
        assert not Handoff.objects.filter(concern=concern).exists()


def test_gross_misconduct_waits_for_hrs_countersignature_on_the_page(story):
    with scope(organisation=story.harbourside.pk):
        concern = app9_concern(story, path=Concern.Path.SUPPLY)
    ravi, grace = signed_in(story.ravi), signed_in(story.grace)
    html = assert_sound_page(ravi.get(f"/concerns/{concern.pk}/handoff/"))
    assert 'value="unmet_despite_support"' not in html and 'value="gross_misconduct"' in html
    response = ravi.post(
        f"/concerns/{concern.pk}/handoff/",
        {"grounds": "gross_misconduct", "reason": "Sold to a client behind the kiosk"},
    )
    page = response["Location"]
    with scope(organisation=story.harbourside.pk):
        handoff = Handoff.objects.get(concern=concern)
    assert handoff.state == Handoff.State.WAITING
    html = assert_sound_page(ravi.get(page))
    assert "Not handed off yet" in html and "Countersign for HR" not in html
    assert "Withdraw the request" in html
    # The requester cannot countersign through the page either.
    assert ravi.post(f"/concerns/handoffs/{handoff.pk}/countersign/", {}).status_code == 403
    assert fresh(handoff).state == Handoff.State.WAITING
    html = assert_sound_page(grace.get(page))
    assert "Countersign for HR" in html
    response = grace.post(
        f"/concerns/handoffs/{handoff.pk}/countersign/", {"version": str(handoff.version)}
    )
    assert response["Location"] == page
    stored = fresh(handoff)
    assert stored.state == Handoff.State.HANDED_OFF and stored.countersigned_by_id == story.grace.pk
    assert stored.concern.state == Concern.State.HANDED_OFF


def test_a_waiting_hand_off_is_withdrawn_from_its_page(story):
    with scope(organisation=story.harbourside.pk):
        concern = app9_concern(story, path=Concern.Path.THEFT_FRAUD)
        handoff = app9.request_handoff(
            actor=story.ravi,
            concern=concern,
            grounds="gross_misconduct",
            review=None,
            reason="The float was short",
        )
    url = f"/concerns/handoffs/{handoff.pk}/withdraw/"
    assert signed_in(story.amina).post(url, {}).status_code == 403
    response = signed_in(story.ravi).post(url, {"version": str(handoff.version)})
    assert response.status_code == 302
    assert fresh(handoff).state == Handoff.State.WITHDRAWN


def test_a_hand_off_is_hidden_from_whoever_is_not_in_the_case(story):
    with scope(organisation=story.harbourside.pk):
        concern = app9_concern(story, path=Concern.Path.SUPPLY)
        handoff = app9.request_handoff(
            actor=story.ravi, concern=concern, grounds="gross_misconduct", review=None, reason="x"
        )
    for name in ("taslima", "samuel", "daniel", "chen", "joseph", "taras"):
        client = signed_in(getattr(story, name))
        for suffix in ("", "summary.pdf"):
            assert client.get(f"/concerns/handoffs/{handoff.pk}/{suffix}").status_code == 404
        assert client.get(f"/concerns/{concern.pk}/handoff/").status_code in (403, 404)


def arrange_summary(story):
    """A handed-off App. 9 case whose first meeting has a note Amina disagrees with, support
    outside work in her words, a mentoring session, and a private self-care word."""
    with scope(organisation=story.harbourside.pk):
        concern, review = ready(story)
        first = concern.meetings.order_by("starts_at").first()
        first.support_agreed = ["flexible_hours", support_menu.EXTERNAL]
        first.external_support = "Seeing my own doctor on Tuesdays"
        first.person_account = "The early matatu from the estate stopped running"
        first.save()
        note = MeetingNote(
            organisation_id=story.harbourside.pk,
            meeting=first,
            person=story.amina,
            written_by=story.ravi,
            person_response=MeetingNote.Response.DISAGREED,
            manager_response=MeetingNote.Response.AGREED,
        )
        note.summary = "Agreed to try the later Monday shift for a month"
        note.person_disagreement = "I was never told the shift had moved"
        note.save()
        handoff = app9.request_handoff(
            actor=story.ravi,
            concern=concern,
            grounds="unmet_despite_support",
            review=review,
            reason="",
        )
    agreement = draft(story, consent=True)
    with scope(organisation=story.harbourside.pk):
        mentoring.log_session(
            actor=story.samuel,
            pair=pair_of(story),
            held_on=today_there(story),
            minutes=30,
            notes="Talked about the weekend in confidence",
        )
        mentoring.confirm_support(actor=story.samuel, pair=pair_of(story), taking_place=True)
    del agreement
    return fresh(handoff)


def test_the_summary_holds_the_case_in_terms_of_work_and_nothing_private(story):
    handoff = arrange_summary(story)
    with scope(organisation=story.harbourside.pk), translation.override("en"):
        text = pdf_text(handoff_pdf(handoff))
    for words in (
        "Summary for the organisation's disciplinary procedure",
        "Peerwork does not run disciplinary procedures",
        "Amina Wanjiru",
        "Targets not met despite support",
        "Attendance",  # the effect on work
        "Missed four Monday outreach shifts in March",
        "The Monday van went out with one worker",
        "App. 9 q1",
        "The rota shows the gaps fall on Mondays only",
        "App. 9 q6",
        "Flexible hours or a change to the working pattern",
        "Taken up",
        "Seeing my own doctor on Tuesdays",  # her words for support outside work
        "The early matatu from the estate stopped running",
        "Agreed to try the later Monday shift for a month",
        "Disagrees: I was never told the shift had moved",
        "It is not a warning",
        "Signs in for every Monday shift by half past nine",
        "The drop-in sign-in sheet",
        "Not met",
    ):
        assert words in text, words
    for private in (
        "Talked about the weekend in confidence",  # a mentoring session
        "support is taking place",  # the mentor's confirmation
        "Sweating",  # signs noticed are not the concern
        "Support outside work, worded by the staff member",  # the menu's words, not hers
    ):
        assert private not in text, private


def test_support_outside_work_reads_external_support_agreed_when_she_chose_no_words(story):
    with scope(organisation=story.harbourside.pk):
        concern, review = ready(story)
        step = PathStep.objects.get(concern=concern, stage="q6")
        step.answers = {**step.answers, "support_offered": [support_menu.EXTERNAL]}
        step.save(update_fields=["answers"])
        handoff = app9.request_handoff(
            actor=story.ravi,
            concern=concern,
            grounds="unmet_despite_support",
            review=review,
            reason="",
        )
    with scope(organisation=story.harbourside.pk):
        text = pdf_text(handoff_pdf(fresh(handoff)))
    assert "Support outside work: External support agreed" in text


def test_the_summary_is_in_the_organisations_first_language_and_downloads_for_its_readers(story):
    handoff = arrange_summary(story)
    with scope(organisation=story.harbourside.pk):
        with translation.override("sw"):  # a reader who prefers Swahili
            text = pdf_text(handoff_pdf(handoff))
        assert "Staff member: Amina Wanjiru" in text  # Harbourside works in English first
        organisation = handoff.person.organisation
        organisation.languages = ["sw", "en"]
        with translation.override("en"):
            text = pdf_text(handoff_pdf(handoff))
        assert "Mfanyakazi: Amina Wanjiru" in text
    for name in ("amina", "ravi", "grace"):
        response = signed_in(getattr(story, name)).get(
            f"/concerns/handoffs/{handoff.pk}/summary.pdf"
        )
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert response.content.startswith(b"%PDF")


def test_a_waiting_hand_off_says_so_in_its_summary(story):
    with scope(organisation=story.harbourside.pk):
        concern = app9_concern(story, path=Concern.Path.SUPPLY)
        meeting_on(story, concern, today_there(story) - dt.timedelta(days=1))
        handoff = app9.request_handoff(
            actor=story.ravi,
            concern=concern,
            grounds="gross_misconduct",
            review=None,
            reason="Sold to a client behind the kiosk",
        )
        text = pdf_text(handoff_pdf(fresh(handoff)))
    assert "Waiting for HR's countersignature" in text
    assert "Written reason" in text and "Sold to a client behind the kiosk" in text
    assert "Gross misconduct" in text
