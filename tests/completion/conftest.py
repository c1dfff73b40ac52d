"""The completion tests' world: a program in progress at a college (the head teacher is college staff of its
venue), one phase of five days with two groups, 7 hours a day in sessions of 3 + 2 + 2 hours (day 5: 3 + 2 + 1.5
+ 0.5) and a 0-hour travel session on day 1; participants of two organs placed in the groups, and one in a second
phase. `group_sessions(w)` adds a session of each group on day 2 evening."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from dangjian.attendance.models import Attendance
from tests.factories import (
    GroupFactory,
    OrganFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
    at,
    place,
)

FIRST_DAY = datetime.date(2022, 10, 10)
# (day, start, hours): 7 hours a day, 35 in all for everyone; 1/7 of the class is 5 hours.
DAY_PLAN = {1: [("08:30", "3"), ("14:30", "2"), ("16:30", "2")],
            2: [("08:30", "3"), ("14:30", "2"), ("16:30", "2")],
            3: [("08:30", "3"), ("14:30", "2"), ("16:30", "2")],
            4: [("08:30", "3"), ("14:30", "2"), ("16:30", "2")],
            5: [("08:30", "3"), ("11:00", "2"), ("14:30", "1.5"), ("16:30", "0.5")]}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def mark(nomination, sessions, value="present"):
    for session in sessions:
        Attendance.unscoped.update_or_create(session=session, nomination=nomination, defaults={"mark": value})


@pytest.fixture
def world(db):
    organ, other = OrganFactory(), OrganFactory()
    program = ProgramFactory(status="in_progress", hours_per_day=Decimal("7.5"))
    head_teacher = UserFactory(roles=["college_staff"])
    program.venue.staff.add(head_teacher)
    phase = PhaseFactory(program=program, number=1, starts_on=FIRST_DAY, ends_on=FIRST_DAY + datetime.timedelta(4))
    phase2 = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 24),
                          ends_on=datetime.date(2022, 10, 28))
    group1, group2 = GroupFactory(phase=phase, number=1), GroupFactory(phase=phase, number=2)
    days: dict[int, list] = {}
    for day, plan in DAY_PLAN.items():
        date = FIRST_DAY + datetime.timedelta(day - 1)
        for start, hours in plan:
            days.setdefault(day, []).append(SessionFactory(phase=phase, starts_at=at(date, start),
                                                           ends_at=at(date, start) + datetime.timedelta(hours=1),
                                                           hours=Decimal(hours)))
    travel = SessionFactory(phase=phase, starts_at=at(FIRST_DAY, "07:00"), ends_at=at(FIRST_DAY, "08:00"),
                            hours=0, form="travel")
    ours = [place(program, organ, phase, group1, name="甲一"), place(program, organ, phase, group2, name="乙二")]
    theirs = [place(program, other, phase, group1, name="丙三")]
    return SimpleNamespace(
        organ=organ, other=other, program=program, phase=phase, phase2=phase2, group1=group1, group2=group2,
        days=days, sessions=[s for day in days.values() for s in day], travel=travel,
        ours=ours, theirs=theirs, elsewhere=place(program, organ, phase2, name="丁四"),
        organizer=UserFactory(roles=["organizer"]), head_teacher=head_teacher,
        stranger=UserFactory(roles=["college_staff"]),
        admin=UserFactory(roles=["unit_admin"], organs=[organ]),
        participant=UserFactory(roles=["participant"]),
    )


def group_sessions(w, hours="1.5") -> dict:
    evening = at(FIRST_DAY + datetime.timedelta(1), "19:30")
    return {group: SessionFactory(phase=w.phase, group=group, starts_at=evening,
                                  ends_at=evening + datetime.timedelta(hours=1), hours=Decimal(hours))
            for group in (w.group1, w.group2)}
