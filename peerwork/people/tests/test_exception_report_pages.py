"""Exception report pages: the two exits from confidential support (§3.11, §3.13, App. 4;
issue 4 item 6). A mentor or coach reports; the recipient and the person are told; only
those three read it, and every read is audited."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled
from django_tasks_db.models import DBTaskResult

from peerwork.api.tests.helpers import signed_in
from peerwork.core.audit import verify_chain
from peerwork.core.mfa import enrol_totp
from peerwork.core.models import AuditEvent, Notification, Role
from peerwork.core.services import add_member
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import exception_reports
from peerwork.people.models import ExceptionReport
from peerwork.people.tests.helpers import EVERYONE, expected, statuses

pytestmark = pytest.mark.django_db

WORDS = "Said on 3 March they plan to take the petty cash box home; Canary-5521."


def report(story, recipient=None, reason="gross_misconduct"):
    with scope(organisation=story.harbourside.pk):
        return exception_reports.report_exception(
            actor=story.samuel,
            person=story.amina,
            reason=reason,
            disclosed=WORDS,
            recipient=recipient or story.daniel,
        )


def second_director(story):
    with scopes_disabled():
        member = add_member(
            organisation=story.harbourside,
            username="wanjiku",
            display_name="Wanjiku Mwangi",
            email="wanjiku@example.org",
            roles=[Role.STAFF, Role.DIRECTOR],
            team=story.team,
        )
        enrol_totp(member.user, generate_totp_secret())
        member.roles  # noqa: B018 (read once, outside a scope)
    return member


def reports_about(person):
    with scopes_disabled():
        return list(ExceptionReport.objects.filter(person=person))


def run_enqueued_tasks() -> int:
    """Run what the request queued, as the worker would."""
    ran = 0
    for result in DBTaskResult.objects.ready():
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        ran += 1
    return ran


# --- making a report -------------------------------------------------------------------


def test_only_the_persons_current_mentor_opens_the_report_form(story):
    url = f"/supported/{story.amina.pk}/exception-report"
    assert statuses(story, url) == expected(samuel=200)
    assert statuses(story, url, "post", {"reason": "life_in_danger"}) == expected(samuel=200)
    assert reports_about(story.amina) == []


def test_a_coach_reports_only_about_the_person_they_coach(story):
    assert (
        signed_in(story.leila).get(f"/supported/{story.olena.pk}/exception-report").status_code
        == 200
    )
    assert (
        signed_in(story.leila).get(f"/supported/{story.amina.pk}/exception-report").status_code
        == 404
    )


def test_the_directory_card_offers_the_report_to_the_supporter_only(story):
    link = f'href="/supported/{story.amina.pk}/exception-report"'
    assert link in assert_sound_page(signed_in(story.samuel).get(f"/people/{story.amina.pk}"))
    for name in ("amina", "ravi", "grace", "daniel", "joseph"):
        html = signed_in(getattr(story, name)).get(f"/people/{story.amina.pk}").content.decode()
        assert link not in html and "Make an exception report" not in html, name


def test_the_form_reminds_to_disclose_only_what_is_needed_and_names_the_recipients(story):
    html = assert_sound_page(
        signed_in(story.samuel).get(f"/supported/{story.amina.pk}/exception-report")
    )
    assert "Write only what the exception needs" in html
    assert "is told at once" in html
    assert (
        "Gross misconduct, actual or planned" in html and "Someone&#x27;s life is in danger" in html
    )
    assert f'<option value="{story.daniel.pk}" selected>Daniel Mwangi</option>' in html
    assert str(story.grace.pk) not in html  # HR only where there is no director


def test_a_report_tells_the_recipient_and_the_person_in_the_inbox_and_by_email(
    story, django_capture_on_commit_callbacks
):
    client = signed_in(story.samuel)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/supported/{story.amina.pk}/exception-report",
            {"reason": "gross_misconduct", "disclosed": WORDS, "recipient": str(story.daniel.pk)},
        )
    [made] = reports_about(story.amina)
    assert response.status_code == 302
    assert response["Location"] == f"/exception-reports/{made.pk}"
    assert (made.supporter_id, made.recipient_id, made.reason) == (
        story.samuel.pk,
        story.daniel.pk,
        "gross_misconduct",
    )
    assert made.person_told_at == made.made_at
    with scopes_disabled():
        told = {
            (n.recipient_id, n.kind)
            for n in Notification.objects.filter(params__report=str(made.pk))
        }
    assert told == {
        (story.daniel.pk, "people.exception_report_received"),
        (story.amina.pk, "people.exception_report_about_you"),
    }
    assert run_enqueued_tasks() == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "amina@example.org",
        "daniel@example.org",
    ]
    for message in mail.outbox:  # the emails say something happened, never what
        assert "Canary-5521" not in message.body and "petty cash" not in message.body
    page = assert_sound_page(client.get(response["Location"]))
    assert "Report sent to Daniel Mwangi. Amina Wanjiru has been told." in page


def test_bad_input_keeps_what_was_typed_and_makes_no_report(story):
    url = f"/supported/{story.amina.pk}/exception-report"
    client = signed_in(story.samuel)
    for forged in (story.grace, story.amina, story.taras):
        response = client.post(
            url, {"reason": "life_in_danger", "disclosed": WORDS, "recipient": str(forged.pk)}
        )
        html = assert_sound_page(response)
        assert response.status_code == 200 and "Select a valid choice" in html
        assert "Canary-5521" in html  # what was typed is still there
    response = client.post(
        url, {"reason": "rumour", "disclosed": "  ", "recipient": str(story.daniel.pk)}
    )
    html = assert_sound_page(response)
    assert "Select a valid choice. rumour is not one of the available choices." in html
    assert "This field is required." in html
    assert reports_about(story.amina) == []


def test_without_a_director_or_hr_the_form_says_nobody_can_receive_it(story):
    from peerwork.core.models import MembershipRole

    with scopes_disabled():
        MembershipRole.objects.filter(role__in=[Role.DIRECTOR, Role.HR]).delete()
    html = assert_sound_page(
        signed_in(story.samuel).get(f"/supported/{story.amina.pk}/exception-report")
    )
    assert "Nobody can receive an exception report here yet" in html


# --- reading a report ------------------------------------------------------------------


def test_a_report_opens_to_the_person_the_supporter_and_the_recipient_only(story):
    wanjiku = second_director(story)
    made = report(story, recipient=wanjiku)
    answers = statuses(story, f"/exception-reports/{made.pk}", extra={"wanjiku": wanjiku})
    # Daniel is a director too, but not the one named: he gets "not found".
    assert answers == {**expected(amina=200, samuel=200), "wanjiku": 200}


def test_the_report_shows_what_was_disclosed_who_made_and_received_it_and_when_told(story):
    made = report(story, reason="life_in_danger")
    html = assert_sound_page(signed_in(story.amina).get(f"/exception-reports/{made.pk}"))
    for shown in (
        "Someone&#x27;s life is in danger",
        "Canary-5521",
        "Samuel Kiprop",
        "Daniel Mwangi",
    ):
        assert shown in html, shown
    assert "Staff member told" in html
    assert "exactly what they wrote" in html  # said to the person it is about


def test_every_read_is_in_the_audit_chain_after_the_create(story):
    made = report(story)
    for member in (story.daniel, story.amina, story.daniel):
        assert signed_in(member).get(f"/exception-reports/{made.pk}").status_code == 200
    with scopes_disabled():
        events = list(
            AuditEvent.objects.filter(object_id=made.pk)
            .order_by("seq")
            .values_list("action", "actor_id", "subject_id", "kind")
        )
    assert events == [
        ("exception_report.create", story.samuel.pk, story.amina.pk, "write"),
        ("exception_report.read", story.daniel.pk, story.amina.pk, "read"),
        ("exception_report.read", story.amina.pk, story.amina.pk, "read"),
        ("exception_report.read", story.daniel.pk, story.amina.pk, "read"),
    ]
    with scopes_disabled():
        assert verify_chain(story.harbourside).intact


def test_a_refused_reader_leaves_no_read_in_the_audit_chain(story):
    made = report(story)
    for member in (story.ravi, story.grace, story.chen, story.taras):
        assert signed_in(member).get(f"/exception-reports/{made.pk}").status_code == 404
    with scopes_disabled():
        actions = list(
            AuditEvent.objects.filter(object_id=made.pk).values_list("action", flat=True)
        )
    assert actions == ["exception_report.create"]


# --- the list --------------------------------------------------------------------------


def test_the_list_answers_everyone_with_an_empty_state(story):
    assert statuses(story, "/exception-reports") == dict.fromkeys(EVERYONE, 200)
    html = assert_sound_page(signed_in(story.joseph).get("/exception-reports"))
    assert "There are no exception reports about you, sent to you or made by you." in html


def test_the_list_shows_each_person_their_side_of_a_report(story):
    made = report(story)
    link = f'href="/exception-reports/{made.pk}"'
    sides = {"amina": "About you", "daniel": "Sent to you", "samuel": "Made by you"}
    for name, heading in sides.items():
        html = assert_sound_page(signed_in(getattr(story, name)).get("/exception-reports"))
        assert link in html and heading in html, name
        assert "Canary-5521" not in html  # the list names the exception, not the words
    for name in ("ravi", "grace", "joseph", "leila"):
        assert (
            link not in signed_in(getattr(story, name)).get("/exception-reports").content.decode()
        )


def test_the_list_asks_the_same_queries_however_many_reports(story):
    client = signed_in(story.daniel)
    report(story)
    client.get("/exception-reports")
    with CaptureQueriesContext(connection) as few:
        client.get("/exception-reports")
    for _n in range(4):
        report(story)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/exception-reports").content.decode()
    assert html.count('href="/exception-reports/') == 5
    assert len(many) == len(few)


def test_the_supporters_day_links_to_exception_reports(story):
    html = assert_sound_page(signed_in(story.samuel).get("/"))
    assert 'href="/exception-reports"' in html
