"""Sign-in lockout (django-axes) and the client's address.

django-axes owns lockout: five failed sign-ins lock one account from one address for 15
minutes (``AXES_*`` in ``peerwork/settings.py``). Locking the pair, not the address alone,
means colleagues behind one office or carrier address are not locked together, and someone
guessing at an account from elsewhere cannot lock its owner out (docs/decisions.md
"Sign-in").

- ``client_address`` is the one place the client's address is read
  (``PEERWORK_TRUSTED_PROXY_HOPS``), for axes, allauth's rate limits and anything else.
- ``account_key`` is what axes counts failures against: the account's username whichever
  way the person typed it (username or email, any case), so switching between the two does
  not dodge the lock. What matches no account is counted under what was typed, and locks
  the same way, so a lock says nothing about whether an account exists.
- ``lockout_response`` is the page a locked sign-in gets.
- ``AuthenticateForm`` makes a wrong two-step code count as a failed sign-in of that account
  from that address, and refuses codes while the pair is locked: knowing the password must
  not buy unlimited guesses at the code.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.models import Authenticator
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from .accounts import accounts_for_login

# axes keeps usernames in a 255-character column.
ACCOUNT_KEY_LENGTH = 255


def _parse_address(value: str) -> str | None:
    """An IP address from a header entry, with any port or brackets taken off."""
    value = value.strip()
    candidates = [value]
    if value.startswith("["):  # [2001:db8::1]:443
        candidates.append(value[1:].partition("]")[0])
    elif value.count(":") == 1:  # 203.0.113.7:51234
        candidates.append(value.partition(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_address(request: HttpRequest) -> str:
    """The address the request came from.

    With ``PEERWORK_TRUSTED_PROXY_HOPS=0`` (nothing in front) it is ``REMOTE_ADDR``. With
    ``n`` proxies in front, each appends the address it saw to ``X-Forwarded-For``, so the
    n-th entry from the right is what the outermost proxy saw: the client. Entries further
    left were written by the client and prove nothing. A header with fewer entries than
    hops was written by our proxies alone, so its first entry is the nearest to the client;
    a missing or unreadable one leaves ``REMOTE_ADDR``.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    hops = settings.PEERWORK_TRUSTED_PROXY_HOPS
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    if hops <= 0 or not forwarded.strip():
        return remote
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote
    chosen = entries[max(len(entries) - hops, 0)]
    return _parse_address(chosen) or remote


def account_key(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the key failures are counted against.

    allauth's sign-in form passes what was typed in its ``login`` field as ``username``
    (and as ``email`` when it looks like one); the two-step form passes the account's
    username. Looked up as the sign-in looks it up (``accounts_for_login``): username
    without regard to case, then email.
    """
    login = ""
    if credentials:
        login = str(credentials.get("username") or credentials.get("email") or "")
    if not login and request is not None:
        login = str(request.POST.get("login") or request.POST.get("username") or "")
    login = login.strip()
    accounts = accounts_for_login(login)
    key = accounts[0].get_username() if len(accounts) == 1 else login
    return key.lower()[:ACCOUNT_KEY_LENGTH]


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    minutes = cooloff_minutes()
    return ngettext(
        "Signing in to this account from here is paused for %(minutes)d minute after too "
        "many attempts that did not work.",
        "Signing in to this account from here is paused for %(minutes)d minutes after too "
        "many attempts that did not work.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: one page for every locked sign-in.

    It names no account and echoes nothing typed, so a locked unknown username looks the
    same as a locked real one. 429 Too Many Requests, in the language the page would have
    been in.
    """
    return render(
        request,
        "account/locked.html",
        {"minutes": cooloff_minutes(), "message": lockout_message()},
        status=429,
    )


def is_locked(request: HttpRequest, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


class AuthenticateForm(AllauthAuthenticateForm):
    """allauth's two-step code form (``MFA_FORMS["authenticate"]``) under the lockout.

    A code is not even checked while the account-and-address pair is locked, and a wrong
    code (or recovery code) counts as one failed sign-in toward the same lock as wrong
    passwords.
    """

    def clean_code(self) -> str:
        request = context.request
        username = self.user.get_username()
        if is_locked(request, username):
            # The axes middleware turns this request's answer into the lockout page.
            request.axes_locked_out = True
            raise ValidationError(lockout_message(), code="locked")
        code: str = super().clean_code()
        return code

    def _emit_authentication_failed(self, authenticator: Authenticator) -> None:
        super()._emit_authentication_failed(authenticator)
        # What django.contrib.auth.authenticate() sends for a wrong password; axes counts it.
        user_login_failed.send(
            sender=__name__,
            credentials={"username": self.user.get_username()},
            request=context.request,
        )
