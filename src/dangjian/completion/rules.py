"""Who may read and change completion (结业), and when (core.rules.add_action).

Objects: a training Program for the rules, results, assessments and the reflections read by those who run the
class; an enrollment Nomination (the participant's own) for submitting a reflection. Services `require` these
permissions; pages, templates and the API ask the same ones.
"""

import rules
from django.utils.translation import gettext as _

from dangjian.accounts.rules import is_organizer, is_participant, is_unit_admin
from dangjian.completion.enums import Grade
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
def is_placed_by_runner(user, nomination) -> bool:
    """Those who run the class of the nomination's program (a list-level question passes)."""
    return runs_class.test(user, None if nomination is None else nomination.program)


@rules.predicate
def nomination_class_is_open(user, nomination) -> bool:
    return nomination is None or nomination.program.status not in CLOSED_STATUSES


def reflection_of(nomination):
    """The nomination's reflection as stored now, or None (not a cached relation: its grade decides)."""
    from dangjian.completion.models import Reflection

    if nomination is None or nomination.pk is None:
        return None
    return Reflection.unscoped.filter(nomination_id=nomination.pk).only("pk", "grade", "submitted_at").first()


def reflection_due_passed(nomination, now=None) -> bool:
    """After the last day of the program's `reflection_due_on` (local time); False without a deadline."""
    from django.utils import timezone

    from dangjian.completion.selectors import rules_of

    due = rules_of(nomination.program).reflection_due_on
    return due is not None and timezone.localdate(now) > due


@rules.predicate
def reflection_may_change(user, nomination) -> bool:
    """The class is open, and: a reflection sent back for revision (deadline or not); else not yet graded and the
    deadline (if any) has not passed."""
    if nomination is None:
        return True
    if nomination.program.status in CLOSED_STATUSES:
        return False
    reflection = reflection_of(nomination)
    if reflection is not None and reflection.grade == Grade.REVISE:
        return True
    if reflection is not None and reflection.grade:
        return False
    return not reflection_due_passed(nomination)


def submit_refusal(nomination) -> str:
    if nomination.program.status in CLOSED_STATUSES:
        return _("The class has closed: the reflection can no longer be changed.")
    reflection = reflection_of(nomination)
    if reflection is not None and reflection.grade:
        return _("Your reflection has been graded; it can no longer be changed.")
    from dangjian.completion.selectors import rules_of

    return _("Reflections were due on %(date)s; ask the head teacher if you need to submit one late.") % {
        "date": rules_of(nomination.program).reflection_due_on}


# A participant writes and submits their own reflection until the class closes and the program's deadline passes
# (submitting again replaces it while it is not graded); one sent back for revision, also after the deadline.
add_action("completion.submit_reflection", who=is_participant & is_own_placed_nomination,
           when=reflection_may_change, refusal=submit_refusal)
# The author's consent to publish (and to be named): their own submitted reflection, whatever the class's state.
rules.add_perm("completion.consent_reflection", is_participant & is_own_placed_nomination)
# The start page's link to the participant's own reflection page (to write it, or to read its grade and the head
# teacher's comment), while the class is open.
rules.add_perm("completion.view_own_reflection", is_participant & is_own_placed_nomination & nomination_class_is_open)


def _program_of_reflection(reflection):
    return None if reflection is None else reflection.nomination.program


@rules.predicate
def runs_class_of_reflection(user, reflection) -> bool:
    """Those who run the reflection's class (organizers, college staff of the venue): the head teachers."""
    return runs_class.test(user, _program_of_reflection(reflection))


@rules.predicate
def reflection_gradable(user, reflection) -> bool:
    return reflection is None or (reflection.submitted_at is not None
                                  and reflection.nomination.program.status not in CLOSED_STATUSES)


@rules.predicate
def is_reflection_author(user, reflection) -> bool:
    return reflection is None or (bool(getattr(user, "person_id", None))
                                  and reflection.nomination.person_id == user.person_id)


# Reading one reflection (its text, versions and file): those who run the class; the author reads their own.
rules.add_perm("completion.view_reflection", runs_class_of_reflection | (is_participant & is_reflection_author))
# Grading (excellent, pass) and asking for a revision: the head teacher, a submitted reflection, the class open.
add_action("completion.grade_reflection", who=runs_class_of_reflection, when=reflection_gradable,
           refusal=lambda reflection: _("Only a submitted reflection of a class that is not closed can be graded."))
# Allowing a participant without a reflection to submit one after the deadline (an empty one "to revise").
add_action("completion.allow_late_reflection", who=is_placed_by_runner, when=nomination_class_is_open,
           refusal=lambda nomination: _("The class has closed: the reflection can no longer be changed."))


@rules.predicate
def reflection_publishable(user, reflection) -> bool:
    return reflection is None or (reflection.grade == Grade.EXCELLENT and reflection.consent_publish)


def draft_refusal(reflection) -> str:
    if reflection.grade != Grade.EXCELLENT:
        return _("Only a reflection graded excellent can become a portal article.")
    return _("The author has not agreed to publish this reflection.")


# A draft article of the portal from an excellent reflection whose author agreed: organizers (drafts of the portal
# from the training records are theirs: training.draft_portal_items).
add_action("completion.draft_reflection_article", who=is_organizer & runs_class_of_reflection,
           when=reflection_publishable, refusal=draft_refusal)
