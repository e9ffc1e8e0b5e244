"""Models that exercise ``SealedField`` the way later modules (disclosures) will use it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from peerwork.core.models import Membership
from peerwork.core.models.tenancy import OrganisationOwned
from peerwork.core.sealing import SealedField


class SealedNote(OrganisationOwned):
    """A person's note: ``text`` sealed with the owner's key; ``label`` plain (controls)."""

    owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=200, blank=True)
    text = SealedField(owner="owner")
    extra = SealedField(owner="owner", null=True, blank=True)

    def __str__(self) -> str:
        return self.label


class SealedCard(OrganisationOwned):
    """Sealed for a person through a foreign key to User, and for the organisation."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = SealedField(owner="person", null=True, blank=True)
    team_code = SealedField(owner=None, null=True, blank=True)

    def __str__(self) -> str:
        return str(self.pk)
