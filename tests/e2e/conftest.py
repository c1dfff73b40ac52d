"""Browser tests: Playwright (sync API) driving the system Chromium against pytest-django's live_server.

Chromium is the Debian package (`apt-get install chromium`), never `playwright install`. Without it
the tests are skipped, unless DANGJIAN_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
Screenshots go to tests/e2e/screenshots/ (output, not committed).

Every page a browser test visits is also checked for accessibility (WCAG 2.1 AA, GB/T 37668) with axe-core
(npm, node_modules/axe-core): `assert_accessible(page, "what this page is")`.
"""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest

from dangjian.organizations.models import PartyOrganization
from dangjian.portal.demo import load_portal
from dangjian.training.models import Program, SessionStop
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    GroupFactory,
    InstructorFactory,
    OrganFactory,
    PartyOrganizationFactory,
    PersonFactory,
    PhaseFactory,
    PostFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    UserFactory,
    VenueFactory,
    at,
    make_id_number,
)

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls (factories)
# would otherwise trip Django's "you cannot call this from an async context" guard.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install the Debian package 'chromium' to run the browser tests"
        if os.environ.get("DANGJIAN_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (DANGJIAN_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class BrowserSession:
    """One browser context (its own cookies) on the live server, Chinese locale, console errors kept."""

    def __init__(self, browser, base_url: str, viewport: dict):
        self.context = browser.new_context(locale="zh-CN", viewport=viewport, base_url=base_url,
                                           extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def session(browser, live_server, transactional_db):
    session = BrowserSession(browser, live_server.url, DESKTOP)
    yield session
    session.close()


@pytest.fixture
def phone_session(browser, live_server, transactional_db):
    session = BrowserSession(browser, live_server.url, PHONE)
    yield session
    session.close()


# Accessibility: axe-core in the page -------------------------------------------------------------------------

def axe_violations(page, exclude: tuple[str, ...] = ()) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now, one readable line per element:
    rule id, impact, CSS selector of the element, the rule, what axe found
    (for a contrast: the colours and their ratio). `exclude`: selectors of elements not ours to fix
    (a third-party widget), each excluded by the caller with a comment saying why.

    axe's source goes in with page.evaluate (the DevTools protocol), which the Content-Security-Policy does not
    govern: the page keeps its strict policy, and the tests still see every violation of it. axe needs script
    in the page: in a context with java_script_enabled=False it never finishes."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        """async ([exclude, tags]) => {
            const context = exclude.length ? {include: [document], exclude: exclude.map(s => [s])} : document;
            const results = await axe.run(context, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return results.violations.flatMap(v => v.nodes.map(n => [v.id, v.impact, n.target.join(" "), v.help,
                [...n.any, ...n.all, ...n.none].map(check => check.message).join(" ")]));
        }""", [list(exclude), AXE_TAGS])
    return [f"{rule} ({impact}) at {target}: {help}. {detail}" for rule, impact, target, help, detail in result]


def assert_accessible(page, context: str = "", exclude: tuple[str, ...] = ()) -> None:
    """Fail with the list of axe-core's WCAG 2.1 A/AA violations on the page, if any. `context` names the page in
    the failure message (default: its URL)."""
    violations = axe_violations(page, exclude)
    where = context or page.url
    assert not violations, f"accessibility violations on {where} ({page.url}):\n" + "\n".join(violations)


# Signing in through the login form, as a person does -------------------------------------------------------

PASSWORD = "Lang-yu-2022-wan"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, roles: list[str], full_name: str = "", password: str = PASSWORD):
    user = UserFactory(username=username, full_name=full_name or username, roles=roles)
    user.set_password(password)
    user.save()
    return user


def log_in(page, username: str = "organizer", password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")


@pytest.fixture
def organizer(transactional_db):
    return make_user("organizer", ["organizer"], full_name="工委组织部 李明")


# The worlds the flows run in ------------------------------------------------------------------------------

@pytest.fixture
def ledger_rules(transactional_db):
    """The training requirements that migration ledger/0002 writes. A transactional test (every browser test)
    empties all tables when it ends, migration-written rows included: write them again (idempotent)."""
    import importlib

    from django.apps import apps

    importlib.import_module("dangjian.ledger.migrations.0002_default_requirements").create(apps, None)


@pytest.fixture
def demo_portal(transactional_db):
    return load_portal()


@pytest.fixture
def registry(transactional_db):
    """An organ with its party committee and a branch, and three people, one of them the branch's secretary."""
    organ = OrganFactory(code="edu-bureau", name_zh="南阳市教育局", name_en="Education Bureau")
    committee = PartyOrganizationFactory(organ=organ, name="机关党委", org_type=PartyOrganization.Type.COMMITTEE,
                                         term_started_on=datetime.date.today() - datetime.timedelta(days=400))
    branch = PartyOrganizationFactory(organ=organ, name="机关第一党支部", parent=committee,
                                      term_started_on=datetime.date.today() - datetime.timedelta(days=300))
    wang_wei = PersonFactory(organ=organ, name="王伟", id_number=make_id_number(datetime.date(1978, 3, 4)),
                             mobile="13812345678", position="办公室主任")
    PostFactory(person=wang_wei, party_organization=branch, started_on=datetime.date(2022, 6, 1),
                approval_reference="宛直工〔2022〕31号")
    PersonFactory(organ=organ, name="王芳", id_number=make_id_number(datetime.date(1990, 1, 2), gender="female"))
    PersonFactory(organ=organ, name="张伟", id_number=make_id_number(datetime.date(1985, 7, 9)))
    return {"organ": organ, "wang_wei": wang_wei}


FIRST_DAY = datetime.date(2022, 10, 10)

# Part of the seed's first phase (shared/domain/timetable_phase.csv): day, start, end, form, title, hours.
SEED = [
    (1, "07:30", "12:00", "travel", "南阳出发赴新县，报到，分配住宿", 0),
    (1, "14:30", "15:20", "opening", "开班仪式", 1),
    (1, "15:30", "18:00", "lecture", "大别山“28年红旗不倒”的历史与启示", Decimal("2.5")),
    (1, "19:30", "20:30", "experiential", "激情教学：穿红军装·唱红歌·学军礼", 1),
    (2, "08:30", "12:00", "onsite_teaching", "现场教学：苏区首府革命博物馆→鄂豫皖分局旧址", Decimal("3.5")),
    (2, "14:30", "17:30", "onsite_teaching", "现场教学：鄂豫皖苏区首府烈士陵园敬献花篮、重温入党誓词", 3),
    (3, "08:00", "11:30", "onsite_teaching", "现场教学：许世友将军故里", 3),
    (3, "14:00", "16:00", "onsite_teaching", "现场教学：田铺大塆——乡村振兴与党建引领", 2),
    (3, "16:00", "17:30", "experiential", "体验教学：重走“志仁小道”", Decimal("1.5")),
    (3, "19:30", "21:00", "interview", "访谈教学：红军后代/老党员访谈", Decimal("1.5")),
    (4, "08:30", "11:30", "lecture", "《中国共产党党和国家机关基层组织工作条例》解读与机关党支部书记履职", 3),
    (4, "14:30", "16:20", "lecture", "党支部标准化规范化建设实务", Decimal("2.5")),
    (4, "16:30", "18:00", "case_teaching", "推动机关党建与业务深度融合", Decimal("1.5")),
    (5, "08:30", "10:50", "discussion", "大组交流：“我如何当好新任书记”", Decimal("2.5")),
    (5, "11:00", "11:30", "assessment", "结业测试＋培训质量评估问卷", Decimal("0.5")),
    (5, "11:30", "12:00", "closing", "结业式", Decimal("0.5")),
    (5, "13:30", "17:30", "travel", "返回南阳", 0),
]


@pytest.fixture
def phase(transactional_db):
    """The seed's first phase at the college with three discussion groups, its timetable, and a second phase."""
    venue = VenueFactory(name_zh="河南大别山干部学院", name_en="Henan Dabie Mountain Cadre College")
    ClassroomFactory(venue=venue, name="第一教室")
    program = ProgramFactory(title="2022年南阳市直机关新任党组织书记培训班", venue=venue, phase_count=2,
                             status=Program.Status.APPROVED)
    phase = PhaseFactory(program=program, number=1, starts_on=FIRST_DAY,
                         ends_on=FIRST_DAY + datetime.timedelta(days=4))
    PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 24),
                 ends_on=datetime.date(2022, 10, 28))
    groups = [GroupFactory(phase=phase, number=n, name=f"第{n}组") for n in (1, 2, 3)]
    museum = SiteFactory(name_zh="鄂豫皖苏区首府革命博物馆")
    bureau = SiteFactory(name_zh="中共中央鄂豫皖分局旧址")
    InstructorFactory(name="王教授", title="教授")
    CourseFactory(title_zh="体验教学：重走“志仁小道”", title_en="Walking the Zhiren Trail", form="experiential",
                  default_hours=Decimal("1.5"))
    InstructorFactory(name="刘书记", title="党支部书记")
    for day, start, end, form, title, hours in SEED:
        date = FIRST_DAY + datetime.timedelta(days=day - 1)
        session = SessionFactory(phase=phase, form=form, title=title, hours=hours, venue=venue,
                                 starts_at=at(date, start), ends_at=at(date, end))
        if day == 2 and start == "08:30":
            session.venue = None
            session.save()
            SessionStop.objects.create(session=session, site=museum, order=0)
            SessionStop.objects.create(session=session, site=bureau, order=1)
    # Group discussion ① runs per group, in parallel (day 2 evening).
    for group in groups:
        SessionFactory(phase=phase, group=group, form="discussion", title="分组研讨①：大别山精神与机关党员干部担当",
                       starts_at=at(FIRST_DAY + datetime.timedelta(days=1), "19:30"),
                       ends_at=at(FIRST_DAY + datetime.timedelta(days=1), "21:00"), hours=Decimal("1.5"), venue=venue)
    return phase
