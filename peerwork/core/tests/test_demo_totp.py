"""The demo's two-step sign-in: the seed gives the people who need it an authenticator app
with a fixed secret, ``make run`` prints the secrets, and ``demo_totp`` prints the code."""

from __future__ import annotations

import io

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from peerwork import run
from peerwork.core import demo
from peerwork.core.management.commands.demo_totp import current_code
from peerwork.core.models import User
from peerwork.core.tests.signing_in import code_period_clock

PASSWORD = "harbour-demo-2026"
NEEDS_IT = ["ravi", "grace", "daniel", "samuel", "leila", "chen", "bashir", "taras", "oksana"]
DOES_NOT = ["amina", "joseph", "olena", "iryna", "dmytro"]


@pytest.fixture
def seeded(settings, tmp_path, db):
    cache.clear()
    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = PASSWORD
    demo.seed()
    return settings


def app_secret(username: str) -> str | None:
    app = Authenticator.objects.filter(
        user__username=username, type=Authenticator.Type.TOTP
    ).first()
    return None if app is None else str(get_adapter().decrypt(app.data["secret"]))


def test_everyone_who_needs_two_step_sign_in_has_an_app_with_their_fixed_secret(seeded):
    for username in [*NEEDS_IT, "operator"]:
        assert app_secret(username) == demo.demo_totp_secret(username), username
        assert Authenticator.objects.filter(
            user__username=username, type=Authenticator.Type.RECOVERY_CODES
        ).exists()
    for username in DOES_NOT:
        assert app_secret(username) is None, username
    assert len({demo.demo_totp_secret(u) for u in NEEDS_IT}) == len(NEEDS_IT)


def test_a_second_seed_changes_nothing_and_a_rerun_puts_a_changed_secret_back(seeded):
    before = sorted(Authenticator.objects.values_list("id", "type", "user__username"))
    assert demo.seed().changes == 0
    assert sorted(Authenticator.objects.values_list("id", "type", "user__username")) == before

    app = Authenticator.objects.get(user__username="ravi", type=Authenticator.Type.TOTP)
    app.data = {"secret": get_adapter().encrypt("JBSWY3DPEHPK3PXP")}
    app.save(update_fields=["data"])
    Authenticator.objects.filter(user__username="grace").delete()
    assert demo.seed().changes > 0
    assert app_secret("ravi") == demo.demo_totp_secret("ravi")
    assert app_secret("grace") == demo.demo_totp_secret("grace")


def test_the_command_prints_the_code_the_app_shows_now_or_the_secret(seeded):
    with code_period_clock():
        out = io.StringIO()
        call_command("demo_totp", "ravi", stdout=out)
        assert out.getvalue().strip() == current_code(demo.demo_totp_secret("ravi"))
        assert len(out.getvalue().strip()) == 6
    out = io.StringIO()
    call_command("demo_totp", "ravi", "--secret", stdout=out)
    assert out.getvalue().strip() == demo.demo_totp_secret("ravi")


def test_the_command_refuses_people_without_an_app_and_any_real_server(seeded):
    with pytest.raises(CommandError, match="has no demo authenticator app"):
        call_command("demo_totp", "amina", stdout=io.StringIO())
    seeded.DEMO = False
    with pytest.raises(CommandError, match="only with PEERWORK_ENV=demo"):
        call_command("demo_totp", "ravi", stdout=io.StringIO())


def test_current_code_is_rfc_6238():
    # RFC 6238 appendix B (SHA-1) at T = 59 s: 94287082, of which apps show six digits.
    assert current_code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at=59) == "287082"


def test_make_runs_banner_gives_each_secret_and_the_command(seeded):
    text = run.banner(port=8123, demo=True)
    assert "python manage.py demo_totp USERNAME" in text
    for username in [*NEEDS_IT, "operator"]:
        assert f"\n{username.ljust(8)}  {demo.demo_totp_secret(username)}" in text, username
    for username in DOES_NOT:
        assert demo.demo_totp_secret(username) not in text


def test_a_demo_line_manager_signs_in_with_the_commands_code(seeded, client):
    with code_period_clock():
        response = client.post("/accounts/login/", {"login": "ravi", "password": PASSWORD})
        assert response["Location"] == "/accounts/2fa/authenticate/"
        out = io.StringIO()
        call_command("demo_totp", "ravi", stdout=out)
        response = client.post("/accounts/2fa/authenticate/", {"code": out.getvalue().strip()})
        assert response["Location"] == "/"
        assert "Hello, Ravi Shah" in client.get("/").content.decode()
        assert User.objects.get(username="ravi").last_login is not None
