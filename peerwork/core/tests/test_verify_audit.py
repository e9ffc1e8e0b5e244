"""``verify_audit`` and ``audit_heads``: every kind of tampering is detected and named.

Tampering goes around the app on purpose: a plain ``QuerySet`` skips the model's refusal,
and ``audit_triggers_lifted`` drops the database triggers for the block, as someone with a
database shell could.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F, QuerySet

from peerwork.core import audit
from peerwork.core.audit import record
from peerwork.core.management.commands.flush import audit_triggers_lifted
from peerwork.core.models import AuditEvent, AuditHead


@pytest.fixture
def head_file(settings, tmp_path):
    path = tmp_path / "audit-heads.log"
    settings.PEERWORK_AUDIT_HEAD_FILE = path
    return path


@pytest.fixture
def chains(story, head_file, django_capture_on_commit_callbacks):
    """Five events at Harbourside and two at Riverside, with their heads in the head file."""
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            record(
                actor=story.ravi,
                action="shift.check_in",
                object_id=uuid.uuid4(),
                detail={"n": number},
            )
        for _ in range(2):
            record(actor=story.taras, action="shift.check_in", object_id=uuid.uuid4())
    return story


def verify(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def rows(organisation) -> QuerySet[AuditEvent]:
    """The organisation's events, bypassing the model's and the queryset's refusals."""
    return QuerySet(model=AuditEvent).filter(organisation=organisation)


def forged(organisation, seq: int, prev_mac: str) -> AuditEvent:
    return AuditEvent(
        organisation=organisation,
        seq=seq,
        actor_id=uuid.uuid4(),
        action="personnel.read",
        key_id=audit._current_key(organisation.pk)[0],
        prev_mac=prev_mac,
        mac=os.urandom(32).hex(),
    )


def shift(organisation, *, from_seq: int, by: int) -> None:
    # Two steps, so no row passes through another's number (unique per organisation).
    rows(organisation).filter(seq__gte=from_seq).update(seq=F("seq") + 1000)
    rows(organisation).filter(seq__gte=from_seq + 1000).update(seq=F("seq") - 1000 + by)


def set_head(organisation) -> None:
    """Make the head row agree with the table, as someone covering their tracks would."""
    last = rows(organisation).order_by("-seq").first()
    AuditHead.objects.filter(organisation=organisation).update(seq=last.seq, mac=last.mac)


def line_for(output: str, slug: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"{slug}:"))


def test_intact_chains_exit_zero_with_one_line_per_organisation(chains, head_file):
    code, output = verify()

    assert code == 0
    assert output.splitlines() == [
        "harbourside: intact, 5 events, newest 5",
        "riverside: intact, 2 events, newest 2",
    ]


def test_an_edited_event_is_named(chains):
    with audit_triggers_lifted(connection):
        rows(chains.harbourside).filter(seq=3).update(action="personnel.read")

    code, output = verify()

    assert code == 1
    assert "harbourside: NOT INTACT" in output
    assert "edited (content no longer matches its MAC): events 3\n" in output
    assert "inserted" not in output and "deleted" not in output
    assert line_for(output, "riverside") == "riverside: intact, 2 events, newest 2"


def test_an_event_inserted_in_the_middle_is_named(chains):
    with audit_triggers_lifted(connection):
        third = rows(chains.harbourside).get(seq=3)
        shift(chains.harbourside, from_seq=4, by=1)
        forged(chains.harbourside, 4, third.mac).save()

    code, output = verify()

    assert code == 1
    assert "inserted (the chain does not pass through them): events 4\n" in output
    assert "renumbered (their MAC matches another number): events 5–6\n" in output
    assert "edited" not in output and "deleted" not in output
    # The heads still name the (renumbered) last event: nothing is missing from the end.
    assert "Truncated" not in output and "Rewritten" not in output and "head" not in output


def test_an_event_appended_past_the_head_is_named_inserted(chains):
    fifth = rows(chains.harbourside).get(seq=5)
    forged(chains.harbourside, 6, fifth.mac).save()

    code, output = verify()

    assert code == 1
    assert "inserted (the chain does not pass through them): events 6\n" in output
    assert "edited" not in output


def test_an_event_with_a_number_out_of_order_is_named_inserted(chains):
    forged(chains.harbourside, 0, "").save()

    code, output = verify()

    assert code == 1
    assert "inserted (the chain does not pass through them): events 0\n" in output
    assert "edited" not in output and "deleted" not in output


def test_deleted_events_are_named(chains):
    with audit_triggers_lifted(connection):
        rows(chains.harbourside).filter(seq__in=[2, 3])._raw_delete(connection.alias)

    code, output = verify()

    assert code == 1
    assert "deleted (missing from the chain): events 2–3\n" in output
    assert "edited" not in output and "inserted" not in output


def test_deleted_events_hidden_by_renumbering_are_still_named(chains):
    with audit_triggers_lifted(connection):
        rows(chains.harbourside).filter(seq=2)._raw_delete(connection.alias)
        shift(chains.harbourside, from_seq=3, by=-1)
        set_head(chains.harbourside)

    code, output = verify("--organisation", "harbourside")

    assert code == 1
    assert "deleted (missing from the chain): events 2\n" in output
    assert "renumbered (their MAC matches another number): events 2–4\n" in output
    # The newest event is still there, renumbered: nothing was cut off the end.
    assert "Truncated" not in output and "inserted" not in output


def test_truncation_is_named_from_the_head_row(chains, settings, tmp_path):
    with audit_triggers_lifted(connection):
        rows(chains.harbourside).filter(seq__gte=4)._raw_delete(connection.alias)
    settings.PEERWORK_AUDIT_HEAD_FILE = tmp_path / "missing.log"

    code, output = verify()

    assert code == 1
    assert "Truncated: the chain head names event 5 but the newest event is 3." in output


def test_truncation_covered_in_the_database_is_named_from_the_head_file(chains):
    with audit_triggers_lifted(connection):
        rows(chains.harbourside).filter(seq__gte=4)._raw_delete(connection.alias)
        set_head(chains.harbourside)

    code, output = verify()

    assert code == 1
    assert "Truncated: the head file names event 5 but the newest event is 3." in output
    assert "chain head names" not in output
    assert line_for(output, "riverside") == "riverside: intact, 2 events, newest 2"


def test_a_full_recompute_without_the_key_shows_every_event_edited(chains, settings, tmp_path):
    # Someone with the database but not the key file rewrites event 2 and re-chains
    # everything with a key of their own.
    their_key = os.urandom(32)
    prev_mac = audit.GENESIS
    with audit_triggers_lifted(connection):
        for event in rows(chains.harbourside).order_by("seq"):
            if event.seq == 2:
                event.action = "personnel.read"
            event.prev_mac = prev_mac
            event.mac = hmac.new(their_key, audit.canonical(event), hashlib.sha256).hexdigest()
            rows(chains.harbourside).filter(pk=event.pk).update(
                action=event.action, prev_mac=event.prev_mac, mac=event.mac
            )
            prev_mac = event.mac
        set_head(chains.harbourside)
    # Even without the head file, the MACs give them away.
    settings.PEERWORK_AUDIT_HEAD_FILE = tmp_path / "missing.log"

    code, output = verify()

    assert code == 1
    assert "edited (content no longer matches its MAC): events 1–5\n" in output
    assert "inserted" not in output and "deleted" not in output
    assert line_for(output, "riverside").startswith("riverside: intact")


def test_events_under_a_key_the_key_file_does_not_hold_are_named_edited(chains):
    with audit_triggers_lifted(connection):
        rows(chains.harbourside).filter(seq=4).update(key_id="forged")

    code, output = verify()

    assert code == 1
    assert "edited (content no longer matches its MAC): events 4\n" in output


def test_a_rewrite_with_the_key_is_caught_by_the_head_file(chains):
    # Someone who holds the key file too can re-chain validly; only the head kept outside
    # the database shows it.
    prev_mac = audit.GENESIS
    with audit_triggers_lifted(connection):
        for event in rows(chains.harbourside).order_by("seq"):
            if event.seq == 2:
                event.action = "personnel.read"
            event.prev_mac = prev_mac
            _key_id, key = audit._current_key(chains.harbourside.pk)
            event.mac = audit.compute_mac(key, event)
            rows(chains.harbourside).filter(pk=event.pk).update(
                action=event.action, prev_mac=event.prev_mac, mac=event.mac
            )
            prev_mac = event.mac
        set_head(chains.harbourside)

    code, output = verify()

    assert code == 1
    assert "Rewritten: event 5 differs from the head recorded outside the database." in output
    assert "edited" not in output


def test_audit_heads_prints_lines_that_verify_audit_reads_back(chains, tmp_path):
    out = StringIO()
    call_command("audit_heads", stdout=out)
    kept = tmp_path / "kept-elsewhere.log"
    kept.write_text(out.getvalue())
    lines = out.getvalue().splitlines()

    heads = {h.organisation_id: h for h in AuditHead.objects.all()}
    assert sorted(line.split()[1:] for line in lines) == sorted(
        [str(org.pk), str(heads[org.pk].seq), heads[org.pk].mac, org.slug]
        for org in (chains.harbourside, chains.riverside)
    )
    assert {line.split()[2] for line in lines} == {"5", "2"}
    assert verify("--heads", str(kept))[0] == 0

    with audit_triggers_lifted(connection):
        rows(chains.riverside).filter(seq=2)._raw_delete(connection.alias)
        set_head(chains.riverside)

    code, output = verify("--heads", str(kept))
    assert code == 1
    assert "Truncated: the head file names event 2 but the newest event is 1." in output


def test_one_organisation_can_be_checked_alone(chains):
    with audit_triggers_lifted(connection):
        rows(chains.harbourside).filter(seq=3).update(action="personnel.read")

    assert verify("--organisation", "riverside") == (0, "riverside: intact, 2 events, newest 2\n")
    assert verify("--organisation", "harbourside")[0] == 1
    assert verify("--organisation", "nowhere")[0] == 2


def test_a_head_file_named_on_the_command_line_must_exist(chains, tmp_path):
    assert verify("--heads", str(tmp_path / "nowhere.log"))[0] == 2


def test_without_a_head_file_it_says_what_it_cannot_rule_out(story, settings, tmp_path):
    settings.PEERWORK_AUDIT_HEAD_FILE = tmp_path / "never-written.log"
    record(actor=story.ravi, action="shift.check_in", object_id=uuid.uuid4())

    code, output = verify()

    assert code == 0
    assert output.startswith("Note: no head file at")
    assert "harbourside: intact, 1 events, newest 1 (The head file has no line" in output
