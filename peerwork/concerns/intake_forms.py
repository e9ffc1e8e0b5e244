"""Forms of the intake and case pages (issue 8 item 1; §4.2).

Forms only parse what a person typed; the rules live in ``intake`` (the API uses the
same), whose ``ValidationError`` the views put back beside the fields
(``peerwork.people.forms.put_errors``). After a refused save the bound form is shown again,
so nothing typed is lost. The category is asked as "What was the effect on work?"; the
signs are a separate, optional group that is never the category (§4.2, App. 10 case 1).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership
from peerwork.people.forms import DATE_WIDGET, MemberChoiceField, VersionForm

from . import intake
from .models import Concern

TEXTAREA = forms.Textarea(attrs={"rows": 4})


class PersonForm(forms.Form):
    """Whom a new concern is about: the people the member manages (HR: everyone working)."""

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"] = MemberChoiceField(
            queryset=intake.people_to_raise_about(member),
            label=_("Staff member"),
            error_messages={"invalid_choice": _("Choose someone from the list.")},
        )


class ConcernForm(VersionForm):
    """A concern, new or corrected. ``version`` is used when correcting one."""

    source = forms.ChoiceField(
        label=_("Who raised it"),
        choices=[("", "—"), *Concern.Source.choices],
        error_messages={"required": _("Choose who raised it.")},
    )
    category = forms.ChoiceField(
        label=_("What was the effect on work?"),
        choices=Concern.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the effect on work.")},
        help_text=_("Every concern is about work: choose what it changed at work."),
    )
    noticed_from = forms.DateField(
        label=_("First noticed"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Give the day it was first noticed.")},
    )
    noticed_to = forms.DateField(
        label=_("Last noticed (optional)"), widget=DATE_WIDGET, required=False
    )
    what_happened = forms.CharField(
        label=_("What happened at work"),
        widget=TEXTAREA,
        max_length=intake.TEXT_MAX,
        strip=False,
        help_text=_(
            "Describe behaviour at work, as it would be seen by anyone: late three times "
            "this month, a missed shift. Never guess at anyone's drug use."
        ),
        error_messages={"required": _("Describe what happened at work.")},
    )
    evidence = forms.CharField(
        label=_("Evidence (optional)"),
        widget=TEXTAREA,
        max_length=intake.TEXT_MAX,
        required=False,
        strip=False,
        help_text=_("What the concern rests on: a rota, sign-in sheets, what a colleague saw."),
    )
    work_impact = forms.CharField(
        label=_("The effect on work"),
        widget=TEXTAREA,
        max_length=intake.TEXT_MAX,
        required=False,
        strip=False,
        help_text=_("What it changed for clients, colleagues or the work itself."),
    )
    signs = forms.MultipleChoiceField(
        label=_("Signs noticed (optional)"),
        choices=Concern.Sign.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Kept beside the effect on work, never instead of it. On their own these signs "
            "are not a problem: they can be normal for someone on OST at the right dose."
        ),
    )
    path = forms.ChoiceField(
        label=_("Path"),
        choices=[("", _("The usual path for this effect on work")), *Concern.Path.choices],
        required=False,
        help_text=_(
            "A review meeting for most concerns; the path of §4.4–§4.7 for theft or fraud, "
            "a client's complaint, boundaries with clients and supply. Choose problem drug "
            "use at work (App. 9) only where drug use is affecting work."
        ),
    )

    def fields_(self) -> intake.ConcernFields:
        data = self.cleaned_data
        return intake.ConcernFields(
            source=data.get("source") or "",
            category=data.get("category") or "",
            noticed_from=data.get("noticed_from"),
            noticed_to=data.get("noticed_to"),
            what_happened=data.get("what_happened") or "",
            evidence=data.get("evidence") or "",
            work_impact=data.get("work_impact") or "",
            signs=data.get("signs") or [],
            path=data.get("path") or None,
        )


class IntakeForm(ConcernForm):
    """A new concern, with the reason for recording it closed with no action (shown when
    only signs were noticed)."""

    outcome_reason = forms.CharField(
        label=_("Why no action is needed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=intake.REASON_MAX,
        required=False,
        strip=False,
    )


def concern_initial(concern: Concern) -> dict[str, object]:
    return {
        "source": concern.source,
        "category": concern.category,
        "noticed_from": concern.noticed_from,
        "noticed_to": concern.noticed_to,
        "what_happened": str(concern.what_happened or ""),
        "evidence": str(concern.evidence or ""),
        "work_impact": str(concern.work_impact or ""),
        "signs": list(concern.signs or []),
        "path": concern.path,
        "version": concern.version,
    }


class CloseForm(VersionForm):
    outcome = forms.ChoiceField(
        label=_("How it ends"),
        choices=[(code, Concern.Outcome(code).label) for code in intake.CLOSING_OUTCOMES],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it ends.")},
    )
    outcome_reason = forms.CharField(
        label=_("Why"),
        widget=TEXTAREA,
        max_length=intake.REASON_MAX,
        strip=False,
        help_text=_("The staff member reads this."),
        error_messages={"required": _("Say why, for the record and for the staff member.")},
    )
