"""Forms of "My information" and "Shared with me": the profile, one form per disclosure
category (made from ``disclosures.QUESTIONS``), a new share, and a share's renewal.

Forms parse what a person typed; the rules (a share needs a purpose, an expiry after today,
an answer needs something in it …) live in ``services`` and ``disclosures``, so the page,
the API and the export cannot drift apart. A service's field errors are put back beside the
form's fields (``put_errors``), and the person's input stays in the bound form.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership
from peerwork.core.views import active_members

from .disclosures import PREFER_NOT_TO_SAY, TEXT_MAX, CategoryQuestions
from .models import Category, SharingGrant


def put_errors(
    form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """A service's errors beside the form's fields (others above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        field = (aliases or {}).get(field, field)
        form.add_error(field if field in form.fields else None, field_errors)


class VersionForm(forms.Form):
    """The version of a record as the person read it (``StaleVersion`` when it moved on)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def keep_typing_over(self, version: int) -> None:
        """After a refused save: keep what was typed, and let the next save go over the
        version saved now (the page shows what it holds)."""
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
        data["version"] = str(version)
        self.data = data


# --- the profile -------------------------------------------------------------------------


class ProfileForm(VersionForm):
    display_name = forms.CharField(
        label=_("Name shown to others"),
        max_length=150,
        help_text=_("The name colleagues see: a first name or a nickname is fine."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    pronouns = forms.CharField(
        label=_("Pronouns"),
        max_length=40,
        required=False,
        help_text=_("For example: she/her, they/them. Leave empty if you prefer."),
    )
    languages = forms.CharField(
        label=_("Languages I speak"),
        max_length=200,
        required=False,
        help_text=_("For example: Swahili, English."),
    )
    emergency_contact = forms.CharField(
        label=_("Emergency contact"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A name and a phone number. Only you can see it."),
    )


# --- one category of disclosures --------------------------------------------------------


class DisclosureForm(forms.Form):
    """The questions of one category, each optional, with "I prefer not to say" as an
    answer of its own (issue 4). ``current`` is the id of the answer the page showed, so a
    save over an answer someone else entered in between (HR under a share, another tab)
    is refused rather than silent."""

    current = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, spec: CategoryQuestions, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        # Built per request, in the active language: the labels can be plain strings.
        for question in spec.questions:
            label = str(question.label)
            field: forms.Field
            if question.kind == "choice":
                field = forms.ChoiceField(
                    label=label,
                    choices=question.choices,
                    widget=forms.RadioSelect,
                    required=False,
                    error_messages={"invalid_choice": _("Choose one of the answers offered.")},
                )
            elif question.kind == "choices":
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=question.choices,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    error_messages={"invalid_choice": _("Choose from the answers offered.")},
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    max_length=TEXT_MAX,
                )
            field.help_text = str(question.help_text)
            self.fields[question.key] = field
        self.fields[PREFER_NOT_TO_SAY] = forms.BooleanField(
            label=_("I prefer not to say"),
            required=False,
            help_text=_("An answer of its own: it replaces anything else in this category."),
        )

    @staticmethod
    def initial_from(answer: dict[str, Any], current: object) -> dict[str, Any]:
        return {**answer, "current": str(current or "")}

    def answer(self) -> dict[str, Any]:
        """What was typed, as ``disclosures.clean_answer`` takes it."""
        raw: dict[str, Any] = {}
        for question in self.spec.questions:
            value = self.cleaned_data.get(question.key)
            if value not in (None, "", []):
                raw[question.key] = value
        if self.cleaned_data.get(PREFER_NOT_TO_SAY):
            raw[PREFER_NOT_TO_SAY] = True
        return raw

    def keep_typing_over(self, current: object) -> None:
        data = self.data.copy()  # type: ignore[attr-defined]
        data["current"] = str(current or "")
        self.data = data


# --- shares ----------------------------------------------------------------------------


class ColleagueChoiceField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.name

    def to_python(self, value: Any) -> Membership | None:
        # A malformed id gets the same message as an unknown one (not "not a valid UUID").
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class ShareForm(forms.Form):
    """A new share. Which fields matter depends on the audience; the service says what is
    missing, so one set of messages serves the page and the API."""

    categories = forms.MultipleChoiceField(
        label=_("What to share"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose from the list.")},
    )
    audience = forms.ChoiceField(
        label=_("Who to share with"),
        choices=SharingGrant.Audience.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who to share with."),
            "invalid_choice": _("Choose who to share with."),
        },
    )
    grantee = ColleagueChoiceField(
        label=_("The person"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("Choose a colleague"),
        help_text=_("Only when you share with a person you choose."),
        error_messages={"invalid_choice": _("Choose a colleague from the list.")},
    )
    purpose = forms.CharField(
        label=_("Why you are sharing it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The people you share with see this. For example: to plan my hours."),
    )
    expires_on = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, for example 2026-09-30.")},
    )

    def __init__(
        self,
        *args: Any,
        member: Membership,
        default_end: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        grantee = self.fields["grantee"]
        assert isinstance(grantee, ColleagueChoiceField)  # noqa: S101 (narrows the type)
        grantee.queryset = (
            Membership.objects.filter(active_members(), organisation_id=member.organisation_id)
            .exclude(pk=member.pk)
            .select_related("user")
            .order_by("user__display_name", "user__username")
        )
        audiences: list[tuple[str, str]] = []
        for value, choice in SharingGrant.Audience.choices:
            label = str(choice)
            if value == SharingGrant.Audience.LINE_MANAGER:
                manager = member.line_manager
                if manager is None or not manager.is_active:
                    continue
                label = _("My line manager (%(name)s)") % {"name": manager.name}
            if value == SharingGrant.Audience.TEAM:
                if member.team is None:
                    continue
                label = _("My team (%(team)s)") % {"team": member.team.name}
            audiences.append((value, label))
        audience = self.fields["audience"]
        assert isinstance(audience, forms.ChoiceField)  # noqa: S101
        audience.choices = audiences
        self.fields["expires_on"].help_text = _(
            "Leave it empty and a share with a person or your line manager ends on "
            "%(date)s (six months from today); a share with your team or everyone has no end "
            "date. You can stop or renew a share at any time."
        ) % {"date": date_format(default_end, "j F Y")}

    def share_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        audience = data["audience"]
        return {
            "audience": audience,
            "categories": data.get("categories") or [],
            "purpose": data.get("purpose") or "",
            "grantee": data.get("grantee") if audience == SharingGrant.Audience.PERSON else None,
            "expires_on": data.get("expires_on"),
        }


class RenewForm(VersionForm):
    expires_on = forms.DateField(
        label=_("New end date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, for example 2026-09-30.")},
    )


def same_id(a: object, b: object) -> bool:
    """Two ids (a UUID and what a form sent back) name the same row."""
    try:
        return uuid.UUID(str(a)) == uuid.UUID(str(b))
    except ValueError:
        return not a and not b
