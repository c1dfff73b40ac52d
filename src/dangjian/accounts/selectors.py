"""Reads of users."""

from django.db.models import QuerySet


def with_affiliation(users: QuerySet) -> QuerySet:
    """`users` with what User.affiliation reads loaded alongside (a fixed number of queries for any number of
    users), ordered by name."""
    return users.select_related("person__organ", "instructor_profile__venue").prefetch_related(
        "venues", "organs").order_by("full_name", "username")
