"""Key rotation (peerwork.core.rotation, manage.py rotate_keys)."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_scopes import scope

from peerwork.core import keyring
from peerwork.core.models import OrganisationKey, PersonKey, WebhookEndpoint
from peerwork.core.rotation import _retire_old_versions, rotation_steps
from peerwork.core.sealing import read_header
from peerwork.core.tests.sealtest.models import SealedCard, SealedNote

LATER = timedelta(hours=1)  # past the grace period, so old versions may go


@pytest.fixture
def key_file(tmp_path, settings):
    path = tmp_path / "master.key"
    keyring.create_key_file(path)
    settings.PEERWORK_MASTER_KEY_FILE = path
    keyring.forget_cached_keys()
    yield path
    keyring.forget_cached_keys()


@pytest.fixture
def sealed(story, key_file):
    """Sealed values of every kind in both organisations, and what each should read."""
    expected: dict[tuple[type, str, str], str] = {}
    with scope(organisation=story.harbourside.pk):
        for member, text in (
            (story.amina, "amina one"),
            (story.amina, "amina two"),
            (story.olena, "olena"),
            (story.samuel, "samuel"),
        ):
            note = SealedNote.objects.create(
                organisation=story.harbourside, owner=member, text=text, extra=text + " extra"
            )
            expected[(SealedNote, str(note.pk), "text")] = text
            expected[(SealedNote, str(note.pk), "extra")] = text + " extra"
        card = SealedCard.objects.create(
            organisation=story.harbourside, person=story.amina.user, number="4711", team_code="T"
        )
        expected[(SealedCard, str(card.pk), "number")] = "4711"
        expected[(SealedCard, str(card.pk), "team_code")] = "T"
        hook = WebhookEndpoint.objects.create(
            organisation=story.harbourside, url="https://hooks.example.org/", secret="signing"
        )
        expected[(WebhookEndpoint, str(hook.pk), "secret")] = "signing"
    with scope(organisation=story.riverside.pk):
        note = SealedNote.objects.create(
            organisation=story.riverside, owner=story.taras, text="taras"
        )
        expected[(SealedNote, str(note.pk), "text")] = "taras"
    return expected


def readings(expected):
    """What each value reads now, from fresh rows and with no key cached."""
    keyring.forget_cached_keys()
    found = {}
    for model, pk, field in expected:
        row = model._base_manager.get(pk=pk)
        found[(model, pk, field)] = getattr(row, field)
    return found


def header(model, pk, field):
    row = model._base_manager.get(pk=pk)
    return read_header(row.__dict__[field].ciphertext)


def run(**options):
    return list(rotation_steps(**options))


def versions():
    return (
        sorted(OrganisationKey.objects.values_list("organisation_id", "version")),
        sorted(
            PersonKey.objects.values_list(
                "organisation_id", "user_id", "version", "organisation_key_version"
            )
        ),
    )


def test_rotating_the_master_key_rewraps_every_organisation_key(sealed, key_file):
    old = keyring.load_key_file().current_master.id
    new = keyring.add_master_key()
    data = json.loads(key_file.read_text())
    without_old = {**data, "master_keys": [e for e in data["master_keys"] if e["id"] != old]}

    key_file.write_text(json.dumps(without_old))
    with pytest.raises(keyring.KeyringError, match="no longer holds"):
        readings(sealed)  # not yet re-wrapped: the old master key is still needed
    key_file.write_text(json.dumps(data))

    steps = run()
    assert len(steps) == 2  # one organisation key each
    assert set(OrganisationKey.objects.values_list("master_key_id", flat=True)) == {new}
    key_file.write_text(json.dumps(without_old))
    assert readings(sealed) == sealed
    assert run() == []  # nothing left to do


def test_new_organisation_keys_rewrap_person_keys_and_reseal_organisation_secrets(story, sealed):
    run(organisation_keys=True, now=timezone.now() + LATER)
    orgs, people = versions()
    assert [v for _org, v in orgs] == [2, 2]
    assert {p[2] for p in people} == {1} and {p[3] for p in people} == {2}
    for model, pk, field in sealed:
        if model is WebhookEndpoint or field == "team_code":
            assert header(model, pk, field).version == 2
    assert readings(sealed) == sealed


def test_new_person_keys_reseal_every_value(story, sealed):
    run(data=True, now=timezone.now() + LATER)
    _orgs, people = versions()
    assert len(people) == 4 and {p[2] for p in people} == {2}  # amina, olena, samuel, taras
    for model, pk, field in sealed:
        expected_kind = "o" if field in ("secret", "team_code") else "p"
        found = header(model, pk, field)
        assert found.kind == expected_kind
        assert found.version == (2 if expected_kind == "p" else 1)
    assert readings(sealed) == sealed


def test_old_versions_wait_out_the_grace_period_then_go(story, sealed):
    lines = run(data=True)
    assert "kept until" in lines[-1]
    assert PersonKey.objects.filter(version=1).count() == 4
    assert readings(sealed) == sealed
    lines = run(now=timezone.now() + LATER)
    assert any("Deleted 4 old key versions" in line for line in lines)
    assert not PersonKey.objects.filter(version=1).exists()
    assert readings(sealed) == sealed


def test_an_old_version_still_in_use_is_kept_until_its_values_move(story, sealed):
    keyring.new_person_key_version(story.harbourside.pk, story.amina.user_id)
    lines = list(_retire_old_versions(timezone.now() + LATER, timedelta(minutes=15), 200))
    assert any("still in use" in line for line in lines)
    assert PersonKey.objects.filter(user=story.amina.user).count() == 2
    run(now=timezone.now() + LATER)  # re-seals amina's values, then retires her old key
    assert list(
        PersonKey.objects.filter(user=story.amina.user).values_list("version", flat=True)
    ) == [2]
    assert readings(sealed) == sealed


def test_a_rotation_stopped_after_any_step_and_run_again_loses_nothing(story, sealed):
    options = {"organisation_keys": True, "data": True, "batch_size": 1}
    full = len(run(now=timezone.now() + LATER, **options))
    assert full > 20
    for stop_after in range(full + 1):
        steps = rotation_steps(now=timezone.now() + LATER, **options)
        list(itertools.islice(steps, stop_after))
        steps.close()  # killed here: every step so far has committed
        assert readings(sealed) == sealed, f"after {stop_after} steps"
        run(now=timezone.now() + LATER, **options)
        assert readings(sealed) == sealed, f"after {stop_after} steps and a rerun"
        orgs, people = versions()
        assert len(orgs) == 2 and len(people) == 4  # old versions all retired
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sealtest_sealednote")
        assert cursor.fetchone()[0] == 5


def test_rotation_leaves_erased_values_erased_and_makes_no_keys_for_them(
    story, sealed, settings, tmp_path
):
    settings.PEERWORK_ERASURE_JOURNAL_FILE = tmp_path / "erasures.log"
    keyring.erase_person(story.harbourside.pk, story.olena.user_id)
    run(organisation_keys=True, data=True, now=timezone.now() + LATER)
    assert not PersonKey.objects.filter(user=story.olena.user).exists()
    found = readings(sealed)
    for (model, pk, field), text in sealed.items():
        assert found[(model, pk, field)] == (None if text.startswith("olena") else text)


def test_rotate_keys_adds_a_key_then_rotates_printing_each_committed_step(story, sealed, capsys):
    call_command("rotate_keys", "--new-master-key", "--organisation-keys")
    out = capsys.readouterr().out
    assert "Added master key" in out and "Restart" in out
    assert "Made organisation key" not in out  # adding a key stops before any re-wrapping
    assert OrganisationKey.objects.filter(version=2).count() == 0

    call_command("rotate_keys", "--organisation-keys", "--person-keys", "--grace-minutes", "0")
    out = capsys.readouterr().out
    assert "Re-wrapped organisation key" in out
    assert "Made organisation key" in out
    assert "Re-sealed" in out
    assert "Deleted" in out and "Done:" in out
    assert "amina" not in out.lower()
    assert readings(sealed) == sealed
    assert set(OrganisationKey.objects.values_list("master_key_id", flat=True)) == {
        keyring.load_key_file().current_master.id
    }
