"""Each training list costs the same number of queries at 1 row and at 3 rows.

Per request: session + user (2), the user's roles (1), for college staff the venues they work for (1);
then the page: count (1), rows (1) and the selector's prefetches; nested lists first load their parent.
"""

import datetime

import pytest

from dangjian.organizations.models import Post
from dangjian.training import documents, services
from dangjian.training.models import ClassCommitteeMember, ProgramReview, TravelTime
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    GroupFactory,
    InstructorFactory,
    PersonFactory,
    PhaseFactory,
    PostFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    UserFactory,
    VenueFactory,
    at,
)

AUTH = {"organizer": 3, "college_staff": 4, "instructor": 3}


@pytest.fixture
def staff(db):
    return UserFactory(username="college", roles=["college_staff"])


@pytest.fixture
def teacher_login(db):
    return UserFactory(username="teacher", roles=["instructor"])


@pytest.fixture
def venue(staff):
    venue = VenueFactory()
    venue.staff.add(staff)
    return venue


@pytest.fixture
def phase(venue, organ):
    return PhaseFactory(program=ProgramFactory(venue=venue, organizer=organ), number=1)


def _session(phase, n: int, teacher_login=None):
    """A session on day n of the phase, with two instructors, two sites, a course, a classroom and a group."""
    day = phase.starts_on + datetime.timedelta(days=n % phase.day_count)
    start = "08:30" if n < phase.day_count else "14:30"
    end = "11:30" if n < phase.day_count else "17:00"
    session = SessionFactory(phase=phase, starts_at=at(day, start), ends_at=at(day, end), course=CourseFactory(),
                             classroom=ClassroomFactory(venue=phase.program.venue), venue=phase.program.venue,
                             group=GroupFactory(phase=phase, number=n + 1), form="discussion")
    session.instructors.add(InstructorFactory(user=teacher_login if n == 0 else None), InstructorFactory())
    for order, site in enumerate([SiteFactory(), SiteFactory()]):
        session.stops.create(site=site, order=order)
    return session


def _populate(resource: str, phase, n: int, teacher_login) -> str:
    """n rows of `resource`, each with the related records its row shows; returns the path to list."""
    venue = phase.program.venue
    for i in range(n):
        if resource == "venues":
            VenueFactory(parent=venue).staff.add(UserFactory(roles=["college_staff"]))
            ClassroomFactory(venue=venue)
        elif resource == "classrooms":
            ClassroomFactory(venue=venue)
        elif resource == "sites":
            SiteFactory()
        elif resource == "travel-times":
            TravelTime.objects.create(from_venue=venue, to_site=SiteFactory(), minutes=30 + i)
            TravelTime.objects.create(from_site=SiteFactory(), to_venue=VenueFactory(), minutes=30 + i)
        elif resource == "instructors":
            InstructorFactory(venue=venue, person=PersonFactory(), user=UserFactory(roles=["instructor"]),
                              phone="13812345678")
        elif resource == "courses":
            course = CourseFactory()
            course.sites.add(SiteFactory(), SiteFactory())
            course.instructors.add(InstructorFactory())
        elif resource == "programs":
            PhaseFactory(program=ProgramFactory(venue=venue, organizer=phase.program.organizer))
        elif resource in {"phases", "phases-of-program"}:
            other = PhaseFactory(program=phase.program, number=i + 2, head_teacher=UserFactory(),
                                 classroom=ClassroomFactory(venue=venue))
            GroupFactory(phase=other)
            SessionFactory(phase=other)
        elif resource == "groups":
            GroupFactory(phase=phase, leader=PersonFactory(), deputy_leader=PersonFactory())
        elif resource == "committee":
            role = list(ClassCommitteeMember.Role)[i]
            ClassCommitteeMember.objects.create(phase=phase, person=PersonFactory(), role=role,
                                                started_on=phase.starts_on, ended_on=phase.ends_on)
        elif resource == "temporary-branch":
            if not phase.temporary_branch_id:
                services.temporary_branch_create(phase=phase, by=UserFactory(roles=["organizer"]))
            PostFactory(person=PersonFactory(), party_organization=phase.temporary_branch,
                        role=Post.Role.COMMITTEE_MEMBER, started_on=phase.starts_on, ended_on=phase.ends_on)
        elif resource in {"sessions", "sessions.ics", "timetable.ics"}:
            _session(phase, i, teacher_login)
        elif resource in {"program", "form-mix"}:
            other = PhaseFactory(program=phase.program, number=i + 2, head_teacher=UserFactory())
            _session(other, 0)
            ProgramReview.objects.create(program=phase.program, decision="returned", decided_by=UserFactory(),
                                         comments="补充")
    return {
        "classrooms": f"venues/{venue.pk}/classrooms",
        "phases-of-program": f"phases?program={phase.program_id}",
        "groups": f"phases/{phase.pk}/groups",
        "committee": f"phases/{phase.pk}/committee",
        "temporary-branch": f"phases/{phase.pk}/temporary-branch",
        "timetable.ics": f"phases/{phase.pk}/timetable.ics",
        "program": f"programs/{phase.program_id}",
        "form-mix": f"programs/{phase.program_id}/form-mix",
    }.get(resource, resource)


# Queries after authentication (and, for college staff, their venues).
PAGE_QUERIES = {
    "venues": 3,  # count, rows (+ parent, classroom total), staff
    "classrooms": 3,  # venue, count, rows
    "sites": 2,
    "travel-times": 2,  # count, rows + the four places
    "instructors": 2,  # count, rows + venue, person, login
    "courses": 4,  # count, rows, sites, instructors
    "programs": 2,  # count, rows + organizer, venue, phase total
    "phases": 2,  # count, rows + head teacher, classroom, branch, totals
    "phases-of-program": 3,  # program, count, rows
    "groups": 3,  # phase, count, rows + leaders
    "committee": 3,  # phase, count, rows + person, organ
    "temporary-branch": 2,  # phase (+ branch), posts + person, organ, branch
    "sessions": 4,  # count, rows + phase, course, venue, classroom, group; instructors; stops + sites
    "sessions.ics": 3,  # rows; instructors; stops + sites
    "timetable.ics": 4,  # phase; rows; instructors; stops + sites
    "program": 3,  # program; reviews; phases + totals
    "form-mix": 3,  # program; sessions; phases
}
LIBRARY = {"venues", "classrooms", "sites", "travel-times", "instructors", "courses"}
ONE_PROGRAM_CHECKED = {"groups", "committee", "temporary-branch", "timetable.ics", "program", "form-mix"}


@pytest.fixture
def evaluated_documents(monkeypatch):
    """Stand-ins for the calendar that read what a real one reads: every session, instructor and stop."""

    def ical(*, sessions, name):
        for session in sessions:
            [instructor.name for instructor in session.instructors.all()]
            [stop.site.name for stop in session.stops.all()]
        return b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"

    monkeypatch.setattr(documents, "sessions_ical", ical)


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize("role", ["organizer", "college_staff"])
@pytest.mark.parametrize("resource", list(PAGE_QUERIES))
def test_list_query_count_is_constant(api_as, organizer, staff, teacher_login, phase, django_assert_num_queries,
                                      evaluated_documents, resource, role, rows):
    path = _populate(resource, phase, rows, teacher_login)
    client = api_as(organizer if role == "organizer" else staff)
    # The library needs no venue scoping; everything else asks which venues college staff work for.
    auth = AUTH[role] - (1 if role == "college_staff" and resource in LIBRARY else 0)
    # Asking whether college staff may see one program is one EXISTS with the list's own rule.
    auth += 1 if role == "college_staff" and resource in ONE_PROGRAM_CHECKED else 0
    with django_assert_num_queries(auth + PAGE_QUERIES[resource]):
        response = client.get(path)
    assert response.status_code == 200, response.content
    if resource in {"program", "form-mix", "sessions.ics", "timetable.ics", "temporary-branch"}:
        return
    assert response.json()["count"] >= rows


@pytest.mark.parametrize("rows", [1, 3])
def test_instructor_session_list_query_count_is_constant(api_as, teacher_login, phase, django_assert_num_queries,
                                                         rows):
    for i in range(rows):
        session = _session(phase, i)
        session.instructors.add(InstructorFactory(user=teacher_login) if i == 0 else
                                teacher_login.instructor_profile)
    client = api_as(teacher_login)
    with django_assert_num_queries(AUTH["instructor"] + PAGE_QUERIES["sessions"]):
        response = client.get("sessions")
    assert response.json()["count"] == rows
    assert all(len(item["instructors"]) == 3 and len(item["sites"]) == 2 for item in response.json()["items"])


@pytest.mark.parametrize("rows", [1, 3])
def test_filtered_session_list_query_count_is_constant(api_as, organizer, phase, django_assert_num_queries, rows):
    for i in range(rows):
        _session(phase, i)
    params = {"program": phase.program_id, "phase": phase.pk, "form": "discussion", "since": "2022-10-01"}
    client = api_as(organizer)
    with django_assert_num_queries(AUTH["organizer"] + PAGE_QUERIES["sessions"]):
        response = client.get("sessions", params)
    assert response.json()["count"] == rows
