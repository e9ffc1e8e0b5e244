"""Peer retreat pages (issue 7 item 8; §3.12): the list for working members, planning one
with refused input kept, its page with the audit item and its prompts, changing it (the
audit item stays even when the agenda leaves it out; a stale save keeps what was typed)
and cancelling it with its event.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.schedule.services import local_today
from peerwork.support import retreats
from peerwork.support.models import Retreat
from peerwork.support.tests.test_retreats import fields, planned

pytestmark = pytest.mark.django_db

LIST = "/support/retreats/"
NEW = "/support/retreats/new/"
AUDIT = "Audit: how we employ people who use drugs"


def url(name: str, retreat: Retreat) -> str:
    return reverse(f"support:{name}", args=[retreat.pk])


def typed(story, **changes) -> dict[str, object]:
    first = local_today(story.ravi) + dt.timedelta(days=45)
    data: dict[str, object] = {
        "title": "Peer retreat",
        "purpose": "Rest and learn together",
        "place": "Diani",
        "starts_on": str(first),
        "ends_on": str(first + dt.timedelta(days=1)),
        "day_starts": "09:00",
        "day_ends": "17:00",
        "attendees": [str(story.amina.pk), str(story.joseph.pk)],
        "agenda": "Arrive\nWalk on the beach\n",
        "audit_notes": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["amina", "joseph", "taslima", "chen"])
def test_working_members_see_retreats(story, who):
    planned(story)
    html = assert_sound_page(signed_in(getattr(story, who)).get(LIST))
    assert "Peer retreat by the sea" in html
    assert ("Plan a retreat" in html) == (who == "taslima")


@pytest.mark.parametrize("who", ["peter", "leila", "farah", "taras"])
def test_others_get_404(story, who):
    retreat = planned(story)
    client = signed_in(getattr(story, who))
    assert client.get(url("retreat", retreat)).status_code == 404
    if who != "taras":
        assert client.get(LIST).status_code == 404


def test_the_page_shows_the_audit_item_with_prompts_from_the_menu_of_support(story):
    retreat = planned(story)
    html = assert_sound_page(signed_in(story.olena).get(url("retreat", retreat)))
    assert AUDIT in html
    for prompt in ("OST arrangements", "Code of conduct and drug policy", "Positive recruitment"):
        assert prompt in html
    assert "Arrive and settle in" in html and "Amina Wanjiru" in html
    assert "Change the retreat" not in html


def test_ravi_plans_a_retreat_and_a_refused_one_keeps_what_was_typed(story):
    client = signed_in(story.ravi)
    assert_sound_page(client.get(NEW))
    first = local_today(story.ravi) + dt.timedelta(days=45)
    bad = typed(story, ends_on=str(first - dt.timedelta(days=2)), place="Watamu")
    html = assert_sound_page(client.post(NEW, bad))
    assert "The last day must be on or after the first." in html
    assert 'value="Watamu"' in html and "Walk on the beach" in html
    with scope(organisation=story.harbourside.pk):
        assert not Retreat.objects.exists()
    response = client.post(NEW, typed(story), follow=True)
    html = assert_sound_page(response)
    assert "The retreat is planned and on the schedule." in html
    assert AUDIT in html


@pytest.mark.parametrize(("who", "status"), [("amina", 403), ("samuel", 403), ("peter", 404)])
def test_others_do_not_plan_retreats(story, who, status):
    assert signed_in(getattr(story, who)).post(NEW, typed(story)).status_code == status


def test_an_edit_that_removes_the_audit_item_keeps_it(story):
    retreat = planned(story)
    client = signed_in(story.grace)
    html = assert_sound_page(client.get(url("retreat_edit", retreat)))
    assert "Arrive and settle in" in html and AUDIT not in html.split('name="agenda"')[1][:400]
    data = typed(story, agenda="Only a walk", version=str(retreat.version))
    data["audit_notes"] = "Induction does not mention OST yet."
    response = client.post(url("retreat_edit", retreat), data, follow=True)
    html = assert_sound_page(response)
    assert "Only a walk" in html and AUDIT in html
    assert "Induction does not mention OST yet." in html
    with scope(organisation=story.harbourside.pk):
        stored = Retreat.objects.get(pk=retreat.pk)
    assert [i.is_audit for i in retreats.agenda_of(stored)] == [False, True]


def test_a_stale_edit_keeps_what_was_typed(story):
    retreat = planned(story)
    read = retreat.version
    with scope(organisation=story.harbourside.pk):
        retreats.change_retreat(
            actor=story.daniel,
            retreat=retreat,
            version=read,
            fields=fields(story, title="Retreat in the hills"),
        )
    data = typed(story, title="My title", version=str(read))
    html = assert_sound_page(signed_in(story.ravi).post(url("retreat_edit", retreat), data))
    assert "Someone else changed this retreat while you were editing" in html
    assert "Retreat in the hills" in html and 'value="My title"' in html


@pytest.mark.parametrize(("who", "status"), [("taslima", 403), ("amina", 403), ("daniel", 200)])
def test_the_organiser_hr_and_the_director_change_it(story, who, status):
    retreat = planned(story)
    assert signed_in(getattr(story, who)).get(url("retreat_edit", retreat)).status_code == status


def test_cancelling_takes_it_off_the_schedule(story):
    retreat = planned(story)
    response = signed_in(story.ravi).post(
        url("retreat_cancel", retreat), {"version": str(retreat.version)}, follow=True
    )
    assert "The retreat is cancelled and off the schedule." in response.content.decode()
    with scope(organisation=story.harbourside.pk):
        stored = Retreat.objects.select_related("meeting").get(pk=retreat.pk)
    assert stored.meeting is not None
    assert stored.cancelled_at is not None and stored.meeting.is_cancelled
    assert signed_in(story.taslima).post(url("retreat_cancel", retreat)).status_code == 403
