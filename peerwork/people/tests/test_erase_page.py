"""The erase page: what goes and what stays, in plain words; erasing takes a typed word, and
a wrong word changes nothing and keeps what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import PersonKey
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import personal_data, services
from peerwork.people.models import Disclosure, Erasure, RetentionPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal(tmp_path, settings):
    settings.PEERWORK_ERASURE_JOURNAL_FILE = tmp_path / "erasures.log"
    return settings.PEERWORK_ERASURE_JOURNAL_FILE


@pytest.fixture
def disclosed(story):
    with scope(organisation=story.harbourside):
        services.disclose(
            actor=story.amina, owner=story.amina, category="ost", answer={"medicine": "methadone"}
        )
    return story


def _disclosures(story) -> int:
    with scope(organisation=story.harbourside):
        return Disclosure.objects.filter(owner=story.amina).count()


def test_the_page_says_what_is_erased_now_and_what_is_kept(story):
    response = signed_in(story.amina).get(reverse("people:erase"))
    html = assert_sound_page(response)
    for entry in personal_data.entries():
        assert str(entry.title).replace("'", "&#x27;") in html, entry.key
    assert "Your emergency contact" in html
    assert "erased 30 days after you leave" in html
    assert "Kept for 2190 days after you leave" in html


def test_the_page_shows_the_organisations_own_periods(story):
    with scope(organisation=story.harbourside):
        RetentionPolicy.objects.create(
            organisation=story.harbourside, private_days=1, personnel_days=730
        )
    html = signed_in(story.amina).get(reverse("people:erase")).content.decode()
    assert "erased 1 day after you leave" in html
    assert "Kept for 730 days after you leave" in html


def test_without_the_word_nothing_is_erased_and_what_was_typed_stays(disclosed, journal):
    response = signed_in(disclosed.amina).post(reverse("people:erase"), {"confirm": "yes please"})
    assert response.status_code == 200
    html = assert_sound_page(response)
    assert "Type ERASE to erase" in html
    assert 'value="yes please"' in html
    assert _disclosures(disclosed) == 1
    assert not journal.exists()


def test_typing_the_word_erases_at_once(disclosed, journal, django_capture_on_commit_callbacks):
    client = signed_in(disclosed.amina)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:erase"), {"confirm": " erase "})
    assert response.status_code == 302 and response["Location"] == reverse("people:erase")
    assert _disclosures(disclosed) == 0
    assert not PersonKey.objects.filter(
        organisation=disclosed.harbourside, user=disclosed.amina.user
    ).exists()
    page = client.get(reverse("people:erase")).content.decode()
    assert "Your private records here are erased" in page
    assert "were last erased on" in page


def test_an_erasure_is_always_ones_own(disclosed, journal, django_capture_on_commit_callbacks):
    # The page takes no id: HR (who holds a share) erasing erases HR's records, not Amina's.
    with scope(organisation=disclosed.harbourside):
        services.share(
            actor=disclosed.amina,
            audience="person",
            grantee=disclosed.grace,
            categories=["ost"],
            purpose="p",
        )
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(disclosed.grace).post(reverse("people:erase"), {"confirm": "ERASE"})
    assert _disclosures(disclosed) == 1
    with scope(organisation=disclosed.harbourside):
        assert [e.membership_id for e in Erasure.objects.all()] == [disclosed.grace.pk]
