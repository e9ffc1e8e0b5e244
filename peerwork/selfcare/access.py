"""Who may see what of the self-care tools (issue 7; DESIGN.md "Privacy model"; the
[record: selfcare] section of the access matrix).

Every record here is private: its owner's alone. Nobody reads one by role: not the line
manager, not HR, not the director, not the org admin (Principle 1). The only way in is an
``Opening`` the owner makes for one record, to one person, until an expiry:

- a **risk circle** to a peer mentor, a manager or a coach they choose (App. 3 step 5:
  "explore the reasons for these high scores with your peer coach"; §3.8: kept
  "confidential between the peer worker and the peer mentor or manager who guides them");
  that person reads it and adds suggestions, which the owner accepts or not;
- a **self-control programme** to the peer mentor who mentors them (§4.2: a peer mentor
  can help with a self-control programme).

An opening past its expiry, or closed by the owner, opens nothing: no job has to run for
access to close. The team **stress pulse** is anonymous: line managers (for their reports'
teams), HR and the director see a team's week only as an aggregate of at least
``PULSE_MINIMUM`` answers (§3.9).

Gates answer 404 for what the member may not see (or that does not exist, or belongs to
another organisation) and 403 for what they see but may not do.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peerwork.core.access import Action, is_working_member, lookup, supports
from peerwork.core.models import Membership, Role, SupportRelationship, Team

from .models import (
    CircleSuggestion,
    Opening,
    RelapsePlan,
    RiskCircle,
    SelfCheck,
    SelfControlProgramme,
    WeeklyGoal,
)

# The smallest number of answers a team's week is shown for (issue 7 item 3): fewer, and
# a manager who knows who answered could work out a single person's answer.
PULSE_MINIMUM = 5

# The longest an owner may open a record for, so nothing stays open by being forgotten.
LONGEST_OPENING = dt.timedelta(days=90)


def uses_selfcare(member: Membership) -> bool:
    """Every working member has the self-care tools: support is the same for everyone
    (Principle 6, §4.8)."""
    return bool(is_working_member(member))


def live_openings(member: Membership, now: dt.datetime | None = None) -> QuerySet[Opening]:
    """Openings made to ``member`` that are open now."""
    now = now or timezone.now()
    return Opening.objects.filter(
        organisation_id=member.organisation_id,
        grantee=member,
        closed_at__isnull=True,
        expires_at__gt=now,
    )


def _opened_to(member: Membership, now: dt.datetime | None = None, **record: object) -> bool:
    return member.is_active and live_openings(member, now).filter(**record).exists()


def may_open_circle_to(owner: Membership, grantee: Membership) -> bool:
    """A peer mentor, the owner's own line manager, or the owner's own coach (App. 3, §3.8):
    someone who guides a risk assessment, never just anyone with a role."""
    if grantee.pk == owner.pk or grantee.organisation_id != owner.organisation_id:
        return False
    if not grantee.is_active:
        return False
    if grantee.has_role(Role.PEER_MENTOR):
        return True
    if grantee.manages(owner):
        return True
    return grantee.has_role(Role.COACH) and supports(grantee, owner)


def may_open_programme_to(owner: Membership, grantee: Membership) -> bool:
    """Only the peer mentor who mentors the owner (§4.2)."""
    return (
        grantee.pk != owner.pk
        and grantee.organisation_id == owner.organisation_id
        and grantee.is_active
        and grantee.has_role(Role.PEER_MENTOR)
        and SupportRelationship.objects.filter(
            organisation_id=owner.organisation_id,
            supporter=grantee,
            person=owner,
            kind=SupportRelationship.Kind.MENTOR,
            started_on__lte=timezone.localdate(),
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=timezone.localdate()))
        .exists()
    )


def circle_for_member(
    member: Membership, circle_id: object, action: str = Action.READ
) -> RiskCircle:
    """A risk circle: its owner does everything; someone it is opened to reads it (and
    suggests, through ``suggest_on_circle_for_member``); anyone else gets 404."""
    circle = lookup(
        RiskCircle.objects.filter(organisation_id=member.organisation_id).select_related(
            "owner__user", "owner__organisation"
        ),
        circle_id,
    )
    if circle.owner_id == member.pk and member.is_active:
        return circle
    if not _opened_to(member, circle=circle):
        raise Http404
    if action != Action.READ:
        raise PermissionDenied
    return circle


def suggest_on_circle_for_member(member: Membership, circle_id: object) -> RiskCircle:
    """Suggesting is for the person the circle is opened to, not its owner (who simply
    edits their circle)."""
    circle = circle_for_member(member, circle_id)
    if circle.owner_id == member.pk:
        raise PermissionDenied
    return circle


def suggestion_for_member(
    member: Membership, suggestion_id: object, action: str = Action.READ
) -> CircleSuggestion:
    """A suggestion: the circle's owner reads and decides it; its author reads it while the
    circle is open to them."""
    suggestion = lookup(
        CircleSuggestion.objects.filter(organisation_id=member.organisation_id).select_related(
            "circle__owner", "author__user"
        ),
        suggestion_id,
    )
    if suggestion.owner_id == member.pk and member.is_active:
        return suggestion
    if suggestion.author_id != member.pk or not _opened_to(member, circle=suggestion.circle_id):
        raise Http404
    if action != Action.READ:
        raise PermissionDenied
    return suggestion


def programme_for_member(
    member: Membership, programme_id: object, action: str = Action.READ
) -> SelfControlProgramme:
    """A self-control programme: its owner's; read by the mentor it is opened to."""
    programme = lookup(
        SelfControlProgramme.objects.filter(organisation_id=member.organisation_id).select_related(
            "owner__user", "owner__organisation"
        ),
        programme_id,
    )
    if programme.owner_id == member.pk and member.is_active:
        return programme
    if not _opened_to(member, programme=programme):
        raise Http404
    if action != Action.READ:
        raise PermissionDenied
    return programme


def opening_for_owner(member: Membership, opening_id: object) -> Opening:
    """An opening is managed (closed) by the owner who made it."""
    if not member.is_active:
        raise Http404
    return lookup(
        Opening.objects.filter(organisation_id=member.organisation_id, owner=member).select_related(
            "grantee__user"
        ),
        opening_id,
    )


_Own = TypeVar("_Own", RelapsePlan, WeeklyGoal, SelfCheck)


def _own(queryset: QuerySet[_Own], member: Membership, object_id: object) -> _Own:
    if not member.is_active:
        raise Http404
    return lookup(queryset.filter(organisation_id=member.organisation_id, owner=member), object_id)


def plan_for_member(member: Membership, plan_id: object) -> RelapsePlan:
    """A personal relapse plan: its owner's alone, never opened."""
    return _own(RelapsePlan.objects.all(), member, plan_id)


def goal_for_member(member: Membership, goal_id: object) -> WeeklyGoal:
    return _own(WeeklyGoal.objects.all(), member, goal_id)


def selfcheck_for_member(member: Membership, check_id: object) -> SelfCheck:
    return _own(SelfCheck.objects.all(), member, check_id)


def pulse_teams_for(member: Membership) -> QuerySet[Team]:
    """The teams whose stress pulse ``member`` sees (as aggregates only): every team for HR
    and the director; for a line manager, the teams their reports are in."""
    teams = Team.objects.filter(organisation_id=member.organisation_id)
    if not member.is_active:
        return teams.none()
    if member.has_role(Role.HR, Role.DIRECTOR):
        return teams
    if member.has_role(Role.LINE_MANAGER):
        return teams.filter(
            members__line_manager=member, members__organisation_id=member.organisation_id
        ).distinct()
    return teams.none()


def pulse_team_for_member(member: Membership, team_id: object) -> Team:
    return lookup(pulse_teams_for(member), team_id)
