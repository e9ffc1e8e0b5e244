"""``manage.py replay_erasures``: erase again what the erasure journal lists.

Run it after restoring a database backup and before starting Peerwork (docs/operations.md):
a backup made before an erasure still holds the erased person's keys. Running it more than
once changes nothing more. Keys made after an erasure (a person who came back) are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from peerwork.core import keyring


class Command(BaseCommand):
    help = "Erase again every person and organisation listed in the erasure journal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--journal",
            type=Path,
            default=None,
            help="The journal file (default: PEERWORK_ERASURE_JOURNAL_FILE).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["journal"] or keyring.journal_path()
        if not path.exists():
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "No erasure journal at %(path)s: nothing was erased since it was started, or "
                        "the journal is elsewhere (--journal)."
                    )
                    % {"path": path}
                )
            )
            return
        try:
            result = keyring.replay_erasures(path)
        except keyring.JournalError as exc:
            raise CommandError(str(exc)) from exc
        keyring.forget_cached_keys()
        self.stdout.write(
            self.style.SUCCESS(
                _("Replayed %(erasures)s erasures from %(path)s; deleted %(keys)s keys.")
                % {"erasures": result.erasures, "path": path, "keys": result.keys_deleted}
            )
        )
