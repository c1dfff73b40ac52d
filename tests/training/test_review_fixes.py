"""Rules added after the security review of the training feature: each one once, on the service that
web pages and the API share."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from dangjian.training import documents, services
from dangjian.training.models import Classroom, Instructor, Program, Session
from tests.factories import (
    ClassroomFactory,
    GroupFactory,
    InstructorFactory,
    PersonFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def organizer():
    return UserFactory(roles=["organizer"])


def staff_of(venue):
    user = UserFactory(roles=["college_staff"])
    venue.staff.add(user)
    return user


@pytest.mark.parametrize("status", [Program.Status.CLOSED, Program.Status.ARCHIVED])
def test_the_class_of_a_closed_program_is_history(organizer, status):
    phase = PhaseFactory(program=ProgramFactory(status=status))
    group = GroupFactory(phase=phase, number=1)
    message = "A closed or archived program cannot be changed."
    for call in (
        lambda: services.group_create(phase=phase, by=organizer),
        lambda: services.group_update(group=group, by=organizer, name="第一组"),
        lambda: services.group_delete(group=group, by=organizer),
        lambda: services.class_committee_appoint(phase=phase, person=PersonFactory(), role="monitor", by=organizer),
        lambda: services.temporary_branch_create(phase=phase, by=organizer),
        lambda: services.phase_update(phase=phase, by=organizer, status="planned"),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert message in error.value.messages
    assert phase.groups.count() == 1


def test_copying_needs_to_manage_the_source_phase_too():
    own, other = VenueFactory(), VenueFactory()
    user = UserFactory(roles=["college_staff", "instructor"])
    own.staff.add(user)
    InstructorFactory(user=user)
    source = PhaseFactory(program=ProgramFactory(venue=other, status="approved"))
    mine = SessionFactory(phase=source)
    mine.instructors.add(user.instructor_profile)
    SessionFactory(phase=source, title="SECRET", starts_at=at(source.starts_on, "14:00"),
                   ends_at=at(source.starts_on, "16:00"))
    target = PhaseFactory(program=ProgramFactory(venue=own), starts_on=datetime.date(2022, 11, 7),
                          ends_on=datetime.date(2022, 11, 11))
    with pytest.raises(PermissionDenied):
        services.phase_timetable_copy(source=source, target=target, by=user)
    assert not Session.unscoped.filter(phase=target).exists()


def test_college_staff_book_only_their_own_colleges_rooms():
    own, other = VenueFactory(), VenueFactory()
    user = staff_of(own)
    phase = PhaseFactory(program=ProgramFactory(venue=own))
    day = phase.starts_on
    with pytest.raises(ValidationError) as error:
        services.session_create(phase=phase, by=user, starts_at=at(day, "08:30"), ends_at=at(day, "10:00"),
                                form="lecture", title="讲座", classroom=ClassroomFactory(venue=other))
    assert "classroom" in error.value.message_dict
    session, _warnings = services.session_create(phase=phase, by=user, starts_at=at(day, "08:30"),
                                                 ends_at=at(day, "10:00"), form="lecture", title="讲座",
                                                 classroom=ClassroomFactory(venue=own))
    assert session.venue == own


def test_the_head_teacher_works_for_the_programs_venue(organizer):
    venue, elsewhere = VenueFactory(), VenueFactory()
    phase = PhaseFactory(program=ProgramFactory(venue=venue))
    with pytest.raises(ValidationError) as error:
        services.phase_update(phase=phase, by=organizer, head_teacher=staff_of(elsewhere))
    assert "head_teacher" in error.value.message_dict
    teacher = staff_of(venue)
    services.phase_update(phase=phase, by=organizer, head_teacher=teacher)
    phase.refresh_from_db()
    assert phase.head_teacher == teacher


def test_a_stale_edit_does_not_undo_an_approval(organizer):
    program = ProgramFactory(status=Program.Status.SUBMITTED, submitted_at=timezone.now())
    stale = Program.unscoped.get(pk=program.pk)
    services.program_approve(program=Program.unscoped.get(pk=program.pk), by=UserFactory(roles=["approver"]))
    services.program_update(program=stale, by=organizer, contact_name="李四")
    program.refresh_from_db()
    assert (program.status, program.contact_name) == (Program.Status.APPROVED, "李四")


def test_library_records_used_in_timetables_stay(organizer):
    session = SessionFactory(classroom=ClassroomFactory())
    instructor = InstructorFactory()
    session.instructors.add(instructor)
    for record in (instructor, session.classroom):
        with pytest.raises(ValidationError, match="used in timetables"):
            services.library_delete(instance=record, by=organizer)
    unused = InstructorFactory()
    services.library_delete(instance=unused, by=organizer)
    assert not Instructor.objects.filter(pk=unused.pk).exists()
    assert Instructor.objects.filter(pk=instructor.pk).exists()
    assert Classroom.objects.filter(pk=session.classroom_id).exists()


def test_excel_cells_never_hold_formulas_typed_by_users():
    import io

    import openpyxl

    session = SessionFactory(title='=HYPERLINK("http://evil.example","点此查看")', place_note="=1+1")
    sheet = openpyxl.load_workbook(io.BytesIO(documents.phase_timetable_xlsx(phase=session.phase))).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert any(cell.value == session.title for cell in cells)
    assert not [cell for cell in cells if cell.data_type == "f"]


def test_a_bad_course_parameter_is_not_a_server_error(client, organizer):
    phase = PhaseFactory()
    client.force_login(organizer)
    response = client.get(f"/training/phases/{phase.pk}/timetable/sessions/new/?course=abc")
    assert response.status_code == 200
