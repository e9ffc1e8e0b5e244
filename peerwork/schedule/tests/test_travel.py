"""Trips and the traveller's OST checklist (issue 6 item 5; §2.4.1, the §3.4 tips)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.schedule import travel
from peerwork.schedule.tests.situation import arrange

pytestmark = pytest.mark.django_db


def test_it_starts_a_checklist_with_the_site_of_the_trip(story):
    situation = arrange(story)
    with scope(organisation=story.harbourside.pk):
        details = travel.read_checklist(actor=story.amina, traveller=situation.traveller)
    assert details["opted_in_on"]
    assert details["letter_consent"] is False
