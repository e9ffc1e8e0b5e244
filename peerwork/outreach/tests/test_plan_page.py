"""Planning a shift on its page: a pair where the policy asks for one, the area in words,
times in the organisation's time zone, and errors that keep what was typed (issue 5
item 2; §4.4)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.outreach.models import OutreachPolicy, Shift

NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")


def tomorrow_at(hour: int) -> dt.datetime:
    day = timezone.localdate(timezone.now(), NAIROBI) + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=NAIROBI)


def form(story, **kw):
    data = {
        "workers": [str(story.amina.pk), str(story.olena.pk)],
        "area": "The station underpass",
        "materials": "Needles, naloxone",
        "site": str(story.site.pk),
        "team": str(story.team.pk),
        "planned_start": tomorrow_at(18).strftime("%Y-%m-%dT%H:%M"),
        "planned_return": tomorrow_at(21).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(kw)
    return data


def shifts(story):
    with scope(organisation=story.harbourside.pk):
        return list(Shift.objects.all())


def test_the_page_shows_the_policys_pair_rule_and_the_area_hint(story):
    html = assert_sound_page(signed_in(story.amina).get("/outreach/plan/"))
    assert "Outreach here goes in pairs: choose two workers." in html
    assert "Never a client's address, and no GPS." in html
    assert "Times are in your organisation's time zone." in html


def test_a_worker_plans_her_shift_with_a_colleague_in_the_organisations_time(story):
    response = signed_in(story.amina).post("/outreach/plan/", form(story))
    (shift,) = shifts(story)
    assert response.status_code == 302 and response["Location"] == f"/outreach/shifts/{shift.pk}/"
    assert shift.planned_start == tomorrow_at(18)
    assert shift.planned_return == tomorrow_at(21)
    assert (shift.site_id, shift.team_id, shift.created_by_id) == (
        story.site.pk,
        story.team.pk,
        story.amina.pk,
    )


def test_one_worker_is_refused_where_pairs_are_required_and_the_typing_is_kept(story):
    response = signed_in(story.amina).post(
        "/outreach/plan/", form(story, workers=[str(story.amina.pk)], area="The old market")
    )
    html = assert_sound_page(response)
    assert "Outreach here goes in pairs: choose two workers." in html
    assert 'value="The old market"' in html
    assert shifts(story) == []


def test_alone_is_allowed_where_the_policy_says_so(story):
    with scope(organisation=story.harbourside.pk):
        OutreachPolicy.objects.create(organisation=story.harbourside, pairs_required=False)
    signed_in(story.amina).post("/outreach/plan/", form(story, workers=[str(story.amina.pk)]))
    assert len(shifts(story)) == 1


def test_a_return_before_the_start_is_refused_beside_the_field(story):
    response = signed_in(story.amina).post(
        "/outreach/plan/",
        form(story, planned_return=tomorrow_at(17).strftime("%Y-%m-%dT%H:%M")),
    )
    html = assert_sound_page(response)
    assert "The planned return must be after the planned start." in html
    assert shifts(story) == []


def test_a_colleague_cannot_plan_a_shift_for_two_others(story):
    response = signed_in(story.joseph).post("/outreach/plan/", form(story))
    html = assert_sound_page(response)
    assert "You can plan shifts you go on yourself, or for the people you manage." in html
    assert shifts(story) == []


def test_a_line_manager_plans_for_his_reports_and_a_director_for_anyone(story):
    assert signed_in(story.ravi).post("/outreach/plan/", form(story)).status_code == 302
    data = form(story, workers=[str(story.grace.pk), str(story.taslima.pk)])
    assert signed_in(story.daniel).post("/outreach/plan/", data).status_code == 302
    assert len(shifts(story)) == 2


def test_a_worker_of_another_organisation_is_not_offered_and_is_refused(story):
    response = signed_in(story.amina).post(
        "/outreach/plan/", form(story, workers=[str(story.amina.pk), str(story.taras.pk)])
    )
    html = assert_sound_page(response)
    assert "Choose colleagues from the list." in html
    assert "Taras" not in html
    assert shifts(story) == []


def test_roles_that_see_no_shifts_get_not_found(story):
    for member in (story.leila, story.farah, story.peter):
        assert signed_in(member).get("/outreach/plan/").status_code == 404
