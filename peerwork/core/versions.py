"""Optimistic concurrency: a row's ``version`` says which copy a change was made against.

Two people editing the same record must not silently overwrite each other. A change names
the version it was read at and is written with ``UPDATE … WHERE id = … AND version = …``;
the count the database returns says whether it still was that version (``select_for_update``
does nothing on SQLite, so the conditional update is how two processes agree). The API
answers ``StaleVersion`` with 409 (API.md "If-Match").
"""

from __future__ import annotations

from typing import Any

from django.db import models


class StaleVersion(Exception):
    """The record changed since the caller read it; read it again, then retry."""


def update_if_current(
    model: type[models.Model], *, pk: object, version: int, changes: dict[str, Any]
) -> None:
    """Apply ``changes`` to the row if it is still at ``version``, and count a new version.

    Runs through the model's default manager, so organisation scoping applies. Raises
    ``StaleVersion`` when the row has moved on (or is gone).
    """
    updated = model._default_manager.filter(pk=pk, version=version).update(
        **changes, version=models.F("version") + 1
    )
    if not updated:
        raise StaleVersion
