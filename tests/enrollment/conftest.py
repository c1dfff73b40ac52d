"""The enrollment tests' world: an organ with secretaries appointed in September 2026 (due for induction training
by March 2027, as the ledger says), a program open for enrollment with two phases in March 2027."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import translation

from tests.factories import OrganFactory, PersonFactory, PhaseFactory, PostFactory, ProgramFactory, UserFactory


@pytest.fixture(autouse=True)
def _english():
    """The services' messages, asserted in English (the pages' tests read them in Chinese)."""
    with translation.override("en"):
        yield


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
