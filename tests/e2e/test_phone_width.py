"""No page scrolls sideways on a phone (390 x 844), in Chinese and in English; wide tables and grids
scroll inside their own box; axe-core finds no accessibility violation (WCAG 2.1 AA) on any of them. And the
English main menu fits one line at 1280 px.

Every main page is visited as the role that uses it: the organizer for the registry, the import page and
a job's report, the audit trail, the training library, programs and the timetable (with the buttons that
write portal drafts); anonymous for the public portal. Screenshots: tests/e2e/screenshots/phone-*.png.
"""

import pytest
from django.urls import reverse

from dangjian.core.audit import audit_record
from dangjian.jobs.models import BackgroundJob
from tests.e2e.conftest import DESKTOP, PHONE, BrowserSession, assert_accessible, axe_violations, log_in

pytestmark = pytest.mark.e2e

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def pages(organizer, registry, phase, demo_portal):
    """The main pages: (name, path, signed in as the organizer or not)."""
    wang_wei = registry["wang_wei"]
    organ = registry["organ"]
    committee = organ.party_organizations.order_by("pk").first()
    program = phase.program
    audit_record(actor=organizer, action="update", instance=wang_wei, changes={"position": ["科员", "办公室主任"]})
    long_message = "“1234567890123456789”不是有效的身份证号：校验码应为 X，请核对后重新填写。" * 2
    job = BackgroundJob.unscoped.create(
        kind=BackgroundJob.Kind.REGISTRY_IMPORT, requested_by=organizer, params={"kind": "people"},
        filename="南阳市直机关各单位新任党组织书记名单（2022年10月）.xlsx", status="failed",
        result={"kind": "people", "counts": {}, "error_count": 2, "omitted": 0, "errors": [
            {"sheet": "人员", "row": 3, "column": "身份证号", "message": long_message},
            {"sheet": "任职", "row": 12, "column": "上级党组织所在单位代码", "message": long_message}]})
    staff = [
        ("home", reverse("home")),
        ("organs", reverse("organ_list")),
        ("organ", reverse("organ_detail", args=[organ.pk])),
        ("party-organizations", reverse("party_organization_list")),
        ("party-organization", reverse("party_organization_detail", args=[committee.pk])),
        ("people", reverse("person_list")),
        ("person", reverse("person_detail", args=[wang_wei.pk])),
        ("spreadsheets", reverse("spreadsheets")),
        ("job", reverse("job_detail", args=[job.pk])),
        ("audit", reverse("audit_list")),
        ("library", reverse("library_index")),
        ("venues", reverse("venue_list")),
        ("courses", reverse("course_list")),
        ("instructors", reverse("instructor_list")),
        ("sites", reverse("site_list")),
        ("programs", reverse("program_list")),
        ("program", reverse("program_detail", args=[program.pk])),
        ("timetable", reverse("phase_timetable", args=[phase.pk])),
    ]
    public = [
        ("portal", "/portal/"),
        ("portal-channel", demo_portal["seed"].get_parent().url),
        ("portal-article", demo_portal["seed"].url),
        ("portal-search", "/portal/search/?q=书记"),
    ]
    return staff, public


def _problems(session: BrowserSession, name: str, path: str, language: str) -> list[str]:
    """What is wrong with the page on a phone: scrolling sideways, and axe-core's accessibility violations."""
    session.page.goto(path)
    session.page.wait_for_load_state("load")
    session.screenshot(f"phone-{language}-{name}")
    excess = session.page.evaluate(OVERFLOW)
    problems = [f"{excess}px too wide"] if excess > 1 else []
    problems += axe_violations(session.page)
    return [f"{name} ({path}, {language}): {problem}" for problem in problems]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, pages, language):
    staff, public = pages
    session = BrowserSession(browser, live_server.url, PHONE)
    try:
        session.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        problems = [problem for name, path in public for problem in _problems(session, name, path, language)]
        log_in(session.page, "organizer")
        problems += [problem for name, path in staff for problem in _problems(session, name, path, language)]
        assert problems == [], "\n".join(problems)
        assert session.console_errors == []
    finally:
        session.close()


def test_the_english_main_menu_fits_one_line_at_1280(browser, live_server, organizer):
    session = BrowserSession(browser, live_server.url, DESKTOP)
    try:
        session.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        log_in(session.page, "organizer")
        session.page.goto(reverse("home"))
        tops = session.page.eval_on_selector_all(".mainnav a", "links => links.map(link => link.offsetTop)")
        assert len(tops) >= 8 and len(set(tops)) == 1, tops
        assert session.page.evaluate(OVERFLOW) <= 1
        session.screenshot("menu-en-1280")
        assert_accessible(session.page, "menu-en-1280")
    finally:
        session.close()
