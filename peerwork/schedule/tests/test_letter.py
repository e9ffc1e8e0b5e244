"""The draft request letter for the prescribing doctor (issue 6 item 5; §2.4.1, the §3.4
tips): a PDF in the organisation's language, to the OST centre near the event, with the
patient's name, medicine, daily dose, the dates and the number of days, blank lines for the
prescriber's signature; filled from the disclosure only with the traveller's consent, and
for nobody but the traveller (or HR under their named share of OST)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent, Organisation
from peerwork.people.services import disclose, share
from peerwork.schedule import letter, travel
from peerwork.schedule.models import Traveller, Trip

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


@pytest.fixture
def trip(story):
    with scope(organisation=story.harbourside.pk):
        today = timezone.localdate()
        return travel.create_trip(
            actor=story.ravi,
            fields=travel.TripFields(
                title="Regional harm reduction forum",
                kind=Trip.Kind.EVENT_ELSEWHERE,
                place="Kisumu",
                starts_on=today + dt.timedelta(days=40),
                ends_on=today + dt.timedelta(days=43),
                travellers=[story.amina.pk, story.olena.pk],
                ost_site_name="Lakeside OST centre",
                ost_site_address="Oginga Odinga Street 4\nKisumu",
            ),
        )


def _traveller(trip, member):
    with scope(organisation=trip.organisation_id):
        return Traveller.objects.select_related("trip__organisation", "member").get(
            trip=trip, member=member
        )


def _ready(story, trip, *, consent=True, dose="80 mg", medicine=""):
    """Amina told the organisation about OST, opted in and filled in her list."""
    with scope(organisation=story.harbourside.pk):
        disclose(
            actor=story.amina,
            owner=story.amina,
            category="ost",
            answer={"medicine": "methadone", "prescriber": "Dr Achieng, Mathare clinic"},
        )
        row = travel.opt_in(actor=story.amina, traveller=_traveller(trip, story.amina))
        details = travel.read_checklist(actor=story.amina, traveller=row)
        details.update({"daily_dose": dose, "medicine": medicine, "letter_consent": consent})
        return travel.update_checklist(
            actor=story.amina, traveller=row, version=row.version, details=details
        )


def _url(row):
    return reverse("schedule:letter", args=[row.pk])


def test_the_traveller_gets_a_letter_with_what_the_centre_needs(story, trip):
    row = _ready(story, trip)
    response = signed_in(story.amina).get(_url(row))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = _text(response.content)
    for words in (
        "Amina Wanjiru",
        "Lakeside OST centre",
        "Oginga Odinga Street 4",
        "Kisumu",
        "Methadone",  # from her disclosure, with consent
        "Dr Achieng, Mathare clinic",
        "80 mg",
        "Number of days: 4",
        "dispense",
        "Signature of the prescribing doctor",
    ):
        assert words in text, words
    assert "original letter" in text and "passport" in text


def test_what_the_traveller_typed_comes_before_the_disclosure(story, trip):
    row = _ready(story, trip, medicine="Buprenorphine film")
    text = _text(signed_in(story.amina).get(_url(row)).content)
    assert "Buprenorphine film" in text and "Methadone" not in text


def test_there_is_no_letter_without_consent_and_the_disclosure_is_not_read(story, trip):
    row = _ready(story, trip, consent=False)
    with scope(organisation=story.harbourside.pk):
        reads = AuditEvent.objects.filter(object_type="people.disclosure").count()
    assert signed_in(story.amina).get(_url(row)).status_code == 404
    html = signed_in(story.amina).get(reverse("schedule:checklist", args=[row.pk])).content
    assert _url(row).encode() not in html
    with scope(organisation=story.harbourside.pk):
        assert AuditEvent.objects.filter(object_type="people.disclosure").count() == reads


def test_there_is_no_letter_before_opting_in(story, trip):
    row = _traveller(trip, story.amina)
    assert signed_in(story.amina).get(_url(row)).status_code == 404


@pytest.mark.parametrize("who", ["ravi", "olena", "daniel", "grace", "chen", "leila", "taras"])
def test_nobody_else_ever_gets_the_letter(story, trip, who):
    row = _ready(story, trip)
    assert signed_in(getattr(story, who)).get(_url(row)).status_code == 404


def test_hr_under_the_named_share_gets_it_and_the_reads_are_audited(story, trip):
    row = _ready(story, trip)
    with scope(organisation=story.harbourside.pk):
        share(
            actor=story.amina,
            audience="person",
            grantee=story.grace,
            categories=["ost"],
            purpose="Help with travel",
        )
    response = signed_in(story.grace).get(_url(row))
    assert response.status_code == 200
    assert "Methadone" in _text(response.content)
    with scope(organisation=story.harbourside.pk):
        by_grace = AuditEvent.objects.filter(actor_id=story.grace.pk, subject_id=story.amina.pk)
        assert by_grace.filter(action="schedule.checklist.read").exists()
        assert by_grace.filter(object_type="people.disclosure").exists()


def test_the_letter_is_in_the_organisations_language(story, trip):
    Organisation.objects.filter(pk=story.harbourside.pk).update(languages=["sw", "en"])
    row = _ready(story, trip)
    text = _text(signed_in(story.amina).get(_url(row)).content)
    assert "Methadoni" in text  # the disclosure's words, in Swahili


def test_the_pdf_renders_cyrillic(story, trip):
    row = _ready(story, trip, medicine="Метадон")
    with scope(organisation=story.harbourside.pk):
        row = _traveller(trip, story.amina)
        details = travel.read_checklist(actor=story.amina, traveller=row)
        words = letter.letter_for(row, details, {"prescriber": "Лікар Іваненко"})
    text = _text(letter.letter_pdf(words, compress=False))
    assert "Метадон" in text and "Лікар Іваненко" in text
