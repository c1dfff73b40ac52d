"""API v1 for leave, withdrawal and the class attendance overview (/api/v1/leave/...): the permission matrix (every
role × every operation, outcomes read back from the database, refused requests change nothing), 409 for a decided
request, 422 naming the session, unit administrators' scope (other organs' records 404), and query counts that do
not grow with the class."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.attendance import leave_services
from dangjian.attendance.models import Attendance, LeaveRequest, Withdrawal
from tests.attendance.leave_world import build_leave_world, place
from tests.conftest import ROLES
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
RUNNERS = {"organizer", "college_staff"}
READERS = RUNNERS | {"unit_admin"}


def _build(users_by_role, organ):
    w = build_leave_world(**{role: users_by_role[role] for role in ("organizer", "college_staff", "participant",
                                                                    "unit_admin")})
    leave = leave_services.leave_file(nomination=w.me, sessions=w.future[:1], reason="家中有事", by=w.participant)
    theirs = leave_services.leave_file(nomination=w.theirs, sessions=w.future[:1], reason="出差", by=w.head_teacher)
    withdrawal = Withdrawal.unscoped.create(nomination=w.mate, reason="超过请假上限")
    return SimpleNamespace(w=w, program=w.program, me=w.me, leave=leave, theirs=theirs, withdrawal=withdrawal,
                           free_session=w.future[3])


_built_once, users_by_role, records = world_per_module(_build)


def _status(r):
    return LeaveRequest.unscoped.get(pk=r.leave.pk).status


def _withdrawal(r):
    return Withdrawal.unscoped.get(pk=r.withdrawal.pk).status


# (name, method, path, body, who succeeds, success status, outcome)
ENDPOINTS = [
    ("list", "get", "leave/programs/{program}/requests", None, READERS, 200, None),
    ("file", "post", "leave/requests", lambda r: {"nomination_id": r.me.pk, "session_ids": [r.free_session.pk],
                                                  "reason": "出差"},
     RUNNERS | {"participant"}, 201, lambda r: LeaveRequest.unscoped.filter(nomination=r.me).count() == 2),
    ("detail", "get", "leave/requests/{leave}", None, READERS | {"participant"}, 200, None),
    ("cancel", "post", "leave/requests/{leave}/cancel", lambda r: {}, {"participant"}, 200,
     lambda r: _status(r) == "cancelled"),
    ("approve", "post", "leave/requests/{leave}/approve", lambda r: {"note": "同意"}, RUNNERS, 200,
     lambda r: _status(r) == "approved" and Attendance.unscoped.filter(nomination=r.me, source="leave").exists()),
    ("refuse", "post", "leave/requests/{leave}/refuse", lambda r: {"note": "不同意"}, RUNNERS, 200,
     lambda r: _status(r) == "refused"),
    ("mine", "get", "leave/mine", None, {"participant"}, 200, None),
    ("withdrawals", "get", "leave/programs/{program}/withdrawals", None, READERS, 200, None),
    ("confirm", "post", "leave/withdrawals/{withdrawal}/confirm", lambda r: {"note": "退学"}, {"organizer"}, 200,
     lambda r: _withdrawal(r) == "confirmed"),
    ("clear", "post", "leave/withdrawals/{withdrawal}/clear", lambda r: {"note": "保留"}, {"organizer"}, 200,
     lambda r: _withdrawal(r) == "cleared"),
    ("attendance", "get", "leave/programs/{program}/attendance", None, READERS, 200, None),
]


def _path(path, r):
    return path.format(program=r.program.pk, leave=r.leave.pk, withdrawal=r.withdrawal.pk)


def _cases():
    for name, method, path, body, allowed, ok, done in ENDPOINTS:
        for role in ALL_ROLES:
            status = 401 if role == "anonymous" else ok if role in allowed else 403
            yield pytest.param(role, method, path, body, done, status, id=f"{name} as {role} -> {status}")


@pytest.mark.parametrize("role, method, path, body, done, status", list(_cases()))
def test_permission_matrix(api_as, users_by_role, records, role, method, path, body, done, status):
    client = api_as(users_by_role[role])
    before = db_state() if method != "get" else None
    response = client.call(method, _path(path, records), body(records) if body else None)
    assert response.status_code == status, response.content.decode()[:500]
    if method == "get":
        return
    if status < 400:
        assert done(records)
    else:
        assert state_diff(before, db_state()) == {}


def test_the_openapi_paths_are_in_this_matrix(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    ours = {(method, path) for path, operations in paths.items() for method in operations
            if path.startswith("/api/v1/leave")}
    names = {"{program}": "{program_id}", "{leave}": "{leave_id}", "{withdrawal}": "{withdrawal_id}"}

    def openapi(path):
        for key, value in names.items():
            path = path.replace(key, value)
        return "/api/v1/" + path

    assert ours == {(method, openapi(path)) for _name, method, path, *_rest in ENDPOINTS}


def test_the_unit_administrator_reads_their_own_people_only(api_as, users_by_role, records):
    r = records
    client = api_as(users_by_role["unit_admin"])
    listed = client.get(f"leave/programs/{r.program.pk}/requests").json()["items"]
    assert [item["id"] for item in listed] == [r.leave.pk]
    overview = client.get(f"leave/programs/{r.program.pk}/attendance").json()["items"]
    assert {item["nomination_id"] for item in overview} == {r.w.me.pk, r.w.mate.pk}
    assert client.get(f"leave/requests/{r.theirs.pk}").status_code == 404
    runner = api_as(users_by_role["college_staff"])
    assert runner.get(f"leave/requests/{r.theirs.pk}").status_code == 200
    assert len(runner.get(f"leave/programs/{r.program.pk}/attendance").json()["items"]) == 3


def test_a_request_names_its_problems_and_a_decided_one_is_a_409(api_as, users_by_role, records):
    r = records
    participant = api_as(users_by_role["participant"])
    response = participant.post("leave/requests", {"nomination_id": r.me.pk, "session_ids": [r.w.future[0].pk],
                                                   "reason": "又有事"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["sessions"]
    # Another participant's nomination: as if it did not exist.
    assert participant.post("leave/requests", {"nomination_id": r.w.mate.pk, "session_ids": [r.free_session.pk],
                                               "reason": "x"}).status_code == 404
    head_teacher = api_as(users_by_role["college_staff"])
    body = head_teacher.post(f"leave/requests/{r.leave.pk}/approve", {"note": ""}).json()
    assert body["leave"]["status"] == "approved" and body["withdrawal"] is None
    assert body["leave"]["standing"]["label"] in {"请假 3／上限 3 学时", "Leave 3 / limit 3 hours"}
    assert head_teacher.post(f"leave/requests/{r.leave.pk}/refuse", {"note": ""}).status_code == 409
    assert participant.post(f"leave/requests/{r.leave.pk}/cancel", {}).status_code == 409
    # One session more: past the limit, flagged.
    response = head_teacher.post("leave/requests", {"nomination_id": r.me.pk, "session_ids": [r.free_session.pk],
                                                    "reason": "住院"})
    assert response.status_code == 201 and response.json()["standing_if_approved"]["state"] == "over"
    body = head_teacher.post(f"leave/requests/{response.json()['id']}/approve", {"note": ""}).json()
    assert body["withdrawal"]["status"] == "flagged"
    mine = participant.get("leave/mine").json()
    assert mine[0]["standing"]["state"] == "over" and mine[0]["withdrawal_status"] == "flagged"


def test_the_lists_take_as_many_queries_for_a_larger_class(api_as, users_by_role, records):
    r = records
    client = api_as(users_by_role["college_staff"])
    paths = [f"leave/programs/{r.program.pk}/requests", f"leave/programs/{r.program.pk}/withdrawals",
             f"leave/programs/{r.program.pk}/attendance"]

    def counts():
        found = []
        for path in paths:
            with CaptureQueriesContext(connection) as context:
                assert client.get(path).status_code == 200
            found.append(len(context))
        return found

    few = counts()
    for index in range(6):
        nomination = place(r.program, r.w.organ, r.w.phase)
        leave = leave_services.leave_file(nomination=nomination, sessions=[r.w.future[index]], reason="事假",
                                          by=r.w.head_teacher)
        if index % 2:
            leave_services.leave_approve(leave=leave, by=r.w.head_teacher)
        Withdrawal.unscoped.create(nomination=nomination, reason="x")
    assert counts() == few
    participant = api_as(users_by_role["participant"])
    with CaptureQueriesContext(connection) as context:
        participant.get("leave/mine")
    one = len(context)
    for session in r.w.future[3:5]:
        leave_services.leave_file(nomination=r.me, sessions=[session], reason="事假", by=r.w.participant)
    with CaptureQueriesContext(connection) as context:
        participant.get("leave/mine")
    assert len(context) == one
