"""A class in progress for the completion and reflection page matrices: a program at a venue the college staff user
works for, one phase with two confirmed participants of the unit administrator's organ (the participant user is the
first), and a session."""

import datetime
from types import SimpleNamespace

from dangjian.enrollment.models import Nomination, Placement
from tests.factories import PersonFactory, PhaseFactory, ProgramFactory, SessionFactory


def running_class(users_by_role, organ) -> SimpleNamespace:
    """program, nomination (the participant user's), other (the second participant)."""
    program = ProgramFactory(status="in_progress")
    program.venue.staff.add(users_by_role["college_staff"])
    phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                         ends_on=datetime.date(2022, 10, 14))
    nominations = []
    for _ in range(2):
        nomination = Nomination.unscoped.create(program=program, person=PersonFactory(organ=organ), organ=organ,
                                                status="confirmed")
        Placement.unscoped.create(nomination=nomination, phase=phase)
        nominations.append(nomination)
    participant = users_by_role["participant"]
    participant.person = nominations[0].person
    participant.save()
    SessionFactory(phase=phase)
    return SimpleNamespace(program=program, nomination=nominations[0], other=nominations[1])
