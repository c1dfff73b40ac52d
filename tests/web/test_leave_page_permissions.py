"""The permission matrix of the leave pages (web/urls_leave.py) × every role (and anonymous), with the expected
status; every POST's outcome read back from the database (done: the record changed; refused: no row of the
platform changed at all).

anonymous                                   -> 302 to the login page
participant                                 -> their own leave page: read, file, cancel what they filed
organizer, college staff (of the venue)     -> the program's overview, leave list and withdrawals; file, approve,
                                               refuse; the organizer alone confirms or clears a withdrawal
unit administrator                          -> read the program's pages (their organ's people), nothing else
approver, instructor, editor, reviewer      -> 403
"""

from types import SimpleNamespace

import pytest
from django.contrib.messages import constants as message_levels
from django.urls import reverse

from dangjian.attendance import leave_services
from dangjian.attendance.models import LeaveRequest, Withdrawal
from tests.attendance.leave_world import build_leave_world
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
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
    withdrawal = Withdrawal.unscoped.create(nomination=w.mate, reason="超过请假上限")
    return SimpleNamespace(program=w.program, me=w.me, leave=leave, withdrawal=withdrawal,
                           free_session=w.future[3])


_built_once, users_by_role, records = world_per_module(_build)


def _leave_status(r):
    return LeaveRequest.unscoped.get(pk=r.leave.pk).status


def _withdrawal_status(r):
    return Withdrawal.unscoped.get(pk=r.withdrawal.pk).status


# (url name, method, args, query, post data from the records, who succeeds, the outcome when done)
PAGES = [
    ("my_leave", "get", [], "", None, {"participant"}, None),
    ("my_leave", "post", [], "", lambda r: {"nomination": r.me.pk, "sessions": [r.free_session.pk],
                                            "reason": "出差"}, {"participant"},
     lambda r: LeaveRequest.unscoped.filter(nomination=r.me).count() == 2),
    ("program_attendance", "get", ["program"], "", None, READERS, None),
    ("program_leave", "get", ["program"], "", None, READERS, None),
    ("program_leave", "post", ["program"], "?participant={me}", lambda r: {
        "sessions": [r.free_session.pk], "reason": "住院"}, RUNNERS,
     lambda r: LeaveRequest.unscoped.filter(nomination=r.me).count() == 2),
    ("program_withdrawals", "get", ["program"], "", None, READERS, None),
    ("leave_approve", "post", ["leave"], "", lambda r: {"note": "同意"}, RUNNERS,
     lambda r: _leave_status(r) == "approved"),
    ("leave_refuse", "post", ["leave"], "", lambda r: {"note": "不同意"}, RUNNERS,
     lambda r: _leave_status(r) == "refused"),
    ("leave_cancel", "post", ["leave"], "", lambda r: {}, {"participant"},
     lambda r: _leave_status(r) == "cancelled"),
    ("withdrawal_confirm", "post", ["withdrawal"], "", lambda r: {"note": "退学"}, {"organizer"},
     lambda r: _withdrawal_status(r) == "confirmed"),
    ("withdrawal_clear", "post", ["withdrawal"], "", lambda r: {"note": "保留学籍"}, {"organizer"},
     lambda r: _withdrawal_status(r) == "cleared"),
]


def expected_status(role, method, allowed):
    if role == "anonymous":
        return 302
    if role in allowed:
        return 200 if method == "get" else 302
    return 403


def _cases():
    for name, method, args, query, data, allowed, done in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, method, allowed)
            yield pytest.param(role, name, method, args, query, data, done, status,
                               id=f"{method.upper()} {name}({','.join(args)}) as {role} -> {status}")


@pytest.mark.parametrize("role, name, method, args, query, data, done, status", list(_cases()))
def test_leave_page_permission_matrix(client, users_by_role, records, role, name, method, args, query, data, done,
                                      status, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[getattr(records, a).pk for a in args]) + query.format(me=records.me.pk)
    if method == "get":
        response = client.get(url)
    else:
        state_before = db_state()
        response = client.post(url, data(records))
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if method == "get":
        return
    if status == 302 and role != "anonymous":
        errors = [m.message for m in response.wsgi_request._messages if m.level == message_levels.ERROR]
        assert errors == []
        assert done(records)
    else:
        assert state_diff(state_before, db_state()) == {}


def test_every_url_of_the_leave_pages_is_in_this_matrix():
    from dangjian.web.urls_leave import urlpatterns

    assert {p.name for p in urlpatterns} <= {name for name, *_rest in PAGES}
