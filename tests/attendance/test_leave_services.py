"""Leave (请假) and withdrawal (退学): filing (reason, roster, overlap, past sessions), cancelling, approving (marks
"on leave", source leave), the limit at its boundary (exactly the limit: within, no flag; one session more:
flagged), the warning, the organizer's confirm / clear, and a confirmed withdrawal off the roster from then on."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.attendance import leave_selectors, leave_services
from dangjian.attendance.models import Attendance, LeaveRequest, Withdrawal
from dangjian.attendance.selectors import roster_placements, session_roster
from dangjian.completion.selectors import program_results
from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from tests.attendance.leave_world import leave_world_fixture  # noqa: F401 (the fixture leave_world)

pytestmark = pytest.mark.django_db


def file(w, sessions, by=None, nomination=None, reason="家中有事"):
    return leave_services.leave_file(nomination=nomination or w.me, sessions=sessions, reason=reason,
                                     by=by or w.participant)


def test_the_participant_files_a_leave_for_their_own_coming_sessions(leave_world):
    w = leave_world
    leave = file(w, w.future[:2])
    assert leave.status == "pending" and leave.filed_by == w.participant
    assert set(leave.sessions.all()) == set(w.future[:2])
    entry = AuditEntry.objects.get(model="attendance.leaverequest", action="create")
    assert entry.changes["sessions"] == sorted(s.pk for s in w.future[:2])


def test_a_leave_needs_a_reason_and_sessions_of_the_roster(leave_world):
    w = leave_world
    with pytest.raises(ValidationError) as error:
        file(w, [], reason="  ")
    assert set(error.value.message_dict) == {"reason", "sessions"}
    from tests.factories import PhaseFactory, SessionFactory

    elsewhere = SessionFactory(phase=PhaseFactory(program=w.program, number=2), title="二期课程")
    with pytest.raises(ValidationError) as error:
        file(w, [w.future[0], elsewhere])
    assert ["二期课程" in message for message in error.value.message_dict["sessions"]] == [True]
    assert not LeaveRequest.unscoped.exists()


def test_a_participant_cannot_ask_leave_for_a_past_session_the_head_teacher_can(leave_world):
    w = leave_world
    with pytest.raises(ValidationError) as error:
        file(w, [w.past])
    assert w.past.title in error.value.messages[0]
    leave = file(w, [w.past], by=w.head_teacher)
    assert leave.filed_by == w.head_teacher


def test_overlapping_leave_is_refused_naming_the_session(leave_world):
    w = leave_world
    file(w, w.future[:2])
    with pytest.raises(ValidationError) as error:
        file(w, w.future[1:3])
    assert [w.future[1].title in m for m in error.value.message_dict["sessions"]] == [True]
    assert LeaveRequest.unscoped.count() == 1
    # A refused or cancelled request frees its sessions.
    first = LeaveRequest.unscoped.get()
    leave_services.leave_cancel(leave=first, by=w.participant)
    assert file(w, w.future[1:3]).sessions.count() == 2


def test_who_may_file_and_for_whom(leave_world):
    w = leave_world
    with pytest.raises(PermissionDenied):
        file(w, w.future[:1], nomination=w.mate)  # another participant's
    with pytest.raises(PermissionDenied):
        file(w, w.future[:1], by=w.admin)
    with pytest.raises(PermissionDenied):
        file(w, w.future[:1], by=w.stranger)
    assert file(w, w.future[:1], by=w.organizer, nomination=w.mate).nomination == w.mate
    w.program.status = "closed"
    w.program.save()
    with pytest.raises(ActionRefused):
        file(w, w.future[1:2])


def test_cancel_only_by_the_filer_while_pending(leave_world):
    w = leave_world
    leave = file(w, w.future[:1])
    with pytest.raises(PermissionDenied):
        leave_services.leave_cancel(leave=leave, by=w.head_teacher)
    leave_services.leave_cancel(leave=leave, by=w.participant)
    leave.refresh_from_db()
    assert leave.status == "cancelled"
    with pytest.raises(ActionRefused):
        leave_services.leave_cancel(leave=leave, by=w.participant)
    with pytest.raises(ActionRefused):
        leave_services.leave_approve(leave=leave, by=w.head_teacher)


def test_approval_marks_the_sessions_on_leave(leave_world):
    w = leave_world
    leave = file(w, w.future[:1])
    with pytest.raises(PermissionDenied):
        leave_services.leave_approve(leave=leave, by=w.participant)
    with pytest.raises(PermissionDenied):
        leave_services.leave_approve(leave=leave, by=w.stranger)
    leave, withdrawal = leave_services.leave_approve(leave=leave, by=w.head_teacher, note="同意")
    assert withdrawal is None
    assert (leave.status, leave.decided_by, leave.decision_note) == ("approved", w.head_teacher, "同意")
    mark = Attendance.unscoped.get(nomination=w.me)
    assert (mark.session, mark.mark, mark.source, mark.marked_by) == (w.future[0], "on_leave", "leave",
                                                                      w.head_teacher)


def test_refusal_writes_no_mark(leave_world):
    w = leave_world
    leave = file(w, w.future[:1])
    leave_services.leave_refuse(leave=leave, by=w.head_teacher, note="课程重要")
    leave.refresh_from_db()
    assert (leave.status, leave.decision_note) == ("refused", "课程重要")
    assert not Attendance.unscoped.exists()


def test_the_limit_at_its_boundary(leave_world):
    w = leave_world
    standing = leave_selectors.standing_of(w.me)
    assert (standing.class_hours, standing.limit_hours, standing.leave_hours) == (21, Decimal("3.0"), 0)
    # Exactly the limit (one session of 3 hours): within, no flag — but a warning.
    _leave, withdrawal = leave_services.leave_approve(leave=file(w, w.future[:1]), by=w.head_teacher)
    assert withdrawal is None and not Withdrawal.unscoped.exists()
    standing = leave_selectors.standing_of(w.me)
    assert (standing.leave_hours, standing.over, standing.warning) == (3, False, True)
    assert standing.label == "Leave 3 / limit 3 hours"
    [result] = [r for r in program_results(w.program) if r.nomination == w.me]
    assert result.completed  # completion reads the same figure: within the limit
    # One session more: past the limit, flagged.
    _leave, withdrawal = leave_services.leave_approve(leave=file(w, w.future[1:2]), by=w.head_teacher)
    assert withdrawal is not None and withdrawal.status == "flagged"
    assert withdrawal.reason == "Leave of 6 hours passed the limit of 3 hours (21 class hours)."
    assert leave_selectors.standing_of(w.me).over
    [result] = [r for r in program_results(w.program) if r.nomination == w.me]
    assert [reason["code"] for reason in result.reasons] == ["leave"]


def test_the_warning_before_the_limit(leave_world):
    w = leave_world
    leave = file(w, w.future[:1])
    [row] = leave_selectors.with_outlook(w.program, list(leave_selectors.program_leave_requests(
        program=w.program, user=w.head_teacher)))
    assert row.standing.state == "within" and row.standing_after.state == "warning"
    assert "Close to the limit" in row.standing_after.advice
    two = file(w, w.future[1:3])
    rows = leave_selectors.with_outlook(w.program, list(leave_selectors.program_leave_requests(
        program=w.program, user=w.head_teacher)))
    assert {r.pk: r.standing_after.state for r in rows} == {leave.pk: "warning", two.pk: "over"}


def test_withdrawal_confirm_takes_the_participant_off_later_rosters(leave_world):
    w = leave_world
    for session in w.future[:2]:
        leave_services.leave_approve(leave=file(w, [session]), by=w.head_teacher)
    withdrawal = Withdrawal.unscoped.get(nomination=w.me)
    waiting = file(w, w.future[2:3])  # still awaiting a decision when the withdrawal is confirmed
    with pytest.raises(PermissionDenied):
        leave_services.withdrawal_confirm(withdrawal=withdrawal, by=w.head_teacher)
    waiting.refresh_from_db()
    assert waiting.status == "pending"  # the refused confirmation changed nothing
    leave_services.withdrawal_confirm(withdrawal=withdrawal, by=w.organizer, note="经研究同意退学")
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.decided_by) == ("confirmed", w.organizer)
    assert AuditEntry.objects.filter(model="attendance.withdrawal", action="update").exists()
    waiting.refresh_from_db()  # closed: nobody is left to decide on it
    assert (waiting.status, waiting.decided_by) == ("refused", w.organizer) and "Withdrawn" in waiting.decision_note
    assert AuditEntry.objects.filter(model="attendance.leaverequest", action="update",
                                     object_pk=str(waiting.pk)).exists()
    assert w.me.pk in {p.nomination_id for p in roster_placements(w.past)}  # before: still there
    assert w.me.pk not in {p.nomination_id for p in roster_placements(w.future[3])}
    assert w.me.pk not in {row.nomination.pk for row in session_roster(w.future[3])}
    [result] = [r for r in program_results(w.program) if r.nomination == w.me]
    assert "Withdrawn from the class" in result.reason_texts[0]
    with pytest.raises(ActionRefused):  # decided
        leave_services.withdrawal_clear(withdrawal=withdrawal, by=w.organizer, note="x")
    with pytest.raises(ActionRefused):  # no more leave for a withdrawn participant
        file(w, w.future[3:4])


def test_withdrawal_clear_needs_a_note_and_a_later_excess_flags_again(leave_world):
    w = leave_world
    for session in w.future[:2]:
        leave_services.leave_approve(leave=file(w, [session]), by=w.head_teacher)
    withdrawal = Withdrawal.unscoped.get(nomination=w.me)
    with pytest.raises(ValidationError):
        leave_services.withdrawal_clear(withdrawal=withdrawal, by=w.organizer, note=" ")
    leave_services.withdrawal_clear(withdrawal=withdrawal, by=w.organizer, note="因公请假，保留学籍")
    withdrawal.refresh_from_db()
    assert withdrawal.status == "cleared"
    assert w.me.pk in {p.nomination_id for p in roster_placements(w.future[3])}
    leave_services.leave_approve(leave=file(w, w.future[2:3]), by=w.head_teacher)
    withdrawal.refresh_from_db()
    assert withdrawal.status == "flagged" and "9 hours" in withdrawal.reason


def test_the_roster_takes_as_many_queries_with_withdrawals(leave_world, django_assert_num_queries):
    w = leave_world
    Withdrawal.unscoped.create(nomination=w.mate, reason="x", status="confirmed", decided_at=timezone.now())
    with django_assert_num_queries(2):
        rows = session_roster(w.future[0])
    assert {row.nomination.pk for row in rows} == {w.me.pk, w.theirs.pk}


def test_a_pending_leave_of_a_withdrawn_participant_is_closed_and_cannot_be_approved(leave_world):
    w = leave_world
    pending = file(w, w.future[3:4])
    for session in w.future[:2]:
        leave_services.leave_approve(leave=file(w, [session]), by=w.head_teacher)
    leave_services.withdrawal_confirm(withdrawal=Withdrawal.unscoped.get(nomination=w.me), by=w.organizer)
    pending = LeaveRequest.unscoped.get(pk=pending.pk)
    assert pending.status == "refused"  # closed with the withdrawal
    with pytest.raises(ActionRefused):
        leave_services.leave_approve(leave=pending, by=w.head_teacher)
    assert LeaveRequest.unscoped.get(pk=pending.pk).status == "refused"
