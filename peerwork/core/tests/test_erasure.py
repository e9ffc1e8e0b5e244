"""Crypto-shredding and its replay after a restore (keyring.erase_*, replay_erasures)."""

from __future__ import annotations

import json
import stat
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_scopes import scope

from peerwork.core import keyring
from peerwork.core.models import OrganisationKey, PersonKey, WebhookEndpoint
from peerwork.core.sealing import is_erased
from peerwork.core.services import add_member
from peerwork.core.tests.sealtest.models import SealedNote


@pytest.fixture
def journal(tmp_path, settings):
    path = tmp_path / "journal" / "erasures.log"
    settings.PEERWORK_ERASURE_JOURNAL_FILE = path
    return path


def note_for(member, text):
    with scope(organisation=member.organisation_id):
        return SealedNote.objects.create(
            organisation_id=member.organisation_id, owner=member, text=text
        )


def read(note):
    with scope(organisation=note.organisation_id):
        fresh = SealedNote.objects.get(pk=note.pk)
    return fresh.text, is_erased(fresh, "text")


def test_erasing_a_person_makes_their_values_unreadable_while_a_colleagues_stay(story, journal):
    amina = note_for(story.amina, "amina's disclosure")
    olena = note_for(story.olena, "olena's disclosure")
    assert read(amina) == ("amina's disclosure", False)

    assert keyring.erase_person(story.harbourside.pk, story.amina.user_id) == 1

    assert read(amina) == (None, True)
    assert read(olena) == ("olena's disclosure", False)
    assert not PersonKey.objects.filter(user=story.amina.user).exists()


def test_an_erased_value_already_in_memory_reads_as_erased_once_reloaded(story, journal):
    note = note_for(story.amina, "in memory")
    keyring.erase_person(story.harbourside.pk, story.amina.user_id)
    with scope(organisation=note.organisation_id):
        fresh = SealedNote.objects.get(pk=note.pk)
        assert fresh.text is None
        fresh.label = "still editable"
        fresh.save()  # saving the row around an erased value works; it stays erased
        fresh.pk = None
        fresh.id = uuid.uuid4()
        fresh._state.adding = True
        fresh.save()  # and so does a copy of it
    assert read(note) == (None, True)
    assert read(fresh) == (None, True)


def test_an_empty_value_is_not_taken_for_an_erased_one(story, journal):
    note = note_for(story.amina, "x")
    with scope(organisation=note.organisation_id):
        fresh = SealedNote.objects.get(pk=note.pk)
    assert fresh.extra is None and not is_erased(fresh, "extra")


def test_erasing_a_person_in_one_organisation_keeps_them_in_another(story, journal):
    amina_at_riverside = add_member(
        organisation=story.riverside,
        username="amina",
        display_name="Amina Wanjiru",
        email="amina@example.org",
        roles=["staff"],
        team=story.other_team,
    )
    here = note_for(story.amina, "harbourside")
    there = note_for(amina_at_riverside, "riverside")
    keyring.erase_person(story.harbourside.pk, story.amina.user_id)
    assert read(here) == (None, True)
    assert read(there) == ("riverside", False)


def test_erasing_an_organisation_erases_its_people_and_secrets_but_not_another(story, journal):
    amina = note_for(story.amina, "amina")
    taras = note_for(story.taras, "taras")
    with scope(organisation=story.harbourside.pk):
        hook = WebhookEndpoint.objects.create(
            organisation=story.harbourside, url="https://hooks.example.org/", secret="s3cret"
        )
    assert keyring.erase_organisation(story.harbourside.pk) == 2  # a person key, the org key
    assert read(amina) == (None, True)
    with scope(organisation=story.harbourside.pk):
        fresh = WebhookEndpoint.objects.get(pk=hook.pk)
    assert fresh.secret is None and is_erased(fresh, "secret")
    assert read(taras) == ("taras", False)
    assert not OrganisationKey.objects.filter(organisation=story.harbourside).exists()
    assert OrganisationKey.objects.filter(organisation=story.riverside).exists()


def test_each_erasure_is_journalled_outside_the_database_with_ids_only(story, journal):
    note_for(story.amina, "x")
    keyring.erase_person(story.harbourside.pk, story.amina.user_id)
    keyring.erase_organisation(story.riverside.pk)
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [(e["erase"], e["organisation"], e.get("user")) for e in lines] == [
        ("person", str(story.harbourside.pk), str(story.amina.user_id)),
        ("organisation", str(story.riverside.pk), None),
    ]
    assert "amina" not in journal.read_text().lower()


def test_replay_after_restoring_a_backup_erases_again(story, journal):
    amina = note_for(story.amina, "amina's disclosure")
    olena = note_for(story.olena, "olena's disclosure")
    backup = list(PersonKey.objects.filter(user=story.amina.user).values())
    keyring.erase_person(story.harbourside.pk, story.amina.user_id)
    assert read(amina) == (None, True)

    PersonKey.objects.bulk_create(PersonKey(**row) for row in backup)  # the restore
    keyring.forget_cached_keys()
    assert read(amina) == ("amina's disclosure", False)  # the backup did bring it back

    call_command("replay_erasures")
    assert read(amina) == (None, True)
    assert read(olena) == ("olena's disclosure", False)
    assert keyring.replay_erasures().keys_deleted == 0  # idempotent


def test_replay_keeps_keys_made_after_the_erasure(story, journal):
    old = note_for(story.amina, "before leaving")
    keyring.erase_person(story.harbourside.pk, story.amina.user_id, now=timezone.now())
    came_back = note_for(story.amina, "after coming back")
    assert keyring.replay_erasures().keys_deleted == 0
    assert read(came_back) == ("after coming back", False)
    # Her new key has the erased key's version number; the old value still reads as erased,
    # not as tampered.
    assert PersonKey.objects.get(user=story.amina.user).version == 1
    assert read(old) == (None, True)


def test_replay_erasures_reads_the_journal_it_is_given(story, journal, tmp_path, capsys):
    note = note_for(story.amina, "x")
    backup = list(PersonKey.objects.filter(user=story.amina.user).values())
    keyring.erase_person(story.harbourside.pk, story.amina.user_id)
    elsewhere = tmp_path / "copy.log"
    journal.rename(elsewhere)
    PersonKey.objects.bulk_create(PersonKey(**row) for row in backup)  # the restore
    keyring.forget_cached_keys()
    assert read(note) == ("x", False)
    call_command("replay_erasures", "--journal", str(elsewhere))
    assert "Replayed 1 erasures" in capsys.readouterr().out
    assert read(note) == (None, True)


def test_replay_erasures_without_a_journal_says_so(journal, db, capsys):
    call_command("replay_erasures")
    assert "No erasure journal" in capsys.readouterr().err


def test_a_bad_journal_line_stops_the_replay_before_anything_is_erased(story, journal):
    note = note_for(story.amina, "x")
    backup = list(PersonKey.objects.filter(user=story.amina.user).values())
    keyring.erase_person(story.harbourside.pk, story.olena.user_id)
    with journal.open("a") as handle:
        handle.write("not json\n")
    keyring.erase_person(story.harbourside.pk, story.amina.user_id)
    PersonKey.objects.bulk_create(PersonKey(**row) for row in backup)  # the restore
    keyring.forget_cached_keys()
    with pytest.raises(CommandError, match="line 2"):
        call_command("replay_erasures")
    assert read(note) == ("x", False)  # line 3 was not replayed either


def test_a_journal_line_cut_short_by_a_crash_is_skipped(story, journal):
    note = note_for(story.amina, "x")
    keyring.erase_person(story.harbourside.pk, story.olena.user_id)
    with journal.open("a") as handle:
        handle.write('{"v": 1, "at": "2026-')  # the crash came mid-write: no erasure ran
    assert keyring.replay_erasures().erasures == 1
    assert read(note) == ("x", False)


@pytest.mark.django_db(transaction=True)
def test_erasing_forgets_the_keys_this_process_had_cached(
    story, journal, django_assert_num_queries
):
    note = note_for(story.amina, "cached")
    with scope(organisation=note.organisation_id):
        first = SealedNote.objects.get(pk=note.pk)
        second = SealedNote.objects.get(pk=note.pk)
    assert first.text == "cached"
    with django_assert_num_queries(0):  # her key is cached now
        assert second.text == "cached"
    keyring.erase_person(story.harbourside.pk, story.amina.user_id)
    assert read(note) == (None, True)
