"""Investigations on their pages (issue 8 items 4 and 5; §4.4, §4.7): HR opens one from a
concern and names investigators; a supporter chosen as investigator is refused with the
rule in words, the choice kept and the attempt audited; every kind of supporter who asks
for the investigation gets 404 exactly like an outsider, and the attempt is audited; the
person reads where they stand (presumed innocent, still an employee, who supports them,
that supporters take no part) and, once it is completed, the outcome and findings; an
investigator writes findings and a stale save keeps what they typed; a suspension waits
for a named supporter; completing closes the concern."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import resolve
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page

from .. import investigation_views, investigations
from ..models import Concern, Investigation, Investigator
from .test_investigations import (
    SUPPORTER_KINDS,
    fresh,
    make_supporter,
    named,
    opened,
    refusals,
    supply_concern,
    today_there,
)

pytestmark = pytest.mark.django_db


def page(investigation: Investigation, part: str = "") -> str:
    return f"/concerns/investigations/{investigation.pk}/{part}"


def with_investigator(story, investigation: Investigation) -> Investigation:
    with scope(organisation=story.harbourside.pk):
        investigations.add_investigator(
            actor=story.grace, investigation=investigation, member=story.taslima
        )
    return fresh(investigation)


def selected(html: str, member) -> bool:
    return bool(re.search(rf'<option value="{member.pk}" selected>', html))


def test_the_pages_are_this_areas_whatever_the_other_areas_add():
    assert resolve("/concerns/investigations/").func is investigation_views.investigation_list
    assert resolve("/concerns/investigations/new/").func is investigation_views.investigation_new
    assert resolve("/concerns/supporters/").func is investigation_views.supporters


def test_hr_opens_an_investigation_from_a_concern_and_names_an_investigator(story):
    concern = supply_concern(story)
    grace = signed_in(story.grace)
    case = assert_sound_page(grace.get(f"/concerns/{concern.pk}/"))
    assert f"/concerns/investigations/new/?concern={concern.pk}" in case
    start = assert_sound_page(grace.get(f"/concerns/investigations/new/?concern={concern.pk}"))
    assert "presumed innocent" in start
    made = grace.post(f"/concerns/investigations/new/?concern={concern.pk}")
    with scope(organisation=story.harbourside.pk):
        investigation = Investigation.objects.get(concern=concern)
    assert made.status_code == 302 and made["Location"] == page(investigation)
    html = assert_sound_page(grace.get(page(investigation)))
    assert "No investigator is named yet." in html
    named_one = grace.post(page(investigation, "investigators/"), {"member": str(story.taslima.pk)})
    assert named_one.status_code == 302
    html = assert_sound_page(grace.get(page(investigation)))
    assert "Taslima Akter" in html
    assert grace.post(f"/concerns/investigations/new/?concern={concern.pk}").status_code == 302
    with scope(organisation=story.harbourside.pk):
        assert Investigation.objects.filter(concern=concern).count() == 1


def test_only_hr_may_open_one_and_outsiders_get_404(story):
    concern = supply_concern(story)
    url = f"/concerns/investigations/new/?concern={concern.pk}"
    assert signed_in(story.ravi).post(url).status_code == 403  # works the case, is not HR
    for outsider in (story.samuel, story.daniel, story.taslima, story.taras):
        assert signed_in(outsider).get(url).status_code == 404
    assert (
        signed_in(story.grace).get("/concerns/investigations/new/?concern=nope").status_code == 404
    )
    with scope(organisation=story.harbourside.pk):
        assert not Investigation.objects.exists()


def test_a_supporter_chosen_as_investigator_is_refused_with_the_rule_and_the_choice_is_kept(story):
    investigation = opened(story)
    grace = signed_in(story.grace)
    answer = grace.post(page(investigation, "investigators/"), {"member": str(story.samuel.pk)})
    html = assert_sound_page(answer)
    assert answer.status_code == 200
    assert "Samuel Kiprop supports Amina Wanjiru" in html and "§4.7" in html
    assert selected(html, story.samuel)  # nothing typed is lost
    with scope(organisation=story.harbourside.pk):
        assert not Investigator.objects.exists()
    assert refusals("concerns.investigator_refused", story.grace) == 1


@pytest.mark.parametrize("kind", SUPPORTER_KINDS)
def test_every_kind_of_supporter_gets_404_for_the_investigation_like_an_outsider_and_is_audited(
    story, kind
):
    investigation = with_investigator(story, opened(story))
    supporter = make_supporter(story, kind, investigation.concern)
    client = signed_in(supporter)
    outsider = signed_in(story.peter)
    for part in ("", "suspension/", "complete/"):
        assert client.get(page(investigation, part)).status_code == 404
        assert outsider.get(page(investigation, part)).status_code == 404
    for part, data in (("investigators/", {"member": str(supporter.pk)}), ("findings/", {})):
        assert client.post(page(investigation, part), data).status_code == 404
    assert refusals("concerns.investigation_read_refused", supporter) == 5
    assert refusals("concerns.investigation_read_refused", story.peter) == 0
    listed = client.get("/concerns/investigations/")
    assert listed.status_code in (200, 404)
    assert str(investigation.pk) not in listed.content.decode()
    assert fresh(investigation).findings == ""


def test_the_person_reads_where_they_stand_but_not_what_is_inside_while_it_is_open(story):
    investigation = with_investigator(story, opened(story))
    named(story, investigation.concern, story.joseph)
    with scope(organisation=story.harbourside.pk):
        investigations.record_findings(
            actor=story.taslima, investigation=investigation, findings="Two colleagues disagree."
        )
    amina = signed_in(story.amina)
    html = assert_sound_page(amina.get(page(investigation)))
    assert "You are presumed innocent" in html
    assert "You remain an employee of Harbourside Harm Reduction" in html
    assert "Who supports you:" in html and "Joseph Otieno" in html
    assert "take no part in the investigation" in html
    assert "Taslima Akter" not in html and "Two colleagues disagree." not in html
    case = assert_sound_page(amina.get(f"/concerns/{investigation.concern_id}/"))
    assert "You are presumed innocent" in case and "Taslima" not in case
    with scope(organisation=story.harbourside.pk):
        investigations.complete_investigation(
            actor=story.grace, investigation=fresh(investigation), outcome="no_grounds"
        )
    html = assert_sound_page(amina.get(page(investigation)))
    assert "Two colleagues disagree." in html and "No grounds found" in html
    assert "Taslima Akter" in html


def test_the_line_manager_sees_that_it_exists_and_the_suspension_but_not_what_is_inside(story):
    investigation = with_investigator(story, opened(story))
    named(story, investigation.concern, story.joseph)
    today = today_there(story)
    with scope(organisation=story.harbourside.pk):
        investigations.set_suspension(
            actor=story.grace,
            investigation=investigation,
            suspended_from=today,
            suspended_until=today + dt.timedelta(days=14),
        )
    html = assert_sound_page(signed_in(story.ravi).get(page(investigation)))
    assert "Amina Wanjiru is presumed innocent" in html and "Suspended from" in html
    assert "Taslima Akter" not in html
    assert "Complete the investigation" not in html
    assert signed_in(story.ravi).get(page(investigation, "complete/")).status_code == 403


def test_an_investigator_writes_findings_and_a_stale_save_keeps_what_they_typed(story):
    investigation = with_investigator(story, opened(story))
    taslima = signed_in(story.taslima)
    html = assert_sound_page(taslima.get(page(investigation)))
    assert "Save the findings" in html and "Complete the investigation" not in html
    read = investigation.version
    saved = taslima.post(
        page(investigation, "findings/"), {"findings": "First talk held.", "version": read}
    )
    assert saved.status_code == 302
    stale = taslima.post(
        page(investigation, "findings/"), {"findings": "Typed over an old copy.", "version": read}
    )
    html = assert_sound_page(stale)
    assert "changed by someone else meanwhile" in html and "Typed over an old copy." in html
    assert fresh(investigation).findings == "First talk held."
    assert signed_in(story.ravi).post(page(investigation, "findings/"), {}).status_code == 403


def test_a_suspension_waits_for_a_named_supporter_and_keeps_the_dates_typed(story):
    investigation = opened(story)
    grace = signed_in(story.grace)
    today = today_there(story)
    dates = {
        "suspended_from": today.isoformat(),
        "suspended_until": (today + dt.timedelta(days=14)).isoformat(),
        "version": investigation.version,
    }
    refused = grace.post(page(investigation, "suspension/"), dates)
    html = assert_sound_page(refused)
    assert "Name someone to support the staff member first" in html
    assert f'value="{dates["suspended_until"]}"' in html
    assert fresh(investigation).suspended_from is None
    amina = signed_in(story.amina)
    supporters = f"/concerns/supporters/?concern={investigation.concern_id}"
    assert amina.post(supporters, {"member": str(story.joseph.pk)}).status_code == 302
    assert grace.post(page(investigation, "suspension/"), dates).status_code == 302
    assert fresh(investigation).suspended_until == today + dt.timedelta(days=14)
    html = assert_sound_page(amina.get(page(investigation)))
    assert "Suspended from" in html and "A suspension is not a finding" in html
    too_long = {**dates, "suspended_until": (today + dt.timedelta(days=120)).isoformat()}
    html = assert_sound_page(grace.post(page(investigation, "suspension/"), too_long))
    assert "within 90 days" in html
    ended = grace.post(
        page(investigation, "suspension/end/"), {"version": fresh(investigation).version}
    )
    assert ended.status_code == 302 and fresh(investigation).suspended_from is None


def test_hr_completes_it_with_findings_and_the_concern_closes(story):
    investigation = with_investigator(story, opened(story))
    grace = signed_in(story.grace)
    form = assert_sound_page(grace.get(page(investigation, "complete/")))
    assert "restorative" in form.lower()
    missing = grace.post(
        page(investigation, "complete/"), {"outcome": "", "findings": "", "version": 1}
    )
    html = assert_sound_page(missing)
    assert "Choose the outcome." in html and "Write the findings first." in html
    no_reason = grace.post(
        page(investigation, "complete/"),
        {
            "outcome": "disciplinary",
            "findings": "Seen handing over a bag.",
            "version": investigation.version,
        },
    )
    html = assert_sound_page(no_reason)
    assert "Seen handing over a bag." in html and "reason" in html
    done = grace.post(
        page(investigation, "complete/"),
        {
            "outcome": "restorative",
            "findings": "Agreed to repay and meet the team.",
            "version": investigation.version,
        },
    )
    assert done.status_code == 302
    with scope(organisation=story.harbourside.pk):
        concern = Concern.objects.get(pk=investigation.concern_id)
    assert concern.state == "closed" and concern.outcome == "resolved"
    assert not fresh(investigation).is_open()


def test_the_list_shows_each_reader_the_investigations_they_may_know_of(story):
    investigation = with_investigator(story, opened(story))
    for member in (story.grace, story.taslima, story.ravi, story.amina):
        html = assert_sound_page(signed_in(member).get("/concerns/investigations/"))
        assert page(investigation) in html, member
    for member in (story.samuel, story.olena, story.daniel):
        html = signed_in(member).get("/concerns/investigations/").content.decode()
        assert page(investigation) not in html, member


# --- named supporters ----------------------------------------------------------------------


def test_amina_names_a_supporter_and_an_investigator_is_refused_with_the_choice_kept(story):
    investigation = with_investigator(story, opened(story))
    amina = signed_in(story.amina)
    url = f"/concerns/supporters/?concern={investigation.concern_id}"
    html = assert_sound_page(amina.get(url))
    assert "Name a supporter" in html
    refused = amina.post(url, {"member": str(story.taslima.pk)})
    html = assert_sound_page(refused)
    assert refused.status_code == 200
    assert "Taslima Akter cannot support you" in html and "§4.7" in html
    assert "Taslima Akter investigates" not in html  # not told who investigates them
    assert selected(html, story.taslima)
    assert refusals("concerns.supporter_refused", story.amina) == 1
    assert amina.post(url, {"member": str(story.joseph.pk)}).status_code == 302
    html = assert_sound_page(amina.get(url))
    assert "Joseph Otieno" in html and "Step down" not in html


def test_hr_who_names_an_investigator_as_supporter_is_told_who_investigates_whom(story):
    investigation = with_investigator(story, opened(story))
    url = f"/concerns/supporters/?concern={investigation.concern_id}"
    html = assert_sound_page(signed_in(story.grace).post(url, {"member": str(story.taslima.pk)}))
    assert "Taslima Akter investigates Amina Wanjiru" in html


def test_who_sees_the_supporters_page(story):
    investigation = with_investigator(story, opened(story))
    row = named(story, investigation.concern, story.joseph)
    url = f"/concerns/supporters/?concern={investigation.concern_id}"
    for reader in (story.amina, story.ravi, story.grace, story.joseph):
        assert signed_in(reader).get(url).status_code == 200, reader
    for outsider in (story.taslima, story.samuel, story.peter, story.daniel, story.taras):
        assert signed_in(outsider).get(url).status_code == 404, outsider
    remove = f"/concerns/supporters/{row.pk}/remove/"
    assert signed_in(story.ravi).post(remove).status_code == 403
    assert signed_in(story.taslima).post(remove).status_code == 404
    stepped_down = signed_in(story.joseph).post(remove)
    assert stepped_down.status_code == 302
    assert signed_in(story.joseph).get(url).status_code == 404


def test_a_named_supporter_sees_the_case_but_never_the_investigation(story):
    investigation = with_investigator(story, opened(story))
    named(story, investigation.concern, story.joseph)
    joseph = signed_in(story.joseph)
    case = assert_sound_page(joseph.get(f"/concerns/{investigation.concern_id}/"))
    assert "An investigation is open" not in case and page(investigation) not in case
    assert joseph.get(page(investigation)).status_code == 404
    with scope(organisation=story.harbourside.pk):
        assert (
            AuditEvent.objects.filter(
                action="concerns.investigation_read_refused", actor_id=story.joseph.pk
            ).count()
            == 1
        )
