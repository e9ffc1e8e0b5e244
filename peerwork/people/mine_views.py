"""Pages of "My information" and "Shared with me" (issue 4 items 2, 3, 4 and 9).

"My information, my choice" (§2.3): a person sees and changes what they told the
organisation, decides who else reads it, for what and until when, and sees every read of it.

- ``me``: the profile, the five disclosure categories, shares, "who saw my data", export and
  erasure;
- ``me/profile``, and one page per category (``me/drug-use`` …) with its history;
- ``me/shares``: every share ever made, with stop, renew and "confirm for my new line
  manager" (a line-manager share pauses when the line manager changes, failing closed);
- ``me/reads``: "who saw my data", from the audit chain;
- ``shared`` and ``shared/<shared_id>``: what colleagues chose to share with the member.

Views are thin: the first line is the access gate (one's own pages are the member's own;
shares go through ``access.grant_for_owner`` / ``access.grant_for_member``), then they parse,
call a service and render. Disclosures are read only through ``services.read_disclosures``,
which writes the audit read first; it runs in its own transaction, so these views open none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core import audit
from peerwork.core.models import AuditEvent, Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page

from . import access, services
from .disclosures import Line, describe, questions_for
from .forms import DisclosureForm, VersionForm, put_errors
from .mine_forms import ProfileForm, RenewForm, ShareForm
from .models import DEFAULT_SHARE_DAYS, Category, Disclosure, Profile, SharingGrant

READS_PAGE_SIZE = 50
# A share's row carries its stop and renew forms: 20 keep a page well within the budget.
SHARES_PAGE_SIZE = 20
SHARED_PAGE_SIZE = 30
SHARES_ON_READS_PAGE = 20


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _category_labels(categories: list[str]) -> list[str]:
    labels = dict(Category.choices)
    return [str(labels.get(c, c)) for c in categories]


def _default_end() -> dt.date:
    """The last day of a share to a person made now, unless the owner picks a date."""
    return timezone.localdate(timezone.now() + dt.timedelta(days=DEFAULT_SHARE_DAYS))


STALE_SHARE = gettext_lazy(
    "This share changed since you opened the page (perhaps in another tab), so nothing was "
    "done. Look at it again below and choose once more."
)


# --- My information -------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    url: str
    lines: list[Line] | None  # None: not answered
    made_at: dt.datetime | None
    entered_by: str | None  # the HR officer who entered it for the person, if one did


@require_safe
@member_page
def mine(request: HttpRequest) -> HttpResponse:
    """One's own information; the member is the owner of everything here."""
    member = _member(request)
    profile = Profile.objects.filter(membership=member).first()
    current = {d.category: d for d in services.read_disclosures(actor=member, owner=member)}
    entered = services.names_of(member.organisation_id, (d.entered_by_id for d in current.values()))
    rows = []
    for category, label in Category.choices:
        disclosure = current.get(category)
        rows.append(
            CategoryRow(
                category=category,
                label=str(label),
                url=reverse(f"people:disclosure_{category}"),
                lines=describe(category, disclosure.answer) if disclosure else None,
                made_at=disclosure.made_at if disclosure else None,
                entered_by=(
                    entered.get(disclosure.entered_by_id, _("an HR officer"))
                    if disclosure and disclosure.entered_by_id
                    else None
                ),
            )
        )
    live = SharingGrant.objects.live().filter(organisation_id=member.organisation_id, owner=member)
    paused = (
        live.filter(audience=SharingGrant.Audience.LINE_MANAGER)
        .exclude(grantee_id=member.line_manager_id)
        .count()
    )
    return render(
        request,
        "people/mine.html",
        {
            "profile": profile,
            "rows": rows,
            "active_shares": live.count() - paused,
            "paused_shares": paused,
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def profile(request: HttpRequest) -> HttpResponse:
    """The person changes their own profile; nobody else does."""
    member = _member(request)
    saved = Profile.objects.filter(membership=member).first()
    initial = {
        "display_name": member.user.display_name,
        "pronouns": saved.pronouns if saved else "",
        "languages": saved.languages if saved else "",
        "emergency_contact": (saved.emergency_contact or "") if saved else "",
        "version": saved.version if saved else None,
    }
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_profile(
                actor=member,
                display_name=data["display_name"],
                pronouns=data["pronouns"],
                languages=data["languages"],
                emergency_contact=data["emergency_contact"],
                version=data["version"],
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            # Saved from another tab or device meanwhile: show what is saved now beside
            # what was typed, and let the next save knowingly go over it.
            stale = True
            saved = Profile.objects.filter(membership=member).first()
            form.keep_typing_over(saved.version if saved else 1)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("people:mine")
    return render(
        request, "people/mine_profile.html", {"form": form, "stale": stale, "saved": saved}
    )


@dataclass(frozen=True)
class HistoryRow:
    made_at: dt.datetime
    lines: list[Line]
    current: bool
    entered_by: str | None


def _history(member: Membership, category: str) -> tuple[Disclosure | None, list[HistoryRow]]:
    """The current answer and every earlier one, read (and audited) for the owner."""
    found = services.read_disclosures(
        actor=member, owner=member, categories=[category], history=True
    )
    entered = services.names_of(member.organisation_id, (d.entered_by_id for d in found))
    current = next((d for d in found if d.replaced_at is None), None)
    rows = [
        HistoryRow(
            made_at=d.made_at,
            lines=describe(category, d.answer),
            current=d.replaced_at is None,
            entered_by=(
                entered.get(d.entered_by_id, _("an HR officer")) if d.entered_by_id else None
            ),
        )
        for d in found
    ]
    return current, rows


@require_http_methods(["GET", "POST"])
@member_page
def disclosure(request: HttpRequest, category: str) -> HttpResponse:
    """One category's questions, the person's answer and its history (§2.3, §2.4: people
    move between groups, so earlier answers are kept, for them alone)."""
    member = _member(request)
    spec = questions_for(category)
    stale = False
    if request.method == "POST":
        form = DisclosureForm(request.POST, spec=spec, guard=True)
        now_current = services.current_disclosures(member).get(category)
        now_current_id = now_current.pk if now_current else None
        if form.is_valid():
            if form.answered_over(now_current_id):
                stale = True
                form.keep_typing_over(now_current_id)
            else:
                try:
                    services.disclose(
                        actor=member, owner=member, category=category, answer=form.answer()
                    )
                except ValidationError as error:
                    put_errors(form, error)
                except IntegrityError:
                    # Another answer was saved at the same moment (another tab).
                    stale = True
                    now_current = services.current_disclosures(member).get(category)
                    form.keep_typing_over(now_current.pk if now_current else None)
                else:
                    messages.success(
                        request,
                        _("Your answer about “%(category)s” is saved.") % {"category": spec.label},
                    )
                    return redirect("people:mine")
        current, history = _history(member, category)
    else:
        current, history = _history(member, category)
        form = DisclosureForm(
            spec=spec,
            guard=True,
            initial=DisclosureForm.initial_from(
                current.answer if current else {}, current.pk if current else None
            ),
        )
    return render(
        request,
        "people/mine_disclosure.html",
        {
            "spec": spec,
            "form": form,
            "stale": stale,
            "current": current,
            "history": history,
            "remove_url": reverse(f"people:disclosure_{category}_remove"),
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def disclosure_remove(request: HttpRequest, category: str) -> HttpResponse:
    """Remove every answer in a category, history included, after a confirmation."""
    member = _member(request)
    spec = questions_for(category)
    if request.method == "POST":
        removed = services.remove_disclosure(actor=member, category=category)
        if removed:
            messages.success(
                request,
                _("Every answer about “%(category)s” is removed.") % {"category": spec.label},
            )
        else:
            messages.info(
                request,
                _("There was nothing to remove about “%(category)s”.") % {"category": spec.label},
            )
        return redirect("people:mine")
    return render(
        request,
        "people/mine_disclosure_remove.html",
        {"spec": spec, "back_url": reverse(f"people:disclosure_{category}")},
    )


# --- shares ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareRow:
    grant: SharingGrant
    state: str
    categories: list[str]
    audience: str
    purpose: str


def _audience(grant: SharingGrant) -> str:
    if grant.audience == SharingGrant.Audience.PERSON:
        return grant.grantee.name if grant.grantee else _("a former member")
    if grant.audience == SharingGrant.Audience.LINE_MANAGER:
        name = grant.grantee.name if grant.grantee else _("a former member")
        return _("My line manager (%(name)s)") % {"name": name}
    if grant.audience == SharingGrant.Audience.TEAM:
        return _("My team (%(team)s)") % {"team": grant.team.name if grant.team else "—"}
    return _("Everyone in the organisation")


def _audience_for_reader(grant: SharingGrant) -> str:
    """Who a share is with, as someone it reaches reads it."""
    if grant.audience == SharingGrant.Audience.PERSON:
        return _("You")
    if grant.audience == SharingGrant.Audience.LINE_MANAGER:
        return _("You, as their line manager")
    if grant.audience == SharingGrant.Audience.TEAM:
        return _("Their team (%(team)s)") % {"team": grant.team.name if grant.team else "—"}
    return _("Everyone in the organisation")


def _share_row(grant: SharingGrant, now: dt.datetime, *, reader: bool = False) -> ShareRow:
    return ShareRow(
        grant=grant,
        state=grant.state(now),
        categories=_category_labels(grant.categories),
        audience=_audience_for_reader(grant) if reader else _audience(grant),
        purpose=grant.purpose or "",
    )


def _own_grants(member: Membership) -> Any:
    return (
        SharingGrant.objects.filter(organisation_id=member.organisation_id, owner=member)
        .select_related("grantee__user", "team")
        .order_by("-created_at")
    )


def _rows_of(member: Membership, grants: Any) -> list[ShareRow]:
    now = timezone.now()
    rows = []
    for grant in grants:
        grant.owner = member  # the member's own shares: no query for the owner per row
        rows.append(_share_row(grant, now))
    return rows


@require_safe
@member_page
def shares(request: HttpRequest) -> HttpResponse:
    """Every share the member ever made, newest first (shares are never deleted, except by
    erasure), with what can be done to each now."""
    member = _member(request)
    page = Paginator(_own_grants(member), SHARES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/shares.html",
        {
            "page": page,
            "rows": _rows_of(member, page),
            "new_manager": member.line_manager,
            "default_end": _default_end(),
        },
    )


@require_http_methods(["GET", "POST"])
@member_page
def share_new(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    offered = set(Category.values)
    categories = [c for c in request.GET.getlist("category") if c in offered]
    # A name search narrows the colleagues listed (GET ?q=, kept in the form's address).
    search = " ".join(request.GET.get("q", "").split())[:100]
    initial: dict[str, Any] = {"categories": categories}
    if search:
        initial["audience"] = SharingGrant.Audience.PERSON
    form = ShareForm(
        request.POST if request.method == "POST" else None,
        member=member,
        default_end=_default_end(),
        search=search,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.share(actor=member, **form.share_arguments())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("Shared with %(audience)s.") % {"audience": _audience(grant)},
            )
            return redirect("people:shares")
    return render(
        request,
        "people/share_new.html",
        {"form": form, "search": search, "categories": categories},
    )


def _version(request: HttpRequest) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


@require_POST
@member_page
def grant_revoke(request: HttpRequest, grant_id: str) -> HttpResponse:
    """Stop a share at once: the grantee's next request no longer finds it."""
    member = _member(request)
    grant = access.grant_for_owner(member, grant_id)
    if grant.revoked_at is not None:
        messages.info(request, _("This share was already stopped."))
        return redirect("people:shares")
    try:
        services.revoke_grant(actor=member, grant=grant, version=_version(request))
    except StaleVersion:
        messages.warning(request, STALE_SHARE)
    else:
        messages.success(request, _("The share is stopped: from now on nobody reads it."))
    return redirect("people:shares")


@require_POST
@member_page
def grant_renew(request: HttpRequest, grant_id: str) -> HttpResponse:
    """A new end date (six months from today unless one is chosen)."""
    member = _member(request)
    grant = access.grant_for_owner(member, grant_id)
    form = RenewForm(request.POST)
    if form.is_valid():
        try:
            services.renew_grant(
                actor=member,
                grant=grant,
                expires_on=form.cleaned_data["expires_on"],
                version=form.cleaned_data["version"],
            )
        except StaleVersion:
            messages.warning(request, STALE_SHARE)
            return redirect("people:shares")
        except ValidationError as error:
            put_errors(form, error)
        else:
            if grant.expires_at is None:
                messages.success(request, _("The share is renewed, with no end date."))
            else:
                messages.success(
                    request,
                    _("The share is renewed until %(date)s.")
                    % {"date": date_format(timezone.localdate(grant.expires_at), "j F Y")},
                )
            return redirect("people:shares")
    # What was typed stays, beside the message, on a page for this one share.
    grant.owner = member
    return render(
        request,
        "people/share_renew.html",
        {"form": form, "row": _share_row(grant, timezone.now()), "default_end": _default_end()},
    )


@require_POST
@member_page
def grant_confirm(request: HttpRequest, grant_id: str) -> HttpResponse:
    """Confirm a paused line-manager share for the member's new line manager."""
    member = _member(request)
    grant = access.grant_for_owner(member, grant_id)
    try:
        services.confirm_grant(actor=member, grant=grant, version=_version(request))
    except StaleVersion:
        messages.warning(request, STALE_SHARE)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = grant.grantee.name if grant.grantee else ""
        messages.success(request, _("The share is confirmed for %(name)s.") % {"name": name})
    return redirect("people:shares")


# --- who saw my data -----------------------------------------------------------------


@dataclass(frozen=True)
class ReadRow:
    who: str
    what: str
    at: dt.datetime


def _what(event: AuditEvent, category: str) -> str:
    """What a read was of. Events name no category (``services.what_was_read`` finds it on
    the answer's row while it exists)."""
    if event.action == "disclosure.read":
        if not category:
            return _("An answer since removed")
        return str(dict(Category.choices).get(category, _("Your information")))
    if event.action == "exception_report.read":
        return _("An exception report about you")
    return _("Your information")


@require_safe
@member_page
def reads(request: HttpRequest) -> HttpResponse:
    """Who read what of the member's information, and when; and the shares they made."""
    member = _member(request)
    page = Paginator(audit.events_about(member), READS_PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page)
    categories = services.what_was_read(events)
    names = services.names_of(member.organisation_id, {e.actor_id for e in events} - {member.pk})
    rows = []
    for event in events:
        if event.actor_id == member.pk:
            who = _("You")
        elif event.actor_id is None:
            who = _("Peerwork")
        else:
            who = names.get(event.actor_id, _("A former member"))
        rows.append(ReadRow(who=who, what=_what(event, categories[event.pk]), at=event.at))
    grants = _own_grants(member)
    return render(
        request,
        "people/reads.html",
        {
            "page": page,
            "rows": rows,
            "shares": _rows_of(member, grants[:SHARES_ON_READS_PAGE]),
            "share_count": grants.count(),
        },
    )


# --- shared with me --------------------------------------------------------------------


@require_safe
@member_page
def shared(request: HttpRequest) -> HttpResponse:
    """The shares active now that reach the member: whose, what, why and until when."""
    member = _member(request)
    # A page at a time: shares with everyone grow with the organisation, and each row opens
    # its owner's sealed purpose.
    page = Paginator(services.shares_with(member), SHARED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [_share_row(grant, now, reader=True) for grant in page]
    return render(request, "people/shared.html", {"rows": rows, "page": page})


@dataclass(frozen=True)
class SharedSection:
    label: str
    lines: list[Line] | None
    made_at: dt.datetime | None


@require_safe
@member_page
def shared_grant(request: HttpRequest, shared_id: str) -> HttpResponse:
    """What one share shows the member: the owner's answers in its categories, read (and
    audited) now. Expired, stopped and paused shares answer 404 (they fail closed)."""
    member = _member(request)
    grant = access.grant_for_member(member, shared_id)
    owner = grant.owner
    found = {
        d.category: d
        for d in services.read_disclosures(actor=member, owner=owner, categories=grant.categories)
    }
    labels = dict(Category.choices)
    sections = []
    for category in grant.categories:
        disclosure = found.get(category)
        sections.append(
            SharedSection(
                label=str(labels.get(category, category)),
                lines=describe(category, disclosure.answer) if disclosure else None,
                made_at=disclosure.made_at if disclosure else None,
            )
        )
    # HR is offered to enter an answer only where ``disclose_for`` lets them: under this
    # share itself, made to them by name, in a category it covers. Another share to them by
    # name says nothing about this one (a team or organisation share opens no writing).
    enter_url = None
    if grant.grantee_id == member.pk and any(
        access.may_enter_for(member, owner, c) for c in grant.categories
    ):
        enter_url = reverse("people:disclose_for", args=[grant.pk])
    return render(
        request,
        "people/shared_grant.html",
        {
            "grant": grant,
            "owner": owner,
            "is_owner": owner.pk == member.pk,
            "row": _share_row(grant, timezone.now(), reader=owner.pk != member.pk),
            "sections": sections,
            "enter_url": enter_url,
        },
    )
