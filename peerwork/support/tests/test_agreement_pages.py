"""Support agreements on their pages (issue 7 item 6; §3.11, §3.13, App. 4): HR drafts the
terms (the service defaulting to the organisation, a review date ahead, a recipient other
than the two); the page says the terms, confidentiality and its two exceptions in our own
words; the three agree and the staff member acknowledges the reporting duty on its own;
redrafting asks all three again; the staff member writes how they keep in touch (for the
two only); who reads it (HR, the recipient it names and, for coaching only, the line
manager); and the PDF, for anyone who reads it, holds the terms and the three names."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.support.agreement_pdf import agreement_pdf
from peerwork.support.models import SupportAgreement
from peerwork.support.tests.test_mentoring_pairs import draft, pair_of, today_there

pytestmark = pytest.mark.django_db


def fresh(agreement: SupportAgreement) -> SupportAgreement:
    with scope(organisation=agreement.organisation_id):
        return SupportAgreement.objects.select_related(
            "relationship", "person__organisation", "person__user", "supporter__user"
        ).get(pk=agreement.pk)


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def terms(story, **changes) -> dict[str, str]:
    data = {
        "service": "Harbourside Harm Reduction",
        "sessions": "6",
        "frequency": "monthly",
        "session_minutes": "60",
        "concerns_route": "With the director, in writing.",
        "exception_recipient": str(story.grace.pk),
        "exception_route": "In Peerwork, and a call the same day.",
        "review_on": (today_there(story) + dt.timedelta(days=180)).isoformat(),
    }
    data.update(changes)
    return data


def test_hr_drafts_olenas_coaching_agreement_and_the_three_are_asked(story):
    pair = pair_of(story, "olena")
    url = f"/support/agreements/new/?pair={pair.pk}"
    grace = signed_in(story.grace)
    html = assert_sound_page(grace.get(url))
    assert 'value="Harbourside Harm Reduction"' in html  # the organisation, by default
    response = grace.post(url, terms(story))
    with scope(organisation=story.harbourside.pk):
        agreement = SupportAgreement.objects.get(relationship=pair)
    assert response["Location"] == f"/support/agreements/{agreement.pk}/"
    assert agreement.exception_recipient_id == story.grace.pk and agreement.sessions == 6
    assert agreement.drafted_by_id == story.grace.pk and not agreement.is_agreed()
    # A second draft of the same pair goes to the first.
    assert grace.get(url)["Location"] == f"/support/agreements/{agreement.pk}/"
    html = assert_sound_page(signed_in(story.olena).get(f"/support/agreements/{agreement.pk}/"))
    for words in (
        "Coaching and supervision agreement",
        "6 sessions of 60 minutes each, every month.",
        "With the director, in writing.",
        "gross misconduct that Olena Petrenko has done or plans to do",
        "someone&#x27;s life in danger, Olena Petrenko&#x27;s own included.",
        "Leila Haddad must report it to Grace Njeri",
        "No session is logged before then.",
        "I know about the reporting duty",
        "I agree to these terms",
    ):
        assert words in html, words


def test_only_hr_drafts_and_the_pair_stays_hidden_from_others(story):
    pair = pair_of(story)
    url = f"/support/agreements/new/?pair={pair.pk}"
    for name in ("amina", "samuel"):
        assert signed_in(getattr(story, name)).get(url).status_code == 403, name
    for name in ("ravi", "daniel", "chen", "leila", "taras"):
        assert signed_in(getattr(story, name)).get(url).status_code == 404, name


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"review_on": "today"}, "review_on", "The review date must be after today."),
        ({"exception_recipient": "amina"}, "exception_recipient", "Choose someone from the list."),
        ({"service": ""}, "service", "This field is required."),
        ({"session_minutes": "5"}, "session_minutes", "greater than or equal to 10"),
    ],
)
def test_bad_terms_are_explained_and_nothing_is_drafted(story, changes, field, message):
    pair = pair_of(story)
    values = dict(changes)
    if values.get("review_on") == "today":
        values["review_on"] = today_there(story).isoformat()
    if values.get("exception_recipient") == "amina":
        values["exception_recipient"] = str(story.amina.pk)
    response = signed_in(story.grace).post(
        f"/support/agreements/new/?pair={pair.pk}",
        terms(story, concerns_route="Typed route", **values),
    )
    html = assert_sound_page(response)
    assert message in html and f'id="id_{field}_error"' in html
    assert "Typed route" in html
    with scope(organisation=story.harbourside.pk):
        assert not SupportAgreement.objects.filter(relationship=pair).exists()


def test_who_reads_a_mentoring_agreement_and_a_coaching_one(story):
    mentoring_agreement = draft(story, recipient="daniel")
    coaching = draft(story, "olena", recipient="grace")
    readers = {
        mentoring_agreement: ("amina", "samuel", "grace", "daniel"),
        # Coaching needs the manager's understanding (§3.13): Ravi reads Olena's.
        coaching: ("olena", "leila", "grace", "ravi"),
    }
    everyone = "amina ravi taslima grace daniel chen samuel leila joseph farah peter olena taras"
    for agreement, allowed in readers.items():
        for name in everyone.split():
            client = signed_in(getattr(story, name))
            for url in (
                f"/support/agreements/{agreement.pk}/",
                f"/support/agreements/{agreement.pk}/pdf/",
            ):
                status = client.get(url).status_code
                assert status == (200 if name in allowed else 404), (name, url, status)


def test_the_three_agree_and_the_duty_is_acknowledged_on_its_own(story):
    agreement = draft(story, "olena", recipient="grace", agreed=False, duty=False)
    url = f"/support/agreements/{agreement.pk}/"
    olena = signed_in(story.olena)
    assert olena.post(f"{url}agree/", {"version": str(agreement.version)}).status_code == 302
    agreement = fresh(agreement)
    assert agreement.person_agreed_at is not None and agreement.duty_acknowledged_at is None
    html = assert_sound_page(olena.get(url))
    assert "I know about the reporting duty" in html and "I agree to these terms" not in html
    olena.post(f"{url}duty/", {"version": str(agreement.version)})
    signed_in(story.leila).post(f"{url}agree/", {"version": ""})
    # Ravi, Olena's line manager, agrees for the organisation (§3.13).
    signed_in(story.ravi).post(f"{url}agree/", {"version": ""})
    agreement = fresh(agreement)
    assert agreement.is_agreed() and agreement.may_log_sessions()
    assert agreement.organisation_agreed_by_id == story.ravi.pk
    html = assert_sound_page(signed_in(story.grace).get(url))
    assert "For the organisation" in html and "Ravi Shah" in html and "not yet" not in html
    # Only Olena acknowledges the duty.
    assert signed_in(story.grace).post(f"{url}duty/").status_code == 403


def test_on_a_mentoring_agreement_the_line_manager_has_no_part(story):
    agreement = draft(story, agreed=False)
    assert (
        signed_in(story.ravi).post(f"/support/agreements/{agreement.pk}/agree/").status_code == 404
    )
    assert (
        signed_in(story.daniel).post(f"/support/agreements/{agreement.pk}/agree/").status_code
        == 403
    )
    assert fresh(agreement).organisation_agreed_at is None


def test_redrafting_asks_the_three_again_and_keeps_the_duty_when_the_route_is_the_same(story):
    agreement = draft(story, "olena", recipient="grace")
    url = f"/support/agreements/{agreement.pk}/terms/"
    grace = signed_in(story.grace)
    html = assert_sound_page(grace.get(url))
    assert "Saving new terms asks all three to agree again." in html
    changed = terms(
        story,
        exception_route=agreement.exception_route,
        concerns_route="",
        sessions="",
        frequency="monthly",
        version=str(agreement.version),
    )
    assert grace.post(url, changed).status_code == 302
    agreement = fresh(agreement)
    assert agreement.frequency == "monthly"
    assert None is agreement.person_agreed_at is agreement.supporter_agreed_at
    assert agreement.organisation_agreed_at is None
    assert agreement.duty_acknowledged_at is not None  # same recipient, same way
    # A stale save is refused and keeps what was typed.
    html = assert_sound_page(
        grace.post(url, {**changed, "service": "Typed service", "version": "1"})
    )
    assert "changed by someone else meanwhile" in html and 'value="Typed service"' in html
    # Only HR redrafts.
    assert signed_in(story.olena).get(url).status_code == 403
    assert signed_in(story.ravi).get(url).status_code == 403


def test_amina_writes_how_she_keeps_in_touch_for_samuel_alone(story):
    agreement = draft(story)
    url = f"/support/agreements/{agreement.pk}/"
    words = "Coffee on Fridays; a message first, never a call at home."
    response = signed_in(story.amina).post(
        f"{url}contact/", {"contact": words, "version": str(agreement.version)}
    )
    assert response.status_code == 302 and fresh(agreement).contact == words
    assert words in assert_sound_page(signed_in(story.samuel).get(url))
    with scopes_disabled():
        read = AuditEvent.objects.filter(
            object_id=agreement.pk, action="support.agreement.contact.read"
        )
        assert [(e.actor_id, e.subject_id) for e in read] == [(story.samuel.pk, story.amina.pk)]
    for name in ("grace", "daniel"):
        assert words not in assert_sound_page(signed_in(getattr(story, name)).get(url))
    assert signed_in(story.samuel).post(f"{url}contact/", {"contact": "x"}).status_code == 403


def test_the_pdf_holds_the_terms_and_the_three_names(story):
    agreement = draft(story, recipient="daniel", concerns_route="With HR, by email.")
    response = signed_in(story.daniel).get(f"/support/agreements/{agreement.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    for words in (
        "Peer mentoring agreement",
        "Amina Wanjiru",
        "Samuel Kiprop",
        "For the organisation: Grace Njeri",
        "Exception reports go to: Daniel Mwangi",
        "Sessions of 60 minutes, every two weeks",
        "With HR, by email.",
        "gross misconduct",
        "life in danger",
        "Reporting duty acknowledged by: Amina Wanjiru",
    ):
        assert words in text, words
    assert "not yet" not in text


def test_the_pdf_keeps_cyrillic(story):
    agreement = draft(story, service="Гавань")
    with scope(organisation=story.harbourside.pk):
        text = pdf_text(agreement_pdf(fresh(agreement), compress=False))
    assert "Гавань" in text
