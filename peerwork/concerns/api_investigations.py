"""Investigations and named supporters through the API (issue 8 items 4, 5 and 8; §4.4,
§4.7; shared/API.md).

Thin handlers: each finds the acting membership, calls the record's gate first
(``access.investigation_for_member``, ``access.concern_for_member``,
``investigations.supporter_for_member``), then a flow in ``investigations``, and answers
with a typed schema built here. Flows raise ``ValidationError`` (400, the field at fault
named, nothing saved; a refusal of §4.7 is one, and is audited), ``PermissionDenied``
(403) and ``StaleVersion`` (409); gates raise ``Http404`` (404: missing, another
organisation's, or not the asker's to see, one answer).

What each answer shows follows the [record: concerns] section of the access matrix:

- an **investigation**'s existence, state and any suspension: the person, their line
  manager, HR and its investigators; **never anyone who supports the person**, who gets
  404 like an outsider (and the attempt is audited by the gate);
- what is **inside** it (``investigators``, ``findings``, ``outcome``): its investigators
  and HR, and the person once it is completed; null for everyone else, with
  ``inside: false``;
- **named supporters**: the person, whoever works the case and the supporters themselves;
  the person names them, or the line manager or HR does and the person is told.

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the schemas' names could not be looked up.
"""

import datetime as dt
import uuid
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, PersonRef, Text, Time, check_year, codes, errors, person_ref
from peerwork.core import access as core_access
from peerwork.core.access import Action
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership

from . import access, investigations
from .models import Concern, Investigation, NamedSupporter

router = Router(tags=["investigations"])

StateCode = Annotated[Investigation.State, codes(Investigation.State)]
OutcomeCode = Annotated[Investigation.Outcome, codes(Investigation.Outcome)]

IfMatchRequired = Header(
    ...,
    alias="If-Match",
    description="The `version` as you read it (also the `ETag`); 409 if it changed since.",
)


def _concerns_member(request: HttpRequest) -> Membership:
    member = member_of(request)
    if not access.uses_concerns(member):
        raise Http404
    return member


def _colleague(member: Membership, wanted: uuid.UUID, field: str) -> Membership:
    """Someone named in a body, through the directory's gate; unseen is the field's fault."""
    try:
        return core_access.membership_for_member(member, wanted)
    except Http404:
        raise ValidationError({field: [_("Choose someone from your organisation.")]}) from None


# --- investigations ------------------------------------------------------------------------


class InvestigationOut(Schema):
    """A formal investigation (§4.4, §4.7). ``inside`` says whether the asker reads what is
    in it; when false, ``investigators``, ``findings`` and ``outcome`` are null."""

    id: uuid.UUID
    concern: uuid.UUID
    person: PersonRef
    state: StateCode
    state_label: str
    opened_at: Time
    closed_at: Time | None
    suspended_from: dt.date | None = Field(description="Suspended with support from this day.")
    suspended_until: dt.date | None = Field(description="The suspension's last day.")
    suspended_now: bool = Field(description="Suspended today, in the organisation's dates.")
    standing: list[str] = Field(
        description="While it is open: the person is presumed innocent, remains an employee "
        "until it is completed, and is supported by people who take no part in it."
    )
    supporters: list[PersonRef] | None = Field(
        description="Who is named to support the person; null for an investigator as such."
    )
    inside: bool
    investigators: list[PersonRef] | None
    findings: str | None
    outcome: OutcomeCode | None
    outcome_label: str | None
    version: int = Field(description="Send it back as `If-Match` to change or complete it.")


def _standing(investigation: Investigation, member: Membership) -> list[str]:
    if not investigation.is_open():
        return []
    organisation = investigation.person.organisation.name
    if member.pk == investigation.person_id:
        return [
            _(
                "You are presumed innocent. Nothing is decided until the investigation is completed."
            ),
            _(
                "You remain an employee of %(organisation)s until the investigation is "
                "completed, with your pay and your rights."
            )
            % {"organisation": organisation},
            _(
                "The people who support you take no part in the investigation, and the people "
                "who investigate do not support you."
            ),
        ]
    name = investigation.person.name
    return [
        _("%(name)s is presumed innocent. Nothing is decided until the investigation is completed.")
        % {"name": name},
        _("%(name)s remains an employee of %(organisation)s until the investigation is completed.")
        % {"name": name, "organisation": organisation},
        _(
            "Those who support the staff member take no part in the investigation, and those "
            "who investigate do not support them."
        ),
    ]


def _investigation_out(investigation: Investigation, member: Membership) -> dict[str, object]:
    inside = access.reads_findings(member, investigation)
    sees_supporters = member.pk == investigation.person_id or access.manages_case(
        member, investigation.person
    )
    today = investigation.person.organisation.local_today()
    outcome = investigation.outcome or None
    return {
        "id": investigation.pk,
        "concern": investigation.concern_id,
        "person": person_ref(investigation.person),
        "state": investigation.state,
        "state_label": str(Investigation.State(investigation.state).label),
        "opened_at": investigation.opened_at,
        "closed_at": investigation.closed_at,
        "suspended_from": investigation.suspended_from,
        "suspended_until": investigation.suspended_until,
        "suspended_now": investigations.suspended_on(investigation, today),
        "standing": _standing(investigation, member),
        "supporters": [
            person_ref(row.member) for row in investigations.supporters_on(investigation.concern)
        ]
        if sees_supporters
        else None,
        "inside": inside,
        "investigators": [
            person_ref(row.member) for row in investigations.investigators_on(investigation)
        ]
        if inside
        else None,
        "findings": (investigation.findings or "") if inside else None,
        "outcome": outcome if inside else None,
        "outcome_label": str(Investigation.Outcome(outcome).label) if inside and outcome else None,
        "version": investigation.version,
    }


@router.get(
    "/investigations",
    response={200: list[InvestigationOut], **errors(404)},
    summary="Investigations I may know of",
)
@paginate(Pages)
def investigation_list(request: HttpRequest) -> list[dict[str, object]]:
    """HR: every one. Anyone else: those about them, about the people they manage, and
    those they investigate; never one about someone they support (§4.7). Open first."""
    member = _concerns_member(request)
    return [_investigation_out(row, member) for row in investigations.investigations_for(member)]


class InvestigationIn(Schema):
    concern: uuid.UUID = Field(description="The open concern to investigate.")


@router.post(
    "/investigations",
    response={201: InvestigationOut, **errors(400, 403, 404)},
    summary="Open an investigation",
)
def investigation_create(
    request: HttpRequest, payload: InvestigationIn, response: HttpResponse
) -> Status:
    """HR opens an investigation of an open concern (one per concern). An HR officer who
    supports the person is refused (400, audited, §4.7). The person is told in neutral
    words."""
    member = _concerns_member(request)
    try:
        concern = access.concern_for_member(member, payload.concern)
    except Http404:
        raise ValidationError({"concern": [_("Choose a concern you work on.")]}) from None
    if not access.is_hr(member) or member.pk == concern.person_id:
        raise PermissionDenied(_("HR opens investigations."))
    investigation = investigations.open_investigation(actor=member, concern=concern)
    etag(response, investigation.version)
    return Status(201, _investigation_out(investigation, member))


@router.get(
    "/investigations/{investigation_id}",
    response={200: InvestigationOut, **errors(404)},
    summary="One investigation",
)
def investigation_detail(
    request: HttpRequest, investigation_id: str, response: HttpResponse
) -> dict[str, object]:
    """For the person, their line manager, HR and its investigators. Anyone who supports
    the person gets 404, as an outsider does, and the attempt is audited."""
    investigation = access.investigation_for_member(member_of(request), investigation_id)
    etag(response, investigation.version)
    return _investigation_out(investigation, member_of(request))


class InvestigationChange(Schema):
    """Only the fields sent change. Findings: its investigators and HR. A suspension (both
    dates; both null ends it): HR, only while someone is named to support the person, and
    ending at most 90 days from today."""

    findings: Text | None = Field(None, max_length=investigations.FINDINGS_MAX)
    suspended_from: dt.date | None = None
    suspended_until: dt.date | None = None


@router.patch(
    "/investigations/{investigation_id}",
    response={200: InvestigationOut, **errors(400, 403, 404, 409)},
    summary="Write findings, or record a suspension with support",
)
def investigation_change(
    request: HttpRequest,
    investigation_id: str,
    payload: InvestigationChange,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    member = member_of(request)
    investigation = access.investigation_for_member(member, investigation_id, Action.CHANGE)
    sent = payload.model_fields_set
    check_year(payload.suspended_from, "suspended_from")
    check_year(payload.suspended_until, "suspended_until")
    version = version_from(if_match)
    with transaction.atomic():
        if "findings" in sent:
            investigations.record_findings(
                actor=member,
                investigation=investigation,
                findings=payload.findings or "",
                version=version,
            )
            version = investigation.version
        if sent & {"suspended_from", "suspended_until"}:
            first = payload.suspended_from if "suspended_from" in sent else None
            last = payload.suspended_until if "suspended_until" in sent else None
            if first is None and last is None:
                investigations.end_suspension(
                    actor=member, investigation=investigation, version=version
                )
            else:
                investigations.set_suspension(
                    actor=member,
                    investigation=investigation,
                    suspended_from=first,
                    suspended_until=last,
                    version=version,
                )
    investigation.refresh_from_db()
    etag(response, investigation.version)
    return _investigation_out(investigation, member)


class InvestigatorIn(Schema):
    member: uuid.UUID = Field(
        description="A working member who supports the person in no way (§4.7), and not the person."
    )


@router.post(
    "/investigations/{investigation_id}/investigators",
    response={201: InvestigationOut, **errors(400, 403, 404)},
    summary="Name an investigator",
)
def investigator_create(
    request: HttpRequest, investigation_id: str, payload: InvestigatorIn, response: HttpResponse
) -> Status:
    """HR names an investigator. Anyone who supports the person (their peer mentor or
    coach, a facilitator of their group, a named supporter, a peer supporter they brought
    to a review meeting, a mentor or coach who reported an exception about them) is refused
    with the rule in words (400), the attempt audited, nothing saved."""
    member = member_of(request)
    investigation = access.investigation_for_member(member, investigation_id, Action.CHANGE)
    chosen = _colleague(member, payload.member, "member")
    investigations.add_investigator(actor=member, investigation=investigation, member=chosen)
    etag(response, investigation.version)
    return Status(201, _investigation_out(investigation, member))


class Removed(Schema):
    id: uuid.UUID
    removed: bool


@router.delete(
    "/investigations/{investigation_id}/investigators/{investigator_member_id}",
    response={200: Removed, **errors(400, 403, 404)},
    summary="Take an investigator off",
)
def investigator_remove(
    request: HttpRequest, investigation_id: str, investigator_member_id: str
) -> dict[str, object]:
    """HR takes someone off an open investigation; 404 when they are not on it."""
    member = member_of(request)
    investigation = access.investigation_for_member(member, investigation_id, Action.CHANGE)
    wanted = core_access.parse_id(investigator_member_id)
    if not access.reads_findings(member, investigation) or not any(
        row.member_id == wanted for row in investigations.investigators_on(investigation)
    ):
        raise Http404
    investigations.remove_investigator(actor=member, investigation=investigation, member_id=wanted)
    return {"id": wanted, "removed": True}


class CompleteIn(Schema):
    outcome: OutcomeCode
    findings: Text | None = Field(
        None,
        max_length=investigations.FINDINGS_MAX,
        description="The findings; null to keep those written so far (they are required).",
    )
    reason: Text = Field(
        "",
        max_length=investigations.REASON_MAX,
        description="For `disciplinary` only, and then required: the written reason that "
        "goes with the hand-off on grounds of gross misconduct, for HR's countersignature.",
    )


@router.post(
    "/investigations/{investigation_id}/complete",
    response={200: InvestigationOut, **errors(400, 403, 404, 409)},
    summary="Complete an investigation",
)
def investigation_complete(
    request: HttpRequest,
    investigation_id: str,
    payload: CompleteIn,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """HR completes it. `no_grounds` closes the concern as no grounds found; `restorative`
    and `support` close it as resolved; `disciplinary` asks for the hand-off to the
    organisation's procedure, which waits for HR's countersignature."""
    member = member_of(request)
    investigation = access.investigation_for_member(member, investigation_id, Action.CHANGE)
    investigations.complete_investigation(
        actor=member,
        investigation=investigation,
        outcome=payload.outcome,
        findings=payload.findings,
        reason=payload.reason,
        version=version_from(if_match),
    )
    etag(response, investigation.version)
    return _investigation_out(investigation, member)


# --- named supporters ------------------------------------------------------------------------


class SupporterOut(Schema):
    """Someone named to support the person while the concern is open (§4.5, §4.7)."""

    id: uuid.UUID
    concern: uuid.UUID
    member: PersonRef
    added_by: PersonRef | None
    added_at: Time


def _supporter_out(row: NamedSupporter) -> dict[str, object]:
    return {
        "id": row.pk,
        "concern": row.concern_id,
        "member": person_ref(row.member),
        "added_by": person_ref(row.added_by),
        "added_at": row.added_at,
    }


def _supporters_concern(member: Membership, concern_id: str) -> Concern:
    """The person, whoever works the case and its supporters; an investigator, as such,
    gets 404 (§4.7)."""
    concern = access.concern_for_member(member, concern_id)
    if not (
        member.pk == concern.person_id
        or access.manages_case(member, concern.person)
        or access.is_named_supporter(member, concern)
    ):
        raise Http404
    return concern


@router.get(
    "/concerns/{concern_id}/supporters",
    response={200: list[SupporterOut], **errors(404)},
    summary="Who is named to support the person",
)
@paginate(Pages)
def supporter_list(request: HttpRequest, concern_id: str) -> list[dict[str, object]]:
    concern = _supporters_concern(member_of(request), concern_id)
    return [_supporter_out(row) for row in investigations.supporters_on(concern)]


class SupporterIn(Schema):
    member: uuid.UUID = Field(
        description="A colleague the person trusts, who investigates them in no way (§4.7)."
    )


@router.post(
    "/concerns/{concern_id}/supporters",
    response={201: SupporterOut, **errors(400, 403, 404)},
    summary="Name someone to support the person",
)
def supporter_create(request: HttpRequest, concern_id: str, payload: SupporterIn) -> Status:
    """The person names someone to support them while the concern is open, or their line
    manager or HR does and the person is told. Someone who investigates them is refused
    (400, audited, §4.7)."""
    member = member_of(request)
    concern = _supporters_concern(member, concern_id)
    if not investigations.names_supporters(member, concern):
        raise PermissionDenied(_("The staff member, their line manager and HR name supporters."))
    chosen = _colleague(member, payload.member, "member")
    row = investigations.name_supporter(actor=member, concern=concern, member=chosen)
    return Status(201, _supporter_out(row))


@router.delete(
    "/named-supporters/{named_supporter_id}",
    response={200: Removed, **errors(400, 403, 404)},
    summary="End a named support",
)
def supporter_remove(request: HttpRequest, named_supporter_id: str) -> dict[str, object]:
    """The person, HR, or the supporter stepping down. The last supporter stays while a
    suspension lasts (400): support goes on."""
    row = investigations.supporter_for_member(member_of(request), named_supporter_id, Action.DELETE)
    pk = row.pk
    investigations.remove_supporter(actor=member_of(request), supporter=row)
    return {"id": pk, "removed": True}
