"""Two-step sign-in (peerwork.core.mfa): required by role, enforced on every page, and the
sign-in itself with an authenticator app or a recovery code."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django_scopes import scopes_disabled

from peerwork.core.access import Action, DataClass, can
from peerwork.core.mfa import MFA_ROLES, enrol_totp, mfa_required, open_secret, seal_secret
from peerwork.core.models import Role
from peerwork.core.tests.fresh_settings import setting_in_fresh_process
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.core.tests.signing_in import (
    ENROL,
    LOGIN,
    TWO_STEP,
    enter_code,
    reauthenticate,
    sign_in,
    totp_code,
    totp_secret,
    unenrol,
)
from peerwork.core.tokens import create_token

REQUIRED = ["ravi", "grace", "daniel", "chen", "samuel", "leila"]
NOT_REQUIRED = ["amina", "joseph", "farah", "peter"]
NOTICE = "Your role lets you see other people's records"


pytestmark = pytest.mark.usefixtures("fresh_limits")


def signed_in(client, member):
    client.force_login(member.user)
    return client


# --- who must enrol -------------------------------------------------------------------


@pytest.mark.parametrize("name", REQUIRED)
def test_people_whose_roles_read_others_records_are_sent_to_enrol_until_they_do(
    client, story, name
):
    member = getattr(story, name)
    unenrol(member.user)
    signed_in(client, member)
    for path in ("/", "/people", "/inbox", "/tokens", f"/people/{story.amina.pk}"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == ENROL, path

    enrol_totp(member.user, generate_totp_secret())
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("name", NOT_REQUIRED)
def test_staff_volunteers_facilitators_and_peer_interviewers_are_not_asked_to_enrol(
    client, story, name
):
    member = getattr(story, name)
    assert not Authenticator.objects.filter(user=member.user).exists()
    signed_in(client, member)
    response = client.get("/")
    assert response.status_code == 200
    assert NOTICE not in response.content.decode()


def test_the_rule_covers_every_role_that_can_read_someone_elses_protected_records(story):
    """The list of roles is derived from the access model: whoever ``can`` read another
    person's personnel, disclosed, private or confidential data holds one of them."""
    people = [
        story.amina, story.ravi, story.taslima, story.grace, story.daniel, story.samuel,
        story.leila, story.chen, story.joseph, story.farah, story.peter, story.olena,
    ]  # fmt: skip
    readers = set()
    with scopes_disabled():
        for actor in people:
            for subject in people:
                if subject == actor:
                    continue
                for data_class in (
                    DataClass.PERSONNEL,
                    DataClass.DISCLOSED,
                    DataClass.PRIVATE,
                    DataClass.CONFIDENTIAL,
                ):
                    if can(actor, Action.READ, data_class, subject):
                        readers.add(actor)
    assert readers, "nobody reads anyone's records: the check proves nothing"
    for reader in readers:
        assert reader.has_role(*MFA_ROLES), reader.user.username
        assert mfa_required(reader.user, [reader])
    assert Role.PEER_INTERVIEWER not in MFA_ROLES and Role.FACILITATOR not in MFA_ROLES


def test_any_current_membership_with_such_a_role_requires_it_and_an_ended_one_does_not(story):
    from django.utils import timezone

    assert not mfa_required(story.amina.user)
    with scopes_disabled():
        story.amina.role_grants.create(organisation=story.harbourside, role=Role.PEER_MENTOR)
        story.amina.refresh_from_db()
        assert mfa_required(story.amina.user)
        story.amina.ended_at = timezone.now()
        story.amina.save(update_fields=["ended_at"])
        assert not mfa_required(story.amina.user)


# --- what stays open while enrolling --------------------------------------------------


def test_enrolment_sign_out_language_healthz_and_static_files_stay_open(client, story):
    unenrol(story.ravi.user)
    signed_in(client, story.ravi)

    page = client.get(ENROL)
    html = assert_sound_page(page)
    assert page.status_code == 200 and NOTICE in html
    # Activating an app first asks for the password again: that page stays open too.
    activate = client.get("/accounts/2fa/totp/activate/")
    assert activate["Location"].startswith("/accounts/reauthenticate/")
    assert client.get(activate["Location"]).status_code == 200
    assert reauthenticate(client).status_code == 302
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/static/core/peerwork.css").status_code == 200
    language = client.post("/language", {"language": "sw", "next": ENROL})
    assert language.status_code == 302 and language["Location"] == ENROL
    out = client.post("/accounts/logout/")
    assert out.status_code == 302 and out["Location"] == LOGIN
    assert client.get("/").status_code == 302  # signed out now: to sign-in, not enrolment
    assert client.get("/")["Location"].startswith(LOGIN)


def test_the_api_answers_an_unenrolled_session_403_in_json_and_tokens_still_work(client, story):
    with scopes_disabled():
        _token, raw = create_token(member=story.ravi, name="script")
    unenrol(story.ravi.user)
    signed_in(client, story.ravi)

    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert "two-step sign-in" in response.json()["detail"]

    client.logout()
    by_token = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert by_token.status_code == 200
    assert by_token.json()["person"]["username"] == "ravi"


# --- signing in -----------------------------------------------------------------------


def test_an_enrolled_person_signs_in_with_their_password_then_the_apps_code(client, story, clock):
    response = sign_in(client, "ravi")
    assert response.status_code == 302 and response["Location"] == TWO_STEP
    assert client.get("/").status_code == 302  # not signed in before the second step
    step = client.get(TWO_STEP)
    assert step.status_code == 200 and 'autocomplete="one-time-code"' in assert_sound_page(step)

    response = enter_code(client, totp_code(story.ravi.user))
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Hello, Ravi Shah" in client.get("/").content.decode()


def test_a_code_is_used_once(client, story, clock):
    code = totp_code(story.ravi.user)
    sign_in(client, "ravi")
    assert enter_code(client, code).status_code == 302
    client.logout()
    sign_in(client, "ravi")
    again = enter_code(client, code)
    assert again.status_code == 200 and "That code did not work" in again.content.decode()


def test_a_wrong_code_gets_a_clear_message_and_the_person_stays_signed_out(client, story, clock):
    sign_in(client, "ravi")
    right = totp_code(story.ravi.user)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    response = enter_code(client, wrong)
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "That code did not work. Enter the code your app shows now" in html
    assert client.get("/")["Location"].startswith(LOGIN)


def test_a_recovery_code_signs_in_once(client, story, clock):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes(
        Authenticator.objects.get(user=story.grace.user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10

    sign_in(client, "grace")
    assert enter_code(client, codes[0])["Location"] == "/"
    assert "Hello, Grace Njeri" in client.get("/").content.decode()
    client.logout()

    sign_in(client, "grace")
    again = enter_code(client, codes[0])
    assert again.status_code == 200 and "That code did not work" in again.content.decode()
    assert enter_code(client, codes[1])["Location"] == "/"


def test_a_person_enrols_an_app_on_the_page_and_then_reaches_their_day(client, story, clock):
    unenrol(story.daniel.user)
    assert sign_in(client, "daniel")["Location"] == "/"  # nothing to ask yet
    assert client.get("/")["Location"] == ENROL

    reauthenticate(client)
    page = client.get("/accounts/2fa/totp/activate/")
    html = assert_sound_page(page)
    assert page.status_code == 200
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', html)
    if secret is None:
        secret = re.search(r'value="([A-Z2-7]{32})"[^>]*id="authenticator_secret"', html)
    assert secret is not None, "the page shows the secret to type into an app"
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    code = format_hotp_value(hotp_value(secret.group(1), int(clock().timestamp()) // 30))
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user=story.daniel.user, type=Authenticator.Type.TOTP
    ).exists()
    assert "Hello, Daniel Mwangi" in client.get("/").content.decode()


def test_the_security_key_and_recovery_code_pages_render_in_our_layout(client, story, clock):
    sign_in(client, "grace")
    enter_code(client, totp_code(story.grace.user))
    reauthenticate(client)
    for path in (
        ENROL,
        "/accounts/2fa/webauthn/add/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/totp/deactivate/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = assert_sound_page(response)
        assert 'class="skip"' in html and "Harbourside Harm Reduction" in html, path
    # The security-key page's script is a file of allauth's, its data a JSON block.
    key_page = client.get("/accounts/2fa/webauthn/add/").content.decode()
    assert '<script src="/static/mfa/js/webauthn.js"></script>' in key_page
    assert client.get("/static/mfa/js/webauthn.js").status_code == 200


def test_the_app_names_the_account_by_username_only(story):
    secret = generate_totp_secret()
    url = get_adapter().build_totp_url(story.ravi.user, secret)
    assert url.startswith("otpauth://totp/ravi?") and "issuer=Peerwork" in url
    assert "example.org" not in url and "Harbourside" not in url


# --- keeping it -----------------------------------------------------------------------


def test_the_apps_secret_and_the_recovery_codes_seed_are_sealed_in_the_database(story):
    rows = dict(Authenticator.objects.filter(user=story.ravi.user).values_list("type", "data"))
    secret, seed = rows["totp"]["secret"], rows["recovery_codes"]["seed"]
    for stored in (secret, seed):
        assert stored.startswith("sealed-v1:")
        assert open_secret(stored) not in stored
    assert open_secret(secret) == totp_secret(story.ravi.user)
    assert re.fullmatch(r"[A-Z2-7]{32}", open_secret(secret))


def test_a_secret_sealed_with_an_older_audit_key_still_opens_and_a_changed_one_does_not(
    settings, tmp_path
):
    from cryptography.exceptions import InvalidTag

    from peerwork.core import keyring

    settings.PEERWORK_MASTER_KEY_FILE = tmp_path / "master.key"
    keyring.create_key_file(settings.PEERWORK_MASTER_KEY_FILE)
    old = seal_secret("JBSWY3DPEHPK3PXP")
    new_id = keyring.add_audit_mac_key()
    new = seal_secret("JBSWY3DPEHPK3PXP")
    assert new.startswith(f"sealed-v1:{new_id}:") and not old.startswith(f"sealed-v1:{new_id}:")
    assert open_secret(old) == open_secret(new) == "JBSWY3DPEHPK3PXP"
    head, _colon, body = new.rpartition(":")
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    with pytest.raises(InvalidTag):
        open_secret(f"{head}:{flipped}")


def test_someone_who_needs_it_cannot_remove_their_only_app_but_others_can(client, story, clock):
    sign_in(client, "ravi")
    enter_code(client, totp_code(story.ravi.user))
    reauthenticate(client)
    response = client.post("/accounts/2fa/totp/deactivate/", follow=True)
    assert "this is the one way you cannot remove" in response.content.decode()
    assert Authenticator.objects.filter(user=story.ravi.user, type="totp").exists()
    client.logout()

    enrol_totp(story.amina.user, generate_totp_secret())  # enrolled of her own accord
    sign_in(client, "amina")
    enter_code(client, totp_code(story.amina.user))
    reauthenticate(client)
    client.post("/accounts/2fa/totp/deactivate/")
    assert not Authenticator.objects.filter(user=story.amina.user, type="totp").exists()


def test_someone_elses_security_key_is_not_found(client, story, clock):
    keys = {
        who: Authenticator.objects.create(
            user=getattr(story, who).user,
            type=Authenticator.Type.WEBAUTHN,
            data={"name": f"{who}'s key", "credential": {}},
        )
        for who in ("ravi", "grace")
    }
    sign_in(client, "grace")
    enter_code(client, totp_code(story.grace.user))
    reauthenticate(client)
    own = client.get(f"/accounts/2fa/webauthn/keys/{keys['grace'].pk}/edit/")
    assert own.status_code == 200 and "grace&#x27;s key" in own.content.decode()
    for path in ("edit", "remove"):
        url = f"/accounts/2fa/webauthn/keys/{keys['ravi'].pk}/{path}/"
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "mine now"}).status_code == 404, url
    keys["ravi"].refresh_from_db()
    assert keys["ravi"].data["name"] == "ravi's key"


# --- the demo's off switch ------------------------------------------------------------

OFF_NOTICE = "Two-step sign-in is switched off in this demo"


def test_with_the_demo_switch_off_nobody_is_sent_to_enrol_and_every_page_says_so(
    client, story, settings
):
    settings.PEERWORK_REQUIRE_MFA = False
    pages = {"sign-in": client.get(LOGIN), "reset": client.get("/accounts/password/reset/")}
    unenrol(story.ravi.user)
    signed_in(client, story.ravi)
    pages.update(
        {path: client.get(path) for path in ("/", "/people", "/teams", "/inbox", "/tokens")}
    )
    pages["not found"] = client.get("/no-such-page")
    pages["enrolment"] = client.get(ENROL)
    for name, response in pages.items():
        assert response.status_code in (200, 404), name
        assert OFF_NOTICE in response.content.decode(), name
    assert pages["/"].status_code == 200


def test_with_the_switch_on_no_page_carries_the_off_notice(client, story):
    signed_in(client, story.amina)
    assert OFF_NOTICE not in client.get("/").content.decode()


def settings_import(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return setting_in_fresh_process(
        tmp_path,
        "PEERWORK_REQUIRE_MFA",
        **{"PEERWORK_BASE_URL": "https://peerwork.example.org", **env},
    )


def test_production_refuses_the_off_switch_and_the_demo_takes_it(tmp_path):
    refused = settings_import(tmp_path, PEERWORK_ENV="production", PEERWORK_REQUIRE_MFA="off")
    assert refused.returncode != 0
    assert "PEERWORK_REQUIRE_MFA=off is allowed only with PEERWORK_ENV=demo" in refused.stderr
    production = settings_import(tmp_path, PEERWORK_ENV="production")
    assert production.returncode == 0 and production.stdout.strip() == "True", production.stderr
    demo = settings_import(
        tmp_path, PEERWORK_ENV="demo", PEERWORK_ALLOWED_HOSTS="", PEERWORK_REQUIRE_MFA="off"
    )
    assert demo.returncode == 0 and demo.stdout.strip() == "False", demo.stderr
