"""Organisation isolation of the risk circle's routes alone, with the walker of
``peerwork.core.tests.test_isolation`` (which walks every route of every module and so runs
long): each circle page and API operation with a parameter answers every Harbourside
member 404 for Riverside's real object and leaves it unchanged, while its Riverside owner
succeeds (the makers are in ``peerwork.selfcare.isolation_circle``)."""

from __future__ import annotations

import pytest
from django.utils.module_loading import autodiscover_modules

from peerwork.core.tests.test_isolation import (
    People,
    _schema,
    all_routes,
    api_problems,
    page_problems,
)

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
