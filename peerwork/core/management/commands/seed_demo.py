"""``python manage.py seed_demo``: the demo story of DEMO.md (see ``peerwork.core.demo``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from peerwork.core import demo


class Command(BaseCommand):
    help = "Seed the demo organisations and people (PEERWORK_ENV=demo only). Safe to rerun."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("seed_demo runs only with PEERWORK_ENV=demo")
        context = demo.seed()
        if context.changes:
            self.stdout.write(
                f"Demo seeded: {len(context.organisations)} organisations, "
                f"{len({username for _slug, username in context.members})} people "
                f"({context.changes} changes)."
            )
        else:
            self.stdout.write("Demo already seeded: nothing changed.")
