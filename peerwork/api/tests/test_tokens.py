"""Personal API tokens: the service (peerwork.core.tokens) and the /tokens operations."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import bearer, signed_in
from peerwork.core.models import ApiToken
from peerwork.core.tokens import authenticate_token, create_token, revoke_token

pytestmark = pytest.mark.django_db


def _every_stored_value() -> str:
    """Every value of every table, as text: where a leaked secret would show."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_a_token_has_a_visible_prefix_and_a_256_bit_secret(story):
    token, raw = create_token(member=story.amina, name="calendar sync")
    found = re.fullmatch(r"pw_([0-9a-f]{12})_([A-Za-z0-9_-]+)", raw)
    assert found, raw
    assert found.group(1) == token.prefix
    assert len(found.group(2)) >= 43  # 32 bytes in URL-safe base64
    assert token.expires_at - token.created_at == timedelta(days=90)


def test_only_a_digest_is_stored_and_the_plaintext_is_nowhere_in_the_database(story):
    token, raw = create_token(member=story.amina, name="calendar sync")
    secret = raw.split("_", 2)[2]
    with scopes_disabled():
        stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    everything = _every_stored_value()
    assert token.prefix in everything  # the scan does see the token's row
    assert secret not in everything
    assert raw not in everything


def test_the_right_token_authenticates_and_a_wrong_secret_does_not(story):
    token, raw = create_token(member=story.amina, name="x")
    assert authenticate_token(raw) == token
    forged = f"pw_{token.prefix}_{'A' * 43}"
    assert authenticate_token(forged) is None
    assert authenticate_token(raw + "x") is None
    for malformed in [
        "",
        "pw",
        "pw__",
        f"pw_{token.prefix}_",
        f"pw_{token.prefix}",
        "Bearer",
        "x" * 500,
        "pw_ZZZ_abc",
        "pw_\x00\x00_abc",
    ]:
        assert authenticate_token(malformed) is None


def test_an_expired_token_no_longer_authenticates(story):
    now = timezone.now()
    _token, raw = create_token(member=story.amina, name="x", expires_in_days=1, now=now)
    assert authenticate_token(raw, now=now + timedelta(hours=23)) is not None
    assert authenticate_token(raw, now=now + timedelta(days=1)) is None


def test_a_revoked_token_no_longer_authenticates_and_revoking_again_is_harmless(story):
    token, raw = create_token(member=story.amina, name="x")
    assert revoke_token(member=story.amina, token=token) is True
    assert authenticate_token(raw) is None
    assert revoke_token(member=story.amina, token=token) is False


def test_a_token_of_an_ended_membership_no_longer_authenticates(story):
    _token, raw = create_token(member=story.joseph, name="x")
    with scope(organisation=story.harbourside.pk):
        story.joseph.ended_at = timezone.now() - timedelta(minutes=1)
        story.joseph.save(update_fields=["ended_at"])
    assert authenticate_token(raw) is None


def test_last_used_is_written_at_most_once_a_minute(story):
    now = timezone.now()
    token, raw = create_token(member=story.amina, name="x", now=now)
    authenticate_token(raw, now=now)
    authenticate_token(raw, now=now + timedelta(seconds=30))
    with scopes_disabled():
        assert ApiToken.objects.get(pk=token.pk).last_used_at == now
    authenticate_token(raw, now=now + timedelta(seconds=61))
    with scopes_disabled():
        assert ApiToken.objects.get(pk=token.pk).last_used_at == now + timedelta(seconds=61)


@pytest.mark.parametrize("days", [0, 366, -5])
def test_a_lifetime_outside_one_to_365_days_is_refused(story, days):
    with pytest.raises(ValidationError) as refused:
        create_token(member=story.amina, name="x", expires_in_days=days)
    assert "expires_in_days" in refused.value.message_dict


def test_a_token_needs_a_name(story):
    with pytest.raises(ValidationError) as refused:
        create_token(member=story.amina, name="   ")
    assert "name" in refused.value.message_dict


def test_nobody_revokes_another_persons_token(story):
    token, _raw = create_token(member=story.amina, name="x")
    with pytest.raises(PermissionDenied):
        revoke_token(member=story.chen, token=token)


# --- the API ------------------------------------------------------------------------


def test_the_token_list_shows_the_persons_own_tokens_only(story):
    mine, _raw = create_token(member=story.amina, name="mine")
    create_token(member=story.ravi, name="ravi's")
    response = Client().get("/api/v1/tokens", headers=bearer(story.amina, name="this one"))
    assert response.status_code == 200
    body = response.json()
    assert sorted(item["name"] for item in body["items"]) == ["mine", "this one"]
    assert body["count"] == 2
    item = next(i for i in body["items"] if i["id"] == str(mine.pk))
    assert item["prefix"] == f"pw_{mine.prefix}_…"
    assert item["usable"] is True
    assert "digest" not in item and "token" not in item


def test_a_signed_in_person_makes_a_token_that_then_works(story):
    client = signed_in(story.amina)
    response = client.post(
        "/api/v1/tokens",
        {"name": "calendar", "expires_in_days": 30},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "calendar"
    raw = body["token"]
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200
    assert me.json()["membership"]["id"] == str(story.amina.pk)
    listed = client.get("/api/v1/tokens").json()["items"]
    assert all("token" not in item for item in listed)  # shown once, never again


def test_a_token_cannot_make_more_tokens(story):
    response = Client().post(
        "/api/v1/tokens",
        {"name": "more"},
        content_type="application/json",
        headers=bearer(story.amina),
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert ApiToken.objects.filter(name="more").count() == 0


def test_a_lifetime_over_a_year_does_not_fit_the_schema(story):
    response = signed_in(story.amina).post(
        "/api/v1/tokens",
        {"name": "long", "expires_in_days": 400},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_revoking_through_the_api_makes_the_token_answer_401(story):
    token, raw = create_token(member=story.amina, name="old")
    headers = {"Authorization": f"Bearer {raw}"}
    client = Client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    response = client.post(f"/api/v1/tokens/{token.pk}/revoke", headers=headers)
    assert response.status_code == 200
    assert response.json()["usable"] is False
    assert response.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_another_persons_token_cannot_be_revoked_and_answers_404(story):
    ravis, ravis_raw = create_token(member=story.ravi, name="ravi's")
    response = Client().post(f"/api/v1/tokens/{ravis.pk}/revoke", headers=bearer(story.chen))
    assert response.status_code == 404
    assert authenticate_token(ravis_raw) is not None
    # Ravi himself can: the 404 above is about whose token it is.
    own = Client().post(f"/api/v1/tokens/{ravis.pk}/revoke", headers=bearer(story.ravi))
    assert own.status_code == 200


def test_expired_and_revoked_tokens_and_ended_memberships_get_401(story):
    now = timezone.now()
    _expired, expired_raw = create_token(
        member=story.amina, name="e", expires_in_days=1, now=now - timedelta(days=2)
    )
    revoked, revoked_raw = create_token(member=story.amina, name="r")
    revoke_token(member=story.amina, token=revoked)
    _ended, ended_raw = create_token(member=story.joseph, name="j")
    with scope(organisation=story.harbourside.pk):
        story.joseph.ended_at = now - timedelta(seconds=1)
        story.joseph.save(update_fields=["ended_at"])
    client = Client()
    for raw in (expired_raw, revoked_raw, ended_raw, "pw_000000000000_nothing"):
        response = client.get("/api/v1/teams", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 401, raw
    _fresh, fresh_raw = create_token(member=story.amina, name="fresh")
    assert (
        client.get("/api/v1/teams", headers={"Authorization": f"Bearer {fresh_raw}"}).status_code
        == 200
    )


def test_a_bad_bearer_token_is_refused_even_with_a_valid_session(story):
    client = signed_in(story.amina)
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer pw_000000000000_x"})
    assert response.status_code == 401


def test_making_and_revoking_a_token_are_in_the_audit_chain(story):
    from django_scopes import scope

    from peerwork.core.models import AuditEvent
    from peerwork.core.tokens import create_token, revoke_token

    with scope(organisation=story.harbourside.pk):
        token, _raw = create_token(member=story.grace, name="Reports")
        revoke_token(member=story.grace, token=token)
        events = list(
            AuditEvent.objects.filter(object_id=token.pk).values_list("action", "actor_id")
        )
    assert events == [
        ("api_token.create", story.grace.pk),
        ("api_token.revoke", story.grace.pk),
    ]
