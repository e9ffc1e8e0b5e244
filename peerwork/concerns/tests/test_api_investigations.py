"""Investigations and named supporters through the API (issue 8 items 4, 5 and 8; §4.7;
shared/API.md): HR opens one and names investigators; a supporter named investigator is
refused (400, the rule in words, audited, nothing saved); every kind of supporter gets 404
for it like an outsider, audited; the inside is null for those who may not read it; PATCH
writes findings and a suspension with If-Match (409 when stale); completing needs findings;
supporters are named and ended, an investigator refused as one."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from peerwork.people.tests.api_calls import call, get, post

from .. import investigations
from ..models import Concern, Investigator, NamedSupporter
from .test_investigations import (
    SUPPORTER_KINDS,
    make_supporter,
    named,
    opened,
    refusals,
    supply_concern,
    today_there,
)

pytestmark = pytest.mark.django_db


def with_investigator(story, investigation):
    with scope(organisation=story.harbourside.pk):
        investigations.add_investigator(
            actor=story.grace, investigation=investigation, member=story.taslima
        )
    return investigation


def test_hr_opens_an_investigation_and_names_an_investigator(story):
    concern = supply_concern(story)
    body = {"concern": str(concern.pk)}
    assert post(story.ravi, "/investigations", body).status_code == 403
    assert post(story.samuel, "/investigations", body).status_code == 400  # not his to see
    answer = post(story.grace, "/investigations", body)
    assert answer.status_code == 201
    made = answer.json()
    assert made["state"] == "open" and made["inside"] is True and made["investigators"] == []
    assert any("presumed innocent" in line for line in made["standing"])
    assert post(story.grace, "/investigations", body).status_code == 400  # one per concern
    path = f"/investigations/{made['id']}"
    added = post(story.grace, f"{path}/investigators", {"member": str(story.taslima.pk)})
    assert added.status_code == 201
    assert [p["name"] for p in added.json()["investigators"]] == ["Taslima Akter"]
    assert (
        post(story.taslima, f"{path}/investigators", {"member": str(story.daniel.pk)}).status_code
        == 403
    )
    unknown = post(story.grace, f"{path}/investigators", {"member": str(story.taras.pk)})
    assert unknown.status_code == 400 and "member" in unknown.json()["errors"]


@pytest.mark.parametrize("kind", SUPPORTER_KINDS)
def test_a_supporter_named_investigator_is_refused_in_words_and_audited(story, kind):
    investigation = opened(story)
    supporter = make_supporter(story, kind, investigation.concern)
    refused = post(
        story.grace,
        f"/investigations/{investigation.pk}/investigators",
        {"member": str(supporter.pk)},
    )
    assert refused.status_code == 400
    message = " ".join(refused.json()["errors"]["member"])
    assert supporter.name in message and "§4.7" in message
    with scope(organisation=story.harbourside.pk):
        assert not Investigator.objects.exists()
    assert refusals("concerns.investigator_refused", story.grace) == 1


@pytest.mark.parametrize("kind", SUPPORTER_KINDS)
def test_every_kind_of_supporter_gets_404_for_the_investigation_and_is_audited(story, kind):
    investigation = with_investigator(story, opened(story))
    supporter = make_supporter(story, kind, investigation.concern)
    path = f"/investigations/{investigation.pk}"
    outsider = get(story.peter, path)
    for answer in (
        get(supporter, path),
        call(supporter, "PATCH", path, {"findings": "mine"}, if_match=investigation.version),
        post(supporter, f"{path}/complete", {"outcome": "support"}, if_match=1),
    ):
        assert answer.status_code == 404 == outsider.status_code
        assert answer.json() == outsider.json()
    assert refusals("concerns.investigation_read_refused", supporter) == 3
    listed = get(supporter, "/investigations")
    assert listed.status_code == 404 or str(investigation.pk) not in listed.content.decode()


def test_the_inside_is_null_for_those_who_may_not_read_it(story):
    investigation = with_investigator(story, opened(story))
    path = f"/investigations/{investigation.pk}"
    with scope(organisation=story.harbourside.pk):
        investigations.record_findings(
            actor=story.taslima, investigation=investigation, findings="Nothing seen."
        )
    for reader in (story.grace, story.taslima):
        seen = get(reader, path).json()
        assert seen["inside"] is True and seen["findings"] == "Nothing seen."
        assert seen["investigators"][0]["name"] == "Taslima Akter"
    for reader in (story.amina, story.ravi):
        seen = get(reader, path).json()
        assert seen["inside"] is False
        assert seen["findings"] is None and seen["investigators"] is None
        assert seen["outcome"] is None
    assert get(story.taslima, path).json()["supporters"] is None  # an investigator, as such
    assert get(story.amina, path).json()["supporters"] == []
    mine = get(story.amina, "/investigations").json()["items"]
    assert [row["id"] for row in mine] == [str(investigation.pk)]


def test_patch_writes_findings_and_a_suspension_with_if_match(story):
    investigation = with_investigator(story, opened(story))
    path = f"/investigations/{investigation.pk}"
    current = get(story.grace, path)
    version = current.json()["version"]
    assert current["ETag"] == f'"{version}"'
    assert call(story.taslima, "PATCH", path, {"findings": "x"}).status_code == 422
    written = call(story.taslima, "PATCH", path, {"findings": "A first talk."}, if_match=version)
    assert written.status_code == 200 and written.json()["findings"] == "A first talk."
    stale = call(story.grace, "PATCH", path, {"findings": "Over it."}, if_match=version)
    assert stale.status_code == 409
    today = today_there(story)
    dates = {
        "suspended_from": today.isoformat(),
        "suspended_until": (today + dt.timedelta(days=10)).isoformat(),
    }
    version = written.json()["version"]
    by_investigator = call(story.taslima, "PATCH", path, dates, if_match=version)
    assert by_investigator.status_code == 403
    no_support = call(story.grace, "PATCH", path, dates, if_match=version)
    assert no_support.status_code == 400 and "support" in no_support.json()["detail"]
    named(story, investigation.concern, story.joseph)
    suspended = call(story.grace, "PATCH", path, dates, if_match=version)
    assert suspended.status_code == 200 and suspended.json()["suspended_now"] is True
    assert get(story.amina, path).json()["suspended_until"] == dates["suspended_until"]
    ended = call(
        story.grace,
        "PATCH",
        path,
        {"suspended_from": None, "suspended_until": None},
        if_match=suspended.json()["version"],
    )
    assert ended.status_code == 200 and ended.json()["suspended_from"] is None


def test_completing_needs_findings_and_closes_the_concern(story):
    investigation = with_investigator(story, opened(story))
    path = f"/investigations/{investigation.pk}"
    version = get(story.grace, path).json()["version"]
    assert post(story.grace, f"{path}/complete", {"outcome": "support"}).status_code == 422
    bare = post(story.grace, f"{path}/complete", {"outcome": "support"}, if_match=version)
    assert bare.status_code == 400 and "findings" in bare.json()["errors"]
    wrong = post(story.grace, f"{path}/complete", {"outcome": "guilty"}, if_match=version)
    assert wrong.status_code == 422
    by_manager = post(
        story.ravi, f"{path}/complete", {"outcome": "support", "findings": "x"}, if_match=version
    )
    assert by_manager.status_code == 403
    done = post(
        story.grace,
        f"{path}/complete",
        {"outcome": "no_grounds", "findings": "The client mistook someone else."},
        if_match=version,
    )
    assert done.status_code == 200 and done.json()["state"] == "closed"
    with scope(organisation=story.harbourside.pk):
        concern = Concern.objects.get(pk=investigation.concern_id)
    assert concern.outcome == "no_grounds" and not concern.is_open()
    seen = get(story.amina, path).json()
    assert seen["inside"] is True and seen["outcome"] == "no_grounds"
    assert seen["findings"] == "The client mistook someone else." and seen["standing"] == []


def test_taking_an_investigator_off(story):
    investigation = with_investigator(story, opened(story))
    path = f"/investigations/{investigation.pk}/investigators"
    assert call(story.ravi, "DELETE", f"{path}/{story.taslima.pk}").status_code == 403
    assert call(story.grace, "DELETE", f"{path}/{story.daniel.pk}").status_code == 404
    gone = call(story.grace, "DELETE", f"{path}/{story.taslima.pk}")
    assert gone.status_code == 200 and gone.json()["removed"] is True
    assert call(story.grace, "DELETE", f"{path}/{story.taslima.pk}").status_code == 404


# --- named supporters --------------------------------------------------------------------------


def test_supporters_are_named_and_an_investigator_is_refused_as_one(story):
    investigation = with_investigator(story, opened(story))
    path = f"/concerns/{investigation.concern_id}/supporters"
    refused = post(story.amina, path, {"member": str(story.taslima.pk)})
    assert refused.status_code == 400
    assert "cannot support you" in refused.json()["errors"]["member"][0]
    assert refusals("concerns.supporter_refused", story.amina) == 1
    made = post(story.amina, path, {"member": str(story.joseph.pk)})
    assert made.status_code == 201 and made.json()["member"]["name"] == "Joseph Otieno"
    by_hr = post(story.grace, path, {"member": str(story.olena.pk)})
    assert by_hr.status_code == 201
    assert post(story.joseph, path, {"member": str(story.olena.pk)}).status_code == 403
    names = [row["member"]["name"] for row in get(story.joseph, path).json()["items"]]
    assert names == ["Joseph Otieno", "Olena Petrenko"]
    for outsider in (story.taslima, story.samuel, story.daniel, story.taras):
        assert get(outsider, path).status_code == 404, outsider
    row = made.json()["id"]
    assert call(story.ravi, "DELETE", f"/named-supporters/{row}").status_code == 403
    assert call(story.taslima, "DELETE", f"/named-supporters/{row}").status_code == 404
    assert call(story.joseph, "DELETE", f"/named-supporters/{row}").status_code == 200
    with scope(organisation=story.harbourside.pk):
        assert list(NamedSupporter.objects.values_list("member", flat=True)) == [story.olena.pk]
