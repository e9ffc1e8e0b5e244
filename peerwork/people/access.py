"""Who may read a person's disclosures, staff record and exception reports, make an
exception report about them, or change their times away.

Disclosed data opens to nobody by role (``peerwork.core.access``: not the director, not the
org admin, not the operator). The one way in is a ``SharingGrant`` from the owner that is
active now and reaches the reader; it is registered here as an opening of the core's
``can()``. Category by category, ``categories_open_to`` says which ones a reader may see, so a
share of OST does not open health.

Access gates (``*_for_member``) are the first line of every view and API operation: they
answer 404 for anything missing, malformed, of another organisation or not the actor's to
see, and 403 when the actor may see it but not do this to it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from peerwork.core.access import (
    WORKING_ROLES,
    Action,
    DataClass,
    can,
    is_supporter_of,
    lookup,
    register_opening,
)
from peerwork.core.models import Membership, Role

from .models import Category, ExceptionReport, SharingGrant, StaffRecord, Unavailability


def grants_reaching(reader: Membership, owner: Membership | None = None) -> list[SharingGrant]:
    """Active shares whose audience includes ``reader`` now, of one owner or of everyone
    (the "Shared with me" list). Expired, stopped and paused shares fail closed (§2.3)."""
    if not reader.is_active:
        return []
    candidates = SharingGrant.objects.live().filter(organisation_id=reader.organisation_id)
    if owner is not None:
        if owner.organisation_id != reader.organisation_id or owner.pk == reader.pk:
            return []
        candidates = candidates.filter(owner=owner)
    # Team and organisation shares are for colleagues: external coaches, facilitators and
    # peer interviewers (who may be clients) are not "my team" or "everyone".
    audiences = Q(grantee=reader)
    if reader.has_role(*WORKING_ROLES):
        audiences |= Q(audience=SharingGrant.Audience.ORGANISATION)
        if reader.team_id is not None:
            audiences |= Q(audience=SharingGrant.Audience.TEAM, team_id=reader.team_id)
    grants = (
        candidates.filter(audiences)
        .exclude(owner=reader)
        .select_related("owner__user", "owner__team", "team")
        .order_by("-created_at")
    )
    return [grant for grant in grants if grant.is_active() and grant.reaches(reader)]


def categories_open_to(reader: Membership, owner: Membership) -> set[str]:
    """The categories of ``owner``'s disclosures ``reader`` may read now."""
    if reader.pk == owner.pk and reader.is_active:
        return {c.value for c in Category}
    return {c for grant in grants_reaching(reader, owner) for c in grant.categories}


@register_opening
def _sharing_grant(actor: Membership, action: str, data_class: str, subject: Membership) -> bool:
    """A live share opens disclosed data to read (list, read); HR holding one may also
    enter a disclosure for the person (issue 4: "only under an active share")."""
    if data_class != DataClass.DISCLOSED:
        return False
    if action in (Action.LIST, Action.READ):
        return bool(grants_reaching(actor, subject))
    if action == Action.CHANGE:
        return actor.has_role(Role.HR) and any(
            grant.grantee_id == actor.pk for grant in grants_reaching(actor, subject)
        )
    return False


def may_enter_for(actor: Membership, owner: Membership, category: str) -> bool:
    """HR may write ``category`` for ``owner`` only under an active share of it made to
    them by name (a person share, or the line-manager share when HR is the line manager):
    being in a team or organisation the owner is open with does not let anyone write their
    answers (issue 4 item 3)."""
    if actor.pk == owner.pk or not actor.has_role(Role.HR):
        return False
    return any(
        grant.grantee_id == actor.pk and grant.covers(category)
        for grant in grants_reaching(actor, owner)
    )


# --- access gates --------------------------------------------------------------------


def _membership(member: Membership, membership_id: object) -> Membership:
    return lookup(
        Membership.objects.filter(organisation_id=member.organisation_id).select_related(
            "user", "team", "line_manager__user"
        ),
        membership_id,
    )


def staff_record_for_member(
    member: Membership, membership_id: object, action: str = Action.READ
) -> tuple[Membership, StaffRecord]:
    """A person's staff record (personnel data: the person, their line manager, HR)."""
    person = _membership(member, membership_id)
    if not can(member, Action.READ, DataClass.PERSONNEL, person):
        raise Http404
    if action != Action.READ and not can(member, action, DataClass.PERSONNEL, person):
        raise PermissionDenied
    return person, staff_record_of(person)


def staff_record_of(person: Membership) -> StaffRecord:
    """The person's staff record as stored now. A person nobody has written terms for yet
    has an empty, unsaved one (saved on the first change; its version reads as 0)."""
    return StaffRecord.objects.filter(membership=person).first() or StaffRecord(
        organisation_id=person.organisation_id, membership=person
    )


def grant_for_owner(member: Membership, grant_id: object) -> SharingGrant:
    """One of the member's own shares (to change, renew, confirm or stop it)."""
    return lookup(
        SharingGrant.objects.filter(
            organisation_id=member.organisation_id, owner=member
        ).select_related("owner", "grantee__user", "team"),
        grant_id,
    )


def grant_for_member(member: Membership, grant_id: object) -> SharingGrant:
    """A share the member made, or one made to them that is active now.

    A share that expired, was stopped or is paused answers 404 to its grantee: it fails
    closed, and says nothing about why.
    """
    grant = lookup(
        SharingGrant.objects.filter(organisation_id=member.organisation_id).select_related(
            "owner__user", "owner__team", "grantee__user", "team"
        ),
        grant_id,
    )
    if grant.owner_id == member.pk and member.is_active:
        return grant
    if grant not in grants_reaching(member, grant.owner):
        raise Http404
    return grant


def exception_report_for_member(member: Membership, report_id: object) -> ExceptionReport:
    """An exception report: seen by the person it is about, the mentor or coach who made it
    and the recipient named for it, and nobody else (§3.11, §3.13, App. 4)."""
    report = lookup(
        ExceptionReport.objects.filter(organisation_id=member.organisation_id).select_related(
            "person__user", "supporter__user", "recipient__user"
        ),
        report_id,
    )
    if not member.is_active or member.pk not in (
        report.person_id,
        report.supporter_id,
        report.recipient_id,
    ):
        raise Http404
    return report


def supported_person_for_member(member: Membership, membership_id: object) -> Membership:
    """Someone ``member`` mentors or coaches now: the only people they may make an
    exception report about (§3.11, §3.13, App. 4). Anyone else, even a colleague they can
    see in the directory, is 404."""
    person = _membership(member, membership_id)
    if person.pk == member.pk or not is_supporter_of(member, person):
        raise Http404
    return person


def unavailability_for_member(member: Membership, unavailability_id: object) -> Unavailability:
    """One of the member's own times away ("My availability" and ``/me/unavailability``
    change only those; a line manager or HR keep someone else's through the staff
    record)."""
    if not member.is_active:
        raise Http404
    return lookup(
        Unavailability.objects.filter(
            organisation_id=member.organisation_id, membership=member
        ).select_related("membership__organisation"),
        unavailability_id,
    )
