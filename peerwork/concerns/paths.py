"""The paths a concern can follow, as stages with questions (issue 8 items 3 and 4).

A path (``PathSpec``) is the guide's structure for one kind of problem: App. 9's eight
questions for problem drug use at work (``peerwork.concerns.app9`` registers it), and the
short guided records of §4.3 (personal models of drug use), §4.4 (theft or fraud), §4.5 (a
client's complaint about a worker who came from the peer group), §4.6 (a relationship with
a client), §4.7 (supply or soliciting) and mediation between colleagues. Each stage asks
its questions (``Question``) and keeps what was found in a ``PathStep``; one service,
``record_step``, records every stage of every path.

Each module registers its paths with ``register_path``; ``spec_for(concern)`` answers a
concern's path, or None for a concern on the plain review-meeting path (App. 7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core import audit
from peerwork.core.access import DataClass
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion, update_if_current

from .models import Concern, PathStep, ReviewMeeting

Kind = Literal["yes_no", "yes_no_unsure", "choice", "choices", "text", "date"]

YES_NO: tuple[tuple[str, Promise], ...] = (
    ("yes", gettext_lazy("Yes")),
    ("no", gettext_lazy("No")),
)
YES_NO_UNSURE: tuple[tuple[str, Promise], ...] = (
    *YES_NO,
    ("unsure", gettext_lazy("Not sure yet")),
)


@dataclass(frozen=True)
class Question:
    """One structured answer of a stage. ``text`` answers are short lines kept in
    ``answers`` (no names, nothing sensitive: that goes in the stage's sealed notes)."""

    key: str
    label: Promise
    kind: Kind
    choices: tuple[tuple[str, Promise], ...] = ()
    required: bool = True
    help: Promise | None = None

    def options(self) -> tuple[tuple[str, Promise], ...]:
        if self.kind == "yes_no":
            return YES_NO
        if self.kind == "yes_no_unsure":
            return YES_NO_UNSURE
        return self.choices


@dataclass(frozen=True)
class Stage:
    key: str
    title: Promise
    guide: str  # the section it comes from: "App. 9 q1", "§4.6"
    prompt: Promise  # what to look at, in our words
    questions: tuple[Question, ...] = ()
    notes_label: Promise = gettext_lazy("What was found")
    notes_required: bool = True
    # True: the stage is recorded with the review meeting it happened in (App. 9 q5).
    meeting_required: bool = False


# A path's own rule (``PathSpec.check``), asked before a stage is saved with the stage, its
# checked answers, the notes and the stages recorded so far: raises ``ValidationError``
# naming the field at fault (mediation only when both sides are willing, §4.5).
StageCheck = Callable[[Concern, Stage, dict[str, object], str, dict[str, PathStep]], None]
# What a recorded stage does next, in the same transaction (an approval closes the concern,
# §4.6): called with the actor, the concern and the step.
StageEffect = Callable[[Membership, Concern, PathStep], None]


@dataclass(frozen=True)
class PathSpec:
    path: str  # a ``Concern.Path`` value
    title: Promise
    guide: str
    intro: Promise
    stages: tuple[Stage, ...]
    # True: a stage may be recorded only once the stages before it are.
    in_order: bool = False
    check: StageCheck | None = None
    after: StageEffect | None = None
    keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", frozenset(stage.key for stage in self.stages))

    def stage(self, key: str) -> Stage | None:
        return next((stage for stage in self.stages if stage.key == key), None)

    def before(self, key: str) -> tuple[Stage, ...]:
        keys = [stage.key for stage in self.stages]
        return self.stages[: keys.index(key)] if key in keys else ()


_paths: dict[str, PathSpec] = {}


def register_path(spec: PathSpec) -> PathSpec:
    _paths[spec.path] = spec
    return spec


def spec_for(concern: Concern) -> PathSpec | None:
    return _paths.get(concern.path)


def registered_paths() -> list[PathSpec]:
    return list(_paths.values())


def steps_of(concern: Concern) -> dict[str, PathStep]:
    """The recorded stages of a concern, by stage key."""
    return {
        step.stage: step
        for step in PathStep.objects.filter(
            organisation_id=concern.organisation_id, concern=concern
        )
    }


def clean_answers(stage: Stage, data: Mapping[str, object]) -> dict[str, object]:
    """The stage's answers, checked; ``ValidationError`` names each field that is wrong.
    Keys the stage does not ask are dropped."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, object] = {}
    for question in stage.questions:
        raw = data.get(question.key)
        empty = raw in (None, "", [], ())
        if empty:
            if question.required:
                errors[question.key] = [_("Please answer this question.")]
            continue
        allowed = {code for code, _label in question.options()}
        if question.kind == "choices":
            values = [raw] if isinstance(raw, str) else list(raw)  # type: ignore[call-overload]
            if not all(isinstance(v, str) and v in allowed for v in values):
                errors[question.key] = [_("Please choose from the list.")]
                continue
            cleaned[question.key] = sorted(set(values))
        elif question.kind in ("yes_no", "yes_no_unsure", "choice"):
            if not isinstance(raw, str) or raw not in allowed:
                errors[question.key] = [_("Please choose from the list.")]
                continue
            cleaned[question.key] = raw
        elif question.kind == "date":
            day = raw if isinstance(raw, dt.date) else parse_date(str(raw))
            if day is None:
                errors[question.key] = [_("Please give a date like 2026-03-31.")]
                continue
            cleaned[question.key] = day.isoformat()
        else:
            text = str(raw).strip()
            if len(text) > 500:
                errors[question.key] = [_("Please keep this under 500 characters.")]
                continue
            cleaned[question.key] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def record_step(
    *,
    actor: Membership,
    concern: Concern,
    stage_key: str,
    answers: Mapping[str, object],
    notes: str,
    meeting: ReviewMeeting | None = None,
    version: int | None = None,
) -> PathStep:
    """Record (or, with the ``version`` read, correct) one stage of the concern's path.

    The caller has passed the concern's gate for a change. Refused with ``ValidationError``
    (field errors, nothing saved) when the concern is not open, the stage is not on its
    path, an earlier stage of an in-order path is missing, an answer is wrong, or the
    path's own rule (``PathSpec.check``) refuses it; then the path's ``after`` runs.
    ``StaleVersion`` when someone corrected the stage since ``version``.
    """
    spec = spec_for(concern)
    stage = spec.stage(stage_key) if spec else None
    if spec is None or stage is None:
        raise ValidationError({"stage": [_("This stage is not part of the concern's path.")]})
    if not concern.is_open():
        raise ValidationError(_("This concern is closed; its stages can no longer change."))
    if meeting is not None and meeting.concern_id != concern.pk:
        raise ValidationError({"meeting": [_("Choose a meeting about this concern.")]})
    if stage.meeting_required and meeting is None:
        raise ValidationError({"meeting": [_("Choose the review meeting this stage was in.")]})
    cleaned = clean_answers(stage, answers)
    notes = (notes or "").strip()
    if stage.notes_required and not notes:
        raise ValidationError({"notes": [_("Please write what was found.")]})
    recorded = steps_of(concern)
    if spec.in_order:
        missing = [str(s.title) for s in spec.before(stage_key) if s.key not in recorded]
        if missing:
            raise ValidationError(
                {"stage": [_("First record: %(stages)s.") % {"stages": "; ".join(missing)}]}
            )
    if spec.check is not None:
        spec.check(concern, stage, cleaned, notes, recorded)

    existing = recorded.get(stage_key)
    if existing is None:
        if version is not None:
            raise StaleVersion
        step = PathStep(
            organisation_id=concern.organisation_id,
            concern=concern,
            person=concern.person,
            stage=stage_key,
            answers=cleaned,
            notes=notes,
            meeting=meeting,
            recorded_by=actor,
        )
        step.save()
        action = "concerns.step_recorded"
    else:
        if version is None:
            raise StaleVersion
        update_if_current(
            PathStep,
            pk=existing.pk,
            version=version,
            changes={
                "answers": cleaned,
                "meeting": meeting,
                "recorded_by": actor,
                "recorded_at": timezone.now(),
            },
        )
        existing.refresh_from_db()
        existing.notes = notes
        existing.save(update_fields=["notes"])
        step = existing
        action = "concerns.step_corrected"
    audit.record(
        actor=actor,
        action=action,
        object_type="path_step",
        object_id=step.pk,
        subject=concern.person,
        data_class=DataClass.PERSONNEL,
        detail={"concern": concern.pk, "stage": stage_key},
    )
    if spec.after is not None:
        spec.after(actor, concern, step)
    return step
