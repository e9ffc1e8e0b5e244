"""Forms of the wellbeing pages: the burnout self-check, the personal relapse plan, weekly
goals and the grief note (issue 7 items 3 and 4; §3.9, App. 11).

Forms only parse what a person typed; the rules live in ``wellbeing`` (the API uses the
same), whose ``ValidationError`` the views put back beside the fields. After a refused save
the bound form is shown again, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.people.forms import VersionForm

from . import wellbeing

ROWS_3 = {"rows": 3}


def _choices(items: tuple[wellbeing.Item, ...]) -> list[tuple[str, Any]]:
    return [(item.code, item.label) for item in items]


def _ticks(label: Any, items: tuple[wellbeing.Item, ...]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=_choices(items),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


# --- the burnout self-check ---------------------------------------------------------------


class BurnoutForm(forms.Form):
    """The §3.9 signs, one group of ticks each. Ticking nothing is an answer too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group in wellbeing.BURNOUT_GROUPS:
            self.fields[group.code] = _ticks(group.title, group.items)

    def signs(self) -> list[str]:
        return [
            code for group in wellbeing.BURNOUT_GROUPS for code in self.cleaned_data[group.code]
        ]


class KeepBurnoutForm(forms.Form):
    """ "Keep this privately": the signs seen on the result, and a note if wanted."""

    signs = forms.MultipleChoiceField(
        choices=[(code, code) for code in wellbeing.BURNOUT_SIGNS],
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    note = forms.CharField(
        label=_("A note for yourself (optional)"),
        required=False,
        max_length=wellbeing.NOTE_MAX,
        widget=forms.Textarea(attrs=ROWS_3),
        help_text=_("Only you will see it."),
    )


# --- grief --------------------------------------------------------------------------------


class GriefForm(forms.Form):
    """What I noticed, from App. 11's two columns in our words, and a note."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group in wellbeing.GRIEF_GROUPS:
            self.fields[group.code] = _ticks(group.title, group.items)
        self.fields["note"] = forms.CharField(
            label=_("A note for yourself"),
            required=False,
            max_length=wellbeing.NOTE_MAX,
            widget=forms.Textarea(attrs=ROWS_3),
            help_text=_("Whom you lost, how you are, what helps. Only you will see it."),
        )

    def content(self) -> dict[str, Any]:
        return {
            "noticed": [
                code for group in wellbeing.GRIEF_GROUPS for code in self.cleaned_data[group.code]
            ],
            "note": self.cleaned_data.get("note") or "",
        }


# --- weekly goals ---------------------------------------------------------------------------


class GoalForm(forms.Form):
    text = forms.CharField(
        label=_("A goal for this week"),
        max_length=wellbeing.GOAL_MAX,
        help_text=_("Something concrete you can do by Sunday, such as “Take my lunch break”."),
        error_messages={"required": _("Write the goal.")},
    )


# --- the personal relapse plan -------------------------------------------------------------


class PlanForm(VersionForm):
    """Cravings (suggestions to tick and one's own ways) and, for each ongoing factor,
    where I get help. Situations and support people are formsets beside it."""

    cravings = _ticks(_("Ways that can help with a craving"), wellbeing.CRAVING_SUGGESTIONS)
    own_cravings = forms.CharField(
        label=_("My own ways"),
        required=False,
        widget=forms.Textarea(attrs=ROWS_3),
        help_text=_("One on each line."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in wellbeing.FACTOR_AREAS:
            self.fields[f"factor_{item.code}"] = forms.CharField(
                label=cast(str, item.label),
                required=False,
                max_length=wellbeing.TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def factor_fields(self) -> list[forms.BoundField]:
        return [self[f"factor_{item.code}"] for item in wellbeing.FACTOR_AREAS]

    def clean_own_cravings(self) -> list[str]:
        text = self.cleaned_data.get("own_cravings") or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if any(len(line) > wellbeing.LINE_MAX for line in lines):
            raise forms.ValidationError(
                _("Keep each line to %(most)d characters.") % {"most": wellbeing.LINE_MAX}
            )
        return lines


class SituationForm(forms.Form):
    situation = forms.CharField(
        label=_("The situation"),
        required=False,
        max_length=wellbeing.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where, when, with whom, or how I feel."),
    )
    response = forms.CharField(
        label=_("What I do"),
        required=False,
        max_length=wellbeing.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    refusal = forms.CharField(
        label=_("How I say no if I am offered"),
        required=False,
        max_length=wellbeing.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SupporterForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=wellbeing.NAME_MAX)
    contact = forms.CharField(
        label=_("How I reach them"),
        required=False,
        max_length=wellbeing.CONTACT_MAX,
        help_text=_("A phone number, or where to find them."),
    )


SituationFormSet = forms.formset_factory(
    SituationForm, extra=0, max_num=wellbeing.SITUATIONS_MOST, validate_max=True
)
SupporterFormSet = forms.formset_factory(
    SupporterForm, extra=0, max_num=wellbeing.SUPPORTERS_MOST, validate_max=True
)


def _filled(formset: forms.BaseFormSet) -> list[dict[str, str]]:
    return [
        dict(form.cleaned_data)
        for form in formset.forms
        if form.cleaned_data and any(form.cleaned_data.values())
    ]


class PlanForms:
    """The plan's form and its two formsets, bound or not, with room for one more row."""

    def __init__(self, data: Any = None, *, plan: dict[str, Any] | None = None, version: int = 0):
        plan = plan or wellbeing.empty_plan()
        initial = {
            "version": version,
            "cravings": plan["cravings"],
            "own_cravings": "\n".join(plan["own_cravings"]),
            **{f"factor_{code}": text for code, text in plan["factors"].items()},
        }
        self.form = PlanForm(data, initial=initial)
        situations = plan["situations"]
        supporters = plan["supporters"]
        self.situations = SituationFormSet(
            data,
            prefix="situation",
            initial=[*situations, {}][: wellbeing.SITUATIONS_MOST] if data is None else None,
        )
        self.supporters = SupporterFormSet(
            data,
            prefix="supporter",
            initial=[*supporters, {}][: wellbeing.SUPPORTERS_MOST] if data is None else None,
        )

    def is_valid(self) -> bool:
        # Every part, so each shows its own errors.
        return all([self.form.is_valid(), self.situations.is_valid(), self.supporters.is_valid()])

    def content(self) -> dict[str, Any]:
        data = self.form.cleaned_data
        return {
            "cravings": data.get("cravings") or [],
            "own_cravings": data.get("own_cravings") or [],
            "situations": _filled(self.situations),
            "factors": {
                item.code: data.get(f"factor_{item.code}") or "" for item in wellbeing.FACTOR_AREAS
            },
            "supporters": _filled(self.supporters),
        }
