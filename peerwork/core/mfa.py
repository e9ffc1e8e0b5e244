"""Two-step sign-in (allauth.mfa): who must have it, and making sure they do.

allauth asks for a second step from everyone who has enrolled, but cannot require anyone to
enrol (DESIGN.md "Known pitfalls"). Here:

- ``mfa_required`` is the one rule: a person must use two-step sign-in when any of their
  current memberships holds a role that can read other people's personnel, disclosed,
  private or confidential records, and always when they are the instance operator.
- ``MfaRequiredMiddleware`` sends such a person who has not enrolled to the enrolment page
  (allauth's two-step page) from every page but that one, signing out, static files,
  ``/healthz`` and the language switch; the API answers their session 403. API tokens are
  untouched: a token is made on a page, after signing in with the second step.
- ``MfaAdapter`` names the account in an authenticator app by username only, refuses to
  remove the last method of someone who must have one, and seals the app's secret and the
  recovery codes' seed (a stolen database or backup must not give anyone's second step).

``PEERWORK_REQUIRE_MFA=off`` (the demo only; the settings refuse it elsewhere) stops the
requirement, and every page then says so (``context``). People who enrolled are still asked
for their second step: the switch stops requiring enrolment, it never skips a step someone
set up for their own protection.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import keyring
from .middleware import memberships_of
from .models import Membership, Role, User

# Roles that can read other people's personnel, disclosed, private or confidential records
# (peerwork.core.access, PRODUCT.md "Who uses it"): line managers and HR read personnel
# records; mentors and coaches hold confidential notes (§3.11, §3.13, App. 4); directors
# and org admins are offered people's records through sharing and configure who sees what,
# so a stolen password of theirs opens the most. Peer interviewers and support-group
# facilitators see only their own panel or group: they may enrol, and are not required to.
MFA_ROLES = frozenset(
    {
        Role.LINE_MANAGER,
        Role.HR,
        Role.DIRECTOR,
        Role.ORG_ADMIN,
        Role.PEER_MENTOR,
        Role.COACH,
    }
)

# What counts as enrolled: something that gives a second step on its own. Recovery codes
# are the way back when that is lost, not a method in themselves.
ENROLLED_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def mfa_required(
    user: AbstractBaseUser | AnonymousUser, memberships: Iterable[Membership] | None = None
) -> bool:
    """Must this person use two-step sign-in?

    ``memberships`` are the person's current memberships when the caller has them already
    (the membership middleware does), so no query is repeated.
    """
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if user.is_superuser:
        # The instance operator: their admin creates organisations and their first admins.
        return True
    if memberships is None:
        memberships = memberships_of(user)
    return any(m.is_active and m.has_role(*MFA_ROLES) for m in memberships)


def is_enrolled(user: AbstractBaseUser) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=ENROLLED_TYPES).exists()


def enrol_totp(user: AbstractBaseUser, secret: str) -> Authenticator:
    """Give ``user`` an authenticator app with ``secret`` (base32) and recovery codes.

    For the demo seed and tests, which cannot scan a QR code; people enrol on allauth's
    page. Idempotent: a person who has an app already keeps theirs.
    """
    existing = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    if existing is None:
        existing = TOTP.activate(user, secret).instance
    if not Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
    ).exists():
        RecoveryCodes.activate(user)
    return existing


# Sealed secrets: "sealed-v1:<audit key id>:<base64 of AES-GCM nonce, ciphertext, tag>".
SEALED_PREFIX = "sealed-v1:"
SEALING_INFO = b"peerwork: two-step sign-in secrets v1"
SEALING_ASSOCIATED = b"allauth.mfa.authenticator"


def _sealing_key(audit_key: bytes) -> bytes:
    """A key of its own, derived from an audit key of the key file (HKDF, so it is never
    the MAC key itself). Audit keys are kept for as long as anything they protect exists
    (peerwork.core.keyring), so a secret sealed years ago still opens and no rotation has
    to visit these rows; a new audit key seals what is written from then on."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SEALING_INFO).derive(
        audit_key
    )


def seal_secret(text: str) -> str:
    key_id, key = keyring.audit_mac_key()
    sealed = keyring.encrypt(_sealing_key(key), text.encode(), SEALING_ASSOCIATED)
    return f"{SEALED_PREFIX}{key_id}:{base64.urlsafe_b64encode(sealed).decode('ascii')}"


def open_secret(value: str) -> str:
    if not value.startswith(SEALED_PREFIX):
        # Written before secrets were sealed (a demo database from then); anyone able to
        # write this column could as well replace a password hash.
        return value
    key_id, _colon, data = value.removeprefix(SEALED_PREFIX).partition(":")
    key = keyring.audit_mac_key_by_id(key_id)
    return keyring.decrypt(
        _sealing_key(key), base64.urlsafe_b64decode(data), SEALING_ASSOCIATED
    ).decode()


class MfaAdapter(DefaultMFAAdapter):
    """``MFA_ADAPTER``."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": gettext_lazy(
            "That code did not work. Enter the code your app shows now (it changes every "
            "30 seconds), or one of your recovery codes."
        ),
        "cannot_delete_authenticator": gettext_lazy(
            "Your role needs two-step sign-in, so this is the one way you cannot remove. "
            "Add another (an authenticator app or a security key) first."
        ),
    }

    def encrypt(self, text: str) -> str:
        """allauth stores an authenticator app's secret and the recovery codes' seed
        through this: sealed with a key from the key file, never in the clear."""
        return seal_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return open_secret(encrypted_text)

    def get_totp_label(self, user: AbstractBaseUser) -> str:
        # Shown in the authenticator app, on a phone others may see: the username, never
        # an email address whose domain could name the organisation.
        return user.get_username()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if not settings.PEERWORK_REQUIRE_MFA or authenticator.type not in ENROLLED_TYPES:
            return True
        user = authenticator.user
        if not mfa_required(user):
            return True
        others = Authenticator.objects.filter(user_id=user.pk, type__in=ENROLLED_TYPES).exclude(
            pk=authenticator.pk
        )
        return others.exists()


# --- the requirement, on every request --------------------------------------------------


class MfaRequiredMiddleware:
    """Sends people who must use two-step sign-in, and have not enrolled, to enrol."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        """Path prefixes a person who still has to enrol may open (read once, lazily:
        the URL configuration is not loaded when middleware is made)."""
        if self._open is None:
            self._open = (
                reverse("mfa_index"),  # enrolment, recovery codes, security keys
                reverse("account_reauthenticate"),  # enrolling may ask for the password again
                reverse("account_logout"),
                reverse("core:healthz"),
                reverse("core:set_language"),
                "/i18n/",
                settings.STATIC_URL,
            )
        return self._open

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if not settings.PEERWORK_REQUIRE_MFA or user is None or not user.is_authenticated:
            return self.get_response(request)
        memberships = getattr(request, "memberships", None)
        if not mfa_required(user, memberships) or is_enrolled(user):
            return self.get_response(request)

        request.mfa_enrolment_needed = True  # type: ignore[attr-defined]
        path = request.path_info
        if path.startswith(self.open_paths()):
            return self.get_response(request)
        if path.startswith("/api/"):
            if request.headers.get("Authorization"):
                # A token request: the session plays no part in it (peerwork.api.auth).
                return self.get_response(request)
            return JsonResponse(
                {
                    "detail": _(
                        "Your role needs two-step sign-in. Set it up in Peerwork before "
                        "using the API from this session."
                    )
                },
                status=403,
            )
        return redirect("mfa_index")


def context(request: HttpRequest) -> dict[str, object]:
    """Template context: the demo's switched-off notice and the enrolment notice."""
    return {
        "mfa_switched_off": not settings.PEERWORK_REQUIRE_MFA,
        "mfa_enrolment_needed": getattr(request, "mfa_enrolment_needed", False),
    }
