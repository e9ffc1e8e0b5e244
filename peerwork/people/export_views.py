"""Pages of one's own data: the export (JSON and a readable document) and erasure.

Issue 4 items 7 and 8. Nothing here takes an id: every page is the signed-in person's own,
in the organisation they are acting in, so nobody can ask for someone else's. Each view's
first line is the gate ``own_records_for_member`` (an active membership, the person
themself). Downloads are never kept by a browser or a proxy (``Cache-Control: no-store``).
"""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.core.views import MemberRequest, member_page

from . import export, personal_data, retention
from .models import Erasure
from .personal_data import OnErasure

# What the person types to confirm an erasure: a word in their own language, so nobody
# erases by a stray click, and a screen reader reads the instruction plainly.
CONFIRM_WORD = gettext_lazy("ERASE")
ENGLISH_CONFIRM_WORD = "ERASE"


class EraseForm(forms.Form):
    confirm = forms.CharField(
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = _("Type %(word)s to confirm") % {"word": CONFIRM_WORD}

    def clean_confirm(self) -> str:
        typed = (self.cleaned_data.get("confirm") or "").strip().casefold()
        accepted = {str(CONFIRM_WORD).casefold(), ENGLISH_CONFIRM_WORD.casefold()}
        if typed not in accepted:
            raise forms.ValidationError(
                _("Type %(word)s to erase, or leave this page to keep everything.")
                % {"word": CONFIRM_WORD}
            )
        return typed


def _download(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    # The middleware forbids caching every page; a download says so itself as well, in the
    # API's words, so no browser, proxy or shared computer keeps a copy.
    response["Cache-Control"] = "no-store, private"
    return response


def _sections_by_rule() -> dict[str, list[personal_data.PersonalData]]:
    grouped: dict[str, list[personal_data.PersonalData]] = {rule.value: [] for rule in OnErasure}
    for entry in personal_data.entries():
        grouped[entry.on_erasure.value].append(entry)
    return grouped


@require_safe
@member_page
def export_page(request: HttpRequest) -> HttpResponse:
    """What the export holds, and the two downloads."""
    member = export.own_records_for_member(cast(MemberRequest, request).member)
    return render(
        request,
        "people/export.html",
        {"entries": personal_data.entries(), "member": member},
    )


@require_safe
@member_page
def export_json(request: HttpRequest) -> HttpResponse:
    member = export.own_records_for_member(cast(MemberRequest, request).member)
    data = export.download(member, "json")
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _download(response, export.filename(member, "json"))


@require_safe
@member_page
def export_html(request: HttpRequest) -> HttpResponse:
    member = export.own_records_for_member(cast(MemberRequest, request).member)
    data = export.download(member, "html")
    body = render_to_string(
        "people/export_document.html", {"export": export.as_document(data)}, request=request
    )
    # Sent as bytes to save, not as a page: the document is made to be opened from the
    # person's own disk (its small style is inline, which Peerwork's pages never allow),
    # and as plain bytes it is never shown in Peerwork's own origin, even by a browser that
    # ignores "attachment". Browsers and phones open the saved file by its .html name.
    response = HttpResponse(body.encode("utf-8"), content_type="application/octet-stream")
    return _download(response, export.filename(member, "html"))


def _erase_page(request: HttpRequest, member: Membership, form: EraseForm) -> HttpResponse:
    policy = retention.policy_for(member.organisation_id)
    last = Erasure.objects.filter(membership=member).order_by("-erased_at").first()
    return render(
        request,
        "people/erase.html",
        {
            "form": form,
            "groups": _sections_by_rule(),
            "policy": policy,
            "word": CONFIRM_WORD,
            "last_erasure": last,
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def erase(request: HttpRequest) -> HttpResponse:
    """GET: what is erased now and what is kept. POST: erase, once the word is typed."""
    member = export.own_records_for_member(cast(MemberRequest, request).member, Action.DELETE)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        retention.erase_now(actor=member)
        messages.success(
            request,
            _("Your private records here are erased: nobody can read them any more."),
        )
        return redirect("people:erase")
    return _erase_page(request, member, form)
