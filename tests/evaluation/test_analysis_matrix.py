"""The evaluation analysis's pages, report downloads and API endpoints for every role (issue 13, items 2 and 6):
who may see them, a refused request changes nothing, and no answer shown names a participant. The records are built
once for the module (tests/shared_world.py)."""

import pytest
from django.conf import settings

from tests.api.conftest import api_as  # noqa: F401 (the fixture)
from tests.evaluation.conftest import make_world
from tests.evaluation.test_analysis import API, PAGES, _names, five_answers, page_expected
from tests.factories import CourseFactory, InstructorFactory, UserFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db


def _build(_users, _organ):
    w = make_world(participants=6)
    w.course, w.instructor = CourseFactory(title_zh="党章学习"), InstructorFactory(name="讲课人甲")
    w.lecture.course = w.course
    w.lecture.save()
    w.lecture.instructors.add(w.instructor)
    w.roster = [w.me, *w.others]
    five_answers(w)
    w.people = {"organizer": w.organizer, "head_teacher": w.head_teacher, "college_staff": w.colleague,
                "stranger_staff": w.stranger, "unit_admin": w.admin, "participant": w.participant,
                "anonymous": None,
                **{role: UserFactory(roles=[role]) for role in ("approver", "instructor", "editor", "reviewer")}}
    return w


_built_once, users_by_role, shared = world_per_module(_build, name="shared")

# Read by tests/web/test_page_permissions.py and test_evaluation_page_permissions.py: the pages PAGES opens.
COVERED_URL_NAMES = {"evaluation_analysis", "evaluation_analysis_answers", "evaluation_report",
                     "evaluation_course_history", "evaluation_instructor_history"}


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ["organizer", "head_teacher", "college_staff", "stranger_staff", "unit_admin",
                                  "participant", "anonymous", "approver", "instructor", "editor", "reviewer"])
def test_pages_for_every_role(client, shared, role, page):
    w = shared
    user = w.people[role]
    if user is not None:
        client.force_login(user)
    before = db_state()
    response = client.get(PAGES[page](w))
    assert response.status_code == page_expected(role, page)
    assert state_diff(before, db_state()) == {}


@pytest.mark.parametrize("operation", list(API))
@pytest.mark.parametrize("role", ["organizer", "head_teacher", "college_staff", "stranger_staff", "unit_admin",
                                  "participant", "anonymous", "approver", "instructor", "editor", "reviewer"])
def test_api_for_every_role(api_as, shared, role, operation):  # noqa: F811
    w = shared
    client = api_as(w.people[role])
    before = db_state()
    response = client.get(API[operation](w))
    page = {"summary": "analysis", "rows": "analysis", "answers": "answers", "course": "course",
            "instructor": "instructor"}[operation]
    expected = 401 if role == "anonymous" else page_expected(role, page)
    assert response.status_code == expected, response.content.decode()[:300]
    assert state_diff(before, db_state()) == {}
    if expected == 200:
        content = response.content.decode()
        assert all(name not in content for name in _names(w))


