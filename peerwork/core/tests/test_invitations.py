"""Invitations (``/invitations``, org admins only) and the task that emails the link."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from peerwork.core.models import Invitation
from peerwork.core.tasks import invitation_from_token, send_invitation
from peerwork.core.tests.page_checks import assert_sound_page


def run_enqueued_tasks() -> int:
    """Run what the request queued, as the worker would (without its polling loop)."""
    ran = 0
    for result in DBTaskResult.objects.ready():
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        ran += 1
    return ran


def invite(client, story, django_capture_on_commit_callbacks, **data) -> Invitation:
    client.force_login(story.chen.user)
    fields = {
        "email": "wanjiku@example.org",
        "roles": ["staff", "peer_mentor"],
        "team": str(story.team.pk),
    }
    fields.update(data)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/invitations", fields)
    assert response.status_code == 302, response.content.decode()[-2000:]
    with scopes_disabled():
        return Invitation.objects.get(email=fields["email"])


def test_the_org_admin_invites_someone_and_the_email_carries_a_working_link(
    client, story, django_capture_on_commit_callbacks, settings
):
    settings.PEERWORK_BASE_URL = "https://peerwork.example.org"
    invitation = invite(client, story, django_capture_on_commit_callbacks)
    assert invitation.roles == ["peer_mentor", "staff"] and invitation.team == story.team
    assert invitation.invited_by == story.chen
    assert run_enqueued_tasks() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wanjiku@example.org"]
    assert message.subject == "Your invitation to Peerwork"  # names no organisation
    assert "Harbourside Harm Reduction" in message.body
    link = re.search(r"https://peerwork\.example\.org/join/(\S+)", message.body)
    assert link is not None
    assert invitation_from_token(link.group(1)) == invitation


def test_the_page_confirms_the_invitation_and_lists_it_as_open(
    client, story, django_capture_on_commit_callbacks
):
    invite(client, story, django_capture_on_commit_callbacks)
    html = assert_sound_page(client.get("/invitations"))
    assert "Invitation sent to wanjiku@example.org." in html
    assert "wanjiku@example.org" in html and "Open" in html
    assert "Staff member, Peer mentor" in html and "Withdraw" in html


def test_a_missing_role_is_refused_beside_the_field_keeping_what_was_typed(client, story):
    client.force_login(story.chen.user)
    response = client.post(
        "/invitations", {"email": "wanjiku@example.org", "team": str(story.team.pk)}
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert 'id="id_roles_error"' in html and "Choose at least one role." in html
    assert 'value="wanjiku@example.org"' in html
    assert f'<option value="{story.team.pk}" selected>' in html
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_a_malformed_email_is_refused_and_the_roles_stay_ticked(client, story):
    client.force_login(story.chen.user)
    response = client.post("/invitations", {"email": "not an email", "roles": ["volunteer"]})
    html = assert_sound_page(response)
    assert 'id="id_email_error"' in html and 'value="not an email"' in html
    assert re.search(r'value="volunteer"[^>]*checked', html)


def test_a_second_open_invitation_to_the_same_address_is_refused(
    client, story, django_capture_on_commit_callbacks
):
    invite(client, story, django_capture_on_commit_callbacks)
    response = client.post("/invitations", {"email": "Wanjiku@example.org", "roles": ["staff"]})
    assert "An open invitation to this address exists" in response.content.decode()
    with scopes_disabled():
        assert Invitation.objects.count() == 1


def test_another_organisations_team_is_not_a_choice(client, story):
    client.force_login(story.chen.user)
    response = client.post(
        "/invitations",
        {"email": "x@example.org", "roles": ["staff"], "team": str(story.other_team.pk)},
    )
    assert "Select a valid choice" in response.content.decode()


def test_the_list_tells_open_accepted_withdrawn_and_expired_apart(client, story):
    now = timezone.now()
    with scopes_disabled():
        for email, extra in (
            ("open@example.org", {}),
            ("accepted@example.org", {"accepted_at": now}),
            ("withdrawn@example.org", {"revoked_at": now}),
            ("expired@example.org", {"expires_at": now - timezone.timedelta(days=1)}),
        ):
            Invitation.objects.create(
                organisation=story.harbourside,
                email=email,
                roles=["staff"],
                **{"expires_at": now + timezone.timedelta(days=1), **extra},
            )
    client.force_login(story.chen.user)
    html = assert_sound_page(client.get("/invitations"))
    rows = dict(re.findall(r"<tr>\s*<td>(\S+@example\.org)(.*?)</tr>", html, re.S))
    assert "Open" in rows["open@example.org"] and "Withdraw" in rows["open@example.org"]
    assert (
        "Accepted" in rows["accepted@example.org"]
        and "Withdraw" not in rows["accepted@example.org"]
    )
    assert "Withdrawn" in rows["withdrawn@example.org"]
    assert "Expired" in rows["expired@example.org"]


def test_the_org_admin_withdraws_an_invitation_and_no_email_goes_out_after(
    client, story, django_capture_on_commit_callbacks
):
    invitation = invite(client, story, django_capture_on_commit_callbacks)
    response = client.post(f"/invitations/{invitation.pk}/withdraw")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    run_enqueued_tasks()
    assert mail.outbox == []


def test_the_task_does_nothing_for_an_unknown_invitation(db):
    send_invitation.call("00000000-0000-0000-0000-000000000000")
    assert mail.outbox == []


@pytest.mark.parametrize("name", ["amina", "ravi", "grace", "daniel", "peter"])
def test_members_who_are_not_org_admins_get_not_found(client, story, name):
    with scopes_disabled():
        invitation = Invitation.objects.create(
            organisation=story.harbourside,
            email="x@example.org",
            roles=["staff"],
            expires_at=timezone.now() + timezone.timedelta(days=1),
        )
    client.force_login(getattr(story, name).user)
    assert client.get("/invitations").status_code == 404
    assert (
        client.post("/invitations", {"email": "y@example.org", "roles": ["staff"]}).status_code
        == 404
    )
    assert client.post(f"/invitations/{invitation.pk}/withdraw").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_another_organisations_invitation_cannot_be_withdrawn(client, story):
    with scopes_disabled():
        theirs = Invitation.objects.create(
            organisation=story.riverside,
            email="x@example.org",
            roles=["staff"],
            expires_at=timezone.now() + timezone.timedelta(days=1),
        )
        ours = Invitation.objects.create(
            organisation=story.harbourside,
            email="y@example.org",
            roles=["staff"],
            expires_at=timezone.now() + timezone.timedelta(days=1),
        )
    client.force_login(story.chen.user)
    assert client.post(f"/invitations/{theirs.pk}/withdraw").status_code == 404
    assert client.post("/invitations/not-a-uuid/withdraw").status_code == 404
    assert client.post(f"/invitations/{ours.pk}/withdraw").status_code == 302
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
