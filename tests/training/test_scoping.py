"""Who sees which training programs and sessions: scoping.program_filter / session_filter (lists) and
can_see_program / the rules (one object) must give the same answer for every role and status."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from dangjian.training import rules as training_rules
from dangjian.training import scoping
from dangjian.training.models import Program, Session
from tests.factories import (
    InstructorFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db

SUBMITTED_AT = datetime.datetime(2022, 9, 1, tzinfo=datetime.UTC)
STATUSES = Program.Status.values
PUBLISHED = {"enrollment_open", "in_progress", "closed", "archived"}


@pytest.fixture
def world(db):
    """A college with two departments and another venue; at the college one program in every status
    (each once submitted, as every status but a fresh draft has been), plus a fresh draft; one program
    at each department and two elsewhere. The instructor teaches one session of the fresh draft elsewhere."""
    college = VenueFactory(kind="college")
    department = VenueFactory(kind="department", parent=college)
    sibling = VenueFactory(kind="department", parent=college)
    elsewhere = VenueFactory()
    programs = {}
    for status in STATUSES:
        programs[status] = ProgramFactory(venue=college, status=status, submitted_at=SUBMITTED_AT)
    programs["fresh_draft"] = ProgramFactory(venue=college, status="draft")
    programs["department"] = ProgramFactory(venue=department, status="approved", submitted_at=SUBMITTED_AT)
    programs["sibling_department"] = ProgramFactory(venue=sibling, status="approved", submitted_at=SUBMITTED_AT)
    programs["elsewhere_draft"] = ProgramFactory(venue=elsewhere, status="draft")
    programs["elsewhere_running"] = ProgramFactory(venue=elsewhere, status="in_progress", submitted_at=SUBMITTED_AT)
    sessions = {}
    for key, program in programs.items():
        phase = PhaseFactory(program=program, number=1)
        sessions[key] = SessionFactory(phase=phase)
    taught_program = programs["elsewhere_draft"]
    instructor_user = UserFactory(username="teacher", roles=["instructor"])
    taught = SessionFactory(phase=taught_program.phases.get(), starts_at=at(datetime.date(2022, 10, 11), "08:30"),
                            ends_at=at(datetime.date(2022, 10, 11), "11:30"))
    taught.instructors.add(InstructorFactory(user=instructor_user))
    return SimpleNamespace(college=college, department=department, elsewhere=elsewhere, programs=programs,
                           sessions=sessions, taught=taught, instructor_user=instructor_user)


def user_for(role: str, world):
    """A fresh user (nothing cached) for a role of the matrix."""
    if role == "anonymous":
        return AnonymousUser()
    if role == "instructor":
        return type(world.instructor_user).objects.get(pk=world.instructor_user.pk)
    if role == "superuser":
        return UserFactory(is_superuser=True)
    user = UserFactory(roles=[role.removesuffix("_of_college").removesuffix("_of_department")])
    if role == "college_staff_of_college":
        world.college.staff.add(user)
    if role == "college_staff_of_department":
        world.department.staff.add(user)
    return type(user).objects.get(pk=user.pk)


def expected_programs(role: str, world) -> set[str]:
    everything = set(world.programs)
    # Submitted once, and not being revised by the organizer (a reopened draft or a returned plan).
    ever_submitted = {k for k, p in world.programs.items()
                      if p.submitted_at is not None and p.status not in ("draft", "returned")}
    at_college = {k for k, p in world.programs.items() if p.venue.parent_id == world.college.pk
                  or p.venue_id == world.college.pk}
    return {
        "organizer": everything,
        "superuser": everything,
        "approver": ever_submitted,
        # Staff of a college see its departments' programs; staff of a department (an office of the
        # college, e.g. academic affairs) see the college's programs too, but no other venue's.
        "college_staff_of_college": at_college,
        "college_staff_of_department": at_college - {"sibling_department"},
        "unit_admin": {k for k, p in world.programs.items() if p.status in PUBLISHED},
        "instructor": {"elsewhere_draft"},
        "participant": set(),
        "editor": set(),
        "reviewer": set(),
        "anonymous": set(),
    }[role]


ROLES = ["organizer", "superuser", "approver", "college_staff_of_college", "college_staff_of_department",
         "unit_admin", "instructor", "participant", "editor", "reviewer", "anonymous"]


def names(world, pks) -> set[str]:
    return {key for key, program in world.programs.items() if program.pk in set(pks)}


@pytest.mark.parametrize("role", ROLES)
def test_programs_visible_to_each_role(role, world):
    user = user_for(role, world)
    visible = Program.objects.visible_to(user).values_list("pk", flat=True)
    assert names(world, visible) == expected_programs(role, world)


@pytest.mark.parametrize("role", ROLES)
def test_can_see_program_and_the_rule_agree_with_the_filter(role, world):
    user = user_for(role, world)
    listed = set(Program.unscoped.filter(scoping.program_filter(user)).values_list("pk", flat=True))
    for key, program in world.programs.items():
        one = training_rules.can_see_program(user, program)
        assert one == (program.pk in listed), (role, key)
        assert user.has_perm("training.view_program", program) == one, (role, key)


@pytest.mark.parametrize("role", ["approver", "college_staff_of_college", "unit_admin", "instructor", "organizer"])
@pytest.mark.parametrize("status", STATUSES)
def test_can_see_program_agrees_with_the_filter_for_every_status(role, status, world):
    """The same program walked through every status (and once never submitted, for a draft)."""
    user = user_for(role, world)
    program = world.programs["elsewhere_draft"]  # taught by the instructor, at another venue
    for venue in (world.elsewhere, world.college):
        for submitted_at in ((SUBMITTED_AT, None) if status == "draft" else (SUBMITTED_AT,)):
            Program.unscoped.filter(pk=program.pk).update(status=status, venue=venue, submitted_at=submitted_at)
            program.refresh_from_db()
            listed = Program.unscoped.filter(scoping.program_filter(user), pk=program.pk).exists()
            assert training_rules.can_see_program(user, program) == listed, (venue, submitted_at)


@pytest.mark.parametrize("role", ROLES)
def test_sessions_visible_to_each_role(role, world):
    user = user_for(role, world)
    visible = set(Session.objects.visible_to(user).values_list("pk", flat=True))
    if role == "instructor":  # their own sessions, not the rest of the class's timetable
        assert visible == {world.taught.pk}
        return
    programs = expected_programs(role, world)
    expected = {s.pk for key, s in world.sessions.items() if key in programs}
    if "elsewhere_draft" in programs:
        expected.add(world.taught.pk)
    assert visible == expected


def test_an_instructor_with_another_role_sees_both(world):
    user = UserFactory(roles=["instructor", "unit_admin"])
    InstructorFactory(user=user).sessions.add(world.sessions["draft"])
    visible = names(world, Program.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == PUBLISHED | {"elsewhere_running", "draft"}
    sessions = set(Session.objects.visible_to(user).values_list("pk", flat=True))
    assert world.sessions["draft"].pk in sessions and world.sessions["in_progress"].pk in sessions
    assert world.sessions["approved"].pk not in sessions


@pytest.mark.parametrize(("role", "manages"), [
    ("organizer", {"college", "department", "elsewhere"}),
    ("superuser", {"college", "department", "elsewhere"}),
    ("college_staff_of_college", {"college", "department"}),
    ("college_staff_of_department", {"college", "department"}),
    ("approver", set()), ("unit_admin", set()), ("instructor", set()), ("participant", set()),
    ("anonymous", set()),
])
def test_who_manages_the_class(role, manages, world):
    user = user_for(role, world)
    programs = {"college": world.programs["approved"], "department": world.programs["department"],
                "elsewhere": world.programs["elsewhere_running"]}
    assert {k for k, p in programs.items() if scoping.manages_venue_of(user, p)} == manages
    phases = {k: p.phases.get() for k, p in programs.items()}
    assert {k for k, phase in phases.items() if user.has_perm("training.manage_class", phase)} == manages


def test_the_approver_reviews_only_what_was_submitted(world):
    approver = user_for("approver", world)
    assert approver.has_perm("training.approve_program", world.programs["submitted"])
    assert not approver.has_perm("training.approve_program", world.programs["fresh_draft"])
    organizer = user_for("organizer", world)
    assert not organizer.has_perm("training.approve_program", world.programs["submitted"])


def test_staffed_venues_are_computed_once_per_user(world, django_assert_num_queries):
    user = user_for("college_staff_of_college", world)
    training_rules.can_see_program(user, world.programs["draft"])
    with django_assert_num_queries(len(world.programs)):  # one EXISTS per program; roles and venues cached
        for program in world.programs.values():
            training_rules.can_see_program(user, program)


def test_the_approver_does_not_read_a_plan_while_the_organizer_revises_it(world):
    """B7: after a return or a reopen the organizer's edits are not submitted; the approver sees the
    plan again when it is submitted again."""
    approver = user_for("approver", world)
    program = world.programs["submitted"]
    for status, visible in (("approved", True), ("draft", False), ("returned", False), ("submitted", True)):
        Program.unscoped.filter(pk=program.pk).update(status=status)
        program.refresh_from_db()
        assert approver.has_perm("training.view_program", program) is visible, status
        assert Program.objects.visible_to(approver).filter(pk=program.pk).exists() is visible, status
