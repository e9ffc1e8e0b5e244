"""The self-care tools in the register of personal data (people/personal_data.py).

What the self-care tools hold about a person, and what erasure does to it (issue 7; issue 4
items 7 and 8; guide §3.8, §3.9, §4.10, App. 3, App. 8, App. 11):

- **Their own tools**: the risk circle and its earlier versions (App. 3), the suggestions
  made on it, the openings they made, the self-control programme and its records (App. 8),
  the personal plan (§3.9), weekly goals and kept self-checks. Everything is the owner's
  alone and sealed under their key: their export opens it for them, in readable words, and
  erasure deletes it at once.
- **Openings made to them**: someone else's choice to open a record to them. Their export
  says who opened what kind of record, and until when, never what is in it; the openings
  belong to the owner, who decides.
- **Suggestions they made** on a circle opened to them: the text is about the circle's
  owner and sealed under the owner's key, so it stays out of the author's export. Erasing
  the author keeps the suggestion for the owner and takes the author's name off it.
- **Stress pulse receipts**: only that the person answered in a week, so nobody answers
  twice; kept while they work here. The answers themselves (``PulseAnswer``) name nobody
  and are not personal data.

A sealed record's content is JSON written by the area's module (its schema is in the
docstrings of ``circles``, ``programmes`` and ``wellbeing``); the export opens it through
that module's own reader and shows it with readable labels, codes from the fixed lists in
their words. Content sealed under a key that was erased shows as empty (None).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core.models import Membership
from peerwork.people.personal_data import (
    ERASED_ON_LEAVING,
    Item,
    OnErasure,
    PersonalData,
    fields,
    label,
    plain,
    register_not_personal,
    register_personal_data,
)

from . import circles, programmes, wellbeing
from .models import (
    CircleSuggestion,
    Opening,
    PulseAnswer,
    PulseReceipt,
    RelapsePlan,
    RiskCircle,
    RiskCircleVersion,
    SelfCheck,
    SelfControlEntry,
    SelfControlProgramme,
    WeeklyGoal,
)

SAMPLE_AREA = "5a3b1e00"
SAMPLE_CIRCLE = {
    "areas": [
        {
            "key": SAMPLE_AREA,
            "name": "Arrest when buying",
            "rating": 7,
            "prevention": "Buy with a friend",
            "management": "Call the lawyer on the card",
        }
    ]
}


# --- opening sealed content ----------------------------------------------------------------


def _text(value: str | None) -> str | None:
    return None if value is None else str(value)


def _kind_of_record(opening: Opening) -> str:
    if opening.circle_id is not None:
        return str(label(Opening, "circle"))
    return str(label(Opening, "programme"))


def _sample_circle(member: Membership) -> RiskCircle:
    circle = RiskCircle.objects.filter(organisation_id=member.organisation_id, owner=member).first()
    if circle is not None:
        return circle
    circle = RiskCircle(organisation_id=member.organisation_id, owner=member)
    circle.content = json.dumps(SAMPLE_CIRCLE)
    circle.save()
    return circle


def _colleague(member: Membership) -> Membership:
    other = (
        Membership.objects.filter(organisation_id=member.organisation_id, ended_at__isnull=True)
        .exclude(pk=member.pk)
        .select_related("user")
        .order_by("joined_at", "pk")
        .first()
    )
    if other is None:
        raise LookupError("a sample needs a second member in the organisation")
    return other


# --- the risk circle (App. 3) ------------------------------------------------------------------


def _circle_rows(member: Membership) -> models.QuerySet[RiskCircle]:
    return RiskCircle.objects.filter(organisation_id=member.organisation_id, owner=member)


def _areas(content: str | None) -> list[Item] | None:
    """A circle's areas in words, in the person's order (App. 3); None once erased."""
    if content is None:
        return None
    likelihoods = {n: str(words) for n, words in circles.LIKELIHOODS}
    consequences = {n: str(words) for n, words in circles.CONSEQUENCES}
    return [
        {
            _("Risk area"): area.name,
            _("Rating (1–10)"): area.rating,
            _("How likely"): likelihoods.get(area.likelihood or 0),
            _("How bad it would be"): consequences.get(area.consequence or 0),
            str(CircleSuggestion.Ring.PREVENTION.label): area.prevention,
            str(CircleSuggestion.Ring.MANAGEMENT.label): area.management,
        }
        for area in circles.parse_content(content)
    ]


def _circle_export(rows: Sequence[RiskCircle], member: Membership) -> list[Item]:
    return [
        {_("Risk areas"): _areas(row.content)}
        | fields(row, "created_at", "saved_at", "review_due_on", "changed_at")
        for row in rows
    ]


def _version_rows(member: Membership) -> models.QuerySet[RiskCircleVersion]:
    return RiskCircleVersion.objects.filter(
        organisation_id=member.organisation_id, owner=member
    ).order_by("number")


def _version_export(rows: Sequence[RiskCircleVersion], member: Membership) -> list[Item]:
    return [
        fields(row, "number", "saved_at") | {_("Risk areas"): _areas(row.content)} for row in rows
    ]


def _version_sample(member: Membership) -> object:
    circle = _sample_circle(member)
    number = (circle.versions.aggregate(n=models.Max("number"))["n"] or 0) + 1
    version = RiskCircleVersion(
        organisation_id=member.organisation_id, circle=circle, owner=member, number=number
    )
    version.content = json.dumps(SAMPLE_CIRCLE)
    version.save()
    return version


def _suggestion_rows(member: Membership) -> models.QuerySet[CircleSuggestion]:
    """Suggestions on the person's own circle, whoever made them."""
    return (
        CircleSuggestion.objects.filter(organisation_id=member.organisation_id, owner=member)
        .select_related("author__user")
        .order_by("made_at")
    )


def _suggestion_export(rows: Sequence[CircleSuggestion], member: Membership) -> list[Item]:
    names: dict[str, str] = {}
    for circle in RiskCircle.objects.filter(pk__in={row.circle_id for row in rows}):
        names |= {area.key: area.name for area in circles.parse_content(circle.content)}
    return [
        {label(CircleSuggestion, "area"): names.get(row.area)}
        | fields(row, "ring")
        | {label(CircleSuggestion, "text"): _text(row.text)}
        | fields(row, "author", "made_at", "decided_at", "accepted")
        for row in rows
    ]


def _suggestion_sample(member: Membership) -> object:
    circle = _sample_circle(member)
    suggestion = CircleSuggestion(
        organisation_id=member.organisation_id,
        circle=circle,
        owner=member,
        author=_colleague(member),
        area=SAMPLE_AREA,
        ring=CircleSuggestion.Ring.PREVENTION,
    )
    suggestion.text = "Keep the lawyer's card in your phone case"
    suggestion.save()
    return suggestion


def _suggestion_made_rows(member: Membership) -> models.QuerySet[CircleSuggestion]:
    """Suggestions the person made on someone else's circle."""
    return (
        CircleSuggestion.objects.filter(organisation_id=member.organisation_id, author=member)
        .exclude(owner=member)
        .order_by("made_at")
    )


def _suggestion_made_export(rows: Sequence[CircleSuggestion], member: Membership) -> list[Item]:
    # When and for which ring only: what was suggested, on whose circle, and whether it was
    # taken up are the circle owner's, sealed under their key.
    return [fields(row, "ring", "made_at") for row in rows]


def _drop_author(member: Membership, now: dt.datetime) -> int:
    """The circle's owner keeps the suggestion; it no longer names who made it."""
    return _suggestion_made_rows(member).update(author=None)


def _suggestion_made_sample(member: Membership) -> object:
    circle = _sample_circle(_colleague(member))
    suggestion = CircleSuggestion(
        organisation_id=member.organisation_id,
        circle=circle,
        owner=circle.owner,
        author=member,
        area=SAMPLE_AREA,
        ring=CircleSuggestion.Ring.MANAGEMENT,
    )
    suggestion.text = "Carry the outreach ID card"
    suggestion.save()
    return suggestion


# --- openings --------------------------------------------------------------------------------


def _opening_rows(member: Membership) -> models.QuerySet[Opening]:
    return (
        Opening.objects.filter(organisation_id=member.organisation_id, owner=member)
        .select_related("grantee__user")
        .order_by("opened_at")
    )


def _opening_export(rows: Sequence[Opening], member: Membership) -> list[Item]:
    return [
        {_("What was opened"): _kind_of_record(row)}
        | fields(row, "grantee", "opened_at", "expires_at", "closed_at")
        for row in rows
    ]


def _opening_sample(member: Membership) -> object:
    now = timezone.now()
    return Opening.objects.create(
        organisation_id=member.organisation_id,
        owner=member,
        grantee=_colleague(member),
        circle=_sample_circle(member),
        opened_at=now,
        expires_at=now + dt.timedelta(days=7),
    )


def _opening_received_rows(member: Membership) -> models.QuerySet[Opening]:
    return (
        Opening.objects.filter(organisation_id=member.organisation_id, grantee=member)
        .select_related("owner__user")
        .order_by("opened_at")
    )


def _opening_received_export(rows: Sequence[Opening], member: Membership) -> list[Item]:
    # Who opened what kind of record to the person, and until when: never what is in it.
    return [
        {label(Opening, "owner"): row.owner.name, _("What was opened"): _kind_of_record(row)}
        | fields(row, "opened_at", "expires_at", "closed_at")
        for row in rows
    ]


def _opening_received_sample(member: Membership) -> object:
    owner = _colleague(member)
    now = timezone.now()
    return Opening.objects.create(
        organisation_id=member.organisation_id,
        owner=owner,
        grantee=member,
        circle=_sample_circle(owner),
        opened_at=now,
        expires_at=now + dt.timedelta(days=7),
    )


# --- the self-control programme (App. 8) ----------------------------------------------------


def _programme_rows(member: Membership) -> models.QuerySet[SelfControlProgramme]:
    return SelfControlProgramme.objects.filter(
        organisation_id=member.organisation_id, owner=member
    ).order_by("started_on")


def _programme_content(row: SelfControlProgramme) -> Item | None:
    """The programme in words (App. 8): commitment, target, goal, strategies, revisions."""
    if row.content is None:
        return None
    plan = programmes.parse_plan(row.content)
    return {
        _("What changing would bring"): plan.benefits,
        _("Who I told"): plan.told,
        _("Plan for obstacles"): plan.obstacles,
        _("Target behaviour"): plan.target,
        _("Goal"): None if plan.goal is None else programmes.goal_in_words(plan.goal, row.goal_by),
        _("Strategies"): plan.strategies_in_words(),
        _("My own strategies"): plan.own_strategies,
        _("Revisions"): [
            {_("On"): plain(r.on), _("What changed"): r.what, _("Why"): r.why}
            for r in plan.revisions
        ],
    }


def _programme_export(rows: Sequence[SelfControlProgramme], member: Membership) -> list[Item]:
    return [
        {label(SelfControlProgramme, "content"): _programme_content(row)}
        | fields(row, "started_on", "goal_by", "ended_at", "updated_at")
        for row in rows
    ]


def _sample_programme(member: Membership) -> SelfControlProgramme:
    programme = SelfControlProgramme(organisation_id=member.organisation_id, owner=member)
    programme.content = programmes.Plan(
        benefits="More money at the end of the month", target="Spending on the way home"
    ).to_json()
    programme.save()
    return programme


def _entry_rows(member: Membership) -> models.QuerySet[SelfControlEntry]:
    return (
        SelfControlEntry.objects.filter(organisation_id=member.organisation_id, owner=member)
        .select_related("programme")
        .order_by("programme__started_on", "day", "made_at")
    )


def _record(row: SelfControlEntry) -> Item | None:
    if row.content is None:
        return None
    record = programmes.parse_record(row)
    if row.phase == SelfControlEntry.Phase.BASELINE:
        return {
            _("How many times"): record.count,
            _("What came before"): record.antecedent,
            _("What I did"): record.behaviour,
            _("What came after"): record.consequence,
        }
    return {_("How many times"): record.count, _("Note"): record.note}


def _entry_export(rows: Sequence[SelfControlEntry], member: Membership) -> list[Item]:
    return [
        {_("Programme started on"): plain(row.programme.started_on)}
        | fields(row, "day", "phase")
        | {label(SelfControlEntry, "content"): _record(row)}
        for row in rows
    ]


def _entry_sample(member: Membership) -> object:
    entry = SelfControlEntry(
        organisation_id=member.organisation_id,
        programme=_sample_programme(member),
        owner=member,
        day=timezone.localdate(),
        phase=SelfControlEntry.Phase.BASELINE,
    )
    entry.content = json.dumps(
        {"count": 1, "antecedent": "Payday", "behaviour": "Bought on the way", "consequence": ""}
    )
    entry.save()
    return entry


# --- the personal plan, goals and self-checks (§3.9, §4.10, App. 11) ------------------------


def _plan_rows(member: Membership) -> models.QuerySet[RelapsePlan]:
    return RelapsePlan.objects.filter(organisation_id=member.organisation_id, owner=member)


def _plan_content(row: RelapsePlan) -> Item | None:
    """The plan in words (§3.9): ways through a craving, risky situations, where help is,
    people to call."""
    if row.content is None:
        return None
    plan = wellbeing.read_plan(row)
    cravings = {item.code: str(item.label) for item in wellbeing.CRAVING_SUGGESTIONS}
    areas = {item.code: str(item.label) for item in wellbeing.FACTOR_AREAS}
    return {
        _("When a craving comes"): [cravings.get(code, code) for code in plan["cravings"]]
        + list(plan["own_cravings"]),
        _("High-risk situations"): [
            {
                _("Situation"): row["situation"],
                _("What I do"): row["response"],
                _("How I say no"): row["refusal"],
            }
            for row in plan["situations"]
        ],
        _("Where I get help"): {
            areas.get(code, code): text for code, text in plan["factors"].items()
        },
        _("People I can call"): [
            {_("Name"): row["name"], _("How I reach them"): row["contact"]}
            for row in plan["supporters"]
        ],
    }


def _plan_export(rows: Sequence[RelapsePlan], member: Membership) -> list[Item]:
    return [
        {label(RelapsePlan, "content"): _plan_content(row)} | fields(row, "updated_at")
        for row in rows
    ]


def _plan_sample(member: Membership) -> object:
    plan = _plan_rows(member).first()
    if plan is not None:
        return plan
    plan = RelapsePlan(organisation_id=member.organisation_id, owner=member)
    plan.content = json.dumps(
        {**wellbeing.empty_plan(), "cravings": ["walk"], "own_cravings": ["Walk to the sea"]}
    )
    plan.save()
    return plan


def _goal_rows(member: Membership) -> models.QuerySet[WeeklyGoal]:
    return WeeklyGoal.objects.filter(organisation_id=member.organisation_id, owner=member).order_by(
        "week_of", "made_at"
    )


def _goal_export(rows: Sequence[WeeklyGoal], member: Membership) -> list[Item]:
    return [
        fields(row, "week_of")
        | {label(WeeklyGoal, "text"): _text(row.text)}
        | fields(row, "done_at", "made_at")
        for row in rows
    ]


def _goal_sample(member: Membership) -> object:
    today = timezone.localdate()
    goal = WeeklyGoal(
        organisation_id=member.organisation_id,
        owner=member,
        week_of=today - dt.timedelta(days=today.weekday()),
    )
    goal.text = "Take the Friday lunch break away from the drop-in"
    goal.save()
    return goal


def _selfcheck_rows(member: Membership) -> models.QuerySet[SelfCheck]:
    return SelfCheck.objects.filter(organisation_id=member.organisation_id, owner=member).order_by(
        "made_at"
    )


def _noticed(row: SelfCheck) -> Item | None:
    """What the person ticked, in words, and their note: never a count or a score."""
    if row.content is None:
        return None
    opened_check = wellbeing.read_selfcheck(row)
    if row.kind == SelfCheck.Kind.BURNOUT:
        known, codes = wellbeing.BURNOUT_SIGNS, opened_check["signs"]
    else:
        known, codes = wellbeing.GRIEF_REACTIONS, opened_check["noticed"]
    return {
        _("What I noticed"): [str(known[c].label) if c in known else c for c in codes],
        _("Note"): opened_check["note"],
    }


def _selfcheck_export(rows: Sequence[SelfCheck], member: Membership) -> list[Item]:
    return [
        fields(row, "kind", "made_at") | {label(SelfCheck, "content"): _noticed(row)}
        for row in rows
    ]


def _selfcheck_sample(member: Membership) -> object:
    check = SelfCheck(
        organisation_id=member.organisation_id, owner=member, kind=SelfCheck.Kind.BURNOUT
    )
    check.content = json.dumps({"signs": ["tired", "frustrated"], "note": "A long month"})
    check.save()
    return check


# --- the stress pulse (§3.9) ------------------------------------------------------------------


def _receipt_rows(member: Membership) -> models.QuerySet[PulseReceipt]:
    return PulseReceipt.objects.filter(
        organisation_id=member.organisation_id, member=member
    ).order_by("week_of")


def _receipt_export(rows: Sequence[PulseReceipt], member: Membership) -> list[Item]:
    # That the person answered in a week; what they answered was never linked to them.
    return [fields(row, "week_of") for row in rows]


def _receipt_sample(member: Membership) -> object:
    today = timezone.localdate()
    receipt, _made = PulseReceipt.objects.get_or_create(
        organisation_id=member.organisation_id,
        member=member,
        week_of=today - dt.timedelta(days=today.weekday()),
    )
    return receipt


# --- the register -----------------------------------------------------------------------------

YOURS_ALONE = gettext_lazy(
    "Yours alone, sealed with your key: erased at once when you erase your private records."
)


def register() -> None:
    register_not_personal(
        PulseAnswer,
        gettext_lazy(
            "An anonymous answer to the team stress pulse: a team, a week and a level, with "
            "no link to whoever gave it, so it cannot be found, exported or erased as "
            "anyone's. Only that a person answered is kept, as a receipt."
        ),
    )
    for item in (
        PersonalData(
            key="selfcare.risk_circle",
            model=RiskCircle,
            title=gettext_lazy("Your risk assessment circle"),
            rows=_circle_rows,
            export=_circle_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "Yours alone, sealed with your key: erased at once when you erase your "
                "private records, with its earlier versions, the suggestions on it and every "
                "opening you made of it."
            ),
            sample=_sample_circle,
        ),
        PersonalData(
            key="selfcare.risk_circle_version",
            model=RiskCircleVersion,
            title=gettext_lazy("Earlier versions of your risk circle"),
            rows=_version_rows,
            export=_version_export,
            on_erasure=OnErasure.ERASE,
            explanation=YOURS_ALONE,
            sample=_version_sample,
        ),
        PersonalData(
            key="selfcare.circle_suggestion",
            model=CircleSuggestion,
            title=gettext_lazy("Suggestions on your risk circle"),
            rows=_suggestion_rows,
            export=_suggestion_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "About your risks, so sealed with your key, whoever made them: erased at "
                "once when you erase your private records."
            ),
            sample=_suggestion_sample,
        ),
        PersonalData(
            key="selfcare.suggestion_made",
            model=CircleSuggestion,
            title=gettext_lazy("Suggestions you made on a colleague's risk circle"),
            rows=_suggestion_made_rows,
            export=_suggestion_made_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "What you suggested is about your colleague and theirs to keep: erasing "
                "takes your name off it at once."
            ),
            erase=_drop_author,
            sample=_suggestion_made_sample,
        ),
        PersonalData(
            key="selfcare.opening",
            model=Opening,
            title=gettext_lazy("Who you opened your circle or programme to"),
            rows=_opening_rows,
            export=_opening_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "Your choices: erased at once when you erase your private records, which "
                "closes every opening."
            ),
            sample=_opening_sample,
        ),
        PersonalData(
            key="selfcare.opening_received",
            model=Opening,
            title=gettext_lazy("Circles and programmes colleagues opened to you"),
            rows=_opening_received_rows,
            export=_opening_received_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "These belong to the colleagues who made them: they decide. An opening stops "
                "reaching you when you leave."
            ),
            sample=_opening_received_sample,
        ),
        PersonalData(
            key="selfcare.programme",
            model=SelfControlProgramme,
            title=gettext_lazy("Your self-control programmes"),
            rows=_programme_rows,
            export=_programme_export,
            on_erasure=OnErasure.ERASE,
            explanation=gettext_lazy(
                "Yours alone, sealed with your key: erased at once when you erase your "
                "private records, with their records."
            ),
            sample=_sample_programme,
        ),
        PersonalData(
            key="selfcare.programme_entry",
            model=SelfControlEntry,
            title=gettext_lazy("Your self-control records"),
            rows=_entry_rows,
            export=_entry_export,
            on_erasure=OnErasure.ERASE,
            explanation=YOURS_ALONE,
            sample=_entry_sample,
        ),
        PersonalData(
            key="selfcare.relapse_plan",
            model=RelapsePlan,
            title=gettext_lazy("Your personal plan"),
            rows=_plan_rows,
            export=_plan_export,
            on_erasure=OnErasure.ERASE,
            explanation=YOURS_ALONE,
            sample=_plan_sample,
        ),
        PersonalData(
            key="selfcare.weekly_goal",
            model=WeeklyGoal,
            title=gettext_lazy("Your weekly goals"),
            rows=_goal_rows,
            export=_goal_export,
            on_erasure=OnErasure.ERASE,
            explanation=YOURS_ALONE,
            sample=_goal_sample,
        ),
        PersonalData(
            key="selfcare.self_check",
            model=SelfCheck,
            title=gettext_lazy("Self-checks you kept"),
            rows=_selfcheck_rows,
            export=_selfcheck_export,
            on_erasure=OnErasure.ERASE,
            explanation=YOURS_ALONE,
            sample=_selfcheck_sample,
        ),
        PersonalData(
            key="selfcare.pulse_receipt",
            model=PulseReceipt,
            title=gettext_lazy("Weeks you answered the stress pulse"),
            rows=_receipt_rows,
            export=_receipt_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=format_lazy(
                "{} {}",
                gettext_lazy(
                    "Only that you answered in a week, so nobody answers twice; what you "
                    "answered was never linked to you."
                ),
                ERASED_ON_LEAVING,
            ),
            sample=_receipt_sample,
        ),
    ):
        register_personal_data(item)
