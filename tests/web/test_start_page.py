"""Each role's start page shows its to-dos: the organizer's returned plans with the reason at the top, the
approver's plans awaiting a decision, the college's coming phases, the unit administrator's programs open
for enrollment and the quotas of their organs still to fill (open nominations). Scoped, and a constant number
of queries at 1 and at 3 items of each list."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.enrollment.models import Quota
from dangjian.training.models import Program, ProgramReview
from tests.factories import GroupFactory, PhaseFactory, ProgramFactory, SessionFactory, UserFactory, VenueFactory, at

pytestmark = pytest.mark.django_db

Status = Program.Status
TODAY = timezone.localdate()


@pytest.fixture
def users(organ):
    users = {role: UserFactory(roles=[role]) for role in ("organizer", "approver", "college_staff", "instructor")}
    users["unit_admin"] = UserFactory(roles=["unit_admin"], organs=[organ])
    return users


def build(n: int, users) -> dict:
    """n of each: returned plans (each returned twice), submitted plans, phases coming up at the staff's
    college (with a session and a group), programs open for enrollment; and at another college, one of
    each that the college staff do not see."""
    venue = VenueFactory()
    venue.staff.add(users["college_staff"])
    now = timezone.now()
    for i in range(n):
        returned = ProgramFactory(title=f"退回的培训班{i}", status=Status.RETURNED, submitted_at=now, venue=venue)
        for days_ago, comments in ((9, "旧意见"), (1, f"请补充理论教学{i}")):
            ProgramReview.objects.create(program=returned, decision=ProgramReview.Decision.RETURNED,
                                         comments=comments, decided_by_name="审批人",
                                         decided_at=now - datetime.timedelta(days=days_ago))
        ProgramFactory(title=f"待审批的培训班{i}", status=Status.SUBMITTED,
                       submitted_at=now - datetime.timedelta(days=i))
        coming = ProgramFactory(title=f"即将开班的培训班{i}", status=Status.APPROVED, submitted_at=now, venue=venue)
        phase = PhaseFactory(program=coming, number=1, starts_on=TODAY + datetime.timedelta(days=7 + i),
                             ends_on=TODAY + datetime.timedelta(days=11 + i))
        SessionFactory(phase=phase, starts_at=at(phase.starts_on, "08:30"), ends_at=at(phase.starts_on, "11:30"))
        GroupFactory(phase=phase, number=1)
        enrollment = ProgramFactory(title=f"报名中的培训班{i}", status=Status.ENROLLMENT_OPEN, submitted_at=now)
        PhaseFactory(program=enrollment, number=1, starts_on=TODAY + datetime.timedelta(days=30 + i),
                     ends_on=TODAY + datetime.timedelta(days=34 + i))
        Quota.unscoped.create(program=enrollment, organ=users["unit_admin"].organs.get(), seats=3)
    elsewhere = ProgramFactory(title="别的学院的培训班", status=Status.APPROVED, submitted_at=now)
    PhaseFactory(program=elsewhere, starts_on=TODAY + datetime.timedelta(days=3),
                 ends_on=TODAY + datetime.timedelta(days=5))
    return {"venue": venue}


def home(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def section(content: str, css: str) -> str:
    match = re.search(rf'<section class="card todo {css}".*?</section>', content, re.S)
    return match.group(0) if match else ""


def test_the_organizer_sees_returned_plans_with_the_reason_at_the_top(client, users):
    build(2, users)
    content = home(client, users["organizer"])
    returned = section(content, "todo-returned")
    assert "Returned plans to revise" in returned and "(2)" in returned
    assert "请补充理论教学0" in returned and "请补充理论教学1" in returned and "旧意见" not in returned
    assert "Returned by 审批人 on" in returned
    # At the top: before the registry figures.
    assert content.index("todo-returned") < content.index('class="stats"')
    assert "todo-awaiting" not in content and "todo-phases" not in content and "todo-enrollment" not in content


def test_the_approver_sees_the_plans_awaiting_a_decision(client, users):
    build(2, users)
    content = home(client, users["approver"])
    awaiting = section(content, "todo-awaiting")
    assert "Plans awaiting your decision" in awaiting and "(2)" in awaiting
    assert awaiting.index("待审批的培训班1") < awaiting.index("待审批的培训班0")  # the longest waiting first
    assert "退回的培训班" not in content  # being revised: not the approver's


def test_the_college_sees_its_coming_phases(client, users):
    build(2, users)
    content = home(client, users["college_staff"])
    phases = section(content, "todo-phases")
    assert "Coming phases" in phases and "(2)" in phases
    assert phases.index("即将开班的培训班0") < phases.index("即将开班的培训班1")
    assert "别的学院的培训班" not in content
    assert "todo-returned" not in content


def test_the_unit_admin_sees_programs_open_for_enrollment_and_no_empty_nominations(client, users):
    build(1, users)
    Quota.unscoped.all().delete()
    content = home(client, users["unit_admin"])
    assert "报名中的培训班0" in section(content, "todo-enrollment")
    assert "todo-nominations" not in content  # no quota to fill: no list at all


def test_open_nominations_list_the_quotas_still_to_fill(client, users):
    build(1, users)
    assert "报名中的培训班0" in section(home(client, users["unit_admin"]), "todo-nominations")


def test_empty_to_dos_say_so(client, users):
    assert "No plan was returned: nothing to revise." in home(client, users["organizer"])
    assert "No plan awaits your decision." in home(client, users["approver"])
    assert "No phase of your college's programs is coming up." in home(client, users["college_staff"])
    assert "No program is open for enrollment." in home(client, users["unit_admin"])
    assert "todo" not in home(client, users["instructor"])


def test_the_to_dos_in_chinese(client, users):
    build(1, users)
    assert "退回待修改的方案" in home(client, users["organizer"], "zh-hans")
    assert "待您审批的方案" in home(client, users["approver"], "zh-hans")


# (role) -> queries of the start page; measured, the same at 1 and at 3 items of each to-do list.
EXPECTED_QUERIES = {
    "organizer": 11,  # session, user, roles; the registry figures and warnings; returned plans: rows, count
    "approver": 7,  # session, user, roles, Django's permission tables; plans awaiting: rows, count
    "college_staff": 8,  # + the staff's venues; coming phases: rows, count
    "unit_admin": 16,  # + their organs, the registry figures; programs open for enrollment, open quotas: rows, count
}


@pytest.mark.parametrize("role", list(EXPECTED_QUERIES))
@pytest.mark.parametrize("n", [1, 3])
def test_the_start_page_takes_a_constant_number_of_queries(client, users, role, n):
    build(n, users)
    client.force_login(users[role])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert len(queries) == EXPECTED_QUERIES[role], "\n".join(q["sql"] for q in queries.captured_queries)
