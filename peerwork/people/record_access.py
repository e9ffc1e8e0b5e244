"""Access gates of the staff record, availability and exception report pages.

They complete ``peerwork.people.access`` for two records it has no gate for: a time a
person is away (their own, on "My availability") and a person as seen by their mentor or
coach (to make an exception report, §3.11, §3.13, App. 4). Like every gate they answer 404
for anything missing, malformed, of another organisation or not the actor's to use.
"""

from __future__ import annotations

from django.http import Http404

from peerwork.core.access import _lookup, is_supporter_of
from peerwork.core.models import Membership

from .models import Unavailability


def supported_person_for_member(member: Membership, membership_id: object) -> Membership:
    """Someone ``member`` mentors or coaches now: the only people they may make an
    exception report about. Anyone else, even a colleague they can see, is 404."""
    person = _lookup(
        Membership.objects.filter(organisation_id=member.organisation_id).select_related(
            "user", "team"
        ),
        membership_id,
    )
    if person.pk == member.pk or not is_supporter_of(member, person):
        raise Http404
    return person


def unavailability_for_member(member: Membership, unavailability_id: object) -> Unavailability:
    """One of the member's own times away (the "My availability" page changes only those;
    a line manager or HR keep someone else's through the staff record)."""
    if not member.is_active:
        raise Http404
    return _lookup(
        Unavailability.objects.filter(
            organisation_id=member.organisation_id, membership=member
        ).select_related("membership__organisation"),
        unavailability_id,
    )
