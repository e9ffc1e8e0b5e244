"""Forms of the staff record, working pattern, availability, exception report and "enter for
a person" pages.

Forms parse what a person typed; the rules live in the services (``services``,
``availability``, ``exception_reports``), whose ``ValidationError`` the views put back beside
the fields. Choices are narrowed to the acting member's organisation explicitly, besides
the request's scope, so a forged id is an ordinary "not a valid choice" error.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership, Organisation, Role, active_members

from .availability import PatternDay
from .forms import DATE_WIDGET, TIME_WIDGET, MemberChoiceField, VersionForm, carry_over
from .models import ExceptionReport, StaffRecord, Unavailability, WorkingPattern

# --- staff record ----------------------------------------------------------------------


class StaffRecordForm(VersionForm):
    """The terms of one person's work, and their position and line manager."""

    position = forms.CharField(
        label=_("Position"),
        max_length=200,
        required=False,
        help_text=_("The job title colleagues see in the directory."),
    )
    line_manager = MemberChoiceField(
        label=_("Line manager"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("No line manager"),
        help_text=_(
            "When the line manager changes, anything this person shared with “my line "
            "manager” is paused: the new line manager sees none of it until the person "
            "confirms the share for them."
        ),
    )
    contract = forms.ChoiceField(label=_("Contract type"), choices=StaffRecord.Contract.choices)
    grade = forms.CharField(label=_("Grade"), max_length=40, required=False)
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"),
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=80,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    started_on = forms.DateField(label=_("Start date"), required=False, widget=DATE_WIDGET)
    ends_on = forms.DateField(
        label=_("End date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty for an open-ended contract."),
    )

    def __init__(self, *args: Any, person: Membership, record: StaffRecord, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "position": person.title,
                "line_manager": person.line_manager_id,
                "contract": record.contract,
                "grade": record.grade,
                "hours_per_week": record.hours_per_week,
                "started_on": record.started_on,
                "ends_on": record.ends_on,
                "version": 0 if record._state.adding else record.version,
            }
        super().__init__(*args, **kwargs)
        self.person = person
        field = self.fields["line_manager"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrows the type)
        # Working line managers, and whoever manages the person now (even if their role
        # changed since), so saving other terms never forces a new line manager.
        managers = Q(active_members(), role_grants__role=Role.LINE_MANAGER)
        if person.line_manager_id is not None:
            managers |= Q(pk=person.line_manager_id)
        field.queryset = (
            Membership.objects.filter(managers, organisation_id=person.organisation_id)
            .exclude(pk=person.pk)
            .select_related("user")
            .distinct()
            .order_by("user__display_name", "user__username")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        started, ends = cleaned.get("started_on"), cleaned.get("ends_on")
        if started and ends and ends < started:
            self.add_error("ends_on", _("The end date must be on or after the start date."))
        return cleaned

    def changes(self) -> dict[str, Any]:
        """What the service is asked to change: the record's fields always, the position
        and the line manager only when they differ from what is stored."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "contract": data["contract"],
            "grade": (data["grade"] or "").strip(),
            "hours_per_week": data["hours_per_week"],
            "started_on": data["started_on"],
            "ends_on": data["ends_on"],
        }
        position = (data["position"] or "").strip()
        if position != self.person.title:
            changes["position"] = position
        manager = data["line_manager"]
        if (manager.pk if manager else None) != self.person.line_manager_id:
            changes["line_manager"] = manager
        return changes


# --- working pattern -------------------------------------------------------------------


class WorkingPatternForm(forms.Form):
    """Seven weekdays, each with a start and an end (both empty: not a working day), and
    optionally core hours inside the day (the person chooses when to start and finish
    around them) and working from home that day (issue 6 item 1).

    ``pattern_version`` carries the ``availability.pattern_fingerprint`` of the pattern the
    editor read, so a save over a pattern someone changed meanwhile is refused."""

    pattern_version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(
        self,
        *args: Any,
        pattern: Iterable[WorkingPattern] = (),
        version: str = "",
        **kwargs: Any,
    ) -> None:
        if "initial" not in kwargs:
            initial: dict[str, Any] = {"pattern_version": version}
            for row in pattern:
                initial[f"starts_{row.weekday}"] = row.starts
                initial[f"ends_{row.weekday}"] = row.ends
                initial[f"core_starts_{row.weekday}"] = row.core_starts
                initial[f"core_ends_{row.weekday}"] = row.core_ends
                initial[f"home_{row.weekday}"] = row.home_working
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for weekday, _name in WorkingPattern.Weekday.choices:
            self.fields[f"starts_{weekday}"] = forms.TimeField(
                label=_("Starts"), required=False, widget=TIME_WIDGET
            )
            self.fields[f"ends_{weekday}"] = forms.TimeField(
                label=_("Ends"), required=False, widget=TIME_WIDGET
            )
            self.fields[f"core_starts_{weekday}"] = forms.TimeField(
                label=_("Core hours from"), required=False, widget=TIME_WIDGET
            )
            self.fields[f"core_ends_{weekday}"] = forms.TimeField(
                label=_("Core hours until"), required=False, widget=TIME_WIDGET
            )
            self.fields[f"home_{weekday}"] = forms.BooleanField(
                label=_("Works from home"), required=False
            )

    def days_fields(self) -> list[dict[str, Any]]:
        """Each weekday, Monday first, with all of its fields by what they are."""
        return [
            {
                "name": str(name),
                "starts": self[f"starts_{weekday}"],
                "ends": self[f"ends_{weekday}"],
                "core_starts": self[f"core_starts_{weekday}"],
                "core_ends": self[f"core_ends_{weekday}"],
                "home": self[f"home_{weekday}"],
            }
            for weekday, name in WorkingPattern.Weekday.choices
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for weekday, _name in WorkingPattern.Weekday.choices:
            keys = [f"{part}_{weekday}" for part in ("starts", "ends", "core_starts", "core_ends")]
            if any(key in self.errors for key in keys):
                continue
            starts_key, ends_key, core_starts_key, core_ends_key = keys
            starts, ends = cleaned.get(starts_key), cleaned.get(ends_key)
            core_starts, core_ends = cleaned.get(core_starts_key), cleaned.get(core_ends_key)
            if (starts is None) != (ends is None):
                missing = ends_key if ends is None else starts_key
                self.add_error(
                    missing,
                    _("Give both a start and an end, or leave both empty for a day off."),
                )
                continue
            if starts is not None and ends is not None and ends <= starts:
                self.add_error(ends_key, _("The end must be after the start."))
                continue
            if starts is None:
                if core_starts is not None or core_ends is not None:
                    self.add_error(core_starts_key, _("Core hours need a working day."))
                if cleaned.get(f"home_{weekday}"):
                    self.add_error(f"home_{weekday}", _("Working from home needs a working day."))
                continue
            if (core_starts is None) != (core_ends is None):
                missing = core_ends_key if core_ends is None else core_starts_key
                self.add_error(missing, _("Give core hours as a start and an end, or neither."))
            elif (
                core_starts is not None
                and core_ends is not None
                and not (starts <= core_starts < core_ends <= ends)
            ):
                self.add_error(core_ends_key, _("Core hours must lie inside the working day."))
        return cleaned

    def read_version(self) -> str | None:
        """The version the editor read; None from a form that carried none (not this page's
        own), which replaces the pattern unguarded."""
        return self.cleaned_data.get("pattern_version") or None

    def keep_typing_over(self, version: str) -> None:
        carry_over(self, "pattern_version", version)

    def days(self) -> list[PatternDay]:
        days = []
        for weekday, _name in WorkingPattern.Weekday.choices:
            starts = self.cleaned_data.get(f"starts_{weekday}")
            ends = self.cleaned_data.get(f"ends_{weekday}")
            if starts is not None and ends is not None:
                days.append(
                    PatternDay(
                        weekday,
                        starts,
                        ends,
                        self.cleaned_data.get(f"core_starts_{weekday}"),
                        self.cleaned_data.get(f"core_ends_{weekday}"),
                        bool(self.cleaned_data.get(f"home_{weekday}")),
                    )
                )
        return days


# --- availability ----------------------------------------------------------------------


def organisation_zone(organisation: Organisation) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(organisation.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class UnavailabilityForm(forms.Form):
    """One time away, in the organisation's local time, shown with a neutral label."""

    kind = forms.ChoiceField(
        label=_("Shown to people planning as"),
        choices=Unavailability.Kind.choices,
        widget=forms.RadioSelect,
        initial=Unavailability.Kind.UNAVAILABLE,
    )
    start_date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("From"), widget=TIME_WIDGET)
    end_date = forms.DateField(
        label=_("Until date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty if it ends on the same day."),
    )
    end_time = forms.TimeField(label=_("Until"), widget=TIME_WIDGET)

    def __init__(self, *args: Any, zone: dt.tzinfo, now: dt.datetime | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.now = now or timezone.now()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start_date, start_time = cleaned.get("start_date"), cleaned.get("start_time")
        end_time = cleaned.get("end_time")
        if start_date is None or start_time is None or end_time is None:
            return cleaned
        end_date = cleaned.get("end_date") or start_date
        starts_at = dt.datetime.combine(start_date, start_time, tzinfo=self.zone)
        ends_at = dt.datetime.combine(end_date, end_time, tzinfo=self.zone)
        if ends_at <= starts_at:
            self.add_error("end_time", _("The end must be after the start."))
        elif ends_at <= self.now:
            self.add_error("end_time", _("This time has already passed."))
        cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
        return cleaned


# --- exception reports -----------------------------------------------------------------


class ExceptionReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Which exception applies"),
        choices=ExceptionReport.Reason.choices,
        widget=forms.RadioSelect,
    )
    disclosed = forms.CharField(
        label=_("What you are disclosing"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        help_text=_(
            "Write only what the exception needs, in plain and respectful words. The person "
            "is told at once and will read exactly this."
        ),
    )
    recipient = forms.ChoiceField(label=_("Who receives it"))

    def __init__(self, *args: Any, recipients: Iterable[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recipients = {str(m.pk): m for m in recipients}
        field = self.fields["recipient"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (narrows the type)
        field.choices = [("", _("Choose…"))] + [(key, m.name) for key, m in self.recipients.items()]
        if len(self.recipients) == 1 and not self.is_bound:
            self.initial.setdefault("recipient", next(iter(self.recipients)))

    def chosen_recipient(self) -> Membership | None:
        return self.recipients.get(self.cleaned_data.get("recipient") or "")


# --- HR entering a disclosure for a person ---------------------------------------------


class CategoryChoiceForm(forms.Form):
    """Which of the shared categories to enter (a GET form: it changes nothing)."""

    category = forms.ChoiceField(label=_("What to enter"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, categories: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (narrows the type)
        field.choices = list(categories)
