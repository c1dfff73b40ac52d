"""Reads of the registry, scoped by the user. They own the eager loading of list pages."""

import datetime
import re

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import conf
from dangjian.core.validators import normalize_id_number, normalize_person_name
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post, organ_order

PEOPLE_SORTS = {
    "name": ("name_sort", "id"),
    "-name": ("-name_sort", "-id"),
    "organ": (*organ_order("organ__"), "name_sort", "id"),
    "-organ": (F("organ__sort_order").desc(nulls_first=True), "-organ__name_sort", "-organ_id", "name_sort", "id"),
    "appointed": (F("first_secretary_on").asc(nulls_last=True), "name_sort", "id"),
    # The expression of the index person_latest_appointed: the latest first, people without a date last.
    "-appointed": (Coalesce("first_secretary_on", Value(datetime.date.min)).desc(), "name_sort", "id"),
    "birth": ("birth_date", "id"),
    "-birth": ("-birth_date", "id"),
}


def newly_appointed_since_default(today: datetime.date | None = None) -> datetime.date:
    """Start of the 'newly appointed' window (rule newly_appointed_months) counted back from today."""
    today = today or timezone.localdate()
    return today - relativedelta(months=conf.rule("newly_appointed_months"))


def _count_of(queryset: QuerySet, outer: str) -> Coalesce:
    """How many rows of `queryset` have `outer` = the outer row's pk, as a correlated subquery: an index lookup
    per row shown, where COUNT(DISTINCT) over joins would build the join of every organ's rows first."""
    rows = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def organ_list(*, user, sector: str = "", q: str = "") -> QuerySet[Organ]:
    """Organs in the official order, with how many party organizations and people each has."""
    qs = Organ.objects.visible_to(user).annotate(
        party_org_count=_count_of(PartyOrganization.unscoped, "organ"),
        people_count=_count_of(Person.unscoped, "organ"),
    )
    if sector:
        qs = qs.filter(sector=sector)
    if q:
        qs = qs.filter(Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
    return qs.order_by(*organ_order())


PICKER_LIMIT = 30


def organ_picker(*, user, q: str = "", limit: int = PICKER_LIMIT) -> tuple[list[Organ], bool]:
    """Organs to pick from (the organ of a person, of a party organization, ...): those the user may see whose
    name (Chinese or English) contains `q` or whose code starts with it, in the official order; at most `limit`,
    and whether there are more."""
    qs = Organ.objects.visible_to(user)
    if q := (q or "").strip():
        qs = qs.filter(Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(code__istartswith=q))
    rows = list(qs.order_by(*organ_order())[: limit + 1])
    return rows[:limit], len(rows) > limit


def party_organization_picker(*, user, q: str = "", limit: int = PICKER_LIMIT) -> tuple[list, bool]:
    """Party organizations to pick from (a post's, a parent): those the user may see whose name or whose organ's
    name contains `q`, by organ in the official order, then by name; at most `limit`, and whether there are more."""
    qs = PartyOrganization.objects.visible_to(user).select_related("organ")
    if q := (q or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(organ__name_zh__icontains=q))
    rows = list(qs.order_by(*organ_order("organ__"), "name_sort", "id")[: limit + 1])
    return rows[:limit], len(rows) > limit


def organ_get(*, user, pk: int) -> Organ:
    return get_object_or_404(Organ.objects.visible_to(user), pk=pk)


def current_posts_prefetch(on: datetime.date | None = None) -> Prefetch:
    return Prefetch(
        "posts",
        queryset=Post.unscoped.current(on).select_related("party_organization").order_by("role", "started_on"),
        to_attr="current_posts",
    )


def _parent_name() -> Subquery:
    # A correlated subquery, which PostgreSQL evaluates for the rows of the page only (after the sort and limit),
    # where a join to the parent would be built for every party organization of the list before sorting.
    return Subquery(PartyOrganization.unscoped.filter(pk=OuterRef("parent_id")).values("name")[:1])


def party_organization_list(*, user, organ: Organ | None = None, org_type: str = "") -> QuerySet:
    """Party organizations in the official order of their organs, then by name; each with its organ, its parent's
    name (parent_name) and its current secretaries."""
    qs = PartyOrganization.objects.visible_to(user).select_related("organ").annotate(parent_name=_parent_name())
    if organ is not None:
        qs = qs.filter(organ=organ)
    if org_type:
        qs = qs.filter(org_type=org_type)
    return qs.prefetch_related(current_secretaries_prefetch()).order_by(*organ_order("organ__"), "name_sort", "id")


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


def term_warnings(*, user, today: datetime.date | None = None) -> QuerySet[PartyOrganization]:
    """Party organizations whose 换届 is due within the warning window (rule term_warning_months) or overdue,
    the earliest end first. Filtered and sorted in SQL, so that a page of them costs one pass over the party
    organizations instead of loading all of them; temporary branches (of a training class) hold no elections.
    The stored, indexed term end (PartyOrganization.term_ends_on) makes it a range of an index."""
    today = today or timezone.localdate()
    horizon = today + relativedelta(months=conf.rule("term_warning_months"))
    return (
        PartyOrganization.objects.visible_to(user)
        .filter(term_ends_on__lte=horizon)
        .exclude(org_type=PartyOrganization.Type.TEMPORARY_BRANCH)
        .select_related("organ")
        .order_by("term_ends_on", *organ_order("organ__"), "name_sort", "id")
    )


def current_secretary_count(*, user) -> int:
    """How many secretaries hold their post today, in the organs the user sees; a temporary branch's (of a
    training class) are not secretaries of the registry. The few temporary branches are left out by their ids
    (NOT IN), not by a join with every party organization: the count is then read from a partial index."""
    temporary = PartyOrganization.unscoped.filter(org_type=PartyOrganization.Type.TEMPORARY_BRANCH).values("pk")
    return (Post.objects.visible_to(user).current().filter(role=Post.Role.SECRETARY)
            .exclude(party_organization_id__in=temporary).count())


def term_warnings_first(*, user, count: int) -> tuple[list[PartyOrganization], int]:
    """The first `count` term warnings and how many there are in all, in one query: the start page's summary. The
    total is an uncorrelated subquery (counted once, from the index), so that the rows stop at `count`."""
    warnings = term_warnings(user=user)
    total = Subquery(warnings.order_by().annotate(total=Func("pk", function="COUNT")).values("total"))
    rows = list(warnings.annotate(warning_total=total)[:count])
    return rows, (rows[0].warning_total if rows else 0)


def with_current_secretaries(queryset: QuerySet[PartyOrganization]) -> QuerySet[PartyOrganization]:
    """What a list of party organizations shows besides the organ: the parent's name, the current secretaries."""
    return queryset.annotate(parent_name=_parent_name()).prefetch_related(current_secretaries_prefetch())


# What a search box of the people list finds. An ID number is searched only by what the masked lists show (the
# first six digits, the region) or in full: a search by more of its digits would disclose, digit by digit, what
# the mask hides, without the audited reveal.
ID_NUMBER_SEARCH_RE = re.compile(r"^[0-9]{1,17}[0-9X]?$")
ID_REGION_DIGITS = 6


def people_search(q: str) -> Q:
    """The people a search term finds: a name or a position starting with it (王伟 finds 王伟 and 王伟东; an index
    lookup, also for a two-character name), or an ID number by its first six digits or all eighteen.

    Raises ValidationError (on "q") for an ID number of 7 to 17 characters (see ID_NUMBER_SEARCH_RE)."""
    q = (q or "").strip()
    if not q:
        return Q()
    id_number = normalize_id_number(q)
    if ID_NUMBER_SEARCH_RE.match(id_number):
        if len(id_number) <= ID_REGION_DIGITS:
            return Q(id_number__startswith=id_number)
        if len(id_number) == 18:
            return Q(id_number=id_number)
        raise ValidationError({"q": ValidationError(
            _("Search an ID number by its first six digits or by all 18 characters."), code="id_number_search")})
    return Q(name__startswith=normalize_person_name(q)) | Q(position__startswith=q)


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
    A temporary party branch of a training class does not make its secretary a new secretary. The date of the
    first secretary post is stored on the person (Person.first_secretary_on), so that a province's people are
    filtered and sorted by it through an index.
    """
    qs = Person.objects.visible_to(user).select_related("organ").prefetch_related(current_posts_prefetch())
    if q := (q or "").strip():
        qs = qs.filter(people_search(q))
    if organ_id:
        qs = qs.filter(organ_id=organ_id)
    if role:
        qs = qs.filter(Exists(Post.unscoped.current().filter(person=OuterRef("pk"), role=role)))
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
        qs = qs.current()
    elif current is False:
        today = timezone.localdate()
        qs = qs.filter(Q(started_on__gt=today) | Q(ended_on__lt=today))
    return qs.order_by("-started_on", "id")


def post_get(*, user, pk: int) -> Post:
    return get_object_or_404(Post.objects.visible_to(user).select_related("person", "party_organization"), pk=pk)
