"""The outreach pages' forms: planning a shift, the worker's small inputs, the policy, its
escalation steps and the on-call rota.

Forms parse what a person typed; the rules live in ``services`` (shifts) and on the
models, so the pages and the API cannot drift apart. After a refused save the bound form
is shown again, so nothing typed is lost (``peerwork.people.forms.put_errors``).
Times are typed in the organisation's time zone (the middleware activates it, as the core
pages do) and stored aware.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peerwork.core.access import WORKING_ROLES
from peerwork.core.models import Membership, Site, Team, active_members
from peerwork.core.models.notifications import Channel
from peerwork.people.forms import DATE_WIDGET, VersionForm

from .models import EscalationStep, OutreachPolicy, Shift
from .services import EXTEND_MAX, EXTEND_MIN, LOCATION_MAX

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class MembersField(forms.ModelMultipleChoiceField[Membership]):
    """Colleagues from a list, shown by the name they chose."""

    def label_from_instance(self, obj: Membership) -> str:
        return obj.name


class MemberField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.name


def colleagues(organisation_id: uuid.UUID) -> QuerySet[Membership]:
    """Working members of the organisation: who may go out, be a buddy or be on call."""
    return (
        Membership.objects.filter(
            active_members(),
            organisation_id=organisation_id,
            role_grants__role__in=WORKING_ROLES,
        )
        .distinct()
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )


class PlanShiftForm(forms.Form):
    """Who goes, where (in words), with what, and when (§4.4: a schedule with planned
    return times; a pair where the policy asks for one)."""

    workers = MembersField(
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Who goes"),
        error_messages={"invalid_choice": _("Choose colleagues from the list.")},
    )
    area = forms.CharField(
        label=_("Area or venue, in words"),
        max_length=Shift._meta.get_field("area").max_length,
        help_text=_("A street, a scene or a venue. Never a client's address, and no GPS."),
    )
    materials = forms.CharField(
        label=_("Materials carried"),
        required=False,
        max_length=Shift._meta.get_field("materials").max_length,
        help_text=_("For example: needles and syringes, naloxone, leaflets."),
    )
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, label=_("Site")
    )
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label=_("Team")
    )
    planned_start = forms.DateTimeField(
        label=_("Planned start"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    planned_return = forms.DateTimeField(
        label=_("Planned return"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation_id = member.organisation_id
        self.fields["workers"].queryset = colleagues(organisation_id)  # type: ignore[attr-defined]
        self.fields["site"].queryset = Site.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        ).order_by("name")
        self.fields["team"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        ).order_by("name")


class ExtendForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Minutes"), min_value=EXTEND_MIN, max_value=EXTEND_MAX, initial=30
    )


class LocationForm(forms.Form):
    location = forms.CharField(
        label=_("Rough location, in words"),
        required=False,
        max_length=LOCATION_MAX,
        help_text=_("Only the workers and whoever handles this shift see it. Empty takes it back."),
    )


class CloseForm(forms.Form):
    incident = forms.BooleanField(label=_("Something happened (an incident)"), required=False)


class PolicyForm(VersionForm, forms.ModelForm):
    """The policy's own fields; ``version`` is the one the person read."""

    project_manager = MemberField(
        queryset=Membership.objects.none(),
        required=False,
        label=_("Project manager"),
        help_text=OutreachPolicy._meta.get_field("project_manager").help_text,
    )

    class Meta:
        model = OutreachPolicy
        fields = [
            "grace_minutes",
            "missing_after_minutes",
            "pairs_required",
            "guidelines",
            "contingency_plans",
            "contingency_agreed_on",
        ]
        widgets = {
            "contingency_agreed_on": DATE_WIDGET,
            "guidelines": forms.Textarea(attrs={"rows": 5}),
            "contingency_plans": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project_manager"].queryset = colleagues(  # type: ignore[attr-defined]
            member.organisation_id
        )


class StepForm(VersionForm):
    """A new step at the end of the chain (the policy's version guards the chain)."""

    who = forms.ChoiceField(label=_("Who"), choices=EscalationStep.Who.choices)
    buddy = MemberField(
        queryset=Membership.objects.none(),
        required=False,
        label=_("Buddy"),
        help_text=_("Only when the step is “A named buddy”."),
    )
    channels = forms.MultipleChoiceField(
        label=_("How"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None chosen: each person's own choice for alerts."),
    )
    wait_minutes = forms.IntegerField(
        label=_("Minutes to wait for “I'm on it” before the next step"),
        min_value=1,
        max_value=1440,
        initial=15,
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buddy"].queryset = colleagues(member.organisation_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("who") == EscalationStep.Who.BUDDY and not data.get("buddy"):
            self.add_error("buddy", _("Choose the buddy this step alerts."))
        if data.get("who") != EscalationStep.Who.BUDDY:
            data["buddy"] = None
        return data


class OnCallForm(forms.Form):
    member = MemberField(queryset=Membership.objects.none(), label=_("On-call manager"))
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        required=False,
        label=_("Site"),
        help_text=_("Empty: on call for every site without its own turn."),
    )
    starts_at = forms.DateTimeField(
        label=_("From"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("Until"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = colleagues(member.organisation_id)  # type: ignore[attr-defined]
        self.fields["site"].queryset = Site.objects.filter(  # type: ignore[attr-defined]
            organisation_id=member.organisation_id
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The turn must end after it starts."))
        return data


class DayForm(forms.Form):
    """The schedule's date picker (a plain GET form: no JavaScript)."""

    day = forms.DateField(label=_("Day"), widget=DATE_WIDGET, required=False)
