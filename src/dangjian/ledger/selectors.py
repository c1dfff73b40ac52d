"""Reads of the ledger: keyword-only, scoped by the user they are given (except the two functions that other apps
call with organs they have already scoped: due_for_induction, has_induction_credit)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dangjian.ledger import compliance
from dangjian.ledger.enums import ComplianceStatus, RequirementKind, TrainingKind
from dangjian.ledger.models import Exemption, Requirement, TrainingRecord
from dangjian.organizations.models import Organ, Person, organ_order
from dangjian.organizations.selectors import PEOPLE_SORTS

S = ComplianceStatus


# --- For other apps (enrollment) ----------------------------------------------------------------------------

def due_for_induction(*, organ_ids=None, on: datetime.date | None = None) -> QuerySet[Person]:
    """People whose induction duty is due or overdue on `on` (default today), annotated with
    `induction_deadline` (date) and `induction_status` ("due" | "overdue"); organ_ids=None means every organ
    (callers scope it). The rule is the requirement of code "induction" (compliance.with_induction): exempt and
    credited people are not in it. Sorted by deadline, then name."""
    queryset = Person.unscoped.all()
    if organ_ids is not None:
        queryset = queryset.filter(organ_id__in=list(organ_ids))
    return (
        compliance.with_induction(queryset, on=on)
        .filter(compliance_status__in=[S.DUE, S.OVERDUE])
        .annotate(induction_deadline=F("compliance_deadline"),
                  induction_status=F("compliance_status"))
        .order_by("compliance_deadline", "name_sort", "id")
    )


def has_induction_credit(person_ids) -> set[int]:
    """The people among `person_ids` already credited with induction training (a record marked as such)."""
    return set(TrainingRecord.unscoped.filter(person_id__in=list(person_ids), counts_as_induction=True)
               .values_list("person_id", flat=True).distinct())


# --- Records ------------------------------------------------------------------------------------------------

def record_list(*, user, person_id: int | None = None, year: int | None = None, source: str = "",
                kind: str = "") -> QuerySet[TrainingRecord]:
    qs = TrainingRecord.objects.visible_to(user).select_related("person", "person__organ", "program", "phase",
                                                                 "recorded_by")
    if person_id:
        qs = qs.filter(person_id=person_id)
    if year:
        qs = qs.filter(year=year)
    if source:
        qs = qs.filter(source=source)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-ends_on", "-id")


def record_get(*, user, pk: int) -> TrainingRecord:
    return get_object_or_404(
        TrainingRecord.objects.visible_to(user).select_related("person", "person__organ", "program", "phase"), pk=pk)


def record_person_choices(*, user) -> QuerySet[Person]:
    """Who may be given a record: the people of the user's organs."""
    return Person.objects.visible_to(user)


def exemption_list(*, user, person_id: int | None = None, code: str = "") -> QuerySet[Exemption]:
    qs = Exemption.objects.visible_to(user).select_related("person", "person__organ", "recorded_by")
    if person_id:
        qs = qs.filter(person_id=person_id)
    if code:
        qs = qs.filter(requirement_code=code)
    return qs.order_by("-ends_on", "-id")


def exemption_get(*, user, pk: int) -> Exemption:
    return get_object_or_404(Exemption.objects.visible_to(user).select_related("person"), pk=pk)


def requirement_list() -> QuerySet[Requirement]:
    return Requirement.objects.order_by("kind", "code", "-effective_from")


def requirement_get(*, pk: int) -> Requirement:
    return get_object_or_404(Requirement, pk=pk)


def requirement_code_choices() -> list[tuple[str, str]]:
    """The rules (one per code, its latest version's title) to pick for an exemption or a compliance view."""
    latest: dict[str, Requirement] = {}
    for version in Requirement.objects.order_by("kind", "code", "effective_from"):
        latest[version.code] = version
    return [(code, version.title) for code, version in latest.items()]


def requirement_for_view(code: str, on: datetime.date | None = None) -> Requirement | None:
    """The version of rule `code` in effect on `on`, else its latest version (for its kind and audience)."""
    on = on or timezone.localdate()
    return compliance.version_on(code, on) or Requirement.objects.filter(code=code).order_by("-effective_from").first()


# --- A person's archive -------------------------------------------------------------------------------------

@dataclass
class YearRow:
    year: int
    hours: dict[str, Decimal] = field(default_factory=dict)  # by kind
    count: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.hours.values(), Decimal(0))


@dataclass
class PersonStatus:
    requirement: Requirement
    status: str
    deadline: datetime.date | None
    hours: Decimal
    why: str

    @property
    def status_label(self) -> str:
        return ComplianceStatus(self.status).label


def archive_years(*, person: Person) -> list[YearRow]:
    """Hours per year and per kind, latest year first (one query)."""
    rows: dict[int, YearRow] = {}
    for year, kind, hours, count in (TrainingRecord.unscoped.filter(person=person).order_by()
                                     .values_list("year", "kind").annotate(Sum("hours"), Count("id"))):
        row = rows.setdefault(year, YearRow(year))
        row.hours[kind] = hours
        row.count += count
    return [rows[year] for year in sorted(rows, reverse=True)]


def person_compliance(*, person: Person, on: datetime.date | None = None,
                      year: int | None = None) -> list[PersonStatus]:
    """Each rule in effect that applies to `person`, with the status and its reason (one query per rule)."""
    on = on or timezone.localdate()
    result = []
    for requirement in compliance.in_effect(on):
        people = compliance.with_compliance(Person.unscoped.filter(pk=person.pk), requirement=requirement,
                                            year=year, on=on, with_post=True)
        row = people.first()
        if row is None:
            continue
        result.append(PersonStatus(
            requirement=requirement, status=row.compliance_status, deadline=row.compliance_deadline,
            hours=row.credited_hours, why=compliance.explain(row, requirement, on=on, year=year)))
    return result


# --- Compliance lists ---------------------------------------------------------------------------------------

COUNTED = (S.DUE, S.OVERDUE, S.SATISFIED, S.EXEMPT)


def _counts(people: QuerySet, group: str) -> dict:
    """{group value: {status: count, ..., "total": count}} of annotated people (compliance.status_counts)."""
    result: dict = {}
    for key, status, count in compliance.status_counts(people, group):
        row = result.setdefault(key, {**{s.value: 0 for s in COUNTED}, "total": 0})
        row[status] = count
        row["total"] += count
    return result


def _organs_in_order(user) -> QuerySet[Organ]:
    """The user's organs in the official order, to pick those a grouped query found: read whole (2,000 rows at
    province scale), which costs less than an IN list of their thousands of ids."""
    return Organ.objects.visible_to(user).order_by(*organ_order())


@dataclass
class OrganCounts:
    organ: Organ
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def compliance_by_organ(*, user, requirement: Requirement, year: int | None = None,
                        on: datetime.date | None = None, sector: str = "") -> list[OrganCounts]:
    """For each organ the user sees (in the official order), how many of its people are due, overdue, satisfied
    and exempt under the rule (one grouped query over the people, one over the organs)."""
    people = compliance.with_compliance(Person.objects.visible_to(user), requirement=requirement, year=year, on=on)
    if sector:
        people = people.filter(organ__sector=sector)
    counts = _counts(people, "organ_id")
    organs = [organ for organ in _organs_in_order(user) if organ.pk in counts]
    return [OrganCounts(organ, {s.value: counts[organ.pk][s.value] for s in COUNTED}) for organ in organs]


def compliance_counts(*, user, requirement: Requirement, year: int | None = None, on: datetime.date | None = None,
                      organ_id: int | None = None) -> dict[str, int]:
    """How many of the user's people (of one organ) are due, overdue, satisfied and exempt (one query)."""
    people = Person.objects.visible_to(user)
    if organ_id:
        people = people.filter(organ_id=organ_id)
    people = compliance.with_compliance(people, requirement=requirement, year=year, on=on)
    rows = _counts(people, "organ_id").values()
    return {s.value: sum(row[s.value] for row in rows) for s in COUNTED}


def compliance_by_sector(*, user, requirement: Requirement, year: int | None = None,
                         on: datetime.date | None = None) -> dict[str, dict[str, int]]:
    """The same counts per sector of organs (the chart)."""
    return sector_counts(compliance_by_organ(user=user, requirement=requirement, year=year, on=on))


def sector_counts(rows: list[OrganCounts]) -> dict[str, dict[str, int]]:
    """The counts of compliance_by_organ's rows summed per sector of their organs, in the sectors' order (no
    query: the city page takes its table, its totals and its chart from one pass over the people)."""
    result: dict[str, dict[str, int]] = {}
    for row in rows:
        target = result.setdefault(row.organ.sector, {s.value: 0 for s in COUNTED})
        for status in COUNTED:
            target[status.value] += row.counts[status.value]
    return {sector: result[sector] for sector in Organ.Sector.values if sector in result}


def compliance_people(*, user, requirement: Requirement, year: int | None = None, on: datetime.date | None = None,
                      organ_id: int | None = None, status: str = "") -> QuerySet[Person]:
    """The people under the rule, with their status and the post that makes it apply (a drill-down's page)."""
    people = Person.objects.visible_to(user)
    if organ_id:
        people = people.filter(organ_id=organ_id)
    people = compliance.with_compliance(people, requirement=requirement, year=year, on=on, with_post=True)
    if status:
        people = people.filter(compliance_status=status)
    order = ("compliance_deadline", *PEOPLE_SORTS["organ"]) if requirement.kind == RequirementKind.INDUCTION \
        else PEOPLE_SORTS["organ"]
    return people.select_related("organ").order_by(*order)


# --- The annual statistics (党员培训情况, rules.md §11) ------------------------------------------------------

@dataclass
class AnnualRow:
    organ: Organ | None  # None: the total
    person_times: int = 0  # 人次: records of the year
    secretary_person_times: int = 0  # of which by secretaries
    induction_person_times: int = 0  # induction trainings of new secretaries
    online_person_times: int = 0
    hours: Decimal = Decimal(0)
    post_holders: int = 0  # secretaries and committee members under the annual rule
    post_holders_met: int = 0  # of whom met it


def annual_statistics(*, user, year: int, post_holder_code: str = "secretary-annual",
                      on: datetime.date | None = None) -> list[AnnualRow]:
    """Per organ (and a total row first): person-times of training in `year` — all, by secretaries, induction,
    online — their hours, and how many secretaries and committee members met the annual rule. Derived from the
    ledger, never typed (rules.md §11). Three grouped queries."""
    on = on or timezone.localdate()
    records = TrainingRecord.objects.visible_to(user).filter(year=year)
    # The secretaries' ids straight from their current posts (an IN over the posts, not over every person).
    secretary_ids = compliance.registry_posts(["secretary"]).current(min(on, datetime.date(year, 12, 31))) \
        .values("person_id")
    rows: dict[int, AnnualRow] = {}
    for row in records.order_by().values("person__organ_id").annotate(
        n=Count("pk"), hours=Sum("hours"), induction=Count("pk", filter=Q(counts_as_induction=True)),
        online=Count("pk", filter=Q(kind=TrainingKind.ONLINE)),
        secretaries=Count("pk", filter=Q(person_id__in=secretary_ids)),
    ):
        rows[row["person__organ_id"]] = AnnualRow(
            None, person_times=row["n"], secretary_person_times=row["secretaries"],
            induction_person_times=row["induction"], online_person_times=row["online"], hours=row["hours"] or 0)
    requirement, _period = compliance.hours_version(post_holder_code, year)
    if requirement is not None:
        people = compliance.with_hours(Person.objects.visible_to(user), code=post_holder_code, year=year, on=on)
        for organ_id, row in _counts(people, "organ_id").items():
            target = rows.setdefault(organ_id, AnnualRow(None))
            target.post_holders = row["total"]
            target.post_holders_met = row[S.SATISFIED.value]
    organs = [organ for organ in _organs_in_order(user) if organ.pk in rows]
    result = []
    total = AnnualRow(None)
    for organ in organs:
        row = rows[organ.pk]
        row.organ = organ
        result.append(row)
        for name in ("person_times", "secretary_person_times", "induction_person_times", "online_person_times",
                     "hours", "post_holders", "post_holders_met"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return [total, *result]
