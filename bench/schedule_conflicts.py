"""The schedule conflicts benchmark (issue 6 "Benchmark"): what keeping every meeting's
conflicts costs in an organisation of 500 people, and that a change of one person's hours
touches only that person's rows.

    .venv/bin/python bench/schedule_conflicts.py                        # SQLite and PostgreSQL
    .venv/bin/python bench/schedule_conflicts.py --database sqlite --runs 9

Each database runs in a process of its own on a fresh folder (its own SQLite file, or a
fresh PostgreSQL database it creates on ``--postgres`` and drops afterwards). It generates
one organisation of ``--people`` people (``bench/generate.py``: roles, line managers and
the people module's records, among them agreed working patterns for 60% of employees and
times away for a quarter of people), then, in the organisation's scope:

- an agreed working pattern for everyone still without one (the team's usual hours, Monday
  to Friday, or four days for one in five);
- agreed adjustments for one in ten (a 10:45 start Monday to Friday, an earlier finish on
  one day, or a break), in force from before today with a review date;
- more times away in the next three months for one in seven (a morning, an afternoon or a
  whole day, "unavailable" or "appointment");
- ``--meetings`` recurring meetings (two in three weekly, the rest fortnightly) on a
  weekday, between 08:30 and 16:00, of 30 to 90 minutes, each with 5 to 30 attendees (four
  in five required), inserted in bulk without their conflicts.

Then it times, ``--runs`` times each (median and 95th percentile, nearest rank):

a. **full**: the conflicts of every meeting worked out from nothing over
   ``conflicts.HORIZON`` (13 weeks): ``conflicts.recalculate_meeting`` for each meeting;
b. **one person's pattern changes**: ``people.availability.set_working_pattern`` as HR,
   whose ``availability_changed`` signal runs ``conflicts.recalculate_member``, for a
   different attendee each run (the pattern moves their start by an hour, so their rows
   change). Every other person's ``Conflict`` rows are compared before and after (id,
   meeting, date, kind, times): the number that changed must be 0. Also timed alone:
   ``recalculate_member`` for the same people;
c. **schedule health reads the rows**: the query of the "Schedule health" page (a
   director's: every meeting; conflicts of required attendees in the next four weeks), and
   the whole page, ``GET /schedule/health/`` through Django's test client and every
   middleware, as the director and as the line manager with the most reports among the
   attendees (both signed in with an authenticator app set up, as Peerwork requires).

And counts the queries of each (one untimed run) and the rows: conflicts kept, meetings,
attendees, occurrences in the horizon.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import machine  # noqa: E402
from bench.server import bench_environment  # noqa: E402

DATABASES = ("sqlite", "postgresql")
HEALTH_PATH = "/schedule/health/"
HEALTH_WEEKS = 4


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest rank (no interpolation: a reported p95 is a time that happened)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


@dataclass
class Timed:
    name: str
    seconds: list[float] = field(default_factory=list)
    queries: int = 0
    rows: int = 0  # what the operation wrote or read
    kilobytes: float | None = None  # a page's size

    def report(self) -> dict[str, Any]:
        return {
            "kilobytes": self.kilobytes,
            "name": self.name,
            "runs": len(self.seconds),
            "median_ms": round(statistics.median(self.seconds) * 1000, 1),
            "p95_ms": round(percentile(self.seconds, 0.95) * 1000, 1),
            "queries": self.queries,
            "rows": self.rows,
        }


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = function()
    return time.perf_counter() - began, result


def counted(function: Callable[[], Any]) -> tuple[int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = function()
    return len(captured.captured_queries), result


# --- the organisation's schedule ------------------------------------------------------


@dataclass
class Schedule:
    organisation: Any
    today: dt.date
    members: list[Any]
    meetings: list[Any]
    attendees: int
    patterns_added: int
    adjustments: int
    times_away: int
    hr: Any
    director: Any
    line_manager: Any  # the one with the most reports among the attendees
    attending: dict[Any, int]  # membership id -> meetings attended


def populate(rng: random.Random, *, people: int, meetings: int) -> Schedule:
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scope

    from bench.generate import generate_network
    from peerwork.core.models import Membership, Organisation, Role
    from peerwork.people.models import Adjustment, Unavailability, WorkingPattern
    from peerwork.schedule.conflicts import zone_of
    from peerwork.schedule.models import Attendee, Meeting

    network = generate_network(organisations=1, people=people, password=secrets.token_hex(8))
    organisation = Organisation.objects.get(slug=network.largest)
    zone = zone_of(organisation)
    today = timezone.localdate(timezone.now(), zone)
    with scope(organisation=organisation.pk), transaction.atomic():
        members = [
            m
            for m in Membership.objects.filter(organisation=organisation)
            .select_related("user", "line_manager")
            .order_by("user__username")
            if m.is_active
        ]
        by_username = {m.user.username: m for m in members}
        hr = by_username[network.largest_by_role["hr"]]
        director = by_username[network.largest_by_role["director"]]
        with_pattern = set(
            WorkingPattern.objects.filter(organisation=organisation).values_list(
                "membership_id", flat=True
            )
        )
        patterns = []
        for m in members:
            if m.pk in with_pattern:
                continue
            days = range(5) if rng.random() < 0.8 else range(4)
            starts = dt.time(rng.choice((8, 9, 9, 9)), rng.choice((0, 30)))
            patterns += [
                WorkingPattern(
                    organisation=organisation,
                    membership=m,
                    weekday=day,
                    starts=starts,
                    ends=dt.time(17, 30),
                    agreed_on=today - dt.timedelta(days=400),
                    agreed_by=m.line_manager,
                )
                for day in days
            ]
        WorkingPattern.objects.bulk_create(patterns, batch_size=500)

        adjustments = []
        for m in rng.sample(members, k=len(members) // 10):
            kind = rng.random()
            terms: dict[str, Any]
            if kind < 0.5:
                terms = {"weekdays": [0, 1, 2, 3, 4], "starts": dt.time(10, 45)}
            elif kind < 0.75:
                terms = {"weekdays": [rng.randrange(5)], "ends": dt.time(15, 0)}
            else:
                terms = {
                    "weekdays": [rng.randrange(5)],
                    "break_starts": dt.time(12, 0),
                    "break_ends": dt.time(13, 30),
                }
            agreed = timezone.now() - dt.timedelta(days=rng.randrange(10, 200))
            adjustments.append(
                Adjustment(
                    organisation=organisation,
                    membership=m,
                    valid_from=today - dt.timedelta(days=rng.randrange(1, 180)),
                    review_on=today + dt.timedelta(days=rng.randrange(30, 180)),
                    state=Adjustment.State.AGREED,
                    proposed_by=m,
                    proposed_at=agreed,
                    person_agreed_at=agreed,
                    manager_agreed_at=agreed,
                    agreed_by=m.line_manager,
                    agreed_on=agreed.date(),
                    **terms,
                )
            )
        Adjustment.objects.bulk_create(adjustments, batch_size=500)

        away = []
        for m in rng.sample(members, k=len(members) // 7):
            for _ in range(rng.randint(1, 3)):
                day = today + dt.timedelta(days=rng.randrange(0, 91))
                span = rng.choice(((8, 12), (13, 18), (0, 24)))
                starts_at = dt.datetime.combine(day, dt.time(span[0]), tzinfo=zone)
                away.append(
                    Unavailability(
                        organisation=organisation,
                        membership=m,
                        kind=rng.choice(Unavailability.Kind.values),
                        starts_at=starts_at,
                        ends_at=starts_at + dt.timedelta(hours=span[1] - span[0]),
                    )
                )
        Unavailability.objects.bulk_create(away, batch_size=500)

        organisers = [m for m in members if m.has_role(Role.LINE_MANAGER)] or [hr]
        monday = today - dt.timedelta(days=today.weekday())
        rows = []
        attendee_rows = []
        attending: dict[Any, int] = {}
        for number in range(meetings):
            meeting = Meeting(
                organisation=organisation,
                title=f"Meeting {number + 1:03d}",
                kind=rng.choice(Meeting.Kind.values),
                organiser=rng.choice(organisers),
                first_on=monday
                - dt.timedelta(weeks=rng.randrange(0, 8))
                + dt.timedelta(days=rng.randrange(5)),
                starts=dt.time(*divmod(rng.randrange(8 * 60 + 30, 16 * 60 + 1, 15), 60)),
                minutes=rng.choice((30, 45, 60, 60, 90)),
                repeats=(
                    Meeting.Repeats.WEEKLY if rng.random() < 2 / 3 else Meeting.Repeats.FORTNIGHTLY
                ),
            )
            rows.append(meeting)
            for m in rng.sample(members, k=min(len(members), rng.randint(5, 30))):
                attendee_rows.append(
                    Attendee(
                        organisation=organisation,
                        meeting=meeting,
                        member=m,
                        required=rng.random() < 0.8,
                    )
                )
                attending[m.pk] = attending.get(m.pk, 0) + 1
        Meeting.objects.bulk_create(rows, batch_size=500)
        Attendee.objects.bulk_create(attendee_rows, batch_size=500)

        reports: dict[Any, int] = {}
        for m in members:
            if m.pk in attending and m.line_manager_id is not None:
                reports[m.line_manager_id] = reports.get(m.line_manager_id, 0) + 1
        managers = {m.pk: m for m in members if m.has_role(Role.LINE_MANAGER)}
        line_manager = max(
            (managers[pk] for pk in reports if pk in managers),
            key=lambda m: (reports[m.pk], str(m.pk)),
            default=director,
        )
    return Schedule(
        organisation=organisation,
        today=today,
        members=members,
        meetings=rows,
        attendees=len(attendee_rows),
        patterns_added=len(patterns),
        adjustments=len(adjustments),
        times_away=len(away),
        hr=hr,
        director=director,
        line_manager=line_manager,
        attending=attending,
    )


# --- what is measured -------------------------------------------------------------------


def conflict_rows(organisation_id: Any) -> dict[Any, tuple[Any, ...]]:
    from peerwork.schedule.models import Conflict

    return {
        pk: rest
        for pk, *rest in Conflict.objects.filter(organisation_id=organisation_id).values_list(
            "pk", "member_id", "meeting_id", "occurs_on", "kind", "arrives_at", "leaves_at"
        )
    }


def full_calculation(schedule: Schedule) -> int:
    from peerwork.schedule.conflicts import recalculate_meeting

    return sum(recalculate_meeting(m, today=schedule.today) for m in schedule.meetings)


def health_rows(schedule: Schedule) -> int:
    """The rows query of the "Schedule health" page for a director (every meeting): the
    conflicts of required attendees in the next four weeks, with meeting and person."""
    from django.db.models import Exists, OuterRef

    from peerwork.schedule.models import Attendee, Conflict

    organisation_id = schedule.organisation.pk
    last = schedule.today + dt.timedelta(weeks=HEALTH_WEEKS, days=-1)
    required = Attendee.objects.filter(
        organisation_id=organisation_id,
        meeting_id=OuterRef("meeting_id"),
        member_id=OuterRef("member_id"),
        required=True,
    )
    return len(
        list(
            Conflict.objects.filter(
                organisation_id=organisation_id,
                meeting__cancelled_at__isnull=True,
                occurs_on__gte=schedule.today,
                occurs_on__lte=last,
            )
            .filter(Exists(required))
            .select_related("meeting", "member__user")
            .order_by("occurs_on", "meeting__starts", "meeting_id")
        )
    )


def health_client(member: Any) -> Any:
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from django.test import Client

    from peerwork.core.mfa import enrol_totp, mfa_required

    if mfa_required(member.user):
        enrol_totp(member.user, generate_totp_secret())
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(member.user)
    return client


def measure(schedule: Schedule, *, runs: int, reads: int, rng: random.Random) -> dict[str, Any]:
    from django_scopes import scope

    from peerwork.people.availability import PatternDay, pattern_of, set_working_pattern
    from peerwork.schedule.conflicts import recalculate_member

    organisation_id = schedule.organisation.pk
    results: dict[str, Any] = {}
    with scope(organisation=organisation_id):
        # (a) every meeting's conflicts from nothing. The first run is counted, untimed.
        full = Timed("full: every meeting's conflicts")
        full.queries, full.rows = counted(lambda: full_calculation(schedule))
        for _ in range(runs):
            seconds, _rows = timed(lambda: full_calculation(schedule))
            full.seconds.append(seconds)

        # (b) one person's pattern changes: a different attendee each run.
        candidates = sorted(schedule.attending, key=str)
        rng.shuffle(candidates)
        chosen = candidates[: runs + 1]
        by_id = {m.pk: m for m in schedule.members}
        change = Timed("one pattern changes: set_working_pattern + signal")
        alone = Timed("one person: recalculate_member alone")
        checks = []
        for index, member_id in enumerate(chosen):
            person = by_id[member_id]
            moved = [_moved(d) for d in pattern_of(person)] or [
                PatternDay(day, dt.time(10, 0), dt.time(17, 30)) for day in range(5)
            ]
            before = conflict_rows(organisation_id)

            def change_pattern(person: Any = person, moved: list[PatternDay] = moved) -> Any:
                return set_working_pattern(actor=schedule.hr, membership=person, days=moved)

            if index == 0:
                change.queries, _rows = counted(change_pattern)
            else:
                seconds, _rows = timed(change_pattern)
                change.seconds.append(seconds)
            after = conflict_rows(organisation_id)
            mine_before = {pk for pk, row in before.items() if row[0] == member_id}
            mine_after = {pk for pk, row in after.items() if row[0] == member_id}
            others_before = {pk: row for pk, row in before.items() if row[0] != member_id}
            others_after = {pk: row for pk, row in after.items() if row[0] != member_id}
            others_touched = sum(
                1
                for pk in others_before.keys() | others_after.keys()
                if others_before.get(pk) != others_after.get(pk)
            )
            checks.append(
                {
                    "meetings": schedule.attending[member_id],
                    "their_rows_before": len(mine_before),
                    "their_rows_after": len(mine_after),
                    "their_rows_kept": len(mine_before & mine_after),
                    "others_rows": len(others_before),
                    "others_touched": others_touched,
                }
            )
            if index == 0:
                alone.queries, alone.rows = counted(
                    lambda person=person: recalculate_member(person, today=schedule.today)
                )
            else:
                seconds, rows = timed(
                    lambda person=person: recalculate_member(person, today=schedule.today)
                )
                alone.seconds.append(seconds)
        change.rows = round(statistics.mean(c["their_rows_after"] for c in checks))

        # (c) schedule health: the rows query, and the page as a director and a manager.
        rows_read = Timed("health: the rows query (director, 4 weeks)")
        rows_read.queries, rows_read.rows = counted(lambda: health_rows(schedule))
        for _ in range(reads):
            seconds, _rows = timed(lambda: health_rows(schedule))
            rows_read.seconds.append(seconds)

    pages = []
    for who, member in (("director", schedule.director), ("line manager", schedule.line_manager)):
        client = health_client(member)
        page = Timed(f"health: GET {HEALTH_PATH} as the {who}")
        response = client.get(HEALTH_PATH)  # warm, and checked
        if response.status_code != 200:
            raise RuntimeError(f"{HEALTH_PATH} as the {who}: {response.status_code}")
        page.kilobytes = round(len(response.content) / 1024, 1)
        page.queries, _response = counted(lambda client=client: client.get(HEALTH_PATH))
        for _ in range(reads):
            seconds, _response = timed(lambda client=client: client.get(HEALTH_PATH))
            page.seconds.append(seconds)
        pages.append(page)

    results["timings"] = [t.report() for t in (full, change, alone, rows_read, *pages)]
    results["pattern_changes"] = checks
    results["others_touched"] = sum(c["others_touched"] for c in checks)
    return results


def _moved(day: Any) -> Any:
    """The same day an hour later (or earlier, when a later start would not leave an hour),
    without core hours: a change that moves the person's conflicts."""
    from peerwork.people.availability import PatternDay

    starts = day.starts.hour * 60 + day.starts.minute
    ends = day.ends.hour * 60 + day.ends.minute
    moved = starts + 60 if starts + 120 <= ends else max(0, starts - 60)
    return PatternDay(
        day.weekday, dt.time(*divmod(moved, 60)), day.ends, None, None, day.home_working
    )


def occurrences(schedule: Schedule) -> int:
    from peerwork.schedule import windows
    from peerwork.schedule.conflicts import HORIZON

    return sum(
        1
        for m in schedule.meetings
        for _day in windows.occurrences(
            m.first_on, m.repeats, m.until, schedule.today, schedule.today + HORIZON
        )
    )


# --- one database ---------------------------------------------------------------------


def run_database(options: argparse.Namespace) -> dict[str, Any]:
    database = options.database
    folder = Path(tempfile.mkdtemp(prefix=f"peerwork-schedule-{database}-"))
    database_url = options.database_url or None
    pg_name = ""
    if database == "postgresql" and not database_url:
        pg_name = f"peerwork_bench_schedule_{secrets.token_hex(4)}"
        _postgres(options.postgres, f'CREATE DATABASE "{pg_name}"')
        database_url = f"{options.postgres.rstrip('/')}/{pg_name}"
    env = bench_environment(
        var_dir=folder, password=f"bench-{secrets.token_hex(6)}", database_url=database_url
    )
    os.environ.clear()
    os.environ.update(env)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django_scopes import scope

        from peerwork.schedule.conflicts import HORIZON
        from peerwork.schedule.models import Conflict

        call_command("migrate", interactive=False, verbosity=0)
        # The pages are rendered as a server renders them, with the collected files.
        call_command("collectstatic", interactive=False, verbosity=0)
        rng = random.Random(options.seed)
        load_before = os.getloadavg()[0]
        written, schedule = timed(
            lambda: populate(rng, people=options.people, meetings=options.meetings)
        )
        result = measure(schedule, runs=options.runs, reads=options.reads, rng=rng)
        with scope(organisation=schedule.organisation.pk):
            kept = Conflict.objects.filter(organisation=schedule.organisation).count()
        result.update(
            database=database,
            people=len(schedule.members),
            meetings=len(schedule.meetings),
            attendees=schedule.attendees,
            occurrences=occurrences(schedule),
            horizon_weeks=HORIZON.days // 7,
            conflicts_kept=kept,
            patterns_added=schedule.patterns_added,
            adjustments=schedule.adjustments,
            times_away_added=schedule.times_away,
            line_manager_reports_attending=sum(
                1
                for m in schedule.members
                if m.line_manager_id == schedule.line_manager.pk and m.pk in schedule.attending
            ),
            written_seconds=round(written, 1),
            runs=options.runs,
            reads=options.reads,
            # The machine's one-minute load average as the run began and ended: on a shared
            # machine the times mean little without it (the benchmark itself is about 1).
            load_average=[round(load_before, 1), round(os.getloadavg()[0], 1)],
        )
        return result
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if pg_name:
            _postgres(options.postgres, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if options.keep:
            print(f"Kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _postgres(base_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{base_url.rstrip('/')}/postgres", autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


# --- the table ------------------------------------------------------------------------


def table(results: list[dict[str, Any]]) -> str:
    header = (
        f"{'database':<10} {'measured':<52} {'median ms':>10} {'p95 ms':>8} {'queries':>7} "
        f"{'rows':>7} {'KB':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        for t in r["timings"]:
            lines.append(
                f"{r['database']:<10} {t['name']:<52} {t['median_ms']:>10.1f} "
                f"{t['p95_ms']:>8.1f} {t['queries']:>7} {t['rows']:>7} "
                f"{'' if t['kilobytes'] is None else t['kilobytes']:>6}"
            )
        lines.append(
            f"{r['database']:<10} {r['people']} people, {r['meetings']} meetings, "
            f"{r['attendees']} attendees, {r['occurrences']} occurrences in "
            f"{r['horizon_weeks']} weeks, {r['conflicts_kept']} conflicts kept; other people's "
            f"rows touched by a pattern change: {r['others_touched']}; load average "
            f"{r['load_average'][0]}–{r['load_average'][1]}"
        )
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database", default="all", choices=["all", *DATABASES])
    p.add_argument("--people", type=int, default=500)
    p.add_argument("--meetings", type=int, default=100)
    p.add_argument("--runs", type=int, default=7, help="timed runs of (a) and (b)")
    p.add_argument("--reads", type=int, default=30, help="timed runs of each read in (c)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument(
        "--database-url",
        default="",
        help="an existing empty database to use instead of a fresh one (it is not dropped)",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)
    if options.database != "all":
        results = [run_database(options)]
    else:
        results = []
        args = list(argv if argv is not None else sys.argv[1:])
        for name in DATABASES:
            # Each database in a process of its own: its own Django settings.
            done = subprocess.run(
                [sys.executable, __file__, *args, "--database", name, "--json"],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if done.returncode:
                print(done.stdout, done.stderr, file=sys.stderr)
                return 1
            results.append(json.loads(done.stdout)[0])
    if options.json:
        print(json.dumps(results, indent=1, default=str))
    else:
        print(f"Machine: {machine()}")
        print(table(results))
    return 1 if any(r["others_touched"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
