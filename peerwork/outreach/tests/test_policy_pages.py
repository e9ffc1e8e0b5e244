"""The outreach policy pages: the policy, its escalation chain and the on-call rota, for
the org admin and the director only; stale forms refused with what was typed kept
(issue 5 item 1; guide §4.4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.outreach.models import EscalationStep, OnCall, OutreachPolicy

FIELDS = {
    "grace_minutes": "20",
    "missing_after_minutes": "45",
    "pairs_required": "on",
    "guidelines": "Picture ID.\nGo in pairs.",
    "contingency_plans": "In a raid: leave together, call the office.",
    "contingency_agreed_on": "2026-03-01",
    "project_manager": "",
}


def policies(story):
    with scope(organisation=story.harbourside.pk):
        return list(OutreachPolicy.objects.order_by("site"))


def steps(story, site=None):
    with scope(organisation=story.harbourside.pk):
        return list(
            EscalationStep.objects.filter(policy__site=site)
            .order_by("position")
            .values_list("who", flat=True)
        )


@pytest.mark.parametrize("name", ["chen", "daniel"])
def test_the_org_admin_and_the_director_see_the_policy_with_our_defaults(story, name):
    response = signed_in(getattr(story, name)).get("/outreach/policy/")
    html = assert_sound_page(response)
    assert "Nobody has saved this policy yet" in html
    assert "The outreach partner → The worker&#x27;s line manager" in html
    assert "Drop-in centre" in html


@pytest.mark.parametrize("name", ["amina", "ravi", "grace", "joseph", "leila", "taras"])
def test_everyone_else_gets_not_found(story, name):
    client = signed_in(getattr(story, name))
    assert client.get("/outreach/policy/").status_code == 404
    assert client.post("/outreach/policy/", FIELDS).status_code == 404
    assert client.get(f"/outreach/policy/sites/{story.site.pk}/").status_code == 404
    assert policies(story) == []


def test_saving_the_policy_creates_it_and_records_it_in_the_audit_chain(story):
    client = signed_in(story.chen)
    response = client.post("/outreach/policy/", {**FIELDS, "version": "1"}, follow=True)
    assert "The outreach policy is saved." in assert_sound_page(response)
    (policy,) = policies(story)
    assert (policy.grace_minutes, policy.missing_after_minutes) == (20, 45)
    assert policy.contingency_agreed_on.isoformat() == "2026-03-01"
    with scope(organisation=story.harbourside.pk):
        assert AuditEvent.objects.filter(action="outreach.policy.save").count() == 1


def test_a_stale_policy_form_is_refused_and_what_was_typed_is_kept(story):
    daniel, chen = signed_in(story.daniel), signed_in(story.chen)
    daniel.post("/outreach/policy/", {**FIELDS, "version": "1"})
    # Chen read version 1 too, and saves after Daniel.
    response = chen.post("/outreach/policy/", {**FIELDS, "grace_minutes": "5", "version": "1"})
    html = assert_sound_page(response)
    assert "Someone else changed this policy while you were editing" in html
    assert 'value="5"' in html
    assert policies(story)[0].grace_minutes == 20
    # Saving again knowingly goes over Daniel's.
    again = chen.post("/outreach/policy/", {**FIELDS, "grace_minutes": "5", "version": "2"})
    assert again.status_code == 302
    assert policies(story)[0].grace_minutes == 5


def test_bad_numbers_are_refused_beside_the_field_and_nothing_is_saved(story):
    response = signed_in(story.chen).post(
        "/outreach/policy/", {**FIELDS, "grace_minutes": "-3", "version": "1"}
    )
    html = assert_sound_page(response)
    assert "greater than or equal to 0" in html
    assert "In a raid: leave together" in html
    assert policies(story) == []


def test_a_site_gets_its_own_policy(story):
    client = signed_in(story.daniel)
    url = f"/outreach/policy/sites/{story.site.pk}/"
    assert "Outreach policy: Drop-in centre" in assert_sound_page(client.get(url))
    client.post(url, {**FIELDS, "grace_minutes": "10", "version": "1"})
    (policy,) = policies(story)
    assert policy.site_id == story.site.pk and policy.grace_minutes == 10


def test_a_site_of_another_organisation_is_not_found(story):
    client = signed_in(story.daniel)
    assert client.get(f"/outreach/policy/sites/{story.other_site.pk}/").status_code == 404


def add(client, who, version, **kw):
    data = {"step-who": who, "step-wait_minutes": "10", "step-version": str(version)}
    data.update({f"step-{k}": v for k, v in kw.items()})
    return client.post("/outreach/policy/steps/new", data, follow=True)


def test_steps_are_added_moved_and_removed_and_each_change_is_versioned(story):
    client = signed_in(story.chen)
    add(client, "line_manager", 1, channels=["inbox", "sms"])
    add(client, "on_call", 2)
    add(client, "buddy", 3, buddy=str(story.grace.pk))
    assert steps(story) == ["line_manager", "on_call", "buddy"]
    with scope(organisation=story.harbourside.pk):
        policy = OutreachPolicy.objects.get()
        buddy = policy.steps.get(who="buddy")
        first = policy.steps.get(who="line_manager")
    html = assert_sound_page(client.get("/outreach/policy/"))
    assert "A named buddy: Grace Njeri" in html and "In Peerwork, SMS" in html
    client.post(f"/outreach/policy/steps/{buddy.pk}/move", {"up": "1", "version": policy.version})
    assert steps(story) == ["line_manager", "buddy", "on_call"]
    client.post(f"/outreach/policy/steps/{first.pk}/remove", {"version": policy.version + 1})
    assert steps(story) == ["buddy", "on_call"]
    with scope(organisation=story.harbourside.pk):
        assert list(
            EscalationStep.objects.order_by("position").values_list("position", flat=True)
        ) == [1, 2]


def test_a_stale_chain_change_changes_nothing(story):
    client = signed_in(story.chen)
    add(client, "line_manager", 1)
    add(client, "director", 2)
    with scope(organisation=story.harbourside.pk):
        first = EscalationStep.objects.get(who="line_manager")
    response = client.post(
        f"/outreach/policy/steps/{first.pk}/remove", {"version": "1"}, follow=True
    )
    assert "Someone else changed this policy" in assert_sound_page(response)
    assert steps(story) == ["line_manager", "director"]
    html = assert_sound_page(add(client, "on_call", 1, wait_minutes="25"))
    assert "Someone else changed this policy while you were editing" in html
    assert 'value="25"' in html
    assert steps(story) == ["line_manager", "director"]


def test_a_buddy_step_must_name_the_buddy(story):
    html = assert_sound_page(add(signed_in(story.chen), "buddy", 1))
    assert "Choose the buddy this step alerts." in html
    assert steps(story) == []


def test_the_on_call_rota_takes_and_loses_turns(story):
    client = signed_in(story.daniel)
    response = client.post(
        "/outreach/policy/on-call/new",
        {
            "oncall-member": str(story.taslima.pk),
            "oncall-starts_at": "2030-01-01T18:00",
            "oncall-ends_at": "2030-01-02T06:00",
        },
        follow=True,
    )
    html = assert_sound_page(response)
    assert "The on-call turn is on the rota." in html and "Taslima Akter" in html
    with scope(organisation=story.harbourside.pk):
        turn = OnCall.objects.get()
    assert turn.ends_at - turn.starts_at == timedelta(hours=12)
    client.post(f"/outreach/policy/on-call/{turn.pk}/remove")
    with scope(organisation=story.harbourside.pk):
        assert not OnCall.objects.exists()
        assert AuditEvent.objects.filter(action__startswith="outreach.on_call").count() == 2


def test_a_turn_that_ends_before_it_starts_is_refused_with_the_typing_kept(story):
    response = signed_in(story.daniel).post(
        "/outreach/policy/on-call/new",
        {
            "oncall-member": str(story.taslima.pk),
            "oncall-starts_at": "2030-01-02T18:00",
            "oncall-ends_at": "2030-01-02T06:00",
        },
    )
    html = assert_sound_page(response)
    assert "The turn must end after it starts." in html and "2030-01-02T18:00" in html
    with scope(organisation=story.harbourside.pk):
        assert not OnCall.objects.exists()
