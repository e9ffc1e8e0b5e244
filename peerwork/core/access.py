"""Who may do what: the privacy model of DESIGN.md in one place.

Five data classes (work, personnel, disclosed, private, confidential) and five actions
(list, read, change, delete, export). ``can()`` answers for an actor and a subject person;
the human-readable table it must match is ``peerwork/core/access_matrix.txt``, and
``tests/test_access_matrix.py`` walks every row of it with real memberships.

Access gates (``*_for_member``) are called on the first line of every view and API
operation: they parse the id, look it up inside the actor's organisation (django-scopes), and
answer 404 for anything missing, malformed, of another organisation, or not the actor's to
see, and 403 when the actor may see the record but not do this to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

import rules
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from .models import (
    ApiToken,
    Invitation,
    Membership,
    Notification,
    Role,
    Site,
    SupportRelationship,
    Team,
)


class DataClass(StrEnum):
    WORK = "work"  # visible by role: names, teams, work contacts, schedules
    PERSONNEL = "personnel"  # the person, their line manager, HR
    DISCLOSED = "disclosed"  # the owner, and whoever the owner shares with
    PRIVATE = "private"  # the owner only, opened for a time to a person they choose
    CONFIDENTIAL = "confidential"  # two people: mentor or coach, and the staff member


class Action(StrEnum):
    LIST = "list"
    READ = "read"
    CHANGE = "change"
    DELETE = "delete"
    EXPORT = "export"


# Roles whose holders take part in the organisation's everyday work and so see its
# directory. Peer interviewers (who may be clients), support-group facilitators and coaches
# (who may be external) see only their own panel, group or coachee (PRODUCT.md "Who uses
# it"; the coach's terms of reference are non-managerial, App. 4).
WORKING_ROLES = frozenset(
    {
        Role.STAFF,
        Role.VOLUNTEER,
        Role.LINE_MANAGER,
        Role.HR,
        Role.DIRECTOR,
        Role.PEER_MENTOR,
        Role.ORG_ADMIN,
    }
)

# Modules register extra ways a person may come to read someone's disclosed or private
# data (a sharing grant, a risk circle opened for a time): each is called with
# (actor, action, data_class, subject) and answers True to allow.
Opening = Callable[[Membership, str, str, Membership], bool]
_openings: list[Opening] = []


def register_opening(opening: Opening) -> Opening:
    _openings.append(opening)
    return opening


def _same_org(actor: Membership, subject: Membership | None) -> bool:
    return subject is None or subject.organisation_id == actor.organisation_id


def supports(actor: Membership, subject: Membership) -> bool:
    """True when the actor is the subject's current peer mentor or coach."""
    from django.utils import timezone

    today = timezone.localdate()
    return (
        SupportRelationship.objects.filter(supporter=actor, person=subject, started_on__lte=today)
        .filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=today))
        .exists()
    )


@rules.predicate
def is_working_member(actor: Membership) -> bool:
    return actor.is_active and actor.has_role(*WORKING_ROLES)


@rules.predicate
def is_org_admin(actor: Membership) -> bool:
    return actor.is_active and actor.has_role(Role.ORG_ADMIN)


@rules.predicate
def is_hr(actor: Membership) -> bool:
    return actor.is_active and actor.has_role(Role.HR)


@rules.predicate
def is_director(actor: Membership) -> bool:
    return actor.is_active and actor.has_role(Role.DIRECTOR)


@rules.predicate
def is_self(actor: Membership, subject: Membership | None) -> bool:
    return subject is not None and actor.is_active and actor.pk == subject.pk


@rules.predicate
def is_line_manager_of(actor: Membership, subject: Membership | None) -> bool:
    return subject is not None and actor.is_active and actor.manages(subject)


@rules.predicate
def is_supporter_of(actor: Membership, subject: Membership | None) -> bool:
    return (
        subject is not None
        and actor.is_active
        and actor.has_role(Role.PEER_MENTOR, Role.COACH)
        and supports(actor, subject)
    )


def can(
    actor: Membership | None, action: str, data_class: str, subject: Membership | None = None
) -> bool:
    """May ``actor`` do ``action`` to ``data_class`` data about ``subject``?

    ``subject`` is the person the data is about, or None for organisation-level work data
    (sites, teams). Another organisation's data is never allowed.
    """
    # An ended membership is denied everything here, so no registered opening can forget it.
    if actor is None or not actor.is_active or not _same_org(actor, subject):
        return False
    action = Action(action)
    data_class = DataClass(data_class)

    if data_class is DataClass.WORK:
        if action in (Action.LIST, Action.READ):
            return bool(
                is_working_member(actor)
                or is_self(actor, subject)
                or is_supporter_of(actor, subject)  # a coach finds the person they coach
            )
        if subject is None:
            # Sites and teams are configuration (the org admin's); their export feeds HR's
            # reports and the director's organisation-wide aggregates.
            if action is Action.EXPORT:
                return bool(is_hr(actor) or is_director(actor))
            return bool(is_org_admin(actor))
        if action is Action.EXPORT:
            return bool(is_self(actor, subject) or is_hr(actor))
        if action is Action.CHANGE:
            return bool(is_org_admin(actor) or is_hr(actor) or is_line_manager_of(actor, subject))
        return bool(is_org_admin(actor))  # DELETE: ending a membership

    if data_class is DataClass.PERSONNEL:
        if action in (Action.LIST, Action.READ):
            return bool(
                is_self(actor, subject) or is_line_manager_of(actor, subject) or is_hr(actor)
            )
        if action is Action.EXPORT:
            return bool(is_self(actor, subject) or is_hr(actor))
        if action is Action.CHANGE:
            return bool(is_line_manager_of(actor, subject) or is_hr(actor))
        return bool(is_hr(actor))  # DELETE: erasure under the retention rules

    if data_class in (DataClass.DISCLOSED, DataClass.PRIVATE):
        # The owner decides (§2.3 "My information, my choice"); nobody else by role.
        if is_self(actor, subject):
            return True
        assert subject is not None  # noqa: S101 (is_self answered for None)
        return any(opening(actor, action, data_class, subject) for opening in _openings)

    # CONFIDENTIAL: mentor or coach notes stay between the two people (§3.11, §3.13,
    # App. 4). The supporter writes them; both read; leaving them goes only through an
    # exception report, which is a separate record.
    if is_self(actor, subject):
        return action in (Action.LIST, Action.READ, Action.EXPORT)
    if is_supporter_of(actor, subject):
        return action in (Action.LIST, Action.READ, Action.CHANGE, Action.DELETE)
    return False


# --- access gates --------------------------------------------------------------------

M = TypeVar("M", bound=models.Model)


def parse_id(value: object) -> uuid.UUID:
    """A public id, or 404: malformed ids are as unknown as missing ones."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise Http404 from None


def lookup(queryset: models.QuerySet[M], object_id: object) -> M:
    """Find by id inside the active organisation scope, or 404."""
    try:
        return queryset.get(pk=parse_id(object_id))
    except ObjectDoesNotExist:
        raise Http404 from None


def _require(actor: Membership, action: str, data_class: str, subject: Membership | None) -> None:
    if not can(actor, Action.READ, data_class, subject):
        raise Http404
    if action != Action.READ and not can(actor, action, data_class, subject):
        raise PermissionDenied


def membership_for_member(
    member: Membership, membership_id: object, action: str = Action.READ
) -> Membership:
    """A colleague's directory card (work data)."""
    queryset = (
        Membership.objects.filter(organisation_id=member.organisation_id)
        .select_related("user", "team", "line_manager__user", "profile")
        .prefetch_related("role_grants")
    )
    other = lookup(queryset, membership_id)
    _require(member, action, DataClass.WORK, other)
    return other


def team_for_member(member: Membership, team_id: object, action: str = Action.READ) -> Team:
    team = lookup(
        Team.objects.filter(organisation_id=member.organisation_id).select_related("site"),
        team_id,
    )
    _require(member, action, DataClass.WORK, None)
    return team


def site_for_member(member: Membership, site_id: object, action: str = Action.READ) -> Site:
    site = lookup(Site.objects.filter(organisation_id=member.organisation_id), site_id)
    _require(member, action, DataClass.WORK, None)
    return site


def invitation_for_member(member: Membership, invitation_id: object) -> Invitation:
    """Invitations are org-admin configuration: others get 404."""
    invitation = lookup(
        Invitation.objects.filter(organisation_id=member.organisation_id), invitation_id
    )
    if not is_org_admin(member):
        raise Http404
    return invitation


def token_for_member(member: Membership, token_id: object) -> ApiToken:
    """A person's API tokens are theirs alone."""
    return lookup(ApiToken.objects.filter(membership=member), token_id)


def notification_for_member(member: Membership, notification_id: object) -> Notification:
    """A notification is its recipient's alone."""
    return lookup(Notification.objects.filter(recipient=member), notification_id)
