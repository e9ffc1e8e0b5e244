"""The police liaison letter and the outreach worker ID card, as a printable page and as
a PDF, in the organisation's language (issue 5 item 7; §4.4).

Who prints: the letter, any working member; the ID card, the worker for themselves, and
their line manager, a director or the org admin for any worker (``access``).
"""

from __future__ import annotations

from typing import cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from peerwork.core.models import Membership
from peerwork.core.views import MemberRequest, member_page

from . import access, documents


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_safe
@member_page
def letter(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not access.sees_shifts(member):
        raise Http404
    with documents.in_org_language(member.organisation):
        return render(
            request,
            "outreach/documents/letter.html",
            {"letter": documents.letter_for(member), "member": member},
        )


@require_safe
@member_page
def letter_pdf(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not access.sees_shifts(member):
        raise Http404
    with documents.in_org_language(member.organisation):
        content = documents.letter_pdf(documents.letter_for(member))
    return _pdf(content, "outreach-letter.pdf")


@require_safe
@member_page
def card(request: HttpRequest, member_id: str) -> HttpResponse:
    member = _member(request)
    person = access.card_holder_for_member(member, member_id)
    with documents.in_org_language(person.organisation):
        return render(
            request,
            "outreach/documents/card.html",
            {"card": documents.card_for(person), "person": person, "member": member},
        )


@require_safe
@member_page
def card_pdf(request: HttpRequest, member_id: str) -> HttpResponse:
    member = _member(request)
    person = access.card_holder_for_member(member, member_id)
    with documents.in_org_language(person.organisation):
        content = documents.card_pdf(documents.card_for(person))
    return _pdf(content, "outreach-id-card.pdf")
