"""``manage.py rotate_keys``: re-wrap and rotate the sealing keys (docs/operations.md).

Without options it re-wraps every organisation key under the current (first) master key of
the key file, and finishes an earlier rotation. ``--new-master-key`` (``--new-audit-key``)
only adds a new key to the front of the key file and stops: restart the services, then run
the command again. ``--organisation-keys`` makes new organisation key versions;
``--data`` (or ``--person-keys``) makes new person key versions and re-seals every sealed
value. Each printed line is a step already committed: stopping the command at any moment and
running it again loses nothing. Old key versions are deleted only once nothing uses them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from peerwork.core import keyring
from peerwork.core.rotation import ROTATION_GRACE, rotation_steps


class Command(BaseCommand):
    help = "Re-wrap and rotate the sealing keys in small committed steps (safe to stop and rerun)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-master-key",
            action="store_true",
            help="Only add a new master key to the front of the key file (older ones stay).",
        )
        parser.add_argument(
            "--new-audit-key",
            action="store_true",
            help="Only add a new audit MAC key to the front of the key file (older ones stay).",
        )
        parser.add_argument(
            "--organisation-keys",
            action="store_true",
            help="Make new organisation key versions and re-wrap person keys under them.",
        )
        parser.add_argument(
            "--data",
            "--person-keys",
            dest="data",
            action="store_true",
            help="Make new person key versions and re-seal every sealed value.",
        )
        parser.add_argument("--batch-size", type=int, default=200, help="Rows per step.")
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=int(ROTATION_GRACE.total_seconds() // 60),
            help="Keep an old key version until its successor is this old.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1 or options["grace_minutes"] < 0:
            raise CommandError(
                _("--batch-size must be at least 1 and --grace-minutes not negative.")
            )
        if options["new_master_key"] or options["new_audit_key"]:
            # Adding a key stops here: services reading a copy of the key file (systemd
            # credentials) must be restarted before anything is re-wrapped under it.
            if options["new_master_key"]:
                key_id = keyring.add_master_key()
                self.stdout.write(_("Added master key %(id)s to the key file.") % {"id": key_id})
            if options["new_audit_key"]:
                key_id = keyring.add_audit_mac_key()
                self.stdout.write(_("Added audit key %(id)s to the key file.") % {"id": key_id})
            self.stdout.write(
                _(
                    "Restart Peerwork's services so they read the new key file, then run "
                    "rotate_keys again (without --new-…) to re-wrap."
                )
            )
            return
        steps = 0
        for line in rotation_steps(
            organisation_keys=options["organisation_keys"],
            data=options["data"],
            batch_size=options["batch_size"],
            grace=timedelta(minutes=options["grace_minutes"]),
        ):
            steps += 1
            if options["verbosity"] >= 1:
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(_("Done: %(count)s steps.") % {"count": steps}))
