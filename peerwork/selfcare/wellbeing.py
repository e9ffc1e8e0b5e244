"""Looking after oneself (issue 7 items 3 and 4): the burnout self-check, the personal
relapse plan, weekly goals and grief (guide §3.9, §3.13, §4.10, App. 11).

Everything here is the person's own and never opened to anyone (the [record: selfcare]
matrix: plan, goal and self-check are "self" only). Nothing is a score: the burnout check
answers what the signs a person ticked can mean and what helps, never how many they ticked
or a level, and nothing of it is stored unless the person keeps it (§3.9 lists signs to
notice, not a test to pass). Grief is information and a prompt to reach support, never a
diagnosis (App. 11).

The fixed lists below are written in our own words from the guide's lists; their codes are
stored, so a list can be reworded or translated without touching what people kept.

Sealed content (``json.dumps`` of a dict; every key always present):

``RelapsePlan.content`` (§3.9, the three aims of managing relapse, and support people)::

    {"cravings": ["focus_elsewhere", ...],     # codes of CRAVING_SUGGESTIONS ticked
     "own_cravings": ["Call my sister", ...],  # the person's own ways, one per item
     "situations": [{"situation": "...", "response": "...", "refusal": "..."}, ...],
     "factors": {"finances": "...", ...},      # FACTOR_AREAS code -> where I get help
     "supporters": [{"name": "...", "contact": "..."}, ...]}

``WeeklyGoal.text``: the goal itself (plain text, at most ``GOAL_MAX`` characters).

``SelfCheck.content``::

    burnout: {"signs": ["tired", ...], "note": "..."}      # codes of BURNOUT_SIGNS
    grief:   {"noticed": ["crying", ...], "note": "..."}   # codes of GRIEF_REACTIONS

Flows take the acting membership, write inside one transaction with an audit event that
names the record's id only, and raise ``ValidationError`` naming the fields at fault
(nothing saved) or ``StaleVersion`` when a plan moved on since it was read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core import audit
from peerwork.core.access import DataClass
from peerwork.core.models import Membership, SupportRelationship, active_members
from peerwork.core.versions import StaleVersion
from peerwork.schedule.services import local_today

from .access import uses_selfcare
from .models import RelapsePlan, SelfCheck, WeeklyGoal

# --- limits -----------------------------------------------------------------------------

GOAL_MAX = 200  # characters in one weekly goal
GOALS_A_WEEK = 10  # concrete goals, not a to-do list (§3.9: "concrete and realistic")
LINE_MAX = 300  # one of my own ways to handle cravings
OWN_CRAVINGS_MOST = 20
TEXT_MAX = 500  # a situation, a response, a refusal, where I get help
SITUATIONS_MOST = 10
SUPPORTERS_MOST = 10
NAME_MAX = 100
CONTACT_MAX = 200
NOTE_MAX = 2000  # a note kept with a self-check


# --- the fixed lists, in our own words -------------------------------------------------


@dataclass(frozen=True)
class Item:
    code: str
    label: Promise


@dataclass(frozen=True)
class Group:
    code: str
    title: Promise
    meaning: Promise  # what the signs of this group can mean, for the person alone
    items: tuple[Item, ...]


# §3.9 "Signs and symptoms of burnout": physical, behavioural and psychological.
BURNOUT_GROUPS: tuple[Group, ...] = (
    Group(
        "body",
        gettext_lazy("In my body"),
        gettext_lazy(
            "Long strain often shows in the body first. These signs can have other causes "
            "too, so a doctor is worth seeing if they stay or worry you."
        ),
        (
            Item("tired", gettext_lazy("Little energy, or tired most of the time")),
            Item("weak", gettext_lazy("Feeling weak")),
            Item("stomach", gettext_lazy("Stomach or bowel trouble")),
            Item("blood_pressure", gettext_lazy("High blood pressure")),
            Item("aches", gettext_lazy("Back pain or headaches")),
            Item("tension", gettext_lazy("Tight, tense muscles")),
            Item("weight", gettext_lazy("Losing weight without meaning to")),
        ),
    ),
    Group(
        "doing",
        gettext_lazy("In what I do"),
        gettext_lazy(
            "Changes in how you sleep, work and get on with people often come when pressure "
            "has gone on for a while. They are a reason to slow down and reach out, not a "
            "failing."
        ),
        (
            Item("forgetting", gettext_lazy("Forgetting things more than usual")),
            Item("focus", gettext_lazy("Finding it hard to concentrate or stay on a task")),
            Item("conflict", gettext_lazy("More arguments with colleagues, friends or family")),
            Item("withdrawing", gettext_lazy("Keeping away from colleagues, friends or family")),
            Item("missing_work", gettext_lazy("Missing work, or wanting to stay away")),
            Item("getting_less_done", gettext_lazy("Getting less done than I usually do")),
            Item(
                "using_more",
                gettext_lazy("Drinking or using more than I want to, or starting again"),
            ),
            Item("sleep", gettext_lazy("Sleeping badly, or waking up still tired")),
            Item(
                "negative",
                gettext_lazy("Feeling negative about the work, the clients or colleagues"),
            ),
        ),
    ),
    Group(
        "feeling",
        gettext_lazy("In how I feel"),
        gettext_lazy(
            "Feelings like these are a common answer to carrying other people's problems for "
            "a long time with too little help. They are real, and they can change with rest "
            "and support."
        ),
        (
            Item("frustrated", gettext_lazy("Frustrated or quick to anger")),
            Item("self_worth", gettext_lazy("Thinking less of myself")),
            Item("interest", gettext_lazy("No longer interested in the work")),
            Item("hopeless", gettext_lazy("Feeling that nothing I do makes a difference")),
            Item("unappreciated", gettext_lazy("Feeling the organisation does not value me")),
            Item("let_down", gettext_lazy("Let down by work I used to believe in")),
            Item("low", gettext_lazy("Low, down or depressed")),
            Item("anxious", gettext_lazy("Worried or anxious much of the time")),
        ),
    ),
)

BURNOUT_SIGNS: dict[str, Item] = {item.code: item for g in BURNOUT_GROUPS for item in g.items}

# §3.9 "Individual strategies": the seven, in our own words.
INDIVIDUAL_STRATEGIES: tuple[Item, ...] = (
    Item(
        "time_out",
        gettext_lazy("Take time out: real breaks in the day, days off, and your leave."),
    ),
    Item(
        "expectations",
        gettext_lazy(
            "Expect what is realistic of yourself, of your organisation and of the people "
            "you work with."
        ),
    ),
    Item("eat", gettext_lazy("Eat well, and at regular times.")),
    Item(
        "use",
        gettext_lazy("Keep your alcohol and drug use in your own control, or leave it aside."),
    ),
    Item(
        "health",
        gettext_lazy("Look after your health: move your body, and try mindfulness or meditation."),
    ),
    Item(
        "know_yourself",
        gettext_lazy("Know how you usually react, so you notice when your reactions change."),
    ),
    Item(
        "support",
        gettext_lazy(
            "Find people to talk with about work and the rest of life: a mentor, a group, a friend."
        ),
    ),
)

# §3.9 "Managing cravings": the strategies the guide names, as suggestions to tick.
CRAVING_SUGGESTIONS: tuple[Item, ...] = (
    Item("focus_elsewhere", gettext_lazy("Turn my attention to something else")),
    Item("talk", gettext_lazy("Talk to someone who supports me")),
    Item("walk", gettext_lazy("Go for a walk")),
    Item("music", gettext_lazy("Listen to music")),
    Item("mindfulness", gettext_lazy("Mindfulness or meditation")),
)

# §3.9 aim 3: ongoing social, medical or economic factors, each with where I get help.
FACTOR_AREAS: tuple[Item, ...] = (
    Item("finances", gettext_lazy("Money")),
    Item("legal", gettext_lazy("Legal problems")),
    Item("violence", gettext_lazy("Violence at home")),
    Item("housing", gettext_lazy("Housing")),
    Item("health", gettext_lazy("Health")),
    Item("childcare", gettext_lazy("Childcare")),
    Item("work", gettext_lazy("Work")),
)

# App. 11: the usual reactions to a loss and the heavier ones, with what helps for each.
GRIEF_GROUPS: tuple[Group, ...] = (
    Group(
        "usual",
        gettext_lazy("Usual reactions to a loss"),
        gettext_lazy(
            "Most people go through some of these. The hardest part usually eases within "
            "about two months, and the lighter feelings within about a year."
        ),
        (
            Item("appetite", gettext_lazy("Eating less, losing a little weight")),
            Item("sleep", gettext_lazy("Sleeping badly for a while")),
            Item("guilt", gettext_lazy("Some guilt, such as wishing I had done more")),
            Item(
                "glimpses",
                gettext_lazy(
                    "For a moment taking a sound or a face for theirs, then knowing it was not"
                ),
            ),
            Item("crying", gettext_lazy("Crying, and feeling sad")),
            Item("returning", gettext_lazy("Trying to get back to work and to people")),
        ),
    ),
    Group(
        "heavier",
        gettext_lazy("Heavier reactions"),
        gettext_lazy(
            "Sometimes grief gets stuck, after many deaths or because of what we have lived "
            "through. It is not a weakness. If the hardest part goes on past about two "
            "months, or lighter feelings past a year, talk to someone who can help."
        ),
        (
            Item("weight_loss", gettext_lazy("Losing a lot of weight (more than 1 kg in 20)")),
            Item("no_sleep", gettext_lazy("Sleep badly broken most nights")),
            Item("worthless", gettext_lazy("Strong guilt, or feeling worthless")),
            Item(
                "not_there",
                gettext_lazy("Seeing or hearing someone or something that is not there"),
            ),
            Item("withdrawn", gettext_lazy("Going back to little or none of work or social life")),
            Item("suicide", gettext_lazy("Thinking about ending my life, or having tried")),
        ),
    ),
)

GRIEF_REACTIONS: dict[str, Item] = {item.code: item for g in GRIEF_GROUPS for item in g.items}

# What helps, for each group of App. 11 ("Management"), in our own words.
GRIEF_HELP: dict[str, tuple[Promise, ...]] = {
    "usual": (
        gettext_lazy("A grief peer support group: people who have lost someone too."),
        gettext_lazy("Co-counselling: two peers taking turns to listen to each other."),
        gettext_lazy("A visit to a community doctor."),
    ),
    "heavier": (
        gettext_lazy("A grief counsellor."),
        gettext_lazy(
            "A community doctor, who can assess how you are and refer you on to specialist "
            "services."
        ),
        gettext_lazy("Sometimes medicine, prescribed and followed by a doctor."),
    ),
}

# The reaction that needs help now, whatever else: thoughts of ending one's life.
URGENT_REACTIONS = frozenset({"suicide"})


def lists() -> dict[str, Any]:
    """Every fixed list, translated, for a page or an app (the API's ``wellbeing-lists``)."""

    def items(found: Iterable[Item]) -> list[dict[str, str]]:
        return [{"code": item.code, "label": str(item.label)} for item in found]

    def groups(found: Iterable[Group]) -> list[dict[str, Any]]:
        return [
            {
                "code": group.code,
                "title": str(group.title),
                "meaning": str(group.meaning),
                "items": items(group.items),
            }
            for group in found
        ]

    return {
        "burnout_signs": groups(BURNOUT_GROUPS),
        "individual_strategies": items(INDIVIDUAL_STRATEGIES),
        "craving_suggestions": items(CRAVING_SUGGESTIONS),
        "factor_areas": items(FACTOR_AREAS),
        "grief_reactions": [
            {**group, "help": [str(text) for text in GRIEF_HELP[group["code"]]]}
            for group in groups(GRIEF_GROUPS)
        ],
    }


# --- shared checks ----------------------------------------------------------------------


def _gate(actor: Membership) -> None:
    if not uses_selfcare(actor):
        raise PermissionDenied


def _own(actor: Membership, record: RelapsePlan | WeeklyGoal | SelfCheck) -> None:
    """Only the owner changes their record (the gates already answer 404 to anyone else)."""
    if record.owner_id != actor.pk or not actor.is_active:
        raise PermissionDenied


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _too_long(most: int) -> str:
    return _("Keep it to %(most)d characters or fewer.") % {"most": most}


def _codes(value: object, known: Mapping[str, object] | Sequence[Item], field: str) -> list[str]:
    """Codes from a fixed list, in the list's order, each once; unknown ones refused."""
    allowed = [item.code for item in known] if isinstance(known, Sequence) else list(known)
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(code, str) for code in value):
        raise ValidationError({field: [_("Choose from the list.")]})
    unknown = [code for code in value if code not in allowed]
    if unknown:
        raise ValidationError({field: [_("Choose from the list.")]})
    return [code for code in allowed if code in value]


def _audit(actor: Membership, action: str, record: RelapsePlan | WeeklyGoal | SelfCheck) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type=f"selfcare.{record._meta.model_name}",
        object_id=record.pk,
        subject=actor,
        data_class=DataClass.PRIVATE,
    )


def _audit_gone(actor: Membership, action: str, object_type: str, pk: object) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=pk,  # type: ignore[arg-type]
        subject=actor,
        data_class=DataClass.PRIVATE,
    )


# --- weekly goals (§3.9: "concrete and realistic goals for each week") --------------------


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def this_week(member: Membership, now: dt.datetime | None = None) -> dt.date:
    """The Monday of the week it is now where the person's organisation works."""
    return monday_of(local_today(member, now))


def goals_of(member: Membership, week: dt.date) -> list[WeeklyGoal]:
    """The person's goals of the week starting ``week`` (a Monday), in the order set."""
    return list(
        WeeklyGoal.objects.filter(
            organisation_id=member.organisation_id, owner=member, week_of=monday_of(week)
        ).order_by("made_at", "id")
    )


def goal_weeks(member: Membership, *, before: dt.date, most: int = 12) -> list[dt.date]:
    """The latest earlier weeks the person set goals in, newest first."""
    return list(
        WeeklyGoal.objects.filter(
            organisation_id=member.organisation_id, owner=member, week_of__lt=before
        )
        .order_by("-week_of")
        .values_list("week_of", flat=True)
        .distinct()[:most]
    )


def clean_goal(text: object) -> str:
    found = _text(text)
    if not found:
        raise ValidationError({"text": [_("Write the goal.")]})
    if len(found) > GOAL_MAX:
        raise ValidationError({"text": [_too_long(GOAL_MAX)]})
    return found


def add_goal(*, actor: Membership, text: object, now: dt.datetime | None = None) -> WeeklyGoal:
    """Set a goal for this week (the Monday in the organisation's zone)."""
    _gate(actor)
    found = clean_goal(text)
    now = now or timezone.now()
    week = this_week(actor, now)
    with transaction.atomic():
        already = WeeklyGoal.objects.filter(
            organisation_id=actor.organisation_id, owner=actor, week_of=week
        ).count()
        if already >= GOALS_A_WEEK:
            raise ValidationError(
                {
                    "text": [
                        _(
                            "You have %(most)d goals this week already. A few you can reach "
                            "help more than many: tick one off or remove one first."
                        )
                        % {"most": GOALS_A_WEEK}
                    ]
                }
            )
        goal = WeeklyGoal(
            organisation_id=actor.organisation_id, owner=actor, week_of=week, made_at=now
        )
        goal.text = found
        goal.save()
        _audit(actor, "selfcare.goal.create", goal)
    return goal


def set_goal_done(
    *, actor: Membership, goal: WeeklyGoal, done: bool, now: dt.datetime | None = None
) -> WeeklyGoal:
    """Tick a goal done, or undo the tick. Ticking twice keeps the first time."""
    _own(actor, goal)
    if done == (goal.done_at is not None):
        return goal
    goal.done_at = (now or timezone.now()) if done else None
    with transaction.atomic():
        goal.save(update_fields=["done_at"])
        _audit(actor, "selfcare.goal.done" if done else "selfcare.goal.undone", goal)
    return goal


def remove_goal(*, actor: Membership, goal: WeeklyGoal) -> None:
    _own(actor, goal)
    pk = goal.pk
    with transaction.atomic():
        goal.delete()
        _audit_gone(actor, "selfcare.goal.remove", "selfcare.weeklygoal", pk)


# --- the personal relapse plan (§3.9) ---------------------------------------------------


def empty_plan() -> dict[str, Any]:
    return {"cravings": [], "own_cravings": [], "situations": [], "factors": {}, "supporters": []}


def _rows(
    value: object, field: str, names: Sequence[str], limits: Mapping[str, int], most: int
) -> list[dict[str, str]]:
    """Rows of a list: each a dict of ``names``; wholly empty rows dropped."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ValidationError({field: [_("Send a list.")]})
    rows = []
    for row in value:
        if not isinstance(row, Mapping):
            raise ValidationError({field: [_("Send a list.")]})
        cleaned = {name: _text(row.get(name)) for name in names}
        if not any(cleaned.values()):
            continue
        for name in names:
            if len(cleaned[name]) > limits[name]:
                raise ValidationError({field: [_too_long(limits[name])]})
        rows.append(cleaned)
    if len(rows) > most:
        raise ValidationError(
            {field: [_("Keep it to %(most)d or fewer.") % {"most": most}]},
        )
    return rows


def clean_plan(content: Mapping[str, Any]) -> dict[str, Any]:
    """The plan as it is stored, or ``ValidationError`` naming each part at fault."""
    errors: dict[str, list[str]] = {}
    plan = empty_plan()

    def part(name: str, build: Any) -> None:
        try:
            plan[name] = build()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)

    part("cravings", lambda: _codes(content.get("cravings"), CRAVING_SUGGESTIONS, "cravings"))

    def own() -> list[str]:
        value = content.get("own_cravings")
        if value is None:
            return []
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValidationError({"own_cravings": [_("Send a list.")]})
        lines = [line for line in (_text(v) for v in value) if line]
        if any(len(line) > LINE_MAX for line in lines):
            raise ValidationError(
                {"own_cravings": [_("Keep each line to %(most)d characters.") % {"most": LINE_MAX}]}
            )
        if len(lines) > OWN_CRAVINGS_MOST:
            raise ValidationError(
                {"own_cravings": [_("Keep it to %(most)d or fewer.") % {"most": OWN_CRAVINGS_MOST}]}
            )
        return lines

    part("own_cravings", own)
    part(
        "situations",
        lambda: _rows(
            content.get("situations"),
            "situations",
            ("situation", "response", "refusal"),
            dict.fromkeys(("situation", "response", "refusal"), TEXT_MAX),
            SITUATIONS_MOST,
        ),
    )

    def factors() -> dict[str, str]:
        value = content.get("factors") or {}
        if not isinstance(value, Mapping):
            raise ValidationError({"factors": [_("Choose from the list.")]})
        known = {item.code for item in FACTOR_AREAS}
        if any(code not in known for code in value):
            raise ValidationError({"factors": [_("Choose from the list.")]})
        found = {}
        for item in FACTOR_AREAS:
            text = _text(value.get(item.code))
            if len(text) > TEXT_MAX:
                raise ValidationError({f"factor_{item.code}": [_too_long(TEXT_MAX)]})
            if text:
                found[item.code] = text
        return found

    part("factors", factors)
    part(
        "supporters",
        lambda: _rows(
            content.get("supporters"),
            "supporters",
            ("name", "contact"),
            {"name": NAME_MAX, "contact": CONTACT_MAX},
            SUPPORTERS_MOST,
        ),
    )
    if errors:
        raise ValidationError(errors)
    return plan


def plan_of(member: Membership) -> RelapsePlan | None:
    """The person's own plan, if they keep one (one per person)."""
    return RelapsePlan.objects.filter(organisation_id=member.organisation_id, owner=member).first()


def read_plan(plan: RelapsePlan) -> dict[str, Any]:
    """The opened plan, with every part present. Only its owner ever reads it."""
    try:
        stored = json.loads(plan.content or "{}")
    except ValueError:
        stored = {}
    found = empty_plan()
    if isinstance(stored, dict):
        found.update({key: stored[key] for key in found if key in stored})
    return found


def save_plan(
    *,
    actor: Membership,
    content: Mapping[str, Any],
    plan: RelapsePlan | None = None,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> RelapsePlan:
    """Make the person's plan, or change it at the ``version`` they read.

    Making one when one exists already (made in another tab meanwhile) and changing one
    that moved on both raise ``StaleVersion``, so nothing is overwritten unseen."""
    _gate(actor)
    if plan is not None:
        _own(actor, plan)
    stored = json.dumps(clean_plan(content), sort_keys=True)
    now = now or timezone.now()
    with transaction.atomic():
        if plan is None:
            if RelapsePlan.objects.filter(
                organisation_id=actor.organisation_id, owner=actor
            ).exists():
                raise StaleVersion
            plan = RelapsePlan(organisation_id=actor.organisation_id, owner=actor, updated_at=now)
            plan.content = stored
            plan.save()
            _audit(actor, "selfcare.plan.create", plan)
            return plan
        if version is None:
            version = plan.version
        moved = RelapsePlan.objects.filter(pk=plan.pk, version=version).update(
            version=F("version") + 1
        )
        if not moved:
            raise StaleVersion
        plan.version = version + 1
        plan.content = stored
        plan.updated_at = now
        plan.save(update_fields=["content", "updated_at"])
        _audit(actor, "selfcare.plan.change", plan)
    return plan


def remove_plan(*, actor: Membership, plan: RelapsePlan, version: int | None = None) -> None:
    """Delete the plan for good, if it is still the ``version`` read (else ``StaleVersion``)."""
    _own(actor, plan)
    pk = plan.pk
    with transaction.atomic():
        wanted = RelapsePlan.objects.filter(pk=pk)
        if version is not None:
            wanted = wanted.filter(version=version)
        if not wanted.delete()[0]:
            raise StaleVersion
        _audit_gone(actor, "selfcare.plan.remove", "selfcare.relapseplan", pk)


# --- self-checks (§3.9 burnout; §4.10, App. 11 grief) -----------------------------------


def clean_burnout(content: Mapping[str, Any]) -> dict[str, Any]:
    signs = _codes(content.get("signs"), BURNOUT_SIGNS, "signs")
    note = _text(content.get("note"))
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [_too_long(NOTE_MAX)]})
    return {"signs": signs, "note": note}


def clean_grief(content: Mapping[str, Any]) -> dict[str, Any]:
    noticed = _codes(content.get("noticed"), GRIEF_REACTIONS, "noticed")
    note = _text(content.get("note"))
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [_too_long(NOTE_MAX)]})
    if not noticed and not note:
        raise ValidationError(
            {"note": [_("Tick what you noticed or write a few words: there is nothing to keep.")]}
        )
    return {"noticed": noticed, "note": note}


CLEAN_CHECK = {SelfCheck.Kind.BURNOUT: clean_burnout, SelfCheck.Kind.GRIEF: clean_grief}


def keep_selfcheck(
    *,
    actor: Membership,
    kind: str,
    content: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> SelfCheck:
    """Keep a self-check the person chose to keep, sealed for them alone."""
    _gate(actor)
    if kind not in CLEAN_CHECK:
        raise ValidationError({"kind": [_("Choose from the list.")]})
    stored = json.dumps(CLEAN_CHECK[SelfCheck.Kind(kind)](content), sort_keys=True)
    with transaction.atomic():
        check = SelfCheck(
            organisation_id=actor.organisation_id,
            owner=actor,
            kind=kind,
            made_at=now or timezone.now(),
        )
        check.content = stored
        check.save()
        _audit(actor, "selfcare.selfcheck.keep", check)
    return check


def read_selfcheck(check: SelfCheck) -> dict[str, Any]:
    try:
        stored = json.loads(check.content or "{}")
    except ValueError:
        stored = {}
    stored = stored if isinstance(stored, dict) else {}
    listed = "signs" if check.kind == SelfCheck.Kind.BURNOUT else "noticed"
    codes = stored.get(listed)
    return {
        listed: [code for code in codes if isinstance(code, str)]
        if isinstance(codes, list)
        else [],
        "note": stored.get("note") if isinstance(stored.get("note"), str) else "",
    }


def remove_selfcheck(*, actor: Membership, check: SelfCheck) -> None:
    _own(actor, check)
    pk = check.pk
    with transaction.atomic():
        check.delete()
        _audit_gone(actor, "selfcare.selfcheck.remove", "selfcare.selfcheck", pk)


def selfchecks_of(member: Membership, kind: str | None = None) -> QuerySet[SelfCheck]:
    """The person's own kept self-checks (of one kind, if named)."""
    found = SelfCheck.objects.filter(organisation_id=member.organisation_id, owner=member)
    return found.filter(kind=kind) if kind else found


# --- what a self-check can mean (never a score) ---------------------------------------


@dataclass(frozen=True)
class Reading:
    """The groups of a list the person ticked something in, each with what it can mean
    (and, for grief, what helps). Nothing counts the ticks."""

    group: Group
    ticked: list[Item]
    help: tuple[Promise, ...] = ()


def _reading(
    groups: Iterable[Group], codes: Iterable[str], help: Mapping[str, Any]
) -> list[Reading]:
    chosen = set(codes)
    found = []
    for group in groups:
        ticked = [item for item in group.items if item.code in chosen]
        if ticked:
            found.append(Reading(group, ticked, tuple(help.get(group.code, ()))))
    return found


def burnout_reading(signs: Iterable[str]) -> list[Reading]:
    return _reading(BURNOUT_GROUPS, signs, {})


def grief_reading(noticed: Iterable[str]) -> list[Reading]:
    return _reading(GRIEF_GROUPS, noticed, GRIEF_HELP)


def needs_help_now(noticed: Iterable[str]) -> bool:
    return bool(URGENT_REACTIONS.intersection(noticed))


def supporters_of(member: Membership, now: dt.datetime | None = None) -> list[SupportRelationship]:
    """The person's current peer mentor and coach, to name in a prompt to reach support."""
    today = local_today(member, now)
    return list(
        SupportRelationship.objects.filter(
            organisation_id=member.organisation_id,
            person=member,
            started_on__lte=today,
        )
        .filter(active_members("supporter__"))
        .exclude(ended_on__lt=today)
        .select_related("supporter__user")
        .order_by("kind", "started_on")
    )
