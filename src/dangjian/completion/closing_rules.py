"""Who may make and read a program's closing packs (结业材料), and when (core.rules.add_action).

Kept apart from completion/rules.py (the rules, results, assessments and reflections) so that the two could be
built side by side; the AppConfig imports this module. Objects: a training Program. Closing and reopening the
class are workflow transitions (training.rules.TRANSITIONS: training.close_program, training.reopen_class).
"""

import rules
from django.utils.translation import gettext as _

from dangjian.core.rules import add_action
from dangjian.training.enums import ProgramStatus
from dangjian.training.rules import program_status_in, runs_class

# A pack is made from the class's records: once the class has started, and again after it closed (the records
# no longer change then, so a pack made later is the same story, e.g. to print it again).
PACK_STATUSES = (ProgramStatus.IN_PROGRESS, ProgramStatus.CLOSED, ProgramStatus.ARCHIVED)

add_action("completion.make_closing_pack", who=runs_class, when=program_status_in(*PACK_STATUSES),
           refusal=lambda program: _("The closing pack is made from the class's records, once the class has "
                                     "started."))
# The packs hold the participants' names, organs, hours, results and leave: those who run the class.
rules.add_perm("completion.view_closing_pack", runs_class)
