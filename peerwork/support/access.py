"""Who may see and do what in support at work (issue 7; DESIGN.md "Privacy model"; the
[record: support] section of the access matrix).

- A **support pair** (``core.SupportRelationship``: a peer mentor or a coach with a staff
  member) is known to the two of them and to HR, who makes and ends pairs. Mentoring sits
  outside line management (§3.11): the line manager does not learn that someone has a
  mentor, unless the person lets the mentor confirm that support is taking place.
- A **support agreement** (App. 4) is read by the two, by HR, and, for coaching, by the
  person's line manager ("managers need to understand and consent", §3.13). The exception
  recipient it names reads it too: they must know what they may receive.
- The **session log** is the two people's alone (Principle 5), and only while the pair is
  current for the supporter; the staff member always reads their own.
- A **confirmation** (yes or no, support is taking place) reaches the person's line manager
  only while the person's consent stands (§4.2).
- A **mentoring request** is the person's and HR's.
- **Peer support groups** are open to every staff member (§4.8): working members see each
  group and its terms; who is in it is seen by its members and facilitator only; what the
  group learns reaches everyone when the group shares it; HR and the director (the
  organisation's management) change the terms and take the §4.8 steps.
- **Retreats** are work data: working members see them; their organiser, HR and the
  director change them.

Gates answer 404 for what the member may not see (or that does not exist, or belongs to
another organisation) and 403 for what they see but may not do.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peerwork.core.access import Action, is_working_member, lookup
from peerwork.core.models import Membership, Role, SupportRelationship

from .models import (
    GroupMember,
    MentoringRequest,
    Retreat,
    SupportAgreement,
    SupportConfirmation,
    SupportGroup,
    SupportSession,
)


def is_current(relationship: SupportRelationship) -> bool:
    return relationship.is_current()


def uses_support(member: Membership) -> bool:
    """Support at work is for working members, and for coaches and facilitators, who may
    come from outside (they see only what is theirs). Peer interviewers: nothing here."""
    return bool(is_working_member(member)) or (
        member.is_active and member.has_role(Role.COACH, Role.FACILITATOR)
    )


def makes_pairs(member: Membership) -> bool:
    """HR makes mentoring pairs and drafts agreements for the organisation."""
    return bool(member.is_active and member.has_role(Role.HR))


def manages_groups(member: Membership) -> bool:
    """The organisation's management for peer support groups (§4.8): HR and the director."""
    return bool(member.is_active and member.has_role(Role.HR, Role.DIRECTOR))


def organises_retreats(member: Membership) -> bool:
    return bool(member.is_active and member.has_role(Role.HR, Role.DIRECTOR, Role.LINE_MANAGER))


def in_pair(member: Membership, relationship: SupportRelationship) -> bool:
    """The staff member always; the supporter while the pair is current."""
    if not member.is_active:
        return False
    if member.pk == relationship.person_id:
        return True
    return member.pk == relationship.supporter_id and relationship.is_current()


def relationship_for_member(
    member: Membership, relationship_id: object, action: str = Action.READ
) -> SupportRelationship:
    """A pair: its two people and HR see it; HR changes (ends) it."""
    relationship = lookup(
        SupportRelationship.objects.filter(organisation_id=member.organisation_id).select_related(
            "person__user", "supporter__user", "person__organisation"
        ),
        relationship_id,
    )
    if not (in_pair(member, relationship) or makes_pairs(member)):
        raise Http404
    if action != Action.READ and not makes_pairs(member):
        raise PermissionDenied
    return relationship


def session_log_for_member(
    member: Membership, relationship_id: object, action: str = Action.READ
) -> SupportRelationship:
    """The pair's session log: the two of them only; the supporter writes it (Principle 5).
    HR, who made the pair, does not read it."""
    relationship = lookup(
        SupportRelationship.objects.filter(organisation_id=member.organisation_id).select_related(
            "person__user", "supporter__user", "person__organisation"
        ),
        relationship_id,
    )
    if not in_pair(member, relationship):
        raise Http404
    if action != Action.READ and member.pk != relationship.supporter_id:
        raise PermissionDenied
    return relationship


def session_for_member(
    member: Membership, session_id: object, action: str = Action.READ
) -> SupportSession:
    session = lookup(
        SupportSession.objects.filter(organisation_id=member.organisation_id).select_related(
            "relationship__person__user", "relationship__supporter__user"
        ),
        session_id,
    )
    if not in_pair(member, session.relationship):
        raise Http404
    if action != Action.READ and member.pk != session.relationship.supporter_id:
        raise PermissionDenied
    return session


def reads_agreement(member: Membership, agreement: SupportAgreement) -> bool:
    if not member.is_active:
        return False
    if member.pk == agreement.person_id:
        return True
    if member.pk == agreement.supporter_id:
        return agreement.relationship.is_current()
    if member.pk == agreement.exception_recipient_id or member.has_role(Role.HR):
        return True
    # Coaching needs the manager's understanding and consent (§3.13); mentoring sits
    # outside line management (§3.11).
    return agreement.relationship.kind == SupportRelationship.Kind.COACH and member.manages(
        agreement.person
    )


def agreement_for_member(
    member: Membership, agreement_id: object, action: str = Action.READ
) -> SupportAgreement:
    """An agreement: read as ``reads_agreement`` says. Change (agreeing, acknowledging,
    consenting, redrafting) is for the three parties: the person, the supporter, and for
    the organisation HR (or, for coaching, the line manager)."""
    agreement = lookup(
        SupportAgreement.objects.filter(organisation_id=member.organisation_id).select_related(
            "relationship",
            "person__user",
            "person__organisation",
            "supporter__user",
            "exception_recipient__user",
            "organisation_agreed_by__user",
        ),
        agreement_id,
    )
    if not reads_agreement(member, agreement):
        raise Http404
    if action != Action.READ and not (
        member.pk in (agreement.person_id, agreement.supporter_id)
        or member.has_role(Role.HR)
        or (
            agreement.relationship.kind == SupportRelationship.Kind.COACH
            and member.manages(agreement.person)
        )
    ):
        raise PermissionDenied
    return agreement


def consents_to_confirmation(relationship: SupportRelationship) -> bool:
    """The staff member's consent, on the pair's agreement, stands."""
    return SupportAgreement.objects.filter(
        organisation_id=relationship.organisation_id,
        relationship=relationship,
        confirm_consent_at__isnull=False,
    ).exists()


def confirmations_visible_to(
    member: Membership, person: Membership
) -> QuerySet[SupportConfirmation]:
    """The yes/no answers about ``person`` that ``member`` may see (§4.2): all of them for
    the person; for their line manager or the supporter who gave them, those of pairs whose
    agreement carries the person's consent now. Withdrawing consent hides them again."""
    rows = SupportConfirmation.objects.filter(organisation_id=person.organisation_id, person=person)
    if not member.is_active or member.organisation_id != person.organisation_id:
        return rows.none()
    if member.pk == person.pk:
        return rows
    consented = rows.filter(
        relationship__agreement__confirm_consent_at__isnull=False,
    )
    if member.manages(person):
        return consented
    today = timezone.localdate()
    return consented.filter(relationship__supporter=member).filter(
        Q(relationship__ended_on__isnull=True) | Q(relationship__ended_on__gte=today)
    )


def request_for_member(
    member: Membership, request_id: object, action: str = Action.READ
) -> MentoringRequest:
    """A request for a mentor: the person's (withdraw) and HR's (pair)."""
    request = lookup(
        MentoringRequest.objects.filter(organisation_id=member.organisation_id).select_related(
            "person__user", "person__organisation", "wanted__user"
        ),
        request_id,
    )
    if not member.is_active or not (request.person_id == member.pk or makes_pairs(member)):
        raise Http404
    return request


def sees_groups(member: Membership) -> bool:
    return bool(is_working_member(member))


def is_group_member(member: Membership, group: SupportGroup) -> bool:
    return (
        member.is_active
        and GroupMember.objects.filter(
            organisation_id=group.organisation_id,
            group=group,
            member=member,
            left_at__isnull=True,
        ).exists()
    )


def is_facilitator(member: Membership, group: SupportGroup) -> bool:
    return member.is_active and group.facilitator_id == member.pk


def group_for_member(
    member: Membership, group_id: object, action: str = Action.READ
) -> SupportGroup:
    """A group: working members and its facilitator see it; HR, the director and its
    facilitator change its terms; HR and the director close it (delete)."""
    group = lookup(
        SupportGroup.objects.filter(organisation_id=member.organisation_id).select_related(
            "facilitator__user"
        ),
        group_id,
    )
    if not (sees_groups(member) or is_facilitator(member, group)):
        raise Http404
    if action == Action.CHANGE and not (manages_groups(member) or is_facilitator(member, group)):
        raise PermissionDenied
    if action == Action.DELETE and not manages_groups(member):
        raise PermissionDenied
    return group


def sees_group_inside(member: Membership, group: SupportGroup) -> bool:
    """Who is in the group and its meetings: its members and facilitator."""
    return is_facilitator(member, group) or is_group_member(member, group)


def retreat_for_member(
    member: Membership, retreat_id: object, action: str = Action.READ
) -> Retreat:
    retreat = lookup(
        Retreat.objects.filter(organisation_id=member.organisation_id).select_related(
            "organiser__user", "meeting"
        ),
        retreat_id,
    )
    if not is_working_member(member):
        raise Http404
    if action != Action.READ and not (
        (member.pk == retreat.organiser_id and member.is_active)
        or member.has_role(Role.HR, Role.DIRECTOR)
    ):
        raise PermissionDenied
    return retreat


def supporters_of(person: Membership) -> QuerySet[Membership]:
    """Everyone who supports ``person`` now: their current peer mentors and coaches, and
    the facilitators of the groups they are in. The concerns module keeps these people
    apart from any investigation of the person (§4.7, Principle 4)."""
    today = timezone.localdate()
    pairs = SupportRelationship.objects.filter(
        organisation_id=person.organisation_id, person=person, started_on__lte=today
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    groups = GroupMember.objects.filter(
        organisation_id=person.organisation_id, member=person, left_at__isnull=True
    )
    return Membership.objects.filter(organisation_id=person.organisation_id).filter(
        Q(pk__in=pairs.values("supporter"))
        | Q(pk__in=SupportGroup.objects.filter(pk__in=groups.values("group")).values("facilitator"))
    )
