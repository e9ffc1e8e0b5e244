"""Server time, throughput and memory on a national-scale network (DESIGN.md "Budgets": main
pages answer in tens of milliseconds on a national-scale data set).

    python bench/latency.py            # or: make bench

1. Generates a network of 300 organisations and 20,000 people (``bench/generate.py``) in a
   fresh SQLite file in a temporary folder (``--database-url`` names an empty PostgreSQL
   database instead).
2. Server time, in this process, with Django's test client through the whole middleware
   stack of ``peerwork.settings`` (sessions, sign-in, the membership and its organisation
   scope, language): the dashboard ("my day") of one person for each role in the largest
   organisation, and a bare view (``bench/urls.py``: answers "ok", nothing else) as the
   same kind of signed-in person. Requests are interleaved, round after round in a
   shuffled order, so every target sees the same machine. Reported: median and 95th
   percentile, and the database queries of each page.
   Then the people module's pages (``bench/people_pages.py``: "My information", a
   category, shares, a new share, "Shared with me", "who saw my data", a staff record as
   HR, availability, export), each as the largest organisation's quiet person and as its
   busy one (``bench/generate_people.py``), interleaved the same way for
   ``--people-rounds``. Their queries are counted twice: right after the key cache was
   emptied (sealed values then cost a query for each key not cached, as on a server after
   a minute without a request), and again warm; a page whose warm queries are more for
   the busy person than for the quiet one grows with the data, and is named.
3. ``python -m peerwork.run`` (what ``make run`` starts: gunicorn with two workers, the
   task worker and the deadline loop) on the same database; 8 concurrent clients load
   dashboards for ``--seconds``; reported: requests per second and client-side times.
4. The peak memory of those three processes through the run (gunicorn: master and workers
   together), sampled every 0.2 s: resident set size, and proportional set size (shared
   pages divided among the processes that share them, the fairer sum for forked workers).

Prints tables; takes about two minutes on two cores. The clients run on the same machine
as the server, so throughput is a floor, not what a separate client machine would see.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.people_pages import PEOPLE_PAGES, PeoplePage  # noqa: E402
from bench.server import (  # noqa: E402
    ROLES,
    RunningPeerwork,
    bench_environment,
    running_peerwork,
)

BARE = "bare view (middleware only)"
SAMPLE_SECONDS = 0.2


# --- server time, in process ---------------------------------------------------------


@dataclass
class Timings:
    name: str
    path: str
    seconds: list[float] = field(default_factory=list)
    queries: int = 0  # with the keys of sealed values cached, as on a warm server
    cold_queries: int = 0  # the first request after the key cache was emptied

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18] * 1000


WHO = ("quiet", "busy")


def _client(username: str) -> Any:
    from django.test import Client

    from peerwork.core.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    return client


def dashboard_targets(largest_by_role: dict[str, str]) -> list[tuple[Timings, Any]]:
    """Each role's dashboard, and the bare view as a staff member."""
    targets = [
        (Timings(f"my day: {role.replace('_', ' ')}", "/"), _client(largest_by_role[role]))
        for role in ROLES
    ]
    targets.append((Timings(BARE, "/bench/bare"), _client(largest_by_role["staff"])))
    return targets


def people_targets(network: Any) -> list[tuple[Timings, Any]]:
    """Every people page for the quiet and the busy person (``generate_people``), named
    "page (quiet)" and "page (busy)"."""
    bench = network.bench_people
    clients = {"quiet": _client(bench.quiet), "busy": _client(bench.busy)}
    ids = {"quiet": bench.quiet_id, "busy": bench.busy_id}
    hr = _client(network.largest_by_role["hr"])
    targets = []
    for page in PEOPLE_PAGES:
        for who in WHO:
            path = page.path_for(ids[who])
            client = hr if page.as_hr else clients[who]
            targets.append((Timings(f"{page.name} ({who})", path), client))
    return targets


def count_queries(targets: Sequence[tuple[Timings, Any]]) -> None:
    """Each target's database queries, in untimed requests: once with the key cache just
    emptied (as after a minute without a request, ``keyring.CACHE_SECONDS``), once warm.
    Also checks every page answers 200 with a heading, not a redirect."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peerwork.core import keyring

    for timings, client in targets:
        keyring.forget_cached_keys()
        for attempt in ("cold", "warm"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(timings.path)
            page = response.content.decode()
            if response.status_code != 200 or (timings.path != "/bench/bare" and "<h1" not in page):
                raise RuntimeError(
                    f"{timings.name} answered {response.status_code} {response.get('Location', '')}"
                )
            if attempt == "cold":
                timings.cold_queries = len(queries)
            else:
                timings.queries = len(queries)


def interleaved(
    targets: Sequence[tuple[Timings, Any]], *, rounds: int, warmup: int
) -> list[Timings]:
    """Median and p95 of each target: round after round, each target once per round in a
    shuffled order, so every target sees the same machine."""
    from django.conf import settings

    if settings.DEBUG:
        raise RuntimeError("DEBUG is on: times would include query logging")
    order = list(range(len(targets)))
    shuffle = random.Random(1).shuffle
    for number in range(warmup + rounds):
        shuffle(order)
        for index in order:
            timings, client = targets[index]
            started = time.perf_counter()
            client.get(timings.path)
            elapsed = time.perf_counter() - started
            if number >= warmup:
                timings.seconds.append(elapsed)
    return [timings for timings, _client in targets]


def server_times(
    network: Any, *, rounds: int, people_rounds: int, warmup: int
) -> tuple[list[Timings], list[Timings]]:
    """The dashboards and the bare view; then the people module's pages."""
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF="bench.urls"):
        dashboards = dashboard_targets(network.largest_by_role)
        count_queries(dashboards)
        print(f"Server time: dashboards, {rounds} rounds …", flush=True)
        first = interleaved(dashboards, rounds=rounds, warmup=warmup)
        people = people_targets(network)
        count_queries(people)
        print(f"Server time: people pages, {people_rounds} rounds …", flush=True)
        second = interleaved(people, rounds=people_rounds, warmup=warmup)
    return first, second


def _pair(timings: Sequence[Timings], page: PeoplePage) -> tuple[Timings, Timings]:
    by_name = {t.name: t for t in timings}
    quiet, busy = (by_name[f"{page.name} ({who})"] for who in WHO)
    return quiet, busy


def people_table(timings: Sequence[Timings], bare: Timings) -> str:
    rows = [
        (
            "page",
            "quiet median ms",
            "p95",
            "queries (cold)",
            "busy median ms",
            "p95",
            "queries (cold)",
        )
    ]
    for page in PEOPLE_PAGES:
        quiet, busy = _pair(timings, page)
        rows.append(
            (
                f"{page.name} {page.path}",
                f"{quiet.median_ms:.1f}",
                f"{quiet.p95_ms:.1f}",
                f"{quiet.queries} ({quiet.cold_queries})",
                f"{busy.median_ms:.1f}",
                f"{busy.p95_ms:.1f}",
                f"{busy.queries} ({busy.cold_queries})",
            )
        )
    return render_table(rows, right=lambda i: i > 0)


def enrol(usernames: Iterable[str]) -> None:
    """The people the benchmark signs in as have set up an authenticator app where their
    roles need one, as Peerwork requires before it shows them anything (peerwork.core.mfa);
    so their requests pay for that check too."""
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    from peerwork.core.mfa import enrol_totp, mfa_required
    from peerwork.core.models import User

    for user in User.objects.filter(username__in=list(usernames)):
        if mfa_required(user):
            enrol_totp(user, generate_totp_secret())


def session_cookies(usernames: Sequence[str]) -> list[dict[str, str]]:
    """Signed-in sessions for the throughput clients, made as the test client makes them
    (the sign-in form is not what is measured, and would be rate-limited)."""
    from django.conf import settings
    from django.test import Client

    from peerwork.core.models import User

    cookies = []
    for username in usernames:
        client = Client()
        client.force_login(User.objects.get(username=username))
        name = settings.SESSION_COOKIE_NAME
        cookies.append({name: client.cookies[name].value})
    return cookies


# --- throughput against gunicorn -----------------------------------------------------


@dataclass
class Load:
    clients: int
    seconds: float = 0.0
    ok: int = 0
    failed: int = 0
    times: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def throughput(
    peerwork: RunningPeerwork, cookies: Sequence[dict[str, str]], *, seconds: float
) -> Load:
    """Each client loads its person's dashboard again and again until time is up."""
    import httpx

    load = Load(clients=len(cookies))
    lock = threading.Lock()
    start = threading.Barrier(len(cookies) + 1)
    stop_at = 0.0

    def client(jar: dict[str, str]) -> None:
        ok = failed = 0
        times: list[float] = []
        with httpx.Client(base_url=peerwork.url, cookies=jar, timeout=30) as http:
            # A connection and a warm worker before the clock starts; and the page is the
            # person's day, not a redirect to sign in or to set up a second step.
            first = http.get("/")
            if first.status_code != 200 or "<h1>" not in first.text:
                errors.append(f"{first.status_code} {first.headers.get('location', '')}")
            start.wait()
            while time.monotonic() < stop_at:
                began = time.perf_counter()
                response = http.get("/")
                times.append(time.perf_counter() - began)
                if response.status_code == 200:
                    ok += 1
                else:
                    failed += 1
        with lock:
            load.ok += ok
            load.failed += failed
            load.times.extend(times)

    errors: list[str] = []
    threads = [threading.Thread(target=client, args=(jar,)) for jar in cookies]
    for thread in threads:
        thread.start()
    stop_at = time.monotonic() + seconds + 60  # set properly once every client is ready
    start.wait()
    began = time.monotonic()
    stop_at = began + seconds
    for thread in threads:
        thread.join()
    load.seconds = time.monotonic() - began
    if errors:
        raise RuntimeError(f"clients did not get their dashboards: {', '.join(errors)}")
    return load


# --- memory of the three processes ---------------------------------------------------


@dataclass
class Memory:
    rss: dict[str, int] = field(default_factory=dict)  # peak, in kB, per process kind
    pss: dict[str, int] = field(default_factory=dict)
    processes: dict[str, int] = field(default_factory=dict)  # most seen at once


def _parents() -> dict[int, int]:
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _kb(path: Path, field_name: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _kind(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
    for kind, marker in (
        ("web", "gunicorn"),
        ("worker", "run_worker"),
        ("deadlines", "run_deadlines"),
    ):
        if marker in command:
            return kind
    return ""


class MemorySampler(threading.Thread):
    """Samples the tree under ``python -m peerwork.run`` until stopped; keeps the peaks."""

    def __init__(self, supervisor: int) -> None:
        super().__init__(daemon=True)
        self.supervisor = supervisor
        self.memory = Memory()
        self.done = threading.Event()

    def sample(self) -> None:
        parents = _parents()
        children = [pid for pid, parent in parents.items() if parent == self.supervisor]
        rss: dict[str, int] = {}
        pss: dict[str, int] = {}
        count: dict[str, int] = {}
        for child in children:
            kind = _kind(child)
            if not kind:
                continue
            # The child and its own children (gunicorn's workers).
            for pid in [child, *[p for p, parent in parents.items() if parent == child]]:
                rss[kind] = rss.get(kind, 0) + _kb(Path(f"/proc/{pid}/status"), "VmRSS")
                pss[kind] = pss.get(kind, 0) + _kb(Path(f"/proc/{pid}/smaps_rollup"), "Pss")
                count[kind] = count.get(kind, 0) + 1
        for kind in rss:
            self.memory.rss[kind] = max(self.memory.rss.get(kind, 0), rss[kind])
            self.memory.pss[kind] = max(self.memory.pss.get(kind, 0), pss[kind])
            self.memory.processes[kind] = max(self.memory.processes.get(kind, 0), count[kind])

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.sample()


# --- the run -------------------------------------------------------------------------


def render_table(rows: Sequence[Sequence[str]], right: Callable[[int], bool]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [c.rjust(widths[i]) if right(i) else c.ljust(widths[i]) for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores{f' ({model})' if model else ''}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=200, help="requests per dashboard, timed")
    parser.add_argument(
        "--people-rounds", type=int, default=100, help="requests per people page, timed"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="of the throughput run")
    parser.add_argument("--database-url", help="an empty database (default: SQLite, temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="peerwork-latency-"))
    env = bench_environment(
        var_dir=folder,
        password=f"bench-{secrets.token_hex(6)}",
        database_url=options.database_url,
    )
    os.environ.clear()
    os.environ.update(env)
    try:
        return run(options, env)
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


def run(options: argparse.Namespace, env: dict[str, str]) -> int:
    import django

    django.setup()
    from django.db import connection, connections

    from bench.generate import generate_network
    from peerwork.run import prepare

    print(f"Machine: {machine()}", flush=True)
    print(f"Database: {connection.vendor} ({env['PEERWORK_VAR_DIR']})", flush=True)
    # As make run prepares (migrate, catalogs, static files), without the demo seed yet.
    prepare(demo=False)
    began = time.monotonic()
    network = generate_network(
        organisations=options.organisations,
        people=options.people,
        password=env["PEERWORK_DEMO_PASSWORD"],
    )
    largest = network.sizes[network.largest]
    print(
        f"Generated {network.organisations} organisations and {network.people} people in "
        f"{time.monotonic() - began:.0f} s; the largest has {largest} people.",
        flush=True,
    )
    print("The people module's records:", flush=True)
    for kind, count in sorted(network.people_module.items()):
        print(f"  {kind}: {count}", flush=True)

    enrol(
        [*network.largest_by_role.values(), network.bench_people.quiet, network.bench_people.busy]
    )

    timings, people_timings = server_times(
        network, rounds=options.rounds, people_rounds=options.people_rounds, warmup=10
    )
    people = [network.largest_by_role[role] for role in ROLES]
    cookies = session_cookies([people[n % len(people)] for n in range(options.clients)])
    connections.close_all()

    print("Starting python -m peerwork.run on the same database …", flush=True)
    with running_peerwork(env) as peerwork:
        sampler = MemorySampler(peerwork.process.pid)
        sampler.start()
        time.sleep(2)  # the worker and deadline loop settle into their loops
        print(f"Throughput: {options.clients} clients for {options.seconds:.0f} s …", flush=True)
        load = throughput(peerwork, cookies, seconds=options.seconds)
        time.sleep(1)
        sampler.done.set()
        sampler.join()
        sampler.sample()

    bare = next(t for t in timings if t.name == BARE)
    print()
    print(
        f"Server time on {network.organisations} organisations, {network.people} people "
        f"(the largest organisation: {largest} people); {options.rounds} requests each, "
        "in process through the full middleware stack:"
    )
    rows = [("page", "median ms", "p95 ms", "queries", "median over bare")]
    for t in timings:
        over = "" if t is bare else f"+{t.median_ms - bare.median_ms:.1f}"
        rows.append((t.name, f"{t.median_ms:.1f}", f"{t.p95_ms:.1f}", str(t.queries), over))
    print(render_table(rows, right=lambda i: i > 0))

    print()
    print(
        "The people module's pages, for the quiet and the busy person of the largest "
        f"organisation (a staff record: HR reading theirs); {options.people_rounds} requests "
        "each. Queries: with the keys of sealed values cached (cold: the first request after "
        "the key cache was emptied)."
    )
    print(people_table(people_timings, bare))
    growing = [
        page.name
        for page in PEOPLE_PAGES
        if _pair(people_timings, page)[1].queries > _pair(people_timings, page)[0].queries
    ]
    if growing:
        print(f"Queries grow with the data on: {', '.join(growing)}.")
    else:
        print("No page's queries grow with the data (busy = quiet, keys cached).")

    ordered = sorted(load.times)
    print()
    print(
        f"Throughput, gunicorn (2 workers, as make run): {load.clients} concurrent clients, "
        f"{load.seconds:.0f} s: {load.per_second:.1f} dashboards/s "
        f"({load.ok} answered, {load.failed} failed); client-side median "
        f"{statistics.median(ordered) * 1000:.0f} ms, p95 "
        f"{statistics.quantiles(ordered, n=20, method='inclusive')[18] * 1000:.0f} ms."
    )
    memory = sampler.memory
    print()
    print("Peak memory of the make run processes during the run (MB):")
    labels = {
        "web": "web (gunicorn master + workers)",
        "worker": "task worker",
        "deadlines": "deadline loop",
    }
    rows = [("process", "processes", "peak RSS", "peak PSS")]
    for kind, label in labels.items():
        rows.append(
            (
                label,
                str(memory.processes.get(kind, 0)),
                f"{memory.rss.get(kind, 0) / 1024:.0f}",
                f"{memory.pss.get(kind, 0) / 1024:.0f}",
            )
        )
    rows.append(
        (
            "all three",
            str(sum(memory.processes.values())),
            f"{sum(memory.rss.values()) / 1024:.0f}",
            f"{sum(memory.pss.values()) / 1024:.0f}",
        )
    )
    print(render_table(rows, right=lambda i: i > 0))
    return 1 if load.failed else 0


if __name__ == "__main__":
    sys.exit(main())
