"""The workers' actions (check out, check in, extend, "I'm OK", HELP, a rough location)
and the handlers' ("I'm on it", close) through the API (issue 5 items 3 to 5 and 8). Each
goes through the shift's gate first; a refused one changes nothing and says why."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.access import Action
from peerwork.core.models import Notification
from peerwork.outreach import access, services
from peerwork.outreach.models import Shift, ShiftEvent
from peerwork.outreach.tests.api_story import fresh, minutes, on_call, out, overdue, planned
from peerwork.people.tests.api_calls import post

pytestmark = pytest.mark.django_db

WORKER_ACTIONS = ("check-out", "check-in", "ok", "help")
HANDLER_ACTIONS = ("acknowledge",)


def _lines(story, shift):
    with scope(organisation=story.harbourside.pk):
        return list(
            ShiftEvent.objects.filter(shift=shift)
            .order_by("at", "seq")
            .values_list("kind", flat=True)
        )


# --- the workers' actions --------------------------------------------------------------


def test_a_worker_checks_out_and_back_in(story):
    shift = planned(story, start=timezone.now() - minutes(5))
    response = post(story.amina, f"/shifts/{shift.pk}/check-out")
    assert response.status_code == 200
    assert response.json()["state"] == "out"
    assert response.json()["checked_out_at"] is not None
    assert response["ETag"] == '"2"'
    response = post(story.joseph, f"/shifts/{shift.pk}/check-in")
    assert response.status_code == 200
    assert response.json()["state"] == "returned"
    assert _lines(story, shift) == ["planned", "checked_out", "checked_in"]


def test_checking_in_a_closed_shift_says_so_and_changes_nothing(story):
    shift = overdue(story)
    with scope(organisation=story.harbourside.pk):
        services.close_shift(actor=story.ravi, shift=shift, incident=False)
    before = _lines(story, shift)
    response = post(story.amina, f"/shifts/{shift.pk}/check-in")
    assert response.status_code == 400
    assert response.json() == {"detail": "This shift is not out: there is nothing to check in."}
    assert fresh(story, shift).state == Shift.State.CLOSED
    assert _lines(story, shift) == before


def test_checking_out_after_the_return_time_is_refused(story):
    shift = planned(story, start=timezone.now() - minutes(200))
    response = post(story.amina, f"/shifts/{shift.pk}/check-out")
    assert response.status_code == 400
    assert "already passed" in response.json()["detail"]
    assert fresh(story, shift).state == Shift.State.PLANNED


def test_a_check_in_after_an_alert_tells_everyone_alerted(story):
    shift = overdue(story)
    response = post(story.amina, f"/shifts/{shift.pk}/check-in")
    assert response.status_code == 200
    with scope(organisation=story.harbourside.pk):
        told = set(
            Notification.objects.filter(kind="outreach.back").values_list(
                "recipient__user__username", flat=True
            )
        )
    assert told == {"joseph"}


def test_a_worker_extends_the_return_time_before_it_passes(story):
    shift = out(story)
    response = post(story.amina, f"/shifts/{shift.pk}/extend", {"minutes": 30})
    assert response.status_code == 200
    assert fresh(story, shift).planned_return == shift.planned_return + minutes(30)


def test_an_extension_out_of_bounds_does_not_fit_the_schema(story):
    shift = out(story)
    for wrong in (0, 4, 241, "soon"):
        response = post(story.amina, f"/shifts/{shift.pk}/extend", {"minutes": wrong})
        assert response.status_code == 422, wrong
    assert fresh(story, shift).planned_return == shift.planned_return


def test_an_extension_after_the_return_time_passed_is_refused_in_words(story):
    shift = overdue(story)
    response = post(story.amina, f"/shifts/{shift.pk}/extend", {"minutes": 30})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The return time has passed: check in, or ask your manager for help."
    )
    assert fresh(story, shift).planned_return == shift.planned_return


def test_im_ok_goes_on_the_timeline_while_out(story):
    shift = out(story)
    response = post(story.joseph, f"/shifts/{shift.pk}/ok")
    assert response.status_code == 200
    assert _lines(story, shift)[-1] == "ok"
    planned_one = planned(story)
    response = post(story.joseph, f"/shifts/{planned_one.pk}/ok")
    assert response.status_code == 400
    assert response.json()["detail"] == "This shift is not out."


def test_help_goes_at_once_to_the_on_call_manager_and_the_top_of_the_chain(story):
    on_call(story, story.taslima)
    shift = out(story)
    response = post(story.amina, f"/shifts/{shift.pk}/help")
    assert response.status_code == 200
    assert response.json()["state"] == "help"
    with scope(organisation=story.harbourside.pk):
        told = set(
            Notification.objects.filter(kind="outreach.help").values_list(
                "recipient__user__username", flat=True
            )
        )
        line = ShiftEvent.objects.get(shift=shift, kind=ShiftEvent.Kind.HELP)
    assert told == {"taslima", "daniel"}
    assert line.detail == {"silent": False, "via": "api"}
    # Asked again: nothing more is sent, and the answer is the same.
    again = post(story.joseph, f"/shifts/{shift.pk}/help")
    assert again.status_code == 200 and again.json()["state"] == "help"
    with scope(organisation=story.harbourside.pk):
        assert Notification.objects.filter(kind="outreach.help").count() == len(told)


def test_help_on_a_cancelled_shift_says_to_call_the_manager(story):
    shift = planned(story)
    with scope(organisation=story.harbourside.pk):
        services.cancel_shift(actor=story.ravi, shift=shift)
    response = post(story.amina, f"/shifts/{shift.pk}/help")
    assert response.status_code == 400
    assert response.json()["detail"] == "This shift has been cancelled: call your manager."


def test_a_worker_shares_a_rough_location_and_takes_it_back(story):
    shift = out(story)
    response = post(story.amina, f"/shifts/{shift.pk}/location", {"location": "Near the market"})
    assert response.status_code == 200
    assert response.json()["location"] == "Near the market"
    response = post(story.amina, f"/shifts/{shift.pk}/location", {"location": ""})
    assert response.json()["location"] is None
    too_long = post(story.amina, f"/shifts/{shift.pk}/location", {"location": "x" * 121})
    assert too_long.status_code == 400
    assert too_long.json()["detail"] == "Describe the place in fewer words."


def test_only_the_shifts_own_workers_do_the_workers_actions(story):
    shift = out(story)
    for name in ("ravi", "daniel", "olena", "grace"):
        for action in WORKER_ACTIONS:
            response = post(getattr(story, name), f"/shifts/{shift.pk}/{action}")
            assert response.status_code == 403, (name, action)
            assert response.json()["detail"] == "Only the shift's own workers do this.", name
    assert fresh(story, shift).state == Shift.State.OUT
    assert _lines(story, shift) == ["planned", "checked_out"]


# --- the handlers' actions -------------------------------------------------------------


def test_the_line_manager_says_im_on_it_and_no_further_step_is_sent(story):
    shift = overdue(story)
    response = post(story.ravi, f"/shifts/{shift.pk}/acknowledge")
    assert response.status_code == 200
    body = response.json()
    assert body["alert"]["acknowledged_by"] == {"id": str(story.ravi.pk), "name": "Ravi Shah"}
    assert fresh(story, shift).escalation_due_at is None
    # The second to say so is told someone already is, and nothing changes.
    again = post(story.daniel, f"/shifts/{shift.pk}/acknowledge")
    assert again.status_code == 400
    assert "someone is already on it" in again.json()["detail"]
    assert fresh(story, shift).acknowledged_by_id == story.ravi.pk


def test_a_worker_cannot_acknowledge_their_own_shift(story):
    shift = overdue(story)
    for name in ("amina", "joseph"):
        response = post(getattr(story, name), f"/shifts/{shift.pk}/acknowledge")
        assert response.status_code == 403, name
        assert "Never its own workers" in response.json()["detail"]
    assert fresh(story, shift).acknowledged_at is None


def test_a_volunteer_or_a_colleague_off_the_chain_cannot_acknowledge(story):
    shift = overdue(story)
    for name in ("olena", "grace", "taslima", "chen"):
        response = post(getattr(story, name), f"/shifts/{shift.pk}/acknowledge")
        assert response.status_code == 403, name
    # A volunteer on the chain's own shift is a worker; on someone else's, off the chain.
    other = planned(story, workers=[story.olena, story.ravi])
    assert post(story.joseph, f"/shifts/{other.pk}/acknowledge").status_code == 403
    assert fresh(story, shift).acknowledged_at is None


def test_the_on_call_manager_acknowledges(story):
    on_call(story, story.taslima)
    shift = overdue(story)
    assert post(story.taslima, f"/shifts/{shift.pk}/acknowledge").status_code == 200


def test_a_handler_closes_an_overdue_shift_saying_whether_there_was_an_incident(story):
    shift = overdue(story)
    response = post(story.ravi, f"/shifts/{shift.pk}/close", {"incident": True})
    assert response.status_code == 200
    assert response.json()["state"] == "closed"
    with scope(organisation=story.harbourside.pk):
        line = ShiftEvent.objects.get(shift=shift, kind=ShiftEvent.Kind.CLOSED)
    assert line.detail == {"incident": True}
    again = post(story.ravi, f"/shifts/{shift.pk}/close", {"incident": False})
    assert again.status_code == 400


def test_closing_needs_to_say_whether_there_was_an_incident(story):
    shift = overdue(story)
    assert post(story.ravi, f"/shifts/{shift.pk}/close", {}).status_code == 422
    assert fresh(story, shift).state == Shift.State.OVERDUE


def test_a_shift_that_is_out_on_time_cannot_be_closed_or_acknowledged(story):
    shift = out(story)
    assert post(story.ravi, f"/shifts/{shift.pk}/acknowledge").status_code == 400
    assert post(story.ravi, f"/shifts/{shift.pk}/close", {"incident": False}).status_code == 400
    assert fresh(story, shift).state == Shift.State.OUT


# --- outsiders and races ---------------------------------------------------------------


def test_another_organisation_and_those_who_do_not_see_shifts_get_404(story):
    shift = out(story)
    for name in ("taras", "leila", "farah", "peter"):
        for action in (*WORKER_ACTIONS, *HANDLER_ACTIONS):
            response = post(getattr(story, name), f"/shifts/{shift.pk}/{action}")
            assert response.status_code == 404, (name, action)
    assert fresh(story, shift).state == Shift.State.OUT


def test_the_loser_of_a_race_gets_the_services_refusal_not_an_overwrite(story):
    shift = overdue(story)
    # Ravi reads the shift, then Joseph checks in before Ravi's "I'm on it" arrives.
    with scope(organisation=story.harbourside.pk):
        services.check_in(actor=story.joseph, shift=shift)
    response = post(story.ravi, f"/shifts/{shift.pk}/acknowledge")
    assert response.status_code == 400
    assert fresh(story, shift).state == Shift.State.RETURNED
    assert fresh(story, shift).acknowledged_at is None


def test_an_action_with_a_stale_if_match_is_409_and_changes_nothing(story):
    shift = out(story)
    read = shift.version
    with scope(organisation=story.harbourside.pk):
        services.extend(actor=story.amina, shift=shift, minutes=15)
    response = post(story.joseph, f"/shifts/{shift.pk}/check-in", if_match=read)
    assert response.status_code == 409
    assert fresh(story, shift).state == Shift.State.OUT
    bad = post(story.joseph, f"/shifts/{shift.pk}/check-in", headers={"If-Match": "soon"})
    assert bad.status_code == 400
    current = fresh(story, shift).version
    assert post(story.joseph, f"/shifts/{shift.pk}/check-in", if_match=current).status_code == 200


def test_when_the_shift_changes_between_the_gate_and_the_update_the_loser_is_told(
    story, monkeypatch
):
    """The window itself: Ravi's request has read the overdue shift through its gate when
    Joseph checks in; Ravi's "I'm on it" then finds the shift no longer as read."""
    shift = overdue(story)
    gate = access.shift_for_member

    def read_then_joseph_checks_in(member, shift_id, action=Action.READ):
        found = gate(member, shift_id, action)
        if member.pk == story.ravi.pk:
            with scope(organisation=story.harbourside.pk):
                services.check_in(actor=story.joseph, shift=fresh(story, found))
        return found

    monkeypatch.setattr(access, "shift_for_member", read_then_joseph_checks_in)
    response = post(story.ravi, f"/shifts/{shift.pk}/acknowledge")
    assert response.status_code == 400
    assert "someone is already on it" in response.json()["detail"]
    after = fresh(story, shift)
    assert after.state == Shift.State.RETURNED and after.acknowledged_at is None
