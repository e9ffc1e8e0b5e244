"""Forms of the risk circle pages (issue 7 item 1; App. 3).

The circle is edited on one page that works without JavaScript on a phone: one small
fieldset per risk area (``AreaForm``, prefixed ``area0``, ``area1`` …), a few blank ones
to fill in, and buttons that show more blank rows, add ticked suggested areas as rows, or
fill empty ratings from likelihood and consequence, each without saving. A blank row is
left out; a row with "remove" ticked is left out when saving. Forms only parse what was
typed: the rules are ``circles.clean_areas`` (the API uses the same), whose errors the
view puts back beside the row's fields. After a refused save every row is shown again as
typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership
from peerwork.people.forms import DATE_WIDGET, MemberChoiceField, VersionForm

from . import circles
from .access import LONGEST_OPENING
from .models import CircleSuggestion

# Blank rows shown to fill in: for a new circle, and under the areas of a saved one.
FIRST_ROWS, BLANK_ROWS = 4, 2
# The most rows the page carries, typed or blank (a few beyond the limit of areas, so a
# person who typed too many sees them all again with the reason).
ROWS_MOST = circles.MOST_AREAS + 8
AREA_FIELDS = ("key", "name", "rating", "likelihood", "consequence", "prevention", "management")

RATING_MESSAGE = _("Rate this risk with a whole number from 1 (very low) to 10 (very high).")
SCALE_MESSAGE = _("Choose one of the answers offered, or leave it empty.")


def _scale_field(label: Any, choices: Sequence[tuple[int, Any]], help_text: Any) -> forms.Field:
    return forms.TypedChoiceField(
        label=label,
        choices=[("", _("Not chosen")), *choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=help_text,
        error_messages={"invalid_choice": SCALE_MESSAGE},
    )


class AreaForm(forms.Form):
    """One risk area: its name, its rating with the optional help, its two strategies."""

    key = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label=_("Risk area"),
        max_length=circles.NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"list": "circle-suggested-areas", "autocomplete": "off"}),
        error_messages={
            "max_length": _("Keep the name to %(limit_value)d characters (it has %(show_value)d).")
        },
    )
    rating = forms.IntegerField(
        label=_("Rating, from 1 (very low risk) to 10 (very high)"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 10}),
        error_messages={
            "invalid": RATING_MESSAGE,
            "min_value": RATING_MESSAGE,
            "max_value": RATING_MESSAGE,
        },
        min_value=circles.RATING_MIN,
        max_value=circles.RATING_MAX,
    )
    likelihood = _scale_field(
        _("How likely is it to happen?"),
        circles.LIKELIHOODS,
        _("Optional: with the next answer it suggests a rating."),
    )
    consequence = _scale_field(
        _("How bad would it be if it happened?"),
        circles.CONSEQUENCES,
        "",
    )
    prevention = forms.CharField(
        label=_("How I prevent it"),
        required=False,
        max_length=circles.STRATEGY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("Keep this to %(limit_value)d characters (it has %(show_value)d).")
        },
    )
    management = forms.CharField(
        label=_("If it happens anyway, how I manage it"),
        required=False,
        max_length=circles.STRATEGY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("Keep this to %(limit_value)d characters (it has %(show_value)d).")
        },
    )
    remove = forms.BooleanField(label=_("Remove this area when I save"), required=False)

    def clean_key(self) -> str:
        key = str(self.cleaned_data.get("key") or "")
        return key if circles.KEY_PATTERN.match(key) else ""

    @property
    def is_blank(self) -> bool:
        """Nothing typed in the row (a bound form): it is left out."""
        return not self.has_changed()

    @property
    def suggested(self) -> int | None:
        """The rating likelihood and consequence suggest, as the row stands."""
        values = self.raw()
        try:
            return circles.suggested_rating(
                int(values["likelihood"]) if values["likelihood"] else None,
                int(values["consequence"]) if values["consequence"] else None,
            )
        except ValueError:
            return None

    def raw(self) -> dict[str, Any]:
        """The row as typed (bound) or shown (unbound), as strings."""
        if self.is_bound:
            values: dict[str, Any] = {
                name: self.data.get(self.add_prefix(name), "") for name in AREA_FIELDS
            }
            values["remove"] = bool(self.data.get(self.add_prefix("remove")))
            return values
        values = {name: self.initial.get(name, "") for name in AREA_FIELDS}
        values["remove"] = bool(self.initial.get("remove"))
        return {k: "" if v is None else v for k, v in values.items()}

    def area(self) -> dict[str, Any]:
        """The row for ``circles.clean_areas`` (a valid form)."""
        data = self.cleaned_data
        return {name: data.get(name) for name in AREA_FIELDS}


def area_prefix(index: int) -> str:
    return f"area{index}"


def bound_rows(data: Mapping[str, Any]) -> list[AreaForm]:
    """The rows a page sent back, as typed."""
    try:
        count = int(data.get("rows") or 0)
    except (TypeError, ValueError):
        count = 0
    count = max(0, min(ROWS_MOST, count))
    return [
        AreaForm(data, prefix=area_prefix(i), use_required_attribute=False) for i in range(count)
    ]


def shown_rows(rows: Sequence[Mapping[str, Any]]) -> list[AreaForm]:
    """Rows to show with these values (unbound: no errors yet)."""
    return [
        AreaForm(initial=dict(row), prefix=area_prefix(i), use_required_attribute=False)
        for i, row in enumerate(rows[:ROWS_MOST])
    ]


def rows_of(areas: Sequence[circles.Area]) -> list[dict[str, Any]]:
    return [
        {
            "key": area.key,
            "name": area.name,
            "rating": area.rating,
            "likelihood": area.likelihood or "",
            "consequence": area.consequence or "",
            "prevention": area.prevention,
            "management": area.management,
        }
        for area in areas
    ]


def blank_row() -> dict[str, Any]:
    return dict.fromkeys(AREA_FIELDS, "")


def is_blank_row(row: Mapping[str, Any]) -> bool:
    return not any(str(row.get(name) or "").strip() for name in AREA_FIELDS)


class CircleForm(VersionForm):
    """The circle's version as read, and how many area rows the page carries."""

    rows = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class SuggestedAreasForm(forms.Form):
    """Risk areas others often name, to add as rows (those already listed are left out)."""

    suggested = forms.MultipleChoiceField(
        label=_("Areas many peer workers name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the areas offered.")},
    )

    def __init__(self, *args: Any, listed: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = {name.casefold() for name in listed}
        self.fields["suggested"].choices = [  # type: ignore[attr-defined]
            (code, label)
            for code, label in circles.SUGGESTED_AREAS
            if str(label).casefold() not in taken
        ]

    def names(self) -> list[str]:
        chosen = set(self.cleaned_data.get("suggested") or [])
        return [str(label) for code, label in circles.SUGGESTED_AREAS if code in chosen]


class OpenForm(forms.Form):
    """Open the circle to a peer mentor, the line manager or a coach, until a date or for
    a number of days."""

    grantee = MemberChoiceField(
        label=_("Open it to"),
        queryset=Membership.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose whom to open it to."),
            "invalid_choice": _("Choose a person from the list."),
        },
    )
    until = forms.DateField(
        label=_("Until the end of"),
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Give a date, like 2026-12-31.")},
    )
    days = forms.IntegerField(
        label=_("Or for this many days"),
        required=False,
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "min": 1, "max": LONGEST_OPENING.days}
        ),
        help_text=_("At most %(days)d days. You can close it sooner.")
        % {"days": LONGEST_OPENING.days},
        error_messages={"invalid": _("Give a whole number of days.")},
    )

    def __init__(self, *args: Any, candidates: Sequence[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grantee"]
        assert isinstance(field, MemberChoiceField)  # noqa: S101 (narrows the type)
        field.queryset = (
            Membership.objects.filter(pk__in=[m.pk for m in candidates])
            .select_related("user")
            .order_by("user__display_name", "user__username")
        )


class SuggestForm(forms.Form):
    """A suggestion for one area's prevention or management (by whom it is opened to)."""

    area = forms.ChoiceField(
        label=_("For the risk area"),
        error_messages={
            "required": _("Choose one of the risk areas."),
            "invalid_choice": _("Choose one of the risk areas."),
        },
    )
    ring = forms.ChoiceField(
        label=_("For"),
        choices=CircleSuggestion.Ring.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the ring: preventing the risk, or managing it."),
            "invalid_choice": _("Choose the ring: preventing the risk, or managing it."),
        },
    )
    text = forms.CharField(
        label=_("My suggestion"),
        max_length=circles.SUGGESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write your suggestion."),
            "max_length": _("Keep it to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )

    def __init__(self, *args: Any, areas: Sequence[circles.Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.key, a.name) for a in areas]  # type: ignore[attr-defined]


class CompareForm(forms.Form):
    """Two saved versions to compare."""

    older = forms.TypedChoiceField(label=_("Earlier version"), coerce=int)
    newer = forms.TypedChoiceField(label=_("Later version"), coerce=int)

    def __init__(self, *args: Any, numbers: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("older", "newer"):
            self.fields[name].choices = list(numbers)  # type: ignore[attr-defined]
