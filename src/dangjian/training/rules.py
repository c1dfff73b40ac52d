"""Who may do what with training programs (django-rules permissions).

Objects may be a Program, Phase, Group, Session or ClassCommitteeMember; the rule is asked of the
program they belong to. State changes are further gated by the program's status in services.py.
"""

import rules

from dangjian.accounts.rules import is_approver, is_college_staff, is_organizer
from dangjian.training import scoping


def program_of(obj):
    from dangjian.training.models import Phase, Program

    if obj is None or isinstance(obj, Program):
        return obj
    if isinstance(obj, Phase):
        return obj.program
    phase = getattr(obj, "phase", None)
    return phase.program if phase is not None else None


@rules.predicate
def can_see_program(user, obj) -> bool:
    if obj is None:
        return True  # list-level question; the list itself is scoped by program_filter
    return scoping.can_see_program(user, program_of(obj))


@rules.predicate
def manages_class(user, obj) -> bool:
    if obj is None:
        return True
    return scoping.can_manage_class(user, program_of(obj))


@rules.predicate
def has_any_training_role(user) -> bool:
    from dangjian.accounts.roles import Role

    roles = getattr(user, "roles", frozenset()) if getattr(user, "is_authenticated", False) else frozenset()
    return bool(roles & {Role.ORGANIZER, Role.APPROVER, Role.COLLEGE_STAFF, Role.UNIT_ADMIN, Role.INSTRUCTOR}) \
        or bool(getattr(user, "is_superuser", False))


# The library (venues, sites, instructors, courses): organizers keep it, college staff read it.
rules.add_perm("training.view_library", is_organizer | is_college_staff)
rules.add_perm("training.change_library", is_organizer)

rules.add_perm("training.view_program", has_any_training_role & can_see_program)
rules.add_perm("training.add_program", is_organizer)
rules.add_perm("training.change_program", is_organizer)
rules.add_perm("training.delete_program", is_organizer)
rules.add_perm("training.submit_program", is_organizer)
rules.add_perm("training.review_program", is_approver & can_see_program)  # approve or return
rules.add_perm("training.run_program", is_organizer)  # open enrollment, start, close, archive, reopen
# Timetable, groups, class committee, temporary branch.
rules.add_perm("training.manage_class", (is_organizer | is_college_staff) & manages_class)
