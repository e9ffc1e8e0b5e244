"""The outreach escalation benchmark (``bench/outreach_escalation.py``), run tiny on the
suite's database (SQLite, or PostgreSQL in CI): the real deadline loop(s) and worker as OS
processes, the fake gateway on 127.0.0.1, and a report with every alert received and none
lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.outreach_escalation import Gateway, percentile

ROOT = Path(__file__).resolve().parents[3]


def test_the_nearest_rank_percentile_is_a_delay_that_happened():
    delays = [float(n) for n in range(1, 101)]
    assert percentile(delays, 0.50) == 50.0
    assert percentile(delays, 0.99) == 99.0
    assert percentile([3.0], 0.99) == 3.0


def test_the_fake_gateway_records_every_request_and_leaves_every_nth_unanswered():
    import httpx

    gateway = Gateway(drop_every=2)
    url = gateway.start()
    try:
        body = {"delivery": "d1", "kind": "outreach.overdue", "recipient": "r1"}
        first = httpx.post(url, json={**body, "params": {"shift": "s1"}}, timeout=5)
        assert first.status_code == 204
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(url, json={**body, "params": {"shift": "s1"}}, timeout=5)
    finally:
        gateway.stop()
    receipts = gateway.snapshot()
    assert [(r.delivery, r.shift, r.dropped) for r in receipts] == [
        ("d1", "s1", False),
        ("d1", "s1", True),
    ]


def _scenario() -> list[str]:
    """The suite's own database: SQLite (one loop), or, when the suite runs on PostgreSQL
    (``PEERWORK_DATABASE_URL``, as in CI), the PostgreSQL scenario on the same server (two
    loops; the benchmark creates its own database there and drops it)."""
    url = os.environ.get("PEERWORK_DATABASE_URL", "")
    if not url.startswith(("postgresql://", "postgres://")):
        return ["--scenario", "sqlite"]
    parts = urlsplit(url)
    return ["--scenario", "postgresql", "--postgres", f"postgresql://{parts.netloc}"]


def test_a_tiny_run_alerts_every_shift_and_loses_nothing():
    # Tiny and quick: 20 shifts due within 2 seconds. Every 10th request is left
    # unanswered and recorded as "outcome unknown"; its retry (15 s later) is not waited
    # for (``--settle 1``): the full benchmark counts those duplicates.
    scenario = _scenario()
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "outreach_escalation.py"),
            *scenario,
            "--shifts",
            "20",
            "--spread",
            "2",
            "--lead",
            "3",
            "--organisations",
            "1",
            "--people",
            "12",
            "--drop-every",
            "10",
            "--settle",
            "1",
            "--drain",
            "60",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (report,) = json.loads(done.stdout)
    assert report["scenario"] == scenario[1] and report["shifts"] == 20
    assert report["loops"] == (1 if scenario[1] == "sqlite" else 2)
    assert report["crashed"] == [] and report["killed"] is False
    for part in ("delay", "loop_part", "send_part"):
        assert set(report[part]) == {"p50", "p99", "max"}
        assert report[part]["p50"] <= report[part]["p99"] <= report[part]["max"]
    assert report["delay"]["p50"] >= 0
    assert report["shifts_lost"] == 0
    assert report["alerts_lost"] == 0
    # 20 shifts of two workers: 40 alerts, every 10th request left unanswered, and each of
    # those recorded as a send whose outcome is unknown (none taken for sent or failed).
    assert report["dropped_by_gateway"] == 4
    assert report["receipts"] >= 40
    assert report["attempts"].get("unknown", 0) == report["dropped_by_gateway"]
    assert report["duplicates_without_unknown_outcome"] == 0
    assert report["alerts_under_two_delivery_ids"] == 0
    assert report["shifts_claimed_twice"] == 0
