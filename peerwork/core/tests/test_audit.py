"""The audit chain: appending, reads in their own transaction, opaque details, immutability."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django_scopes import scope, scopes_disabled

from peerwork.core import audit
from peerwork.core.audit import AuditDetailRefused, record, record_read, verify_chain
from peerwork.core.models import AuditEvent, AuditHead, Membership
from peerwork.core.models.audit import AuditImmutable


@pytest.fixture
def head_file(settings, tmp_path):
    path = tmp_path / "audit-heads.log"
    settings.PEERWORK_AUDIT_HEAD_FILE = path
    return path


def events_of(organisation) -> list[AuditEvent]:
    with scope(organisation=organisation.pk):
        return list(AuditEvent.objects.filter(organisation=organisation).order_by("seq"))


def test_each_event_is_chained_to_the_one_before_it(story):
    first = record(
        actor=story.chen,
        action="team.create",
        object_type="core.team",
        object_id=story.team.pk,
        data_class="work",
    )
    second = record(
        actor=story.chen,
        action="team.rename",
        object_type="core.team",
        object_id=story.team.pk,
        data_class="work",
    )
    third = record(
        actor=story.ravi,
        action="personnel.change",
        subject=story.amina,
        data_class="personnel",
        detail={"fields": ["title"]},
    )

    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_mac == audit.GENESIS
    assert second.prev_mac == first.mac
    assert third.prev_mac == second.mac
    assert len({first.mac, second.mac, third.mac}) == 3
    head = AuditHead.objects.get(organisation=story.harbourside)
    assert (head.seq, head.mac) == (3, third.mac)

    stored = events_of(story.harbourside)
    assert [e.mac for e in stored] == [first.mac, second.mac, third.mac]
    assert stored[2].actor_id == story.ravi.pk and stored[2].subject_id == story.amina.pk
    assert stored[2].kind == AuditEvent.Kind.WRITE


def test_a_clean_chain_verifies_as_intact(story):
    for _ in range(5):
        record(actor=story.chen, action="team.rename", object_id=story.team.pk)

    report = verify_chain(story.harbourside)

    assert report.intact, report
    assert (report.events, report.last_seq) == (5, 5)


def test_two_organisations_keep_independent_chains(story):
    same_id = uuid.uuid4()
    ours = record(actor=story.ravi, action="shift.create", object_id=same_id)
    theirs = record(actor=story.taras, action="shift.create", object_id=same_id)
    ours_again = record(actor=story.ravi, action="shift.create", object_id=same_id)

    assert (ours.seq, theirs.seq, ours_again.seq) == (1, 1, 2)
    assert theirs.prev_mac == audit.GENESIS
    assert ours_again.prev_mac == ours.mac
    # Each organisation's MACs come from its own derived key, so equal content differs.
    assert ours.mac != theirs.mac
    assert [e.pk for e in events_of(story.riverside)] == [theirs.pk]
    assert verify_chain(story.harbourside).intact
    assert verify_chain(story.riverside).intact


def test_an_event_belongs_to_one_organisation(story):
    with pytest.raises(ValueError, match="one organisation"):
        record(actor=story.ravi, action="personnel.read", subject=story.taras)
    with pytest.raises(ValueError, match="needs an actor"):
        record(actor=None, action="system.start")
    assert not AuditHead.objects.exists()


@pytest.mark.parametrize(
    "detail",
    [
        {"note": "Amina Wanjiru said she was arrested"},
        {"name": "Amina"},
        {"email": "amina@example.org"},
        {"phone": "+254700000000"},
        {"nested": {"id": "x"}},
        {"ratio": 0.5},
        {"empty": None},
        {"Bad Key": "x"},
        {"roles": ["staff", "Amina Wanjiru"]},
        {f"k{i}": i for i in range(17)},
    ],
)
def test_personal_content_in_the_detail_is_refused(story, detail):
    with pytest.raises(AuditDetailRefused) as refused:
        record(actor=story.ravi, action="personnel.change", subject=story.amina, detail=detail)

    assert "Amina" not in str(refused.value) and "amina@" not in str(refused.value)
    assert not events_of(story.harbourside)


@pytest.mark.parametrize(
    "field",
    [
        {"action": "Read Amina's file"},
        {"object_type": "people note"},
        {"object_id": "amina"},
        {"data_class": "gossip"},
    ],
)
def test_free_text_in_the_other_columns_is_refused(story, field):
    arguments = {"actor": story.ravi, "action": "personnel.read", **field}
    with pytest.raises(ValueError):
        record(**arguments)
    assert not events_of(story.harbourside)


def test_ids_codes_numbers_and_flags_are_kept_in_the_detail(story):
    grant = uuid.uuid4()
    event = record(
        actor=story.amina,
        action="disclosure.share",
        subject=story.amina,
        data_class="disclosed",
        detail={"grant": grant, "roles": ["line_manager", "hr"], "days": 14, "renewed": False},
    )

    stored = events_of(story.harbourside)[0]
    assert stored.detail == {
        "grant": str(grant),
        "roles": ["line_manager", "hr"],
        "days": 14,
        "renewed": False,
    }
    assert stored.mac == event.mac
    assert verify_chain(story.harbourside).intact


def test_a_read_inside_an_open_transaction_is_refused(story):
    with transaction.atomic(), pytest.raises(RuntimeError):
        record_read(
            actor=story.samuel,
            action="mentoring.note.read",
            subject=story.amina,
            data_class="confidential",
        )
    assert not events_of(story.harbourside)


def test_a_read_names_whose_sensitive_data_was_read(story):
    with pytest.raises(ValueError):
        record_read(actor=story.samuel, action="mentoring.note.read", data_class="confidential")
    with pytest.raises(ValueError):
        record_read(
            actor=story.ravi, action="directory.read", subject=story.amina, data_class="work"
        )
    assert not events_of(story.harbourside)


class Interrupted(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_read_event_survives_when_the_surrounding_work_rolls_back(story, head_file):
    read = record_read(
        actor=story.samuel,
        action="mentoring.note.read",
        subject=story.amina,
        object_id=uuid.uuid4(),
        data_class="confidential",
    )
    with pytest.raises(Interrupted), transaction.atomic(), scope(organisation=story.harbourside.pk):
        record(
            actor=story.samuel,
            action="mentoring.note.change",
            subject=story.amina,
            data_class="confidential",
        )
        Membership.objects.filter(pk=story.amina.pk).update(title="changed")
        raise Interrupted

    events = events_of(story.harbourside)
    assert [(e.seq, e.kind, e.action) for e in events] == [(1, "read", "mentoring.note.read")]
    assert events[0].mac == read.mac
    with scopes_disabled():
        assert Membership.objects.get(pk=story.amina.pk).title == ""
    assert AuditHead.objects.get(organisation=story.harbourside).seq == 1
    # The head went outside the database once, for the committed read only.
    lines = head_file.read_text().splitlines()
    assert len(lines) == 1
    assert lines[0].split()[1:] == [str(story.harbourside.pk), "1", read.mac]


def test_the_head_is_written_outside_the_database_only_after_commit(
    story, head_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kept = record(actor=story.chen, action="team.create", object_id=story.team.pk)
        with pytest.raises(Interrupted), transaction.atomic():
            record(actor=story.chen, action="team.rename", object_id=story.team.pk)
            raise Interrupted
        theirs = record(actor=story.taras, action="team.create", object_id=story.other_team.pk)

    fields = [line.split()[1:] for line in head_file.read_text().splitlines()]
    assert fields == [
        [str(story.harbourside.pk), "1", kept.mac],
        [str(story.riverside.pk), "1", theirs.mac],
    ]


def test_events_about_a_person_are_the_reads_of_their_data(story):
    first = record_read(
        actor=story.samuel,
        action="mentoring.note.read",
        subject=story.amina,
        data_class="confidential",
    )
    record(
        actor=story.samuel,
        action="mentoring.note.change",
        subject=story.amina,
        data_class="confidential",
    )
    record_read(
        actor=story.leila,
        action="coaching.note.read",
        subject=story.olena,
        data_class="confidential",
    )
    second = record_read(
        actor=story.amina, action="disclosure.read", subject=story.amina, data_class="disclosed"
    )
    record_read(
        actor=story.taras, action="disclosure.read", subject=story.taras, data_class="disclosed"
    )

    with scope(organisation=story.harbourside.pk):
        about_amina = list(audit.events_about(story.amina))

    assert [e.pk for e in about_amina] == [second.pk, first.pk]


def test_the_app_cannot_edit_or_delete_an_event(story):
    event = record(actor=story.chen, action="team.create", object_id=story.team.pk)
    with scope(organisation=story.harbourside.pk):
        stored = AuditEvent.objects.get(pk=event.pk)
        stored.action = "team.delete"
        with pytest.raises(AuditImmutable):
            stored.save()
        with pytest.raises(AuditImmutable):
            stored.delete()
        with pytest.raises(AuditImmutable):
            AuditEvent.objects.filter(pk=event.pk).update(action="team.delete")
        with pytest.raises(AuditImmutable):
            AuditEvent.objects.filter(pk=event.pk).delete()
        assert AuditEvent.objects.get(pk=event.pk).action == "team.create"


def test_the_database_refuses_raw_updates_and_deletes_of_events(story):
    event = record(actor=story.chen, action="team.create", object_id=story.team.pk)
    # A plain QuerySet skips the model's own refusal, so only the triggers stand in the way.
    raw = QuerySet(model=AuditEvent).filter(pk=event.pk)

    with pytest.raises(DatabaseError), transaction.atomic():
        raw.update(action="team.delete")
    with pytest.raises(DatabaseError), transaction.atomic():
        raw._raw_delete(connection.alias)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")

    assert list(raw.values_list("action", flat=True)) == ["team.create"]
    assert verify_chain(story.harbourside).intact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncating_the_audit_table(story):
    record(actor=story.chen, action="team.create", object_id=story.team.pk)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditevent CASCADE")
    assert len(events_of(story.harbourside)) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_unbroken_chain(story, head_file):
    # Two threads, each on its own database connection, append at once; the head row lock
    # (PostgreSQL) or the IMMEDIATE write lock (SQLite) must serialise them.
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def append(member: Membership) -> None:
        try:
            start.wait()
            for _ in range(10):
                record(actor=member, action="shift.check_in", object_id=uuid.uuid4())
        except BaseException as error:  # noqa: BLE001 (reported by the test thread)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(m,)) for m in (story.ravi, story.amina)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert [e.seq for e in events_of(story.harbourside)] == list(range(1, 21))
    assert verify_chain(story.harbourside).intact
    # Every head reached the file whole, whichever thread wrote it.
    heads = audit.read_head_file(head_file.read_text().splitlines())
    assert heads.malformed == 0
    assert heads.heads[story.harbourside.pk].seq == 20
    assert len(head_file.read_text().splitlines()) == 20
