"""Query counts of the ledger's lists (pages and API) do not grow with the data: each list is loaded with 1 and
with 3 of everything it shows (people, records, organs) and must take the same number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.helpers import ApiClient
from tests.factories import ExemptionFactory, OrganFactory, PersonFactory, PostFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _world(n: int, organ):
    """n organs' worth of data (the first is `organ`): per organ n secretaries with records and an exemption."""
    organs = [organ, *(OrganFactory() for _ in range(n - 1))]
    people = []
    for owner in organs:
        for _ in range(n):
            person = PostFactory(person=PersonFactory(organ=owner, party_joined_on=D(2000, 7, 1)),
                                 party_organization__organ=owner, started_on=D(2026, 2, 1)).person
            TrainingRecordFactory(person=person, kind="online", hours=10)
            TrainingRecordFactory(person=person, counts_as_induction=True)
            ExemptionFactory(person=person, requirement_code="member-annual")
            people.append(person)
    return organs, people


def _count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return len(queries)


PAGES = [
    ("ledger_city", None, "organizer", {"requirement": "secretary-annual"}),
    ("ledger_city", None, "organizer", {"requirement": "induction"}),
    ("ledger_organ", "organ", "unit_admin", {"requirement": "induction"}),
    ("ledger_organ", "organ", "organizer", {"requirement": "secretary-annual"}),
    ("ledger_person", "person", "unit_admin", {}),
    ("ledger_statistics", None, "organizer", {"year": 2026}),
    ("ledger_requirement_list", None, "unit_admin", {}),
    ("ledger_city_export", None, "organizer", {}),
    ("ledger_organ_export", "organ", "unit_admin", {"requirement": "secretary-annual"}),
    ("ledger_person_xlsx", "person", "organizer", {}),
    ("ledger_forecast", None, "organizer", {}),
]


@pytest.mark.parametrize(("name", "target", "role", "params"), PAGES,
                         ids=[f"{p[0]}-{p[2]}-{p[3].get('requirement', '')}" for p in PAGES])
def test_pages_do_not_grow(client, organizer, unit_admin, organ, name, target, role, params):
    user = organizer if role == "organizer" else unit_admin
    client.force_login(user)
    counts = []
    for n in (1, 3):
        _organs, people = _world(n, organ)
        args = {"organ": [organ.pk], "person": [people[0].pk], None: []}[target]
        counts.append(_count(lambda args=args: client.get(reverse(name, args=args), params)))
    assert counts[0] == counts[1], counts


API = [
    ("ledger/records", "unit_admin", {}),
    ("ledger/exemptions", "organizer", {}),
    ("ledger/requirements", "unit_admin", {}),
    ("ledger/compliance/organs", "organizer", {"requirement": "secretary-annual"}),
    ("ledger/compliance/people", "unit_admin", {"requirement": "induction"}),
    ("ledger/compliance/people", "organizer", {"requirement": "member-annual"}),
    ("ledger/statistics", "organizer", {"year": 2026}),
    ("ledger/forecast", "organizer", {}),
]


@pytest.mark.parametrize(("path", "role", "params"), API, ids=[f"{a[0]}-{a[1]}" for a in API])
def test_api_lists_do_not_grow(organizer, unit_admin, organ, path, role, params):
    api = ApiClient(organizer if role == "organizer" else unit_admin)
    counts = []
    for n in (1, 3):
        _world(n, organ)
        counts.append(_count(lambda: api.get(path, params)))
    assert counts[0] == counts[1], counts
