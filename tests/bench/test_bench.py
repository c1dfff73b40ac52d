"""bench/province.py and bench/pages.py keep working as the project grows: a tiny province on the test database
(SQLite in `make test`), then every page of pages.PAGES opened once by each role."""

import datetime
import sys
from pathlib import Path

import pytest

from dangjian.core.validators import validate_id_number
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import pages
import province

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_province():
    sizes = province.Sizes(organs=70, branches_per_organ=3, people_per_organ=4, programs=3)
    return province.generate(sizes, skip=["portal"])


def test_the_generator_writes_valid_registry_rows(tiny_province):
    assert tiny_province["organs"] == Organ.unscoped.count() == 70
    assert tiny_province["people"] == Person.unscoped.count() == 280
    assert Post.unscoped.filter(role=Post.Role.SECRETARY).count() >= PartyOrganization.unscoped.filter(
        organ__code__startswith="henan-").count()
    for person in Person.unscoped.order_by("pk")[:50]:
        validate_id_number(person.id_number)
        person.full_clean(exclude=["organ"])  # what a form or an import would accept
        assert person.name_sort.endswith(" " + person.name)  # sort keys written as saving would
    # The stored first secretary post is what saving the posts one by one would have stored.
    stored = dict(Person.unscoped.values_list("pk", "first_secretary_on"))
    Person.refresh_first_secretary_on(None)
    assert dict(Person.unscoped.values_list("pk", "first_secretary_on")) == stored
    assert any(isinstance(day, datetime.date) for day in stored.values())
    assert not Organ.unscoped.filter(sort_order__isnull=True).exists()  # the official order, all of it
    # The ledger: records_per_person records per person, valid as the model's clean() would leave them.
    from dangjian.ledger.models import TrainingRecord

    assert tiny_province["ledger records"] == TrainingRecord.unscoped.count() >= 280
    for record in TrainingRecord.unscoped.order_by("pk")[:50]:
        record.full_clean()


def test_every_page_of_the_timer_opens_for_each_role(tiny_province):
    results = pages.run(requests=1, only="", roles=list(pages.ROLES))
    expected = sum(len(roles[0] if roles else pages.STAFF_ROLES) for _name, _url, *roles in pages.PAGES)
    assert len(results) == expected
    wrong = [(r.role, r.page, r.status) for r in results if r.status not in (200, 302, 403)]
    assert wrong == [], wrong
    organizer = {r.page: r.status for r in results if r.role == "organizer"}
    assert set(organizer.values()) == {200}, organizer
    others = {(r.role, r.page): r.status for r in results if r.role in ("head teacher", "participant", "unit admin")}
    assert others[("head teacher", "roll call (a session of the running class)")] == 200
    assert others[("unit admin", "roll call (a session of the running class)")] == 200  # their own people
    assert others[("participant", "participant: start page (/my/)")] == 200
    assert "| start page | organizer | 200 |" in pages.table(results, target=100.0)


def test_the_compliance_timer_runs_on_the_tiny_province(tiny_province):
    import compliance

    rows = compliance.run(runs=1)
    assert {row[0] for row in rows} >= {"induction", "secretary-annual", "member-annual"}
    assert "| induction |" in compliance.table(rows)
