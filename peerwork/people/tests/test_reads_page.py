"""Who saw my data (``/me/reads``): every read of a person's information, from the audit
chain, with who, what and when; and every share they made."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.core import audit
from peerwork.core.models import Membership
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import exception_reports, services
from peerwork.people.tests.helpers import disclose, share

pytestmark = pytest.mark.django_db


def _read_as(reader, owner, times=1):
    with scope(organisation=owner.organisation):
        for _ in range(times):
            services.read_disclosures(actor=reader, owner=owner)


def test_nobody_has_read_anything_at_first(story):
    html = assert_sound_page(signed_in(story.amina).get("/me/reads"))
    assert "Nobody has read your information." in html
    assert "You have not shared anything." in html


def test_a_grantees_read_is_listed_with_name_category_and_local_time(story):
    disclose(story.amina, "ost", {"medicine": "methadone"})
    grant = share(story.amina, audience="line_manager")
    signed_in(story.ravi).get(f"/shared/{grant.pk}")
    with scope(organisation=story.harbourside):
        (event,) = audit.events_about(story.amina)
    at = event.at.astimezone(ZoneInfo("Africa/Nairobi"))  # Harbourside's time zone
    html = assert_sound_page(signed_in(story.amina).get("/me/reads"))
    assert (
        f"<tr><td>Ravi Shah</td><td>Opioid substitution therapy (OST)</td>"
        f"<td>{at.day} {at:%b %Y %H:%M}</td></tr>"
    ) in html
    assert "My line manager (Ravi Shah)" in html  # the share made


def test_the_owners_own_reads_say_you(story):
    disclose(story.amina, "health", {"own_words": "x"})
    client = signed_in(story.amina)
    client.get("/me")
    html = assert_sound_page(client.get("/me/reads"))
    assert "<td>You</td><td>Health conditions</td>" in html


def test_a_read_of_an_answer_since_removed_says_so(story):
    disclose(story.amina, "ost", {"medicine": "methadone"})
    _read_as(story.amina, story.amina)
    with scope(organisation=story.harbourside):
        services.remove_disclosure(actor=story.amina, category="ost")
    html = assert_sound_page(signed_in(story.amina).get("/me/reads"))
    assert "<td>You</td><td>An answer since removed</td>" in html


def test_a_reader_who_is_gone_is_a_former_member(story):
    disclose(story.amina, "ost", {"medicine": "methadone"})
    share(story.amina, audience="person", grantee=story.joseph)
    _read_as(story.joseph, story.amina)
    with scopes_disabled():
        Membership.objects.filter(pk=story.joseph.pk).delete()
    html = assert_sound_page(signed_in(story.amina).get("/me/reads"))
    assert "<td>A former member</td><td>Opioid substitution therapy (OST)</td>" in html
    assert "Joseph" not in html


def test_a_read_of_an_exception_report_is_listed(story):
    with scope(organisation=story.harbourside):
        recipient = exception_reports.recipients_for(story.samuel, story.amina)[0]
        report = exception_reports.report_exception(
            actor=story.samuel,
            person=story.amina,
            reason="life_in_danger",
            disclosed="what was said",
            recipient=recipient,
        )
        exception_reports.read_exception_report(actor=recipient, report=report)
    html = assert_sound_page(signed_in(story.amina).get("/me/reads"))
    assert f"<td>{recipient.name}</td><td>An exception report about you</td>" in html
    assert "what was said" not in html


def test_only_the_person_sees_their_reads(story):
    disclose(story.amina, "ost", {"medicine": "methadone"})
    grant = share(story.amina, audience="person", grantee=story.samuel)
    signed_in(story.samuel).get(f"/shared/{grant.pk}")
    for person in (story.samuel, story.ravi, story.grace, story.daniel, story.chen, story.taras):
        html = assert_sound_page(signed_in(person).get("/me/reads"))
        assert "Nobody has read your information." in html, person
        assert "<td>Samuel Kiprop</td><td>Opioid" not in html


def test_reads_are_paginated_newest_first(story):
    disclose(story.amina, "ost", {"medicine": "methadone"})
    share(story.amina, audience="person", grantee=story.samuel)
    _read_as(story.amina, story.amina, times=50)
    _read_as(story.samuel, story.amina, times=5)
    client = signed_in(story.amina)
    first = assert_sound_page(client.get("/me/reads"))
    assert first.count("<tr><td>") == 50 + 1  # 50 reads and one share made
    assert "Page 1 of 2" in first
    assert first.index("Samuel Kiprop") < first.index("<td>You</td>")
    second = assert_sound_page(client.get("/me/reads?page=2"))
    assert second.count("<td>You</td>") == 5
    assert "<td>Samuel Kiprop</td><td>Opioid" not in second


@pytest.mark.django_db(transaction=True)
def test_the_page_answers_in_a_fixed_number_of_queries(story, django_assert_max_num_queries):
    disclose(story.amina, "ost", {"medicine": "methadone"})
    share(story.amina, audience="person", grantee=story.samuel)
    _read_as(story.samuel, story.amina)
    client = signed_in(story.amina)
    client.get("/me/reads")  # keys unwrapped and cached once
    with CaptureQueriesContext(connection) as few:
        client.get("/me/reads")
    few_queries = len(few)  # read now: the next request empties the log
    for grantee in (story.joseph, story.olena, story.grace, story.ravi):
        share(story.amina, audience="person", grantee=grantee)
        _read_as(grantee, story.amina, times=2)
    share(story.amina, audience="organisation")
    _read_as(story.daniel, story.amina)
    with django_assert_max_num_queries(few_queries):
        html = client.get("/me/reads").content.decode()
    assert html.count("</td><td>Opioid substitution therapy (OST)</td>") == 10
