"""The form of the weekly stress pulse (issue 7 item 3; §3.9): one question, five answers,
nothing else to type. The rules (one answer a week, 1 to 5) live in ``pulse``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .pulse import LEVELS


class PulseForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("How much stress have you felt at work this week?"),
        choices=[(str(value), label) for value, label in LEVELS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the five answers."),
            "invalid_choice": _("Choose one of the five answers."),
        },
    )
