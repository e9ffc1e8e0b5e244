"""``python -m peerwork.run`` (what ``make run`` calls): Peerwork on one machine.

Prepares the database and files (migrate, compile the catalogs, collect static files and,
with ``PEERWORK_ENV=demo``, seed the demo story of DEMO.md), then runs the three processes
of DESIGN.md "Configuration" side by side and watches them:

- ``web``: gunicorn serving ``peerwork.wsgi`` on 127.0.0.1:``PEERWORK_PORT`` (WhiteNoise
  serves the static files; DEBUG stays off);
- ``worker``: ``manage.py run_worker``, the background task worker;
- ``deadlines``: ``manage.py run_deadlines``, the deadline loop.

Ctrl-C (SIGINT) or SIGTERM stops all three (SIGTERM to each, a bounded wait, then SIGKILL)
and exits 0. If one of them dies on its own, the others are stopped and the exit status is
non-zero, with a message saying which one died.

Production at scale runs these processes under a service manager instead (docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

BASE_DIR = Path(__file__).resolve().parent.parent
MANAGE = BASE_DIR / "manage.py"
STOP_TIMEOUT_SECONDS = 15.0
POLL_SECONDS = 0.25
READY_TIMEOUT_SECONDS = 60.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def child_commands(*, port: int, python: str = sys.executable) -> dict[str, list[str]]:
    """The command line of each process, by name."""
    return {
        "web": [
            python,
            "-m",
            "gunicorn",
            "peerwork.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--graceful-timeout",
            "10",
            "--log-level",
            "warning",
            # No access log: it would hold every person's page addresses (ids, times).
            # No control socket: its default path is shared by every gunicorn of the user.
            "--no-control-socket",
        ],
        "worker": [python, str(MANAGE), "run_worker"],
        "deadlines": [python, str(MANAGE), "run_deadlines"],
    }


def _die_with_parent() -> None:
    """In the child, before exec: be sent SIGTERM if the supervisor itself is killed.

    The children run in their own process group (so a terminal's Ctrl-C reaches only the
    supervisor, which then stops them in order); without this they would outlive a
    supervisor that was SIGKILLed. Linux only; elsewhere a no-op.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Supervisor:
    """Starts named child processes and stops them all together."""

    commands: Mapping[str, Sequence[str]]
    env: Mapping[str, str] | None = None
    cwd: Path = BASE_DIR
    stop_timeout: float = STOP_TIMEOUT_SECONDS
    say: Callable[[str], None] = field(default=lambda text: print(text, flush=True))
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    stop_requested: threading.Event = field(default_factory=threading.Event)
    stop_reason: str = ""

    def start(self) -> None:
        for name, command in self.commands.items():
            self.children[name] = subprocess.Popen(
                list(command),
                cwd=self.cwd,
                env=dict(self.env) if self.env is not None else None,
                stdin=subprocess.DEVNULL,
                process_group=0,
                preexec_fn=_die_with_parent,
            )

    def request_stop(self, signum: int, frame: FrameType | None = None) -> None:
        """The signal handler: only records the request; ``watch`` acts on it."""
        self.stop_reason = signal.Signals(signum).name
        self.stop_requested.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)

    def dead_child(self) -> tuple[str, int] | None:
        for name, child in self.children.items():
            code = child.poll()
            if code is not None:
                return name, code
        return None

    def watch(self, on_poll: Callable[[], None] | None = None) -> int:
        """Wait until a stop is requested (exit 0) or a child dies (exit 1); stop them all."""
        status = 0
        while not self.stop_requested.is_set():
            dead = self.dead_child()
            if dead is not None:
                name, code = dead
                how = f"signal {-code}" if code < 0 else f"status {code}"
                self.say(f"peerwork.run: the {name} process exited ({how}); stopping the others.")
                status = 1
                break
            if on_poll is not None:
                on_poll()
            self.stop_requested.wait(POLL_SECONDS)
        else:
            self.say(f"peerwork.run: {self.stop_reason or 'stop'} received; stopping.")
        self.stop()
        return status

    def stop(self) -> dict[str, int]:
        """SIGTERM to every child still running, wait up to ``stop_timeout``, then SIGKILL.

        Returns each child's exit status.
        """
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for name, child in self.children.items():
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"peerwork.run: the {name} process did not stop in time; killing it.")
                child.kill()
                child.wait()
        return {name: child.returncode for name, child in self.children.items()}


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def prepare(*, demo: bool) -> None:
    """Bring the database and files up to date before any process starts."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("compile_catalogs", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if demo:
        call_command("seed_demo")


def banner(*, port: int, demo: bool) -> str:
    lines = [f"Peerwork is running at http://127.0.0.1:{port}/  (Ctrl-C stops it)"]
    if demo:
        from peerwork.core.demo import demo_password, sign_ins, two_step_sign_ins
        from peerwork.core.management.commands.demo_totp import totp_table
        from peerwork.core.management.commands.demo_users import sign_in_table
        from peerwork.outreach.demo import DEMO_DURESS_PIN, DEMO_PIN

        lines += [
            "",
            "Demo: invented people and data. Sign in as any of these people",
            f"with the password  {demo_password()}",
            "",
            sign_in_table(sign_ins()),
            "",
            f"Outreach workers open their shift links with the PIN  {DEMO_PIN}",
            f"({DEMO_DURESS_PIN} is their duress PIN: it checks in on screen and alerts "
            "the on-call manager silently).",
            "",
            totp_table(two_step_sign_ins()),
            "",
            f"The instance operator's admin site: http://127.0.0.1:{port}/operator/",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerwork.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    port = settings.PEERWORK_PORT
    if port_open(port):
        print(
            f"peerwork.run: something already listens on 127.0.0.1:{port} "
            "(set PEERWORK_PORT to use another port).",
            file=sys.stderr,
        )
        return 2
    try:
        prepare(demo=settings.DEMO)
        text = banner(port=port, demo=settings.DEMO)
    except KeyboardInterrupt:
        print("peerwork.run: interrupted before starting.", file=sys.stderr)
        return 130
    # The children open their own connections; the supervisor keeps none open.
    connections.close_all()

    supervisor = Supervisor(child_commands(port=port), env=os.environ)
    supervisor.install_signal_handlers()
    supervisor.start()
    started = time.monotonic()
    announced = False

    def announce_when_listening() -> None:
        nonlocal announced
        if announced:
            return
        if port_open(port):
            print(text, flush=True)
            announced = True
        elif time.monotonic() - started > READY_TIMEOUT_SECONDS:
            print(f"peerwork.run: still waiting for the web server on port {port}…", flush=True)
            announced = True

    return supervisor.watch(on_poll=announce_when_listening)


if __name__ == "__main__":
    sys.exit(main())
