"""Personal API tokens: hashed at rest, bound to one organisation, expiring, revocable."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .tenancy import Membership, OrganisationOwned


class ApiToken(OrganisationOwned):
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("member"),
    )
    name = models.CharField(_("name"), max_length=100)
    # The token's first characters, shown so a person can tell their tokens apart; the
    # secret part is kept only as a SHA-256 digest.
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # When the owner was told the token expires soon (the deadline loop claims tokens by
    # setting this, so several loops tell a person once).
    expiry_notice_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
