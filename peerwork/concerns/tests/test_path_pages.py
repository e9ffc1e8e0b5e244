"""A concern's path on its pages, for every path (issue 8 items 3 and 4): the case page lists
the stages of the concern's path, recorded or not yet, each linking to its page; a stage's
page (``?stage=``) shows its prompt and questions, and the line manager or HR record it
there (nothing typed is lost when it is refused or someone else saved first). The staff
member reads their stages; someone named to support them, another line manager and
another organisation get 404. On the App. 9 path, the gentle line of §4.2; and the peer
mentor's yes or no that support is taking place, only while the staff member consents."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns import app9, paths
from peerwork.concerns.models import Concern, NamedSupporter, PathStep
from peerwork.concerns.tests.test_app9_path import (
    ANSWERS,
    app9_concern,
    meeting_on,
    record,
    record_up_to,
    today_there,
)
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.support import agreements, mentoring
from peerwork.support.tests.test_mentoring_pairs import draft, pair_of

pytestmark = pytest.mark.django_db


def concern_of(story, **kwargs) -> Concern:
    with scope(organisation=story.harbourside.pk):
        return app9_concern(story, **kwargs)


def stage_url(concern: Concern, key: str = "") -> str:
    return f"/concerns/{concern.pk}/stage/" + (f"?stage={key}" if key else "")


def steps(concern: Concern) -> dict[str, PathStep]:
    with scope(organisation=concern.organisation_id):
        return paths.steps_of(concern)


def q1_form(**changes) -> dict[str, object]:
    data: dict[str, object] = {
        "indications": ["lateness", "tasks"],
        "evidence": ["records"],
        "notes": "The rota shows the gaps fall on Mondays only",
        "meeting": "",
        "version": "",
    }
    data.update(changes)
    return data


def test_the_case_page_lists_app9s_stages_with_a_link_to_record_each(story):
    concern = concern_of(story)
    html = assert_sound_page(signed_in(story.ravi).get(f"/concerns/{concern.pk}/"))
    assert "Problem drug use at work" in html
    assert "No feature of Peerwork tests anyone for drugs (§4.2)" in html
    assert "whether or not they choose abstinence" in html
    for stage in app9.STAGES:
        assert f'href="{stage_url(concern, stage.key)}"' in html, stage.key
        assert str(stage.title) in html
    assert html.count("ready to record") == 1  # in order: the first stage only
    assert f'href="/concerns/{concern.pk}/targets/new/"' in html
    assert f'href="/concerns/{concern.pk}/handoff/"' in html


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in Concern.Path.values
        if p not in (Concern.Path.REVIEW, Concern.Path.PROBLEM_DRUG_USE)
    ],
)
def test_every_other_paths_stages_are_listed_and_each_has_its_page(story, path):
    concern = concern_of(story, path=path)
    spec = paths.spec_for(concern)
    assert spec is not None, path
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(f"/concerns/{concern.pk}/"))
    assert "No feature of Peerwork tests anyone for drugs" not in html  # App. 9's line only
    for stage in spec.stages:
        assert f'href="{stage_url(concern, stage.key)}"' in html, stage.key
    first = spec.stages[0]
    page = assert_sound_page(ravi.get(stage_url(concern, first.key)))
    assert str(first.prompt)[:40] in page and "Record this stage" in page
    for question in first.questions:
        assert f'name="{question.key}"' in page, question.key


def test_a_concern_on_review_meetings_only_has_no_stages(story):
    concern = concern_of(story, path=Concern.Path.REVIEW)
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(f"/concerns/{concern.pk}/"))
    assert 'id="case-path-h"' in html and "Targets and hand-off" in html
    assert "/stage/" not in html
    page = assert_sound_page(ravi.get(stage_url(concern)))
    assert "follows review meetings only" in page
    response = ravi.post(stage_url(concern), {})
    assert response.status_code == 302


def test_the_line_manager_records_the_first_stage_on_its_page(story):
    concern = concern_of(story)
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(stage_url(concern)))  # no stage named: the first
    assert "What shows a problem at work" in html and "App. 9 q1" in html
    assert "Signs such as pinned pupils" in html
    for value in ("lateness", "use_at_work", "records", "self"):
        assert f'value="{value}"' in html
    response = ravi.post(stage_url(concern, "q1"), q1_form())
    assert response.status_code == 302
    assert response["Location"] == f"/concerns/{concern.pk}/#path"
    step = steps(concern)["q1"]
    assert step.answers == {"indications": ["lateness", "tasks"], "evidence": ["records"]}
    assert step.notes == "The rota shows the gaps fall on Mondays only"
    html = assert_sound_page(ravi.get(f"/concerns/{concern.pk}/"))
    assert "you can correct it" in html and html.count("ready to record") == 1  # q2 now


def test_a_refused_stage_keeps_what_was_typed(story):
    concern = concern_of(story)
    response = signed_in(story.ravi).post(
        stage_url(concern, "q1"), q1_form(evidence=[], notes="Typed with care")
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Typed with care" in html and 'id="id_evidence_error"' in html
    assert re.search(r'value="lateness"[^>]*checked', html)
    assert steps(concern) == {}


def test_a_stage_out_of_order_points_to_the_one_to_record_first(story):
    concern = concern_of(story)
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(stage_url(concern, "q3")))
    assert "The stages come in order. First record:" in html
    assert f'href="{stage_url(concern, "q1")}"' in html and "Record this stage" not in html
    response = ravi.post(stage_url(concern, "q3"), {"other_areas": "wider", "notes": "Typed"})
    html = assert_sound_page(response)
    assert "First record: What shows a problem at work; Who else is involved." in html
    assert steps(concern) == {}


def test_someone_else_recording_first_keeps_the_typing_and_says_so(story):
    concern = concern_of(story)
    grace, ravi = signed_in(story.grace), signed_in(story.ravi)
    assert grace.post(stage_url(concern, "q1"), q1_form()).status_code == 302
    response = ravi.post(stage_url(concern, "q1"), q1_form(notes="Ravi's words", version=""))
    html = assert_sound_page(response)
    assert "Someone else recorded this stage meanwhile" in html and "Ravi&#x27;s words" in html
    step = steps(concern)["q1"]
    assert step.notes == "The rota shows the gaps fall on Mondays only"
    # Saving again goes over what is stored now (the form carries its version).
    assert f'name="version" value="{step.version}"' in html
    again = ravi.post(
        stage_url(concern, "q1"), q1_form(notes="Ravi's words", version=str(step.version))
    )
    assert again.status_code == 302 and steps(concern)["q1"].notes == "Ravi's words"


def test_the_meeting_stage_offers_this_concerns_meetings_only(story):
    concern, other = concern_of(story), concern_of(story)
    with scope(organisation=story.harbourside.pk):
        mine = meeting_on(story, concern, today_there(story) - dt.timedelta(days=2))
        theirs = meeting_on(story, other, today_there(story))
        record_up_to(story, concern, "q4", meeting=mine)
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(stage_url(concern, "q5")))
    assert f'value="{mine.pk}"' in html and f'value="{theirs.pk}"' not in html
    data = {**ANSWERS["q5"], "notes": "We went over the rota", "meeting": str(theirs.pk)}
    html = assert_sound_page(ravi.post(stage_url(concern, "q5"), data))
    assert 'id="id_meeting_error"' in html and "We went over the rota" in html
    data["meeting"] = str(mine.pk)
    assert ravi.post(stage_url(concern, "q5"), data).status_code == 302
    assert steps(concern)["q5"].meeting_id == mine.pk


def test_the_staff_member_reads_their_stages_and_records_none(story):
    concern = concern_of(story)
    with scope(organisation=story.harbourside.pk):
        record(story, concern, "q1")
    amina = signed_in(story.amina)
    html = assert_sound_page(amina.get(stage_url(concern, "q1")))
    assert "The rota shows the gaps fall on Mondays only" in html
    assert "Late for work, or not there" in html and "Time or attendance records" in html
    assert "Record this stage" not in html and "Save the correction" not in html
    assert amina.post(stage_url(concern, "q2"), {**ANSWERS["q2"]}).status_code == 403
    html = assert_sound_page(amina.get(f"/concerns/{concern.pk}/"))
    assert "ready to record" not in html and f'href="{stage_url(concern, "q2")}"' in html


def test_the_path_is_hidden_from_whoever_is_not_in_the_case(story):
    concern = concern_of(story)
    with scope(organisation=story.harbourside.pk):
        NamedSupporter.objects.create(
            organisation=story.harbourside, concern=concern, member=story.joseph
        )
    for name in ("taslima", "samuel", "daniel", "chen", "taras"):
        assert signed_in(getattr(story, name)).get(stage_url(concern, "q1")).status_code == 404
    # A named supporter reads the case page, but not its path, targets or hand-off.
    assert signed_in(story.joseph).get(stage_url(concern, "q1")).status_code == 404
    response = signed_in(story.joseph).get(f"/concerns/{concern.pk}/")
    if response.status_code == 200:
        assert 'id="case-path-h"' not in response.content.decode()
    assert signed_in(story.taslima).post(stage_url(concern, "q1"), q1_form()).status_code == 404
    assert steps(concern) == {}


def test_an_unknown_stage_is_not_found(story):
    concern = concern_of(story)
    assert signed_in(story.ravi).get(stage_url(concern, "q9")).status_code == 404


def test_the_mentors_yes_or_no_shows_only_while_the_staff_member_consents(story):
    concern = concern_of(story)
    url = stage_url(concern, "q6")
    ravi = signed_in(story.ravi)
    draft(story, consent=True)
    with scope(organisation=story.harbourside.pk):
        mentoring.confirm_support(actor=story.samuel, pair=pair_of(story), taking_place=True)
    for page in (url, f"/concerns/{concern.pk}/"):
        html = assert_sound_page(ravi.get(page))
        assert "The peer mentor or coach confirms that support is taking place" in html, page
        assert "Samuel" not in html
    # HR does not see it: the answer is for the line manager.
    assert "confirms that support" not in signed_in(story.grace).get(url).content.decode()


def test_without_consent_the_mentors_answer_is_not_shown(story):
    concern = concern_of(story)
    agreement = draft(story, consent=True)
    with scope(organisation=story.harbourside.pk):
        mentoring.confirm_support(actor=story.samuel, pair=pair_of(story), taking_place=True)
        agreement.refresh_from_db()
        agreements.withdraw_consent(actor=story.amina, agreement=agreement)
    for page in (stage_url(concern, "q6"), f"/concerns/{concern.pk}/"):
        html = assert_sound_page(signed_in(story.ravi).get(page))
        assert "support is taking place" not in html and "not taking place" not in html
