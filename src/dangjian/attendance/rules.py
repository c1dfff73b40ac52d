"""Who may take and read the attendance of a session, and when (core.rules.add_action).

Objects: a training Session (its program decides scope and state). Services `require` these permissions; pages,
templates and the API ask the same ones.
"""

import rules
from django.utils.translation import gettext as _

from dangjian.accounts.rules import is_participant, is_unit_admin
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
