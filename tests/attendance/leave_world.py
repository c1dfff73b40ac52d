"""The leave tests' world: a program in progress whose phase runs from yesterday to four days ahead, seven sessions
of 3 学时 (21 class hours: the limit, 1/7, is 3.0 hours — exactly one session), one of them yesterday; the
participant `me` (a participant login), a colleague of the same organ and one of another organ; the head teacher
(college staff of the venue), an organizer, a college staff of another venue and the organ's unit administrator."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dangjian.enrollment.models import Nomination, Placement
from tests.factories import OrganFactory, PersonFactory, PhaseFactory, ProgramFactory, SessionFactory, UserFactory, at


def place(program, organ, phase, group=None):
    nomination = Nomination.unscoped.create(program=program, person=PersonFactory(organ=organ), organ=organ,
                                            status="confirmed")
    Placement.unscoped.create(nomination=nomination, phase=phase, group=group)
    return nomination


def build_leave_world(**users):
    today = timezone.localdate()
    organ, other = OrganFactory(), OrganFactory()
    program = ProgramFactory(status="in_progress")
    head_teacher = users.get("college_staff") or UserFactory(roles=["college_staff"])
    program.venue.staff.add(head_teacher)
    phase = PhaseFactory(program=program, number=1, starts_on=today - datetime.timedelta(days=1),
                         ends_on=today + datetime.timedelta(days=4))
    me, mate, theirs = place(program, organ, phase), place(program, organ, phase), place(program, other, phase)
    sessions = [SessionFactory(phase=phase, starts_at=at(today - datetime.timedelta(days=1), "08:30"),
                               ends_at=at(today - datetime.timedelta(days=1), "11:30"), title="昨日讲座")]
    for day in range(1, 4):
        for start, end in (("08:30", "11:30"), ("14:30", "17:30")):
            date = today + datetime.timedelta(days=day)
            sessions.append(SessionFactory(phase=phase, starts_at=at(date, start), ends_at=at(date, end),
                                           title=f"专题{day}-{start[:2]}"))
    participant = users.get("participant") or UserFactory(roles=["participant"])
    participant.person = me.person
    participant.save()
    admin = users.get("unit_admin") or UserFactory(roles=["unit_admin"])
    admin.organs.add(organ)
    return SimpleNamespace(
        today=today, organ=organ, other=other, program=program, phase=phase, me=me, mate=mate, theirs=theirs,
        past=sessions[0], future=sessions[1:], sessions=sessions,
        head_teacher=head_teacher, participant=participant, admin=admin,
        organizer=users.get("organizer") or UserFactory(roles=["organizer"]),
        stranger=UserFactory(roles=["college_staff"]),
    )


@pytest.fixture(name="leave_world")
def leave_world_fixture(db):
    return build_leave_world()
