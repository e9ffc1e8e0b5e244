"""The questions of each disclosure category, and how an answer is checked and shown.

Every question is optional, and every category has "I prefer not to say" as an answer of its
own, not as a missing one (issue 4; §2.3: a person decides what is known about them). The
relationship to drug use offers §2.4's groups (ex-drug user, in recovery, on OST, uses drugs)
and the person's own words: people move between these, so each new answer is kept as
history (``Disclosure.replaced_at``). The words are the person's, never a label put on them
(LANGUAGE.md "Let people name themselves").

One definition serves the form, the API and the export, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .models import Category

PREFER_NOT_TO_SAY = "prefer_not_to_say"
TEXT_MAX = 1000


@dataclass(frozen=True)
class Question:
    key: str
    label: str | Promise
    kind: str  # "choice" (one), "choices" (any number) or "text"
    choices: tuple[tuple[str, str | Promise], ...] = ()
    help_text: str | Promise = ""

    def choice_label(self, code: str) -> str:
        return str(dict(self.choices).get(code, code))


@dataclass(frozen=True)
class CategoryQuestions:
    category: str
    label: str | Promise
    explanation: str | Promise
    questions: tuple[Question, ...] = field(default=())

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


QUESTIONS: dict[str, CategoryQuestions] = {
    Category.DRUG_USE: CategoryQuestions(
        Category.DRUG_USE,
        Category.DRUG_USE.label,
        _(
            "If you choose to, say how you relate to drug use now. You can change it at any "
            "time; earlier answers stay in your history, which only you can see."
        ),
        (
            Question(
                "relationship",
                _("How would you describe yourself?"),
                "choice",
                (
                    ("ex_drug_user", _("Ex-drug user")),
                    ("in_recovery", _("In recovery")),
                    ("on_ost", _("On opioid substitution therapy (OST)")),
                    ("uses_drugs", _("I use drugs")),
                    ("own_words", _("In my own words")),
                ),
            ),
            Question("own_words", _("In your own words"), "text"),
        ),
    ),
    Category.OST: CategoryQuestions(
        Category.OST,
        Category.OST.label,
        _(
            "Share what helps the organisation support your treatment, if you want to. Your "
            "manager plans with your agreed working pattern, not with these details."
        ),
        (
            Question(
                "medicine",
                _("Medicine"),
                "choice",
                (
                    ("methadone", _("Methadone")),
                    ("buprenorphine", _("Buprenorphine")),
                    ("other", _("Other")),
                ),
            ),
            Question("medicine_other", _("Other medicine"), "text"),
            Question("prescriber", _("Prescriber or clinic"), "text"),
            Question(
                "dispensing",
                _("How you collect it"),
                "choice",
                (
                    ("daily_supervised", _("Every day at the clinic")),
                    ("some_take_home", _("Some doses to take home")),
                    ("mostly_take_home", _("Mostly take-home doses")),
                ),
            ),
            Question("take_home", _("Take-home arrangement"), "text"),
        ),
    ),
    Category.HEALTH: CategoryQuestions(
        Category.HEALTH,
        Category.HEALTH.label,
        _("Only if you want the organisation to know, for example to arrange support."),
        (
            Question(
                "conditions",
                _("Conditions"),
                "choices",
                (
                    ("hiv", _("HIV")),
                    ("viral_hepatitis", _("Viral hepatitis")),
                    ("tb", _("Tuberculosis (TB)")),
                    ("other", _("Other")),
                ),
            ),
            Question("own_words", _("In your own words"), "text"),
        ),
    ),
    Category.ACCOMMODATIONS: CategoryQuestions(
        Category.ACCOMMODATIONS,
        Category.ACCOMMODATIONS.label,
        _("For example flexible hours, time for appointments, or working from home on some days."),
        (Question("needs", _("What would help"), "text"),),
    ),
    Category.CRIMINAL_RECORD: CategoryQuestions(
        Category.CRIMINAL_RECORD,
        Category.CRIMINAL_RECORD.label,
        _(
            "Only what you choose to share for a recruitment. Peerwork never asks for this to "
            "screen people out."
        ),
        (
            Question("facts", _("What you want to share"), "text"),
            Question("recruitment", _("For which post or recruitment"), "text"),
        ),
    ),
}


def questions_for(category: str) -> CategoryQuestions:
    try:
        return QUESTIONS[Category(category)]
    except ValueError:
        raise ValidationError(_("There is no such category.")) from None


def clean_answer(category: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """A checked, normalised answer, or ``ValidationError`` naming each field at fault.

    "Prefer not to say" replaces every other answer in the category. An answer with nothing
    in it is refused: to take an answer back, the person removes the category.
    """
    spec = questions_for(category)
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(raw) - {q.key for q in spec.questions} - {PREFER_NOT_TO_SAY})
    for key in unknown:
        errors[key] = [str(_("This is not a question of this category."))]
    if raw.get(PREFER_NOT_TO_SAY) in (True, "on", "true", "1"):
        if errors:
            raise ValidationError(errors)
        return {PREFER_NOT_TO_SAY: True}
    answer: dict[str, Any] = {}
    for question in spec.questions:
        value = raw.get(question.key)
        if value in (None, "", []):
            continue
        codes = {code for code, _label in question.choices}
        if question.kind == "text":
            if not isinstance(value, str):
                errors[question.key] = [str(_("This answer must be written as text."))]
                continue
            text = value.strip()
            if len(text) > TEXT_MAX:
                errors[question.key] = [
                    str(_("Please keep this under %(n)d characters.") % {"n": TEXT_MAX})
                ]
            elif text:
                answer[question.key] = text
        elif question.kind == "choice":
            if not isinstance(value, str) or value not in codes:
                errors[question.key] = [str(_("Choose one of the answers offered."))]
            else:
                answer[question.key] = value
        else:
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(
                isinstance(v, str) and v in codes for v in values
            ):
                errors[question.key] = [str(_("Choose from the answers offered."))]
            else:
                answer[question.key] = sorted(set(values))
    if errors:
        raise ValidationError(errors)
    if not answer:
        raise ValidationError(_("Answer at least one question, or choose “I prefer not to say”."))
    return answer


@dataclass(frozen=True)
class Line:
    label: str
    value: str


def describe(category: str, answer: Mapping[str, Any]) -> list[Line]:
    """The answer as labelled lines in the active language, for pages and the export."""
    if answer.get(PREFER_NOT_TO_SAY):
        return [
            Line(
                pgettext("a disclosure's answer, as a label", "Answer"),
                str(_("I prefer not to say")),
            )
        ]
    spec = questions_for(category)
    lines = []
    for question in spec.questions:
        value = answer.get(question.key)
        if value in (None, "", []):
            continue
        if question.kind == "choice":
            shown = question.choice_label(value)
        elif question.kind == "choices":
            shown = ", ".join(question.choice_label(v) for v in value)
        else:
            shown = str(value)
        lines.append(Line(str(question.label), shown))
    return lines
