"""Organisation isolation of the risk circle's routes alone, with the walker of
``peerwork.core.tests.test_isolation`` (which walks every route of every module and so runs
long): each circle page and API operation with a parameter answers every Harbourside
member 404 for Riverside's real object and leaves it unchanged, while its Riverside owner
succeeds (the makers are in ``peerwork.selfcare.isolation_circle``); and each circle
route without parameters answers every role without an error, and people not signed in
with sign-in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.module_loading import autodiscover_modules

from peerwork.api.tests.helpers import bearer, signed_in
from peerwork.core.tests.test_isolation import (
    People,
    _schema,
    all_routes,
    api_problems,
    page_problems,
)
from peerwork.people.tests.helpers import EVERYONE
from peerwork.selfcare.tests.test_circle_pages import keep_circle

pytestmark = pytest.mark.django_db


def circle_routes():
    return [
        route
        for route in all_routes()
        if route.parameters
        and ("circle" in route.name or "suggestion" in route.name)
        and route.name.startswith("selfcare:")
    ]


def test_every_circle_page_with_a_parameter_hides_the_other_organisations_objects(story):
    autodiscover_modules("isolation")
    routes = circle_routes()
    assert len(routes) == 5
    problems, successes = page_problems(People.of(story), routes)
    assert not problems, "\n".join(problems)
    assert successes == len(routes)


def test_every_circle_api_operation_with_a_parameter_hides_the_other_organisations_objects(
    story,
):
    autodiscover_modules("isolation")
    schema = _schema()
    schema["paths"] = {
        path: operations
        for path, operations in schema["paths"].items()
        if path.startswith(("/api/v1/risk-circle", "/api/v1/risk-circles"))
    }
    operations = [m for path, ops in schema["paths"].items() if "{" in path for m in ops]
    assert len(operations) == 6
    problems, successes = api_problems(People.of(story, tokens=True), schema, [])
    assert not problems, "\n".join(problems)
    assert successes == len(operations)


PAGES = (
    "/selfcare/circle/",
    "/selfcare/circle/edit/",
    "/selfcare/circle/changed/",
    "/selfcare/circle/delete/",
    "/selfcare/circle/versions/",
    "/selfcare/circle/open/",
    "/selfcare/circle/opened/",
)
API_CALLS = (
    ("get", "/api/v1/risk-circles/mine"),
    ("put", "/api/v1/risk-circles/mine"),
    ("delete", "/api/v1/risk-circles/mine"),
    ("post", "/api/v1/risk-circles/mine/big-change"),
    ("get", "/api/v1/risk-circles/mine/versions"),
    ("get", "/api/v1/risk-circles/mine/compare?older=1&newer=2"),
    ("get", "/api/v1/risk-circles/mine/openings"),
    ("post", "/api/v1/risk-circles/mine/openings"),
    ("get", "/api/v1/risk-circles/mine/suggestions"),
    ("get", "/api/v1/risk-circles/opened"),
)


def test_every_circle_route_without_parameters_answers_every_role_without_an_error(story):
    keep_circle(story.amina)
    for name in EVERYONE:
        member = getattr(story, name)
        client, headers = signed_in(member), bearer(member)
        for url in PAGES:
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                assert status < 500, (method, url, name, status)
        for method, url in API_CALLS:
            response = (
                getattr(Client(), method)(url, {}, content_type="application/json", headers=headers)
                if method in ("put", "post")
                else getattr(Client(), method)(url, headers=headers)
            )
            assert response.status_code < 500, (method, url, name, response.status_code)
    anonymous = Client()
    for url in PAGES:
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url)
            assert response.status_code in (302, 405), (method, url)
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/")
    for method, url in API_CALLS:
        assert getattr(anonymous, method)(url).status_code == 401, (method, url)
