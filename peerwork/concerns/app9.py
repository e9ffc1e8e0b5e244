"""The App. 9 path for problem drug use at work, its targets, and the hand-off to the
organisation's disciplinary procedure (issue 8 items 3, 4 and 5; guide §4.2, §4.3, App. 7,
App. 9).

Drug use becomes a problem for the organisation when it affects performance, time-keeping
or attendance (§4.2); the checklist of App. 9 walks a manager from what shows the problem
at work to a meeting, support, targets and their review. The aim is to support the staff
member to regain control of their use or manage it so work is not affected, abstinence or
not as they prefer: the organisation does not choose (§4.2). Nothing here tests anyone for
drugs (§4.2: employer-led testing is not recommended).

- **The path** (``SPEC``): App. 9's eight questions as eight stages, recorded in order with
  ``paths.record_step`` (the one service for every path's stages). The path's own rules
  (``_check``) ask what a stage implies: when something was raised in supervision before,
  whether it was written down; when the problem is acknowledged, which support was offered
  and whether it was taken up (q6); that targets exist before q7 is recorded.
- **Targets** (``Target``, App. 9 q7): set by the line manager or HR whether or not the
  problem is acknowledged, as measures of work only. A description or a source of feedback
  that makes drug use, abstinence, a way of using, an OST dose or a drug test the measure
  is refused (``measure_words``, a rule of §4.2 and §4.3, in each of our catalogs'
  languages). The staff member writes their self-reflection. A target is reviewed in a
  review meeting held on or after its review date; on that date the staff member and their
  manager are told once (``remind_target_reviews``, a deadline step).
- **The hand-off** (``Handoff``): Peerwork runs no discipline. It checks the grounds and
  makes a summary document (``peerwork.concerns.handoff_pdf``) for the organisation's own
  procedure. On the App. 9 path: stages q1–q7 recorded, a held review on or after a
  target's date that records targets as not met, and q6 recording support taken up
  (``unmet_despite_support``) or refused (``support_refused``); then it is handed off at
  once. For gross misconduct, on any path (§4.4, §4.7, areas D and E call
  ``request_handoff`` too): a written reason, then HR's countersignature by someone other
  than the requester and the staff member.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from peerwork.core import audit
from peerwork.core.access import DataClass
from peerwork.core.deadlines import claim_dated_rows, register_deadline
from peerwork.core.models import Membership, Notification, Role, active_members
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import notify, register_kind
from peerwork.core.versions import StaleVersion, update_if_current

from . import access, paths, separation, support_menu
from .models import Concern, Handoff, PathStep, ReviewMeeting, Target

TEXT_MAX = 4000
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200

# --- the path (App. 9) ---------------------------------------------------------------------

Q = paths.Question
ACKNOWLEDGED = ("yes", "partly")

GENTLE_LINE = gettext_lazy(
    "No feature of Peerwork tests anyone for drugs (§4.2). The aim of this path is to support "
    "the staff member to regain control of their use or to manage it so their work is not "
    "affected, whether or not they choose abstinence: that is their choice, not the "
    "organisation's."
)

STAGES = (
    paths.Stage(
        key="q1",
        title=gettext_lazy("What shows a problem at work"),
        guide="App. 9 q1",
        prompt=gettext_lazy(
            "Describe what is happening at work and what backs it up: dates, records, what "
            "people saw. Signs such as pinned pupils, paleness or sweating are not a problem on "
            "their own and can be normal on OST; look at the effect on work."
        ),
        questions=(
            Q(
                "indications",
                gettext_lazy("What is affecting work?"),
                "choices",
                (
                    ("lateness", gettext_lazy("Late for work, or not there")),
                    ("tasks", gettext_lazy("Work not done, late, or below the expected level")),
                    ("unfit", gettext_lazy("Not able to do the work at the time")),
                    ("use_at_work", gettext_lazy("Using drugs at work or in work hours")),
                    ("trust", gettext_lazy("The trust of clients or colleagues is affected")),
                ),
            ),
            Q(
                "evidence",
                gettext_lazy("What supports it?"),
                "choices",
                (
                    ("records", gettext_lazy("Time or attendance records")),
                    ("seen", gettext_lazy("Seen by the manager")),
                    ("colleagues", gettext_lazy("Told by colleagues")),
                    ("clients", gettext_lazy("Feedback from clients")),
                    ("self", gettext_lazy("Said by the staff member")),
                ),
            ),
        ),
        notes_label=gettext_lazy("What happened at work, with dates and evidence"),
    ),
    paths.Stage(
        key="q2",
        title=gettext_lazy("Who else is involved"),
        guide="App. 9 q2",
        prompt=gettext_lazy(
            "Did someone else raise the concern or make a complaint? Then the organisation's "
            "complaints or grievance procedure may need to be followed beside this path."
        ),
        questions=(
            Q(
                "second_party",
                gettext_lazy("Who else is involved?"),
                "choice",
                (
                    ("none", gettext_lazy("Nobody else")),
                    ("colleague", gettext_lazy("A colleague")),
                    ("client", gettext_lazy("A client")),
                    ("partner", gettext_lazy("A partner")),
                    ("other", gettext_lazy("Someone else")),
                ),
            ),
            Q(
                "formal_procedure",
                gettext_lazy("Does the complaints or grievance procedure apply?"),
                "yes_no",
            ),
        ),
        notes_required=False,
    ),
    paths.Stage(
        key="q3",
        title=gettext_lazy("Work in other areas"),
        guide="App. 9 q3",
        prompt=gettext_lazy(
            "How is the rest of their work going? Is this on its own, or part of a wider drop "
            "in how work is going?"
        ),
        questions=(
            Q(
                "other_areas",
                gettext_lazy("The rest of their work"),
                "choice",
                (
                    ("isolated", gettext_lazy("This is on its own: other work goes well")),
                    ("wider", gettext_lazy("Part of a wider drop in work")),
                    ("unsure", gettext_lazy("Not sure yet")),
                ),
            ),
        ),
        notes_required=False,
    ),
    paths.Stage(
        key="q4",
        title=gettext_lazy("Raised in supervision before"),
        guide="App. 9 q4",
        prompt=gettext_lazy(
            "Look back at supervision: was this raised before, was it written down, and did "
            "anything change afterwards?"
        ),
        questions=(
            Q("raised_before", gettext_lazy("Was it raised in supervision before?"), "yes_no"),
            Q("documented", gettext_lazy("Was it written down?"), "yes_no", required=False),
            Q(
                "change_since",
                gettext_lazy("What changed since?"),
                "choice",
                (
                    ("better", gettext_lazy("Things got better")),
                    ("same", gettext_lazy("No change")),
                    ("worse", gettext_lazy("Things got worse")),
                ),
                required=False,
            ),
        ),
        notes_required=False,
    ),
    paths.Stage(
        key="q5",
        title=gettext_lazy("The meeting"),
        guide="App. 9 q5",
        prompt=gettext_lazy(
            "Meet the staff member in a review meeting (App. 7). Say what practice is expected, "
            "give feedback on what was seen at work and its effect, and explore how they see "
            "it. They may bring a peer supporter, and they word their own account in the "
            "meeting's record."
        ),
        questions=(
            Q(
                "practice_explained",
                gettext_lazy("Was the expected practice explained?"),
                "yes_no",
            ),
            Q(
                "awareness",
                gettext_lazy("How does the staff member see it?"),
                "choice",
                (
                    ("aware", gettext_lazy("They see the problem")),
                    ("partly", gettext_lazy("They see part of it")),
                    ("not_aware", gettext_lazy("They do not see a problem")),
                ),
            ),
        ),
        notes_label=gettext_lazy("What was discussed"),
        meeting_required=True,
    ),
    paths.Stage(
        key="q6",
        title=gettext_lazy("Support"),
        guide="App. 9 q6",
        prompt=gettext_lazy(
            "If the problem is acknowledged, explore support at work (Section 3) and any "
            "self-referral the staff member chooses: OST, harm reduction or psychosocial "
            "services. Support is offered, never imposed. Support outside work is recorded in "
            "the staff member's own words, in the meeting's record."
        ),
        questions=(
            Q(
                "acknowledged",
                gettext_lazy("Is the problem acknowledged?"),
                "choice",
                (
                    ("yes", gettext_lazy("Yes")),
                    ("partly", gettext_lazy("Partly")),
                    ("no", gettext_lazy("No")),
                ),
            ),
            Q(
                "support_offered",
                gettext_lazy("Support offered"),
                "choices",
                tuple(support_menu.CHOICES),
                required=False,
                help=gettext_lazy("Needed when the problem is acknowledged, even in part."),
            ),
            Q(
                "uptake",
                gettext_lazy("Did the staff member take it up?"),
                "choice",
                (
                    ("taken_up", gettext_lazy("Taken up")),
                    ("refused", gettext_lazy("Refused")),
                    ("not_yet", gettext_lazy("Not decided yet")),
                ),
                required=False,
            ),
        ),
        notes_label=gettext_lazy("What was agreed"),
        notes_required=False,
    ),
    paths.Stage(
        key="q7",
        title=gettext_lazy("Targets"),
        guide="App. 9 q7",
        prompt=gettext_lazy(
            "Set targets for work (time-keeping, attendance, tasks delivered…) with review "
            "dates, objective sources of feedback and room for the staff member's "
            "self-reflection, whether or not the problem is acknowledged. A target is never "
            "abstinence or a way of using. Confirm the targets in the meeting's note."
        ),
        questions=(
            Q("in_note", gettext_lazy("Does the meeting's note set out the targets?"), "yes_no"),
        ),
        notes_label=gettext_lazy("What was agreed"),
        notes_required=False,
        meeting_required=True,
    ),
    paths.Stage(
        key="q8",
        title=gettext_lazy("Review"),
        guide="App. 9 q8",
        prompt=gettext_lazy(
            "In a review on or after the targets' dates, look at each target with its feedback "
            "and the staff member's self-reflection. If work has not changed despite support, "
            "or support was refused, the organisation's disciplinary procedure may be "
            "considered: Peerwork hands it a summary and runs no discipline itself."
        ),
        questions=(
            Q(
                "outcome",
                gettext_lazy("The targets were"),
                "choice",
                (
                    ("met", gettext_lazy("Met")),
                    ("partly", gettext_lazy("Partly met")),
                    ("unmet", gettext_lazy("Not met")),
                ),
            ),
            Q(
                "next",
                gettext_lazy("What comes next"),
                "choice",
                (
                    ("close", gettext_lazy("Close the concern: resolved")),
                    ("again", gettext_lazy("New targets and another review")),
                    ("handoff", gettext_lazy("Consider the disciplinary procedure")),
                ),
            ),
        ),
        notes_label=gettext_lazy("What the review found"),
        meeting_required=True,
    ),
)
HANDOFF_STAGES = ("q1", "q2", "q3", "q4", "q5", "q6", "q7")


def _check(
    concern: Concern,
    stage: paths.Stage,
    answers: dict[str, object],
    notes: str,
    recorded: dict[str, PathStep],
) -> None:
    """What App. 9's stages imply beyond each answer on its own."""
    errors: dict[str, list[str]] = {}
    if stage.key == "q4" and answers.get("raised_before") == "yes":
        for key in ("documented", "change_since"):
            if key not in answers:
                errors[key] = [_("Please answer this question.")]
    elif stage.key == "q6":
        offered = answers.get("support_offered")
        if answers.get("acknowledged") in ACKNOWLEDGED and not offered:
            errors["support_offered"] = [
                _("The problem is acknowledged: choose the support that was offered.")
            ]
        if offered and "uptake" not in answers:
            errors["uptake"] = [_("Say whether the staff member took the support up.")]
        if not offered and "uptake" in answers:
            errors["uptake"] = [_("Choose the support that was offered first.")]
    elif (
        stage.key == "q7"
        and not Target.objects.filter(
            organisation_id=concern.organisation_id, concern=concern
        ).exists()
    ):
        raise ValidationError(_("Set at least one target for work first, then record this stage."))
    if errors:
        raise ValidationError(errors)


SPEC = paths.register_path(
    paths.PathSpec(
        path=Concern.Path.PROBLEM_DRUG_USE,
        title=gettext_lazy("Problem drug use at work"),
        guide="App. 9",
        intro=gettext_lazy(
            "Eight stages, in order: from what shows a problem at work, through a meeting, "
            "support and targets for work, to their review. Support comes before anything "
            "formal."
        ),
        stages=STAGES,
        in_order=True,
        check=_check,
    )
)


def stage_answers(step: PathStep | None) -> Mapping[str, object]:
    return step.answers if step is not None and isinstance(step.answers, dict) else {}


def answer_labels(stage: paths.Stage, answers: Mapping[str, object]) -> list[tuple[str, str]]:
    """Each answered question with its answer in words, in the stage's order."""
    found = []
    for question in stage.questions:
        value = answers.get(question.key)
        if value in (None, "", []):
            continue
        labels = dict(question.options())
        values = value if isinstance(value, list) else [value]
        words = "; ".join(str(labels.get(str(v), v)) for v in values)
        found.append((str(question.label), words))
    return found


# --- targets (App. 9 q7) ---------------------------------------------------------------------

# Words that make drug use, abstinence, a way of using, an OST dose or a drug test the
# measure of a target (§4.2, §4.3), per language of our catalogs. Whole words at the start
# (no letter before them); ``\w*`` takes any ending. "Clean" is refused where it stands for
# not using ("stay clean", "clean time"), not for a tidy room.
MEASURE_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        r"abstinen\w*",
        r"abstain\w*",
        r"(?:stay|stays|stayed|staying|remain|remains|remained|get|gets|got|keep|keeps)"
        r"\s+clean\b",
        r"clean\s+(?:from|of|time|tests?|urine|days?|weeks?|months?)\b",
        r"sober\w*",
        r"sobriety",
        r"drug[\s-]*free",
        # "Stops using the van" is about work; "stops using" on its own is not.
        r"(?:stop|stops|stopped|stopping|quit|quits|quitting)\s+(?:using|taking)"
        r"(?!\s+(?:the|a|an|his|her|their|my|our|its|work|company|office)\b)",
        r"(?:stop|stops|stopped|stopping|quit|quits|quitting)\s+drugs\b",
        r"(?:not|no longer|never)\s+(?:using|use|uses|take|takes|taking)\s+"
        r"(?:drugs|heroin|opioids|substances|anything)\b",
        r"(?:not|no longer|never)\s+using\s*(?:$|[.,;!])",
        # "People who use drugs" names people respectfully; it is not a measure.
        r"(?<!who )(?<!people )(?:using|use|uses|taking|take|takes)\s+"
        r"(?:drugs|heroin|opioids|substances)\b",
        r"(?:no|without|less|reduc\w*|stop\w*|end\w*)\s+(?:\w+\s+)?drug\s+use\b",
        r"way\s+of\s+using",
        r"drug[\s-]*tests?\w*",
        r"(?:urine|saliva|hair)\s+(?:tests?|samples?|screens?)\w*",
        r"tests?\s+negative",
        r"negative\s+tests?",
        r"dose\b",
        r"doses\b",
        r"dosage\w*",
    ),
    "sw": (
        r"kujizuia",
        # Verbs take a person prefix (anabaki, wanakaa): any start before the stem.
        r"\w*(?:baki|kaa)\s+safi",
        r"kuwa\s+safi",
        r"safi\s+(?:kutoka|bila)\b",
        r"bila\s+kulewa",
        r"asiyelewa",
        r"\w*acha\s+(?:kutumia|dawa)\w*",
        r"kutotumia\w*",
        r"kutumia\s+dawa\s+za\s+kulevya",
        r"matumizi\s+ya\s+dawa\s+za\s+kulevya",
        r"kipimo\s+cha\s+(?:mkojo|dawa)\w*",
        r"vipimo\s+vya\s+(?:mkojo|dawa)\w*",
        r"kupim\w*\s+(?:mkojo|dawa)\w*",
        r"dozi\w*",
    ),
    "ru": (
        r"абстинен\w*",
        r"воздерж\w*",
        r"(?:оставаться|остаётся|остается|оставаясь|быть|будет|стать)\s+чист\w*",
        r"чист\w*\s+от\s+(?:наркотик|употреблен)\w*",
        r"трезв\w*",
        r"(?:бросить|бросил\w*|прекратить|прекратил\w*|перестать|перестал\w*)\s+"
        r"употребл\w*",
        r"не\s+употребл\w*",
        r"без\s+употреблени\w*",
        r"тест\w*\s+на\s+наркот\w*",
        r"наркотест\w*",
        r"анализ\w*\s+мочи",
        r"доз(?:а|ы|у|ой|е|ировк\w*)\b",
    ),
    "uk": (
        r"абстинен\w*",
        r"утриму\w*\s+від\b",
        r"(?:залишатися|залишається|бути|буде|стати)\s+чист\w*",
        r"чист\w*\s+від\s+(?:наркотик|вживанн)\w*",
        r"тверез\w*",
        r"(?:кинути|припинити|припинив\w*|перестати|перестав\w*)\s+вжива\w*",
        # "Не вживає заходів" (takes no measures) is about work.
        r"не\s+вжива\w*(?!\s+заход)",
        r"без\s+вживання",
        r"тест\w*\s+на\s+наркот\w*",
        r"аналіз\w*\s+сечі",
        r"доз(?:а|и|у|ою|і|ування)\b",
    ),
    "id": (
        r"abstinen\w*",
        r"pantang\w*",
        r"bersih\s+(?:dari\s+)?narkoba",
        r"bebas\s+narkoba",
        r"tidak\s+mabuk",
        r"berhenti\s+(?:memakai|menggunakan|pakai|mengonsumsi|narkoba)\b",
        r"tidak\s+(?:memakai|menggunakan|pakai|mengonsumsi)\s+narkoba",
        # "Orang yang menggunakan narkoba" names people; it is not a measure.
        r"(?<!yang )(?:memakai|menggunakan|pakai|mengonsumsi)\s+narkoba",
        r"(?:tanpa|berhenti|menghentikan|mengurangi)\s+penggunaan\s+narkoba",
        r"tes\s+(?:narkoba|urin)\w*",
        r"dosis\w*",
    ),
}


@cache
def _measure_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(
        re.compile(rf"(?<!\w){words}", re.IGNORECASE)
        for patterns in MEASURE_WORDS.values()
        for words in patterns
    )


def measure_words(text: str) -> str | None:
    """The words in ``text`` that make drug use, abstinence, a way of using, an OST dose or
    a drug test the measure (in any of our languages: a person may write in any), or None.
    """
    for pattern in _measure_patterns():
        found = pattern.search(text or "")
        if found:
            return found.group(0)
    return None


def _work_only(name: str, text: str, errors: dict[str, list[str]]) -> None:
    found = measure_words(text)
    if found is not None:
        errors[name] = [
            _(
                "A target measures work, never drug use, abstinence, a way of using, a dose or a "
                "test (§4.2, §4.3). Please describe the work instead, for example arriving on "
                "time or tasks delivered. The words at issue: “%(words)s”."
            )
            % {"words": found}
        ]


def work_measures() -> list[tuple[str, str]]:
    """The measures a target may have: work only (``Target.Measure``)."""
    return [(value, str(label)) for value, label in Target.Measure.choices]


def _organisation_today(concern: Concern, now: dt.datetime | None = None) -> dt.date:
    return concern.person.organisation.local_today(now)


def meeting_day(meeting: ReviewMeeting) -> dt.date:
    """The day a meeting was held where the organisation works."""
    return timezone.localdate(meeting.starts_at, meeting.person.organisation.zone)


def meetings_of(concern: Concern) -> QuerySet[ReviewMeeting]:
    return (
        ReviewMeeting.objects.filter(organisation_id=concern.organisation_id, concern=concern)
        .exclude(state=ReviewMeeting.State.CANCELLED)
        .select_related("person__organisation")
        .order_by("starts_at")
    )


def held_meetings_of(concern: Concern) -> QuerySet[ReviewMeeting]:
    return meetings_of(concern).filter(state=ReviewMeeting.State.HELD)


def meeting_of_concern(
    concern: Concern, meeting_id: uuid.UUID | str | None, field: str
) -> ReviewMeeting | None:
    """A review meeting of the concern named in a request (an API body), or None for none;
    anything else is the field's fault."""
    if meeting_id in (None, ""):
        return None
    found = meetings_of(concern).filter(pk=meeting_id).first()
    if found is None:
        raise ValidationError({field: [_("Choose a review meeting about this concern.")]})
    return found


def targets_visible_to(member: Membership) -> QuerySet[Target]:
    """The targets a member may read: their own, their reports' and, for HR, everyone's
    (``access.target_for_member``)."""
    rows = Target.objects.filter(organisation_id=member.organisation_id).select_related(
        "concern", "person__user", "set_by__user", "reviewed_in", "set_in"
    )
    if not member.is_active:
        return rows.none()
    if access.is_hr(member):
        return rows
    mine = rows.filter(person=member)
    if member.has_role(Role.LINE_MANAGER):
        return mine | rows.filter(person__line_manager=member).exclude(person=member)
    return mine


def targets_of(concern: Concern) -> QuerySet[Target]:
    return Target.objects.filter(
        organisation_id=concern.organisation_id, concern=concern
    ).select_related("reviewed_in", "set_in")


def _must_manage(actor: Membership, concern: Concern) -> None:
    if not access.manages_case(actor, concern.person):
        raise PermissionDenied(_("Only the staff member's line manager or HR do this."))


def _must_be_open(concern: Concern) -> None:
    if not concern.is_open():
        raise ValidationError(_("This concern is no longer open, so it cannot change."))


def _own_meeting(
    concern: Concern, meeting: ReviewMeeting | None, field: str
) -> ReviewMeeting | None:
    if meeting is not None and meeting.concern_id != concern.pk:
        raise ValidationError({field: [_("Choose a review meeting about this concern.")]})
    return meeting


@dataclass(frozen=True)
class TargetFields:
    """What the line manager or HR write for a target."""

    measure: str
    description: str
    review_on: dt.date | None
    feedback_sources: str
    set_in: ReviewMeeting | None = None


def _clean_target(
    concern: Concern, fields: TargetFields, today: dt.date, *, old_review: dt.date | None = None
) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    if fields.measure not in Target.Measure.values:
        errors["measure"] = [_("Choose a measure of work from the list.")]
    texts = {}
    for name, missing in (
        ("description", _("Say what good work looks like for this target.")),
        ("feedback_sources", _("Name at least one objective source of feedback.")),
    ):
        text = (getattr(fields, name) or "").strip()
        if not text:
            errors[name] = [missing]
        elif len(text) > TEXT_MAX:
            errors[name] = [_("Please keep this under %(n)d characters.") % {"n": TEXT_MAX}]
        else:
            _work_only(name, text, errors)
        texts[name] = text
    review_on = fields.review_on
    if review_on is None:
        errors["review_on"] = [_("Choose the day this target will be reviewed.")]
    elif not EARLIEST_YEAR <= review_on.year <= LATEST_YEAR:
        errors["review_on"] = [
            _("Choose a date between the years %(first)d and %(last)d.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        ]
    elif review_on <= today and review_on != old_review:
        errors["review_on"] = [_("The review date must be after today.")]
    try:
        _own_meeting(concern, fields.set_in, "set_in")
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return {
        "measure": fields.measure,
        "description": texts["description"],
        "review_on": review_on,
        "feedback_sources": texts["feedback_sources"],
        "set_in": fields.set_in,
    }


def _record_target(actor: Membership, action: str, target: Target, **detail: object) -> None:
    audit.record(
        actor=actor,
        action=f"concerns.target_{action}",
        object_type="concerns.target",
        object_id=target.pk,
        subject=target.person,
        data_class=DataClass.PERSONNEL,
        detail={"concern": target.concern_id, **detail},
    )


@transaction.atomic
def set_target(
    *, actor: Membership, concern: Concern, fields: TargetFields, now: dt.datetime | None = None
) -> Target:
    """The line manager or HR set a target for work (App. 9 q7), whether or not the problem
    is acknowledged. ``ValidationError`` names each field at fault; nothing is saved."""
    _must_manage(actor, concern)
    _must_be_open(concern)
    clean = _clean_target(concern, fields, _organisation_today(concern, now))
    target = Target(
        organisation_id=concern.organisation_id,
        concern=concern,
        person=concern.person,
        set_by=actor,
        set_at=now or timezone.now(),
        **clean,
    )
    target.save()
    _record_target(actor, "set", target, measure=target.measure)
    return target


@transaction.atomic
def change_target(
    *,
    actor: Membership,
    target: Target,
    fields: TargetFields,
    version: int,
    now: dt.datetime | None = None,
) -> Target:
    """The line manager or HR change a target. A new review date is told again when it
    comes. A review date already passed may stay as it is, not be moved into the past."""
    concern = target.concern
    _must_manage(actor, concern)
    _must_be_open(concern)
    clean = _clean_target(
        concern, fields, _organisation_today(concern, now), old_review=target.review_on
    )
    changes: dict[str, object] = {
        "measure": clean["measure"],
        "review_on": clean["review_on"],
        "set_in": clean["set_in"],
    }
    if clean["review_on"] != target.review_on:
        changes["review_reminded_at"] = None
    update_if_current(Target, pk=target.pk, version=version, changes=changes)
    target.refresh_from_db()
    target.description = clean["description"]
    target.feedback_sources = clean["feedback_sources"]
    target.save(update_fields=["description", "feedback_sources"])
    _record_target(actor, "changed", target)
    return target


@transaction.atomic
def write_reflection(
    *, actor: Membership, target: Target, self_reflection: str, version: int
) -> Target:
    """The staff member writes their self-reflection on a target (their words only)."""
    if actor.pk != target.person_id:
        raise PermissionDenied(_("Only the staff member writes their self-reflection."))
    _must_be_open(target.concern)
    text = (self_reflection or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {"self_reflection": [_("Please keep this under %(n)d characters.") % {"n": TEXT_MAX}]}
        )
    update_if_current(Target, pk=target.pk, version=version, changes={})
    target.refresh_from_db()
    target.self_reflection = text
    target.save(update_fields=["self_reflection"])
    _record_target(actor, "reflection", target)
    return target


REVIEW_OUTCOMES = (Target.Outcome.MET, Target.Outcome.PARTLY, Target.Outcome.UNMET)


@transaction.atomic
def review_target(
    *,
    actor: Membership,
    target: Target,
    meeting: ReviewMeeting | None,
    outcome: str,
    version: int,
    now: dt.datetime | None = None,
) -> Target:
    """The line manager or HR record how a target went, in a review meeting of the concern
    held on or after the target's review date (App. 9 q7, q8)."""
    concern = target.concern
    _must_manage(actor, concern)
    _must_be_open(concern)
    errors: dict[str, list[str]] = {}
    if outcome not in REVIEW_OUTCOMES:
        errors["outcome"] = [_("Choose met, partly met or not met.")]
    if meeting is None:
        errors["meeting"] = [_("Choose the review meeting the target was reviewed in.")]
    elif meeting.concern_id != concern.pk:
        errors["meeting"] = [_("Choose a review meeting about this concern.")]
    elif meeting.state != ReviewMeeting.State.HELD:
        errors["meeting"] = [_("That meeting has not been held yet.")]
    elif meeting_day(meeting) < target.review_on:
        errors["meeting"] = [
            _(
                "That meeting was held before the target's review date (%(day)s). Review it in "
                "a meeting held on or after that day."
            )
            % {"day": target.review_on.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    update_if_current(
        Target,
        pk=target.pk,
        version=version,
        changes={"outcome": outcome, "reviewed_in": meeting, "reviewed_at": now or timezone.now()},
    )
    target.refresh_from_db()
    _record_target(actor, "reviewed", target, outcome=outcome)
    return target


# --- messages --------------------------------------------------------------------------------
#
# Neutral words (lock screens, shared inboxes): nothing names the person or says why.


def _link(name: str, key: str) -> Callable[[Notification], str | None]:
    def link(notification: Notification) -> str | None:
        value = notification.params.get(key)
        return reverse(name, args=[value]) if value else None

    return link


TARGET_REVIEW_DUE = register_kind(
    "concerns.target_review_due",
    subject=gettext_lazy("A target reaches its review date"),
    body=gettext_lazy(
        "A target for work reaches its review date today. Look at it together in a review meeting."
    ),
    default_channels=(Channel.EMAIL,),
    link=_link("concerns:target", "target"),
)
HANDOFF_MADE = register_kind(
    "concerns.handoff_made",
    subject=gettext_lazy("An update about a concern"),
    body=gettext_lazy(
        "A concern has been passed to the organisation's own procedure. Open Peerwork to read "
        "what was passed on."
    ),
    default_channels=(Channel.EMAIL,),
    link=_link("concerns:handoff", "handoff"),
)
HANDOFF_WAITING = register_kind(
    "concerns.handoff_waiting",
    subject=gettext_lazy("A request waits for your countersignature"),
    body=gettext_lazy("A request waits for HR's countersignature. Open Peerwork to read it."),
    default_channels=(Channel.EMAIL,),
    link=_link("concerns:handoff", "handoff"),
)


def _notify_each(
    people: Iterable[Membership | None], kind: str, params: Mapping[str, object], now: dt.datetime
) -> None:
    seen: set[object] = set()
    for person in people:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        notify(recipient=person, kind=kind, params=params, now=now)


def managers_of(target: Target) -> list[Membership]:
    """Whom a target's review date is told besides the staff member: their line manager,
    or whoever set it when they have none."""
    person = target.person
    manager = person.line_manager
    if manager is not None and manager.manages(person):
        return [manager]
    return [target.set_by] if target.set_by is not None else []


@register_deadline
def remind_target_reviews(now: dt.datetime) -> int:
    """A target reaching its review date (in its organisation's zone): the staff member and
    their manager are told once. A target of a concern no longer open, or already reviewed,
    is claimed and nobody is told."""

    def tell(target: Target) -> bool:
        if not target.concern.is_open() or target.outcome != Target.Outcome.OPEN:
            return False
        _notify_each(
            [target.person, *managers_of(target)],
            TARGET_REVIEW_DUE.kind,
            {"target": str(target.pk)},
            now,
        )
        return True

    return claim_dated_rows(
        Target,
        date_field="review_on",
        claimed_field="review_reminded_at",
        now=now,
        act=tell,
        related=("concern", "person__line_manager", "set_by"),
    )


# --- the hand-off ----------------------------------------------------------------------------

APP9_GROUNDS = (Handoff.Grounds.UNMET_DESPITE_SUPPORT, Handoff.Grounds.SUPPORT_REFUSED)


def grounds_for(concern: Concern) -> list[tuple[str, Promise]]:
    """The grounds a concern may be handed off on: App. 9's two on its path only; gross
    misconduct on any (§4.4, §4.7)."""
    allowed = [Handoff.Grounds.GROSS_MISCONDUCT]
    if concern.path == Concern.Path.PROBLEM_DRUG_USE:
        allowed = [*APP9_GROUNDS, *allowed]
    return [(g.value, g.label) for g in allowed]


def handoff_of(concern: Concern) -> Handoff | None:
    return (
        Handoff.objects.filter(organisation_id=concern.organisation_id, concern=concern)
        .select_related("requested_by__user", "countersigned_by__user", "review")
        .first()
    )


def unmet_in(review: ReviewMeeting, concern: Concern) -> QuerySet[Target]:
    """The targets a review records as not met."""
    return targets_of(concern).filter(reviewed_in=review, outcome=Target.Outcome.UNMET)


def _app9_gaps(
    concern: Concern, grounds: str, review: ReviewMeeting | None, today: dt.date
) -> dict[str, list[str]]:
    """Each App. 9 condition not met yet, by the field it is about."""
    errors: dict[str, list[str]] = {}
    if concern.path != Concern.Path.PROBLEM_DRUG_USE:
        errors["grounds"] = [
            _(
                "These grounds belong to the path for problem drug use at work (App. 9). For "
                "this concern only gross misconduct, with a written reason, may be handed off."
            )
        ]
        return errors
    recorded = paths.steps_of(concern)
    missing = [str(s.title) for s in STAGES if s.key in HANDOFF_STAGES and s.key not in recorded]
    if missing:
        errors["stages"] = [
            ngettext(
                "First record this stage: %(stages)s.",
                "First record these stages: %(stages)s.",
                len(missing),
            )
            % {"stages": "; ".join(missing)}
        ]
    targets = targets_of(concern)
    if not targets.exists():
        errors["targets"] = [_("Set at least one target for work first (App. 9 q7).")]
    if review is None:
        errors["review"] = [
            _("Choose the review meeting, held on or after a target's date, that found it unmet.")
        ]
    elif review.concern_id != concern.pk:
        errors["review"] = [_("Choose a review meeting about this concern.")]
    elif review.state != ReviewMeeting.State.HELD:
        errors["review"] = [_("That review meeting has not been held yet.")]
    else:
        unmet = list(unmet_in(review, concern))
        held_on = meeting_day(review)
        if not unmet:
            errors["review"] = [_("That review does not record any target as not met.")]
        elif not any(t.review_on <= held_on and t.review_on <= today for t in unmet):
            errors["review"] = [
                _(
                    "No target's review date had come when that review was held. A hand-off "
                    "waits for a review, on or after a target's date, that finds it not met."
                )
            ]
    q6 = stage_answers(recorded.get("q6"))
    if grounds == Handoff.Grounds.UNMET_DESPITE_SUPPORT and not (
        q6.get("support_offered") and q6.get("uptake") == "taken_up"
    ):
        errors["grounds"] = [
            _(
                "The support stage (App. 9 q6) does not record support offered and taken up. "
                "If support was refused, choose that ground instead."
            )
        ]
    elif grounds == Handoff.Grounds.SUPPORT_REFUSED and q6.get("uptake") != "refused":
        errors["grounds"] = [
            _("The support stage (App. 9 q6) does not record that support was refused.")
        ]
    return errors


def _record_handoff(actor: Membership, action: str, handoff: Handoff) -> None:
    audit.record(
        actor=actor,
        action=f"concerns.handoff_{action}",
        object_type="concerns.handoff",
        object_id=handoff.pk,
        subject=handoff.person,
        data_class=DataClass.PERSONNEL,
        detail={"concern": handoff.concern_id, "grounds": handoff.grounds},
    )


def _hand_off_concern(concern: Concern) -> None:
    moved = Concern.objects.filter(
        organisation_id=concern.organisation_id, pk=concern.pk, state=Concern.State.OPEN
    ).update(state=Concern.State.HANDED_OFF, version=F("version") + 1)
    if not moved:
        raise ValidationError(_("This concern is no longer open, so it cannot be handed off."))
    concern.refresh_from_db()


def hr_who_may_countersign(handoff: Handoff) -> list[Membership]:
    """HR officers other than the requester and the staff member."""
    return list(
        Membership.objects.filter(
            active_members(), organisation_id=handoff.organisation_id, role_grants__role=Role.HR
        )
        .exclude(pk__in=[handoff.person_id, handoff.requested_by_id])
        .select_related("user")
        .distinct()
    )


@transaction.atomic
def request_handoff(
    *,
    actor: Membership,
    concern: Concern,
    grounds: str,
    review: ReviewMeeting | None,
    reason: str,
    now: dt.datetime | None = None,
) -> Handoff:
    """The line manager or HR ask to hand the concern to the organisation's disciplinary
    procedure. ``ValidationError`` names what is missing (nothing is saved).

    On App. 9's grounds (``unmet_despite_support``, ``support_refused``) it is handed off
    at once; for gross misconduct (any path) it waits for HR's countersignature."""
    _must_manage(actor, concern)
    _must_be_open(concern)
    now = now or timezone.now()
    reason = (reason or "").strip()
    existing = handoff_of(concern)
    if existing is not None and existing.state != Handoff.State.WITHDRAWN:
        raise ValidationError(_("A hand-off of this concern has already been asked for."))
    errors: dict[str, list[str]] = {}
    if grounds not in Handoff.Grounds.values:
        errors["grounds"] = [_("Choose the grounds from the list.")]
    elif grounds == Handoff.Grounds.GROSS_MISCONDUCT:
        if not reason:
            errors["reason"] = [_("Write the reason: what happened, in terms of work.")]
        if review is not None and review.concern_id != concern.pk:
            errors["review"] = [_("Choose a review meeting about this concern.")]
    else:
        errors.update(_app9_gaps(concern, grounds, review, _organisation_today(concern, now)))
    if len(reason) > TEXT_MAX:
        errors["reason"] = [_("Please keep this under %(n)d characters.") % {"n": TEXT_MAX}]
    if errors:
        raise ValidationError(errors)
    at_once = grounds != Handoff.Grounds.GROSS_MISCONDUCT
    state = Handoff.State.HANDED_OFF if at_once else Handoff.State.WAITING
    values = {
        "grounds": grounds,
        "review": review,
        "requested_by": actor,
        "requested_at": now,
        "countersigned_by": None,
        "countersigned_at": None,
        "state": state,
    }
    if existing is None:
        handoff = Handoff(
            organisation_id=concern.organisation_id,
            concern=concern,
            person=concern.person,
            **values,
        )
        handoff.reason = reason
        handoff.save()
    else:
        update_if_current(Handoff, pk=existing.pk, version=existing.version, changes=values)
        existing.refresh_from_db()
        existing.reason = reason
        existing.save(update_fields=["reason"])
        handoff = existing
    _record_handoff(actor, "requested", handoff)
    params = {"handoff": str(handoff.pk)}
    if at_once:
        _hand_off_concern(concern)
        _notify_each([concern.person], HANDOFF_MADE.kind, params, now)
    else:
        _notify_each(hr_who_may_countersign(handoff), HANDOFF_WAITING.kind, params, now)
    return handoff


def may_countersign(member: Membership, handoff: Handoff) -> bool:
    return (
        handoff.state == Handoff.State.WAITING
        and access.is_hr(member)
        and member.pk not in (handoff.person_id, handoff.requested_by_id)
    )


@transaction.atomic
def countersign_handoff(
    *,
    actor: Membership,
    handoff: Handoff,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Handoff:
    """HR countersign a hand-off for gross misconduct: someone other than the requester and
    the staff member, and nobody who supports the staff member (§4.7). Then it is handed
    off."""
    if handoff.state != Handoff.State.WAITING:
        raise ValidationError(_("This hand-off is not waiting for a countersignature."))
    if not access.is_hr(actor):
        raise PermissionDenied(_("Only HR countersigns a hand-off."))
    if actor.pk in (handoff.person_id, handoff.requested_by_id):
        raise ValidationError(
            _("Someone in HR other than the person who asked for it must countersign.")
        )
    if separation.supports(actor, handoff.person):
        raise ValidationError(
            _(
                "You support this staff member, so you cannot countersign a disciplinary "
                "hand-off about them (§4.7). Ask someone else in HR."
            )
        )
    _must_be_open(handoff.concern)
    now = now or timezone.now()
    moved = Handoff.objects.filter(
        organisation_id=handoff.organisation_id, pk=handoff.pk, state=Handoff.State.WAITING
    )
    if version is not None:
        moved = moved.filter(version=version)
    if not moved.update(
        state=Handoff.State.HANDED_OFF,
        countersigned_by=actor,
        countersigned_at=now,
        version=F("version") + 1,
    ):
        raise StaleVersion
    handoff.refresh_from_db()
    _hand_off_concern(handoff.concern)
    _record_handoff(actor, "countersigned", handoff)
    _notify_each(
        [handoff.person, handoff.requested_by], HANDOFF_MADE.kind, {"handoff": str(handoff.pk)}, now
    )
    return handoff


@transaction.atomic
def withdraw_handoff(*, actor: Membership, handoff: Handoff, version: int | None = None) -> Handoff:
    """The requester or HR withdraw a hand-off still waiting for its countersignature."""
    if handoff.state != Handoff.State.WAITING:
        raise ValidationError(
            _("Only a hand-off still waiting for a countersignature can be withdrawn.")
        )
    if actor.pk != handoff.requested_by_id and not access.is_hr(actor):
        raise PermissionDenied(_("Only the person who asked for it, or HR, withdraw it."))
    moved = Handoff.objects.filter(
        organisation_id=handoff.organisation_id, pk=handoff.pk, state=Handoff.State.WAITING
    )
    if version is not None:
        moved = moved.filter(version=version)
    if not moved.update(state=Handoff.State.WITHDRAWN, version=F("version") + 1):
        raise StaleVersion
    handoff.refresh_from_db()
    _record_handoff(actor, "withdrawn", handoff)
    return handoff


# --- what the case page shows ----------------------------------------------------------------


@dataclass(frozen=True)
class StageRow:
    stage: paths.Stage
    step: PathStep | None
    answers: list[tuple[str, str]]
    may_record: bool  # the viewer may record (or correct) it now


@dataclass(frozen=True)
class PathView:
    """A concern's path as the case page shows it to one member."""

    spec: paths.PathSpec | None
    rows: list[StageRow]
    is_app9: bool
    manages: bool
    targets: list[Target]
    handoff: Handoff | None
    may_ask_handoff: bool
    confirmation: object | None  # the mentor's consented yes or no (§4.2), or None

    @property
    def recorded(self) -> int:
        return sum(1 for row in self.rows if row.step is not None)


def reads_path(member: Membership, concern: Concern) -> bool:
    """A case's path, targets and hand-off are the staff member's, their line manager's and
    HR's (``access.step_for_member``): not a named supporter's or an investigator's."""
    return member.pk == concern.person_id or access.manages_case(member, concern.person)


def path_view(concern: Concern, member: Membership) -> PathView | None:
    """What ``member`` sees of the concern's path; None when it is not theirs to see."""
    from peerwork.support.mentoring import confirmation_for

    if not reads_path(member, concern):
        return None

    spec = paths.spec_for(concern)
    manages = access.manages_case(member, concern.person)
    is_open = concern.is_open()
    rows: list[StageRow] = []
    if spec is not None:
        recorded = paths.steps_of(concern)
        for stage in spec.stages:
            step = recorded.get(stage.key)
            ready = not spec.in_order or all(s.key in recorded for s in spec.before(stage.key))
            rows.append(
                StageRow(
                    stage=stage,
                    step=step,
                    answers=answer_labels(stage, stage_answers(step)),
                    may_record=manages and is_open and ready,
                )
            )
    handoff = handoff_of(concern)
    return PathView(
        spec=spec,
        rows=rows,
        is_app9=concern.path == Concern.Path.PROBLEM_DRUG_USE,
        manages=manages,
        targets=list(targets_of(concern)),
        handoff=handoff,
        may_ask_handoff=manages
        and is_open
        and (handoff is None or handoff.state == Handoff.State.WITHDRAWN),
        confirmation=confirmation_for(member, concern.person),
    )
