"""The closing tests' world: the attendance tests' class (tests/attendance/conftest.py) with an opening ceremony,
marks for every session of phase 1, an approved leave past the limit (its participant does not complete), and a
participant of phase 2 whose phase has no session yet. Also `make_current_pack`, for tests elsewhere that close a
class: closing requires a closing pack made after the last change of the class's records."""

import datetime

from django.utils import timezone

from dangjian.attendance.models import LeaveRequest
from dangjian.attendance.services import write_marks
from dangjian.completion.models import ClosingPack
from tests.factories import SessionFactory, at


def make_current_pack(program, by=None) -> ClosingPack:
    """A pack row made now (no files): enough for closing, which checks its time."""
    return ClosingPack.unscoped.create(program=program, made_by=by, made_at=timezone.now() + datetime.timedelta(
        seconds=1), page_count=1)


def add_class_records(w):
    """Marks, a leave and an opening ceremony for the attendance world `w`; returns it."""
    day = w.phase.starts_on
    w.opening = SessionFactory(phase=w.phase, form="opening", title="开班式", starts_at=at(day, "08:00"),
                               ends_at=at(day, "08:30"), hours=0.5)
    first, second = w.ours
    (third,) = w.theirs
    write_marks(session=w.opening, by=w.head_teacher, source="roll_call",
                marks=[(n, "present", "", None) for n in (first, second, third)])
    write_marks(session=w.session, by=w.head_teacher, source="roll_call",
                marks=[(first, "present", "", None), (second, "late", "堵车晚到", None)])
    write_marks(session=w.group_session, by=w.head_teacher, source="roll_call", marks=[(first, "present", "", None)])
    w.leave = LeaveRequest.unscoped.create(nomination=third, reason="家中老人住院", status="approved",
                                           filed_by=w.head_teacher, decided_by=w.head_teacher,
                                           decided_at=timezone.now(), decision_note="同意")
    w.leave.sessions.set([w.session, w.group_session])
    write_marks(session=w.session, by=w.head_teacher, source="leave", marks=[(third, "on_leave", "", None)])
    write_marks(session=w.group_session, by=w.head_teacher, source="leave", marks=[(third, "on_leave", "", None)])
    return w
