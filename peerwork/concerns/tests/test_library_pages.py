"""The training library's pages (issue 8 item 7; §3.15, App. 10): the list with how to use
the cases, one page per case with its story, questions, the guide's sections, links into
Peerwork and the facilitator's note folded away; no case 4; nothing changes through them;
each page small and readable on a 360 px phone by keyboard.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import library
from peerwork.core.models import User
from peerwork.core.tests.page_checks import PAGE_BUDGET_BYTES, assert_sound_page

pytestmark = pytest.mark.django_db

LIST = "/concerns/library/"
STYLESHEET = Path(finders.find("core/peerwork.css")).read_bytes()  # type: ignore[arg-type]


def page(member, url: str = LIST) -> str:
    response = signed_in(member).get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert len(response.content) + len(STYLESHEET) < PAGE_BUDGET_BYTES
    return assert_sound_page(response)


def main(html: str) -> str:
    found = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    assert found
    return found.group(1)


def assert_phone_sized(html: str) -> None:
    """360 px and keyboard basics: the viewport follows the device, nothing sets a width,
    no table, nothing is taken out of the tab order (only <main> is a skip target), and
    every action is a real link or a native <summary>."""
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "width=" not in html.replace("width=device-width", "")
    assert "<table" not in html
    assert html.count('tabindex="') == 1 and 'tabindex="-1"' in html
    assert "onclick" not in html.lower() and "<script" not in main(html)


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_the_nine_cases_in_the_guides_order_with_where_the_guide_answers_them(story):
    html = page(story.amina)
    assert "Training library: case studies" in html
    hrefs = re.findall(r'href="/concerns/library/case-(\d+)/"', html)
    assert hrefs == ["1", "2", "3", "5", "6", "7", "8", "9", "10"]
    assert "Case 3: The clinic opens at ten" in html
    assert "The guide answers it in §3.5, §3.6, App. 7" in html
    assert "case-4" not in html


def test_the_list_says_how_to_use_the_cases_in_training_and_where_they_come_from(story):
    text = main(page(story.joseph))
    assert "sensitisation" in text and "mixed group" in text and "peer trainer" in text
    assert "Never use a case to talk about a real colleague" in text
    assert "Appendix 10 of the Good practice guide for employing people who use drugs" in text
    assert "no case 4" in text


# --- one case ---------------------------------------------------------------------------------


@pytest.mark.parametrize("number", library.NUMBERS)
def test_each_case_shows_its_story_questions_sections_and_a_folded_facilitators_note(story, number):
    case = library.case_numbered(number)
    html = page(story.amina, f"/concerns/library/case-{number}/")
    text = main(html)
    assert f"Case {number}: " in text
    for paragraph in case.story:
        assert str(paragraph).replace("'", "&#x27;") in text
    assert text.count("<li>") >= len(case.questions) + len(case.sections)
    for section in case.guide_sections:
        assert f"<strong>{section.ref}</strong>" in text
    folded = re.search(r"<details>(.*?)</details>", text, re.S)
    assert folded and "<summary>Notes for the facilitator</summary>" in folded.group(1)
    assert folded.group(1).count("<li>") == len(case.facilitator)
    assert_phone_sized(html)


def test_a_case_shows_its_questions_in_our_words(story):
    text = main(page(story.ravi, "/concerns/library/case-1/"))
    assert "What, if anything, concerns you here, and what does not?" in text
    assert "Pinned pupils, sweating and paleness" in text


def test_a_case_links_to_the_cases_before_and_after_it(story):
    text = main(page(story.amina, "/concerns/library/case-3/"))
    assert '<a href="/concerns/library/case-2/" rel="prev">Previous: case 2</a>' in text
    assert '<a href="/concerns/library/case-5/" rel="next">Next: case 5</a>' in text
    first = main(page(story.amina, "/concerns/library/case-1/"))
    assert 'rel="prev"' not in first and 'href="/concerns/library/case-2/" rel="next"' in first


def test_the_credit_names_who_first_wrote_the_case_where_the_guide_does(story):
    assert "Reachout Centre Trust and KANCO" in page(story.amina, "/concerns/library/case-8/")
    assert "Rumah Cemara" in page(story.amina, "/concerns/library/case-10/")
    assert "First written by" not in page(story.amina, "/concerns/library/case-1/")


def test_there_is_no_case_4(story):
    client = signed_in(story.amina)
    assert client.get("/concerns/library/case-4/").status_code == 404
    assert client.get("/concerns/library/case-11/").status_code == 404


def test_the_working_pattern_case_links_the_schedule(story):
    text = main(page(story.olena, "/concerns/library/case-3/"))
    assert "In Peerwork" in text
    assert (
        '<a href="/schedule/">Your schedule: agreeing working hours as a working pattern</a>'
        in text
    )


def test_the_signs_case_shows_who_records_concerns_how_peerwork_answers_signs_alone(story):
    link = '<a href="/concerns/new/">Recording a concern: signs on their own are explained'
    assert link in page(story.ravi, "/concerns/library/case-1/")
    assert link in page(story.grace, "/concerns/library/case-1/")
    amina = main(page(story.amina, "/concerns/library/case-1/"))
    assert "/concerns/new/" not in amina and "In Peerwork" not in amina


def test_the_client_relationship_case_offers_asking_for_advice_before_acting(story):
    assert 'href="/concerns/advice/new/"' in page(story.amina, "/concerns/library/case-5/")


@pytest.mark.parametrize("who", ["amina", "joseph", "chen", "ravi", "grace"])
def test_every_link_a_case_shows_opens_for_whoever_it_is_shown_to(story, who):
    member = getattr(story, who)
    client = signed_in(member)
    seen = set()
    for case in library.CASES:
        text = main(page(member, case.url))
        for link in library.links_for(member, case):
            assert f'href="{link.url}"' in text
            seen.add(link.url)
    assert seen
    for url in sorted(seen):
        assert client.get(url).status_code == 200, url


def test_a_link_is_left_out_for_a_reader_its_page_does_not_answer_or_whose_route_is_gone(story):
    ravi = story.ravi.pk
    case = dataclasses.replace(
        library.case_numbered(6),
        links=(
            library.Link(
                library.LEGAL_CONTACTS.label, "outreach:legal_contacts", lambda m: m.pk == ravi
            ),
            library.Link(library.SHIFTS.label, "outreach:no_such_page"),
        ),
    )
    assert [link.url for link in library.links_for(story.ravi, case)] == [
        "/outreach/legal-contacts/"
    ]
    assert library.links_for(story.amina, case) == []


# --- nothing changes here ---------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, "/concerns/library/case-7/"])
def test_the_pages_only_answer_reading(story, url):
    client = signed_in(story.grace)
    assert client.post(url, {"x": "1"}).status_code == 405
    assert client.head(url).status_code == 200


# --- budget, phone, keyboard, language -------------------------------------------------------


def test_the_list_fits_the_page_budget_with_its_stylesheet_and_a_phone(story):
    response = signed_in(story.amina).get(LIST)
    assert len(response.content) + len(STYLESHEET) < PAGE_BUDGET_BYTES
    html = assert_sound_page(response)
    assert_phone_sized(html)


def test_the_longest_case_fits_the_page_budget(story):
    sizes = {
        case.number: len(signed_in(story.amina).get(case.url).content) for case in library.CASES
    }
    assert max(sizes.values()) + len(STYLESHEET) < PAGE_BUDGET_BYTES


def test_the_pages_speak_the_readers_language(story):
    User.objects.filter(pk=story.amina.user_id).update(language="sw")
    html = signed_in(story.amina).get("/concerns/library/case-1/").content.decode()
    assert '<html lang="sw">' in html
