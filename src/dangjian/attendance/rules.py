"""Who may take and read the attendance of a session, and when (core.rules.add_action).

Objects: a training Session (its program decides scope and state). Services `require` these permissions; pages,
templates and the API ask the same ones.
"""

import rules
from django.utils.translation import gettext as _

from dangjian.accounts.rules import is_organizer, is_participant, is_unit_admin
from dangjian.core.rules import add_action
from dangjian.training.rules import can_see_program, class_is_open, runs_class

# The head teachers (college staff of the program's venue) and organizers take the roll call until the class
# closes; every change is audited.
add_action("attendance.take_roll_call", who=runs_class, when=class_is_open,
           refusal=lambda session: _("The attendance of a closed or archived program cannot be changed."))
# Reading a session's attendance: those who run the class (every participant), and unit administrators of a
# program they see (their own organs' people only: attendance.scoping.roster_filter).
rules.add_perm("attendance.view_attendance", runs_class | (is_unit_admin & can_see_program))


@rules.predicate
def on_session_roster(user, session) -> bool:
    """The user is a confirmed participant placed on the session's roster (its phase; a group session: its
    group). A list-level question (no session) passes."""
    from dangjian.attendance.selectors import roster_nomination

    return session is None or roster_nomination(user=user, session=session) is not None


def _check_in_refusal(session) -> str:
    if not class_is_open.test(None, session):
        return _("The class is closed: check-in is over.")
    return _("You are not on this session's roster: this code is for another session, group or phase.")


# QR check-in (扫码签到): a participant checks themselves in to a session of their own roster, until the class
# closes. The code's validity (signature, the session's time, the current window) is checked by
# attendance.checkin.check_in.
add_action("attendance.check_in", who=is_participant, when=on_session_roster & class_is_open,
           refusal=_check_in_refusal)
# --- Leave (请假) and withdrawal (退学) ---------------------------------------------------------------
# Objects: a LeaveRequest, a Withdrawal, a Nomination (filing a leave for a participant) or a Program (the lists).

def _program(obj):
    """The program a leave request, withdrawal, nomination, program or session belongs to (None: list level)."""
    from dangjian.enrollment.models import Nomination
    from dangjian.training.rules import program_of

    if obj is None:
        return None
    if isinstance(obj, Nomination):
        return obj.program
    nomination = getattr(obj, "nomination", None)
    if nomination is not None:
        return nomination.program
    return program_of(obj)


def _nomination(obj):
    from dangjian.enrollment.models import Nomination

    return obj if isinstance(obj, Nomination) else getattr(obj, "nomination", None)


@rules.predicate
def runs_class_of(user, obj) -> bool:
    """Organizers, and college staff of the venue of the record's program (the head teachers); without a record,
    the roles."""
    return runs_class.test(user, _program(obj))


@rules.predicate
def own_participation(user, obj) -> bool:
    """The record is the user's own: the participant's login is linked to the nominated person."""
    nomination = _nomination(obj)
    person_id = getattr(user, "person_id", None)
    return obj is None or (person_id is not None and nomination is not None and nomination.person_id == person_id)


@rules.predicate
def leave_class_is_open(user, obj) -> bool:
    return class_is_open.test(user, _program(obj))


@rules.predicate
def still_in_class(user, obj) -> bool:
    """The participant is confirmed and not withdrawn (退学): a confirmed withdrawal ends their leave."""
    from dangjian.attendance.enums import WithdrawalStatus
    from dangjian.attendance.models import Withdrawal
    from dangjian.enrollment.enums import NominationStatus

    nomination = _nomination(obj)
    if nomination is None:
        return obj is None
    # The lists select the withdrawal with the nomination (no query per row); otherwise it is read now, and not
    # kept on the nomination (a long-lived object would go on answering from a stale cache).
    relation = type(nomination)._meta.get_field("withdrawal")
    if relation.is_cached(nomination):
        withdrawal = relation.get_cached_value(nomination)
    else:
        withdrawal = Withdrawal.unscoped.filter(nomination=nomination).first()
    return nomination.status == NominationStatus.CONFIRMED and (
        withdrawal is None or withdrawal.status != WithdrawalStatus.CONFIRMED)


@rules.predicate
def filed_it(user, obj) -> bool:
    return obj is None or (getattr(user, "is_authenticated", False) and obj.filed_by_id == user.pk)


def _status_is(status):
    @rules.predicate(name=f"status_is_{status}")
    def predicate(user, obj) -> bool:
        return obj is None or obj.status == status

    return predicate


def _leave_refusal(obj) -> str:
    from dangjian.attendance.enums import LeaveStatus
    from dangjian.training.enums import CLOSED_STATUSES

    if _program(obj).status in CLOSED_STATUSES:
        return _("The leave of a closed or archived program cannot be changed.")
    if hasattr(obj, "filed_by_id") and obj.status != LeaveStatus.PENDING:
        return _("This leave request is “%(status)s”: it is no longer awaiting a decision.") % {
            "status": obj.get_status_display()}
    return _("%(person)s is not in the class any more (withdrawn or not confirmed).") % {
        "person": _nomination(obj).person}


def _withdrawal_refusal(obj) -> str:
    from dangjian.training.enums import CLOSED_STATUSES

    if _program(obj).status in CLOSED_STATUSES:
        return _("The withdrawals of a closed or archived program cannot be changed.")
    return _("This withdrawal is “%(status)s”: it was decided already.") % {"status": obj.get_status_display()}


_pending = _status_is("pending")
_flagged = _status_is("flagged")

# Reading a program's leave requests, withdrawals and attendance overview: those who run the class (everyone),
# unit administrators of a program they see (their own organs' people: attendance.scoping).
rules.add_perm("attendance.view_leave", runs_class_of | (is_unit_admin & can_see_program))
# A participant's own leave page (/my/leave/).
rules.add_perm("attendance.view_own_leave", is_participant)
# Filing a leave (object: the participant's Nomination): the participant for themselves, or the head teacher for a
# participant of their class; while the class is open and the participant is still in it.
add_action("attendance.file_leave", who=runs_class_of | (is_participant & own_participation),
           when=leave_class_is_open & still_in_class, refusal=_leave_refusal)
# Cancelling a leave request: the one who filed it, while it awaits a decision.
add_action("attendance.cancel_leave", who=filed_it, when=leave_class_is_open & _pending, refusal=_leave_refusal)
# Approving or refusing: the head teacher (training.rules.runs_class), while it awaits a decision and the class is
# open. Approval marks its sessions "on leave" (attendance.services.write_marks, source "leave"): not for a
# participant withdrawn meanwhile (off the roster), whose request can still be refused.
add_action("attendance.approve_leave", who=runs_class_of, when=leave_class_is_open & _pending & still_in_class,
           refusal=_leave_refusal)
add_action("attendance.refuse_leave", who=runs_class_of, when=leave_class_is_open & _pending,
           refusal=_leave_refusal)
# Confirming a withdrawal (退学) or clearing it: the organizer, while it is flagged and the class is open.
add_action("attendance.confirm_withdrawal", who=is_organizer, when=leave_class_is_open & _flagged,
           refusal=_withdrawal_refusal)
add_action("attendance.clear_withdrawal", who=is_organizer, when=leave_class_is_open & _flagged,
           refusal=_withdrawal_refusal)
