"""The training library's cases (issue 8 item 7; §3.15, App. 10): the guide's nine case
studies, numbered as the guide numbers them, each with a story of a few sentences, its
questions, the sections of the guide that answer it and a facilitator's note; told with
invented names, none of the guide's or the demo's; in the words of LANGUAGE.md and never a
word any glossary avoids; and linking only routes that exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import translation

from peerwork.concerns import library, wording
from peerwork.core.tests.test_catalogs import all_avoided, avoid_pattern

# The people of the guide's App. 10 (with its one misspelling, "Rajun") and the
# organisations' own staff quoted nearby; none is retold under their own name.
GUIDE_NAMES = (
    "Masha",
    "Alexey",
    "Rajan",
    "Rajun",
    "Victoria",
    "Michael",
    "Andrew",
    "Rahul",
    "Geeta",
    "Zuhura",
    "Noni",
    "Udin",
)
# The demo's and the shared test story's people (DEMO.md, conftest.py).
DEMO_NAMES = (
    "Amina",
    "Wanjiru",
    "Joseph",
    "Otieno",
    "Olena",
    "Petrenko",
    "Ravi",
    "Taslima",
    "Grace",
    "Njeri",
    "Daniel",
    "Mwangi",
    "Samuel",
    "Kiprop",
    "Leila",
    "Haddad",
    "Chen",
    "Farah",
    "Peter",
    "Kamau",
    "Bashir",
    "Aliyev",
    "Taras",
    "Melnyk",
    "Oksana",
    "Bondar",
    "Dmytro",
    "Iryna",
)
# LANGUAGE.md's "avoid" column, as whole words (a ``*`` takes any ending). "user" as a noun
# alone is avoided, and "drug users" with it: the library says "people who use drugs".
LANGUAGE_AVOIDS = (
    "clean",
    "dirty",
    "addict*",
    "junkie*",
    "druggie*",
    "user",
    "users",
    "abuser*",
    "abuse",
    "misuse",
    "relaps*",
    "fell off the wagon",
    "replacement",
    "ex-addict*",
    "reformed",
    "drug-free",
    "suffering",
    "victim*",
    "prostitute*",
    "drug test*",
    "urine",
    "stoned",
)


def texts(case: library.Case) -> Iterator[str]:
    yield str(case.title)
    yield str(case.summary)
    yield from (str(paragraph) for paragraph in case.story)
    yield from (str(question) for question in case.questions)
    yield from (str(point) for point in case.facilitator)
    yield from (str(link.label) for link in case.links)
    if case.credit:
        yield str(case.credit)
    for section in case.guide_sections:
        yield str(section.title)


def every_text() -> list[str]:
    with translation.override("en"):
        return [text for case in library.CASES for text in texts(case)]


def whole_word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)


# --- the nine cases --------------------------------------------------------------------------


def test_there_are_nine_cases_numbered_as_the_guide_numbers_them_with_no_case_4():
    assert library.NUMBERS == (1, 2, 3, 5, 6, 7, 8, 9, 10)
    assert len({case.key for case in library.CASES}) == 9
    assert len({str(case.title) for case in library.CASES}) == 9
    with pytest.raises(LookupError):
        library.case_numbered(4)


def test_every_case_tells_its_story_in_three_to_eight_sentences():
    for case in library.CASES:
        story = " ".join(str(paragraph) for paragraph in case.story)
        sentences = re.findall(r"[.!?](?:\s|$)", story)
        assert 3 <= len(sentences) <= 8, (case.number, len(sentences))


def test_every_case_asks_questions_and_names_the_sections_of_the_guide_that_answer_it():
    for case in library.CASES:
        assert len(case.questions) >= 2, case.number
        assert all(str(question).endswith("?") for question in case.questions), case.number
        assert case.sections, case.number
        assert all(section in library.SECTIONS for section in case.sections), case.number
        assert len(case.facilitator) >= 2, case.number


@pytest.mark.parametrize(
    ("number", "sections"),
    [
        (1, {"§4.2", "§3.15", "App. 9"}),
        (2, {"§4.2", "App. 7", "App. 9"}),
        (3, {"§3.5"}),
        (5, {"§4.5", "§4.6"}),
        (6, {"§4.4"}),
        (7, {"§4.6", "§4.7"}),
        (8, {"§4.4"}),
        (9, {"§3.6", "§3.14"}),
        (10, {"§3.2", "§3.9", "§4.2"}),
    ],
)
def test_each_case_points_to_the_sections_that_answer_it(number, sections):
    assert sections <= set(library.case_numbered(number).sections)


def test_the_cases_keep_the_facts_the_guide_gives_them():
    with translation.override("en"):
        story = {case.number: " ".join(map(str, case.story)) for case in library.CASES}
    assert "pinned" in story[1] and "methadone" in story[1] and "nodded off" in story[1]
    assert "buprenorphine" in story[2] and "two years" in story[2] and "bank" in story[2]
    assert "10:00" in story[3] and "30-minute" in story[3] and "Wednesdays" in story[3]
    assert "lends money" in story[5] and "home" in story[5]
    assert "arrested" in story[6] and "press" in story[6]
    assert "commission" in story[7] and "different worker" in story[7]
    assert "court" in story[8] and "5 and 20 years" in story[8]
    assert "two children" in story[9] and "targets" in story[9]
    assert "living with HIV" in story[10] and "start using again" in story[10]


# --- names and words ---------------------------------------------------------------------------


def test_no_name_of_the_guides_people_or_of_the_demos_people_appears():
    found = [
        (name, text)
        for text in every_text()
        for name in (*GUIDE_NAMES, *DEMO_NAMES)
        if whole_word(name).search(text)
    ]
    assert not found, found


def test_each_case_has_people_of_its_own():
    """The invented names are not shared between cases, so a trainer never mixes them up."""
    with translation.override("en"):
        names = {
            case.number: set(
                re.findall(r"\b([A-Z][a-z]+)\b(?=[ ,:'’.])", " ".join(map(str, case.story)))
            )
            for case in library.CASES
        }
    people = {
        1: {"Halyna", "Bohdan"},
        2: {"Arjun"},
        3: {"Svitlana"},
        5: {"Omondi"},
        6: {"Manoj"},
        7: {"Agus", "Wulan"},
        8: {"Mwanaisha"},
        9: {"Ratna"},
        10: {"Bayu"},
    }
    for number, invented in people.items():
        assert invented <= names[number], number
        others = set().union(*(people[n] for n in people if n != number))
        assert not invented & others


def test_no_word_language_md_avoids_appears():
    patterns = [(entry, avoid_pattern(entry)) for entry in LANGUAGE_AVOIDS]
    found = [
        (entry, text)
        for text in every_text()
        for entry, pattern in patterns
        if pattern.search(text)
    ]
    assert not found, found


def test_the_wording_hints_find_nothing_to_suggest_in_any_case():
    """The same hints a person typing a concern gets (``wording``) find nothing here."""
    found = [(hint.word, text) for text in every_text() for hint in wording.hints(text, "en")]
    assert not found, found


def test_no_word_any_glossary_avoids_appears():
    patterns = [
        (f"{glossary}: {entry}", avoid_pattern(entry))
        for glossary, entries in all_avoided().items()
        for entry in entries
    ]
    assert len(patterns) > 20
    found = [
        (name, text) for text in every_text() for name, pattern in patterns if pattern.search(text)
    ]
    assert not found, found


def test_the_avoided_words_check_finds_what_it_looks_for():
    """The check above can fail: each avoided word is found in a sentence that has it."""
    patterns = [avoid_pattern(entry) for entry in LANGUAGE_AVOIDS]
    assert any(p.search("He had a relapse last year") for p in patterns)
    assert any(p.search("drug users at the drop-in") for p in patterns)
    assert any(p.search("She has been clean for a year") for p in patterns)
    assert not any(p.search("people who use drugs; she started using again") for p in patterns)


# --- links into Peerwork ----------------------------------------------------------------------


def test_every_link_names_a_route_that_exists():
    for case in library.CASES:
        for link in case.links:
            assert reverse(link.route), (case.number, link.route)
        assert reverse(case.route) == f"/concerns/library/case-{case.number}/"


def test_the_working_pattern_case_links_the_schedule():
    assert library.WORKING_PATTERNS in library.case_numbered(3).links
    assert library.case_numbered(3).links[0].route == "schedule:mine"


def test_the_cases_read_in_order_from_first_to_last():
    first, last = library.CASES[0], library.CASES[-1]
    assert library.neighbours(first) == (None, library.CASES[1])
    assert library.neighbours(last) == (library.CASES[-2], None)
    assert library.neighbours(library.case_numbered(5)) == (
        library.case_numbered(3),
        library.case_numbered(6),
    )
