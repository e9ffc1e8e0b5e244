"""The pages of requests for advice before acting (§4.6): the list of mine and those asked
of me, asking, one request with its answer, answering and withdrawing.

Thin views: the first line is the request's gate (``access.advice_for_member``: the asker
and the person asked, 404 for anyone else) or, for a new one, the module's; the flows are
in ``advice``. Nothing here touches concerns: a request for advice is not one.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors

from . import access, advice, wording
from .models import AdviceRequest
from .other_paths import FIVE_QUESTIONS
from .path_forms import AdviceForm, AnswerForm


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _stale() -> str:
    return _(
        "This request was changed meanwhile (it may have been withdrawn or answered), so "
        "your change was not saved. Here it is as it is now."
    )


def _uses(member: Membership) -> Membership:
    if not access.uses_concerns(member):
        raise Http404
    return member


@require_safe
@member_page
def advice_list(request: HttpRequest) -> HttpResponse:
    """The requests I made and those made of me (a coach may be asked, so this is every
    member's page; asking is for working members)."""
    member = _member(request)
    rows = list(advice.requests_for(member))
    context = {
        "mine": [a for a in rows if a.person_id == member.pk],
        "of_me": [a for a in rows if a.asked_id == member.pk],
        "may_ask": access.uses_concerns(member) and advice.advisers_for(member).exists(),
    }
    return render(request, "concerns/advice_list.html", context)


@require_http_methods(["GET", "POST"])
@member_page
def advice_new(request: HttpRequest) -> HttpResponse:
    """Ask someone for advice before acting."""
    member = _uses(_member(request))
    form = AdviceForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            made = advice.ask_for_advice(
                actor=member,
                asked=form.cleaned_data["asked"],
                question=form.cleaned_data["question"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("Your request is sent. Only you and %(name)s can read it.")
                % {"name": made.asked.name},
            )
            wording.add_hint_messages(request, wording.hints_for_fields(form))
            return redirect("concerns:advice", advice_id=made.pk)
    context = {
        "form": form,
        "hints": wording.hints_for_fields(form) if form.is_bound else {},
        "five": [question.label for question in FIVE_QUESTIONS],
    }
    return render(request, "concerns/advice_new.html", context)


def _page(
    request: HttpRequest,
    item: AdviceRequest,
    *,
    form: AnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    member = _member(request)
    answering = advice.may_answer(member, item)
    if answering and form is None:
        form = AnswerForm(initial={"version": item.version})
    context: dict[str, Any] = {
        "item": item,
        "question": advice.read_question(actor=member, advice=item),
        "is_asker": member.pk == item.person_id,
        "relation": advice.relation_of(item.asked, item.person),
        "five": advice.five_answered(item),
        "answered": item.answered_at is not None,
        "form": form if answering else None,
        "hints": wording.hints_for_fields(form) if form is not None and form.is_bound else {},
        "may_withdraw": advice.may_withdraw(member, item),
    }
    return render(request, "concerns/advice.html", context, status=status)


@require_safe
@member_page
def advice_page(request: HttpRequest, advice_id: str) -> HttpResponse:
    item = access.advice_for_member(_member(request), advice_id)
    return _page(request, item)


@require_POST
@member_page
def advice_answer(request: HttpRequest, advice_id: str) -> HttpResponse:
    """The person asked answers; a refused or stale answer shows the form again as typed."""
    item = access.advice_for_member(_member(request), advice_id)
    member = _member(request)
    if member.pk != item.asked_id:
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            advice.answer_advice(
                actor=member,
                advice=item,
                answers=form.answers(),
                reply=form.cleaned_data["reply"],
                outcome=form.cleaned_data["outcome"],
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            item.refresh_from_db()
            form.keep_typing_over(item.version)
            form.add_error(None, _stale())
        else:
            messages.success(request, _("Your answer is sent."))
            wording.add_hint_messages(request, wording.hints_for_fields(form))
            return redirect("concerns:advice", advice_id=item.pk)
    if not advice.may_answer(member, item):
        # Withdrawn or answered meanwhile: nothing waits for this answer any more. Say so
        # on the page as it is now.
        messages.error(
            request,
            _("This request is no longer waiting for an answer: %(state)s.")
            % {"state": item.get_outcome_display()},
        )
        return redirect("concerns:advice", advice_id=item.pk)
    return _page(request, item, form=form)


@require_POST
@member_page
def advice_withdraw(request: HttpRequest, advice_id: str) -> HttpResponse:
    item = access.advice_for_member(_member(request), advice_id)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        advice.withdraw_advice(actor=_member(request), advice=item, version=version)
    except StaleVersion:
        messages.error(request, _stale())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("concerns:advice", advice_id=item.pk)
