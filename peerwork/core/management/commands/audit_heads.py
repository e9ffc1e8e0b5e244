"""``manage.py audit_heads``: print every organisation's audit chain head.

One line per organisation in the head-file format (``<time> <organisation id> <seq> <mac>``,
then the short name), for an operator's cron job to keep somewhere this server cannot
write: ``verify_audit --heads that-copy`` then detects truncation even by someone who also
rewrote the head file here (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peerwork.core.audit import current_heads, head_line


class Command(BaseCommand):
    help = "Print each organisation's audit chain head, to keep outside this server."

    def handle(self, *args: Any, **options: Any) -> None:
        for organisation, head in current_heads():
            line = head_line(
                organisation_id=organisation.pk, seq=head.seq, mac=head.mac, at=head.updated_at
            )
            self.stdout.write(f"{line.rstrip()} {organisation.slug}")
