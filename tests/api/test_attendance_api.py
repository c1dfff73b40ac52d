"""API v1 for attendance: GET and PUT /api/v1/attendance/sessions/{id}/marks. The permission matrix (every role ×
both operations, outcomes read back from the database), idempotent PUT by client_id, rows named in a refused PUT,
409 after closing, and the roster of a sixty-person phase in as many queries as a three-person one."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.attendance.models import Attendance
from tests.attendance.conftest import world  # noqa: F401 (the fixture)
from tests.conftest import ROLES
from tests.factories import place
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
BASE = "/api/v1/attendance/sessions/{}/marks"


def users(w) -> dict:
    from tests.factories import UserFactory

    return {"organizer": w.organizer, "college_staff": w.head_teacher, "unit_admin": w.admin,
            "participant": w.participant, "anonymous": None,
            **{role: UserFactory(roles=[role]) for role in ("approver", "instructor", "editor", "reviewer")}}


def put(client, session, marks):
    return client.django.put(f"/api/v1/attendance/sessions/{session.pk}/marks", {"marks": marks},
                             content_type="application/json")


def body(nominations, mark="present", **extra):
    return [{"nomination_id": n.pk, "mark": mark, "client_id": str(uuid.uuid4()), **extra} for n in nominations]


def expected(role, method):
    if role == "anonymous":
        return 401
    if role in ("organizer", "college_staff"):
        return 200
    if role == "unit_admin" and method == "get":
        return 200
    return 403


@pytest.mark.parametrize("method", ["get", "put"])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_permission_matrix(api_as, world, role, method):  # noqa: F811
    w = world
    client = api_as(users(w)[role])
    everyone = [*w.ours, *w.theirs]
    before = db_state()
    if method == "get":
        response = client.get(f"attendance/sessions/{w.session.pk}/marks")
    else:
        response = put(client, w.session, body(everyone))
    assert response.status_code == expected(role, method), response.content.decode()[:500]
    if method == "put" and response.status_code == 200:
        assert Attendance.unscoped.filter(session=w.session).count() == 3
    elif method == "put":
        assert state_diff(before, db_state()) == {}
    if method == "get" and response.status_code == 200:
        seen = {row["nomination_id"] for row in response.json()["rows"]}
        assert seen == ({n.pk for n in w.ours} if role == "unit_admin" else {n.pk for n in everyone})


def test_the_openapi_paths_are_in_this_matrix(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    ours = {(method, path) for path, operations in paths.items() for method in operations
            if path.startswith("/api/v1/attendance") and path != "/api/v1/attendance/check-in"}  # its own
    assert ours == {("get", "/api/v1/attendance/sessions/{session_id}/marks"),
                    ("put", "/api/v1/attendance/sessions/{session_id}/marks")}


def test_a_put_sent_twice_writes_once_and_returns_the_roster(api_as, world):  # noqa: F811
    w = world
    client = api_as(w.head_teacher)
    marks = body(w.ours, "late", note="堵车")
    first = put(client, w.session, marks)
    assert first.status_code == 200
    rows = {row["nomination_id"]: row for row in first.json()["rows"]}
    assert rows[w.ours[0].pk]["mark"] == "late" and rows[w.ours[0].pk]["note"] == "堵车"
    assert rows[w.theirs[0].pk]["mark"] is None
    entries = Attendance.unscoped.count()
    assert put(client, w.session, marks).status_code == 200
    assert Attendance.unscoped.count() == entries == 2
    assert {str(a.client_id) for a in Attendance.unscoped.all()} == {m["client_id"] for m in marks}


def test_a_refused_put_names_the_row_and_writes_nothing(api_as, world):  # noqa: F811
    w = world
    client = api_as(w.head_teacher)
    response = put(client, w.session, body(w.ours) + body([w.elsewhere]))
    assert response.status_code == 422, response.content.decode()
    assert [error["message"] for error in response.json()["errors"]] == ["第 3 行：该学员不在本课程的名单中。"]
    assert not Attendance.unscoped.exists()
    assert put(client, w.session, [{"nomination_id": w.ours[0].pk, "mark": "asleep",
                                    "client_id": str(uuid.uuid4())}]).status_code == 422
    w.program.status = "closed"
    w.program.save()
    assert put(client, w.session, body(w.ours)).status_code == 409
    assert not Attendance.unscoped.exists()


def test_the_roster_of_sixty_takes_as_many_queries_as_three(api_as, world):  # noqa: F811
    w = world
    client = api_as(w.organizer)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"attendance/sessions/{w.session.pk}/marks").status_code == 200
        return len(context)

    put(client, w.session, body([*w.ours, *w.theirs]))
    few = queries()
    added = [place(w.program, w.organ, w.phase, w.group1) for _ in range(57)]
    put(client, w.session, body(added))
    assert Attendance.unscoped.filter(session=w.session).count() == 60
    assert queries() == few
