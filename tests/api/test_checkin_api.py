"""API v1 QR check-in: POST /api/v1/attendance/check-in {code}. The permission matrix (every role; outcomes read
back from the database: a refused request changes nothing), the refusals with their words (422 naming `code` for
an invalid, expired or replayed code; 409 for another session's code or a closed class; in Chinese, the API's
default language), a second check-in answered with the stored mark, a bearer token, and as many queries for a
roster of sixty as for one of three."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.models import ApiToken
from dangjian.attendance import checkin
from dangjian.attendance.models import Attendance
from tests.api.helpers import field_errors
from tests.attendance.conftest import world  # noqa: F401 (the fixture)
from tests.attendance.test_checkin import moment, participant_of
from tests.conftest import ROLES
from tests.factories import UserFactory, place
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
PATH = "attendance/check-in"


@pytest.fixture
def during_the_session():
    with time_machine.travel(moment("08:31"), tick=False):
        yield


def users(w) -> dict:
    return {"organizer": w.organizer, "college_staff": w.head_teacher, "unit_admin": w.admin,
            "participant": participant_of(w.ours[0]), "anonymous": None,
            **{role: UserFactory(roles=[role]) for role in ("approver", "instructor", "editor", "reviewer")}}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_permission_matrix(api_as, world, during_the_session, role):  # noqa: F811
    w = world
    client = api_as(users(w)[role])
    before = db_state()
    response = client.post(PATH, {"code": checkin.make_code(w.session)})
    expected = {"anonymous": 401, "participant": 200}.get(role, 403)
    assert response.status_code == expected, response.content.decode()[:500]
    if expected == 200:
        body = response.json()
        assert body == {"session_id": w.session.pk, "nomination_id": w.ours[0].pk, "mark": "present",
                        "source": "qr", "made_at": body["made_at"], "created": True}
        assert Attendance.unscoped.get().nomination == w.ours[0]
    else:
        assert state_diff(before, db_state()) == {}


def test_the_openapi_path_is_in_this_matrix(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    assert set(paths["/api/v1/attendance/check-in"]) == {"post"}


def test_twice_answers_the_stored_mark_with_a_bearer_token(api_as, world, during_the_session):  # noqa: F811
    w = world
    client = api_as(participant_of(w.ours[0]), token=True)
    code = checkin.make_code(w.session)
    first = client.post(PATH, {"code": code})
    second = client.post(PATH, {"code": code})
    assert first.status_code == second.status_code == 200
    assert (first.json()["created"], second.json()["created"]) == (True, False)
    assert second.json()["mark"] == "present" and Attendance.unscoped.count() == 1


def test_refusals_say_why_and_write_nothing(api_as, world, settings):  # noqa: F811
    settings.ATTENDANCE_CHECKIN_STEP_SECONDS = 30
    w = world
    client = api_as(participant_of(w.ours[1]))  # group 2
    with time_machine.travel(moment("09:00"), tick=False):
        old = checkin.make_code(w.session)
        response = client.post(PATH, {"code": "nonsense"})
        assert response.status_code == 422
        assert "这不是本平台的签到码" in field_errors(response)["code"]
        response = client.post(PATH, {"code": checkin.make_code(w.group_session)})  # group 1's session
        assert response.status_code == 409
        assert "您不在本课程的学员名单中" in response.json()["detail"]
    with time_machine.travel(moment("09:01"), tick=False):
        response = client.post(PATH, {"code": old})
        assert response.status_code == 422 and "该签到码已失效" in field_errors(response)["code"]
    with time_machine.travel(moment("12:00"), tick=False):
        response = client.post(PATH, {"code": checkin.make_code(w.session)})
        assert response.status_code == 422 and "签到码已过期" in field_errors(response)["code"]
        assert client.post(PATH, {"code": 5}).status_code == 422  # not text
        assert client.post(PATH, {}).status_code == 422
    w.program.status = "closed"
    w.program.save()
    with time_machine.travel(moment("09:00"), tick=False):
        response = client.post(PATH, {"code": checkin.make_code(w.session)})
        assert response.status_code == 409 and "培训班已结业" in response.json()["detail"]
    assert not Attendance.unscoped.exists()


def test_a_roster_of_sixty_takes_as_many_queries_as_three(api_as, world, during_the_session):  # noqa: F811
    w = world

    def queries(nomination):
        client = api_as(participant_of(nomination))
        with CaptureQueriesContext(connection) as context:
            assert client.post(PATH, {"code": checkin.make_code(w.session)}).status_code == 200
        return len(context)

    few = queries(w.ours[0])
    added = [place(w.program, w.organ, w.phase, w.group1) for _ in range(57)]
    for nomination in added[:-1]:
        Attendance.unscoped.create(session=w.session, nomination=nomination, mark="absent",
                                   made_at=moment("08:00"))
    assert queries(added[-1]) == few
    assert Attendance.unscoped.filter(session=w.session).count() == 58


def test_the_step_setting_shortens_the_window(api_as, world, settings):  # noqa: F811
    settings.ATTENDANCE_CHECKIN_STEP_SECONDS = 10
    w = world
    with time_machine.travel(moment("09:00"), tick=False):
        code = checkin.make_code(w.session)
    with time_machine.travel(moment("09:00") + datetime.timedelta(seconds=20), tick=False):
        response = api_as(participant_of(w.ours[0])).post(PATH, {"code": code})
    assert response.status_code == 422 and "每 10 秒" in field_errors(response)["code"]


def test_a_check_in_takes_a_fixed_number_of_queries(api_as, world, during_the_session,  # noqa: F811
                                                     django_assert_num_queries):
    """With a bearer token used in the last hour: the token with its user, the user's roles, the session with its
    phase and program, the participant's roster row with their stored mark (read once, for the permission and
    the write), then the insert of the mark and of its audit entry inside write_marks' atomic block (a savepoint
    and its release here, in the test's transaction). No lookups of full_clean: the database's constraints guard
    them. A second scan: the first four, nothing written."""
    w = world
    client = api_as(participant_of(w.ours[0]), token=True)
    code = checkin.make_code(w.session)
    ApiToken.objects.update(last_used_at=timezone.now())
    with django_assert_num_queries(8):
        assert client.post(PATH, {"code": code}).json()["created"]
    with django_assert_num_queries(4):
        assert not client.post(PATH, {"code": code}).json()["created"]
    assert Attendance.unscoped.count() == 1
