"""Who may read and change completion (结业), and when (core.rules.add_action).

Objects: a training Program for the rules, results, assessments and the reflections read by those who run the
class; an enrollment Nomination (the participant's own) for submitting a reflection. Services `require` these
permissions; pages, templates and the API ask the same ones.
"""

import rules
from django.utils.translation import gettext as _

from dangjian.accounts.rules import is_organizer, is_participant, is_unit_admin
from dangjian.core.rules import add_action
from dangjian.enrollment.enums import NominationStatus
from dangjian.training.enums import CLOSED_STATUSES
from dangjian.training.rules import can_see_program, class_is_open, runs_class

CLOSED_REFUSAL = lambda program: _("The completion of a closed or archived program cannot be changed.")  # noqa: E731

# Results (provisional until the class closes, then as stored): those who run the class see everyone; unit
# administrators of a program they see, their own organs' people (completion.selectors.result_placements).
rules.add_perm("completion.view_results", runs_class | (is_unit_admin & can_see_program))
# The program's completion rules: organizers, while the class is open.
add_action("completion.change_rules", who=is_organizer & can_see_program, when=class_is_open, refusal=CLOSED_REFUSAL)
# Assessment scores (结业考核): those who run the class, while it is open.
add_action("completion.record_assessment", who=runs_class, when=class_is_open, refusal=CLOSED_REFUSAL)
# Reading the participants' submitted reflections (心得体会): those who run the class.
rules.add_perm("completion.view_reflections", runs_class)


@rules.predicate
def is_own_placed_nomination(user, nomination) -> bool:
    """The participant's own confirmed nomination, placed in a phase (a list-level question passes)."""
    if nomination is None:
        return True
    return (bool(getattr(user, "person_id", None)) and nomination.person_id == user.person_id
            and nomination.status == NominationStatus.CONFIRMED and hasattr(nomination, "placement"))


@rules.predicate
def nomination_class_is_open(user, nomination) -> bool:
    return nomination is None or nomination.program.status not in CLOSED_STATUSES


# A participant writes and submits their own reflection until the class closes (submitting again replaces it).
add_action("completion.submit_reflection", who=is_participant & is_own_placed_nomination,
           when=nomination_class_is_open,
           refusal=lambda nomination: _("The class has closed: the reflection can no longer be changed."))
