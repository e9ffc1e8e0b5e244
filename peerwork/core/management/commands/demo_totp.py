"""``python manage.py demo_totp USERNAME [--secret]``: a demo person's two-step code now.

For trying the demo without an authenticator app: prints the six-digit code the person's
app would show (or, with ``--secret``, the secret to add to an app). Demo only: on a real
server no command may read a person's second factor.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerwork.core import demo

TOTP_PERIOD_SECONDS = 30


def current_code(secret: str, *, at: float | None = None) -> str:
    """RFC 6238, as an authenticator app computes it (allauth's own helper)."""
    counter = int(time.time() if at is None else at) // TOTP_PERIOD_SECONDS
    return format_hotp_value(hotp_value(secret, counter))


def totp_table(rows: list[tuple[str, str]]) -> str:
    """The banner's lines: who needs a code, and each one's secret."""
    lines = [
        "Two-step sign-in: after the password, these people give a code from an",
        "authenticator app (add their secret to any TOTP app), or from",
        "  python manage.py demo_totp USERNAME",
        "",
    ]
    width = max([len("username"), *(len(username) for username, _secret in rows)])
    lines.append(f"{'username'.ljust(width)}  authenticator app secret")
    lines.append(f"{'-' * width}  {'-' * 32}")
    lines += [f"{username.ljust(width)}  {secret}" for username, secret in rows]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print a demo person's current two-step sign-in code (PEERWORK_ENV=demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--secret", action="store_true", help="print the secret to add to an app instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("demo_totp runs only with PEERWORK_ENV=demo")
        secrets = dict(demo.two_step_sign_ins())
        username = options["username"]
        if username not in secrets:
            known = ", ".join(secrets) or "nobody (run seed_demo first)"
            raise CommandError(f"{username!r} has no demo authenticator app; these do: {known}")
        secret = secrets[username]
        self.stdout.write(secret if options["secret"] else current_code(secret))
