"""Peerwork's one settings module, configured by ``PEERWORK_*`` environment variables.

Every variable is documented in ``docs/deploy.md``. A bad value stops the process with a
message naming the variable (``ImproperlyConfigured``); nothing falls back silently.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PEERWORK_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    """A variable, or the contents of the file named by ``NAME_FILE`` (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env(name, default) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}: expected one of {', '.join(choices)}")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected on or off")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 65535) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None
    if not minimum <= number <= maximum:
        raise ImproperlyConfigured(f"{name}={value!r}: expected {minimum} to {maximum}")
    return number


def demo_secret(path: Path) -> str:
    """A secret kept under ``var/`` so the demo survives restarts (demo only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


def email_settings(url: str) -> dict[str, object]:
    """Django email settings from ``PEERWORK_EMAIL_URL``.

    ``smtp://user:password@host:587`` (STARTTLS with ``?tls=1``), ``smtps://…`` (implicit
    TLS), ``file:///path/to/folder``, ``console:`` and ``memory:``.
    """
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme in ("smtp", "smtps"):
        if not parts.hostname:
            raise ImproperlyConfigured(f"PEERWORK_EMAIL_URL={url!r}: no host")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": parts.port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": scheme == "smtp" and "tls=1" in parts.query,
            "EMAIL_TIMEOUT": 10,
        }
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path),
        }
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    raise ImproperlyConfigured(
        f"PEERWORK_EMAIL_URL={url!r}: expected smtp://, smtps://, file://, console: or memory:"
    )


PEERWORK_ENV = env_choice("PEERWORK_ENV", ("demo", "production"), "demo")
DEMO = PEERWORK_ENV == "demo"
DEBUG = False

# --- secrets -------------------------------------------------------------------------

SECRET_KEY = env("PEERWORK_SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEMO:
        raise ImproperlyConfigured("PEERWORK_SECRET_KEY (or _FILE) is required in production")
    SECRET_KEY = demo_secret(VAR_DIR / "secret-key")
elif len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("PEERWORK_SECRET_KEY must be at least 32 characters")

_master_key_file = env("PEERWORK_MASTER_KEY_FILE")
if _master_key_file:
    PEERWORK_MASTER_KEY_FILE = Path(_master_key_file)
    if not PEERWORK_MASTER_KEY_FILE.is_file():
        raise ImproperlyConfigured(f"PEERWORK_MASTER_KEY_FILE={_master_key_file!r} does not exist")
elif DEMO:
    # The demo makes its own key file on first use (peerwork.core.keyring).
    PEERWORK_MASTER_KEY_FILE = VAR_DIR / "master.key"
else:
    raise ImproperlyConfigured("PEERWORK_MASTER_KEY_FILE is required in production")

# Where each audit chain's head is also written, outside the database (see docs/operations.md).
PEERWORK_AUDIT_HEAD_FILE = Path(
    env("PEERWORK_AUDIT_HEAD_FILE", str(VAR_DIR / "audit-heads.log")) or ""
)
if os.environ.get("PEERWORK_TESTING") == "1" and not env("PEERWORK_AUDIT_HEAD_FILE"):
    # Test organisations' heads must not land in the demo's head file, where verify_audit
    # would report them as organisations missing from the database.
    PEERWORK_AUDIT_HEAD_FILE = VAR_DIR / f"test-audit-heads-{os.getpid()}.log"

# Erasures (crypto-shredding) are also appended here, outside the database, so they can be
# replayed after restoring an older backup: `manage.py replay_erasures` (docs/operations.md).
PEERWORK_ERASURE_JOURNAL_FILE = Path(
    env("PEERWORK_ERASURE_JOURNAL_FILE", str(VAR_DIR / "erasures.log")) or ""
)
if os.environ.get("PEERWORK_TESTING") == "1" and not env("PEERWORK_ERASURE_JOURNAL_FILE"):
    # Tests' erasures must not land in the demo's journal, where a replay would act on them.
    PEERWORK_ERASURE_JOURNAL_FILE = VAR_DIR / f"test-erasures-{os.getpid()}.log"

# --- hosts ---------------------------------------------------------------------------

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
ALLOWED_HOSTS = [h.strip() for h in (env("PEERWORK_ALLOWED_HOSTS") or "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    if not DEMO:
        raise ImproperlyConfigured("PEERWORK_ALLOWED_HOSTS is required in production")
    ALLOWED_HOSTS = list(LOOPBACK_HOSTS)
if DEMO and any(h not in LOOPBACK_HOSTS and h != "testserver" for h in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "PEERWORK_ENV=demo serves plain http on loopback only; use production for other hosts"
    )
PEERWORK_PORT = env_int("PEERWORK_PORT", 8000, minimum=1)
PEERWORK_TRUSTED_PROXY_HOPS = env_int("PEERWORK_TRUSTED_PROXY_HOPS", 0, maximum=10)

# Where people reach this instance: links in emails (invitations) are built on it, never on
# the Host header of whichever request happened to trigger them.
PEERWORK_BASE_URL = (env("PEERWORK_BASE_URL") or "").rstrip("/")
if not PEERWORK_BASE_URL:
    if not DEMO:
        raise ImproperlyConfigured("PEERWORK_BASE_URL (https://…) is required in production")
    PEERWORK_BASE_URL = f"http://127.0.0.1:{PEERWORK_PORT}"
_base = urlsplit(PEERWORK_BASE_URL)
if _base.scheme not in ("http", "https") or not _base.hostname or _base.path or _base.query:
    raise ImproperlyConfigured(
        f"PEERWORK_BASE_URL={PEERWORK_BASE_URL!r}: expected a scheme and host, like https://peerwork.example.org"
    )
if not DEMO and _base.scheme != "https":
    raise ImproperlyConfigured(
        f"PEERWORK_BASE_URL={PEERWORK_BASE_URL!r}: production needs https://"
    )

# --- applications --------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    # Before allauth, so our templates (allauth/layouts/base.html …) override its own.
    "peerwork.core",
    "peerwork.people",
    "peerwork.outreach",
    "peerwork.schedule",
    "peerwork.selfcare",
    "peerwork.support",
    "peerwork.concerns",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # allauth.mfa's list of security keys loads humanize's template tags.
    "django.contrib.humanize",
    "axes",
    # Content-Security-Policy (django-csp 4: the CONTENT_SECURITY_POLICY dict below).
    "csp",
]
if os.environ.get("PEERWORK_TESTING") == "1":
    # A test-only model with sealed fields owned by a person (peerwork.core.sealing tests).
    INSTALLED_APPS += ["peerwork.core.tests.sealtest"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything else, so every response gets them: static files, the outage page
    # and error pages too (peerwork.core.headers); no-store on all but static files.
    "csp.middleware.CSPMiddleware",
    "peerwork.core.headers.PermissionsPolicyMiddleware",
    "peerwork.core.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions (they live in the database), below static files (they need none):
    # a plain 503 when the database cannot be reached (peerwork.core.outage).
    "peerwork.core.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "peerwork.core.middleware.MembershipMiddleware",
    # After the membership (the limits are its organisations'; its language is active for
    # the message), before two-step enrolment: an ended session signs in again first.
    "peerwork.core.session_limits.SessionLimitsMiddleware",
    # After the membership (it reads the memberships' roles) and inside no-store, so its
    # redirects to enrolment are not cached either (peerwork.core.mfa).
    "peerwork.core.mfa.MfaRequiredMiddleware",
    # Last, as django-axes asks: it turns a locked sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peerwork.urls"
WSGI_APPLICATION = "peerwork.wsgi.application"
AUTH_USER_MODEL = "core.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peerwork.core.context_processors.peerwork",
                "peerwork.core.mfa.context",
            ],
            "string_if_invalid": "",
        },
    }
]

# --- data ----------------------------------------------------------------------------

DATABASE_URL = env("PEERWORK_DATABASE_URL", f"sqlite:///{VAR_DIR / 'peerwork.sqlite3'}") or ""
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"PEERWORK_DATABASE_URL={DATABASE_URL!r}: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue on the busy timeout instead of failing half-way (DESIGN.md).
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file per test process (xdist workers, parallel runs) so subprocesses a test starts
    # (a worker, a deadline loop) can open the same database.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, but a request stops waiting for a connection after 1 s
    # (peerwork.core.postgresql): psycopg itself waits at least 2 s, and an unreachable
    # database must get a 503 within 2 s (docs/operations.md "When the database is down").
    _db["ENGINE"] = "peerwork.core.postgresql"
    _db.setdefault("OPTIONS", {}).update(
        {
            # psycopg's minimum; how long a connection attempt nobody waits for lingers.
            "connect_timeout": 2,
            # An open connection whose packets go unacknowledged for 0.75 s (the network
            # dropped it silently) is closed by the kernel instead of hanging for minutes.
            "tcp_user_timeout": 750,
        }
    )
else:
    raise ImproperlyConfigured(
        f"PEERWORK_DATABASE_URL={DATABASE_URL!r}: expected sqlite:/// or postgresql://"
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background work -----------------------------------------------------------------

PEERWORK_TASKS = env_choice("PEERWORK_TASKS", ("db", "rq"), "db")
PEERWORK_REDIS_URL = env("PEERWORK_REDIS_URL", "redis://127.0.0.1:6379/0") or ""
if PEERWORK_TASKS == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": PEERWORK_REDIS_URL, "DEFAULT_TIMEOUT": 300}}
    # Workers must load jobs with django-tasks-rq's Job class: RQ's own cannot call a
    # Task ("'Task' object is not callable"), and every job would fail.
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# A worker or deadline loop whose heartbeat is older than this is taken for dead, and the
# tasks it held are given to another worker (django-tasks-db never reclaims them itself).
PEERWORK_WORKER_LEASE_SECONDS = env_int(
    "PEERWORK_WORKER_LEASE_SECONDS", 60, minimum=5, maximum=3600
)

# --- outbound channels ---------------------------------------------------------------

_email_default = f"file://{VAR_DIR / 'mail'}" if DEMO else "smtp://localhost:25"
PEERWORK_EMAIL_URL = env("PEERWORK_EMAIL_URL", _email_default) or _email_default
globals().update(email_settings(PEERWORK_EMAIL_URL))
DEFAULT_FROM_EMAIL = env("PEERWORK_EMAIL_FROM", "Peerwork <peerwork@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

PEERWORK_SMS_GATEWAY = env_choice(
    "PEERWORK_SMS_GATEWAY", ("none", "http", "africastalking", "twilio"), "none"
)
PEERWORK_SMS_URL = env("PEERWORK_SMS_URL", "") or ""
PEERWORK_SMS_TOKEN = env("PEERWORK_SMS_TOKEN", "") or ""
PEERWORK_SMS_SENDER = env("PEERWORK_SMS_SENDER", "") or ""
if PEERWORK_SMS_GATEWAY == "http" and not PEERWORK_SMS_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("PEERWORK_SMS_GATEWAY=http needs PEERWORK_SMS_URL=https://…")
# Africa's Talking: the app's username ("sandbox" in their sandbox) and API key. The
# address follows PEERWORK_SMS_AT_SANDBOX unless given (tests point it at a fake gateway).
PEERWORK_SMS_AT_USERNAME = env("PEERWORK_SMS_AT_USERNAME", "") or ""
PEERWORK_SMS_AT_API_KEY = env("PEERWORK_SMS_AT_API_KEY", "") or ""
PEERWORK_SMS_AT_SANDBOX = env_bool("PEERWORK_SMS_AT_SANDBOX", False)
PEERWORK_SMS_AT_URL = env("PEERWORK_SMS_AT_URL", "") or (
    "https://api.sandbox.africastalking.com/version1/messaging"
    if PEERWORK_SMS_AT_SANDBOX
    else "https://api.africastalking.com/version1/messaging"
)
if PEERWORK_SMS_GATEWAY == "africastalking" and not (
    PEERWORK_SMS_AT_USERNAME and PEERWORK_SMS_AT_API_KEY
):
    raise ImproperlyConfigured(
        "PEERWORK_SMS_GATEWAY=africastalking needs PEERWORK_SMS_AT_USERNAME and "
        "PEERWORK_SMS_AT_API_KEY"
    )
# Twilio: the account SID and auth token; the sender is PEERWORK_SMS_SENDER (a number) or,
# without one, a messaging service.
PEERWORK_SMS_TWILIO_URL = env("PEERWORK_SMS_TWILIO_URL", "https://api.twilio.com") or ""
PEERWORK_SMS_TWILIO_ACCOUNT_SID = env("PEERWORK_SMS_TWILIO_ACCOUNT_SID", "") or ""
PEERWORK_SMS_TWILIO_AUTH_TOKEN = env("PEERWORK_SMS_TWILIO_AUTH_TOKEN", "") or ""
PEERWORK_SMS_TWILIO_MESSAGING_SERVICE_SID = (
    env("PEERWORK_SMS_TWILIO_MESSAGING_SERVICE_SID", "") or ""
)
if PEERWORK_SMS_GATEWAY == "twilio" and not (
    PEERWORK_SMS_TWILIO_ACCOUNT_SID
    and PEERWORK_SMS_TWILIO_AUTH_TOKEN
    and (PEERWORK_SMS_SENDER or PEERWORK_SMS_TWILIO_MESSAGING_SERVICE_SID)
):
    raise ImproperlyConfigured(
        "PEERWORK_SMS_GATEWAY=twilio needs PEERWORK_SMS_TWILIO_ACCOUNT_SID, "
        "PEERWORK_SMS_TWILIO_AUTH_TOKEN and PEERWORK_SMS_SENDER (or "
        "PEERWORK_SMS_TWILIO_MESSAGING_SERVICE_SID)"
    )

# --- sign-in and sessions ------------------------------------------------------------

PEERWORK_REQUIRE_MFA = env_bool("PEERWORK_REQUIRE_MFA", True)
if not PEERWORK_REQUIRE_MFA and not DEMO:
    raise ImproperlyConfigured("PEERWORK_REQUIRE_MFA=off is allowed only with PEERWORK_ENV=demo")
PEERWORK_DEMO_PASSWORD = env("PEERWORK_DEMO_PASSWORD", "") or ""

AUTHENTICATION_BACKENDS = [
    # First, so a locked account-and-address pair is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    # allauth's, checking each account's password once (peerwork.core.accounts).
    "peerwork.core.accounts.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "peerwork.core.accounts.AccountAdapter"
ACCOUNT_FORMS = {"reset_password": "peerwork.core.accounts.ResetPasswordForm"}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# No mail to addresses without an account: it would tell whoever reads that inbox (a
# partner, an employer) that someone used this address on this server.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# allauth's own limits are keyed on the login (or the account) and looser than django-axes,
# which owns lockout; the per-address parts are only a flood guard, loose because an office
# or a mobile carrier puts many people behind one address (docs/decisions.md "Sign-in").
ACCOUNT_RATE_LIMITS = {
    "login": "60/m/ip",
    "login_failed": "30/m/ip,20/15m/key",
    "reset_password": "20/m/ip,5/15m/key",
}

# Two-step sign-in (allauth.mfa). Who must enrol is peerwork.core.mfa.mfa_required; never
# SMS codes (a text shows on a shared or confiscated phone, and SIM swaps take them).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TOTP_ISSUER = "Peerwork"
MFA_ADAPTER = "peerwork.core.mfa.MfaAdapter"
MFA_FORMS = {"authenticate": "peerwork.core.lockout.AuthenticateForm"}
# The demo is plain http on loopback; browsers allow security keys there.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEMO

# Lockout (django-axes): 5 failures lock that account from that address for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "peerwork.core.lockout.account_key"
AXES_CLIENT_IP_CALLABLE = "peerwork.core.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "peerwork.core.lockout.lockout_response"
# A try while locked neither counts nor extends the lock: it lasts the 15 minutes it says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Failures only: a log of every sign-in's address and browser is not ours to keep.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "login", "email", "code"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# People's sessions end by their organisations' limits (peerwork.core.session_limits);
# this only bounds how long the row of a session nobody came back to is kept.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# The language cookie says which language someone reads (Russian on a Kenyan office PC):
# no script, other site or plain http needs to see it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Only this origin's files, no inline script or style and no eval anywhere: the pages,
# allauth's, the operator admin and the API docs all do without (tests in
# peerwork/core/tests/test_security_headers.py). img-src allows data: for the QR code of
# two-step enrolment and Swagger UI's icons; nothing ever loads from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
if not DEMO:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("PEERWORK_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- languages -----------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("id", _("Indonesian")),
    ("sw", _("Swahili")),
]
LOCALE_PATHS = [BASE_DIR / "peerwork" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- static files --------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if os.environ.get("PEERWORK_TESTING") == "1":
    # Tests render pages without running collectstatic first.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    # …and WhiteNoise serves them from the apps' folders, as it would after collectstatic.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- cache ---------------------------------------------------------------------------

# Shared by every process: allauth's sign-in rate limits and its record of used two-step
# codes (a code must not work twice) live in the cache, so a per-process memory cache
# would let each gunicorn worker count on its own. The database is already shared; the
# table is made by migration 0004.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "peerwork_cache",
    }
}

# --- logging -------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "filters": {"database_outage": {"()": "peerwork.core.outage.DropOutageRecords"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # A request answered "database unreachable" gets one line from peerwork.core.outage,
        # not Django's traceback of a server error.
        "django.request": {"filters": ["database_outage"]},
        "peerwork": {"level": "INFO"},
        "django_tasks_db": {"level": "WARNING"},
    },
}
