"""Wrapped data keys (DESIGN.md "Sealing").

The master key (a file outside the database) wraps one key per organisation, which wraps one
data key per person in that organisation. Deleting a person's keys erases what was sealed for
them; deleting the organisation's keys erases the organisation. These rows are
infrastructure: no view, API operation or admin page shows them. ``peerwork.core.keyring``
makes, wraps, caches and deletes them; ``created_at`` tells a replayed erasure which keys
existed before it (docs/operations.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .tenancy import Organisation


class OrganisationKey(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    master_key_id = models.CharField(max_length=32)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="org_key_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"organisation key v{self.version}"


class PersonKey(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    organisation_key_version = models.PositiveIntegerField()
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "version"], name="person_key_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"person key v{self.version}"
