"""The attendance tests' world: a program in progress at a college with a head teacher (college staff of the
venue), a phase with two groups and confirmed participants placed in them from two organs, a participant placed in
another phase, and sessions of the whole phase and of one group."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import translation

from tests.factories import (
    GroupFactory,
    OrganFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
    place,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    organ, other = OrganFactory(), OrganFactory()
    program = ProgramFactory(status="in_progress")
    head_teacher = UserFactory(roles=["college_staff"])
    program.venue.staff.add(head_teacher)
    phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                         ends_on=datetime.date(2022, 10, 14))
    phase2 = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 24),
                          ends_on=datetime.date(2022, 10, 28))
    group1, group2 = GroupFactory(phase=phase, number=1), GroupFactory(phase=phase, number=2)
    ours = [place(program, organ, phase, group1), place(program, organ, phase, group2)]
    theirs = [place(program, other, phase, group1)]
    return SimpleNamespace(
        organ=organ, other=other, program=program, phase=phase, phase2=phase2, group1=group1, group2=group2,
        ours=ours, theirs=theirs, elsewhere=place(program, organ, phase2),
        session=SessionFactory(phase=phase), group_session=SessionFactory(phase=phase, group=group1),
        organizer=UserFactory(roles=["organizer"]), head_teacher=head_teacher,
        stranger=UserFactory(roles=["college_staff"]),
        admin=UserFactory(roles=["unit_admin"], organs=[organ]),
        participant=UserFactory(roles=["participant"]),
    )
