"""The support agreement pages (issue 7 item 6; §3.11, §3.13, App. 4): HR drafts and
redrafts the terms, the three agree, the staff member acknowledges the reporting duty on
its own, writes how they like to keep in touch, and consents (or not) to a confirmation
for their line manager; anyone who reads the agreement can download it as a PDF.

Thin views: the first line is the agreement's gate (``access.agreement_for_member``) or,
for a new draft, the pair's; the flows are in ``agreements``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors

from . import access, agreements, mentoring
from .agreement_pdf import agreement_pdf
from .mentoring_forms import AgreementForm, ContactForm, agreement_initial
from .models import SupportAgreement


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _stale() -> str:
    return _(
        "This agreement was changed by someone else meanwhile, so your change was not saved. "
        "Here it is as it is now."
    )


def _agreement_page(
    request: HttpRequest,
    agreement: SupportAgreement,
    *,
    contact_form: ContactForm | None = None,
    status: int = 200,
) -> HttpResponse:
    member = _member(request)
    is_person = member.pk == agreement.person_id
    party = agreements.party_of(member, agreement)
    contact = agreements.read_contact(actor=member, agreement=agreement)
    if is_person and contact_form is None:
        contact_form = ContactForm(initial={"contact": contact or "", "version": agreement.version})
    context: dict[str, Any] = {
        "agreement": agreement,
        "pair": agreement.relationship,
        "text": agreements.terms_of(agreement),
        "party": party,
        "is_person": is_person,
        "waiting": agreements.waiting_for(member, agreement),
        "contact": contact,
        "contact_form": contact_form if is_person else None,
        "sees_contact": is_person or party == agreements.SUPPORTER,
        "sees_consent": agreements.sees_consent(member, agreement),
        "sees_pair": access.in_pair(member, agreement.relationship) or access.makes_pairs(member),
        "may_redraft": access.makes_pairs(member) and agreement.relationship.is_current(),
    }
    return render(request, "support/agreements/agreement.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_page
def agreement_new(request: HttpRequest) -> HttpResponse:
    """HR drafts the agreement of a pair (``?pair=``), one per pair."""
    pair = access.relationship_for_member(_member(request), request.GET.get("pair"), Action.CHANGE)
    member = _member(request)
    existing = mentoring.agreement_of(pair)
    if existing is not None:
        return redirect("support:agreement", agreement_id=existing.pk)
    if request.method != "POST":
        form = AgreementForm(pair=pair, initial=agreements.default_terms(pair))
    else:
        form = AgreementForm(request.POST, pair=pair)
        if form.is_valid():
            try:
                agreement = agreements.draft_agreement(actor=member, pair=pair, terms=form.terms())
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(
                    request, _("The agreement is drafted. The people in it are asked to agree.")
                )
                return redirect("support:agreement", agreement_id=agreement.pk)
    context = {"form": form, "pair": pair, "agreement": None, "stale": False}
    return render(request, "support/agreements/agreement_form.html", context)


@require_safe
@member_page
def agreement_page(request: HttpRequest, agreement_id: str) -> HttpResponse:
    agreement = access.agreement_for_member(_member(request), agreement_id)
    return _agreement_page(request, agreement)


@require_http_methods(["GET", "POST"])
@member_page
def agreement_edit(request: HttpRequest, agreement_id: str) -> HttpResponse:
    """HR redrafts the terms: the three agree again (see ``agreements.change_terms``)."""
    agreement = access.agreement_for_member(_member(request), agreement_id, Action.CHANGE)
    member = _member(request)
    if not access.makes_pairs(member):
        raise PermissionDenied
    pair = agreement.relationship
    stale = False
    if request.method != "POST":
        form = AgreementForm(pair=pair, initial=agreement_initial(agreement))
    else:
        form = AgreementForm(request.POST, pair=pair)
        if form.is_valid():
            try:
                agreements.change_terms(
                    actor=member,
                    agreement=agreement,
                    terms=form.terms(),
                    version=form.cleaned_data.get("version") or 0,
                )
            except ValidationError as error:
                put_errors(form, error)
            except StaleVersion:
                agreement.refresh_from_db()
                form.keep_typing_over(agreement.version)
                stale = True
            else:
                messages.success(
                    request, _("The terms are saved. The people in it are asked to agree again.")
                )
                return redirect("support:agreement", agreement_id=agreement.pk)
    context = {"form": form, "pair": pair, "agreement": agreement, "stale": stale}
    return render(request, "support/agreements/agreement_form.html", context)


@require_POST
@member_page
def agreement_contact(request: HttpRequest, agreement_id: str) -> HttpResponse:
    """The staff member writes how they like to keep in touch."""
    agreement = access.agreement_for_member(_member(request), agreement_id, Action.CHANGE)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            agreements.set_contact(
                actor=_member(request),
                agreement=agreement,
                contact=form.cleaned_data.get("contact") or "",
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            agreement.refresh_from_db()
            form.keep_typing_over(agreement.version)
            form.add_error(None, _stale())
        else:
            messages.success(request, _("Saved. Only you and your mentor or coach read it."))
            return redirect("support:agreement", agreement_id=agreement.pk)
    if agreements.party_of(_member(request), agreement) != agreements.PERSON:
        raise PermissionDenied
    return _agreement_page(request, agreement, contact_form=form)


def _act(
    request: HttpRequest,
    agreement_id: str,
    flow: Callable[..., object],
    done: str,
) -> HttpResponse:
    agreement = access.agreement_for_member(_member(request), agreement_id, Action.CHANGE)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        flow(actor=_member(request), agreement=agreement, version=version)
    except StaleVersion:
        messages.error(request, _stale())
    else:
        messages.success(request, done)
    return redirect("support:agreement", agreement_id=agreement.pk)


@require_POST
@member_page
def agreement_agree(request: HttpRequest, agreement_id: str) -> HttpResponse:
    return _act(request, agreement_id, agreements.agree, _("You agreed to these terms."))


@require_POST
@member_page
def agreement_duty(request: HttpRequest, agreement_id: str) -> HttpResponse:
    return _act(
        request,
        agreement_id,
        agreements.acknowledge_duty,
        _("You acknowledged the reporting duty. Sessions can now be logged."),
    )


@require_POST
@member_page
def agreement_consent(request: HttpRequest, agreement_id: str) -> HttpResponse:
    return _act(
        request,
        agreement_id,
        agreements.consent_to_confirmation,
        _(
            "Your mentor or coach may now tell your line manager whether support is taking "
            "place: yes or no, nothing more."
        ),
    )


@require_POST
@member_page
def agreement_withdraw(request: HttpRequest, agreement_id: str) -> HttpResponse:
    return _act(
        request,
        agreement_id,
        agreements.withdraw_consent,
        _("Consent withdrawn. Your line manager no longer sees any answer."),
    )


@require_safe
@member_page
def agreement_pdf_view(request: HttpRequest, agreement_id: str) -> HttpResponse:
    """The agreement as a PDF, in the organisation's first language, for its readers."""
    agreement = access.agreement_for_member(_member(request), agreement_id)
    response = HttpResponse(agreement_pdf(agreement), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="support-agreement.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
