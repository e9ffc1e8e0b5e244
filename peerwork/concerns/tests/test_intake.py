"""Recording a concern (issue 8 item 1; §4.1, §4.2, App. 10 cases 1 and 3): a line manager
about the people they manage and HR about anyone working, never about themselves; a work
category asked as the effect on work; dates in the organisation's calendar; signs beside
the category and never a concern on their own; the agreed working pattern looked at first
for time-keeping; wording hints, never a block; the person told in neutral words."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import intake
from peerwork.concerns.models import Concern
from peerwork.core.models import AuditEvent, Notification
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.availability import set_working_pattern
from peerwork.schedule import services as schedule

pytestmark = pytest.mark.django_db

WORKDAY = (dt.time(9, 0), dt.time(17, 0))


def today_there(story) -> dt.date:
    return story.harbourside.local_today()


def url(person) -> str:
    return f"/concerns/new/?person={person.pk}"


def typed(story, **changes) -> dict[str, object]:
    day = today_there(story)
    data: dict[str, object] = {
        "source": "manager",
        "category": "attendance",
        "noticed_from": (day - dt.timedelta(days=14)).isoformat(),
        "noticed_to": (day - dt.timedelta(days=2)).isoformat(),
        "what_happened": "Missed two Monday outreach shifts without telling the team",
        "work_impact": "The van went out with one worker instead of two",
        "evidence": "The outreach rota",
        "path": "",
    }
    data.update(changes)
    return data


def concerns_about(story, person) -> list[Concern]:
    with scope(organisation=story.harbourside.pk):
        return list(Concern.objects.filter(person=person))


def test_ravi_records_a_concern_about_amina_and_she_is_told_in_neutral_words(story):
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(url(story.amina)))
    assert "What was the effect on work?" in html and "Signs noticed (optional)" in html
    response = ravi.post(url(story.amina), typed(story))
    (concern,) = concerns_about(story, story.amina)
    assert response.status_code == 302
    assert response["Location"] == f"/concerns/{concern.pk}/"
    assert concern.is_open() and concern.category == "attendance" and concern.path == "review"
    assert concern.raised_by_id == story.ravi.pk and concern.signs == []
    assert str(concern.what_happened).startswith("Missed two Monday")
    with scope(organisation=story.harbourside.pk):
        event = AuditEvent.objects.get(action="concerns.concern.record")
        assert event.object_id == concern.pk and event.subject_id == story.amina.pk
        (told,) = Notification.objects.filter(recipient=story.amina, kind="concerns.recorded")
        assert told.params == {"concern": str(concern.pk)}
        assert told.subject == "A note about your work"
        assert "Amina" not in told.subject + told.body and "attendance" not in told.body
        assert told.link == f"/concerns/{concern.pk}/"
    page = assert_sound_page(ravi.get(response["Location"]))
    assert "The concern is recorded. Amina Wanjiru is told and can read it." in page
    # No secret files: Amina reads all of it.
    mine = assert_sound_page(signed_in(story.amina).get(f"/concerns/{concern.pk}/"))
    assert "Missed two Monday outreach shifts" in mine and "The outreach rota" in mine


def test_hr_records_a_concern_about_anyone_working_and_the_chooser_lists_whom(story):
    grace = signed_in(story.grace)
    html = assert_sound_page(grace.get("/concerns/new/"))
    for name in ("Amina Wanjiru", "Olena Petrenko", "Ravi Shah", "Joseph Otieno"):
        assert name in html
    assert f'value="{story.grace.pk}"' not in html  # never about herself
    for name in ("Peter Kamau", "Leila Haddad", "Farah Ali"):  # not working members
        assert name not in html
    response = grace.post(url(story.ravi), typed(story, category="conduct", source="colleague"))
    assert response.status_code == 302
    (concern,) = concerns_about(story, story.ravi)
    assert concern.source == "colleague" and concern.raised_by_id == story.grace.pk


def test_a_line_manager_chooses_among_the_people_they_manage_only(story):
    html = assert_sound_page(signed_in(story.ravi).get("/concerns/new/"))
    for name in ("Amina Wanjiru", "Olena Petrenko", "Joseph Otieno"):
        assert name in html
    assert "Grace Njeri" not in html and "Taslima Akter" not in html
    taslima = assert_sound_page(signed_in(story.taslima).get("/concerns/new/"))
    assert "There is nobody you can record a concern about" in taslima


@pytest.mark.parametrize(
    ("who", "about"),
    [
        ("taslima", "amina"),  # a line manager, not hers
        ("ravi", "ravi"),  # never about oneself
        ("grace", "grace"),
        ("amina", "olena"),  # a staff member records no concerns
        ("daniel", "amina"),  # the director sees counts only
        ("samuel", "amina"),  # her peer mentor
        ("chen", "amina"),
        ("taras", "amina"),  # another organisation
    ],
)
def test_nobody_else_reaches_the_intake_and_nothing_is_saved(story, who, about):
    client = signed_in(getattr(story, who))
    person = getattr(story, about)
    assert client.get(url(person)).status_code == 404
    assert client.post(url(person), typed(story)).status_code == 404
    assert concerns_about(story, person) == []


def test_a_staff_member_without_the_role_does_not_get_the_intake_at_all(story):
    assert signed_in(story.amina).get("/concerns/new/").status_code == 404
    assert signed_in(story.ravi).get("/concerns/new/?person=not-an-id").status_code == 404


@pytest.mark.parametrize(
    ("category", "path"),
    [
        ("supply", "supply"),
        ("theft_fraud", "theft_fraud"),
        ("client_complaint", "client_complaint"),
        ("boundaries", "client_relationship"),
        ("performance", "review"),
        ("conduct", "review"),
    ],
)
def test_the_path_follows_the_category_unless_the_manager_chooses(story, category, path):
    signed_in(story.ravi).post(url(story.amina), typed(story, category=category))
    (concern,) = concerns_about(story, story.amina)
    assert concern.path == path


def test_the_manager_may_choose_the_app9_path_for_problem_drug_use_at_work(story):
    data = typed(story, category="performance", path="problem_drug_use")
    signed_in(story.ravi).post(url(story.amina), data)
    (concern,) = concerns_about(story, story.amina)
    assert concern.path == "problem_drug_use" and concern.category == "performance"


def test_dates_in_the_future_or_in_the_wrong_order_are_refused_and_nothing_typed_is_lost(story):
    day = today_there(story)
    ravi = signed_in(story.ravi)
    ahead = typed(story, noticed_from=(day + dt.timedelta(days=1)).isoformat(), noticed_to="")
    html = assert_sound_page(ravi.post(url(story.amina), ahead))
    assert "This date is in the future" in html
    assert "Missed two Monday outreach shifts without telling the team" in html
    backwards = typed(
        story,
        noticed_from=(day - dt.timedelta(days=2)).isoformat(),
        noticed_to=(day - dt.timedelta(days=5)).isoformat(),
    )
    html = assert_sound_page(ravi.post(url(story.amina), backwards))
    assert "The last day must be on or after the first." in html
    empty = assert_sound_page(ravi.post(url(story.amina), typed(story, what_happened=" ")))
    assert "Describe what happened at work." in empty
    assert concerns_about(story, story.amina) == []
    # Today, in Nairobi, is not the future.
    same_day = typed(story, noticed_from=day.isoformat(), noticed_to=day.isoformat())
    assert ravi.post(url(story.amina), same_day).status_code == 302


# --- signs only (§4.2, App. 10 case 1) ----------------------------------------------------


def signs_only(story, **changes) -> dict[str, object]:
    data = typed(
        story,
        category="performance",
        what_happened="Seemed sleepy in the morning handover",
        work_impact="",
        signs=["pinned_pupils", "drowsiness"],
    )
    return {**data, **changes}


def test_signs_with_no_effect_on_work_are_not_saved_and_everything_typed_stays(story):
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.post(url(story.amina), signs_only(story)))
    assert concerns_about(story, story.amina) == []
    assert "These signs are not a problem in themselves" in html
    assert "normal for someone on OST who is on the right dose" in html
    assert "Seemed sleepy in the morning handover" in html
    assert 'value="pinned_pupils" id="id_signs_0" checked' in html
    assert 'value="drowsiness" id="id_signs_4" checked' in html
    assert 'value="performance" required id="id_category_0" checked' in html
    assert 'name="action" value="save"' in html and 'name="action" value="no_action"' in html
    assert "Why no action is needed" in html


def test_adding_the_effect_on_work_records_an_open_concern_with_the_signs_beside_it(story):
    data = signs_only(story, work_impact="Two client files were left unfinished")
    response = signed_in(story.ravi).post(url(story.amina), {**data, "action": "save"})
    assert response.status_code == 302
    (concern,) = concerns_about(story, story.amina)
    assert concern.is_open() and concern.category == "performance"
    assert concern.signs == ["drowsiness", "pinned_pupils"]


def test_recording_no_action_saves_a_closed_concern_that_shows_it_was_looked_at(story):
    data = signs_only(story, outcome_reason="Her dose was changed this week; work is fine")
    response = signed_in(story.ravi).post(url(story.amina), {**data, "action": "no_action"})
    (concern,) = concerns_about(story, story.amina)
    assert response["Location"] == f"/concerns/{concern.pk}/"
    assert concern.state == "closed" and concern.outcome == "no_action"
    assert str(concern.outcome_reason) == "Her dose was changed this week; work is fine"
    assert concern.closed_by_id == story.ravi.pk and concern.closed_at is not None
    page = assert_sound_page(signed_in(story.amina).get(response["Location"]))
    assert "No action" in page and "Her dose was changed this week" in page


def test_no_action_needs_its_reason_and_nothing_is_saved_without_it(story):
    response = signed_in(story.ravi).post(
        url(story.amina), {**signs_only(story), "action": "no_action"}
    )
    html = assert_sound_page(response)
    assert "Say why no action is needed, for the record." in html
    assert "These signs are not a problem in themselves" in html
    assert concerns_about(story, story.amina) == []


# --- the agreed pattern first (App. 10 case 3) ---------------------------------------------


def agree_later_start(story) -> None:
    """Olena works Monday to Friday, 9 to 5; her Tuesday start is 10:45 by agreement."""
    with scope(organisation=story.harbourside.pk):
        set_working_pattern(
            actor=story.ravi, membership=story.olena, days=dict.fromkeys(range(5), WORKDAY)
        )
        row = schedule.propose_adjustment(
            actor=story.olena,
            person=story.olena,
            weekdays=[1],
            starts=dt.time(10, 45),
            valid_from=today_there(story) - dt.timedelta(days=60),
        )
        schedule.agree_adjustment(actor=story.ravi, adjustment=row, version=row.version)


def late(story, **changes) -> dict[str, object]:
    return typed(
        story,
        category="time_keeping",
        what_happened="Arrived at 10:40 on three Tuesdays this month",
        work_impact="The morning handover started without her",
        **changes,
    )


def test_time_keeping_about_olena_shows_her_agreed_pattern_first_and_saves_nothing(story):
    agree_later_start(story)
    html = assert_sound_page(signed_in(story.ravi).post(url(story.olena), late(story)))
    assert concerns_about(story, story.olena) == []
    assert "Look at the agreed working pattern first" in html
    assert "Monday" in html and "09:00–17:00" in html
    assert "starts 10:45 Tue" in html  # the agreed change of hours
    assert f'href="/schedule/people/{story.olena.pk}/"' in html
    assert 'value="pattern_review"' in html and 'value="record_anyway"' in html
    assert "Arrived at 10:40 on three Tuesdays this month" in html


def test_reviewing_the_pattern_instead_closes_it_as_a_pattern_review(story):
    agree_later_start(story)
    data = {**late(story), "action": "pattern_review"}
    response = signed_in(story.ravi).post(url(story.olena), data)
    assert response["Location"] == f"/schedule/people/{story.olena.pk}/"
    (concern,) = concerns_about(story, story.olena)
    assert concern.state == "closed" and concern.outcome == "pattern_review"
    change = signed_in(story.ravi).post(url(story.olena), {**data, "action": "pattern_change"})
    assert change["Location"] == f"/schedule/people/{story.olena.pk}/adjustments/new/"


def test_the_manager_may_record_the_time_keeping_concern_anyway(story):
    agree_later_start(story)
    data = {**late(story), "action": "record_anyway"}
    response = signed_in(story.ravi).post(url(story.olena), data)
    (concern,) = concerns_about(story, story.olena)
    assert response["Location"] == f"/concerns/{concern.pk}/"
    assert concern.is_open() and concern.category == "time_keeping"


def test_time_keeping_is_recorded_at_once_for_someone_with_no_agreed_hours(story):
    response = signed_in(story.ravi).post(url(story.amina), late(story))
    assert response.status_code == 302 and concerns_about(story, story.amina)


def test_an_absence_on_a_day_that_is_not_theirs_shows_the_pattern_first(story):
    agree_later_start(story)  # Monday to Friday
    day = today_there(story)
    saturday = day - dt.timedelta(days=(day.weekday() - 5) % 7)
    data = typed(story, noticed_from=saturday.isoformat(), noticed_to=saturday.isoformat())
    html = assert_sound_page(signed_in(story.ravi).post(url(story.olena), data))
    assert "Look at the agreed working pattern first" in html
    assert saturday.isoformat() in html
    assert concerns_about(story, story.olena) == []


# --- wording hints (§4.3) --------------------------------------------------------------------


def test_a_word_to_avoid_gets_a_hint_and_the_save_still_goes_through(story):
    ravi = signed_in(story.ravi)
    data = typed(story, what_happened="He said she is not clean and missed two shifts")
    response = ravi.post(url(story.amina), data)
    assert response.status_code == 302  # a hint, never a block
    (concern,) = concerns_about(story, story.amina)
    assert "not clean" in str(concern.what_happened)  # nothing changed in what was written
    page = ravi.get(response["Location"]).content.decode()
    assert "You wrote “clean”. Many people find “not using drugs" in page


def test_a_form_shown_again_shows_the_hints_of_what_was_typed(story):
    data = typed(story, what_happened="An addict came in", noticed_from="")
    html = assert_sound_page(signed_in(story.ravi).post(url(story.amina), data))
    assert "Give the day it was first noticed." in html
    assert "You wrote “addict”" in html


def test_the_service_refuses_whoever_may_not_record_it(story):
    fields = intake.ConcernFields(
        source="manager",
        category="conduct",
        noticed_from=today_there(story),
        what_happened="Raised their voice at a colleague",
    )
    with scope(organisation=story.harbourside.pk), pytest.raises(intake.PermissionDenied):
        intake.record_concern(actor=story.taslima, person=story.amina, fields=fields)
