"""/grants, /shared-with-me and /me/reads: sharing chosen answers, reading under a share, and
who saw my data (§2.3; issue 4 items 3 and 4)."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.audit import events_about
from peerwork.core.models import Notification
from peerwork.people import services
from peerwork.people.models import Disclosure, SharingGrant
from peerwork.people.tests.api_calls import call, get, post

pytestmark = pytest.mark.django_db

CANARY = "Canary4096 clinic"


def _disclose_ost(member):
    response = post(
        member,
        "/disclosures",
        {"category": "ost", "answer": {"medicine": "methadone", "prescriber": CANARY}},
    )
    assert response.status_code == 201, response.content
    return response.json()


def _share(owner, **body):
    return post(owner, "/grants", {"purpose": "To plan my start time", **body})


def _share_ost_with(owner, grantee):
    response = _share(owner, audience="person", grantee_id=str(grantee.pk), categories=["ost"])
    assert response.status_code == 201, response.content
    return response.json()


def _grant_count(story):
    with scope(organisation=story.harbourside.pk):
        return SharingGrant.objects.count()


# --- making shares -----------------------------------------------------------------------


def test_a_person_shares_a_category_with_a_colleague_for_six_months(story):
    response = _share(
        story.amina, audience="person", grantee_id=str(story.samuel.pk), categories=["ost"]
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["audience"] == "person"
    assert body["audience_label"] == "A person I choose"
    assert body["grantee"] == {"id": str(story.samuel.pk), "name": "Samuel Kiprop"}
    assert body["team"] is None
    assert body["categories"] == ["ost"]
    assert body["purpose"] == "To plan my start time"
    assert body["state"] == "active"
    assert body["version"] == 1
    assert body["revoked_at"] is None
    ends = dt.datetime.fromisoformat(body["expires_at"])
    assert ends.utcoffset() == dt.timedelta(hours=3)  # Harbourside's zone
    assert dt.timedelta(days=182) < ends - timezone.now() < dt.timedelta(days=184)
    assert response["ETag"] == '"1"'
    again = get(story.amina, f"/grants/{body['id']}")
    assert again.status_code == 200
    assert again.json() == body


def test_a_share_with_the_team_names_the_team_and_has_no_end_unless_one_is_chosen(story):
    team = _share(story.samuel, audience="team", categories=["drug_use"]).json()
    assert team["team"] == {"id": str(story.team.pk), "name": "Outreach"}
    assert team["expires_at"] is None
    chosen = timezone.localdate() + dt.timedelta(days=30)
    until = _share(
        story.samuel, audience="organisation", categories=["drug_use"], expires_on=str(chosen)
    ).json()
    assert until["expires_at"].startswith(chosen.isoformat())


def test_an_unknown_grantee_a_past_end_or_no_category_is_refused_and_nothing_is_shared(story):
    yesterday = str(timezone.localdate() - dt.timedelta(days=1))
    samuel = str(story.samuel.pk)
    refused = [
        ("grantee_id", {"audience": "person", "grantee_id": str(story.taras.pk)}),
        ("grantee_id", {"audience": "person"}),
        ("expires_on", {"audience": "person", "grantee_id": samuel, "expires_on": yesterday}),
        ("categories", {"audience": "person", "grantee_id": samuel, "categories": []}),
    ]
    for field, body in refused:
        response = _share(story.amina, **{"categories": ["ost"], **body})
        assert response.status_code == 400, (field, response.content)
        assert list(response.json()["errors"]) == [field]
        assert response.json()["detail"]
    no_purpose = _share(
        story.amina,
        audience="person",
        grantee_id=str(story.samuel.pk),
        categories=["ost"],
        purpose="  ",
    )
    assert list(no_purpose.json()["errors"]) == ["purpose"]
    assert _grant_count(story) == 0


def test_a_share_that_does_not_fit_the_schema_gets_422(story):
    for body in (
        {},
        {"audience": "friends", "categories": ["ost"], "purpose": "p"},
        {"audience": "person", "categories": ["religion"], "purpose": "p"},
        {"audience": "person", "categories": "ost", "purpose": "p"},
        {"audience": "team", "categories": ["ost"], "purpose": "p", "expires_on": "soon"},
        {"audience": "person", "grantee_id": "ravi", "categories": ["ost"], "purpose": "p"},
    ):
        assert post(story.amina, "/grants", body).status_code == 422, body
    assert _grant_count(story) == 0


def test_my_shares_list_every_state_and_nobody_else_finds_them(story):
    first = _share_ost_with(story.amina, story.samuel)
    second = _share_ost_with(story.amina, story.ravi)
    post(story.amina, f"/grants/{first['id']}/revoke")
    listed = get(story.amina, "/grants").json()
    assert listed["count"] == 2
    states = {g["id"]: g["state"] for g in listed["items"]}
    assert states == {first["id"]: "revoked", second["id"]: "active"}
    for name in ("samuel", "ravi", "grace", "daniel", "chen", "taras"):
        reader = getattr(story, name)
        assert get(reader, f"/grants/{second['id']}").status_code == 404, name
        assert get(reader, "/grants").json()["count"] == 0, name


# --- reading under a share --------------------------------------------------------------


def test_a_grantee_reads_on_the_next_request_and_not_after_the_share_is_stopped(story):
    _disclose_ost(story.amina)
    post(story.amina, "/disclosures", {"category": "health", "answer": {"conditions": ["hiv"]}})
    grant = _share_ost_with(story.amina, story.ravi)

    listed = get(story.ravi, "/shared-with-me").json()
    assert [s["id"] for s in listed["items"]] == [grant["id"]]
    assert listed["items"][0]["owner"] == {"id": str(story.amina.pk), "name": "Amina Wanjiru"}
    assert listed["items"][0]["purpose"] == "To plan my start time"
    shared = get(story.ravi, f"/shared-with-me/{grant['id']}")
    assert shared.status_code == 200
    body = shared.json()
    assert [d["category"] for d in body["disclosures"]] == ["ost"]  # not health
    assert body["disclosures"][0]["answer"]["prescriber"] == CANARY
    assert body["expires_at"] == grant["expires_at"]

    stopped = post(story.amina, f"/grants/{grant['id']}/revoke")
    assert stopped.status_code == 200
    assert stopped.json()["state"] == "revoked"
    after = get(story.ravi, f"/shared-with-me/{grant['id']}")
    assert after.status_code == 404
    assert CANARY not in after.content.decode()
    assert get(story.ravi, "/shared-with-me").json()["count"] == 0


def test_each_read_under_a_share_is_in_the_owners_who_saw_my_data(story):
    _disclose_ost(story.amina)
    grant = _share_ost_with(story.amina, story.ravi)
    get(story.ravi, f"/shared-with-me/{grant['id']}")
    with scope(organisation=story.harbourside.pk):
        ravi_reads = [e for e in events_about(story.amina) if e.actor_id == story.ravi.pk]
        disclosure = Disclosure.objects.get(owner=story.amina)
    assert [(e.action, e.object_id) for e in ravi_reads] == [("disclosure.read", disclosure.pk)]
    reads = get(story.amina, "/me/reads")
    assert reads.status_code == 200
    rows = reads.json()["results"]
    assert rows[0]["actor"] == {"id": str(story.ravi.pk), "name": "Ravi Shah"}
    assert rows[0]["action"] == "disclosure.read"
    assert rows[0]["category"] == "ost"
    assert rows[0]["at"].endswith("+03:00")
    # Nobody else reads Amina's list: each person's /me/reads is their own.
    assert get(story.ravi, "/me/reads").json()["results"] == []


def test_a_read_of_an_answer_removed_since_names_no_category(story):
    _disclose_ost(story.amina)
    grant = _share_ost_with(story.amina, story.ravi)
    get(story.ravi, f"/shared-with-me/{grant['id']}")
    post(story.amina, "/disclosures/remove", {"category": "ost"})
    rows = get(story.amina, "/me/reads").json()["results"]
    assert [(r["actor"]["name"], r["category"]) for r in rows] == [("Ravi Shah", None)]


def test_who_saw_my_data_comes_a_page_at_a_time_with_a_cursor(story):
    _disclose_ost(story.amina)
    grant = _share_ost_with(story.amina, story.ravi)
    for _ in range(5):
        get(story.ravi, f"/shared-with-me/{grant['id']}")
    seen = []
    page = get(story.amina, "/me/reads?page_size=2").json()
    while True:
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        cursor = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
        page = get(story.amina, f"/me/reads?page_size=2&cursor={cursor}").json()
    assert len(seen) == len(set(seen)) == 5


def test_a_cursor_that_names_no_position_does_not_fit(story):
    import base64

    for raw in ("p=abc", "o=many", "p=1&o=-1"):
        cursor = base64.b64encode(raw.encode()).decode()
        assert get(story.amina, f"/me/reads?cursor={cursor}").status_code == 422, raw
    assert get(story.amina, "/me/reads?cursor=%%%").status_code == 422


@pytest.mark.parametrize("reader", ["grace", "daniel", "chen", "samuel", "taslima", "joseph"])
def test_nobody_outside_a_share_reads_it(story, reader):
    _disclose_ost(story.amina)
    grant = _share_ost_with(story.amina, story.ravi)
    response = get(getattr(story, reader), f"/shared-with-me/{grant['id']}")
    assert response.status_code == 404
    assert CANARY not in response.content.decode()
    # And the owner's own share is not "shared with me".
    assert get(story.amina, f"/shared-with-me/{grant['id']}").status_code == 404


def test_another_organisations_share_is_not_found(story):
    with scope(organisation=story.riverside.pk):
        colleague = services.share(
            actor=story.taras, audience="organisation", categories=["ost"], purpose="open"
        )
    for path in (f"/grants/{colleague.pk}", f"/shared-with-me/{colleague.pk}"):
        for name in ("amina", "grace", "chen"):
            assert get(getattr(story, name), path).status_code == 404, (path, name)
    assert post(story.amina, f"/grants/{colleague.pk}/revoke").status_code == 404


def test_an_expired_share_answers_404_to_its_grantee(story):
    _disclose_ost(story.amina)
    with scope(organisation=story.harbourside.pk):
        grant = services.share(
            actor=story.amina,
            audience="person",
            grantee=story.ravi,
            categories=["ost"],
            purpose="p",
            now=timezone.now() - dt.timedelta(days=200),
        )
    assert get(story.ravi, f"/shared-with-me/{grant.pk}").status_code == 404
    assert get(story.ravi, "/shared-with-me").json()["count"] == 0
    assert get(story.amina, f"/grants/{grant.pk}").json()["state"] == "expired"


def test_an_open_share_reaches_working_colleagues_but_not_peer_interviewers_or_outsiders(story):
    post(story.samuel, "/disclosures", {"category": "drug_use", "answer": {"own_words": CANARY}})
    grant = _share(story.samuel, audience="organisation", categories=["drug_use"]).json()
    for name in ("amina", "joseph", "chen", "daniel"):
        response = get(getattr(story, name), f"/shared-with-me/{grant['id']}")
        assert response.status_code == 200, name
        assert response.json()["disclosures"][0]["answer"]["own_words"] == CANARY
    for name in ("peter", "farah", "leila", "taras"):
        response = get(getattr(story, name), f"/shared-with-me/{grant['id']}")
        assert response.status_code == 404, name


# --- changing a share ----------------------------------------------------------------------


def test_a_share_is_renewed_with_the_version_read_and_a_stale_one_gets_409(story):
    grant = _share_ost_with(story.amina, story.samuel)
    chosen = timezone.localdate() + dt.timedelta(days=90)
    renewed = post(
        story.amina, f"/grants/{grant['id']}/renew", {"expires_on": str(chosen)}, if_match=1
    )
    assert renewed.status_code == 200, renewed.content
    assert renewed.json()["expires_at"].startswith(chosen.isoformat())
    assert renewed.json()["version"] == 2
    stale = post(story.amina, f"/grants/{grant['id']}/renew", {}, if_match=1)
    assert stale.status_code == 409
    assert (
        get(story.amina, f"/grants/{grant['id']}").json()["expires_at"]
        == (renewed.json()["expires_at"])
    )
    assert post(story.amina, f"/grants/{grant['id']}/renew", {}).status_code == 422


def test_a_stopped_share_cannot_be_renewed_or_a_past_end_chosen(story):
    grant = _share_ost_with(story.amina, story.samuel)
    past = str(timezone.localdate() - dt.timedelta(days=1))
    refused = post(story.amina, f"/grants/{grant['id']}/renew", {"expires_on": past}, if_match=1)
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["expires_on"]
    post(story.amina, f"/grants/{grant['id']}/revoke")
    stopped = post(story.amina, f"/grants/{grant['id']}/renew", {}, if_match=2)
    assert stopped.status_code == 400
    assert get(story.amina, f"/grants/{grant['id']}").json()["state"] == "revoked"


def test_stopping_with_an_old_version_gets_409_and_without_one_always_stops(story):
    grant = _share_ost_with(story.amina, story.samuel)
    post(story.amina, f"/grants/{grant['id']}/renew", {}, if_match=1)
    stale = post(story.amina, f"/grants/{grant['id']}/revoke", if_match=1)
    assert stale.status_code == 409
    assert get(story.amina, f"/grants/{grant['id']}").json()["state"] == "active"
    assert post(story.amina, f"/grants/{grant['id']}/revoke").json()["state"] == "revoked"
    again = post(story.amina, f"/grants/{grant['id']}/revoke")
    assert again.status_code == 200
    assert again.json()["state"] == "revoked"


def test_a_new_line_manager_pauses_the_share_until_the_owner_confirms_it(story):
    _disclose_ost(story.amina)
    grant = _share(story.amina, audience="line_manager", categories=["ost"]).json()
    assert grant["grantee"]["id"] == str(story.ravi.pk)
    assert get(story.ravi, f"/shared-with-me/{grant['id']}").status_code == 200

    moved = call(
        story.grace,
        "PATCH",
        f"/people/{story.amina.pk}/staff-record",
        {"line_manager_id": str(story.taslima.pk)},
        if_match=0,
    )
    assert moved.status_code == 200, moved.content
    assert get(story.amina, f"/grants/{grant['id']}").json()["state"] == "paused"
    for name in ("ravi", "taslima"):
        assert get(getattr(story, name), f"/shared-with-me/{grant['id']}").status_code == 404

    stale = post(story.amina, f"/grants/{grant['id']}/confirm", if_match=0)
    assert stale.status_code == 409
    confirmed = post(story.amina, f"/grants/{grant['id']}/confirm", if_match=grant["version"])
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["state"] == "active"
    assert confirmed.json()["grantee"]["id"] == str(story.taslima.pk)
    assert get(story.taslima, f"/shared-with-me/{grant['id']}").status_code == 200
    assert get(story.ravi, f"/shared-with-me/{grant['id']}").status_code == 404


def test_confirming_a_share_that_is_not_paused_is_refused(story):
    grant = _share_ost_with(story.amina, story.samuel)
    response = post(story.amina, f"/grants/{grant['id']}/confirm", if_match=1)
    assert response.status_code == 400
    assert response.json()["detail"]
    assert get(story.amina, f"/grants/{grant['id']}").json()["version"] == 1


# --- HR entering for the person -----------------------------------------------------------


def test_hr_enters_an_answer_under_a_share_made_to_them_and_the_person_is_told(story):
    grant = _share(
        story.amina,
        audience="person",
        grantee_id=str(story.grace.pk),
        categories=["accommodations"],
    ).json()
    response = post(
        story.grace,
        f"/shared-with-me/{grant['id']}/disclosures",
        {"category": "accommodations", "answer": {"needs": "Start at 10:45"}},
    )
    assert response.status_code == 201, response.content
    assert response.json()["entered_by"] == {"id": str(story.grace.pk), "name": "Grace Njeri"}
    mine = get(story.amina, "/disclosures").json()
    assert [(d["category"], d["entered_by"]["name"]) for d in mine] == [
        ("accommodations", "Grace Njeri")
    ]
    with scope(organisation=story.harbourside.pk):
        told = Notification.objects.filter(recipient=story.amina, kind__contains="entered")
        assert told.count() == 1


def test_hr_may_not_enter_a_category_the_share_leaves_out_and_nothing_changes(story):
    grant = _share(
        story.amina, audience="person", grantee_id=str(story.grace.pk), categories=["ost"]
    ).json()
    response = post(
        story.grace,
        f"/shared-with-me/{grant['id']}/disclosures",
        {"category": "health", "answer": {"conditions": ["hiv"]}},
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["category"]
    bad = post(
        story.grace,
        f"/shared-with-me/{grant['id']}/disclosures",
        {"category": "ost", "answer": {"medicine": "heroin"}},
    )
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["answer.medicine"]
    with scope(organisation=story.harbourside.pk):
        assert not Disclosure.objects.filter(owner=story.amina).exists()


def test_only_hr_named_in_the_share_enters_for_the_person(story):
    to_ravi = _share_ost_with(story.amina, story.ravi)
    body = {"category": "ost", "answer": {"medicine": "methadone"}}
    assert post(story.ravi, f"/shared-with-me/{to_ravi['id']}/disclosures", body).status_code == (
        404
    )
    # Grace is in the organisation Samuel is open with, but nobody shared with her by name.
    open_share = _share(story.samuel, audience="organisation", categories=["ost"]).json()
    refused = post(story.grace, f"/shared-with-me/{open_share['id']}/disclosures", body)
    assert refused.status_code == 404
    # A share that was stopped lets nobody write.
    to_grace = _share_ost_with(story.amina, story.grace)
    post(story.amina, f"/grants/{to_grace['id']}/revoke")
    stopped = post(story.grace, f"/shared-with-me/{to_grace['id']}/disclosures", body)
    assert stopped.status_code == 404
    with scope(organisation=story.harbourside.pk):
        assert not Disclosure.objects.exists()


def test_the_schema_lists_the_people_operations_with_summaries_and_errors(story):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path_, method in (
        ("/api/v1/grants", "post"),
        ("/api/v1/grants/{grant_id}/revoke", "post"),
        ("/api/v1/shared-with-me/{shared_id}", "get"),
        ("/api/v1/me/reads", "get"),
    ):
        operation = paths[path_][method]
        assert operation["summary"], path_
        assert {"401", "422"} <= set(operation["responses"]), path_
    assert "409" in paths["/api/v1/grants/{grant_id}/renew"]["post"]["responses"]
    text = json.dumps(schema)
    assert '"enum": ["person", "line_manager", "team", "organisation"]' in text
