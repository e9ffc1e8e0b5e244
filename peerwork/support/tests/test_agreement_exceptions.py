"""An exception report goes to the recipient the pair's agreement names (issue 7 item 6;
App. 4 "this should be reported in the following way"): the report page, linked from the
mentor's pair page, offers that one person only; without an agreement the default (the
director) applies, and so it does when the person named has left."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import exception_reports
from peerwork.people.models import ExceptionReport
from peerwork.support.tests.test_mentoring_pairs import draft, pair_of

pytestmark = pytest.mark.django_db


def offered(html: str) -> set[str]:
    """The recipients the report form offers, by name."""
    select = re.search(r'<select name="recipient".*?</select>', html, re.S)
    assert select is not None
    return {
        name
        for value, name in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[0])
        if value
    }


def report_page(story) -> str:
    return f"/supported/{story.amina.pk}/exception-report"


def test_the_mentors_pair_page_links_to_the_report_and_it_offers_only_the_named_recipient(story):
    draft(story, recipient="grace")
    pair = pair_of(story)
    html = assert_sound_page(signed_in(story.samuel).get(f"/support/pairs/{pair.pk}/"))
    assert f'href="{report_page(story)}"' in html and "Report an exception" in html
    html = assert_sound_page(signed_in(story.samuel).get(report_page(story)))
    assert offered(html) == {"Grace Njeri"}
    # The director, whom the default would offer, is refused for this pair.
    response = signed_in(story.samuel).post(
        report_page(story),
        {"reason": "life_in_danger", "disclosed": "Typed words", "recipient": str(story.daniel.pk)},
    )
    assert response.status_code == 200 and "Typed words" in response.content.decode()
    with scope(organisation=story.harbourside.pk):
        assert not ExceptionReport.objects.exists()


def test_without_an_agreement_the_default_recipients_are_offered(story):
    html = assert_sound_page(signed_in(story.samuel).get(report_page(story)))
    assert offered(html) == {"Daniel Mwangi"}


def test_a_recipient_who_left_gives_way_to_the_default(story):
    draft(story, recipient="grace")
    with scope(organisation=story.harbourside.pk):
        story.grace.ended_at = timezone.now()
        story.grace.save(update_fields=["ended_at"])
        found = exception_reports.recipients_for(story.samuel, story.amina)
    assert [m.pk for m in found] == [story.daniel.pk]


def test_the_report_reaches_the_named_recipient(story):
    draft(story, recipient="grace")
    with scope(organisation=story.harbourside.pk):
        report = exception_reports.report_exception(
            actor=story.samuel,
            person=story.amina,
            reason="life_in_danger",
            disclosed="What the exception needs, and only that.",
            recipient=story.grace,
        )
    assert report.recipient_id == story.grace.pk
