"""The Peerwork a benchmark measures: ``python -m peerwork.run`` (what ``make run`` starts:
gunicorn, the task worker and the deadline loop) on a fresh folder of its own, never the
developer's ``var/``.

    with running_peerwork(var_dir=folder, password="…") as peerwork:
        httpx.get(peerwork.url + "/healthz")

Everything the benchmarks set is in ``bench_environment``: the demo, its own SQLite file
(or an explicit ``database_url``), a free port and a known demo password.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 240.0
STOP_TIMEOUT_SECONDS = 30.0
# Every role, in the order of peerwork.core.models.Role (the benchmarks run before Django is
# set up, so they cannot import it); test_bench_generate checks the two agree.
ROLES = (
    "staff",
    "volunteer",
    "line_manager",
    "hr",
    "director",
    "peer_mentor",
    "coach",
    "facilitator",
    "peer_interviewer",
    "org_admin",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_environment(
    *,
    var_dir: Path,
    password: str,
    port: int | None = None,
    database_url: str | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of every process of a benchmark (its own and Peerwork's)."""
    env = dict(os.environ if base is None else base)
    for name in ("PEERWORK_TESTING", "PEERWORK_DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env.update(
        PEERWORK_ENV="demo",
        PEERWORK_VAR_DIR=str(var_dir),
        PEERWORK_DEMO_PASSWORD=password,
        PEERWORK_PORT=str(port or free_port()),
        DJANGO_SETTINGS_MODULE="peerwork.settings",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["PEERWORK_DATABASE_URL"] = database_url
    return env


@dataclass
class RunningPeerwork:
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log: Path

    @property
    def port(self) -> int:
        return int(self.env["PEERWORK_PORT"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def password(self) -> str:
        return self.env["PEERWORK_DEMO_PASSWORD"]

    def manage(self, *args: str) -> str:
        """A management command against the same database, its output."""
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def demo_people(self) -> list[dict[str, object]]:
        """``manage.py demo_users --json``: who can sign in, with their roles."""
        people: list[dict[str, object]] = json.loads(self.manage("demo_users", "--json"))
        return people

    def totp_secret(self, username: str) -> str:
        """A demo person's authenticator app secret (``manage.py demo_totp --secret``: the
        demo gives the people whose roles need two-step sign-in an app with a known one)."""
        return self.manage("demo_totp", username, "--secret").strip()

    def stop(self) -> int | None:
        """Ctrl-C, as a person would press it; a kill if it does not stop in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def wait_until_healthy(peerwork: RunningPeerwork, *, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if peerwork.process.poll() is not None:
            raise RuntimeError(
                f"python -m peerwork.run exited ({peerwork.process.returncode}); "
                f"its log: {peerwork.log}\n{tail(peerwork.log)}"
            )
        with contextlib.suppress(httpx.HTTPError, ValueError):
            answer = httpx.get(f"{peerwork.url}/healthz", timeout=2)
            if answer.status_code == 200:
                health: dict[str, object] = answer.json()
                return health
        time.sleep(0.5)
    raise RuntimeError(f"Peerwork did not answer /healthz within {timeout:.0f} s ({peerwork.log})")


def tail(path: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    return ""


@contextlib.contextmanager
def running_peerwork(env: dict[str, str]) -> Iterator[RunningPeerwork]:
    """``python -m peerwork.run`` with ``env``, healthy, stopped on the way out."""
    log = Path(env["PEERWORK_VAR_DIR"]) / "run.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "peerwork.run"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    peerwork = RunningPeerwork(process=process, env=env, log=log)
    try:
        wait_until_healthy(peerwork, timeout=START_TIMEOUT_SECONDS)
        yield peerwork
    finally:
        peerwork.stop()
