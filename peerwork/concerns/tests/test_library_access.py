"""The ``library`` column of the [record: concerns] rows of the access matrix, walked through
the library's pages with the real people of the shared story (issue 8 item 6; App. 10).

- list (L) is the list page, ``/concerns/library/``; read (R) is a case's page.
- change (C) and delete (D): nothing changes through the library; its pages answer only
  reading (405 to a POST, for everyone who may read them; 404 for the others).
- export (E): the cases are the same text for every organisation and belong to nobody, so
  no own-data export holds them; every row denies it.

The library holds no organisation's data, so the row of a member of another organisation
asks whether anything of Harbourside's reaches Taras: he reads his own organisation's copy,
which names Riverside and never Harbourside. The situations of the extra actors (a named
investigator, a peer mentor not brought to a meeting) change nothing here: the library is
for every working member, whatever they do in a case.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import access, library
from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.core.models import Membership, User

pytestmark = pytest.mark.django_db

SECTION = access_matrix.load().section("record: concerns")
ACTORS = access_matrix.load().actors_of("record: concerns")
LIST = "/concerns/library/"
CASE = library.case_numbered(3)


def client_of(story, key: str) -> tuple[Client, Membership | None]:
    person = ACTORS[key].person
    if person is None:
        operator = User.objects.create_superuser("operator", "operator@example.org", "x y z w")
        client = Client()
        client.force_login(operator)
        return client, None
    member = getattr(story, person)
    return signed_in(member), member


def answers(story, key: str) -> frozenset[Action]:
    """What the pages let this actor do to Harbourside's library."""
    client, member = client_of(story, key)
    allowed = set()
    listed, read = client.get(LIST), client.get(CASE.url)
    outsider = member is not None and member.organisation_id != story.harbourside.pk
    for action, response, marker in (
        (Action.LIST, listed, "Training library: case studies"),
        (Action.READ, read, str(CASE.title)),
    ):
        html = response.content.decode()
        if response.status_code == 200 and marker in html:
            if outsider:
                assert story.harbourside.name not in html and story.riverside.name in html
            else:
                allowed.add(action)
        else:
            assert response.status_code in (302, 404), (key, action, response.status_code)
    for url in (LIST, CASE.url):
        posted = client.post(url, {"x": "1"})
        assert posted.status_code in ((405,) if allowed else (302, 404, 405)), (key, url)
        if posted.status_code not in (302, 404, 405):
            allowed.add(Action.CHANGE)
    return frozenset(allowed)


@pytest.mark.parametrize("key", list(SECTION.rows))
def test_the_library_column_of_the_access_matrix(story, key):
    assert answers(story, key) == SECTION.allowed(key, "library"), key


def test_the_gate_agrees_with_the_column_for_every_member_of_the_story(story):
    for key in SECTION.rows:
        person = ACTORS[key].person
        if person is None or ACTORS[key].key == "other-organisation":
            continue
        member = getattr(story, person)
        expected = Action.READ in SECTION.allowed(key, "library")
        assert access.uses_concerns(member) == expected, key


def test_someone_who_has_left_reads_nothing(story):
    client = signed_in(story.joseph)
    story.joseph.ended_at = timezone.now() - dt.timedelta(minutes=1)
    story.joseph.save(update_fields=["ended_at"])
    assert client.get(LIST).status_code == 404
    assert client.get(CASE.url).status_code == 404


def test_signed_out_people_are_sent_to_sign_in():
    response = Client().get(CASE.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
