"""Makers of another organisation's real objects, for the organisation isolation test.

``peerwork/core/tests/test_isolation.py`` walks every URL pattern and every operation of the
API schema. For each path parameter it asks a maker registered here for a real object of
the *other* organisation of the test story (Riverside), then checks that every Harbourside
member gets 404 for it while the object's Riverside owner gets a success, so the test
cannot pass by asking for nothing (DESIGN.md "Known pitfalls": tests that cannot fail are
defects). A route whose parameter has no maker fails that test, so a new route is covered
the day it lands, without anyone remembering to write an isolation test for it.

A module adds its makers in ``peerwork/<app>/isolation.py`` (the test imports every app's
``isolation`` module, as the admin does with ``admin`` modules); nothing here runs in
production::

    from peerwork.core.isolation import Made, Other, register_isolation_maker

    def _shift(other: Other) -> Made:
        shift = Shift.objects.create(organisation=other.organisation, member=other.member, ...)
        return Made(value=str(shift.pk), owner=other.member, obj=shift)

    register_isolation_maker("shift_id", _shift)          # any route's <shift_id> / {shift_id}
    register_isolation_maker("shifts/id", _shift)         # a generic {id} after /shifts/

A route whose unsafe method needs a body (a form, a JSON payload, an ``If-Match`` header)
to succeed for the owner registers it with ``register_isolation_request``, keyed by
``"POST app:url_name"`` for pages and ``"PATCH /api/v1/path/{param}"`` for the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import cast

from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.db import models

from . import services, teams
from .mfa import enrol_totp, mfa_required
from .models import Membership, Organisation, Role, Site, Team
from .notify import INVITATION_ACCEPTED, notify
from .tokens import create_token


@dataclass(frozen=True)
class Other:
    """The organisation a maker builds in, and who is there; makers run inside its scope.

    The test passes Riverside, the story's other organisation; it also passes Harbourside,
    to ask Riverside's owner for the same kind of object of the other side.
    """

    organisation: Organisation
    member: Membership  # an ordinary member there (Taras: staff and line manager)
    site: Site
    team: Team
    _members: dict[frozenset[str], Membership] = field(default_factory=dict, compare=False)

    def member_with(self, *roles: str) -> Membership:
        """A member of the other organisation holding these roles (made once per set), for
        objects only a role may act on: an org admin for teams and invitations."""
        wanted = frozenset(Role(role).value for role in roles)
        if wanted not in self._members:
            username = f"{self.organisation.slug}-{'-'.join(sorted(wanted))}".replace("_", "-")
            member = services.add_member(
                organisation=self.organisation,
                username=username,
                display_name=username,
                email=f"{username}@example.org",
                roles=sorted(wanted),
                team=self.team,
            )
            if mfa_required(member.user, [member]):
                # As they must be to act at all (peerwork.core.mfa).
                enrol_totp(member.user, generate_totp_secret())
            self._members[wanted] = member
        return self._members[wanted]


@dataclass(frozen=True)
class Made:
    """A real object of the other organisation, as a route's parameter names it."""

    value: str  # what goes into the URL: usually the object's id
    owner: Membership  # who there may do everything the route offers with it
    obj: models.Model  # re-read after each refused request: it must not have changed
    # Values for the route's other parameters, when this object lives inside another
    # (``meetings/<meeting_id>/notes/<note_id>``: the note's maker names its meeting).
    also: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Body:
    """What an unsafe request sends so that it succeeds for the owner."""

    data: Mapping[str, object] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


Maker = Callable[[Other], Made]
BodyMaker = Callable[[Made], Body]

_makers: dict[str, Maker] = {}
_bodies: dict[str, BodyMaker] = {}


def register_isolation_maker(name: str, maker: Maker) -> Maker:
    """Make ``name``'s objects with ``maker``: a parameter name (``team_id``) or, for a
    generic one, the path segment before it and the name (``shifts/id``)."""
    if _makers.setdefault(name, maker) is not maker:
        raise ValueError(f"an isolation maker for {name!r} is already registered")
    return maker


def register_isolation_request(key: str, build: BodyMaker) -> BodyMaker:
    """The body and headers ``key``'s request needs to succeed for the owner.

    ``key`` is ``"POST app:url_name"`` for a page or ``"PATCH /api/v1/teams/{team_id}"``
    (the method and the schema's path) for an API operation.
    """
    if _bodies.setdefault(key, build) is not build:
        raise ValueError(f"an isolation request for {key!r} is already registered")
    return build


def maker_for(resource: str, parameter: str) -> Maker | None:
    """The maker for ``parameter`` after the path segment ``resource``, if any."""
    return _makers.get(f"{resource}/{parameter}") or _makers.get(parameter)


def body_for(key: str) -> BodyMaker | None:
    return _bodies.get(key)


# --- the core's objects --------------------------------------------------------------


def _membership(other: Other) -> Made:
    return Made(value=str(other.member.pk), owner=other.member, obj=other.member)


def _organisation(other: Other) -> Made:
    return Made(value=str(other.organisation.pk), owner=other.member, obj=other.organisation)


def _site(other: Other) -> Made:
    site = Site.objects.create(organisation=other.organisation, name="Isolation site")
    return Made(value=str(site.pk), owner=other.member, obj=site)


def _team(other: Other) -> Made:
    # Teams are configuration: the org admin may read and change them.
    admin = other.member_with(Role.ORG_ADMIN)
    team = teams.create_team(
        actor=admin, name=f"Isolation team {uuid.uuid4().hex[:8]}", site_id=other.site.pk
    )
    return Made(value=str(team.pk), owner=admin, obj=team)


def _invitation(other: Other) -> Made:
    admin = other.member_with(Role.ORG_ADMIN)
    invitation = services.invite(
        actor=admin, email="invited@example.org", roles=[Role.STAFF], team=other.team
    )
    return Made(value=str(invitation.pk), owner=admin, obj=invitation)


def _notification(other: Other) -> Made:
    notification = notify(recipient=other.member, kind=INVITATION_ACCEPTED.kind)
    return Made(value=str(notification.pk), owner=other.member, obj=notification)


def _token(other: Other) -> Made:
    token, _raw = create_token(member=other.member, name="isolation")
    return Made(value=str(token.pk), owner=other.member, obj=token)


register_isolation_maker("membership_id", _membership)
register_isolation_maker("member_id", _membership)
register_isolation_maker("organisation_id", _organisation)
register_isolation_maker("site_id", _site)
register_isolation_maker("team_id", _team)
register_isolation_maker("invitation_id", _invitation)
register_isolation_maker("notification_id", _notification)
register_isolation_maker("token_id", _token)


def _team_form(made: Made) -> Body:
    team = cast(Team, made.obj)
    return Body(
        data={
            "name": f"{team.name} (renamed)",
            "site": str(team.site_id or ""),
            "version": str(team.version),
        }
    )


def _team_patch(made: Made) -> Body:
    team = cast(Team, made.obj)
    return Body(data={"name": f"{team.name} (renamed)"}, headers={"If-Match": f'"{team.version}"'})


register_isolation_request("POST core:team_edit", _team_form)
register_isolation_request("PATCH /api/v1/teams/{team_id}", _team_patch)
