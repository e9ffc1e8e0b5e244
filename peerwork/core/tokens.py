"""Personal API tokens: made, revoked and checked here; the model is ``models.tokens.ApiToken``.

A token reads ``pw_<prefix>_<secret>``. The prefix is not secret (it tells a person's tokens
apart in lists and finds the row); the secret is 256 random bits and only the SHA-256 digest
of the whole token is stored, so a copy of the database or a backup holds nothing that
opens the API. A token acts as one membership in one organisation, never more (API.md).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from . import audit
from .models import ApiToken, Membership

TOKEN_PREFIX = "pw"  # noqa: S105 (a label, not a secret)
DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 365
NAME_MAX_LENGTH = 100
# last_used_at is a hint for the person ("used 3 minutes ago"), not a log: writing it on
# every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_SECRET_BYTES = 32  # 256 bits
_PREFIX_BYTES = 6  # 12 hex characters: tells tokens apart; uniqueness is a database rule


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def display_prefix(token: ApiToken) -> str:
    """What a person sees to recognise a token, e.g. ``pw_3f9a0c1b2d4e_…``."""
    return f"{TOKEN_PREFIX}_{token.prefix}_…"


def create_token(
    *,
    member: Membership,
    name: str,
    expires_in_days: int = DEFAULT_LIFETIME_DAYS,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for the person acting as ``member``; the plaintext is returned once.

    Raises ``ValidationError`` (keyed by field) for a blank or long name or a lifetime
    outside 1–365 days, and ``PermissionDenied`` for a membership that has ended.
    """
    if not member.is_active:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the token a name, so you can tell it apart later.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("Use at most %(count)d characters.") % {"count": NAME_MAX_LENGTH}]
    if (
        isinstance(expires_in_days, bool)
        or not isinstance(expires_in_days, int)
        or not (1 <= expires_in_days <= MAX_LIFETIME_DAYS)
    ):
        errors["expires_in_days"] = [
            _("A token lasts from 1 to %(max)d days.") % {"max": MAX_LIFETIME_DAYS}
        ]
    if errors:
        raise ValidationError(errors)

    now = now or timezone.now()
    with scope(organisation=member.organisation_id):
        # A clash of random prefixes is all but impossible; retry rather than fail if it
        # ever happens.
        for _attempt in range(3):
            prefix = secrets.token_hex(_PREFIX_BYTES)
            raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
            try:
                with transaction.atomic():
                    token = ApiToken.objects.create(
                        organisation_id=member.organisation_id,
                        membership=member,
                        name=name,
                        prefix=prefix,
                        digest=digest_of(raw),
                        created_at=now,
                        expires_at=now + timedelta(days=expires_in_days),
                    )
                    audit.record(
                        actor=member,
                        action="api_token.create",
                        object_type="core.apitoken",
                        object_id=token.pk,
                        detail={"days": expires_in_days},
                    )
            except IntegrityError:
                continue
            return token, raw
    raise IntegrityError("could not find a free token prefix")  # pragma: no cover


def revoke_token(*, member: Membership, token: ApiToken, now: datetime | None = None) -> bool:
    """Revoke one of the person's own tokens; answers whether this call revoked it.

    A token is its owner's alone (``access.token_for_member``): anyone else gets
    ``PermissionDenied``. Revoking twice is harmless: the first time stands.
    """
    if token.membership_id != member.pk:
        raise PermissionDenied
    now = now or timezone.now()
    with scope(organisation=member.organisation_id), transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if revoked:
            audit.record(
                actor=member,
                action="api_token.revoke",
                object_type="core.apitoken",
                object_id=token.pk,
            )
    if revoked:
        token.revoked_at = now
    return bool(revoked)


_PREFIX_PATTERN = re.compile(rf"[0-9a-f]{{{_PREFIX_BYTES * 2}}}")


def _parse(raw: str) -> tuple[str, str] | None:
    """Prefix and secret, or None; the prefix is checked before it reaches a query."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[2]:
        return None
    if not _PREFIX_PATTERN.fullmatch(parts[1]):
        return None
    return parts[1], parts[2]


def authenticate_token(raw: str | None, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token ``raw`` names, with its membership and organisation, or None.

    None for anything malformed, unknown, revoked or expired, for a membership that has
    ended and for a person whose account is switched off: callers answer 401 to all alike.
    """
    if not raw or len(raw) > 200:
        return None
    parsed = _parse(raw.strip())
    if parsed is None:
        return None
    prefix, _secret = parsed
    now = now or timezone.now()
    # The only cross-organisation read here: before the token is found nobody knows which
    # organisation it belongs to. It reads one row, by a unique non-secret prefix.
    with scopes_disabled():
        token = (
            ApiToken.objects.select_related("membership__user", "membership__organisation")
            .filter(prefix=prefix)
            .first()
        )
    expected = token.digest if token is not None else digest_of("")
    # Constant-time comparison, made even when the prefix is unknown.
    matches = hmac.compare_digest(expected, digest_of(raw.strip()))
    if token is None or not matches:
        return None
    if token.revoked_at is not None or token.expires_at <= now:
        return None
    membership = token.membership
    if membership.ended_at is not None and membership.ended_at <= now:
        return None
    if not membership.user.is_active:
        return None
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        with scope(organisation=token.organisation_id):
            # Conditional, so many requests in the same minute write it once.
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
        token.last_used_at = now
    return token
