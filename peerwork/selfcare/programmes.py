"""The self-control programme (issue 7 item 2; guide App. 8, §4.2).

A person works through the steps App. 8 describes, each a page of its own: making a
commitment, naming the behaviour they want to change, keeping baseline records for one to
two weeks, setting a specific goal with a time frame, choosing self-control strategies,
keeping a quick self-monitoring log, watching progress on a chart, and revising the plan.
A peer mentor can coach such a programme (§4.2), so the owner may open it, read-only and
for a time, to the peer mentor who mentors them; nobody else ever reads it (access.py).

Content (``SelfControlProgramme.content``, sealed JSON under the owner's key)::

    {
      "commitment": {"benefits": str, "told": [str, ...], "obstacles": str},
      "target": str,                        # the target behaviour, in the person's words
      "goal": null | {
        "unit": "day" | "week",             # a count per day or per week
        "direction": "fewer" | "more",      # fewer or more times than now
        "target": int,                      # the number aimed at, 0..COUNT_MAX
        "set_on": "YYYY-MM-DD"              # when it was (last) set, organisation's date
      },
      "strategies": {"codes": [str, ...], "own": str},   # codes from STRATEGIES
      "revisions": [                        # oldest first
        {"on": "YYYY-MM-DD", "kind": "note" | "goal" | "strategies",
         "what": str, "why": str}
      ]
    }

``goal_by`` (the end of the time frame) and ``ended_at`` are plain columns, so lists and
the chart can order by them without opening anything.

A record (``SelfControlEntry.content``, sealed JSON; its ``day`` and ``phase`` are plain)::

    baseline:   {"count": int, "antecedent": str, "behaviour": str, "consequence": str}
    monitoring: {"count": int, "note": str}

A day's count is the sum of that day's records. Baseline records describe each occasion
(what happened before, what I did, what came after: App. 8 "identifying the problem");
the quick log keeps one number per day, so logging a day again replaces its number.

Services take the acting membership, check it may act, write in one transaction with an
audit event, and raise ``ValidationError`` naming the fields at fault (nothing saved),
``PermissionDenied`` or ``StaleVersion`` (the version the person read has moved on).
Every read by someone other than the owner is audited (``read_programme``,
``read_entries``) before anything is shown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from peerwork.core import audit
from peerwork.core.access import DataClass
from peerwork.core.models import Membership, SupportRelationship
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import register_kind
from peerwork.core.versions import StaleVersion
from peerwork.schedule.conflicts import zone_of

from . import openings
from .access import LONGEST_OPENING, may_open_programme_to, uses_selfcare
from .models import Opening, SelfControlEntry, SelfControlProgramme

# --- limits -------------------------------------------------------------------------------

TEXT_MAX = 2000  # a longer text: benefits, obstacles, own strategies, a revision
TARGET_MAX = 500  # the target behaviour
SHORT_MAX = 200  # a person told, a log note
TOLD_MOST = 20  # people told
COUNT_MAX = 999  # times in a day (or a week): more is a typing slip
REVISIONS_MOST = 200
# How far back a record may be dated, and how far ahead a goal may be set.
RECORD_DAYS_BACK = 366
GOAL_DAYS_AHEAD = 2 * 366
# App. 8: baseline records "over a period of one to two weeks".
BASELINE_SHORTEST, BASELINE_LONGEST = 7, 14

DAY, WEEK = "day", "week"
FEWER, MORE = "fewer", "more"
UNITS = (DAY, WEEK)
DIRECTIONS = (FEWER, MORE)
NOTE, GOAL, STRATEGIES_CHANGED = "note", "goal", "strategies"

AUDIT_TYPE = "selfcare.programme"

# --- the strategies of App. 8, in our own words -------------------------------------------

ENVIRONMENTAL = "environmental"
BEHAVIOURAL = "behavioural"
COGNITIVE = "cognitive"

STRATEGIES: dict[str, list[tuple[str, Any]]] = {
    # Changing the times, places or situations where it tends to happen.
    ENVIRONMENTAL: [
        ("env_company", gettext_lazy("Spend time with different people, or change who I see")),
        (
            "env_avoid",
            gettext_lazy("Keep away from the places and situations where it tends to happen"),
        ),
        (
            "env_timing",
            gettext_lazy("Move what I want to do more to the time of day when it goes best"),
        ),
    ],
    # Changing what the behaviour brings with it.
    BEHAVIOURAL: [
        ("beh_support", gettext_lazy("Ask others to work on the same or a similar goal with me")),
        ("beh_reminders", gettext_lazy("Put reminders of my goal where I see them every day")),
        (
            "beh_rewards",
            gettext_lazy(
                "Give myself a reward when I keep to my plan (or a small cost when I do not)"
            ),
        ),
        ("beh_remove", gettext_lazy("Take away what usually keeps the habit going")),
        (
            "beh_alternative",
            gettext_lazy("Do something else that is good for me when the urge comes"),
        ),
        ("beh_easier", gettext_lazy("Make what I want to do more easier or more enjoyable")),
        ("beh_schedule", gettext_lazy("Set a fixed time for what I want to do more")),
        ("beh_contract", gettext_lazy("Write down an agreement with myself and sign it")),
    ],
    # Changing thoughts about the behaviour.
    COGNITIVE: [
        ("cog_instructions", gettext_lazy("Talk myself through what to do, step by step")),
        ("cog_praise", gettext_lazy("Tell myself well done when I manage it")),
        ("cog_benefits", gettext_lazy("Think about what reaching my goal will bring me")),
        (
            "cog_imagine",
            gettext_lazy(
                "Picture myself reaching my goal, or picture something else to turn my mind away"
            ),
        ),
        ("cog_kinder", gettext_lazy("Swap harsh thoughts about myself for kinder, useful ones")),
    ],
}
STRATEGY_GROUPS: dict[str, Any] = {
    ENVIRONMENTAL: gettext_lazy("Changing where, when and with whom"),
    BEHAVIOURAL: gettext_lazy("Changing what comes with it"),
    COGNITIVE: gettext_lazy("Changing how I think about it"),
}
STRATEGY_LABELS: dict[str, Any] = {
    code: label for group in STRATEGIES.values() for code, label in group
}


# --- messages -----------------------------------------------------------------------------


PROGRAMME_OPENED = register_kind(
    "selfcare.programme_opened",
    subject=gettext_lazy("A colleague opened a page to you"),
    body=gettext_lazy(
        "%(name)s opened a page to you until %(until)s. Only you can read it, and only until then."
    ),
    default_channels=(Channel.EMAIL,),
    link=lambda notification: reverse("selfcare:programmes_opened"),
    context=openings.opened_message,
)


# --- the content ----------------------------------------------------------------------------


@dataclass
class Goal:
    unit: str
    direction: str
    target: int
    set_on: dt.date | None

    def met_by(self, count: int) -> bool:
        """A day's (or week's) count is at or under the goal (fewer), or at or over it
        (more)."""
        return count <= self.target if self.direction == FEWER else count >= self.target


@dataclass
class Revision:
    on: dt.date | None
    kind: str
    what: str
    why: str


@dataclass
class Plan:
    """A programme's opened content."""

    benefits: str = ""
    told: list[str] = field(default_factory=list)
    obstacles: str = ""
    target: str = ""
    goal: Goal | None = None
    strategy_codes: list[str] = field(default_factory=list)
    own_strategies: str = ""
    revisions: list[Revision] = field(default_factory=list)

    @property
    def has_commitment(self) -> bool:
        return bool(self.benefits or self.told or self.obstacles)

    @property
    def has_strategies(self) -> bool:
        return bool(self.strategy_codes or self.own_strategies)

    def strategies_in_words(self) -> list[str]:
        return [
            str(STRATEGY_LABELS[code]) for code in self.strategy_codes if code in STRATEGY_LABELS
        ]

    def to_json(self) -> str:
        return json.dumps(
            {
                "commitment": {
                    "benefits": self.benefits,
                    "told": self.told,
                    "obstacles": self.obstacles,
                },
                "target": self.target,
                "goal": None
                if self.goal is None
                else {
                    "unit": self.goal.unit,
                    "direction": self.goal.direction,
                    "target": self.goal.target,
                    "set_on": _iso(self.goal.set_on),
                },
                "strategies": {"codes": self.strategy_codes, "own": self.own_strategies},
                "revisions": [
                    {"on": _iso(r.on), "kind": r.kind, "what": r.what, "why": r.why}
                    for r in self.revisions
                ],
            },
            sort_keys=True,
        )


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def parse_plan(raw: str | None) -> Plan:
    """The content as stored (an erased or unreadable value reads as an empty plan)."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    commitment: dict[str, Any] = _dict(data.get("commitment"))
    strategies: dict[str, Any] = _dict(data.get("strategies"))
    goal_data = data.get("goal")
    goal = None
    if isinstance(goal_data, dict) and goal_data.get("unit") in UNITS:
        goal = Goal(
            unit=str(goal_data["unit"]),
            direction=FEWER if goal_data.get("direction") != MORE else MORE,
            target=_int(goal_data.get("target")),
            set_on=_date(goal_data.get("set_on")),
        )
    revisions = [
        Revision(
            on=_date(item.get("on")),
            kind=_text(item.get("kind")) or NOTE,
            what=_text(item.get("what")),
            why=_text(item.get("why")),
        )
        for item in data.get("revisions") or []
        if isinstance(item, dict)
    ]
    return Plan(
        benefits=_text(commitment.get("benefits")),
        told=[_text(name) for name in commitment.get("told") or [] if _text(name)],
        obstacles=_text(commitment.get("obstacles")),
        target=_text(data.get("target")),
        goal=goal,
        strategy_codes=[c for c in strategies.get("codes") or [] if c in STRATEGY_LABELS],
        own_strategies=_text(strategies.get("own")),
        revisions=revisions,
    )


@dataclass
class Record:
    """One opened record of the target behaviour."""

    entry: SelfControlEntry
    count: int
    antecedent: str = ""
    behaviour: str = ""
    consequence: str = ""
    note: str = ""

    @property
    def day(self) -> dt.date:
        return self.entry.day

    @property
    def baseline(self) -> bool:
        return bool(self.entry.phase == SelfControlEntry.Phase.BASELINE)


def parse_record(entry: SelfControlEntry) -> Record:
    try:
        data = json.loads(entry.content or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return Record(
        entry=entry,
        count=_int(data.get("count")),
        antecedent=_text(data.get("antecedent")),
        behaviour=_text(data.get("behaviour")),
        consequence=_text(data.get("consequence")),
        note=_text(data.get("note")),
    )


# --- time ---------------------------------------------------------------------------------


def local_today(member: Membership, now: dt.datetime | None = None) -> dt.date:
    """Today where the person's organisation works: goals and records are dated there."""
    return timezone.localdate(now or timezone.now(), zone_of(member.organisation))


# --- checks -----------------------------------------------------------------------------


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _check_text(errors: dict[str, list[str]], name: str, value: str, most: int) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        errors.setdefault(name, []).append(_("This text holds a character that cannot be kept."))
    elif len(value) > most:
        errors.setdefault(name, []).append(
            _("Keep this to %(most)d characters or fewer (it has %(length)d).")
            % {"most": most, "length": len(value)}
        )
    return value


def _count_range() -> str:
    return _("Write a number from 0 to %(most)d.") % {"most": COUNT_MAX}


# The same words for forms, in the language of the request that shows them.
count_range_message = lazy(_count_range, str)


def _check_count(errors: dict[str, list[str]], name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            errors.setdefault(name, []).append(_("Write a whole number, like 0, 2 or 5."))
            return 0
    if not 0 <= value <= COUNT_MAX:
        errors.setdefault(name, []).append(_count_range())
    return value


def _owner_only(actor: Membership, programme: SelfControlProgramme) -> None:
    if programme.owner_id != actor.pk or not actor.is_active:
        raise PermissionDenied


def _not_ended(programme: SelfControlProgramme) -> None:
    if programme.ended_at is not None:
        raise ValidationError(
            _("This programme has ended, so it stays as it was. Start a new one to go on.")
        )


def _audit(actor: Membership, action: str, programme: SelfControlProgramme, **detail: Any) -> None:
    audit.record(
        actor=actor,
        action=f"selfcare.programme.{action}",
        object_type=AUDIT_TYPE,
        object_id=programme.pk,
        subject=programme.owner,
        data_class=DataClass.PRIVATE,
        detail=detail or None,
    )


def _write(
    actor: Membership,
    programme: SelfControlProgramme,
    plan: Plan,
    *,
    version: int | None,
    action: str,
    now: dt.datetime,
    goal_by: object = None,
    part: str = "",
) -> SelfControlProgramme:
    """Save ``plan`` over the programme if it is still at ``version`` (the one the person
    read; None: the one this request read), with its audit event."""
    expected = programme.version if version is None else version
    changes: dict[str, Any] = {"updated_at": now}
    if goal_by is not None:
        changes["goal_by"] = goal_by
    with transaction.atomic():
        # Ending a programme counts a version too, so a save over an ended one is stale.
        updated = SelfControlProgramme.objects.filter(
            pk=programme.pk, version=expected, ended_at__isnull=True
        ).update(version=F("version") + 1, **changes)
        if not updated:
            raise StaleVersion
        programme.version = expected + 1
        for name, value in changes.items():
            setattr(programme, name, value)
        programme.content = plan.to_json()
        programme.save(update_fields=["content"])
        _audit(actor, action, programme, **({"part": part} if part else {}))
    return programme


def _current(programme: SelfControlProgramme) -> Plan:
    return parse_plan(programme.content)


# --- reading ------------------------------------------------------------------------------


def read_programme(*, actor: Membership, programme: SelfControlProgramme) -> Plan:
    """The opened content. A read by anyone but the owner (the mentor it is opened to) is
    audited first, so the owner sees it in "who saw my data"."""
    if actor.pk != programme.owner_id:
        audit.record_read(
            actor=actor,
            action="selfcare.programme.read",
            object_type=AUDIT_TYPE,
            object_id=programme.pk,
            subject=programme.owner,
            data_class=DataClass.PRIVATE,
        )
    return _current(programme)


def read_entries(
    *,
    actor: Membership,
    programme: SelfControlProgramme,
    phase: str | None = None,
    audited: bool = True,
) -> list[Record]:
    """The programme's records, oldest first. ``audited=False`` when the same request has
    just audited its read of the programme (one page, one read)."""
    if audited and actor.pk != programme.owner_id:
        audit.record_read(
            actor=actor,
            action="selfcare.programme.read",
            object_type=AUDIT_TYPE,
            object_id=programme.pk,
            subject=programme.owner,
            data_class=DataClass.PRIVATE,
            detail={"part": "records"},
        )
    rows = SelfControlEntry.objects.filter(
        organisation_id=programme.organisation_id, programme=programme
    ).select_related("owner__organisation")
    if phase:
        rows = rows.filter(phase=phase)
    return [parse_record(entry) for entry in rows.order_by("day", "made_at", "id")]


def programmes_of(member: Membership) -> list[SelfControlProgramme]:
    """A person's own programmes: the one still going first, then the ended ones, newest
    first."""
    rows = SelfControlProgramme.objects.filter(
        organisation_id=member.organisation_id, owner=member
    ).select_related("owner__organisation")
    return sorted(
        rows,
        key=lambda p: (
            p.ended_at is not None,
            -p.started_on.toordinal(),
            -p.updated_at.timestamp(),
        ),
    )


def active_programme(member: Membership) -> SelfControlProgramme | None:
    return (
        SelfControlProgramme.objects.filter(
            organisation_id=member.organisation_id, owner=member, ended_at__isnull=True
        )
        .order_by("-started_on")
        .first()
    )


# --- steps --------------------------------------------------------------------------------


def _commitment(
    errors: dict[str, list[str]], benefits: str, told: Iterable[str], obstacles: str
) -> tuple[str, list[str], str]:
    benefits = _check_text(errors, "benefits", benefits, TEXT_MAX)
    names = [(name or "").strip() for name in told]
    names = [name for name in names if name]
    if len(names) > TOLD_MOST:
        errors.setdefault("told", []).append(
            _("Name at most %(most)d people here.") % {"most": TOLD_MOST}
        )
    for name in names:
        _check_text(errors, "told", name, SHORT_MAX)
    obstacles = _check_text(errors, "obstacles", obstacles, TEXT_MAX)
    if not benefits:
        errors.setdefault("benefits", []).append(
            _("Write at least one thing that changing would bring you.")
        )
    return benefits, names, obstacles


def start_programme(
    *,
    actor: Membership,
    benefits: str,
    told: Sequence[str] = (),
    obstacles: str = "",
    target: str = "",
    now: dt.datetime | None = None,
) -> SelfControlProgramme:
    """Start a programme with its commitment (App. 8 "making a commitment"). One programme
    is going at a time: the one before is ended first."""
    if not uses_selfcare(actor):
        raise PermissionDenied
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    benefits, names, obstacles = _commitment(errors, benefits, told, obstacles)
    target = _check_text(errors, "target", target, TARGET_MAX)
    _refuse(errors)
    if active_programme(actor) is not None:
        raise ValidationError(
            _("You already have a programme going. End it first, then start a new one.")
        )
    plan = Plan(benefits=benefits, told=names, obstacles=obstacles, target=target)
    with transaction.atomic():
        programme = SelfControlProgramme(
            organisation_id=actor.organisation_id,
            owner=actor,
            started_on=local_today(actor, now),
            updated_at=now,
        )
        programme.content = plan.to_json()
        programme.save()
        _audit(actor, "create", programme)
    return programme


def save_commitment(
    *,
    actor: Membership,
    programme: SelfControlProgramme,
    version: int | None,
    benefits: str,
    told: Sequence[str],
    obstacles: str,
    now: dt.datetime | None = None,
) -> SelfControlProgramme:
    _owner_only(actor, programme)
    _not_ended(programme)
    errors: dict[str, list[str]] = {}
    benefits, names, obstacles = _commitment(errors, benefits, told, obstacles)
    _refuse(errors)
    plan = _current(programme)
    plan.benefits, plan.told, plan.obstacles = benefits, names, obstacles
    return _write(
        actor,
        programme,
        plan,
        version=version,
        action="change",
        now=now or timezone.now(),
        part="commitment",
    )


def save_target(
    *,
    actor: Membership,
    programme: SelfControlProgramme,
    version: int | None,
    target: str,
    now: dt.datetime | None = None,
) -> SelfControlProgramme:
    """The target behaviour, in the person's own words (App. 8 "identifying the problem")."""
    _owner_only(actor, programme)
    _not_ended(programme)
    errors: dict[str, list[str]] = {}
    target = _check_text(errors, "target", target, TARGET_MAX)
    if not target and "target" not in errors:
        errors["target"] = [_("Write the behaviour you want to change, in your own words.")]
    _refuse(errors)
    plan = _current(programme)
    plan.target = target
    return _write(
        actor,
        programme,
        plan,
        version=version,
        action="change",
        now=now or timezone.now(),
        part="target",
    )


def baseline_span(records: Iterable[Record]) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the baseline records, if any."""
    days = [r.day for r in records if r.baseline]
    return (min(days), max(days)) if days else None


def baseline_days(records: Iterable[Record]) -> int:
    """How many days the baseline covers, first to last record."""
    span = baseline_span(records)
    return 0 if span is None else (span[1] - span[0]).days + 1


def baseline_hint(days: int) -> str | None:
    """A kind word when the baseline is shorter than a week or longer than two (App. 8:
    "one to two weeks"): never a refusal."""
    if days == 0:
        return _(
            "There are no baseline records yet. A week or two of them shows what usually "
            "happens, but you can set a goal now if you want to."
        )
    if days < BASELINE_SHORTEST:
        return ngettext(
            "Your baseline covers %(days)d day. A week or two usually shows the pattern "
            "better, but it is your choice to go on.",
            "Your baseline covers %(days)d days. A week or two usually shows the pattern "
            "better, but it is your choice to go on.",
            days,
        ) % {"days": days}
    if days > BASELINE_LONGEST:
        return _(
            "Your baseline covers %(days)d days, more than two weeks. That is fine: it gives "
            "a clear picture, and setting a goal now keeps things moving."
        ) % {"days": days}
    return None


def baseline_average(records: Iterable[Record], unit: str) -> float | None:
    """The baseline's usual count per day (or per week), over the days it covers."""
    records = list(records)
    span = baseline_span(records)
    if span is None:
        return None
    days = (span[1] - span[0]).days + 1
    total = sum(r.count for r in records if r.baseline)
    per_day = total / days
    return per_day * 7 if unit == WEEK else per_day


def set_goal(
    *,
    actor: Membership,
    programme: SelfControlProgramme,
    version: int | None,
    unit: str,
    direction: str,
    target: object,
    goal_by: dt.date | None,
    why: str = "",
    now: dt.datetime | None = None,
) -> tuple[SelfControlProgramme, list[str]]:
    """A specific, measurable goal with a time frame (App. 8 "setting a goal"): a count per
    day or per week, fewer or more than now, by a date after today in the organisation's
    zone. Returns the programme and kind hints (a baseline shorter than a week or longer
    than two), which never stop the person. Changing a goal already set is kept as a
    revision (App. 8 "making revisions")."""
    _owner_only(actor, programme)
    _not_ended(programme)
    now = now or timezone.now()
    today = local_today(actor, now)
    errors: dict[str, list[str]] = {}
    if unit not in UNITS:
        errors["unit"] = [_("Choose whether you count per day or per week.")]
    if direction not in DIRECTIONS:
        errors["direction"] = [_("Choose fewer or more times than now.")]
    number = _check_count(errors, "target", target)
    if goal_by is None:
        errors["goal_by"] = [_("Choose the date you aim to reach the goal by.")]
    elif goal_by <= today:
        errors["goal_by"] = [
            _("Choose a date after today (%(today)s).")
            % {"today": formats.date_format(today, "DATE_FORMAT")}
        ]
    elif goal_by > today + dt.timedelta(days=GOAL_DAYS_AHEAD):
        errors["goal_by"] = [_("Choose a date within the next two years: smaller steps help.")]
    why = _check_text(errors, "why", why, TEXT_MAX)
    _refuse(errors)
    plan = _current(programme)
    goal = Goal(unit=unit, direction=direction, target=number, set_on=today)
    before = plan.goal
    changed = before is not None and (
        (before.unit, before.direction, before.target, programme.goal_by)
        != (goal.unit, goal.direction, goal.target, goal_by)
    )
    if changed and before is not None:
        plan.revisions.append(
            Revision(
                on=today,
                kind=GOAL,
                what=_("Goal changed from %(before)s to %(after)s.")
                % {
                    "before": goal_in_words(before, programme.goal_by),
                    "after": goal_in_words(goal, goal_by),
                },
                why=why,
            )
        )
        del plan.revisions[:-REVISIONS_MOST]
    plan.goal = goal
    records = read_entries(actor=actor, programme=programme, phase=SelfControlEntry.Phase.BASELINE)
    hints = []
    if before is None:
        hint = baseline_hint(baseline_days(records))
        if hint:
            hints.append(hint)
    programme = _write(
        actor,
        programme,
        plan,
        version=version,
        action="change",
        now=now,
        goal_by=goal_by,
        part="goal",
    )
    return programme, hints


def goal_in_words(goal: Goal, goal_by: dt.date | None) -> str:
    """ "at most 2 times a day by 1 March 2027", "at least 3 times a week"."""
    values = {"count": goal.target}
    if goal.direction == FEWER:
        text = (
            ngettext("at most %(count)d time a day", "at most %(count)d times a day", goal.target)
            if goal.unit == DAY
            else ngettext(
                "at most %(count)d time a week", "at most %(count)d times a week", goal.target
            )
        )
    else:
        text = (
            ngettext("at least %(count)d time a day", "at least %(count)d times a day", goal.target)
            if goal.unit == DAY
            else ngettext(
                "at least %(count)d time a week", "at least %(count)d times a week", goal.target
            )
        )
    text = text % values
    if goal_by is None:
        return text
    return _("%(goal)s by %(date)s") % {
        "goal": text,
        "date": formats.date_format(goal_by, "DATE_FORMAT"),
    }


def save_strategies(
    *,
    actor: Membership,
    programme: SelfControlProgramme,
    version: int | None,
    codes: Iterable[str],
    own: str,
    why: str = "",
    now: dt.datetime | None = None,
) -> SelfControlProgramme:
    """The strategies chosen from the three lists of App. 8 and/or in the person's own
    words. Changing strategies already chosen is kept as a revision (App. 8: if progress is
    slow, the strategies may need changing)."""
    _owner_only(actor, programme)
    _not_ended(programme)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    chosen = list(dict.fromkeys(codes))
    unknown = [code for code in chosen if code not in STRATEGY_LABELS]
    if unknown:
        errors["codes"] = [_("Choose strategies from the lists.")]
    own = _check_text(errors, "own", own, TEXT_MAX)
    why = _check_text(errors, "why", why, TEXT_MAX)
    if not chosen and not own and not errors:
        errors["codes"] = [_("Choose at least one strategy, or write your own.")]
    _refuse(errors)
    # Keep the lists' order, so the same choice reads the same everywhere.
    ordered = [code for code in STRATEGY_LABELS if code in chosen]
    plan = _current(programme)
    if plan.has_strategies and (ordered, own) != (plan.strategy_codes, plan.own_strategies):
        added = [str(STRATEGY_LABELS[c]) for c in ordered if c not in plan.strategy_codes]
        dropped = [str(STRATEGY_LABELS[c]) for c in plan.strategy_codes if c not in ordered]
        parts = []
        if added:
            parts.append(_("Added: %(list)s.") % {"list": "; ".join(added)})
        if dropped:
            parts.append(_("Stopped: %(list)s.") % {"list": "; ".join(dropped)})
        if own != plan.own_strategies:
            parts.append(_("My own strategies changed."))
        plan.revisions.append(
            Revision(
                on=local_today(actor, now),
                kind=STRATEGIES_CHANGED,
                what=" ".join([_("Strategies changed."), *parts]),
                why=why,
            )
        )
        del plan.revisions[:-REVISIONS_MOST]
    plan.strategy_codes, plan.own_strategies = ordered, own
    return _write(
        actor, programme, plan, version=version, action="change", now=now, part="strategies"
    )


def add_revision(
    *,
    actor: Membership,
    programme: SelfControlProgramme,
    version: int | None,
    what: str,
    why: str = "",
    now: dt.datetime | None = None,
) -> SelfControlProgramme:
    """A dated note of what changes in the plan and why (App. 8 "making revisions")."""
    _owner_only(actor, programme)
    _not_ended(programme)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    what = _check_text(errors, "what", what, TEXT_MAX)
    why = _check_text(errors, "why", why, TEXT_MAX)
    if not what and "what" not in errors:
        errors["what"] = [_("Write what you are changing.")]
    _refuse(errors)
    plan = _current(programme)
    if len(plan.revisions) >= REVISIONS_MOST:
        raise ValidationError(
            _("This programme holds as many revisions as it can. Start a new programme.")
        )
    plan.revisions.append(Revision(on=local_today(actor, now), kind=NOTE, what=what, why=why))
    return _write(
        actor, programme, plan, version=version, action="change", now=now, part="revision"
    )


# --- records ------------------------------------------------------------------------------


def record_entry(
    *,
    actor: Membership,
    programme: SelfControlProgramme,
    phase: str,
    day: dt.date | None,
    count: object,
    antecedent: str = "",
    behaviour: str = "",
    consequence: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> SelfControlEntry:
    """Keep a baseline record (with what came before and after) or log a day's count.
    Logging a day again replaces that day's logged count."""
    _owner_only(actor, programme)
    _not_ended(programme)
    now = now or timezone.now()
    today = local_today(actor, now)
    errors: dict[str, list[str]] = {}
    if phase not in SelfControlEntry.Phase.values:
        errors["phase"] = [_("Choose a baseline record or the self-monitoring log.")]
    number = _check_count(errors, "count", count)
    if day is None:
        day = today
    if day > today:
        errors["day"] = [_("Choose today or a day before: this records what happened.")]
    elif day < today - dt.timedelta(days=RECORD_DAYS_BACK):
        errors["day"] = [_("Choose a day within the last year.")]
    content: dict[str, Any] = {"count": number}
    if phase == SelfControlEntry.Phase.BASELINE:
        content["antecedent"] = _check_text(errors, "antecedent", antecedent, TEXT_MAX)
        content["behaviour"] = _check_text(errors, "behaviour", behaviour, TEXT_MAX)
        content["consequence"] = _check_text(errors, "consequence", consequence, TEXT_MAX)
    else:
        content["note"] = _check_text(errors, "note", note, SHORT_MAX)
    _refuse(errors)
    stored = json.dumps(content, sort_keys=True)
    with transaction.atomic():
        entry = None
        if phase == SelfControlEntry.Phase.MONITORING:
            entry = (
                SelfControlEntry.objects.filter(
                    organisation_id=programme.organisation_id,
                    programme=programme,
                    phase=phase,
                    day=day,
                )
                .order_by("made_at")
                .first()
            )
        if entry is None:
            entry = SelfControlEntry(
                organisation_id=programme.organisation_id,
                programme=programme,
                owner=programme.owner,
                day=day,
                phase=phase,
                made_at=now,
            )
            entry.content = stored
            entry.save()
            action = "record"
        else:
            entry.content = stored
            entry.made_at = now
            entry.save(update_fields=["content", "made_at"])
            action = "record_change"
        SelfControlProgramme.objects.filter(pk=programme.pk).update(updated_at=now)
        _audit(actor, action, programme, entry=entry.pk)
    return entry


def remove_entry(
    *, actor: Membership, programme: SelfControlProgramme, entry: SelfControlEntry
) -> None:
    """Remove one record (typed by mistake): the owner only."""
    _owner_only(actor, programme)
    _not_ended(programme)
    if entry.programme_id != programme.pk:
        raise PermissionDenied
    with transaction.atomic():
        _audit(actor, "record_remove", programme, entry=entry.pk)
        entry.delete()


def entry_of(programme: SelfControlProgramme, entry_id: object) -> SelfControlEntry:
    """One of this programme's records (after the programme's gate), or 404."""
    from peerwork.core.access import lookup

    return lookup(
        SelfControlEntry.objects.filter(
            organisation_id=programme.organisation_id, programme=programme
        ),
        entry_id,
    )


# --- ending and deleting -------------------------------------------------------------------


def end_programme(
    *,
    actor: Membership,
    programme: SelfControlProgramme,
    version: int | None,
    now: dt.datetime | None = None,
) -> SelfControlProgramme:
    """End a programme: it stays, read-only, for the person to look back on; openings of
    it close."""
    _owner_only(actor, programme)
    _not_ended(programme)
    now = now or timezone.now()
    expected = programme.version if version is None else version
    with transaction.atomic():
        updated = SelfControlProgramme.objects.filter(
            pk=programme.pk, version=expected, ended_at__isnull=True
        ).update(ended_at=now, updated_at=now, version=F("version") + 1)
        if not updated:
            raise StaleVersion
        programme.ended_at, programme.updated_at, programme.version = now, now, expected + 1
        Opening.objects.filter(
            organisation_id=programme.organisation_id, programme=programme, closed_at__isnull=True
        ).update(closed_at=now)
        _audit(actor, "end", programme)
    return programme


def delete_programme(
    *, actor: Membership, programme: SelfControlProgramme, version: int | None
) -> None:
    """Delete a programme for good, with its records and openings."""
    _owner_only(actor, programme)
    expected = programme.version if version is None else version
    with transaction.atomic():
        if not SelfControlProgramme.objects.filter(pk=programme.pk, version=expected).exists():
            raise StaleVersion
        _audit(actor, "delete", programme)
        programme.delete()


# --- opening to the peer mentor ------------------------------------------------------------


def opening_candidates(owner: Membership) -> list[Membership]:
    """Whom the owner may open a programme to: the peer mentor who mentors them (§4.2)."""
    supporters = (
        Membership.objects.filter(
            organisation_id=owner.organisation_id,
            supporting__person=owner,
            supporting__kind=SupportRelationship.Kind.MENTOR,
        )
        .select_related("user")
        .distinct()
    )
    return sorted(
        (m for m in supporters if may_open_programme_to(owner, m)), key=lambda m: m.name.lower()
    )


def openings_of(programme: SelfControlProgramme, now: dt.datetime | None = None) -> list[Opening]:
    """The programme's openings still open now."""
    return openings.live_openings_of(programme, now)


def open_programme(
    *,
    actor: Membership,
    programme: SelfControlProgramme,
    grantee: Membership | None,
    expires_at: dt.datetime | None,
    now: dt.datetime | None = None,
) -> Opening:
    """Open the programme, read-only, to the peer mentor who mentors the owner, until
    ``expires_at`` (not in the past, at most ``LONGEST_OPENING`` ahead). A new opening to
    the same person replaces one still open. They are told, in neutral words."""
    _owner_only(actor, programme)
    _not_ended(programme)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if grantee is None or not may_open_programme_to(actor, grantee):
        errors["grantee"] = [
            _("A programme can be opened only to the peer mentor who mentors you.")
        ]
    if expires_at is None:
        errors["expires_at"] = [_("Choose until when it stays open.")]
    else:
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at, zone_of(actor.organisation))
        problem = openings.expiry_problem(expires_at, now)
        if problem:
            errors["expires_at"] = [problem]
    _refuse(errors)
    assert grantee is not None and expires_at is not None  # noqa: S101 (checked above)
    return openings.open_record(
        actor=actor,
        record=programme,
        grantee=grantee,
        expires_at=expires_at,
        now=now,
        action="selfcare.programme.open",
        object_type=AUDIT_TYPE,
        kind=PROGRAMME_OPENED.kind,
    )


def close_opening(
    *, actor: Membership, opening: Opening, now: dt.datetime | None = None
) -> Opening:
    """Close an opening early (the owner; ``access.opening_for_owner`` found it)."""
    if opening.programme_id is None:
        raise PermissionDenied
    return openings.close_opening(
        actor=actor,
        opening=opening,
        now=now or timezone.now(),
        action="selfcare.programme.close",
        object_type=AUDIT_TYPE,
    )


def opened_to(member: Membership, now: dt.datetime | None = None) -> list[Opening]:
    """The programmes open to ``member`` now, soonest to close first (no content read)."""
    return list(openings.opened_to(member, circles=False, now=now))


def end_of_day(member: Membership, day: dt.date) -> dt.datetime:
    """The first moment after ``day`` where the organisation works: "open until 3 March"
    means through that whole day."""
    zone = zone_of(member.organisation)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)


def opening_until(
    member: Membership, day: dt.date | None, now: dt.datetime | None = None
) -> dt.datetime | None:
    """A date chosen on a page as the expiry: through that day, but never longer than
    ``LONGEST_OPENING`` from now. A date before today stays in the past (refused)."""
    if day is None:
        return None
    now = now or timezone.now()
    until = end_of_day(member, day)
    if day <= local_today(member, now) + dt.timedelta(days=LONGEST_OPENING.days):
        until = min(until, now + LONGEST_OPENING)
    return until


# --- progress ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One day's (or week's) count: ``day`` is the day, or the Monday of the week."""

    day: dt.date
    count: int
    baseline: bool


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def series(records: Iterable[Record], unit: str = DAY) -> list[Period]:
    """The counts per day (or per week, Mondays) of the days with records, in date order.
    A period is "baseline" when its records all are."""
    totals: dict[dt.date, int] = {}
    baseline: dict[dt.date, bool] = {}
    for record in records:
        key = week_start(record.day) if unit == WEEK else record.day
        totals[key] = totals.get(key, 0) + record.count
        baseline[key] = baseline.get(key, True) and record.baseline
    return [Period(day, totals[day], baseline[day]) for day in sorted(totals)]


RECENT = 7  # the summary looks at the last 7 recorded days (or 4 recorded weeks)
RECENT_WEEKS = 4


def progress_summary(periods: Sequence[Period], goal: Goal | None) -> str:
    """The chart in words, for its text alternative and for everyone who reads rather than
    looks: "3 of your last 7 recorded days were at or under your goal". Only the days (or
    weeks) since the goal was set count: the baseline came before it."""
    if not periods:
        return _("Nothing recorded yet: the chart fills in as you keep records.")
    if goal is None:
        return ngettext(
            "%(count)d day recorded so far. Set a goal to see how the days compare with it.",
            "%(count)d days recorded so far. Set a goal to see how the days compare with it.",
            len(periods),
        ) % {"count": len(periods)}
    weekly = goal.unit == WEEK
    since = goal.set_on
    if since is not None and weekly:
        since = week_start(since)
    after = [p for p in periods if since is None or p.day >= since]
    if not after:
        return _("Nothing recorded since you set your goal yet: log a day to compare it.")
    recent = after[-(RECENT_WEEKS if weekly else RECENT) :]
    met = sum(1 for p in recent if goal.met_by(p.count))
    values = {"met": met, "count": len(recent), "target": goal.target}
    if weekly:
        if goal.direction == FEWER:
            text = ngettext(
                "%(met)d of your last %(count)d recorded week was at or under your goal "
                "(%(target)d a week).",
                "%(met)d of your last %(count)d recorded weeks were at or under your goal "
                "(%(target)d a week).",
                len(recent),
            )
        else:
            text = ngettext(
                "%(met)d of your last %(count)d recorded week was at or over your goal "
                "(%(target)d a week).",
                "%(met)d of your last %(count)d recorded weeks were at or over your goal "
                "(%(target)d a week).",
                len(recent),
            )
    elif goal.direction == FEWER:
        text = ngettext(
            "%(met)d of your last %(count)d recorded day was at or under your goal "
            "(%(target)d a day).",
            "%(met)d of your last %(count)d recorded days were at or under your goal "
            "(%(target)d a day).",
            len(recent),
        )
    else:
        text = ngettext(
            "%(met)d of your last %(count)d recorded day was at or over your goal "
            "(%(target)d a day).",
            "%(met)d of your last %(count)d recorded days were at or over your goal "
            "(%(target)d a day).",
            len(recent),
        )
    return text % values


@dataclass(frozen=True)
class Progress:
    """What the chart and its numbers are drawn from."""

    unit: str
    periods: list[Period]
    start: dt.date
    end: dt.date
    baseline: tuple[dt.date, dt.date] | None
    goal: Goal | None
    goal_by: dt.date | None
    summary: str


def progress(
    programme: SelfControlProgramme, plan: Plan, records: Sequence[Record], today: dt.date
) -> Progress:
    """The series and the chart's frame: from the start (or the first record) to today,
    the goal date or the last record, whichever is last."""
    unit = plan.goal.unit if plan.goal is not None else DAY
    periods = series(records, unit)
    days = [r.day for r in records]
    start = min([programme.started_on, *days])
    if programme.ended_at is not None:
        today = timezone.localdate(programme.ended_at, zone_of(programme.owner.organisation))
    ends = [today, *days]
    if programme.goal_by is not None:
        ends.append(programme.goal_by)
    end = max(ends)
    return Progress(
        unit=unit,
        periods=periods,
        start=start,
        end=end,
        baseline=baseline_span(records),
        goal=plan.goal,
        goal_by=programme.goal_by,
        summary=progress_summary(periods, plan.goal),
    )
