"""The permission matrix of the roll-call page (web/urls_attendance.py) × every role (and anonymous), with the
expected status; every POST's outcome read back from the database (done: marks were written; refused: no row of
the platform changed at all).

anonymous                                  -> 302 to the login page
organizer, college staff (of the venue)    -> read and take the roll call
unit administrator                         -> read (their organ's people), 403 on taking the roll call
approver, instructor, participant, editor, reviewer -> 403
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.messages import constants as message_levels
from django.urls import reverse

from dangjian.attendance.models import Attendance
from dangjian.enrollment.models import Nomination, Placement
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.factories import PersonFactory, PhaseFactory, ProgramFactory, SessionFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
MARKERS = {"organizer", "college_staff"}
READERS = MARKERS | {"unit_admin"}


def _build(users_by_role, organ):
    """A program in progress at a venue the college staff user works for: a phase with two participants of the
    unit administrator's organ placed in it, and a session."""
    program = ProgramFactory(status="in_progress")
    program.venue.staff.add(users_by_role["college_staff"])
    phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                         ends_on=datetime.date(2022, 10, 14))
    for _ in range(2):
        nomination = Nomination.unscoped.create(program=program, person=PersonFactory(organ=organ), organ=organ,
                                                status="confirmed")
        Placement.unscoped.create(nomination=nomination, phase=phase)
    return SimpleNamespace(session=SessionFactory(phase=phase))


_built_once, users_by_role, records = world_per_module(_build)

# (url name, method, args from the records, post data)
PAGES = [
    ("roll_call", "get", ["session"], None),
    ("roll_call", "post", ["session"], {"all_present": "1"}),
    ("sign_in_sheet", "get", ["session"], None),
    ("roll_call_service_worker", "get", [], None),  # the offline roll call's service worker
]


def expected_status(role, method):
    if role == "anonymous":
        return 302
    if method == "get":
        return 200 if role in READERS else 403
    return 302 if role in MARKERS else 403


def _cases():
    for name, method, args, data in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, method)
            yield pytest.param(role, name, method, args, data, status,
                               id=f"{method.upper()} {name}({','.join(args)}) as {role} -> {status}")


@pytest.mark.parametrize("role, name, method, args, data, status", list(_cases()))
def test_attendance_page_permission_matrix(client, users_by_role, records, role, name, method, args, data, status,
                                           caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[getattr(records, a).pk for a in args])
    if method == "get":
        response = client.get(url)
    else:
        state_before = db_state()
        response = client.post(url, data)
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if method == "get":
        return
    if status == 302 and role != "anonymous":
        errors = [m.message for m in response.wsgi_request._messages if m.level == message_levels.ERROR]
        assert errors == []
        assert Attendance.unscoped.filter(session=records.session).count() == 2
    else:
        assert state_diff(state_before, db_state()) == {}


def test_every_url_of_the_attendance_pages_is_in_this_matrix():
    from dangjian.web.urls_attendance import urlpatterns

    assert {p.name for p in urlpatterns} <= {name for name, *_rest in PAGES}
