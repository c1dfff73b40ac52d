"""Organ scoping: the one place that decides which organs' registry data a user may see.

Every registry queryset goes through `visible_to(user)`, which calls `organ_filter`. A user with
no registry role gets an empty result, never everything: forgetting to pass the user fails closed.
"""

from django.db.models import Q

from dangjian.accounts.roles import Role

NOTHING = Q(pk__in=[])


def sees_all_organs(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    # A superuser holds every permission through Django's ModelBackend; scope them like an organizer.
    return user.is_superuser or Role.ORGANIZER in user.roles


def organ_filter(user, path: str) -> Q:
    """A Q object restricting `path` (the lookup of an Organ from the model) to the user's organs."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if sees_all_organs(user):
        return Q()
    if Role.UNIT_ADMIN in user.roles:
        return Q(**{f"{path}__in": user.organ_ids})
    return NOTHING


def user_can_reach_organ(user, organ_id: int | None) -> bool:
    if organ_id is None or not getattr(user, "is_authenticated", False):
        return False
    if sees_all_organs(user):
        return True
    return Role.UNIT_ADMIN in user.roles and organ_id in user.organ_ids
