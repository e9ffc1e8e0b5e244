"""The other Section 4 paths: short guided records for the problems the guide names beside
problem drug use at work (issue 8 item 4).

Each path is a ``paths.PathSpec`` registered here; its stages are recorded by the one
service every path shares, ``paths.record_step``, which asks the path's own rule
(``PathSpec.check``) before saving and runs its ``after`` once saved. The rules here are
the guide's:

- §4.3 **personal models of drug use**: staff keep their own model (12-step, human rights,
  medical…); what the path looks at is someone's model pushed at a client or a colleague,
  and the guide's three ways of dealing with it (a coaching meeting, a mediation meeting,
  team training or a discussion of everyone's right to choose). No model is judged.
- §4.4 **theft or fraud**: what is missing and how it was found; the person's role
  (financial or managerial responsibility can reach the threshold of gross misconduct);
  restorative justice as an option, when everyone affected is willing, or an
  investigation. A hand-off for gross misconduct is the App. 9 path's
  (``peerwork.concerns.app9``: a written reason countersigned by HR).
- §4.5 **a client's complaint about a worker who came from the peer group**: mediation only
  when both the worker and the client want it; the manager may meet the client; when no
  grounds are found the organisation says plainly that it stands behind the worker, and
  the worker reads it on their case page; when there are grounds, performance management
  (a review meeting). Support for a worker under pressure from clients.
- §4.6 **a relationship with a client** (and App. 10 case 5): the guide's five questions,
  each answered yes, no or not sure, then the outcome. Approval is a real outcome: it
  closes the concern as resolved.
- §4.7 **supply or soliciting** (App. 10 case 7 is this path together with §4.6): the
  client's safety comes first (the client moved to another worker when needed), then the
  five questions where a client is involved, the investigation and a suspension with
  support. The person is presumed innocent and remains an employee until the investigation
  is completed; those who support them take no part in it (``separation``).
- **Mediation between colleagues**: everyone involved willing before a mediation is
  recorded; a mediator who is not the line manager of either when possible.

Clients are never named: stages say "the client". Anything typed about the person goes in
the stage's sealed notes; structured answers are codes and dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core.models import Membership

from . import intake
from .access import is_hr, manages_case
from .models import Concern, PathStep
from .paths import PathSpec, Question, Stage, register_path, steps_of

EARLIEST_YEAR, LATEST_YEAR = 1970, 2200
Path = Concern.Path

# --- shared questions ----------------------------------------------------------------------

# §4.6: what a manager considers about a relationship with a client (and what the person
# asked for advice considers, ``peerwork.concerns.advice``). Keys are stored.
FIVE_QUESTIONS: tuple[Question, ...] = (
    Question(
        "professional",
        gettext_lazy("Is there a therapeutic or professional relationship with the client?"),
        "yes_no_unsure",
    ),
    Question(
        "power",
        gettext_lazy("Is there a relationship of unequal power between them?"),
        "yes_no_unsure",
    ),
    Question(
        "open",
        gettext_lazy("Was the staff member open about it, and did they ask for advice?"),
        "yes_no_unsure",
    ),
    Question(
        "before",
        gettext_lazy("Did the relationship exist before the staff member was employed?"),
        "yes_no_unsure",
    ),
    Question(
        "consent",
        gettext_lazy("Does everyone in it consent, knowing what it means for them?"),
        "yes_no_unsure",
    ),
)
FIVE_KEYS = tuple(question.key for question in FIVE_QUESTIONS)
FIVE_NOTES = gettext_lazy(
    "A note on each of the five questions: what you learnt and why you answered as you did. "
    "Say “the client”; never their name."
)

MEDIATORS: tuple[tuple[str, Promise], ...] = (
    ("colleague", gettext_lazy("A trained colleague from another team")),
    ("hr", gettext_lazy("HR")),
    ("external", gettext_lazy("A mediator from outside the organisation")),
    ("line_manager", gettext_lazy("The line manager of one of them")),
)
MEDIATOR_HELP = gettext_lazy(
    "When you can, choose someone who manages neither of them, so both can speak freely."
)


StageRule = Callable[[Stage, Mapping[str, object], str, Mapping[str, PathStep]], None]


def check_stage(
    concern: Concern,
    stage: Stage,
    answers: dict[str, object],
    notes: str,
    recorded: dict[str, PathStep],
) -> None:
    """The paths' own rules (``PathSpec.check``), asked by ``paths.record_step`` before a
    stage is saved: ``ValidationError`` naming the field at fault, nothing saved."""
    _check_dates(stage, answers)
    rule = _CHECKS.get(concern.path)
    if rule is not None:
        rule(stage, answers, notes, recorded)


def after_stage(actor: Membership, concern: Concern, step: PathStep) -> None:
    """What a recorded stage does next (``PathSpec.after``): an approved relationship with
    a client closes the concern as resolved (§4.6), the one way concerns close
    (``intake.close_concern``: audited, and the person is told)."""
    if (
        concern.path == Path.CLIENT_RELATIONSHIP
        and step.stage == "outcome"
        and step.answers.get("outcome") == "approved"
    ):
        intake.close_concern(
            actor=actor,
            concern=concern,
            outcome=Concern.Outcome.RESOLVED,
            reason=_(
                "The relationship with the client is approved (§4.6). What was decided is "
                "in the outcome stage of the path."
            ),
        )


# --- §4.3 personal models of drug use ------------------------------------------------------

PERSONAL_MODELS = register_path(
    PathSpec(
        path=Path.PERSONAL_MODELS,
        title=gettext_lazy("Imposing a personal model of drug use"),
        guide="§4.3",
        intro=gettext_lazy(
            "People understand drug use in different ways: a 12-step programme, a human "
            "rights framework, a medical or therapeutic community model. Staff are free to "
            "hold their own; clients and colleagues are free to hold theirs, and to choose "
            "the goals that suit them. This path is for a time when someone's model was "
            "pressed on a client or a colleague. No model is judged here: what matters is "
            "the other person's right to choose, and what happened at work."
        ),
        stages=(
            Stage(
                key="what_happened",
                title=gettext_lazy("What happened"),
                guide="§4.3",
                prompt=gettext_lazy(
                    "Who was on the receiving end, and what was the effect at work: someone "
                    "who stopped coming to the service, a colleague who felt judged, words "
                    "that were heard as judging."
                ),
                questions=(
                    Question(
                        "towards",
                        gettext_lazy("Who was it pressed on?"),
                        "choice",
                        choices=(
                            ("client", gettext_lazy("A client")),
                            ("colleague", gettext_lazy("A colleague")),
                            ("several", gettext_lazy("Several people, clients or colleagues")),
                        ),
                    ),
                ),
                notes_label=gettext_lazy(
                    "What was said or done, and its effect at work. Say “the client” or "
                    "“a colleague”; no names."
                ),
            ),
            Stage(
                key="intervention",
                title=gettext_lazy("The way chosen to deal with it"),
                guide="§4.3",
                prompt=gettext_lazy(
                    "The guide names three ways: the manager and the staff member talk it "
                    "through in a coaching meeting; a mediation meeting with the colleagues "
                    "or clients involved, when they are willing; or training or a "
                    "discussion for the team about holding a personal model while "
                    "respecting everyone's right to choose. The training library has case "
                    "studies for such a discussion."
                ),
                questions=(
                    Question(
                        "intervention",
                        gettext_lazy("Which way?"),
                        "choice",
                        choices=(
                            (
                                "coaching",
                                gettext_lazy("A coaching meeting: manager and staff member"),
                            ),
                            (
                                "mediation",
                                gettext_lazy("A mediation meeting with colleagues or clients"),
                            ),
                            (
                                "team",
                                gettext_lazy(
                                    "Team training or a discussion about personal models and "
                                    "the right to choose"
                                ),
                            ),
                        ),
                    ),
                    Question(
                        "all_willing",
                        gettext_lazy("For a mediation: is everyone taking part willing?"),
                        "yes_no",
                        required=False,
                        help=gettext_lazy("A mediation is held only when everyone wants it."),
                    ),
                    Question("held_on", gettext_lazy("Date held or planned"), "date"),
                ),
                notes_label=gettext_lazy("What was agreed"),
                notes_required=False,
            ),
            Stage(
                key="outcome",
                title=gettext_lazy("Outcome"),
                guide="§4.3",
                prompt=gettext_lazy(
                    "Has the staff member found a way to keep their own model and leave "
                    "others theirs?"
                ),
                questions=(
                    Question(
                        "outcome",
                        gettext_lazy("Outcome"),
                        "choice",
                        choices=(
                            (
                                "respected",
                                gettext_lazy("Understood: others' right to choose is respected"),
                            ),
                            ("more_support", gettext_lazy("More coaching or training agreed")),
                            ("continues", gettext_lazy("The concern continues: a review meeting")),
                        ),
                    ),
                    Question(
                        "follow_up_on",
                        gettext_lazy("Look at it again on (optional)"),
                        "date",
                        required=False,
                    ),
                ),
                notes_label=gettext_lazy("What was found"),
            ),
        ),
        in_order=True,
        check=check_stage,
        after=after_stage,
    )
)


# --- §4.4 theft or fraud -------------------------------------------------------------------

THEFT_FRAUD = register_path(
    PathSpec(
        path=Path.THEFT_FRAUD,
        title=gettext_lazy("Theft or fraud"),
        guide="§4.4",
        intro=gettext_lazy(
            "Theft from the organisation, or fraud, can be misconduct and, in serious cases, "
            "gross misconduct. Prosecuting a crime is for the courts, not the employer. "
            "Depending on the person's role and seniority, the harm can be repaired through "
            "restorative justice: the people affected and the person responsible meet and "
            "agree together how to put it right. Fraud by someone with financial or "
            "managerial responsibility can reach the threshold of gross misconduct and needs "
            "an investigation at once."
        ),
        stages=(
            Stage(
                key="what_missing",
                title=gettext_lazy("What is missing, and how it was found"),
                guide="§4.4",
                prompt=gettext_lazy(
                    "Keep to facts: what is missing or wrong, when, and how it came to light."
                ),
                questions=(
                    Question(
                        "kind",
                        gettext_lazy("What kind?"),
                        "choice",
                        choices=(
                            ("money", gettext_lazy("Money")),
                            ("equipment", gettext_lazy("Equipment or supplies")),
                            ("belongings", gettext_lazy("Someone's belongings")),
                            ("fraud", gettext_lazy("False claims or records (fraud)")),
                        ),
                    ),
                    Question("found_on", gettext_lazy("Found on"), "date"),
                ),
                notes_label=gettext_lazy("What is missing and how it was found"),
            ),
            Stage(
                key="role",
                title=gettext_lazy("The person's role and responsibility"),
                guide="§4.4",
                prompt=gettext_lazy(
                    "Financial or managerial responsibility makes fraud a serious matter "
                    "that can reach the threshold of gross misconduct."
                ),
                questions=(
                    Question(
                        "financial",
                        gettext_lazy("Do they have financial responsibility?"),
                        "yes_no",
                    ),
                    Question(
                        "managerial",
                        gettext_lazy("Do they have managerial responsibility?"),
                        "yes_no",
                    ),
                ),
                notes_label=gettext_lazy("Their role, as it bears on this (optional)"),
                notes_required=False,
            ),
            Stage(
                key="route",
                title=gettext_lazy("The way forward"),
                guide="§4.4",
                prompt=gettext_lazy(
                    "Restorative justice, when everyone affected and the person are willing, "
                    "or an investigation. A hand-off for gross misconduct needs a written "
                    "reason and HR's countersignature."
                ),
                questions=(
                    Question(
                        "route",
                        gettext_lazy("Which way?"),
                        "choice",
                        choices=(
                            ("restorative", gettext_lazy("Restorative justice")),
                            ("investigation", gettext_lazy("An investigation")),
                        ),
                    ),
                ),
                notes_label=gettext_lazy("Why this way"),
                notes_required=False,
            ),
            Stage(
                key="restorative",
                title=gettext_lazy("Restorative justice"),
                guide="§4.4",
                prompt=gettext_lazy(
                    "Those affected and the person responsible meet and agree how the harm "
                    "is repaired. It happens only when both sides want it."
                ),
                questions=(
                    Question(
                        "person_willing",
                        gettext_lazy("Is the person responsible willing?"),
                        "yes_no",
                    ),
                    Question(
                        "affected_willing",
                        gettext_lazy("Are those affected willing?"),
                        "yes_no",
                    ),
                    Question("met_on", gettext_lazy("Met on"), "date", required=False),
                    Question(
                        "repair",
                        gettext_lazy("Where is the repair?"),
                        "choice",
                        choices=(
                            ("agreed", gettext_lazy("Agreed, not done yet")),
                            ("done", gettext_lazy("Done")),
                        ),
                        required=False,
                    ),
                ),
                notes_label=gettext_lazy("The repair agreed"),
                notes_required=False,
            ),
        ),
        check=check_stage,
        after=after_stage,
    )
)


# --- §4.5 a client's complaint about a worker from the peer group --------------------------

CLIENT_COMPLAINT = register_path(
    PathSpec(
        path=Path.CLIENT_COMPLAINT,
        title=gettext_lazy("A client's complaint about a worker from the peer group"),
        guide="§4.5",
        intro=gettext_lazy(
            "A peer who starts working for the service can find old relationships change: "
            "a client may feel pushed aside when the worker keeps professional boundaries, "
            "or be jealous of the job. Look at the complaint in work terms. Mediation can "
            "help each understand the other, but only when both want it. The manager can "
            "meet the client to hear the grievance and judge whether there are grounds. "
            "When there are none, the organisation says clearly that it stands behind the "
            "worker; when there are, the usual performance process follows. Meanwhile, a "
            "worker under pressure from clients is offered support."
        ),
        stages=(
            Stage(
                key="complaint",
                title=gettext_lazy("The complaint, in work terms"),
                guide="§4.5",
                prompt=gettext_lazy(
                    "What the client says happened at work. Say “the client”; never their name."
                ),
                questions=(Question("raised_on", gettext_lazy("Raised on"), "date"),),
                notes_label=gettext_lazy("The complaint"),
            ),
            Stage(
                key="mediation",
                title=gettext_lazy("Mediation, if both want it"),
                guide="§4.5",
                prompt=gettext_lazy(
                    "Record a mediation only when both the worker and the client are "
                    "willing to take part."
                ),
                questions=(
                    Question("worker_willing", gettext_lazy("Is the worker willing?"), "yes_no"),
                    Question("client_willing", gettext_lazy("Is the client willing?"), "yes_no"),
                    Question("held_on", gettext_lazy("Held or planned on"), "date"),
                    Question(
                        "mediator",
                        gettext_lazy("Mediator"),
                        "choice",
                        choices=MEDIATORS,
                        help=MEDIATOR_HELP,
                    ),
                ),
                notes_label=gettext_lazy("What each came to understand, and what was agreed"),
                notes_required=False,
            ),
            Stage(
                key="client_meeting",
                title=gettext_lazy("The manager meets the client"),
                guide="§4.5",
                prompt=gettext_lazy(
                    "A space for the client to say what troubles them, so you can judge "
                    "whether there are grounds for concern."
                ),
                questions=(Question("met_on", gettext_lazy("Met on"), "date"),),
                notes_label=gettext_lazy("What the client raised"),
            ),
            Stage(
                key="grounds",
                title=gettext_lazy("Are there grounds for concern?"),
                guide="§4.5",
                prompt=gettext_lazy(
                    "When there are no grounds, write the organisation's support for the "
                    "worker in words addressed to them: they read it on their case page. "
                    "When there are, it goes to performance management: schedule a review "
                    "meeting."
                ),
                questions=(Question("grounds", gettext_lazy("Grounds found?"), "yes_no"),),
                notes_label=gettext_lazy(
                    "No grounds: the organisation's support for the worker, which they "
                    "will read. Grounds: what was found, in work terms."
                ),
                notes_required=False,
            ),
            Stage(
                key="worker_support",
                title=gettext_lazy("Support for the worker under pressure"),
                guide="§4.5",
                prompt=gettext_lazy(
                    "Pressure from clients is hard to carry alone. Offer support while the "
                    "rest is worked out."
                ),
                questions=(
                    Question(
                        "offered",
                        gettext_lazy("Support offered"),
                        "choices",
                        choices=(
                            ("peer_mentor", gettext_lazy("A peer mentor")),
                            ("coaching", gettext_lazy("Psychological or professional support")),
                            ("support_group", gettext_lazy("A peer support group")),
                        ),
                    ),
                    Question(
                        "accepted",
                        gettext_lazy("Did the worker take it up?"),
                        "yes_no_unsure",
                        required=False,
                    ),
                ),
                notes_label=gettext_lazy("Notes (optional)"),
                notes_required=False,
            ),
        ),
        check=check_stage,
        after=after_stage,
    )
)


# --- §4.6 a relationship with a client -----------------------------------------------------

CLIENT_RELATIONSHIP = register_path(
    PathSpec(
        path=Path.CLIENT_RELATIONSHIP,
        title=gettext_lazy("A relationship with a client"),
        guide="§4.6, App. 10 case 5",
        intro=gettext_lazy(
            "Boundaries protect clients, who can be vulnerable, and they help staff look "
            "after themselves. Peers often knew clients long before they were employed, and "
            "may share friends with them, so not every close relationship is a breach. "
            "Meet the staff member to understand the relationship, and go through the five "
            "questions together. Approval is a real outcome; when a relationship is "
            "approved, make room for colleagues used to stricter boundaries to talk it "
            "through."
        ),
        stages=(
            Stage(
                key="questions",
                title=gettext_lazy("The five questions"),
                guide="§4.6",
                prompt=gettext_lazy(
                    "Answer each with yes, no or not sure yet, from the meeting with the "
                    "staff member."
                ),
                questions=FIVE_QUESTIONS,
                notes_label=FIVE_NOTES,
            ),
            Stage(
                key="outcome",
                title=gettext_lazy("Outcome"),
                guide="§4.6",
                prompt=gettext_lazy(
                    "Approval closes the concern as resolved. Boundaries agreed with support "
                    "leave it open until you close it. If the concern continues, a review "
                    "meeting follows."
                ),
                questions=(
                    Question(
                        "outcome",
                        gettext_lazy("Outcome"),
                        "choice",
                        choices=(
                            ("approved", gettext_lazy("The relationship is approved")),
                            ("boundaries", gettext_lazy("Boundaries agreed, with support")),
                            ("continues", gettext_lazy("A concern continues")),
                        ),
                    ),
                ),
                notes_label=gettext_lazy("What was decided, and any support agreed"),
            ),
        ),
        in_order=True,
        check=check_stage,
        after=after_stage,
    )
)


# --- §4.7 supply or soliciting -------------------------------------------------------------

PRESUMED_INNOCENT = gettext_lazy(
    "The staff member is presumed innocent, and remains an employee, until the "
    "investigation is completed. Support goes on throughout, given by people who take no "
    "part in the investigation."
)

SUPPLY = register_path(
    PathSpec(
        path=Path.SUPPLY,
        title=gettext_lazy("Supplying or asking for drugs"),
        guide="§4.7, App. 10 case 7",
        intro=gettext_lazy(
            "Selling drugs at work is serious and calls for action at once; using drugs "
            "with colleagues during work, or asking a client for drugs, also reaches the "
            "threshold of misconduct. Whatever is alleged, the client's safety comes first. "
            "Where a client is involved, the five questions about relationships with clients "
            "apply too. An investigation follows, within the organisation's usual procedure, "
            "and a suspension comes with support."
        ),
        stages=(
            Stage(
                key="client_safety",
                title=gettext_lazy("First: the client's safety"),
                guide="§4.7, App. 10 case 7",
                prompt=gettext_lazy(
                    "If a client is involved, move them to another worker when they need it, "
                    "before anything else. Say “the client”; never their name."
                ),
                questions=(
                    Question(
                        "client",
                        gettext_lazy("The client"),
                        "choice",
                        choices=(
                            ("reassigned", gettext_lazy("Moved to another worker")),
                            ("not_needed", gettext_lazy("A client is involved; no move needed")),
                            ("no_client", gettext_lazy("No client is involved")),
                        ),
                    ),
                    Question(
                        "decided_by",
                        gettext_lazy("Who decided"),
                        "choice",
                        choices=(
                            ("line_manager", gettext_lazy("The line manager")),
                            ("hr", gettext_lazy("HR")),
                            ("together", gettext_lazy("The line manager and HR together")),
                        ),
                    ),
                    Question(
                        "client_asked",
                        gettext_lazy("Did the client ask for it?"),
                        "yes_no",
                        required=False,
                    ),
                ),
                notes_label=gettext_lazy("What was decided and why (optional)"),
                notes_required=False,
            ),
            Stage(
                key="relationship",
                title=gettext_lazy("The five questions, where a client is involved"),
                guide="§4.6",
                prompt=gettext_lazy(
                    "Answer each with yes, no or not sure yet. Skip this stage when no "
                    "client is involved."
                ),
                questions=FIVE_QUESTIONS,
                notes_label=FIVE_NOTES,
            ),
            Stage(
                key="investigation",
                title=gettext_lazy("What is alleged, and the investigation"),
                guide="§4.7",
                prompt=gettext_lazy(
                    "HR opens the investigation. Nobody who supports the staff member takes "
                    "part in it."
                ),
                questions=(
                    Question(
                        "alleged",
                        gettext_lazy("What is alleged"),
                        "choice",
                        choices=(
                            ("supply_at_work", gettext_lazy("Supplying drugs at work")),
                            ("soliciting", gettext_lazy("Asking a client for drugs")),
                            ("buying_for_client", gettext_lazy("Buying drugs for a client")),
                            ("using_together", gettext_lazy("Using drugs with staff at work")),
                            (
                                "outside_work",
                                gettext_lazy("Selling outside work, harming the organisation"),
                            ),
                        ),
                    ),
                ),
                notes_label=gettext_lazy("What is alleged, in work terms"),
            ),
            Stage(
                key="suspension",
                title=gettext_lazy("Suspension, with support"),
                guide="§4.7",
                prompt=gettext_lazy(
                    "A suspension is not a finding. Someone suspended is supported, by "
                    "people who take no part in the investigation."
                ),
                questions=(
                    Question("suspended", gettext_lazy("Is the staff member suspended?"), "yes_no"),
                    Question(
                        "support",
                        gettext_lazy("Support in place"),
                        "choices",
                        choices=(
                            ("named_supporter", gettext_lazy("A named supporter")),
                            ("peer_mentor", gettext_lazy("Their peer mentor")),
                            ("coaching", gettext_lazy("Psychological or professional support")),
                            ("support_group", gettext_lazy("A peer support group")),
                        ),
                        required=False,
                    ),
                ),
                notes_label=gettext_lazy("Notes (optional)"),
                notes_required=False,
            ),
        ),
        check=check_stage,
        after=after_stage,
    )
)


# --- mediation between colleagues ----------------------------------------------------------

MEDIATION = register_path(
    PathSpec(
        path=Path.MEDIATION,
        title=gettext_lazy("Mediation between colleagues"),
        guide="§4.3, §4.5, §4.8",
        intro=gettext_lazy(
            "Mediation gives each person room to say how they see things and to be heard, "
            "before views harden. It works only when everyone involved wants it."
        ),
        stages=(
            Stage(
                key="who",
                title=gettext_lazy("Who is involved"),
                guide="§4.8",
                prompt=gettext_lazy("By role, not by name: “a colleague”, “a team leader”."),
                questions=(
                    Question(
                        "involved",
                        gettext_lazy("With whom"),
                        "choice",
                        choices=(
                            ("colleague", gettext_lazy("A colleague")),
                            ("several", gettext_lazy("Several colleagues")),
                            ("manager", gettext_lazy("A manager or team leader")),
                            ("volunteer", gettext_lazy("A volunteer")),
                        ),
                    ),
                ),
                notes_label=gettext_lazy("What it is about, in work terms"),
            ),
            Stage(
                key="willing",
                title=gettext_lazy("Is everyone willing?"),
                guide="§4.5",
                prompt=gettext_lazy("A mediation is recorded only when both sides want it."),
                questions=(
                    Question(
                        "person_willing",
                        gettext_lazy("Is the staff member willing?"),
                        "yes_no",
                    ),
                    Question(
                        "others_willing",
                        gettext_lazy("Are the others involved willing?"),
                        "yes_no",
                    ),
                ),
                notes_label=gettext_lazy("Notes (optional)"),
                notes_required=False,
            ),
            Stage(
                key="mediation",
                title=gettext_lazy("The mediation"),
                guide="§4.8",
                prompt=MEDIATOR_HELP,
                questions=(
                    Question(
                        "mediator",
                        gettext_lazy("Mediator"),
                        "choice",
                        choices=MEDIATORS,
                        help=MEDIATOR_HELP,
                    ),
                    Question("held_on", gettext_lazy("Held on"), "date"),
                    Question(
                        "follow_up_on",
                        gettext_lazy("Follow up on"),
                        "date",
                        required=False,
                    ),
                ),
                notes_label=gettext_lazy("What was agreed"),
            ),
        ),
        in_order=True,
        check=check_stage,
        after=after_stage,
    )
)

OTHER_PATHS: tuple[PathSpec, ...] = (
    PERSONAL_MODELS,
    THEFT_FRAUD,
    CLIENT_COMPLAINT,
    CLIENT_RELATIONSHIP,
    SUPPLY,
    MEDIATION,
)


# --- the paths' own rules ------------------------------------------------------------------


def _day(answers: Mapping[str, object], key: str) -> dt.date | None:
    value = answers.get(key)
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def _check_dates(stage: Stage, answers: Mapping[str, object]) -> None:
    errors: dict[str, list[str]] = {}
    for question in stage.questions:
        day = _day(answers, question.key) if question.kind == "date" else None
        if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            errors[question.key] = [
                _("Choose a date between the years %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
            ]
    held = _day(answers, "held_on")
    follow_up = _day(answers, "follow_up_on")
    if held and follow_up and follow_up <= held and "follow_up_on" not in errors:
        errors["follow_up_on"] = [_("The follow-up comes after the day it was held.")]
    if errors:
        raise ValidationError(errors)


def _answer(recorded: Mapping[str, PathStep], stage: str, key: str) -> object:
    step = recorded.get(stage)
    return step.answers.get(key) if step is not None else None


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _check_personal_models(
    stage: Stage, answers: Mapping[str, object], notes: str, recorded: Mapping[str, PathStep]
) -> None:
    if (
        stage.key == "intervention"
        and answers.get("intervention") == "mediation"
        and answers.get("all_willing") != "yes"
    ):
        raise _refuse(
            "all_willing",
            _(
                "A mediation is held only when everyone taking part wants it. Choose "
                "another way, or ask them first."
            ),
        )


def _check_theft_fraud(
    stage: Stage, answers: Mapping[str, object], notes: str, recorded: Mapping[str, PathStep]
) -> None:
    if stage.key == "route" and answers.get("route") == "restorative":
        responsible = "yes" in (
            _answer(recorded, "role", "financial"),
            _answer(recorded, "role", "managerial"),
        )
        if responsible and _answer(recorded, "what_missing", "kind") == "fraud":
            raise _refuse(
                "route",
                _(
                    "Fraud by someone with financial or managerial responsibility can reach "
                    "the threshold of gross misconduct and needs an investigation at once "
                    "(§4.4)."
                ),
            )
    if stage.key == "restorative":
        if _answer(recorded, "route", "route") != "restorative":
            raise _refuse(
                "stage", _("First record restorative justice as the way forward, then this.")
            )
        if answers.get("person_willing") != "yes" or answers.get("affected_willing") != "yes":
            raise _refuse(
                "affected_willing",
                _(
                    "Restorative justice happens only when the person responsible and those "
                    "affected all want it. When someone does not, choose an investigation "
                    "instead."
                ),
            )
        if answers.get("repair") and not notes:
            raise _refuse("notes", _("Write the repair that was agreed."))


def _check_client_complaint(
    stage: Stage, answers: Mapping[str, object], notes: str, recorded: Mapping[str, PathStep]
) -> None:
    if stage.key == "mediation" and (
        answers.get("worker_willing") != "yes" or answers.get("client_willing") != "yes"
    ):
        raise _refuse(
            "client_willing",
            _(
                "Mediation is only for when both the worker and the client want it (§4.5). "
                "Leave this stage out; the manager can meet the client instead."
            ),
        )
    if stage.key == "grounds" and not notes:
        if answers.get("grounds") == "no":
            raise _refuse(
                "notes",
                _(
                    "No grounds were found: write the organisation's support for the worker. "
                    "They will read it on their case page."
                ),
            )
        raise _refuse("notes", _("Please write what was found."))


def _check_supply(
    stage: Stage, answers: Mapping[str, object], notes: str, recorded: Mapping[str, PathStep]
) -> None:
    if stage.key != "client_safety" and "client_safety" not in recorded:
        raise _refuse(
            "stage",
            _("First record the client's safety: it comes before anything else (§4.7)."),
        )
    if stage.key == "relationship" and _answer(recorded, "client_safety", "client") == "no_client":
        raise _refuse(
            "stage",
            _(
                "No client is involved, so the five questions do not apply. Correct the "
                "first stage if a client is involved."
            ),
        )
    if (
        stage.key == "suspension"
        and answers.get("suspended") == "yes"
        and not answers.get("support")
    ):
        raise _refuse(
            "support",
            _(
                "Someone suspended is supported (§4.7): say what support is in place, given "
                "by people who take no part in the investigation."
            ),
        )


def _check_mediation(
    stage: Stage, answers: Mapping[str, object], notes: str, recorded: Mapping[str, PathStep]
) -> None:
    if stage.key == "willing":
        return
    if stage.key == "mediation" and not (
        _answer(recorded, "willing", "person_willing") == "yes"
        and _answer(recorded, "willing", "others_willing") == "yes"
    ):
        raise _refuse(
            "stage",
            _(
                "A mediation is recorded only once everyone involved has said they are "
                "willing. Record that first."
            ),
        )


_CHECKS: dict[str, StageRule] = {
    Path.PERSONAL_MODELS: _check_personal_models,
    Path.THEFT_FRAUD: _check_theft_fraud,
    Path.CLIENT_COMPLAINT: _check_client_complaint,
    Path.SUPPLY: _check_supply,
    Path.MEDIATION: _check_mediation,
}


# --- what the case page and the stage pages add ---------------------------------------------


@dataclass(frozen=True)
class Notice:
    """Something a path states plainly on the case page (``tone``: "", "success")."""

    title: str
    text: str
    tone: str = ""
    on_stages: bool = False  # shown on every stage page too, not only the case page


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    stage: str = ""  # the stage it belongs to ("" for the case page only)


@dataclass(frozen=True)
class PathNotes:
    notices: list[Notice]
    links: list[Link]


def _url(name: str, *args: object, query: Mapping[str, str] | None = None) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:  # the page's area has not landed: no link
        return None
    return f"{url}?{urlencode(query)}" if query else url


def _links(
    concern: Concern, manages: bool, hr: bool, recorded: Mapping[str, PathStep]
) -> list[Link]:
    """The pages of other areas a path's stages lead to: the training library (App. 10), a
    review meeting, an investigation, someone named to support the person."""
    wanted: list[tuple[str, str | None, str]] = []
    about = {"concern": str(concern.pk)}
    path = concern.path
    if path == Path.PERSONAL_MODELS:
        wanted.append(
            (
                _("The training library, for a team discussion"),
                _url("concerns:library"),
                "intervention",
            )
        )
    elif path == Path.CLIENT_RELATIONSHIP:
        wanted.append(
            (
                _("A case study to discuss: a peer with deep roots among clients"),
                _url("concerns:library_case_5"),
                "questions",
            )
        )
    elif path == Path.SUPPLY:
        wanted.append(
            (
                _("A case study to discuss: a worker buying drugs for a client"),
                _url("concerns:library_case_7"),
                "client_safety",
            )
        )
    if manages and concern.is_open():
        if path == Path.CLIENT_COMPLAINT and _answer(recorded, "grounds", "grounds") == "yes":
            wanted.append(
                (
                    _("Plan a review meeting (performance management)"),
                    _url("concerns:review_new", query=about),
                    "grounds",
                )
            )
        if path == Path.PERSONAL_MODELS:
            wanted.append(
                (
                    _("Plan a coaching meeting (a review meeting)"),
                    _url("concerns:review_new", query=about),
                    "intervention",
                )
            )
        investigates = path == Path.SUPPLY or (
            path == Path.THEFT_FRAUD and _answer(recorded, "route", "route") == "investigation"
        )
        # HR opens investigations (§4.7; ``investigations.may_open``).
        if investigates and hr and getattr(concern, "investigation", None) is None:
            wanted.append(
                (
                    _("Open an investigation (HR)"),
                    _url("concerns:investigation_new", query=about),
                    "investigation" if path == Path.SUPPLY else "route",
                )
            )
        if path in (Path.THEFT_FRAUD, Path.SUPPLY) and getattr(concern, "handoff", None) is None:
            wanted.append(
                (
                    _(
                        "Gross misconduct: hand off to the disciplinary procedure (a written "
                        "reason, countersigned by HR)"
                    ),
                    _url("concerns:handoff_new", concern.pk),
                    "route" if path == Path.THEFT_FRAUD else "investigation",
                )
            )
        if path == Path.SUPPLY:
            wanted.append(
                (
                    _("Name someone to support them"),
                    _url("concerns:supporters", query=about),
                    "suspension",
                )
            )
    return [Link(label, url, stage) for label, url, stage in wanted if url]


def notes_for(concern: Concern, member: Membership) -> PathNotes:
    """What the concern's path states on its case page and stage pages, for ``member``
    (who has passed the concern's gate): §4.7's presumption of innocence; §4.5's support
    for the worker when no grounds were found (addressed to the worker when they read
    it); §4.6's approval; and links to the pages the stages lead to."""
    if concern.path not in {spec.path for spec in OTHER_PATHS}:
        return PathNotes(notices=[], links=[])
    recorded = steps_of(concern)
    notices: list[Notice] = []
    if concern.path == Path.SUPPLY:
        notices.append(
            Notice(title=_("Presumed innocent"), text=str(PRESUMED_INNOCENT), on_stages=True)
        )
    grounds = recorded.get("grounds") if concern.path == Path.CLIENT_COMPLAINT else None
    if grounds is not None and grounds.answers.get("grounds") == "no":
        is_person = member.pk == concern.person_id
        notices.append(
            Notice(
                title=_("The organisation stands behind you")
                if is_person
                else _("The organisation stands behind %(name)s") % {"name": concern.person.name},
                text=str(grounds.notes or ""),
                tone="success",
            )
        )
    outcome = recorded.get("outcome") if concern.path == Path.CLIENT_RELATIONSHIP else None
    if outcome is not None and outcome.answers.get("outcome") == "approved":
        notices.append(
            Notice(
                title=_("The relationship is approved"),
                text=_(
                    "Colleagues used to stricter boundaries may feel uneasy about it: make "
                    "room for them to talk it through."
                ),
                tone="success",
            )
        )
    links = _links(concern, manages_case(member, concern.person), is_hr(member), recorded)
    return PathNotes(notices=notices, links=links)
