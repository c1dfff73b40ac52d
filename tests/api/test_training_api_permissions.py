"""Every training endpoint × every role, with the status each must answer.

The world: a program at a college whose staff is the college-staff user, returned once by the approver
(so the approver may read it and the plan may still change), with an instructor who teaches one of its
sessions. The unit administrator does not see it (programs concern the organs from enrollment on):
404 on its records, empty lists. A second matrix opens enrollment and shows the unit administrator's
read-only access; the transitions have their own matrix, each from a status it may start from.

Each write's outcome is read back from the database: done, what its `effect` reads changed; refused, no row of
the platform changed at all.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.organizations.models import Post
from dangjian.training import documents, services
from dangjian.training.models import (
    ClassCommitteeMember,
    Classroom,
    Course,
    Group,
    Instructor,
    Phase,
    Program,
    ProgramReview,
    Session,
    Site,
    TravelTime,
    Venue,
)
from tests.completion.closing_world import make_current_pack
from tests.conftest import ROLES
from tests.denials import assert_no_traceback_logged
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    GroupFactory,
    InstructorFactory,
    PersonFactory,
    PhaseFactory,
    PostFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    VenueFactory,
    at,
)
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

ALL_ROLES = [*ROLES, "anonymous"]
NO_TRAINING_ROLE = {"participant", "editor", "reviewer"}
MANAGE_CLASS = {"organizer", "college_staff"}


@pytest.fixture(autouse=True)
def _documents_stand_in(monkeypatch):
    for name in ("program_plan_pdf", "phase_timetable_pdf", "phase_timetable_xlsx", "sessions_ical"):
        monkeypatch.setattr(documents, name, lambda **kwargs: b"%PDF-1.7 stand-in")


def _build_world(users_by_role, organ):
    venue = VenueFactory()
    venue.staff.add(users_by_role["college_staff"])
    program = ProgramFactory(organizer=organ, venue=venue, phase_count=2, status="returned",
                             submitted_at=timezone.now())
    draft = ProgramFactory(organizer=organ, venue=venue)
    phase = PhaseFactory(program=program, number=1)
    phase2 = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 17),
                          ends_on=datetime.date(2022, 10, 21))
    group = GroupFactory(phase=phase, number=1)
    empty_group = GroupFactory(phase=phase, number=2)
    teacher = InstructorFactory(user=users_by_role["instructor"])
    session = SessionFactory(phase=phase)
    session.instructors.add(teacher)
    member = ClassCommitteeMember.objects.create(phase=phase, person=PersonFactory(organ=organ), role="monitor",
                                                 started_on=phase.starts_on, ended_on=phase.ends_on)
    services.temporary_branch_create(phase=phase, by=users_by_role["organizer"])
    phase.refresh_from_db()
    post = PostFactory(person=PersonFactory(organ=organ), party_organization=phase.temporary_branch,
                       role=Post.Role.COMMITTEE_MEMBER, started_on=phase.starts_on, ended_on=phase.ends_on)
    review = ProgramReview(program=program, decision="returned", decided_by=users_by_role["approver"],
                           comments="补充预算")
    review.document.save("returned.pdf", ContentFile(b"%PDF-1.7 review"), save=True)
    site = SiteFactory()
    AuditEntry.objects.all().delete()
    return SimpleNamespace(
        venue=venue, spare_venue=VenueFactory(), classroom=ClassroomFactory(venue=venue), site=site,
        spare_site=SiteFactory(), travel=TravelTime.objects.create(from_venue=venue, to_site=site, minutes=30),
        instructor=teacher, spare_instructor=InstructorFactory(), course=CourseFactory(), program=program,
        draft=draft, phase=phase, phase2=phase2, group=group, empty_group=empty_group, session=session,
        member=member, post=post, review=review,
    )


_built_once, users_by_role, world = world_per_module(_build_world, name="world")


@dataclass
class Endpoint:
    name: str
    method: str
    path: str  # formatted with the world's records
    kind: str  # lib_read, lib_write, read, list, plan_create, plan_write, class_create, class_write
    ok: int = 200
    payload: dict | None = None  # formatted the same way (values "{...}" are replaced)
    overrides: dict = field(default_factory=dict)  # role -> status, where the rule has an exception
    published: bool = True  # the target is the program (its records): part of the published matrix
    effect: Callable[[Any], Any] | None = None  # what a write changes, read from the database (given the world)


def count(model, **lookups):
    """effect: the number of `model` rows, filtered by the world's records ("phase" -> world.phase)."""
    return lambda world: model._default_manager.filter(
        **{key: getattr(world, name) for key, name in lookups.items()}).count()


def value(model, record: str, attribute: str):
    """effect: a column of the world's `record`, read again."""
    return lambda world: getattr(model._default_manager.get(pk=getattr(world, record).pk), attribute)


def exists(model, record: str):
    return lambda world: model._default_manager.filter(pk=getattr(world, record).pk).exists()


ENDPOINTS = [
    # Library: organizers keep it, college staff read it.
    Endpoint("venue list", "get", "venues", "lib_read"),
    Endpoint("venue detail", "get", "venues/{venue.pk}", "lib_read"),
    Endpoint("venue create", "post", "venues", "lib_write", 201, {"code": "new-venue", "name_zh": "新学院"},
             effect=count(Venue)),
    Endpoint("venue update", "patch", "venues/{spare_venue.pk}", "lib_write", 200, {"note": "备注"},
             effect=value(Venue, "spare_venue", "note")),
    Endpoint("venue delete", "delete", "venues/{spare_venue.pk}", "lib_write", 204,
             effect=exists(Venue, "spare_venue")),
    Endpoint("classroom list", "get", "venues/{venue.pk}/classrooms", "lib_read"),
    Endpoint("classroom detail", "get", "venues/{venue.pk}/classrooms/{classroom.pk}", "lib_read"),
    Endpoint("classroom create", "post", "venues/{venue.pk}/classrooms", "lib_write", 201,
             {"name": "新教室", "capacity": 50},
             effect=count(Classroom, venue="venue")),
    Endpoint("classroom update", "patch", "venues/{venue.pk}/classrooms/{classroom.pk}", "lib_write", 200,
             {"capacity": 80},
             effect=value(Classroom, "classroom", "capacity")),
    Endpoint("classroom delete", "delete", "venues/{venue.pk}/classrooms/{classroom.pk}", "lib_write", 204,
             effect=exists(Classroom, "classroom")),
    Endpoint("site list", "get", "sites", "lib_read"),
    Endpoint("site detail", "get", "sites/{site.pk}", "lib_read"),
    Endpoint("site create", "post", "sites", "lib_write", 201, {"code": "new-site", "name_zh": "新基地"},
             effect=count(Site)),
    Endpoint("site update", "patch", "sites/{spare_site.pk}", "lib_write", 200, {"theme": "主题"},
             effect=value(Site, "spare_site", "theme")),
    Endpoint("site delete", "delete", "sites/{spare_site.pk}", "lib_write", 204,
             effect=exists(Site, "spare_site")),
    Endpoint("travel list", "get", "travel-times", "lib_read"),
    Endpoint("travel detail", "get", "travel-times/{travel.pk}", "lib_read"),
    Endpoint("travel create", "post", "travel-times", "lib_write", 201,
             {"from_site_id": "{site.pk}", "to_venue_id": "{spare_venue.pk}", "minutes": 20},
             effect=count(TravelTime)),
    Endpoint("travel update", "patch", "travel-times/{travel.pk}", "lib_write", 200, {"minutes": 45},
             effect=value(TravelTime, "travel", "minutes")),
    Endpoint("travel delete", "delete", "travel-times/{travel.pk}", "lib_write", 204,
             effect=exists(TravelTime, "travel")),
    Endpoint("instructor list", "get", "instructors", "lib_read"),
    Endpoint("instructor detail", "get", "instructors/{instructor.pk}", "lib_read"),
    Endpoint("instructor create", "post", "instructors", "lib_write", 201, {"name": "新教师"},
             effect=count(Instructor)),
    Endpoint("instructor update", "patch", "instructors/{spare_instructor.pk}", "lib_write", 200, {"title": "讲师"},
             effect=value(Instructor, "spare_instructor", "title")),
    Endpoint("instructor delete", "delete", "instructors/{spare_instructor.pk}", "lib_write", 204,
             effect=exists(Instructor, "spare_instructor")),
    Endpoint("course list", "get", "courses", "lib_read"),
    Endpoint("course detail", "get", "courses/{course.pk}", "lib_read"),
    Endpoint("course create", "post", "courses", "lib_write", 201,
             {"code": "new-course", "form": "lecture", "title_zh": "新课"},
             effect=count(Course)),
    Endpoint("course update", "patch", "courses/{course.pk}", "lib_write", 200, {"active": False},
             effect=value(Course, "course", "active")),
    Endpoint("course delete", "delete", "courses/{course.pk}", "lib_write", 204,
             effect=exists(Course, "course")),
    # Programs.
    Endpoint("program list", "get", "programs", "list"),
    Endpoint("program detail", "get", "programs/{program.pk}", "read"),
    Endpoint("program create", "post", "programs", "plan_create", 201,
             {"title": "新培训班", "year": 2023, "organizer_id": "{program.organizer_id}"},
             effect=count(Program)),
    Endpoint("program update", "patch", "programs/{program.pk}", "plan_write", 200, {"contact_name": "李四"},
             effect=value(Program, "program", "contact_name")),
    # Only a draft never submitted may be deleted: the approver and the instructor do not see it.
    Endpoint("program delete", "delete", "programs/{draft.pk}", "plan_write", 204,
             overrides={"approver": 404, "instructor": 404}, published=False,
             effect=exists(Program, "draft")),
    Endpoint("program copy", "post", "programs/{program.pk}/copy", "plan_write", 201, {"year": 2023},
             effect=count(Program)),
    Endpoint("form mix", "get", "programs/{program.pk}/form-mix", "read"),
    Endpoint("plan pdf", "get", "programs/{program.pk}/plan.pdf", "read"),
    Endpoint("review document", "get", "programs/{program.pk}/reviews/{review.pk}/document", "read"),
    # Phases.
    Endpoint("phase list", "get", "phases", "list"),
    Endpoint("phase detail", "get", "phases/{phase.pk}", "read"),
    Endpoint("phase create", "post", "phases", "plan_create", 201,
             {"program_id": "{program.pk}", "starts_on": "2022-10-24", "ends_on": "2022-10-28"},
             effect=count(Phase, program="program")),
    Endpoint("phase update (class)", "patch", "phases/{phase.pk}", "class_write", 200, {"status": "in_progress"},
             effect=value(Phase, "phase", "status")),
    Endpoint("phase update (plan)", "patch", "phases/{phase.pk}", "class_write", 200, {"capacity": 70},
             overrides={"college_staff": 403},
             effect=value(Phase, "phase", "capacity")),
    Endpoint("phase delete", "delete", "phases/{phase2.pk}", "plan_write", 204,
             effect=exists(Phase, "phase2")),
    Endpoint("copy timetable", "post", "phases/{phase.pk}/copy-timetable", "class_write", 200,
             {"target_phase": "{phase2.pk}"},
             effect=count(Session, phase="phase2")),
    Endpoint("group sessions", "post", "phases/{phase.pk}/group-sessions", "class_write", 201,
             {"starts_at": "2022-10-12T19:30", "ends_at": "2022-10-12T21:00", "form": "discussion",
              "title": "分组研讨"},
             effect=count(Session, phase="phase")),
    Endpoint("timetable pdf", "get", "phases/{phase.pk}/timetable.pdf", "read"),
    Endpoint("timetable xlsx", "get", "phases/{phase.pk}/timetable.xlsx", "read"),
    Endpoint("timetable ics", "get", "phases/{phase.pk}/timetable.ics", "read"),
    Endpoint("group list", "get", "phases/{phase.pk}/groups", "read"),
    Endpoint("group detail", "get", "phases/{phase.pk}/groups/{group.pk}", "read"),
    Endpoint("group create", "post", "phases/{phase.pk}/groups", "class_write", 201, {"name": "新小组"},
             effect=count(Group, phase="phase")),
    Endpoint("group update", "patch", "phases/{phase.pk}/groups/{group.pk}", "class_write", 200, {"name": "一组"},
             effect=value(Group, "group", "name")),
    Endpoint("group delete", "delete", "phases/{phase.pk}/groups/{empty_group.pk}", "class_write", 204,
             effect=exists(Group, "empty_group")),
    Endpoint("committee list", "get", "phases/{phase.pk}/committee", "read"),
    # College staff see no registry people: they pick among those already in the class (the monitor).
    Endpoint("committee appoint", "post", "phases/{phase.pk}/committee", "class_write", 201,
             {"person_id": "{member.person_id}", "role": "study"},
             effect=count(ClassCommitteeMember, phase="phase")),
    Endpoint("committee remove", "delete", "phases/{phase.pk}/committee/{member.pk}", "class_write", 204,
             effect=exists(ClassCommitteeMember, "member")),
    Endpoint("branch detail", "get", "phases/{phase.pk}/temporary-branch", "read"),
    Endpoint("branch create", "post", "phases/{phase2.pk}/temporary-branch", "class_write", 201, {},
             effect=value(Phase, "phase2", "temporary_branch_id")),
    Endpoint("branch appoint", "post", "phases/{phase.pk}/temporary-branch/posts", "class_write", 201,
             {"person_id": "{member.person_id}", "role": "committee_member"},
             effect=count(Post, party_organization__training_phase="phase")),
    Endpoint("branch remove post", "delete", "phases/{phase.pk}/temporary-branch/posts/{post.pk}", "class_write",
             204,
             effect=exists(Post, "post")),
    # Sessions.
    Endpoint("session list", "get", "sessions", "list"),
    Endpoint("session calendar", "get", "sessions.ics", "list"),
    Endpoint("session detail", "get", "sessions/{session.pk}", "read"),
    Endpoint("session create", "post", "sessions", "class_create", 201,
             {"phase_id": "{phase.pk}", "starts_at": "2022-10-11T08:30", "ends_at": "2022-10-11T11:30",
              "form": "lecture", "title": "专题课"},
             effect=count(Session)),
    Endpoint("session update", "patch", "sessions/{session.pk}", "class_write", 200, {"title": "新标题"},
             effect=value(Session, "session", "title")),
    Endpoint("session move", "post", "sessions/{session.pk}/move", "class_write", 200,
             {"starts_at": "2022-10-12T08:30"},
             effect=value(Session, "session", "starts_at")),
    Endpoint("session delete", "delete", "sessions/{session.pk}", "class_write", 204,
             effect=exists(Session, "session")),
]


# The world's program is "returned": unit administrators see programs from enrollment on, and approvers
# do not read a plan while the organizer revises it (it comes back to them when submitted again).
NOT_SEEING = {"unit_admin", "approver"}


def expected_status(endpoint: Endpoint, role: str) -> int:
    if role == "anonymous":
        return 401
    if role in endpoint.overrides:
        return endpoint.overrides[role]
    kind = endpoint.kind
    if kind == "lib_read":
        return 200 if role in {"organizer", "college_staff"} else 403
    if kind == "lib_write":
        return endpoint.ok if role == "organizer" else 403
    if role in NO_TRAINING_ROLE:
        return 403
    if kind == "list":
        return 200
    if kind == "read":
        return 404 if role in NOT_SEEING else 200
    if kind == "plan_create":
        return endpoint.ok if role == "organizer" else 403
    if kind == "class_create":
        return endpoint.ok if role in MANAGE_CLASS else 403
    if role in NOT_SEEING:
        return 404  # the program is not one they may see
    if kind == "plan_write":
        return endpoint.ok if role == "organizer" else 403
    assert kind == "class_write", kind
    return endpoint.ok if role in MANAGE_CLASS else 403


def _fill(value, world):
    """"{phase.pk}" -> the id of the world's phase."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        obj = world
        for part in value[1:-1].split("."):
            obj = getattr(obj, part)
        return obj
    return value


def call(client, endpoint: Endpoint, world):
    path = endpoint.path.format(**vars(world))
    payload = {key: _fill(value, world) for key, value in (endpoint.payload or {}).items()}
    return client.call(endpoint.method, path, payload)


def test_matrix_covers_every_role_and_the_openapi_paths(users_by_role, api_as):
    assert set(ALL_ROLES) == set(users_by_role)
    paths = api_as(None).get("openapi.json").json()["paths"]
    training = {
        (method, path) for path, operations in paths.items() for method in operations
        if not path.startswith(("/api/v1/organs", "/api/v1/party-organizations", "/api/v1/people",
                                "/api/v1/posts", "/api/v1/spreadsheets", "/api/v1/jobs", "/api/v1/outbox",
                                "/api/v1/ledger", "/api/v1/enrollment", "/api/v1/me/",
                                "/api/v1/attendance", "/api/v1/leave", "/api/v1/completion",
                                "/api/v1/closing", "/api/v1/evaluation",
                                "/api/v1/certificates", "/api/v1/followup"))  # their own matrices
    }
    transitions = {("post", f"/api/v1/programs/{{program_id}}/{name}") for name in TRANSITIONS}
    assert len(TRANSITIONS) == len(services.TRANSITIONS)
    covered = {(e.method, _openapi_path(e.path)) for e in ENDPOINTS} | transitions
    assert training == covered


def _openapi_path(path: str) -> str:
    names = {"venue.pk": "venue_id", "spare_venue.pk": "venue_id", "classroom.pk": "classroom_id",
             "site.pk": "site_id", "spare_site.pk": "site_id", "travel.pk": "travel_time_id",
             "instructor.pk": "instructor_id", "spare_instructor.pk": "instructor_id", "course.pk": "course_id",
             "program.pk": "program_id", "draft.pk": "program_id", "review.pk": "review_id",
             "phase.pk": "phase_id", "phase2.pk": "phase_id", "group.pk": "group_id", "empty_group.pk": "group_id",
             "member.pk": "member_id", "post.pk": "post_id", "session.pk": "session_id"}
    for key, name in names.items():
        path = path.replace("{" + key + "}", "{" + name + "}")
    return "/api/v1/" + path


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_permission_matrix(api_as, users_by_role, world, endpoint, role, caplog):
    assert endpoint.method == "get" or endpoint.effect is not None, "say what the write changes"
    client = api_as(users_by_role[role])  # logging in writes the user's last_login: before the snapshot
    audit_before = AuditEntry.objects.count()
    writes = endpoint.method != "get"
    state_before = db_state() if writes else None
    effect_before = endpoint.effect(world) if writes else None
    response = call(client, endpoint, world)
    expected = expected_status(endpoint, role)
    assert response.status_code == expected, response.content
    assert_no_traceback_logged(caplog)
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected
        if writes:
            assert state_diff(state_before, db_state()) == {}  # a refusal changes nothing
    elif endpoint.method != "get":
        assert endpoint.effect(world) != effect_before, f"{endpoint.name} as {role}: {expected}, nothing changed"
        assert AuditEntry.objects.count() > audit_before
    elif endpoint.kind == "list" and endpoint.path != "sessions.ics":
        count = response.json()["count"]
        assert count == 0 if role in NOT_SEEING else count >= 1


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.published and not e.kind.startswith("lib")],
                         ids=lambda e: e.name)
def test_unit_admin_reads_a_program_open_for_enrollment(api_as, users_by_role, world, endpoint):
    Program.unscoped.filter(pk=world.program.pk).update(status="enrollment_open")
    client = api_as(users_by_role["unit_admin"])
    state_before = db_state() if endpoint.method != "get" else None
    response = call(client, endpoint, world)
    expected = 200 if endpoint.kind in {"read", "list"} else 403
    assert response.status_code == expected, response.content
    if endpoint.kind == "list" and endpoint.path != "sessions.ics":
        assert response.json()["count"] >= 1
    if endpoint.method != "get":
        assert state_diff(state_before, db_state()) == {}


# Transitions: each from a status it may start from.

TRANSITIONS = {
    # name: (status before, body, status after, who may)
    "submit": ("returned", {}, "submitted", "organizer"),
    "approve": ("submitted", {"comments": "同意"}, "approved", "approver"),
    "return": ("submitted", {"comments": "补充预算"}, "returned", "approver"),
    "reopen": ("approved", {"reason": "调整日期"}, "draft", "organizer"),
    "open-enrollment": ("approved", {}, "enrollment_open", "organizer"),
    "start": ("enrollment_open", {}, "in_progress", "organizer"),
    "close": ("in_progress", {}, "closed", "organizer"),
    "archive": ("closed", {}, "archived", "organizer"),
    "reopen-class": ("closed", {"reason": "补录纸质签到表"}, "in_progress", "organizer"),
}
PUBLISHED = {"enrollment_open", "in_progress", "closed", "archived"}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", TRANSITIONS)
def test_transition_matrix(api_as, users_by_role, world, name, role):
    before, body, after, who = TRANSITIONS[name]
    Program.unscoped.filter(pk=world.program.pk).update(status=before)
    if name == "close":
        make_current_pack(world.program)  # closing requires a current closing pack (tests/completion)
    client = api_as(users_by_role[role])
    state_before = db_state()
    response = client.post(f"programs/{world.program.pk}/{name}", body)
    if role == "anonymous":
        expected = 401
    elif role == who:
        expected = 200
    elif role == "unit_admin" and before not in PUBLISHED:
        expected = 404
    elif role == "approver" and before in ("draft", "returned"):
        expected = 404  # a plan the organizer revises is not the approver's to read until submitted
    else:
        expected = 403
    assert response.status_code == expected, response.content
    status = Program.unscoped.get(pk=world.program.pk).status
    if expected == 200:
        assert response.json()["status"] == after == status
        assert AuditEntry.objects.filter(model="training.program", object_pk=str(world.program.pk)).exists()
    else:
        assert status == before
        assert state_diff(state_before, db_state()) == {}


# Outside the scope -------------------------------------------------------------------------------

def test_college_staff_of_another_venue_see_nothing_of_the_program(api_as, users_by_role, world):
    world.venue.staff.clear()
    VenueFactory().staff.add(users_by_role["college_staff"])
    client = api_as(users_by_role["college_staff"])
    assert client.get("programs").json()["count"] == 0
    assert client.get("sessions").json()["count"] == 0
    assert client.get("phases").json()["count"] == 0
    for path in [f"programs/{world.program.pk}", f"phases/{world.phase.pk}", f"sessions/{world.session.pk}",
                 f"phases/{world.phase.pk}/groups", f"phases/{world.phase.pk}/timetable.pdf"]:
        assert client.get(path).status_code == 404, path
    assert client.patch(f"sessions/{world.session.pk}", {"title": "x"}).status_code == 404
    assert client.delete(f"phases/{world.phase.pk}/groups/{world.empty_group.pk}").status_code == 404
    assert not AuditEntry.objects.exists()


def test_approver_does_not_see_a_plan_never_submitted(api_as, users_by_role, world):
    client = api_as(users_by_role["approver"])
    assert client.get("programs").json()["items"] == []  # the returned plan is being revised (B7)
    Program.unscoped.filter(pk=world.program.pk).update(status="submitted")
    assert [item["id"] for item in client.get("programs").json()["items"]] == [world.program.pk]
    assert client.get(f"programs/{world.draft.pk}").status_code == 404
    assert client.post(f"programs/{world.draft.pk}/approve", {}).status_code == 404


def test_instructor_who_teaches_nothing_there_sees_nothing(api_as, users_by_role, world):
    world.session.instructors.clear()
    client = api_as(users_by_role["instructor"])
    assert client.get("programs").json()["count"] == 0
    assert client.get(f"programs/{world.program.pk}").status_code == 404
    assert client.get(f"sessions/{world.session.pk}").status_code == 404


def test_instructor_sees_the_program_but_only_their_sessions(api_as, users_by_role, world):
    other = SessionFactory(phase=world.phase, starts_at=at(world.phase.starts_on, "14:30"),
                           ends_at=at(world.phase.starts_on, "17:00"))
    client = api_as(users_by_role["instructor"])
    assert [item["id"] for item in client.get("sessions").json()["items"]] == [world.session.pk]
    assert client.get(f"sessions/{other.pk}").status_code == 404
    assert client.get(f"programs/{world.program.pk}").json()["allowed_transitions"] == []
