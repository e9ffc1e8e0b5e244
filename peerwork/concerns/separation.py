"""Support and investigation never mix (§4.7, PRODUCT.md Principle 4).

"Those involved in providing support should have no involvement in the formal
investigation, and those involved in the formal investigation should not provide support."
Whoever supports a person can be neither an investigator of them nor read an investigation
about them; whoever investigates them can support them in no way. Every refusal is audited,
so an attempt leaves a trace even though nothing changed.

Who supports a person (``supporters_of``):
- their current peer mentors and coaches, and the facilitators of the support groups they
  are in (``peerwork.support.access.supporters_of``);
- anyone named to support them while a concern is open (``NamedSupporter``);
- a peer supporter they bring to a review meeting;
- a mentor or coach who filed an exception report about them (they have heard the person
  in confidence).

Who investigates a person (``investigators_of``): the investigators named on an open
investigation of them, and the HR member who opened it (they run it).

The checks (``check_may_investigate``, ``check_may_support``) audit a refusal in a
transaction of their own: call them BEFORE opening the transaction of the change they
guard, or a rollback of that transaction takes the trace with it. The message names the
person only to HR, who may know of the investigation; anyone else (the person themself, a
director changing a group's terms) is told the rule without being told who is
investigated, or by whom.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from peerwork.core import audit
from peerwork.core.models import Membership, Role
from peerwork.people.models import ExceptionReport
from peerwork.support.access import supporters_of as support_at_work

from .models import Concern, Investigation, Investigator, NamedSupporter, ReviewMeeting

SUPPORTER_CANNOT_INVESTIGATE = _(
    "%(name)s supports %(person)s, so they cannot investigate them or read the "
    "investigation (§4.7). Choose someone who takes no part in their support."
)
NOT_ONESELF = _("%(person)s cannot investigate a concern about themself.")
INVESTIGATOR_CANNOT_SUPPORT = _(
    "%(name)s investigates %(person)s, so they cannot support them while it is open (§4.7). "
    "Choose someone who takes no part in the investigation."
)
# To the person themself: the rule, not who investigates them.
CANNOT_SUPPORT_YOU = _(
    "%(name)s cannot support you at the moment: those who support someone are kept apart "
    "from any formal process about them (§4.7). Choose someone else."
)
# To anyone else who may not know of an investigation: the rule, and no one's name but the
# person they chose.
CANNOT_TAKE_THIS_ROLE = _(
    "%(name)s cannot take this role at the moment: those who support someone are kept apart "
    "from any formal process about them (§4.7). Choose someone else."
)


class SeparationRefused(Exception):
    """Someone was about to be both a supporter and an investigator of the same person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def supporters_of(person: Membership) -> QuerySet[Membership]:
    """Everyone who supports ``person`` now, in every way this module knows of."""
    org = person.organisation_id
    named = NamedSupporter.objects.filter(
        organisation_id=org, concern__person=person, concern__state=Concern.State.OPEN
    )
    brought = ReviewMeeting.objects.filter(
        organisation_id=org, person=person, peer_supporter__isnull=False
    ).exclude(state=ReviewMeeting.State.CANCELLED)
    reporters = ExceptionReport.objects.filter(
        organisation_id=org, person=person, supporter__isnull=False
    )
    return Membership.objects.filter(organisation_id=org).filter(
        Q(pk__in=support_at_work(person).values("pk"))
        | Q(pk__in=named.values("member"))
        | Q(pk__in=brought.values("peer_supporter"))
        | Q(pk__in=reporters.values("supporter"))
    )


def supports(member: Membership, person: Membership) -> bool:
    return supporters_of(person).filter(pk=member.pk).exists()


def investigators_of(person: Membership) -> QuerySet[Membership]:
    """Everyone taking part in an open investigation of ``person``: its investigators and
    the HR member who opened it."""
    org = person.organisation_id
    rows = Investigator.objects.filter(
        organisation_id=org,
        investigation__person=person,
        investigation__state=Investigation.State.OPEN,
    )
    opened = Investigation.objects.filter(
        organisation_id=org, person=person, state=Investigation.State.OPEN
    )
    return Membership.objects.filter(organisation_id=org).filter(
        Q(pk__in=rows.values("member")) | Q(pk__in=opened.values("opened_by"))
    )


def investigates(member: Membership, person: Membership) -> bool:
    return investigators_of(person).filter(pk=member.pk).exists()


def _refuse(
    *, actor: Membership, member: Membership, person: Membership, action: str, message: str
) -> SeparationRefused:
    # The refusal is recorded even though nothing else changes: its own transaction, so a
    # caller's rollback does not take the trace with it.
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=action,
            object_type="membership",
            object_id=member.pk,
            subject=person,
            detail={"refused": True},
        )
    return SeparationRefused(message)


def check_may_investigate(*, actor: Membership, member: Membership, person: Membership) -> None:
    """Raise ``SeparationRefused`` (audited) when ``member`` supports ``person``, or is the
    person. HR calls it when opening an investigation (for themself) and naming
    investigators. Call it outside the change's transaction."""
    if member.pk == person.pk:
        message = str(NOT_ONESELF) % {"person": person.name}
    elif supports(member, person):
        message = str(SUPPORTER_CANNOT_INVESTIGATE) % {"name": member.name, "person": person.name}
    else:
        return
    raise _refuse(
        actor=actor,
        member=member,
        person=person,
        action="concerns.investigator_refused",
        message=message,
    )


def _support_refusal(actor: Membership, member: Membership, person: Membership) -> str:
    """The refusal in words for ``actor``: only HR is told who investigates whom."""
    if actor.pk == person.pk:
        return str(CANNOT_SUPPORT_YOU) % {"name": member.name}
    if actor.is_active and actor.has_role(Role.HR):
        return str(INVESTIGATOR_CANNOT_SUPPORT) % {"name": member.name, "person": person.name}
    return str(CANNOT_TAKE_THIS_ROLE) % {"name": member.name}


def check_may_support(*, actor: Membership, member: Membership, person: Membership) -> None:
    """Raise ``SeparationRefused`` (audited) when ``member`` investigates ``person``.

    Every way of becoming someone's supporter calls it first: naming a supporter on a
    concern, bringing a peer supporter to a review meeting, pairing a peer mentor or coach,
    making someone the facilitator of a group the person is in, and the person joining a
    group their investigator facilitates. Call it outside the change's transaction."""
    if investigates(member, person):
        raise _refuse(
            actor=actor,
            member=member,
            person=person,
            action="concerns.supporter_refused",
            message=_support_refusal(actor, member, person),
        )


def record_refused_read(*, actor: Membership, investigation: Investigation) -> None:
    """A supporter asked for an investigation of the person they support: they get what
    an outsider gets (404), and the attempt is audited."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="concerns.investigation_read_refused",
            object_type="investigation",
            object_id=investigation.pk,
            subject=investigation.person,
            detail={"refused": True},
        )
