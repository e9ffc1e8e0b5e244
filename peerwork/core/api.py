"""Core API: the person, their organisations, sites, teams, the directory and API tokens.

Thin handlers: each finds the acting membership, calls its access gate first, then a
service, and answers with a typed schema. Directory data is work data only (DESIGN.md
"Privacy model"): name, title, team, roles and work contacts.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of, memberships_visible, uses_token
from peerwork.api.schemas import Pages, Text, Time, errors

from . import access, teams, tokens
from .access import Action, DataClass
from .models import ApiToken, Membership, Organisation, Role, Site, Team

router = Router()


# --- schemas ---------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: uuid.UUID
    slug: str
    name: str
    time_zone: str
    languages: list[str]


class SiteRef(Schema):
    id: uuid.UUID
    name: str


class SiteOut(Schema):
    id: uuid.UUID
    name: str
    address: str


class TeamRef(Schema):
    id: uuid.UUID
    name: str


class TeamOut(Schema):
    id: uuid.UUID
    name: str
    site: SiteRef | None
    version: int = Field(description="Send it back as `If-Match` to change the team.")


class TeamCreate(Schema):
    name: Text = Field(min_length=1, max_length=200)
    site_id: uuid.UUID | None = None


class TeamChange(Schema):
    """Only the fields sent change; `site_id: null` takes the team off its site."""

    name: Text | None = Field(None, min_length=1, max_length=200)
    site_id: uuid.UUID | None = None


class RoleOut(Schema):
    code: str
    label: str


def _already(obj: object, name: str) -> Any:
    """A field of a schema or dict that was resolved before.

    django-ninja runs resolvers again when it re-checks what a handler built (a schema or
    a dict), so a resolver turns only model instances into values and passes the rest on.
    """
    if isinstance(obj, Mapping):
        return obj[name]
    return getattr(obj, name)


def _roles(obj: Membership | Schema) -> list[RoleOut]:
    if not isinstance(obj, Membership):
        return list(_already(obj, "roles"))
    return [
        RoleOut(code=value, label=str(label)) for value, label in Role.choices if value in obj.roles
    ]


class MemberOut(Schema):
    """A colleague's directory card: work data only."""

    id: uuid.UUID
    name: str
    title: str
    team: TeamRef | None
    roles: list[RoleOut]
    work_email: str
    work_phone: str
    pronouns: str = Field("", description="As the person gave them on their profile.")
    languages: str = Field("", description="The languages the person speaks, in their words.")

    @staticmethod
    def resolve_roles(obj: Membership) -> list[RoleOut]:
        return _roles(obj)

    # The profile is the people module's (peerwork.people.models.Profile, one per
    # membership); a member who has not written one has none.
    @staticmethod
    def resolve_pronouns(obj: Membership) -> str:
        profile = getattr(obj, "profile", None)
        return profile.pronouns if profile is not None else ""

    @staticmethod
    def resolve_languages(obj: Membership) -> str:
        profile = getattr(obj, "profile", None)
        return profile.languages if profile is not None else ""


class MembershipOut(Schema):
    """One of the person's own memberships."""

    id: uuid.UUID
    organisation: OrganisationOut
    title: str
    team: TeamRef | None
    roles: list[RoleOut]
    joined_at: Time

    @staticmethod
    def resolve_roles(obj: Membership) -> list[RoleOut]:
        return _roles(obj)


class PersonOut(Schema):
    username: str
    name: str
    language: str


class MeOut(Schema):
    person: PersonOut
    membership: MembershipOut = Field(description="The membership this request acts as.")
    memberships: list[MembershipOut] = Field(
        description=(
            "The person's memberships this request may speak of: all of them with the "
            "browser session, only the token's own with a token."
        )
    )


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    created_at: Time
    expires_at: Time
    last_used_at: Time | None
    revoked_at: Time | None
    usable: bool

    @staticmethod
    def resolve_prefix(obj: ApiToken | Schema) -> str:
        return tokens.display_prefix(obj) if isinstance(obj, ApiToken) else _already(obj, "prefix")

    @staticmethod
    def resolve_usable(obj: ApiToken | Schema) -> bool:
        return obj.is_usable() if isinstance(obj, ApiToken) else bool(_already(obj, "usable"))


class TokenCreate(Schema):
    name: Text = Field(min_length=1, max_length=tokens.NAME_MAX_LENGTH)
    expires_in_days: int = Field(tokens.DEFAULT_LIFETIME_DAYS, ge=1, le=tokens.MAX_LIFETIME_DAYS)


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself. It is shown this once and never again.")


# --- helpers -------------------------------------------------------------------------


def _require_list(member: Membership) -> None:
    """Lists of work data are for working members; others may not list (403)."""
    if not access.can(member, Action.LIST, DataClass.WORK):
        raise PermissionDenied(_("Your role does not include the organisation's directory."))


_IF_MATCH = re.compile(r'\s*(?:W/)?"?(\d{1,9})"?\s*')


def version_from(if_match: str) -> int:
    """The version a client read, from its ``If-Match`` header ("3", W/"3" or 3); 400 in
    words when it is not one."""
    found = _IF_MATCH.fullmatch(if_match)
    if found is None:
        raise ValidationError({"If-Match": [_('Send the version you read, like If-Match: "3".')]})
    return int(found.group(1))


def etag(response: HttpResponse, version: int | str) -> None:
    """The version of what a response answers, for the client to send back as ``If-Match``."""
    response["ETag"] = f'"{version}"'


# --- the person ----------------------------------------------------------------------


@router.get(
    "/me",
    response={200: MeOut, **errors()},
    summary="Who I am",
    tags=["me"],
)
def me(request: HttpRequest) -> dict[str, object]:
    """The person, the membership this request acts as, and their own memberships."""
    member = member_of(request)
    return {
        "person": member.user,
        "membership": member,
        "memberships": memberships_visible(request),
    }


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **errors()},
    summary="My organisations",
    tags=["organisations"],
)
@paginate(Pages)
def organisations(request: HttpRequest) -> list[Organisation]:
    """The organisations the person belongs to (through a token: the token's only)."""
    return [m.organisation for m in memberships_visible(request)]


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **errors(404)},
    summary="One of my organisations",
    tags=["organisations"],
)
def organisation(request: HttpRequest, organisation_id: str) -> Organisation:
    """One organisation the person belongs to; any other answers 404."""
    wanted = access.parse_id(organisation_id)
    for membership in memberships_visible(request):
        if membership.organisation_id == wanted:
            return membership.organisation
    raise Http404


# --- sites and teams -----------------------------------------------------------------


@router.get(
    "/sites",
    response={200: list[SiteOut], **errors(403)},
    summary="Sites",
    tags=["sites"],
)
@paginate(Pages)
def sites(request: HttpRequest) -> QuerySet[Site]:
    """The organisation's sites."""
    member = member_of(request)
    _require_list(member)
    return Site.objects.filter(organisation_id=member.organisation_id).order_by("name", "id")


@router.get(
    "/sites/{site_id}",
    response={200: SiteOut, **errors(404)},
    summary="One site",
    tags=["sites"],
)
def site(request: HttpRequest, site_id: str) -> Site:
    return access.site_for_member(member_of(request), site_id)


@router.get(
    "/teams",
    response={200: list[TeamOut], **errors(403)},
    summary="Teams",
    tags=["teams"],
)
@paginate(Pages)
def team_list(request: HttpRequest) -> QuerySet[Team]:
    """The organisation's teams."""
    member = member_of(request)
    _require_list(member)
    return (
        Team.objects.filter(organisation_id=member.organisation_id)
        .select_related("site")
        .order_by("name", "id")
    )


@router.get(
    "/teams/{team_id}",
    response={200: TeamOut, **errors(404)},
    summary="One team",
    tags=["teams"],
)
def team(request: HttpRequest, team_id: str, response: HttpResponse) -> Team:
    """One team; its `ETag` is the version to send back as `If-Match`."""
    found = access.team_for_member(member_of(request), team_id)
    etag(response, found.version)
    return found


@router.post(
    "/teams",
    response={201: TeamOut, **errors(400, 403)},
    summary="Add a team",
    tags=["teams"],
)
def team_create(request: HttpRequest, payload: TeamCreate, response: HttpResponse) -> Status:
    """Org admins add teams; others who may see teams get 403."""
    member = member_of(request)
    created = teams.create_team(actor=member, name=payload.name, site_id=payload.site_id)
    etag(response, created.version)
    return Status(201, created)


@router.patch(
    "/teams/{team_id}",
    response={200: TeamOut, **errors(400, 403, 404, 409)},
    summary="Change a team",
    tags=["teams"],
)
def team_change(
    request: HttpRequest,
    team_id: str,
    payload: TeamChange,
    response: HttpResponse,
    if_match: str = Header(
        ..., alias="If-Match", description="The team's `version` (or `ETag`) as you read it."
    ),
) -> Team:
    """Rename a team or move it to another site (org admins). 409 when the team changed
    since the version sent in `If-Match`."""
    member = member_of(request)
    found = access.team_for_member(member, team_id, Action.CHANGE)
    changes: dict[str, object] = {}
    if "name" in payload.model_fields_set and payload.name is not None:
        changes["name"] = payload.name
    if "site_id" in payload.model_fields_set:
        changes["site_id"] = payload.site_id
    changed = teams.change_team(
        actor=member,
        team=found,
        version=version_from(if_match),
        **changes,  # type: ignore[arg-type]
    )
    etag(response, changed.version)
    return changed


# --- the directory -------------------------------------------------------------------


@router.get(
    "/members",
    response={200: list[MemberOut], **errors(403)},
    summary="The directory",
    tags=["members"],
)
@paginate(Pages)
def members(request: HttpRequest) -> QuerySet[Membership]:
    """Current members of the organisation, by name: work data only."""
    member = member_of(request)
    _require_list(member)
    return (
        Membership.objects.filter(organisation_id=member.organisation_id, ended_at__isnull=True)
        .select_related("user", "team", "profile")
        .prefetch_related("role_grants")
        .order_by("user__display_name", "user__username", "id")
    )


@router.get(
    "/members/{member_id}",
    response={200: MemberOut, **errors(404)},
    summary="A colleague's directory card",
    tags=["members"],
)
def member_card(request: HttpRequest, member_id: str) -> Membership:
    return access.membership_for_member(member_of(request), member_id)


# --- API tokens ----------------------------------------------------------------------


@router.get(
    "/tokens",
    response={200: list[TokenOut], **errors()},
    summary="My API tokens",
    tags=["tokens"],
)
@paginate(Pages)
def token_list(request: HttpRequest) -> QuerySet[ApiToken]:
    """The person's own tokens in this organisation, newest first."""
    member = member_of(request)
    return ApiToken.objects.filter(membership=member).order_by("-created_at", "id")


@router.post(
    "/tokens",
    response={201: TokenCreated, **errors(400, 403)},
    summary="Make an API token",
    tags=["tokens"],
)
def token_create(request: HttpRequest, payload: TokenCreate) -> Status:
    """Make a token for this organisation; the answer holds it once, never again.

    Only from a signed-in session: a token that could make tokens would outlive its own
    revocation.
    """
    member = member_of(request)
    if uses_token(request):
        raise PermissionDenied(_("Make new tokens while signed in, not with a token."))
    token, raw = tokens.create_token(
        member=member, name=payload.name, expires_in_days=payload.expires_in_days
    )
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": raw})


@router.post(
    "/tokens/{token_id}/revoke",
    response={200: TokenOut, **errors(404)},
    summary="Revoke an API token",
    tags=["tokens"],
)
def token_revoke(request: HttpRequest, token_id: str) -> ApiToken:
    """Revoke one of the person's own tokens (again is harmless)."""
    member = member_of(request)
    token = access.token_for_member(member, token_id)
    tokens.revoke_token(member=member, token=token)
    return token
