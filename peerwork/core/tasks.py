"""Background tasks of the core. Tasks carry ids only, never personal content."""

from __future__ import annotations

from django_tasks import task


@task()
def send_invitation(invitation_id: str) -> None:
    """Email the invitation link (built by the invitations work)."""
    raise NotImplementedError
