"""Pages in a language whose catalog no speaker has reviewed say so (core.translations)."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from peerwork.core.management.commands.compile_catalogs import compile_catalog
from peerwork.core.translations import is_unreviewed

NOTICE = "This translation has not been reviewed by a speaker yet."


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    is_unreviewed.cache_clear()
    yield
    is_unreviewed.cache_clear()
    # The locale middleware leaves the last request's language active in this thread;
    # later tests (commands that print) expect English.
    translation.deactivate()


def in_language(text: str, language: str) -> str:
    with translation.override(language):
        words = translation.gettext(text)
    assert words != text, f"{text!r} is not translated to {language!r}"
    return words


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_the_sign_in_page_in_an_unreviewed_language_says_so(client, language):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}">' in page
    assert in_language("Sign in", language) in page
    assert in_language(NOTICE, language) in page
    assert NOTICE not in page


def test_the_sign_in_page_in_english_has_no_notice(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page and "Sign in" in page
    assert NOTICE not in page and 'class="unreviewed"' not in page


def test_a_person_whose_profile_says_ukrainian_reads_their_day_in_ukrainian(client, story):
    user = story.amina.user
    user.language = "uk"
    user.save(update_fields=["language"])
    client.force_login(user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="uk">' in page
    assert in_language("My day", "uk") in page
    assert in_language(NOTICE, "uk") in page


def write_catalog(folder: Path, review: str) -> None:
    messages = folder / "uk" / "LC_MESSAGES"
    messages.mkdir(parents=True, exist_ok=True)
    (messages / "django.po").write_text(
        'msgid ""\nmsgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Language: uk\\n"\n'
        f'"X-Peerwork-Review: {review}\\n"\n\n'
        'msgid "People"\nmsgstr "Люди"\n',
        encoding="utf-8",
    )
    compile_catalog(messages / "django.po")


def test_the_review_status_is_read_from_the_compiled_catalogs_header(settings, tmp_path):
    settings.LOCALE_PATHS = [tmp_path]
    write_catalog(tmp_path, "unreviewed")
    with (tmp_path / "uk" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        assert gettext.GNUTranslations(handle).info()["x-peerwork-review"] == "unreviewed"
    assert is_unreviewed("uk")
    is_unreviewed.cache_clear()
    write_catalog(tmp_path, "reviewed")
    assert not is_unreviewed("uk")


def test_it_reads_the_header_once_per_process(settings, tmp_path):
    settings.LOCALE_PATHS = [tmp_path]
    write_catalog(tmp_path, "unreviewed")
    assert is_unreviewed("uk")
    write_catalog(tmp_path, "reviewed")
    assert is_unreviewed("uk")  # a deployment restarts the processes; until then, cached


def test_a_language_without_a_catalog_of_ours_is_not_flagged(settings, tmp_path):
    settings.LOCALE_PATHS = [tmp_path]
    assert not is_unreviewed("en")
    assert not is_unreviewed("uk")
