"""Headless Chromium as the benchmarks and the browser test drive it, and the sign-in a
person goes through in it (the password, then a TOTP code, setting up the app first when
Peerwork sends them to).

The browser is Debian's ``/usr/bin/chromium`` (``apt-get install chromium``), launched by
Playwright from its wheel; nothing is downloaded (DESIGN.md "Known pitfalls").
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
from base64 import b32decode
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
# Quiet: no sandbox (CI runs as root), no GPU, and none of the requests a browser makes on
# its own (updates, sync, safe browsing), which would leave for the Internet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SECOND_STEP_PREFIX = "/accounts/2fa/"


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright ``Browser`` on Debian's Chromium, closed on the way out."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def totp(secret: str, *, at: float | None = None, digits: int = 6, period: int = 30) -> str:
    """RFC 6238 with SHA-1: the code an authenticator app on a phone shows for ``secret``."""
    key = b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def enter_code(
    page: Any, secret: str, *, period: int = 30, clock: Callable[[], float] = time.time
) -> None:
    """Type the app's current code and send it. Peerwork accepts only the current 30-second
    window's code, so a code whose window ended on its way is refused through no fault of
    its own: then, and only then, the new window's code is sent once more."""
    path = urlsplit(page.url).path
    for _attempt in range(2):
        window = int(clock() // period)
        page.fill("#id_code", totp(secret, at=clock(), period=period))
        page.click("main button[type=submit]")
        refused = urlsplit(page.url).path == path
        if not refused or int(clock() // period) == window:
            return


def sign_in(
    page: Any,
    base_url: str,
    username: str,
    password: str,
    *,
    secrets: dict[str, str],
    secret_of: Callable[[str], str] | None = None,
) -> list[str]:
    """Sign in through the real form, and give the second step when it is asked for.

    ``secrets`` keeps each person's TOTP secret once they set up their app here;
    ``secret_of`` finds the secret of someone who had one already. Returns the
    second-step pages passed through (none when no second step was asked for). The page
    is left wherever sign-in ended (the caller checks).
    """
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    return second_step(
        page, username=username, password=password, secrets=secrets, secret_of=secret_of
    )


def second_step(
    page: Any,
    *,
    username: str,
    password: str,
    secrets: dict[str, str],
    secret_of: Callable[[str], str] | None = None,
) -> list[str]:
    """Follow allauth's second-step pages after the password: enter the code of an app
    set up already, or set one up (Peerwork sends people whose roles need it there).
    Returns the paths of the second-step pages passed through."""
    passed: list[str] = []
    for _step in range(8):
        path = urlsplit(page.url).path
        if path == "/accounts/reauthenticate/":
            # Setting up a second step asks for the password again first (allauth).
            page.fill("#id_password", password)
            page.click("main button[type=submit]")
            continue
        if not path.startswith(SECOND_STEP_PREFIX):
            break
        passed.append(path)
        if path.endswith("/totp/activate/"):
            # The page shows the secret an app would read from the QR code beside it.
            secrets[username] = page.input_value("#authenticator_secret")
            enter_code(page, secrets[username])
        elif path.endswith("/authenticate/"):
            if username not in secrets and secret_of is not None:
                secrets[username] = secret_of(username)
            if not secrets.get(username):
                raise RuntimeError(f"{username} has an authenticator app whose secret is unknown")
            enter_code(page, secrets[username])
        elif page.locator("a[href$='/totp/activate/']").count():
            page.click("a[href$='/totp/activate/']")
        else:
            break  # set up: what follows (recovery codes) needs nothing more to go on
    return passed
