"""completion.selectors.program_results (who completed, why not, the hours credited) and
attendance.selectors.participant_hours (hours attended, on leave, days attended): each rule alone and together,
the reasons in words (en and zh), the leave limit and the attendance share at their boundaries, crediting per day
and per session, group and 0-hour sessions, withdrawn participants, and a constant number of queries."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from dangjian.attendance.models import Withdrawal
from dangjian.attendance.selectors import participant_hours
from dangjian.completion.models import Assessment, CompletionRules, Reflection
from dangjian.completion.selectors import leave_limit_hours, participant_placements, program_results, rules_of
from dangjian.enrollment.models import Placement
from tests.completion.conftest import group_sessions, mark
from tests.factories import place

pytestmark = pytest.mark.django_db

D = Decimal


def results_by_id(program):
    return {result.nomination.pk: result for result in program_results(program)}


def all_present(w, nominations=None):
    for nomination in nominations or [*w.ours, *w.theirs]:
        mark(nomination, w.sessions)


def set_rules(w, **fields):
    CompletionRules.objects.update_or_create(program=w.program, defaults=fields)
    w.program.refresh_from_db()
    return rules_of(w.program)


# --- participant_hours ------------------------------------------------------------------------------------

def test_hours_count_attended_late_leave_absent_and_unmarked_and_ignore_travel(world):
    w = world
    first = w.ours[0]
    day1 = w.days[1]
    mark(first, [day1[0]], "present")
    mark(first, [day1[1]], "late")
    mark(first, [day1[2]], "on_leave")
    mark(first, w.days[2][:1], "absent")
    mark(first, [w.travel], "absent")  # 0 hours: counts for nothing
    hours = participant_hours(participant_placements(w.program))[first.pk]
    assert (hours.class_hours, hours.attended_hours, hours.leave_hours, hours.absent_hours) == (35, 5, 2, 3)
    assert hours.unmarked_hours == 25
    assert hours.class_days == 5
    assert hours.attendance_share == D(5) / D(35)
    assert hours.leave_share == D(2) / D(35)


def test_a_day_counts_when_at_least_half_of_its_hours_were_attended(world):
    w = world
    first, second = w.ours
    # Day 1 (3 + 2 + 2 = 7 hours): 3 + 2 attended -> counts.
    mark(first, w.days[1][:2])
    # Day 5 (3 + 2 + 1.5 + 0.5): exactly half (2 + 1.5) -> counts.
    mark(first, w.days[5][1:3])
    # Day 2: 3 of 7 hours, less than half -> does not count.
    mark(first, w.days[2][:1])
    # Day 3: on leave all day -> does not count.
    mark(first, w.days[3], "on_leave")
    assert participant_hours(participant_placements(w.program))[first.pk].days_attended == 2
    # Late counts as attended.
    mark(second, w.days[4], "late")
    assert participant_hours(participant_placements(w.program))[second.pk].days_attended == 1


def test_group_sessions_count_only_for_their_group(world):
    w = world
    by_group = group_sessions(w)
    in_group1, in_group2 = w.ours
    mark(in_group1, [by_group[w.group1]])
    with pytest.raises(Exception):  # noqa: B017 (the model refuses another group's session)
        from dangjian.attendance.models import Attendance
        Attendance(session=by_group[w.group1], nomination=in_group2, mark="present").full_clean()
    hours = participant_hours(participant_placements(w.program))
    assert hours[in_group1.pk].class_hours == hours[in_group2.pk].class_hours == D("36.5")
    assert hours[in_group1.pk].attended_hours == D("1.5")
    assert hours[in_group2.pk].attended_hours == 0
    # A participant placed in the phase but in no group: only the sessions of the whole phase.
    ungrouped = place(w.program, w.organ, w.phase)
    assert participant_hours(participant_placements(w.program))[ungrouped.pk].class_hours == 35


def test_the_second_phase_has_its_own_sessions(world):
    w = world
    hours = participant_hours(participant_placements(w.program))
    assert hours[w.elsewhere.pk].class_hours == 0
    assert hours[w.elsewhere.pk].attendance_share is None and hours[w.elsewhere.pk].class_days == 0


def test_participant_hours_takes_two_queries_whatever_the_number(world, django_assert_num_queries):
    w = world
    all_present(w)
    placements = list(participant_placements(w.program))
    with django_assert_num_queries(2):
        assert len(participant_hours(placements)) == 4
    for _ in range(30):
        mark(place(w.program, w.other, w.phase, w.group2), w.sessions)
    placements = list(participant_placements(w.program))
    with django_assert_num_queries(2):
        hours = participant_hours(placements)
    assert len(hours) == 34 and all(h.attended_hours == 35 for h in hours.values() if h.class_hours)
    with django_assert_num_queries(0):
        assert participant_hours([]) == {}


# --- program_results: the rules one by one ----------------------------------------------------------------

def test_without_rules_the_defaults_apply_leave_within_one_seventh_and_crediting_per_day(world):
    w = world
    rules = rules_of(w.program)
    assert rules.pk is None and rules.leave_within_limit and rules.max_leave_ratio == D("0.14286")
    assert rules.crediting == "per_day" and rules.min_attendance_share is None
    all_present(w)
    results = results_by_id(w.program)
    assert set(results) == {n.pk for n in (*w.ours, *w.theirs, w.elsewhere)}
    first = results[w.ours[0].pk]
    assert first.completed and first.reasons == [] and first.reason_texts == []
    assert first.credited_hours == D("37.5")  # 5 days x 7.5
    # Nothing marked in phase 2 (it has no sessions): nothing to fail, nothing credited.
    assert results[w.elsewhere.pk].completed and results[w.elsewhere.pk].credited_hours == 0


def test_the_leave_limit_at_its_boundary(world):
    w = world
    all_present(w)
    first, second = w.ours
    assert leave_limit_hours(rules_of(w.program), D(35)) == D(5)
    # Exactly 1/7 of the 35 hours (3 + 2): within the limit.
    mark(first, w.days[1][:2], "on_leave")
    # A bit more (3 + 2 + 0.5): over it.
    mark(second, [*w.days[1][:2], w.days[5][3]], "on_leave")
    results = results_by_id(w.program)
    assert results[first.pk].completed and results[first.pk].hours.leave_hours == 5
    assert not results[second.pk].completed
    assert results[second.pk].reasons == [{"code": "leave", "leave_hours": "5.5", "class_hours": "35.0",
                                           "limit_hours": "5.0"}]
    assert results[second.pk].reason_texts == ["On leave for 5.5 of 35.0 hours, over the limit of 5.0 hours."]
    with translation.override("zh-hans"):
        assert results[second.pk].reason_texts == ["请假 5.5／35.0 学时，超过上限 5.0 学时。"]
    assert results[second.pk].credited_hours == 0


def test_the_leave_limit_is_rounded_down_never_up(world):
    rules = CompletionRules()
    # 11 hours x 1/7 = 1.571...: 1.6 hours of leave is more than 1/7, so the limit is 1.5 (it was 1.6).
    assert leave_limit_hours(rules, D(11)) == D("1.5")
    assert leave_limit_hours(rules, D(7)) == D(1)
    assert leave_limit_hours(rules, D("36.5")) == D("5.2")
    rules.max_leave_ratio = D("0.2")
    assert leave_limit_hours(rules, D(35)) == D(7)


def test_a_leave_over_the_limit_counts_only_when_the_rule_is_on(world):
    w = world
    all_present(w)
    mark(w.ours[0], w.days[1], "on_leave")  # 7 of 35 hours
    assert not results_by_id(w.program)[w.ours[0].pk].completed
    set_rules(w, leave_within_limit=False)
    assert results_by_id(w.program)[w.ours[0].pk].completed
    set_rules(w, leave_within_limit=True, max_leave_ratio=D("0.2"))  # limit 7 hours: within
    assert results_by_id(w.program)[w.ours[0].pk].completed


def test_the_minimum_attendance_share_at_its_boundary(world):
    w = world
    set_rules(w, min_attendance_share=D("0.9"), leave_within_limit=False)
    first, second, third = [*w.ours, *w.theirs]
    all_present(w)
    # 31.5 of 35 hours = 0.9 exactly: completed. 28 of 35 (0.8): not.
    mark(first, [w.days[5][1], w.days[5][2]], "absent")  # 2 + 1.5 absent
    mark(second, w.days[1], "absent")  # 3 + 2 + 2 absent
    mark(third, [w.days[1][0], w.days[5][1]], "on_leave")  # leave counts as not attended: 30 of 35
    results = results_by_id(w.program)
    assert results[first.pk].hours.attended_hours == D("31.5") and results[first.pk].completed
    assert not results[second.pk].completed
    assert results[second.pk].reasons == [{"code": "attendance", "attended_hours": "28.0", "class_hours": "35.0",
                                           "share": "0.8", "minimum": "0.900"}]
    assert results[second.pk].reason_texts == [
        "Attended 28.0 of 35.0 hours (80.0%), below the minimum of 90.0%."]
    with translation.override("zh-hans"):
        assert "80.0%" in results[second.pk].reason_texts[0] and "90.0%" in results[second.pk].reason_texts[0]
    assert not results[third.pk].completed and results[third.pk].reasons[0]["code"] == "attendance"
    # Unmarked sessions count as not attended (a provisional result before the class ends).
    unmarked = place(w.program, w.organ, w.phase, w.group1)
    assert results_by_id(w.program)[unmarked.pk].reasons[0]["attended_hours"] == "0"


def test_a_reflection_counts_once_submitted(world):
    w = world
    all_present(w)
    set_rules(w, require_reflection=True)
    first, second, third = [*w.ours, *w.theirs]
    Reflection.objects.create(nomination=first, text="收获很大", submitted_at=timezone.now())
    Reflection.objects.create(nomination=second, text="草稿")  # not submitted
    results = results_by_id(w.program)
    assert results[first.pk].completed
    for nomination in (second, third):
        assert results[nomination.pk].reasons == [{"code": "reflection"}]
        assert results[nomination.pk].reason_texts == ["No reflection was submitted."]
    with translation.override("zh-hans"):
        assert results[third.pk].reason_texts == ["未提交心得体会。"]


def test_the_assessment_passes_at_the_pass_mark(world):
    w = world
    all_present(w)
    set_rules(w, require_assessment=True, assessment_pass_mark=D("60"))
    first, second, third = [*w.ours, *w.theirs]
    Assessment.objects.create(nomination=first, score=D("60"))
    Assessment.objects.create(nomination=second, score=D("59.5"))
    results = results_by_id(w.program)
    assert results[first.pk].completed
    assert results[second.pk].reasons == [{"code": "assessment", "score": "59.5", "pass_mark": "60.0"}]
    assert results[second.pk].reason_texts == ["Assessment score 59.5, below the pass mark of 60.0."]
    assert results[third.pk].reasons == [{"code": "assessment", "score": None, "pass_mark": "60.0"}]
    assert results[third.pk].reason_texts == ["No assessment score is recorded (pass mark 60.0)."]
    with translation.override("zh-hans"):
        assert results[second.pk].reason_texts == ["结业考核 59.5 分，低于合格线 60.0 分。"]


def test_a_confirmed_withdrawal_does_not_complete_a_flagged_one_does(world):
    w = world
    all_present(w)
    first, second, third = [*w.ours, *w.theirs]
    Withdrawal.objects.create(nomination=first, status="confirmed", reason="请假超过 1/7")
    Withdrawal.objects.create(nomination=second, status="flagged", reason="请假超过 1/7")
    Withdrawal.objects.create(nomination=third, status="cleared", reason="请假超过 1/7")
    results = results_by_id(w.program)
    assert results[first.pk].reasons == [{"code": "withdrawn"}] and results[first.pk].credited_hours == 0
    assert results[first.pk].reason_texts == ["Withdrawn from the class (退学) by the organizer."]
    assert results[second.pk].completed and results[third.pk].completed


def test_a_nomination_withdrawn_from_the_enrollment_has_no_result(world):
    w = world
    w.ours[0].status = "withdrawn"
    w.ours[0].save()
    assert w.ours[0].pk not in results_by_id(w.program)


def test_every_rule_together_gives_every_reason_in_order(world):
    w = world
    set_rules(w, min_attendance_share=D("0.95"), require_reflection=True, require_assessment=True,
              assessment_pass_mark=D("70"))
    first, second, _third = [*w.ours, *w.theirs]
    all_present(w)
    mark(first, w.days[1], "on_leave")
    Withdrawal.objects.create(nomination=first, status="confirmed", reason="请假超过 1/7")
    Assessment.objects.create(nomination=first, score=D("50"))
    # The second meets every rule.
    Reflection.objects.create(nomination=second, text="体会", submitted_at=timezone.now())
    Assessment.objects.create(nomination=second, score=D("70"))
    results = results_by_id(w.program)
    assert [reason["code"] for reason in results[first.pk].reasons] == [
        "withdrawn", "attendance", "leave", "reflection", "assessment"]
    assert len(results[first.pk].reason_texts) == 5
    assert results[second.pk].completed and results[second.pk].credited_hours == D("37.5")


# --- Crediting ---------------------------------------------------------------------------------------------

def test_crediting_per_day_and_per_session(world):
    w = world
    first, second, _third = [*w.ours, *w.theirs]
    all_present(w)
    # First misses most of day 2 (attends 3 of 7 hours: the day does not count) and half of day 3 (counts).
    mark(first, w.days[2][1:], "absent")
    mark(first, w.days[3][:1], "absent")
    by_day = results_by_id(w.program)
    assert by_day[first.pk].hours.days_attended == 4 and by_day[first.pk].hours.attended_hours == 28
    assert by_day[first.pk].credited_hours == D("30.0")  # 4 x 7.5
    assert by_day[second.pk].credited_hours == D("37.5")
    set_rules(w, crediting="per_session")
    by_session = results_by_id(w.program)
    assert by_session[first.pk].credited_hours == 28
    assert by_session[second.pk].credited_hours == 35
    # Hours per day of 8 (the common local rule).
    set_rules(w, crediting="per_day")
    w.program.hours_per_day = D(8)
    w.program.save()
    assert results_by_id(w.program)[first.pk].credited_hours == 32


def test_crediting_per_session_counts_the_groups_own_sessions(world):
    w = world
    by_group = group_sessions(w, hours="2")
    set_rules(w, crediting="per_session")
    all_present(w)
    mark(w.ours[0], [by_group[w.group1]])
    results = results_by_id(w.program)
    assert results[w.ours[0].pk].credited_hours == 37
    # The second (group 2) did not attend their group's session: 35 of 37 hours.
    assert results[w.ours[1].pk].credited_hours == 35 and results[w.ours[1].pk].hours.class_hours == 37


# --- Queries ------------------------------------------------------------------------------------------------

def _queries_of_results(w, django_assert_num_queries, expected):
    program = type(w.program).unscoped.get(pk=w.program.pk)
    with django_assert_num_queries(expected):
        results = program_results(program)
    return results


def test_program_results_takes_a_constant_number_of_queries(world, django_assert_num_queries):
    w = world
    set_rules(w, min_attendance_share=D("0.9"), require_reflection=True, require_assessment=True)
    all_present(w)
    # rules, placements, sessions, marks, withdrawals, reflections, assessments
    assert len(_queries_of_results(w, django_assert_num_queries, 7)) == 4
    for index in range(40):
        nomination = place(w.program, w.other, w.phase, w.group1 if index % 2 else w.group2)
        mark(nomination, w.sessions)
        Assessment.objects.create(nomination=nomination, score=80)
        Reflection.objects.create(nomination=nomination, text="体会", submitted_at=timezone.now())
    results = _queries_of_results(w, django_assert_num_queries, 7)
    assert len(results) == 44 and sum(r.completed for r in results) == 40
    # Given the placements (a page of them), the same queries less the placements.
    placements = list(participant_placements(w.program).filter(nomination__organ=w.organ))
    program = type(w.program).unscoped.get(pk=w.program.pk)
    with django_assert_num_queries(6):
        assert len(program_results(program, placements=placements)) == 3
    assert Placement.unscoped.count() == 44


def test_results_are_in_phase_group_and_name_order(world):
    w = world
    order = [(r.placement.phase.number, r.placement.group.number if r.placement.group else None)
             for r in program_results(w.program)]
    assert order == sorted(order, key=lambda pair: (pair[0], pair[1] or 0))
