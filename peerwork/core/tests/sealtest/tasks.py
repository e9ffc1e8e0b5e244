"""A background task about a sealed row: it carries the row's id, never its text."""

from __future__ import annotations

from django_scopes import scope
from django_tasks import task


@task()
def read_note(organisation_id: str, note_id: str) -> int:
    from .models import SealedNote

    with scope(organisation=organisation_id):
        note = SealedNote.objects.get(pk=note_id)
        return len(note.text or "")
