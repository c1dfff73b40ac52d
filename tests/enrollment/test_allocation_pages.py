"""The allocation pages and API v1: the organizer runs the solver from the program's allocation page, watches the
run (the fragment htmx polls), reviews the proposal as a diff with the groups' composition and applies it; the
API starts, polls, reads and applies the same way. Every page and endpoint × role (organizers and the venue's
college staff in, everyone else 403, a closed program 409 or a message); query counts constant in the number
of participants."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.enrollment import services
from dangjian.enrollment.models import AllocationRun, Nomination, Placement
from dangjian.enrollment.tasks import allocation_run_start
from tests.api.helpers import ApiClient
from tests.conftest import ROLES
from tests.factories import GroupFactory, OrganFactory, PersonFactory, UserFactory
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db


def confirm_people(program, count):
    organs = [OrganFactory() for _ in range(count)]
    return [Nomination.unscoped.create(program=program, person=PersonFactory(organ=organ), organ=organ,
                                       status="confirmed") for organ in organs]


@pytest.fixture
def alloc_world(enrollment_world):
    w = enrollment_world
    w.phase1.capacity = w.phase2.capacity = 6
    w.phase1.save()
    w.phase2.save()
    for phase in (w.phase1, w.phase2):
        GroupFactory(phase=phase, number=1)
        GroupFactory(phase=phase, number=2)
    w.nominations = confirm_people(w.program, 6)
    w.staff = UserFactory(roles=["college_staff"])
    w.program.venue.staff.add(w.staff)
    return w


def test_the_organizer_runs_watches_reviews_and_applies(client, alloc_world):
    w = alloc_world
    client.force_login(w.organizer)
    program_page = client.get(w.program.get_absolute_url()).content.decode()
    page_url = reverse("allocation_page", args=[w.program.pk])
    assert page_url in program_page
    page = client.get(page_url).content.decode()
    assert "Run the allocation" in page or "运行自动分配" in page
    response = client.post(reverse("allocation_start", args=[w.program.pk]), {"time_limit": "5"})
    run = AllocationRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("allocation_run", args=[run.pk])
    status = client.get(reverse("allocation_run_status", args=[run.pk]))
    assert status["HX-Refresh"] == "true"  # solved already (tests run jobs at once): the page reloads
    run_page = client.get(response.url).content.decode()
    assert reverse("allocation_apply", args=[run.pk]) in run_page
    assert all(n.person.name in run_page for n in w.nominations)  # everyone moves from "not placed"
    response = client.post(reverse("allocation_apply", args=[run.pk]))
    assert response.status_code == 302 and Placement.unscoped.count() == 6
    groups_page = client.get(page_url).content.decode()
    assert "allocation-groups" in groups_page


def test_the_settings_form_saves_the_bounds(client, alloc_world):
    w = alloc_world
    client.force_login(w.staff)
    response = client.post(reverse("allocation_page", args=[w.program.pk]), {
        "form": "settings", "group_size_min": "1", "group_size_max": "4", "max_per_organ_per_phase": "2"})
    assert response.status_code == 302
    w.program.enrollment.refresh_from_db()
    assert (w.program.enrollment.group_size_max, w.program.enrollment.max_per_organ_per_phase) == (4, 2)


@pytest.mark.parametrize("role", [*ROLES, "staff of another venue"])
def test_pages_and_writes_for_every_role(client, alloc_world, role):
    w = alloc_world
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    user = {"organizer": w.organizer, "college_staff": w.staff}.get(role) or UserFactory(
        roles=["college_staff" if role == "staff of another venue" else role])
    client.force_login(user)
    allowed = role in ("organizer", "college_staff")
    denied = 404 if role == "staff of another venue" else 403  # the role may, the scope hides the program
    for name, args in (("allocation_page", [w.program.pk]), ("allocation_run", [run.pk]),
                       ("allocation_run_status", [run.pk])):
        assert client.get(reverse(name, args=args)).status_code == (200 if allowed else denied), name
    before = db_state()
    for name, args, data in (("allocation_start", [w.program.pk], {"time_limit": "5"}),
                             ("allocation_discard", [run.pk], {}), ("allocation_apply", [run.pk], {})):
        response = client.post(reverse(name, args=args), data)
        assert response.status_code == (302 if allowed else denied), name
    if not allowed:
        assert state_diff(before, db_state()) == {}
    else:
        run.refresh_from_db()
        assert run.state == "discarded" and AllocationRun.objects.count() == 2


def test_a_closed_program_is_refused_with_a_message_and_nothing_written(client, alloc_world):
    w = alloc_world
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    w.program.status = "closed"
    w.program.save()
    client.force_login(w.organizer)
    before = db_state()
    response = client.post(reverse("allocation_apply", args=[run.pk]), follow=True)
    assert response.redirect_chain == [(reverse("allocation_run", args=[run.pk]), 302)]
    assert "培训班已批准、报名中或进行中时才能分期分组" in response.content.decode()
    assert state_diff(before, db_state()) == {}


API_PATHS = {("post", "/api/v1/enrollment/programs/{program_id}/allocation-runs"),
             ("get", "/api/v1/enrollment/allocation-runs/{run_id}"),
             ("get", "/api/v1/enrollment/allocation-runs/{run_id}/proposal"),
             ("post", "/api/v1/enrollment/allocation-runs/{run_id}/apply"),
             ("post", "/api/v1/enrollment/allocation-runs/{run_id}/discard"),
             ("put", "/api/v1/enrollment/participants/{nomination_id}/placement"),
             ("delete", "/api/v1/enrollment/participants/{nomination_id}/placement")}


def test_the_api_starts_polls_reads_and_applies(alloc_world):
    w = alloc_world
    api = ApiClient(w.organizer)
    paths = api.get("openapi.json").json()["paths"]
    assert {(method, path) for path, ops in paths.items() for method in ops
            if "allocation-runs" in path or "/placement" in path} == API_PATHS
    started = api.call("post", f"enrollment/programs/{w.program.pk}/allocation-runs", {"time_limit": 5})
    assert started.status_code == 202, started.content
    run_id = started.json()["id"]
    polled = api.get(f"enrollment/allocation-runs/{run_id}").json()
    assert (polled["state"], polled["solver_status"], polled["placed"]) == ("proposed", "optimal", 6)
    proposal = api.get(f"enrollment/allocation-runs/{run_id}/proposal").json()
    assert len(proposal["rows"]) == 6 and all(row["moved"] and row["group_id"] for row in proposal["rows"])
    applied = api.call("post", f"enrollment/allocation-runs/{run_id}/apply", {})
    assert applied.json() == {"created": 6, "moved": 0, "removed": 0}
    again = api.call("post", f"enrollment/allocation-runs/{run_id}/apply", {})
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_api_permission_matrix(alloc_world, role):
    w = alloc_world
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    user = None if role == "anonymous" else {"organizer": w.organizer, "college_staff": w.staff}.get(role) or \
        UserFactory(roles=[role])
    api = ApiClient(user)
    allowed = role in ("organizer", "college_staff")
    expected = 401 if role == "anonymous" else None
    before = db_state()
    for method, path, ok in (("get", f"enrollment/allocation-runs/{run.pk}", 200),
                             ("get", f"enrollment/allocation-runs/{run.pk}/proposal", 200),
                             ("post", f"enrollment/programs/{w.program.pk}/allocation-runs", 202),
                             ("post", f"enrollment/allocation-runs/{run.pk}/discard", 200),
                             ("post", f"enrollment/allocation-runs/{run.pk}/apply", 409)):  # discarded just now
        response = api.call(method, path, {"time_limit": 5} if path.endswith("runs") else {})
        assert response.status_code == (expected or (ok if allowed else 403)), (path, response.content)
    placement = f"enrollment/participants/{w.nominations[0].pk}/placement"
    group = w.phase2.groups.get(number=1)
    put = api.django.put("/api/v1/" + placement, {"phase_id": w.phase2.pk, "group_id": group.pk, "locked": True},
                         content_type="application/json")
    assert put.status_code == (expected or (200 if allowed else 403)), put.content
    removed = api.call("delete", placement)
    assert removed.status_code == (expected or (204 if allowed else 403)), removed.content
    if not allowed:
        assert state_diff(before, db_state()) == {}


def test_placing_by_hand_through_the_api_checks_the_phase_and_group(alloc_world):
    w = alloc_world
    api = ApiClient(w.organizer)
    path = f"/api/v1/enrollment/participants/{w.nominations[0].pk}/placement"
    other_group = w.phase1.groups.get(number=1)
    wrong = api.django.put(path, {"phase_id": w.phase2.pk, "group_id": other_group.pk}, content_type="application/json")
    assert wrong.status_code == 422 and "group_id" in wrong.content.decode()
    placed = api.django.put(path, {"phase_id": w.phase2.pk, "locked": True}, content_type="application/json")
    assert placed.json() == {"nomination_id": w.nominations[0].pk, "phase_id": w.phase2.pk, "group_id": None,
                             "locked": True}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_participants(client, alloc_world):
    w = alloc_world
    client.force_login(w.organizer)
    first = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    services.allocation_apply(run=first, by=w.organizer)
    small = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    urls = [reverse("allocation_page", args=[w.program.pk]), reverse("allocation_run", args=[small.pk])]
    api = ApiClient(w.organizer)
    counts = [_queries(client, url) for url in urls]
    with CaptureQueriesContext(connection) as api_small:
        api.get(f"enrollment/allocation-runs/{small.pk}/proposal")
    confirm_people(w.program, 5)  # 11 participants, groups up to 3
    big = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    urls[1] = reverse("allocation_run", args=[big.pk])
    assert [_queries(client, url) for url in urls] == counts
    with CaptureQueriesContext(connection) as api_big:
        api.get(f"enrollment/allocation-runs/{big.pk}/proposal")
    assert len(api_big) == len(api_small)


def test_a_run_whose_worker_stopped_says_so_and_stops_polling(client, alloc_world):
    from dangjian.jobs.models import BackgroundJob

    w = alloc_world
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    AllocationRun.objects.filter(pk=run.pk).update(state="solving")
    BackgroundJob.unscoped.filter(pk=run.job_id).update(status="failed", result={"error": "工作进程已停止。"})
    client.force_login(w.organizer)
    status = client.get(reverse("allocation_run_status", args=[run.pk]))
    assert status["HX-Refresh"] == "true"
    page = client.get(reverse("allocation_run", args=[run.pk])).content.decode()
    assert "工作进程已停止。" in page and "hx-get" not in page


def test_the_board_moves_a_participant_by_drag_and_drop_and_locks_them(client, alloc_world):
    from dangjian.core.models import AuditEntry

    w = alloc_world
    first, second = w.phase1.groups.order_by("number")
    moved, stays = w.nominations[:2]
    services.placement_set(nomination=moved, phase=w.phase1, group=first, by=w.organizer)
    services.placement_set(nomination=stays, phase=w.phase1, group=first, by=w.organizer)
    client.force_login(w.organizer)
    url = reverse("allocation_board", args=[w.program.pk, w.phase1.pk])
    assert url in client.get(reverse("allocation_page", args=[w.program.pk])).content.decode()
    page = client.get(url).content.decode()
    assert f'data-nomination="{moved.pk}"' in page and f'data-group="{second.pk}"' in page
    audits = AuditEntry.objects.filter(model="enrollment.placement").count()
    # The drop (allocation-board.js) posts the nomination and the group; htmx gets the board back in place.
    response = client.post(url, {"nomination": moved.pk, "group": second.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="board"' in response.content.decode()
    placement = Placement.unscoped.get(nomination=moved)
    assert (placement.group, placement.locked) == (second, True)
    assert AuditEntry.objects.filter(model="enrollment.placement").count() == audits + 1
    # A group of another phase is not a drop target here: refused in words, nothing written.
    other_group = w.phase2.groups.first()
    before = db_state()
    response = client.post(url, {"nomination": stays.pk, "group": other_group.pk}, headers={"HX-Request": "true"})
    assert "errorbox" in response.content.decode() and not state_diff(before, db_state())
    # Without htmx the move redirects back to the board.
    assert client.post(url, {"nomination": stays.pk, "group": second.pk}).status_code == 302


def test_the_board_takes_a_constant_number_of_queries(client, alloc_world):
    w = alloc_world
    first = w.phase1.groups.order_by("number").first()
    client.force_login(w.organizer)
    url = reverse("allocation_board", args=[w.program.pk, w.phase1.pk])
    counts = []
    for nomination in w.nominations[:2], w.nominations[2:6]:
        for n in nomination:
            services.placement_set(nomination=n, phase=w.phase1, group=first, by=w.organizer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
