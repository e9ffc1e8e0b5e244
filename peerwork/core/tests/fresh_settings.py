"""Read a setting as a server would see it: in a fresh interpreter, from the environment.

Settings are read once per process, so a test of how a variable is understood (or refused)
has to start a new Python with that environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def setting_in_fresh_process(
    tmp_path: Path, name: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """Print ``settings.<name>`` with ``env`` over a minimal production-like environment."""
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
        [sys.executable, "-c", f"import peerwork.settings as s; print(s.{name})"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
