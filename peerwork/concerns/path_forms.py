"""Forms of area D's pages: requests for advice before acting (§4.6).

Forms only parse what a person typed; the rules live in ``advice`` (the API uses the
same), whose ``ValidationError`` the views put back beside the fields
(``peerwork.people.forms.put_errors``). After a refused or stale save the bound form is
shown again, so nothing typed is lost. Choices of people are built inside the member's
organisation scope (the view's), each shown by the name the person chose.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership
from peerwork.people.forms import MemberChoiceField, VersionForm

from . import advice
from .other_paths import FIVE_QUESTIONS
from .paths import YES_NO_UNSURE


class AdviserField(MemberChoiceField):
    """Someone to ask, shown with why they may be asked ("Ravi Shah, line manager")."""

    def __init__(self, *args: Any, asker: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asker = asker

    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.name} · {advice.relation_of(obj, self.asker)}"


class AdviceForm(forms.Form):
    """A working member asks someone they choose for advice before acting (§4.6)."""

    question = forms.CharField(
        label=_("What would you like advice on?"),
        max_length=advice.QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Only you and the person you ask read this. It is not a concern and never "
            "becomes one. Say “the client”; you need not give a name."
        ),
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asked"] = AdviserField(
            queryset=advice.advisers_for(member),
            asker=member,
            label=_("Whom to ask"),
            empty_label=None,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": _("Choose someone from the list.")},
            help_text=_("Your line manager, someone in HR, your peer mentor or your coach."),
        )
        self.order_fields(["asked", "question"])


class AnswerForm(VersionForm):
    """The person asked answers: the five questions, a reply and an outcome."""

    reply = forms.CharField(
        label=_("Your reply"),
        max_length=advice.REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=advice.ANSWER_CHOICES,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in FIVE_QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=str(question.label),
                choices=YES_NO_UNSURE,
                widget=forms.RadioSelect,
                error_messages={"required": _("Please answer this question.")},
            )
        self.order_fields([*(q.key for q in FIVE_QUESTIONS), "reply", "outcome", "version"])

    def answers(self) -> dict[str, object]:
        return {q.key: self.cleaned_data.get(q.key) for q in FIVE_QUESTIONS}
