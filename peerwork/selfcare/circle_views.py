"""The risk circle pages (issue 7 item 1; guide §3.8, App. 3).

- ``circle`` (selfcare:circle): my circle as drawn, the areas to talk about first, every
  area in full, suggestions waiting for my answer, whom it is open to, and the review.
- ``circle_edit``: list, rate and write strategies for my areas (phone first, no script).
- ``circle_versions``: every saved state, one shown in full, and two compared.
- ``circles_opened`` (selfcare:circles_opened) and ``opened_circle``: what others opened
  to me, read (each read audited) with a form to suggest a strategy.

Thin views: the first line is a gate (``access``) or, on my own pages, finding my own
circle; then a form, a flow in ``circles`` and a render. Outsiders get 404 everywhere;
when an opening ends or is closed, its pages answer 404 at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, carry_over, put_errors

from . import circle_svg, circles
from .access import (
    circle_for_member,
    opening_for_owner,
    suggest_on_circle_for_member,
    suggestion_for_member,
    uses_selfcare,
)
from .circle_forms import (
    BLANK_ROWS,
    FIRST_ROWS,
    ROWS_MOST,
    AreaForm,
    CircleForm,
    CompareForm,
    OpenForm,
    SuggestedAreasForm,
    SuggestForm,
    blank_row,
    bound_rows,
    is_blank_row,
    rows_of,
    shown_rows,
)
from .models import CircleSuggestion, RiskCircle


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _own_circle(member: Membership) -> RiskCircle | None:
    """My own circle, if I keep one; the self-care tools are for working members (404
    for others, as for a page that is not theirs)."""
    if not uses_selfcare(member):
        raise Http404
    return circles.circle_of(member)


def _mine(member: Membership) -> RiskCircle:
    circle = _own_circle(member)
    if circle is None:
        raise Http404
    return circle


# --- the drawing and the lists, shared by the owner's and the reader's pages ------------


@dataclass(frozen=True)
class Shown:
    """A circle's areas ready for a page: the drawing and the lists."""

    areas: list[circles.Area]
    svg: str
    first: list[circles.Area]
    note: str | None


def shown(areas: list[circles.Area], *, title: str) -> Shown:
    pieces = [circle_svg.Piece(a.name, a.rating, a.prevention, a.management) for a in areas]
    description = "; ".join(
        _("%(name)s: rated %(rating)d") % {"name": a.name, "rating": a.rating} for a in areas
    )
    svg = circle_svg.render(circle_svg.layout(pieces), title=title, description=description)
    return Shown(
        areas=areas,
        svg=mark_safe(svg),  # noqa: S308 (built here; every text in it is escaped)
        first=circles.talk_first(areas),
        note=circles.range_note(len(areas)),
    )


def _ring_label(ring: str) -> str:
    return str(CircleSuggestion.Ring(ring).label) if ring in CircleSuggestion.Ring.values else ""


@dataclass(frozen=True)
class SuggestionRow:
    suggestion: CircleSuggestion
    area_name: str
    ring_label: str
    text: str


def _suggestion_rows(
    suggestions: list[CircleSuggestion], areas: list[circles.Area]
) -> list[SuggestionRow]:
    names = {area.key: area.name for area in areas}
    return [
        SuggestionRow(
            suggestion=s,
            area_name=names.get(s.area, _("an area no longer in the circle")),
            ring_label=_ring_label(s.ring),
            text=str(s.text or ""),
        )
        for s in suggestions
    ]


# --- my circle ---------------------------------------------------------------------------


def _circle_page(
    request: HttpRequest,
    member: Membership,
    circle: RiskCircle | None,
    *,
    open_form: OpenForm | None = None,
) -> HttpResponse:
    today = circles.local_today(member.organisation)
    context: dict[str, Any] = {"circle": circle, "today": today}
    if circle is not None:
        areas = circles.areas_of(actor=member, circle=circle)
        candidates = circles.open_candidates(member)
        context.update(
            {
                "shown": shown(areas, title=_("My risk assessment circle")),
                "review_due": circle.review_due_on is not None and circle.review_due_on <= today,
                "suggestions": _suggestion_rows(circles.pending_suggestions(circle), areas),
                "openings": circles.live_openings_of(circle),
                "candidates": candidates,
                "open_form": open_form or OpenForm(candidates=candidates),
                "versions": circle.versions.count(),
            }
        )
    return render(request, "selfcare/circle/circle.html", context)


@require_safe
@member_page
def circle(request: HttpRequest) -> HttpResponse:
    """My risk circle, or how to start one."""
    member = _member(request)
    return _circle_page(request, member, _own_circle(member))


def _edit_page(
    request: HttpRequest,
    member: Membership,
    circle: RiskCircle | None,
    *,
    rows: list[AreaForm],
    form: CircleForm,
    stale: bool = False,
) -> HttpResponse:
    listed = [str(row.raw().get("name") or "") for row in rows]
    context = {
        "circle": circle,
        "rows": rows,
        "form": form,
        "row_count": len(rows),
        "may_add_rows": len(rows) < ROWS_MOST,
        "suggested_form": SuggestedAreasForm(listed=listed, auto_id="id_suggested_%s"),
        "suggested_names": [str(label) for _code, label in circles.SUGGESTED_AREAS],
        "most": circles.MOST_AREAS,
        "stale": stale,
    }
    return render(request, "selfcare/circle/edit.html", context)


def _with_rows(form: CircleForm, count: int) -> CircleForm:
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict: the page sent it
    data["rows"] = str(count)
    return CircleForm(data)


@require_http_methods(["GET", "POST"])
@member_page
def circle_edit(request: HttpRequest) -> HttpResponse:
    """List my risk areas, rate them and write my strategies (App. 3 steps 1, 4, 7, 8)."""
    member = _member(request)
    circle = _own_circle(member)
    if request.method != "POST":
        areas = circles.areas_of(actor=member, circle=circle) if circle else []
        blank = BLANK_ROWS if areas else FIRST_ROWS
        rows = rows_of(areas) + [
            blank_row() for _index in range(min(blank, ROWS_MOST - len(areas)))
        ]
        form = CircleForm(initial={"version": circle.version if circle else "", "rows": len(rows)})
        return _edit_page(request, member, circle, rows=shown_rows(rows), form=form)

    form = CircleForm(request.POST)
    typed = bound_rows(request.POST)
    if "more" in request.POST or "add_suggested" in request.POST or "rate" in request.POST:
        rows = [row.raw() for row in typed]
        if "more" in request.POST:
            rows += [blank_row() for _index in range(min(BLANK_ROWS, ROWS_MOST - len(rows)))]
        elif "add_suggested" in request.POST:
            chosen = SuggestedAreasForm(request.POST, listed=[str(r["name"]) for r in rows])
            for name in chosen.names() if chosen.is_valid() else []:
                empty = next((r for r in rows if is_blank_row(r)), None)
                if empty is None:
                    if len(rows) >= ROWS_MOST:
                        break
                    empty = blank_row()
                    rows.append(empty)
                empty["name"] = name
        else:
            filled = 0
            for row, typed_row in zip(rows, typed, strict=True):
                if not str(row["rating"]).strip() and typed_row.suggested is not None:
                    row["rating"] = typed_row.suggested
                    filled += 1
            if filled:
                messages.info(
                    request,
                    _(
                        "Ratings filled in from how likely and how bad. Change any that do "
                        "not feel right; nothing is saved until you save."
                    ),
                )
        return _edit_page(
            request, member, circle, rows=shown_rows(rows), form=_with_rows(form, len(rows))
        )

    form.is_valid()
    valid = all(row.is_valid() for row in typed)
    if not valid or not form.is_valid():
        return _edit_page(request, member, circle, rows=typed, form=form)
    kept = [row for row in typed if not row.is_blank and not row.cleaned_data.get("remove")]
    try:
        circles.save_circle(
            actor=member,
            areas=[row.area() for row in kept],
            version=form.cleaned_data.get("version"),
        )
    except ValidationError as error:
        for name, problems in error.message_dict.items():
            parts = name.split(".")
            if len(parts) == 3 and parts[0] == "areas" and parts[1].isdigit():
                at = kept[int(parts[1])]
                at.add_error(parts[2] if parts[2] in at.fields else None, problems)
            else:
                form.add_error(None, problems)
        return _edit_page(request, member, circle, rows=typed, form=form)
    except StaleVersion:
        current = circles.circle_of(member)
        carry_over(form, "version", current.version if current else None)
        return _edit_page(request, member, current, rows=typed, form=form, stale=True)
    done = _("Your circle is saved. Only you can see it.")
    note = circles.range_note(len(kept))
    messages.success(request, f"{done} {note}" if note else done)
    return redirect("selfcare:circle")


@require_POST
@member_page
def circle_changed(request: HttpRequest) -> HttpResponse:
    """Something big changed in my life: the review is due now (App. 3 step 11)."""
    member = _member(request)
    circle = _mine(member)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        circles.mark_big_change(actor=member, circle=circle, version=version or 0)
    except StaleVersion:
        messages.error(request, _stale())
    else:
        messages.success(
            request,
            _(
                "Noted. Now is a good time to look through your areas and strategies, on "
                "your own or with someone you trust."
            ),
        )
    return redirect("selfcare:circle")


def _stale() -> str:
    return _(
        "Your circle changed while you were looking at it (in another window, or by a "
        "suggestion you accepted), so nothing was done. Here it is as it is now."
    )


@require_http_methods(["GET", "POST"])
@member_page
def circle_delete(request: HttpRequest) -> HttpResponse:
    """Delete my circle with its versions, openings and suggestions."""
    member = _member(request)
    circle = _mine(member)
    if request.method == "POST":
        form = VersionForm(request.POST)
        version = form.cleaned_data.get("version") if form.is_valid() else None
        try:
            circles.delete_circle(actor=member, circle=circle, version=version)
        except StaleVersion:
            messages.error(request, _stale())
            return redirect("selfcare:circle")
        messages.success(request, _("Your circle and everything kept with it are deleted."))
        return redirect("selfcare:circle")
    return render(request, "selfcare/circle/delete.html", {"circle": circle})


# --- opening it ----------------------------------------------------------------------


@require_POST
@member_page
def circle_open(request: HttpRequest) -> HttpResponse:
    """Open my circle to someone until a date or for some days."""
    member = _member(request)
    circle = _mine(member)
    form = OpenForm(request.POST, candidates=circles.open_candidates(member))
    if form.is_valid():
        data = form.cleaned_data
        try:
            opening = circles.open_circle(
                actor=member,
                circle=circle,
                grantee=data["grantee"],
                until=data.get("until"),
                days=data.get("days"),
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            until = timezone.localtime(opening.expires_at, circles.zone_of(member.organisation))
            messages.success(
                request,
                _(
                    "Opened to %(name)s until %(until)s. They can read it and suggest "
                    "strategies, not change it. You can close it sooner."
                )
                % {
                    "name": opening.grantee.name,
                    "until": formats.date_format(until, "DATETIME_FORMAT"),
                },
            )
            return redirect(f"{reverse('selfcare:circle')}#open")
    return _circle_page(request, member, circle, open_form=form)


@require_POST
@member_page
def circle_close(request: HttpRequest, circle_opening_id: str) -> HttpResponse:
    """Close an opening before its end."""
    opening = opening_for_owner(_member(request), circle_opening_id)
    member = _member(request)
    if opening.circle_id is None:
        raise Http404
    circles.close_opening(actor=member, opening=opening)
    messages.success(
        request,
        _("Closed. %(name)s cannot see your circle any more.") % {"name": opening.grantee.name},
    )
    return redirect(f"{reverse('selfcare:circle')}#open")


# --- suggestions, as the owner --------------------------------------------------------


def _decide(request: HttpRequest, suggestion_id: str, accept: bool) -> HttpResponse:
    suggestion = suggestion_for_member(_member(request), suggestion_id, Action.CHANGE)
    member = _member(request)
    if suggestion.owner_id != member.pk:
        raise PermissionDenied
    try:
        circles.decide_suggestion(actor=member, suggestion=suggestion, accept=accept)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except StaleVersion:
        messages.error(request, _stale())
    else:
        messages.success(
            request,
            _("Kept: it is now part of that strategy, and the circle is saved as a new version.")
            if accept
            else _("Not kept. Your circle stays as it was."),
        )
    return redirect(f"{reverse('selfcare:circle')}#suggestions")


@require_POST
@member_page
def suggestion_accept(request: HttpRequest, suggestion_id: str) -> HttpResponse:
    return _decide(request, suggestion_id, True)


@require_POST
@member_page
def suggestion_decline(request: HttpRequest, suggestion_id: str) -> HttpResponse:
    return _decide(request, suggestion_id, False)


# --- versions ----------------------------------------------------------------------------


@require_safe
@member_page
def circle_versions(request: HttpRequest) -> HttpResponse:
    """Every saved state of my circle; one in full (``?show=``), two compared."""
    member = _member(request)
    circle = _mine(member)
    versions = circles.versions_of(circle)
    by_number = {v.number: v for v in versions}
    numbers = [
        (
            v.number,
            _("Version %(number)d, %(date)s")
            % {
                "number": v.number,
                "date": formats.date_format(
                    timezone.localtime(v.saved_at, circles.zone_of(member.organisation)),
                    "SHORT_DATE_FORMAT",
                ),
            },
        )
        for v in versions
    ]
    initial = {}
    if len(versions) >= 2:
        initial = {"older": versions[1].number, "newer": versions[0].number}
    form = CompareForm(
        request.GET if "older" in request.GET else None, numbers=numbers, initial=initial
    )
    comparison = None
    older = newer = None
    if form.is_bound and form.is_valid():
        older, newer = by_number[form.cleaned_data["older"]], by_number[form.cleaned_data["newer"]]
        if older.number > newer.number:
            older, newer = newer, older
        comparison = circles.compare(
            circles.parse_content(older.content), circles.parse_content(newer.content)
        )
    elif len(versions) >= 2:
        older, newer = versions[1], versions[0]
        comparison = circles.compare(
            circles.parse_content(older.content), circles.parse_content(newer.content)
        )
    show = None
    wanted = request.GET.get("show", "")
    if wanted.isdigit() and int(wanted) in by_number:
        version = by_number[int(wanted)]
        show = (version, circles.parse_content(version.content))
    context = {
        "circle": circle,
        "versions": versions,
        "form": form,
        "comparison": comparison,
        "older": older,
        "newer": newer,
        "show": show,
    }
    return render(request, "selfcare/circle/versions.html", context)


# --- what others opened to me ------------------------------------------------------------


@require_safe
@member_page
def circles_opened(request: HttpRequest) -> HttpResponse:
    """The circles opened to me now, and until when."""
    member = _member(request)
    return render(request, "selfcare/circle/opened.html", {"openings": circles.opened_to(member)})


def _opened_page(
    request: HttpRequest,
    member: Membership,
    circle: RiskCircle,
    *,
    form: SuggestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    areas = circles.areas_of(actor=member, circle=circle)
    opening = circles.opening_for(member, circle)
    context = {
        "circle": circle,
        "owner": circle.owner,
        "opening": opening,
        "shown": shown(
            areas,
            title=_("%(name)s's risk assessment circle") % {"name": circle.owner.name},
        ),
        "form": form or SuggestForm(areas=areas),
        "mine": _suggestion_rows(circles.suggestions_by(member, circle), areas),
    }
    return render(request, "selfcare/circle/opened_circle.html", context, status=status)


@require_safe
@member_page
def opened_circle(request: HttpRequest, circle_id: str) -> HttpResponse:
    """A circle opened to me: read it (the owner sees that I did) and suggest."""
    circle = circle_for_member(_member(request), circle_id)
    member = _member(request)
    if circle.owner_id == member.pk:
        return redirect("selfcare:circle")
    return _opened_page(request, member, circle)


@require_POST
@member_page
def opened_circle_suggest(request: HttpRequest, circle_id: str) -> HttpResponse:
    """Suggest a strategy for one area's ring; the owner decides."""
    circle = suggest_on_circle_for_member(_member(request), circle_id)
    member = _member(request)
    form = SuggestForm(request.POST, areas=circles.parse_content(circle.content))
    if form.is_valid():
        try:
            circles.suggest(
                actor=member,
                circle=circle,
                area=form.cleaned_data["area"],
                ring=form.cleaned_data["ring"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("Sent. %(name)s decides whether to keep it.") % {"name": circle.owner.name},
            )
            return redirect("selfcare:opened_circle", circle_id=circle.pk)
    return _opened_page(request, member, circle, form=form)
