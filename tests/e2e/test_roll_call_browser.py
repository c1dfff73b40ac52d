"""The head teacher takes a roll call in the browser: from the phase timetable (list by day) to the session's
roll-call page, "all present", then one participant late with a note and one on leave, saved in one form.
Screenshots: tests/e2e/screenshots/roll-call.png (Chinese), roll-call-en.png (English)."""

import datetime

import pytest
from playwright.sync_api import expect

from dangjian.attendance.models import Attendance
from dangjian.enrollment.models import Nomination, Placement
from tests.e2e.conftest import DESKTOP, BrowserSession, assert_accessible, log_in, make_user
from tests.factories import GroupFactory, OrganFactory, PersonFactory, PhaseFactory, ProgramFactory, SessionFactory

pytestmark = pytest.mark.e2e

NAMES = ["潘志强", "林晓燕", "赵建国", "王芳", "刘洋", "陈静"]


@pytest.fixture
def class_in_progress(transactional_db):
    head_teacher = make_user("college", ["college_staff"], full_name="学院 王老师")
    program = ProgramFactory(title="新任党组织书记培训班", status="in_progress")
    program.venue.staff.add(head_teacher)
    phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                         ends_on=datetime.date(2022, 10, 14))
    groups = [GroupFactory(phase=phase, number=n, name=f"第{'一二'[n - 1]}组") for n in (1, 2)]
    organs = [OrganFactory(name_zh="南阳市教育局"), OrganFactory(name_zh="南阳市财政局")]
    for index, name in enumerate(NAMES):
        organ = organs[index % 2]
        nomination = Nomination.unscoped.create(program=program, person=PersonFactory(organ=organ, name=name),
                                                organ=organ, status="confirmed")
        Placement.unscoped.create(nomination=nomination, phase=phase, group=groups[index % 2])
    session = SessionFactory(phase=phase, title="学习贯彻党的二十大精神")
    return {"phase": phase, "session": session}


def test_the_head_teacher_takes_a_roll_call(session, browser, live_server, class_in_progress):
    phase, lecture = class_in_progress["phase"], class_in_progress["session"]
    page = session.page
    log_in(page, "college")
    page.goto(f"/training/phases/{phase.pk}/timetable/")
    page.locator("label[for=tt-view-list]").click()  # the list by day links each session to its roll call
    page.get_by_role("link", name="点名").first.click()
    expect(page.get_by_role("heading", name="点名：学习贯彻党的二十大精神", exact=False)).to_be_visible()
    page.get_by_role("button", name="未点名的学员全部记为出勤").click()
    expect(page.get_by_text("未点名的学员已全部记为出勤")).to_be_visible()
    rows = page.locator("table.roll-call tbody tr")
    rows.filter(has_text="林晓燕").get_by_label("迟到").check()
    rows.filter(has_text="林晓燕").get_by_role("textbox").fill("晚到十分钟")
    rows.filter(has_text="王芳").get_by_label("请假").check()
    assert_accessible(page, "roll-call")
    page.get_by_role("button", name="保存点名").click()
    expect(page.get_by_text("点名已保存。")).to_be_visible()
    session.screenshot("roll-call")
    marks = {a.nomination.person.name: (a.mark, a.note)
             for a in Attendance.unscoped.filter(session=lecture).select_related("nomination__person")}
    assert marks == {name: ("present", "") for name in NAMES} | {"林晓燕": ("late", "晚到十分钟"),
                                                                 "王芳": ("on_leave", "")}
    english = BrowserSession(browser, live_server.url, DESKTOP)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page, "college")
    english.page.goto(page.url)
    expect(english.page.get_by_role("button", name="Save the roll call")).to_be_visible()
    english.screenshot("roll-call-en")
    assert_accessible(english.page, "roll-call-en")
    english.close()
