"""The anonymous team stress pulse (issue 7 item 3; guide §3.9, organisational strategies:
watching for and responding to changes in the team's stress levels).

Once a week (the week is the Monday where the organisation works) each working member may
say how much stress they felt at work, on five levels. Line managers (for the teams their
reports are in), HR and the director see each team's finished weeks as an aggregate, and
only from ``PULSE_MINIMUM`` answers: fewer, and a manager who knows who was at work could
work out one person's answer. Nobody sees a single answer, anywhere.

What is stored, and why nothing links an answer to its person
------------------------------------------------------------

- ``PulseAnswer``: the team, the week and the level. No person, no time finer than the
  week, a random (UUID4) key that says nothing about when it was made.
- ``PulseReceipt``: that a person answered in a week (one per person and week, so nobody
  answers twice). Nothing about what they answered.

Both are written in one transaction (``answer``). Were the answer simply inserted, its
place in the table (SQLite's rowid, PostgreSQL's physical row order) would follow the
receipt's, and reading both tables in storage order would pair them. So every answer
rewrites its team's week: the levels already given and the new one are deleted and
inserted again, all with new keys, in a random order (``secrets.SystemRandom``). After
each answer the whole team-week is one freshly written batch in a random order: the
newest receipt points at the batch, not at a row. The figures are unchanged (they depend
only on the levels in the batch). Answers are written one at a time per organisation (a
row lock on the organisation, and SQLite's immediate transactions), so two people
answering at once cannot lose or double a level.

Differencing through the pages is closed the same way: a week is shown only once it has
ended, when no answer can join it any more. Were the open week shown, a manager could
read the figures before and after a colleague answered and subtract. The organisation's
figure (for HR and the director) pools only the teams that reach the minimum themselves,
plus the answers without a team only when those alone reach it, so it is exactly the sum
of the figures shown: subtracting the teams from the total reveals nothing hidden.

Residual risks (what this does not protect against)
--------------------------------------------------

- Someone who can read the database's successive states during a week (its write-ahead
  log, a replication stream, backups taken between two answers, statement logging, or
  pages freed by the rewrite that still hold the previous batch: SQLite's free pages
  unless ``secure_delete`` is on, PostgreSQL's dead rows until vacuum) can compare a
  team-week before and after one answer and learn the level the newest receipt gave.
  The rewrite protects a single copy of the live tables (a stolen database file or
  backup), not a reader of the storage engine's history.
- Storage keeps answers of small teams: a database reader sees a team-week with one
  answer and, in the receipts, who answered that week; if only one of that team's
  members answered, the answer is theirs. The minimum applies to what Peerwork shows,
  not to what the database holds. The team stored is the person's team when they
  answered.
- Deleting a team turns its answers into answers without a team (``SET_NULL``), which can
  lift that pool over the minimum in past weeks; someone who read the pages before and
  after could subtract the deleted team's earlier figure. It needs a team deleted after
  answers were given; rare, and the pool it reveals is still a group.

Nothing is audited here: an answer names nobody, and an audit event carries a time, which
would be one more thing to pair with the order of writes.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership, Organisation, Role, Team

from . import wellbeing
from .access import PULSE_MINIMUM, pulse_teams_for, uses_selfcare
from .models import PulseAnswer, PulseReceipt

# The five answers to "How much stress have you felt at work this week?", in our words.
LEVELS: tuple[tuple[int, Promise], ...] = (
    (1, _("Hardly any or none")),
    (2, _("A little")),
    (3, _("Some")),
    (4, _("A lot")),
    (5, _("More than I could manage")),
)
LOWEST, HIGHEST = 1, 5
# Answers from this level up count as "a lot of stress" in the figures.
HIGH = 4
# How many finished weeks the team pages show.
WEEKS_SHOWN = 8
# A change of the average smaller than this reads as "about the same".
TREND_STEP = 0.3


# The code of the refusal of a second answer in a week.
ALREADY_ANSWERED = "already_answered"


class Trend:
    HIGHER = "higher"
    LOWER = "lower"
    SAME = "same"


# --- weeks ------------------------------------------------------------------------------


# The week is the one the weekly goals keep (``wellbeing.this_week``): Monday where the
# member's organisation works (Nairobi's Monday begins at 21:00 UTC on Sunday).
monday_of = wellbeing.monday_of
this_week = wellbeing.this_week


# --- gates ------------------------------------------------------------------------------


def require_answering(member: Membership) -> None:
    """Every working member answers for themself (``access.uses_selfcare``); anyone else
    (a coach, a facilitator, a peer interviewer, an ended membership) gets 404."""
    if not uses_selfcare(member):
        raise Http404


def sees_whole_organisation(member: Membership) -> bool:
    """HR and the director see every team, the answers without a team and the total."""
    return bool(member.is_active and member.has_role(Role.HR, Role.DIRECTOR))


def teams_seen_by(member: Membership) -> list[Team]:
    """The gate of the team figures: the teams ``member`` sees (``access.pulse_teams_for``).
    Someone who sees no team and not the whole organisation (staff, a peer mentor, the org
    admin, a line manager who manages nobody) gets 404."""
    teams = list(pulse_teams_for(member))
    if not teams and not sees_whole_organisation(member):
        raise Http404
    return teams


def sees_team_figures(member: Membership) -> bool:
    """Whether the team page exists for ``member`` (for a link to it)."""
    try:
        teams_seen_by(member)
    except Http404:
        return False
    return True


# --- answering --------------------------------------------------------------------------


def answered(member: Membership, week: dt.date) -> bool:
    return PulseReceipt.objects.filter(
        organisation_id=member.organisation_id, member=member, week_of=week
    ).exists()


def already_answered_message(week: dt.date) -> str:
    """The kind refusal of a second answer in the week of ``week``."""
    return gettext(
        "You have already answered for this week. Thank you! You can answer again from "
        "Monday %(next)s."
    ) % {"next": (week + dt.timedelta(days=7)).isoformat()}


def _already_answered(week: dt.date) -> ValidationError:
    return ValidationError(already_answered_message(week), code=ALREADY_ANSWERED)


def answer(*, actor: Membership, level: int, now: dt.datetime | None = None) -> dt.date:
    """Record ``actor``'s answer for this week (the week's Monday is returned): a receipt
    for them, and the level in their team's week with no link back (module docstring).
    A level outside 1–5 or a second answer in a week is refused; nothing is saved."""
    require_answering(actor)
    if isinstance(level, bool) or not isinstance(level, int) or not LOWEST <= level <= HIGHEST:
        raise ValidationError({"level": [gettext("Choose one of the five answers.")]})
    week = this_week(actor, now)
    try:
        with transaction.atomic():
            # One answer at a time in an organisation: the rewrite reads, deletes and
            # inserts the team's week, and must not interleave with another's.
            list(
                Organisation.objects.select_for_update()
                .filter(pk=actor.organisation_id)
                .values_list("pk", flat=True)
            )
            if answered(actor, week):
                raise _already_answered(week)
            PulseReceipt.objects.create(
                organisation_id=actor.organisation_id, member=actor, week_of=week
            )
            _rewrite_team_week(actor.organisation_id, actor.team_id, week, level)
    except IntegrityError:
        # The same person answering twice at the very same moment: the receipt's unique
        # constraint keeps one, and the other transaction saved nothing.
        raise _already_answered(week) from None
    return week


def _rewrite_team_week(
    organisation_id: uuid.UUID, team_id: uuid.UUID | None, week: dt.date, level: int
) -> None:
    """The team's week again, with ``level`` added, as a new batch in a random order."""
    same_team = Q(team__isnull=True) if team_id is None else Q(team_id=team_id)
    rows = PulseAnswer.objects.filter(same_team, organisation_id=organisation_id, week_of=week)
    levels = [*rows.values_list("level", flat=True), level]
    rows.delete()
    secrets.SystemRandom().shuffle(levels)
    PulseAnswer.objects.bulk_create(
        PulseAnswer(organisation_id=organisation_id, team_id=team_id, week_of=week, level=value)
        for value in levels
    )


# --- the figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekFigure:
    """One week of one group. Below the minimum everything is None, the number of answers
    too: a count of 1 to 4 is never shown."""

    week_of: dt.date
    answers: int | None = None
    average: float | None = None
    high_share: int | None = None  # per cent answering 4 or 5

    @property
    def shown(self) -> bool:
        return self.answers is not None


def _figure(week: dt.date, count: int, total: int, high: int) -> WeekFigure:
    if count < PULSE_MINIMUM:
        return WeekFigure(week)
    return WeekFigure(
        week,
        answers=count,
        average=round(total / count, 1),
        high_share=round(100 * high / count),
    )


@dataclass(frozen=True)
class GroupPulse:
    """A team (or the answers without a team, or the whole organisation) over the weeks,
    oldest first."""

    kind: str  # "team", "no_team" or "organisation"
    team: Team | None
    weeks: list[WeekFigure] = field(default_factory=list)

    @property
    def shown(self) -> list[WeekFigure]:
        return [week for week in self.weeks if week.shown]

    @property
    def latest(self) -> WeekFigure | None:
        shown = self.shown
        return shown[-1] if shown else None

    @property
    def previous(self) -> WeekFigure | None:
        shown = self.shown
        return shown[-2] if len(shown) > 1 else None

    @property
    def trend(self) -> str | None:
        """The latest week shown against the one shown before it; None with fewer than
        two weeks shown."""
        latest, previous = self.latest, self.previous
        if latest is None or previous is None:
            return None
        assert latest.average is not None and previous.average is not None  # noqa: S101
        change = latest.average - previous.average
        if change >= TREND_STEP:
            return Trend.HIGHER
        if change <= -TREND_STEP:
            return Trend.LOWER
        return Trend.SAME


@dataclass(frozen=True)
class Overview:
    """What ``member`` sees of the pulse: finished weeks only, oldest first."""

    this_week: dt.date
    weeks: list[dt.date]
    teams: list[GroupPulse]
    no_team: GroupPulse | None  # HR and the director only
    organisation: GroupPulse | None  # HR and the director only

    @property
    def minimum(self) -> int:
        return PULSE_MINIMUM


Counts = dict[tuple[uuid.UUID | None, dt.date], tuple[int, int, int]]


def _counts(
    organisation_id: uuid.UUID, weeks: list[dt.date], team_ids: Iterable[uuid.UUID] | None
) -> Counts:
    """(team id, week) → (answers, sum of levels, answers of 4 or 5): one query. These raw
    numbers never leave this module; ``_figure`` decides what is shown."""
    rows = PulseAnswer.objects.filter(organisation_id=organisation_id, week_of__in=weeks)
    if team_ids is not None:
        rows = rows.filter(team_id__in=list(team_ids))
    found = (
        rows.values("team_id", "week_of")
        .annotate(
            count=Count("id"),
            total=Sum("level"),
            high=Count("id", filter=Q(level__gte=HIGH)),
        )
        .order_by()
    )
    return {
        (row["team_id"], row["week_of"]): (row["count"], row["total"] or 0, row["high"])
        for row in found
    }


def _organisation_figure(counts: Counts, week: dt.date) -> WeekFigure:
    """The teams that reach the minimum, and the answers without a team if they alone do:
    the sum of what is shown, so nothing hidden can be subtracted out of it."""
    count = total = high = 0
    for (_team, row_week), (n, s, h) in counts.items():
        if row_week == week and n >= PULSE_MINIMUM:
            count, total, high = count + n, total + s, high + h
    return _figure(week, count, total, high)


def overview(
    *, actor: Membership, now: dt.datetime | None = None, weeks: int = WEEKS_SHOWN
) -> Overview:
    """The teams ``actor`` sees, each over the last ``weeks`` finished weeks (404 for
    someone who sees none: ``teams_seen_by``); for HR and the director also the answers
    without a team and the whole organisation."""
    teams = teams_seen_by(actor)
    current = this_week(actor, now)
    shown = [current - dt.timedelta(weeks=back) for back in range(weeks, 0, -1)]
    whole = sees_whole_organisation(actor)
    counts = _counts(actor.organisation_id, shown, None if whole else [t.pk for t in teams])

    def group(kind: str, team: Team | None) -> GroupPulse:
        key = None if team is None else team.pk
        return GroupPulse(
            kind,
            team,
            [_figure(week, *counts.get((key, week), (0, 0, 0))) for week in shown],
        )

    return Overview(
        this_week=current,
        weeks=shown,
        teams=[group("team", team) for team in sorted(teams, key=lambda t: t.name.casefold())],
        no_team=group("no_team", None) if whole else None,
        organisation=(
            GroupPulse("organisation", None, [_organisation_figure(counts, w) for w in shown])
            if whole
            else None
        ),
    )
