"""The legal-contacts directory (issue 5 item 7; §4.4): every working member reads it; the
org admin, directors and line managers keep it; edits are versioned."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import Site
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.outreach.models import LegalContact

pytestmark = pytest.mark.django_db

NEW = {"kind": "lawyer", "name": "Wanjiku Legal Aid", "phone": "+254 700 000 000", "site": ""}


def _contact(story, **kw):
    with scope(organisation=story.harbourside.pk):
        return LegalContact.objects.create(
            organisation=story.harbourside, kind="lawyer", name="Otieno & Co", phone="+254 1", **kw
        )


def test_every_working_member_sees_the_phone_numbers(story):
    _contact(story)
    for who in (story.amina, story.joseph):
        html = assert_sound_page(signed_in(who).get(reverse("outreach:legal_contacts")))
        assert "Otieno &amp; Co" in html and "tel:+254 1" in html
    assert signed_in(story.leila).get(reverse("outreach:legal_contacts")).status_code == 404


def test_a_line_manager_adds_one(story):
    response = signed_in(story.ravi).post(reverse("outreach:legal_contact_new"), NEW)
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        assert LegalContact.objects.get().name == "Wanjiku Legal Aid"


def test_a_staff_member_may_not_edit_the_directory(story):
    contact = _contact(story)
    client = signed_in(story.amina)
    assert client.post(reverse("outreach:legal_contact_new"), NEW).status_code == 403
    assert client.get(reverse("outreach:legal_contact_edit", args=[contact.pk])).status_code == 403


def test_without_a_phone_or_email_nothing_is_saved_and_the_name_kept(story):
    response = signed_in(story.chen).post(
        reverse("outreach:legal_contact_new"), {**NEW, "phone": ""}
    )
    html = assert_sound_page(response)
    assert "Give a phone number or an email address." in html and "Wanjiku Legal Aid" in html
    with scope(organisation=story.harbourside.pk):
        assert not LegalContact.objects.exists()


def test_an_edit_over_a_newer_one_is_refused_and_keeps_what_was_typed(story):
    contact = _contact(story)
    client = signed_in(story.daniel)
    url = reverse("outreach:legal_contact_edit", args=[contact.pk])
    response = client.post(url, {**NEW, "name": "Mine", "version": contact.version + 1})
    html = assert_sound_page(response)
    assert "Someone else changed this entry" in html and 'value="Mine"' in html
    contact.refresh_from_db()
    assert contact.name == "Otieno & Co"
    assert client.post(url, {**NEW, "name": "Mine", "version": contact.version}).status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Mine" and contact.version == 2


def test_a_site_shows_its_own_contacts_and_those_for_every_site(story):
    with scope(organisation=story.harbourside.pk):
        north = Site.objects.create(organisation=story.harbourside, name="North")
        south = Site.objects.create(organisation=story.harbourside, name="South")
    _contact(story, site=north)
    with scope(organisation=story.harbourside.pk):
        LegalContact.objects.create(
            organisation=story.harbourside, kind="legal_aid", name="Everywhere aid", phone="1"
        )
    html = (
        signed_in(story.amina)
        .get(reverse("outreach:legal_contacts"), {"site": south.pk})
        .content.decode()
    )
    assert "Everywhere aid" in html and "Otieno" not in html


def test_the_org_admin_removes_one(story):
    contact = _contact(story)
    response = signed_in(story.chen).post(
        reverse("outreach:legal_contact_remove", args=[contact.pk]), {"version": contact.version}
    )
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        assert not LegalContact.objects.exists()
