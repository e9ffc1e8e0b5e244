"""The instance operator's admin at ``/operator/``: organisations and audit, never people."""

from __future__ import annotations

import uuid

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.urls import reverse
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from peerwork.core.admin import operator_site
from peerwork.core.audit import record, record_read
from peerwork.core.mfa import enrol_totp
from peerwork.core.models import (
    AuditEvent,
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    Site,
    SupportRelationship,
    Team,
    User,
)
from peerwork.core.services import create_organisation, invite_first_admin


@pytest.fixture
def operator(db):
    operator = User.objects.create_superuser(
        "operator", "operator@example.org", "correct horse battery"
    )
    enrol_totp(operator, generate_totp_secret())  # the operator must (peerwork.core.mfa)
    return operator


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def story_people(story) -> list[Membership]:
    return [
        story.amina,
        story.ravi,
        story.taslima,
        story.grace,
        story.daniel,
        story.samuel,
        story.leila,
        story.chen,
        story.joseph,
        story.farah,
        story.peter,
        story.olena,
        story.taras,
    ]


def assert_no_person_on(page: str, story) -> None:
    with scopes_disabled():
        for member in story_people(story):
            user = Membership.objects.select_related("user").get(pk=member.pk).user
            assert user.display_name not in page, f"{user.display_name} shown"
            assert user.email not in page, f"{user.email} shown"


def test_only_organisations_and_audit_events_are_registered():
    registered = set(operator_site._registry)

    assert registered == {Organisation, AuditEvent}
    for people_model in (
        User,
        Membership,
        MembershipRole,
        Site,
        Team,
        SupportRelationship,
        Invitation,
    ):
        assert people_model not in registered


def test_the_operator_sees_organisations_and_audit_events_but_nobody_s_name(story, operator_client):
    note_id = uuid.uuid4()
    record_read(
        actor=story.samuel,
        action="mentoring.note.read",
        subject=story.amina,
        object_id=note_id,
        data_class="confidential",
    )
    record(
        actor=story.ravi,
        action="personnel.change",
        subject=story.amina,
        data_class="personnel",
        detail={"fields": ["title"]},
    )
    event = record(actor=story.taras, action="shift.create", object_id=uuid.uuid4())

    pages = {"index": operator_client.get(reverse("admin:index"))}
    for model in operator_site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        pages[url] = operator_client.get(url)
    for url in (
        reverse("admin:core_organisation_change", args=[story.harbourside.pk]),
        reverse("admin:core_organisation_invite_admin", args=[story.harbourside.pk]),
        reverse("admin:core_auditevent_change", args=[event.pk]),
        reverse("admin:core_auditevent_changelist")
        + f"?organisation__id__exact={story.harbourside.pk}",
    ):
        pages[url] = operator_client.get(url)

    for url, response in pages.items():
        assert response.status_code == 200, url
        assert_no_person_on(response.content.decode(), story)
    organisations = pages[reverse("admin:core_organisation_changelist")].content.decode()
    assert (
        "Harbourside Harm Reduction" in organisations
        and "Riverside Drug User Network" in organisations
    )
    events = pages[reverse("admin:core_auditevent_changelist")].content.decode()
    assert "mentoring.note.read" in events and "personnel.change" in events
    assert "shift.create" in events
    detail = pages[reverse("admin:core_auditevent_change", args=[event.pk])].content.decode()
    assert str(story.taras.pk) in detail  # the actor appears as an opaque id only
    change_url = reverse("admin:core_organisation_change", args=[story.harbourside.pk])
    invite_url = reverse("admin:core_organisation_invite_admin", args=[story.harbourside.pk])
    assert f'href="{invite_url}"' in pages[change_url].content.decode()


def test_nobody_may_add_change_or_delete_audit_events_in_the_admin(story, operator_client):
    event = record(actor=story.chen, action="team.create", object_id=story.team.pk)
    change_url = reverse("admin:core_auditevent_change", args=[event.pk])

    add = operator_client.get(reverse("admin:core_auditevent_add"))
    change = operator_client.post(change_url, {"action": "team.delete"})
    delete = operator_client.post(
        reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    bulk = operator_client.post(
        reverse("admin:core_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [str(event.pk)], "post": "yes"},
    )

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    assert bulk.status_code in (200, 302)  # no actions at all: the post changes nothing
    with scopes_disabled():
        assert AuditEvent.objects.get(pk=event.pk).action == "team.create"
    view = operator_client.get(change_url).content.decode()
    assert 'name="_save"' not in view and "deletelink" not in view


def test_organisations_cannot_be_deleted_from_the_admin(story, operator_client):
    response = operator_client.post(
        reverse("admin:core_organisation_delete", args=[story.riverside.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Organisation.objects.filter(pk=story.riverside.pk).exists()


def test_people_who_are_not_the_operator_get_no_operator_pages(story, client):
    anonymous = client.get(reverse("admin:index"))
    assert anonymous.status_code == 302
    login = client.get(anonymous["Location"])
    assert login.status_code == 302 and login["Location"].startswith(reverse("account_login"))

    with scopes_disabled():
        chen = Membership.objects.select_related("user").get(pk=story.chen.pk).user
    chen.is_staff = True  # staff, but not the instance operator
    chen.save(update_fields=["is_staff"])
    client.force_login(chen)
    for url in (
        reverse("admin:index"),
        reverse("admin:core_auditevent_changelist"),
        reverse("admin:core_organisation_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "Harbourside Harm Reduction" not in response.content.decode()


def test_the_operator_creates_and_edits_an_organisation(db, operator_client):
    response = operator_client.post(
        reverse("admin:core_organisation_add"),
        {
            "name": "Lakeside Peer Network",
            "slug": "lakeside",
            "time_zone": "Asia/Jakarta",
            "default_language": "id",
            "other_languages": ["sw", "en", "id"],
            "session_idle_minutes": "20",
            "session_max_hours": "10",
        },
    )

    assert response.status_code == 302, response.content.decode()
    lakeside = Organisation.objects.get(slug="lakeside")
    assert lakeside.languages == ["id", "en", "sw"]
    assert (lakeside.time_zone, lakeside.session_idle_minutes, lakeside.session_max_hours) == (
        "Asia/Jakarta",
        20,
        10,
    )

    change_url = reverse("admin:core_organisation_change", args=[lakeside.pk])
    form = operator_client.get(change_url).content.decode()
    assert 'value="Asia/Jakarta" selected' in form
    response = operator_client.post(
        change_url,
        {
            "name": "Lakeside Network of People Who Use Drugs",
            "slug": "lakeside",
            "time_zone": "Not/AZone",
            "default_language": "en",
            "session_idle_minutes": "2",
            "session_max_hours": "10",
        },
    )
    assert response.status_code == 200  # refused: unknown time zone, idle limit below 5
    lakeside.refresh_from_db()
    assert lakeside.name == "Lakeside Peer Network"

    response = operator_client.post(
        change_url,
        {
            "name": "Lakeside Network of People Who Use Drugs",
            "slug": "lakeside",
            "time_zone": "Asia/Makassar",
            "default_language": "en",
            "session_idle_minutes": "15",
            "session_max_hours": "12",
        },
    )
    assert response.status_code == 302
    lakeside.refresh_from_db()
    assert (lakeside.name, lakeside.time_zone, lakeside.languages) == (
        "Lakeside Network of People Who Use Drugs",
        "Asia/Makassar",
        ["en"],
    )


def test_the_operator_invites_an_organisation_s_first_admin(
    db, operator_client, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.PEERWORK_AUDIT_HEAD_FILE = tmp_path / "audit-heads.log"
    lakeside = create_organisation(slug="lakeside", name="Lakeside Peer Network")
    url = reverse("admin:core_organisation_invite_admin", args=[lakeside.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(url, {"email": "Director@Lakeside.example"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:core_organisation_change", args=[lakeside.pk])
    with scopes_disabled():
        invitation = Invitation.objects.get(organisation=lakeside)
        events = list(AuditEvent.objects.filter(organisation=lakeside))
    assert (invitation.email, invitation.roles, invitation.invited_by) == (
        "Director@lakeside.example",
        ["org_admin"],
        None,
    )
    assert invitation.is_open()
    assert [(e.action, e.actor_id, e.object_id) for e in events] == [
        ("invitation.create", None, invitation.pk)
    ]
    # The email is enqueued after commit, carrying the invitation's id only.
    task = DBTaskResult.objects.get(task_path="peerwork.core.tasks.send_invitation")
    assert task.args_kwargs == {"args": [str(invitation.pk)], "kwargs": {}}


def test_an_organisation_with_an_admin_invites_its_own_people(story, operator_client):
    url = reverse("admin:core_organisation_invite_admin", args=[story.harbourside.pk])

    response = operator_client.post(url, {"email": "someone@example.org"})

    assert response.status_code == 200
    assert "already has an organisation admin" in response.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.filter(organisation=story.harbourside).exists()


def test_a_malformed_email_is_refused_beside_the_field(db, operator_client):
    lakeside = create_organisation(slug="lakeside", name="Lakeside Peer Network")
    url = reverse("admin:core_organisation_invite_admin", args=[lakeside.pk])

    response = operator_client.post(url, {"email": "not an email"})

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_invite_first_admin_invites_again_once_the_admin_has_left(story):
    from django.utils import timezone

    with scopes_disabled():
        Membership.objects.filter(pk=story.chen.pk).update(ended_at=timezone.now())

    invitation = invite_first_admin(organisation=story.harbourside, email="new-admin@example.org")

    assert invitation.roles == ["org_admin"]
    assert invitation.organisation_id == story.harbourside.pk


def test_an_unknown_or_malformed_organisation_id_is_not_found(db, operator_client):
    unknown = reverse("admin:core_organisation_invite_admin", args=[uuid.uuid4()])
    assert operator_client.get(unknown).status_code == 404
    # Django's admin sends a malformed id to its index with a message: not an error page.
    malformed = operator_client.get(
        "/operator/core/organisation/not-a-uuid/invite-admin/", follow=True
    )
    assert malformed.status_code == 200
    assert malformed.redirect_chain[-1][0] == reverse("admin:index")
