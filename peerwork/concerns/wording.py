"""Gentle wording hints for free text (§4.3, LANGUAGE.md; issue 8).

Words that call drug use dirty or a person broken drive people away from services and from
jobs (§4.3). When someone types one of them into a free-text field (a concern, a meeting
note, a stage's findings, an investigation's notes), Peerwork shows a short note with a
more respectful word. It is a hint, never a block: the save always goes through, and
nothing is changed in what the person wrote (LANGUAGE.md "Rules of thumb").

The words are the writer's language's: the active language (``translation.get_language``)
picks the list, and English is always checked too, because English loan words ("junkie")
turn up in every language. English follows the table of LANGUAGE.md; Russian, Ukrainian,
Indonesian and Swahili cover every word of their glossary's ``## Avoid`` list
(``docs/glossary/<lang>.md``; a test checks it) with the glossary's own "use" words as the
suggestion. The data lives here: nothing reads ``docs/`` at run time.

Matching is as the glossaries' README says: whole words, any case; a ``*`` at the end of a
word takes any ending (``наркоман*`` finds наркоманка); a phrase is words separated by
spaces and matches across any white space. A few English entries are skipped before some
words ("clean needles" is about equipment, not people).

How other areas call it (B, C, D and E on their free-text fields)::

    from peerwork.concerns import wording

    # 1. A form shown again (refused, stale) or a preview: hints beside the form.
    hints = wording.hints_for_fields(form)                  # {field name: [Hint, ...]}
    return render(request, "...", {"form": form, "hints": hints})
    # in the template, above or below the form:
    {% include "concerns/_hints.html" with hints=hints %}

    # 2. After a save: the hints travel as messages to the page the person lands on.
    wording.add_hint_messages(request, wording.hints_for_fields(form))
    return redirect(...)

    # 3. One text (an API answer may carry them as data):
    for hint in wording.hints(text, translation.get_language()):
        hint.word, hint.instead, str(hint.message)

``hints_for_fields`` also takes a plain mapping (``{"summary": text}``), for the API. A
``Hint`` carries the field's label when it came from a form, so the note can say where the
word is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

__all__ = [
    "AVOID",
    "Hint",
    "add_hint_messages",
    "entry_pattern",
    "hints",
    "hints_for_fields",
]


@dataclass(frozen=True)
class Hint:
    """One avoided word found in a text: ``word`` exactly as typed, ``instead`` the word(s)
    many people find more respectful, and ``label`` the field's label when known."""

    word: str
    instead: str
    label: str = ""

    @property
    def message(self) -> str:
        """The note, in the active language. A suggestion, never a correction."""
        text = _("You wrote “%(word)s”. Many people find “%(instead)s” more respectful.") % {
            "word": self.word,
            "instead": self.instead,
        }
        if self.label:
            return _("%(field)s: %(note)s") % {"field": self.label, "note": text}
        return text


@dataclass(frozen=True)
class Entry:
    """A word or phrase to avoid (glossary notation) and what to suggest instead.
    ``unless_next``: words after which it is not a hint ("clean" before "needles")."""

    avoid: str
    instead: str
    unless_next: tuple[str, ...] = ()


# Equipment, places and things: "clean" and "dirty" there say nothing about a person.
_THINGS = (
    "needle*",
    "syringe*",
    "equipment",
    "kit*",
    "works",
    "room*",
    "floor*",
    "toilet*",
    "water",
    "clothes",
    "hands",
    "up",
)

_PWUD = "person who uses drugs"

# English, after LANGUAGE.md's table (our words for the suggestions).
ENGLISH: tuple[Entry, ...] = (
    Entry("clean", "not using drugs, or not currently using", _THINGS),
    Entry("dirty", "positive (for a test result), or person who uses drugs", _THINGS),
    Entry("addict", _PWUD),
    Entry("addicts", "people who use drugs"),
    Entry("ex-addict*", "ex-drug user, or person in recovery if they use those words"),
    Entry("junkie*", _PWUD),
    Entry("druggie*", _PWUD),
    Entry("abuser*", _PWUD),
    Entry("substance abuse", "drug use (problem drug use only where work is affected)"),
    Entry("drug abuse", "drug use (problem drug use only where work is affected)"),
    Entry("drug misuse", "drug use (problem drug use only where work is affected)"),
    Entry("relapse*", "started using again (a lapse is not collapse)"),
    Entry("relapsing", "started using again (a lapse is not collapse)"),
    Entry("fell off the wagon", "started using again"),
    Entry("fallen off the wagon", "started using again"),
    Entry("replacement therapy", "opioid substitution therapy (OST)"),
    Entry("replacement drug*", "OST: methadone or buprenorphine"),
    Entry("reformed", "person in recovery, if they use those words"),
    Entry("drug-free workplace", "fitness-to-work policy"),
    Entry("suffering from HIV", "living with HIV"),
    Entry("suffers from HIV", "lives with HIV"),
    Entry("HIV victim*", "person living with HIV"),
    Entry("prostitute*", "sex worker"),
    Entry("drug test*", "what happened at work (Peerwork has no testing for drugs, §4.2)"),
    Entry("urine test*", "what happened at work (Peerwork has no testing for drugs, §4.2)"),
)

_RU_PWUD = "человек, употребляющий наркотики"
RUSSIAN: tuple[Entry, ...] = (
    Entry("наркоман*", _RU_PWUD),
    Entry("наркош*", _RU_PWUD),
    Entry("нарик*", _RU_PWUD),
    Entry("торчк*", _RU_PWUD),
    Entry("торчок", _RU_PWUD),
    Entry("наркозависим*", _RU_PWUD),
    Entry("наркопотребител*", _RU_PWUD),
    Entry("потребител* наркотик*", "люди, употребляющие наркотики (ЛУН)"),
    Entry("злоупотребл*", "употребление наркотиков"),
    Entry("чист*", "не употребляет наркотики; сейчас не употребляет"),
    Entry("грязн*", "положительный результат"),
    Entry("срыв*", "снова начал(а) употреблять"),
    Entry("завязавш*", "человек, употреблявший наркотики в прошлом"),
    Entry("ВИЧ-инфицированн*", "человек, живущий с ВИЧ"),
    Entry("жертв* ВИЧ", "люди, живущие с ВИЧ (ЛЖВ)"),
    Entry("проститутк*", "секс-работница, секс-работник"),
    Entry("путан*", "секс-работница, секс-работник"),
)

_UK_PWUD = "людина, яка вживає наркотики"
UKRAINIAN: tuple[Entry, ...] = (
    Entry("наркоман*", _UK_PWUD),
    Entry("нарик*", _UK_PWUD),
    Entry("торчк*", _UK_PWUD),
    Entry("торчок", _UK_PWUD),
    Entry("наркозалежн*", _UK_PWUD),
    Entry("наркоспоживач*", _UK_PWUD),
    Entry("споживач* наркотик*", "люди, які вживають наркотики (ЛВН)"),
    Entry("зловживан*", "вживання наркотиків"),
    Entry("чист*", "не вживає наркотики; зараз не вживає"),
    Entry("брудн*", "позитивний результат"),
    Entry("зрив*", "знову почав(-ла) вживати"),
    Entry("ВІЛ-інфікован*", "людина, яка живе з ВІЛ"),
    Entry("жертв* ВІЛ", "люди, які живуть з ВІЛ (ЛЖВ)"),
    Entry("повій*", "секс-працівниця, секс-працівник"),
    Entry("проститутк*", "секс-працівниця, секс-працівник"),
)

_ID_PWUD = "orang yang menggunakan napza"
INDONESIAN: tuple[Entry, ...] = (
    Entry("pecandu*", _ID_PWUD),
    Entry("junkie*", _ID_PWUD),
    Entry("pemakai", _ID_PWUD),
    Entry("pemakainya", _ID_PWUD),
    Entry("pemadat*", _ID_PWUD),
    Entry("bersih", "tidak sedang menggunakan napza"),
    Entry("kotor", "hasil positif"),
    Entry("penyalahguna*", "penggunaan napza"),
    Entry("kecanduan", "penggunaan napza yang bermasalah (hanya bila pekerjaan terdampak)"),
    Entry("penderita", "orang dengan HIV (ODHIV)"),
    Entry("pelacur*", "pekerja seks"),
    Entry("sampah masyarakat", _ID_PWUD),
)

_SW_PWUD = "mtu anayetumia dawa za kulevya"
SWAHILI: tuple[Entry, ...] = (
    Entry("teja", _SW_PWUD),
    Entry("mateja", "watu wanaotumia dawa za kulevya"),
    Entry("mraibu", _SW_PWUD),
    Entry("waraibu", "watu wanaotumia dawa za kulevya"),
    Entry("uraibu", "matumizi ya dawa za kulevya"),
    Entry("msafi", "hatumii dawa za kulevya kwa sasa"),
    Entry("wasafi", "hawatumii dawa za kulevya kwa sasa"),
    Entry("mchafu", "matokeo chanya"),
    Entry("wachafu", "matokeo chanya"),
    Entry("matumizi mabaya", "matumizi ya dawa za kulevya"),
    Entry("mwathirika", "mtu anayeishi na VVU"),
    Entry("waathirika", "watu wanaoishi na VVU"),
    Entry("kahaba", "mfanyabiashara ya ngono"),
    Entry("makahaba", "wafanyabiashara ya ngono"),
    Entry("malaya", "mfanyabiashara ya ngono"),
    Entry("junkie*", _SW_PWUD),
)

AVOID: dict[str, tuple[Entry, ...]] = {
    "en": ENGLISH,
    "ru": RUSSIAN,
    "uk": UKRAINIAN,
    "id": INDONESIAN,
    "sw": SWAHILI,
}


def _word(word: str) -> str:
    return re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word)


def entry_pattern(avoid: str, unless_next: Iterable[str] = ()) -> re.Pattern[str]:
    """A whole-word, case-insensitive pattern in the glossaries' notation."""
    body = r"\s+".join(_word(word) for word in avoid.split())
    after = "|".join(_word(word) for word in unless_next)
    guard = rf"(?!\s+(?:{after})(?!\w))" if after else ""
    return re.compile(rf"(?<![\w-]){body}(?![\w-]){guard}", re.IGNORECASE)


@cache
def _compiled(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    entries = AVOID.get(language, ())
    if language != "en":
        entries = entries + ENGLISH
    return tuple((entry_pattern(e.avoid, e.unless_next), e.instead) for e in entries)


def _language(language: str | None) -> str:
    return (language or get_language() or "en").split("-")[0].split("_")[0].lower()


def hints(text: str, language: str | None = None, *, label: str = "") -> list[Hint]:
    """The avoided words in ``text``, in the order they appear, each once (whatever its
    case). ``language`` is the writer's (the active language when None)."""
    if not text:
        return []
    found: list[tuple[int, int, Hint]] = []
    for pattern, instead in _compiled(_language(language)):
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), Hint(match.group(0), instead, label)))
    found.sort(key=lambda row: (row[0], -row[1]))
    seen: set[str] = set()
    taken_until = -1
    result: list[Hint] = []
    for start, end, hint in found:
        key = " ".join(hint.word.lower().split())
        if start < taken_until or key in seen:
            continue  # inside a longer phrase already found, or the same word again
        seen.add(key)
        taken_until = end
        result.append(hint)
    return result


def _texts(source: forms.BaseForm | Mapping[str, object]) -> list[tuple[str, str, str]]:
    """(field name, label, text) of each text field of a form or mapping."""
    if isinstance(source, forms.BaseForm):
        rows = []
        for name, field in source.fields.items():
            if not isinstance(field, forms.CharField) or isinstance(
                field.widget, forms.HiddenInput
            ):
                continue
            if source.is_bound:
                value = source.data.get(source.add_prefix(name))
            else:
                value = source.initial.get(name, field.initial)
            if isinstance(value, str) and value:
                rows.append((name, str(field.label or ""), value))
        return rows
    return [(name, "", value) for name, value in source.items() if isinstance(value, str)]


def hints_for_fields(
    source: forms.BaseForm | Mapping[str, object], language: str | None = None
) -> dict[str, list[Hint]]:
    """The hints of each text field (of a bound form: what was typed), by field name; only
    fields with a hint are in it. An empty dict when there is nothing to say."""
    found: dict[str, list[Hint]] = {}
    for name, label, text in _texts(source):
        field_hints = hints(text, language, label=label)
        if field_hints:
            found[name] = field_hints
    return found


def add_hint_messages(
    request: HttpRequest, found: Mapping[str, list[Hint]] | Iterable[Hint]
) -> None:
    """After a save: each hint as a message on the page the person lands on."""
    rows = (
        [hint for group in found.values() for hint in group]
        if isinstance(found, Mapping)
        else list(found)
    )
    for hint in rows:
        messages.info(request, hint.message)
