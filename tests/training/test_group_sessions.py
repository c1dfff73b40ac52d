"""A session of a group teaching form (分组研讨) for every group of a phase at once:
services.session_create_for_groups, with each group's room where known and the conflicts reported."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from dangjian.core.models import AuditEntry
from dangjian.training import selectors, services
from dangjian.training.models import GROUP_FORMS, Program, Session, TeachingForm
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    GroupFactory,
    InstructorFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db

DAY1, DAY2, DAY3 = datetime.date(2022, 10, 10), datetime.date(2022, 10, 11), datetime.date(2022, 10, 12)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids)."""
    with translation.override("en"):
        yield


@pytest.fixture
def phase():
    program = ProgramFactory(status=Program.Status.APPROVED)
    phase = PhaseFactory(program=program, number=1, starts_on=DAY1, ends_on=datetime.date(2022, 10, 14))
    for number in (1, 2, 3):
        GroupFactory(phase=phase, number=number, name=f"第{number}组")
    return phase


def evening(day=DAY3, **fields) -> dict:
    return {"starts_at": at(day, "19:30"), "ends_at": at(day, "21:00"), **fields}


def test_discussion_is_the_group_form():
    assert {TeachingForm.DISCUSSION} == GROUP_FORMS


def test_one_session_per_group_with_the_courses_title_form_and_hours(phase, organizer):
    course = CourseFactory(form="discussion", title_zh="分组研讨：我如何当好新任书记", title_en="Group discussion",
                           default_hours=Decimal("1.5"))
    entries = AuditEntry.objects.count()
    sessions, warnings = services.session_create_for_groups(phase=phase, by=organizer, course=course, **evening())
    assert warnings == []
    assert [s.group.number for s in sessions] == [1, 2, 3]
    for session in Session.unscoped.filter(phase=phase).prefetch_related("instructors"):
        assert (session.form, session.title, session.title_en, session.hours) == (
            "discussion", "分组研讨：我如何当好新任书记", "Group discussion", Decimal("1.5"))
        assert session.venue == phase.program.venue and list(session.instructors.all()) == []
    assert AuditEntry.objects.count() == entries + 3  # each one in the audit trail
    # One block in the grid, credited once.
    (block,) = selectors.timetable_grid(phase=phase, sessions=selectors.phase_sessions(phase=phase))["items"]
    assert block["parallel"].group_count == 3
    assert selectors.teaching_form_mix(program=phase.program)["total_hours"] == Decimal("1.5")


def test_each_group_meets_in_its_room_where_known(phase, organizer):
    venue = phase.program.venue
    room_a, room_b, hall = (ClassroomFactory(venue=venue, name=name) for name in ("研讨室A", "研讨室B", "报告厅"))
    first, second, _third = phase.groups.order_by("number")
    SessionFactory(phase=phase, group=first, form="discussion", classroom=room_b, venue=venue,
                   starts_at=at(DAY1, "19:30"), ends_at=at(DAY1, "21:00"))
    SessionFactory(phase=phase, group=first, form="discussion", classroom=room_a, venue=venue,  # the latest
                   starts_at=at(DAY2, "19:30"), ends_at=at(DAY2, "21:00"))
    SessionFactory(phase=phase, group=second, form="discussion", classroom=room_b, venue=venue,
                   starts_at=at(DAY2, "19:30"), ends_at=at(DAY2, "21:00"))
    assert selectors.group_rooms(phase=phase) == {first.pk: room_a, second.pk: room_b}
    sessions, _warnings = services.session_create_for_groups(
        phase=phase, by=organizer, form="discussion", title="分组研讨②", classroom=hall, **evening())
    # The third group's room is not known: it gets the classroom given.
    assert [s.classroom for s in sessions] == [room_a, room_b, hall]


def test_a_room_booked_elsewhere_is_left_empty_and_reported(phase, organizer):
    venue = phase.program.venue
    room = ClassroomFactory(venue=venue, name="研讨室A")
    first = phase.groups.get(number=1)
    SessionFactory(phase=phase, group=first, classroom=room, venue=venue, starts_at=at(DAY1, "19:30"),
                   ends_at=at(DAY1, "21:00"))
    other = PhaseFactory(program=ProgramFactory(venue=venue), starts_on=DAY1, ends_on=datetime.date(2022, 10, 14))
    SessionFactory(phase=other, title="别的班的讲座", classroom=room, venue=venue, **evening())
    sessions, warnings = services.session_create_for_groups(phase=phase, by=organizer, form="discussion",
                                                            title="分组研讨", **evening())
    assert [s.classroom for s in sessions] == [None, None, None]
    assert warnings == ["第1组: The classroom is booked for “别的班的讲座” at this time. No room was assigned."]


def test_a_busy_group_refuses_the_whole_addition_naming_it(phase, organizer):
    second = phase.groups.get(number=2)
    SessionFactory(phase=phase, group=second, title="第二组参观", form="site_visit", **evening())
    with pytest.raises(ValidationError) as error:
        services.session_create_for_groups(phase=phase, by=organizer, form="discussion", title="分组研讨", **evening())
    (message,) = error.value.messages
    assert message.startswith("第2组: This time overlaps “第二组参观” (19:30–21:00) in the same group.")
    assert Session.unscoped.filter(phase=phase, title="分组研讨").count() == 0
    # A whole-class session at that time keeps every group busy.
    SessionFactory(phase=phase, title="全班讲座", starts_at=at(DAY2, "19:00"), ends_at=at(DAY2, "20:00"))
    with pytest.raises(ValidationError) as error:
        services.session_create_for_groups(phase=phase, by=organizer, form="discussion", title="分组研讨",
                                           **evening(DAY2))
    assert len(error.value.messages) == 3


def test_no_instructor_for_every_group_at_once(phase, organizer):
    teacher = InstructorFactory()
    with pytest.raises(ValidationError) as error:
        services.session_create_for_groups(phase=phase, by=organizer, form="discussion", title="分组研讨",
                                           instructors=[teacher], **evening())
    assert "instructors" in error.value.message_dict
    course = CourseFactory(form="discussion")
    course.instructors.set([teacher])
    sessions, warnings = services.session_create_for_groups(phase=phase, by=organizer, course=course, **evening())
    assert all(not s.instructors.exists() for s in sessions)
    assert warnings == ["The course's usual instructors were not assigned: give each group its facilitator."]


def test_a_phase_without_groups_is_refused(organizer):
    phase = PhaseFactory(program=ProgramFactory(status=Program.Status.APPROVED), number=1)
    with pytest.raises(ValidationError) as error:
        services.session_create_for_groups(phase=phase, by=organizer, form="discussion", title="研讨", **{
            "starts_at": at(phase.starts_on, "19:30"), "ends_at": at(phase.starts_on, "21:00")})
    assert error.value.message_dict == {"group": [
        "Phase 1 has no groups yet: set them up on the phase page first."]}


def test_who_may_add_group_sessions(phase):
    staff = UserFactory(roles=["college_staff"])
    phase.program.venue.staff.add(staff)
    sessions, _warnings = services.session_create_for_groups(phase=phase, by=staff, form="discussion", title="研讨",
                                                             **evening())
    assert len(sessions) == 3
    for role in ("approver", "unit_admin", "instructor"):
        with pytest.raises(PermissionDenied):
            services.session_create_for_groups(phase=phase, by=UserFactory(roles=[role]), form="discussion",
                                               title="研讨", **evening(DAY2))
    other_staff = UserFactory(roles=["college_staff"])
    VenueFactory().staff.add(other_staff)
    with pytest.raises(PermissionDenied):
        services.session_create_for_groups(phase=phase, by=other_staff, form="discussion", title="研讨",
                                           **evening(DAY2))
