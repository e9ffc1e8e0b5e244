"""``manage.py flush``, which also empties the append-only audit table.

Django's ``flush`` removes every row of every table; it is what tests run between
transactional tests. The audit triggers (migration 0002) refuse the row deletes SQLite's
flush issues and the ``TRUNCATE`` PostgreSQL's issues, so this lifts them for exactly the
length of the flush and puts them back, whatever happens. Emptying a database on purpose
is the one deletion of audit events the project allows; ``verify_audit`` then reports the
chains as truncated against the head file, as it should.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

_triggers = importlib.import_module("peerwork.core.migrations.0002_audit_triggers")

_INSTALLED_SQL = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
    "postgresql": "SELECT 1 FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal",
}


def _triggers_installed(connection: BaseDatabaseWrapper) -> bool:
    query = _INSTALLED_SQL.get(connection.vendor)
    if query is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(query, [f"{_triggers.TABLE}_no_update"])
        return cursor.fetchone() is not None


@contextmanager
def audit_triggers_lifted(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Drop the audit triggers for the block and recreate them after it.

    For ``flush`` and for tests that tamper with events on purpose; nothing else. When the
    triggers are not installed (migration 0002 not applied yet) it does nothing.
    """
    if not _triggers_installed(connection):
        yield
        return
    _triggers.execute(_triggers.REMOVE, connection)
    try:
        yield
    finally:
        _triggers.execute(_triggers.INSTALL, connection)


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with audit_triggers_lifted(connection):
            super().handle(**options)
