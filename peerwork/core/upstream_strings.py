"""English strings of django-allauth and Django that our sign-in pages show, made ours.

Why this module exists: allauth ships no Swahili catalog and Django's Swahili catalog lacks
the password rules, so pages allauth draws (sign-in, sign-out, password reset and change,
two-step sign-in, recovery codes, security keys, asking for the password again) stayed in
English for Swahili readers, and allauth's Indonesian, Russian and Ukrainian catalogs miss a
few entries or say "two-factor authentication" where our glossaries say two-step sign-in.
Our catalogs (``peerwork/locale``) come first in ``LOCALE_PATHS``, so an entry there
overrides allauth's and Django's own translation of the same msgid and msgctxt. But
``makemessages`` keeps only strings it finds in our source: listing them here with
``gettext_noop`` (``pgettext_lazy`` where allauth gives a context, ``ngettext_lazy`` for
plurals) keeps them in every catalog. Nothing imports this module; nothing here runs.

Each msgid (and msgctxt) must be exactly allauth's or Django's, or the override does not
apply; ``peerwork/core/tests/test_upstream_strings.py`` checks that each is theirs, is
translated in every catalog, and that no page is left with English on it.

Refreshing it (after upgrading django-allauth or Django, or using more of their pages):

1. Run ``peerwork/core/tests/test_upstream_strings.py``: a page showing an English string
   names it. Strings come from allauth's templates (``allauth/templates/account/``,
   ``allauth/templates/mfa/``), forms and adapters, and Django's password validators; their
   exact msgids are in ``allauth/locale/en/LC_MESSAGES/django.po`` and
   ``django/contrib/auth/locale/en/LC_MESSAGES/django.po`` (with a ``#:`` line naming the
   template each comes from).
2. Add them below, drop those upstream no longer has (the test says which), then refresh
   the catalogs: ``cd peerwork && ../manage.py makemessages -l ru -l uk -l id -l sw
   --no-obsolete --ignore='tests/*' --ignore='*/tests/*'``, and translate the new entries
   following ``docs/glossary/<language>.md``.

An English string allauth hard-codes in a template (no ``{% translate %}``) cannot be
overridden from here: our copy of that template translates it instead
(``templates/mfa/webauthn/authenticator_list.html``).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

# Grouped by the page (or part of allauth) that shows them; order does not matter.
STRINGS = (
    # Signing out, and the messages after signing in and out
    gettext_noop("Sign Out"),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You have signed out."),
    # Password reset and change
    gettext_noop("Cancel"),
    gettext_noop("Password Reset"),
    gettext_noop("Password successfully changed."),
    gettext_noop("Change Password"),
    gettext_noop("Forgot Password?"),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."
    ),
    gettext_noop("Reset My Password"),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop("Bad Token"),
    gettext_noop(
        'The password reset link was invalid, possibly because it has already been used.  Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    gettext_noop("Your password is now changed."),
    # Asking for the password (or a code) again
    gettext_noop("Use a security key"),
    gettext_noop("Confirm"),
    gettext_noop("Confirm Access"),
    gettext_noop("Please reauthenticate to safeguard your account."),
    gettext_noop("Alternative options"),
    gettext_noop("Enter your password:"),
    gettext_noop("Enter an authenticator code:"),
    # Two-step sign-in: the code page and the overview
    gettext_noop("Sign In"),
    gettext_noop("Two-Factor Authentication"),
    gettext_noop(
        "Your account is protected by two-factor authentication. Please enter an authenticator code:"
    ),
    gettext_noop("Authenticator App"),
    gettext_noop("Authentication using an authenticator app is active."),
    gettext_noop("An authenticator app is not active."),
    gettext_noop("Deactivate"),
    gettext_noop("Activate"),
    gettext_noop("Security Keys"),
    ngettext_lazy(
        "You have added %(count)s security key.", "You have added %(count)s security keys."
    ),
    gettext_noop("No security keys have been added."),
    gettext_noop("Manage"),
    gettext_noop("Add"),
    gettext_noop("Recovery Codes"),
    ngettext_lazy(
        "There is %(unused_count)s out of %(total_count)s recovery codes available.",
        "There are %(unused_count)s out of %(total_count)s recovery codes available.",
    ),
    gettext_noop("No recovery codes set up."),
    gettext_noop("View"),
    gettext_noop("Download"),
    gettext_noop("Generate"),
    # Authenticator app
    gettext_noop("Authenticator app activated."),
    gettext_noop("Authenticator app deactivated."),
    gettext_noop("Activate Authenticator App"),
    gettext_noop(
        "To protect your account with two-factor authentication, scan the QR code below with your authenticator app. Then, input the verification code generated by the app below."
    ),
    gettext_noop("Authenticator secret"),
    gettext_noop(
        "You can store this secret and use it to reinstall your authenticator app at a later time."
    ),
    gettext_noop("Deactivate Authenticator App"),
    gettext_noop(
        "You are about to deactivate authenticator app based authentication. Are you sure?"
    ),
    # Recovery codes
    gettext_noop("A new set of recovery codes has been generated."),
    gettext_noop("Save them  in a secure location now — they won't be shown again."),
    gettext_noop("You are about to generate a new set of recovery codes for your account."),
    gettext_noop("This action will invalidate your existing codes."),
    gettext_noop("Are you sure?"),
    gettext_noop("Unused codes"),
    gettext_noop("Download codes"),
    gettext_noop("Generate new codes"),
    gettext_noop("I have saved my recovery codes"),
    # Security keys
    gettext_noop("Key"),
    gettext_noop("Remove"),
    gettext_noop("Security key added."),
    gettext_noop("Security key removed."),
    gettext_noop("Add Security Key"),
    gettext_noop("Remove Security Key"),
    gettext_noop("Are you sure you want to remove this security key?"),
    gettext_noop("Usage"),
    gettext_noop("Passkey"),
    gettext_noop("Security key"),
    gettext_noop("This key does not indicate whether it is a passkey."),
    gettext_noop("Unspecified"),
    gettext_noop("Added on %(created_at)s"),
    gettext_noop("Last used %(last_used)s"),
    gettext_noop("Edit"),
    gettext_noop("Edit Security Key"),
    gettext_noop("Save"),
    gettext_noop("This functionality requires JavaScript."),
    # allauth's forms, adapter and models, as its pages show them
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("Please type your current password."),
    gettext_noop("Incorrect code."),
    gettext_noop("Incorrect password."),
    gettext_noop("Invalid or expired key."),
    gettext_noop("Invalid login."),
    gettext_noop("The password reset token was invalid."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("The email address is not assigned to any user account."),
    gettext_noop("The username and/or password you specified are not correct."),
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("Use your password"),
    gettext_noop("Use authenticator app or code"),
    gettext_noop("Email"),
    gettext_noop("Email address"),
    gettext_noop("You must type the same password each time."),
    gettext_noop("Password"),
    gettext_noop("Remember Me"),
    gettext_noop("Username"),
    pgettext_lazy("field label", "Login"),
    gettext_noop("Username or email"),
    gettext_noop("Forgot your password?"),
    gettext_noop("Password (again)"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Code"),
    gettext_noop("You cannot deactivate two-factor authentication."),
    gettext_noop(
        "You cannot generate recovery codes without having two-factor authentication enabled."
    ),
    gettext_noop("Master key"),
    gettext_noop("Backup key"),
    gettext_noop("Key nr. {number}"),
    gettext_noop("Recovery codes"),
    gettext_noop("TOTP Authenticator"),
    gettext_noop("Authenticator code"),
    gettext_noop("Passwordless"),
    gettext_noop(
        "Enabling passwordless operation allows you to sign in using just this key, but imposes additional requirements such as biometrics or PIN protection."
    ),
    # Django: the password rules (AUTH_PASSWORD_VALIDATORS), help and errors
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
    ),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
    # Django: form errors these forms can show
    gettext_noop("Enter a valid email address."),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    ),
    gettext_noop("This field is required."),
)
