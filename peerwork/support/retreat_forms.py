"""The form of a peer retreat (issue 7 item 8; §3.12): what it is for, where and when, who
is invited, the agenda (one item a line; the audit item is always added) and what the
audit found.

The form parses; ``retreats.check_retreat`` and the schedule's meeting checks refuse, in
the words the API uses too. After a refused save the bound form is shown again with
everything typed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.people.forms import DATE_WIDGET, TIME_WIDGET, VersionForm
from peerwork.schedule.meeting_forms import TIME_FORMATS, AttendeesField, attendee_choices

from . import retreats
from .models import Retreat

DATE_ERRORS = {"invalid": _("Give a date, such as 2026-03-04.")}
TIME_ERRORS = {"invalid": _("Give a time, such as 09:30.")}
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200


class RetreatForm(VersionForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=retreats.TITLE_MAX,
        error_messages={"required": _("Give the retreat a title.")},
    )
    purpose = forms.CharField(
        label=_("What it is for"),
        max_length=retreats.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Time together, learning, rest: say what this retreat is for."),
        error_messages={"required": _("Say what the retreat is for.")},
    )
    place = forms.CharField(label=_("Place"), max_length=retreats.TITLE_MAX, required=False)
    starts_on = forms.DateField(
        label=_("First day"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Give the first day."), **DATE_ERRORS},
    )
    ends_on = forms.DateField(
        label=_("Last day"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Give the last day."), **DATE_ERRORS},
    )
    day_starts = forms.TimeField(
        label=_("Each day starts at"),
        widget=TIME_WIDGET,
        input_formats=TIME_FORMATS,
        initial=retreats.DAY_STARTS,
        error_messages={"required": _("Give the time each day starts."), **TIME_ERRORS},
    )
    day_ends = forms.TimeField(
        label=_("Each day ends at"),
        widget=TIME_WIDGET,
        input_formats=TIME_FORMATS,
        initial=retreats.DAY_ENDS,
        error_messages={"required": _("Give the time each day ends."), **TIME_ERRORS},
    )
    attendees = AttendeesField(
        label=_("Who is invited"),
        help_text=_("They see the retreat on their schedule."),
        error_messages={"required": _("Invite at least one person.")},
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One item a line. The audit of how we employ people who use drugs is always on "
            "the agenda; you do not need to add it."
        ),
    )
    audit_notes = forms.CharField(
        label=_("What the audit found"),
        required=False,
        max_length=retreats.TEXT_MAX * 3,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Fill this in during or after the retreat. Everyone at work can read it."),
    )

    def __init__(
        self,
        *args: Any,
        organisation_id: uuid.UUID,
        retreat: Retreat | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        field.choices = attendee_choices(organisation_id)
        if retreat is not None and not self.is_bound:
            for name in ("title", "purpose", "place", "starts_on", "ends_on", "audit_notes"):
                self.fields[name].initial = getattr(retreat, name)
            starts, ends = retreats.day_times(retreat)
            self.fields["day_starts"].initial = starts
            self.fields["day_ends"].initial = ends
            self.fields["agenda"].initial = "\n".join(retreats.organiser_lines(retreat))
            self.fields["attendees"].initial = [str(m.pk) for m in retreats.invited(retreat)]
            self.fields["version"].initial = retreat.version

    def _in_range(self, name: str) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get(name)
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(
                _("Choose a date between the years %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
            )
        return value

    def clean_starts_on(self) -> dt.date | None:
        return self._in_range("starts_on")

    def clean_ends_on(self) -> dt.date | None:
        return self._in_range("ends_on")

    def fields_given(self) -> retreats.RetreatFields:
        data = self.cleaned_data
        return retreats.RetreatFields(
            title=data["title"],
            purpose=data["purpose"],
            place=data["place"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            day_starts=data["day_starts"],
            day_ends=data["day_ends"],
            agenda=str(data.get("agenda") or "").splitlines(),
            audit_notes=data.get("audit_notes") or "",
            attendees=list(data["attendees"]),
        )
