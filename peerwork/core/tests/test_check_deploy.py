"""``PEERWORK_ENV=production manage.py check --deploy`` reports nothing (issue 3, item 3),
and production sends its cookies Secure, HttpOnly and SameSite, with HSTS.

Each check runs in a fresh interpreter with only the variables a production server is
given (docs/deploy.md), as the server would start: the test process's own settings are the
test settings, which are not production's.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HOST = "peerwork.example.org"

# What the subprocess reports: the cookie settings, and the headers of real answers.
REPORT = """
import json
import django

django.setup()
from django.conf import settings
from django.test import Client

client = Client()
secure = client.get("/", secure=True, headers={"Host": "{host}"})
plain = client.get("/", headers={"Host": "{host}"})
print(json.dumps({
    "settings": {name: getattr(settings, name) for name in (
        "DEBUG", "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SECURE",
        "LANGUAGE_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_SAMESITE",
    )},
    "secure": dict(secure.headers),
    "secure_status": secure.status_code,
    "plain": dict(plain.headers),
    "plain_status": plain.status_code,
}))
""".replace("{host}", HOST)


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a production server: its required variables set to sane values."""
    folder = tmp_path_factory.mktemp("production")
    key_file = folder / "master.key"
    base = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "peerwork.settings"}
    made = subprocess.run(
        [sys.executable, "-m", "peerwork.core.keyring", "new", str(key_file)],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    return {
        **base,
        "PEERWORK_ENV": "production",
        "PEERWORK_SECRET_KEY": secrets.token_urlsafe(50),
        "PEERWORK_MASTER_KEY_FILE": str(key_file),
        "PEERWORK_ALLOWED_HOSTS": HOST,
        "PEERWORK_BASE_URL": f"https://{HOST}",
        "PEERWORK_VAR_DIR": str(folder / "var"),
    }


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_in_production_reports_nothing(production):
    # --fail-level DEBUG: any message at all, down to the quietest, fails the command.
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"
    assert result.stderr == ""


def test_check_deploy_would_report_a_weakened_setting(production):
    """The check above can fail: turning off the https redirect is reported."""
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        {**production, "PEERWORK_SSL_REDIRECT": "off"},
    )
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_production_cookies_are_secure_http_only_and_same_site_with_hsts(production):
    result = run(["-c", REPORT], production)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["settings"] == {
        "DEBUG": False,
        # The __Host- prefix: the browser takes the cookie only over https, for this host
        # alone and the whole site.
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SAMESITE": "Lax",
    }
    secure = report["secure"]
    assert report["secure_status"] == 302  # to the sign-in page
    assert secure["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"
    policy = {part.strip() for part in secure["Content-Security-Policy"].split(";")}
    assert {"default-src 'self'", "script-src 'self'", "style-src 'self'"} <= policy
    assert "no-store" in secure["Cache-Control"]
    assert secure["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in secure["Permissions-Policy"]
    # Plain http is only ever sent on to https.
    assert report["plain_status"] == 301
    assert report["plain"]["Location"] == f"https://{HOST}/"
