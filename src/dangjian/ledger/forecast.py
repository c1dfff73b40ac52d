"""Demand forecast for induction training: how many secretaries will need it in each of the next four quarters,
and the phases that follow (issue 10, item 4). Every number is explained on the page (docs/ledger.md).

For each quarter:

- **already due**: secretaries whose induction is due, counted in the quarter of their deadline (those overdue
  now in the first quarter) — compliance.with_induction;
- **from 换届**: party organizations whose term ends in the quarter (the registry's term warnings, in SQL:
  organizations.selectors.with_term_end), times the **observed rate of a new secretary at a 换届**: of the
  organizations whose current term began in the last `HISTORY_YEARS` years, the share whose secretary post
  began within `ELECTION_WINDOW_DAYS` of the term's start and whose secretary was not already their secretary;
- **between elections**: first secretary posts of the last year that began away from any term start, a quarter
  of them per quarter.

The suggestion: phases of `capacity` seats (default: the seed's class), as many as the demand of the four
quarters fills, each placed in the quarter where the demand waiting for it reaches a phase's worth — or, for
what remains, the quarter of the earliest deadline.
"""

import datetime
import math
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from dangjian.ledger import compliance
from dangjian.ledger.enums import ComplianceStatus
from dangjian.organizations.models import PartyOrganization, Person, Post
from dangjian.organizations.selectors import with_term_end

HISTORY_YEARS = 5
ELECTION_WINDOW_DAYS = 90
DEFAULT_CAPACITY = 55


@dataclass
class Quarter:
    starts_on: datetime.date
    ends_on: datetime.date
    already_due: int = 0
    elections: int = 0  # terms ending in the quarter
    from_elections: float = 0.0
    between_elections: float = 0.0
    phases: int = 0

    @property
    def label(self) -> str:
        return f"{self.starts_on.year} Q{(self.starts_on.month - 1) // 3 + 1}"

    @property
    def expected(self) -> int:
        return round(self.already_due + self.from_elections + self.between_elections)


@dataclass
class Forecast:
    quarters: list[Quarter]
    change_rate: float  # share of 换届 that brought a new secretary
    elections_observed: int
    changes_observed: int
    between_per_quarter: float
    capacity: int
    suggestion: list[tuple[Quarter, int]] = field(default_factory=list)  # (quarter, phases)

    @property
    def total(self) -> int:
        return sum(quarter.expected for quarter in self.quarters)

    @property
    def phases(self) -> int:
        return sum(count for _quarter, count in self.suggestion)


def _quarters(on: datetime.date) -> list[Quarter]:
    first = datetime.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
    result = []
    for number in range(4):
        start = first + relativedelta(months=3 * number)
        result.append(Quarter(start, start + relativedelta(months=3) - datetime.timedelta(days=1)))
    return result


def _day_number(day: datetime.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def induction_forecast(*, user, on: datetime.date | None = None, capacity: int = DEFAULT_CAPACITY) -> Forecast:
    """The forecast for the organs `user` sees (organizers: the city). About a dozen queries."""
    on = on or timezone.localdate()
    quarters = _quarters(on)
    people = Person.objects.visible_to(user)
    orgs = PartyOrganization.objects.visible_to(user).exclude(org_type=PartyOrganization.Type.TEMPORARY_BRANCH)

    # Already due: by the quarter of the deadline (overdue: now).
    for deadline in compliance.with_induction(people, on=on).filter(
            compliance_status__in=[ComplianceStatus.DUE, ComplianceStatus.OVERDUE]).values_list(
            "compliance_deadline", flat=True):
        quarter = next((q for q in quarters if max(deadline, on) <= q.ends_on), None)
        if quarter is not None:  # a deadline beyond the four quarters is not counted
            quarter.already_due += 1

    # The secretary posts of the visible party organizations, once (about 64,000 in a province), read in Python:
    # comparing dates with a window is plain here, and differs between SQLite's and PostgreSQL's date arithmetic.
    terms = dict(orgs.values_list("pk", "term_started_on"))
    posts = list(Post.unscoped.filter(role=Post.Role.SECRETARY, party_organization__in=orgs)
                 .order_by("started_on").values_list("party_organization_id", "person_id", "started_on"))
    window = datetime.timedelta(days=ELECTION_WINDOW_DAYS)
    since = on - relativedelta(years=HISTORY_YEARS)

    def near(day, term) -> bool:
        return term is not None and abs((day - term).days) <= window.days

    # The observed rate of a new secretary at a 换届: a secretary post begun near the current term's start by
    # someone who was not the organization's secretary before.
    earlier: set[tuple[int, int]] = set()
    changed: set[int] = set()
    for org, person, started in posts:
        term = terms.get(org)
        if term and since <= term <= on and near(started, term) and (org, person) not in earlier:
            changed.add(org)
        earlier.add((org, person))
    elections_observed = sum(1 for term in terms.values() if term and since <= term <= on)
    changes_observed = len(changed)
    rate = changes_observed / elections_observed if elections_observed else 0.0

    # Terms ending in each quarter (in SQL, as the registry's term warnings).
    ends = with_term_end(orgs.filter(term_started_on__isnull=False))
    for quarter in quarters:
        quarter.elections = ends.filter(term_end_number__gte=_day_number(quarter.starts_on),
                                        term_end_number__lte=_day_number(quarter.ends_on)).count()
        quarter.from_elections = quarter.elections * rate

    # Between elections: first secretary posts of the last year begun away from their organization's term start.
    year_ago = on - relativedelta(years=1)
    first: dict[int, tuple[int, datetime.date]] = {}
    for org, person, started in posts:
        first.setdefault(person, (org, started))
    between = sum(1 for org, started in first.values()
                  if year_ago < started <= on and not near(started, terms.get(org)))
    for quarter in quarters:
        quarter.between_elections = between / 4

    forecast = Forecast(quarters=quarters, change_rate=rate, elections_observed=elections_observed,
                        changes_observed=changes_observed, between_per_quarter=between / 4, capacity=capacity)
    forecast.suggestion = _phases(quarters, capacity)
    return forecast


def _phases(quarters: list[Quarter], capacity: int) -> list[tuple[Quarter, int]]:
    """Phases of `capacity` seats where the waiting demand fills them; what remains at the end, one more phase in
    the quarter the waiting began (its people's deadlines come first)."""
    waiting, waiting_since, plan = 0.0, None, []
    for quarter in quarters:
        demand = quarter.already_due + quarter.from_elections + quarter.between_elections
        if demand and waiting_since is None:
            waiting_since = quarter
        waiting += demand
        full = math.floor(waiting / capacity) if capacity else 0
        if full:
            quarter.phases = full
            plan.append((quarter, full))
            waiting -= full * capacity
            waiting_since = quarter if waiting >= 1 else None
    if waiting >= 1 and waiting_since is not None:
        waiting_since.phases += 1
        plan = [(q, n) for q, n in plan if q is not waiting_since] + [(waiting_since, waiting_since.phases)]
        plan.sort(key=lambda item: item[0].starts_on)
    return plan
