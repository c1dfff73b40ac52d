"""Evaluation forms as data: evaluation.yaml loads into valid forms (the migration and the loader), a definition
with a wrong row is refused naming it, an organizer copies a default form for a program and edits it while nobody
has answered it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.rules import ActionRefused
from dangjian.evaluation import selectors, services
from dangjian.evaluation.definitions import default_definitions, validate_definition
from dangjian.evaluation.enums import FormKind
from dangjian.evaluation.models import EvaluationForm
from tests.evaluation.conftest import FULL_CARD

pytestmark = pytest.mark.django_db


def test_the_yaml_loads_into_valid_default_forms():
    forms = selectors.default_forms()
    assert set(forms) == set(FormKind.values)
    card = forms[FormKind.SESSION_CARD]
    assert card.title_zh == "每门课程评估卡"
    assert [row["id"] for row in card.definition["dimensions"]] == [
        "relevance", "theory", "information", "delivery", "teaching_manner"]
    assert [row["id"] for row in card.definition["onsite_dimensions"]] == [
        "guide_quality", "stop_arrangement", "time_control"]
    assert card.definition["level_points"] == {"4": 20, "3": 15, "2": 10, "1": 5}
    assert [level["value"] for level in card.definition["levels"]] == [4, 3, 2, 1]
    programme = forms[FormKind.PROGRAMME].definition
    assert len(programme["dimensions"]) == 15
    assert {row["id"] for row in programme["choices"]} == {"most_satisfied", "least_satisfied", "topics_wanted"}
    assert [row["id"] for row in forms[FormKind.FOLLOW_UP].definition["unit_items"]] == ["unit_rating",
                                                                                         "unit_comment"]
    for form in forms.values():
        form.full_clean()


def test_the_loader_fills_an_emptied_database_once():
    EvaluationForm.objects.filter(program__isnull=True).delete()
    assert services.default_forms_load() == 3
    assert services.default_forms_load() == 0
    assert EvaluationForm.objects.filter(program__isnull=True).count() == 3


def test_a_wrong_definition_is_refused_naming_the_row():
    definition = default_definitions()[FormKind.SESSION_CARD]["definition"]
    bad = {**definition, "dimensions": [*definition["dimensions"], {"id": "Relevance!", "zh": ""},
                                        {"id": "theory", "zh": "重复"}]}
    with pytest.raises(ValidationError) as error:
        validate_definition(bad, kind=FormKind.SESSION_CARD)
    text = " ".join(error.value.messages)
    assert "dimensions, row 6: the id must be lower-case" in text
    assert "dimensions, row 6: the Chinese wording is missing" in text
    assert "row 7: the id “theory” is used twice" in text
    with pytest.raises(ValidationError, match="points of every level"):
        validate_definition({**definition, "level_points": {"4": 20}}, kind=FormKind.SESSION_CARD)
    with pytest.raises(ValidationError, match="at least one dimension"):
        validate_definition({**definition, "dimensions": []}, kind=FormKind.SESSION_CARD)


def test_an_organizer_copies_and_edits_a_form_until_it_is_answered(world):
    w = world
    form = services.form_copy(program=w.program, kind=FormKind.SESSION_CARD, by=w.organizer)
    assert form.program == w.program and form.copied_from == selectors.default_forms()[FormKind.SESSION_CARD]
    assert selectors.form_in_use(w.program, FormKind.SESSION_CARD) == form
    with pytest.raises(ValidationError, match="already has its own"):
        services.form_copy(program=w.program, kind=FormKind.SESSION_CARD, by=w.organizer)
    definition = {**form.definition, "dimensions": [*form.definition["dimensions"][:2],
                                                    {"id": "party_spirit", "zh": "党性教育效果", "en": "Party spirit"}]}
    services.form_update(form=form, title_zh="本班课程评估卡", title_en="", definition=definition, by=w.organizer)
    form.refresh_from_db()
    assert [row["id"] for row in form.definition["dimensions"]] == ["relevance", "theory", "party_spirit"]
    # The default is untouched.
    assert len(selectors.default_forms()[FormKind.SESSION_CARD].definition["dimensions"]) == 5
    # College staff run the class but do not change its forms; nobody edits a default form.
    with pytest.raises(PermissionDenied):
        services.form_copy(program=w.program, kind=FormKind.PROGRAMME, by=w.head_teacher)
    with pytest.raises(PermissionDenied):
        services.form_update(form=selectors.default_forms()[FormKind.PROGRAMME], title_zh="x", title_en="",
                             definition={}, by=w.organizer)
    # Once answered, the form stays as it was.
    services.card_answer(session=w.lecture, by=w.participant,
                         scores={"relevance": 4, "theory": 3, "party_spirit": 4})
    with pytest.raises(ValidationError, match="already answered this form"):
        services.form_update(form=form, title_zh="再改", title_en="", definition=definition, by=w.organizer)


def test_a_default_form_answered_by_the_program_is_no_longer_replaced(world):
    w = world
    services.card_answer(session=w.lecture, by=w.participant, scores=FULL_CARD)
    with pytest.raises(ValidationError, match="can no longer be replaced"):
        services.form_copy(program=w.program, kind=FormKind.SESSION_CARD, by=w.organizer)
    w.program.status = "closed"
    w.program.save()
    with pytest.raises(ActionRefused, match="closed or archived"):
        services.form_copy(program=w.program, kind=FormKind.PROGRAMME, by=w.organizer)
