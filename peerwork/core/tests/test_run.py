"""The supervisor of ``python -m peerwork.run``, with real (trivial) child processes.

Starting the whole run (gunicorn, worker, deadline loop) is the CI smoke test's job
(``.ci/run``); here each child is a short Python program.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from peerwork import run
from peerwork.run import Supervisor, child_commands

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def stubborn(ready: Path) -> list[str]:
    """A child that ignores SIGTERM, and says so by creating ``ready``."""
    return [
        sys.executable,
        "-c",
        "import pathlib, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "pathlib.Path(sys.argv[1]).touch()\n"
        "time.sleep(60)\n",
        str(ready),
    ]


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def quiet_supervisor(commands, **kwargs) -> tuple[Supervisor, list[str]]:
    said: list[str] = []
    supervisor = Supervisor(commands, say=said.append, **kwargs)
    return supervisor, said


@pytest.fixture
def restore_signal_handlers():
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture
def cleanup():
    supervisors: list[Supervisor] = []
    yield supervisors.append
    for supervisor in supervisors:
        for child in supervisor.children.values():
            if child.poll() is None:
                child.kill()
                child.wait()


def test_the_three_processes_are_gunicorn_the_worker_and_the_deadline_loop():
    commands = child_commands(port=8123, python="/venv/bin/python")
    assert list(commands) == ["web", "worker", "deadlines"]
    web = commands["web"]
    assert web[:4] == ["/venv/bin/python", "-m", "gunicorn", "peerwork.wsgi:application"]
    assert web[web.index("--bind") + 1] == "127.0.0.1:8123"
    assert web[web.index("--workers") + 1] == "2"
    assert "--access-logfile" not in web
    manage = str(Path(run.__file__).resolve().parent.parent / "manage.py")
    assert commands["worker"] == ["/venv/bin/python", manage, "run_worker"]
    assert commands["deadlines"] == ["/venv/bin/python", manage, "run_deadlines"]


def test_stop_ends_every_child_with_sigterm(cleanup):
    supervisor, _said = quiet_supervisor({"a": SLEEPER, "b": SLEEPER})
    cleanup(supervisor)
    supervisor.start()
    assert supervisor.stop() == {"a": -signal.SIGTERM, "b": -signal.SIGTERM}


def test_a_child_that_ignores_sigterm_is_killed_after_the_timeout(tmp_path, cleanup):
    ready = tmp_path / "ready"
    supervisor, said = quiet_supervisor(
        {"stubborn": stubborn(ready), "b": SLEEPER}, stop_timeout=0.5
    )
    cleanup(supervisor)
    supervisor.start()
    wait_for(ready.exists)
    assert supervisor.stop() == {"stubborn": -signal.SIGKILL, "b": -signal.SIGTERM}
    assert said == ["peerwork.run: the stubborn process did not stop in time; killing it."]


def test_when_a_child_dies_the_others_are_stopped_and_the_exit_is_non_zero(cleanup):
    failing = [sys.executable, "-c", "raise SystemExit(3)"]
    supervisor, said = quiet_supervisor({"web": SLEEPER, "worker": failing})
    cleanup(supervisor)
    supervisor.start()
    assert supervisor.watch() == 1
    assert supervisor.children["web"].returncode == -signal.SIGTERM
    assert said == ["peerwork.run: the worker process exited (status 3); stopping the others."]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_stops_every_child_and_exits_zero(signum, restore_signal_handlers, cleanup):
    supervisor, said = quiet_supervisor({"web": SLEEPER, "worker": SLEEPER})
    cleanup(supervisor)
    supervisor.install_signal_handlers()
    supervisor.start()
    polls = []

    def send_signal_once() -> None:
        polls.append(1)
        if len(polls) == 1:
            os.kill(os.getpid(), signum)

    assert supervisor.watch(on_poll=send_signal_once) == 0
    assert {child.returncode for child in supervisor.children.values()} == {-signal.SIGTERM}
    assert said == [f"peerwork.run: {signal.Signals(signum).name} received; stopping."]


def test_children_run_in_their_own_process_group(cleanup):
    """A terminal's Ctrl-C reaches the supervisor only, which then stops them in order."""
    supervisor, _said = quiet_supervisor({"a": SLEEPER})
    cleanup(supervisor)
    supervisor.start()
    child = supervisor.children["a"]
    assert os.getpgid(child.pid) == child.pid != os.getpgid(0)
    supervisor.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_do_not_outlive_a_killed_supervisor(tmp_path):
    program = (
        "import sys, time\n"
        "from peerwork.run import Supervisor\n"
        f"s = Supervisor({{'a': {SLEEPER!r}}})\n"
        "s.start()\n"
        "print(s.children['a'].pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", program],
        stdout=subprocess.PIPE,
        cwd=Path(run.__file__).resolve().parent.parent,
    )
    try:
        child_pid = int(parent.stdout.readline())
        parent.kill()
        parent.wait()

        def gone() -> bool:
            try:
                state = Path(f"/proc/{child_pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except FileNotFoundError:
                return True
            return state in ("Z", "X")  # a zombie waiting for init to reap it has ended

        wait_for(gone)
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.stdout.close()


@pytest.mark.django_db
def test_the_banner_shows_the_address_password_and_sign_ins(settings, tmp_path):
    from peerwork.core import demo

    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = "harbour-demo-2026"
    demo.seed()
    text = run.banner(port=8123, demo=True)
    assert "http://127.0.0.1:8123/" in text
    assert "harbour-demo-2026" in text
    for username in ("amina", "ravi", "bashir", "taras", "operator"):
        assert f"\n{username} " in text
    assert "Line manager" in text
    assert "the PIN  2468" in text and "1357 is their duress PIN" in text


def test_outside_the_demo_the_banner_has_no_sign_ins():
    text = run.banner(port=8123, demo=False)
    assert "http://127.0.0.1:8123/" in text
    assert "password" not in text
