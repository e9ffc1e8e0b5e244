"""``PEERWORK_BASE_URL``: the address links in emails are built on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def settings_value(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter, as a server would start."""
    key_file = tmp_path / "master.key"
    key_file.write_text("x" * 44)
    base = {
        "PATH": os.environ.get("PATH", ""),
        "PEERWORK_VAR_DIR": str(tmp_path),
        "PEERWORK_SECRET_KEY": "s" * 50,
        "PEERWORK_MASTER_KEY_FILE": str(key_file),
        "PEERWORK_ALLOWED_HOSTS": "peerwork.example.org",
    }
    return subprocess.run(
        [sys.executable, "-c", "import peerwork.settings as s; print(s.PEERWORK_BASE_URL)"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_demo_links_to_its_own_loopback_port(tmp_path):
    result = settings_value(
        tmp_path, PEERWORK_ENV="demo", PEERWORK_ALLOWED_HOSTS="", PEERWORK_PORT="8123"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8123"


def test_production_takes_an_https_address_without_its_trailing_slash(tmp_path):
    result = settings_value(
        tmp_path, PEERWORK_ENV="production", PEERWORK_BASE_URL="https://peerwork.example.org/"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://peerwork.example.org"


@pytest.mark.parametrize(
    "value", [None, "http://peerwork.example.org", "peerwork.example.org", "https://x.org/sub"]
)
def test_production_refuses_a_missing_plain_http_or_malformed_address(tmp_path, value):
    env = {"PEERWORK_ENV": "production"}
    if value is not None:
        env["PEERWORK_BASE_URL"] = value
    result = settings_value(tmp_path, **env)
    assert result.returncode != 0
    assert "PEERWORK_BASE_URL" in result.stderr
