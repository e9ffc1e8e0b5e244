"""django-allauth adapter, backend and forms: nobody signs up on their own (an invitation
creates the account), the client's address is ``peerwork.core.lockout.client_address``,
and neither signing in nor a password reset tells, by its answer or its time, whether an
account exists.

Signing in: a failed attempt hashes a password exactly twice, whoever it names. Django's
``ModelBackend`` (kept for the invitation page's sign-in) hashes once: the account's
password when the username matches exactly, else a dummy one. ``AuthenticationBackend``
then hashes once more: the one account the login names (``accounts_for_login``), or a
dummy when it names none. allauth's own backend would check an account found by email
twice and a missing one once, so an email with an account took a third longer.

The reset email is sent by a background task carrying ids only. allauth would send it
during the request, and the time an SMTP server takes would tell an account apart from no
account; here both paths enqueue one task (with no account, a task that sends nothing) and
answer with the same page. Nothing is sent to an address without an account
(``ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False``).
"""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.internal.userkit import filter_users_by_email, get_user_by_username
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from .models import User


def accounts_for_login(login: str) -> list[AbstractBaseUser]:
    """The accounts a sign-in's ``login`` names: the one whose username it is (in any
    case), else those with it as their email (one, unless an address was given to two
    accounts), else none. The lockout counts failures against the same account."""
    login = login.strip()
    if not login:
        return []
    user = get_user_by_username(login)
    if user is not None:
        return [user]
    if "@" in login:
        return list(filter_users_by_email(login, for_login=True))
    return []


class AuthenticationBackend(AllauthBackend):
    """allauth's backend, checking each named account's password once (module docstring).

    allauth's ``authenticate`` hashes a dummy password when no account was checked.
    """

    def _authenticate(
        self, request: HttpRequest | None, **credentials: Any
    ) -> AbstractBaseUser | None:
        login = str(credentials.get("username") or credentials.get("email") or "")
        password = str(credentials.get("password") or "")
        for user in accounts_for_login(login):
            if self._check_password(user, password):
                return user
        return None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's rate limits see the same address as the lockout."""
        # Imported here: the lockout module reads accounts through this one.
        from .lockout import client_address

        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address


class ResetPasswordForm(AllauthResetPasswordForm):
    """``ACCOUNT_FORMS["reset_password"]``: the email goes out from a task, on commit."""

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        email: str = self.cleaned_data["email"]
        user_ids = [str(user.pk) for user in self.users]
        language = translation.get_language() or settings.LANGUAGE_CODE
        transaction.on_commit(
            lambda: send_password_reset.enqueue(user_ids=user_ids, language=language)
        )
        return email


def password_reset_url(user: User) -> str:
    """The set-a-new-password link, on the configured base URL (never a Host header)."""
    token = account_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": token},
    )
    return f"{settings.PEERWORK_BASE_URL}{path}"


@task()
def send_password_reset(user_ids: list[str], language: str) -> None:
    """Email each account its link to set a new password (none when ``user_ids`` is empty).

    The link is made here, when the email is sent: allauth's reset tokens are derived from
    the account's state, so a link made later works the same, and stops working once the
    password has changed.
    """
    known = {code for code, _name in settings.LANGUAGES}
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        if not user.email:
            continue
        context = {"url": password_reset_url(user), "username": user.get_username()}
        with translation.override(user.language if user.language in known else language):
            subject = render_to_string("core/email/password_reset_subject.txt", context).strip()
            body = render_to_string("core/email/password_reset_body.txt", context)
        send_mail(subject, body, None, [user.email])
