"""The own-data export: complete by the register, nobody else's secrets, the carve-out."""

from __future__ import annotations

import json

import pytest
from django.template.loader import render_to_string
from django_scopes import scope

from peerwork.core.models import AuditEvent
from peerwork.core.services import add_member
from peerwork.people import exception_reports, personal_data, services
from peerwork.people.export import as_document, build_export, download
from peerwork.people.models import StaffRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbourside(story):
    with scope(organisation=story.harbourside):
        yield story


def _section(data, key):
    return next(s for s in data["sections"] if s["key"] == key)


def _text(data) -> str:
    return json.dumps(data, ensure_ascii=False)


def test_a_person_with_a_row_of_every_registered_kind_finds_each_in_their_export(harbourside):
    s = harbourside
    for entry in personal_data.entries():
        if entry.sample is not None:
            entry.sample(s.amina)
    data = build_export(s.amina)
    assert [sec["key"] for sec in data["sections"]] == [e.key for e in personal_data.entries()]
    empty = [sec["key"] for sec in data["sections"] if not sec["items"]]
    assert not empty, f"registered but missing from the export: {empty}"
    json.dumps(data)  # JSON as it is, without a special encoder


def test_every_section_says_what_erasure_does_to_it(harbourside):
    data = build_export(harbourside.amina)
    for section in data["sections"]:
        assert section["title"] and section["what_erasure_does"], section["key"]
        assert section["on_erasure"] in {rule.value for rule in personal_data.OnErasure}


def test_disclosures_come_with_their_history_and_readable_answers(harbourside):
    s = harbourside
    services.disclose(
        actor=s.amina, owner=s.amina, category="drug_use", answer={"relationship": "on_ost"}
    )
    services.disclose(
        actor=s.amina, owner=s.amina, category="drug_use", answer={"relationship": "in_recovery"}
    )
    items = _section(build_export(s.amina), "people.disclosure")["items"]
    assert [item["How would you describe yourself?"] for item in items] == [
        "In recovery",
        "On opioid substitution therapy (OST)",
    ]
    assert items[0]["Replaced"] is None and items[1]["Replaced"] is not None


def test_the_export_opens_what_is_sealed_for_the_person_and_never_for_anyone_else(harbourside):
    s = harbourside
    # Amina's own sealed values: hers to see.
    services.disclose(
        actor=s.amina, owner=s.amina, category="health", answer={"own_words": "Amina-Health-7731"}
    )
    services.update_profile(actor=s.amina, emergency_contact="Amina-Contact-4410")
    services.share(
        actor=s.amina,
        audience="person",
        grantee=s.grace,
        categories=["health"],
        purpose="Amina-Purpose-9902",
    )
    exception_reports.report_exception(
        actor=s.samuel,
        person=s.amina,
        reason="life_in_danger",
        disclosed="About-Amina-5518",
        recipient=s.daniel,
    )
    # Colleagues' sealed values, including what they shared with her.
    services.disclose(
        actor=s.olena, owner=s.olena, category="ost", answer={"prescriber": "Olena-Clinic-3307"}
    )
    services.share(
        actor=s.olena,
        audience="person",
        grantee=s.amina,
        categories=["ost"],
        purpose="Olena-Purpose-6624",
    )
    services.update_profile(actor=s.ravi, emergency_contact="Ravi-Contact-1189")
    with scope(organisation=s.riverside):
        services.disclose(
            actor=s.taras, owner=s.taras, category="ost", answer={"prescriber": "Taras-Clinic-8852"}
        )

    text = _text(build_export(s.amina))

    for mine in (
        "Amina-Health-7731",
        "Amina-Contact-4410",
        "Amina-Purpose-9902",
        "About-Amina-5518",
    ):
        assert mine in text, mine
    for theirs in (
        "Olena-Clinic-3307",
        "Olena-Purpose-6624",
        "Ravi-Contact-1189",
        "Taras-Clinic-8852",
    ):
        assert theirs not in text, theirs
    received = _section(build_export(s.amina), "people.shares_received")["items"]
    assert received[0]["Owner"] == "Olena Petrenko"
    assert received[0]["What is shared"] == ["Opioid substitution therapy (OST)"]


def test_tokens_show_their_name_and_prefix_but_never_a_secret(harbourside):
    from peerwork.core.tokens import create_token

    s = harbourside
    token, raw = create_token(member=s.amina, name="SMS gateway")
    text = _text(build_export(s.amina))
    assert "SMS gateway" in text and token.prefix in text
    assert raw not in text and token.digest not in text


def test_the_audit_record_about_the_person_lists_who_did_what_and_when(harbourside):
    s = harbourside
    services.share(
        actor=s.amina, audience="person", grantee=s.grace, categories=["ost"], purpose="p"
    )
    items = _section(build_export(s.amina), "core.audit_event")["items"]
    assert [(i["What happened"], i["Who"]) for i in items] == [("grant.create", "Amina Wanjiru")]


def test_the_export_covers_one_organisation_only(story):
    add_member(
        organisation=story.riverside,
        username="amina",
        display_name="Amina Wanjiru",
        email="amina@example.org",
        roles=["staff"],
        team=story.other_team,
    )
    with scope(organisation=story.riverside):
        there = next(
            m for m in story.amina.user.memberships.all() if m.organisation_id == story.riverside.pk
        )
        services.disclose(
            actor=there, owner=there, category="ost", answer={"prescriber": "Kyiv-9150"}
        )
    with scope(organisation=story.harbourside):
        data = build_export(story.amina)
    assert data["organisation"] == "Harbourside Harm Reduction"
    assert "Kyiv-9150" not in _text(data)


def test_an_anonymised_staff_record_is_no_longer_in_the_leavers_export(harbourside):
    s = harbourside
    StaffRecord.objects.create(organisation=s.harbourside, membership=s.amina, grade="4")
    assert _section(build_export(s.amina), "people.staff_record")["items"]
    StaffRecord.objects.filter(membership=s.amina).update(membership=None)
    assert not _section(build_export(s.amina), "people.staff_record")["items"]


# --- the investigation carve-out ----------------------------------------------------------


def test_what_an_open_investigation_holds_is_left_out_and_the_export_says_why(harbourside):
    s = harbourside

    def open_investigation(member):
        if member.pk == s.amina.pk:
            return [("investigation", "an investigation into a complaint is open")]
        return []

    personal_data.register_withholding(open_investigation)
    try:
        mine = build_export(s.amina)
        olena = build_export(s.olena)
    finally:
        personal_data.unregister_withholding(open_investigation)

    assert mine["withheld"] == [
        {
            "kind": "investigation",
            "reason": "an investigation into a complaint is open",
            "note": "Some records are left out for now: an investigation into a complaint is open",
        }
    ]
    assert olena["withheld"] == []
    document = render_to_string("people/export_document.html", {"export": as_document(mine)})
    assert (
        "Some records are left out for now: an investigation into a complaint is open" in document
    )
    assert build_export(s.amina)["withheld"] == []  # unregistered: nothing held back


def test_the_readable_document_shows_every_section_and_its_values(harbourside):
    s = harbourside
    services.disclose(
        actor=s.amina, owner=s.amina, category="accommodations", answer={"needs": "Late starts"}
    )
    data = as_document(build_export(s.amina))
    document = render_to_string("people/export_document.html", {"export": data})
    for section in data["sections"]:
        assert str(section["title"]).replace("'", "&#x27;") in document
    assert "Late starts" in document
    assert "@media print" in document
    assert "<script" not in document


# --- downloading ----------------------------------------------------------------------------


def test_a_download_is_one_audit_write_and_no_reads(harbourside):
    s = harbourside
    services.disclose(
        actor=s.amina, owner=s.amina, category="ost", answer={"medicine": "methadone"}
    )
    before = AuditEvent.objects.count()
    download(s.amina, "json")
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.kind, e.action, e.subject_id, e.detail) for e in events] == [
        ("write", "export.download", s.amina.pk, {"format": "json"})
    ]


def test_the_document_shows_times_and_days_in_the_readers_format(harbourside):
    data = {
        "made_at": "2026-03-02T09:30+03:00",
        "sections": [{"items": [{"Made": "2026-03-02T09:30+03:00", "Day": "2026-03-02"}]}],
    }
    shown = as_document(data)
    assert shown["made_at"] == "March 2, 2026, 9:30 a.m."
    assert shown["sections"][0]["items"][0] == [
        ("Made", "March 2, 2026, 9:30 a.m."),
        ("Day", "March 2, 2026"),
    ]
