"""The training library's pages (issue 8 item 7; guide §3.15, App. 10): the list of the
nine case studies with how to use them in team training or sensitisation, and one case.

Every working member reads them (``access.uses_concerns``; the ``library`` column of the
[record: concerns] rows of the access matrix); anyone else gets 404. Nothing changes here:
the pages answer GET and HEAD only. A case's links into Peerwork are the ones the reader's
pages answer (``library.links_for``).
"""

from __future__ import annotations

from typing import cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from peerwork.core.models import Membership
from peerwork.core.views import MemberRequest, member_page

from . import access, library


def _reader(request: HttpRequest) -> Membership:
    member = cast(MemberRequest, request).member
    if not access.uses_concerns(member):
        raise Http404
    return member


@require_safe
@member_page
def library_page(request: HttpRequest) -> HttpResponse:
    """The nine cases, with how to use them (§3.15)."""
    _reader(request)
    return render(request, "concerns/library.html", {"cases": library.CASES})


@require_safe
@member_page
def case_page(request: HttpRequest, number: int) -> HttpResponse:
    """One case: its story, questions, the guide's sections, links and the facilitator's
    note. ``number`` comes from the route itself (one literal route per case), never from
    the path, so there is no id to guess."""
    member = _reader(request)
    case = library.case_numbered(number)
    before, after = library.neighbours(case)
    return render(
        request,
        "concerns/library_case.html",
        {
            "case": case,
            "links": library.links_for(member, case),
            "before": before,
            "after": after,
        },
    )
