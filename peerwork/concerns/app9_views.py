"""The pages of a concern's path, its targets and its hand-off (issue 8 items 3 and 4; App. 9,
§4.2, §4.3, §4.4, §4.7).

- **A stage** (every path's, one page): ``?stage=q1`` chooses it; its prompt, questions and
  what was found; the line manager or HR record it (``paths.record_step``); the staff
  member reads it. The page shows the peer mentor's yes or no that support is taking
  place when the staff member consents (§4.2; nothing otherwise).
- **Targets** (App. 9 q7): set and changed by the line manager or HR; the staff member
  writes their self-reflection on the same page; reviewed in a review meeting held on or
  after the review date.
- **The hand-off** to the organisation's disciplinary procedure: asked for by the line
  manager or HR, countersigned by HR for gross misconduct, withdrawn while it waits; its
  summary as a PDF for everyone who reads the hand-off.

Thin views: the record's gate first (``peerwork.concerns.access``), then a service in
``app9`` or ``paths``, then a render. A refused or stale save shows the form again with
everything typed.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors

from . import access, app9, paths, wording
from .app9_forms import (
    HandoffForm,
    ReflectionForm,
    StageForm,
    TargetForm,
    TargetReviewForm,
    stage_initial,
    target_initial,
)
from .handoff_pdf import handoff_pdf
from .models import Concern, Handoff, Target


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _case(concern: Concern, anchor: str = "path") -> str:
    return reverse("concerns:concern", args=[concern.pk]) + f"#{anchor}"


def _stale() -> str:
    return _(
        "Someone else saved a change here meanwhile, so yours was not saved. What you typed "
        "is still in the form: check it against what is stored now and save again."
    )


# --- a stage of the path -----------------------------------------------------------------


def _stage_of(request: HttpRequest, spec: paths.PathSpec, concern: Concern) -> paths.Stage:
    """The stage named by ``?stage=``; without one, the first not yet recorded."""
    key = request.GET.get("stage") or request.POST.get("stage")
    if key:
        stage = spec.stage(key)
        if stage is None:
            raise Http404
        return stage
    recorded = paths.steps_of(concern)
    return next((s for s in spec.stages if s.key not in recorded), spec.stages[0])


def _stage_page(
    request: HttpRequest,
    concern: Concern,
    *,
    form: StageForm | None = None,
    stale: bool = False,
    status: int = 200,
) -> HttpResponse:
    member = _member(request)
    view = app9.path_view(concern, member)
    if view is None:
        raise Http404
    context: dict[str, Any] = {
        "concern": concern,
        "view": view,
        "stale": stale,
        "gentle": app9.GENTLE_LINE,
        "hints": wording.hints_for_fields(form) if form is not None and form.is_bound else {},
    }
    spec = view.spec
    if spec is not None:
        stage = form.stage if form is not None else _stage_of(request, spec, concern)
        row = next(r for r in view.rows if r.stage.key == stage.key)
        missing = [
            s for s in spec.before(stage.key) if not any(r.step for r in view.rows if r.stage == s)
        ]
        if form is None and row.may_record:
            form = StageForm(stage=stage, concern=concern, initial=stage_initial(row.step))
        context.update(
            {
                "spec": spec,
                "stage": stage,
                "row": row,
                "missing": missing if spec.in_order else [],
                "form": form if row.may_record or form is not None else None,
            }
        )
    return render(request, "concerns/app9_stage.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_page
def stage_page(request: HttpRequest, concern_id: str) -> HttpResponse:
    """One stage of a concern's path (``?stage=``): read by whoever reads the case, recorded
    or corrected by the line manager or HR."""
    if request.method != "POST":
        concern = access.concern_for_member(_member(request), concern_id)
        return _stage_page(request, concern)
    concern = access.concern_for_member(_member(request), concern_id, Action.CHANGE)
    spec = paths.spec_for(concern)
    if spec is None:
        messages.info(request, _("This concern follows review meetings only: it has no stages."))
        return redirect(_case(concern))
    stage = _stage_of(request, spec, concern)
    form = StageForm(request.POST, stage=stage, concern=concern)
    stale = False
    if form.is_valid():
        try:
            paths.record_step(
                actor=_member(request),
                concern=concern,
                stage_key=stage.key,
                answers=form.answers(),
                notes=form.cleaned_data.get("notes") or "",
                meeting=form.cleaned_data.get("meeting"),
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            step = paths.steps_of(concern).get(stage.key)
            if step is not None:
                form.keep_typing_over(step.version)
            stale = True
        else:
            wording.add_hint_messages(request, wording.hints_for_fields(form))
            messages.success(
                request, _("Recorded: %(stage)s.") % {"stage": f"{stage.guide} {stage.title}"}
            )
            return redirect(_case(concern))
    return _stage_page(request, concern, form=form, stale=stale)


# --- targets -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def target_new(request: HttpRequest, concern_id: str) -> HttpResponse:
    """The line manager or HR set a target for work (App. 9 q7)."""
    concern = access.concern_for_member(_member(request), concern_id, Action.CHANGE)
    if request.method != "POST":
        form = TargetForm(concern=concern)
    else:
        form = TargetForm(request.POST, concern=concern)
        if form.is_valid():
            try:
                target = app9.set_target(
                    actor=_member(request), concern=concern, fields=form.fields_typed()
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                wording.add_hint_messages(request, wording.hints_for_fields(form))
                messages.success(request, _("The target is set. The staff member can read it."))
                return redirect("concerns:target", target_id=target.pk)
    context = {
        "concern": concern,
        "form": form,
        "target": None,
        "stale": False,
        "hints": wording.hints_for_fields(form) if form.is_bound else {},
    }
    return render(request, "concerns/target_form.html", context)


def _target_page(request: HttpRequest, target: Target, **extra: Any) -> HttpResponse:
    member = _member(request)
    is_person = member.pk == target.person_id
    open_ = target.concern.is_open()
    context: dict[str, Any] = {
        "target": target,
        "concern": target.concern,
        "is_person": is_person,
        "manages": access.manages_case(member, target.person) and open_,
        "reflection_form": None,
        **extra,
    }
    if is_person and open_ and context["reflection_form"] is None:
        context["reflection_form"] = ReflectionForm(
            initial={"self_reflection": target.self_reflection or "", "version": target.version}
        )
    return render(request, "concerns/target.html", context)


@require_safe
@member_page
def target_page(request: HttpRequest, target_id: str) -> HttpResponse:
    target = access.target_for_member(_member(request), target_id)
    return _target_page(request, target)


@require_http_methods(["GET", "POST"])
@member_page
def target_edit(request: HttpRequest, target_id: str) -> HttpResponse:
    """The line manager or HR change the target; the staff member writes their
    self-reflection (only that)."""
    member = _member(request)
    target = access.target_for_member(member, target_id, Action.CHANGE)
    if member.pk == target.person_id:
        return _reflection(request, target)
    concern = target.concern
    stale = False
    if request.method != "POST":
        form = TargetForm(concern=concern, initial=target_initial(target))
    else:
        form = TargetForm(request.POST, concern=concern)
        if form.is_valid():
            try:
                app9.change_target(
                    actor=member,
                    target=target,
                    fields=form.fields_typed(),
                    version=form.cleaned_data.get("version") or 0,
                )
            except ValidationError as error:
                put_errors(form, error)
            except StaleVersion:
                target.refresh_from_db()
                form.keep_typing_over(target.version)
                stale = True
            else:
                wording.add_hint_messages(request, wording.hints_for_fields(form))
                messages.success(request, _("The target is saved."))
                return redirect("concerns:target", target_id=target.pk)
    context = {
        "concern": concern,
        "form": form,
        "target": target,
        "stale": stale,
        "hints": wording.hints_for_fields(form) if form.is_bound else {},
    }
    return render(request, "concerns/target_form.html", context)


def _reflection(request: HttpRequest, target: Target) -> HttpResponse:
    if request.method != "POST":
        return redirect("concerns:target", target_id=target.pk)
    form = ReflectionForm(request.POST)
    stale = False
    if form.is_valid():
        try:
            app9.write_reflection(
                actor=_member(request),
                target=target,
                self_reflection=form.cleaned_data.get("self_reflection") or "",
                version=form.cleaned_data.get("version") or 0,
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            target.refresh_from_db()
            form.keep_typing_over(target.version)
            stale = True
        else:
            wording.add_hint_messages(request, wording.hints_for_fields(form))
            messages.success(request, _("Your self-reflection is saved."))
            return redirect("concerns:target", target_id=target.pk)
    return _target_page(
        request,
        target,
        reflection_form=form,
        stale=stale,
        hints=wording.hints_for_fields(form),
    )


@require_http_methods(["GET", "POST"])
@member_page
def target_review(request: HttpRequest, target_id: str) -> HttpResponse:
    """The line manager or HR record how the target went, in a review meeting held on or
    after its review date."""
    member = _member(request)
    target = access.target_for_member(member, target_id, Action.CHANGE)
    if not access.manages_case(member, target.person):
        raise PermissionDenied
    concern = target.concern
    stale = False
    if request.method != "POST":
        initial: dict[str, object] = {
            "version": target.version,
            "meeting": target.reviewed_in_id,
        }
        if target.outcome != Target.Outcome.OPEN:
            initial["outcome"] = target.outcome
        form = TargetReviewForm(concern=concern, initial=initial)
    else:
        form = TargetReviewForm(request.POST, concern=concern)
        if form.is_valid():
            try:
                app9.review_target(
                    actor=member,
                    target=target,
                    meeting=form.cleaned_data.get("meeting"),
                    outcome=form.cleaned_data.get("outcome") or "",
                    version=form.cleaned_data.get("version") or 0,
                )
            except ValidationError as error:
                put_errors(form, error)
            except StaleVersion:
                target.refresh_from_db()
                form.keep_typing_over(target.version)
                stale = True
            else:
                messages.success(request, _("The review of the target is recorded."))
                return redirect("concerns:target", target_id=target.pk)
    context = {"concern": concern, "form": form, "target": target, "stale": stale}
    return render(request, "concerns/target_review.html", context)


# --- the hand-off ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def handoff_new(request: HttpRequest, concern_id: str) -> HttpResponse:
    """The line manager or HR ask to hand the concern to the disciplinary procedure."""
    member = _member(request)
    concern = access.concern_for_member(member, concern_id, Action.CHANGE)
    existing = app9.handoff_of(concern)
    if existing is not None and existing.state != Handoff.State.WITHDRAWN:
        return redirect("concerns:handoff", handoff_id=existing.pk)
    if request.method != "POST":
        form = HandoffForm(concern=concern)
    else:
        form = HandoffForm(request.POST, concern=concern)
        if form.is_valid():
            try:
                handoff = app9.request_handoff(
                    actor=member,
                    concern=concern,
                    grounds=form.cleaned_data["grounds"],
                    review=form.cleaned_data.get("review"),
                    reason=form.cleaned_data.get("reason") or "",
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                wording.add_hint_messages(request, wording.hints_for_fields(form))
                if handoff.state == Handoff.State.HANDED_OFF:
                    done = _("The concern is handed to the organisation's procedure.")
                else:
                    done = _("Asked. It waits for a countersignature by someone in HR.")
                messages.success(request, done)
                return redirect("concerns:handoff", handoff_id=handoff.pk)
    context = {
        "concern": concern,
        "form": form,
        "view": app9.path_view(concern, member),
        "hints": wording.hints_for_fields(form) if form.is_bound else {},
    }
    return render(request, "concerns/handoff_form.html", context)


@require_safe
@member_page
def handoff_page(request: HttpRequest, handoff_id: str) -> HttpResponse:
    member = _member(request)
    handoff = access.handoff_for_member(member, handoff_id)
    context = {
        "handoff": handoff,
        "concern": handoff.concern,
        "may_countersign": app9.may_countersign(member, handoff),
        "may_withdraw": handoff.state == Handoff.State.WAITING
        and (member.pk == handoff.requested_by_id or access.is_hr(member)),
    }
    return render(request, "concerns/handoff.html", context)


def _handoff_act(request: HttpRequest, handoff_id: str, flow: Any, done: str) -> HttpResponse:
    member = _member(request)
    handoff = access.handoff_for_member(member, handoff_id, Action.CHANGE)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        flow(actor=member, handoff=handoff, version=version)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except StaleVersion:
        messages.error(request, _("The hand-off changed meanwhile. Here it is as it is now."))
    else:
        messages.success(request, done)
    return redirect("concerns:handoff", handoff_id=handoff.pk)


@require_POST
@member_page
def handoff_countersign(request: HttpRequest, handoff_id: str) -> HttpResponse:
    return _handoff_act(
        request,
        handoff_id,
        app9.countersign_handoff,
        _("Countersigned. The concern is handed to the organisation's procedure."),
    )


@require_POST
@member_page
def handoff_withdraw(request: HttpRequest, handoff_id: str) -> HttpResponse:
    return _handoff_act(
        request, handoff_id, app9.withdraw_handoff, _("The request for a hand-off is withdrawn.")
    )


@require_safe
@member_page
def handoff_pdf_view(request: HttpRequest, handoff_id: str) -> HttpResponse:
    """The summary for the organisation's procedure, in its first language, for everyone
    who reads the hand-off (the staff member too)."""
    handoff = access.handoff_for_member(_member(request), handoff_id)
    response = HttpResponse(handoff_pdf(handoff), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="handoff-summary.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
