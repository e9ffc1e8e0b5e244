"""The people API: my profile, my disclosures and shares, what others shared with me, who saw
my data, staff records, availability, exception reports, and my own export and erasure
(issue 4; API.md).

Thin handlers, as in ``peerwork.core.api``: each finds the acting membership, calls its access
gate first (``peerwork.people.access``, or the core's for directory data), then a service, and
answers with a typed schema built here from what the service returned.

What each part may show follows DESIGN.md "Privacy model":

- Disclosures are read only through ``services.read_disclosures``, which writes an audit
  event per answer before it is shown (§2.3: the person can always see who read what). A
  share that expired, was stopped or is paused answers 404 to its grantee, with no reason.
- The emergency contact is answered only to its owner, on ``/me/profile``.
- Availability is work data: the agreed pattern in the organisation's local times and
  neutral busy times labelled "unavailable" or "appointment", never a reason (§2.4.1:
  regular dispensing is agreed as working hours, not shown as a daily appointment).
- An exception report's text is read through ``read_exception_report`` (audited), by its
  three people only (§3.11, §3.13, App. 4).
- ``/me/export`` and ``/me/erase`` take no id: everyone gets, and erases, their own.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

import pydantic
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.errors import ValidationError as SchemaMisfit
from ninja.pagination import CursorPagination, paginate
from ninja.responses import Status
from pydantic import AfterValidator

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, PersonRef, Text, Time, check_year, codes, errors, person_ref
from peerwork.core import access as core_access
from peerwork.core.access import Action
from peerwork.core.api import etag, version_from
from peerwork.core.audit import events_about
from peerwork.core.models import AuditEvent, Membership, Role
from peerwork.core.versions import StaleVersion

from . import access, availability, exception_reports, export, retention, services
from .disclosures import PREFER_NOT_TO_SAY, describe
from .models import (
    Category,
    Disclosure,
    ExceptionReport,
    Profile,
    SharingGrant,
    StaffRecord,
    Unavailability,
    WorkingPattern,
)

router = Router()

# What "availability" answers when no window is asked for: the coming week.
DEFAULT_WINDOW = dt.timedelta(days=7)


# --- shared pieces ---------------------------------------------------------------------


class TeamRef(Schema):
    id: uuid.UUID
    name: str


class AnswerLine(Schema):
    label: str
    value: str


def _no_time_zone(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("give a local time, without a time zone")
    return value


LocalTime = Annotated[dt.time, AfterValidator(_no_time_zone)]
"""A wall-clock time in the organisation's zone ("09:30")."""

AnswerValue = str | list[str] | bool


CategoryCode = Annotated[Category, codes(Category)]
AudienceCode = Annotated[SharingGrant.Audience, codes(SharingGrant.Audience)]
ContractCode = Annotated[StaffRecord.Contract, codes(StaffRecord.Contract)]
BusyCode = Annotated[Unavailability.Kind, codes(Unavailability.Kind)]
ReasonCode = Annotated[ExceptionReport.Reason, codes(ExceptionReport.Reason)]


def _renamed(error: ValidationError, names: Mapping[str, str]) -> ValidationError:
    """``error`` with its fields named as the request names them (the services name model
    fields: ``display_name`` is the API's ``name``, a question key is ``answer.<key>``)."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(field, field): messages for field, messages in error.message_dict.items()}
    )


# --- my profile ------------------------------------------------------------------------


class ProfileOut(Schema):
    """How I want to be named and reached at work here. Only I see the emergency contact."""

    name: str
    pronouns: str
    languages: str
    work_email: str
    work_phone: str
    emergency_contact: str | None
    version: int = Field(
        description="Send it back as `If-Match` to change the profile (0 before a first change)."
    )


class ProfileChange(Schema):
    """Only the fields sent change; an empty string clears one (not `name`)."""

    name: Text | None = None
    pronouns: Text | None = None
    languages: Text | None = None
    emergency_contact: Text | None = None


def _profile_out(member: Membership, profile: Profile | None) -> dict[str, object]:
    return {
        "name": member.name,
        "pronouns": profile.pronouns if profile else "",
        "languages": profile.languages if profile else "",
        "work_email": member.work_email,
        "work_phone": member.work_phone,
        "emergency_contact": profile.emergency_contact if profile else None,
        "version": profile.version if profile else 0,
    }


@router.get(
    "/me/profile",
    response={200: ProfileOut, **errors()},
    summary="My profile",
    tags=["me"],
)
def profile(request: HttpRequest, response: HttpResponse) -> dict[str, object]:
    """My profile in this organisation, with my emergency contact (mine alone to read)."""
    member = member_of(request)
    found = Profile.objects.filter(membership=member).first()
    etag(response, found.version if found else 0)
    return _profile_out(member, found)


@router.patch(
    "/me/profile",
    response={200: ProfileOut, **errors(400, 409)},
    summary="Change my profile",
    tags=["me"],
)
def profile_change(
    request: HttpRequest,
    payload: ProfileChange,
    response: HttpResponse,
    if_match: str = Header(
        ..., alias="If-Match", description="The profile's `version` as you read it (0 at first)."
    ),
) -> dict[str, object]:
    """Change my name, pronouns, languages or emergency contact. 409 when the profile
    changed since the version sent in `If-Match`."""
    member = member_of(request)
    version = version_from(if_match)
    try:
        changed = services.update_profile(
            actor=member,
            display_name=payload.name,
            pronouns=payload.pronouns,
            languages=payload.languages,
            emergency_contact=payload.emergency_contact,
            version=version,
        )
    except ValidationError as error:
        raise _renamed(error, {"display_name": "name"}) from None
    except IntegrityError:
        # Two first changes at once: the other one made the profile.
        raise StaleVersion from None
    etag(response, changed.version)
    return _profile_out(member, changed)


# --- my disclosures --------------------------------------------------------------------


class DisclosureOut(Schema):
    id: uuid.UUID
    category: CategoryCode
    category_label: str
    answer: dict[str, AnswerValue] = Field(
        description="The answers by question key; `prefer_not_to_say: true` on its own when "
        "that was the answer."
    )
    prefer_not_to_say: bool
    lines: list[AnswerLine] = Field(description="The answer in words, in the request's language.")
    made_at: Time
    replaced_at: Time | None = Field(description="Set on earlier answers (history only).")
    entered_by: PersonRef | None = Field(
        description="The HR officer who entered it under a share; null when the person did."
    )


class DisclosureIn(Schema):
    """An answer for one category. Every question is optional; `prefer_not_to_say: true`
    is an answer of its own and replaces the others."""

    category: CategoryCode
    answer: dict[str, AnswerValue] = Field(default_factory=dict)
    prefer_not_to_say: bool = False


class DisclosureRemove(Schema):
    category: CategoryCode


class Removed(Schema):
    category: CategoryCode
    removed: int = Field(description="How many answers were deleted, earlier ones included.")


def _disclosure_out(disclosure: Disclosure) -> dict[str, object]:
    answer = disclosure.answer
    return {
        "id": disclosure.pk,
        "category": disclosure.category,
        "category_label": str(Category(disclosure.category).label),
        "answer": answer,
        "prefer_not_to_say": bool(answer.get(PREFER_NOT_TO_SAY)),
        "lines": [
            {"label": line.label, "value": line.value}
            for line in describe(disclosure.category, answer)
        ],
        "made_at": disclosure.made_at,
        "replaced_at": disclosure.replaced_at,
        "entered_by": person_ref(disclosure.entered_by) if disclosure.entered_by_id else None,
    }


def _answer_of(payload: DisclosureIn) -> dict[str, object]:
    answer: dict[str, object] = dict(payload.answer)
    if payload.prefer_not_to_say:
        answer[PREFER_NOT_TO_SAY] = True
    return answer


def _disclose(actor: Membership, owner: Membership, payload: DisclosureIn) -> Disclosure:
    answer = _answer_of(payload)
    try:
        return services.disclose(actor=actor, owner=owner, category=payload.category, answer=answer)
    except ValidationError as error:
        keys = {key: f"answer.{key}" for key in answer if key != PREFER_NOT_TO_SAY}
        raise _renamed(error, keys) from None


@router.get(
    "/disclosures",
    response={200: list[DisclosureOut], **errors()},
    summary="My current answers",
    tags=["disclosures"],
)
def disclosures(request: HttpRequest) -> list[dict[str, object]]:
    """My current answer in each category I answered (each read is written to the audit
    chain, like anyone's)."""
    member = member_of(request)
    found = services.read_disclosures(actor=member, owner=member)
    return [_disclosure_out(d) for d in found]


@router.get(
    "/disclosures/history",
    response={200: list[DisclosureOut], **errors()},
    summary="My answers, earlier ones included",
    tags=["disclosures"],
)
def disclosure_history(request: HttpRequest) -> list[dict[str, object]]:
    """Every answer I gave, current and earlier, by category and newest first. People move
    between §2.4's groups; only they see this history."""
    member = member_of(request)
    found = services.read_disclosures(actor=member, owner=member, history=True)
    return [_disclosure_out(d) for d in found]


@router.post(
    "/disclosures",
    response={201: DisclosureOut, **errors(400)},
    summary="Answer for a category",
    tags=["disclosures"],
)
def disclosure_create(request: HttpRequest, payload: DisclosureIn) -> Status:
    """Give a new answer for one category; the previous one becomes history. 400 names each
    answer at fault (`answer.<question>`), and nothing changes."""
    member = member_of(request)
    return Status(201, _disclosure_out(_disclose(member, member, payload)))


@router.post(
    "/disclosures/remove",
    response={200: Removed, **errors()},
    summary="Take back a category",
    tags=["disclosures"],
)
def disclosure_remove(request: HttpRequest, payload: DisclosureRemove) -> dict[str, object]:
    """Delete every answer in a category, earlier ones included (again is harmless)."""
    member = member_of(request)
    removed = services.remove_disclosure(actor=member, category=payload.category)
    return {"category": payload.category, "removed": removed}


# --- my shares -------------------------------------------------------------------------

GrantState = Literal["active", "paused", "expired", "revoked"]


class GrantOut(Schema):
    """A share I made, in any state."""

    id: uuid.UUID
    audience: AudienceCode
    audience_label: str
    grantee: PersonRef | None = Field(description="For a person or my line manager.")
    team: TeamRef | None = Field(description="For my team.")
    categories: list[CategoryCode]
    purpose: str
    created_at: Time
    expires_at: Time | None
    revoked_at: Time | None
    state: GrantState = Field(
        description="`paused`: my line manager changed; confirm it for the new one or stop it."
    )
    version: int = Field(description="Send it back as `If-Match` to renew, confirm or stop it.")


class GrantCreate(Schema):
    audience: AudienceCode
    grantee_id: uuid.UUID | None = Field(None, description="The colleague, for `person`.")
    categories: list[CategoryCode] = Field(description="At least one.")
    purpose: Text = Field(description="Why I share it; the grantee reads it too.")
    expires_on: dt.date | None = Field(
        None,
        description="The last day. Shares with a person or my line manager end after six "
        "months unless a date is given; audiences have no end unless one is given.",
    )


class GrantRenew(Schema):
    expires_on: dt.date | None = Field(
        None, description="The new last day; six months from today when not given."
    )


def _grant_out(grant: SharingGrant) -> dict[str, object]:
    audience = SharingGrant.Audience(grant.audience)
    return {
        "id": grant.pk,
        "audience": audience,
        "audience_label": str(audience.label),
        "grantee": person_ref(grant.grantee),
        "team": {"id": grant.team.pk, "name": grant.team.name} if grant.team else None,
        "categories": grant.categories,
        "purpose": grant.purpose or "",
        "created_at": grant.created_at,
        "expires_at": grant.expires_at,
        "revoked_at": grant.revoked_at,
        "state": grant.state(),
        "version": grant.version,
    }


def _colleague(member: Membership, colleague_id: uuid.UUID | None) -> Membership | None:
    """A colleague ``member`` may find in the directory, or None (the service then names
    the field at fault)."""
    if colleague_id is None:
        return None
    try:
        return core_access.membership_for_member(member, colleague_id)
    except Http404:
        return None


@router.get(
    "/grants",
    response={200: list[GrantOut], **errors()},
    summary="My shares",
    tags=["grants"],
)
@paginate(Pages)
def grants(request: HttpRequest) -> list[dict[str, object]]:
    """Every share I made, newest first, whatever its state: active, paused, expired or
    stopped."""
    member = member_of(request)
    made = SharingGrant.objects.filter(
        organisation_id=member.organisation_id, owner=member
    ).select_related("owner", "grantee__user", "team")
    return [_grant_out(grant) for grant in made.order_by("-created_at", "id")]


@router.post(
    "/grants",
    response={201: GrantOut, **errors(400)},
    summary="Share some of my answers",
    tags=["grants"],
)
def grant_create(request: HttpRequest, payload: GrantCreate, response: HttpResponse) -> Status:
    """Share chosen categories with a colleague, my line manager, my team or everyone here,
    for a purpose. An unknown colleague, an end in the past or no category is refused (400,
    with the field named) and nothing is shared."""
    member = member_of(request)
    try:
        grant = services.share(
            actor=member,
            audience=payload.audience,
            grantee=_colleague(member, payload.grantee_id),
            categories=payload.categories,
            purpose=payload.purpose,
            expires_on=payload.expires_on,
        )
    except ValidationError as error:
        raise _renamed(error, {"grantee": "grantee_id"}) from None
    etag(response, grant.version)
    return Status(201, _grant_out(grant))


@router.get(
    "/grants/{grant_id}",
    response={200: GrantOut, **errors(404)},
    summary="One of my shares",
    tags=["grants"],
)
def grant(request: HttpRequest, grant_id: str, response: HttpResponse) -> dict[str, object]:
    found = access.grant_for_owner(member_of(request), grant_id)
    etag(response, found.version)
    return _grant_out(found)


@router.post(
    "/grants/{grant_id}/revoke",
    response={200: GrantOut, **errors(404, 409)},
    summary="Stop a share",
    tags=["grants"],
)
def grant_revoke(
    request: HttpRequest,
    grant_id: str,
    response: HttpResponse,
    if_match: str | None = Header(
        None,
        alias="If-Match",
        description="Optional: the share's `version` as you read it; 409 if it changed since.",
    ),
) -> dict[str, object]:
    """Stop a share at once: the grantee's next request no longer sees anything. Stopping a
    stopped share is harmless. Without `If-Match` it stops whatever changed meanwhile."""
    member = member_of(request)
    found = access.grant_for_owner(member, grant_id)
    version = version_from(if_match) if if_match is not None else None
    stopped = services.revoke_grant(actor=member, grant=found, version=version)
    etag(response, stopped.version)
    return _grant_out(stopped)


@router.post(
    "/grants/{grant_id}/renew",
    response={200: GrantOut, **errors(400, 404, 409)},
    summary="Renew a share",
    tags=["grants"],
)
def grant_renew(
    request: HttpRequest,
    grant_id: str,
    payload: GrantRenew,
    response: HttpResponse,
    if_match: str = Header(..., alias="If-Match", description="The share's `version`."),
) -> dict[str, object]:
    """Give a share a new end (six months from today unless a day is given). A stopped
    share cannot be renewed: share again instead."""
    member = member_of(request)
    found = access.grant_for_owner(member, grant_id)
    renewed = services.renew_grant(
        actor=member,
        grant=found,
        expires_on=payload.expires_on,
        version=version_from(if_match),
    )
    etag(response, renewed.version)
    return _grant_out(renewed)


@router.post(
    "/grants/{grant_id}/confirm",
    response={200: GrantOut, **errors(400, 404, 409)},
    summary="Confirm a share for my new line manager",
    tags=["grants"],
)
def grant_confirm(
    request: HttpRequest,
    grant_id: str,
    response: HttpResponse,
    if_match: str = Header(..., alias="If-Match", description="The share's `version`."),
) -> dict[str, object]:
    """A share with my line manager pauses when my line manager changes; this opens it to
    the new one. 400 for a share that is not paused."""
    member = member_of(request)
    found = access.grant_for_owner(member, grant_id)
    confirmed = services.confirm_grant(actor=member, grant=found, version=version_from(if_match))
    etag(response, confirmed.version)
    return _grant_out(confirmed)


# --- shared with me --------------------------------------------------------------------


class SharedOut(Schema):
    """A share that reaches me now: whose, what, why and until when."""

    id: uuid.UUID
    owner: PersonRef
    audience: AudienceCode
    audience_label: str
    categories: list[CategoryCode]
    purpose: str
    created_at: Time
    expires_at: Time | None


class SharedDetailOut(SharedOut):
    disclosures: list[DisclosureOut] = Field(
        description="The owner's current answers in the shared categories (each read is "
        "written to the owner's list of who saw their data)."
    )


def _shared_out(grant: SharingGrant) -> dict[str, object]:
    audience = SharingGrant.Audience(grant.audience)
    return {
        "id": grant.pk,
        "owner": person_ref(grant.owner),
        "audience": audience,
        "audience_label": str(audience.label),
        "categories": grant.categories,
        "purpose": grant.purpose or "",
        "created_at": grant.created_at,
        "expires_at": grant.expires_at,
    }


def _shared_with(member: Membership, shared_id: str) -> SharingGrant:
    """A share made to ``member`` that is active now (their own shares are not "shared with
    me"); 404 otherwise, saying nothing of why."""
    found = access.grant_for_member(member, shared_id)
    if found.owner_id == member.pk:
        raise Http404
    return found


@router.get(
    "/shared-with-me",
    response={200: list[SharedOut], **errors()},
    summary="Shared with me",
    tags=["shared with me"],
)
@paginate(Pages)
def shared_with_me(request: HttpRequest) -> list[dict[str, object]]:
    """Shares active now whose audience includes me, newest first."""
    member = member_of(request)
    return [_shared_out(grant) for grant in services.shares_with(member)]


@router.get(
    "/shared-with-me/{shared_id}",
    response={200: SharedDetailOut, **errors(404)},
    summary="What a colleague shared with me",
    tags=["shared with me"],
)
def shared(request: HttpRequest, shared_id: str) -> dict[str, object]:
    """The owner's answers in the share's categories. 404 once it expired, was stopped or
    paused."""
    member = member_of(request)
    found = _shared_with(member, shared_id)
    read = services.read_disclosures(actor=member, owner=found.owner, categories=found.categories)
    return {**_shared_out(found), "disclosures": [_disclosure_out(d) for d in read]}


@router.post(
    "/shared-with-me/{shared_id}/disclosures",
    response={201: DisclosureOut, **errors(400, 404)},
    summary="Enter an answer for the person who shared (HR)",
    tags=["shared with me"],
)
def shared_disclose(request: HttpRequest, shared_id: str, payload: DisclosureIn) -> Status:
    """HR enters an answer for the person, only in a category of this active share made to
    them by name (not one to a team or everyone); the person is told at once. Anyone else
    gets 404."""
    member = member_of(request)
    found = _shared_with(member, shared_id)
    if not member.has_role(Role.HR) or found.grantee_id != member.pk:
        raise Http404
    if payload.category not in found.categories:
        raise ValidationError({"category": [_("This share does not include this category.")]})
    if not access.may_enter_for(member, found.owner, payload.category):
        raise Http404
    return Status(201, _disclosure_out(_disclose(member, found.owner, payload)))


# --- who saw my data -------------------------------------------------------------------


class ReadOut(Schema):
    """One read of my data: who, what, when."""

    id: uuid.UUID
    at: Time
    actor: PersonRef | None = Field(
        description="Who read it (me included); null for Peerwork itself. Someone who has "
        "left since is named as a former member."
    )
    action: str = Field(description="What was read: `disclosure.read`, `exception_report.read`.")
    category: CategoryCode | None = Field(
        description="The category of a disclosure read; null for other reads and for an "
        "answer removed since (audit events never name it: it is read from the answer)."
    )


def _read_rows(member: Membership, events: list[AuditEvent]) -> list[dict[str, object]]:
    categories = services.what_was_read(events)
    names = services.names_of(member.organisation_id, (e.actor_id for e in events))
    return [
        {
            "id": event.pk,
            "at": event.at,
            "actor": None
            if event.actor_id is None
            else {"id": event.actor_id, "name": names.get(event.actor_id, _("A former member"))},
            "action": event.action,
            "category": categories.get(event.pk) or None,
        }
        for event in events
    ]


class ReadPages(CursorPagination):
    """django-ninja's cursor pagination over the audit chain's numbers, newest first, each
    page's events turned into rows for the owner.

    A cursor is a client's text: one that does not decode to a position number is refused
    with 422 before it reaches the database.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(ordering=("-seq",), page_size=50, max_page_size=200, **kwargs)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        try:
            cursor = self.Cursor.from_encoded_param(pagination.cursor)
        except pydantic.ValidationError:
            cursor = None
        if cursor is None or (cursor.p is not None and not cursor.p.isdigit()):
            raise SchemaMisfit([{"loc": ["query", "cursor"], "msg": "Invalid cursor"}])
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = _read_rows(member_of(request), page[self.items_attribute])
        return page


@router.get(
    "/me/reads",
    response={200: list[ReadOut], **errors()},
    summary="Who saw my data",
    tags=["me"],
)
@paginate(ReadPages)
def reads(request: HttpRequest) -> QuerySet[AuditEvent]:
    """Every read of my disclosures and of exception reports about me, newest first, mine
    included. Every share I ever made is under `/grants`."""
    return events_about(member_of(request))


# --- staff records and working patterns -------------------------------------------------


class StaffRecordOut(Schema):
    """A person's terms of work: personnel data (the person, their line manager, HR)."""

    person: PersonRef
    position: str
    line_manager: PersonRef | None
    grade: str
    contract: ContractCode
    contract_label: str
    hours_per_week: float | None
    started_on: dt.date | None
    ends_on: dt.date | None
    version: int = Field(
        description="Send it back as `If-Match` to change the record (0 before a first change)."
    )
    working_pattern_version: str = Field(
        description="The agreed working pattern's version: send it back as `If-Match` to "
        "`PUT /people/{person_id}/working-pattern`."
    )


class StaffRecordChange(Schema):
    """Only the fields sent change. A new line manager pauses the person's shares with
    their line manager until they confirm them."""

    position: Text | None = None
    line_manager_id: uuid.UUID | None = None
    grade: Text | None = None
    contract: ContractCode | None = None
    hours_per_week: Decimal | None = None
    started_on: dt.date | None = None
    ends_on: dt.date | None = None


def _record_version(record: StaffRecord) -> int:
    return 0 if record._state.adding else record.version


def _record_out(person: Membership, record: StaffRecord) -> dict[str, object]:
    contract = StaffRecord.Contract(record.contract)
    return {
        "person": person_ref(person),
        "position": person.title,
        "line_manager": person_ref(person.line_manager),
        "grade": record.grade,
        "contract": contract,
        "contract_label": str(contract.label),
        "hours_per_week": None if record.hours_per_week is None else float(record.hours_per_week),
        "started_on": record.started_on,
        "ends_on": record.ends_on,
        "version": _record_version(record),
        "working_pattern_version": availability.pattern_fingerprint(person),
    }


def _record_changes(member: Membership, payload: StaffRecordChange) -> dict[str, object]:
    sent = payload.model_fields_set
    changes: dict[str, object] = {}
    for name in ("position", "grade"):
        if name in sent:
            changes[name] = (getattr(payload, name) or "").strip()
    for name in ("hours_per_week", "started_on", "ends_on"):
        if name in sent:
            changes[name] = getattr(payload, name)
    if "contract" in sent:
        if payload.contract is None:
            raise ValidationError({"contract": [_("Choose a contract type.")]})
        changes["contract"] = payload.contract
    if "line_manager_id" in sent:
        manager = _colleague(member, payload.line_manager_id)
        if payload.line_manager_id is not None and manager is None:
            raise ValidationError({"line_manager_id": [_("Choose a line manager from the list.")]})
        changes["line_manager"] = manager
    return changes


@router.get(
    "/people/{person_id}/staff-record",
    response={200: StaffRecordOut, **errors(404)},
    summary="A staff record",
    tags=["staff records"],
)
def staff_record(request: HttpRequest, person_id: str, response: HttpResponse) -> dict[str, object]:
    """For the person, their line manager and HR; anyone else gets 404."""
    person, record = access.staff_record_for_member(member_of(request), person_id)
    etag(response, _record_version(record))
    return _record_out(person, record)


@router.patch(
    "/people/{person_id}/staff-record",
    response={200: StaffRecordOut, **errors(400, 403, 404, 409)},
    summary="Change a staff record",
    tags=["staff records"],
)
def staff_record_change(
    request: HttpRequest,
    person_id: str,
    payload: StaffRecordChange,
    response: HttpResponse,
    if_match: str = Header(
        ..., alias="If-Match", description="The record's `version` as you read it (0 at first)."
    ),
) -> dict[str, object]:
    """The line manager or HR change a person's terms (the person may read, not change:
    403). 409 when the record changed since the version sent."""
    member = member_of(request)
    person, record = access.staff_record_for_member(member, person_id, Action.CHANGE)
    changes = _record_changes(member, payload)
    started_on = changes.get("started_on", record.started_on)
    ends_on = changes.get("ends_on", record.ends_on)
    if isinstance(started_on, dt.date) and isinstance(ends_on, dt.date) and ends_on < started_on:
        # The model's constraint would refuse it too, but in words meant for developers.
        raise ValidationError({"ends_on": [_("The end date cannot be before the start date.")]})
    try:
        changed = services.update_staff_record(
            actor=member,
            person=person,
            record=record,
            version=version_from(if_match),
            changes=changes,
        )
    except ValidationError as error:
        raise _renamed(error, {"line_manager": "line_manager_id"}) from None
    except IntegrityError:
        # Two first changes at once: the other one made the record.
        raise StaleVersion from None
    etag(response, changed.version)
    return _record_out(person, changed)


class PatternDayIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 is Monday, 6 is Sunday.")
    starts: LocalTime
    ends: LocalTime
    core_starts: LocalTime | None = Field(
        None,
        description="A flexible day: the person is there from here to `core_ends`, starting "
        "and finishing when they choose between `starts` and `ends`. Both or neither.",
    )
    core_ends: LocalTime | None = None
    home_working: bool = Field(False, description="Works from home that day.")


class PatternIn(Schema):
    """The whole agreed pattern: it replaces the previous one. Days left out are not
    working days; an empty list clears the pattern."""

    days: list[PatternDayIn] = Field(max_length=7)


class PatternDayOut(Schema):
    weekday: int
    day: str
    starts: str = Field(description='Local time, "09:30".')
    ends: str = Field(description='Local time, "17:00".')
    # Left out of an answer when they do not apply (a fixed day at the workplace), so the
    # answers of patterns without them stay as they were.
    core_starts: str | None = Field(
        None, description="A flexible day's core hours from; absent on a fixed day."
    )
    core_ends: str | None = Field(None, description="Core hours until; absent on a fixed day.")
    home_working: bool = Field(False, description="Works from home; absent when not.")


class PatternOut(Schema):
    person: PersonRef
    time_zone: str = Field(description='The organisation\'s zone, "Africa/Nairobi".')
    days: list[PatternDayOut]
    version: str = Field(
        description="The pattern's version (also the `ETag`): send it back as `If-Match` to "
        "change it again."
    )


def _pattern_day(day: availability.PatternDay | WorkingPattern) -> dict[str, object]:
    return {
        "weekday": day.weekday,
        "day": str(WorkingPattern.Weekday(day.weekday).label),
        "starts": day.starts.strftime("%H:%M"),
        "ends": day.ends.strftime("%H:%M"),
        "core_starts": day.core_starts.strftime("%H:%M") if day.core_starts else None,
        "core_ends": day.core_ends.strftime("%H:%M") if day.core_ends else None,
        "home_working": day.home_working,
    }


_PATTERN_MATCH = re.compile(r'\s*(?:W/)?"?([0-9a-f]{1,64})"?\s*')


def _pattern_version_from(if_match: str) -> str:
    found = _PATTERN_MATCH.fullmatch(if_match)
    if found is None:
        raise ValidationError(
            {"If-Match": [_("Send the working pattern's version you read, in quotes.")]}
        )
    return found.group(1)


@router.put(
    "/people/{person_id}/working-pattern",
    response={200: PatternOut, **errors(400, 403, 404, 409)},
    summary="Set an agreed working pattern (If-Match: the staff record's working_pattern_version)",
    tags=["staff records"],
    exclude_defaults=True,
)
def working_pattern(
    request: HttpRequest,
    person_id: str,
    payload: PatternIn,
    response: HttpResponse,
    if_match: str | None = Header(
        None,
        alias="If-Match",
        description="The pattern's version as you read it: `working_pattern_version` of "
        "`GET /people/{person_id}/staff-record`, or the `ETag` of a previous `PUT`. 409 if "
        "the pattern changed since. Without it the pattern is replaced whatever it is now.",
    ),
) -> dict[str, object]:
    """The line manager or HR record the working hours agreed with the person (§2.4.1:
    flexible hours are terms of work). Everyone planning sees the hours, never why. Two
    managers editing at once: the second save, sent with the version it read, gets 409."""
    member = member_of(request)
    person, _record = access.staff_record_for_member(member, person_id, Action.CHANGE)
    days = [
        availability.PatternDay(
            d.weekday, d.starts, d.ends, d.core_starts, d.core_ends, d.home_working
        )
        for d in payload.days
    ]
    expected = _pattern_version_from(if_match) if if_match is not None else None
    try:
        rows = availability.set_working_pattern(
            actor=member, membership=person, days=days, expected=expected
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        raise ValidationError({"days": error.messages}) from None
    version = availability.pattern_fingerprint(person)
    etag(response, version)
    return {
        "person": person_ref(person),
        "time_zone": person.organisation.time_zone,
        "days": [_pattern_day(row) for row in rows],
        "version": version,
    }


# --- availability ------------------------------------------------------------------------


class IntervalOut(Schema):
    starts_at: Time
    ends_at: Time


class BusyOut(IntervalOut):
    label: BusyCode = Field(description="A neutral label; never a reason.")


class AvailabilityOut(Schema):
    """Work facts for planning: the agreed pattern and neutral busy times, never why."""

    person: PersonRef
    time_zone: str = Field(description='The organisation\'s zone, "Africa/Nairobi".')
    start: Time
    end: Time
    pattern: list[PatternDayOut] = Field(description="The agreed week, in local times.")
    working: list[IntervalOut] = Field(description="The pattern laid out on the dates asked.")
    unavailable: list[BusyOut]


class Window(Schema):
    start: dt.datetime | None = Field(None, description="ISO 8601 with offset; default now.")
    end: dt.datetime | None = Field(
        None, description="ISO 8601 with offset; default a week after the start. At most 62 days."
    )


@router.get(
    "/people/{person_id}/availability",
    response={200: AvailabilityOut, **errors(400, 404)},
    summary="A colleague's availability",
    tags=["availability"],
    exclude_defaults=True,
)
def person_availability(
    request: HttpRequest, person_id: str, window: Query[Window]
) -> dict[str, object]:
    """For anyone who sees the person in the directory. Times with their offset; a time
    without one is refused (400)."""
    person = core_access.membership_for_member(member_of(request), person_id)
    check_year(window.start, "start")
    check_year(window.end, "end")
    start, end = window.start, window.end
    if start is None:
        start = end - DEFAULT_WINDOW if end is not None else timezone.now()
    if end is None:
        end = start + DEFAULT_WINDOW
    found = availability.availability_for(person, start, end)
    return {
        "person": person_ref(person),
        "time_zone": found.time_zone,
        "start": found.starts_at,
        "end": found.ends_at,
        "pattern": [_pattern_day(d) for d in found.pattern],
        "working": [{"starts_at": w.starts_at, "ends_at": w.ends_at} for w in found.working],
        "unavailable": [
            {"starts_at": b.starts_at, "ends_at": b.ends_at, "label": b.label}
            for b in found.unavailable
        ],
    }


class UnavailabilityIn(Schema):
    kind: BusyCode = Field(description="How planners see it; there is no reason.")
    starts_at: dt.datetime
    ends_at: dt.datetime


class UnavailabilityOut(Schema):
    id: uuid.UUID
    kind: BusyCode
    label: str
    starts_at: Time
    ends_at: Time


def _unavailability_out(row: Unavailability) -> dict[str, object]:
    kind = Unavailability.Kind(row.kind)
    return {
        "id": row.pk,
        "kind": kind,
        "label": str(kind.label),
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
    }


@router.get(
    "/me/unavailability",
    response={200: list[UnavailabilityOut], **errors()},
    summary="My times away",
    tags=["availability"],
)
@paginate(Pages)
def my_unavailability(request: HttpRequest) -> list[dict[str, object]]:
    """My times away that have not ended yet, soonest first."""
    member = member_of(request)
    rows = Unavailability.objects.filter(
        organisation_id=member.organisation_id, membership=member, ends_at__gt=timezone.now()
    ).order_by("starts_at", "id")
    return [_unavailability_out(row) for row in rows]


@router.post(
    "/me/unavailability",
    response={201: UnavailabilityOut, **errors(400)},
    summary="Add a time I am away",
    tags=["availability"],
)
def unavailability_create(request: HttpRequest, payload: UnavailabilityIn) -> Status:
    """A one-off time, shown to planners as "unavailable" or "appointment" only. A time
    that repeats at the same hour on other days is refused: it belongs in the working
    pattern agreed with the line manager."""
    member = member_of(request)
    check_year(payload.starts_at, "starts_at")
    check_year(payload.ends_at, "ends_at")
    row = availability.add_unavailability(
        actor=member,
        membership=member,
        kind=payload.kind,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(201, _unavailability_out(row))


@router.delete(
    "/me/unavailability/{unavailability_id}",
    response={200: UnavailabilityOut, **errors(404)},
    summary="Remove a time I am away",
    tags=["availability"],
)
def unavailability_remove(request: HttpRequest, unavailability_id: str) -> dict[str, object]:
    """Remove one of my times away; the answer is the time as it was."""
    member = member_of(request)
    row = access.unavailability_for_member(member, unavailability_id)
    removed = _unavailability_out(row)
    availability.remove_unavailability(actor=member, row=row)
    return removed


# --- exception reports -------------------------------------------------------------------


class ExceptionReportOut(Schema):
    id: uuid.UUID
    person: PersonRef = Field(description="The staff member it is about.")
    supporter: PersonRef | None = Field(description="The mentor or coach who made it.")
    recipient: PersonRef | None = Field(description="Who it was sent to.")
    reason: ReasonCode
    reason_label: str
    made_at: Time
    person_told_at: Time | None


class ExceptionReportDetail(ExceptionReportOut):
    disclosed: str | None = Field(description="What was disclosed; null once erased.")


class ExceptionReports(Schema):
    about_me: list[ExceptionReportOut]
    received: list[ExceptionReportOut]
    made: list[ExceptionReportOut]


class ExceptionReportCreate(Schema):
    person_id: uuid.UUID = Field(description="The staff member I mentor or coach.")
    reason: ReasonCode
    disclosed: Text = Field(description="What I disclose, and only that.")
    recipient_id: uuid.UUID | None = Field(
        None, description="One of `/exception-reports/recipients?person_id=`."
    )


class RecipientsQuery(Schema):
    person_id: uuid.UUID


def _report_out(report: ExceptionReport) -> dict[str, object]:
    reason = ExceptionReport.Reason(report.reason)
    return {
        "id": report.pk,
        "person": person_ref(report.person),
        "supporter": person_ref(report.supporter),
        "recipient": person_ref(report.recipient),
        "reason": reason,
        "reason_label": str(reason.label),
        "made_at": report.made_at,
        "person_told_at": report.person_told_at,
    }


def _supported(member: Membership, person_id: uuid.UUID) -> Membership | None:
    """Someone ``member`` mentors or coaches now, or None (a request body's id is checked
    as input, not as a path: ``access.supported_person_for_member``)."""
    try:
        return access.supported_person_for_member(member, person_id)
    except Http404:
        return None


@router.get(
    "/exception-reports",
    response={200: ExceptionReports, **errors()},
    summary="Exception reports",
    tags=["exception reports"],
)
def exception_report_list(request: HttpRequest) -> dict[str, object]:
    """Reports about me, sent to me, and made by me, without what they disclose (read one
    to see it: the read is written to the audit chain)."""
    member = member_of(request)
    found = exception_reports.reports_for(member)
    return {name: [_report_out(r) for r in reports] for name, reports in found.items()}


@router.get(
    "/exception-reports/recipients",
    response={200: list[PersonRef], **errors(404)},
    summary="Who may receive an exception report",
    tags=["exception reports"],
)
def exception_recipients(
    request: HttpRequest, query: Query[RecipientsQuery]
) -> list[dict[str, object] | None]:
    """The recipients the terms of reference name for a report about a person I mentor or
    coach; 404 for anyone else."""
    member = member_of(request)
    person = _supported(member, query.person_id)
    if person is None:
        raise Http404
    return [person_ref(m) for m in exception_reports.recipients_for(member, person)]


@router.post(
    "/exception-reports",
    response={201: ExceptionReportDetail, **errors(400, 403)},
    summary="Make an exception report",
    tags=["exception reports"],
)
def exception_report_create(request: HttpRequest, payload: ExceptionReportCreate) -> Status:
    """A peer mentor or coach reports gross misconduct (actual or planned) or a life in
    danger (§3.11, §3.13, App. 4). It goes to the recipient chosen from those named, and the
    staff member is told at once. Others get 403."""
    member = member_of(request)
    if not member.has_role(Role.PEER_MENTOR, Role.COACH):
        raise PermissionDenied(_("Only a peer mentor or a coach makes exception reports."))
    person = _supported(member, payload.person_id)
    if person is None:
        raise ValidationError({"person_id": [_("Choose a person you mentor or coach.")]})
    recipient = next(
        (
            m
            for m in exception_reports.recipients_for(member, person)
            if m.pk == payload.recipient_id
        ),
        None,
    )
    try:
        report = exception_reports.report_exception(
            actor=member,
            person=person,
            reason=payload.reason,
            disclosed=payload.disclosed,
            recipient=recipient,
        )
    except ValidationError as error:
        raise _renamed(error, {"recipient": "recipient_id"}) from None
    return Status(201, {**_report_out(report), "disclosed": report.disclosed})


@router.get(
    "/exception-reports/{report_id}",
    response={200: ExceptionReportDetail, **errors(404)},
    summary="One exception report",
    tags=["exception reports"],
)
def exception_report(request: HttpRequest, report_id: str) -> dict[str, object]:
    """For the staff member it is about, the mentor or coach who made it and its
    recipient; anyone else gets 404. Each read is written to the staff member's list of
    who saw their data."""
    member = member_of(request)
    found = access.exception_report_for_member(member, report_id)
    disclosed = exception_reports.read_exception_report(actor=member, report=found)
    return {**_report_out(found), "disclosed": disclosed}


# --- my export and erasure -----------------------------------------------------------------


class ExportSection(Schema):
    key: str = Field(description='The kind of record, "people.disclosures".')
    title: str
    on_erasure: str = Field(description="What erasure does to it: `erase`, `erase_on_leaving`, …")
    what_erasure_does: str
    items: list[dict[str, Any]] = Field(description="Each record, its fields by their label.")


class Withheld(Schema):
    kind: str
    reason: str
    note: str


class ExportOut(Schema):
    """Everything Peerwork holds about me here, in the request's language."""

    format: str = Field(description='"peerwork-export/1".')
    made_at: str
    language: str
    time_zone: str
    person: str
    organisation: str
    sections: list[ExportSection]
    withheld: list[Withheld] = Field(
        description="What is left out while it is open (an investigation), and why; never "
        "what it is."
    )


class EraseIn(Schema):
    confirm: Literal[True] = Field(description="`true`: erase now. There is no undo.")


class ErasureOut(Schema):
    erased_at: Time
    by_person: bool


@router.get(
    "/me/export",
    response={200: ExportOut, **errors(404)},
    summary="Everything about me",
    tags=["me"],
)
def my_export(request: HttpRequest) -> dict[str, Any]:
    """My own-data export as JSON, the same as the download on the export page (each one
    is written to the audit chain). What an open investigation holds is left out while it
    is open, and `withheld` says so."""
    member = export.own_records_for_member(member_of(request))
    return export.download(member, "json")


@router.post(
    "/me/erase",
    response={200: ErasureOut, **errors(404)},
    summary="Erase my private records now",
    tags=["me"],
)
def my_erasure(request: HttpRequest, payload: EraseIn) -> dict[str, object]:
    """Erase my disclosures, shares and other private records here at once, by deleting
    them and my data key; staff records stay for the organisation's retention period. Send
    `{"confirm": true}`; there is no undo."""
    member = export.own_records_for_member(member_of(request), Action.DELETE)
    erasure = retention.erase_now(actor=member)
    return {"erased_at": erasure.erased_at, "by_person": erasure.by_person}
