"""Who may do what with training records, and when: one permission per action (core.rules.add_action),
answering the role, the scope and the record's state together.

Objects may be a Program, Phase, Group, Session or ClassCommitteeMember; scope and state are those of
the program they belong to. Services `require` these permissions; views, templates ({% has_perm %})
and the API ask the same ones and never re-derive a condition.
"""

import rules
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.accounts.rules import is_approver, is_college_staff, is_organizer
from dangjian.core.rules import add_action
from dangjian.organizations.scoping import sees_all_organs
from dangjian.training import scoping
from dangjian.training.enums import (
    CLOSED_STATUSES,
    PLAN_EDITABLE_STATUSES,
    TIMETABLE_EDITABLE_STATUSES,
    ProgramStatus,
)


def program_of(obj):
    from dangjian.training.models import Phase, Program

    if obj is None or isinstance(obj, Program):
        return obj
    if isinstance(obj, Phase):
        return obj.program
    phase = getattr(obj, "phase", None)
    return phase.program if phase is not None else None


def _status_label(obj) -> str:
    return program_of(obj).get_status_display()


# --- Scope ----------------------------------------------------------------------------------------

def _visible(user, program, q) -> bool:
    if program is None or not getattr(user, "is_authenticated", False):
        return False
    if sees_all_organs(user):
        return True
    return type(program).unscoped.filter(q, pk=program.pk).exists()


@rules.predicate
def can_see_program(user, obj) -> bool:
    """The same rule as the lists (scoping.program_filter), asked of one record."""
    if obj is None:
        return True  # list-level question; the list itself is scoped by program_filter
    return _visible(user, program_of(obj), scoping.program_filter(user))


@rules.predicate
def sees_whole_program(user, obj) -> bool:
    """Sees the whole program (every session), not only their own sessions as an instructor does."""
    if obj is None:
        return True
    return _visible(user, program_of(obj), scoping.whole_program_filter(user))


@rules.predicate
def manages_class(user, obj) -> bool:
    if obj is None:
        return True
    return scoping.manages_venue_of(user, program_of(obj))


@rules.predicate
def has_any_training_role(user) -> bool:
    roles = getattr(user, "roles", frozenset()) if getattr(user, "is_authenticated", False) else frozenset()
    return bool(roles & {Role.ORGANIZER, Role.APPROVER, Role.COLLEGE_STAFF, Role.UNIT_ADMIN, Role.INSTRUCTOR}) \
        or bool(getattr(user, "is_superuser", False))


# --- State ----------------------------------------------------------------------------------------

def program_status_in(*statuses):
    """A predicate on the record's program status; None (a list-level question) passes."""
    names = "_".join(statuses)

    @rules.predicate(name=f"program_status_in_{names}")
    def predicate(user, obj) -> bool:
        program = program_of(obj)
        return program is None or program.status in statuses

    return predicate


plan_is_editable = program_status_in(*PLAN_EDITABLE_STATUSES)
timetable_is_editable = program_status_in(*TIMETABLE_EDITABLE_STATUSES)


@rules.predicate
def class_is_open(user, obj) -> bool:
    """Not yet closed or archived (a list-level question passes)."""
    program = program_of(obj)
    return program is None or program.status not in CLOSED_STATUSES


@rules.predicate
def never_submitted_draft(user, obj) -> bool:
    return obj is None or (obj.status == ProgramStatus.DRAFT and obj.submitted_at is None)


@rules.predicate
def library_record_unused(user, obj) -> bool:
    """Library records used in a timetable stay: deleting them would rewrite past timetables."""
    from dangjian.training.models import Classroom, Course, Instructor

    if isinstance(obj, Instructor | Classroom | Course) and obj.sessions.exists():
        return False
    return not (isinstance(obj, Classroom) and obj.phases.exists())


# --- Actions --------------------------------------------------------------------------------------

# The library (venues, sites, instructors, courses): organizers keep it, college staff read it.
rules.add_perm("training.view_library", is_organizer | is_college_staff)
rules.add_perm("training.change_library", is_organizer)
add_action("training.delete_library_record", who=is_organizer, when=library_record_unused,
           refusal=lambda record: _("%(record)s is used in timetables and cannot be deleted.") % {"record": record})

rules.add_perm("training.view_program", has_any_training_role & can_see_program)
# The whole timetable of a phase (grid, PDF, Excel): not an instructor's, who sees their own sessions.
rules.add_perm("training.view_timetable", has_any_training_role & sees_whole_program)
creates_programs = is_organizer
rules.add_perm("training.add_program", creates_programs)
# Copying a program as another year's draft: those who may see it and create programs.
rules.add_perm("training.copy_program", creates_programs & has_any_training_role & can_see_program)
add_action("training.change_program", who=is_organizer, when=class_is_open,
           refusal=lambda obj: _("A closed or archived program cannot be changed."))
# The plan: its fields, and the phases' number, dates and capacity; adding and deleting phases.
add_action("training.change_plan", who=is_organizer, when=plan_is_editable & class_is_open,
           refusal=lambda obj: _("The plan is %(status)s: reopen it and submit it again to change it.")
           % {"status": _status_label(obj)})
add_action("training.delete_program", who=is_organizer, when=never_submitted_draft,
           refusal=lambda obj: _("Only a draft that was never submitted can be deleted."))
# Portal drafts (notice, report) written from the program's records.
rules.add_perm("training.draft_portal_items", is_organizer & can_see_program)

# Groups, class committee, temporary branch, head teacher and phase status: until the class closes.
# Who runs a program's class (whatever its state): organizers, and college staff of its venue.
runs_class = (is_organizer | is_college_staff) & manages_class
add_action("training.manage_class", who=runs_class, when=class_is_open,
           refusal=lambda obj: _("A closed or archived program cannot be changed."))
# Who runs a program's class (whatever its state): organizers, and college staff of its venue. They
# open the class's forms; each change is one of the actions below, which adds the state. Copying a
# timetable from a phase needs only this: an earlier, closed program is the usual source.
rules.add_perm("training.run_class", runs_class)
add_action("training.edit_timetable", who=runs_class,
           when=timetable_is_editable,
           refusal=lambda obj: _("The timetable of a program that is “%(status)s” cannot be changed.")
           % {"status": _status_label(obj)})


# The workflow: name -> (statuses it may start from, status it leads to, permission, who).
S = ProgramStatus
TRANSITIONS = {
    "submit": ((S.DRAFT, S.RETURNED), S.SUBMITTED, "training.submit_program"),
    "approve": ((S.SUBMITTED,), S.APPROVED, "training.approve_program"),
    "return": ((S.SUBMITTED,), S.RETURNED, "training.return_program"),
    "reopen": ((S.APPROVED, S.ENROLLMENT_OPEN), S.DRAFT, "training.reopen_program"),
    "open_enrollment": ((S.APPROVED,), S.ENROLLMENT_OPEN, "training.open_enrollment_program"),
    "start": ((S.ENROLLMENT_OPEN,), S.IN_PROGRESS, "training.start_program"),
    "close": ((S.IN_PROGRESS,), S.CLOSED, "training.close_program"),
    "archive": ((S.CLOSED,), S.ARCHIVED, "training.archive_program"),
    # A closed class reopened to correct its records: the hours it credited are taken back (a reason is required);
    # closing it again credits them anew.
    "reopen_class": ((S.CLOSED,), S.IN_PROGRESS, "training.reopen_class"),
}
TRANSITION_ACTORS = {"approve": is_approver & can_see_program, "return": is_approver & can_see_program}

TRANSITION_VERBS = {
    "submit": lambda: _("submitted"),
    "approve": lambda: _("approved"),
    "return": lambda: _("returned"),
    "reopen": lambda: _("reopened"),
    "open_enrollment": lambda: _("opened for enrollment"),
    "start": lambda: _("started"),
    "close": lambda: _("closed"),
    "archive": lambda: _("archived"),
    "reopen_class": lambda: _("reopened"),
}


def transition_refusal(program, name: str) -> str:
    return _("A program that is “%(status)s” cannot be %(action)s.") % {
        "status": program.get_status_display(), "action": TRANSITION_VERBS[name]()}


for _name, (_sources, _target, _perm) in TRANSITIONS.items():
    add_action(_perm, who=TRANSITION_ACTORS.get(_name, is_organizer), when=program_status_in(*_sources),
               refusal=lambda program, name=_name: transition_refusal(program, name))
