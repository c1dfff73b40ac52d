"""Answering: a participant answers a session's card once, only for an ended session of their roster within the
days a card stays open, and the program questionnaire once around the end of their phase; refusals in words,
nothing written. Anonymity: the answer table has no link to a person, nomination or user, a random primary key and
only a date; the receipt has no link to the answer; no audit entry joins the two."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from dangjian.evaluation import selectors, services
from dangjian.evaluation.enums import FormKind
from dangjian.evaluation.models import EvaluationAnswer, EvaluationReceipt
from tests.evaluation.conftest import FULL_CARD, ONSITE
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db


# --- Anonymity in the schema ---------------------------------------------------------------------------

PERSONAL_MODELS = {"organizations.person", "enrollment.nomination", "accounts.user", "enrollment.placement",
                   "evaluation.evaluationreceipt", "core.auditentry"}


def test_the_answer_table_cannot_lead_to_a_person():
    meta = EvaluationAnswer._meta
    related = {field.related_model._meta.label_lower for field in meta.get_fields()
               if field.is_relation and field.related_model is not None}
    assert related == {"evaluation.evaluationform", "training.program", "training.session"}
    assert not related & PERSONAL_MODELS
    # No time, no sequence: a random UUID key and a date.
    assert isinstance(meta.pk, models.UUIDField) and meta.pk.default is uuid.uuid4
    kinds = {field.name: type(field) for field in meta.concrete_fields}
    assert not any(issubclass(kind, models.DateTimeField | models.TimeField) for kind in kinds.values())
    assert kinds["answered_on"] is models.DateField
    assert not any(name in kinds for name in ("person", "nomination", "user", "created_at", "created_by"))
    # Nothing of the platform points at an answer (a reverse link would be a path from a person to it).
    assert [field.name for field in meta.get_fields() if field.auto_created and not field.concrete] == []


def test_the_receipt_has_no_link_to_the_answer_and_no_time():
    meta = EvaluationReceipt._meta
    related = {field.related_model._meta.label_lower for field in meta.get_fields()
               if field.is_relation and field.related_model is not None}
    assert "evaluation.evaluationanswer" not in related
    assert not any(isinstance(field, models.DateTimeField | models.TimeField) for field in meta.concrete_fields)


def test_answers_are_not_in_the_order_of_answering(world):
    w = world
    services.card_answer(session=w.lecture, by=w.participant, scores=FULL_CARD)
    services.card_answer(session=w.onsite, by=w.participant, scores=FULL_CARD | ONSITE)
    assert EvaluationAnswer._meta.ordering == ["answered_on", "id"]
    answers = list(EvaluationAnswer.objects.all())
    assert [a.pk for a in answers] == sorted(a.pk for a in answers)  # ordered by the random key
    assert {a.answered_on for a in answers} == {timezone.localdate()}


def test_an_answer_writes_a_receipt_and_an_answer_and_no_audit_entry(world):
    w = world
    audited = AuditEntry.objects.count()
    answered_on = services.card_answer(session=w.lecture, by=w.participant, scores=FULL_CARD,
                                       texts={"main_gain": "  学到了三会一课的规范做法  ", "improvement": ""})
    assert answered_on == timezone.localdate()
    answer = EvaluationAnswer.objects.get()
    assert answer.session == w.lecture and answer.program == w.program
    assert answer.scores == FULL_CARD and answer.texts == {"main_gain": "学到了三会一课的规范做法"}
    receipt = EvaluationReceipt.objects.get()
    assert (receipt.nomination, receipt.session, receipt.answered_on) == (w.me, w.lecture, answered_on)
    assert AuditEntry.objects.count() == audited
    # The person's name, id or user appear nowhere in the answer's row.
    row = str(EvaluationAnswer.objects.filter(pk=answer.pk).values().get())
    assert w.me.person.name not in row and f"'nomination_id': {w.me.pk}" not in row


# --- Answering rules ---------------------------------------------------------------------------------------

def refused(callable_, match, **kwargs):
    before = db_state()
    with pytest.raises(ValidationError, match=match):
        callable_(**kwargs)
    assert state_diff(before, db_state()) == {}


def test_a_card_once_for_an_ended_session_of_the_roster(world):
    w = world
    services.card_answer(session=w.lecture, by=w.participant, scores=FULL_CARD)
    refused(services.card_answer, "already evaluated", session=w.lecture, by=w.participant, scores=FULL_CARD)
    refused(services.card_answer, "after it has ended", session=w.tomorrow, by=w.participant, scores=FULL_CARD)
    refused(services.card_answer, "more than 7 days ago", session=w.old, by=w.participant, scores=FULL_CARD)
    refused(services.card_answer, "not on your timetable", session=w.their_group, by=w.participant,
            scores=FULL_CARD)
    refused(services.card_answer, "not on your timetable", session=w.lecture, by=w.outsider, scores=FULL_CARD)
    # The card of tomorrow's session opens when it has ended, and closes seven days later.
    after = w.tomorrow.ends_at + datetime.timedelta(hours=1)
    services.card_answer(session=w.tomorrow, by=w.participant, scores=FULL_CARD, now=after)
    with pytest.raises(PermissionDenied):
        services.card_answer(session=w.lecture, by=w.organizer, scores=FULL_CARD)


def test_an_on_site_session_asks_the_extra_dimensions_and_every_level(world):
    w = world
    refused(services.card_answer, "“Quality of guiding / explanation”: choose a level", session=w.onsite,
            by=w.participant, scores=FULL_CARD)
    refused(services.card_answer, "“Verbal delivery”: not a level", session=w.lecture, by=w.participant,
            scores=FULL_CARD | {"delivery": 5})
    refused(services.card_answer, "at most 2000 characters", session=w.lecture, by=w.participant,
            scores=FULL_CARD, texts={"main_gain": "好" * 2001})
    services.card_answer(session=w.onsite, by=w.participant, scores=FULL_CARD | ONSITE | {"unknown": 4})
    assert EvaluationAnswer.objects.get().scores == FULL_CARD | ONSITE


def test_the_program_questionnaire_once_around_the_end_of_the_phase(world):
    w = world
    end = w.phase.ends_on
    early = timezone.make_aware(datetime.datetime.combine(end - datetime.timedelta(days=1), datetime.time(12)))
    on_the_day = timezone.make_aware(datetime.datetime.combine(end, datetime.time(15)))
    scores = {row["id"]: 3 for row in selectors.form_in_use(w.program, FormKind.PROGRAMME).definition["dimensions"]}
    refused(services.questionnaire_answer, "opens on", program=w.program, by=w.participant, scores=scores,
            now=early)
    refused(services.questionnaire_answer, "not one of the options", program=w.program, by=w.participant,
            scores=scores, choices={"least_satisfied": [str(w.their_group.pk)]}, now=on_the_day)
    refused(services.questionnaire_answer, "choose at most 1", program=w.program, by=w.participant,
            scores=scores, choices={"least_satisfied": [str(w.lecture.pk), str(w.onsite.pk)]}, now=on_the_day)
    services.questionnaire_answer(program=w.program, by=w.participant, scores=scores, now=on_the_day,
                                  choices={"most_satisfied": [str(w.lecture.pk), str(w.onsite.pk)],
                                           "topics_wanted": ["regulations", "onsite"]},
                                  texts={"other_suggestions": "希望增加研讨时间"})
    answer = EvaluationAnswer.objects.get()
    assert answer.session is None and answer.choices["topics_wanted"] == ["regulations", "onsite"]
    refused(services.questionnaire_answer, "already answered the program", program=w.program, by=w.participant,
            scores=scores, now=on_the_day)
    late = on_the_day + datetime.timedelta(days=15)
    with pytest.raises(ActionRefused, match="closed on"):
        services.questionnaire_answer(program=w.program, by=w.outsider, scores=scores,
                                      now=late + datetime.timedelta(days=30))


def test_pending_lists_the_ended_sessions_of_the_roster_not_yet_answered(world, django_assert_num_queries):
    w = world
    with django_assert_num_queries(3):
        pending = selectors.my_pending(user=w.participant)
    assert [item.session for item in pending] == [w.onsite, w.lecture]
    services.card_answer(session=w.onsite, by=w.participant, scores=FULL_CARD | ONSITE)
    assert [item.session for item in selectors.my_pending(user=w.participant)] == [w.lecture]
    on_the_day = timezone.make_aware(datetime.datetime.combine(w.phase.ends_on, datetime.time(18)))
    kinds = [item.kind for item in selectors.my_pending(user=w.participant, now=on_the_day)]
    assert FormKind.PROGRAMME in kinds
    assert selectors.my_pending(user=w.organizer) == []


def test_no_card_is_asked_for_a_ceremony_the_assessment_or_travel(world):
    """selectors.NOT_EVALUATED is the one list: refused in words, not pending, not an option of "liked most"."""
    from tests.evaluation.conftest import session

    w = world
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    opening = session(w.phase, yesterday, hour=6, form="opening", title="开班式")
    with pytest.raises(ActionRefused, match="No card is asked for this kind of session"):
        services.card_answer(session=opening, by=w.participant, scores=FULL_CARD)
    assert opening not in [item.session for item in selectors.my_pending(user=w.participant)]
    placement = selectors.my_placements(user=w.participant)[0]
    assert opening not in selectors.class_sessions(placement) and w.lecture in selectors.class_sessions(placement)


def test_response_rates_and_non_respondents(world, django_assert_num_queries):
    w = world
    services.card_answer(session=w.lecture, by=w.participant, scores=FULL_CARD)
    with django_assert_num_queries(3):
        rows = {row.session: row for row in selectors.response_rates(w.program)}
    assert (rows[w.lecture].answered, rows[w.lecture].roster) == (1, 2)
    assert (rows[w.their_group].answered, rows[w.their_group].roster) == (0, 1)
    assert rows[w.lecture].percent == 50
    assert selectors.non_respondents(w.lecture) == w.others
