"""The organisation's scheduling settings (issue 6): how many days of notice a prescriber
needs before a traveller on OST leaves (§2.4.1), and the hours inside which meetings are
suggested. HR, the director and the org admin set them; everyone else gets 404.

The row is made on the first save (until then the defaults apply, ``conflicts.settings_for``)
and each save names the version the person read, refused with what they typed kept when
someone else saved first.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import put_errors

from . import conflicts, travel
from .models import ScheduleSettings
from .travel_forms import SettingsForm


def _initial(row: ScheduleSettings) -> dict[str, object]:
    return {
        "version": row.version,
        "prescriber_notice_days": row.prescriber_notice_days,
        "day_starts": row.day_starts,
        "day_ends": row.day_ends,
    }


@require_http_methods(["GET", "POST"])
@member_page
def settings_page(request: HttpRequest) -> HttpResponse:
    member: Membership = cast(MemberRequest, request).member
    if not travel.may_change_settings(member):
        raise Http404
    current = conflicts.settings_for(member.organisation_id)
    stale = False
    if request.method != "POST":
        form = SettingsForm(initial=_initial(current))
    else:
        form = SettingsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                travel.save_settings(
                    actor=member,
                    version=data.get("version"),
                    prescriber_notice_days=data["prescriber_notice_days"],
                    day_starts=data["day_starts"],
                    day_ends=data["day_ends"],
                )
            except ValidationError as error:
                put_errors(form, error)
            except StaleVersion:
                form.keep_typing_over(current.version)
                stale = True
            else:
                messages.success(request, _("The scheduling settings are saved."))
                return redirect("schedule:settings")
    return render(
        request,
        "schedule/settings.html",
        {"form": form, "stale": stale, "current": current, "saved": not current._state.adding},
    )
