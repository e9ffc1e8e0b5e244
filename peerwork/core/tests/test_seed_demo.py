import io
import stat

import pytest
from django.apps import apps
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from peerwork.core import access, demo
from peerwork.core.models import (
    Membership,
    MembershipRole,
    Organisation,
    Role,
    SupportRelationship,
    User,
)

PASSWORD = "harbour-demo-2026"


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = PASSWORD
    return settings


def row_counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.app_label in ("core", "auth")
        }


def member(slug: str, username: str) -> Membership:
    return Membership.objects.select_related("user", "organisation").get(
        organisation__slug=slug, user__username=username
    )


@pytest.mark.django_db
def test_a_second_run_changes_nothing(demo_settings):
    call_command("seed_demo", stdout=io.StringIO())
    counts = row_counts()
    hashes = dict(User.objects.values_list("username", "password"))
    with scopes_disabled():
        memberships = sorted(
            Membership.objects.values_list("id", "title", "team_id", "line_manager_id", "version")
        )
        grants = sorted(MembershipRole.objects.values_list("id", "membership_id", "role"))

    second = demo.seed()

    assert second.changes == 0
    assert row_counts() == counts
    assert dict(User.objects.values_list("username", "password")) == hashes
    with scopes_disabled():
        assert (
            sorted(
                Membership.objects.values_list(
                    "id", "title", "team_id", "line_manager_id", "version"
                )
            )
            == memberships
        )
        assert sorted(MembershipRole.objects.values_list("id", "membership_id", "role")) == grants


@pytest.mark.django_db
def test_it_seeds_both_organisations_with_their_people(demo_settings):
    demo.seed()
    harbourside = Organisation.objects.get(slug="harbourside")
    riverside = Organisation.objects.get(slug="riverside")
    assert harbourside.name == "Harbourside Harm Reduction"
    assert (harbourside.time_zone, harbourside.languages) == ("Africa/Nairobi", ["en", "sw"])
    assert riverside.name == "Riverside Drug User Network"
    assert (riverside.time_zone, riverside.languages) == ("Europe/Kyiv", ["uk", "ru"])
    with scopes_disabled():
        usernames = set(User.objects.values_list("username", flat=True))
        assert {
            "amina",
            "joseph",
            "olena",
            "ravi",
            "grace",
            "daniel",
            "samuel",
            "leila",
            "chen",
            "bashir",
            "taras",
            "oksana",
            "operator",
        } <= usernames
        assert member("harbourside", "amina").user.display_name == "Amina Wanjiru"
        assert member("harbourside", "ravi").roles == {Role.STAFF, Role.LINE_MANAGER}
        assert member("harbourside", "grace").roles == {Role.STAFF, Role.HR}
        assert member("harbourside", "daniel").roles == {Role.STAFF, Role.DIRECTOR}
        assert member("harbourside", "samuel").roles == {Role.STAFF, Role.PEER_MENTOR}
        assert member("harbourside", "leila").roles == {Role.COACH}
        assert member("harbourside", "chen").roles == {Role.ORG_ADMIN}
        assert member("harbourside", "joseph").roles == {Role.VOLUNTEER}
        assert member("riverside", "taras").roles == {Role.STAFF, Role.LINE_MANAGER}
        assert member("riverside", "oksana").roles == {Role.STAFF, Role.PEER_MENTOR}


@pytest.mark.django_db
def test_ravi_line_manages_amina_joseph_and_olena(demo_settings):
    demo.seed()
    with scopes_disabled():
        ravi = member("harbourside", "ravi")
        reports = {m.user.username for m in Membership.objects.filter(line_manager=ravi)}
        assert reports == {"amina", "joseph", "olena"}
        assert all(ravi.manages(member("harbourside", name)) for name in reports)


@pytest.mark.django_db
def test_samuel_mentors_amina_and_leila_coaches_olena(demo_settings):
    demo.seed()
    with scopes_disabled():
        assert access.supports(member("harbourside", "samuel"), member("harbourside", "amina"))
        assert access.supports(member("harbourside", "leila"), member("harbourside", "olena"))
        assert not access.supports(member("harbourside", "samuel"), member("harbourside", "olena"))
        kinds = {
            (r.supporter.user.username, r.person.user.username): r.kind
            for r in SupportRelationship.objects.select_related("supporter__user", "person__user")
        }
    assert kinds[("samuel", "amina")] == SupportRelationship.Kind.MENTOR
    assert kinds[("leila", "olena")] == SupportRelationship.Kind.COACH


@pytest.mark.django_db
def test_bashir_directs_riverside_and_trains_at_harbourside(demo_settings):
    demo.seed()
    with scopes_disabled():
        riverside = member("riverside", "bashir")
        harbourside = member("harbourside", "bashir")
        assert Role.DIRECTOR in riverside.roles
        assert harbourside.roles == {Role.STAFF}
    assert riverside.user_id == harbourside.user_id
    assert harbourside.title == "Trainer"


@pytest.mark.django_db
def test_at_riverside_taras_manages_someone_and_oksana_mentors_outside_her_line(demo_settings):
    demo.seed()
    with scopes_disabled():
        taras = member("riverside", "taras")
        oksana = member("riverside", "oksana")
        assert Membership.objects.filter(line_manager=taras).exists()
        mentees = [r.person for r in SupportRelationship.objects.filter(supporter=oksana)]
    assert mentees
    assert all(
        not oksana.manages(mentee) and mentee.line_manager_id != oksana.pk for mentee in mentees
    )


@pytest.mark.django_db
def test_no_supporter_line_manages_the_person_they_support(demo_settings):
    """Mentoring and coaching sit outside line management (§3.11)."""
    demo.seed()
    with scopes_disabled():
        relationships = list(SupportRelationship.objects.select_related("supporter", "person"))
    assert len(relationships) == len(demo.SUPPORT)
    for relationship in relationships:
        assert relationship.person.line_manager_id != relationship.supporter_id


@pytest.mark.django_db
def test_titles_use_respectful_language(demo_settings):
    demo.seed()
    avoided = ("clean", "addict", "junkie", "abuse", "misuse", "dirty", "ex-user", "user")
    with scopes_disabled():
        titles = list(Membership.objects.values_list("title", flat=True))
    assert all(titles)
    assert not [t for t in titles if any(word in t.lower().split() for word in avoided)]


@pytest.mark.django_db
def test_the_operator_is_a_superuser_with_no_organisation(demo_settings):
    demo.seed()
    operator = User.objects.get(username="operator")
    assert operator.is_superuser and operator.is_staff
    with scopes_disabled():
        assert not Membership.objects.filter(user=operator).exists()


@pytest.mark.django_db
def test_everyone_signs_in_with_the_configured_password(demo_settings):
    demo.seed()
    people = User.objects.all()
    assert people.count() >= 15
    assert all(check_password(PASSWORD, user.password) for user in people)
    assert not (demo_settings.VAR_DIR / "demo-password").exists()


@pytest.mark.django_db
def test_a_generated_password_is_kept_private_and_reused(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = ""
    demo.seed()
    path = tmp_path / "demo-password"
    password = path.read_text().strip()
    assert len(password) >= 12
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert User.objects.get(username="amina").check_password(password)

    assert demo.seed().changes == 0
    assert path.read_text().strip() == password


@pytest.mark.django_db
def test_a_changed_demo_password_is_given_to_everyone(demo_settings):
    demo.seed()
    demo_settings.PEERWORK_DEMO_PASSWORD = "another-demo-password"
    demo.seed()
    assert User.objects.get(username="olena").check_password("another-demo-password")
    assert not User.objects.get(username="olena").check_password(PASSWORD)


@pytest.mark.django_db
def test_a_rerun_puts_the_story_back_after_changes(demo_settings):
    demo.seed()
    with scopes_disabled():
        amina = member("harbourside", "amina")
        amina.line_manager = None
        amina.title = "Changed"
        amina.save(update_fields=["line_manager", "title"])
        amina.role_grants.all().delete()
    assert demo.seed().changes > 0
    with scopes_disabled():
        amina = member("harbourside", "amina")
        assert amina.line_manager.user.username == "ravi"
        assert amina.title == "Peer outreach worker"
        assert amina.roles == {Role.STAFF}


@pytest.mark.django_db
def test_it_refuses_to_run_outside_the_demo(demo_settings):
    demo_settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    with pytest.raises(ImproperlyConfigured):
        demo.seed()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_later_modules_add_steps_that_run_after_the_core_story(demo_settings):
    seen = []

    @demo.seed_step("a later module's part of the story")
    def later(context: demo.DemoContext) -> None:
        seen.append(context.member("harbourside", "amina").user.username)

    try:
        demo.seed()
        assert demo.steps()[-1] == "a later module's part of the story"
        with pytest.raises(ImproperlyConfigured):
            demo.seed_step("a later module's part of the story")(later)
    finally:
        demo._steps[:] = [step for step in demo._steps if step.run is not later]
    assert seen == ["amina"]


def test_the_command_reports_what_it_did(demo_settings, db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Demo seeded: 2 organisations" in out
    assert "nothing changed" in out
