"""System checks for configuration that Django's own checks do not see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_needs_mfa(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.DEMO and not settings.PEERWORK_REQUIRE_MFA:
        return [Error("MFA must be required in production", id="peerwork.E001")]
    return []
