"""The evaluation tests' world: a program in progress this week at a college, a phase that began ten days ago and
ends in two days with a head teacher, two groups, confirmed participants placed in them (one with an account),
a participant of another phase; sessions that ended yesterday (a lecture, an on-site visit, a group discussion of
the other group), one that ended twelve days ago (its card closed) and one tomorrow."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

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


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def session(phase, day, *, hour=8, **extra):
    return SessionFactory(phase=phase, starts_at=at(day, hour), ends_at=at(day, hour + 3), **extra)


def make_world(participants: int = 2):
    today = timezone.localdate()
    organ, other = OrganFactory(), OrganFactory()
    program = ProgramFactory(status="in_progress")
    head_teacher = UserFactory(roles=["college_staff"])
    colleague = UserFactory(roles=["college_staff"])
    program.venue.staff.add(head_teacher, colleague)
    phase = PhaseFactory(program=program, number=1, starts_on=today - datetime.timedelta(days=14),
                         ends_on=today + datetime.timedelta(days=2), head_teacher=head_teacher)
    phase2 = PhaseFactory(program=program, number=2, starts_on=today + datetime.timedelta(days=20),
                          ends_on=today + datetime.timedelta(days=25))
    group1, group2 = GroupFactory(phase=phase, number=1), GroupFactory(phase=phase, number=2)
    me = place(program, organ, phase, group1)
    others = [place(program, organ if i % 2 else other, phase, group1 if i % 2 else group2)
              for i in range(participants - 1)]
    yesterday = today - datetime.timedelta(days=1)
    return SimpleNamespace(
        today=today, organ=organ, other=other, program=program, phase=phase, phase2=phase2,
        group1=group1, group2=group2, me=me, others=others, elsewhere=place(program, organ, phase2),
        lecture=session(phase, yesterday, title="习近平新时代中国特色社会主义思想专题"),
        onsite=session(phase, yesterday, hour=14, form="onsite_teaching", title="红色教育基地现场教学"),
        their_group=session(phase, yesterday, hour=19, form="discussion", group=group2, title="分组研讨"),
        old=session(phase, today - datetime.timedelta(days=12), title="开班式"),
        tomorrow=session(phase, today + datetime.timedelta(days=1), title="党务实操"),
        organizer=UserFactory(roles=["organizer"]), head_teacher=head_teacher, colleague=colleague,
        stranger=UserFactory(roles=["college_staff"]),
        admin=UserFactory(roles=["unit_admin"], organs=[organ]),
        participant=UserFactory(roles=["participant"], person=me.person),
        outsider=UserFactory(roles=["participant"], person=place(program, other, phase2).person),
    )


@pytest.fixture
def world(db):
    return make_world()


FULL_CARD = {"relevance": 4, "theory": 3, "information": 4, "delivery": 2, "teaching_manner": 4}
ONSITE = {"guide_quality": 4, "stop_arrangement": 3, "time_control": 1}
