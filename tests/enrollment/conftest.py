"""The enrollment tests' world: an organ with secretaries, a program open for enrollment with two phases, and
the ledger's answer of who is due (stood in for until the ledger is merged: the secretaries of the organs asked
about)."""

import datetime
from types import SimpleNamespace

import pytest

from dangjian.enrollment import selectors
from dangjian.organizations.models import Person
from tests.factories import OrganFactory, PersonFactory, PhaseFactory, PostFactory, ProgramFactory, UserFactory


def due_stand_in(*, organ_ids=None, on=None):
    people = Person.unscoped.filter(first_secretary_on__isnull=False)
    return people if organ_ids is None else people.filter(organ__in=organ_ids)


@pytest.fixture(autouse=True)
def _ledger_stand_in(monkeypatch):
    if not selectors.ledger_available():
        monkeypatch.setattr(selectors, "people_due", due_stand_in)


def make_secretaries(organ, count, started_on=datetime.date(2026, 9, 1)):
    return [PostFactory(person=PersonFactory(organ=organ), started_on=started_on).person for _ in range(count)]


@pytest.fixture
def enrollment_world(db):
    organ, other = OrganFactory(), OrganFactory()
    organizer = UserFactory(roles=["organizer"])
    admin = UserFactory(roles=["unit_admin"], organs=[organ])
    other_admin = UserFactory(roles=["unit_admin"], organs=[other])
    program = ProgramFactory(status="enrollment_open", year=2027, submitted_at=datetime.datetime(2026, 11, 1,
                                                                                               tzinfo=datetime.UTC))
    phase1 = PhaseFactory(program=program, number=1, starts_on=datetime.date(2027, 3, 1),
                          ends_on=datetime.date(2027, 3, 5), capacity=3)
    phase2 = PhaseFactory(program=program, number=2, starts_on=datetime.date(2027, 3, 15),
                          ends_on=datetime.date(2027, 3, 19), capacity=2)
    return SimpleNamespace(organ=organ, other=other, organizer=organizer, admin=admin, other_admin=other_admin,
                           program=program, phase1=phase1, phase2=phase2,
                           secretaries=make_secretaries(organ, 4), others=make_secretaries(other, 3))
