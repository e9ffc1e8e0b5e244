"""The outreach escalation benchmark (issue 5 "Benchmark"): how soon after an outreach
shift's deadline the first alert reaches the outside world, with nothing lost.

    .venv/bin/python bench/outreach_escalation.py                     # every scenario
    .venv/bin/python bench/outreach_escalation.py --scenario sqlite --shifts 500 --spread 60

Each scenario starts on a fresh folder (its own SQLite file, or a fresh PostgreSQL
database it creates and drops), generates a small network (``bench/generate.py``) and
writes ``--shifts`` open (checked-out) shifts whose deadlines (planned return + the
policy's 15 minutes of grace) fall evenly over ``--spread`` seconds, starting ``--lead``
seconds after they are written. Shifts are inserted in bulk with exactly the columns
``services.check_out`` writes (state ``out``, ``escalation_due_at`` = the deadline): the
benchmark measures the loop, not 10,000 check-outs.

Each organisation's policy has one step, the partner (shifts go in pairs, so both workers
are alerted: two deliveries a shift), sent by webhook to a fake gateway SERVER on
127.0.0.1 in this process, which records each receipt: time, delivery id, shift and
recipient. Every ``--drop-every``-th request is recorded and then the connection is closed
without an answer: the sender cannot know whether it arrived ("outcome unknown"), retries,
and the receipt is duplicated, as the design allows and asks to count.

Then the real processes run, as ``make run`` starts them: ``manage.py run_deadlines`` (one
or two loops) and ``manage.py run_worker`` (one on SQLite, two on PostgreSQL, or
``--workers``) as separate OS processes. In the ``-kill`` scenarios one loop is killed with SIGKILL half-way through the
spread and started again ``--restart-after`` seconds later.

Reported, per shift: the delay from its deadline to the first alert received (p50, p99,
max), split into the loop's part (deadline → the claim's round, from the OVERDUE line of
the timeline) and the sending part (claim → receipt); alerts lost (a shift, or a
(shift, recipient), with no receipt by the end); duplicates (a delivery id received more
than once, or one (shift, kind, recipient) received under two delivery ids), and how many
duplicated deliveries had an "outcome unknown" attempt. Goal (issue 5): p99 ≤ 60 s (aim
10 s), nothing lost, duplicates only where an outcome was unknown.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import machine  # noqa: E402
from bench.server import bench_environment  # noqa: E402

MANAGE = ROOT / "manage.py"
SCENARIOS = {
    # name: (database, loops, task workers, kill one loop mid-run). Two workers on
    # PostgreSQL: one fell behind there (README "Outreach escalation").
    "sqlite": ("sqlite", 1, 1, False),
    "postgresql": ("postgresql", 2, 2, False),
    "sqlite-kill": ("sqlite", 1, 1, True),
    "postgresql-kill": ("postgresql", 2, 2, True),
}
GRACE = timedelta(minutes=15)
KIND = "outreach.overdue"
STOP_TIMEOUT_SECONDS = 15.0


# --- the fake gateway --------------------------------------------------------------


@dataclass
class Receipt:
    at: float  # time.time() when the request arrived
    delivery: str
    shift: str
    recipient: str
    kind: str
    dropped: bool  # answered by closing the connection: the sender's outcome is unknown


@dataclass
class Gateway:
    """A webhook receiver on 127.0.0.1 that records every request it gets."""

    drop_every: int = 0
    receipts: list[Receipt] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                at = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = {}
                with gateway.lock:
                    number = len(gateway.receipts) + 1
                    drop = bool(gateway.drop_every) and number % gateway.drop_every == 0
                    gateway.receipts.append(
                        Receipt(
                            at=at,
                            delivery=str(payload.get("delivery", "")),
                            shift=str((payload.get("params") or {}).get("shift", "")),
                            recipient=str(payload.get("recipient", "")),
                            kind=str(payload.get("kind", "")),
                            dropped=drop,
                        )
                    )
                if drop:
                    # Received and recorded, but no answer: the sender sees the connection
                    # close and cannot tell whether the alert arrived.
                    self.close_connection = True
                    return
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/alerts"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def snapshot(self) -> list[Receipt]:
        with self.lock:
            return list(self.receipts)


# --- the data ----------------------------------------------------------------------


@dataclass
class Plan:
    """What was written: each shift's deadline and who its first step alerts."""

    deadlines: dict[str, datetime]  # shift id -> planned return + grace
    recipients: dict[str, set[str]]  # shift id -> membership ids of the partner step
    first: datetime
    last: datetime


def populate(
    *, organisations: int, people: int, shifts: int, spread: float, lead: float, url: str
) -> Plan:
    """The network, each organisation's policy and webhook, and the open shifts."""
    from django.db import transaction
    from django_scopes import scope

    from bench.generate import generate_network
    from peerwork.core.models import Membership, Organisation, WebhookEndpoint, active_members
    from peerwork.core.models.notifications import Channel
    from peerwork.outreach.models import EscalationStep, OutreachPolicy, Shift, ShiftWorker

    generate_network(organisations=organisations, people=people, password=secrets.token_hex(8))
    orgs = list(Organisation.objects.filter(slug__startswith="net-").order_by("slug"))
    pools: list[tuple[Organisation, list[Membership]]] = []
    for organisation in orgs:
        with scope(organisation=organisation.pk), transaction.atomic():
            policy = OutreachPolicy.objects.create(
                organisation=organisation, grace_minutes=15, pairs_required=True
            )
            # One step: the partner, by webhook. Its wait (and missing after an hour) is
            # longer than the run, so no second alert muddles "the first alert".
            EscalationStep.objects.create(
                organisation=organisation,
                policy=policy,
                position=1,
                who=EscalationStep.Who.PARTNER,
                channels=[Channel.WEBHOOK],
                wait_minutes=120,
            )
            WebhookEndpoint.objects.create(
                organisation=organisation,
                url=url,
                secret=secrets.token_hex(16),
                kinds=[KIND, "outreach.missing"],
            )
            workers = list(
                Membership.objects.filter(active_members(), organisation=organisation).order_by(
                    "pk"
                )
            )
            pools.append((organisation, workers))
    first = datetime.now(UTC) + timedelta(seconds=lead)
    step = timedelta(seconds=spread / max(1, shifts - 1)) if shifts > 1 else timedelta(0)
    deadlines: dict[str, datetime] = {}
    recipients: dict[str, set[str]] = {}
    per_org: dict[int, list[tuple[datetime, Membership, Membership]]] = defaultdict(list)
    for n in range(shifts):
        index = n % len(pools)
        _organisation, workers = pools[index]
        k = n // len(pools)
        pair = (workers[(2 * k) % len(workers)], workers[(2 * k + 1) % len(workers)])
        per_org[index].append((first + step * n, *pair))
    for index, rows in per_org.items():
        organisation, _workers = pools[index]
        with scope(organisation=organisation.pk), transaction.atomic():
            made = Shift.objects.bulk_create(
                [
                    Shift(
                        organisation=organisation,
                        area="The station underpass",
                        materials="Needles and syringes, naloxone",
                        planned_start=deadline - GRACE - timedelta(hours=3),
                        planned_return=deadline - GRACE,
                        # As services.check_out leaves a shift.
                        state=Shift.State.OUT,
                        checked_out_at=deadline - GRACE - timedelta(hours=3),
                        escalation_due_at=deadline,
                        escalation_step=0,
                        created_by=one,
                    )
                    for deadline, one, _two in rows
                ],
                batch_size=500,
            )
            ShiftWorker.objects.bulk_create(
                [
                    ShiftWorker(organisation=organisation, shift=shift, member=member)
                    for shift, (_deadline, one, two) in zip(made, rows, strict=True)
                    for member in (one, two)
                ],
                batch_size=1000,
            )
            for shift, (deadline, one, two) in zip(made, rows, strict=True):
                deadlines[str(shift.pk)] = deadline
                recipients[str(shift.pk)] = {str(one.pk), str(two.pk)}
    return Plan(
        deadlines=deadlines, recipients=recipients, first=first, last=first + step * (shifts - 1)
    )


# --- the processes -----------------------------------------------------------------


@dataclass
class Processes:
    env: dict[str, str]
    folder: Path
    interval: float
    worker_interval: float
    loops: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    starts: Counter[str] = field(default_factory=Counter)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        self.starts[name] += 1
        log = (self.folder / f"{name}.{self.starts[name]}.log").open("wb")
        return subprocess.Popen(
            [sys.executable, str(MANAGE), *args],
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start_loop(self, name: str) -> None:
        self.loops[name] = self._spawn(
            name, ["run_deadlines", "--interval", str(self.interval), "--process-id", name]
        )

    def start_worker(self, name: str) -> None:
        self.workers[name] = self._spawn(
            name,
            [
                "run_worker",
                "--worker-id",
                name,
                "--no-startup-delay",
                "--interval",
                str(self.worker_interval),
            ],
        )

    def kill(self, name: str) -> None:
        process = self.loops[name]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def dead(self) -> list[str]:
        everyone = {**self.loops, **self.workers}
        return [name for name, p in everyone.items() if p.poll() is not None]

    def stop(self) -> None:
        everyone = [*self.loops.values(), *self.workers.values()]
        for process in everyone:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for process in everyone:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- one scenario ------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: a reported p99 is a real delay)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def run_scenario(options: argparse.Namespace) -> dict[str, Any]:
    database, loops, workers, kill = SCENARIOS[options.scenario]
    loops = options.loops or loops
    workers = options.workers or workers
    folder = Path(tempfile.mkdtemp(prefix=f"peerwork-escalation-{options.scenario}-"))
    database_url = None
    pg_name = ""
    if database == "postgresql":
        pg_name = f"peerwork_bench_{secrets.token_hex(4)}"
        _postgres(options.postgres, f'CREATE DATABASE "{pg_name}"')
        database_url = f"{options.postgres.rstrip('/')}/{pg_name}"
    gateway = Gateway(drop_every=options.drop_every)
    url = gateway.start()
    env = bench_environment(
        var_dir=folder, password=f"bench-{secrets.token_hex(6)}", database_url=database_url
    )
    os.environ.clear()
    os.environ.update(env)
    processes: Processes | None = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", interactive=False, verbosity=0)
        began = time.monotonic()
        plan = populate(
            organisations=options.organisations,
            people=options.people,
            shifts=options.shifts,
            spread=options.spread,
            lead=options.lead,
            url=url,
        )
        written_in = time.monotonic() - began
        connections.close_all()
        processes = Processes(
            env=env,
            folder=folder,
            interval=options.interval,
            worker_interval=options.worker_interval,
        )
        for n in range(loops):
            processes.start_loop(f"loop-{n + 1}")
        for n in range(workers):
            processes.start_worker(f"worker-{n + 1}")
        watched = watch(options, plan, gateway, processes, kill=kill)
        processes.stop()
        result = analyse(plan, gateway.snapshot(), database=database, loops=loops)
        result.update(
            scenario=options.scenario,
            shifts=options.shifts,
            spread=options.spread,
            workers=workers,
            interval=options.interval,
            written_seconds=round(written_in, 1),
            **watched,
        )
        return result
    finally:
        if processes is not None:
            processes.stop()
        gateway.stop()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if pg_name:
            _postgres(options.postgres, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if options.keep:
            print(f"Kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def watch(
    options: argparse.Namespace,
    plan: Plan,
    gateway: Gateway,
    processes: Processes,
    *,
    kill: bool,
) -> dict[str, Any]:
    """Wait until every expected alert arrived and every request left unanswered was sent
    again (at most ``--settle`` seconds more, for late duplicates) or ``--drain`` seconds
    after the last deadline; kill and restart a loop half-way through when asked."""
    expected = {(s, r) for s, people in plan.recipients.items() for r in people}
    kill_at = plan.first.timestamp() + options.spread / 2
    killed_at: float | None = None
    restarted_at: float | None = None
    complete_at: float | None = None
    give_up = plan.last.timestamp() + options.drain
    crashed: list[str] = []
    while True:
        now = time.time()
        if kill and killed_at is None and now >= kill_at:
            processes.kill("loop-1")
            killed_at = now
        if (
            killed_at is not None
            and restarted_at is None
            and now >= killed_at + options.restart_after
        ):
            processes.start_loop("loop-1")
            restarted_at = now
        crashed = [name for name in processes.dead() if not (name == "loop-1" and killed_at)]
        if crashed:
            break
        receipts = gateway.snapshot()
        if complete_at is None:
            got = {(r.shift, r.recipient) for r in receipts if r.kind == KIND}
            if expected <= got:
                complete_at = now
        if complete_at is not None and (
            now >= complete_at + options.settle or every_one_answered(receipts)
        ):
            # Late duplicates come only from retries of requests left unanswered: once
            # each delivery has had an answered request there is nothing more to wait for.
            break
        if now >= give_up:
            break
        time.sleep(0.5)
    return {
        "killed": bool(killed_at),
        "killed_after": round(killed_at - plan.first.timestamp(), 1) if killed_at else None,
        "restarted_after": round(restarted_at - killed_at, 1)
        if restarted_at and killed_at
        else None,
        "crashed": crashed,
    }


def every_one_answered(receipts: list[Receipt]) -> bool:
    """Every delivery the gateway heard of has had a request it answered."""
    unanswered = {r.delivery for r in receipts if r.dropped}
    return not unanswered - {r.delivery for r in receipts if not r.dropped}


def analyse(plan: Plan, receipts: list[Receipt], *, database: str, loops: int) -> dict[str, Any]:
    from django_scopes import scopes_disabled

    from peerwork.core.models import Delivery, DeliveryAttempt
    from peerwork.outreach.models import ShiftEvent

    first_receipt: dict[str, float] = {}
    by_delivery: Counter[str] = Counter()
    by_alert: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    got: set[tuple[str, str]] = set()
    for receipt in receipts:
        by_delivery[receipt.delivery] += 1
        by_alert[(receipt.shift, receipt.kind, receipt.recipient)].add(receipt.delivery)
        if receipt.kind == KIND:
            got.add((receipt.shift, receipt.recipient))
            if receipt.shift not in first_receipt or receipt.at < first_receipt[receipt.shift]:
                first_receipt[receipt.shift] = receipt.at
    with scopes_disabled():
        claimed_at = dict(
            ShiftEvent.objects.filter(kind=ShiftEvent.Kind.OVERDUE).values_list("shift_id", "at")
        )
        unknown = {
            str(pk)
            for pk in Delivery.objects.filter(unknown_outcomes__gt=0).values_list("pk", flat=True)
        }
        deliveries = Counter(Delivery.objects.values_list("state", flat=True))
        attempts = Counter(DeliveryAttempt.objects.values_list("outcome", flat=True))
        overdue_events = Counter(
            ShiftEvent.objects.filter(kind=ShiftEvent.Kind.OVERDUE).values_list(
                "shift_id", flat=True
            )
        )
    delays, loop_part, send_part = [], [], []
    for shift, deadline in plan.deadlines.items():
        if shift in first_receipt:
            delays.append(first_receipt[shift] - deadline.timestamp())
            claim = claimed_at.get(uuid.UUID(shift))
            if claim is not None:
                loop_part.append(claim.timestamp() - deadline.timestamp())
                send_part.append(first_receipt[shift] - claim.timestamp())
    expected = {(s, r) for s, people in plan.recipients.items() for r in people}
    duplicated = {d for d, n in by_delivery.items() if n > 1}
    twice_claimed = [key for key, ids in by_alert.items() if len(ids) > 1]

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "p50": round(percentile(values, 0.50), 2),
            "p99": round(percentile(values, 0.99), 2),
            "max": round(max(values), 2) if values else float("nan"),
        }

    return {
        "database": database,
        "loops": loops,
        "delay": summary(delays),
        "loop_part": summary(loop_part),
        "send_part": summary(send_part),
        "shifts_lost": len(plan.deadlines) - len(first_receipt),
        "alerts_lost": len(expected - got),
        "receipts": len(receipts),
        "duplicate_deliveries": len(duplicated),
        "duplicates_with_unknown_outcome": len(duplicated & unknown),
        "duplicates_without_unknown_outcome": len(duplicated - unknown),
        "alerts_under_two_delivery_ids": len(twice_claimed),
        "shifts_claimed_twice": sum(1 for n in overdue_events.values() if n > 1),
        "dropped_by_gateway": sum(1 for r in receipts if r.dropped),
        "deliveries": dict(deliveries),
        "attempts": dict(attempts),
    }


def _postgres(base_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{base_url.rstrip('/')}/postgres", autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


# --- the table ---------------------------------------------------------------------


def table(results: list[dict[str, Any]]) -> str:
    header = (
        f"{'scenario':<16} {'loops':>5} {'workers':>7} {'p50 s':>6} {'p99 s':>6} {'max s':>6} "
        f"{'loop p99':>8} {'send p99':>8} {'lost':>4} {'dup':>4} {'dup unk':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r['scenario']:<16} {r['loops']:>5} {r['workers']:>7} {r['delay']['p50']:>6.1f} "
            f"{r['delay']['p99']:>6.1f} {r['delay']['max']:>6.1f} "
            f"{r['loop_part']['p99']:>8.1f} {r['send_part']['p99']:>8.1f} "
            f"{r['alerts_lost']:>4} {r['duplicate_deliveries']:>4} "
            f"{r['duplicates_with_unknown_outcome']:>7}"
        )
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="all", choices=["all", *SCENARIOS])
    p.add_argument("--shifts", type=int, default=10_000)
    p.add_argument("--spread", type=float, default=600.0, help="seconds the deadlines span")
    p.add_argument("--lead", type=float, default=20.0, help="seconds to the first deadline")
    p.add_argument("--organisations", type=int, default=10)
    p.add_argument("--people", type=int, default=400)
    p.add_argument("--loops", type=int, default=0, help="deadline loops (default: scenario's)")
    p.add_argument("--workers", type=int, default=0, help="task workers (default: scenario's)")
    p.add_argument("--interval", type=float, default=1.0, help="the loops' --interval")
    p.add_argument("--worker-interval", type=float, default=1.0, help="the workers' --interval")
    p.add_argument("--drop-every", type=int, default=500, help="gateway: no answer every Nth")
    p.add_argument("--restart-after", type=float, default=5.0)
    p.add_argument("--drain", type=float, default=240.0, help="seconds after the last deadline")
    p.add_argument("--settle", type=float, default=30.0, help="seconds for late duplicates")
    p.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder and logs")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)
    if options.scenario != "all":
        result = run_scenario(options)
        results = [result]
    else:
        results = []
        args = list(argv if argv is not None else sys.argv[1:])
        for name in SCENARIOS:
            # Each scenario in a process of its own: its own database and Django settings.
            done = subprocess.run(
                [sys.executable, __file__, *args, "--scenario", name, "--json"],
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
        print(
            f"{options.shifts} shifts, deadlines over {options.spread:.0f} s, "
            f"loop interval {options.interval} s"
        )
        print(table(results))
    failed = any(r["alerts_lost"] or r["duplicates_without_unknown_outcome"] for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
