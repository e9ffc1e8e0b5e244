"""A shift's page and its buttons: what each person sees and may do (issue 5 items 2–5;
guide §4.4). Pages act at the real time, so time is arranged in data around it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.outreach import incidents, services
from peerwork.outreach.escalation import escalation
from peerwork.outreach.models import OnCall, OutreachPolicy, Shift, ShiftEvent


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def planned(story: Any, **kw: Any) -> Shift:
    """Amina and Olena's evening shift, planned by Ravi (their line manager): it starts in
    an hour and returns three hours later, unless told otherwise."""
    start = kw.pop("start", timezone.now() + minutes(60))
    values: dict[str, Any] = {
        "actor": story.ravi,
        "workers": [story.amina, story.olena],
        "area": "The station underpass",
        "materials": "Needles, naloxone",
        "planned_start": start,
        "planned_return": start + minutes(180),
        "team": story.team,
        "now": min(start, timezone.now()) - minutes(60),
    }
    values.update(kw)
    with scope(organisation=story.harbourside.pk):
        return services.plan_shift(**values)


def out(story: Any, **kw: Any) -> Shift:
    shift = planned(story, start=timezone.now() - minutes(5), **kw)
    with scope(organisation=story.harbourside.pk):
        worker = kw.get("workers", [story.amina])[0]
        return services.check_out(actor=worker, shift=shift, now=shift.planned_start)


def overdue(story: Any, *, chain: tuple[str, ...] = ("line_manager",)) -> Shift:
    """Out since three and a half hours ago, due back half an hour ago: the loop has
    alerted the chain's first step (by default Ravi, the line manager)."""
    with scope(organisation=story.harbourside.pk):
        policy = OutreachPolicy.objects.create(organisation=story.harbourside)
        for position, who in enumerate(chain, start=1):
            policy.steps.create(
                organisation=story.harbourside,
                position=position,
                who=who,
                channels=["inbox"],
                wait_minutes=15,
            )
    start = timezone.now() - minutes(210)
    shift = planned(story, start=start)
    with scope(organisation=story.harbourside.pk):
        services.check_out(actor=story.amina, shift=shift, now=start)
        escalation(timezone.now())
        return fresh(story, shift)


def fresh(story: Any, shift: Shift) -> Shift:
    with scope(organisation=story.harbourside.pk):
        return Shift.objects.get(pk=shift.pk)


def page(member: Any, shift: Shift, client: Any = None) -> str:
    client = client or signed_in(member)
    response = client.get(f"/outreach/shifts/{shift.pk}/")
    assert response.status_code == 200
    return assert_sound_page(response)


def post(member: Any, shift: Shift, action: str, data: dict[str, Any] | None = None) -> Any:
    client = signed_in(member)
    return client.post(f"/outreach/shifts/{shift.pk}/{action}", data or {}, follow=True)


def test_a_worker_sees_the_shift_the_field_guidelines_and_the_buttons_for_a_planned_shift(story):
    shift = planned(story)
    html = page(story.amina, shift)
    assert "The station underpass" in html
    assert "Amina Wanjiru" in html and "Olena Petrenko" in html
    assert "Carry your picture ID" in html and "Go in pairs" in html
    assert "Carry your manager&#x27;s card" in html or "Carry your manager's card" in html
    assert "Check out" in html and "HELP" in html
    assert '/acknowledge"' not in html


def test_the_policy_guidelines_replace_our_own_list(story):
    with scope(organisation=story.harbourside.pk):
        OutreachPolicy.objects.create(
            organisation=story.harbourside, guidelines="Call the office at 9.\nWear the vest."
        )
    html = page(story.amina, planned(story))
    assert "Call the office at 9." in html and "Wear the vest." in html
    assert "Carry your picture ID" not in html


def test_a_worker_checks_out_and_the_timeline_says_so(story):
    shift = planned(story, start=timezone.now() - minutes(1))
    response = post(story.amina, shift, "check-out")
    html = assert_sound_page(response)
    assert "You are checked out" in html
    assert fresh(story, shift).state == Shift.State.OUT
    assert "Checked out · Amina Wanjiru" in html


def test_checking_out_twice_is_refused_with_a_message_and_changes_nothing(story):
    shift = out(story)
    version = shift.version
    html = assert_sound_page(post(story.amina, shift, "check-out"))
    assert "This shift is not waiting to start." in html
    assert fresh(story, shift).version == version


def test_a_worker_extends_and_a_bad_number_is_refused_without_change(story):
    shift = out(story)
    returns = shift.planned_return
    html = assert_sound_page(post(story.amina, shift, "extend", {"minutes": "30"}))
    assert "later by 30 minutes" in html
    assert fresh(story, shift).planned_return == returns + minutes(30)
    html = assert_sound_page(post(story.amina, shift, "extend", {"minutes": "9000"}))
    assert "less than or equal to 240" in html
    assert fresh(story, shift).planned_return == returns + minutes(30)


def test_a_worker_says_im_ok_and_checks_in(story):
    shift = out(story)
    assert "Noted: you are OK." in assert_sound_page(post(story.olena, shift, "ok"))
    html = assert_sound_page(post(story.olena, shift, "check-in"))
    assert "Welcome back" in html
    assert fresh(story, shift).state == Shift.State.RETURNED


def test_someone_who_is_not_on_the_shift_cannot_press_its_buttons(story):
    shift = out(story)
    for action in ("check-out", "extend", "ok", "check-in", "location", "help"):
        assert post(story.joseph, shift, action).status_code == 403, action
    assert fresh(story, shift).state == Shift.State.OUT


def test_the_rough_location_is_shown_to_workers_and_handlers_only(story):
    shift = out(story)
    post(story.amina, shift, "location", {"location": "Near the bus depot"})
    assert "Near the bus depot" in page(story.amina, shift)
    assert "Near the bus depot" in page(story.olena, shift)
    assert "Near the bus depot" in page(story.ravi, shift)  # her line manager handles it
    assert "Near the bus depot" in page(story.daniel, shift)
    for colleague in (story.joseph, story.grace, story.taslima, story.chen):
        assert "Near the bus depot" not in page(colleague, shift)
    post(story.amina, shift, "location", {"location": ""})
    assert fresh(story, shift).coarse_location == ""


def test_the_handler_sees_the_alert_and_who_it_went_to_and_says_im_on_it(story):
    shift = overdue(story)
    html = page(story.ravi, shift)
    assert "⚠ Overdue" in html
    assert "Alert sent" in html and "To: Ravi Shah" in html and "by In Peerwork" in html
    assert "Messages sent about this shift" in html
    html = assert_sound_page(post(story.ravi, shift, "acknowledge"))
    assert "You are on it" in html
    shift = fresh(story, shift)
    assert shift.acknowledged_by_id == story.ravi.pk
    with scope(organisation=story.harbourside.pk):
        assert AuditEvent.objects.filter(action="outreach.shift.acknowledge").exists()


def test_workers_and_colleagues_do_not_see_the_alert_lines(story):
    shift = overdue(story)
    for member in (story.amina, story.joseph):
        html = page(member, shift)
        assert "⚠ Overdue" in html
        assert "Alert sent" not in html and "To: Ravi" not in html
        assert "Messages sent about this shift" not in html


def test_a_worker_cannot_acknowledge_or_close_their_own_shift(story):
    shift = overdue(story)
    assert post(story.amina, shift, "acknowledge").status_code == 403
    assert post(story.amina, shift, "close").status_code == 403
    assert fresh(story, shift).acknowledged_at is None


def test_a_handler_closes_an_overdue_shift_with_an_incident(story):
    shift = overdue(story)
    html = assert_sound_page(post(story.ravi, shift, "close", {"incident": "on"}))
    assert "The shift is closed." in html and "with an incident" in html
    assert fresh(story, shift).state == Shift.State.CLOSED


def test_closing_a_shift_that_is_only_out_is_refused_with_a_message(story):
    shift = out(story)
    html = assert_sound_page(post(story.daniel, shift, "close"))
    assert "Only an overdue or missing shift" in html
    assert fresh(story, shift).state == Shift.State.OUT


def test_whoever_planned_it_cancels_a_planned_shift(story):
    shift = planned(story)
    html = assert_sound_page(post(story.amina, shift, "cancel"))
    assert "The shift is cancelled." in html
    assert fresh(story, shift).state == Shift.State.CANCELLED


def test_a_colleague_who_may_not_change_it_cannot_cancel_it(story):
    shift = planned(story)
    assert post(story.joseph, shift, "cancel").status_code == 403
    assert "Cancel the shift" not in page(story.joseph, shift)
    assert fresh(story, shift).state == Shift.State.PLANNED


def test_help_alerts_the_on_call_manager_at_once(story):
    with scope(organisation=story.harbourside.pk):
        OnCall.objects.create(
            organisation=story.harbourside,
            member=story.taslima,
            starts_at=timezone.now() - minutes(60),
            ends_at=timezone.now() + minutes(60),
        )
    shift = out(story)
    html = assert_sound_page(post(story.amina, shift, "help"))
    assert "Help is on its way" in html
    assert fresh(story, shift).state == Shift.State.HELP
    html = page(story.taslima, shift)
    assert "⚠ Help asked for" in html and "Taslima Akter" in html and '/acknowledge"' in html


def test_a_silent_alert_shows_to_the_workers_as_a_check_in_and_to_handlers_as_it_is(story):
    shift = out(story)
    with scope(organisation=story.harbourside.pk):
        services.ask_for_help(actor=story.amina, shift=shift, silent=True)
    for worker in (story.amina, story.olena):
        html = page(worker, shift)
        assert "Returned" in html
        assert "Help asked for" not in html and "silent" not in html
        assert "Alert sent" not in html and '/acknowledge"' not in html
    html = page(story.joseph, shift)
    assert "Returned" in html and "Help asked for" not in html
    html = page(story.daniel, shift)
    assert "⚠ Help asked for" in html and "silent alert (duress PIN)" in html


def test_another_organisation_and_external_roles_get_not_found(story):
    shift = planned(story)
    for member in (story.taras, story.leila, story.farah, story.peter):
        response = signed_in(member).get(f"/outreach/shifts/{shift.pk}/")
        assert response.status_code == 404


@pytest.mark.parametrize("bad", ["not-an-id", "00000000-0000-0000-0000-000000000000"])
def test_a_shift_that_does_not_exist_is_not_found(story, bad):
    assert signed_in(story.amina).get(f"/outreach/shifts/{bad}/").status_code == 404


def test_the_timeline_names_every_change_in_order(story):
    shift = out(story)
    post(story.amina, shift, "ok")
    post(story.amina, shift, "check-in")
    with scope(organisation=story.harbourside.pk):
        kinds = list(
            ShiftEvent.objects.filter(shift=shift)
            .order_by("at", "seq")
            .values_list("kind", flat=True)
        )
    assert kinds == ["planned", "checked_out", "ok", "checked_in"]
    html = page(story.amina, shift)
    assert html.index("Planned ·") < html.index("Checked out") < html.index("Checked in")


def test_the_shift_page_leads_its_workers_and_handlers_to_record_an_incident(story):
    shift = out(story)
    with scope(organisation=story.harbourside.pk):
        incident = incidents.open_incident(
            actor=story.ravi,
            shift=shift,
            person=story.amina,
            kind="arrest",
            occurred_at=timezone.now(),
        )
    new = f"/outreach/shifts/{shift.pk}/incident/"
    opened = f"/outreach/incidents/{incident.pk}/"
    assert new in page(story.amina, shift)
    handling = page(story.ravi, shift)
    assert new in handling and opened in handling
    colleague = page(story.joseph, shift)  # a volunteer who is not on it
    assert new not in colleague and opened not in colleague


def test_a_director_on_the_shift_sees_a_silent_alert_as_a_check_in_like_any_worker(story):
    shift = out(story, workers=[story.amina, story.daniel])
    with scope(organisation=story.harbourside.pk):
        services.ask_for_help(actor=story.amina, shift=shift, silent=True)
    html = page(story.daniel, shift)
    assert "silent alert" not in html and "Help asked for" not in html
    assert "Returned" in html
