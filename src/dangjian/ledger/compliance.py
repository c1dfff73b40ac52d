"""Compliance: is a person's training duty satisfied, due (with its deadline), overdue or exempt?

Computed in SQL, as annotations of a Person queryset, so that a list of the province's people, or the count
per organ, is one query; the person's archive asks the same annotations of one person. The ledger's records
are the only input (docs/ledger.md):

- Induction (任职培训): a person holding a post of the rule's roles (secretaries; deputies and committee members
  when the rule says so) whose first such post began on a day some version of the rule was in effect must have
  an induction record within that version's `deadline_months`. Due until the deadline (that day included),
  overdue after it; satisfied by any record marked as induction training (a program of this platform whose
  requirement is induction credits it so); exempt while an exemption of the rule lasts.
- Hours: the people of the rule's audience on the period's last day (or today, in a running period) must be
  credited with `min_hours` (of `counted_kind`, if given) in the period, by trainings ended by `on` — or
  `min_days` days of concentrated training — and at least `min_concentrated` concentrated trainings. Due
  until the period's end, overdue after it; exempt when an exemption meets the period. The version in effect
  on the period's first day judges it.

Annotations (the same names for both kinds): compliance_status, compliance_deadline, appointed_on,
credited_hours, credited_days, concentrated_count; and, for the rows of a page, post_name and
post_role (the post that makes the rule apply).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.db.models.query_utils import FilteredRelation
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dangjian.ledger.enums import Audience, ComplianceStatus, RequirementKind, TrainingKind
from dangjian.ledger.models import Exemption, Requirement, TrainingRecord
from dangjian.organizations.models import PartyOrganization, Person, Post

S = ComplianceStatus
POST_ROLES = [Post.Role.SECRETARY, Post.Role.DEPUTY_SECRETARY, Post.Role.COMMITTEE_MEMBER]
HOURS = DecimalField(max_digits=8, decimal_places=1)


class AddMonths(Func):
    """date + months, the day kept where the month has it and the month's last day otherwise (as dateutil's
    relativedelta: 31 August + 6 months = 28 or 29 February), on SQLite and PostgreSQL alike."""

    output_field = DateField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        day, day_params = compiler.compile(self.source_expressions[0])
        months, months_params = compiler.compile(self.source_expressions[1])
        return f"CAST(({day}) + make_interval(months => ({months})) AS date)", (*day_params, *months_params)

    def as_sqlite(self, compiler, connection, **extra):
        day, d = compiler.compile(self.source_expressions[0])
        months, m = compiler.compile(self.source_expressions[1])
        # The same day of the target month, or that month's last day when it is shorter (SQLite would roll over).
        sql = (
            f"MIN(date({day}, 'start of month', '+' || ({months}) || ' months', "
            f"'+' || (CAST(substr({day}, 9, 2) AS INTEGER) - 1) || ' days'), "
            f"date({day}, 'start of month', '+' || (({months}) + 1) || ' months', '-1 day'))"
        )
        return sql, (*d, *m, *d, *d, *m)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same as AddMonths, in Python."""
    return day + relativedelta(months=months)


def versions(code: str) -> list[Requirement]:
    return list(Requirement.objects.filter(code=code).order_by("effective_from"))


def in_effect(on: datetime.date) -> QuerySet[Requirement]:
    """The versions of the rules in effect on `on`, one per code."""
    return Requirement.objects.filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on),
                                      effective_from__lte=on).order_by("kind", "code")


def version_on(code: str, on: datetime.date) -> Requirement | None:
    return in_effect(on).filter(code=code).first()


def registry_posts(roles) -> QuerySet[Post]:
    """Posts of these roles in the registry's party organizations (a temporary branch of a class is not one)."""
    return (Post.unscoped.filter(role__in=roles)
            .exclude(party_organization__org_type=PartyOrganization.Type.TEMPORARY_BRANCH))


def _registry_posts(roles) -> QuerySet[Post]:
    """registry_posts of the person of the outer query."""
    return registry_posts(roles).filter(person=OuterRef("pk"))


def _holds_post(roles, on: datetime.date) -> Exists:
    return Exists(_registry_posts(roles).current(on))


def _post_of(roles, on: datetime.date | None, field: str) -> Subquery:
    """A field of the post that makes the rule apply: the first post of the roles (induction), or the most
    senior current one (hours)."""
    posts = _registry_posts(roles)
    posts = posts.order_by("started_on", "id") if on is None else posts.current(on).order_by("role", "started_on")
    return Subquery(posts.values(field)[:1])


def _sum(records: QuerySet, field: str, output_field) -> Coalesce:
    rows = records.order_by().values("person").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(rows, output_field=output_field), Value(0), output_field=output_field)


def _count(records: QuerySet) -> Coalesce:
    rows = records.order_by().values("person").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _exempt(code: str, first: datetime.date, last: datetime.date) -> Q:
    """An exemption of the rule meets [first, last]. An uncorrelated IN (subquery): the database reads the
    exemptions once (a hashed subplan on PostgreSQL), not once per person."""
    return Q(pk__in=Exemption.unscoped.filter(requirement_code=code, starts_on__lte=last, ends_on__gte=first)
             .values("person_id"))


def _nobody(queryset: QuerySet) -> QuerySet:
    """No rule, no duty: the annotations still exist (as nulls), so that callers need not ask."""
    return queryset.none().annotate(
        appointed_on=Value(None, output_field=DateField()), compliance_deadline=Value(None, output_field=DateField()),
        compliance_status=Value("", output_field=CharField()),
        credited_hours=Value(Decimal(0), output_field=HOURS), credited_days=Value(0),
        concentrated_count=Value(0),
    )


def with_induction(queryset: QuerySet[Person], *, code: str = "induction", on: datetime.date | None = None,
                   with_post: bool = False) -> QuerySet[Person]:
    """People subject to the induction rule `code` on `on` (default today), annotated; see the module."""
    on = on or timezone.localdate()
    all_versions = [v for v in versions(code) if v.kind == RequirementKind.INDUCTION]
    current = next((v for v in reversed(all_versions) if v.effective_from <= on), None)
    if current is None:
        return _nobody(queryset)
    roles = current.roles
    if roles == [Post.Role.SECRETARY]:
        appointed = F("first_secretary_on")  # stored and indexed (organizations.Person)
    else:
        others = _registry_posts([r for r in roles if r != Post.Role.SECRETARY]).order_by("started_on")
        other = Subquery(others.values("started_on")[:1], output_field=DateField())
        appointed = Least(Coalesce("first_secretary_on", other), Coalesce(other, "first_secretary_on"))
    months = Case(
        *(When(appointed_on__gte=v.effective_from, appointed_on__lte=v.effective_until or datetime.date.max,
               then=Value(v.deadline_months)) for v in all_versions),
        default=Value(None), output_field=IntegerField(),
    )
    induction = TrainingRecord.unscoped.filter(counts_as_induction=True, starts_on__lte=on)
    queryset = (
        queryset.annotate(appointed_on=appointed)
        .filter(appointed_on__isnull=False, appointed_on__lte=on)
        .filter(_holds_post(roles, on))
        .annotate(deadline_months=months).filter(deadline_months__isnull=False)
        .annotate(compliance_deadline=AddMonths("appointed_on", "deadline_months"))
        .annotate(compliance_status=Case(
            When(_exempt(code, on, on), then=Value(S.EXEMPT)),
            # uncorrelated: the credited people are read once, not looked up per person
            When(pk__in=induction.values("person_id"), then=Value(S.SATISFIED)),
            When(compliance_deadline__lt=on, then=Value(S.OVERDUE)),
            default=Value(S.DUE),
        ))
    )
    if with_post:  # the rows of a page: what the reason names, looked up for those rows only
        records = induction.filter(person=OuterRef("pk"))
        return queryset.annotate(
            credited_hours=_sum(records, "hours", HOURS), credited_days=_sum(records, "days", IntegerField()),
            concentrated_count=_count(records),
            post_name=_post_of(roles, None, "party_organization__name"), post_role=_post_of(roles, None, "role"))
    return queryset.annotate(credited_hours=Value(Decimal(0), output_field=HOURS), credited_days=Value(0),
                             concentrated_count=Value(0))


@dataclass(frozen=True)
class Period:
    first_year: int
    last_year: int

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(self.first_year, 1, 1)

    @property
    def ends_on(self) -> datetime.date:
        return datetime.date(self.last_year, 12, 31)

    def __str__(self) -> str:
        return str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}–{self.last_year}"


def hours_version(code: str, year: int) -> tuple[Requirement | None, Period | None]:
    """The version of an hours rule that judges the period containing `year`, and the period."""
    for version in reversed(versions(code)):
        if version.kind != RequirementKind.HOURS:
            continue
        period = Period(*version.period_of(year))
        if version.in_effect(period.starts_on):
            return version, period
    return None, None


def audience_filter(requirement: Requirement, on: datetime.date) -> Q | Exists:
    if requirement.audience == Audience.POST_HOLDERS:
        return _holds_post(requirement.roles, on)
    if requirement.audience == Audience.PARTY_MEMBERS:
        return Q(party_joined_on__lte=on) & ~_holds_post(POST_ROLES, on)
    return Q(rank_level__in=requirement.rank_levels or [])


def with_hours(queryset: QuerySet[Person], *, code: str, year: int | None = None, on: datetime.date | None = None,
               with_post: bool = False) -> QuerySet[Person]:
    """People subject to the hours rule `code` in the period containing `year` (default: `on`'s year), as
    judged on `on` (default today); see the module."""
    on = on or timezone.localdate()
    requirement, period = hours_version(code, year or on.year)
    if requirement is None:
        return _nobody(queryset)
    audience_on = min(on, period.ends_on)
    # The period's records joined once (LEFT JOIN … ON the period) and summed per person: one pass over the
    # records, where a correlated subquery per person and sum would look up every person's records three times.
    queryset = queryset.filter(audience_filter(requirement, audience_on)).annotate(
        period_records=FilteredRelation("training_records", condition=Q(
            training_records__year__gte=period.first_year, training_records__year__lte=period.last_year,
            training_records__ends_on__lte=on)))
    concentrated = Q(period_records__kind=TrainingKind.CONCENTRATED)
    counted = Q(period_records__kind=requirement.counted_kind) if requirement.counted_kind else None
    queryset = queryset.annotate(
        appointed_on=Value(None, output_field=DateField()),
        compliance_deadline=Value(period.ends_on, output_field=DateField()),
        credited_hours=Coalesce(Sum("period_records__hours", filter=counted), Value(Decimal(0)), output_field=HOURS),
        credited_days=Coalesce(Sum("period_records__days", filter=concentrated), Value(0)),
        concentrated_count=Count("period_records", filter=concentrated),
    )
    met = Q(credited_hours__gte=requirement.min_hours)
    if requirement.min_days:
        met |= Q(credited_days__gte=requirement.min_days)
    if requirement.min_concentrated:
        met &= Q(concentrated_count__gte=requirement.min_concentrated)
    queryset = queryset.annotate(compliance_status=Case(
        When(_exempt(code, period.starts_on, period.ends_on), then=Value(S.EXEMPT)),
        When(met, then=Value(S.SATISFIED)),
        When(compliance_deadline__lt=on, then=Value(S.OVERDUE)),
        default=Value(S.DUE),
    ))
    if with_post and requirement.audience == Audience.POST_HOLDERS:
        queryset = queryset.annotate(post_name=_post_of(requirement.roles, audience_on, "party_organization__name"),
                                     post_role=_post_of(requirement.roles, audience_on, "role"))
    return queryset


def status_counts(people: QuerySet[Person], group: str) -> list[tuple]:
    """(group value, status, how many) of annotated `people`, grouped by `group` (a field path, e.g. "organ_id",
    "organ__sector"): one query. The people's query (grouped per person when it sums hours) is counted as a
    derived table, which the ORM cannot group again."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    inner = people.order_by().annotate(group_key=F(group)).values("group_key", "compliance_status")
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # no rule in effect, or a scope of nothing: nobody to count
        return []
    connection = connections[people.db]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT people.{quote('group_key')}, people.{quote('compliance_status')}, COUNT(*) "
                       f"FROM ({sql}) people GROUP BY 1, 2", params)
        return list(cursor.fetchall())


def with_compliance(queryset: QuerySet[Person], *, requirement: Requirement, year: int | None = None,
                    on: datetime.date | None = None, with_post: bool = False) -> QuerySet[Person]:
    """The people of `queryset` to whom the rule of `requirement` (its code) applies, with their status."""
    if requirement.kind == RequirementKind.INDUCTION:
        on = on or timezone.localdate()
        if year is not None and year < on.year:
            on = datetime.date(year, 12, 31)  # a past year's report: the state at its end
        return with_induction(queryset, code=requirement.code, on=on, with_post=with_post)
    return with_hours(queryset, code=requirement.code, year=year, on=on, with_post=with_post)


# --- Words: the "why" -------------------------------------------------------------------------------

def _post_words(person) -> str:
    name, role = getattr(person, "post_name", None), getattr(person, "post_role", None)
    if not name:
        return ""
    if not role:
        return name
    return pgettext("a post", "%(organization)s %(role)s") % {"organization": name, "role": Post.Role(role).label}


def _hours(value) -> str:
    value = Decimal(value or 0)
    return f"{value:.1f}".rstrip("0").rstrip(".")


def explain(person, requirement: Requirement, *, on: datetime.date | None = None,
            year: int | None = None) -> str:
    """The plain-language reason of a person's status (annotated by with_compliance(with_post=True)):
    the post, the dates or the period, what the rule asks and what the ledger holds."""
    on = on or timezone.localdate()
    status = person.compliance_status
    parts = []
    if requirement.kind == RequirementKind.INDUCTION:
        post = _post_words(person)
        if post:
            parts.append(_("%(post)s, appointed on %(date)s") % {"post": post, "date": person.appointed_on})
        else:
            parts.append(_("appointed on %(date)s") % {"date": person.appointed_on})
        if status == S.SATISFIED:
            parts.append(_("induction training recorded"))
        elif status == S.EXEMPT:
            parts.append(_("exempt from induction training"))
        else:
            deadline = {"deadline": person.compliance_deadline}
            parts.append(_("induction training was due by %(deadline)s") % deadline if status == S.OVERDUE
                         else _("induction training due by %(deadline)s") % deadline)
            parts.append(_("no record yet"))
        return pgettext("reasons", "; ").join(str(part) for part in parts)
    period = Period(*requirement.period_of(year or on.year))
    post = _post_words(person)
    if post:
        parts.append(post)
    elif requirement.audience == Audience.CADRE_TIER and person.rank_level:
        parts.append(Person.RankLevel(person.rank_level).label)
    elif requirement.audience == Audience.PARTY_MEMBERS:
        parts.append(_("party member"))
    asked = _("%(period)s: %(hours)s hours required") % {"period": period, "hours": _hours(requirement.min_hours)}
    if requirement.counted_kind:
        asked += _(" (%(kind)s)") % {"kind": TrainingKind(requirement.counted_kind).label}
    if requirement.min_days:
        asked += _(" or %(days)d days of concentrated training") % {"days": requirement.min_days}
    if requirement.min_concentrated:
        asked += _(", including %(count)d concentrated training(s)") % {"count": requirement.min_concentrated}
    parts.append(asked)
    if status == S.EXEMPT:
        parts.append(_("exempt"))
    else:
        held = _("%(hours)s hours recorded") % {"hours": _hours(person.credited_hours)}
        if requirement.min_concentrated:
            held += _(", %(count)d concentrated") % {"count": person.concentrated_count}
        parts.append(held)
        if status == S.DUE:
            parts.append(_("due by %(deadline)s") % {"deadline": period.ends_on})
    return pgettext("reasons", "; ").join(str(part) for part in parts)
