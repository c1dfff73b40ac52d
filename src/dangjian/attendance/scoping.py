"""Attendance scoping: the one place that decides whose marks a user may see.

Organizers see every mark; college staff the marks of sessions of the programs at the venues they staff (the head
teachers); unit administrators the marks of their own organs' people in published programs; a participant their
own. No role: nothing. Written once as Q objects.
"""

from django.db.models import Q

from dangjian.accounts.roles import Role
from dangjian.enrollment.scoping import nomination_filter
from dangjian.organizations.scoping import NOTHING, sees_all_organs
from dangjian.training.scoping import staffed_venue_ids


def attendance_filter(user, path: str = "", session_path: str | None = "session__") -> Q:
    """Attendance rows (reached through `path`) the user may see; also leave requests and withdrawals, which
    have a participant but no single session (`session_path=None`: the program through the nomination)."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if sees_all_organs(user):
        return Q()
    q = nomination_filter(user, path=f"{path}nomination__")
    if Role.COLLEGE_STAFF in user.roles:
        program_path = f"{path}{session_path}phase__program" if session_path else f"{path}nomination__program"
        q |= Q(**{f"{program_path}__venue__in": staffed_venue_ids(user)})
    return q


def roster_filter(user, session) -> Q:
    """Placements of a session's roster the user may see: the whole roster for those who run the class,
    otherwise the user's own organs' people (unit administrators)."""
    from dangjian.training.scoping import manages_venue_of

    if manages_venue_of(user, session.phase.program):
        return Q()
    return nomination_filter(user, path="nomination__")
