"""``manage.py run_deadlines``: the deadline loop (see ``peerwork.core.deadlines``).

Each round it writes its heartbeat, then runs every registered step once; then it waits
``--interval`` seconds. Several loops may run at once: steps claim rows with conditional
updates, so no row is acted on twice. SIGINT or SIGTERM ends it cleanly: the step in hand
finishes, the heartbeat is marked stopped, and the exit status is 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils.crypto import get_random_string

from peerwork.core.deadlines import registered_steps, run_round, step_name
from peerwork.core.models import Heartbeat

logger = logging.getLogger("peerwork.core.deadlines")


class Command(BaseCommand):
    help = "Run the deadline loop (due deliveries, abandoned tasks, every module's deadlines)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between rounds (default: %(default)s).",
        )
        parser.add_argument("--once", action="store_true", help="Run one round, then exit.")
        parser.add_argument(
            "--process-id", default="", help="This loop's heartbeat id (default: made up)."
        )

    def handle(
        self, *args: Any, interval: float, once: bool, process_id: str, **options: Any
    ) -> None:
        process_id = (process_id or f"deadlines-{get_random_string(20)}")[:64]
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            # Only a flag: the loop finishes the step in hand, then stops.
            logger.info("%s: finishing the current step, then stopping", signal.strsignal(signum))
            stop.set()

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        names = ", ".join(step_name(s) for s in registered_steps())
        self.stdout.write(f"deadline loop {process_id} running: {names}")
        try:
            while not stop.is_set():
                try:
                    Heartbeat.beat(process_id=process_id, kind=Heartbeat.Kind.DEADLINES)
                    run_round(should_stop=stop.is_set)
                except DatabaseError:
                    # The database went away: say so, and try again next round.
                    logger.exception("deadline round failed")
                    close_old_connections()
                if once:
                    break
                stop.wait(interval)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            try:
                Heartbeat.stop(process_id=process_id)
            except DatabaseError:
                logger.warning("could not mark deadline loop %s stopped", process_id)
        self.stdout.write(f"deadline loop {process_id} stopped")
