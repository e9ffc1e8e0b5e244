"""Forms of a person's own schedule pages: their private planning notes, proposing what a
note asks for, adding an occasional appointment's dates as neutral times away, proposing
an adjustment of someone's hours, and the time-keeping question (issue 6 items 1, 2, 4).

Forms only parse what a person typed; the rules live in ``needs`` and ``services`` (the
API uses the same), whose ``ValidationError`` the views put back beside the fields
(``peerwork.people.forms.put_errors``). After a refused save the bound form is shown
again, so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.people.forms import DATE_WIDGET, TIME_WIDGET, VersionForm
from peerwork.people.models import WorkingPattern

from . import needs

# Dates must fall in these years, as in the API: the services add days and weeks.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200
# The most dates of an occasional appointment added as times away at once.
AWAY_MOST = 6

WEEKDAYS = WorkingPattern.Weekday.choices
MINUTES_WIDGET = forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 240})


def _days_field(
    label: Any, *, required: bool, help_text: Any = ""
) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label,
        choices=WEEKDAYS,
        coerce=int,
        required=required,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
        error_messages={"required": _("Choose at least one day.")},
    )


def _minutes_field(label: Any, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=needs.MAX_MINUTES,
        widget=MINUTES_WIDGET,
        help_text=help_text,
    )


def _in_range(form: forms.Form, name: str) -> None:
    value = form.cleaned_data.get(name)
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        form.add_error(
            name,
            _("Choose a date between the years %(first)d and %(last)d.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )


# --- private planning notes ----------------------------------------------------------


class DispensingForm(VersionForm):
    """OST dispensing, for the person alone (§2.4.1, §3.5): the site, its days and hours,
    how they collect, the wait and the journey, the days with take-home doses."""

    kind = needs.DISPENSING

    site = forms.CharField(
        label=_("Site name"),
        max_length=needs.NAME_MAX,
        required=False,
        help_text=_("For yourself, to recognise the note. Optional."),
    )
    days = _days_field(_("Days it dispenses"), required=True)
    opens = forms.TimeField(label=_("Opens"), widget=TIME_WIDGET)
    closes = forms.TimeField(label=_("Closes"), widget=TIME_WIDGET)
    collection = forms.ChoiceField(
        label=_("How you collect"),
        choices=[
            (needs.AT_OPENING, _("When it opens")),
            (needs.ANY_TIME, _("Any time while it is open")),
            (needs.FIXED_TIME, _("At a fixed time")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you collect.")},
    )
    fixed_at = forms.TimeField(
        label=_("Fixed time"),
        required=False,
        widget=TIME_WIDGET,
        help_text=_("Only if you collect at a fixed time."),
    )
    wait_minutes = _minutes_field(_("Usual wait, in minutes"))
    travel_minutes = _minutes_field(
        _("Travel each way, in minutes"), _("Between the site and work.")
    )
    take_home_days = _days_field(
        _("Take-home days"),
        required=False,
        help_text=_("Days you do not need to go, if any."),
    )

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": needs.DISPENSING,
            "site": data.get("site") or "",
            "days": data.get("days") or [],
            "opens": data.get("opens"),
            "closes": data.get("closes"),
            "collection": data.get("collection"),
            "fixed_at": data.get("fixed_at")
            if data.get("collection") == needs.FIXED_TIME
            else None,
            "wait_minutes": data.get("wait_minutes"),
            "travel_minutes": data.get("travel_minutes"),
            "take_home_days": data.get("take_home_days") or [],
        }


class AppointmentForm(VersionForm):
    """A regular health appointment (§3.6): its weekday and hours, the journey, and how
    often it comes."""

    kind = needs.APPOINTMENT

    weekday = forms.TypedChoiceField(
        label=_("Day of the week"),
        choices=WEEKDAYS,
        coerce=int,
        error_messages={"required": _("Choose a day of the week.")},
    )
    starts = forms.TimeField(label=_("Starts"), widget=TIME_WIDGET)
    ends = forms.TimeField(label=_("Ends"), widget=TIME_WIDGET)
    travel_minutes = _minutes_field(
        _("Travel each way, in minutes"), _("Between the appointment and work.")
    )
    every_weeks = forms.TypedChoiceField(
        label=_("How often"),
        choices=[(1, _("Every week")), (2, _("Every two weeks")), (4, _("Every four weeks"))],
        coerce=int,
        widget=forms.RadioSelect,
        initial=1,
    )

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": needs.APPOINTMENT,
            "weekday": data.get("weekday"),
            "starts": data.get("starts"),
            "ends": data.get("ends"),
            "travel_minutes": data.get("travel_minutes"),
            "every_weeks": data.get("every_weeks"),
        }


NeedForm = DispensingForm | AppointmentForm
NEED_FORMS: dict[str, type[DispensingForm] | type[AppointmentForm]] = {
    needs.DISPENSING: DispensingForm,
    needs.APPOINTMENT: AppointmentForm,
}


def need_initial(details: dict[str, Any], version: int) -> dict[str, Any]:
    """A stored note's details as a form's first values."""
    initial = {key: value for key, value in details.items() if key != "kind"}
    initial["version"] = version
    return initial


class ProposeForm(forms.Form):
    """From when the hours a note asks for would apply, and when to look at them again."""

    valid_from = forms.DateField(label=_("First day"), widget=DATE_WIDGET)
    review_on = forms.DateField(
        label=_("Review on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Optional: when you and your line manager look at them again."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _in_range(self, "valid_from")
        _in_range(self, "review_on")
        return cleaned


class AwayForm(forms.Form):
    """The next dates of an occasional appointment, added as neutral times away."""

    first_on = forms.DateField(label=_("Next date"), widget=DATE_WIDGET)
    count = forms.IntegerField(
        label=_("How many dates"),
        min_value=1,
        max_value=AWAY_MOST,
        initial=3,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, weekday: int, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.weekday = weekday
        self.today = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first = cleaned.get("first_on")
        if first is None:
            return cleaned
        _in_range(self, "first_on")
        if first.weekday() != self.weekday:
            self.add_error(
                "first_on",
                _("Choose a %(day)s: the note's day.")
                % {"day": WorkingPattern.Weekday(self.weekday).label},
            )
        elif first < self.today:
            self.add_error("first_on", _("Choose a date from today on."))
        return cleaned


# --- adjustments ---------------------------------------------------------------------


class AdjustmentForm(forms.Form):
    """A change of someone's working hours, proposed for the other side to agree: a new
    start, a new end or a break, on some weekdays, from a first day."""

    weekdays = _days_field(_("Days"), required=True)
    starts = forms.TimeField(
        label=_("New start"),
        required=False,
        widget=TIME_WIDGET,
        help_text=_("Leave empty to keep the usual start."),
    )
    ends = forms.TimeField(
        label=_("New end"),
        required=False,
        widget=TIME_WIDGET,
        help_text=_("Leave empty to keep the usual end."),
    )
    break_starts = forms.TimeField(label=_("Break from"), required=False, widget=TIME_WIDGET)
    break_ends = forms.TimeField(label=_("Break until"), required=False, widget=TIME_WIDGET)
    valid_from = forms.DateField(label=_("First day"), widget=DATE_WIDGET)
    valid_until = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty for no end."),
    )
    review_on = forms.DateField(label=_("Review on"), required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("valid_from", "valid_until", "review_on"):
            _in_range(self, name)
        return cleaned

    def terms(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "weekdays": data["weekdays"],
            "starts": data.get("starts"),
            "ends": data.get("ends"),
            "break_starts": data.get("break_starts"),
            "break_ends": data.get("break_ends"),
            "valid_from": data["valid_from"],
            "valid_until": data.get("valid_until"),
            "review_on": data.get("review_on"),
        }


class EndForm(VersionForm):
    last_day = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty to end it today."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _in_range(self, "last_day")
        return cleaned


class TimekeepingForm(forms.Form):
    """ "Arrived at [time] on [date]": a question a manager asks, answered with the agreed
    hours of that day (issue 6 item 4, App. 10 case 3)."""

    arrived = forms.TimeField(label=_("Arrived at"), widget=TIME_WIDGET)
    day = forms.DateField(label=_("On"), widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _in_range(self, "day")
        return cleaned
