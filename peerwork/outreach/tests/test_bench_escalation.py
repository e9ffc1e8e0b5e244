"""The outreach escalation benchmark (``bench/outreach_escalation.py``), run tiny on
SQLite: the real deadline loop and worker as OS processes, the fake gateway on 127.0.0.1,
and a report with every alert received and none lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


def test_a_tiny_run_on_sqlite_alerts_every_shift_once_and_loses_nothing():
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "outreach_escalation.py"),
            "--scenario",
            "sqlite",
            "--shifts",
            "60",
            "--spread",
            "10",
            "--lead",
            "5",
            "--organisations",
            "2",
            "--people",
            "40",
            "--drop-every",
            "25",
            "--settle",
            "30",
            "--drain",
            "90",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=230,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (report,) = json.loads(done.stdout)
    assert report["scenario"] == "sqlite" and report["loops"] == 1
    assert set(report["delay"]) == {"p50", "p99", "max"}
    assert 0 <= report["delay"]["p50"] <= report["delay"]["p99"] <= report["delay"]["max"]
    assert report["shifts_lost"] == 0
    assert report["alerts_lost"] == 0
    # 60 shifts of two workers: 120 alerts, and every 25th request left unanswered is sent
    # again (a duplicate, counted as one whose outcome was unknown).
    assert report["dropped_by_gateway"] >= 4
    assert report["duplicate_deliveries"] == report["duplicates_with_unknown_outcome"] >= 4
    assert report["duplicates_without_unknown_outcome"] == 0
    assert report["alerts_under_two_delivery_ids"] == 0
    assert report["shifts_claimed_twice"] == 0
