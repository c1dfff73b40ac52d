"""Downloads of the training documents: content types, Chinese file names, scoping of the timetable's
sessions, an instructor's own calendar, and query counts that do not grow with the sessions.

The PDF views are tested with the HTML-to-PDF step replaced by a stub (the templates still render,
so their queries count); tests/training/test_documents.py renders real PDFs.
"""

import datetime
import io
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from dangjian.training import documents
from dangjian.training.models import Program, SessionStop
from tests.factories import (
    GroupFactory,
    InstructorFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    UserFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db

TITLE = "2022年南阳市直机关新任党组织书记培训班"
PDF_STUB = b"%PDF-1.7 stub"


@pytest.fixture(autouse=True)
def _no_pdf_rendering(monkeypatch):
    rendered = []

    def fake(html: str) -> bytes:
        rendered.append(html)
        return PDF_STUB

    monkeypatch.setattr(documents, "html_to_pdf", fake)
    return rendered


def fill(phase, count: int, *, instructor=None):
    """`count` sessions over the phase's days, each with an instructor, two red-site stops or a group."""
    sites = [SiteFactory(), SiteFactory()]
    group = phase.groups.filter(number=1).first() or GroupFactory(phase=phase, number=1)
    sessions = []
    for i in range(count):
        day = phase.starts_on + datetime.timedelta(days=i % 5)
        start = f"{8 + 2 * (i // 5):02d}:00"
        end = f"{9 + 2 * (i // 5):02d}:30"
        session = SessionFactory(phase=phase, starts_at=at(day, start), ends_at=at(day, end),
                                 form=("lecture", "onsite_teaching", "discussion")[i % 3], hours=Decimal("1.5"),
                                 venue=phase.program.venue, group=group if i % 3 == 2 else None)
        session.instructors.set([instructor or InstructorFactory()])
        if i % 3 == 1:
            for order, site in enumerate(sites):
                SessionStop.objects.create(session=session, site=site, order=order)
        sessions.append(session)
    return sessions


@pytest.fixture
def program(db):
    return ProgramFactory(title=TITLE, status=Program.Status.APPROVED,
                          submitted_at=at(datetime.date(2022, 9, 20), "10:00"),
                          venue=VenueFactory(name_zh="河南大别山干部学院"))


@pytest.fixture
def phase(program):
    return PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                        ends_on=datetime.date(2022, 10, 14))


def get(client, user, name, *args, language: str = ""):
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse(name, args=args))


def rfc5987(filename: str) -> str:
    return "filename*=utf-8''" + quote(filename)


# --- Content types and file names --------------------------------------------------------------------

def test_plan_pdf_is_served_inline_with_its_chinese_name(client, organizer, program, phase,
                                                         _no_pdf_rendering):
    fill(phase, 3)

    response = get(client, organizer, "program_plan_pdf", program.pk)  # Chinese, the default

    assert response.status_code == 200
    assert response.content == PDF_STUB
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; " + rfc5987(f"{TITLE}-")) and disposition.endswith(".pdf")
    assert "private" in response["Cache-Control"]
    [html] = _no_pdf_rendering
    assert TITLE in html and "河南大别山干部学院" in html
    english = get(client, organizer, "program_plan_pdf", program.pk, language="en")
    assert english["Content-Disposition"] == "inline; " + rfc5987(f"{TITLE}-training plan.pdf")


@pytest.mark.parametrize("name, content_type, extension, inline", [
    ("phase_timetable_pdf", "application/pdf", "pdf", True),
    ("phase_timetable_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", False),
    ("phase_timetable_ics", "text/calendar; charset=utf-8", "ics", False),
])
def test_phase_timetable_downloads(client, organizer, phase, name, content_type, extension, inline):
    fill(phase, 4)

    response = get(client, organizer, name, phase.pk, language="en")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; " if inline else "attachment; ")
    assert disposition.endswith(rfc5987(f"{TITLE}-Phase 1 timetable.{extension}"))


def test_excel_download_opens_with_every_session(client, organizer, phase):
    sessions = fill(phase, 4)

    response = get(client, organizer, "phase_timetable_xlsx", phase.pk)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    # Rows 1-3: the title, the dates and place, the header.
    titles = [row[5] for row in sheet.iter_rows(min_row=4, max_row=sheet.max_row - 1, values_only=True)]
    assert titles == [s.title for s in sorted(sessions, key=lambda s: s.starts_at)]


def test_documents_follow_the_language_of_the_user(client, organizer, phase, _no_pdf_rendering):
    fill(phase, 1)

    get(client, organizer, "phase_timetable_pdf", phase.pk, language="en")
    get(client, organizer, "phase_timetable_pdf", phase.pk, language="zh-hans")

    english, chinese = _no_pdf_rendering
    assert '<html lang="en">' in english and "Oct. 10, 2022" in english
    assert '<html lang="zh-Hans">' in chinese and "2022年10月10日" in chinese


def test_only_get_is_allowed(client, organizer, phase):
    client.force_login(organizer)
    assert client.post(reverse("phase_timetable_ics", args=[phase.pk])).status_code == 405


# --- Scoping of the sessions ---------------------------------------------------------------------------

def calendar_uids(response) -> list[str]:
    return [str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")]


def test_instructor_gets_only_their_own_sessions_of_a_phase(client, phase):
    user = UserFactory(roles=["instructor"])
    mine = fill(phase, 2, instructor=InstructorFactory(user=user))
    others = fill(PhaseFactory(program=phase.program, number=2, starts_on=phase.starts_on,
                               ends_on=phase.ends_on), 1)
    SessionFactory(phase=phase, starts_at=at(phase.ends_on, "19:00"), ends_at=at(phase.ends_on, "20:00"))

    response = get(client, user, "phase_timetable_ics", phase.pk)

    assert response.status_code == 200
    assert calendar_uids(response) == [f"session-{s.pk}@dangjian" for s in mine]
    elsewhere = get(client, user, "phase_timetable_ics", others[0].phase_id)  # a phase they do not teach in
    assert elsewhere.status_code == 200 and calendar_uids(elsewhere) == []


def test_organizer_gets_every_session_of_the_phase(client, organizer, phase):
    sessions = fill(phase, 3)

    response = get(client, organizer, "phase_timetable_ics", phase.pk)

    assert sorted(calendar_uids(response)) == sorted(f"session-{s.pk}@dangjian" for s in sessions)


def test_my_sessions_calendar_has_the_instructors_sessions_across_programs(client, phase):
    user = UserFactory(roles=["instructor"])
    instructor = InstructorFactory(user=user)
    mine = fill(phase, 2, instructor=instructor)
    other_phase = PhaseFactory(starts_on=datetime.date(2022, 11, 7), ends_on=datetime.date(2022, 11, 11))
    mine += fill(other_phase, 1, instructor=instructor)
    fill(phase, 2)  # taught by others

    response = get(client, user, "my_sessions_ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment; " in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    assert calendar_uids(response) == [f"session-{s.pk}@dangjian" for s in sorted(mine, key=lambda s: s.starts_at)]
    assert all(event.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=8)
               for event in calendar.walk("VEVENT"))


def test_my_sessions_calendar_of_an_instructor_without_profile_is_empty(client):
    response = get(client, UserFactory(roles=["instructor"]), "my_sessions_ics")

    assert response.status_code == 200
    assert calendar_uids(response) == []


@pytest.mark.parametrize("role", ["organizer", "college_staff", "participant"])
def test_my_sessions_calendar_is_for_instructors_only(client, role):
    assert get(client, UserFactory(roles=[role]), "my_sessions_ics").status_code == 403


# --- Query counts --------------------------------------------------------------------------------------

def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["program_plan_pdf", "phase_timetable_pdf", "phase_timetable_xlsx",
                                  "phase_timetable_ics", "my_sessions_ics"])
def test_query_count_does_not_grow_with_the_sessions(client, name):
    """1 session, then 12 (with instructors, red-site stops, groups and a second phase): the same number
    of queries."""
    user = UserFactory(roles=["organizer", "instructor"])
    instructor = InstructorFactory(user=user)
    counts = []
    for size in (1, 12):
        program = ProgramFactory(status=Program.Status.APPROVED, phase_count=2,
                                 submitted_at=at(datetime.date(2022, 9, 1), "10:00"))
        first = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                             ends_on=datetime.date(2022, 10, 14))
        second = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 17),
                              ends_on=datetime.date(2022, 10, 21))
        fill(first, size, instructor=instructor)
        fill(second, size)
        args = [] if name == "my_sessions_ics" else [program.pk if name == "program_plan_pdf" else first.pk]
        client.force_login(user)
        counts.append(count_queries(client, reverse(name, args=args)))
        client.logout()
    assert counts[0] == counts[1], counts
