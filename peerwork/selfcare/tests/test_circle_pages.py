"""The owner's risk circle pages (issue 7 item 1; §3.8, App. 3): starting a circle, adding
rows and suggested areas without script, ratings suggested from likelihood and consequence,
bad input refused with nothing saved and everything typed shown again, a stale save,
a big change in life, deleting it, opening it to someone for a time, and deciding the
suggestions made on it.

The helpers at the top are shared by the other circle tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import Notification
from peerwork.core.notify import render
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.selfcare import circles
from peerwork.selfcare.models import CircleSuggestion, Opening, RiskCircle, RiskCircleVersion

pytestmark = pytest.mark.django_db

CIRCLE = "/selfcare/circle/"
EDIT = "/selfcare/circle/edit/"
VERSIONS = "/selfcare/circle/versions/"

ARREST = {
    "name": "Arrest on evening outreach",
    "rating": 7,
    "likelihood": 3,
    "consequence": 4,
    "prevention": "Carry my ID card and the police liaison letter; work in pairs.",
    "management": "Stay calm, ask for the lawyer on the card, call the team leader.",
}
NEEDLE = {
    "name": "Needle-stick injury",
    "rating": 3,
    "prevention": "Use the sharps bin, never recap.",
    "management": "Wash, report, go for PEP within 72 hours.",
}
DEBT = {"name": "Owing money to suppliers", "rating": 4, "prevention": "", "management": ""}


# --- shared helpers -----------------------------------------------------------------------


def local_today(story: Any) -> dt.date:
    return circles.local_today(story.harbourside)


def keep_circle(person: Any, areas: list[dict[str, Any]] | None = None) -> RiskCircle:
    """``person`` saves a circle through the service (again: a new version)."""
    with scope(organisation=person.organisation_id):
        current = circles.circle_of(person)
        return circles.save_circle(
            actor=person,
            areas=areas if areas is not None else [ARREST, NEEDLE, DEBT],
            version=current.version if current else None,
        )


def circle_of(person: Any) -> RiskCircle | None:
    with scope(organisation=person.organisation_id):
        return circles.circle_of(person)


def areas_of(person: Any) -> list[circles.Area]:
    circle = circle_of(person)
    return [] if circle is None else circles.parse_content(circle.content)


def versions_of(person: Any) -> list[int]:
    with scope(organisation=person.organisation_id):
        return list(
            RiskCircleVersion.objects.filter(owner=person)
            .order_by("number")
            .values_list("number", flat=True)
        )


def open_to(owner: Any, grantee: Any, days: int = 7) -> Opening:
    with scope(organisation=owner.organisation_id):
        circle = circles.circle_of(owner)
        assert circle is not None
        return circles.open_circle(actor=owner, circle=circle, grantee=grantee, days=days)


def suggest(
    author: Any, owner: Any, text: str = "Keep the number of the lawyer in your shoe."
) -> Any:
    with scope(organisation=owner.organisation_id):
        circle = circles.circle_of(owner)
        assert circle is not None
        area = circles.parse_content(circle.content)[0].key
        return circles.suggest(
            actor=author,
            circle=circle,
            area=area,
            ring=CircleSuggestion.Ring.PREVENTION,
            text=text,
        )


def row_data(index: int, area: dict[str, Any]) -> dict[str, str]:
    return {f"area{index}-{name}": str(value) for name, value in area.items()}


def typed(*areas: dict[str, Any], version: object = "", **extra: str) -> dict[str, str]:
    """The edit page as a person fills it in: one row per area, two blank rows after."""
    data: dict[str, str] = {"version": str(version), "rows": str(len(areas) + 2)}
    for index, area in enumerate(areas):
        data.update(row_data(index, area))
    data.update(extra)
    return data


def text_of(html: str) -> str:
    return " ".join(html.split())


# --- starting a circle ------------------------------------------------------------------


def test_without_a_circle_the_page_explains_it_and_offers_to_start(story):
    html = assert_sound_page(signed_in(story.amina).get(CIRCLE))
    assert "Start my circle" in html and f'href="{EDIT}"' in html
    assert "Private: only you can see it" in html


def test_the_first_edit_page_has_four_blank_rows_and_the_suggested_areas(story):
    html = assert_sound_page(signed_in(story.amina).get(EDIT))
    assert html.count("<legend>Risk area ") == 4
    assert 'name="rows" value="4"' in html
    for _code, label in circles.SUGGESTED_AREAS:
        assert str(label) in html
    assert 'list="circle-suggested-areas"' in html


def test_amina_saves_her_first_areas_and_sees_them_drawn_and_listed(story):
    client = signed_in(story.amina)
    response = client.post(EDIT, typed(ARREST, NEEDLE, DEBT))
    assert response.status_code == 302 and response["Location"] == CIRCLE
    assert [a.name for a in areas_of(story.amina)] == [ARREST["name"], NEEDLE["name"], DEBT["name"]]
    assert versions_of(story.amina) == [1]
    html = assert_sound_page(client.get(CIRCLE))
    assert '<svg viewBox="0 0 640 640"' in html and 'role="img"' in html
    first = html.index('id="first-h"')
    order = [html.index(area["name"], first) for area in (ARREST, DEBT, NEEDLE)]
    assert order == sorted(order), "talk first: highest rated first"
    assert ARREST["management"] in html
    # Three areas: fewer than usual, said kindly, and saved all the same.
    assert "You have listed 3 risk areas. Most people find at least four" in html


def test_each_area_gets_a_stable_random_key(story):
    keep_circle(story.amina)
    first = [a.key for a in areas_of(story.amina)]
    assert all(len(key) == 8 and int(key, 16) >= 0 for key in first)
    client = signed_in(story.amina)
    html = client.get(EDIT).content.decode()
    circle = circle_of(story.amina)
    data = typed(version=circle.version)
    data["rows"] = "3"
    for index, (area, key) in enumerate(zip((ARREST, NEEDLE, DEBT), first, strict=True)):
        data.update(row_data(index, {**area, "key": key}))
    data["area1-rating"] = "5"
    assert f'value="{first[0]}"' in html
    assert client.post(EDIT, data).status_code == 302
    assert [a.key for a in areas_of(story.amina)] == first
    assert areas_of(story.amina)[1].rating == 5


def test_more_rows_are_added_without_saving_and_without_losing_what_was_typed(story):
    client = signed_in(story.amina)
    data = typed(ARREST, more="")
    data["rows"] = "1"
    html = assert_sound_page(client.post(EDIT, data))
    assert html.count("<legend>Risk area ") == 3
    assert 'name="rows" value="3"' in html
    assert ARREST["prevention"] in html
    assert circle_of(story.amina) is None


def test_ticked_suggested_areas_become_rows_to_rate(story):
    client = signed_in(story.amina)
    data = typed(ARREST, add_suggested="", suggested=["needle_stick", "debt"])
    html = assert_sound_page(client.post(EDIT, data))
    assert 'value="Needle-stick injury"' in html and 'value="Owing money to suppliers"' in html
    assert html.count("<legend>Risk area ") == 3  # the two blank rows took them
    assert circle_of(story.amina) is None


def test_empty_ratings_are_filled_from_likelihood_and_consequence_when_asked(story):
    client = signed_in(story.amina)
    data = typed({**ARREST, "rating": ""}, rate="")
    html = assert_sound_page(client.post(EDIT, data))
    assert 'name="area0-rating" value="5"' in html  # 3 x 4 = 12, / 2.5 = 4.8, up: 5
    assert "From how likely and how bad: about 5." in html
    assert circle_of(story.amina) is None


def test_a_row_ticked_for_removal_is_left_out(story):
    keep_circle(story.amina)
    circle = circle_of(story.amina)
    areas = areas_of(story.amina)
    data = typed(
        *({"key": a.key, "name": a.name, "rating": a.rating} for a in areas),
        version=circle.version,
    )
    data["area1-remove"] = "on"
    assert signed_in(story.amina).post(EDIT, data).status_code == 302
    assert [a.name for a in areas_of(story.amina)] == [ARREST["name"], DEBT["name"]]
    assert versions_of(story.amina) == [1, 2]


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("rating", ["0", "11", "abc", "7.5"])
def test_a_rating_outside_one_to_ten_is_refused_and_everything_typed_stays(story, rating):
    client = signed_in(story.amina)
    response = client.post(EDIT, typed(ARREST, {**NEEDLE, "rating": rating}))
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Rate this risk with a whole number from 1 (very low) to 10 (very high)." in html
    assert f'name="area1-rating" value="{rating}"' in html
    assert ARREST["prevention"] in html and NEEDLE["management"] in html
    assert circle_of(story.amina) is None


def test_a_missing_rating_is_refused_with_the_one_likelihood_and_consequence_suggest(story):
    response = signed_in(story.amina).post(EDIT, typed({**ARREST, "rating": ""}))
    html = text_of(response.content.decode())
    assert "From how likely and how bad you said it is, about 5." in html
    assert circle_of(story.amina) is None


def test_an_area_without_a_name_is_refused(story):
    response = signed_in(story.amina).post(EDIT, typed(ARREST, {**NEEDLE, "name": ""}))
    html = assert_sound_page(response)
    assert "Give this risk area a name." in html
    assert NEEDLE["prevention"] in html and 'value="Arrest on evening outreach"' in html
    assert circle_of(story.amina) is None


def test_a_name_or_strategy_too_long_is_refused(story):
    response = signed_in(story.amina).post(
        EDIT, typed({**ARREST, "name": "x" * 121}, {**NEEDLE, "management": "y" * 1001})
    )
    html = response.content.decode()
    assert "Keep the name to 120 characters (it has 121)." in html
    assert "Keep this to 1000 characters (it has 1001)." in html
    assert circle_of(story.amina) is None


def test_more_areas_than_the_drawing_holds_are_refused_with_every_row_kept(story):
    areas = [{"name": f"Risk {n}", "rating": n % 10 + 1} for n in range(17)]
    response = signed_in(story.amina).post(EDIT, typed(*areas))
    html = assert_sound_page(response)
    assert "The circle holds at most 16 risk areas" in html
    assert html.count("<legend>Risk area ") == 19 and 'value="Risk 16"' in html
    assert circle_of(story.amina) is None


def test_nothing_listed_is_refused(story):
    html = signed_in(story.amina).post(EDIT, typed()).content.decode()
    assert "List at least one risk area." in html
    assert circle_of(story.amina) is None


def test_a_save_over_a_circle_changed_meanwhile_keeps_what_was_typed(story):
    keep_circle(story.amina)
    stale = circle_of(story.amina).version
    keep_circle(story.amina, [ARREST])  # another window
    client = signed_in(story.amina)
    html = assert_sound_page(client.post(EDIT, typed(DEBT, version=stale)))
    assert "Your circle changed while you were editing it" in html
    assert 'value="Owing money to suppliers"' in html
    assert [a.name for a in areas_of(story.amina)] == [ARREST["name"]]
    # Saving again goes over it, knowingly.
    current = circle_of(story.amina).version
    assert f'name="version" value="{current}"' in html
    assert client.post(EDIT, typed(DEBT, version=current)).status_code == 302
    assert [a.name for a in areas_of(story.amina)] == [DEBT["name"]]


# --- review, change in life, delete ---------------------------------------------------


def test_saving_sets_the_review_a_year_ahead_and_a_big_change_makes_it_due_now(story):
    keep_circle(story.amina)
    circle = circle_of(story.amina)
    today = local_today(story)
    assert circle.review_due_on == circles.a_year_after(today)
    client = signed_in(story.amina)
    assert "Time to look at your circle again" not in client.get(CIRCLE).content.decode()
    response = client.post("/selfcare/circle/changed/", {"version": circle.version})
    assert response.status_code == 302
    circle = circle_of(story.amina)
    assert circle.review_due_on == today and circle.changed_at is not None
    assert "Time to look at your circle again" in client.get(CIRCLE).content.decode()


def test_deleting_the_circle_removes_its_versions_openings_and_suggestions(story):
    keep_circle(story.amina)
    keep_circle(story.amina)
    open_to(story.amina, story.samuel)
    suggest(story.samuel, story.amina)
    client = signed_in(story.amina)
    assert_sound_page(client.get("/selfcare/circle/delete/"))
    circle = circle_of(story.amina)
    assert client.post("/selfcare/circle/delete/", {"version": circle.version}).status_code == 302
    assert circle_of(story.amina) is None
    with scope(organisation=story.harbourside.pk):
        assert not RiskCircleVersion.objects.filter(owner=story.amina).exists()
        assert not Opening.objects.filter(owner=story.amina).exists()
        assert not CircleSuggestion.objects.filter(owner=story.amina).exists()


# --- versions ------------------------------------------------------------------------


def test_versions_are_listed_and_two_compared(story):
    keep_circle(story.amina, [ARREST, NEEDLE])
    keys = {a.name: a.key for a in areas_of(story.amina)}
    keep_circle(
        story.amina,
        [
            {**ARREST, "key": keys[ARREST["name"]], "rating": 8},
            {**NEEDLE, "key": keys[NEEDLE["name"]], "rating": 2},
            DEBT,
        ],
    )
    keep_circle(story.amina, [{**ARREST, "key": keys[ARREST["name"]], "rating": 8}])
    client = signed_in(story.amina)
    html = text_of(assert_sound_page(client.get(VERSIONS)))
    assert "Version 3" in html and "Version 2" in html and "Version 1" in html
    # By default, the latest two: the needle-stick and debt areas went.
    assert "From version 2 to version 3" in html
    assert "No longer listed: Needle-stick injury" in html
    assert "No longer listed: Owing money to suppliers" in html
    html = text_of(assert_sound_page(client.get(VERSIONS, {"older": 1, "newer": 2})))
    assert "Added: Owing money to suppliers, rated 4" in html
    assert "Rated higher: Arrest on evening outreach, from 7 to 8" in html
    assert "Rated lower: Needle-stick injury, from 3 to 2" in html
    html = text_of(client.get(VERSIONS, {"show": 1}).content.decode())
    assert "Version 1, saved" in html and NEEDLE["management"] in html


# --- opening it ----------------------------------------------------------------------


def open_form(grantee: Any, **values: object) -> dict[str, str]:
    data = {"grantee": str(grantee.pk), "until": "", "days": ""}
    data.update({key: str(value) for key, value in values.items()})
    return data


def test_the_owner_opens_it_to_her_mentor_until_a_date_and_he_is_told_neutrally(story):
    keep_circle(story.amina)
    client = signed_in(story.amina)
    html = client.get(CIRCLE).content.decode()
    assert "Samuel Kiprop" in html and "Ravi Shah" in html
    assert "Joseph Otieno" not in html and "Leila Haddad" not in html
    until = local_today(story) + dt.timedelta(days=14)
    response = client.post("/selfcare/circle/open/", open_form(story.samuel, until=until))
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        opening = Opening.objects.get(owner=story.amina, grantee=story.samuel)
        expires = timezone.localtime(opening.expires_at, circles.zone_of(story.harbourside))
        assert (expires.date(), expires.time()) == (until + dt.timedelta(days=1), dt.time(0))
        message = Notification.objects.get(recipient=story.samuel, kind=circles.CIRCLE_OPENED.kind)
        words = render(message)
    assert "Amina Wanjiru opened a page to you until" in words.body
    assert "circle" not in (words.subject + words.body).lower()
    assert "drug" not in (words.subject + words.body).lower()
    assert words.link == "/selfcare/circle/opened/"
    html = text_of(client.get(CIRCLE).content.decode())
    assert "Samuel Kiprop, until" in html and "Close it to Samuel Kiprop now" in html


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"until": "yesterday"}, "That date has passed. Choose today or a later date."),
        ({"days": 0}, "Open it for at least one day."),
        ({"days": 91}, "Open it for at most 90 days."),
        ({"until": "far"}, "Open it for at most 90 days: until"),
        ({}, "Choose until when, or for how many days, to open it."),
    ],
)
def test_an_expiry_in_the_past_or_too_far_is_refused_with_nothing_opened(story, values, message):
    keep_circle(story.amina)
    today = local_today(story)
    dates = {"yesterday": today - dt.timedelta(days=1), "far": today + dt.timedelta(days=120)}
    values = {key: dates.get(str(value), value) for key, value in values.items()}
    response = signed_in(story.amina).post(
        "/selfcare/circle/open/", open_form(story.samuel, **values)
    )
    html = text_of(assert_sound_page(response))
    assert response.status_code == 200 and message in html
    for value in values.values():  # what was typed is still there
        assert f'value="{value}"' in html
    assert f'<option value="{story.samuel.pk}" selected>' in html
    with scope(organisation=story.harbourside.pk):
        assert not Opening.objects.filter(owner=story.amina).exists()


def test_it_cannot_be_opened_to_someone_who_does_not_guide_her(story):
    keep_circle(story.amina)
    for person in (story.joseph, story.leila, story.taslima, story.taras):
        response = signed_in(story.amina).post("/selfcare/circle/open/", open_form(person, days=7))
        assert response.status_code == 200
        assert "Choose a person from the list." in response.content.decode()
    with scope(organisation=story.harbourside.pk):
        assert not Opening.objects.filter(owner=story.amina).exists()


def test_the_owner_closes_an_opening_early(story):
    keep_circle(story.amina)
    opening = open_to(story.amina, story.samuel)
    response = signed_in(story.amina).post(f"/selfcare/circle/openings/{opening.pk}/close/")
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        assert Opening.objects.get(pk=opening.pk).closed_at is not None
    # Someone else's opening is not hers to close.
    keep_circle(story.olena)
    theirs = open_to(story.olena, story.samuel)
    response = signed_in(story.amina).post(f"/selfcare/circle/openings/{theirs.pk}/close/")
    assert response.status_code == 404


# --- deciding suggestions ----------------------------------------------------------------


def test_a_kept_suggestion_joins_the_strategy_as_a_new_version(story):
    keep_circle(story.amina)
    open_to(story.amina, story.samuel)
    suggestion = suggest(story.samuel, story.amina)
    client = signed_in(story.amina)
    html = text_of(assert_sound_page(client.get(CIRCLE)))
    assert (
        "Suggestions waiting for you" in html
        and "Keep the number of the lawyer in your shoe." in html
    )
    assert "Samuel Kiprop" in html
    response = client.post(f"/selfcare/circle/suggestions/{suggestion.pk}/accept/")
    assert response.status_code == 302
    assert areas_of(story.amina)[0].prevention == (
        f"{ARREST['prevention']}\nKeep the number of the lawyer in your shoe."
    )
    assert versions_of(story.amina) == [1, 2]
    with scope(organisation=story.harbourside.pk):
        assert CircleSuggestion.objects.get(pk=suggestion.pk).accepted is True
    # Decided once: a second answer changes nothing.
    client.post(f"/selfcare/circle/suggestions/{suggestion.pk}/decline/")
    with scope(organisation=story.harbourside.pk):
        assert CircleSuggestion.objects.get(pk=suggestion.pk).accepted is True
    assert versions_of(story.amina) == [1, 2]


def test_a_declined_suggestion_leaves_the_circle_as_it_was(story):
    keep_circle(story.amina)
    open_to(story.amina, story.samuel)
    suggestion = suggest(story.samuel, story.amina)
    client = signed_in(story.amina)
    assert client.post(f"/selfcare/circle/suggestions/{suggestion.pk}/decline/").status_code == 302
    assert areas_of(story.amina)[0].prevention == ARREST["prevention"]
    assert versions_of(story.amina) == [1]
    assert "Suggestions waiting for you" not in client.get(CIRCLE).content.decode()
