"""Who may take and read the attendance of a session, and when (core.rules.add_action).

Objects: a training Session (its program decides scope and state). Services `require` these permissions; pages,
templates and the API ask the same ones.
"""

import rules
from django.utils.translation import gettext as _

from dangjian.accounts.rules import is_unit_admin
from dangjian.core.rules import add_action
from dangjian.training.rules import can_see_program, class_is_open, runs_class

# The head teachers (college staff of the program's venue) and organizers take the roll call until the class
# closes; every change is audited.
add_action("attendance.take_roll_call", who=runs_class, when=class_is_open,
           refusal=lambda session: _("The attendance of a closed or archived program cannot be changed."))
# Reading a session's attendance: those who run the class (every participant), and unit administrators of a
# program they see (their own organs' people only: attendance.scoping.roster_filter).
rules.add_perm("attendance.view_attendance", runs_class | (is_unit_admin & can_see_program))
