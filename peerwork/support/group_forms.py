"""The forms of the peer support group pages (issue 7 item 7; §3.10, §4.8, App. 4): the
terms of reference, a meeting the group held, learning it shares, and a step of the §4.8
path.

Forms parse what a person typed; the rules live in ``groups`` (``check_terms``,
``record_meeting``, ``record_step``), so the pages and the API refuse the same things in
the same words. After a refused save the bound form is shown again with everything typed
(``peerwork.people.forms.put_errors`` puts a service's errors beside the fields).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership, Role, active_members
from peerwork.people.forms import DATE_WIDGET, MemberChoiceField, VersionForm

from . import groups
from .models import SupportGroup

DATE_ERRORS = {"invalid": _("Give a date, such as 2026-03-04.")}
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200


def _in_range(value: dt.date | None) -> dt.date | None:
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise forms.ValidationError(
            _("Choose a date between the years %(first)d and %(last)d.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        )
    return value


class FacilitatorField(MemberChoiceField):
    """A colleague, with who holds the facilitator role said beside their name."""

    facilitators: set[uuid.UUID]

    def label_from_instance(self, obj: Membership) -> str:
        if obj.pk in getattr(self, "facilitators", set()):
            return str(_("%(name)s (support-group facilitator)") % {"name": obj.name})
        return obj.name


class GroupTermsForm(VersionForm):
    """A group's terms of reference (App. 4): a new group, or its terms being changed."""

    name = forms.CharField(
        label=_("Name of the group"),
        max_length=groups.NAME_MAX,
        error_messages={"required": _("Give the group a name.")},
    )
    facilitator = FacilitatorField(
        label=_("Facilitator"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("No facilitator yet"),
        help_text=_("Usually someone who holds the support-group facilitator role."),
        error_messages={
            "invalid_choice": _("Choose the facilitator from your organisation's members.")
        },
    )
    place = forms.CharField(
        label=_("Where it meets"),
        max_length=groups.NAME_MAX,
        help_text=_("For example: the drop-in's back room."),
        error_messages={"required": _("Say where the group meets.")},
    )
    frequency = forms.CharField(
        label=_("How often it meets"),
        max_length=groups.NAME_MAX,
        help_text=_("For example: every Friday, 13:00 to 14:00."),
        error_messages={"required": _("Say how often the group meets.")},
    )
    timing = forms.ChoiceField(
        label=_("When it meets"),
        choices=SupportGroup.Timing.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Choose when it meets: in members' own time, work hours or the lunch break."
            ),
            "invalid_choice": _(
                "Choose when it meets: in members' own time, work hours or the lunch break."
            ),
        },
    )
    management_contact = forms.CharField(
        label=_("How management gets in touch with the group"),
        max_length=groups.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: through the facilitator, who takes it to the group."),
        error_messages={"required": _("Say how management gets in touch with the group.")},
    )
    concerns_to = forms.CharField(
        label=_("Where concerns that come up in the group go"),
        max_length=groups.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Name a person or a role, and who comes next if that does not work."),
        error_messages={"required": _("Say where concerns that come up in the group go.")},
    )
    review_on = forms.DateField(
        label=_("Terms reviewed on"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Give the date the terms are reviewed."), **DATE_ERRORS},
    )

    def __init__(
        self,
        *args: Any,
        organisation_id: uuid.UUID,
        group: SupportGroup | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["facilitator"]
        assert isinstance(field, FacilitatorField)  # noqa: S101 - declared above
        field.queryset = (
            Membership.objects.filter(active_members(), organisation_id=organisation_id)
            .select_related("user")
            .order_by("user__display_name", "user__username")
        )
        field.facilitators = set(
            Membership.objects.filter(
                active_members(),
                organisation_id=organisation_id,
                role_grants__role=Role.FACILITATOR,
            ).values_list("pk", flat=True)
        )
        if group is not None and not self.is_bound:
            for name in ("name", "place", "frequency", "timing", "management_contact"):
                self.fields[name].initial = getattr(group, name)
            self.fields["concerns_to"].initial = group.concerns_to
            self.fields["review_on"].initial = group.review_on
            self.fields["facilitator"].initial = group.facilitator_id
            self.fields["version"].initial = group.version

    def clean_review_on(self) -> dt.date | None:
        return _in_range(self.cleaned_data.get("review_on"))

    def terms(self) -> groups.GroupTerms:
        data = self.cleaned_data
        facilitator = data.get("facilitator")
        return groups.GroupTerms(
            name=data["name"],
            place=data["place"],
            frequency=data["frequency"],
            timing=data["timing"],
            management_contact=data["management_contact"],
            concerns_to=data["concerns_to"],
            review_on=data["review_on"],
            facilitator=facilitator.pk if facilitator is not None else None,
        )


class GroupMeetingForm(forms.Form):
    """That the group met: the date and how many came, nothing of what was said."""

    held_on = forms.DateField(
        label=_("Date it met"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Give the date the group met."), **DATE_ERRORS},
    )
    attended = forms.IntegerField(
        label=_("How many came"),
        required=False,
        min_value=0,
        max_value=500,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("A number only; no names."),
        error_messages={
            "invalid": _("Give how many came as a number."),
            "min_value": _("Give how many came, from 0 to 500."),
            "max_value": _("Give how many came, from 0 to 500."),
        },
    )

    def clean_held_on(self) -> dt.date | None:
        return _in_range(self.cleaned_data.get("held_on"))


class LearningForm(forms.Form):
    text = forms.CharField(
        label=_("What the group wants to share"),
        max_length=groups.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Everyone in the organisation can read it. It does not name who shared it; "
            "leave out anything that would point to a person."
        ),
        error_messages={"required": _("Write what the group wants to share.")},
    )


class StepForm(forms.Form):
    """One step of the §4.8 path. The order is the service's to enforce."""

    kind = forms.ChoiceField(
        label=_("Step"),
        choices=[(kind.value, kind.label) for kind in groups.RECORDED_STEPS],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the step: mediation, a review of the terms, or a suspension."),
            "invalid_choice": _(
                "Choose the step: mediation, a review of the terms, or a suspension."
            ),
        },
    )
    held_on = forms.DateField(
        label=_("Date"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Give the date of the step."), **DATE_ERRORS},
    )
    outcome = forms.CharField(
        label=_("What came of it"),
        max_length=groups.OUTCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The group's members and facilitator read this. Describe what was agreed, not people."
        ),
        error_messages={"required": _("Say what came of it.")},
    )
    ends_on = forms.DateField(
        label=_("Suspended until"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("A suspension only: the last day of the pause, at most six months ahead."),
        error_messages=DATE_ERRORS,
    )

    def clean_held_on(self) -> dt.date | None:
        return _in_range(self.cleaned_data.get("held_on"))

    def clean_ends_on(self) -> dt.date | None:
        return _in_range(self.cleaned_data.get("ends_on"))
