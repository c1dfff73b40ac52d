"""The permission matrix of the training documents: every URL of web/urls_documents.py x every role (and
anonymous), with the expected status.

anonymous                                 -> 302 to the login page
participant, editor, reviewer             -> 403 (no training role)
a program or phase outside the scope      -> 404 (approver: submitted plans; unit admin: enrollment open and
                                             later; college staff: at their venue; instructor: where they teach)
inside the scope                          -> 200
my_sessions_ics                           -> 200 for instructors, 403 for everyone else
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.training import documents
from dangjian.training.models import Program
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.factories import InstructorFactory, PhaseFactory, ProgramFactory, SessionFactory, VenueFactory
from tests.shared_world import world_per_module

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
TRAINING_ROLES = {"organizer", "approver", "unit_admin", "college_staff", "instructor"}

# (url name, method, which record of the `records` fixture the URL takes, or None)
PAGES = [
    ("program_plan_pdf", "get", "program"),
    ("program_plan_pdf", "get", "draft_program"),
    ("phase_timetable_pdf", "get", "phase"),
    ("phase_timetable_pdf", "get", "draft_phase"),
    ("phase_timetable_xlsx", "get", "phase"),
    ("phase_timetable_xlsx", "get", "draft_phase"),
    ("phase_timetable_ics", "get", "phase"),
    ("phase_timetable_ics", "get", "draft_phase"),
    ("my_sessions_ics", "get", None),
]

# Who sees `program` (approved: submitted, at the college staff's venue, taught by the instructor).
SEES_PROGRAM = {"organizer", "approver", "college_staff", "instructor"}


def expected_status(role: str, name: str, target: str | None) -> int:
    if role == "anonymous":
        return 302
    if name == "my_sessions_ics":
        return 200 if role == "instructor" else 403
    if role not in TRAINING_ROLES:
        return 403
    if target.startswith("draft_"):  # a draft never submitted, elsewhere: only organizers see it
        return 200 if role == "organizer" else 404
    return 200 if role in SEES_PROGRAM else 404


def _cases():
    for name, method, target in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, name, target)
            case_id = f"{method.upper()} {name}{'(' + target + ')' if target else ''} as {role} -> {status}"
            yield pytest.param(role, name, method, target, status, id=case_id)


@pytest.fixture(autouse=True)
def _no_pdf_rendering(monkeypatch):
    monkeypatch.setattr(documents, "html_to_pdf", lambda html: b"%PDF-1.7 stub")


def _build_records(users_by_role, _unit_admins_organ):
    venue = VenueFactory()
    venue.staff.add(users_by_role["college_staff"])
    program = ProgramFactory(venue=venue, status=Program.Status.APPROVED,
                             submitted_at=timezone.make_aware(datetime.datetime(2022, 9, 20, 10, 0)))
    phase = PhaseFactory(program=program, number=1)
    session = SessionFactory(phase=phase)
    session.instructors.set([InstructorFactory(user=users_by_role["instructor"])])
    draft_program = ProgramFactory(status=Program.Status.DRAFT, submitted_at=None)
    draft_phase = PhaseFactory(program=draft_program, number=1)
    SessionFactory(phase=draft_phase)
    return SimpleNamespace(program=program, phase=phase, draft_program=draft_program, draft_phase=draft_phase)


_built_once, users_by_role, records = world_per_module(_build_records)


@pytest.mark.parametrize("role, name, method, target, status", list(_cases()))
def test_document_permission_matrix(client, users_by_role, records, role, name, method, target, status, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    args = [getattr(records, target).pk] if target else []
    response = getattr(client, method)(reverse(name, args=args))
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if status == 200:
        assert "Content-Disposition" in response


def test_every_document_url_is_in_the_matrix():
    from dangjian.web.urls_documents import urlpatterns

    assert {pattern.name for pattern in urlpatterns} == {name for name, _method, _target in PAGES}
