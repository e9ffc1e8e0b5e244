"""Team operations: an org admin sets up the organisation's teams (PRODUCT.md "Who uses it").

Teams are configuration, so only the org admin changes them; every working member sees them
(work data, ``access.can(…, "work")``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import access
from .models import Membership, Site, Team
from .versions import update_if_current

UNCHANGED: Any = object()


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Give the team a name.")]})
    if len(name) > Team._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"name": [_("This name is too long.")]})
    return name


def _site(actor: Membership, site_id: uuid.UUID | None) -> Site | None:
    if site_id is None:
        return None
    site = Site.objects.filter(organisation_id=actor.organisation_id, pk=site_id).first()
    if site is None:
        raise ValidationError({"site_id": [_("There is no such site.")]})
    return site


def _name_taken(actor: Membership, name: str, exclude: uuid.UUID | None = None) -> bool:
    others = Team.objects.filter(organisation_id=actor.organisation_id, name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return others.exists()


def _refuse_unless_admin(actor: Membership) -> None:
    if not access.is_org_admin(actor):
        raise PermissionDenied(_("Only an organisation admin can change teams."))


def create_team(*, actor: Membership, name: str, site_id: uuid.UUID | None = None) -> Team:
    """The org admin adds a team, optionally at one of the organisation's sites."""
    _refuse_unless_admin(actor)
    name = _clean_name(name)
    site = _site(actor, site_id)
    duplicate = ValidationError({"name": [_("There is already a team with this name.")]})
    if _name_taken(actor, name):
        raise duplicate
    try:
        with transaction.atomic():
            return Team.objects.create(organisation_id=actor.organisation_id, name=name, site=site)
    except IntegrityError:  # someone made the same team a moment ago
        raise duplicate from None


def change_team(
    *,
    actor: Membership,
    team: Team,
    version: int,
    name: str = UNCHANGED,
    site_id: uuid.UUID | None = UNCHANGED,
) -> Team:
    """The org admin renames a team or moves it to another site.

    ``version`` is the one the admin read: if the team changed since, ``StaleVersion``.
    """
    _refuse_unless_admin(actor)
    if team.organisation_id != actor.organisation_id:
        raise PermissionDenied
    changes: dict[str, Any] = {}
    if name is not UNCHANGED:
        changes["name"] = _clean_name(name)
        if _name_taken(actor, changes["name"], exclude=team.pk):
            raise ValidationError({"name": [_("There is already a team with this name.")]})
    if site_id is not UNCHANGED:
        changes["site"] = _site(actor, site_id)
    try:
        with transaction.atomic():
            update_if_current(Team, pk=team.pk, version=version, changes=changes)
    except IntegrityError:
        raise ValidationError({"name": [_("There is already a team with this name.")]}) from None
    team.refresh_from_db()
    return team
