"""The induction forecast on a constructed history: the rate of new secretaries at a 换届, the terms ending in
each quarter, the secretaries already due and those appointed between elections, and the phases suggested."""

import datetime

import pytest

from dangjian.ledger.forecast import _phases, induction_forecast
from tests.factories import OrganFactory, PartyOrganizationFactory, PersonFactory, PostFactory

pytestmark = pytest.mark.django_db
D = datetime.date
ON = D(2026, 12, 2)  # quarters: 2026 Q4, 2027 Q1, Q2, Q3


@pytest.fixture
def history(organ):
    """Four branches elected in 2024-2025 (three-year terms): two got a new secretary at the election, two kept
    theirs. A fifth branch, elected in 2024 with a new secretary, ends its term in 2027 Q2; its secretary left in
    2026 and the next one was appointed between elections."""
    def branch(term_started_on, **kwargs):
        return PartyOrganizationFactory(organ=organ, term_started_on=term_started_on, **kwargs)

    kept = []
    for term in (D(2024, 3, 1), D(2025, 6, 1)):  # a new secretary at the election (within 90 days)
        org = branch(term)
        PostFactory(person__organ=organ, party_organization=org, started_on=D(2019, 1, 1), ended_on=term)
        PostFactory(person__organ=organ, party_organization=org, started_on=term + datetime.timedelta(days=10))
    for term in (D(2024, 4, 1), D(2025, 7, 1)):  # re-elected: the same secretary since before
        org = branch(term)
        # secretary since 2018, before the induction rule took effect: no induction duty
        kept.append(PostFactory(person__organ=organ, party_organization=org, started_on=D(2018, 1, 1)))
    ending = branch(D(2024, 5, 15))  # ends 2027-05-15: 2027 Q2
    PostFactory(person__organ=organ, party_organization=ending, started_on=D(2024, 5, 15), ended_on=D(2026, 2, 28))
    PostFactory(person__organ=organ, party_organization=ending, started_on=D(2026, 3, 1))  # between elections
    return {"kept": kept}


def test_the_forecast_explains_each_number(organizer, history):
    forecast = induction_forecast(user=organizer, on=ON, capacity=2)
    assert (forecast.elections_observed, forecast.changes_observed) == (5, 3)
    assert forecast.change_rate == pytest.approx(0.6)
    q4, q1, q2, _q3 = forecast.quarters
    assert [q.label for q in forecast.quarters] == ["2026 Q4", "2027 Q1", "2027 Q2", "2027 Q3"]
    assert [q.elections for q in forecast.quarters] == [0, 1, 2, 0]  # 2024-03-01 +3y, 2024-04-01, 2024-05-15
    assert q2.from_elections == pytest.approx(1.2)
    # Due now: the two new secretaries of 2024-2025 and the 2026 one have no induction record: overdue.
    assert q4.already_due == 3 and q1.already_due == q2.already_due == 0
    assert forecast.between_per_quarter == pytest.approx(0.25)  # one first post away from any election, in a year
    assert [q.expected for q in forecast.quarters] == [3, 1, 1, 0]


def test_phases_fill_as_demand_waits():
    from dangjian.ledger.forecast import Quarter

    quarters = [Quarter(D(2027, 1, 1), D(2027, 3, 31), already_due=60), Quarter(D(2027, 4, 1), D(2027, 6, 30),
                from_elections=30.0), Quarter(D(2027, 7, 1), D(2027, 9, 30), from_elections=20.0),
                Quarter(D(2027, 10, 1), D(2027, 12, 31))]
    plan = _phases(quarters, 55)
    # 60 waiting: one phase in Q1 (5 left), 35 by Q2, 55 by Q3: a second phase; nothing left over.
    assert [(q.label, n) for q, n in plan] == [("2027 Q1", 1), ("2027 Q3", 1)]
    plan = _phases([Quarter(D(2027, 1, 1), D(2027, 3, 31), already_due=10), *quarters[3:]], 55)
    assert [(q.label, n) for q, n in plan] == [("2027 Q1", 1)]  # what waits gets a phase where it began


def test_a_unit_admin_forecasts_their_organs_only(unit_admin, history, other_organ):
    PartyOrganizationFactory(organ=other_organ, term_started_on=D(2024, 3, 10))
    assert induction_forecast(user=unit_admin, on=ON).quarters[1].elections == 1
    assert sum(q.already_due for q in induction_forecast(user=unit_admin, on=ON).quarters) == 3
    PostFactory(person=PersonFactory(organ=OrganFactory()), started_on=D(2026, 10, 1))  # another organ's
    assert sum(q.already_due for q in induction_forecast(user=unit_admin, on=ON).quarters) == 3
