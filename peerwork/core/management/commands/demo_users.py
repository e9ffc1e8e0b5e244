"""``python manage.py demo_users [--json]``: who can sign in to the demo, with their roles."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerwork.core import demo
from peerwork.core.models import Role


def sign_in_table(people: list[demo.SignIn]) -> str:
    """A plain-text table: one line per membership (a person in two organisations has two)."""
    labels = dict(Role.choices)
    rows = [("username", "name", "organisation", "role title", "roles")]
    for person in people:
        if not person.places:
            rows.append((person.username, person.name, "-", "instance operator", "admin site"))
        for index, (slug, title, roles) in enumerate(person.places):
            first = index == 0
            rows.append(
                (
                    person.username if first else "",
                    person.name if first else "",
                    slug,
                    title,
                    ", ".join(str(labels.get(role, role)) for role in roles),
                )
            )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "List the demo people: username, name, organisations and roles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print a JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("demo_users runs only with PEERWORK_ENV=demo")
        people = demo.sign_ins()
        if options["json"]:
            self.stdout.write(json.dumps([person.as_json() for person in people], indent=2))
        else:
            self.stdout.write(sign_in_table(people))
