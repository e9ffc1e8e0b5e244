"""``manage.py create_api_token``: the token last, on its own line; clear refusals."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core.models import ApiToken
from peerwork.core.tokens import authenticate_token

pytestmark = pytest.mark.django_db


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_prints_the_token_last_and_the_token_works_in_that_organisation(story):
    lines = _run("ravi", "--org", "harbourside", "--name", "rota export", "--days", "30")
    raw = lines[-1]
    assert raw.startswith("pw_") and " " not in raw
    assert len(lines) > 1  # the explanation comes first
    assert raw not in "\n".join(lines[:-1])
    token = authenticate_token(raw)
    assert token is not None
    assert token.membership_id == story.ravi.pk
    assert token.name == "rota export"
    assert token.expires_at - token.created_at == timedelta(days=30)
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.json()["membership"]["organisation"]["slug"] == "harbourside"


def test_it_names_the_token_for_the_command_line_by_default(story):
    raw = _run("amina", "--org", "harbourside")[-1]
    token = authenticate_token(raw)
    assert token is not None
    assert token.name == "command line"
    assert token.expires_at - token.created_at == timedelta(days=90)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("nobody", "--org", "harbourside"), "no person"),
        (("amina", "--org", "nowhere"), "no organisation"),
        (("amina", "--org", "riverside"), "not a member"),
        (("amina", "--org", "harbourside", "--days", "0"), "1 to 365"),
        (("amina", "--org", "harbourside", "--days", "400"), "1 to 365"),
    ],
)
def test_it_refuses_clearly_and_makes_no_token(story, args, says):
    with pytest.raises(CommandError, match=says):
        _run(*args)
    with scopes_disabled():
        assert ApiToken.objects.count() == 0


def test_it_refuses_a_membership_that_has_ended(story):
    with scope(organisation=story.harbourside.pk):
        story.olena.ended_at = timezone.now() - timedelta(days=1)
        story.olena.save(update_fields=["ended_at"])
    with pytest.raises(CommandError, match="ended"):
        _run("olena", "--org", "harbourside")
