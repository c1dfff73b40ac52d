"""Completion in the browser: the organizer sets a program's completion rules and reads the results page (desktop);
a participant writes and submits their reflection on the phone (390 px). axe-core at each screenshot point.
Screenshots: tests/e2e/screenshots/completion-rules*.png, completion-results*.png, my-reflection*.png."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dangjian.attendance.models import Attendance
from dangjian.completion.models import CompletionRules, Reflection
from dangjian.enrollment.models import Nomination, Placement
from tests.e2e.conftest import DESKTOP, PHONE, BrowserSession, assert_accessible, log_in, make_user
from tests.factories import GroupFactory, OrganFactory, PersonFactory, PhaseFactory, ProgramFactory, SessionFactory, at

pytestmark = pytest.mark.e2e

NAMES = ["潘志强", "林晓燕", "赵建国", "王芳"]
FIRST_DAY = datetime.date(2022, 10, 10)


@pytest.fixture
def class_in_progress(transactional_db):
    program = ProgramFactory(title="新任党组织书记培训班", status="in_progress", hours_per_day=Decimal("7.5"))
    phase = PhaseFactory(program=program, number=1, starts_on=FIRST_DAY, ends_on=FIRST_DAY + datetime.timedelta(1))
    groups = [GroupFactory(phase=phase, number=n, name=f"第{'一二'[n - 1]}组") for n in (1, 2)]
    organs = [OrganFactory(name_zh="南阳市教育局"), OrganFactory(name_zh="南阳市财政局")]
    starts = [at(FIRST_DAY + datetime.timedelta(index // 2), start)
              for index, start in enumerate(["08:30", "14:30", "08:30", "14:30"])]
    sessions = [SessionFactory(phase=phase, title=f"专题{index + 1}", hours=Decimal("3.5"), starts_at=start,
                               ends_at=start + datetime.timedelta(hours=3)) for index, start in enumerate(starts)]
    nominations = []
    for index, name in enumerate(NAMES):
        organ = organs[index % 2]
        nomination = Nomination.unscoped.create(program=program, person=PersonFactory(organ=organ, name=name),
                                                organ=organ, status="confirmed")
        Placement.unscoped.create(nomination=nomination, phase=phase, group=groups[index % 2])
        nominations.append(nomination)
        for number, session in enumerate(sessions):
            value = "absent" if (name == "赵建国" and number < 2) else "on_leave" if (name == "王芳" and number == 3) \
                else "present"
            Attendance.unscoped.create(session=session, nomination=nomination, mark=value)
    participant = make_user("participant", ["participant"], full_name="潘志强")
    participant.person = nominations[0].person
    participant.save()
    return {"program": program, "nominations": nominations}


def test_the_organizer_sets_the_rules_and_reads_the_results(session, browser, live_server, organizer,
                                                            class_in_progress):
    program = class_in_progress["program"]
    page = session.page
    session.context.set_default_timeout(30_000)  # the shared test machines are slow under load
    log_in(page, "organizer")
    page.goto(program.get_absolute_url())
    expect(page.get_by_text("学时认定：按出勤天数 × 每天 7.5 学时")).to_be_visible()
    page.get_by_role("link", name="修改结业条件").click()
    page.fill("#id_min_attendance_share", "0.9")
    page.check("#id_require_reflection")
    page.check("input[name=crediting][value=per_session]")
    assert_accessible(page, "completion-rules")
    session.screenshot("completion-rules")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("结业条件已保存。")).to_be_visible()
    expect(page.get_by_text("学时认定：按出勤课程的学时累计。")).to_be_visible()
    expect(page.get_by_text("出勤（含迟到）学时不少于总学时的 90.0%。")).to_be_visible()
    rules = CompletionRules.objects.get(program=program)
    assert (rules.min_attendance_share, rules.require_reflection, rules.crediting) == (Decimal("0.9"), True,
                                                                                     "per_session")
    page.get_by_role("link", name="结业情况").first.click()
    expect(page.get_by_role("heading", name="结业情况")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("暂定")
    row = page.locator("table.completion-results tbody tr").filter(has_text="赵建国")
    expect(row).to_contain_text("出勤 7.0／14.0 学时（50.0%），低于最低要求 90.0%。")
    expect(row).to_contain_text("未提交心得体会。")
    assert_accessible(page, "completion-results")
    session.screenshot("completion-results")
    page.fill("input[name=q]", "王芳")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("table.completion-results tbody tr")).to_have_count(1)
    english = BrowserSession(browser, live_server.url, DESKTOP)
    english.context.set_default_timeout(30_000)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page, "organizer")
    english.page.goto(f"/completion/programs/{program.pk}/results/")
    expect(english.page.get_by_text("No reflection was submitted.").first).to_be_visible()
    assert_accessible(english.page, "completion-results-en")
    english.screenshot("completion-results-en")
    english.close()


def test_the_participant_submits_a_reflection_on_the_phone(phone_session, browser, live_server, class_in_progress):
    page = phone_session.page
    phone_session.context.set_default_timeout(30_000)
    log_in(page, "participant")
    page.goto("/my/")
    page.get_by_role("link", name="我的心得体会").click()
    expect(page.get_by_role("heading", name="我的心得体会")).to_be_visible()
    page.fill("#reflection-text", "重走志仁小道，体会大别山精神，回到岗位要把支部建强。")
    assert_accessible(page, "my-reflection")
    page.get_by_role("button", name="提交心得体会").click()
    expect(page.get_by_text("心得体会已提交。")).to_be_visible()
    expect(page.get_by_role("button", name="重新提交")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone_session.screenshot("my-reflection")
    assert Reflection.unscoped.get().text == "重走志仁小道，体会大别山精神，回到岗位要把支部建强。"
    english = BrowserSession(browser, live_server.url, PHONE)
    english.context.set_default_timeout(30_000)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page, "participant")
    english.page.goto(page.url)
    expect(english.page.get_by_role("button", name="Submit again")).to_be_visible()
    assert_accessible(english.page, "my-reflection-en")
    english.screenshot("my-reflection-en")
    english.close()
