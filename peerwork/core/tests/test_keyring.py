"""The key file and the key hierarchy (peerwork.core.keyring)."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_scopes import scope

from peerwork.core import keyring
from peerwork.core.models import OrganisationKey, PersonKey
from peerwork.core.tests.sealtest.models import SealedNote

KEY_B64 = base64.b64encode(b"k" * 32).decode()


@pytest.fixture
def key_file(tmp_path, settings):
    path = tmp_path / "keys" / "master.key"
    settings.PEERWORK_MASTER_KEY_FILE = path
    keyring.forget_cached_keys()
    yield path
    keyring.forget_cached_keys()


def write_keys(path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


def test_the_demo_makes_its_key_file_readable_by_its_owner_only(key_file, settings):
    settings.DEMO = True
    assert not key_file.exists()
    keys = keyring.load_key_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    data = json.loads(key_file.read_text())
    assert data["peerwork_keys"] == 1
    assert [e["id"] for e in data["master_keys"]] == [keys.current_master.id]
    assert len(base64.b64decode(data["audit_mac_keys"][0]["key"])) == 32
    assert keyring.load_key_file() == keys  # made once, then read


def test_production_without_its_key_file_stops_with_a_clear_message(key_file, settings):
    settings.DEMO = False
    with pytest.raises(keyring.KeyFileError, match="PEERWORK_MASTER_KEY_FILE=.*does not exist"):
        keyring.load_key_file()
    assert not key_file.exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json " + KEY_B64, "not UTF-8 JSON"),
        ([], "JSON object"),
        ({"peerwork_keys": 2, "master_keys": [], "audit_mac_keys": []}, "format version"),
        ({"peerwork_keys": 1, "master_keys": [], "audit_mac_keys": []}, "master_keys.*non-empty"),
        ({"peerwork_keys": 1, "master_keys": [{"id": "m1", "key": KEY_B64}]}, "audit_mac_keys"),
        (
            {
                "peerwork_keys": 1,
                "master_keys": [{"id": "m1", "key": KEY_B64[:-8] + "AAAA===="}],
                "audit_mac_keys": [{"id": "a1", "key": KEY_B64}],
            },
            "m1.*base64|m1.*32 bytes",
        ),
        (
            {
                "peerwork_keys": 1,
                "master_keys": [{"id": "m1", "key": base64.b64encode(b"short").decode()}],
                "audit_mac_keys": [{"id": "a1", "key": KEY_B64}],
            },
            "m1.*32 bytes",
        ),
        (
            {
                "peerwork_keys": 1,
                "master_keys": [{"id": "m1", "key": KEY_B64}, {"id": "m1", "key": KEY_B64}],
                "audit_mac_keys": [{"id": "a1", "key": KEY_B64}],
            },
            "m1 twice",
        ),
        (
            {
                "peerwork_keys": 1,
                "master_keys": [{"id": "m" * 33, "key": KEY_B64}],
                "audit_mac_keys": [{"id": "a1", "key": KEY_B64}],
            },
            "1 to 32 characters",
        ),
        (
            {
                "peerwork_keys": 1,
                "master_keys": ["m1"],
                "audit_mac_keys": [{"id": "a1", "key": KEY_B64}],
            },
            "object with id and key",
        ),
    ],
    ids=[
        "not-json",
        "not-object",
        "format",
        "no-master",
        "no-audit",
        "bad-base64",
        "short",
        "duplicate",
        "long-id",
        "not-entry",
    ],
)
def test_a_malformed_key_file_stops_with_a_clear_message(key_file, settings, content, problem):
    settings.DEMO = True  # even the demo never replaces a file it cannot read
    write_keys(key_file, content)
    before = key_file.read_bytes()
    with pytest.raises(keyring.KeyFileError, match=problem) as caught:
        keyring.load_key_file()
    assert "PEERWORK_MASTER_KEY_FILE" in str(caught.value)
    assert KEY_B64 not in str(caught.value)
    assert key_file.read_bytes() == before


def test_sealing_with_a_malformed_key_file_fails_loudly(story, key_file):
    write_keys(key_file, {"peerwork_keys": 1, "master_keys": "oops", "audit_mac_keys": []})
    with scope(organisation=story.harbourside.pk), pytest.raises(keyring.KeyFileError):
        SealedNote.objects.create(organisation=story.harbourside, owner=story.amina, text="x")


def test_the_audit_key_is_the_first_and_older_ones_are_found_by_id(key_file):
    first_id, first = keyring.audit_mac_key()
    new_id = keyring.add_audit_mac_key()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    current_id, current = keyring.audit_mac_key()
    assert current_id == new_id != first_id
    assert current != first and len(current) == 32
    assert keyring.audit_mac_key_by_id(first_id) == first
    assert keyring.audit_mac_key_by_id(new_id) == current
    with pytest.raises(keyring.UnknownKeyId):
        keyring.audit_mac_key_by_id("a-none")


def test_a_new_master_key_goes_first_and_the_old_ones_stay(key_file):
    old = keyring.load_key_file().current_master
    new_id = keyring.add_master_key()
    keys = keyring.load_key_file()
    assert [e.id for e in keys.master_keys] == [new_id, old.id]
    assert keys.master(old.id).key == old.key


def test_keys_are_made_on_first_use_and_wrapped_for_their_place(story, key_file):
    org, user = story.harbourside.pk, story.amina.user_id
    assert not OrganisationKey.objects.filter(organisation=org).exists()
    person = keyring.current_person_key(org, user)
    row = PersonKey.objects.get(organisation=org, user=user)
    org_row = OrganisationKey.objects.get(organisation=org)
    assert (row.version, row.organisation_key_version, org_row.version) == (1, 1, 1)
    assert org_row.master_key_id == keyring.load_key_file().current_master.id
    assert person.key not in bytes(row.wrapped)
    assert keyring.current_person_key(org, user).key == person.key
    assert keyring.current_person_key(org, story.olena.user_id).key != person.key


def test_two_makers_of_the_same_first_key_end_with_one_key(story, key_file):
    org, user = str(story.harbourside.pk), str(story.amina.user_id)
    first = keyring._insert_person_key(org, user, 1)
    # A second process that also saw no key inserts the same version: the constraint refuses
    # it, and it takes the winner's key instead of failing or making another.
    assert keyring._insert_person_key(org, user, 1) is None
    assert PersonKey.objects.filter(organisation=org, user=user).count() == 1
    keyring.forget_cached_keys()
    assert first is not None
    assert keyring.current_person_key(org, user).key == first.key


def test_a_key_made_in_a_rolled_back_transaction_is_never_used(story, key_file):
    org, user = str(story.harbourside.pk), str(story.amina.user_id)
    keyring.current_organisation_key(org)
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = keyring.current_person_key(org, user)
        raise RuntimeError("rolled back")
    assert not PersonKey.objects.filter(organisation=org, user=user).exists()
    # Another process makes version 1 for real; this process must not use the lost key.
    made = keyring._insert_person_key(org, user, 1)
    assert made is not None and made.key != lost.key
    assert keyring.current_person_key(org, user).key == made.key
    assert keyring.person_key(org, user, 1).key == made.key


def test_a_key_file_from_elsewhere_does_not_open_this_databases_keys(
    story, key_file, tmp_path, settings
):
    keyring.current_person_key(story.harbourside.pk, story.amina.user_id)
    own = json.loads(key_file.read_text())
    other = tmp_path / "other.key"
    keyring.create_key_file(other)
    settings.PEERWORK_MASTER_KEY_FILE = other
    keyring.forget_cached_keys()
    with pytest.raises(keyring.KeyringError, match="no longer holds"):
        keyring.person_key(story.harbourside.pk, story.amina.user_id, 1)
    # Same id, different key: a swapped file.
    forged = json.loads(other.read_text())
    forged["master_keys"][0]["id"] = own["master_keys"][0]["id"]
    write_keys(other, forged)
    keyring.forget_cached_keys()
    with pytest.raises(keyring.KeyringError, match="does not belong"):
        keyring.person_key(story.harbourside.pk, story.amina.user_id, 1)


@pytest.mark.django_db(transaction=True)
def test_committed_keys_are_cached_so_reading_needs_no_key_queries(
    story, key_file, django_assert_num_queries
):
    with scope(organisation=story.harbourside.pk):
        first = SealedNote.objects.create(
            organisation=story.harbourside, owner=story.amina, text="one"
        )
        SealedNote.objects.create(organisation=story.harbourside, owner=story.amina, text="two")
        notes = list(SealedNote.objects.all())
    with django_assert_num_queries(0):
        assert sorted(n.text for n in notes) == ["one", "two"]
    keyring.forget_cached_keys()
    with scope(organisation=story.harbourside.pk):
        again = SealedNote.objects.get(pk=first.pk)
    with django_assert_num_queries(2):  # the person key, then the organisation key wrapping it
        assert again.text == "one"


def test_the_first_production_key_file_is_made_without_django_settings(tmp_path):
    path = tmp_path / "etc" / "master.key"
    path.parent.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(settings.BASE_DIR),
        "PEERWORK_ENV": "production",
    }
    command = [sys.executable, "-m", "peerwork.core.keyring", "new", str(path)]
    made = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = keyring.parse_key_file(path, path.read_bytes())
    assert len(keys.master_keys) == len(keys.audit_mac_keys) == 1
    before = path.read_bytes()
    again = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert again.returncode == 1 and "not changed" in again.stderr
    assert path.read_bytes() == before


def test_adding_a_key_from_the_command_line_keeps_the_files_mode_and_older_keys(key_file):
    keyring.create_key_file(key_file)
    key_file.chmod(0o640)  # readable by the service's group, writable by root only
    old = keyring.parse_key_file(key_file, key_file.read_bytes())
    assert keyring.main(["add-master-key", str(key_file)]) == 0
    assert keyring.main(["add-audit-key", str(key_file)]) == 0
    new = keyring.parse_key_file(key_file, key_file.read_bytes())
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o640
    assert new.master_keys[1:] == old.master_keys and new.master_keys[0] != old.master_keys[0]
    assert new.audit_mac_keys[1:] == old.audit_mac_keys
    key_file.write_text("{}")
    assert keyring.main(["add-master-key", str(key_file)]) == 1
    assert key_file.read_text() == "{}"


MAKE_KEY = """
import sys, django
django.setup()
from peerwork.core import keyring
print(keyring.current_person_key(sys.argv[1], sys.argv[2]).check.hex())
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_making_the_same_first_key_at_once_end_with_one_key(story, key_file):
    """Both processes see no key, both insert; the constraint lets one win (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a lock the test can watch: runs on PostgreSQL (CI)")
    org, user = str(story.harbourside.pk), str(story.amina.user_id)
    keyring.current_organisation_key(org)  # made and committed: only the person key races
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "PEERWORK_TESTING": "1",
        "PEERWORK_DATABASE_URL": url,
        "PEERWORK_MASTER_KEY_FILE": str(key_file),
        "DJANGO_SETTINGS_MODULE": "peerwork.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    command = [sys.executable, "-c", MAKE_KEY, org, user]
    with transaction.atomic(), connection.cursor() as cursor:
        # Reads go on; inserts wait until this transaction ends.
        cursor.execute("LOCK TABLE core_personkey IN SHARE ROW EXCLUSIVE MODE")
        makers = [
            subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        deadline = time.monotonic() + 60
        waiting = 0
        while waiting < 2 and time.monotonic() < deadline and all(m.poll() is None for m in makers):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one view per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE %s AND pid <> pg_backend_pid()",
                ["%core_personkey%"],
            )
            waiting = cursor.fetchone()[0]
            cursor.execute("SELECT pg_sleep(0.05)")
        assert waiting == 2, "both makers should be waiting to insert"
    results = [m.communicate(timeout=60) for m in makers]
    assert [m.returncode for m in makers] == [0, 0], results
    assert results[0][0] == results[1][0]  # the same key
    assert PersonKey.objects.filter(organisation=org, user=user).count() == 1
    keyring.forget_cached_keys()
    assert keyring.current_person_key(org, user).check.hex() == results[0][0].strip()
