"""Forms of the core pages: teams, invitations, joining, API tokens.

Forms parse and validate what a person typed; the domain operations themselves live in
``services.py`` (invitations, joining) or on the models. Every form is built inside the
request's organisation scope and narrows its choices to the acting member's organisation
explicitly as well, so a forged id from another organisation is an ordinary "not a valid
choice" error.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Role, Site, Team, User


class TeamForm(forms.Form):
    """Parses the team page's form; ``peerwork.core.teams`` applies the rules and saves."""

    name = forms.CharField(label=_("Name"), max_length=200)
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("No particular site"),
        help_text=_("Where the team usually works from."),
    )
    # The version the editor read (Team.version, raised on every change, as the API's
    # If-Match uses it): a save over someone else's newer change is refused, not silent.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self, *args: Any, organisation_id: uuid.UUID, team: Team | None = None, **kwargs: Any
    ) -> None:
        if team is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": team.name, "site": team.site_id, "version": team.version}
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id
        self.team = team
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)  # noqa: S101 (narrows the type)
        site_field.queryset = Site.objects.filter(organisation_id=organisation_id)

    def refresh_version(self) -> None:
        """After a refused save: keep what was typed, and let the next save go over the
        current version (the page shows what the other person saved)."""
        assert self.team is not None  # noqa: S101
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
        data["version"] = str(self.team.version)
        self.data = data


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("The invitation link goes to this address. It works once, for 7 days."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("No team yet"),
    )

    def __init__(self, *args: Any, organisation_id: uuid.UUID, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)  # noqa: S101 (narrows the type)
        team_field.queryset = Team.objects.filter(organisation_id=organisation_id)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        already = Invitation.objects.filter(
            organisation_id=self.organisation_id,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        if already.exists():
            raise ValidationError(
                _(
                    "An open invitation to this address exists: withdraw it first to send a new one."
                ),
                code="open",
            )
        return email


class JoinForm(forms.Form):
    """Make an account from an invitation (the invitation's email becomes its email)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("You sign in with this. Letters, digits and @ . + - _ only."),
        validators=[User.username_validator],
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        label=_("Name shown to others"),
        max_length=150,
        help_text=_("The name colleagues see: a first name or a nickname is fine."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; a few unrelated words are easy to remember."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken: choose another."), code="taken")
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            candidate = User(
                username=cleaned.get("username", ""),
                email=self.email,
                display_name=cleaned.get("display_name", ""),
            )
            try:
                password_validation.validate_password(password1, user=candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


TOKEN_LIFETIMES = (
    (30, _("30 days")),
    (90, _("90 days")),
    (365, _("1 year")),
)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, so you can tell your tokens apart."),
    )
    lifetime = forms.TypedChoiceField(
        label=_("Expires after"),
        choices=TOKEN_LIFETIMES,
        coerce=int,
        initial=90,
    )
