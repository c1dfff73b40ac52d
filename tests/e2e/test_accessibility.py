"""A broad accessibility sweep (WCAG 2.1 AA, GB/T 37668): as the organizer, a unit administrator, a college's staff
and a participant, the main page of each app, checked by axe-core in Chromium (tests/e2e/conftest.py
assert_accessible), in Chinese at desktop width; the participant's pages on a phone (390 px), where they use them;
the login page signed out. The other browser tests check the pages of their flows the same way (the public portal:
test_portal_browser.py, test_phone_width.py); this one makes sure no main page of a role is left out."""

import datetime

import pytest
from django.urls import reverse

from dangjian.enrollment.models import Nomination
from dangjian.jobs.models import BackgroundJob
from dangjian.outbox import services as outbox
from dangjian.outbox.services import Recipient
from dangjian.training.models import Program
from tests.e2e.conftest import DESKTOP, PHONE, BrowserSession, axe_violations, log_in, make_user
from tests.factories import TrainingRecordFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(organizer, registry, phase, ledger_rules):
    """The conftest's registry and phase, with a unit administrator of the organ, the college's staff, a
    participant (王伟, confirmed for the phase), a training record, an outbox draft and a background job."""
    organ, wang_wei = registry["organ"], registry["wang_wei"]
    program = phase.program
    program.status = Program.Status.ENROLLMENT_OPEN
    program.save()
    unit_admin = make_user("unitadmin", ["unit_admin"], full_name="南阳市教育局 王芳")
    unit_admin.organs.set([organ])
    college = make_user("college", ["college_staff"], full_name="大别山干部学院 刘老师")
    program.venue.staff.add(college)
    participant = make_user("participant", ["participant"], full_name="王伟")
    participant.person = wang_wei
    participant.save()
    Nomination.unscoped.create(program=program, person=wang_wei, organ=organ, status="confirmed",
                               preferred_phase=phase, nominated_by=unit_admin, decided_by=organizer)
    TrainingRecordFactory(person=wang_wei, kind="online", hours=12, title="学习强国专题学习", institution="学习强国",
                          starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 1))
    reminder = {"post": "机关第一党支部书记", "appointed_on": datetime.date(2026, 7, 3),
                "due_by": datetime.date(2027, 1, 3)}
    outbox.messages_compose(kind="induction_due", recipients=[Recipient(person=wang_wei)], by=organizer,
                            program=program, context=reminder)
    job = BackgroundJob.unscoped.create(
        kind=BackgroundJob.Kind.REGISTRY_IMPORT, requested_by=organizer, params={"kind": "people"},
        filename="人员.xlsx", status="failed", result={"kind": "people", "counts": {}, "error_count": 1, "omitted": 0,
                                                      "errors": [{"sheet": "人员", "row": 3, "column": "身份证号",
                                                                  "message": "身份证号校验码有误"}]})
    return {"organ": organ, "person": wang_wei, "program": program, "phase": phase, "job": job}


def _pages(world) -> dict[str, list[tuple[str, str]]]:
    organ, person, program, phase = world["organ"], world["person"], world["program"], world["phase"]
    ledger = [("ledger-city", reverse("ledger_city")), ("ledger-organ", reverse("ledger_organ", args=[organ.pk])),
              ("ledger-person", reverse("ledger_person", args=[person.pk]))]
    return {
        "organizer": [
            ("home", reverse("home")),
            ("organs", reverse("organ_list")),
            ("party-organizations", reverse("party_organization_list")),
            ("people", reverse("person_list")),
            ("person", reverse("person_detail", args=[person.pk])),
            ("programs", reverse("program_list")),
            ("program", reverse("program_detail", args=[program.pk])),
            ("timetable", reverse("phase_timetable", args=[phase.pk])),
            ("enrollment", reverse("enrollment_overview", args=[program.pk])),
            ("completion-results", reverse("completion_results", args=[program.pk])),
            ("certificates", reverse("program_certificates", args=[program.pk])),
            *ledger,
            ("outbox", reverse("outbox_list")),
            ("job", reverse("job_detail", args=[world["job"].pk])),
        ],
        "unitadmin": [
            ("home", reverse("home")),
            ("people", reverse("person_list")),
            ("nominate", reverse("nominate_page", args=[program.pk, organ.pk])),
            *ledger[1:],
        ],
        "college": [
            ("home", reverse("home")),
            ("programs", reverse("program_list")),
            ("program", reverse("program_detail", args=[program.pk])),
            ("timetable", reverse("phase_timetable", args=[phase.pk])),
        ],
        "participant": [
            ("home", reverse("home")),
            ("my-enrollment", reverse("my_enrollment")),
            ("certificate-verify", reverse("certificate_verify_form")),
        ],
    }


def _check(session: BrowserSession, name: str, path: str) -> list[str]:
    response = session.page.goto(path)
    session.page.wait_for_load_state("load")
    if response.status != 200:
        return [f"{name} ({path}): HTTP {response.status}"]
    session.screenshot(f"a11y-{name}")
    return [f"{name} ({path}): {violation}" for violation in axe_violations(session.page)]


def test_main_pages_of_every_role_are_accessible(browser, live_server, world):
    """Each role's pages in Chinese, then in English (the words differ in length, and so may the layout)."""
    problems, console_errors = [], []
    for language in ("zh-hans", "en"):
        session = BrowserSession(browser, live_server.url, DESKTOP)
        try:
            session.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            problems += _check(session, f"{language}-login", reverse("login"))
            for role, pages in _pages(world).items():
                if role == "participant":  # a participant uses a phone
                    console_errors += session.console_errors
                    session.close()
                    session = BrowserSession(browser, live_server.url, PHONE)
                    session.context.add_cookies([{"name": "django_language", "value": language,
                                                  "url": live_server.url}])
                log_in(session.page, role)
                session.page.wait_for_load_state("load")
                for name, path in pages:
                    problems += _check(session, f"{language}-{role}-{name}", path)
                session.context.clear_cookies(name="sessionid")  # signed out; the language stays
            console_errors += session.console_errors
        finally:
            session.close()
    assert problems == [], "\n".join(problems)
    assert console_errors == []
