"""Query counts of the training pages do not grow with the data (pretalx's policy).

Each page is loaded with 1 and with 3 items of everything it lists (venues, classrooms, departments,
sites, travel times, instructors, courses with their sites and instructors, programs, phases, groups,
sessions, class committee members, branch posts, approval decisions) and must take the same, fixed
number of queries. The numbers include the session, the user and the user's roles, which every
logged-in page pays.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.organizations.models import Post
from dangjian.training.models import ClassCommitteeMember, Program, ProgramReview, TravelTime
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    GroupFactory,
    InstructorFactory,
    OrganFactory,
    PartyOrganizationFactory,
    PersonFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    UserFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db

FORMS = ["lecture", "onsite_teaching", "discussion"]

# (page, role) -> queries; measured, the same at 1 and at 3 items.
EXPECTED_QUERIES = {
    ("library_index", "organizer"): 8,
    ("venue_list", "organizer"): 5,
    ("venue_list", "college_staff"): 7,
    ("venue_detail", "organizer"): 7,
    ("site_list", "organizer"): 5,
    ("site_list_filtered", "organizer"): 5,
    ("travel_time_list", "organizer"): 7,
    ("instructor_list", "organizer"): 5,
    ("course_list", "organizer"): 7,
    ("course_list_filtered", "organizer"): 7,
    ("program_list", "organizer"): 6,
    ("program_list", "college_staff"): 9,
    ("program_list", "unit_admin"): 8,
    ("program_list_filtered", "organizer"): 6,
    # + the program's completion rules (the rules in words), + the closing packs made (the 结业材料 section)
    ("program_detail", "organizer"): 10,
    ("program_detail", "approver"): 14,  # three permission checks ask the database (EXISTS)
    ("program_detail", "college_staff"): 14,
    ("phase_detail", "organizer"): 11,  # + whether the program has confirmed participants (the people to pick)
    ("phase_detail", "college_staff"): 15,
}


def build(n: int, *, staff) -> SimpleNamespace:
    """n of everything; the main program (at the college staff's venue, approved and open for enrollment)
    has n phases, and its first phase n groups, n sessions, n committee members and n branch posts."""
    venues = [VenueFactory() for _ in range(n)]
    main_venue = venues[0]
    main_venue.staff.add(staff)
    for _i in range(n):
        ClassroomFactory(venue=main_venue)
        VenueFactory(parent=main_venue, kind="department")
        main_venue.staff.add(UserFactory(roles=["college_staff"]))
    sites = [SiteFactory(region="Nanyang" if i % 2 else "Dabie") for i in range(n)]
    instructors = [InstructorFactory(person=PersonFactory(), user=UserFactory(roles=["instructor"]),
                                     venue=main_venue) for _ in range(n)]
    for i in range(n):
        TravelTime.objects.create(from_venue=main_venue, to_site=sites[i], minutes=30 + i)
        TravelTime.objects.create(from_site=sites[i], to_site=sites[(i + 1) % n], minutes=20 + i)
        course = CourseFactory(form=FORMS[i % 3], title_zh=f"课程{i}")
        course.sites.set(sites)
        course.instructors.set(instructors)
    organ = OrganFactory()
    programs = [ProgramFactory(organizer=organ, venue=main_venue, status=Program.Status.ENROLLMENT_OPEN,
                               submitted_at=timezone.now(), phase_count=n) for _ in range(n)]
    main = programs[0]
    phases = [PhaseFactory(program=main, number=i + 1, head_teacher=staff,
                           classroom=main_venue.classrooms.first(),
                           starts_on=datetime.date(2022, 10, 10) + datetime.timedelta(days=7 * i),
                           ends_on=datetime.date(2022, 10, 14) + datetime.timedelta(days=7 * i))
              for i in range(n)]
    phase = phases[0]
    branch = PartyOrganizationFactory(organ=organ, org_type="temporary_branch")
    phase.temporary_branch = branch
    phase.save()
    for i in range(n):
        GroupFactory(phase=phase, number=i + 1, leader=PersonFactory(), deputy_leader=PersonFactory())
        session = SessionFactory(phase=phase, form=FORMS[i % 3], starts_at=at(phase.starts_on, f"{8 + i}:00"),
                                 ends_at=at(phase.starts_on, f"{8 + i}:45"), hours=1)
        session.instructors.set(instructors)
        ClassCommitteeMember.objects.create(phase=phase, person=PersonFactory(organ=organ), role="study",
                                            started_on=phase.starts_on, ended_on=phase.ends_on)
        Post.unscoped.create(person=PersonFactory(organ=organ), party_organization=branch, role="committee_member",
                            started_on=phase.starts_on, ended_on=phase.ends_on, method="appointed")
        ProgramReview.objects.create(program=main, decision="approved", decided_by=UserFactory(roles=["approver"]),
                                     comments=f"意见{i}")
    return SimpleNamespace(venue=main_venue, program=main, phase=phase)


PAGES = {
    "library_index": lambda data: (reverse("library_index"), {}),
    "venue_list": lambda data: (reverse("venue_list"), {}),
    "venue_detail": lambda data: (reverse("venue_detail", args=[data.venue.pk]), {}),
    "site_list": lambda data: (reverse("site_list"), {}),
    "site_list_filtered": lambda data: (reverse("site_list"), {"region": "Dabie", "q": "红色"}),
    "travel_time_list": lambda data: (reverse("travel_time_list"), {}),
    "instructor_list": lambda data: (reverse("instructor_list"), {"q": "教师"}),
    "course_list": lambda data: (reverse("course_list"), {}),
    "course_list_filtered": lambda data: (reverse("course_list"), {"form": "lecture", "q": "课程"}),
    "program_list": lambda data: (reverse("program_list"), {}),
    "program_list_filtered": lambda data: (reverse("program_list"), {
        "status": "enrollment_open", "year": "2022", "q": "培训班"}),
    "program_detail": lambda data: (reverse("program_detail", args=[data.program.pk]), {}),
    "phase_detail": lambda data: (reverse("phase_detail", args=[data.phase.pk]), {}),
}


def _cases():
    for (page, role), count in EXPECTED_QUERIES.items():
        for size in (1, 3):
            yield pytest.param(page, role, size, count, id=f"{page}-{role}-{size}")


@pytest.mark.parametrize("page, role, size, count", list(_cases()))
def test_query_count_does_not_grow(client, django_assert_num_queries, page, role, size, count):
    staff = UserFactory(username="college", roles=["college_staff"])
    users = {"organizer": UserFactory(username="organizer", roles=["organizer"]),
             "approver": UserFactory(username="approver", roles=["approver"]),
             "unit_admin": UserFactory(username="unitadmin", roles=["unit_admin"]),
             "college_staff": staff}
    data = build(size, staff=staff)
    client.force_login(users[role])
    url, params = PAGES[page](data)
    with django_assert_num_queries(count):
        response = client.get(url, params)
    assert response.status_code == 200
    listed = response.context.get("page")
    if listed is not None:  # the page really lists the data it was given (a filter keeps some of it)
        assert len(listed) >= (1 if page.endswith("_filtered") else size)
