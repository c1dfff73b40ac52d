"""The permission matrix of the timetable pages: every URL of web/urls_timetable.py x every role.

anonymous                         -> 302 to the login page
participant, editor, reviewer     -> 403 (no training role: refused before any lookup)
a program outside the user's scope -> 404 (the scoped lookup does not find it)
organizer, college staff of the venue -> build the timetable (200; 302 after a move or delete; 400 for an
                                     empty form)
approver, unit admin, instructor  -> read the grid (200), 403 on every change
my_sessions                       -> instructors only (403 for everyone else)

Every POST carries valid data, and its outcome is read again from the database: done (302), the session or the
timetable changed; refused, no row of the platform changed at all.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from dangjian.training.models import Program, Session
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.factories import InstructorFactory, PhaseFactory, ProgramFactory, SessionFactory, VenueFactory, at
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
NO_TRAINING_ROLE = {"participant", "editor", "reviewer"}
BUILDERS = {"organizer", "college_staff"}

# (url name, method, which record of the `records` fixture the URL takes, or None)
PAGES = [
    ("phase_timetable", "get", "phase"),
    ("phase_timetable", "get", "draft_phase"),
    ("timetable_session_create", "get", "phase"),
    ("timetable_session_create", "get", "draft_phase"),
    ("timetable_session_create", "post", "phase"),
    ("timetable_session_create", "post", "draft_phase"),
    ("timetable_catalog", "get", "phase"),
    ("timetable_catalog", "get", "draft_phase"),
    ("phase_timetable_copy", "get", "phase2"),  # copy into phase 2 from phase 1
    ("phase_timetable_copy", "get", "draft_phase2"),
    ("phase_timetable_copy", "post", "phase2"),
    ("phase_timetable_copy", "post", "draft_phase2"),
    ("timetable_session_edit", "get", "session"),
    ("timetable_session_edit", "get", "draft_session"),
    ("timetable_session_edit", "post", "session"),
    ("timetable_session_move", "post", "session"),
    ("timetable_session_move", "post", "draft_session"),
    ("timetable_session_delete", "post", "session"),
    ("timetable_session_delete", "post", "draft_session"),
    ("my_sessions", "get", None),
]

VIEW_PAGES = {"phase_timetable"}

# Valid data for each POST (the phases run 2022-10-10 to 14; each has one session on the 10th, 08:30-11:30).
SESSION_DATA = {"form": "lecture", "title": "《条例》解读", "title_en": "", "day": "2022-10-12", "start": "08:30",
                "end": "11:30", "hours": "", "place_note": ""}
POST_DATA = {
    "timetable_session_create": lambda records, phase: SESSION_DATA,
    "phase_timetable_copy": lambda records, phase: {"source": phase.program.phases.exclude(pk=phase.pk).get().pk},
    "timetable_session_edit": lambda records, session: {**SESSION_DATA, "day": "2022-10-10", "title": "改后的题目"},
    "timetable_session_move": lambda records, session: {"day": "2022-10-11", "time": "14:00"},
    "timetable_session_delete": lambda records, session: {},
}
# What each POST changes, read from the database.
EFFECTS = {
    "timetable_session_create": lambda phase: Session.unscoped.filter(phase=phase).count(),
    "phase_timetable_copy": lambda phase: Session.unscoped.filter(phase__program=phase.program).count(),
    "timetable_session_edit": lambda session: Session.unscoped.get(pk=session.pk).title,
    "timetable_session_move": lambda session: Session.unscoped.get(pk=session.pk).starts_at,
    "timetable_session_delete": lambda session: Session.unscoped.filter(pk=session.pk).exists(),
}


def expected_status(role: str, name: str, method: str, target: str | None) -> int:
    if role == "anonymous":
        return 302
    if name == "my_sessions":
        return 200 if role == "instructor" else 403
    if role in NO_TRAINING_ROLE:
        return 403
    if target.startswith("draft_") and role != "organizer":
        return 404
    if name not in VIEW_PAGES and role not in BUILDERS:
        return 403
    return 302 if method == "post" else 200


def _cases():
    for name, method, target in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, name, method, target)
            case_id = f"{method.upper()} {name}{'(' + target + ')' if target else ''} as {role} -> {status}"
            yield pytest.param(role, name, method, target, status, id=case_id)


def _build_records(users_by_role, _unit_admins_organ):
    """A program open for enrollment at the college-staff user's venue, in which the instructor user
    teaches; and a draft, never submitted, at another venue that only organizers see."""
    venue = VenueFactory()
    venue.staff.add(users_by_role["college_staff"])
    program = ProgramFactory(venue=venue, status=Program.Status.ENROLLMENT_OPEN, phase_count=2,
                             submitted_at=at(datetime.date(2022, 9, 1), "09:00"))
    phase = PhaseFactory(program=program, number=1)
    phase2 = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 17),
                          ends_on=datetime.date(2022, 10, 21))  # where the timetable is copied to
    session = SessionFactory(phase=phase)
    session.instructors.set([InstructorFactory(user=users_by_role["instructor"])])
    draft = ProgramFactory(status=Program.Status.DRAFT, phase_count=2)
    draft_phase = PhaseFactory(program=draft, number=1)
    draft_phase2 = PhaseFactory(program=draft, number=2, starts_on=datetime.date(2022, 10, 17),
                                ends_on=datetime.date(2022, 10, 21))
    draft_session = SessionFactory(phase=draft_phase)
    return SimpleNamespace(phase=phase, phase2=phase2, session=session, draft_phase=draft_phase,
                           draft_phase2=draft_phase2, draft_session=draft_session)


_built_once, users_by_role, records = world_per_module(_build_records)


@pytest.mark.parametrize("role, name, method, target, status", list(_cases()))
def test_timetable_permission_matrix(client, users_by_role, records, role, name, method, target, status, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    record = getattr(records, target) if target else None
    url = reverse(name, args=[record.pk] if record else [])
    if method == "get":
        response = client.get(url)
    else:
        before, state_before = EFFECTS[name](record), db_state()
        response = client.post(url, POST_DATA[name](records, record))
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if method == "post" and status == 302 and role != "anonymous":
        assert EFFECTS[name](record) != before, f"{name} as {role}: {status}, but nothing changed"
    elif method == "post":
        assert state_diff(state_before, db_state()) == {}


def test_every_timetable_url_is_in_the_matrix():
    from dangjian.web.urls_timetable import urlpatterns

    assert {pattern.name for pattern in urlpatterns} <= {name for name, _method, _target in PAGES}


def test_draft_is_hidden_from_everyone_but_organizers(users_by_role, records):
    """The fixture's premise: only organizers see the draft; every training role sees the open program."""
    from dangjian.training.models import Phase

    for role in ["approver", "unit_admin", "college_staff", "instructor"]:
        visible = Phase.objects.filter(program__in=Program.objects.visible_to(users_by_role[role]))
        assert set(visible) == set(records.phase.program.phases.all()), role
        assert records.draft_phase.program not in Program.objects.visible_to(users_by_role[role])
