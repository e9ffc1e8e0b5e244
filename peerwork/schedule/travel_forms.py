"""The forms of the trip pages, the traveller's checklist and the scheduling settings.

Forms parse what a person typed; the rules live in ``travel`` (and on the models), so the
pages and the API cannot drift apart. After a refused save the bound form is shown again,
so nothing typed is lost (``peerwork.people.forms.put_errors``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peerwork.core.models import Membership
from peerwork.outreach.forms import MembersField, colleagues
from peerwork.people.forms import DATE_WIDGET, TIME_WIDGET, VersionForm

from . import travel
from .models import Trip


class TripForm(VersionForm):
    """A trip or event: what, where, when, who goes, and the OST logistics (§3.4 tips)."""

    title = forms.CharField(
        label=pgettext_lazy("the name of a meeting, trip or event", "Title"),
        max_length=travel.TITLE_MAX,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Trip.Kind.choices)
    place = forms.CharField(
        label=_("Place"),
        max_length=travel.TITLE_MAX,
        help_text=_("A town or a venue."),
    )
    starts_on = forms.DateField(label=_("First day"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE_WIDGET)
    first_session_at = forms.TimeField(
        label=_("First session each day starts at"), widget=TIME_WIDGET, required=False
    )
    travellers = MembersField(
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Who goes"),
        error_messages={"invalid_choice": _("Choose travellers from the list.")},
    )
    ost_site_name = forms.CharField(
        label=_("OST dispensing site near the event"),
        max_length=travel.SHORT_MAX,
        required=False,
        help_text=_("Where people on OST can collect during the event, if you know it."),
    )
    ost_site_address = forms.CharField(
        label=_("Its address"),
        max_length=travel.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ost_site_opens = forms.TimeField(label=_("It opens at"), widget=TIME_WIDGET, required=False)
    ost_site_travel_minutes = forms.IntegerField(
        label=_("Minutes from the venue or accommodation to the site"),
        min_value=0,
        max_value=travel.MAX_TRAVEL_MINUTES,
        required=False,
    )
    transport_plan = forms.CharField(
        label=_("Transport to and from the site"),
        max_length=travel.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: a minibus leaves the hotel at 07:45 and is back by 09:15."),
    )
    ost_access_arranged = forms.BooleanField(
        label=_("OST access is arranged for participants (events we host)"), required=False
    )
    announcement = forms.CharField(
        label=_("Announcement"),
        max_length=travel.ANNOUNCEMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "For events we host: what you send to participants. Use “Write a draft” for a "
            "text that says OST access is arranged, then change it as you like."
        ),
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["travellers"].queryset = colleagues(  # type: ignore[attr-defined]
            member.organisation_id
        )

    def trip_fields(self) -> travel.TripFields:
        data = self.cleaned_data
        return travel.TripFields(
            title=data["title"],
            kind=data["kind"],
            place=data["place"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            first_session_at=data.get("first_session_at"),
            travellers=[person.pk for person in data.get("travellers") or ()],
            ost_site_name=data.get("ost_site_name") or "",
            ost_site_address=data.get("ost_site_address") or "",
            ost_site_opens=data.get("ost_site_opens"),
            ost_site_travel_minutes=data.get("ost_site_travel_minutes"),
            transport_plan=data.get("transport_plan") or "",
            ost_access_arranged=bool(data.get("ost_access_arranged")),
            announcement=data.get("announcement") or "",
        )


def trip_initial(trip: Trip, traveller_ids: Sequence[object]) -> dict[str, Any]:
    return {
        "version": trip.version,
        "title": trip.title,
        "kind": trip.kind,
        "place": trip.place,
        "starts_on": trip.starts_on,
        "ends_on": trip.ends_on,
        "first_session_at": trip.first_session_at,
        "travellers": traveller_ids,
        "ost_site_name": trip.ost_site_name,
        "ost_site_address": trip.ost_site_address,
        "ost_site_opens": trip.ost_site_opens,
        "ost_site_travel_minutes": trip.ost_site_travel_minutes,
        "transport_plan": trip.transport_plan,
        "ost_access_arranged": trip.ost_access_arranged,
        "announcement": trip.announcement,
    }


class ChecklistForm(VersionForm):
    """The traveller's own list (§2.4.1, the §3.4 tips). Dates are typed as they happen."""

    take_home_limit = forms.CharField(
        label=_("Your clinic's limit on take-home requests for travel"),
        max_length=100,
        required=False,
        help_text=_("As your clinic puts it, for example “2 a year”."),
    )
    take_home_used = forms.IntegerField(
        label=_("How many of those you have used"),
        min_value=0,
        max_value=travel.MAX_USED,
        required=False,
    )
    request_sent_on = forms.DateField(
        label=_("Request sent to your prescriber on"), widget=DATE_WIDGET, required=False
    )
    reply_received_on = forms.DateField(
        label=_("Reply received on"), widget=DATE_WIDGET, required=False
    )
    packed = forms.MultipleChoiceField(
        label=_("Packed"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    medicine = forms.CharField(label=_("Medicine"), max_length=100, required=False)
    daily_dose = forms.CharField(
        label=_("Daily dose"),
        max_length=100,
        required=False,
        help_text=_("As your prescriber writes it, for example “80 mg”."),
    )
    ost_site = forms.CharField(
        label=_("OST centre near the event"), max_length=travel.SHORT_MAX, required=False
    )
    ost_site_address = forms.CharField(
        label=_("Its address"),
        max_length=travel.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    letter_consent = forms.BooleanField(
        label=_(
            "Make the request letter for my prescriber, and fill in my medicine and "
            "prescriber from what I told the organisation about OST"
        ),
        required=False,
        help_text=_(
            "Only you (and HR, if you shared OST with them by name) can open the letter. "
            "Untick it at any time."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["packed"].choices = travel.packing_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sent, reply = data.get("request_sent_on"), data.get("reply_received_on")
        if sent and reply and reply < sent:  # said here too, beside the other mistakes
            self.add_error("reply_received_on", travel.REPLY_BEFORE_SENT())
        return data


def checklist_initial(details: dict[str, Any], version: int) -> dict[str, Any]:
    initial = {key: details.get(key) for key in travel.CHECKLIST_KEYS}
    initial["version"] = version
    return initial


class SettingsForm(VersionForm):
    """The organisation's scheduling settings (``ScheduleSettings``)."""

    prescriber_notice_days = forms.IntegerField(
        label=_("Days of notice an OST prescriber needs before travel"),
        help_text=_(
            "Travellers on OST are reminded to tell their prescriber this many days ahead."
        ),
        min_value=1,
        max_value=90,
    )
    day_starts = forms.TimeField(label=_("Meetings from"), widget=TIME_WIDGET)
    day_ends = forms.TimeField(
        label=_("Meetings until"),
        widget=TIME_WIDGET,
        help_text=_("Suggested meeting times stay inside these hours."),
    )
