"""Wording hints (§4.3, LANGUAGE.md): a gentle note with a more respectful word, never a
block; every word a glossary avoids is covered in its language."""

from __future__ import annotations

from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from peerwork.concerns import wording

GLOSSARIES = Path(settings.BASE_DIR) / "docs" / "glossary"


def avoid_list(language: str) -> list[str]:
    words, inside = [], False
    for line in (GLOSSARIES / f"{language}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line.strip().lower() == "## avoid"
        elif inside and line.startswith("- "):
            words.append(line[2:].strip())
    return words


def words(found: list[wording.Hint]) -> list[str]:
    return [hint.word for hint in found]


@pytest.mark.parametrize("language", ["ru", "uk", "id", "sw"])
def test_every_word_of_each_glossarys_avoid_list_is_covered_in_its_language(language):
    listed = avoid_list(language)
    assert len(listed) >= 5
    covered = {entry.avoid.lower() for entry in wording.AVOID[language]}
    assert not [word for word in listed if word.lower() not in covered]
    for word in listed:
        typed = " ".join(
            part.rstrip("*") + ("ами" if part.endswith("*") else "") for part in word.split()
        )
        found = wording.hints(f"Она написала: {typed.upper()}.", language)
        assert found, word
        assert found[0].instead and found[0].word.lower() == typed.lower()


def test_each_suggestion_avoids_every_word_of_its_own_language():
    for language, entries in wording.AVOID.items():
        for entry in entries:
            assert not wording.hints(entry.instead, language), (language, entry.instead)


def test_it_finds_english_words_whole_and_in_any_case():
    found = wording.hints(
        "She said she was CLEAN. Not an addict; the addiction word was not used.", "en"
    )
    assert words(found) == ["CLEAN", "addict"]
    assert found[0].instead.startswith("not using drugs")


def test_a_stem_takes_any_ending_but_never_matches_inside_another_word():
    assert words(wording.hints("Two junkies and a JUNKIE", "en")) == ["junkies", "JUNKIE"]
    assert not wording.hints("We cleaned the van and met a nonaddict", "en")
    assert words(wording.hints("Наркоманка? НАРКОМАНЫ!", "ru")) == ["Наркоманка", "НАРКОМАНЫ"]
    assert not wording.hints("наркотики и ненаркоман", "ru")


def test_a_phrase_matches_across_any_white_space():
    found = wording.hints("a history of drug\n  abuse and substance abuse", "en")
    assert words(found) == ["drug\n  abuse", "substance abuse"]
    assert words(wording.hints("потребители\nнаркотиков", "ru")) == ["потребители\nнаркотиков"]


def test_clean_and_dirty_equipment_are_not_about_a_person():
    assert not wording.hints("We hand out clean needles and take dirty syringes back.", "en")
    assert words(wording.hints("He has been clean for a year.", "en")) == ["clean"]


def test_a_longer_phrase_wins_over_the_word_inside_it():
    assert words(wording.hints("An ex-addict, not an addict.", "en")) == ["ex-addict", "addict"]


def test_the_same_word_twice_gives_one_hint():
    assert len(wording.hints("clean, Clean and CLEAN", "en")) == 1


def test_the_writers_language_is_the_active_one_and_english_is_always_checked():
    with translation.override("sw"):
        found = wording.hints("Yeye ni teja, a junkie")
    assert words(found) == ["teja", "junkie"]
    assert found[0].instead == "mtu anayetumia dawa za kulevya"
    with translation.override("en"):
        assert not wording.hints("Yeye ni teja")
    assert words(wording.hints("Ona bersih", "id-ID")) == ["bersih"]


def test_the_hint_reads_as_a_gentle_suggestion():
    (hint,) = wording.hints("clean", "en")
    assert hint.message == (
        "You wrote “clean”. Many people find “not using drugs, or not currently using” "
        "more respectful."
    )


class NoteForm(forms.Form):
    summary = forms.CharField(label="Summary", widget=forms.Textarea)
    place = forms.CharField(label="Where", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def test_hints_for_fields_reads_what_was_typed_into_a_bound_form_with_the_labels():
    form = NoteForm({"summary": "She relapsed in May", "place": "junkie corner", "version": "2"})
    found = wording.hints_for_fields(form, "en")
    assert list(found) == ["summary", "place"]
    assert found["summary"][0].word == "relapsed"
    assert found["summary"][0].message.startswith("Summary: You wrote “relapsed”.")
    assert wording.hints_for_fields(NoteForm({"summary": "Late three times"}), "en") == {}


def test_hints_for_fields_takes_a_mapping_for_the_api():
    found = wording.hints_for_fields({"notes": "a prostitute", "count": 3}, "en")
    assert found["notes"][0].instead == "sex worker"


def test_the_include_shows_a_note_and_nothing_when_there_is_nothing_to_say():
    found = wording.hints_for_fields({"notes": "clean"}, "en")
    html = render_to_string("concerns/_hints.html", {"hints": found})
    assert 'role="note"' in html and "You wrote “clean”" in html
    flat = render_to_string("concerns/_hints.html", {"hints": wording.hints("addict", "en")})
    assert "You wrote “addict”" in flat
    assert render_to_string("concerns/_hints.html", {"hints": {}}).strip() == ""
