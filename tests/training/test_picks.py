"""Who and what may be picked (A.2): one named selector per choice, listed by the forms, looked up by the
API and checked by the services, so that a crafted request cannot pick outside it."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.training import selectors, services
from dangjian.web.forms_training import PhaseForm, ProgramForm
from tests.factories import (
    ClassroomFactory,
    OrganFactory,
    PersonFactory,
    PhaseFactory,
    ProgramFactory,
    UserFactory,
    VenueFactory,
)


@pytest.fixture
def college(db):
    return VenueFactory(kind="college")


@pytest.fixture
def department(college):
    return VenueFactory(kind="department", parent=college, name_zh="教务部")


def test_a_department_is_no_venue_of_a_program(organizer, college, department):
    assert list(selectors.program_venue_choices()) == [college]
    assert department not in ProgramForm(user=organizer).fields["venue"].queryset
    with pytest.raises(ValidationError) as error:
        services.program_create(by=organizer, title="班", year=2026, organizer=OrganFactory(), venue=department)
    assert "venue" in error.value.message_dict
    program = services.program_create(by=organizer, title="班", year=2026, organizer=OrganFactory(), venue=college)
    with pytest.raises(ValidationError):
        services.program_update(program=program, by=organizer, venue=department)


def test_class_nominees_for_college_staff_are_the_people_already_in_the_class(organizer, college):
    program = ProgramFactory(venue=college, status="approved")
    phase = PhaseFactory(program=program)
    staff = UserFactory(roles=["college_staff"])
    college.staff.add(staff)
    stranger = PersonFactory()  # in the registry, which college staff do not see
    assert not selectors.class_nominee_choices(user=staff, phase=phase).filter(pk=stranger.pk).exists()
    for call in (
        lambda: services.class_committee_appoint(phase=phase, person=stranger, role="monitor", by=staff),
        lambda: services.group_create(phase=phase, by=staff, leader=stranger),
    ):
        with pytest.raises(ValidationError, match="不能为本期培训班选择此人"):
            call()
    services.temporary_branch_create(phase=phase, by=staff)
    phase.refresh_from_db()
    with pytest.raises(ValidationError, match="不能为本期培训班选择此人"):
        services.temporary_branch_appoint(phase=phase, person=stranger, role="secretary", by=staff)
    # The organizer picks from the registry; then the person is in the class and staff may pick them.
    services.group_create(phase=phase, by=organizer, leader=stranger)
    services.class_committee_appoint(phase=phase, person=stranger, role="monitor", by=staff)


def test_a_unit_admin_cannot_pick_another_organs_person(college):
    program = ProgramFactory(venue=college, status="approved")
    phase = PhaseFactory(program=program)
    organ = OrganFactory()
    admin = UserFactory(roles=["unit_admin"], organs=[organ])
    assert list(selectors.class_nominee_choices(user=admin, phase=phase).filter(organ=organ)) == []
    mine = PersonFactory(organ=organ)
    assert selectors.class_nominee_choices(user=admin, phase=phase).filter(pk=mine.pk).exists()
    assert not selectors.class_nominee_choices(user=admin, phase=phase).filter(pk=PersonFactory().pk).exists()


def test_classroom_and_head_teacher_of_a_phase_come_from_the_programs_college(organizer, college, department):
    program = ProgramFactory(venue=college, status="draft")
    own_room, department_room, other_room = (ClassroomFactory(venue=college), ClassroomFactory(venue=department),
                                             ClassroomFactory(venue=VenueFactory()))
    teacher, outsider = UserFactory(roles=["college_staff"]), UserFactory(roles=["college_staff"])
    department.staff.add(teacher)
    VenueFactory().staff.add(outsider)
    form = PhaseForm(program=program)
    assert set(form.fields["classroom"].queryset) == {own_room, department_room}
    assert list(form.fields["head_teacher"].queryset) == [teacher]
    with pytest.raises(ValidationError) as error:
        services.phase_create(program=program, by=organizer, starts_on="2026-10-08", ends_on="2026-10-12",
                              capacity=50, classroom=other_room)
    assert "classroom" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.phase_create(program=program, by=organizer, starts_on="2026-10-08", ends_on="2026-10-12",
                              capacity=50, head_teacher=outsider)
    assert "head_teacher" in error.value.message_dict


def test_college_staff_book_only_their_colleges_rooms_for_sessions(college):
    program = ProgramFactory(venue=college, status="approved")
    staff = UserFactory(roles=["college_staff"])
    college.staff.add(staff)
    own, foreign = ClassroomFactory(venue=college), ClassroomFactory(venue=VenueFactory())
    assert set(selectors.session_classroom_choices(user=staff, program=program)) == {own}
    assert foreign in selectors.session_classroom_choices(user=UserFactory(roles=["organizer"]), program=program)
