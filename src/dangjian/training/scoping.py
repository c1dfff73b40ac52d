"""Program scoping: the one place that decides which training programs and sessions a user may see.

Organizers see every program; approvers the plans that have been submitted to them; college staff
the programs held at their venue; unit administrators the programs open for enrollment or later
(they nominate); instructors the programs and sessions they teach. No role: nothing (fails closed).
"""

from django.db.models import Q

from dangjian.accounts.roles import Role
from dangjian.organizations.scoping import NOTHING, sees_all_organs

# Statuses in which a program concerns the organs (enrollment and after).
PUBLISHED_STATUSES = ("enrollment_open", "in_progress", "closed", "archived")


def staffed_venue_ids(user) -> frozenset[int]:
    """Venues a college-staff user works for: each venue they staff, the departments of a college they
    staff, and the college of a department they staff (a department such as academic affairs is an
    office of the college: its staff run the college's classes). Not a sibling department's."""
    cached = getattr(user, "_staffed_venue_ids", None)
    if cached is None:
        from dangjian.training.models import Venue

        cached = frozenset(
            Venue.objects.filter(Q(staff=user) | Q(parent__staff=user) | Q(departments__staff=user))
            .values_list("pk", flat=True)
        )
        user._staffed_venue_ids = cached
    return cached


def taught_session_ids(user):
    from dangjian.training.models import Session

    return Session.objects.filter(instructors__user=user).values("pk")


def _program_q(user, path: str) -> Q | None:
    """The program rule of each role the user holds, for programs reached through `path` ("" for a
    Program, "phase__program__" for a Session); None for a user who sees everything."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if sees_all_organs(user):
        return None
    roles = user.roles
    q = NOTHING
    if Role.APPROVER in roles:
        q |= Q(**{f"{path}submitted_at__isnull": False})
    if Role.COLLEGE_STAFF in roles:
        q |= Q(**{f"{path}venue__in": staffed_venue_ids(user)})
    if Role.UNIT_ADMIN in roles:
        q |= Q(**{f"{path}status__in": PUBLISHED_STATUSES})
    return q


def program_filter(user) -> Q:
    q = _program_q(user, "")
    if q is None:
        return Q()
    if getattr(user, "is_authenticated", False) and Role.INSTRUCTOR in user.roles:
        q |= Q(pk__in=_taught_program_ids(user))
    return q


def _taught_program_ids(user):
    from dangjian.training.models import Session

    return Session.objects.filter(instructors__user=user).values("phase__program_id")


def session_filter(user) -> Q:
    """Sessions of visible programs; an instructor who holds no other role sees only their own."""
    q = _program_q(user, "phase__program__")
    if q is None:
        return Q()
    if getattr(user, "is_authenticated", False) and Role.INSTRUCTOR in user.roles:
        q |= Q(pk__in=taught_session_ids(user))
    return q


def can_see_program(user, program) -> bool:
    """The same rule as program_filter, for one object already loaded."""
    if program is None or not getattr(user, "is_authenticated", False):
        return False
    if sees_all_organs(user):
        return True
    roles = user.roles
    if Role.APPROVER in roles and program.submitted_at is not None:
        return True
    if Role.COLLEGE_STAFF in roles and program.venue_id in staffed_venue_ids(user):
        return True
    if Role.UNIT_ADMIN in roles and program.status in PUBLISHED_STATUSES:
        return True
    if Role.INSTRUCTOR in roles:
        from dangjian.training.models import Session

        return Session.objects.filter(phase__program=program, instructors__user=user).exists()
    return False


def can_manage_class(user, program) -> bool:
    """Timetable, groups and class committee: organizers, and college staff of the program's venue."""
    if program is None or not getattr(user, "is_authenticated", False):
        return False
    if sees_all_organs(user):
        return True
    return Role.COLLEGE_STAFF in user.roles and program.venue_id in staffed_venue_ids(user)
