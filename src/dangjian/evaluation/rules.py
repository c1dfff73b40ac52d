"""Who may do what with evaluation forms and answers (core.rules.add_action / rules.add_perm).

Objects: a training Program (forms, response rates), a Session or Phase (non-respondents). Services `require`
these permissions; pages and the API ask the same ones.

Who sees whom (issue 13: "do not list non-respondents by name to anyone but the head teacher during the class"):
- nobody sees who gave an answer: answers have no person (evaluation.models);
- those who run the class (organizers, college staff of the venue) see the forms and the response rates;
- the names of those who have not answered yet: only the head teacher of the session's phase (Phase.head_teacher;
  when the phase names none, the college staff of the venue, who take its roll call), and only while the program
  is in progress. Not the organizers, not unit administrators, not after the class.
"""

import rules
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.accounts.rules import is_college_staff, is_organizer, is_participant
from dangjian.core.rules import add_action
from dangjian.training.enums import ProgramStatus
from dangjian.training.rules import class_is_open, program_of, runs_class
from dangjian.training.scoping import staffed_venue_ids


def _phase_of(obj):
    from dangjian.training.models import Phase

    if isinstance(obj, Phase):
        return obj
    return getattr(obj, "phase", None)


@rules.predicate
def is_head_teacher_of(user, obj) -> bool:
    """The head teacher of the object's phase; when the phase names none, college staff of the venue."""
    if obj is None:
        return True  # list-level question
    phase = _phase_of(obj)
    if phase is None or not getattr(user, "is_authenticated", False):
        return False
    if phase.head_teacher_id:
        return phase.head_teacher_id == user.pk
    return Role.COLLEGE_STAFF in user.roles and phase.program.venue_id in staffed_venue_ids(user)


@rules.predicate
def heads_a_phase(user, obj) -> bool:
    """The head teacher of one of the program's phases (the list-level question: of any phase)."""
    from dangjian.training.models import Phase

    if not getattr(user, "is_authenticated", False):
        return False
    if obj is None:
        return Phase.objects.filter(head_teacher_id=user.pk).exists()
    program = program_of(obj)
    return program is not None and program.phases.filter(head_teacher_id=user.pk).exists()


@rules.predicate
def class_in_progress(user, obj) -> bool:
    program = program_of(obj)
    return program is None or program.status == ProgramStatus.IN_PROGRESS


# The forms a program uses and how many have answered: those who run the class.
rules.add_perm("evaluation.view_forms", runs_class)
rules.add_perm("evaluation.view_response_rates", runs_class)
# Copying a default form for a program and editing it: the organizers, until the class closes (an edited form
# is also refused once someone has answered it: evaluation.services).
add_action("evaluation.change_forms", who=is_organizer & runs_class, when=class_is_open,
           refusal=lambda program: _("The evaluation forms of a closed or archived program cannot be changed."))
# Names of those who have not answered: the head teacher, during the class.
add_action("evaluation.view_non_respondents", who=is_head_teacher_of, when=class_in_progress,
           refusal=lambda obj: _("Who has not answered is shown only while the class is in progress."))
# The analysis of the anonymous answers (scores, keywords, quotes, drill-down, the report): those who run the class
# and the head teachers of its phases; groups below settings.DANGJIAN_RULES["evaluation_min_answers"] stay hidden
# (evaluation.analysis).
rules.add_perm("evaluation.view_analysis", runs_class | heads_a_phase)
# A course's or an instructor's figures across years and programs: organizers and college staff (each sees the
# programs visible to them).
rules.add_perm("evaluation.view_history", is_organizer | is_college_staff)
# Answering: a participant, for themselves (which sessions and when: evaluation.selectors / services).
rules.add_perm("evaluation.answer", is_participant)
