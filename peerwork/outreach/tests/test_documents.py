"""The police liaison letter and the outreach ID card, printable and as PDF, in the
organisation's language (issue 5 item 7; §4.4)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django_scopes import scope
from pypdf import PdfReader

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import Membership, Organisation
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.outreach import documents
from peerwork.outreach.models import OutreachPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(story):
    with scope(organisation=story.harbourside.pk):
        Membership.objects.filter(pk=story.ravi.pk).update(work_phone="+254 700 111 222")
        OutreachPolicy.objects.create(organisation=story.harbourside, project_manager=story.ravi)
    return story


def _text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_letter_explains_outreach_and_names_the_project_manager(named):
    client = signed_in(named.joseph)
    html = assert_sound_page(client.get(reverse("outreach:police_letter")))
    assert "naloxone" in html and "Ravi Shah" in html and "+254 700 111 222" in html
    response = client.get(reverse("outreach:police_letter_pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "needles and syringes" in text and "Ravi Shah" in text and named.harbourside.name in text


def test_the_pdf_renders_cyrillic(named):
    Organisation.objects.filter(pk=named.harbourside.pk).update(name="Гавань Громада")
    named.amina.organisation.refresh_from_db()
    with scope(organisation=named.harbourside.pk):
        letter = documents.letter_for(named.amina)
    assert "Гавань Громада" in _text(documents.letter_pdf(letter, compress=False))


def test_a_worker_prints_their_own_card_with_a_photo_box(named):
    client = signed_in(named.amina)
    html = assert_sound_page(client.get(reverse("outreach:id_card", args=[named.amina.pk])))
    assert "Outreach worker" in html and "Valid until" in html and "stores no photos" in html
    text = _text(client.get(reverse("outreach:id_card_pdf", args=[named.amina.pk])).content)
    assert "Amina Wanjiru" in text and "Outreach worker" in text and "Ravi Shah" in text


def test_the_line_manager_director_and_org_admin_print_a_workers_card(named):
    for who in (named.ravi, named.daniel, named.chen):
        url = reverse("outreach:id_card", args=[named.amina.pk])
        assert signed_in(who).get(url).status_code == 200, who


def test_a_colleague_may_not_print_someone_elses_card(named):
    assert (
        signed_in(named.olena).get(reverse("outreach:id_card", args=[named.amina.pk])).status_code
        == 403
    )
    assert (
        signed_in(named.taslima)
        .get(reverse("outreach:id_card_pdf", args=[named.amina.pk]))
        .status_code
        == 403
    )


def test_the_letter_is_for_working_members_only(named):
    assert signed_in(named.leila).get(reverse("outreach:police_letter")).status_code == 404


def test_without_a_project_manager_the_documents_say_to_ask(story):
    html = signed_in(story.amina).get(reverse("outreach:police_letter")).content.decode()
    assert "Not named yet" in html


def test_the_documents_are_in_the_organisations_first_language(named):
    Organisation.objects.filter(pk=named.harbourside.pk).update(languages=["uk", "en"])
    named.harbourside.refresh_from_db()
    assert documents.language_of(named.harbourside) == "uk"
    Organisation.objects.filter(pk=named.harbourside.pk).update(languages=[])
    named.harbourside.refresh_from_db()
    assert documents.language_of(named.harbourside) == "en"
