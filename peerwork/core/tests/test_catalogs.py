"""The translation catalogs: complete, really translated, placeholders intact, free of the
words the glossaries forbid, and compiled from what is in the ``.po`` files.

Every language of ``settings.LANGUAGES`` but English (the source) has a catalog in
``peerwork/locale``; the words to avoid come from the ``## Avoid`` lists of
``docs/glossary/*.md`` (format in ``docs/glossary/README.md``), so each word added there is
checked here. The guide's §4.3 is why: a word that calls drug use dirty or a person broken
drives people away from services and from jobs.
"""

from __future__ import annotations

import gettext
import io
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from django.conf import settings
from django.core.management import call_command

from peerwork.core.management.commands.compile_catalogs import read_catalog

LOCALE = Path(settings.BASE_DIR) / "peerwork" / "locale"
GLOSSARIES = Path(settings.BASE_DIR) / "docs" / "glossary"
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

# Words that stay as they are in every language: a translation equal to its English source
# is accepted only when nothing is left once these, placeholders, markup, digits and
# punctuation are taken out. Local abbreviations are preferred wherever they exist (ОЗТ,
# ЗПТ, СМС, "Bahasa Inggris"), so the list holds only names and protocol words.
SAME_IN_EVERY_LANGUAGE = {
    "Peerwork",  # the product's name
    "Twilio",  # an SMS gateway's name (outreach SMS numbers)
    "Africa's Talking",  # an SMS gateway's name
    "API",  # the interface's name in its URLs and documentation
    "JSON",  # a data format named in error messages
    "CSRF",  # named in the security-check message so that admins can look it up
    "MAC",  # what the audit verifier compares; operators search for it
    "UTC",  # a time zone's name
    "HIV",  # the virus's international abbreviation, used as is in Indonesian (§2.3 health)
}

PLACEHOLDER = re.compile(
    r"%\([^)]+\)[#0\- +]*\d*(?:\.\d+)?[a-zA-Z]"  # %(name)s, %(count)d
    r"|%[#0\- +]*\d*(?:\.\d+)?[sdif]"  # %s, %d
    r"|\{[^{}\s]*\}"  # {name}, {0}
)
MARKUP = re.compile(r"<[^<>]+>")


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as source:
        return read_catalog(source, locale=language)


def entries(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def sources(message: Message) -> list[str]:
    return list(message.id) if message.pluralizable else [message.id]


def translations(message: Message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def described(language: str, message: Message) -> str:
    return f"{language}: {sources(message)[0]!r}"


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_every_language_but_english_has_a_catalog_with_entries(language):
    assert po_path(language).is_file(), f"no catalog for {language}: run makemessages"
    assert len(list(entries(read(language)))) > 100


def test_every_entry_is_translated_in_every_plural_form(language):
    catalog = read(language)
    untranslated = [
        described(language, message)
        for message in entries(catalog)
        if not all(text.strip() for text in translations(message))
    ]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"


def test_the_plural_forms_match_the_catalogs_header(language):
    catalog = read(language)
    expected = {"ru": 4, "uk": 4, "id": 1, "sw": 2}.get(language, catalog.num_plurals)
    assert catalog.num_plurals == expected
    for message in entries(catalog):
        if message.pluralizable:
            assert len(message.string) == catalog.num_plurals, described(language, message)


def test_no_entry_is_fuzzy(language):
    catalog = read(language)
    assert not catalog.fuzzy, f"{language}: the header is still marked fuzzy"
    fuzzy = [described(language, message) for message in entries(catalog) if message.fuzzy]
    assert not fuzzy, f"fuzzy entries are left out of the compiled catalog: {fuzzy[:20]}"


def left_once_names_are_taken_out(text: str) -> str:
    text = PLACEHOLDER.sub(" ", MARKUP.sub(" ", text))
    for name in SAME_IN_EVERY_LANGUAGE:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text)
    return re.sub(r"[\W\d_]+", "", text)


def test_no_translation_is_its_english_source_except_names_and_codes(language):
    same = [
        described(language, message)
        for message in entries(read(language))
        for source, text in zip(
            [*sources(message), *[sources(message)[-1]] * 4], translations(message), strict=False
        )
        if text.strip() == source.strip() and left_once_names_are_taken_out(source)
    ]
    assert not same, f"left in English: {same[:20]}"


def test_names_and_codes_alone_may_stay_as_they_are():
    assert left_once_names_are_taken_out('%(name)s (API) · Peerwork <a href="%(url)s">') == ""
    assert left_once_names_are_taken_out("Peerwork core") == "core"


def test_placeholders_and_markup_are_the_same_in_every_translation(language):
    broken = []
    for message in entries(read(language)):
        # Every plural form shows the count: Russian's "one" form is also 21, 31, …
        expected = sources(message)[-1]
        for text in filter(None, translations(message)):  # empty ones: the test above
            if Counter(PLACEHOLDER.findall(text)) != Counter(PLACEHOLDER.findall(expected)):
                broken.append(f"{described(language, message)} → {text!r}")
            elif sorted(MARKUP.findall(text)) != sorted(MARKUP.findall(expected)):
                broken.append(f"{described(language, message)} → {text!r} (markup)")
    assert not broken, broken[:20]


def test_the_header_names_the_language_and_its_review_status(language):
    catalog = read(language)
    assert str(catalog.locale) == language
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == language
    extra = dict(catalog.extra_headers)
    assert extra.get("X-Peerwork-Review") in {"unreviewed", "reviewed"}, (
        f"{language}: the header needs X-Peerwork-Review (docs/glossary/README.md)"
    )


# --- words to avoid ------------------------------------------------------------------


def avoid_list(glossary: Path) -> list[str]:
    """The items of the glossary's ``## Avoid`` section."""
    words, inside = [], False
    for line in glossary.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line.strip().lower() == "## avoid"
        elif inside and line.startswith("- "):
            words.append(line[2:].strip())
    return words


def avoid_pattern(entry: str) -> re.Pattern[str]:
    """A whole-word, case-insensitive pattern; ``*`` ends a stem that takes any ending."""
    words = [
        re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word)
        for word in entry.split()
    ]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def all_avoided() -> dict[str, list[str]]:
    return {
        glossary.stem: avoid_list(glossary)
        for glossary in sorted(GLOSSARIES.glob("*.md"))
        if glossary.name != "README.md"
    }


def test_every_language_has_a_glossary_with_words_to_avoid(language):
    glossary = GLOSSARIES / f"{language}.md"
    assert glossary.is_file(), f"docs/glossary/{language}.md is missing"
    assert len(avoid_list(glossary)) >= 5


def test_an_avoided_stem_is_found_in_any_ending_and_case_but_not_inside_other_words():
    stem = avoid_pattern("наркоман*")
    assert stem.search("Наркоманы и наркомания")
    assert stem.search("НАРКОМАНКА")
    assert not stem.search("наркотики") and not stem.search("ненаркоман")
    word = avoid_pattern("teja")
    assert word.search("Teja, rafiki") and not word.search("tejas") and not word.search("mateja")
    phrase = avoid_pattern("потребител* наркотик*")
    assert phrase.search("потребителям\nнаркотиков")
    assert not phrase.search("потребители услуг")


def test_no_word_any_glossary_avoids_appears_in_any_catalog(language):
    patterns = [
        (f"{glossary}.md: {entry}", avoid_pattern(entry))
        for glossary, entries_ in all_avoided().items()
        for entry in entries_
    ]
    assert len(patterns) > 20
    found = [
        f"{described(language, message)} contains {name}"
        for message in entries(read(language))
        for text in [*sources(message), *translations(message)]
        for name, pattern in patterns
        if pattern.search(text)
    ]
    assert not found, found


# --- compiled catalogs ---------------------------------------------------------------


def test_the_compiled_catalogs_are_up_to_date_with_their_po_files():
    """The tests compile the catalogs first (conftest.py), as ``make run`` and deployments
    do; nothing is left to compile, and each ``.mo`` holds exactly the ``.po``'s words."""
    out = io.StringIO()
    call_command("compile_catalogs", stdout=out)
    assert "Compiled" not in out.getvalue()
    for language in LANGUAGES:
        expected: dict[object, str] = {}
        for message in entries(read(language)):
            if message.fuzzy or not message.string:
                continue  # left out of the .mo, as msgfmt does (the tests above object)
            # gettext keys an entry that has a context as "context\x04msgid".
            context = f"{message.context}\x04" if message.context else ""
            if message.pluralizable:
                # Every form, also those no whole number selects (Russian's fourth); an
                # empty form falls back to English, as msgfmt does.
                for form, text in enumerate(message.string):
                    expected[context + message.id[0], form] = text or message.id[min(form, 1)]
            else:
                expected[context + message.id] = message.string
        with po_path(language).with_suffix(".mo").open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        words = {key: text for key, text in compiled._catalog.items() if key != ""}
        assert words == expected, f"{language}: the .mo differs from the .po"
        review = dict(read(language).extra_headers)["X-Peerwork-Review"]
        assert compiled.info()["x-peerwork-review"] == review
