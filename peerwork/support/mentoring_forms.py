"""Forms of the mentoring and agreement pages (issue 7 items 5 and 6; §3.11, §3.13, App. 4).

Forms only parse what a person typed; the rules live in ``mentoring`` and ``agreements``
(the API uses the same), whose ``ValidationError`` the views put back beside the fields
(``peerwork.people.forms.put_errors``). After a refused save the bound form is shown again,
so nothing typed is lost. Choices of people are built inside the member's organisation
scope (the view's), each shown by the name the person chose.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership, SupportRelationship
from peerwork.people.forms import DATE_WIDGET, MemberChoiceField, VersionForm

from . import agreements, mentoring
from .models import SupportAgreement

MINUTES_WIDGET = forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 600})


def _member_field(queryset: Any, label: Any, *, required: bool = True, **kwargs: Any) -> Any:
    return MemberChoiceField(
        queryset=queryset,
        label=label,
        required=required,
        error_messages={"invalid_choice": _("Choose someone from the list.")},
        **kwargs,
    )


class PairForm(forms.Form):
    """HR pairs a colleague with a peer mentor or a coach."""

    kind = forms.ChoiceField(
        label=_("Kind of support"),
        choices=SupportRelationship.Kind.choices,
        initial=SupportRelationship.Kind.MENTOR,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation_id = member.organisation_id
        self.fields["person"] = _member_field(
            mentoring.people_to_pair(organisation_id), _("Staff member")
        )
        self.fields["supporter"] = _member_field(
            mentoring.supporters(organisation_id, *SupportRelationship.Kind.values),
            _("Mentor or coach"),
            help_text=_(
                "Peer mentors and coaches of the organisation. Never the person's own line manager."
            ),
        )
        self.order_fields(["person", "supporter", "kind"])


class RequestForm(forms.Form):
    """A staff member asks for a peer mentor (§3.11)."""

    note = forms.CharField(
        label=_("What would help (optional)"),
        required=False,
        max_length=mentoring.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For HR, to find a good match: when and how you would like to meet, anything "
            "that matters to you. Only HR reads it."
        ),
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mentors = mentoring.supporters(
            member.organisation_id, SupportRelationship.Kind.MENTOR
        ).exclude(pk=member.pk)
        if member.line_manager_id:
            mentors = mentors.exclude(pk=member.line_manager_id)
        self.fields["wanted"] = _member_field(
            mentors,
            _("A peer mentor you would like (optional)"),
            required=False,
            empty_label=_("Anyone HR suggests"),
        )
        self.order_fields(["wanted", "note"])


class RequestPairForm(forms.Form):
    """HR answers a request with a peer mentor."""

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supporter"] = _member_field(
            mentoring.supporters(member.organisation_id, SupportRelationship.Kind.MENTOR),
            _("Peer mentor"),
        )


class SessionForm(VersionForm):
    """One session, in the mentor's or coach's words."""

    held_on = forms.DateField(label=_("Date of the session"), widget=DATE_WIDGET)
    minutes = forms.IntegerField(
        label=_("Minutes (optional)"),
        required=False,
        min_value=1,
        max_value=mentoring.MINUTES_MAX,
        widget=MINUTES_WIDGET,
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=mentoring.NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Only you and the staff member read these notes. They leave the two of you "
            "only through an exception report."
        ),
    )


class AgreementForm(VersionForm):
    """HR drafts or redrafts a pair's terms (App. 4's blanks)."""

    service = forms.CharField(label=_("Service"), max_length=agreements.SERVICE_MAX)
    sessions = forms.IntegerField(
        label=_("Number of sessions (optional)"),
        required=False,
        min_value=1,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 100}),
        help_text=_("Leave empty for sessions as long as the agreement runs."),
    )
    frequency = forms.ChoiceField(label=_("How often"), choices=SupportAgreement.Frequency.choices)
    session_minutes = forms.IntegerField(
        label=_("Minutes a session"),
        min_value=10,
        max_value=480,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 10, "max": 480}),
    )
    concerns_route = forms.CharField(
        label=_("How the mentor or coach raises worries about management or policy"),
        required=False,
        max_length=agreements.ROUTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: with the director, in writing. Empty: with HR."),
    )
    exception_route = forms.CharField(
        label=_("How an exception report is made"),
        required=False,
        max_length=agreements.ROUTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: in Peerwork, and by phone the same day."),
    )
    review_on = forms.DateField(label=_("Review on"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, pair: SupportRelationship, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exception_recipient"] = _member_field(
            agreements.exception_recipients(pair),
            _("Exception reports go to"),
            help_text=_(
                "One colleague, neither of the two, who receives a report if one of the two "
                "exceptions arises."
            ),
        )
        self.order_fields(
            [
                "service",
                "sessions",
                "frequency",
                "session_minutes",
                "concerns_route",
                "exception_recipient",
                "exception_route",
                "review_on",
                "version",
            ]
        )

    def terms(self) -> agreements.Terms:
        data = self.cleaned_data
        return agreements.Terms(
            service=data.get("service") or "",
            sessions=data.get("sessions"),
            frequency=data.get("frequency") or "",
            session_minutes=data.get("session_minutes"),
            concerns_route=data.get("concerns_route") or "",
            exception_recipient=data.get("exception_recipient"),
            exception_route=data.get("exception_route") or "",
            review_on=data.get("review_on"),
        )


def agreement_initial(agreement: SupportAgreement) -> dict[str, object]:
    return {
        "service": agreement.service,
        "sessions": agreement.sessions,
        "frequency": agreement.frequency,
        "session_minutes": agreement.session_minutes,
        "concerns_route": agreement.concerns_route,
        "exception_recipient": agreement.exception_recipient_id,
        "exception_route": agreement.exception_route,
        "review_on": agreement.review_on,
        "version": agreement.version,
    }


class ContactForm(VersionForm):
    """The staff member's words on how they like to keep in touch (§3.11)."""

    contact = forms.CharField(
        label=_("How I like to keep in touch"),
        required=False,
        max_length=agreements.CONTACT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: coffee on Fridays, a call in the evening, a message first. Only "
            "you and your mentor or coach read it."
        ),
    )
