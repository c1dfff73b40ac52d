"""Reads of users."""

from django.db.models import QuerySet


def with_affiliation(users: QuerySet) -> QuerySet:
    """`users` with what User.affiliation reads loaded alongside (a fixed number of queries for any number of
    users), ordered by name."""
    return users.select_related("person__organ", "instructor_profile__venue").prefetch_related(
        "venues", "organs").order_by("full_name", "username")


def unit_admins_of(organ_ids) -> dict[int, list]:
    """The active unit administrators of each of these organs (organ id -> users, by id), in two queries: whom
    the platform tells about an organ's part (nomination, people due for training)."""
    from collections import defaultdict

    from django.contrib.auth import get_user_model

    from dangjian.accounts.roles import Role

    wanted = set(organ_ids)
    admins = defaultdict(list)
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.UNIT_ADMIN, organs__in=wanted) \
        .distinct().prefetch_related("organs").order_by("pk")
    for user in users:
        for organ in user.organs.all():
            if organ.pk in wanted:
                admins[organ.pk].append(user)
    return admins
