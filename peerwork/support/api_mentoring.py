"""The mentoring part of the API: pairs, requests for a mentor, session logs, agreements
and the consented confirmation (issue 7 items 5, 6 and 9; shared/API.md).

Thin handlers, as in ``peerwork.schedule.api``: each finds the acting membership, calls
the record's gate first (``peerwork.support.access``), then a flow in ``mentoring`` or
``agreements``, and answers with a typed schema built here. Flows raise
``ValidationError`` (400, the fields at fault named, nothing saved), ``PermissionDenied``
(403) and ``StaleVersion`` (409); gates raise ``Http404`` (404: missing, another
organisation's, or not the asker's to see, one answer).

What each answer shows follows the [record: support] section of the access matrix:

- a **pair** is its two people's and HR's; HR makes and ends pairs; the line manager
  never learns of one here;
- a **session log** is the two people's alone; the supporter writes it, and only once the
  staff member has acknowledged the reporting duty; the supporter's reads are audited;
- an **agreement** is read by the two, HR, the exception recipient it names and, for
  coaching, the line manager; how the staff member keeps in touch and whether they consent
  to a confirmation are shown to the two only;
- a **confirmation** is a yes or no with its date: the line manager reads the latest, and
  only while the staff member consents;
- a **request** for a mentor is the person's and HR's (HR's reads of its note audited).

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the query schemas' names could not be looked up.
"""

import datetime as dt
import uuid
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, PersonRef, Text, Time, check_year, codes, errors, person_ref
from peerwork.core import access as core_access
from peerwork.core.access import Action, is_working_member
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership, SupportRelationship
from peerwork.core.versions import StaleVersion

from . import access, agreements, mentoring
from .models import MentoringRequest, SupportAgreement, SupportConfirmation, SupportSession

router = Router(tags=["support"])

KindCode = Annotated[SupportRelationship.Kind, codes(SupportRelationship.Kind)]
FrequencyCode = Annotated[SupportAgreement.Frequency, codes(SupportAgreement.Frequency)]
RequestStateCode = Annotated[MentoringRequest.State, codes(MentoringRequest.State)]

IfMatchRequired = Header(
    ...,
    alias="If-Match",
    description="The `version` as you read it (also the `ETag`); 409 if it changed since.",
)
IfMatchOptional = Header(
    None,
    alias="If-Match",
    description="Optional: the `version` as you read it; 409 if it changed since.",
)


def _support_member(request: HttpRequest) -> Membership:
    member = member_of(request)
    if not access.uses_support(member):
        raise Http404
    return member


def _colleague(member: Membership, wanted: uuid.UUID | None, field: str) -> Membership | None:
    """Someone named in a body, through the directory's gate; unseen is the field's fault."""
    if wanted is None:
        return None
    try:
        return core_access.membership_for_member(member, wanted)
    except Http404:
        raise ValidationError({field: [_("Choose someone from your organisation.")]}) from None


def _version(if_match: str | None) -> int | None:
    return None if if_match is None else version_from(if_match)


# --- pairs ---------------------------------------------------------------------------------


class PairOut(Schema):
    """A peer mentor or coach with one staff member."""

    id: uuid.UUID
    kind: KindCode
    kind_label: str
    person: PersonRef
    supporter: PersonRef
    started_on: dt.date
    ended_on: dt.date | None = Field(description="The pair's last day; null while it runs.")
    current: bool
    agreement: uuid.UUID | None = Field(description="Its agreement, once HR has drafted one.")


def _pair_out(pair: SupportRelationship, agreement_id: uuid.UUID | None) -> dict[str, object]:
    return {
        "id": pair.pk,
        "kind": pair.kind,
        "kind_label": str(SupportRelationship.Kind(pair.kind).label),
        "person": person_ref(pair.person),
        "supporter": person_ref(pair.supporter),
        "started_on": pair.started_on,
        "ended_on": pair.ended_on,
        "current": pair.is_current(),
        "agreement": agreement_id,
    }


def _pairs_out(pairs: list[SupportRelationship]) -> list[dict[str, object]]:
    if not pairs:
        return []
    found = dict(
        SupportAgreement.objects.filter(
            organisation_id=pairs[0].organisation_id, relationship__in=pairs
        ).values_list("relationship_id", "pk")
    )
    return [_pair_out(pair, found.get(pair.pk)) for pair in pairs]


@router.get(
    "/support-pairs",
    response={200: list[PairOut], **errors(404)},
    summary="Mentoring and coaching pairs",
    tags=["support pairs"],
)
@paginate(Pages)
def pair_list(request: HttpRequest) -> list[dict[str, object]]:
    """For HR, every current pair; for anyone else, their own current pairs (the support
    they have and whom they support). Peer interviewers and outsiders: 404."""
    member = _support_member(request)
    pairs = agreements.pairs_in(member.organisation_id).filter(agreements.current_q())
    if not access.makes_pairs(member):
        pairs = pairs.filter(person=member) | pairs.filter(supporter=member)
    ordered = pairs.order_by("person__user__display_name", "person__user__username", "kind", "id")
    return _pairs_out(list(ordered))


class PairIn(Schema):
    person: uuid.UUID = Field(description="The staff member.")
    supporter: uuid.UUID = Field(
        description="A peer mentor (kind `mentor`) or a coach (kind `coach`); never the "
        "person's own line manager."
    )
    kind: KindCode


@router.post(
    "/support-pairs",
    response={201: PairOut, **errors(400, 403, 404)},
    summary="Make a pair",
    tags=["support pairs"],
)
def pair_create(request: HttpRequest, payload: PairIn) -> Status:
    """HR pairs a staff member with a peer mentor or a coach (§3.11). Their own line
    manager, themself, someone without the role the kind needs, or a second current pair of
    the same kind is refused (400, the field named). The two are told; nobody else is."""
    member = _support_member(request)
    if not access.makes_pairs(member):
        raise PermissionDenied(_("Only HR makes mentoring and coaching pairs."))
    person = _colleague(member, payload.person, "person")
    supporter = _colleague(member, payload.supporter, "supporter")
    pair = mentoring.make_pair(actor=member, person=person, supporter=supporter, kind=payload.kind)
    return Status(201, _pair_out(pair, None))


@router.get(
    "/support-pairs/{pair_id}",
    response={200: PairOut, **errors(404)},
    summary="One pair",
    tags=["support pairs"],
)
def pair_detail(request: HttpRequest, pair_id: str) -> dict[str, object]:
    """For its two people (the supporter while it runs) and HR; 404 for anyone else."""
    pair = access.relationship_for_member(member_of(request), pair_id)
    agreement = mentoring.agreement_of(pair)
    return _pair_out(pair, agreement.pk if agreement else None)


@router.post(
    "/support-pairs/{pair_id}/end",
    response={200: PairOut, **errors(400, 403, 404)},
    summary="End a pair",
    tags=["support pairs"],
)
def pair_end(request: HttpRequest, pair_id: str) -> dict[str, object]:
    """HR ends a pair: yesterday becomes its last day, and the former supporter reads
    nothing more of it. The staff member keeps their own log."""
    try:
        pair = access.relationship_for_member(member_of(request), pair_id, Action.DELETE)
    except PermissionDenied:
        raise PermissionDenied(_("Only HR ends a pairing.")) from None
    mentoring.end_pair(actor=member_of(request), pair=pair)
    agreement = mentoring.agreement_of(pair)
    return _pair_out(pair, agreement.pk if agreement else None)


# --- session logs ------------------------------------------------------------------------------


class SessionOut(Schema):
    """One session in the mentor's or coach's words: for the two of them only."""

    id: uuid.UUID
    pair: uuid.UUID
    held_on: dt.date
    minutes: int | None
    notes: str
    logged_by: PersonRef | None
    logged_at: Time
    version: int = Field(description="Send it back as `If-Match` to change or remove it.")


def _session_out(session: SupportSession, notes: str) -> dict[str, object]:
    return {
        "id": session.pk,
        "pair": session.relationship_id,
        "held_on": session.held_on,
        "minutes": session.minutes,
        "notes": notes,
        "logged_by": person_ref(session.logged_by),
        "logged_at": session.logged_at,
        "version": session.version,
    }


@router.get(
    "/support-pairs/{pair_id}/sessions",
    response={200: list[SessionOut], **errors(404)},
    summary="A pair's session log",
    tags=["support sessions"],
)
@paginate(Pages)
def session_list(request: HttpRequest, pair_id: str) -> list[dict[str, object]]:
    """The log, newest first, for the staff member and their current mentor or coach.
    HR, the line manager, the director: 404. The supporter's reads are audited."""
    pair = access.session_log_for_member(member_of(request), pair_id)
    rows = mentoring.read_sessions(actor=member_of(request), pair=pair)
    return [_session_out(row.session, row.notes) for row in rows]


class SessionIn(Schema):
    held_on: dt.date = Field(description="The day of the session: today or earlier.")
    minutes: int | None = Field(None, description="1 to 600.")
    notes: Text = Field("", max_length=mentoring.NOTES_MAX)


@router.post(
    "/support-pairs/{pair_id}/sessions",
    response={201: SessionOut, **errors(400, 403, 404)},
    summary="Log a session",
    tags=["support sessions"],
)
def session_create(
    request: HttpRequest, pair_id: str, payload: SessionIn, response: HttpResponse
) -> Status:
    """The mentor or coach logs a session, sealed under the staff member's key. Refused
    (400, nothing saved) until the staff member has acknowledged the reporting duty on the
    pair's agreement (App. 4); a date after today is refused too."""
    try:
        pair = access.session_log_for_member(member_of(request), pair_id, Action.CHANGE)
    except PermissionDenied:
        raise PermissionDenied(_("Only the mentor or coach logs sessions.")) from None
    check_year(payload.held_on, "held_on")
    session = mentoring.log_session(
        actor=member_of(request),
        pair=pair,
        held_on=payload.held_on,
        minutes=payload.minutes,
        notes=payload.notes,
    )
    etag(response, session.version)
    return Status(201, _session_out(session, session.notes or ""))


@router.get(
    "/support-sessions/{support_session_id}",
    response={200: SessionOut, **errors(404)},
    summary="One session",
    tags=["support sessions"],
)
def session_detail(
    request: HttpRequest, support_session_id: str, response: HttpResponse
) -> dict[str, object]:
    session = access.session_for_member(member_of(request), support_session_id)
    notes = mentoring.read_session(actor=member_of(request), session=session)
    etag(response, session.version)
    return _session_out(session, notes)


class SessionChange(Schema):
    """Only the fields sent change."""

    held_on: dt.date | None = None
    minutes: int | None = None
    notes: Text | None = Field(None, max_length=mentoring.NOTES_MAX)


@router.patch(
    "/support-sessions/{support_session_id}",
    response={200: SessionOut, **errors(400, 403, 404, 409)},
    summary="Correct a session",
    tags=["support sessions"],
)
def session_change(
    request: HttpRequest,
    support_session_id: str,
    payload: SessionChange,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """The mentor or coach corrects their entry (403 for the staff member)."""
    try:
        session = access.session_for_member(member_of(request), support_session_id, Action.CHANGE)
    except PermissionDenied:
        raise PermissionDenied(_("Only the mentor or coach changes the log.")) from None
    check_year(payload.held_on, "held_on")
    sent = payload.model_fields_set
    notes = payload.notes if "notes" in sent else (session.notes or "")
    mentoring.change_session(
        actor=member_of(request),
        session=session,
        held_on=payload.held_on if payload.held_on is not None else session.held_on,
        minutes=payload.minutes if "minutes" in sent else session.minutes,
        notes=notes,
        version=version_from(if_match),
    )
    etag(response, session.version)
    return _session_out(session, session.notes or "")


class Removed(Schema):
    id: uuid.UUID
    removed: bool


@router.delete(
    "/support-sessions/{support_session_id}",
    response={200: Removed, **errors(403, 404, 409)},
    summary="Remove a session",
    tags=["support sessions"],
)
def session_remove(
    request: HttpRequest, support_session_id: str, if_match: str | None = IfMatchOptional
) -> dict[str, object]:
    """The mentor or coach removes their entry for good (403 for the staff member)."""
    try:
        session = access.session_for_member(member_of(request), support_session_id, Action.DELETE)
    except PermissionDenied:
        raise PermissionDenied(_("Only the mentor or coach changes the log.")) from None
    pk = session.pk
    mentoring.remove_session(actor=member_of(request), session=session, version=_version(if_match))
    return {"id": pk, "removed": True}


# --- confirmations -----------------------------------------------------------------------------


class ConfirmationIn(Schema):
    taking_place: bool = Field(description="Support is taking place: yes (true) or no.")


class ConfirmationOut(Schema):
    """Yes or no, and when: nothing about what is said or when the two meet."""

    taking_place: bool
    made_at: Time


def _confirmation_out(found: SupportConfirmation) -> dict[str, object]:
    return {"taking_place": found.taking_place, "made_at": found.made_at}


@router.post(
    "/support-pairs/{pair_id}/confirmations",
    response={201: ConfirmationOut, **errors(400, 403, 404)},
    summary="Confirm to the line manager that support is taking place",
    tags=["support confirmations"],
)
def confirmation_create(request: HttpRequest, pair_id: str, payload: ConfirmationIn) -> Status:
    """The mentor or coach answers yes or no for the staff member's line manager (§4.2).
    Refused (400) unless the staff member consents on their agreement."""
    pair = access.relationship_for_member(member_of(request), pair_id)
    if not mentoring.is_supporter(member_of(request), pair):
        raise PermissionDenied(_("Only the mentor or coach gives this answer."))
    found = mentoring.confirm_support(
        actor=member_of(request), pair=pair, taking_place=payload.taking_place
    )
    return Status(201, _confirmation_out(found))


class ConfirmationQuery(Schema):
    person: uuid.UUID = Field(description="Whom the answer is about.")


class LatestConfirmationOut(Schema):
    person: PersonRef
    latest: ConfirmationOut | None = Field(
        description="The latest answer you may see; null when there is none to see (no "
        "consent, no mentor or coach, or no answer yet: the same null)."
    )


@router.get(
    "/support-confirmations",
    response={200: LatestConfirmationOut, **errors(404)},
    summary="The latest support confirmation about a person",
    tags=["support confirmations"],
)
def confirmation_latest(request: HttpRequest, query: Query[ConfirmationQuery]) -> dict[str, object]:
    """For the person themself, their line manager (only while the person consents) and
    their current mentor or coach. Anyone else: 404."""
    member = member_of(request)
    person = core_access.membership_for_member(member, query.person)
    if not (
        member.pk == person.pk or member.manages(person) or core_access.supports(member, person)
    ):
        raise Http404
    found = mentoring.confirmation_for(member, person)
    return {
        "person": person_ref(person),
        "latest": _confirmation_out(found) if found is not None else None,
    }


# --- my support ---------------------------------------------------------------------------------


class MySupportOut(Schema):
    mine: list[PairOut] = Field(description="My current mentor or coach pairs.")
    supporting: list[PairOut] = Field(description="Whom I support now.")
    request: uuid.UUID | None = Field(description="My request for a mentor, while it waits.")


@router.get(
    "/my-support",
    response={200: MySupportOut, **errors(404)},
    summary="My support at work",
    tags=["support pairs"],
)
def my_support(request: HttpRequest) -> dict[str, object]:
    """The support I have, whom I support, and my waiting request for a mentor."""
    member = _support_member(request)
    pairs = mentoring.pairs_of(member)
    waiting = (
        MentoringRequest.objects.filter(
            organisation_id=member.organisation_id,
            person=member,
            state=MentoringRequest.State.OPEN,
        )
        .values_list("pk", flat=True)
        .first()
    )
    return {
        "mine": _pairs_out(pairs["mine"]),
        "supporting": _pairs_out(pairs["supporting"]),
        "request": waiting,
    }


# --- requests for a mentor ----------------------------------------------------------------------


class RequestOut(Schema):
    """A staff member's request for a peer mentor, for them and HR."""

    id: uuid.UUID
    person: PersonRef
    wanted: PersonRef | None = Field(description="The peer mentor asked for, if any.")
    note: str = Field(description="What would help, in the person's words (HR's reads audited).")
    state: RequestStateCode
    state_label: str
    made_at: Time
    pair: uuid.UUID | None = Field(description="The pair HR made from it.")
    version: int


def _request_out(member: Membership, asked: MentoringRequest) -> dict[str, object]:
    return {
        "id": asked.pk,
        "person": person_ref(asked.person),
        "wanted": person_ref(asked.wanted),
        "note": mentoring.read_request_note(actor=member, request=asked) or "",
        "state": asked.state,
        "state_label": str(MentoringRequest.State(asked.state).label),
        "made_at": asked.made_at,
        "pair": asked.relationship_id,
        "version": asked.version,
    }


@router.get(
    "/mentoring-requests",
    response={200: list[RequestOut], **errors(404)},
    summary="Requests for a peer mentor",
    tags=["mentoring requests"],
)
@paginate(Pages)
def request_list(request: HttpRequest) -> list[dict[str, object]]:
    """My own requests; for HR, every request still waiting too (their notes' reads
    audited). Peer interviewers and outsiders: 404."""
    member = _support_member(request)
    rows = MentoringRequest.objects.filter(organisation_id=member.organisation_id)
    mine = rows.filter(person=member)
    if access.makes_pairs(member):
        mine = mine | rows.filter(state=MentoringRequest.State.OPEN)
    found = mine.select_related("person__user", "wanted__user").order_by("made_at", "id")
    return [_request_out(member, asked) for asked in found]


class RequestIn(Schema):
    wanted: uuid.UUID | None = Field(
        None, description="A peer mentor you would like; never your own line manager."
    )
    note: Text = Field("", max_length=mentoring.NOTE_MAX, description="What would help.")


@router.post(
    "/mentoring-requests",
    response={201: RequestOut, **errors(400, 403, 404)},
    summary="Ask for a peer mentor",
    tags=["mentoring requests"],
)
def request_create(request: HttpRequest, payload: RequestIn) -> Status:
    """A staff member asks HR for a peer mentor (§3.11). One request waits at a time."""
    member = _support_member(request)
    if not is_working_member(member):
        raise PermissionDenied(_("Only staff and volunteers ask for a peer mentor here."))
    wanted = _colleague(member, payload.wanted, "wanted")
    asked = mentoring.ask_for_mentor(actor=member, wanted=wanted, note=payload.note)
    return Status(201, _request_out(member, asked))


@router.get(
    "/mentoring-requests/{mentoring_request_id}",
    response={200: RequestOut, **errors(404)},
    summary="One request for a peer mentor",
    tags=["mentoring requests"],
)
def request_detail(request: HttpRequest, mentoring_request_id: str) -> dict[str, object]:
    asked = access.request_for_member(member_of(request), mentoring_request_id)
    return _request_out(member_of(request), asked)


@router.post(
    "/mentoring-requests/{mentoring_request_id}/withdraw",
    response={200: RequestOut, **errors(400, 403, 404, 409)},
    summary="Withdraw a request for a peer mentor",
    tags=["mentoring requests"],
)
def request_withdraw(
    request: HttpRequest, mentoring_request_id: str, if_match: str | None = IfMatchOptional
) -> dict[str, object]:
    """The person withdraws their waiting request (403 for HR)."""
    asked = access.request_for_member(member_of(request), mentoring_request_id, Action.CHANGE)
    try:
        mentoring.withdraw_request(
            actor=member_of(request), request=asked, version=_version(if_match)
        )
    except PermissionDenied:
        raise PermissionDenied(_("Only the person who asked withdraws the request.")) from None
    return _request_out(member_of(request), asked)


class RequestPair(Schema):
    supporter: uuid.UUID = Field(description="The peer mentor HR pairs the person with.")


@router.post(
    "/mentoring-requests/{mentoring_request_id}/pair",
    response={201: PairOut, **errors(400, 403, 404)},
    summary="Answer a request with a peer mentor",
    tags=["mentoring requests"],
)
def request_pair(request: HttpRequest, mentoring_request_id: str, payload: RequestPair) -> Status:
    """HR pairs the person with a peer mentor (never their own line manager)."""
    asked = access.request_for_member(member_of(request), mentoring_request_id, Action.CHANGE)
    member = member_of(request)
    if not access.makes_pairs(member):
        raise PermissionDenied(_("Only HR makes mentoring and coaching pairs."))
    supporter = _colleague(member, payload.supporter, "supporter")
    pair = mentoring.pair_request(actor=member, request=asked, supporter=supporter)
    return Status(201, _pair_out(pair, None))


# --- agreements ---------------------------------------------------------------------------------


class AgreementOut(Schema):
    """A pair's terms (App. 4), the three agreements and the reporting duty."""

    id: uuid.UUID
    pair: uuid.UUID
    kind: KindCode
    person: PersonRef
    supporter: PersonRef
    service: str
    sessions: int | None = Field(description="How many sessions; null: as long as it runs.")
    frequency: FrequencyCode
    session_minutes: int
    concerns_route: str
    exception_recipient: PersonRef
    exception_route: str
    review_on: dt.date
    drafted_by: PersonRef | None
    drafted_at: Time
    person_agreed_at: Time | None
    duty_acknowledged_at: Time | None = Field(
        description="The staff member's acknowledgement of the reporting duty; sessions are "
        "logged only after it."
    )
    supporter_agreed_at: Time | None
    organisation_agreed_at: Time | None
    organisation_agreed_by: PersonRef | None
    agreed: bool = Field(description="All three have agreed.")
    contact: str | None = Field(
        description="How the staff member likes to keep in touch: for the two of them only "
        "(null for anyone else)."
    )
    confirm_consent_at: Time | None = Field(
        description="Since when the staff member lets their mentor or coach confirm support "
        "to their line manager: for the two of them only (null for anyone else)."
    )
    text: list[str] = Field(description="The agreement in words, paragraph by paragraph.")
    version: int = Field(description="Send it back as `If-Match` to change it.")


def _agreement_out(member: Membership, agreement: SupportAgreement) -> dict[str, object]:
    text = agreements.terms_of(agreement)
    words = [
        *text.paragraphs,
        text.exceptions_intro,
        *text.exceptions,
        *text.duty,
        text.review,
    ]
    return {
        "id": agreement.pk,
        "pair": agreement.relationship_id,
        "kind": agreement.relationship.kind,
        "person": person_ref(agreement.person),
        "supporter": person_ref(agreement.supporter),
        "service": agreement.service,
        "sessions": agreement.sessions,
        "frequency": agreement.frequency,
        "session_minutes": agreement.session_minutes,
        "concerns_route": agreement.concerns_route,
        "exception_recipient": person_ref(agreement.exception_recipient),
        "exception_route": agreement.exception_route,
        "review_on": agreement.review_on,
        "drafted_by": person_ref(agreement.drafted_by),
        "drafted_at": agreement.drafted_at,
        "person_agreed_at": agreement.person_agreed_at,
        "duty_acknowledged_at": agreement.duty_acknowledged_at,
        "supporter_agreed_at": agreement.supporter_agreed_at,
        "organisation_agreed_at": agreement.organisation_agreed_at,
        "organisation_agreed_by": person_ref(agreement.organisation_agreed_by),
        "agreed": agreement.is_agreed(),
        "contact": agreements.read_contact(actor=member, agreement=agreement),
        "confirm_consent_at": agreement.confirm_consent_at
        if agreements.sees_consent(member, agreement)
        else None,
        "text": words,
        "version": agreement.version,
    }


def _agreement_answer(
    member: Membership, agreement: SupportAgreement, response: HttpResponse
) -> dict[str, object]:
    fresh = (
        SupportAgreement.objects.select_related(
            "relationship",
            "person__user",
            "person__organisation",
            "supporter__user",
            "exception_recipient__user",
            "organisation_agreed_by__user",
            "drafted_by__user",
        )
        .filter(pk=agreement.pk)
        .get()
    )
    etag(response, fresh.version)
    return _agreement_out(member, fresh)


@router.get(
    "/support-agreements",
    response={200: list[AgreementOut], **errors(404)},
    summary="Support agreements I may read",
    tags=["support agreements"],
)
@paginate(Pages)
def agreement_list(request: HttpRequest) -> list[dict[str, object]]:
    """Mine, those of the people I support now, those naming me for exception reports, the
    coaching agreements of my reports, and for HR all of them."""
    member = _support_member(request)
    rows = SupportAgreement.objects.filter(organisation_id=member.organisation_id).select_related(
        "relationship",
        "person__user",
        "person__organisation",
        "supporter__user",
        "exception_recipient__user",
        "organisation_agreed_by__user",
        "drafted_by__user",
    )
    if not access.makes_pairs(member):
        rows = (
            rows.filter(person=member)
            | rows.filter(supporter=member)
            | rows.filter(exception_recipient=member)
            | rows.filter(
                relationship__kind=SupportRelationship.Kind.COACH, person__line_manager=member
            )
        )
    found = [a for a in rows.order_by("drafted_at", "id") if access.reads_agreement(member, a)]
    return [_agreement_out(member, agreement) for agreement in found]


class TermsIn(Schema):
    service: Text | None = Field(None, max_length=agreements.SERVICE_MAX)
    sessions: int | None = Field(None, description="1 to 100; null: as long as it runs.")
    frequency: FrequencyCode | None = None
    session_minutes: int | None = Field(None, description="10 to 480.")
    concerns_route: Text | None = Field(None, max_length=agreements.ROUTE_MAX)
    exception_recipient: uuid.UUID | None = Field(
        None, description="A working colleague other than the two."
    )
    exception_route: Text | None = Field(None, max_length=agreements.ROUTE_MAX)
    review_on: dt.date | None = Field(None, description="After today.")


class AgreementIn(TermsIn):
    """A pair's terms. `service` defaults to the organisation's name; `frequency` to every
    month; `session_minutes` to 60."""

    pair: uuid.UUID


@router.post(
    "/support-agreements",
    response={201: AgreementOut, **errors(400, 403, 404)},
    summary="Draft a pair's agreement",
    tags=["support agreements"],
)
def agreement_create(request: HttpRequest, payload: AgreementIn, response: HttpResponse) -> Status:
    """HR drafts the agreement of a current pair (one per pair). The two, and for coaching
    the line manager, are asked to agree."""
    member = _support_member(request)
    if not access.makes_pairs(member):
        raise PermissionDenied(_("Only HR drafts support agreements."))
    try:
        pair = access.relationship_for_member(member, payload.pair)
    except Http404:
        raise ValidationError({"pair": [_("Choose a current pair.")]}) from None
    check_year(payload.review_on, "review_on")
    defaults = agreements.default_terms(pair)
    agreement = agreements.draft_agreement(
        actor=member,
        pair=pair,
        terms=agreements.Terms(
            service=payload.service if payload.service is not None else str(defaults["service"]),
            sessions=payload.sessions,
            frequency=payload.frequency or SupportAgreement.Frequency.MONTHLY,
            session_minutes=payload.session_minutes or 60,
            concerns_route=payload.concerns_route or "",
            exception_recipient=_colleague(
                member, payload.exception_recipient, "exception_recipient"
            ),
            exception_route=payload.exception_route or "",
            review_on=payload.review_on,
        ),
    )
    return Status(201, _agreement_answer(member, agreement, response))


@router.get(
    "/support-agreements/{agreement_id}",
    response={200: AgreementOut, **errors(404)},
    summary="One support agreement",
    tags=["support agreements"],
)
def agreement_detail(
    request: HttpRequest, agreement_id: str, response: HttpResponse
) -> dict[str, object]:
    """For the two, HR, the recipient it names and, for coaching, the line manager."""
    agreement = access.agreement_for_member(member_of(request), agreement_id)
    return _agreement_answer(member_of(request), agreement, response)


class AgreementChange(TermsIn):
    """Only the fields sent change. The terms are HR's to change (the three then agree
    again; a new recipient or way of reporting also asks the staff member to acknowledge
    the duty again); `contact` is the staff member's own."""

    contact: Text | None = Field(None, max_length=agreements.CONTACT_MAX)


@router.patch(
    "/support-agreements/{agreement_id}",
    response={200: AgreementOut, **errors(400, 403, 404, 409)},
    summary="Change a support agreement",
    tags=["support agreements"],
)
def agreement_change(
    request: HttpRequest,
    agreement_id: str,
    payload: AgreementChange,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    member = member_of(request)
    agreement = access.agreement_for_member(member, agreement_id, Action.CHANGE)
    version = version_from(if_match)
    sent = payload.model_fields_set
    terms_sent = sent - {"contact"}
    if terms_sent and not access.makes_pairs(member):
        raise PermissionDenied(_("Only HR changes the terms."))
    if "contact" in sent and member.pk != agreement.person_id:
        raise PermissionDenied(_("Only the staff member writes how they keep in touch."))
    check_year(payload.review_on, "review_on")
    if terms_sent:
        recipient = (
            _colleague(member, payload.exception_recipient, "exception_recipient")
            if "exception_recipient" in sent
            else agreement.exception_recipient
        )
        values: dict[str, Any] = {
            name: getattr(payload, name) if name in sent else getattr(agreement, name)
            for name in agreements.TERM_FIELDS
            if name != "exception_recipient"
        }
        values["exception_recipient"] = recipient
        for name in ("service", "concerns_route", "exception_route"):
            values[name] = values[name] or ""
        agreements.change_terms(
            actor=member,
            agreement=agreement,
            terms=agreements.Terms(**values),
            version=version,
        )
        version = agreement.version
    if "contact" in sent:
        agreements.set_contact(
            actor=member, agreement=agreement, contact=payload.contact or "", version=version
        )
    elif not terms_sent and version != agreement.version:
        raise StaleVersion
    return _agreement_answer(member, agreement, response)


def _act(
    request: HttpRequest,
    agreement_id: str,
    response: HttpResponse,
    if_match: str | None,
    flow: Any,
    refused: str,
) -> dict[str, object]:
    member = member_of(request)
    agreement = access.agreement_for_member(member, agreement_id, Action.CHANGE)
    try:
        flow(actor=member, agreement=agreement, version=_version(if_match))
    except PermissionDenied:
        raise PermissionDenied(refused) from None
    return _agreement_answer(member, agreement, response)


@router.post(
    "/support-agreements/{agreement_id}/agree",
    response={200: AgreementOut, **errors(403, 404, 409)},
    summary="Agree to a support agreement",
    tags=["support agreements"],
)
def agreement_agree(
    request: HttpRequest,
    agreement_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    """The staff member, the mentor or coach, or the organisation (HR; for coaching the
    line manager too) agrees, each for their own part. Agreeing again changes nothing."""
    return _act(
        request,
        agreement_id,
        response,
        if_match,
        agreements.agree,
        _("Only the people in the agreement, and HR for the organisation, agree to it."),
    )


@router.post(
    "/support-agreements/{agreement_id}/acknowledge-duty",
    response={200: AgreementOut, **errors(403, 404, 409)},
    summary="Acknowledge the reporting duty",
    tags=["support agreements"],
)
def agreement_duty(
    request: HttpRequest,
    agreement_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    """The staff member acknowledges that their mentor or coach must report gross
    misconduct (done or planned) and a life in danger, to the recipient named (App. 4).
    Sessions are logged only after it."""
    return _act(
        request,
        agreement_id,
        response,
        if_match,
        agreements.acknowledge_duty,
        _("Only the staff member acknowledges the reporting duty."),
    )


@router.post(
    "/support-agreements/{agreement_id}/consent",
    response={200: AgreementOut, **errors(403, 404, 409)},
    summary="Let the supporter confirm support to the line manager",
    tags=["support agreements"],
)
def agreement_consent(
    request: HttpRequest,
    agreement_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    """The staff member lets their mentor or coach tell their line manager whether support
    is taking place: yes or no, nothing more (§4.2)."""
    return _act(
        request,
        agreement_id,
        response,
        if_match,
        agreements.consent_to_confirmation,
        _("Only the staff member gives this consent."),
    )


@router.post(
    "/support-agreements/{agreement_id}/withdraw-consent",
    response={200: AgreementOut, **errors(403, 404, 409)},
    summary="Withdraw the consent to a confirmation",
    tags=["support agreements"],
)
def agreement_withdraw(
    request: HttpRequest,
    agreement_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, object]:
    """The line manager sees no answer any more, earlier ones included."""
    return _act(
        request,
        agreement_id,
        response,
        if_match,
        agreements.withdraw_consent,
        _("Only the staff member withdraws this consent."),
    )
