"""The concerns home, intake and the case page (issue 8 items 1 and 6; §4.1, §4.2, App. 10
cases 1 and 3).

Thin views: the first line is the gate (``access.concern_for_member`` for a case,
``intake_gate`` for a new one, ``access.uses_concerns`` / ``access.sees_aggregates`` for
the lists); the flows are in ``intake``. A refused save shows the form again with what was
typed, and wording hints (``wording``) show beside a form shown again and, after a save,
as a message on the page the person lands on.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import put_errors

from . import access, intake, wording
from .intake_forms import CloseForm, ConcernForm, IntakeForm, PersonForm, concern_initial
from .models import Concern


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def intake_gate(member: Membership, person_id: str | None) -> Membership | None:
    """The gate of the intake page: line managers and HR only (404 for anyone else), and
    the person only if they may record a concern about them (404 otherwise)."""
    if not access.raises_concerns(member):
        raise Http404
    return intake.person_for_intake(member, person_id) if person_id else None


def _stale() -> str:
    return _(
        "This concern was changed by someone else meanwhile, so your change was not saved. "
        "What you typed is still here: save again to replace it."
    )


# --- home and aggregates ------------------------------------------------------------------


@require_safe
@member_page
def home(request: HttpRequest) -> HttpResponse:
    """One's own concerns and review meetings; a line manager's reports' cases; for HR the
    open cases; for the director, the way to the counts."""
    if not access.uses_concerns(_member(request)):
        raise Http404
    context = {"home": intake.home_of(_member(request))}
    return render(request, "concerns/home.html", context)


@require_safe
@member_page
def aggregates(request: HttpRequest) -> HttpResponse:
    """Counts of concerns for the director and HR: never a name, small counts hidden."""
    if not access.sees_aggregates(_member(request)):
        raise Http404
    member = _member(request)
    context = {
        "quarters": intake.aggregates(member.organisation),
        "minimum": intake.MINIMUM_GROUP_SIZE,
    }
    return render(request, "concerns/aggregates.html", context)


# --- intake -------------------------------------------------------------------------------


def _intake_page(
    request: HttpRequest,
    person: Membership,
    form: IntakeForm,
    *,
    signs_only: bool = False,
    pattern: intake.AgreedPattern | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "person": person,
        "concern": None,
        "signs_only": signs_only,
        "signs_only_message": intake.signs_only_message() if signs_only else "",
        "pattern": pattern,
        "hints": wording.hints_for_fields(form) if form.is_bound else {},
        "action": f"{reverse('concerns:concern_new')}?person={person.pk}",
    }
    if pattern is not None:
        context["schedule_person"] = reverse("schedule:person", args=[person.pk])
    return render(request, "concerns/concern_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_page
def concern_new(request: HttpRequest) -> HttpResponse:
    """Record a concern (``?person=``), or choose whom it is about first."""
    person = intake_gate(_member(request), request.GET.get("person"))
    member = _member(request)
    if person is None:
        chooser = PersonForm(member=member)
        return render(request, "concerns/concern_choose.html", {"form": chooser})
    if request.method != "POST":
        return _intake_page(request, person, IntakeForm(initial={"source": "manager"}))
    form = IntakeForm(request.POST)
    action = request.POST.get("action", "save")
    if not form.is_valid():
        return _intake_page(request, person, form, signs_only=action == "no_action")
    close_as = {
        "no_action": Concern.Outcome.NO_ACTION,
        "pattern_review": Concern.Outcome.PATTERN_REVIEW,
        "pattern_change": Concern.Outcome.PATTERN_REVIEW,
    }.get(action)
    try:
        concern = intake.record_concern(
            actor=member,
            person=person,
            fields=form.fields_(),
            record_anyway=action == "record_anyway",
            close_as=close_as,
            reason=form.cleaned_data.get("outcome_reason") or "",
        )
    except intake.SignsOnly:
        return _intake_page(request, person, form, signs_only=True)
    except intake.PatternFirst as first:
        return _intake_page(request, person, form, pattern=first.pattern)
    except ValidationError as error:
        put_errors(form, error)
        return _intake_page(request, person, form, signs_only=action == "no_action")
    wording.add_hint_messages(request, wording.hints_for_fields(form))
    if action in ("pattern_review", "pattern_change"):
        messages.success(
            request,
            _(
                "Recorded and closed as a review of the agreed working pattern instead. "
                "%(name)s can read it."
            )
            % {"name": person.name},
        )
        target = "schedule:adjustment_new" if action == "pattern_change" else "schedule:person"
        return redirect(target, person_id=person.pk)
    if action == "no_action":
        messages.success(
            request,
            _("Recorded as looked at, with no action needed. %(name)s can read it.")
            % {"name": person.name},
        )
    else:
        messages.success(
            request,
            _("The concern is recorded. %(name)s is told and can read it.") % {"name": person.name},
        )
    return redirect("concerns:concern", concern_id=concern.pk)


# --- the case -------------------------------------------------------------------------------


def case_context(member: Membership, concern: Concern) -> dict[str, Any]:
    """What the case page shows ``member`` of the concern itself; each area's include
    (its path, targets and hand-off; its review meetings; its investigation and support)
    decides what of its part ``member`` may see, as the access matrix says."""
    is_person = member.pk == concern.person_id
    manages = access.manages_case(member, concern.person)
    return {
        "concern": concern,
        "member": member,
        "is_person": is_person,
        "manages": manages,
        "may_delete": access.is_hr(member) and not is_person,
        "signs": [
            Concern.Sign(code).label for code in concern.signs if code in Concern.Sign.values
        ],
        "hints": intake.hints_of(concern) if manages and concern.is_open() else {},
    }


@require_safe
@member_page
def concern_page(request: HttpRequest, concern_id: str) -> HttpResponse:
    concern = access.concern_for_member(_member(request), concern_id)
    return render(request, "concerns/concern.html", case_context(_member(request), concern))


@require_http_methods(["GET", "POST"])
@member_page
def concern_edit(request: HttpRequest, concern_id: str) -> HttpResponse:
    """The line manager or HR corrects an open concern (the version read is checked)."""
    concern = access.concern_for_member(_member(request), concern_id, Action.CHANGE)
    member = _member(request)
    if not concern.is_open():
        messages.error(request, _("This concern is closed; it can no longer change."))
        return redirect("concerns:concern", concern_id=concern.pk)
    stale = signs_only = False
    if request.method != "POST":
        form = ConcernForm(initial=concern_initial(concern))
    else:
        form = ConcernForm(request.POST)
        if form.is_valid():
            try:
                intake.change_concern(
                    actor=member,
                    concern=concern,
                    fields=form.fields_(),
                    version=form.cleaned_data.get("version") or 0,
                )
            except intake.SignsOnly as error:
                put_errors(form, error)
                signs_only = True
            except ValidationError as error:
                put_errors(form, error)
            except StaleVersion:
                concern.refresh_from_db()
                form.keep_typing_over(concern.version)
                stale = True
            else:
                wording.add_hint_messages(request, wording.hints_for_fields(form))
                messages.success(request, _("The concern is saved."))
                return redirect("concerns:concern", concern_id=concern.pk)
    context = {
        "form": form,
        "person": concern.person,
        "concern": concern,
        "stale": stale,
        "signs_only": False,
        "signs_only_message": intake.signs_only_message() if signs_only else "",
        "pattern": None,
        "hints": wording.hints_for_fields(form) if form.is_bound else {},
        "action": reverse("concerns:concern_edit", args=[concern.pk]),
    }
    return render(request, "concerns/concern_form.html", context)


@require_http_methods(["GET", "POST"])
@member_page
def concern_close(request: HttpRequest, concern_id: str) -> HttpResponse:
    """The line manager or HR closes an open concern with an outcome and the reason."""
    concern = access.concern_for_member(_member(request), concern_id, Action.CHANGE)
    if not concern.is_open():
        messages.error(request, _("This concern is closed already."))
        return redirect("concerns:concern", concern_id=concern.pk)
    stale = False
    if request.method != "POST":
        form = CloseForm(initial={"version": concern.version})
    else:
        form = CloseForm(request.POST)
        if form.is_valid():
            try:
                intake.close_concern(
                    actor=_member(request),
                    concern=concern,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["outcome_reason"],
                    version=form.cleaned_data.get("version"),
                )
            except ValidationError as error:
                put_errors(form, error)
            except StaleVersion:
                concern.refresh_from_db()
                form.keep_typing_over(concern.version)
                stale = True
            else:
                wording.add_hint_messages(request, wording.hints_for_fields(form))
                messages.success(
                    request,
                    _("The concern is closed. %(name)s is told and can read why.")
                    % {"name": concern.person.name},
                )
                return redirect("concerns:concern", concern_id=concern.pk)
    context = {
        "form": form,
        "concern": concern,
        "stale": stale,
        "hints": wording.hints_for_fields(form) if form.is_bound else {},
    }
    return render(request, "concerns/concern_close.html", context)


@require_http_methods(["GET", "POST"])
@member_page
def concern_delete(request: HttpRequest, concern_id: str) -> HttpResponse:
    """HR removes a concern raised in error, after a confirmation page."""
    concern = access.concern_for_member(_member(request), concern_id, Action.DELETE)
    if request.method == "POST":
        try:
            intake.delete_concern(actor=_member(request), concern=concern)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect("concerns:concern", concern_id=concern.pk)
        messages.success(request, _("The concern and everything recorded under it are removed."))
        return redirect("concerns:home")
    return render(request, "concerns/concern_delete.html", {"concern": concern})
