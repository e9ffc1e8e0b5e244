"""Forms of the self-control programme pages (issue 7 item 2; App. 8).

Forms only parse what a person typed; the rules live in ``programmes`` (the API uses the
same), whose ``ValidationError`` the views put back beside the fields
(``peerwork.people.forms.put_errors``). After a refused save the bound form is shown again,
so nothing typed is lost. Every form that changes the programme carries the ``version``
the person read.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peerwork.core.models import Membership
from peerwork.people.forms import DATE_WIDGET, MemberChoiceField, VersionForm

from . import programmes

COUNT_WIDGET = forms.NumberInput(
    attrs={"inputmode": "numeric", "min": 0, "max": programmes.COUNT_MAX, "autocomplete": "off"}
)
COUNT_ERRORS: dict[str, Any] = {
    "invalid": _("Write a whole number, like 0, 2 or 5."),
    "required": _("Write how many times, even if it is 0."),
    "min_value": programmes.count_range_message(),
    "max_value": programmes.count_range_message(),
}


def _area(
    label: Any, *, rows: int = 3, required: bool = False, most: int, **kw: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=most,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kw,
    )


def _count(label: Any, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=programmes.COUNT_MAX,
        widget=COUNT_WIDGET,
        error_messages=COUNT_ERRORS,
        help_text=help_text,
    )


class CommitmentForm(VersionForm):
    """App. 8 "making a commitment": what changing would bring, who I told, and a plan
    for obstacles before they come."""

    benefits = _area(
        _("What would changing bring you?"),
        required=True,
        most=programmes.TEXT_MAX,
        help_text=_("List the good things, in your own words. Read them again on hard days."),
        error_messages={"required": _("Write at least one thing that changing would bring you.")},
    )
    told = _area(
        _("Who have you told about it?"),
        most=programmes.TEXT_MAX,
        help_text=_(
            "One person per line, as you call them. Telling someone you trust helps you keep "
            "going. Optional."
        ),
    )
    obstacles = _area(
        _("What could get in the way, and what will you do then?"),
        rows=4,
        most=programmes.TEXT_MAX,
        help_text=_("Plan for the hard moments before they come. Optional."),
    )

    def told_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("told", "").splitlines()]


class TargetForm(VersionForm):
    """App. 8 "identifying the problem": the behaviour to change."""

    target = _area(
        _("What do you want to change?"),
        required=True,
        rows=2,
        most=programmes.TARGET_MAX,
        help_text=_(
            "Name one behaviour you can count, in your own words: what you do, not what "
            "kind of person you are."
        ),
        error_messages={
            "required": _("Write the behaviour you want to change, in your own words.")
        },
    )


class BaselineForm(forms.Form):
    """One baseline record: a day, what happened before, what I did, what came after, and
    how many times."""

    day = forms.DateField(label=_("Day"), widget=DATE_WIDGET)
    count = _count(_("How many times"))
    antecedent = _area(
        _("What happened just before?"),
        rows=2,
        most=programmes.TEXT_MAX,
        help_text=_("Where you were, who with, how you felt. Optional."),
    )
    behaviour = _area(
        _("What did you do?"),
        rows=2,
        most=programmes.TEXT_MAX,
        help_text=_("Optional."),
    )
    consequence = _area(
        _("What came after?"),
        rows=2,
        most=programmes.TEXT_MAX,
        help_text=_("How you felt, what happened next. Optional."),
    )


class LogForm(forms.Form):
    """The quick self-monitoring log: one number, a short note if wanted, today unless
    another day is chosen."""

    count = _count(_("Today: how many times?"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=programmes.SHORT_MAX,
        help_text=_("Optional, short."),
    )
    day = forms.DateField(
        label=_("Day"),
        widget=DATE_WIDGET,
        help_text=_("Change it to log a day you missed. Logging a day again replaces its number."),
    )


class GoalForm(VersionForm):
    """App. 8 "setting a goal": specific, measurable, realistic, with a time frame."""

    direction = forms.ChoiceField(
        label=_("Do you want to do it fewer or more times?"),
        choices=[
            (programmes.FEWER, _("Fewer times than now")),
            (programmes.MORE, _("More times than now")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose fewer or more times than now.")},
    )
    target = _count(
        _("Your goal: how many times?"),
        _("Small goals first: a step you can reach soon, then the next one."),
    )
    unit = forms.ChoiceField(
        label=_("Counted"),
        choices=[
            (programmes.DAY, pgettext_lazy("goal counted", "per day")),
            (programmes.WEEK, pgettext_lazy("goal counted", "per week")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you count per day or per week.")},
    )
    goal_by = forms.DateField(
        label=_("Reach it by"),
        widget=DATE_WIDGET,
        help_text=_("A date that gives you a fair chance."),
        error_messages={"required": _("Choose the date you aim to reach the goal by.")},
    )
    why = _area(
        _("Why are you changing the goal?"),
        rows=2,
        most=programmes.TEXT_MAX,
        help_text=_("Optional. Kept with the revisions."),
    )

    def __init__(self, *args: Any, changing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].error_messages["required"] = _("Write the number you aim for.")
        if not changing:
            del self.fields["why"]


class StrategiesForm(VersionForm):
    """App. 8 "applying self-control strategies": from the three lists, or my own."""

    environmental = forms.MultipleChoiceField(
        label=programmes.STRATEGY_GROUPS[programmes.ENVIRONMENTAL],
        choices=programmes.STRATEGIES[programmes.ENVIRONMENTAL],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    behavioural = forms.MultipleChoiceField(
        label=programmes.STRATEGY_GROUPS[programmes.BEHAVIOURAL],
        choices=programmes.STRATEGIES[programmes.BEHAVIOURAL],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    cognitive = forms.MultipleChoiceField(
        label=programmes.STRATEGY_GROUPS[programmes.COGNITIVE],
        choices=programmes.STRATEGIES[programmes.COGNITIVE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    own = _area(
        _("My own strategies"),
        rows=3,
        most=programmes.TEXT_MAX,
        help_text=_("Anything that works for you, in your words. Optional."),
    )
    why = _area(
        _("Why are you changing them?"),
        rows=2,
        most=programmes.TEXT_MAX,
        help_text=_("Optional. Kept with the revisions."),
    )

    def __init__(self, *args: Any, changing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not changing:
            del self.fields["why"]

    def codes(self) -> list[str]:
        data = self.cleaned_data
        return [
            *data.get("environmental", []),
            *data.get("behavioural", []),
            *data.get("cognitive", []),
        ]


def strategies_initial(plan: programmes.Plan, version: int) -> dict[str, Any]:
    return {
        "version": version,
        "own": plan.own_strategies,
        **{
            group: [code for code, _label in choices if code in plan.strategy_codes]
            for group, choices in programmes.STRATEGIES.items()
        },
    }


class RevisionForm(VersionForm):
    """App. 8 "making revisions": what changes, and why."""

    what = _area(
        _("What are you changing?"),
        required=True,
        rows=2,
        most=programmes.TEXT_MAX,
        error_messages={"required": _("Write what you are changing.")},
    )
    why = _area(
        _("Why?"),
        rows=2,
        most=programmes.TEXT_MAX,
        help_text=_("What your records showed you. Optional."),
    )


class OpenForm(forms.Form):
    """Open the programme, read-only, to the peer mentor who mentors me, until a date."""

    grantee = MemberChoiceField(
        label=_("Open it to"),
        queryset=Membership.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose your peer mentor."),
            "invalid_choice": _("Choose your peer mentor."),
        },
    )
    until = forms.DateField(
        label=_("Open until"),
        widget=DATE_WIDGET,
        help_text=_("Through the end of that day; at most 90 days. You can close it sooner."),
        error_messages={"required": _("Choose until when it stays open.")},
    )

    def __init__(self, *args: Any, candidates: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grantee"]
        assert isinstance(field, MemberChoiceField)  # noqa: S101 (narrows the type)
        field.queryset = Membership.objects.filter(
            pk__in=[m.pk for m in candidates]
        ).select_related("user")
