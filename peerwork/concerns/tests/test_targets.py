"""Targets for work (issue 8 item 3; App. 9 q7, §4.2, §4.3): measures of work only, with a
review date after today (the organisation's date), objective sources of feedback, the
staff member's self-reflection (theirs alone) and a review in a meeting held on or after
the review date. A description or a source of feedback that makes drug use, abstinence, a
way of using, an OST dose or a drug test the measure is refused, in each language of our
catalogs; the words typed stay with the caller."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from peerwork.concerns import app9
from peerwork.concerns.app9_forms import TargetForm
from peerwork.concerns.models import Concern, Target
from peerwork.concerns.tests.test_app9_path import (
    app9_concern,
    meeting_on,
    target_on,
    today_there,
)
from peerwork.core.models import AuditEvent
from peerwork.core.versions import StaleVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def hs(story):
    with scope(organisation=story.harbourside.pk):
        yield story


WORK = {
    "time_keeping",
    "attendance",
    "tasks_delivered",
    "quality",
    "client_work",
    "conduct",
    "teamwork",
}
DRUG_WORDS = ("abstin", "clean", "sober", "drug", "urine", "test", "dose", "using", "use")


def fields(story, **changes) -> app9.TargetFields:
    values = {
        "measure": Target.Measure.ATTENDANCE,
        "description": "Signs in for every Monday shift by half past nine",
        "review_on": today_there(story) + dt.timedelta(days=28),
        "feedback_sources": "The drop-in sign-in sheet and the rota",
        "set_in": None,
    }
    values.update(changes)
    return app9.TargetFields(**values)


def test_the_measures_offered_are_work_measures_with_no_drug_use_among_them(hs):
    concern = app9_concern(hs)
    offered = {code for code, _label in TargetForm(concern=concern).fields["measure"].choices}
    assert offered == WORK == set(Target.Measure.values)
    assert {"time_keeping", "attendance", "tasks_delivered"} <= offered
    labels = " ".join(label.lower() for _code, label in app9.work_measures())
    for word in DRUG_WORDS:
        assert word not in " ".join(offered) and word not in labels, word


def test_the_line_manager_sets_a_target_whether_or_not_the_problem_is_acknowledged(hs):
    concern = app9_concern(hs)
    meeting = meeting_on(hs, concern, today_there(hs))
    target = app9.set_target(actor=hs.ravi, concern=concern, fields=fields(hs, set_in=meeting))
    target.refresh_from_db()
    assert target.person_id == hs.amina.pk and target.set_by_id == hs.ravi.pk
    assert target.set_in_id == meeting.pk and target.outcome == Target.Outcome.OPEN
    assert target.description == "Signs in for every Monday shift by half past nine"
    event = AuditEvent.objects.filter(action="concerns.target_set").get()
    assert "Monday" not in str(event.detail) and event.detail["measure"] == "attendance"
    # HR sets one too; the staff member, another line manager and a peer mentor may not.
    assert app9.set_target(actor=hs.grace, concern=concern, fields=fields(hs)).pk
    for name in ("amina", "taslima", "samuel", "daniel"):
        with pytest.raises(PermissionDenied):
            app9.set_target(actor=getattr(hs, name), concern=concern, fields=fields(hs))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Stays clean and sober at work"),
        ("en", "Remains abstinent from heroin"),
        ("en", "Passes a drug test every month"),
        ("en", "Brings a negative urine test"),
        ("en", "Keeps to her methadone dose"),
        ("en", "Stops using before the Monday shift"),
        ("sw", "Kuacha kutumia kabla ya zamu ya Jumatatu"),
        ("sw", "Kipimo cha mkojo kila mwezi"),
        ("sw", "Anabaki safi kazini"),
        ("sw", "Dozi ya methadoni"),
        ("ru", "Остаётся трезвым на работе"),
        ("ru", "Сдаёт тест на наркотики каждый месяц"),
        ("ru", "Не употребляет перед сменой"),
        ("ru", "Анализ мочи раз в неделю"),
        ("uk", "Залишається тверезою на роботі"),
        ("uk", "Не вживає перед зміною"),
        ("uk", "Аналіз сечі щотижня"),
        ("uk", "Тримає дозу метадону"),
        ("id", "Tetap bersih dari narkoba"),
        ("id", "Tes urin setiap bulan"),
        ("id", "Berhenti memakai sebelum shift"),
        ("id", "Dosis metadon tetap"),
    ],
)
def test_a_target_that_measures_drug_use_is_refused_in_every_language(hs, language, text):
    concern = app9_concern(hs)
    for name in ("description", "feedback_sources"):
        with pytest.raises(ValidationError) as refused:
            app9.set_target(actor=hs.ravi, concern=concern, fields=fields(hs, **{name: text}))
        message = refused.value.message_dict[name][0]
        assert "A target measures work, never drug use" in message, (language, name)
    assert not Target.objects.filter(concern=concern).exists()


@pytest.mark.parametrize(
    "text",
    [
        "Keeps the drop-in room clean and tidy after the evening session",
        "Delivers the needle and syringe packs to people who use drugs on the Friday route",
        "Держит пункт обмена в чистоте",
        "Menjaga ruang layanan tetap bersih dan rapi",
        "Menjangkau orang yang menggunakan narkoba di pasar setiap Jumat",
        "Консультирует людей, употребляющих наркотики, о более безопасном употреблении",
        "Консультує людей, які вживають наркотики, щодо зменшення шкоди від вживання",
        "Talks with clients about safer drug use on the Friday route",
        "Stops using the office phone for personal calls",
        "Arrives by 10:45 on clinic days, as agreed in the working pattern",
    ],
)
def test_work_that_mentions_cleaning_or_clients_who_use_drugs_is_a_fine_target(hs, text):
    concern = app9_concern(hs)
    target = app9.set_target(actor=hs.ravi, concern=concern, fields=fields(hs, description=text))
    assert target.description == text


def test_every_catalog_language_has_its_own_words():
    assert set(app9.MEASURE_WORDS) == {"en", "sw", "ru", "uk", "id"}
    assert all(len(words) >= 8 for words in app9.MEASURE_WORDS.values())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"measure": "abstinence"}, "measure", "Choose a measure of work from the list."),
        ({"description": "  "}, "description", "Say what good work looks like"),
        ({"feedback_sources": ""}, "feedback_sources", "Name at least one objective source"),
        ({"review_on": None}, "review_on", "Choose the day this target will be reviewed."),
        ({"review_on": "today"}, "review_on", "The review date must be after today."),
        ({"review_on": dt.date(1900, 1, 1)}, "review_on", "between the years 1970 and 2200"),
    ],
)
def test_what_a_target_needs_is_named_and_nothing_is_saved(hs, changes, field, message):
    concern = app9_concern(hs)
    if changes.get("review_on") == "today":
        changes["review_on"] = today_there(hs)
    with pytest.raises(ValidationError) as refused:
        app9.set_target(actor=hs.ravi, concern=concern, fields=fields(hs, **changes))
    assert message in refused.value.message_dict[field][0]
    assert not Target.objects.filter(concern=concern).exists()


def test_today_is_the_organisations_today_not_the_servers(hs):
    concern = app9_concern(hs)
    # 22:30 UTC is already tomorrow in Nairobi (UTC+3): tomorrow there is not after today.
    late = dt.datetime.combine(dt.date(2030, 5, 6), dt.time(22, 30), tzinfo=dt.UTC)
    with pytest.raises(ValidationError):
        app9.set_target(
            actor=hs.ravi,
            concern=concern,
            fields=fields(hs, review_on=dt.date(2030, 5, 7)),
            now=late,
        )
    target = app9.set_target(
        actor=hs.ravi, concern=concern, fields=fields(hs, review_on=dt.date(2030, 5, 8)), now=late
    )
    assert target.review_on == dt.date(2030, 5, 8)


def test_a_target_of_another_concern_meeting_is_refused(hs):
    concern, other = app9_concern(hs), app9_concern(hs)
    elsewhere = meeting_on(hs, other, today_there(hs))
    with pytest.raises(ValidationError) as refused:
        app9.set_target(actor=hs.ravi, concern=concern, fields=fields(hs, set_in=elsewhere))
    assert set(refused.value.message_dict) == {"set_in"}


def test_no_target_is_set_on_a_concern_that_is_not_open(hs):
    concern = app9_concern(hs)
    Concern.objects.filter(pk=concern.pk).update(state=Concern.State.HANDED_OFF)
    concern.refresh_from_db()
    with pytest.raises(ValidationError):
        app9.set_target(actor=hs.ravi, concern=concern, fields=fields(hs))


def test_the_staff_member_writes_their_self_reflection_and_only_they_do(hs):
    concern = app9_concern(hs)
    target = app9.set_target(actor=hs.ravi, concern=concern, fields=fields(hs))
    words = "Mondays go better when I pack the van on Sunday"
    app9.write_reflection(
        actor=hs.amina, target=target, self_reflection=words, version=target.version
    )
    target.refresh_from_db()
    assert target.self_reflection == words
    for name in ("ravi", "grace"):
        with pytest.raises(PermissionDenied):
            app9.write_reflection(
                actor=getattr(hs, name), target=target, self_reflection="x", version=target.version
            )
    with pytest.raises(StaleVersion):
        app9.write_reflection(
            actor=hs.amina, target=target, self_reflection="later", version=target.version - 1
        )


def test_changing_a_target_names_the_version_and_a_new_date_is_told_again(hs):
    concern = app9_concern(hs)
    target = app9.set_target(actor=hs.ravi, concern=concern, fields=fields(hs))
    Target.objects.filter(pk=target.pk).update(review_reminded_at=dt.datetime.now(dt.UTC))
    target.refresh_from_db()
    later = today_there(hs) + dt.timedelta(days=60)
    app9.change_target(
        actor=hs.grace,
        target=target,
        fields=fields(hs, review_on=later, measure=Target.Measure.TIME_KEEPING),
        version=target.version,
    )
    target.refresh_from_db()
    assert target.review_on == later and target.measure == "time_keeping"
    assert target.review_reminded_at is None
    with pytest.raises(StaleVersion):
        app9.change_target(actor=hs.ravi, target=target, fields=fields(hs), version=1)
    with pytest.raises(ValidationError) as refused:
        app9.change_target(
            actor=hs.ravi,
            target=target,
            fields=fields(hs, description="Stays sober on shift"),
            version=target.version,
        )
    assert set(refused.value.message_dict) == {"description"}


def test_a_review_date_already_passed_may_stay_when_the_target_is_corrected(hs):
    concern = app9_concern(hs)
    target = target_on(hs, concern, today_there(hs) - dt.timedelta(days=3))
    app9.change_target(
        actor=hs.ravi,
        target=target,
        fields=fields(hs, review_on=target.review_on, description="On time on Mondays"),
        version=target.version,
    )
    target.refresh_from_db()
    assert target.description == "On time on Mondays"


def test_a_target_is_reviewed_in_a_meeting_held_on_or_after_its_date(hs):
    concern = app9_concern(hs)
    day = today_there(hs) - dt.timedelta(days=5)
    target = target_on(hs, concern, day)
    before = meeting_on(hs, concern, day - dt.timedelta(days=1))
    planned = meeting_on(hs, concern, day, held=False)
    on_the_day = meeting_on(hs, concern, day)
    for meeting, message in (
        (before, "That meeting was held before the target's review date"),
        (planned, "That meeting has not been held yet."),
        (None, "Choose the review meeting the target was reviewed in."),
    ):
        with pytest.raises(ValidationError) as refused:
            app9.review_target(
                actor=hs.ravi,
                target=target,
                meeting=meeting,
                outcome="unmet",
                version=target.version,
            )
        assert message in refused.value.message_dict["meeting"][0]
    with pytest.raises(ValidationError) as refused:
        app9.review_target(
            actor=hs.ravi, target=target, meeting=on_the_day, outcome="open", version=target.version
        )
    assert set(refused.value.message_dict) == {"outcome"}
    target.refresh_from_db()
    assert target.outcome == Target.Outcome.OPEN and target.reviewed_in_id is None
    app9.review_target(
        actor=hs.ravi, target=target, meeting=on_the_day, outcome="partly", version=target.version
    )
    target.refresh_from_db()
    assert target.outcome == "partly" and target.reviewed_in_id == on_the_day.pk
    with pytest.raises(PermissionDenied):
        app9.review_target(
            actor=hs.amina,
            target=target,
            meeting=on_the_day,
            outcome="met",
            version=target.version,
        )
