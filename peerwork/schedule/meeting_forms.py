"""The forms of the meeting pages: a meeting as a whole, and the one-click buttons of a
suggestion (move it, a late-join agenda) (issue 6 items 3 and 4; App. 10 case 3).

Forms parse what a person typed; the rules live in ``services`` (``check_meeting`` and
the attendee checks), so the pages and the API refuse the same things with the same words.
After a refused save the bound form is shown again, so nothing typed is lost
(``peerwork.people.forms.put_errors`` puts a service's errors beside the fields).
Times are local to the organisation, as the meeting keeps them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peerwork.core.models import Membership, Team, active_members
from peerwork.people.forms import DATE_WIDGET, TIME_WIDGET, VersionForm

from .models import Attendee, Meeting
from .services import TITLE_MAX, MeetingFields

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
# Dates a meeting may have (as the API allows); far outside them the date arithmetic fails.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200
TIME_ERRORS = {"invalid": _("Give a time, such as 09:30.")}
DATE_ERRORS = {"invalid": _("Give a date, such as 2026-03-04.")}
# Where a suggestion's button sends the planner back to.
BACK_CHOICES = [("meeting", "meeting"), ("health", "health")]


def attendee_choices(organisation_id: uuid.UUID) -> list[tuple[str, str]]:
    """The organisation's active members, by the name they chose."""
    people = (
        Membership.objects.filter(active_members(), organisation_id=organisation_id)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    return [(str(m.pk), m.name) for m in people]


class AttendeesField(forms.MultipleChoiceField):
    """Colleagues ticked in a list. Whether each is an active member of the organisation
    is the service's to say (``services._attendees``), in the words the API uses too."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value: Any) -> bool:
        return True


class MeetingForm(VersionForm):
    """A meeting as a whole: a new one, or every field of one being changed."""

    title = forms.CharField(
        label=pgettext_lazy("the name of a meeting, trip or event", "Title"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Give the meeting a title.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Meeting.Kind.choices,
        error_messages={"invalid_choice": _("Choose what kind of meeting it is.")},
    )
    place = forms.CharField(label=_("Place"), max_length=TITLE_MAX, required=False)
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("No team"),
        error_messages={"invalid_choice": _("Choose one of your organisation's teams.")},
    )
    first_on = forms.DateField(
        label=_("First date"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Give the first date."), **DATE_ERRORS},
    )
    starts = forms.TimeField(
        label=_("Starts"),
        widget=TIME_WIDGET,
        input_formats=TIME_FORMATS,
        help_text=_("In your organisation's time zone."),
        error_messages={"required": _("Give the time it starts."), **TIME_ERRORS},
    )
    minutes = forms.IntegerField(
        label=_("Length in minutes"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Say how many minutes it lasts."),
            "invalid": _("Give the length as a number of minutes."),
        },
    )
    repeats = forms.ChoiceField(
        label=_("Repeats"),
        choices=Meeting.Repeats.choices,
        error_messages={"invalid_choice": _("Choose how often it happens.")},
    )
    until = forms.DateField(
        label=_("Last date"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("For a meeting that repeats; empty when it goes on."),
        error_messages=DATE_ERRORS,
    )
    required = AttendeesField(
        label=_("Required attendees"),
        error_messages={"required": _("Name at least one required attendee.")},
    )
    optional = AttendeesField(label=_("Optional attendees"), required=False)

    def __init__(
        self,
        *args: Any,
        organisation_id: uuid.UUID,
        meeting: Meeting | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)  # noqa: S101 - declared above
        team.queryset = Team.objects.filter(organisation_id=organisation_id).order_by("name")
        people = attendee_choices(organisation_id)
        for name in ("required", "optional"):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
            field.choices = people
        if meeting is not None and not self.is_bound:
            for name in ("title", "kind", "place", "first_on", "starts", "minutes", "repeats"):
                self.fields[name].initial = getattr(meeting, name)
            self.fields["until"].initial = meeting.until
            self.fields["team"].initial = meeting.team_id
            self.fields["version"].initial = meeting.version
            attendees = list(
                Attendee.objects.filter(
                    organisation_id=meeting.organisation_id, meeting=meeting
                ).values_list("member_id", "required")
            )
            self.fields["required"].initial = [str(m) for m, req in attendees if req]
            self.fields["optional"].initial = [str(m) for m, req in attendees if not req]
        elif meeting is None and not self.is_bound:
            self.fields["kind"].initial = Meeting.Kind.TEAM_MEETING
            self.fields["minutes"].initial = 60

    def _in_range(self, name: str) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get(name)
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(
                _("Choose a date between the years %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
            )
        return value

    def clean_first_on(self) -> dt.date | None:
        return self._in_range("first_on")

    def clean_until(self) -> dt.date | None:
        return self._in_range("until")

    def meeting_fields(self) -> MeetingFields:
        data = self.cleaned_data
        return MeetingFields(
            title=data["title"],
            kind=data["kind"],
            first_on=data["first_on"],
            starts=data["starts"],
            minutes=data["minutes"],
            repeats=data["repeats"],
            until=data["until"],
            place=data["place"],
            team=data["team"],
            required=list(data["required"]),
            optional=list(data.get("optional") or []),
        )


class MoveForm(VersionForm):
    """One suggestion taken: another start, and for a weekly or fortnightly meeting
    another weekday (``services.move_meeting``)."""

    starts = forms.TimeField(widget=forms.HiddenInput, input_formats=TIME_FORMATS)
    weekday = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=6)
    back = forms.ChoiceField(widget=forms.HiddenInput, choices=BACK_CHOICES, required=False)


class LateJoinForm(VersionForm):
    """A late-join agenda: updates first, decisions from this time; empty removes it."""

    decisions_from = forms.TimeField(
        widget=forms.HiddenInput, input_formats=TIME_FORMATS, required=False
    )
    back = forms.ChoiceField(widget=forms.HiddenInput, choices=BACK_CHOICES, required=False)
