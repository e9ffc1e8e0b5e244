"""Pages of the core: my day, the directory, teams, invitations, joining, inbox, API tokens,
and the organisation and language switchers.

Views are thin: the first line of each calls an access gate (``peerwork.core.access``) or
checks the list permission, then it parses, calls a service or a model, and renders. Every
query starts from the acting member's organisation, inside the scope the middleware opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import access, notify, services
from . import teams as teams_service
from .access import Action, DataClass, can
from .forms import InvitationForm, JoinForm, TeamForm, TokenForm
from .middleware import SESSION_KEY
from .models import (
    ApiToken,
    Invitation,
    Membership,
    MembershipRole,
    Role,
    Site,
    SupportRelationship,
    Team,
    User,
    active_members,
)
from .tasks import invitation_from_token
from .tokens import create_token, display_prefix, revoke_token
from .versions import StaleVersion

# Below this many people an aggregate figure could point at someone, so it is shown as
# "fewer than 5" (PRODUCT.md module 9: never below a minimum group size).
MINIMUM_GROUP_SIZE = 5
PAGE_SIZE = 50


class MemberRequest(HttpRequest):
    """A request from a signed-in person acting as one of their memberships."""

    user: User
    member: Membership
    memberships: list[Membership]


V = TypeVar("V", bound=Callable[..., HttpResponse])


def member_page(view: V) -> V:
    """Anonymous people go to sign-in; people with no membership get a plain page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "member", None) is None:
            return render(request, "core/no_organisation.html", status=404)
        return view(request, *args, **kwargs)

    return cast(V, wrapper)


def require_list(member: Membership, data_class: DataClass) -> None:
    """The gate of a list page: people who may not list this kind of data get 404."""
    if not can(member, Action.LIST, data_class):
        raise Http404


# --- my day --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One aggregate count, shown only when it cannot single anyone out."""

    label: str
    count: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.count < MINIMUM_GROUP_SIZE


def _unread(member: Membership) -> dict[str, object]:
    latest = notify.inbox_for(member).filter(read_at__isnull=True).select_related("organisation")
    # Each notification renders its own words (Notification.subject/body/link) when shown.
    return {"unread_count": notify.unread_count(member), "unread": list(latest[:5])}


def _reports(member: Membership) -> list[Membership]:
    return list(
        Membership.objects.filter(active_members(), line_manager=member)
        .select_related("user", "team")
        .order_by("user__display_name", "user__username")
    )


def _supported(member: Membership) -> list[SupportRelationship]:
    today = timezone.localdate()
    return list(
        SupportRelationship.objects.filter(supporter=member, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .select_related("person__user", "person__team")
        .order_by("person__user__display_name")
    )


def _open_invitations(member: Membership) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation_id=member.organisation_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def _director_figures(member: Membership) -> dict[str, object]:
    by_role = dict(
        MembershipRole.objects.filter(
            active_members("membership__"), organisation_id=member.organisation_id
        )
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    teams = (
        Team.objects.filter(organisation_id=member.organisation_id)
        .annotate(n=Count("members", filter=active_members("members__")))
        .order_by("name")
    )
    return {
        "by_role": [Figure(str(label), by_role.get(value, 0)) for value, label in Role.choices],
        "by_team": [Figure(team.name, team.n) for team in teams],
    }


# Modules that add to "Today" on my day: ``section(member)`` answers a context with its
# ``template`` (included inside the "Today" card), or None. Named by path, so the core does
# not import the modules that build on it.
DAY_SECTIONS = (
    "peerwork.outreach.dashboard.section",
    "peerwork.schedule.dashboard.section",
    "peerwork.selfcare.dashboard.section",
)


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """My day: one small section per role the member holds (PRODUCT.md "Who uses it")."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member: Membership | None = getattr(request, "member", None)
    if member is None:
        # The instance operator, or someone whose memberships all ended.
        return render(request, "core/no_organisation.html")
    show = {
        "reports": member.has_role(Role.LINE_MANAGER),
        "supported": member.has_role(Role.PEER_MENTOR, Role.COACH),
        "hr": member.has_role(Role.HR),
        "director": member.has_role(Role.DIRECTOR),
        "admin": member.has_role(Role.ORG_ADMIN),
    }
    context: dict[str, object] = {"today": timezone.localdate(), "show": show}
    context.update(_unread(member))
    if show["reports"]:
        context["reports"] = _reports(member)
    if show["supported"]:
        context["supported"] = _supported(member)
    # Every query names the member's organisation, besides the scope the middleware opened.
    organisation_id = member.organisation_id
    if show["hr"] or show["director"]:
        people = Membership.objects.filter(active_members(), organisation_id=organisation_id)
    if show["hr"]:
        context["hr"] = {
            "people": people.count(),
            "open_invitations": _open_invitations(member).count(),
        }
    if show["director"]:
        context["director"] = {"people": people.count(), **_director_figures(member)}
    if show["admin"]:
        context["admin"] = {
            "open_invitations": list(_open_invitations(member).order_by("expires_at")[:5]),
            "open_count": _open_invitations(member).count(),
            "teams": Team.objects.filter(organisation_id=organisation_id).count(),
            "sites": Site.objects.filter(organisation_id=organisation_id).count(),
        }
    context["minimum_group_size"] = MINIMUM_GROUP_SIZE
    # Each module's own part of "today": a context naming its template, or None.
    context["sections"] = [
        section for path in DAY_SECTIONS if (section := import_string(path)(member)) is not None
    ]
    return render(request, "core/dashboard.html", context)


# --- switchers -----------------------------------------------------------------------


@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    """Act as another of one's own memberships (never one named only by the form)."""
    if not request.user.is_authenticated:
        raise Http404
    membership = services.switch_organisation(
        user=cast(User, request.user),
        organisation_id=request.POST.get("organisation", ""),
        session=request.session,
    )
    messages.info(
        request,
        _("You are now working in %(organisation)s.")
        % {"organisation": membership.organisation.name},
    )
    return redirect("core:dashboard")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie and redirect), and the choice kept on the profile
    so it follows the person to other devices (the middleware reads it first)."""
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        user = cast(User, user)
        if user.language != language:
            user.language = language
            user.save(update_fields=["language"])
    return i18n.set_language(request)


# --- directory -----------------------------------------------------------------------


@require_safe
@member_page
def members(request: HttpRequest) -> HttpResponse:
    member = cast(MemberRequest, request).member
    require_list(member, DataClass.WORK)
    query = request.GET.get("q", "").strip()[:100]
    people = (
        Membership.objects.filter(active_members(), organisation_id=member.organisation_id)
        .select_related("user", "team")
        .prefetch_related("role_grants")
        .order_by("user__display_name", "user__username")
    )
    if query:
        people = people.filter(
            Q(user__display_name__icontains=query)
            | Q(user__username__icontains=query)
            | Q(title__icontains=query)
        )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/people.html", {"page": page, "query": query})


@require_safe
@member_page
def member_detail(request: HttpRequest, membership_id: str) -> HttpResponse:
    member = cast(MemberRequest, request).member
    person = access.membership_for_member(member, membership_id)
    reports = (
        Membership.objects.filter(active_members(), line_manager=person)
        .select_related("user")
        .order_by("user__display_name")
    )
    # A coach reaches the person they coach but not the directory around them: names
    # show, links into pages that would answer "not found" do not.
    directory = can(member, Action.LIST, DataClass.WORK)
    return render(
        request,
        "core/person.html",
        {
            "person": person,
            "reports": reports,
            "directory": directory,
            # Links into the people module's pages, shown only where they would answer.
            "staff_record": can(member, Action.READ, DataClass.PERSONNEL, person),
            "supporter": access.is_supporter_of(member, person),
        },
    )


# --- teams ---------------------------------------------------------------------------


@require_safe
@member_page
def teams(request: HttpRequest) -> HttpResponse:
    member = cast(MemberRequest, request).member
    require_list(member, DataClass.WORK)
    all_teams = list(
        Team.objects.filter(organisation_id=member.organisation_id)
        .annotate(n=Count("members", filter=active_members("members__")))
        .order_by("name")
    )
    sites = list(Site.objects.filter(organisation_id=member.organisation_id).order_by("name"))
    for site in sites:
        site.team_list = [team for team in all_teams if team.site_id == site.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "core/teams.html",
        {
            "sites": sites,
            "unsited": [team for team in all_teams if team.site_id is None],
            "has_teams": bool(all_teams),
            "may_change": can(member, Action.CHANGE, DataClass.WORK),
        },
    )


@require_safe
@member_page
def team_detail(request: HttpRequest, team_id: str) -> HttpResponse:
    member = cast(MemberRequest, request).member
    team = access.team_for_member(member, team_id)
    people = (
        Membership.objects.filter(active_members(), team=team)
        .select_related("user", "line_manager__user")
        .prefetch_related("role_grants")
        .order_by("user__display_name", "user__username")
    )
    return render(
        request,
        "core/team.html",
        {"team": team, "people": people, "may_change": can(member, Action.CHANGE, DataClass.WORK)},
    )


def _form_errors(form: forms.Form, error: ValidationError, aliases: dict[str, str]) -> None:
    """Put a service's field errors beside the form's fields (others above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        field = aliases.get(field, field)
        form.add_error(field if field in form.fields else None, field_errors)


@require_http_methods(["GET", "POST"])
@member_page
def team_create(request: HttpRequest) -> HttpResponse:
    member = cast(MemberRequest, request).member
    require_list(member, DataClass.WORK)
    if not can(member, Action.CHANGE, DataClass.WORK):
        raise PermissionDenied  # sees the teams, may not add one (as team_for_member answers)
    form = TeamForm(request.POST or None, organisation_id=member.organisation_id)
    if request.method == "POST" and form.is_valid():
        site = form.cleaned_data["site"]
        try:
            team = teams_service.create_team(
                actor=member, name=form.cleaned_data["name"], site_id=site.pk if site else None
            )
        except ValidationError as error:
            _form_errors(form, error, {"site_id": "site"})
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect("core:team", team_id=team.pk)
    return render(request, "core/team_form.html", {"form": form, "team": None})


@require_http_methods(["GET", "POST"])
@member_page
def team_edit(request: HttpRequest, team_id: str) -> HttpResponse:
    member = cast(MemberRequest, request).member
    team = access.team_for_member(member, team_id, Action.CHANGE)
    form = TeamForm(request.POST or None, organisation_id=team.organisation_id, team=team)
    stale = False
    if request.method == "POST" and form.is_valid():
        site = form.cleaned_data["site"]
        try:
            teams_service.change_team(
                actor=member,
                team=team,
                version=form.cleaned_data["version"] or 0,
                name=form.cleaned_data["name"],
                site_id=site.pk if site else None,
            )
        except ValidationError as error:
            _form_errors(form, error, {"site_id": "site"})
        except StaleVersion:
            # Someone else saved first: show what they saved beside what this person
            # typed, and let the next save knowingly go over it.
            stale = True
            team.refresh_from_db()
            form.refresh_version()
        else:
            messages.success(request, _("Team %(name)s saved.") % {"name": team.name})
            return redirect("core:team", team_id=team.pk)
    return render(request, "core/team_form.html", {"form": form, "team": team, "stale": stale})


# --- invitations ---------------------------------------------------------------------


def _invitation_status(invitation: Invitation, now: Any) -> str:
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "withdrawn"
    if invitation.expires_at <= now:
        return "expired"
    return "open"


@require_http_methods(["GET", "POST"])
@member_page
def invitations(request: HttpRequest) -> HttpResponse:
    member = cast(MemberRequest, request).member
    if not access.is_org_admin(member):
        raise Http404
    form = InvitationForm(request.POST or None, organisation_id=member.organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                actor=member,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                team=form.cleaned_data["team"],
            )
        except ValidationError as error:
            _form_errors(form, error, {})
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("core:invitations")
    now = timezone.now()
    listed = (
        Invitation.objects.filter(organisation_id=member.organisation_id)
        .select_related("team", "invited_by__user", "accepted_by")
        .order_by("-created_at")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (
            invitation,
            _invitation_status(invitation, now),
            [str(label) for value, label in Role.choices if value in invitation.roles],
        )
        for invitation in page
    ]
    return render(request, "core/invitations.html", {"form": form, "page": page, "rows": rows})


@require_POST
@member_page
def invitation_withdraw(request: HttpRequest, invitation_id: str) -> HttpResponse:
    member = cast(MemberRequest, request).member
    invitation = access.invitation_for_member(member, invitation_id)
    services.withdraw_invitation(actor=member, invitation=invitation)
    invitation.refresh_from_db()
    if invitation.revoked_at is None:
        # Accepted a moment before: the withdrawal's conditional update changed nothing.
        messages.warning(
            request,
            _("The invitation to %(email)s was already accepted.") % {"email": invitation.email},
        )
    else:
        messages.success(
            request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email}
        )
    return redirect("core:invitations")


# --- joining -------------------------------------------------------------------------


def _unavailable(request: HttpRequest) -> HttpResponse:
    """One answer for every link that cannot be used: forged, unknown, expired,
    withdrawn or used. It says nothing about who has an account."""
    return render(request, "core/join_unavailable.html", status=404)


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    request.session[SESSION_KEY] = str(membership.organisation_id)
    messages.success(
        request, _("Welcome to %(organisation)s.") % {"organisation": membership.organisation.name}
    )
    return redirect("core:dashboard")


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: make an account and join, or join with the account one has."""
    invitation = invitation_from_token(token)
    if invitation is None or not invitation.is_open():
        return _unavailable(request)
    context: dict[str, object] = {"invitation": invitation, "organisation": invitation.organisation}

    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.accept_invitation(
                    invitation=invitation, user=cast(User, request.user)
                )
            except ValidationError as error:
                context["problem"] = " ".join(error.messages)
                return render(request, "core/join.html", context, status=409)
            return _joined(request, membership)
        return render(request, "core/join.html", context)

    form = JoinForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.accept_invitation(
                invitation=invitation,
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except IntegrityError:
            # The username was taken between the check and the save.
            form.add_error("username", _("This username is taken: choose another."))
        except ValidationError:
            return _unavailable(request)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return _joined(request, membership)
    context["form"] = form
    return render(request, "core/join.html", context)


# --- inbox ---------------------------------------------------------------------------


@require_safe
@member_page
def inbox(request: HttpRequest) -> HttpResponse:
    member = cast(MemberRequest, request).member
    items = notify.inbox_for(member).select_related("organisation")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page})


@require_POST
@member_page
def inbox_read(request: HttpRequest, notification_id: str) -> HttpResponse:
    member = cast(MemberRequest, request).member
    notification = access.notification_for_member(member, notification_id)
    notify.mark_read(member=member, notification=notification)
    if request.headers.get("HX-Request"):
        return render(request, "core/inbox.html#item", {"item": notification})
    return redirect("core:inbox")


# --- API tokens ----------------------------------------------------------------------


def _token_page(
    request: HttpRequest,
    member: Membership,
    form: TokenForm,
    created: tuple[ApiToken, str] | None = None,
) -> HttpResponse:
    listed = list(ApiToken.objects.filter(membership=member).order_by("-created_at")[:100])
    rows = [(token, display_prefix(token), token.is_usable()) for token in listed]
    return render(
        request,
        "core/tokens.html",
        {
            "form": form,
            "rows": rows,
            "created": created[0] if created else None,
            "plaintext": created[1] if created else None,
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def tokens(request: HttpRequest) -> HttpResponse:
    """Personal API tokens: one's own only (the list is filtered to the membership)."""
    member = cast(MemberRequest, request).member
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = create_token(
                member=member,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["lifetime"],
            )
        except ValidationError as error:
            _form_errors(form, error, {"expires_in_days": "lifetime"})
        else:
            # Shown in this answer only (never stored, never redirected through the
            # session); the page is not cached (NoStoreMiddleware).
            return _token_page(request, member, TokenForm(), created)
    return _token_page(request, member, form)


@require_POST
@member_page
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    member = cast(MemberRequest, request).member
    token = access.token_for_member(member, token_id)
    revoke_token(member=member, token=token)
    messages.success(
        request, _("Token %(name)s revoked: it no longer works.") % {"name": token.name}
    )
    return redirect("core:tokens")
