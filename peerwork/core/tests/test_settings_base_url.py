"""``PEERWORK_BASE_URL``: the address links in emails are built on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from peerwork.core.tests.fresh_settings import setting_in_fresh_process


def settings_value(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return setting_in_fresh_process(tmp_path, "PEERWORK_BASE_URL", **env)


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
