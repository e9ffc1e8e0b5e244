"""The App. 9 path for problem drug use at work (issue 8 item 3; App. 9, §4.2): its eight
stages in our words with the guide's references, recorded in order through the one
service of every path (``paths.record_step``), and the path's own rules: a stage in a
meeting names it (q5, q7, q8); something raised in supervision says whether it was written
down and what changed (q4); an acknowledged problem names the support offered and whether
it was taken up (q6); targets exist before q7 is recorded.

The helpers here (a concern on the path, meetings on a day, stages recorded up to one,
targets with a date) are shared by the other App. 9 test files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from peerwork.concerns import app9, paths, support_menu
from peerwork.concerns.models import Concern, PathStep, ReviewMeeting, Target
from peerwork.core.versions import StaleVersion

pytestmark = pytest.mark.django_db


# --- shared helpers -----------------------------------------------------------------------------


@pytest.fixture
def hs(story: Any) -> Iterator[Any]:
    """The story, inside Harbourside's scope."""
    with scope(organisation=story.harbourside.pk):
        yield story


def today_there(story: Any) -> dt.date:
    return story.harbourside.local_today()


def noon_there(story: Any, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=story.harbourside.zone)


def app9_concern(
    story: Any, *, person: Any = None, path: str = Concern.Path.PROBLEM_DRUG_USE
) -> Concern:
    person = person or story.amina
    concern = Concern(
        organisation_id=story.harbourside.pk,
        person=person,
        raised_by=story.ravi,
        source=Concern.Source.MANAGER,
        category=Concern.Category.ATTENDANCE,
        path=path,
        noticed_from=today_there(story) - dt.timedelta(days=60),
    )
    concern.what_happened = "Missed four Monday outreach shifts in March"
    concern.work_impact = "The Monday van went out with one worker"
    concern.evidence = "The drop-in rota"
    concern.signs = ["sweating"]
    concern.save()
    return concern


def meeting_on(
    story: Any, concern: Concern, day: dt.date, *, held: bool = True, **fields: Any
) -> ReviewMeeting:
    meeting = ReviewMeeting(
        organisation_id=story.harbourside.pk,
        concern=concern,
        person=concern.person,
        held_by=story.ravi,
        starts_at=noon_there(story, day),
        state=ReviewMeeting.State.HELD if held else ReviewMeeting.State.SCHEDULED,
        held_at=noon_there(story, day) if held else None,
    )
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save()
    return meeting


def target_on(
    story: Any, concern: Concern, day: dt.date, *, measure: str = Target.Measure.ATTENDANCE
) -> Target:
    """A target whose review date may lie in the past (set long ago)."""
    target = Target(
        organisation_id=story.harbourside.pk,
        concern=concern,
        person=concern.person,
        measure=measure,
        review_on=day,
        set_by=story.ravi,
    )
    target.description = "Signs in for every Monday shift by half past nine"
    target.feedback_sources = "The drop-in sign-in sheet"
    target.save()
    return target


ANSWERS: dict[str, dict[str, object]] = {
    "q1": {"indications": ["lateness", "tasks"], "evidence": ["records"]},
    "q2": {"second_party": "none", "formal_procedure": "no"},
    "q3": {"other_areas": "isolated"},
    "q4": {"raised_before": "yes", "documented": "yes", "change_since": "same"},
    "q5": {"practice_explained": "yes", "awareness": "partly"},
    "q6": {
        "acknowledged": "yes",
        "support_offered": ["flexible_hours", support_menu.EXTERNAL],
        "uptake": "taken_up",
    },
    "q7": {"in_note": "yes"},
    "q8": {"outcome": "unmet", "next": "handoff"},
}
NOTES = {
    "q1": "The rota shows the gaps fall on Mondays only",
    "q5": "We went over the rota and what the team expects",
    "q8": "Mondays are still missed",
}


def record(
    story: Any,
    concern: Concern,
    key: str,
    *,
    meeting: ReviewMeeting | None = None,
    actor: Any = None,
    **answers: object,
) -> PathStep:
    return paths.record_step(
        actor=actor or story.ravi,
        concern=concern,
        stage_key=key,
        answers={**ANSWERS[key], **answers},
        notes=NOTES.get(key, ""),
        meeting=meeting,
    )


def record_up_to(
    story: Any, concern: Concern, last: str, *, meeting: ReviewMeeting, **q6: object
) -> None:
    """Every stage up to ``last`` (a target is set first when q7 is among them)."""
    for stage in app9.STAGES:
        if stage.key == "q7" and not concern.targets.exists():
            target_on(story, concern, today_there(story) + dt.timedelta(days=30))
        record(
            story,
            concern,
            stage.key,
            meeting=meeting if stage.meeting_required else None,
            **(q6 if stage.key == "q6" else {}),
        )
        if stage.key == last:
            return


# --- the path ------------------------------------------------------------------------------------


def test_the_path_is_app9s_eight_questions_in_order_with_their_references():
    spec = paths.registered_paths()
    found = next(s for s in spec if s.path == Concern.Path.PROBLEM_DRUG_USE)
    assert found is app9.SPEC and found.in_order
    assert [s.key for s in found.stages] == [f"q{n}" for n in range(1, 9)]
    assert [s.guide for s in found.stages] == [f"App. 9 q{n}" for n in range(1, 9)]
    assert [s.key for s in found.stages if s.meeting_required] == ["q5", "q7", "q8"]


def test_the_stages_are_worded_in_our_words_never_the_guides_sentences():
    guide = open("/work/shared/guide/good-practice-guide-employing-pwud.txt").read()  # noqa: PTH123, SIM115
    checklist = guide[guide.index("Appendix 9: Checklist") : guide.index("Appendix 10:")]
    for stage in app9.STAGES:
        for text in (stage.prompt, stage.title, *(q.label for q in stage.questions)):
            words = str(text)
            # No run of eight words of the checklist appears in ours.
            tokens = words.split()
            for start in range(max(0, len(tokens) - 7)):
                assert " ".join(tokens[start : start + 8]) not in checklist, words


def test_support_offered_is_the_section_3_menu_and_support_outside_work(hs):
    q6 = app9.SPEC.stage("q6")
    offered = next(q for q in q6.questions if q.key == "support_offered")
    codes = [code for code, _label in offered.options()]
    assert codes == [code for code, _l, _s in support_menu.MENU]
    assert support_menu.EXTERNAL in codes and "ost_arrangements" in codes


def test_stages_are_recorded_in_order_and_an_early_one_is_refused(hs):
    concern = app9_concern(hs)
    with pytest.raises(ValidationError) as refused:
        record(hs, concern, "q3")
    assert "First record: What shows a problem at work; Who else is involved." in str(refused.value)
    assert not PathStep.objects.filter(concern=concern).exists()
    record(hs, concern, "q1")
    record(hs, concern, "q2")
    step = record(hs, concern, "q3")
    assert step.answers == {"other_areas": "isolated"} and step.recorded_by_id == hs.ravi.pk


def test_what_was_raised_in_supervision_says_whether_it_was_written_down(hs):
    concern = app9_concern(hs)
    meeting = meeting_on(hs, concern, today_there(hs))
    record_up_to(hs, concern, "q3", meeting=meeting)
    with pytest.raises(ValidationError) as refused:
        paths.record_step(
            actor=hs.ravi,
            concern=concern,
            stage_key="q4",
            answers={"raised_before": "yes"},
            notes="",
        )
    assert set(refused.value.message_dict) == {"documented", "change_since"}
    # Never raised before: nothing more to say.
    step = paths.record_step(
        actor=hs.ravi, concern=concern, stage_key="q4", answers={"raised_before": "no"}, notes=""
    )
    assert step.answers == {"raised_before": "no"}


def test_the_meeting_stage_names_a_meeting_of_this_concern(hs):
    concern = app9_concern(hs)
    other = app9_concern(hs)
    record_up_to(hs, concern, "q4", meeting=meeting_on(hs, concern, today_there(hs)))
    with pytest.raises(ValidationError) as refused:
        record(hs, concern, "q5")
    assert refused.value.message_dict == {
        "meeting": ["Choose the review meeting this stage was in."]
    }
    with pytest.raises(ValidationError) as refused:
        record(hs, concern, "q5", meeting=meeting_on(hs, other, today_there(hs)))
    assert refused.value.message_dict == {"meeting": ["Choose a meeting about this concern."]}


@pytest.mark.parametrize(
    ("answers", "fields"),
    [
        ({"acknowledged": "yes", "support_offered": [], "uptake": ""}, {"support_offered"}),
        ({"acknowledged": "partly", "support_offered": ["training"], "uptake": ""}, {"uptake"}),
        ({"acknowledged": "no", "support_offered": [], "uptake": "refused"}, {"uptake"}),
        (
            {"acknowledged": "yes", "support_offered": ["a_drug_test"], "uptake": "taken_up"},
            {"support_offered"},
        ),
    ],
)
def test_an_acknowledged_problem_names_the_support_offered_and_its_uptake(hs, answers, fields):
    concern = app9_concern(hs)
    record_up_to(hs, concern, "q5", meeting=meeting_on(hs, concern, today_there(hs)))
    with pytest.raises(ValidationError) as refused:
        paths.record_step(actor=hs.ravi, concern=concern, stage_key="q6", answers=answers, notes="")
    assert set(refused.value.message_dict) == fields
    assert not PathStep.objects.filter(concern=concern, stage="q6").exists()


def test_support_may_be_offered_or_not_when_the_problem_is_not_acknowledged(hs):
    concern = app9_concern(hs)
    record_up_to(hs, concern, "q5", meeting=meeting_on(hs, concern, today_there(hs)))
    step = paths.record_step(
        actor=hs.ravi, concern=concern, stage_key="q6", answers={"acknowledged": "no"}, notes=""
    )
    assert step.answers == {"acknowledged": "no"}


def test_targets_are_set_before_their_stage_is_recorded(hs):
    concern = app9_concern(hs)
    meeting = meeting_on(hs, concern, today_there(hs))
    record_up_to(hs, concern, "q6", meeting=meeting)
    with pytest.raises(ValidationError) as refused:
        record(hs, concern, "q7", meeting=meeting)
    assert "Set at least one target for work first" in str(refused.value)
    target_on(hs, concern, today_there(hs) + dt.timedelta(days=14))
    assert record(hs, concern, "q7", meeting=meeting).answers == {"in_note": "yes"}


def test_a_correction_names_the_version_it_read(hs):
    concern = app9_concern(hs)
    step = record(hs, concern, "q1")
    with pytest.raises(StaleVersion):
        record(hs, concern, "q1")  # a second "first" recording meanwhile
    changed = paths.record_step(
        actor=hs.grace,
        concern=concern,
        stage_key="q1",
        answers={"indications": ["trust"], "evidence": ["clients"]},
        notes="Two clients said so",
        version=step.version,
    )
    assert changed.answers == {"indications": ["trust"], "evidence": ["clients"]}
    assert changed.version == step.version + 1 and changed.notes == "Two clients said so"
    with pytest.raises(StaleVersion):
        paths.record_step(
            actor=hs.ravi,
            concern=concern,
            stage_key="q1",
            answers=ANSWERS["q1"],
            notes="x",
            version=step.version,
        )


def test_a_closed_concern_keeps_its_stages_as_they_are(hs):
    concern = app9_concern(hs)
    concern.state = Concern.State.CLOSED
    concern.save(update_fields=["state"])
    with pytest.raises(ValidationError):
        record(hs, concern, "q1")


def test_the_answers_read_back_in_words(hs):
    stage = app9.SPEC.stage("q6")
    words = dict(app9.answer_labels(stage, ANSWERS["q6"]))
    assert words["Is the problem acknowledged?"] == "Yes"
    assert "Flexible hours or a change to the working pattern" in words["Support offered"]
    assert words["Did the staff member take it up?"] == "Taken up"
