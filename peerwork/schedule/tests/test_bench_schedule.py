"""The schedule conflicts benchmark (``bench/schedule_conflicts.py``), run tiny on the
suite's kind of database (SQLite, or PostgreSQL in CI) so it cannot rot: every part runs,
the report has its shape, and a change of one person's pattern touches nobody else's
conflicts. No timing is asserted."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from bench.schedule_conflicts import _moved, percentile
from peerwork.people.availability import PatternDay

ROOT = Path(__file__).resolve().parents[3]


def test_it_reports_a_nearest_rank_percentile_that_happened():
    values = [float(n) for n in range(1, 21)]
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert percentile([4.0], 0.95) == 4.0


def test_it_moves_a_day_an_hour_later_or_earlier_and_keeps_it_valid():
    later = _moved(PatternDay(0, dt.time(9, 0), dt.time(17, 30), dt.time(10), dt.time(15)))
    assert (later.starts, later.ends, later.core_starts) == (dt.time(10), dt.time(17, 30), None)
    short = _moved(PatternDay(1, dt.time(15, 0), dt.time(16, 0)))
    assert short.starts == dt.time(14, 0) and short.starts < short.ends


def _database() -> list[str]:
    """SQLite, or, when the suite runs on PostgreSQL (``PEERWORK_DATABASE_URL``, as in CI),
    a fresh database on the same server that the benchmark creates and drops."""
    url = os.environ.get("PEERWORK_DATABASE_URL", "")
    if not url.startswith(("postgresql://", "postgres://")):
        return ["--database", "sqlite"]
    parts = urlsplit(url)
    return ["--database", "postgresql", "--postgres", f"postgresql://{parts.netloc}"]


def test_a_tiny_run_measures_every_part_and_touches_only_the_changed_persons_rows():
    database = _database()
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "schedule_conflicts.py"),
            *database,
            "--people",
            "40",
            "--meetings",
            "6",
            "--runs",
            "2",
            "--reads",
            "2",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (report,) = json.loads(done.stdout)
    assert report["database"] == database[1]
    assert report["meetings"] == 6 and report["people"] >= 30
    assert report["attendees"] >= 6 * 5 and report["occurrences"] > 0
    names = [t["name"] for t in report["timings"]]
    assert any(n.startswith("full") for n in names)
    assert any(n.startswith("one pattern changes") for n in names)
    assert sum(n.startswith("health: GET") for n in names) == 2
    for timing in report["timings"]:
        assert timing["runs"] >= 2
        assert 0 <= timing["median_ms"] <= timing["p95_ms"]
        assert timing["queries"] > 0
    # Three pattern changes (runs + 1), each checked against everyone else's rows.
    assert len(report["pattern_changes"]) == 3
    assert report["others_touched"] == 0
    for change in report["pattern_changes"]:
        assert change["others_touched"] == 0 and change["meetings"] >= 1
        # Their rows were all written again (none kept by id), nobody else's.
        assert change["their_rows_kept"] == 0
