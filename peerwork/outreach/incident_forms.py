"""Forms of the incident pages, the legal-contacts directory and the documents.

Forms parse what a person typed; the rules live in ``incidents`` (the flows) and the
gates in ``access``. After a refused save the bound form is shown again, so nothing typed
is lost (``put_errors`` puts a service's errors beside the fields).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership, Site, active_members
from peerwork.people.forms import DATE_WIDGET, MemberChoiceField, VersionForm

from .incidents import STEPS_FOR, step_label
from .models import Incident, IncidentStep, LegalContact, LegalEvent

# The same input as the shift forms: a local date and time the browser offers a picker for.
WHEN_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class IncidentForm(forms.Form):
    """What happened and when; on a shift, also to whom."""

    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[("", "—"), *Incident.Kind.choices],
        error_messages={"required": _("Choose what happened.")},
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=WHEN_WIDGET,
        input_formats=WHEN_FORMATS,
        error_messages={
            "required": _("Say when it happened."),
            "invalid": _("Give a date and time, such as 2025-03-01 21:30."),
        },
    )
    summary = forms.CharField(
        label=_("What happened, in words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Sealed: only the people who may read this record read it."),
    )

    def __init__(self, *args: Any, workers: Iterable[Membership] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if workers is not None:
            people = list(workers)
            self.fields["person"] = forms.ChoiceField(
                label=_("Who it happened to"),
                choices=[(str(m.pk), m.name) for m in people],
                error_messages={"invalid_choice": _("Choose a worker on this shift.")},
            )
            self.order_fields(["person", "kind", "occurred_at", "summary"])


class StepForm(VersionForm):
    """A step of the guide's list, done, with a note and, where needed, consent."""

    step = forms.ChoiceField(label=_("Step"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sealed with the worker's key."),
    )
    consent = forms.BooleanField(
        label=_("The worker agreed to this step, freely"),
        required=False,
        help_text=_(
            "Needed to contact their family or document a human-rights violation. Ask; never "
            "press. If they say no, do not record the step."
        ),
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any):
        super().__init__(*args, **kwargs)
        step = self.fields["step"]
        assert isinstance(step, forms.ChoiceField)  # noqa: S101 - declared above
        step.choices = [(code, str(step_label(code))) for code in STEPS_FOR.get(incident.kind, ())]
        self.fields["step"].error_messages["invalid_choice"] = _(
            "Choose one of the steps listed for this incident."
        )
        if not self.is_bound:
            self.fields["version"].initial = incident.version

    def consent_value(self) -> str:
        return IncidentStep.Consent.GIVEN if self.cleaned_data.get("consent") else ""


class LegalEventForm(VersionForm):
    kind = forms.ChoiceField(label=_("What"), choices=LegalEvent.Kind.choices)
    on = forms.DateField(
        label=_("Date"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Give the date."), "invalid": _("Give a date.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sealed with the worker's key."),
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["version"].initial = incident.version


class HelperForm(VersionForm):
    helper = MemberChoiceField(
        label=_("Someone I ask to help"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("Nobody"),
        help_text=_("They can read and add to this record. Nobody else can."),
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["helper"]
        assert isinstance(field, MemberChoiceField)  # noqa: S101 - declared above
        field.queryset = (
            Membership.objects.filter(active_members(), organisation_id=incident.organisation_id)
            .exclude(pk=incident.person_id)
            .select_related("user")
            .order_by("user__display_name", "user__username")
        )
        if not self.is_bound:
            self.fields["version"].initial = incident.version
            self.fields["helper"].initial = incident.helper_id


class LegalContactForm(VersionForm):
    """An entry of the directory (versioned: two editors never silently overwrite)."""

    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("Every site"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=LegalContact.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    hours = forms.CharField(label=_("Hours"), max_length=120, required=False)
    languages = forms.CharField(label=_("Languages"), max_length=120, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    FIELDS = ("site", "kind", "name", "phone", "email", "hours", "languages", "notes")

    def __init__(
        self,
        *args: Any,
        organisation_id: uuid.UUID,
        contact: LegalContact | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        site = self.fields["site"]
        assert isinstance(site, forms.ModelChoiceField)  # noqa: S101 - declared above
        site.queryset = Site.objects.filter(organisation_id=organisation_id).order_by("name")
        if contact is not None and not self.is_bound:
            for name in self.FIELDS:
                self.fields[name].initial = getattr(contact, name)
            self.fields["version"].initial = contact.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Give a phone number or an email address."))
        return data

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}
