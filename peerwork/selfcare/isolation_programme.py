"""Another organisation's self-control programme records for the organisation isolation
test (``peerwork.core.isolation``; nothing here runs in production). The makers go by
parameter name, so the pages and the API share them.

- ``programme_id``: a programme of the member there, made through the service (the one
  they had going before is ended first: one goes at a time); they own it.
- ``entry_id``: a day logged in such a programme; it names its programme.
- ``opening_id``: such a programme opened to the peer mentor who mentors the member
  there; the member closes it.

Opening a programme needs the owner's peer mentor, so every maker makes sure the member
has one (``_mentor_of``); the opening's body names them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import cast

from django.utils import timezone
from django_scopes import scope

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Membership, Role, SupportRelationship

from . import programmes
from .models import SelfControlEntry, SelfControlProgramme

API = "/api/v1"
PROGRAMME = f"{API}/self-control-programmes/{{programme_id}}"


def _mentor_of(other: Other) -> Membership:
    mentor = other.member_with(Role.STAFF, Role.PEER_MENTOR)
    SupportRelationship.objects.get_or_create(
        organisation=other.organisation,
        supporter=mentor,
        person=other.member,
        kind=SupportRelationship.Kind.MENTOR,
        defaults={"started_on": timezone.localdate() - dt.timedelta(days=2)},
    )
    return mentor


def _programme_of(other: Other) -> SelfControlProgramme:
    _mentor_of(other)
    going = programmes.active_programme(other.member)
    if going is not None:
        programmes.end_programme(actor=other.member, programme=going, version=going.version)
    return programmes.start_programme(
        actor=other.member,
        benefits="Isolation benefits",
        told=["Isolation friend"],
        target="Isolation target behaviour",
    )


def _programme(other: Other) -> Made:
    programme = _programme_of(other)
    return Made(value=str(programme.pk), owner=other.member, obj=programme)


def _entry(other: Other) -> Made:
    programme = _programme_of(other)
    entry = programmes.record_entry(
        actor=other.member,
        programme=programme,
        phase=SelfControlEntry.Phase.MONITORING,
        day=None,
        count=2,
        note="Isolation note",
    )
    return Made(
        value=str(entry.pk),
        owner=other.member,
        obj=entry,
        also={"programme_id": str(programme.pk)},
    )


def _opening(other: Other) -> Made:
    programme = _programme_of(other)
    opening = programmes.open_programme(
        actor=other.member,
        programme=programme,
        grantee=_mentor_of(other),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    return Made(value=str(opening.pk), owner=other.member, obj=opening)


register_isolation_maker("programme_id", _programme)
register_isolation_maker("entry_id", _entry)
register_isolation_maker("opening_id", _opening)


# --- what the API's changes send -----------------------------------------------------------------


def _versioned(data: dict[str, object]) -> Callable[[Made], Body]:
    def build(made: Made) -> Body:
        programme = cast(SelfControlProgramme, made.obj)
        return Body(data=data, headers={"If-Match": f'"{programme.version}"'})

    return build


def _open_to_mentor(made: Made) -> Body:
    with scope(organisation=made.owner.organisation_id):
        mentor = SupportRelationship.objects.filter(
            organisation_id=made.owner.organisation_id,
            person=made.owner,
            kind=SupportRelationship.Kind.MENTOR,
        ).values_list("supporter_id", flat=True)[0]
    expires = timezone.now() + dt.timedelta(days=7)
    return Body(data={"grantee_id": str(mentor), "expires_at": expires.isoformat()})


register_isolation_request(f"PATCH {PROGRAMME}", _versioned({"target": "Isolation, changed"}))
register_isolation_request(f"POST {PROGRAMME}/end", _versioned({}))
register_isolation_request(
    f"POST {PROGRAMME}/entries", lambda made: Body(data={"phase": "monitoring", "count": 1})
)
register_isolation_request(
    f"POST {PROGRAMME}/revisions", lambda made: Body(data={"what": "Isolation revision"})
)
register_isolation_request(f"POST {PROGRAMME}/openings", _open_to_mentor)
