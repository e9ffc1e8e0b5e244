"""Tenancy operations: organisations, members, roles, invitations, organisation switching.

Plain, keyword-only functions. Those a person performs take the acting ``Membership`` first
and check it through ``peerwork.core.access``; those the instance operator or the demo seed
performs say so in their name or docstring.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from .models import (
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    Role,
    Team,
    User,
)
from .models.tenancy import INVITATION_LIFETIME


def create_organisation(
    *, slug: str, name: str, time_zone: str = "UTC", languages: Iterable[str] = ("en",)
) -> Organisation:
    """The instance operator creates an organisation (its keys are made on first use)."""
    return Organisation.objects.create(
        slug=slug, name=name, time_zone=time_zone, languages=list(languages)
    )


def set_roles(*, membership: Membership, roles: Iterable[str]) -> None:
    wanted = {Role(r).value for r in roles}
    with scope(organisation=membership.organisation_id):
        MembershipRole.objects.filter(membership=membership).exclude(role__in=wanted).delete()
        have = set(
            MembershipRole.objects.filter(membership=membership).values_list("role", flat=True)
        )
        MembershipRole.objects.bulk_create(
            MembershipRole(
                organisation_id=membership.organisation_id, membership=membership, role=r
            )
            for r in sorted(wanted - have)
        )
    membership.__dict__.pop("roles", None)


def add_member(
    *,
    organisation: Organisation,
    username: str,
    display_name: str,
    email: str,
    roles: Iterable[str],
    team: Team | None = None,
    password: str | None = None,
    language: str = "",
) -> Membership:
    """Create (or reuse) a person and give them a membership; for the seed and tests.

    People joining through the app come in by ``accept_invitation``.
    """
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"display_name": display_name, "email": email, "language": language},
        )
        if created:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save(update_fields=["password"])
        with scope(organisation=organisation.pk):
            membership, _created = Membership.objects.get_or_create(
                organisation=organisation, user=user, defaults={"team": team, "work_email": email}
            )
        set_roles(membership=membership, roles=roles)
    return membership


def switch_organisation(
    *, user: User, organisation_id: str, session: dict[str, object]
) -> Membership:
    """Make another of the person's own memberships the active one, or refuse."""
    from .middleware import SESSION_KEY, memberships_of

    for membership in memberships_of(user):
        if str(membership.organisation_id) == str(organisation_id):
            session[SESSION_KEY] = str(membership.organisation_id)
            return membership
    raise PermissionDenied


# --- invitations ---------------------------------------------------------------------


def invite(
    *,
    actor: Membership,
    email: str,
    roles: Iterable[str],
    team: Team | None = None,
    now: datetime | None = None,
) -> Invitation:
    """An org admin invites someone by email; the email goes out after commit."""
    from . import access, audit
    from .tasks import send_invitation

    if not access.is_org_admin(actor):
        raise PermissionDenied
    email = BaseUserManager.normalize_email(email).strip()
    role_values = sorted({Role(r).value for r in roles})
    if not role_values:
        raise ValidationError({"roles": [_("Choose at least one role.")]})
    if team is not None and team.organisation_id != actor.organisation_id:
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation_id=actor.organisation_id,
            email=email,
            roles=role_values,
            team=team,
            invited_by=actor,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        audit.record(
            actor=actor,
            action="invitation.create",
            object_type="core.invitation",
            object_id=invitation.pk,
            detail={"roles": role_values},
        )
        invitation_id = str(invitation.pk)
        transaction.on_commit(lambda: send_invitation.enqueue(invitation_id))
    return invitation


def invite_first_admin(
    *, organisation: Organisation, email: str, now: datetime | None = None
) -> Invitation:
    """The instance operator invites an organisation's first org admin (from ``/operator/``).

    The operator is not a member, so this is not ``invite``: it grants only the org admin
    role, and only while the organisation has no current org admin; from then on the
    organisation invites its own people. The invitation is recorded in the organisation's
    audit chain with no actor, and the email goes out after commit.
    """
    from django.core.validators import validate_email
    from django.db.models import Q

    from . import audit
    from .tasks import send_invitation

    email = BaseUserManager.normalize_email(email).strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid email address.")]}) from None
    now = now or timezone.now()
    with transaction.atomic(), scope(organisation=organisation.pk):
        has_admin = MembershipRole.objects.filter(
            Q(membership__ended_at__isnull=True) | Q(membership__ended_at__gt=now),
            organisation=organisation,
            role=Role.ORG_ADMIN,
        ).exists()
        if has_admin:
            raise ValidationError(
                _("This organisation already has an organisation admin; they invite others.")
            )
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            roles=[Role.ORG_ADMIN.value],
            invited_by=None,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        audit.record(
            actor=None,
            organisation=organisation,
            action="invitation.create",
            object_type="core.invitation",
            object_id=invitation.pk,
            detail={"roles": [Role.ORG_ADMIN.value], "by": "operator"},
        )
        invitation_id = str(invitation.pk)
        transaction.on_commit(lambda: send_invitation.enqueue(invitation_id))
    return invitation


def withdraw_invitation(*, actor: Membership, invitation: Invitation) -> None:
    from . import access, audit

    if not access.is_org_admin(actor) or invitation.organisation_id != actor.organisation_id:
        raise PermissionDenied
    with transaction.atomic():
        withdrawn = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if withdrawn:
            audit.record(
                actor=actor,
                action="invitation.withdraw",
                object_type="core.invitation",
                object_id=invitation.pk,
            )


def accept_invitation(
    *,
    invitation: Invitation,
    user: User | None = None,
    username: str = "",
    display_name: str = "",
    password: str = "",
) -> Membership:
    """Join the organisation: as a signed-in ``user``, or by creating an account.

    The invitation is claimed with a conditional update, so a link used twice at once
    creates one membership, not two. Whoever sent the invitation is told in their inbox.
    """
    from . import audit
    from .notify import INVITATION_ACCEPTED, notify

    now = timezone.now()
    with transaction.atomic(), scopes_disabled():
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(accepted_at=now)
        if not claimed:
            raise ValidationError(_("This invitation has expired or was already used."))
        if user is None:
            user = User(username=username, display_name=display_name, email=invitation.email)
            user.set_password(password)
            user.save()
        if Membership.objects.filter(
            organisation_id=invitation.organisation_id, user=user
        ).exists():
            raise ValidationError(_("You are already a member of this organisation."))
        membership = Membership.objects.create(
            organisation_id=invitation.organisation_id,
            user=user,
            team=invitation.team,
            work_email=invitation.email,
            line_manager=None,
        )
        Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
        set_roles(membership=membership, roles=invitation.roles)
        with scope(organisation=invitation.organisation_id):
            audit.record(
                actor=membership,
                action="invitation.accept",
                object_type="core.invitation",
                object_id=invitation.pk,
                detail={"roles": sorted(membership.roles)},
            )
            inviter = (
                Membership.objects.filter(pk=invitation.invited_by_id).first()
                if invitation.invited_by_id
                else None
            )
            if inviter is not None and inviter.is_active:
                notify(
                    recipient=inviter,
                    kind=INVITATION_ACCEPTED.kind,
                    params={"membership": str(membership.pk)},
                )
    return membership
