"""My shares (``/me/shares``): making a share, and stopping, renewing and confirming one."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import Membership, MembershipRole, Role, User
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import services
from peerwork.people.models import SharingGrant, StaffRecord
from peerwork.people.tests.helpers import share

pytestmark = pytest.mark.django_db


def _grants(person):
    with scope(organisation=person.organisation):
        return list(SharingGrant.objects.filter(owner=person).order_by("created_at"))


def _change_line_manager(story, person, manager):
    with scope(organisation=story.harbourside):
        record = StaffRecord(organisation=story.harbourside, membership=person)
        services.update_staff_record(
            actor=story.grace,
            person=person,
            record=record,
            version=None,
            changes={"line_manager": manager},
        )


def _in_days(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# --- making a share --------------------------------------------------------------------


def test_the_form_offers_categories_audiences_and_colleagues_but_not_oneself(story):
    html = assert_sound_page(signed_in(story.amina).get("/me/shares/new?category=ost"))
    assert 'type="checkbox" name="categories" value="ost"' in html
    assert 'value="ost" id="id_categories_1" checked' in html
    assert "My line manager (Ravi Shah)" in html and "My team (Outreach)" in html
    assert "Everyone in the organisation" in html
    assert f'<option value="{story.grace.pk}">Grace Njeri</option>' in html
    assert f'value="{story.amina.pk}"' not in html
    assert f'value="{story.taras.pk}"' not in html  # Riverside
    # The page dates in the organisation's zone (Harbourside: Nairobi).
    default_end = timezone.localdate(
        timezone.now() + dt.timedelta(days=183), zoneinfo.ZoneInfo("Africa/Nairobi")
    )
    assert f"{default_end.day} {default_end:%B %Y}" in html and "six months from today" in html


def _colleagues(story, count: int) -> Membership:
    """``count`` more working colleagues of Amina, added in bulk, and one more whose name
    sorts after all of them: Zawadi Zuberi."""
    with scope(organisation=story.harbourside.pk):
        password = make_password(None)
        users = User.objects.bulk_create(
            User(
                username=f"colleague{n:04d}",
                display_name=f"Colleague {n:04d}",
                email=f"colleague{n}@example.org",
                password=password,
            )
            for n in range(count)
        )
        users.append(
            User.objects.create(username="zawadi", display_name="Zawadi Zuberi", password=password)
        )
        members = Membership.objects.bulk_create(
            Membership(organisation=story.harbourside, user=user, team=story.team) for user in users
        )
        MembershipRole.objects.bulk_create(
            MembershipRole(organisation=story.harbourside, membership=m, role=Role.STAFF)
            for m in members
        )
        return members[-1]


def _listed(html: str) -> list[str]:
    """The colleagues the form's list offers (ids), its empty choice left out."""
    select = re.search(r'<select name="grantee".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]+)"', select)


def test_among_hundreds_of_colleagues_the_list_stays_short_and_a_search_finds_anyone(story):
    zawadi = _colleagues(story, 700)
    client = signed_in(story.amina)
    html = assert_sound_page(client.get("/me/shares/new?category=ost"))
    assert len(_listed(html)) == 100
    assert str(zawadi.pk) not in html
    assert "Only the first 100 colleagues by name are listed" in html
    html = assert_sound_page(client.get("/me/shares/new?category=ost&q=zawadi"))
    assert _listed(html) == [str(zawadi.pk)]
    assert 'value="person" required id="id_audience_0" checked' in html  # searching: a person
    assert 'value="ost" id="id_categories_1" checked' in html  # the category is kept
    assert 'action="/me/shares/new?q=zawadi"' in html
    html = assert_sound_page(client.get("/me/shares/new?q=nobody-by-this-name"))
    assert _listed(html) == []
    assert "No colleague has “nobody-by-this-name” in their name." in html


def test_a_colleague_found_by_a_search_stays_chosen_and_is_shared_with(story):
    zawadi = _colleagues(story, 120)
    client = signed_in(story.amina)
    # Without the search in the address the list does not hold Zawadi; she stays chosen.
    chosen = {"audience": "person", "grantee": str(zawadi.pk), "categories": ["ost"]}
    response = client.post("/me/shares/new", chosen)
    html = assert_sound_page(response)
    assert f'<option value="{zawadi.pk}" selected>Zawadi Zuberi</option>' in html
    response = client.post("/me/shares/new?q=zawadi", {**chosen, "purpose": "peer support"})
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        grant = SharingGrant.objects.get(owner=story.amina)
    assert grant.grantee_id == zawadi.pk


def test_someone_without_a_line_manager_is_not_offered_one(story):
    html = assert_sound_page(signed_in(story.grace).get("/me/shares/new"))
    assert "My line manager" not in html


def test_a_share_with_a_person_is_made_with_six_months_by_default(story):
    client = signed_in(story.amina)
    response = client.post(
        "/me/shares/new",
        {
            "categories": ["ost", "accommodations"],
            "audience": "person",
            "grantee": str(story.grace.pk),
            "purpose": "to arrange my hours",
            "expires_on": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/me/shares"
    (grant,) = _grants(story.amina)
    assert grant.grantee_id == story.grace.pk and grant.categories == ["accommodations", "ost"]
    assert grant.purpose == "to arrange my hours"
    expected = timezone.now() + dt.timedelta(days=183)
    assert abs((grant.expires_at - expected).total_seconds()) < 60
    html = assert_sound_page(client.get("/me/shares"))
    assert "Shared with Grace Njeri." in html
    assert "to arrange my hours" in html and "Active" in html


def test_a_share_with_the_team_has_no_end_date_unless_one_is_chosen(story):
    client = signed_in(story.amina)
    client.post(
        "/me/shares/new",
        {"categories": ["drug_use"], "audience": "team", "purpose": "I am open about it"},
    )
    client.post(
        "/me/shares/new",
        {
            "categories": ["health"],
            "audience": "organisation",
            "purpose": "open",
            "expires_on": _in_days(30),
        },
    )
    team, everyone = _grants(story.amina)
    assert team.team_id == story.team.pk and team.expires_at is None
    assert timezone.localdate(everyone.expires_at) == timezone.localdate() + dt.timedelta(30)
    html = assert_sound_page(client.get("/me/shares"))
    assert "My team (Outreach)" in html and "no end date" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"grantee": "not-an-id"}, "grantee", "Choose a colleague from the list."),
        ({"grantee": "00000000-0000-0000-0000-000000000000"}, "grantee", "Choose a colleague"),
        ({"grantee": ""}, "grantee", "Choose a colleague from the list."),
        ({"expires_on": "2020-01-01"}, "expires_on", "Choose a date after today."),
        ({"expires_on": "next week"}, "expires_on", "Enter a date"),
        ({"categories": []}, "categories", "Choose at least one thing to share."),
        ({"categories": ["salary"]}, "categories", "Choose from the list."),
        ({"purpose": "  "}, "purpose", "Say why you are sharing it."),
        ({"audience": ""}, "audience", "Choose who to share with."),
    ],
)
def test_bad_input_gets_a_clear_message_keeps_the_input_and_creates_nothing(
    story, changes, field, message
):
    typed = {
        "categories": ["ost"],
        "audience": "person",
        "grantee": str(story.grace.pk),
        "purpose": "to arrange my hours",
        "expires_on": _in_days(60),
        **changes,
    }
    response = signed_in(story.amina).post("/me/shares/new", typed)
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in html and message in html
    if field != "purpose":
        assert "to arrange my hours</textarea>" in html
    assert _grants(story.amina) == []


def test_a_colleague_of_another_organisation_cannot_be_chosen(story):
    response = signed_in(story.amina).post(
        "/me/shares/new",
        {
            "categories": ["ost"],
            "audience": "person",
            "grantee": str(story.taras.pk),
            "purpose": "p",
        },
    )
    assert "Choose a colleague from the list." in response.content.decode()
    assert _grants(story.amina) == []


# --- the list, and what can be done --------------------------------------------------------


def test_every_share_ever_made_is_listed_with_its_state(story):
    now = timezone.now()
    share(story.amina, audience="person", grantee=story.samuel, purpose="active one")
    stopped = share(story.amina, audience="person", grantee=story.joseph, purpose="stopped one")
    with scope(organisation=story.harbourside):
        services.revoke_grant(actor=story.amina, grant=stopped)
        ended = services.share(
            actor=story.amina,
            audience="person",
            grantee=story.olena,
            categories=["health"],
            purpose="ended one",
            now=now - dt.timedelta(days=200),
        )
    assert ended.is_expired()
    html = assert_sound_page(signed_in(story.amina).get("/me/shares"))
    for text in ("active one", "stopped one", "ended one", "Active", "Stopped", "Ended"):
        assert text in html
    # Stopped shares offer nothing; an ended one can be renewed, not stopped again.
    assert html.count("Stop sharing") == 1
    assert html.count(">Renew</button>") == 2


def test_nobody_else_sees_my_shares(story):
    share(story.amina, audience="person", grantee=story.samuel, purpose="Zawadi reason")
    for person in (story.samuel, story.ravi, story.grace, story.chen, story.taras):
        assert "Zawadi reason" not in signed_in(person).get("/me/shares").content.decode()


def test_a_grantee_sees_a_share_on_the_next_request_and_not_after_it_is_stopped(story):
    grant = share(story.amina, audience="person", grantee=story.samuel)
    samuel = signed_in(story.samuel)
    assert samuel.get(f"/shared/{grant.pk}").status_code == 200
    assert "Amina Wanjiru" in samuel.get("/shared").content.decode()
    client = signed_in(story.amina)
    assert f'name="version" value="{grant.version}"' in client.get("/me/shares").content.decode()
    response = client.post(f"/me/shares/{grant.pk}/revoke", {"version": str(grant.version)})
    assert response.status_code == 302 and response["Location"] == "/me/shares"
    assert "The share is stopped" in client.get("/me/shares").content.decode()
    assert samuel.get(f"/shared/{grant.pk}").status_code == 404
    assert "Nothing is shared with you." in samuel.get("/shared").content.decode()


def test_stopping_a_share_that_changed_meanwhile_asks_to_look_again(story):
    grant = share(story.amina, audience="person", grantee=story.samuel)
    read_version = grant.version
    with scope(organisation=story.harbourside):  # renewed in another tab
        services.renew_grant(actor=story.amina, grant=grant, expires_on=None)
    client = signed_in(story.amina)
    response = client.post(f"/me/shares/{grant.pk}/revoke", {"version": str(read_version)})
    assert response.status_code == 302
    assert (
        "This share changed since you opened the page" in client.get("/me/shares").content.decode()
    )
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_renewing_gives_six_months_or_the_chosen_date(story):
    grant = share(story.amina, audience="person", grantee=story.samuel, expires_on=None)
    client = signed_in(story.amina)
    chosen = _in_days(90)
    response = client.post(
        f"/me/shares/{grant.pk}/renew", {"version": str(grant.version), "expires_on": chosen}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert timezone.localdate(grant.expires_at).isoformat() == chosen
    day = timezone.localdate(grant.expires_at)
    assert f"renewed until {day.day} {day:%B %Y}" in client.get("/me/shares").content.decode()
    client.post(f"/me/shares/{grant.pk}/renew", {"version": str(grant.version)})
    grant.refresh_from_db()
    expected = timezone.now() + dt.timedelta(days=183)
    assert abs((grant.expires_at - expected).total_seconds()) < 60


def test_an_ended_share_can_be_renewed_and_reaches_its_grantee_again(story):
    with scope(organisation=story.harbourside):
        grant = services.share(
            actor=story.amina,
            audience="person",
            grantee=story.samuel,
            categories=["ost"],
            purpose="p",
            now=timezone.now() - dt.timedelta(days=200),
        )
    samuel = signed_in(story.samuel)
    assert samuel.get(f"/shared/{grant.pk}").status_code == 404
    signed_in(story.amina).post(f"/me/shares/{grant.pk}/renew", {"version": str(grant.version)})
    assert samuel.get(f"/shared/{grant.pk}").status_code == 200


def test_a_renewal_date_in_the_past_keeps_the_date_and_changes_nothing(story):
    grant = share(story.amina, audience="person", grantee=story.samuel)
    before = grant.expires_at
    response = signed_in(story.amina).post(
        f"/me/shares/{grant.pk}/renew", {"version": str(grant.version), "expires_on": "2020-02-02"}
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Choose a date after today." in html and 'value="2020-02-02"' in html
    grant.refresh_from_db()
    assert grant.expires_at == before and grant.version == 1


def test_a_stopped_share_cannot_be_renewed(story):
    grant = share(story.amina, audience="person", grantee=story.samuel)
    with scope(organisation=story.harbourside):
        services.revoke_grant(actor=story.amina, grant=grant)
    response = signed_in(story.amina).post(
        f"/me/shares/{grant.pk}/renew", {"version": str(grant.version)}
    )
    assert "This share was stopped." in assert_sound_page(response)
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_a_paused_line_manager_share_fails_closed_until_confirmed_for_the_new_manager(story):
    with scope(organisation=story.harbourside):
        services.disclose(
            actor=story.amina, owner=story.amina, category="ost", answer={"prescriber": "Mvita"}
        )
    grant = share(story.amina, audience="line_manager")
    ravi, taslima = signed_in(story.ravi), signed_in(story.taslima)
    assert ravi.get(f"/shared/{grant.pk}").status_code == 200
    _change_line_manager(story, story.amina, story.taslima)
    # Paused: neither the old manager nor the new one reads it.
    assert ravi.get(f"/shared/{grant.pk}").status_code == 404
    assert taslima.get(f"/shared/{grant.pk}").status_code == 404
    assert "Nothing is shared with you." in taslima.get("/shared").content.decode()
    client = signed_in(story.amina)
    html = assert_sound_page(client.get("/me/shares"))
    assert "Paused: your line manager changed" in html and "Confirm for Taslima Akter" in html
    response = client.post(f"/me/shares/{grant.pk}/confirm", {"version": str(grant.version)})
    assert response.status_code == 302
    assert "confirmed for Taslima Akter" in client.get("/me/shares").content.decode()
    assert "Mvita" in taslima.get(f"/shared/{grant.pk}").content.decode()
    assert ravi.get(f"/shared/{grant.pk}").status_code == 404


def test_confirming_a_share_that_is_not_paused_says_so_and_changes_nothing(story):
    grant = share(story.amina, audience="person", grantee=story.samuel)
    client = signed_in(story.amina)
    client.post(f"/me/shares/{grant.pk}/confirm", {"version": str(grant.version)})
    assert "not waiting for you to confirm" in client.get("/me/shares").content.decode()
    grant.refresh_from_db()
    assert grant.grantee_id == story.samuel.pk and grant.version == 1


def test_only_the_owner_may_stop_renew_or_confirm_a_share(story):
    grant = share(story.amina, audience="person", grantee=story.samuel)
    for person in (story.samuel, story.ravi, story.grace, story.chen, story.taras):
        client = signed_in(person)
        for action in ("revoke", "renew", "confirm"):
            response = client.post(f"/me/shares/{grant.pk}/{action}", {"version": "1"})
            assert response.status_code == 404, (person, action)
    grant.refresh_from_db()
    assert grant.revoked_at is None and grant.version == 1


@pytest.mark.django_db(transaction=True)
def test_the_list_answers_in_a_fixed_number_of_queries(story, django_assert_max_num_queries):
    client = signed_in(story.amina)
    share(story.amina, audience="person", grantee=story.samuel)
    client.get("/me/shares")  # keys unwrapped and cached once
    with CaptureQueriesContext(connection) as few:
        client.get("/me/shares")
    few_queries = len(few)  # read now: the next request empties the log
    for grantee in (story.joseph, story.olena, story.grace, story.taslima, story.daniel):
        share(story.amina, audience="person", grantee=grantee)
    share(story.amina, audience="team")
    share(story.amina, audience="line_manager")
    with django_assert_max_num_queries(few_queries):
        html = client.get("/me/shares").content.decode()
    assert html.count("Stop sharing") == 8
