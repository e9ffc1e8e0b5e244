"""Joining by invitation link (``/join/<token>``)."""

from __future__ import annotations

import re

from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from peerwork.core.models import Invitation, Membership, User
from peerwork.core.tasks import invitation_token
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.core.tests.test_invitations import run_enqueued_tasks

PASSWORD = "lantern orchard seventeen"


def open_invitation(story, **extra) -> Invitation:
    fields = {
        "expires_at": timezone.now() + timezone.timedelta(days=7),
        "email": "wanjiku@example.org",
        **extra,
    }
    with scopes_disabled():
        return Invitation.objects.create(
            organisation=story.harbourside,
            roles=["staff", "volunteer"],
            team=story.team,
            invited_by=story.chen,
            **fields,
        )


def join_url(invitation: Invitation) -> str:
    return f"/join/{invitation_token(invitation.pk)}"


def new_account(**overrides) -> dict[str, str]:
    return {
        "username": "wanjiku",
        "display_name": "Wanjiku",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


def unusable_message(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 404
    html = assert_sound_page(response)
    assert "This invitation link cannot be used" in html
    return html[html.index("<main") : html.index("</main>")]


def test_invited_by_email_a_person_makes_their_account_and_joins_with_the_roles(
    client, story, django_capture_on_commit_callbacks
):
    client.force_login(story.chen.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/invitations",
            {
                "email": "wanjiku@example.org",
                "roles": ["staff", "peer_mentor"],
                "team": str(story.team.pk),
            },
        )
    client.logout()
    run_enqueued_tasks()
    path = re.search(r"https?://[^/\s]+(/join/\S+)", mail.outbox[0].body).group(1)

    page = client.get(path)
    html = assert_sound_page(page)
    assert page.status_code == 200 and "Join Harbourside Harm Reduction" in html
    response = client.post(path, new_account())
    assert response.status_code == 302 and response["Location"] == "/"

    with scopes_disabled():
        membership = Membership.objects.select_related("user").get(user__username="wanjiku")
        invitation = Invitation.objects.get(email="wanjiku@example.org")
        assert membership.roles == {"staff", "peer_mentor"}
    assert membership.organisation_id == story.harbourside.pk and membership.team == story.team
    assert membership.user.email == "wanjiku@example.org"
    assert membership.user.check_password(PASSWORD)
    assert invitation.accepted_by == membership.user and invitation.accepted_at is not None
    # Signed in, in the new organisation; a peer mentor sets up two-step sign-in before
    # anything else (peerwork.core.mfa), and the welcome waits on that page.
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    page = assert_sound_page(client.get("/accounts/2fa/"))
    assert "Welcome to Harbourside Harm Reduction." in page and "two-step sign-in" in page


def test_a_used_link_is_refused(client, story):
    invitation = open_invitation(story)
    assert client.post(join_url(invitation), new_account()).status_code == 302
    client.logout()
    unusable_message(client, join_url(invitation))
    response = client.post(join_url(invitation), new_account(username="someone"))
    assert response.status_code == 404
    assert not User.objects.filter(username="someone").exists()


def test_expired_withdrawn_used_and_forged_links_all_get_the_same_answer(client, story):
    expired = open_invitation(story, expires_at=timezone.now() - timezone.timedelta(minutes=1))
    withdrawn = open_invitation(story, revoked_at=timezone.now())
    used = open_invitation(story, accepted_at=timezone.now())
    answers = {
        unusable_message(client, join_url(expired)),
        unusable_message(client, join_url(withdrawn)),
        unusable_message(client, join_url(used)),
        unusable_message(client, "/join/forged"),
        unusable_message(client, join_url(expired)[:-3] + "abc"),
    }
    assert len(answers) == 1
    assert "wanjiku" not in answers.pop()


def test_an_expired_link_makes_no_account(client, story):
    invitation = open_invitation(story, expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert client.post(join_url(invitation), new_account()).status_code == 404
    assert not User.objects.filter(username="wanjiku").exists()


def test_form_errors_sit_beside_their_fields_and_keep_what_was_typed(client, story):
    invitation = open_invitation(story)
    response = client.post(join_url(invitation), new_account(password2="something else"))
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert 'id="id_password2_error"' in html and "The two passwords are not the same." in html
    assert 'value="wanjiku"' in html and 'value="Wanjiku"' in html
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_taken_username_or_a_weak_password_is_refused(client, story):
    invitation = open_invitation(story)
    html = client.post(join_url(invitation), new_account(username="Amina")).content.decode()
    assert "This username is taken" in html
    weak = client.post(
        join_url(invitation), new_account(password1="password", password2="password")
    )
    assert 'id="id_password1_error"' in weak.content.decode()
    assert not User.objects.filter(username="wanjiku").exists()


def test_a_signed_in_person_joins_with_the_account_they_have(client, story):
    invitation = open_invitation(story)
    client.force_login(story.taras.user)
    page = assert_sound_page(client.get(join_url(invitation)))
    assert "Join this organisation" in page and 'name="password1"' not in page
    response = client.post(join_url(invitation))
    assert response.status_code == 302
    with scopes_disabled():
        membership = Membership.objects.get(user=story.taras.user, organisation=story.harbourside)
        assert membership.roles == {"staff", "volunteer"}
    day = assert_sound_page(client.get("/"))
    assert "Hello, Taras Melnyk" in day and "Welcome to Harbourside Harm Reduction." in day
    assert "Riverside Drug User Network" in day  # now in the switcher


def test_a_member_opening_an_invitation_to_their_own_organisation_is_told_so(client, story):
    invitation = open_invitation(story)
    client.force_login(story.amina.user)
    response = client.post(join_url(invitation))
    assert response.status_code == 409
    assert "already a member" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # still usable by the person it was meant for


def test_the_page_offers_signing_in_first_without_saying_whether_an_account_exists(client, story):
    has_account = open_invitation(story, email="amina@example.org")
    no_account = open_invitation(story, email="nobody@example.org")
    # Apart from attribute values (the link's own token, the CSRF token) the pages are equal.
    values = re.compile(r'(value|href|action)="[^"]*"')
    pages = [
        values.sub("", assert_sound_page(client.get(join_url(invitation))))
        for invitation in (has_account, no_account)
    ]
    assert "Already have a Peerwork account?" in pages[0]
    assert pages[0] == pages[1]


def test_the_inviter_is_told_when_their_invitation_is_accepted(story):
    from django_scopes import scope

    from peerwork.core.models import AuditEvent, Invitation, Notification
    from peerwork.core.services import accept_invitation, invite

    with scope(organisation=story.harbourside.pk):
        invitation = invite(actor=story.chen, email="new.person@example.org", roles=["staff"])
    invitation = Invitation.objects.with_scopes_disabled().get(pk=invitation.pk)
    membership = accept_invitation(
        invitation=invitation,
        username="newperson",
        display_name="New Person",
        password="a long enough passphrase",
    )
    with scope(organisation=story.harbourside.pk):
        told = Notification.objects.filter(recipient=story.chen, kind="core.invitation_accepted")
        assert [n.params["membership"] for n in told] == [str(membership.pk)]
        actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "invitation.create" in actions and "invitation.accept" in actions
