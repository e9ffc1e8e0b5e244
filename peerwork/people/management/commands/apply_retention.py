"""``manage.py apply_retention [--now ISO]``: erase and anonymise leavers whose time is up.

The deadline loop runs the same step once a day (``peerwork.people.retention``); this
command is for a cron job on installations without the loop, for an operator who wants to
see it run, and for tests. Running it twice in a row changes nothing the second time.
``--now`` evaluates the retention periods as of another time (an ISO 8601 date or time;
without an offset, in the server's time zone).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from peerwork.people.retention import apply_retention


def parse_now(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--now must be an ISO 8601 date or time, like 2026-03-02T06:00+03:00.")
        ) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    help = "Erase leavers' private records and anonymise old personnel records, as due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="Apply the retention periods as of this time (default: now)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"]) if options.get("now") else timezone.now()
        result = apply_retention(now=now)
        self.stdout.write(
            _("Erased %(erased)d leavers' private records; anonymised %(anonymised)d.")
            % {"erased": result.erased, "anonymised": result.anonymised}
        )
