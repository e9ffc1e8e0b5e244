"""The legal-contacts directory (issue 5 item 7; §4.4 "establish links with lawyers or
legal services that can be called on if staff face legal problems").

Every working member reads it: when a colleague is arrested, the phone number matters more
than who is allowed to know it. The org admin, directors and line managers keep it
(``access.may_edit_legal_contacts``): they are the ones who arrange a lawyer. Edits are
versioned, so two editors never silently overwrite each other.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership, Site
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors

from . import access, incidents
from .incident_forms import LegalContactForm


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


@require_safe
@member_page
def contact_list(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not access.sees_legal_contacts(member):
        raise Http404
    sites = list(Site.objects.filter(organisation_id=member.organisation_id).order_by("name"))
    chosen = next((s for s in sites if str(s.pk) == request.GET.get("site")), None)
    rows = incidents.legal_contacts_for_site(member.organisation_id, chosen.pk if chosen else None)
    return render(
        request,
        "outreach/legal/list.html",
        {
            "rows": rows,
            "sites": sites,
            "chosen": chosen,
            "may_edit": access.may_edit_legal_contacts(member),
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def contact_new(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not access.sees_legal_contacts(member):
        raise Http404
    if not access.may_edit_legal_contacts(member):
        raise PermissionDenied
    form = LegalContactForm(request.POST or None, organisation_id=member.organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            incidents.add_legal_contact(actor=member, changes=form.changes())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Added to the legal contacts."))
            return redirect("outreach:legal_contacts")
    return render(request, "outreach/legal/form.html", {"form": form, "contact": None})


@require_http_methods(["GET", "POST"])
@member_page
def contact_edit(request: HttpRequest, contact_id: str) -> HttpResponse:
    member = _member(request)
    contact = access.legal_contact_for_member(member, contact_id, Action.CHANGE)
    form = LegalContactForm(
        request.POST or None, organisation_id=member.organisation_id, contact=contact
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            incidents.change_legal_contact(
                actor=member,
                contact=contact,
                version=form.cleaned_data["version"] or 0,
                changes=form.changes(),
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            stale = True
            contact.refresh_from_db()
            form.keep_typing_over(contact.version)
        else:
            messages.success(request, _("Saved."))
            return redirect("outreach:legal_contacts")
    return render(
        request, "outreach/legal/form.html", {"form": form, "contact": contact, "stale": stale}
    )


@require_POST
@member_page
def contact_remove(request: HttpRequest, contact_id: str) -> HttpResponse:
    member = _member(request)
    contact = access.legal_contact_for_member(member, contact_id, Action.DELETE)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            incidents.remove_legal_contact(
                actor=member, contact=contact, version=form.cleaned_data["version"] or 0
            )
        except StaleVersion:
            messages.error(
                request, _("Someone changed this entry in the meantime: look at it again first.")
            )
            return redirect("outreach:legal_contact_edit", contact.pk)
        messages.success(request, _("Removed from the legal contacts."))
    return redirect("outreach:legal_contacts")
