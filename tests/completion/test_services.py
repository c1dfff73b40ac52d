"""Writes of completion: the rules (organizers, class open), assessment scores (those who run the class, all or
nothing, errors naming the row), a participant's own reflection (until the class closes); every write audited."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.completion import services
from dangjian.completion.models import Assessment, CompletionRules, Reflection
from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def close(w):
    w.program.status = "closed"
    w.program.save()


def test_organizers_set_the_rules_audited_until_the_class_closes(world):
    w = world
    rules = services.rules_set(program=w.program, by=w.organizer, min_attendance_share=Decimal("0.9"),
                               crediting="per_session")
    assert (rules.min_attendance_share, rules.crediting, rules.leave_within_limit) == (Decimal("0.9"),
                                                                                     "per_session", True)
    services.rules_set(program=w.program, by=w.organizer, require_reflection=True)
    rules.refresh_from_db()
    assert rules.require_reflection and rules.min_attendance_share == Decimal("0.9")
    assert AuditEntry.objects.filter(model="completion.completionrules", object_pk=str(rules.pk)).count() == 2
    with pytest.raises(ValidationError) as error:
        services.rules_set(program=w.program, by=w.organizer, min_attendance_share=Decimal("1.5"))
    assert "min_attendance_share" in error.value.message_dict
    with pytest.raises(ValidationError, match="Not a completion rule"):
        services.rules_set(program=w.program, by=w.organizer, hours_per_day=8)
    for user in (w.head_teacher, w.admin, w.participant, w.stranger):
        with pytest.raises(PermissionDenied):
            services.rules_set(program=w.program, by=user, require_assessment=True)
    close(w)
    with pytest.raises(ActionRefused, match="closed or archived"):
        services.rules_set(program=w.program, by=w.organizer, require_assessment=True)
    rules.refresh_from_db()
    assert not rules.require_assessment and CompletionRules.objects.count() == 1


def test_the_head_teacher_records_scores_all_or_nothing(world):
    w = world
    first, second, third = [*w.ours, *w.theirs]
    assert services.assessment_set(program=w.program, by=w.head_teacher, rows=[
        (first.pk, "85.5", "良好"), (second.pk, 59, ""), (third.pk, "", "")]) == 2
    assert {a.nomination_id: (a.score, a.note, a.recorded_by) for a in Assessment.unscoped.all()} == {
        first.pk: (Decimal("85.5"), "良好", w.head_teacher), second.pk: (Decimal("59"), "", w.head_teacher)}
    # The same again writes nothing; a blank score removes a recorded one; every write audited.
    assert services.assessment_set(program=w.program, by=w.organizer, rows=[(first.pk, "85.5", "良好")]) == 0
    assert services.assessment_set(program=w.program, by=w.organizer, rows=[(second.pk, None, "")]) == 1
    assert set(Assessment.unscoped.values_list("nomination_id", flat=True)) == {first.pk}
    assert AuditEntry.objects.filter(model="completion.assessment").count() == 3
    with pytest.raises(ValidationError) as error:
        services.assessment_set(program=w.program, by=w.head_teacher, rows=[
            (third.pk, "90", ""), (second.pk, "abc", ""), (w.elsewhere.pk + 1000, "80", ""), (third.pk, "101", ""),
            (second.pk, "70.25", "x" * 201), (first.pk, "", "缺考")])
    messages = error.value.messages
    assert any(m.startswith("Row 2:") and "“abc” is not a score" in m for m in messages)
    assert any(m.startswith("Row 3:") and "not in this program" in m for m in messages)
    assert any(m.startswith("Row 4:") and "given twice" in m for m in messages)
    assert any(m.startswith("Row 4:") and "“101” is not a score" in m for m in messages)
    assert any(m.startswith("Row 5:") and "“70.25” is not a score" in m for m in messages)
    assert any(m.startswith("Row 5:") and "longer than 200" in m for m in messages)
    assert any(m.startswith("Row 6:") and "a note needs a score" in m for m in messages)
    assert set(Assessment.unscoped.values_list("nomination_id", flat=True)) == {first.pk}


def test_who_records_scores_and_not_after_closing(world):
    w = world
    for user in (w.admin, w.participant, w.stranger):
        with pytest.raises(PermissionDenied):
            services.assessment_set(program=w.program, by=user, rows=[(w.ours[0].pk, "80", "")])
    close(w)
    with pytest.raises(ActionRefused):
        services.assessment_set(program=w.program, by=w.head_teacher, rows=[(w.ours[0].pk, "80", "")])
    assert not Assessment.unscoped.exists()


def test_a_participant_submits_their_own_reflection_until_the_class_closes(world):
    w = world
    mine, other = w.ours
    me = UserFactory(roles=["participant"], person=mine.person)
    reflection = services.reflection_submit(nomination=mine, text="  重走志仁小道，收获很大。 ", by=me)
    assert reflection.text == "重走志仁小道，收获很大。" and reflection.submitted_at
    first_time = reflection.submitted_at
    services.reflection_submit(nomination=mine, text="修改后的体会", by=me)
    reflection.refresh_from_db()
    assert reflection.text == "修改后的体会" and reflection.submitted_at >= first_time
    assert AuditEntry.objects.filter(model="completion.reflection").count() == 2
    with pytest.raises(ValidationError, match="Write your reflection"):
        services.reflection_submit(nomination=mine, text="   ", by=me)
    for user in (w.participant, w.head_teacher, w.organizer):  # not theirs
        with pytest.raises(PermissionDenied):
            services.reflection_submit(nomination=mine, text="代写", by=user)
    with pytest.raises(PermissionDenied):
        services.reflection_submit(nomination=other, text="代写", by=me)
    close(w)
    mine.program.refresh_from_db()
    with pytest.raises(ActionRefused, match="The class has closed"):
        services.reflection_submit(nomination=mine, text="太晚了", by=me)
    assert Reflection.unscoped.get().text == "修改后的体会"


def test_a_nomination_not_confirmed_cannot_submit(world):
    w = world
    mine = w.ours[0]
    mine.status = "withdrawn"
    mine.save()
    me = UserFactory(roles=["participant"], person=mine.person)
    with pytest.raises(PermissionDenied):
        services.reflection_submit(nomination=mine, text="体会", by=me)
