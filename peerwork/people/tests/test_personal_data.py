"""The register of personal data: no model that points at a person can be forgotten."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from peerwork.core.models import Membership, User
from peerwork.core.sealing import SealedField
from peerwork.people import personal_data
from peerwork.people.personal_data import OnErasure, PersonalData

# Models deliberately outside the register, with the reason.
NOT_WALKED = {
    # Exists only while tests run (settings add it under PEERWORK_TESTING): it exercises
    # sealed fields and is never installed in a real Peerwork.
    "sealtest": "a test-only app",
}


def _ours(model: type[models.Model]) -> bool:
    name = model._meta.app_config.name
    return name.startswith("peerwork.") and model._meta.app_label not in NOT_WALKED


def _marks_a_person(model: type[models.Model]) -> bool:
    """Points at a person (a foreign key or one-to-one to Membership or User) or seals
    something: the markers of personal data."""
    for field in model._meta.get_fields(include_hidden=True):
        if not field.concrete:
            continue
        if isinstance(field, SealedField):
            return True
        if isinstance(field, models.ForeignKey) and field.related_model in (Membership, User):
            return True
    return False


def test_every_model_of_ours_that_marks_a_person_is_registered_or_explained():
    registered = personal_data.registered_models()
    explained = set(personal_data.not_personal())
    forgotten = [
        model._meta.label
        for model in apps.get_models()
        if _ours(model) and _marks_a_person(model) and model not in registered | explained
    ]
    assert not forgotten, (
        f"{forgotten} hold personal data: register each in peerwork/<app>/personal_data.py "
        "(register_personal_data) or say why not (register_not_personal)"
    )


def test_every_model_of_the_core_and_the_people_module_is_decided_one_way_or_the_other():
    decided = personal_data.registered_models() | set(personal_data.not_personal())
    undecided = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in ("core", "people") and model not in decided
    ]
    assert not undecided


def test_the_walk_finds_the_markers_it_relies_on():
    # The test above could pass by finding nothing: these must be seen as personal data.
    from peerwork.core.models import ApiToken, PersonKey, WebhookEndpoint
    from peerwork.people.models import Disclosure, StaffRecord

    for model in (Disclosure, StaffRecord, ApiToken, PersonKey, WebhookEndpoint, Membership):
        assert _marks_a_person(model), model
    assert any(_ours(m) and _marks_a_person(m) for m in apps.get_models())
    assert "peerwork.core.tests.sealtest" in settings.INSTALLED_APPS  # what NOT_WALKED skips


def test_a_new_model_with_a_person_in_it_fails_the_walk_until_registered():
    class Diary(models.Model):
        owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "people"

        def __str__(self) -> str:
            return str(self.pk)

    try:
        assert _ours(Diary) and _marks_a_person(Diary)
        assert Diary not in personal_data.registered_models()
        assert Diary not in personal_data.not_personal()
    finally:
        apps.all_models["people"].pop("diary", None)
        apps.clear_cache()


def test_no_model_is_both_registered_and_explained_away():
    assert not personal_data.registered_models() & set(personal_data.not_personal())


def test_every_reason_for_not_being_personal_data_says_something():
    for model, reason in personal_data.not_personal().items():
        assert len(str(reason)) > 20, model


def test_each_entry_that_erases_or_anonymises_knows_how():
    for entry in personal_data.entries():
        assert entry.title and entry.explanation, entry.key
        if entry.on_erasure is OnErasure.ANONYMISE:
            assert entry.erase is not None, f"{entry.key}: say how it is anonymised"


def test_every_entry_except_what_every_person_has_can_make_a_sample():
    always_there = {"core.user", "core.membership", "core.membership_role"}
    missing = [e.key for e in personal_data.entries() if e.sample is None]
    assert set(missing) <= always_there, missing


def test_registering_another_entry_under_a_taken_key_is_refused():
    taken = personal_data.entry("people.disclosure")
    other = PersonalData(
        key=taken.key,
        model=taken.model,
        title="x",
        rows=taken.rows,
        export=taken.export,
        on_erasure=OnErasure.KEEP,
        explanation="x",
    )
    with pytest.raises(ValueError, match="already registered"):
        personal_data.register_personal_data(other)
    assert personal_data.register_personal_data(taken) is taken  # the same one again: fine


def test_a_reason_for_not_being_personal_data_cannot_be_empty():
    with pytest.raises(ValueError):
        personal_data.register_not_personal(Membership, " ")
