"""The organisation's retention policy page: how long a leaver's records are kept (issue 4
item 8). Configuration, so the org admin's: everyone else gets 404."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from peerwork.core.access import is_org_admin
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page

from . import retention
from .forms import carry_over, put_errors
from .models import RetentionPolicy


class RetentionPolicyForm(forms.ModelForm):
    """The policy's two periods, with the labels and limits the model gives them."""

    seen_private_days = forms.IntegerField(widget=forms.HiddenInput)
    seen_personnel_days = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = RetentionPolicy
        fields = ["private_days", "personnel_days"]
        help_texts = {
            "private_days": gettext_lazy(
                "0 to 365. During this time a person who left can still download their "
                "information; then it is erased for good."
            ),
            "personnel_days": gettext_lazy(
                "What your country's employment law asks for. Then the record is kept "
                "without the person's name, for the organisation's figures."
            ),
        }


@require_http_methods(["GET", "POST"])
@member_page
def retention_policy(request: HttpRequest) -> HttpResponse:
    member = cast(MemberRequest, request).member
    if not is_org_admin(member):
        raise Http404
    policy = retention.policy_for(member.organisation_id)
    current = {
        "private_days": policy.private_days,
        "personnel_days": policy.personnel_days,
        "seen_private_days": policy.private_days,
        "seen_personnel_days": policy.personnel_days,
    }
    form = RetentionPolicyForm(request.POST or None, initial=current)
    stale = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            retention.set_policy(
                actor=member,
                private_days=data["private_days"],
                personnel_days=data["personnel_days"],
                seen=(data["seen_private_days"], data["seen_personnel_days"]),
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            # Someone else saved first: show theirs, keep what this admin typed, and let
            # the next save knowingly replace it.
            stale = True
            carry_over(form, "seen_private_days", policy.private_days)
            carry_over(form, "seen_personnel_days", policy.personnel_days)
        else:
            messages.success(request, _("The retention policy is saved."))
            return redirect("people:retention_policy")
    return render(
        request, "people/retention_policy.html", {"form": form, "policy": policy, "stale": stale}
    )
