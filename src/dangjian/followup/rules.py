"""Who may do what in the follow-up (成果转化), and when (core.rules.add_action / rules.add_perm).

Objects: an enrollment Nomination (the participant's own) for the plan and the survey; a FollowUpReport for the
unit's confirmation; a training Program for the organizers' overview, export and reminders. The timing (the plan
until its deadline, the survey from its due day) is in dangjian.followup.selectors (`plan_refusal`,
`survey_refusal`), which the services ask with the time of the request, in words.

- The participant: their own nomination, when they completed the class (the result fixed at closing) and the
  class is closed.
- The unit's party organization: the unit administrators of the participant's organ confirm or comment.
- Organizers: the overview per program (counts per organ, who has filed, answered, been confirmed; the outcomes
  summarised — no rankings of people), the export and the reminders.
"""

import rules
from django.utils.translation import gettext as _

from dangjian.accounts.rules import is_organizer, is_participant, is_unit_admin
from dangjian.core.rules import add_action
from dangjian.enrollment.enums import NominationStatus
from dangjian.training.enums import CLOSED_STATUSES
from dangjian.training.rules import can_see_program


@rules.predicate
def is_own_graduate(user, nomination) -> bool:
    """The participant's own confirmed nomination whose stored result says they completed the class (a
    list-level question passes)."""
    if nomination is None:
        return True
    if not (getattr(user, "person_id", None) and nomination.person_id == user.person_id
            and nomination.status == NominationStatus.CONFIRMED):
        return False
    result = getattr(nomination, "completion_result", None) if _has_result(nomination) else None
    return bool(result and result.completed)


def _has_result(nomination) -> bool:
    from dangjian.completion.models import CompletionResult

    try:
        nomination.completion_result  # noqa: B018 - loads it (cached on the nomination)
    except CompletionResult.DoesNotExist:
        return False
    return True


@rules.predicate
def class_closed(user, obj) -> bool:
    """The program of the nomination (or the program itself) is closed or archived."""
    if obj is None:
        return True
    program = getattr(obj, "program", obj)
    return program.status in CLOSED_STATUSES


@rules.predicate
def is_unit_admin_of_report(user, report) -> bool:
    """A unit administrator of the organ the participant was nominated by (a list-level question passes)."""
    if report is None:
        return True
    return report.nomination.organ_id in user.organ_ids


@rules.predicate
def not_yet_confirmed(user, report) -> bool:
    from dangjian.followup.models import UnitConfirmation

    if report is None:
        return True
    return not UnitConfirmation.unscoped.filter(report=report).exists()


NOT_CLOSED = lambda obj: _("The follow-up starts when the class has closed.")  # noqa: E731

# The participant's plan and follow-up survey: their own nomination, once they completed the closed class.
add_action("followup.file_plan", who=is_participant & is_own_graduate, when=class_closed, refusal=NOT_CLOSED)
add_action("followup.answer_survey", who=is_participant & is_own_graduate, when=class_closed, refusal=NOT_CLOSED)
# The unit's party organization confirms (or comments on) a report of its own organ's participant, once.
rules.add_perm("followup.view_confirmations", is_unit_admin)
add_action("followup.confirm", who=is_unit_admin & is_unit_admin_of_report, when=not_yet_confirmed,
           refusal=lambda report: _("This follow-up report has already been confirmed or commented on."))
# The organizers' overview of a program's follow-up (and its export); reminders once the class has closed.
rules.add_perm("followup.view_program", is_organizer & can_see_program)
add_action("followup.send_reminders", who=is_organizer & can_see_program, when=class_closed, refusal=NOT_CLOSED)
