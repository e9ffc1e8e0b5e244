"""The risk circle through the API (issue 7 items 1 and 9; shared/API.md): my circle read
and saved with ``If-Match`` (409 when stale), bad input answered 400 with the fields named
and nothing saved, versions and a comparison, a big change, openings made and closed,
suggestions made by the person it is opened to and decided by the owner, and deletion.
Who may read what is in ``test_circle_privacy``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django_scopes import scope

from peerwork.api.tests.helpers import bearer
from peerwork.selfcare.models import Opening
from peerwork.selfcare.tests.test_circle_pages import (
    ARREST,
    DEBT,
    NEEDLE,
    areas_of,
    circle_of,
    keep_circle,
    local_today,
    open_to,
    suggest,
    versions_of,
)

pytestmark = pytest.mark.django_db

MINE = "/api/v1/risk-circles/mine"


class Api:
    """JSON calls as one person, through their token."""

    def __init__(self, member: Any) -> None:
        self.client = Client()
        self.headers = bearer(member)

    def call(self, method: str, url: str, body: object = None, **headers: str) -> Any:
        all_headers = {**self.headers, **headers}
        if body is None:
            return getattr(self.client, method)(url, headers=all_headers)
        return getattr(self.client, method)(
            url, body, content_type="application/json", headers=all_headers
        )


def test_without_a_circle_mine_is_404_and_a_put_makes_it(story):
    api = Api(story.amina)
    assert api.call("get", MINE).status_code == 404
    response = api.call("put", MINE, {"areas": [ARREST, NEEDLE]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [a["name"] for a in body["areas"]] == [ARREST["name"], NEEDLE["name"]]
    assert body["areas"][0]["suggested_rating"] == 5
    assert body["talk_first"] == [body["areas"][0]["key"], body["areas"][1]["key"]]
    assert body["version"] == 1 and body["versions"] == 1
    assert body["review_due_on"] == str(
        local_today(story).replace(year=local_today(story).year + 1)
    )
    assert "You have listed 2 risk areas" in body["note"]
    assert response["ETag"] == '"1"'
    assert body["person"]["name"] == "Amina Wanjiru"


def test_a_save_names_the_version_it_read_and_a_stale_one_is_409(story):
    api = Api(story.amina)
    api.call("put", MINE, {"areas": [ARREST]})
    assert api.call("put", MINE, {"areas": [DEBT]}).status_code == 409  # read none
    response = api.call("put", MINE, {"areas": [ARREST, DEBT]}, **{"If-Match": '"1"'})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert api.call("put", MINE, {"areas": [NEEDLE]}, **{"If-Match": '"1"'}).status_code == 409
    assert [a.name for a in areas_of(story.amina)] == [ARREST["name"], DEBT["name"]]


@pytest.mark.parametrize(
    ("area", "field", "message"),
    [
        ({**NEEDLE, "rating": 0}, "areas.1.rating", "Rate this risk with a whole number"),
        ({**NEEDLE, "rating": 11}, "areas.1.rating", "Rate this risk with a whole number"),
        ({**NEEDLE, "rating": None}, "areas.1.rating", "Rate this risk with a whole number"),
        ({**NEEDLE, "name": " "}, "areas.1.name", "Give this risk area a name."),
        ({**NEEDLE, "likelihood": 6}, "areas.1.likelihood", "Choose how likely"),
        ({**NEEDLE, "key": "not-hex!"}, "areas.1.key", "8 hexadecimal digits"),
    ],
)
def test_bad_areas_are_400_with_the_field_named_and_nothing_saved(story, area, field, message):
    response = Api(story.amina).call("put", MINE, {"areas": [ARREST, area]})
    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]
    assert circle_of(story.amina) is None


def test_a_rating_that_is_not_a_number_does_not_fit_the_schema(story):
    response = Api(story.amina).call("put", MINE, {"areas": [{**ARREST, "rating": "abc"}]})
    assert response.status_code == 422
    assert circle_of(story.amina) is None


def test_versions_are_listed_newest_first_and_compared(story):
    keep_circle(story.amina, [ARREST, NEEDLE])
    keys = [a.key for a in areas_of(story.amina)]
    keep_circle(story.amina, [{**ARREST, "key": keys[0], "rating": 9}, DEBT])
    api = Api(story.amina)
    body = api.call("get", f"{MINE}/versions").json()
    assert [v["number"] for v in body["items"]] == [2, 1]
    response = api.call("get", f"{MINE}/compare?older=1&newer=2")
    assert response.status_code == 200
    found = response.json()
    assert [a["name"] for a in found["added"]] == [DEBT["name"]]
    assert [a["name"] for a in found["removed"]] == [NEEDLE["name"]]
    assert found["rating_up"] == [{"key": keys[0], "name": ARREST["name"], "before": 7, "after": 9}]
    assert api.call("get", f"{MINE}/compare?older=1&newer=7").status_code == 404


def test_a_big_change_makes_the_review_due_today(story):
    keep_circle(story.amina)
    api = Api(story.amina)
    assert api.call("post", f"{MINE}/big-change", {}).status_code == 422  # If-Match needed
    response = api.call("post", f"{MINE}/big-change", {}, **{"If-Match": '"1"'})
    assert response.status_code == 200
    assert response.json()["review_due"] is True
    assert response.json()["review_due_on"] == str(local_today(story))
    assert api.call("post", f"{MINE}/big-change", {}, **{"If-Match": '"1"'}).status_code == 409


def test_openings_are_made_listed_and_closed(story):
    keep_circle(story.amina)
    api = Api(story.amina)
    until = local_today(story) + dt.timedelta(days=14)
    response = api.call(
        "post", f"{MINE}/openings", {"grantee": str(story.samuel.pk), "until": str(until)}
    )
    assert response.status_code == 201, response.content
    opening = response.json()
    assert opening["grantee"]["name"] == "Samuel Kiprop"
    assert [o["id"] for o in api.call("get", f"{MINE}/openings").json()] == [opening["id"]]
    closed = api.call("delete", f"/api/v1/risk-circle-openings/{opening['id']}")
    assert closed.status_code == 200 and closed.json()["closed_at"] is not None
    assert api.call("get", f"{MINE}/openings").json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"until": "yesterday"}, "until"),
        ({"until": "far"}, "until"),
        ({"days": 0}, "days"),
        ({"days": 365}, "days"),
        ({"days": 10**12}, "days"),
        ({}, "until"),
        ({"until": "1900-01-01"}, "until"),
    ],
)
def test_an_expiry_in_the_past_or_too_far_is_400_and_nothing_opened(story, body, field):
    keep_circle(story.amina)
    today = local_today(story)
    dates = {"yesterday": today - dt.timedelta(days=1), "far": today + dt.timedelta(days=91)}
    body = {
        key: str(dates.get(str(value), value)) if key == "until" else value
        for key, value in body.items()
    }
    response = Api(story.amina).call(
        "post", f"{MINE}/openings", {"grantee": str(story.samuel.pk), **body}
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    with scope(organisation=story.harbourside.pk):
        assert not Opening.objects.exists()


def test_it_opens_only_to_a_mentor_her_own_manager_or_her_own_coach(story):
    keep_circle(story.amina)
    api = Api(story.amina)
    for person in (story.joseph, story.leila, story.taslima, story.taras, story.amina):
        response = api.call("post", f"{MINE}/openings", {"grantee": str(person.pk), "days": 7})
        assert response.status_code == 400, person
        assert "grantee" in response.json()["errors"]
    response = api.call("post", f"{MINE}/openings", {"grantee": str(story.ravi.pk), "days": 7})
    assert response.status_code == 201


def test_the_person_it_is_opened_to_suggests_and_the_owner_keeps_it(story):
    circle = keep_circle(story.amina)
    open_to(story.amina, story.samuel)
    samuel = Api(story.samuel)
    listed = samuel.call("get", "/api/v1/risk-circles/opened").json()
    assert [(o["circle"], o["person"]["name"]) for o in listed] == [
        (str(circle.pk), "Amina Wanjiru")
    ]
    area = areas_of(story.amina)[1].key
    response = samuel.call(
        "post",
        f"/api/v1/risk-circles/opened/{circle.pk}/suggestions",
        {"area": area, "ring": "prevention", "text": "Gloves in every kit bag."},
    )
    assert response.status_code == 201, response.content
    suggestion = response.json()
    assert suggestion["accepted"] is None and suggestion["area_name"] == NEEDLE["name"]
    read = samuel.call("get", f"/api/v1/risk-circles/opened/{circle.pk}").json()
    assert [s["id"] for s in read["my_suggestions"]] == [suggestion["id"]]
    # He may not decide it.
    accept = f"/api/v1/risk-circle-suggestions/{suggestion['id']}/accept"
    assert samuel.call("post", accept, {}).status_code == 403
    amina = Api(story.amina)
    waiting = amina.call("get", f"{MINE}/suggestions").json()["items"]
    assert [s["id"] for s in waiting] == [suggestion["id"]]
    response = amina.call("post", accept, {})
    assert response.status_code == 200 and response.json()["accepted"] is True
    assert (
        areas_of(story.amina)[1].prevention == f"{NEEDLE['prevention']}\nGloves in every kit bag."
    )
    assert versions_of(story.amina) == [1, 2]
    assert amina.call("post", accept, {}).status_code == 400  # decided once


def test_the_owner_declines_a_suggestion(story):
    keep_circle(story.amina)
    open_to(story.amina, story.samuel)
    suggestion = suggest(story.samuel, story.amina)
    response = Api(story.amina).call(
        "post", f"/api/v1/risk-circle-suggestions/{suggestion.pk}/decline", {}
    )
    assert response.status_code == 200 and response.json()["accepted"] is False
    assert areas_of(story.amina)[0].prevention == ARREST["prevention"]


def test_a_suggestion_on_an_unknown_area_or_empty_is_400(story):
    circle = keep_circle(story.amina)
    open_to(story.amina, story.samuel)
    response = Api(story.samuel).call(
        "post",
        f"/api/v1/risk-circles/opened/{circle.pk}/suggestions",
        {"area": "0badc0de", "ring": "management", "text": ""},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"area", "text"}


def test_the_owner_deletes_her_circle(story):
    keep_circle(story.amina)
    api = Api(story.amina)
    assert api.call("delete", MINE, **{"If-Match": '"7"'}).status_code == 409
    response = api.call("delete", MINE, **{"If-Match": '"1"'})
    assert response.status_code == 200 and response.json()["deleted"] is True
    assert circle_of(story.amina) is None
    assert api.call("get", MINE).status_code == 404


def test_people_without_the_self_care_tools_have_no_circle_of_their_own(story):
    api = Api(story.leila)  # an external coach
    assert api.call("get", MINE).status_code == 404
    assert api.call("put", MINE, {"areas": [ARREST]}).status_code == 404
    assert api.call("get", "/api/v1/risk-circles/opened").json() == []
