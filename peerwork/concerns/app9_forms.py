"""Forms of a path's stages, of targets and of the hand-off (issue 8 items 3 and 4; App. 9,
§4.2, §4.3).

A stage's form is built from its questions (``paths.Stage``), so one page serves every
path's stages. The rules are the services' (``paths.record_step``, ``app9``): the forms
check only the shape of what is typed, and show the services' refusals beside the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from peerwork.people.forms import VersionForm

from . import app9, paths
from .models import Concern, ReviewMeeting, Target

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def meeting_label(meeting: ReviewMeeting) -> str:
    day = date_format(app9.meeting_day(meeting), "DATE_FORMAT")
    return f"{day} · {meeting.get_state_display()}"


class MeetingChoiceField(forms.ModelChoiceField[ReviewMeeting]):
    """A review meeting of the concern, by its day and state. A malformed id reads like an
    unknown one."""

    def label_from_instance(self, obj: ReviewMeeting) -> str:
        return meeting_label(obj)

    def to_python(self, value: Any) -> ReviewMeeting | None:
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "invalid_choice":
                raise
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


def _field_for(question: paths.Question) -> forms.Field:
    # Built per form, so the words are the request's language.
    label, required, help_text = str(question.label), question.required, str(question.help or "")
    if question.kind == "choices":
        return forms.MultipleChoiceField(
            label=label,
            required=required,
            help_text=help_text,
            choices=question.options(),
            widget=forms.CheckboxSelectMultiple,
        )
    if question.kind in ("yes_no", "yes_no_unsure", "choice"):
        return forms.ChoiceField(
            label=label,
            required=required,
            help_text=help_text,
            choices=question.options(),
            widget=forms.RadioSelect,
        )
    if question.kind == "date":
        return forms.DateField(label=label, required=required, help_text=help_text, widget=DATE)
    return forms.CharField(label=label, required=required, help_text=help_text, max_length=500)


class StageForm(VersionForm):
    """One stage of a concern's path: its questions, what was found, and the meeting it
    happened in."""

    RESERVED = frozenset({"notes", "meeting", "version"})

    def __init__(self, *args: Any, stage: paths.Stage, concern: Concern, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage = stage
        for question in stage.questions:
            if question.key in self.RESERVED:
                raise ValueError(f"a question may not be called {question.key!r}")
            self.fields[question.key] = _field_for(question)
        self.fields["notes"] = forms.CharField(
            label=str(stage.notes_label),
            required=stage.notes_required,
            max_length=app9.TEXT_MAX,
            widget=forms.Textarea(attrs={"rows": 5}),
        )
        self.fields["meeting"] = MeetingChoiceField(
            label=_("The review meeting it was in"),
            queryset=app9.meetings_of(concern),
            required=stage.meeting_required,
        )
        self.order_fields([*(q.key for q in stage.questions), "notes", "meeting", "version"])

    def answers(self) -> dict[str, object]:
        return {q.key: self.cleaned_data.get(q.key) for q in self.stage.questions}


def stage_initial(step: Any) -> dict[str, object]:
    if step is None:
        return {}
    return {
        **(step.answers if isinstance(step.answers, dict) else {}),
        "notes": step.notes or "",
        "meeting": step.meeting_id,
        "version": step.version,
    }


class TargetForm(VersionForm):
    """A target for work (App. 9 q7): a measure of work only, never of drug use."""

    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=Target.Measure.choices,
        widget=forms.RadioSelect,
        help_text=_("Work only: never abstinence, a way of using, a dose or a test (§4.2)."),
    )
    description = forms.CharField(
        label=_("What good looks like"),
        max_length=app9.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: at the drop-in by 09:00 on the days agreed."),
    )
    review_on = forms.DateField(label=_("Review on"), widget=DATE)
    feedback_sources = forms.CharField(
        label=_("Objective sources of feedback"),
        max_length=app9.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: the rota, the sign-in sheet, delivered reports."),
    )
    set_in = MeetingChoiceField(
        label=_("Set in the meeting"), queryset=ReviewMeeting.objects.none(), required=False
    )

    def __init__(self, *args: Any, concern: Concern, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["set_in"].queryset = app9.meetings_of(concern)  # type: ignore[attr-defined]
        self.order_fields(
            ["measure", "description", "review_on", "feedback_sources", "set_in", "version"]
        )

    def fields_typed(self) -> app9.TargetFields:
        data = self.cleaned_data
        return app9.TargetFields(
            measure=data.get("measure") or "",
            description=data.get("description") or "",
            review_on=data.get("review_on"),
            feedback_sources=data.get("feedback_sources") or "",
            set_in=data.get("set_in"),
        )


def target_initial(target: Target) -> dict[str, object]:
    return {
        "measure": target.measure,
        "description": target.description,
        "review_on": target.review_on,
        "feedback_sources": target.feedback_sources,
        "set_in": target.set_in_id,
        "version": target.version,
    }


class ReflectionForm(VersionForm):
    self_reflection = forms.CharField(
        label=_("My self-reflection"),
        required=False,
        max_length=app9.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How you see your progress on this target, in your own words."),
    )


class TargetReviewForm(VersionForm):
    meeting = MeetingChoiceField(
        label=_("Reviewed in the meeting"),
        queryset=ReviewMeeting.objects.none(),
        help_text=_("A review meeting held on or after the target's review date."),
    )
    outcome = forms.ChoiceField(
        label=_("The target was"),
        choices=[(o.value, o.label) for o in app9.REVIEW_OUTCOMES],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, concern: Concern, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = app9.held_meetings_of(concern)  # type: ignore[attr-defined]
        self.order_fields(["meeting", "outcome", "version"])


class HandoffForm(forms.Form):
    grounds = forms.ChoiceField(label=_("Grounds"), widget=forms.RadioSelect)
    review = MeetingChoiceField(
        label=_("The review meeting"),
        queryset=ReviewMeeting.objects.none(),
        required=False,
        help_text=_(
            "For the App. 9 grounds: the review, held on or after a target's date, that found "
            "the targets not met."
        ),
    )
    reason = forms.CharField(
        label=_("Written reason"),
        required=False,
        max_length=app9.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required for gross misconduct: what happened, in terms of work."),
    )

    def __init__(self, *args: Any, concern: Concern, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grounds"].choices = app9.grounds_for(concern)  # type: ignore[attr-defined]
        self.fields["review"].queryset = app9.held_meetings_of(concern)  # type: ignore[attr-defined]
