"""The case as people see it (issue 8 item 6; §4.2, §4.7): the person reads all of their
own case; their line manager and HR work it; someone named to support them reads the case
and never the investigation; an investigator reads the concern under investigation;
everyone else gets 404. Correcting keeps what was typed on a stale save; closing takes an
outcome and the reason; HR removes a concern raised in error after a confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import paths
from peerwork.concerns.models import (
    Concern,
    Investigation,
    Investigator,
    NamedSupporter,
    ReviewMeeting,
    Target,
)
from peerwork.concerns.tests.test_api_concerns import record
from peerwork.concerns.tests.test_intake import today_there
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page

pytestmark = pytest.mark.django_db


def page(concern: Concern) -> str:
    return f"/concerns/{concern.pk}/"


def fresh(story, concern: Concern) -> Concern:
    with scope(organisation=story.harbourside.pk):
        return Concern.objects.get(pk=concern.pk)


def edit_data(concern: Concern, **changes) -> dict[str, object]:
    data: dict[str, object] = {
        "source": concern.source,
        "category": concern.category,
        "noticed_from": concern.noticed_from.isoformat(),
        "noticed_to": "",
        "what_happened": str(concern.what_happened),
        "work_impact": str(concern.work_impact or ""),
        "evidence": "",
        "path": concern.path,
        "version": str(concern.version),
    }
    data.update(changes)
    return data


def test_amina_reads_all_of_her_own_case_and_nothing_to_change_it(story):
    concern = record(story)
    html = assert_sound_page(signed_in(story.amina).get(page(concern)))
    assert "A concern about your work" in html
    assert "Raised their voice at a colleague" in html and "The team meeting ended early" in html
    assert "Ravi Shah" in html  # who recorded it
    assert "Correct it" not in html and "Close it" not in html and "Remove" not in html
    assert signed_in(story.amina).get(f"{page(concern)}edit/").status_code == 403
    assert signed_in(story.amina).get(f"{page(concern)}close/").status_code == 403


def test_her_line_manager_and_hr_work_it(story):
    concern = record(story)
    ravi = assert_sound_page(signed_in(story.ravi).get(page(concern)))
    assert "A concern about Amina Wanjiru's work" in ravi
    assert "Correct it" in ravi and "Close it" in ravi
    assert "Remove a concern raised in error" not in ravi
    grace = assert_sound_page(signed_in(story.grace).get(page(concern)))
    assert "Correct it" in grace and "Remove a concern raised in error" in grace


@pytest.mark.parametrize("who", ["taslima", "daniel", "samuel", "chen", "joseph", "peter", "taras"])
def test_anyone_else_gets_404_for_every_page_of_the_case(story, who):
    concern = record(story)
    client = signed_in(getattr(story, who))
    for suffix in ("", "edit/", "close/", "delete/"):
        assert client.get(f"{page(concern)}{suffix}").status_code == 404, suffix


def test_the_path_meetings_and_targets_show_to_the_people_of_the_case(story):
    concern = record(story, category="theft_fraud")
    spec = paths.spec_for(concern)
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        ReviewMeeting.objects.create(
            organisation=story.harbourside,
            concern=concern,
            person=story.amina,
            held_by=story.ravi,
            peer_supporter=story.samuel,
            starts_at=now + dt.timedelta(days=2),
        )
        target = Target(
            organisation=story.harbourside,
            concern=concern,
            person=story.amina,
            measure=Target.Measure.CONDUCT,
            review_on=today_there(story) + dt.timedelta(days=30),
            set_by=story.ravi,
        )
        target.description = "Calm handovers"
        target.feedback_sources = "The team"
        target.save()
    for who in ("amina", "ravi", "grace"):
        html = assert_sound_page(signed_in(getattr(story, who)).get(page(concern)))
        assert "Review meetings" in html and "with Samuel Kiprop" in html, who
        assert "Targets for work" in html and "Conduct at work" in html, who
        if spec is not None:
            assert str(spec.stages[0].title) in html and "not yet" in html, who


def test_a_named_supporter_reads_the_case_and_never_the_investigation(story):
    concern = record(story, category="supply")
    with scope(organisation=story.harbourside.pk):
        NamedSupporter.objects.create(
            organisation=story.harbourside, concern=concern, member=story.joseph
        )
        investigation = Investigation.objects.create(
            organisation=story.harbourside, concern=concern, person=story.amina
        )
        Investigator.objects.create(
            organisation=story.harbourside, investigation=investigation, member=story.taslima
        )
    joseph = assert_sound_page(signed_in(story.joseph).get(page(concern)))
    assert "Raised their voice at a colleague" in joseph
    assert "An investigation is open" not in joseph and "Targets for work" not in joseph
    assert signed_in(story.joseph).get(f"{page(concern)}edit/").status_code == 403
    taslima = assert_sound_page(signed_in(story.taslima).get(page(concern)))
    assert "Raised their voice at a colleague" in taslima and "An investigation is open" in taslima
    amina = assert_sound_page(signed_in(story.amina).get(page(concern)))
    assert "An investigation is open" in amina and "presumed innocent" in amina


def test_correcting_it_saves_and_a_stale_save_keeps_what_was_typed(story):
    concern = record(story)
    ravi = signed_in(story.ravi)
    form = assert_sound_page(ravi.get(f"{page(concern)}edit/"))
    assert "Raised their voice at a colleague" in form and 'name="version" value="1"' in form
    # Grace corrects it meanwhile.
    done = signed_in(story.grace).post(
        f"{page(concern)}edit/", edit_data(concern, evidence="Two colleagues saw it")
    )
    assert done["Location"] == page(concern)
    stale = ravi.post(f"{page(concern)}edit/", edit_data(concern, evidence="The rota says so"))
    html = assert_sound_page(stale)
    assert "changed by someone else meanwhile" in html
    assert "The rota says so" in html and 'name="version" value="2"' in html
    assert str(fresh(story, concern).evidence) == "Two colleagues saw it"
    again = ravi.post(
        f"{page(concern)}edit/", edit_data(concern, evidence="The rota says so", version="2")
    )
    assert again.status_code == 302
    assert str(fresh(story, concern).evidence) == "The rota says so"
    assert fresh(story, concern).version == 3


def test_correcting_to_signs_alone_is_refused_with_the_reason(story):
    concern = record(story)
    data = edit_data(concern, work_impact="", signs=["sweating"])
    html = assert_sound_page(signed_in(story.ravi).post(f"{page(concern)}edit/", data))
    assert "These signs are not a problem in themselves" in html
    assert fresh(story, concern).signs == []


def test_closing_takes_an_outcome_and_the_reason_and_the_person_reads_both(story):
    concern = record(story)
    ravi = signed_in(story.ravi)
    assert_sound_page(ravi.get(f"{page(concern)}close/"))
    html = assert_sound_page(
        ravi.post(f"{page(concern)}close/", {"outcome": "resolved", "version": "1"})
    )
    assert "Say why, for the record and for the staff member." in html
    assert fresh(story, concern).is_open()
    response = ravi.post(
        f"{page(concern)}close/",
        {"outcome": "no_grounds", "outcome_reason": "The client withdrew it", "version": "1"},
    )
    assert response["Location"] == page(concern)
    closed = fresh(story, concern)
    assert closed.state == "closed" and closed.outcome == "no_grounds"
    html = assert_sound_page(signed_in(story.amina).get(page(concern)))
    assert "No grounds found" in html and "The client withdrew it" in html
    # A closed concern no longer changes.
    assert ravi.get(f"{page(concern)}edit/")["Location"] == page(concern)
    assert ravi.get(f"{page(concern)}close/")["Location"] == page(concern)


def test_hr_removes_a_concern_raised_in_error_after_a_confirmation(story):
    concern = record(story)
    assert signed_in(story.ravi).get(f"{page(concern)}delete/").status_code == 403
    grace = signed_in(story.grace)
    html = assert_sound_page(grace.get(f"{page(concern)}delete/"))
    assert "only if it was raised in error" in html
    response = grace.post(f"{page(concern)}delete/")
    assert response["Location"] == "/concerns/"
    with scope(organisation=story.harbourside.pk):
        assert not Concern.objects.filter(pk=concern.pk).exists()
        event = AuditEvent.objects.get(action="concerns.concern.delete")
        assert event.actor_id == story.grace.pk and event.subject_id == story.amina.pk
    assert grace.get(page(concern)).status_code == 404


def test_a_concern_handed_to_the_disciplinary_procedure_is_not_removed_until_withdrawn(story):
    from peerwork.concerns import app9

    concern = record(story, category="conduct")
    with scope(organisation=story.harbourside.pk):
        handoff = app9.request_handoff(
            actor=story.ravi,
            concern=concern,
            grounds="gross_misconduct",
            review=None,
            reason="Took the outreach van home over a weekend without asking.",
        )
    grace = signed_in(story.grace)
    response = grace.post(f"{page(concern)}delete/", follow=True)
    assert "stays as the record of that" in response.content.decode()
    with scope(organisation=story.harbourside.pk):
        assert Concern.objects.filter(pk=concern.pk).exists()
        app9.withdraw_handoff(actor=story.ravi, handoff=handoff, version=handoff.version)
    assert grace.post(f"{page(concern)}delete/")["Location"] == "/concerns/"
    with scope(organisation=story.harbourside.pk):
        assert not Concern.objects.filter(pk=concern.pk).exists()
