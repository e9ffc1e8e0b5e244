"""No English left on the sign-in pages in ru, uk, id or sw (peerwork.core.upstream_strings).

Every page allauth draws for us (sign-in, sign-out, password reset and change, two-step
sign-in, recovery codes, security keys, asking for the password again), in its error states
too, is rendered in each language, and no visible text on it may be one of the English
strings it could show: our catalogs' msgids, and allauth's and Django's English source
strings. The same walk in English must find such strings, so the check can fail. Then each
string ``upstream_strings`` lists must be in every catalog, translated.
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import allauth
import django
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.cache import cache as django_cache
from django.test import Client

from peerwork.core import upstream_strings
from peerwork.core.models import User
from peerwork.core.tests.signing_in import (
    LOGIN,
    PASSWORD,
    TWO_STEP,
    enter_code,
    reauthenticate,
    sign_in,
    totp_code,
)

BASE = Path(settings.BASE_DIR)
LOCALE = BASE / "peerwork" / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
DJANGO = Path(django.__file__).parent
UPSTREAM_ENGLISH = [
    path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    for path in (Path(allauth.__file__).parent, DJANGO / "conf", DJANGO / "contrib" / "auth")
]
# Names that stay as they are in every language (as in test_catalogs).
NAMES = {"Peerwork", "API", "JSON", "CSRF", "MAC", "UTC"}

PLACEHOLDER = re.compile(r"%\([^)]+\)[#0\- +]*\d*(?:\.\d+)?[a-zA-Z]|%[sdif]|\{[^{}\s]*\}")
MARKUP = re.compile(r"<[^<>]+>")
SPACE = re.compile(r"\s+")
SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")


def _normal(text: str) -> str:
    return SPACE.sub(" ", text).strip()


def _has_words(text: str) -> bool:
    """Something a reader would read as English: letters left once placeholders and the
    names every language keeps are taken out."""
    text = PLACEHOLDER.sub(" ", text)
    for name in NAMES:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text)
    return len(re.sub(r"[\W\d_]+", "", text)) >= 2


def _pattern(fragment: str) -> re.Pattern[str]:
    parts = PLACEHOLDER.split(fragment.replace("%%", "%"))
    return re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)


@dataclass
class English:
    """What an English string looks like on a page: exact texts, and patterns for those
    with placeholders. A string with markup is looked for by its pieces between tags,
    since a page shows each piece as its own text."""

    exact: set[str] = field(default_factory=set)
    patterns: list[re.Pattern[str]] = field(default_factory=list)

    def add(self, msgid: str) -> None:
        for fragment in MARKUP.split(msgid):
            fragment = _normal(fragment)
            if not _has_words(fragment):
                continue
            if PLACEHOLDER.search(fragment):
                self.patterns.append(_pattern(fragment))
            else:
                self.exact.add(fragment)

    def matches(self, text: str) -> bool:
        # A text may join a translated sentence and an English one ("Added on 2 March.
        # Not used."), so each sentence is looked at on its own as well.
        sentences = SENTENCE_END.split(text)
        return any(
            part in self.exact or any(p.fullmatch(part) for p in self.patterns)
            for part in [text, *(sentences if len(sentences) > 1 else [])]
        )


def _msgids(path: Path) -> Iterator[str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id:
            yield from message.id if isinstance(message.id, tuple) else [message.id]


@cache
def english() -> English:
    found = English()
    for path in [LOCALE / "sw" / "LC_MESSAGES" / "django.po", *UPSTREAM_ENGLISH]:
        for msgid in _msgids(path):
            found.add(msgid)
    for entry in listed():
        for msgid in entry.msgids:
            found.add(msgid)
    return found


class _Text(HTMLParser):
    """The text a person sees or hears on a page: text nodes (not in scripts or styles),
    the title, and the attributes read aloud or shown (labels, placeholders, buttons).
    Text in an element marked with another language (the language switcher's names of
    languages, each in its own) is that language's, not the page's."""

    SKIPPED = {"script", "style"}
    VOID = {"input", "meta", "link", "br", "img", "hr", "source", "area", "base", "col", "wbr"}

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _hidden(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        other_language = bool(attributes.get("lang")) and attributes["lang"] != self.language
        skipped = tag in self.SKIPPED or (other_language and tag != "html")
        if not (skipped or self._hidden()):
            for name in ("title", "placeholder", "aria-label", "alt"):
                if attributes.get(name):
                    self.texts.append(_normal(attributes[name] or ""))
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.texts.append(_normal(attributes.get("value") or ""))
        if tag not in self.VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._hidden() and data.strip():
            self.texts.append(_normal(data))


def visible_texts(response: object, language: str) -> list[str]:
    content: bytes = response.content  # type: ignore[attr-defined]
    parser = _Text(language)
    parser.feed(content.decode())
    return parser.texts


# --- the pages ------------------------------------------------------------------------


Pages = Iterator[tuple[str, object]]


def _ok(response: object, *codes: int) -> object:
    status = response.status_code  # type: ignore[attr-defined]
    assert status in (codes or (200,)), (status, response.get("Location"))  # type: ignore[attr-defined]
    return response


def anonymous_pages(client: Client, story: object) -> Pages:
    yield "sign-in", _ok(client.get(LOGIN))
    yield "sign-in, empty", _ok(client.post(LOGIN, {}))
    yield "sign-in, wrong password", _ok(sign_in(client, "amina", "not the password"))
    yield "sign-up closed", _ok(client.get("/accounts/signup/"))
    yield "password reset", _ok(client.get("/accounts/password/reset/"))
    yield (
        "password reset, not an email",
        _ok(client.post("/accounts/password/reset/", {"email": "not an address"})),
    )
    yield (
        "password reset, sent",
        _ok(client.post("/accounts/password/reset/", {"email": "amina@example.org"}, follow=True)),
    )
    yield "password reset, bad link", _ok(client.get("/accounts/password/reset/key/1-bad-key/"))


def reset_pages(client: Client, story: object) -> Pages:
    from peerwork.core.accounts import password_reset_url

    url = password_reset_url(story.olena.user)  # type: ignore[attr-defined]
    page = _ok(client.get(url, follow=True))
    yield "new password", page
    form = page.redirect_chain[-1][0] if page.redirect_chain else url  # type: ignore[attr-defined]
    yield (
        "new password, not the same",
        _ok(client.post(form, {"password1": "a long new passphrase", "password2": "another one"})),
    )
    yield (
        "new password, too short and common",
        _ok(client.post(form, {"password1": "12345", "password2": "12345"})),
    )
    yield (
        "new password, like the username",
        _ok(
            client.post(form, {"password1": "olena@example.org", "password2": "olena@example.org"})
        ),
    )
    yield (
        "new password, set",
        _ok(
            client.post(
                form,
                {"password1": "a long new passphrase", "password2": "a long new passphrase"},
                follow=True,
            )
        ),
    )


def locked_pages(client: Client, story: object) -> Pages:
    for _attempt in range(5):
        sign_in(client, "joseph", "not the password")
    yield "locked", _ok(sign_in(client, "joseph"), 429)


def two_step_pages(client: Client, story: object) -> Pages:
    assert sign_in(client, "ravi")["Location"] == TWO_STEP
    yield "two-step code", _ok(client.get(TWO_STEP))
    yield "two-step code, empty", _ok(enter_code(client, ""))
    yield "two-step code, wrong", _ok(enter_code(client, "000000"))
    for _attempt in range(3):
        enter_code(client, "000000")
    yield "two-step code, locked", _ok(enter_code(client, "000000"), 429)


def signed_in_pages(client: Client, story: object) -> Pages:
    user = story.ravi.user  # type: ignore[attr-defined]
    sign_in(client, "ravi")
    yield "signed in", _ok(enter_code(client, totp_code(user), follow=True))
    yield "sign out", _ok(client.get("/accounts/logout/"))
    yield "password change", _ok(client.get("/accounts/password/change/"))
    change = "/accounts/password/change/"
    yield (
        "password change, wrong old one",
        _ok(client.post(change, {"oldpassword": "nope", "password1": "x", "password2": "y"})),
    )
    yield (
        "password change, too short",
        _ok(
            client.post(change, {"oldpassword": PASSWORD, "password1": "ravi", "password2": "ravi"})
        ),
    )
    yield "password again", _ok(client.get("/accounts/reauthenticate/"))
    yield (
        "password again, wrong",
        _ok(client.post("/accounts/reauthenticate/", {"password": "not the password"})),
    )
    yield "code again", _ok(client.get("/accounts/2fa/reauthenticate/"))
    yield "code again, wrong", _ok(client.post("/accounts/2fa/reauthenticate/", {"code": "000000"}))
    reauthenticate(client)
    yield "two-step overview", _ok(client.get("/accounts/2fa/"))
    yield "recovery codes", _ok(client.get("/accounts/2fa/recovery-codes/"))
    yield "recovery codes, new", _ok(client.get("/accounts/2fa/recovery-codes/generate/"))
    yield (
        "recovery codes, made",
        _ok(client.post("/accounts/2fa/recovery-codes/generate/", follow=True)),
    )
    yield "app, remove", _ok(client.get("/accounts/2fa/totp/deactivate/"))
    yield "app, the only one", _ok(client.post("/accounts/2fa/totp/deactivate/", follow=True))
    yield "security keys, none", _ok(client.get("/accounts/2fa/webauthn/"))
    # Before a key exists: the page reads the keys' credentials, which a made-up one lacks.
    yield "security key, add", _ok(client.get("/accounts/2fa/webauthn/add/"))
    key = Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "YubiKey", "credential": {}}
    )
    yield "security keys", _ok(client.get("/accounts/2fa/webauthn/"))
    yield "security key, rename", _ok(client.get(f"/accounts/2fa/webauthn/keys/{key.pk}/edit/"))
    yield "security key, remove", _ok(client.get(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/"))
    yield (
        "security key, removed",
        _ok(client.post(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/", follow=True)),
    )
    yield (
        "password changed",
        _ok(
            client.post(
                change,
                {
                    "oldpassword": PASSWORD,
                    "password1": "a long new one",
                    "password2": "a long new one",
                },
                follow=True,
            )
        ),
    )
    yield "signed out", _ok(client.post("/accounts/logout/", follow=True))


def enrolment_pages(client: Client, story: object) -> Pages:
    """Someone whose role does not need it sets up an app, and removes it again."""
    user = story.amina.user  # type: ignore[attr-defined]
    client.force_login(user)
    yield "two-step overview, nothing set up", _ok(client.get("/accounts/2fa/"))
    yield (
        "app, set up (asks for the password)",
        _ok(client.get("/accounts/2fa/totp/activate/", follow=True)),
    )
    reauthenticate(client)
    page = _ok(client.get("/accounts/2fa/totp/activate/"))
    yield "app, set up", page
    yield (
        "app, set up, wrong code",
        _ok(client.post("/accounts/2fa/totp/activate/", {"code": "000000"})),
    )
    secret = re.search(r"\b([A-Z2-7]{32})\b", page.content.decode())  # type: ignore[attr-defined]
    assert secret is not None
    code = format_hotp_value(hotp_value(secret.group(1), int(time.time()) // 30))
    yield (
        "app, set up, done",
        _ok(client.post("/accounts/2fa/totp/activate/", {"code": code}, follow=True)),
    )
    yield "recovery codes, first", _ok(client.get("/accounts/2fa/recovery-codes/"))
    yield "app, removed", _ok(client.post("/accounts/2fa/totp/deactivate/", follow=True))


SCENARIOS: list[Callable[[Client, object], Pages]] = [
    anonymous_pages,
    reset_pages,
    locked_pages,
    two_step_pages,
    signed_in_pages,
    enrolment_pages,
]


def english_on_pages(story: object, language: str) -> dict[str, list[str]]:
    """Each page's visible texts that are English strings, page by page."""
    User.objects.update(language=language)
    found: dict[str, list[str]] = {}
    for number, scenario in enumerate(SCENARIOS, start=1):
        django_cache.clear()  # allauth's rate limits and used codes
        # Each from its own address: the lockout of one does not reach the next.
        client = Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR=f"203.0.113.{number}")
        for name, response in scenario(client, story):
            texts = visible_texts(response, language)
            assert texts, name
            found[name] = [text for text in texts if english().matches(text)]
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_is_left_on_the_sign_in_pages(story, clock, language):
    found = english_on_pages(story, language)
    left = {name: texts for name, texts in found.items() if texts}
    assert not left, f"{language}: English left on {len(left)} pages: {left}"


def test_the_same_walk_in_english_finds_the_english_strings(story, clock):
    found = english_on_pages(story, "en")
    quiet = [name for name, texts in found.items() if not texts]
    assert not quiet, f"the check would miss English on: {quiet}"


# --- the module's strings in the catalogs -------------------------------------------


@dataclass(frozen=True)
class Listed:
    context: str | None
    msgids: tuple[str, ...]

    @property
    def key(self) -> str | tuple[str, ...]:
        return self.msgids[0] if len(self.msgids) == 1 else self.msgids


KEYWORDS = {"gettext_noop", "pgettext_lazy", "ngettext_lazy"}


@cache
def listed() -> tuple[Listed, ...]:
    """What makemessages extracts from ``upstream_strings``, read as it reads it."""
    source = Path(upstream_strings.__file__).read_text(encoding="utf-8")
    entries = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id not in KEYWORDS:
                continue
            words = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
            assert all(isinstance(word, str) for word in words), ast.dump(node)
            if node.func.id == "pgettext_lazy":
                entries.append(Listed(words[0], tuple(words[1:])))
            else:
                entries.append(Listed(None, tuple(words)))
    return tuple(entries)


def test_the_module_lists_strings_of_every_kind():
    entries = listed()
    assert len(entries) > 50
    assert any(entry.context for entry in entries)
    assert any(len(entry.msgids) == 2 for entry in entries)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_listed_string_is_in_the_catalog_and_translated(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle)
    missing, untranslated = [], []
    for entry in listed():
        message = catalog.get(entry.key, context=entry.context)
        if message is None:
            missing.append(entry)
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        empty = not all(text.strip() for text in strings)
        same = any(text.strip() == entry.msgids[0].strip() for text in strings)
        if message.fuzzy or empty or (same and _has_words(entry.msgids[0])):
            untranslated.append(entry)
    assert not missing, f"{language}: not in the catalog (run makemessages): {missing[:10]}"
    assert not untranslated, f"{language}: untranslated: {untranslated[:10]}"


def test_every_listed_string_is_allauths_or_djangos_own():
    """A listed string that upstream no longer has overrides nothing: refresh the list."""
    upstream: set[tuple[str | None, str]] = set()
    for path in UPSTREAM_ENGLISH:
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    first = message.id[0] if isinstance(message.id, tuple) else message.id
                    upstream.add((message.context, first))
    stale = [entry for entry in listed() if (entry.context, entry.msgids[0]) not in upstream]
    assert not stale, stale
