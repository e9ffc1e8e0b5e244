"""Forms of the review meeting pages (issue 8 item 2; App. 7).

Forms only parse what a person typed; the rules live in ``meetings`` (the API uses the
same), whose ``ValidationError`` the views put back beside the fields
(``peerwork.people.forms.put_errors``). After a refused or stale save the bound form is
shown again, so nothing typed is lost. The agenda form has the fields of one side only:
the manager's (and HR's) or the staff member's (``meetings.MANAGER_FIELDS`` and
``meetings.PERSON_FIELDS``), so neither side can send the other's words.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership
from peerwork.outreach.forms import DATETIME_FORMATS, DATETIME_WIDGET
from peerwork.people.forms import DATE_WIDGET, MemberChoiceField, VersionForm

from . import meetings, support_menu
from .models import ReviewMeeting

TEXT_ROWS = 4

MEET_AGAIN = (
    ("", _("Not decided yet")),
    ("yes", _("Yes, we meet again")),
    ("no", _("No need to meet again")),
)


def _text(label: Any, limit: int, *, help_text: Any = "", rows: int = TEXT_ROWS) -> Any:
    return forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _when() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("When"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        error_messages={
            "required": _("Choose the day and time of the meeting."),
            "invalid": _("Give the day and time like 2026-03-31 14:00."),
        },
    )


def _where() -> forms.CharField:
    return forms.CharField(
        label=_("Where (optional)"),
        required=False,
        max_length=meetings.PLACE_MAX,
        help_text=_("A quiet room where nobody else hears, or how you will call."),
    )


class ScheduleForm(forms.Form):
    """The manager (or HR) plans a meeting: with whom (unless it is about a concern),
    when and where."""

    def __init__(self, *args: Any, member: Membership, with_person: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_person:
            self.fields["person"] = MemberChoiceField(
                queryset=meetings.people_to_meet(member),
                label=_("Staff member"),
                error_messages={
                    "required": _("Choose the staff member."),
                    "invalid_choice": _("Choose someone from the list."),
                },
            )
        self.fields["starts_at"] = _when()
        self.fields["place"] = _where()


AGENDA_LABELS: dict[str, Any] = {
    "purpose": _("Purpose of the meeting"),
    "issue_and_standards": _("The issue, and the standards or policies that apply"),
    "expected_level": _("The level expected for the post and grade"),
    "person_account": _("The staff member's account, in their words"),
    "job_concerns": _("What worries them about their job"),
    "support_agreed": _("Support agreed (Section 3)"),
    "support_details": _("Support, training and development: the details"),
    "external_support": _("Support outside work, in the staff member's words"),
    "meet_again": _("Meet again"),
}


class AgendaForm(VersionForm):
    """One side's part of the agenda (``side`` is ``meetings.MANAGER`` or ``meetings.PERSON``).
    The manager's side also moves a planned meeting's time and place."""

    def __init__(self, *args: Any, side: str, meeting: ReviewMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.side = side
        fields = self.fields
        if side == meetings.MANAGER:
            if meeting.state == ReviewMeeting.State.SCHEDULED:
                fields["starts_at"] = _when()
                fields["place"] = _where()
            fields["purpose"] = _text(AGENDA_LABELS["purpose"], meetings.TEXT_MAX)
            fields["issue_and_standards"] = _text(
                AGENDA_LABELS["issue_and_standards"],
                meetings.TEXT_MAX,
                help_text=_("What happened at work, with dates; never a guess about drug use."),
            )
            fields["expected_level"] = _text(AGENDA_LABELS["expected_level"], meetings.TEXT_MAX)
            fields["support_agreed"] = forms.MultipleChoiceField(
                label=AGENDA_LABELS["support_agreed"],
                required=False,
                choices=support_menu.CHOICES,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("Please choose from the list.")},
            )
            fields["support_details"] = _text(AGENDA_LABELS["support_details"], meetings.TEXT_MAX)
            fields["meet_again"] = forms.ChoiceField(
                label=AGENDA_LABELS["meet_again"],
                required=False,
                choices=MEET_AGAIN,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Please choose from the list.")},
            )
        else:
            fields["person_account"] = _text(
                _("My account, in my own words"),
                meetings.TEXT_MAX,
                help_text=_(
                    "How you see the issue and its effect on your work. Only you write it."
                ),
                rows=6,
            )
            fields["job_concerns"] = _text(
                _("Anything that worries me about my job"), meetings.TEXT_MAX
            )
            fields["external_support"] = _text(
                _("Support I use outside work, as the record should say it"),
                meetings.TEXT_MAX,
                help_text=_(
                    "Only if you want to say more. Left empty, the record says “%(default)s”."
                )
                % {"default": support_menu.EXTERNAL_DEFAULT},
                rows=2,
            )

    def changes(self) -> dict[str, object]:
        """The cleaned values under the model's names."""
        data = self.cleaned_data
        changes: dict[str, object] = {}
        for name in self.fields:
            if name == "version":
                continue
            value = data.get(name)
            if name == "meet_again":
                value = {"yes": True, "no": False}.get(str(value or ""))
            elif name == "support_agreed":
                value = list(value or [])
            elif name != "starts_at":
                value = value or ""
            changes[name] = value
        return changes


def agenda_initial(meeting: ReviewMeeting, side: str) -> dict[str, object]:
    names = meetings.MANAGER_FIELDS if side == meetings.MANAGER else meetings.PERSON_FIELDS
    initial: dict[str, object] = {"version": meeting.version}
    for name in names:
        value = getattr(meeting, name)
        if name == "meet_again":
            value = {True: "yes", False: "no"}.get(value, "")
        elif name == "starts_at":
            value = meetings.local_start(meeting).replace(tzinfo=None)
        elif name in meetings.SEALED:
            value = str(value or "")
        initial[name] = value
    return initial


class SupporterForm(VersionForm):
    """The staff member brings a peer supporter, or comes on their own."""

    def __init__(self, *args: Any, meeting: ReviewMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["peer_supporter"] = MemberChoiceField(
            queryset=meetings.supporters_to_choose(meeting),
            label=_("Peer supporter (optional)"),
            required=False,
            empty_label=_("Nobody: I come on my own"),
            help_text=_(
                "A colleague you trust, to come with you. They will see this meeting and its "
                "note, nothing else."
            ),
            error_messages={"invalid_choice": _("Choose someone from the list.")},
        )


class NoteForm(VersionForm):
    """The meeting note: the summary, and the date to meet again when one was agreed."""

    summary = forms.CharField(
        label=_("Summary of the meeting"),
        max_length=meetings.SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the summary of the meeting.")},
    )
    review_on = forms.DateField(
        label=_("Meet again to review progress on (optional)"),
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Please give a date like 2026-03-31.")},
        help_text=_("You and the staff member are both reminded on that day."),
    )


class DisagreeForm(VersionForm):
    """What one of the two disagrees with, kept beside the note."""

    disagreement = forms.CharField(
        label=_("What I disagree with"),
        required=False,
        max_length=meetings.DISAGREEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("It is kept beside the note, and both of you still read the note."),
    )
