"""My day (``/``): each role sees its own sections and nothing more."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core.models import (
    Invitation,
    Membership,
    MembershipRole,
    Notification,
    Role,
    Site,
    SupportRelationship,
    Team,
    User,
)
from peerwork.core.services import add_member
from peerwork.core.tests.page_checks import assert_sound_page


def day_of(client, member) -> str:
    client.force_login(member.user)
    response = client.get("/")
    assert response.status_code == 200
    return assert_sound_page(response)


def test_anonymous_people_are_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_person_with_no_membership_sees_a_plain_page(client, story):
    operator = User.objects.create_user(username="operator", password="x" * 12, is_staff=True)
    client.force_login(operator)
    response = client.get("/")
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "You belong to no organisation here" in html
    assert "Harbourside" not in html and "Riverside" not in html


def test_every_member_sees_their_day_with_honest_empty_states(client, story):
    html = day_of(client, story.amina)
    assert "Hello, Amina Wanjiru" in html
    assert "You have no outreach shift today." in html
    assert "Nothing new" in html


def test_a_staff_member_sees_no_one_else(client, story):
    html = day_of(client, story.amina)
    for other in ("Ravi", "Olena", "Joseph", "Samuel", "Grace"):
        assert other not in html
    for heading in (
        "People you manage",
        "People you support",
        "at a glance",
        "Invitations and teams",
    ):
        assert heading not in html


def test_a_line_manager_sees_their_direct_reports_only(client, story):
    html = day_of(client, story.ravi)
    assert "People you manage" in html
    for report in ("Amina Wanjiru", "Olena Petrenko", "Joseph Otieno"):
        assert report in html
    assert f"/people/{story.amina.pk}" in html
    assert "Taslima" not in html and "Grace" not in html


def test_a_line_manager_with_no_reports_is_told_how_reports_are_set(client, story):
    html = day_of(client, story.taslima)
    assert "Nobody has you as their line manager yet" in html
    assert "Amina" not in html


def test_the_director_sees_counts_and_never_names(client, story):
    html = day_of(client, story.daniel)
    assert "The organisation at a glance" in html
    assert '<span class="figure">12</span>' in html
    assert '<th scope="row">Staff member</th><td>7</td>' in html
    # One director, two line managers: too few to show as numbers.
    assert '<th scope="row">Director</th><td>fewer than 5</td>' in html
    assert '<th scope="row">Line manager</th><td>fewer than 5</td>' in html
    for name in ("Amina", "Wanjiru", "Ravi", "Olena", "Samuel", "Leila"):
        assert name not in html


def test_hr_sees_how_many_people_and_open_invitations(client, story):
    with scopes_disabled():
        Invitation.objects.create(
            organisation=story.harbourside,
            email="new@example.org",
            roles=["staff"],
            expires_at=timezone.now() + timezone.timedelta(days=3),
        )
    html = day_of(client, story.grace)
    assert "People and invitations" in html
    assert '<span class="figure">12</span> people' in html
    assert '<span class="figure">1</span> invitations waiting' in html
    assert "Amina" not in html and "new@example.org" not in html


def test_the_org_admin_sees_open_invitations_and_teams(client, story):
    with scopes_disabled():
        Invitation.objects.create(
            organisation=story.harbourside,
            email="new@example.org",
            roles=["staff"],
            expires_at=timezone.now() + timezone.timedelta(days=3),
        )
        Invitation.objects.create(
            organisation=story.harbourside,
            email="old@example.org",
            roles=["staff"],
            expires_at=timezone.now() - timezone.timedelta(days=1),
        )
    html = day_of(client, story.chen)
    assert "Invitations and teams" in html
    assert "new@example.org" in html
    assert "old@example.org" not in html
    assert "1 team" in html and "1 site" in html
    assert "Amina" not in html


def test_mentors_and_coaches_see_only_the_people_they_support(client, story):
    samuel = day_of(client, story.samuel)
    assert "People you support" in samuel
    assert "Amina Wanjiru" in samuel and "Peer mentoring" in samuel
    assert "Olena" not in samuel
    leila = day_of(client, story.leila)
    assert "Olena Petrenko" in leila and "Coaching or supervision" in leila
    assert "Amina" not in leila


def test_an_ended_support_relationship_leaves_the_list(client, story):
    with scopes_disabled():
        SupportRelationship.objects.filter(supporter=story.samuel).update(
            ended_on=timezone.localdate() - timezone.timedelta(days=1)
        )
    html = day_of(client, story.samuel)
    assert "Amina" not in html
    assert "You are not mentoring or coaching anyone" in html


def test_peer_interviewers_and_facilitators_see_only_their_own_day(client, story):
    for member in (story.peter, story.farah):
        html = day_of(client, member)
        assert "Today" in html
        for heading in (
            "People you manage",
            "People you support",
            "at a glance",
            "Invitations and teams",
        ):
            assert heading not in html
        assert 'href="/people"' not in html


def test_unread_messages_show_to_their_recipient_only(client, story):
    with scopes_disabled():
        Notification.objects.create(
            organisation=story.harbourside, recipient=story.amina, kind="test.hello"
        )
    assert "You have 1 unread message." in day_of(client, story.amina)
    assert "Nothing new" in day_of(client, story.ravi)


def test_another_organisations_member_sees_only_their_own_organisation(client, story):
    html = day_of(client, story.taras)
    assert "Riverside Drug User Network" in html
    assert "Harbourside" not in html


def _queries_for_each_role(
    client, story, names=("amina", "ravi", "samuel", "grace", "daniel", "chen", "peter")
) -> dict[str, int]:
    counts = {}
    for name in names:
        client.force_login(getattr(story, name).user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        counts[name] = len(captured)
    return counts


def test_the_number_of_queries_does_not_grow_with_the_number_of_people(client, story):
    before = _queries_for_each_role(client, story)  # 12 people
    with scopes_disabled():
        for number in range(50):
            person = add_member(
                organisation=story.harbourside,
                username=f"person{number}",
                display_name=f"Person {number}",
                email=f"person{number}@example.org",
                roles=[Role.STAFF],
                team=story.team,
            )
            person.line_manager = story.ravi
            person.save(update_fields=["line_manager"])
            SupportRelationship.objects.create(
                organisation=story.harbourside,
                supporter=story.samuel,
                person=person,
                kind=SupportRelationship.Kind.MENTOR,
            )
            Invitation.objects.create(
                organisation=story.harbourside,
                email=f"invitee{number}@example.org",
                roles=["staff"],
                expires_at=timezone.now() + timezone.timedelta(days=3),
            )
            Notification.objects.create(
                organisation=story.harbourside, recipient=story.amina, kind="test.hello"
            )
    after = _queries_for_each_role(client, story)  # 62 people
    assert after == before
    html = day_of(client, story.ravi)
    assert "Person 49" in html  # the reports really are listed, with their teams


def test_people_who_have_left_are_not_counted_or_listed(client, story):
    with scopes_disabled():
        story.joseph.ended_at = timezone.now() - timezone.timedelta(days=1)
        story.joseph.save(update_fields=["ended_at"])
        story.olena.ended_at = timezone.now() + timezone.timedelta(days=30)  # leaving soon
        story.olena.save(update_fields=["ended_at"])
    assert '<span class="figure">11</span>' in day_of(client, story.daniel)
    ravi = day_of(client, story.ravi)
    assert "Joseph" not in ravi and "Olena Petrenko" in ravi


# Someone holding each role of PRODUCT.md "Who uses it" (taslima: a line manager with no one).
EVERY_ROLE = (
    "amina",  # staff member
    "joseph",  # volunteer
    "ravi",  # line manager
    "taslima",  # line manager of nobody
    "grace",  # HR
    "daniel",  # director
    "samuel",  # peer mentor
    "leila",  # coach
    "chen",  # org admin
    "farah",  # support-group facilitator
    "peter",  # peer interviewer
)


def grow_harbourside_to(story, total: int) -> None:
    """Harbourside with ``total`` current members, added in bulk (a few statements, not
    thousands), each role's sections full: reports for Ravi, people Samuel mentors and
    Leila coaches, more teams and sites, invitations and unread messages for everyone."""
    harbourside = story.harbourside
    with scope(organisation=harbourside.pk):
        current = Membership.objects.filter(organisation=harbourside, ended_at__isnull=True)
        missing = total - current.count()
        sites = Site.objects.bulk_create(
            Site(organisation=harbourside, name=f"Site {n}") for n in range(10)
        )
        teams = [story.team] + Team.objects.bulk_create(
            Team(organisation=harbourside, site=sites[n % 10], name=f"Team {n}") for n in range(30)
        )
        password = make_password(None)  # unusable, hashed once
        users = User.objects.bulk_create(
            User(
                username=f"person{n}",
                display_name=f"Person {n}",
                email=f"person{n}@example.org",
                password=password,
            )
            for n in range(missing)
        )
        members = Membership.objects.bulk_create(
            Membership(
                organisation=harbourside,
                user=user,
                team=teams[n % len(teams)],
                line_manager=story.ravi if n % 3 == 0 else None,
            )
            for n, user in enumerate(users)
        )
        cycle = (Role.STAFF, Role.VOLUNTEER, Role.LINE_MANAGER, Role.PEER_MENTOR, Role.COACH)
        MembershipRole.objects.bulk_create(
            [
                MembershipRole(organisation=harbourside, membership=member, role=role)
                for n, member in enumerate(members)
                for role in {Role.STAFF, cycle[n % len(cycle)]}
            ]
            + [
                MembershipRole(organisation=harbourside, membership=member, role=role)
                for member, role in zip(
                    members, (Role.HR, Role.DIRECTOR, Role.ORG_ADMIN) * 5, strict=False
                )
            ]
        )
        SupportRelationship.objects.bulk_create(
            SupportRelationship(
                organisation=harbourside,
                supporter=story.samuel if n % 2 else story.leila,
                person=member,
                kind=SupportRelationship.Kind.MENTOR if n % 2 else SupportRelationship.Kind.COACH,
            )
            for n, member in enumerate(members[1::4])
        )
        Invitation.objects.bulk_create(
            Invitation(
                organisation=harbourside,
                email=f"invitee{n}@example.org",
                roles=[Role.STAFF],
                team=teams[n % len(teams)],
                invited_by=story.chen,
                expires_at=timezone.now() + timezone.timedelta(days=3),
            )
            for n in range(100)
        )
        Notification.objects.bulk_create(
            Notification(
                organisation=harbourside, recipient=getattr(story, name), kind="test.hello"
            )
            for name in EVERY_ROLE
            for _ in range(20)
        )
        assert current.count() == total


def test_every_roles_day_makes_as_many_queries_with_500_people_as_with_a_dozen(client, story):
    with scopes_disabled():
        assert Membership.objects.filter(organisation=story.harbourside).count() == 12
    before = _queries_for_each_role(client, story, EVERY_ROLE)
    grow_harbourside_to(story, 500)
    after = _queries_for_each_role(client, story, EVERY_ROLE)
    assert after == before
    # The pages really did show the 500: the lists are full and the counts are counted.
    ravi = day_of(client, story.ravi)
    assert "Person 0<" in ravi and "Person 486<" in ravi  # every third of the 488 added
    # Every fourth of them has a mentor (Samuel) or a coach (Leila), in turn.
    assert "Person 481<" in day_of(client, story.leila)
    assert "Person 485<" in day_of(client, story.samuel)
    assert '<span class="figure">500</span>' in day_of(client, story.daniel)
    assert '<span class="figure">100</span> invitations waiting' in day_of(client, story.grace)
    assert "You have 20 unread messages." in day_of(client, story.peter)
