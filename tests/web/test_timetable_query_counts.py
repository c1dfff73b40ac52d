"""Query counts of the timetable pages do not grow with the sessions (pretalx's policy): the grid at 1 and
at 12 sessions (with instructors, red-education sites and groups) takes the same fixed number of queries,
and so does an instructor's list of their own sessions. The numbers include the session, the user and
the user's roles, which every logged-in page pays."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.training.models import Program, SessionStop
from tests.factories import (
    GroupFactory,
    InstructorFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    UserFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db

FIRST_DAY = datetime.date(2022, 10, 10)

# (page, role) -> queries; measured, the same at 1 and at 12 sessions.
EXPECTED_QUERIES = {
    # phase, sessions, their instructors, their sites, the other phases (copy form)
    ("phase_timetable", "organizer"): 8,
    # + the staff's venues; + Django's permission tables, asked by the main menu for a non-registry user
    ("phase_timetable", "college_staff"): 12,
    ("phase_timetable", "approver"): 10,  # no copy form; + the permission tables
    ("phase_timetable", "instructor"): 10,  # + "teaches in this program?"
    ("phase_timetable_partial", "organizer"): 7,
    ("my_sessions", "instructor"): 8,
}


def build(n: int) -> dict:
    """A program with two five-day phases and n sessions in the first: slots alternate between two
    parallel group sessions and a whole-class session; each session has two instructors (one of them the
    instructor user) and every other one two red-education sites."""
    users = {role: UserFactory(roles=[role]) for role in ("organizer", "college_staff", "approver", "instructor")}
    venue = VenueFactory()
    venue.staff.add(users["college_staff"])
    program = ProgramFactory(venue=venue, status=Program.Status.APPROVED, submitted_at=at(FIRST_DAY, "08:00"))
    phase = PhaseFactory(program=program, starts_on=FIRST_DAY, ends_on=FIRST_DAY + datetime.timedelta(days=4))
    PhaseFactory(program=program, starts_on=FIRST_DAY + datetime.timedelta(days=14),
                 ends_on=FIRST_DAY + datetime.timedelta(days=18))
    groups = [GroupFactory(phase=phase, number=1), GroupFactory(phase=phase, number=2)]
    mine = InstructorFactory(user=users["instructor"])
    sites = [SiteFactory(), SiteFactory()]
    made, slot = 0, 0
    while made < n:
        day = FIRST_DAY + datetime.timedelta(days=slot % 5)
        hour = 6 + (slot // 5) * 2
        for group in (groups if slot % 2 == 0 else [None]):
            if made == n:
                break
            session = SessionFactory(phase=phase, group=group, form="discussion" if group else "lecture",
                                     starts_at=at(day, f"{hour:02d}:00"), ends_at=at(day, f"{hour + 1:02d}:30"))
            session.instructors.set([mine, InstructorFactory()])
            if made % 2 == 0:
                for order, site in enumerate(sites):
                    SessionStop.objects.create(session=session, site=site, order=order)
            made += 1
        slot += 1
    return {"users": users, "phase": phase}


def count_queries(client, user, url, **headers) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page, role", list(EXPECTED_QUERIES))
@pytest.mark.parametrize("n", [1, 12])
def test_timetable_query_count_is_constant(client, page, role, n):
    world = build(n)
    user = world["users"][role]
    headers = {}
    if page == "my_sessions":
        url = reverse("my_sessions")
    else:
        url = reverse("phase_timetable", args=[world["phase"].pk])
        if page == "phase_timetable_partial":
            headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "timetable"}
    response_count = count_queries(client, user, url, **headers)
    assert response_count == EXPECTED_QUERIES[(page, role)]


def test_the_data_is_really_on_the_page(client):
    """The counts above are of pages that show the sessions, their instructors, sites and groups."""
    world = build(12)
    client.force_login(world["users"]["organizer"])
    content = client.get(reverse("phase_timetable", args=[world["phase"].pk])).content.decode()
    # 4 whole-class sessions, and 4 blocks of two parallel group sessions each
    assert content.count('class="tt-session ') == 8 and content.count('data-parallel="2"') == 4
    assert content.count("教师") >= 24 and "红色教育基地" in content
    client.force_login(world["users"]["instructor"])
    content = client.get(reverse("my_sessions")).content.decode()
    assert content.count('class="tt-entry ') == 12
