"""Forms of "My information" and "Shared with me": the profile, a new share, and a share's
renewal (the disclosure questions' form is ``forms.DisclosureForm``, shared with HR's page).

Forms parse what a person typed; the rules (a share needs a purpose, an expiry after today
…) live in ``services``, so the page and the API cannot drift apart. A service's field
errors are put back beside the form's fields (``forms.put_errors``), and the person's input
stays in the bound form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership, active_members

from .forms import DATE_WIDGET, MemberChoiceField, VersionForm
from .models import Category, SharingGrant

# The most colleagues the share form lists at once; a name search finds the others.
COLLEAGUES_SHOWN = 100

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


# --- shares ----------------------------------------------------------------------------


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
    grantee = MemberChoiceField(
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
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Enter a date, for example 2026-09-30.")},
    )

    def __init__(
        self,
        *args: Any,
        member: Membership,
        default_end: dt.date,
        search: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        grantee = self.fields["grantee"]
        assert isinstance(grantee, MemberChoiceField)  # noqa: S101 (narrows the type)
        # Any working colleague may be chosen (the list a POST came from may have been a
        # search); the list shown holds at most COLLEAGUES_SHOWN of them.
        colleagues = (
            Membership.objects.filter(active_members(), organisation_id=member.organisation_id)
            .exclude(pk=member.pk)
            .select_related("user")
            .order_by("user__display_name", "user__username")
        )
        grantee.queryset = colleagues
        self._list_colleagues(grantee, colleagues, search)
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

    def _list_colleagues(
        self, grantee: MemberChoiceField, colleagues: QuerySet[Membership], search: str
    ) -> None:
        """The colleagues the list shows: those whose name holds ``search``, or everyone,
        at most COLLEAGUES_SHOWN (at a few hundred members the whole list would not fit a
        page on a phone), with a hint to search when there are more."""
        shown = colleagues
        if search:
            shown = shown.filter(
                Q(user__display_name__icontains=search) | Q(user__username__icontains=search)
            )
        listed = list(shown[: COLLEAGUES_SHOWN + 1])
        self.more_colleagues = len(listed) > COLLEAGUES_SHOWN
        listed = listed[:COLLEAGUES_SHOWN]
        # The colleague already chosen stays chosen, even when the list no longer holds them.
        chosen = self.data.get(self.add_prefix("grantee")) if self.is_bound else None
        if chosen and all(str(m.pk) != chosen for m in listed):
            try:
                found = grantee.to_python(chosen)
            except ValidationError:
                found = None
            if found is not None:
                listed.append(found)
        grantee.widget.choices = [
            ("", grantee.empty_label),
            *((str(m.pk), m.name) for m in listed),
        ]
        if self.more_colleagues:
            grantee.help_text = _(
                "Only the first %(count)d colleagues by name are listed: find the one you "
                "mean by part of their name above."
            ) % {"count": COLLEAGUES_SHOWN}
        elif search and not listed:
            grantee.help_text = _(
                "No colleague has “%(search)s” in their name. Try part of the name, or clear "
                "the search."
            ) % {"search": search}

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
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Enter a date, for example 2026-09-30.")},
    )
