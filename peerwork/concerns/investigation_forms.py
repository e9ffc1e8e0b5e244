"""Forms of the investigation and named-supporter pages (issue 8 items 4 and 5; §4.4, §4.7).

Forms only parse what a person typed; the rules (who may investigate or support whom,
the suspension's dates, the findings an outcome needs) live in ``investigations`` and
``separation``, whose ``ValidationError`` the views put back beside the fields. After a
refused save the bound form is shown again, so nothing typed is lost. Choices of people are
built inside the member's organisation scope (the view's), each shown by the name the
person chose: a supporter is offered as an investigator like anyone else, so that choosing
them is refused with the rule in words (§4.7) rather than a bare "not in the list".
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership
from peerwork.people.forms import DATE_WIDGET, MemberChoiceField, VersionForm

from . import investigations
from .models import Investigation


def _member_field(queryset: Any, label: Any, **kwargs: Any) -> MemberChoiceField:
    return MemberChoiceField(
        queryset=queryset,
        label=label,
        error_messages={
            "invalid_choice": _("Choose someone from the list."),
            "required": _("Choose someone from the list."),
        },
        **kwargs,
    )


class InvestigatorForm(forms.Form):
    """HR names an investigator."""

    def __init__(self, *args: Any, investigation: Investigation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = _member_field(
            investigations.candidates(investigation.organisation_id, investigation.person),
            _("Investigator"),
            help_text=_(
                "Someone who takes no part in the staff member's support: not their peer "
                "mentor or coach, a facilitator of their group, or anyone who supports them."
            ),
        )


class SupporterForm(forms.Form):
    """The staff member (or whoever works the case) names someone to support them."""

    def __init__(self, *args: Any, person: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = _member_field(
            investigations.supporter_candidates(person.organisation_id, person),
            _("Supporter"),
            help_text=_(
                "Someone the staff member trusts, who takes no part in any investigation "
                "about them."
            ),
        )


class FindingsForm(VersionForm):
    """The findings so far, written by an investigator or HR."""

    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        max_length=investigations.FINDINGS_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "What was found, about work and conduct. Only the investigators and HR read it "
            "while the investigation is open; the staff member reads it once it is completed."
        ),
    )


class SuspensionForm(VersionForm):
    """HR records a suspension with support (§4.7)."""

    suspended_from = forms.DateField(label=_("First day of the suspension"), widget=DATE_WIDGET)
    suspended_until = forms.DateField(
        label=_("Last day of the suspension"),
        widget=DATE_WIDGET,
        help_text=_("At most 90 days from today. Look at it again then."),
    )


class CompleteForm(VersionForm):
    """HR completes an investigation: the findings and the outcome."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Investigation.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    findings = forms.CharField(
        label=_("Findings"),
        max_length=investigations.FINDINGS_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Write the findings first.")},
        help_text=_("The staff member reads them once the investigation is completed."),
    )
    reason = forms.CharField(
        label=_("Why the disciplinary procedure is needed"),
        required=False,
        max_length=investigations.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only for the disciplinary outcome: the written reason that goes with the "
            "hand-off, on grounds of gross misconduct. HR countersigns it."
        ),
    )
