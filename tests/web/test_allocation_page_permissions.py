"""The permission matrix of the allocation pages (web/urls_allocation.py) × every role (and anonymous), with the
expected status; every POST's outcome read back from the database (done: it changed what EFFECTS names;
refused: no row of the platform changed at all).

anonymous                          -> 302 to the login page
organizer                          -> everything
college staff (of the program's venue) -> everything
approver, unit administrator, instructor, participant, editor, reviewer -> 403
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.messages import constants as message_levels
from django.urls import reverse

from dangjian.enrollment import services
from dangjian.enrollment.models import AllocationRun, Nomination, Placement, ProgramEnrollment
from dangjian.enrollment.tasks import allocation_run_start
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.factories import GroupFactory, OrganFactory, PersonFactory, PhaseFactory, ProgramFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
PLACERS = {"organizer", "college_staff"}


def _build(users_by_role, organ):
    """A program open for enrollment at a venue the college staff user works for: two phases of two groups, four
    confirmed participants and a proposal of the solver."""
    program = ProgramFactory(status="enrollment_open", year=2027)
    program.venue.staff.add(users_by_role["college_staff"])
    for number in (1, 2):
        phase = PhaseFactory(program=program, number=number, starts_on=datetime.date(2027, 3, 1 + 14 * (number - 1)),
                             ends_on=datetime.date(2027, 3, 5 + 14 * (number - 1)), capacity=4)
        GroupFactory(phase=phase, number=1)
        GroupFactory(phase=phase, number=2)
    for _ in range(4):
        other = OrganFactory()
        Nomination.unscoped.create(program=program, person=PersonFactory(organ=other), organ=other,
                                   status="confirmed")
    placed = allocation_run_start(program=program, by=users_by_role["organizer"], time_limit=5)
    services.allocation_apply(run=placed, by=users_by_role["organizer"])
    run = allocation_run_start(program=program, by=users_by_role["organizer"], time_limit=5)
    nomination = Nomination.unscoped.filter(program=program).first()
    phase2 = program.phases.get(number=2)
    return SimpleNamespace(program=program, run=run, nomination=nomination, phase2=phase2,
                           group2=phase2.groups.get(number=1))


_built_once, users_by_role, records = world_per_module(_build)

# (url name, method, args from the records, post data)
PAGES = [
    ("allocation_page", "get", ["program"], None),
    ("allocation_page", "post", ["program"], {"form": "settings", "group_size_min": "1", "group_size_max": "3",
                                              "max_per_organ_per_phase": "2"}),
    ("allocation_start", "post", ["program"], {"time_limit": "5"}),
    ("allocation_run", "get", ["run"], None),
    ("allocation_run_status", "get", ["run"], None),
    ("allocation_apply", "post", ["run"], {}),
    ("allocation_discard", "post", ["run"], {}),
    ("allocation_placement", "get", ["nomination"], None),
    ("allocation_placement", "post", ["nomination"], {"phase": "{phase2}", "group": "{group2}", "locked": "on"}),
    ("allocation_placement_remove", "post", ["nomination"], {}),
    ("allocation_board", "get", ["program", "phase2"], None),
    ("allocation_board", "post", ["program", "phase2"], {"nomination": "{nomination}", "group": "{group2}"}),
]


def _effect(name):
    return {
        "allocation_page": lambda: list(ProgramEnrollment.objects.values_list("group_size_max", flat=True)),
        "allocation_start": lambda: AllocationRun.objects.count(),
        "allocation_apply": lambda: sorted(AllocationRun.objects.values_list("pk", "state")),
        "allocation_discard": lambda: sorted(AllocationRun.objects.values_list("pk", "state")),
        "allocation_placement": lambda: sorted(Placement.unscoped.values_list("pk", "phase", "group", "locked")),
        "allocation_placement_remove": lambda: Placement.unscoped.count(),
        "allocation_board": lambda: sorted(Placement.unscoped.values_list("pk", "phase", "group", "locked")),
    }[name]


def _fill(value, records):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return getattr(records, value[1:-1]).pk
    return value


def expected_status(role, method):
    if role == "anonymous":
        return 302
    if role not in PLACERS:
        return 403
    return 302 if method == "post" else 200


def _cases():
    for name, method, args, data in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, method)
            yield pytest.param(role, name, method, args, data, status,
                               id=f"{method.upper()} {name}({','.join(args)}) as {role} -> {status}")


@pytest.mark.parametrize("role, name, method, args, data, status", list(_cases()))
def test_allocation_page_permission_matrix(client, users_by_role, records, role, name, method, args, data, status,
                                           caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[getattr(records, a).pk for a in args])
    if method == "get":
        response = client.get(url)
    else:
        effect = _effect(name)
        before, state_before = effect(), db_state()
        response = client.post(url, {key: _fill(value, records) for key, value in data.items()})
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if method == "get":
        return
    if status == 302 and role != "anonymous":
        errors = [m.message for m in response.wsgi_request._messages if m.level == message_levels.ERROR]
        assert errors == []
        assert effect() != before, f"{name} as {role}: {status}, but nothing changed"
    else:
        assert state_diff(state_before, db_state()) == {}


def test_every_url_of_the_allocation_pages_is_in_this_matrix():
    from dangjian.web.urls_allocation import urlpatterns

    assert {p.name for p in urlpatterns} <= {name for name, *_rest in PAGES}
