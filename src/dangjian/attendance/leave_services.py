"""Writes of leave (请假) and withdrawal (退学), each audited and all or nothing.

Rules §6: during full-time training leave needs formal approval, and cumulative leave may not exceed 1/7 of the
class's 学时 (the program's completion rules, `max_leave_ratio`), otherwise the participant withdraws. So:
- a participant files a leave for their own sessions of today and later (the head teacher may file for any session
  of a participant's class), with a reason; a session is in at most one pending or approved leave;
- the head teacher approves (the sessions are marked "on leave" through attendance.services.write_marks, source
  "leave") or refuses, with a note; the filer may cancel while it awaits a decision;
- an approval that brings the participant's leave past the limit flags them for withdrawal (a Withdrawal,
  "flagged", the reason in words); the organizer confirms it (the participant leaves the roll-call roster of later
  sessions and does not complete) or clears it with a note.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.attendance import leave_selectors
from dangjian.attendance.enums import LeaveStatus, Mark, MarkSource, WithdrawalStatus
from dangjian.attendance.models import LeaveRequest, Withdrawal
from dangjian.attendance.services import MarkInput, write_marks
from dangjian.core.audit import audit_record, snapshot
from dangjian.core.rules import require
from dangjian.core.services import model_create, model_update
from dangjian.enrollment.models import Nomination

REASON_MAX_LENGTH = LeaveRequest._meta.get_field("reason").max_length
NOTE_MAX_LENGTH = LeaveRequest._meta.get_field("decision_note").max_length


def _session_label(session) -> str:
    return f"{session.title} ({timezone.localtime(session.starts_at):%Y-%m-%d %H:%M})"


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"decision_note": _("The note is longer than %(max)d characters.")
                               % {"max": NOTE_MAX_LENGTH}})
    return note


@transaction.atomic
def leave_file(*, nomination, sessions, reason: str, by) -> LeaveRequest:
    """File a leave for sessions of a participant's class. The participant themselves: sessions of today and
    later; the head teacher (who runs the class): any session of the participant's class. A session already in a
    pending or approved leave of the participant is refused, named."""
    require(by, "attendance.file_leave", nomination)
    # One filing at a time per participant: two requests cannot both take the same session.
    nomination = Nomination.unscoped.select_for_update().select_related("person", "program").get(pk=nomination.pk)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give the reason for the leave.")]
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = [_("The reason is longer than %(max)d characters.") % {"max": REASON_MAX_LENGTH}]
    sessions = list({session.pk: session for session in sessions}.values())
    placement = leave_selectors.placement_of(nomination)
    problems = []
    if not sessions:
        problems.append(_("Choose at least one session."))
    elif placement is None:
        problems.append(_("%(person)s is not placed in a phase of the class.") % {"person": nomination.person})
    else:
        roster = set(leave_selectors.roster_sessions(placement).values_list("pk", flat=True))
        held = leave_selectors.held_session_ids([nomination.pk]).get(nomination.pk, set())
        runs_class = by.has_perm("training.run_class", nomination.program)
        today = timezone.localdate()
        for session in sorted(sessions, key=lambda s: (s.starts_at, s.pk)):
            label = _session_label(session)
            if session.pk not in roster:
                problems.append(_("%(session)s is not a session of %(person)s's class.")
                                % {"session": label, "person": nomination.person})
            elif session.pk in held:
                problems.append(_("%(session)s is already in a leave request awaiting a decision or approved.")
                                % {"session": label})
            elif not runs_class and timezone.localtime(session.starts_at).date() < today:
                problems.append(_("%(session)s is over: ask the head teacher to record a leave for it.")
                                % {"session": label})
    if problems:
        errors["sessions"] = problems
    if errors:
        raise ValidationError(errors)
    leave = LeaveRequest(nomination=nomination, reason=reason, filed_by=by, filed_at=timezone.now())
    leave.full_clean()
    leave.save()
    leave.sessions.set(sessions)
    audit_record(actor=by, action="create", instance=leave,
                 changes={**snapshot(leave), "sessions": sorted(session.pk for session in sessions)})
    return leave


def leave_cancel(*, leave: LeaveRequest, by) -> LeaveRequest:
    """The filer withdraws their request while it awaits a decision."""
    require(by, "attendance.cancel_leave", leave)
    return model_update(instance=leave, data={"status": LeaveStatus.CANCELLED}, by=by)


def leave_refuse(*, leave: LeaveRequest, by, note: str = "") -> LeaveRequest:
    """The head teacher refuses a request, with a note; its sessions are free for another request."""
    require(by, "attendance.refuse_leave", leave)
    note = _check_note(note)
    return model_update(instance=leave, data={"status": LeaveStatus.REFUSED, "decided_by": by,
                                              "decided_at": timezone.now(), "decision_note": note}, by=by)


@transaction.atomic
def leave_approve(*, leave: LeaveRequest, by, note: str = "") -> tuple[LeaveRequest, Withdrawal | None]:
    """The head teacher approves a request: its sessions are marked "on leave" (source "leave"), one
    write_marks per session. When the participant's leave then passes the limit, they are flagged for
    withdrawal (returned; None otherwise): a new Withdrawal, or one the organizer had cleared flagged again."""
    require(by, "attendance.approve_leave", leave)
    note = _check_note(note)
    leave = model_update(instance=leave, data={"status": LeaveStatus.APPROVED, "decided_by": by,
                                               "decided_at": timezone.now(), "decision_note": note}, by=by)
    for session in leave.sessions.select_related("phase").order_by("starts_at", "id"):
        write_marks(session=session, by=by, source=MarkSource.LEAVE, marks=[
            MarkInput(nomination_id=leave.nomination_id, mark=Mark.ON_LEAVE, note=_("Approved leave"))])
    standing = leave_selectors.standing_of(Nomination.unscoped.select_related("program", "placement")
                                           .get(pk=leave.nomination_id))
    if standing is None or not standing.over:
        return leave, None
    return leave, _flag(nomination=leave.nomination, standing=standing, by=by)


def _flag(*, nomination, standing, by) -> Withdrawal | None:
    reason = _("Leave of %(leave)s hours passed the limit of %(limit)s hours (%(total)s class hours).") % {
        "leave": leave_selectors.hours_text(standing.leave_hours),
        "limit": leave_selectors.hours_text(standing.limit_hours),
        "total": leave_selectors.hours_text(standing.class_hours)}
    existing = Withdrawal.unscoped.select_for_update().filter(nomination=nomination).first()
    if existing is None:
        return model_create(instance=Withdrawal(nomination=nomination, reason=reason, flagged_at=timezone.now()),
                            by=by)
    if existing.status == WithdrawalStatus.CLEARED:
        return model_update(instance=existing, data={
            "status": WithdrawalStatus.FLAGGED, "reason": reason, "flagged_at": timezone.now(), "decided_by": None,
            "decided_at": None, "decision_note": ""}, by=by)
    return None  # flagged already, or withdrawn


@transaction.atomic
def withdrawal_confirm(*, withdrawal: Withdrawal, by, note: str = "") -> Withdrawal:
    """The organizer confirms the withdrawal (退学): the participant is off the roll-call roster of the sessions
    from now on, and does not complete (completion.selectors.program_results). Their requests still awaiting a
    decision are refused with a note saying why (nobody is left to decide on them), each change audited."""
    require(by, "attendance.confirm_withdrawal", withdrawal)
    note = _check_note(note)
    withdrawal = model_update(instance=withdrawal, data={"status": WithdrawalStatus.CONFIRMED, "decided_by": by,
                                                         "decided_at": timezone.now(), "decision_note": note}, by=by)
    pending = LeaveRequest.unscoped.filter(nomination_id=withdrawal.nomination_id, status=LeaveStatus.PENDING)
    for leave in pending.order_by("pk"):
        model_update(instance=leave, by=by, data={
            "status": LeaveStatus.REFUSED, "decided_by": by, "decided_at": timezone.now(),
            "decision_note": _("Withdrawn from the class: the request is closed.")})
    return withdrawal


def withdrawal_clear(*, withdrawal: Withdrawal, by, note: str) -> Withdrawal:
    """The organizer keeps the participant in the class; the note (required) says why."""
    require(by, "attendance.clear_withdrawal", withdrawal)
    note = _check_note(note)
    if not note:
        raise ValidationError({"decision_note": _("Say why the participant stays in the class.")})
    return model_update(instance=withdrawal, data={"status": WithdrawalStatus.CLEARED, "decided_by": by,
                                                   "decided_at": timezone.now(), "decision_note": note}, by=by)

