"""Enrollment scoping: the one place that decides which nominations and quotas a user may see.

Organizers see every program's; unit administrators those of their organs in programs open for enrollment or
later (training.scoping's published statuses); a participant their own nominations. No role: nothing.
Written once as Q objects (the lists), asked of one record with the same Q (enrollment.rules).
"""

from django.db.models import Q

from dangjian.accounts.roles import Role
from dangjian.organizations.scoping import NOTHING, sees_all_organs
from dangjian.training.enums import PUBLISHED_STATUSES


def nomination_filter(user, path: str = "") -> Q:
    """Nominations (reached through `path`) the user may see."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if sees_all_organs(user):
        return Q()
    q = NOTHING
    roles = user.roles
    if Role.UNIT_ADMIN in roles:
        q |= Q(**{f"{path}organ__in": user.organ_ids, f"{path}program__status__in": PUBLISHED_STATUSES})
    if Role.PARTICIPANT in roles and user.person_id:
        q |= Q(**{f"{path}person_id": user.person_id})
    return q


def quota_filter(user) -> Q:
    """Quotas the user may see: organizers all; unit administrators their organs' in published programs."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if sees_all_organs(user):
        return Q()
    if Role.UNIT_ADMIN in user.roles:
        return Q(organ__in=user.organ_ids, program__status__in=PUBLISHED_STATUSES)
    return NOTHING
