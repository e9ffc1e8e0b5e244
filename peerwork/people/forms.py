"""Pieces every form of the people pages shares: putting a service's errors beside the
fields, carrying the version a person read, choosing a colleague, date and time inputs, and
the one form of a disclosure category's questions.

Forms parse what a person typed; the rules live in the services (``services``,
``availability``, ``exception_reports``) and in ``disclosures``, so the pages, the API and
the export cannot drift apart. After a refused save the bound form is shown again, so
nothing the person typed is lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership

from .disclosures import PREFER_NOT_TO_SAY, TEXT_MAX, CategoryQuestions

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def put_errors(
    form: forms.BaseForm, error: ValidationError, aliases: Mapping[str, str] | None = None
) -> None:
    """A service's errors beside the form's fields, the others above the form.

    ``aliases`` maps the service's names to the form's where they differ (a service names
    model fields: ``ends_at`` is the form's ``end_time``)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (aliases or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def carry_over(form: forms.BaseForm, name: str, value: object) -> None:
    """After a save refused because the record moved on: keep everything typed, and let
    the next save knowingly go over what is stored now (the page shows it)."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
    data[name] = "" if value is None else str(value)
    form.data = data


def same_id(a: object, b: object) -> bool:
    """Two ids (a UUID and what a form sent back) name the same row; two empty ones too."""
    try:
        return uuid.UUID(str(a)) == uuid.UUID(str(b))
    except ValueError:
        return not a and not b


class VersionForm(forms.Form):
    """The version of a record as the person read it (``StaleVersion`` when it moved on).
    Forms of versioned records extend it; a bare one reads the version of a button's form
    (stop or confirm a share)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def keep_typing_over(self, version: int) -> None:
        carry_over(self, "version", version)


class MemberChoiceField(forms.ModelChoiceField[Membership]):
    """A colleague from a list, shown by the name they chose. A malformed id gets the same
    message as an unknown one (not "not a valid UUID")."""

    def label_from_instance(self, obj: Membership) -> str:
        return obj.name

    def to_python(self, value: Any) -> Membership | None:
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class DisclosureForm(forms.Form):
    """The questions of one category (``disclosures.QUESTIONS``), each optional, with "I
    prefer not to say" as an answer of its own (issue 4). The person answers their own on
    "My information"; HR enters one for them under a share made to HR by name.

    The form only collects the answer: ``services.disclose`` (through
    ``disclosures.clean_answer``) checks it. ``category`` names the category the answer is
    for (HR's page offers several). With ``guard``, ``current`` carries the id of the
    answer the page showed, so a save over an answer that changed in between (HR under a
    share, another tab) is refused rather than silent (``answered_over``).
    """

    category = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, spec: CategoryQuestions, guard: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["category"].initial = spec.category
        if guard:
            self.fields["current"] = forms.CharField(widget=forms.HiddenInput, required=False)
        # Built per request, in the active language: the labels can be plain strings.
        for question in spec.questions:
            field: forms.Field
            if question.kind == "choice":
                # A radio button cannot be unticked: "No answer" takes an answer back.
                field = forms.ChoiceField(
                    choices=[("", _("No answer")), *question.choices],
                    widget=forms.RadioSelect,
                    required=False,
                    error_messages={"invalid_choice": _("Choose one of the answers offered.")},
                )
            elif question.kind == "choices":
                field = forms.MultipleChoiceField(
                    choices=question.choices,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    error_messages={"invalid_choice": _("Choose from the answers offered.")},
                )
            else:
                field = forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    max_length=TEXT_MAX,
                )
            field.label = str(question.label)
            field.help_text = str(question.help_text)
            self.fields[question.key] = field
        self.fields[PREFER_NOT_TO_SAY] = forms.BooleanField(
            label=_("I prefer not to say"),
            required=False,
            help_text=_("An answer of its own: it replaces anything else in this category."),
        )

    @staticmethod
    def initial_from(answer: dict[str, Any], current: object) -> dict[str, Any]:
        """The form's first values: the answer shown, and its id for the guard."""
        return {**answer, "current": str(current or "")}

    def answer(self) -> dict[str, Any]:
        """What was typed, as ``services.disclose`` takes it (empty answers left out)."""
        raw: dict[str, Any] = {}
        for question in self.spec.questions:
            value = self.cleaned_data.get(question.key)
            if value not in (None, "", []):
                raw[question.key] = value
        if self.cleaned_data.get(PREFER_NOT_TO_SAY):
            raw[PREFER_NOT_TO_SAY] = True
        return raw

    def answered_over(self, current: object) -> bool:
        """The answer stored now (its id, or None) is not the one the page showed."""
        return not same_id(self.cleaned_data.get("current"), current)

    def keep_typing_over(self, current: object) -> None:
        carry_over(self, "current", current)
