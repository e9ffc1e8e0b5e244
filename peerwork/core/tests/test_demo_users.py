import io
import json

import pytest
from django.core.management import CommandError, call_command

from peerwork.core import demo


@pytest.fixture
def seeded(settings, tmp_path, db):
    settings.VAR_DIR = tmp_path
    settings.PEERWORK_DEMO_PASSWORD = "harbour-demo-2026"
    demo.seed()
    return settings


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_users", *args, stdout=out)
    return out.getvalue()


def test_the_json_lists_every_demo_person_with_roles_per_organisation(seeded):
    people = {person["username"]: person for person in json.loads(run("--json"))}
    assert set(people) >= {p.username for p in demo.PEOPLE} | {"operator"}
    assert people["amina"] == {
        "username": "amina",
        "name": "Amina Wanjiru",
        "operator": False,
        "organisations": ["harbourside"],
        "titles": {"harbourside": "Peer outreach worker"},
        "roles": {"harbourside": ["staff"]},
    }
    bashir = people["bashir"]
    assert bashir["organisations"] == ["riverside", "harbourside"]
    assert bashir["roles"] == {"riverside": ["staff", "director"], "harbourside": ["staff"]}
    assert people["operator"]["operator"] is True
    assert people["operator"]["organisations"] == []


def test_the_json_follows_the_story_order_with_the_operator_last(seeded):
    usernames = [person["username"] for person in json.loads(run("--json"))]
    assert usernames == [p.username for p in demo.PEOPLE] + ["operator"]


def test_the_table_shows_names_organisations_and_role_labels(seeded):
    table = run()
    lines = table.splitlines()
    assert lines[0].split() == ["username", "name", "organisation", "role", "title", "roles"]
    ravi = next(line for line in lines if line.startswith("ravi "))
    assert "Ravi Shah" in ravi and "harbourside" in ravi and "Line manager" in ravi
    # Bashir's second organisation is on its own line under his name.
    bashir_at = next(i for i, line in enumerate(lines) if line.startswith("bashir "))
    assert "riverside" in lines[bashir_at] and "Director" in lines[bashir_at]
    assert lines[bashir_at + 1].lstrip().startswith("harbourside")
    assert "Trainer" in lines[bashir_at + 1]


def test_it_never_prints_the_password(seeded):
    assert "harbour-demo-2026" not in run() + run("--json")


def test_people_who_joined_later_are_listed_after_the_story(seeded):
    from django_scopes import scopes_disabled

    from peerwork.core.models import Organisation, Role
    from peerwork.core.services import add_member

    with scopes_disabled():
        add_member(
            organisation=Organisation.objects.get(slug="riverside"),
            username="anna",
            display_name="Anna Koval",
            email="anna@example.org",
            roles=[Role.VOLUNTEER],
            password="another password",
        )
    usernames = [person["username"] for person in json.loads(run("--json"))]
    assert usernames[-1] == "anna"


def test_it_refuses_outside_the_demo(seeded):
    seeded.DEMO = False
    with pytest.raises(CommandError):
        run()
