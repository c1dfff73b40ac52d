"""The permission matrix of the QR check-in pages (web/urls_checkin.py) × every role (and anonymous), with the
expected status; every POST's outcome read back from the database (done: the participant's mark was written;
refused: no row of the platform changed at all). Then what the pages show, and their query counts at two sizes.

anonymous                              -> 302 to the login page
organizer, college staff (of the venue) -> the code screen and its refreshing part; 403 on the scan page
participant (on the roster)            -> the scan page and "Check in" (302 to their start page)
every other role                       -> 403
"""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.attendance import checkin
from dangjian.attendance.models import Attendance
from dangjian.enrollment.models import Nomination, Placement
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.factories import PersonFactory, PhaseFactory, ProgramFactory, SessionFactory, at
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
DAY = datetime.date(2022, 10, 10)
DURING = at(DAY, "08:31")
RUNNERS = {"organizer", "college_staff"}


def _place(program, organ, phase):
    nomination = Nomination.unscoped.create(program=program, person=PersonFactory(organ=organ), organ=organ,
                                            status="confirmed")
    Placement.unscoped.create(nomination=nomination, phase=phase)
    return nomination


def _build(users_by_role, organ):
    """A program in progress at a venue the college staff user works for; a phase with two participants, one of
    them the participant user; a session 08:30–11:30 on 2022-10-10."""
    program = ProgramFactory(status="in_progress")
    program.venue.staff.add(users_by_role["college_staff"])
    phase = PhaseFactory(program=program, number=1, starts_on=DAY, ends_on=DAY + datetime.timedelta(days=4))
    mine = _place(program, organ, phase)
    _place(program, organ, phase)
    participant = users_by_role["participant"]
    participant.person = mine.person
    participant.save(update_fields=["person"])
    return SimpleNamespace(session=SessionFactory(phase=phase), program=program, phase=phase, organ=organ,
                           nomination=mine)


_built_once, users_by_role, records = world_per_module(_build)

# (url name, method, args: "session" or "code")
PAGES = [
    ("check_in_code", "get", "session"),
    ("check_in_code_current", "get", "session"),
    ("check_in", "get", "code"),
    ("check_in", "post", "code"),
]


def expected_status(role, name, method):
    if role == "anonymous":
        return 302
    if name.startswith("check_in_code"):
        return 200 if role in RUNNERS else 403
    if role != "participant":
        return 403
    return 200 if method == "get" else 302


def _cases():
    for name, method, arg in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, name, method)
            yield pytest.param(role, name, method, arg, status, id=f"{method.upper()} {name} as {role} -> {status}")


@pytest.mark.parametrize("role, name, method, arg, status", list(_cases()))
def test_checkin_page_permission_matrix(client, users_by_role, records, role, name, method, arg, status, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    with time_machine.travel(DURING, tick=False):
        url = reverse(name, args=[records.session.pk if arg == "session" else checkin.make_code(records.session)])
        state_before = db_state() if method == "post" else None
        response = client.get(url) if method == "get" else client.post(url)
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if method == "post":
        if status == 302 and role != "anonymous":
            assert response["Location"] == reverse("my_home")
            assert Attendance.unscoped.get(session=records.session).nomination == records.nomination
        else:
            assert state_diff(state_before, db_state()) == {}


def test_every_url_of_the_checkin_pages_is_in_this_matrix():
    from dangjian.web.urls_checkin import urlpatterns

    assert {p.name for p in urlpatterns} <= {name for name, *_rest in PAGES}


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


def test_the_code_screen_shows_a_code_that_checks_in(client, users_by_role, records):
    client.force_login(users_by_role["college_staff"])
    with time_machine.travel(DURING, tick=False):
        page = client.get(reverse("check_in_code", args=[records.session.pk])).content.decode()
        current = client.get(reverse("check_in_code_current", args=[records.session.pk])).content.decode()
    assert "<svg" in page and 'hx-trigger="load delay:' in page and "Checked in by QR: 0 of 2" in page
    assert "<svg" in current and "<html" not in current
    assert page.count('class="checkin-qr"') == 1
    roll_call = client.get(reverse("roll_call", args=[records.session.pk])).content.decode()
    assert reverse("check_in_code", args=[records.session.pk]) in roll_call


def test_the_code_screen_outside_the_sessions_time_and_after_closing(client, users_by_role, records):
    client.force_login(users_by_role["organizer"])
    url = reverse("check_in_code", args=[records.session.pk])
    with time_machine.travel(at(DAY, "07:00"), tick=False):
        early = client.get(url).content.decode()
    assert "<svg" not in early and "2022-10-10 08:00–11:30" in early and "hx-trigger" in early
    records.program.status = "closed"
    records.program.save()
    with time_machine.travel(DURING, tick=False):
        closed = client.get(url).content.decode()
    assert "<svg" not in closed and "hx-trigger" not in closed
    assert "closed or archived" in closed


def test_the_scan_page_confirms_then_says_so_and_refuses_with_words(client, users_by_role, records):
    client.force_login(users_by_role["participant"])
    with time_machine.travel(DURING, tick=False):
        url = reverse("check_in", args=[checkin.make_code(records.session)])
        page = client.get(url).content.decode()
        assert records.session.title in page and "Check in now" in page
        response = client.post(url, follow=True)
        assert response.redirect_chain[-1][0] == reverse("my_home")
        assert f"You are checked in to “{records.session.title}”: Present." in response.content.decode()
        again = client.get(url).content.decode()
        assert "Check in now" not in again and "You are already checked in: Present." in again
    with time_machine.travel(at(DAY, "13:00"), tick=False):
        refused = client.get(url)
    assert refused.status_code == 400 and "has expired" in refused.content.decode()
    bad = client.post(reverse("check_in", args=["nonsense"]))
    assert bad.status_code == 400 and "not a check-in code" in bad.content.decode()
    assert Attendance.unscoped.filter(session=records.session).count() == 1


def _grow(records, n):
    for _ in range(n):
        _place(records.program, records.organ, records.phase)


@pytest.mark.parametrize("name", ["check_in_code", "check_in_code_current", "check_in"])
def test_query_counts_do_not_grow_with_the_roster(client, users_by_role, records, django_assert_num_queries, name):
    role = "participant" if name == "check_in" else "college_staff"
    client.force_login(users_by_role[role])

    def count():
        with time_machine.travel(DURING, tick=False):
            arg = records.session.pk if name != "check_in" else checkin.make_code(records.session)
            with CaptureQueriesContext(connection) as context:
                assert client.get(reverse(name, args=[arg])).status_code == 200
        return len(context)

    small = count()
    _grow(records, 58)
    large = count()
    assert small == large
    with time_machine.travel(DURING, tick=False):
        url = reverse(name, args=[records.session.pk if name != "check_in" else checkin.make_code(records.session)])
        with django_assert_num_queries(small):
            client.get(url)
