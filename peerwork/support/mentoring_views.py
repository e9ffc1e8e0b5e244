"""The support pages: support at work, pairs, requests for a mentor, session logs and the
consented confirmation (issue 7 items 5 and 6; §3.11, §3.13, §4.2, App. 4).

Thin views: the first line is a gate (``peerwork.support.access``), then a form, a flow in
``mentoring`` and a render. Who sees what follows the [record: support] section of the
access matrix: a pair is its two people's and HR's; its session log the two people's
alone (HR, the line manager and the director get 404); a line manager sees only the
latest yes or no of a report who consents, on the confirmations page.
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

from peerwork.core.access import Action, is_working_member
from peerwork.core.models import Membership, Role, SupportRelationship
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors

from . import access, agreements, mentoring
from .mentoring_forms import PairForm, RequestForm, RequestPairForm, SessionForm
from .models import MentoringRequest, SupportAgreement, SupportConfirmation, SupportSession


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _support_member(request: HttpRequest) -> Membership:
    member = _member(request)
    if not access.uses_support(member):
        raise Http404
    return member


def _hr(request: HttpRequest) -> Membership:
    member = _member(request)
    if not access.makes_pairs(member):
        raise Http404
    return member


def _agreements_by_pair(pairs: list[SupportRelationship]) -> dict[object, SupportAgreement]:
    if not pairs:
        return {}
    found = SupportAgreement.objects.filter(
        organisation_id=pairs[0].organisation_id, relationship__in=pairs
    ).select_related("relationship", "person__user", "supporter__user")
    return {agreement.relationship_id: agreement for agreement in found}


def _with_agreements(member: Membership, pairs: list[SupportRelationship]) -> list[dict[str, Any]]:
    found = _agreements_by_pair(pairs)
    rows = []
    for pair in pairs:
        agreement = found.get(pair.pk)
        rows.append(
            {
                "pair": pair,
                "agreement": agreement,
                "waiting": agreements.waiting_for(member, agreement) if agreement else [],
            }
        )
    return rows


# --- support at work ------------------------------------------------------------------------


@require_safe
@member_page
def home(request: HttpRequest) -> HttpResponse:
    """What support I have, whom I support, and for HR and line managers their part."""
    member = _support_member(request)
    pairs = mentoring.pairs_of(member)
    context: dict[str, Any] = {
        "mine": _with_agreements(member, pairs["mine"]),
        "supporting": _with_agreements(member, pairs["supporting"]),
        "links": {
            "groups": reverse("support:groups"),
            "retreats": reverse("support:retreats"),
            "selfcare": reverse("selfcare:home"),
        },
    }
    if is_working_member(member):
        request_open = (
            MentoringRequest.objects.filter(
                organisation_id=member.organisation_id,
                person=member,
                state=MentoringRequest.State.OPEN,
            )
            .order_by("-made_at")
            .first()
        )
        has_mentor = any(p.kind == SupportRelationship.Kind.MENTOR for p in pairs["mine"])
        context["request_open"] = request_open
        context["may_ask"] = request_open is None and not has_mentor
    if access.makes_pairs(member):
        context["hr"] = {
            "pairs": agreements.pairs_in(member.organisation_id)
            .filter(agreements.current_q())
            .count(),
            "requests": mentoring.open_requests(member).count(),
        }
    if member.is_active and member.has_role(Role.LINE_MANAGER):
        context["manager"] = {"answers": mentoring.confirmations_for_manager(member)}
    return render(request, "support/home.html", context)


# --- pairs (HR) -------------------------------------------------------------------------------


def _pairs_page(request: HttpRequest, member: Membership, form: PairForm) -> HttpResponse:
    current = list(
        agreements.pairs_in(member.organisation_id)
        .filter(agreements.current_q())
        .order_by("person__user__display_name", "person__user__username", "kind")
    )
    context = {
        "form": form,
        "pairs": _with_agreements(member, current),
        "requests": list(mentoring.open_requests(member).order_by("made_at")),
    }
    return render(request, "support/mentoring/pairs.html", context)


@require_http_methods(["GET", "POST"])
@member_page
def pairs(request: HttpRequest) -> HttpResponse:
    """HR's list of current pairs and open requests, and making a pair (§3.11)."""
    member = _hr(request)
    form = PairForm(request.POST if request.method == "POST" else None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            pair = mentoring.make_pair(
                actor=member,
                person=form.cleaned_data["person"],
                supporter=form.cleaned_data["supporter"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("Paired. %(person)s and %(supporter)s are told; nobody else is.")
                % {"person": pair.person.name, "supporter": pair.supporter.name},
            )
            return redirect("support:pair", pair_id=pair.pk)
    return _pairs_page(request, member, form)


def _latest_confirmation(pair: SupportRelationship) -> SupportConfirmation | None:
    return (
        SupportConfirmation.objects.filter(organisation_id=pair.organisation_id, relationship=pair)
        .order_by("-made_at")
        .first()
    )


@require_safe
@member_page
def pair_page(request: HttpRequest, pair_id: str) -> HttpResponse:
    """A pair: for its two people its agreement, session log and confirmation; for HR the
    pair and its agreement, never the log."""
    pair = access.relationship_for_member(_member(request), pair_id)
    member = _member(request)
    agreement = mentoring.agreement_of(pair)
    in_pair = access.in_pair(member, pair)
    is_supporter = mentoring.is_supporter(member, pair)
    is_person = member.pk == pair.person_id
    context: dict[str, Any] = {
        "pair": pair,
        "agreement": agreement,
        "in_pair": in_pair,
        "is_person": is_person,
        "is_supporter": is_supporter,
        "may_end": access.makes_pairs(member) and pair.is_current(),
        "may_draft": access.makes_pairs(member) and agreement is None and pair.is_current(),
        "waiting": agreements.waiting_for(member, agreement) if agreement else [],
        "sessions": mentoring.read_sessions(actor=member, pair=pair) if in_pair else [],
        "may_log": bool(agreement and agreement.may_log_sessions()),
    }
    if is_supporter or is_person:
        context["consents"] = access.consents_to_confirmation(pair)
        context["latest"] = _latest_confirmation(pair) if context["consents"] or is_person else None
    if is_supporter:
        context["exception_url"] = reverse(
            "people:exception_new", kwargs={"supported_id": pair.person_id}
        )
    return render(request, "support/mentoring/pair.html", context)


@require_POST
@member_page
def pair_end(request: HttpRequest, pair_id: str) -> HttpResponse:
    """HR ends a pair; the former supporter reads nothing more of it."""
    pair = access.relationship_for_member(_member(request), pair_id, Action.DELETE)
    try:
        mentoring.end_pair(actor=_member(request), pair=pair)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The pairing has ended. The two are told."))
    return redirect("support:pair", pair_id=pair.pk)


# --- session logs -------------------------------------------------------------------------------


def _session_page(
    request: HttpRequest,
    pair: SupportRelationship,
    form: SessionForm | None,
    *,
    session: SupportSession | None = None,
    notes: str = "",
    stale: bool = False,
) -> HttpResponse:
    agreement = mentoring.agreement_of(pair)
    context = {
        "pair": pair,
        "form": form,
        "session": session,
        "notes": notes,
        "stale": stale,
        "may_log": bool(agreement and agreement.may_log_sessions()),
        "agreement": agreement,
    }
    return render(request, "support/mentoring/session.html", context)


@require_http_methods(["GET", "POST"])
@member_page
def session_new(request: HttpRequest, pair_id: str) -> HttpResponse:
    """The mentor or coach logs a session; refused, with what they typed kept, until the
    staff member has acknowledged the reporting duty (App. 4)."""
    pair = access.session_log_for_member(_member(request), pair_id, Action.CHANGE)
    member = _member(request)
    if request.method != "POST":
        form = SessionForm(initial={"held_on": agreements.local_today(pair.person.organisation)})
        return _session_page(request, pair, form)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            mentoring.log_session(
                actor=member,
                pair=pair,
                held_on=form.cleaned_data["held_on"],
                minutes=form.cleaned_data.get("minutes"),
                notes=form.cleaned_data.get("notes"),
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Session logged. Only the two of you read it."))
            return redirect("support:pair", pair_id=pair.pk)
    return _session_page(request, pair, form)


@require_http_methods(["GET", "POST"])
@member_page
def session_page(request: HttpRequest, support_session_id: str) -> HttpResponse:
    """One entry of the log: the two read it; the mentor or coach corrects it."""
    action = Action.CHANGE if request.method == "POST" else Action.READ
    session = access.session_for_member(_member(request), support_session_id, action)
    member = _member(request)
    pair = session.relationship
    notes = mentoring.read_session(actor=member, session=session)
    if not mentoring.is_supporter(member, pair):
        return _session_page(request, pair, None, session=session, notes=notes)
    if request.method != "POST":
        form = SessionForm(
            initial={
                "held_on": session.held_on,
                "minutes": session.minutes,
                "notes": notes,
                "version": session.version,
            }
        )
        return _session_page(request, pair, form, session=session, notes=notes)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            mentoring.change_session(
                actor=member,
                session=session,
                held_on=form.cleaned_data["held_on"],
                minutes=form.cleaned_data.get("minutes"),
                notes=form.cleaned_data.get("notes"),
                version=form.cleaned_data.get("version") or 0,
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            session.refresh_from_db()
            form.keep_typing_over(session.version)
            notes = mentoring.read_session(actor=member, session=session)
            return _session_page(request, pair, form, session=session, notes=notes, stale=True)
        else:
            messages.success(request, _("The session is saved."))
            return redirect("support:pair", pair_id=pair.pk)
    return _session_page(request, pair, form, session=session, notes=notes)


@require_POST
@member_page
def session_remove(request: HttpRequest, support_session_id: str) -> HttpResponse:
    session = access.session_for_member(_member(request), support_session_id, Action.DELETE)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    pair_id = session.relationship_id
    try:
        mentoring.remove_session(actor=_member(request), session=session, version=version)
    except StaleVersion:
        messages.error(
            request,
            _("This session changed while you were looking at it, so nothing was removed."),
        )
        return redirect("support:session", support_session_id=session.pk)
    messages.success(request, _("The session is removed from the log."))
    return redirect("support:pair", pair_id=pair_id)


# --- the confirmation ---------------------------------------------------------------------------


@require_POST
@member_page
def confirm(request: HttpRequest, pair_id: str) -> HttpResponse:
    """The mentor or coach answers yes or no for the line manager, with consent only."""
    pair = access.relationship_for_member(_member(request), pair_id)
    answer = request.POST.get("taking_place", "")
    if not mentoring.is_supporter(_member(request), pair):
        raise PermissionDenied
    if answer not in ("yes", "no"):
        messages.error(request, _("Answer yes or no."))
        return redirect("support:pair", pair_id=pair.pk)
    try:
        mentoring.confirm_support(actor=_member(request), pair=pair, taking_place=answer == "yes")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your answer is given. Their line manager sees it and its date, nothing else."),
        )
    return redirect("support:pair", pair_id=pair.pk)


@require_safe
@member_page
def confirmations(request: HttpRequest) -> HttpResponse:
    """A line manager's page: the latest yes or no about each report who lets their mentor
    or coach tell them (§4.2). No content, no dates of sessions."""
    member = _member(request)
    if not (member.is_active and member.has_role(Role.LINE_MANAGER)):
        raise Http404
    answers = mentoring.confirmations_for_manager(member)
    return render(request, "support/mentoring/confirmations.html", {"answers": answers})


# --- requests for a mentor ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_page
def request_new(request: HttpRequest) -> HttpResponse:
    """A staff member asks for a peer mentor (§3.11)."""
    member = _member(request)
    if not is_working_member(member):
        raise Http404
    form = RequestForm(request.POST if request.method == "POST" else None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            asked = mentoring.ask_for_mentor(
                actor=member,
                wanted=form.cleaned_data.get("wanted"),
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Your request is sent to HR, who will pair you."))
            return redirect("support:request", mentoring_request_id=asked.pk)
    return render(request, "support/mentoring/request_new.html", {"form": form})


def _request_page(
    request: HttpRequest, asked: MentoringRequest, pair_form: RequestPairForm | None = None
) -> HttpResponse:
    member = _member(request)
    is_hr = access.makes_pairs(member)
    waiting = asked.state == MentoringRequest.State.OPEN
    if is_hr and waiting and pair_form is None:
        pair_form = RequestPairForm(
            member=member, initial={"supporter": asked.wanted_id} if asked.wanted_id else None
        )
    context = {
        "asked": asked,
        "note": mentoring.read_request_note(actor=member, request=asked),
        "is_person": member.pk == asked.person_id,
        "waiting": waiting,
        "pair_form": pair_form if is_hr and waiting else None,
    }
    return render(request, "support/mentoring/request.html", context)


@require_safe
@member_page
def request_page(request: HttpRequest, mentoring_request_id: str) -> HttpResponse:
    asked = access.request_for_member(_member(request), mentoring_request_id)
    return _request_page(request, asked)


@require_POST
@member_page
def request_withdraw(request: HttpRequest, mentoring_request_id: str) -> HttpResponse:
    asked = access.request_for_member(_member(request), mentoring_request_id, Action.CHANGE)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        mentoring.withdraw_request(actor=_member(request), request=asked, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except StaleVersion:
        messages.error(request, _("This request changed meanwhile, so nothing was done."))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("support:request", mentoring_request_id=asked.pk)


@require_POST
@member_page
def request_pair(request: HttpRequest, mentoring_request_id: str) -> HttpResponse:
    """HR answers a request with a peer mentor."""
    asked = access.request_for_member(_member(request), mentoring_request_id, Action.CHANGE)
    member = _member(request)
    if not access.makes_pairs(member):
        raise PermissionDenied
    form = RequestPairForm(request.POST, member=member)
    if form.is_valid():
        try:
            pair = mentoring.pair_request(
                actor=member, request=asked, supporter=form.cleaned_data["supporter"]
            )
        except ValidationError as error:
            put_errors(form, error, {"person": "supporter"})
        else:
            messages.success(
                request,
                _("Paired. %(person)s and %(supporter)s are told; nobody else is.")
                % {"person": pair.person.name, "supporter": pair.supporter.name},
            )
            return redirect("support:pair", pair_id=pair.pk)
    return _request_page(request, asked, form)
