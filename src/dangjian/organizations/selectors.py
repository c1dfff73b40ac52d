"""Reads of the registry, scoped by the user. They own the eager loading of list pages."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dangjian.core import conf
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post

PEOPLE_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "organ": ("organ__code", "name", "id"),
    "-organ": ("-organ__code", "name", "id"),
    "appointed": ("first_secretary_on", "name", "id"),
    "-appointed": ("-first_secretary_on", "name", "id"),
    "birth": ("birth_date", "id"),
    "-birth": ("-birth_date", "id"),
}


def newly_appointed_since_default(today: datetime.date | None = None) -> datetime.date:
    """Start of the 'newly appointed' window (rule newly_appointed_months) counted back from today."""
    today = today or timezone.localdate()
    return today - relativedelta(months=conf.rule("newly_appointed_months"))


def organ_list(*, user, sector: str = "", q: str = "") -> QuerySet[Organ]:
    qs = Organ.objects.visible_to(user).annotate(
        party_org_count=Count("party_organizations", distinct=True),
        people_count=Count("people", distinct=True),
    )
    if sector:
        qs = qs.filter(sector=sector)
    if q:
        qs = qs.filter(Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
    return qs.order_by("code")


def organ_get(*, user, pk: int) -> Organ:
    return get_object_or_404(Organ.objects.visible_to(user), pk=pk)


def current_posts_prefetch(on: datetime.date | None = None) -> Prefetch:
    return Prefetch(
        "posts",
        queryset=Post.unscoped.current(on).select_related("party_organization").order_by("role", "started_on"),
        to_attr="current_posts",
    )


def party_organization_list(*, user, organ: Organ | None = None, org_type: str = "") -> QuerySet:
    qs = PartyOrganization.objects.visible_to(user).select_related("organ", "parent")
    if organ is not None:
        qs = qs.filter(organ=organ)
    if org_type:
        qs = qs.filter(org_type=org_type)
    return qs.prefetch_related(current_secretaries_prefetch()).order_by("organ__code", "name")


TEMPORARY_BRANCH = PartyOrganization.Type.TEMPORARY_BRANCH


def current_secretaries_prefetch() -> Prefetch:
    return Prefetch(
        "posts",
        queryset=Post.unscoped.current().filter(role=Post.Role.SECRETARY).select_related("person"),
        to_attr="current_secretaries",
    )


def party_organization_tree(*, user, organ: Organ) -> list[tuple[PartyOrganization, int]]:
    """The organ's party organizations in tree order, each with its depth (one query + prefetch)."""
    orgs = list(party_organization_list(user=user, organ=organ))
    children: dict[int | None, list[PartyOrganization]] = {}
    ids = {org.pk for org in orgs}
    for org in orgs:
        parent = org.parent_id if org.parent_id in ids else None
        children.setdefault(parent, []).append(org)
    result: list[tuple[PartyOrganization, int]] = []

    def walk(parent_id, depth):
        for org in children.get(parent_id, []):
            result.append((org, depth))
            walk(org.pk, depth + 1)

    walk(None, 0)
    return result


def party_organization_get(*, user, pk: int) -> PartyOrganization:
    return get_object_or_404(PartyOrganization.objects.visible_to(user).select_related("organ", "parent"), pk=pk)


def term_warnings(*, user, today: datetime.date | None = None) -> list[PartyOrganization]:
    """Party organizations whose 换届 is due within the warning window or overdue."""
    today = today or timezone.localdate()
    horizon = today + relativedelta(months=conf.rule("term_warning_months"))
    candidates = PartyOrganization.objects.visible_to(user).filter(term_started_on__isnull=False)
    candidates = (
        candidates.exclude(org_type=PartyOrganization.Type.TEMPORARY_BRANCH)
        .select_related("organ", "parent")
        .prefetch_related(current_secretaries_prefetch())
    )
    # The end date depends on each type's term length, so filter in Python on the small candidate set.
    return sorted(
        (org for org in candidates if org.term_ends_on and org.term_ends_on <= horizon),
        key=lambda org: org.term_ends_on,
    )


def people_list(
    *,
    user,
    q: str = "",
    organ_id: int | None = None,
    role: str = "",
    newly_appointed_since: datetime.date | None = None,
    sort: str = "name",
) -> QuerySet[Person]:
    """People visible to `user`, with the date of their first secretary post and current posts.

    "Newly appointed" is derived, never stored: the first secretary post started on or after the date.
    A temporary party branch of a training class does not make its secretary a new secretary.
    """
    qs = (
        Person.objects.visible_to(user)
        .select_related("organ")
        .annotate(first_secretary_on=Min("posts__started_on", filter=Q(
            posts__role=Post.Role.SECRETARY) & ~Q(posts__party_organization__org_type=TEMPORARY_BRANCH)))
        .prefetch_related(current_posts_prefetch())
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(position__icontains=q))
    if organ_id:
        qs = qs.filter(organ_id=organ_id)
    if role:
        qs = qs.filter(pk__in=Post.unscoped.current().filter(role=role).values("person_id"))
    if newly_appointed_since:
        qs = qs.filter(first_secretary_on__gte=newly_appointed_since)
    return qs.order_by(*PEOPLE_SORTS.get(sort, PEOPLE_SORTS["name"]))


def person_get(*, user, pk: int) -> Person:
    return get_object_or_404(Person.objects.visible_to(user).select_related("organ"), pk=pk)


def person_posts(*, person: Person) -> QuerySet[Post]:
    return person.posts.select_related("party_organization", "party_organization__organ").order_by("-started_on")


def post_list(*, user, person_id: int | None = None, party_organization_id: int | None = None,
              role: str = "", current: bool | None = None) -> QuerySet[Post]:
    qs = Post.objects.visible_to(user).select_related("person", "party_organization")
    if person_id:
        qs = qs.filter(person_id=person_id)
    if party_organization_id:
        qs = qs.filter(party_organization_id=party_organization_id)
    if role:
        qs = qs.filter(role=role)
    if current is True:
        qs = qs.filter(pk__in=Post.unscoped.current().values("pk"))
    elif current is False:
        qs = qs.exclude(pk__in=Post.unscoped.current().values("pk"))
    return qs.order_by("-started_on", "id")


def post_get(*, user, pk: int) -> Post:
    return get_object_or_404(Post.objects.visible_to(user).select_related("person", "party_organization"), pk=pk)
