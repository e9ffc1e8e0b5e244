"""Peer support groups and retreats through the API (issue 7 items 7, 8 and 9; guide §3.10,
§3.12, §4.8, App. 4; shared/API.md).

Thin handlers: the record's gate first (``peerwork.support.access``), then a service in
``groups`` or ``retreats``, and an answer built here. What each answer holds follows the
[record: support] section of the access matrix:

- a **group** and its terms are seen by every working member (and its facilitator); its
  number of members is not given outside it, since a small number could point to people;
- **who is in it** and **its meetings** are its members' and facilitator's alone: 404 for
  everyone else, HR and the director included;
- **shared learning** is seen by everyone who sees the group, and names nobody;
- the **§4.8 steps** are seen by HR, the director, the facilitator and the members (404
  for others) and recorded, in order, by HR and the director (403 for the others);
- **retreats** are work data; their organiser, HR and the director change and cancel them.

Changes of terms and retreats carry ``If-Match`` with the ``version`` read (409 when it
moved on). Refused input answers 400 with the fields named, nothing saved.

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the query schemas' names could not be looked up.
"""

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import AfterValidator

from peerwork.api.auth import member_of
from peerwork.api.schemas import (
    Pages,
    PersonRef,
    Text,
    Time,
    check_year,
    codes,
    errors,
    person_ref,
)
from peerwork.core.access import Action, is_working_member
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership
from peerwork.schedule.models import Attendee
from peerwork.schedule.services import local_today

from . import access, groups, retreats
from .models import GroupLearning, GroupMeeting, GroupStep, Retreat, SupportGroup

router = Router(tags=["support groups"])

TimingCode = Annotated[SupportGroup.Timing, codes(SupportGroup.Timing)]
GroupStateCode = Annotated[SupportGroup.State, codes(SupportGroup.State)]
StepKindCode = Annotated[GroupStep.Kind, codes(GroupStep.Kind)]
RecordedStepCode = Literal["mediation", "tor_review", "suspension"]

IfMatchRequired = Header(
    ...,
    alias="If-Match",
    description="The `version` as you read it (also the `ETag`); 409 if it changed since.",
)


def _no_time_zone(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("give a local time, without a time zone")
    return value.replace(second=0, microsecond=0)


LocalTime = Annotated[dt.time, AfterValidator(_no_time_zone)]


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


# --- groups --------------------------------------------------------------------------


class GroupOut(Schema):
    """A peer support group and its terms of reference (App. 4)."""

    id: uuid.UUID
    name: str
    facilitator: PersonRef | None
    place: str
    frequency: str
    timing: TimingCode
    timing_label: str
    management_contact: str = Field(description="How management gets in touch with the group.")
    concerns_to: str = Field(description="Where concerns that come up in the group go.")
    review_on: dt.date
    terms: list[str] = Field(
        description="The terms of reference in words, paragraph by paragraph, in the "
        "request's language."
    )
    state: GroupStateCode
    state_label: str
    suspended_until: dt.date | None
    i_am_member: bool
    sees_inside: bool = Field(description="I may see who is in it and when it met.")
    may_change_terms: bool
    may_record_steps: bool
    started_at: Time
    version: int = Field(description="Send it back as `If-Match` to change the terms or close it.")


def _group_out(
    member: Membership, group: SupportGroup, joined: set[uuid.UUID] | None = None
) -> dict[str, object]:
    """``joined``: the ids of the groups the member is in, when a list knows them."""
    closed = group.state == SupportGroup.State.CLOSED
    if joined is None:
        is_member = access.is_group_member(member, group)
    else:
        is_member = member.is_active and group.pk in joined
    inside = is_member or access.is_facilitator(member, group)
    return {
        "id": group.pk,
        "name": group.name,
        "facilitator": person_ref(group.facilitator),
        "place": group.place,
        "frequency": group.frequency,
        "timing": group.timing,
        "timing_label": str(SupportGroup.Timing(group.timing).label),
        "management_contact": group.management_contact,
        "concerns_to": group.concerns_to,
        "review_on": group.review_on,
        "terms": groups.terms_text(group),
        "state": group.state,
        "state_label": str(SupportGroup.State(group.state).label),
        "suspended_until": group.suspended_until,
        "i_am_member": is_member,
        "sees_inside": inside,
        "may_change_terms": not closed
        and (access.manages_groups(member) or access.is_facilitator(member, group)),
        "may_record_steps": not closed and access.manages_groups(member),
        "started_at": group.created_at,
        "version": group.version,
    }


def _group_answer(
    member: Membership, group: SupportGroup, response: HttpResponse
) -> dict[str, object]:
    group = (
        SupportGroup.objects.filter(organisation_id=member.organisation_id, pk=group.pk)
        .select_related("facilitator__user", "organisation")
        .get()
    )
    etag(response, group.version)
    return _group_out(member, group)


def _group(member: Membership, group_id: str, action: str = Action.READ) -> SupportGroup:
    """The gate, with its refusal said in words."""
    try:
        return access.group_for_member(member, group_id, action)
    except PermissionDenied:
        if action == Action.DELETE:
            raise PermissionDenied(_("HR and the director close peer support groups.")) from None
        raise PermissionDenied(
            _("HR, the director and the group's facilitator change its terms.")
        ) from None


class GroupPages(Pages):
    """Page numbers over the groups, each answered as this member sees it."""

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        member = member_of(request)
        found = list(page["items"])
        joined = groups.ids_of_groups_joined(member, found)
        page["items"] = [_group_out(member, g, joined) for g in found]
        return page


class GroupQuery(Schema):
    include_closed: bool = Field(False, description="Closed groups too.")


@router.get(
    "/support-groups",
    response={200: list[GroupOut], **errors(404)},
    summary="Peer support groups",
    tags=["support groups"],
)
@paginate(GroupPages)
def group_list(request: HttpRequest, query: Query[GroupQuery]) -> QuerySet[SupportGroup]:
    """Every group, by name, for working members; a facilitator outside the working roles
    gets the groups they facilitate. Others: 404."""
    member = member_of(request)
    found = groups.groups_seen_by(member).select_related("organisation")
    if not access.sees_groups(member) and not found.exists():
        raise Http404
    if not query.include_closed:
        found = found.exclude(state=SupportGroup.State.CLOSED)
    return found.order_by("name", "id")


class GroupIn(Schema):
    """A group's terms of reference (App. 4)."""

    name: Text = Field(description="Up to 200 characters.")
    facilitator_id: uuid.UUID | None = Field(
        None, description="A member of the organisation, usually a support-group facilitator."
    )
    place: Text = Field(description="Where it meets.")
    frequency: Text = Field(description='How often: "every Friday, 13:00 to 14:00".')
    timing: TimingCode
    management_contact: Text = Field(description="How management gets in touch with the group.")
    concerns_to: Text = Field(description="Where concerns that come up in the group go.")
    review_on: dt.date = Field(description="When the terms are reviewed; after today.")


class GroupPatch(Schema):
    """Only the terms sent change."""

    name: Text | None = None
    facilitator_id: uuid.UUID | None = Field(None, description="null: no facilitator.")
    place: Text | None = None
    frequency: Text | None = None
    timing: TimingCode | None = None
    management_contact: Text | None = None
    concerns_to: Text | None = None
    review_on: dt.date | None = None


GROUP_FIELDS = {"facilitator": "facilitator_id"}


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(field, field): messages for field, messages in error.message_dict.items()}
    )


@router.post(
    "/support-groups",
    response={201: GroupOut, **errors(400, 403, 404)},
    summary="Start a peer support group",
    tags=["support groups"],
)
def group_create(request: HttpRequest, payload: GroupIn, response: HttpResponse) -> Status:
    """HR and the director start a group with its terms (403 for other working members).
    Missing terms, a review date not after today, a facilitator from elsewhere: 400 with
    the field named, nothing saved."""
    member = member_of(request)
    if not access.sees_groups(member):
        raise Http404
    check_year(payload.review_on, "review_on")
    terms = groups.GroupTerms(
        name=payload.name,
        place=payload.place,
        frequency=payload.frequency,
        timing=payload.timing,
        management_contact=payload.management_contact,
        concerns_to=payload.concerns_to,
        review_on=payload.review_on,
        facilitator=payload.facilitator_id,
    )
    try:
        group = groups.start_group(actor=member, terms=terms)
    except ValidationError as error:
        raise _renamed(error, GROUP_FIELDS) from None
    return Status(201, _group_answer(member, group, response))


@router.get(
    "/support-groups/{group_id}",
    response={200: GroupOut, **errors(404)},
    summary="One peer support group",
    tags=["support groups"],
)
def group_detail(request: HttpRequest, group_id: str, response: HttpResponse) -> dict[str, object]:
    """The group, its terms in words and its state. Not how many are in it."""
    member = member_of(request)
    return _group_answer(member, _group(member, group_id), response)


@router.patch(
    "/support-groups/{group_id}",
    response={200: GroupOut, **errors(400, 403, 404, 409)},
    summary="Change a group's terms",
    tags=["support groups"],
)
def group_change(
    request: HttpRequest,
    group_id: str,
    payload: GroupPatch,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """HR, the director and the facilitator change the terms; only what is sent changes. A
    new review date sets its reminder due again."""
    member = member_of(request)
    found = _group(member, group_id, Action.CHANGE)
    version = version_from(if_match)
    check_year(payload.review_on, "review_on")
    terms = groups.GroupTerms.of(found)
    sent = payload.model_fields_set
    for name in (
        "name",
        "place",
        "frequency",
        "timing",
        "management_contact",
        "concerns_to",
        "review_on",
    ):
        value = getattr(payload, name)
        if name in sent:
            if value is None:
                raise ValidationError({name: [_("This cannot be empty.")]})
            setattr(terms, name, value)
    if "facilitator_id" in sent:
        terms.facilitator = payload.facilitator_id
    try:
        groups.change_terms(actor=member, group=found, version=version, terms=terms)
    except ValidationError as error:
        raise _renamed(error, GROUP_FIELDS) from None
    return _group_answer(member, found, response)


@router.post(
    "/support-groups/{group_id}/close",
    response={200: GroupOut, **errors(400, 403, 404, 409)},
    summary="Close a peer support group",
    tags=["support groups"],
)
def group_close(
    request: HttpRequest, group_id: str, response: HttpResponse, if_match: str = IfMatchRequired
) -> dict[str, object]:
    """HR and the director; the facilitator and members are told (400 if already closed)."""
    member = member_of(request)
    found = _group(member, group_id, Action.DELETE)
    groups.close_group(actor=member, group=found, version=version_from(if_match))
    return _group_answer(member, found, response)


@router.post(
    "/support-groups/{group_id}/join",
    response={200: GroupOut, **errors(400, 403, 404)},
    summary="Join a peer support group",
    tags=["support groups"],
)
def group_join(request: HttpRequest, group_id: str, response: HttpResponse) -> dict[str, object]:
    """Any working member joins (§4.8: open to every staff member, not only people who use
    drugs). Joining again changes nothing. 400 for a closed group."""
    member = member_of(request)
    found = _group(member, group_id)
    groups.join_group(actor=member, group=found)
    return _group_answer(member, found, response)


@router.post(
    "/support-groups/{group_id}/leave",
    response={200: GroupOut, **errors(404)},
    summary="Leave a peer support group",
    tags=["support groups"],
)
def group_leave(request: HttpRequest, group_id: str, response: HttpResponse) -> dict[str, object]:
    """Leave the group; nothing changes if I was not in it."""
    member = member_of(request)
    found = _group(member, group_id)
    groups.leave_group(actor=member, group=found)
    return _group_answer(member, found, response)


def _inside(member: Membership, group_id: str) -> SupportGroup:
    found = _group(member, group_id)
    if not access.sees_group_inside(member, found):
        raise Http404
    return found


class MemberOut(Schema):
    person: PersonRef
    joined_at: Time


@router.get(
    "/support-groups/{group_id}/members",
    response={200: list[MemberOut], **errors(404)},
    summary="Who is in a group",
    tags=["support groups"],
)
@paginate(Pages)
def group_members(request: HttpRequest, group_id: str) -> list[dict[str, object]]:
    """For its members and facilitator only: 404 for everyone else, HR and the director
    included."""
    member = member_of(request)
    found = _inside(member, group_id)
    people = list(groups.current_members(found))
    joined = {
        row.member_id: row.joined_at
        for row in found.members.filter(left_at__isnull=True, member__in=people)
    }
    return [{"person": person_ref(p), "joined_at": joined[p.pk]} for p in people]


class GroupMeetingOut(Schema):
    id: uuid.UUID
    held_on: dt.date
    attended: int | None = Field(description="How many came; null: not counted.")


class GroupMeetingIn(Schema):
    held_on: dt.date = Field(description="The day it met; not ahead, not in a suspension.")
    attended: int | None = Field(None, description="How many came, 0 to 500.")


def _meeting_out(row: GroupMeeting) -> dict[str, object]:
    return {"id": row.pk, "held_on": row.held_on, "attended": row.attended}


@router.get(
    "/support-groups/{group_id}/meetings",
    response={200: list[GroupMeetingOut], **errors(404)},
    summary="When a group met",
    tags=["support groups"],
)
@paginate(Pages)
def group_meetings(request: HttpRequest, group_id: str) -> QuerySet[GroupMeeting]:
    """Newest first; for its members and facilitator only (404 for everyone else)."""
    member = member_of(request)
    found = _inside(member, group_id)
    return GroupMeeting.objects.filter(organisation_id=found.organisation_id, group=found).order_by(
        "-held_on", "id"
    )


@router.post(
    "/support-groups/{group_id}/meetings",
    response={201: GroupMeetingOut, **errors(400, 404)},
    summary="Record that a group met",
    tags=["support groups"],
)
def group_meeting_create(request: HttpRequest, group_id: str, payload: GroupMeetingIn) -> Status:
    """A member or the facilitator: the date and how many came, never what was said. A date
    ahead, or in a suspension: 400."""
    member = member_of(request)
    found = _inside(member, group_id)
    check_year(payload.held_on, "held_on")
    row = groups.record_meeting(
        actor=member, group=found, held_on=payload.held_on, attended=payload.attended
    )
    return Status(201, _meeting_out(row))


class LearningOut(Schema):
    """What a group chose to share with everyone; it names nobody."""

    id: uuid.UUID
    text: str
    shared_at: Time


class LearningIn(Schema):
    text: Text = Field(description="Up to 2,000 characters; everyone at work reads it.")


def _learning_out(row: GroupLearning) -> dict[str, object]:
    return {"id": row.pk, "text": row.text, "shared_at": row.shared_at}


@router.get(
    "/support-groups/{group_id}/learning",
    response={200: list[LearningOut], **errors(404)},
    summary="What a group shared",
    tags=["support groups"],
)
@paginate(Pages)
def group_learning(request: HttpRequest, group_id: str) -> list[dict[str, object]]:
    """Newest first, for everyone who sees the group."""
    member = member_of(request)
    found = _group(member, group_id)
    rows = GroupLearning.objects.filter(organisation_id=found.organisation_id, group=found)
    return [_learning_out(row) for row in rows.order_by("-shared_at", "id")]


@router.post(
    "/support-groups/{group_id}/learning",
    response={201: LearningOut, **errors(400, 403, 404)},
    summary="Share what a group learned",
    tags=["support groups"],
)
def group_learning_create(request: HttpRequest, group_id: str, payload: LearningIn) -> Status:
    """A member or the facilitator shares with everyone (the group chooses to, App. 4);
    403 for others who see the group."""
    member = member_of(request)
    found = _group(member, group_id)
    row = groups.share_learning(actor=member, group=found, text=payload.text)
    return Status(201, _learning_out(row))


class StepOut(Schema):
    """A step of the §4.8 path."""

    id: uuid.UUID
    kind: StepKindCode
    kind_label: str
    held_on: dt.date
    outcome: str
    ends_on: dt.date | None = Field(description="A suspension's last day.")
    recorded_by: PersonRef | None = Field(description="null: the group resumed by itself.")
    recorded_at: Time


class StepIn(Schema):
    kind: RecordedStepCode = Field(
        description="In order: mediation, then tor_review (the terms reviewed with the "
        "group), then suspension."
    )
    held_on: dt.date = Field(description="The day of the step; not ahead.")
    outcome: Text = Field(description="What came of it; the group's members read it.")
    ends_on: dt.date | None = Field(
        None, description="A suspension's last day: after today, at most six months ahead."
    )


def _step_out(row: GroupStep) -> dict[str, object]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "kind_label": str(GroupStep.Kind(row.kind).label),
        "held_on": row.held_on,
        "outcome": row.outcome,
        "ends_on": row.ends_on,
        "recorded_by": person_ref(row.recorded_by),
        "recorded_at": row.recorded_at,
    }


def _steps_gate(member: Membership, group_id: str) -> SupportGroup:
    found = _group(member, group_id)
    if not groups.sees_steps(member, found):
        raise Http404
    return found


@router.get(
    "/support-groups/{group_id}/steps",
    response={200: list[StepOut], **errors(404)},
    summary="The §4.8 steps of a group",
    tags=["support groups"],
)
@paginate(Pages)
def group_steps(request: HttpRequest, group_id: str) -> list[dict[str, object]]:
    """In the order recorded; for HR, the director, the facilitator and the members (404
    for everyone else)."""
    member = member_of(request)
    found = _steps_gate(member, group_id)
    rows = GroupStep.objects.filter(
        organisation_id=found.organisation_id, group=found
    ).select_related("recorded_by__user")
    return [_step_out(row) for row in rows.order_by("recorded_at", "id")]


@router.post(
    "/support-groups/{group_id}/steps",
    response={201: StepOut, **errors(400, 403, 404)},
    summary="Record a §4.8 step",
    tags=["support groups"],
)
def group_step_create(request: HttpRequest, group_id: str, payload: StepIn) -> Status:
    """HR and the director (403 for the facilitator and members), strictly in order:
    mediation first; then a review of the terms with the group; only then a suspension,
    which needs its last day and suspends the group until then. Out of order: 400 naming
    what must come first, nothing saved."""
    member = member_of(request)
    found = _steps_gate(member, group_id)
    if not access.manages_groups(member):
        raise PermissionDenied(_("HR and the director record the steps when a group goes wrong."))
    check_year(payload.held_on, "held_on")
    check_year(payload.ends_on, "ends_on")
    row = groups.record_step(
        actor=member,
        group=found,
        kind=payload.kind,
        held_on=payload.held_on,
        outcome=payload.outcome,
        ends_on=payload.ends_on,
    )
    row = GroupStep.objects.select_related("recorded_by__user").get(pk=row.pk)
    return Status(201, _step_out(row))


# --- retreats ------------------------------------------------------------------------


class AgendaItemOut(Schema):
    kind: Literal["item", "audit"]
    text: str
    prompts: list[str] = Field(
        description="The audit item only: what to look at, from the guide's menu of support."
    )


class RetreatOut(Schema):
    """A peer retreat (§3.12)."""

    id: uuid.UUID
    title: str
    purpose: str
    place: str
    starts_on: dt.date
    ends_on: dt.date
    day_starts: str = Field(description='Local time each day starts, "09:00".')
    day_ends: str
    agenda: list[AgendaItemOut] = Field(
        description="Always holds the audit of how the organisation employs people who use drugs."
    )
    audit_notes: str = Field(description="What the audit found.")
    organiser: PersonRef | None
    invited: list[PersonRef]
    meeting_id: uuid.UUID | None = Field(description="Its event on the schedule.")
    cancelled_at: Time | None
    may_change: bool
    version: int = Field(description="Send it back as `If-Match` to change or cancel it.")


def _retreat_out(member: Membership, retreat: Retreat) -> dict[str, object]:
    prompts = [str(p) for p in retreats.AUDIT_PROMPTS]
    starts, ends = retreats.day_times(retreat)
    return {
        "id": retreat.pk,
        "title": retreat.title,
        "purpose": retreat.purpose,
        "place": retreat.place,
        "starts_on": retreat.starts_on,
        "ends_on": retreat.ends_on,
        "day_starts": _hhmm(starts),
        "day_ends": _hhmm(ends),
        "agenda": [
            {
                "kind": retreats.AUDIT if item.is_audit else retreats.ITEM,
                "text": item.text,
                "prompts": prompts if item.is_audit else [],
            }
            for item in retreats.agenda_of(retreat)
        ],
        "audit_notes": retreat.audit_notes,
        "organiser": person_ref(retreat.organiser),
        "invited": [person_ref(m) for m in retreats.invited(retreat)],
        "meeting_id": retreat.meeting_id,
        "cancelled_at": retreat.cancelled_at,
        "may_change": retreat.cancelled_at is None and retreats.may_change(member, retreat),
        "version": retreat.version,
    }


def _retreat_answer(
    member: Membership, retreat: Retreat, response: HttpResponse
) -> dict[str, object]:
    retreat = (
        Retreat.objects.filter(organisation_id=member.organisation_id, pk=retreat.pk)
        .select_related("organiser__user", "meeting")
        .get()
    )
    etag(response, retreat.version)
    return _retreat_out(member, retreat)


def _retreat(member: Membership, retreat_id: str, action: str = Action.READ) -> Retreat:
    try:
        return access.retreat_for_member(member, retreat_id, action)
    except PermissionDenied:
        raise PermissionDenied(
            _("The retreat's organiser, HR and the director change it.")
        ) from None


class RetreatPages(Pages):
    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        member = member_of(request)
        page["items"] = [_retreat_out(member, r) for r in page["items"]]
        return page


class RetreatQuery(Schema):
    include_past: bool = Field(False, description="Retreats that have ended too.")


@router.get(
    "/retreats",
    response={200: list[RetreatOut], **errors(404)},
    summary="Peer retreats",
    tags=["retreats"],
)
@paginate(RetreatPages)
def retreat_list(request: HttpRequest, query: Query[RetreatQuery]) -> QuerySet[Retreat]:
    """Retreats still to come (or all), by first day; for working members (404 for
    others)."""
    member = member_of(request)
    if not is_working_member(member):
        raise Http404
    found = (
        Retreat.objects.filter(organisation_id=member.organisation_id)
        .select_related("organiser__user", "meeting")
        .prefetch_related(
            Prefetch("meeting__attendees", queryset=Attendee.objects.select_related("member__user"))
        )
    )
    if not query.include_past:
        found = found.filter(ends_on__gte=local_today(member))
    return found.order_by("starts_on", "title", "id")


class RetreatIn(Schema):
    title: Text = Field(description="Up to 200 characters.")
    purpose: Text
    place: Text = ""
    starts_on: dt.date = Field(description="The first day; not in the past.")
    ends_on: dt.date = Field(description="The last day; on or after the first, within 14 days.")
    day_starts: LocalTime = Field(retreats.DAY_STARTS, description='Local time, "09:00".')
    day_ends: LocalTime = Field(retreats.DAY_ENDS, description='Local time, "17:00".')
    agenda: list[Text] = Field(
        default_factory=list,
        description="The organiser's items; the audit item is always added.",
    )
    audit_notes: Text = ""
    invited: list[uuid.UUID] = Field(description="Colleagues invited; at least one.")


class RetreatPatch(Schema):
    """Only what is sent changes; the audit item stays on the agenda whatever is sent."""

    title: Text | None = None
    purpose: Text | None = None
    place: Text | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    day_starts: LocalTime | None = None
    day_ends: LocalTime | None = None
    agenda: list[Text] | None = None
    audit_notes: Text | None = None
    invited: list[uuid.UUID] | None = None


RETREAT_FIELDS = {"attendees": "invited"}


@router.post(
    "/retreats",
    response={201: RetreatOut, **errors(400, 403, 404)},
    summary="Plan a peer retreat",
    tags=["retreats"],
)
def retreat_create(request: HttpRequest, payload: RetreatIn, response: HttpResponse) -> Status:
    """Line managers, HR and the director (403 for other working members). It goes on the
    schedule of everyone invited as an event on its first day. A last day before the
    first, nobody invited: 400 with the field named, nothing saved."""
    member = member_of(request)
    if not is_working_member(member):
        raise Http404
    check_year(payload.starts_on, "starts_on")
    check_year(payload.ends_on, "ends_on")
    fields = retreats.RetreatFields(
        title=payload.title,
        purpose=payload.purpose,
        place=payload.place,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        day_starts=payload.day_starts,
        day_ends=payload.day_ends,
        agenda=list(payload.agenda),
        audit_notes=payload.audit_notes,
        attendees=list(payload.invited),
    )
    try:
        retreat = retreats.plan_retreat(actor=member, fields=fields)
    except ValidationError as error:
        raise _renamed(error, RETREAT_FIELDS) from None
    return Status(201, _retreat_answer(member, retreat, response))


@router.get(
    "/retreats/{retreat_id}",
    response={200: RetreatOut, **errors(404)},
    summary="One peer retreat",
    tags=["retreats"],
)
def retreat_detail(
    request: HttpRequest, retreat_id: str, response: HttpResponse
) -> dict[str, object]:
    """The retreat, its agenda with the audit item and its prompts, and who is invited."""
    member = member_of(request)
    return _retreat_answer(member, _retreat(member, retreat_id), response)


@router.patch(
    "/retreats/{retreat_id}",
    response={200: RetreatOut, **errors(400, 403, 404, 409)},
    summary="Change a peer retreat",
    tags=["retreats"],
)
def retreat_change(
    request: HttpRequest,
    retreat_id: str,
    payload: RetreatPatch,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, object]:
    """Its organiser, HR and the director; its event on the schedule follows. An agenda
    sent without the audit item keeps it."""
    member = member_of(request)
    found = _retreat(member, retreat_id, Action.CHANGE)
    version = version_from(if_match)
    check_year(payload.starts_on, "starts_on")
    check_year(payload.ends_on, "ends_on")
    starts, ends = retreats.day_times(found)
    fields = retreats.RetreatFields(
        title=found.title,
        purpose=found.purpose,
        place=found.place,
        starts_on=found.starts_on,
        ends_on=found.ends_on,
        day_starts=starts,
        day_ends=ends,
        agenda=retreats.organiser_lines(found),
        audit_notes=found.audit_notes,
        attendees=[m.pk for m in retreats.invited(found)],
    )
    sent = payload.model_fields_set
    for name in (
        "title",
        "purpose",
        "place",
        "starts_on",
        "ends_on",
        "day_starts",
        "day_ends",
        "audit_notes",
    ):
        if name in sent:
            value = getattr(payload, name)
            if value is None:
                raise ValidationError({name: [_("This cannot be empty.")]})
            setattr(fields, name, value)
    if "agenda" in sent:
        fields.agenda = list(payload.agenda or [])
    if "invited" in sent:
        fields.attendees = list(payload.invited or [])
    try:
        retreats.change_retreat(actor=member, retreat=found, version=version, fields=fields)
    except ValidationError as error:
        raise _renamed(error, RETREAT_FIELDS) from None
    return _retreat_answer(member, found, response)


@router.post(
    "/retreats/{retreat_id}/cancel",
    response={200: RetreatOut, **errors(400, 403, 404, 409)},
    summary="Cancel a peer retreat",
    tags=["retreats"],
)
def retreat_cancel(
    request: HttpRequest, retreat_id: str, response: HttpResponse, if_match: str = IfMatchRequired
) -> dict[str, object]:
    """Its event leaves the schedule too (400 if already cancelled)."""
    member = member_of(request)
    found = _retreat(member, retreat_id, Action.DELETE)
    retreats.cancel_retreat(actor=member, retreat=found, version=version_from(if_match))
    return _retreat_answer(member, found, response)
