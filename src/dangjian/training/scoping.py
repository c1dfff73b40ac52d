"""Program scoping: the one place that decides which training programs and sessions a user may see.

Organizers see every program; approvers the plans submitted to them (not while the organizer revises
one after a return or a reopen: they see what is submitted, never unsubmitted edits); college staff
the programs held at their venue; unit administrators the programs open for enrollment or later
(they nominate); instructors the programs they teach, and of those only their own sessions. No role:
nothing (fails closed).

The rule is written once, as Q objects; a question about one loaded record asks the database with
the same Q (training.rules), so a list and a permission check never disagree. This module imports
no training model (statuses come from enums), so that the models can use it for their querysets.
"""

from django.apps import apps
from django.db.models import Q

from dangjian.accounts.roles import Role
from dangjian.organizations.scoping import NOTHING, sees_all_organs
from dangjian.training.enums import PLAN_EDITABLE_STATUSES, PUBLISHED_STATUSES

__all__ = [
    "PUBLISHED_STATUSES",
    "program_filter",
    "sees_all_organs",
    "session_filter",
    "staffed_venue_ids",
    "whole_program_filter",
]


def staffed_venue_ids(user) -> frozenset[int]:
    """Venues a college-staff user works for: each venue they staff, the departments of a college they
    staff, and the college of a department they staff (a department such as academic affairs is an
    office of the college: its staff run the college's classes). Not a sibling department's."""
    cached = getattr(user, "_staffed_venue_ids", None)
    if cached is None:
        venue = apps.get_model("training", "Venue")
        cached = frozenset(
            venue.objects.filter(Q(staff=user) | Q(parent__staff=user) | Q(departments__staff=user))
            .values_list("pk", flat=True)
        )
        user._staffed_venue_ids = cached
    return cached


def taught_sessions(user):
    """The sessions a user teaches (through their instructor profile), as a subquery."""
    return apps.get_model("training", "Session").unscoped.filter(instructors__user=user)


def whole_program_filter(user, path: str = "") -> Q:
    """Programs (reached through `path`: "" for a Program, "phase__program__" for a Session) that the
    user sees as a whole, timetable included: every role but the instructor's."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if sees_all_organs(user):
        return Q()
    roles = user.roles
    q = NOTHING
    if Role.APPROVER in roles:
        # What was submitted to them, not a plan the organizer is revising (draft after a reopen, or
        # returned): its unsubmitted edits are not the approver's to read. It comes back when submitted.
        q |= Q(**{f"{path}submitted_at__isnull": False}) & ~Q(**{f"{path}status__in": PLAN_EDITABLE_STATUSES})
    if Role.COLLEGE_STAFF in roles:
        q |= Q(**{f"{path}venue__in": staffed_venue_ids(user)})
    if Role.UNIT_ADMIN in roles:
        q |= Q(**{f"{path}status__in": PUBLISHED_STATUSES})
    return q


def _teaches(user) -> bool:
    return getattr(user, "is_authenticated", False) and Role.INSTRUCTOR in user.roles


def program_filter(user) -> Q:
    """Programs the user may see: as a whole, or as an instructor who teaches in them."""
    q = whole_program_filter(user)
    if _teaches(user) and q != Q():
        q |= Q(pk__in=taught_sessions(user).values("phase__program_id"))
    return q


def session_filter(user) -> Q:
    """Sessions of the programs seen as a whole; an instructor's own sessions."""
    q = whole_program_filter(user, "phase__program__")
    if _teaches(user) and q != Q():
        q |= Q(pk__in=taught_sessions(user).values("pk"))
    return q


def class_runner_filter(user, path: str = "") -> Q:
    """Programs (reached through `path`) whose class the user runs, as a list (training.run_class asks
    the same of one record): organizers every program, college staff those at their venues."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    roles = user.roles
    if Role.ORGANIZER in roles:
        return Q()
    if Role.COLLEGE_STAFF in roles:
        return Q(**{f"{path}venue__in": staffed_venue_ids(user)})
    return NOTHING


def manages_venue_of(user, program) -> bool:
    """Timetable, groups and class committee: organizers, and college staff of the program's venue."""
    if program is None or not getattr(user, "is_authenticated", False):
        return False
    if sees_all_organs(user):
        return True
    return Role.COLLEGE_STAFF in user.roles and program.venue_id in staffed_venue_ids(user)
