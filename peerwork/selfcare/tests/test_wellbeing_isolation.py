"""Organisation isolation of the wellbeing routes alone (the whole walk is
``peerwork/core/tests/test_isolation.py``; this runs its checks on this area's pages and API
operations only, so a change here is checked in a minute rather than the whole walk's)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.module_loading import autodiscover_modules

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.test_isolation import (
    People,
    _schema,
    all_routes,
    api_problems,
    page_problems,
)

pytestmark = pytest.mark.django_db

PAGES = {
    "selfcare:selfcheck",
    "selfcare:selfcheck_remove",
    "selfcare:plan_remove",
    "selfcare:goal_done",
    "selfcare:goal_undo",
    "selfcare:goal_remove",
}
API_PATHS = (
    "/api/v1/relapse-plans/{relapse_plan_id}",
    "/api/v1/weekly-goals/{weekly_goal_id}",
    "/api/v1/self-checks/{self_check_id}",
)


def test_every_wellbeing_page_with_a_parameter_hides_the_other_organisations_records(story):
    autodiscover_modules("isolation")
    routes = [route for route in all_routes() if route.name in PAGES]
    assert {route.name for route in routes} == PAGES
    problems, successes = page_problems(People.of(story), routes)
    assert not problems, "\n".join(problems)
    assert successes >= len(PAGES)


def test_every_wellbeing_api_operation_with_a_parameter_hides_the_other_organisations_records(
    story,
):
    autodiscover_modules("isolation")
    schema = _schema()
    mine = {path: schema["paths"][path] for path in API_PATHS}
    problems, successes = api_problems(People.of(story, tokens=True), {"paths": mine}, [])
    assert not problems, "\n".join(problems)
    assert successes == sum(len(operations) for operations in mine.values())


PARAMETERLESS = (
    "/selfcare/",
    "/selfcare/burnout/",
    "/selfcare/burnout/keep/",
    "/selfcare/grief/",
    "/selfcare/plan/",
    "/selfcare/plan/edit/",
    "/selfcare/goals/",
    "/selfcare/goals/new/",
)
PEOPLE = (
    "amina",
    "ravi",
    "taslima",
    "grace",
    "daniel",
    "samuel",
    "leila",
    "chen",
    "joseph",
    "farah",
    "peter",
    "olena",
    "taras",
)


def test_every_wellbeing_page_without_a_parameter_answers_every_role_without_an_error(story):
    problems = []
    for name in PEOPLE:
        client = signed_in(getattr(story, name))
        for url in PARAMETERLESS:
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if status >= 500 or status not in (200, 302, 404, 405):
                    problems.append(f"{method.upper()} {url} as {name}: {status}")
    assert not problems, "\n".join(problems)
    anonymous = Client()
    for url in PARAMETERLESS:
        response = anonymous.get(url)
        assert response.status_code in (302, 405), url
