"""Sealed fields (peerwork.core.sealing): what is stored, who can read it, what is refused."""

from __future__ import annotations

import logging
import pickle
import uuid
from pathlib import Path

import pytest
from django import forms
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext, isolate_apps
from django_scopes import scope, scopes_disabled

from peerwork.core import keyring
from peerwork.core.models import Membership, WebhookEndpoint
from peerwork.core.models.tenancy import OrganisationOwned
from peerwork.core.sealing import (
    SealedField,
    SealedFieldError,
    SealedText,
    SealedValue,
    SealedValueInvalid,
    read_header,
)
from peerwork.core.tests.sealtest.models import SealedCard, SealedNote

CANARY = "canary-methadone-7Q3xZ"  # stands for a disclosure that must never leak
PLAIN_CANARY = "plainlabel-4Rk9w"  # a plain column: proves each scan can see what is there


def note_for(member: Membership, text: str = CANARY, label: str = "") -> SealedNote:
    with scope(organisation=member.organisation_id):
        return SealedNote.objects.create(
            organisation_id=member.organisation_id, owner=member, text=text, label=label
        )


def reload(note: SealedNote) -> SealedNote:
    with scope(organisation=note.organisation_id):
        return SealedNote.objects.get(pk=note.pk)


def stored_bytes(model: type[models.Model], pk: uuid.UUID, column: str) -> bytes:
    table = model._meta.db_table
    pk_value = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk_value])  # noqa: S608
        return bytes(cursor.fetchone()[0])


def write_stored(model: type[models.Model], pk: uuid.UUID, column: str, value: bytes) -> None:
    table = model._meta.db_table
    pk_value = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [connection.Database.Binary(value), pk_value],
        )


# --- the owner reads it ------------------------------------------------------------------


def test_the_owner_reads_back_the_text_sealed_for_them(story):
    note = note_for(story.amina, label="mine")
    again = reload(note)
    assert again.text == CANARY
    assert isinstance(again.text, SealedText)
    assert again.extra is None
    assert stored_bytes(SealedNote, note.pk, "text")[:2] == b"PW"


def test_repr_of_the_value_the_row_and_its_fields_never_shows_the_text(story):
    note = reload(note_for(story.amina, label="mine"))
    assert note.text == CANARY
    for shown in (repr(note.text), repr(note), repr(note.__dict__), str(note), repr(vars(note))):
        assert CANARY not in shown
    assert "<sealed" in repr(note.__dict__)


def test_a_pickled_row_carries_the_ciphertext_not_the_text_it_opened(story):
    note = reload(note_for(story.amina))
    assert note.text == CANARY  # opened in memory
    data = pickle.dumps(note)
    assert CANARY.encode() not in data
    assert pickle.loads(data).text == CANARY  # noqa: S301  (our own bytes)


def test_text_of_another_type_is_refused_without_echoing_it(story):
    note = SealedNote(organisation_id=story.amina.organisation_id, owner=story.amina)
    with pytest.raises(TypeError) as caught:
        note.text = b"secret bytes"  # type: ignore[assignment]
    assert "secret bytes" not in str(caught.value)


def test_saving_a_row_unchanged_keeps_its_ciphertext(story):
    note = reload(note_for(story.amina))
    before = stored_bytes(SealedNote, note.pk, "text")
    note.label = "renamed"
    note.save()
    assert stored_bytes(SealedNote, note.pk, "text") == before
    note.text = note.text  # the same text read back (forms, full_clean) is no change
    note.full_clean()
    note.save()
    assert stored_bytes(SealedNote, note.pk, "text") == before


def test_changing_the_text_seals_it_anew(story):
    note = reload(note_for(story.amina))
    before = stored_bytes(SealedNote, note.pk, "text")
    note.text = "something else"
    note.save(update_fields=["text"])
    assert stored_bytes(SealedNote, note.pk, "text") != before
    assert reload(note).text == "something else"


def test_a_row_given_to_another_owner_is_sealed_for_them(story):
    note = reload(note_for(story.amina))
    note.owner = story.olena
    note.save()
    again = reload(note)
    assert again.text == CANARY
    header = read_header(stored_bytes(SealedNote, note.pk, "text"))
    olena_key = keyring.current_person_key(story.harbourside.pk, story.olena.user_id)
    assert (header.kind, header.version, header.check) == ("p", olena_key.version, olena_key.check)


def test_a_copied_row_is_sealed_for_its_new_id(story):
    note = reload(note_for(story.amina))
    note.pk = uuid.uuid4()
    note._state.adding = True
    with scope(organisation=note.organisation_id):
        note.save()
    assert reload(note).text == CANARY
    assert SealedNote.objects.with_scopes_disabled().count() == 2


def test_ids_given_as_text_in_another_spelling_seal_for_the_same_place(story):
    note = SealedNote(
        id=uuid.uuid4().hex.upper(),
        organisation_id=story.harbourside.pk.hex.upper(),
        owner_id=str(story.amina.pk).upper(),
        text=CANARY,
    )
    with scope(organisation=story.harbourside.pk):
        note.save()
    assert reload(note).text == CANARY


def test_a_deferred_sealed_field_loads_and_opens_when_read(story):
    note = note_for(story.amina, label="deferred")
    with scope(organisation=note.organisation_id):
        lazy = SealedNote.objects.only("id", "label").get(pk=note.pk)
        assert "text" in lazy.get_deferred_fields()
        assert lazy.text == CANARY
        only_text = SealedNote.objects.only("text").get(pk=note.pk)
        assert only_text.text == CANARY


def test_the_organisation_key_seals_an_organisation_secret(story):
    with scope(organisation=story.harbourside.pk):
        hook = WebhookEndpoint.objects.create(
            organisation=story.harbourside, url="https://hooks.example.org/in", secret=CANARY
        )
        again = WebhookEndpoint.objects.get(pk=hook.pk)
    assert again.secret == CANARY
    assert read_header(stored_bytes(WebhookEndpoint, hook.pk, "secret")).kind == "o"


def test_a_person_can_own_a_sealed_value_through_their_user(story):
    with scope(organisation=story.harbourside.pk):
        card = SealedCard.objects.create(
            organisation=story.harbourside, person=story.amina.user, number=CANARY, team_code="T-1"
        )
        again = SealedCard.objects.get(pk=card.pk)
    assert (again.number, again.team_code) == (CANARY, "T-1")
    assert read_header(stored_bytes(SealedCard, card.pk, "number")).kind == "p"
    assert read_header(stored_bytes(SealedCard, card.pk, "team_code")).kind == "o"


def test_bulk_create_seals_each_row_for_its_own_id(story):
    with scope(organisation=story.harbourside.pk):
        SealedNote.objects.bulk_create(
            SealedNote(organisation=story.harbourside, owner=story.amina, text=f"{CANARY}-{i}")
            for i in range(3)
        )
        texts = sorted(n.text for n in SealedNote.objects.all())
    assert texts == [f"{CANARY}-{i}" for i in range(3)]


def test_a_model_form_shows_and_saves_the_text(story):
    class NoteForm(forms.ModelForm):
        class Meta:
            model = SealedNote
            fields = ["text"]

    note = reload(note_for(story.amina))
    assert NoteForm(instance=note).initial["text"] == CANARY
    form = NoteForm({"text": "changed by form"}, instance=note)
    assert form.is_valid(), form.errors
    with scope(organisation=note.organisation_id):
        form.save()
    assert reload(note).text == "changed by form"


def test_dumpdata_writes_the_ciphertext_never_the_text(story, capsys):
    note_for(story.amina)
    with scopes_disabled():
        call_command("dumpdata", "sealtest.sealednote")
    out = capsys.readouterr().out
    assert CANARY not in out
    assert '"text": "UFc' in out  # base64 of the b"PW" header


# --- what leaves the process -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_canary_never_reaches_the_sqlite_file_while_a_plain_column_does(story):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite file scan; PostgreSQL has its own test")
    note = note_for(story.amina, label=PLAIN_CANARY)
    assert reload(note).text == CANARY  # the owner does see it
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(connection.settings_dict["NAME"])
    data = b"".join(
        p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()
    )
    assert PLAIN_CANARY.encode() in data
    assert CANARY.encode() not in data


@pytest.mark.django_db(transaction=True)
def test_a_canary_never_shows_in_postgresql_table_text_while_a_plain_column_does(story):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (CI)")
    note = note_for(story.amina, label=PLAIN_CANARY)
    assert reload(note).text == CANARY
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t::text FROM {SealedNote._meta.db_table} t")  # noqa: S608
        table_text = "\n".join(row[0] for row in cursor.fetchall())
    assert PLAIN_CANARY in table_text
    assert CANARY not in table_text


def test_a_canary_never_reaches_the_logs_while_a_plain_column_does(story, caplog):
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:  # SQL and its parameters are logged
        note = note_for(story.amina, label=PLAIN_CANARY)
        note.text = CANARY + " changed"
        note.save()
        assert reload(note).text == CANARY + " changed"
    logged = "\n".join(r.getMessage() for r in caplog.records) + "\n".join(
        q["sql"] for q in queries.captured_queries
    )
    assert PLAIN_CANARY in logged
    assert CANARY not in logged


def test_a_task_about_a_sealed_row_carries_its_id_never_its_text(story):
    from django_tasks_db.models import DBTaskResult

    from peerwork.core.tests.sealtest.tasks import read_note

    note = note_for(story.amina)
    result = read_note.enqueue(str(note.organisation_id), str(note.pk))
    payload = str(DBTaskResult.objects.get(id=result.id).args_kwargs)
    assert str(note.pk) in payload
    assert CANARY not in payload
    # The worker opens the row by id, as a permitted reader would.
    assert read_note.call(str(note.organisation_id), str(note.pk)) == len(CANARY)


# --- bound to the row ----------------------------------------------------------------------


def test_a_ciphertext_copied_to_another_row_does_not_open(story):
    first = note_for(story.amina, text=CANARY)
    second = note_for(story.amina, text="the second note")
    write_stored(SealedNote, second.pk, "text", stored_bytes(SealedNote, first.pk, "text"))
    moved = reload(second)
    with pytest.raises(SealedValueInvalid):
        moved.text  # noqa: B018
    assert reload(first).text == CANARY


def test_a_ciphertext_copied_to_another_column_of_its_row_does_not_open(story):
    note = note_for(story.amina)
    write_stored(SealedNote, note.pk, "extra", stored_bytes(SealedNote, note.pk, "text"))
    with pytest.raises(SealedValueInvalid):
        reload(note).extra  # noqa: B018


def test_an_altered_ciphertext_does_not_open(story):
    note = note_for(story.amina)
    stored = bytearray(stored_bytes(SealedNote, note.pk, "text"))
    stored[-1] ^= 1
    write_stored(SealedNote, note.pk, "text", bytes(stored))
    with pytest.raises(SealedValueInvalid):
        reload(note).text  # noqa: B018


def test_plain_text_written_around_the_field_is_not_taken_for_a_sealed_value(story):
    note = note_for(story.amina)
    write_stored(SealedNote, note.pk, "text", b"written around the field")
    with pytest.raises(SealedValueInvalid):
        reload(note).text  # noqa: B018


# --- refused -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"text": "overwritten"},
        {"text": None},
        {"text": Value("overwritten")},
        {"text": F("extra")},
        {"label": "ok", "extra": "overwritten"},
    ],
    ids=["text", "none", "value", "column", "beside-a-plain-field"],
)
def test_queryset_update_of_a_sealed_field_is_refused(story, change):
    note = note_for(story.amina)
    # In a savepoint: like any failed update, the refusal marks its transaction for rollback.
    with (
        scope(organisation=note.organisation_id),
        pytest.raises(SealedFieldError, match="save"),
        transaction.atomic(),
    ):
        SealedNote.objects.filter(pk=note.pk).update(**change)
    assert reload(note).text == CANARY


def test_queryset_update_of_plain_fields_beside_a_sealed_one_works(story):
    note = note_for(story.amina)
    with scope(organisation=note.organisation_id):
        assert SealedNote.objects.filter(pk=note.pk).update(label="updated") == 1
    assert (reload(note).label, reload(note).text) == ("updated", CANARY)


def test_bulk_update_of_a_sealed_field_is_refused(story):
    note = reload(note_for(story.amina))
    note.text = "overwritten"
    with scope(organisation=note.organisation_id):
        with pytest.raises(SealedFieldError, match="save"), transaction.atomic():
            SealedNote.objects.bulk_update([note], ["text"])
        note.label = "bulk"
        SealedNote.objects.bulk_update([note], ["label"])  # plain fields still work
    assert (reload(note).label, reload(note).text) == ("bulk", CANARY)


@pytest.mark.parametrize(
    "query",
    [
        lambda qs: list(qs.values("text")),
        lambda qs: list(qs.values()),
        lambda qs: list(qs.values_list("text", flat=True)),
        lambda qs: list(qs.values_list("label", "extra")),
        lambda qs: list(qs.values_list()),
    ],
    ids=["values-named", "values-all", "values-list-flat", "values-list-beside", "values-list-all"],
)
def test_values_naming_a_sealed_field_is_refused(story, query):
    note_for(story.amina, label="x")
    with scope(organisation=story.harbourside.pk), pytest.raises(SealedFieldError, match="values"):
        query(SealedNote.objects.all())


def test_values_of_plain_fields_beside_a_sealed_one_work(story):
    note = note_for(story.amina, label="x")
    with scope(organisation=story.harbourside.pk):
        assert list(SealedNote.objects.values_list("id", "label")) == [(note.pk, "x")]


@pytest.mark.parametrize(
    "query",
    [
        lambda qs: qs.filter(text=CANARY),
        lambda qs: qs.exclude(text=CANARY),
        lambda qs: qs.filter(text__isnull=True),
        lambda qs: qs.filter(text__startswith="canary"),
        lambda qs: qs.filter(models.Q(label="x") | models.Q(extra__icontains="c")),
        lambda qs: qs.get_or_create(text=CANARY, defaults={"label": "y"}),
    ],
    ids=["exact", "exclude", "isnull", "startswith", "q-object", "get-or-create"],
)
def test_filtering_on_a_sealed_field_is_refused(story, query):
    note_for(story.amina, label="x")
    with (
        scope(organisation=story.harbourside.pk),
        pytest.raises(SealedFieldError, match="filtered"),
    ):
        result = query(SealedNote.objects.all())
        list(result) if isinstance(result, models.QuerySet) else result


def test_raw_writes_of_text_are_refused(story):
    note = SealedNote(organisation_id=story.harbourside.pk, owner=story.amina, text=CANARY)
    with scope(organisation=story.harbourside.pk), pytest.raises(SealedFieldError):
        note.save_base(raw=True)  # as loaddata would


# --- declaring ---------------------------------------------------------------------------


@isolate_apps("peerwork.core.tests.sealtest")
def test_the_system_check_names_a_model_that_cannot_be_sealed():
    class Loose(models.Model):  # noqa: DJ008
        text = SealedField(owner="writer", unique=True)

        class Meta:
            app_label = "sealtest"

    class WrongOwner(OrganisationOwned):
        site_name = models.CharField(max_length=10)
        text = SealedField(owner="site_name")

        class Meta:
            app_label = "sealtest"

    loose = {e.id for e in Loose._meta.get_field("text").check()}
    assert loose == {"peerwork.E110", "peerwork.E111", "peerwork.E112", "peerwork.E113"}
    assert {e.id for e in WrongOwner._meta.get_field("text").check()} == {"peerwork.E113"}
    assert SealedNote._meta.get_field("text").check() == []


def test_the_opened_value_is_only_in_memory_of_the_instance_that_read_it(story):
    note = note_for(story.amina)
    with scope(organisation=note.organisation_id):
        first = SealedNote.objects.get(pk=note.pk)
        second = SealedNote.objects.get(pk=note.pk)
    assert first.text == CANARY
    assert isinstance(second.__dict__["text"], SealedValue)
    assert second.__dict__["text"]._opened is not first.__dict__["text"]._opened
