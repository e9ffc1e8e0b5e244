"""The instance operator's admin, mounted at ``/operator/``.

The operator runs the server for several organisations and is not a member of any of them.
They create and configure organisations, invite each one's first org admin, and can read
the audit chains (opaque ids only). Nothing that shows people is here: no people,
memberships, sites, teams or invitations. That is structural: this is a separate
``AdminSite`` with only these registrations, so a model some other app registers on
Django's default ``admin.site`` (allauth's email addresses, task results, sign-in attempts)
never appears under ``/operator/``.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from allauth.account.decorators import secure_admin_login
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AuditEvent, Organisation


class OperatorSite(admin.AdminSite):
    site_header = _("Peerwork: instance operator")
    site_title = _("Peerwork operator")
    index_title = _("Organisations and audit")

    def has_permission(self, request: HttpRequest) -> bool:
        """Only the instance operator: a superuser, not merely staff."""
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Sign-in goes through allauth, so the operator gets its MFA and rate limits too
        # (DESIGN.md "Known pitfalls").
        return secure_admin_login(super().login)(request, extra_context)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        if not settings.PEERWORK_REQUIRE_MFA:
            # Every page says so (the demo only; peerwork.core.mfa). The header is on every
            # admin page, so the notice goes there.
            context["site_header"] = gettext(
                "%(header)s (two-step sign-in is switched off in this demo)"
            ) % {"header": context["site_header"]}
        return context


operator_site = OperatorSite(name="admin")


# --- organisations -------------------------------------------------------------------


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class OrganisationForm(forms.ModelForm):
    """Languages as a default plus others, since the first in the list is the default."""

    time_zone = forms.ChoiceField(label=_("time zone"), choices=time_zone_choices)
    default_language = forms.ChoiceField(label=_("default language"), choices=settings.LANGUAGES)
    other_languages = forms.MultipleChoiceField(
        label=_("other languages"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = ["name", "slug", "time_zone", "session_idle_minutes", "session_max_hours"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        languages = list(self.instance.languages or [])
        if languages:
            self.fields["default_language"].initial = languages[0]
            self.fields["other_languages"].initial = languages[1:]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        default = cleaned.get("default_language")
        if default:
            others = set(cleaned.get("other_languages") or ()) - {default}
            cleaned["languages"] = [default] + [
                code for code, _label in settings.LANGUAGES if code in others
            ]
        return cleaned

    def save(self, commit: bool = True) -> Organisation:
        self.instance.languages = self.cleaned_data["languages"]
        return super().save(commit=commit)


class InviteFirstAdminForm(forms.Form):
    email = forms.EmailField(label=_("email of the first organisation admin"))


class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    form = OrganisationForm
    list_display = ["name", "slug", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    fieldsets = [
        (None, {"fields": ["name", "slug"]}),
        (
            _("Place and languages"),
            {"fields": ["time_zone", "default_language", "other_languages"]},
        ),
        (_("Sessions"), {"fields": ["session_idle_minutes", "session_max_hours"]}),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
        # Removing an organisation is erasure (its keys; peerwork.core.keyring), not a click.
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<uuid:object_id>/invite-admin/",
                self.admin_site.admin_view(self.invite_admin_view),
                name="core_organisation_invite_admin",
            ),
            *super().get_urls(),
        ]

    def invite_admin_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        organisation = self.get_object(request, str(object_id))
        if organisation is None:
            raise Http404
        if not self.has_change_permission(request, organisation):
            raise Http404
        form = InviteFirstAdminForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.invite_first_admin(
                    organisation=organisation, email=form.cleaned_data["email"]
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field_errors in error.error_dict.values():
                        for message in field_errors:
                            form.add_error("email", message)
                else:
                    form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    gettext("Invitation sent. It is valid for seven days."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:core_organisation_change", args=[organisation.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Invite the first organisation admin"),
            "subtitle": str(organisation),
            "opts": self.opts,
            "original": organisation,
            "form": form,
        }
        return TemplateResponse(request, "admin/core/organisation/invite_admin.html", context)


# --- audit ---------------------------------------------------------------------------


class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: nobody, the operator included, may add, change or delete an event."""

    list_display = ["seq", "organisation", "at", "kind", "action", "object_type", "data_class"]
    list_filter = ["organisation", "kind", "data_class"]
    list_select_related = ["organisation"]
    search_fields = ["action", "object_type"]
    show_full_result_count = False
    actions = None
    fields = readonly_fields = (
        "organisation",
        "seq",
        "at",
        "kind",
        "actor_id",
        "action",
        "object_type",
        "object_id",
        "subject_id",
        "data_class",
        "detail",
        "key_id",
        "prev_mac",
        "mac",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        # The operator spans organisations and is in none of their scopes, so the scope is
        # lifted here on purpose. Audit events carry opaque ids only (no names or content),
        # which is what makes showing every organisation's chain to the operator acceptable.
        return AuditEvent.objects.with_scopes_disabled().select_related("organisation")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


operator_site.register(Organisation, OrganisationAdmin)
operator_site.register(AuditEvent, AuditEventAdmin)
