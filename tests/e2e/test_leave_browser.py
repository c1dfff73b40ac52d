"""Leave in the browser: the participant, on a phone (390 x 844), goes from /my/ to "请假", picks a coming session,
gives a reason and sends it — sees it awaiting approval with their leave against the limit; the head teacher
approves it on the program's leave list, and the session is marked "on leave" (source: leave). No sideways
scrolling on the phone, no axe-core violation. Screenshots: tests/e2e/screenshots/leave-phone.png,
leave-phone-en.png, leave-approve.png, leave-overview.png."""

import pytest
from playwright.sync_api import expect

from dangjian.attendance.models import Attendance, LeaveRequest
from tests.attendance.leave_world import build_leave_world
from tests.e2e.conftest import DESKTOP, PHONE, BrowserSession, assert_accessible, log_in, make_user

pytestmark = pytest.mark.e2e

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def leave_class(transactional_db):
    world = build_leave_world(college_staff=make_user("college", ["college_staff"], full_name="学院 王老师"),
                              participant=make_user("xueyuan", ["participant"], full_name="李明"))
    world.program.title = "2026年新任党组织书记培训班"
    world.program.save()
    return world


def test_the_participant_asks_leave_on_the_phone_and_the_head_teacher_approves(phone_session, browser, live_server,
                                                                               leave_class):
    w = leave_class
    page = phone_session.page
    log_in(page, "xueyuan")
    page.goto("/my/")
    page.get_by_role("link", name="请假", exact=True).click()
    expect(page.get_by_role("heading", name="请假", exact=True)).to_be_visible()
    expect(page.get_by_text("请假 0／上限 3 学时")).to_be_visible()
    page.get_by_label(w.future[0].title).check()
    page.get_by_label("请假事由").fill("孩子生病，需要陪同就医")
    page.get_by_role("button", name="提交请假").click()
    expect(page.get_by_text("请假申请已提交班主任。")).to_be_visible()
    expect(page.get_by_text("若批准：请假 3／上限 3 学时", exact=False)).to_be_visible()
    expect(page.locator(".leave-list .badge").first).to_have_text("待审批")
    assert page.evaluate(OVERFLOW) <= 0, "the leave page scrolls sideways on a phone"
    assert_accessible(page, "leave-phone")
    phone_session.screenshot("leave-phone")
    leave = LeaveRequest.unscoped.get()
    assert (leave.nomination, list(leave.sessions.all()), leave.status) == (w.me, [w.future[0]], "pending")

    english = BrowserSession(browser, live_server.url, PHONE)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page, "xueyuan")
    english.page.goto("/my/leave/")
    expect(english.page.get_by_text("Leave 0 / limit 3 hours")).to_be_visible()
    assert english.page.evaluate(OVERFLOW) <= 0
    assert_accessible(english.page, "leave-phone-en")
    english.screenshot("leave-phone-en")
    english.close()

    teacher = BrowserSession(browser, live_server.url, DESKTOP)
    log_in(teacher.page, "college")
    teacher.page.goto(f"/training/programs/{w.program.pk}/")
    teacher.page.get_by_role("link", name="考勤与请假").click()
    expect(teacher.page.get_by_role("heading", name="考勤总览")).to_be_visible()
    teacher.page.get_by_role("link", name="请假申请", exact=True).first.click()
    row = teacher.page.locator("table.leave-table tbody tr").filter(has_text="孩子生病")
    row.get_by_role("textbox").fill("同意，注意补课")
    assert_accessible(teacher.page, "leave-approve")
    row.get_by_role("button", name="批准", exact=True).click()
    expect(teacher.page.get_by_text("相应课程记为“请假”", exact=False)).to_be_visible()
    teacher.screenshot("leave-approve")
    mark = Attendance.unscoped.get(nomination=w.me)
    assert (mark.session, mark.mark, mark.source) == (w.future[0], "on_leave", "leave")
    teacher.page.goto(f"/attendance/programs/{w.program.pk}/")
    expect(teacher.page.get_by_text("请假 3／上限 3 学时")).to_be_visible()
    assert_accessible(teacher.page, "leave-overview")
    teacher.screenshot("leave-overview")
    teacher.close()

    page.reload()
    expect(page.locator(".leave-list .badge").first).to_have_text("已批准")
    expect(page.get_by_text("接近 3 学时的请假上限", exact=False).first).to_be_visible()
    phone_session.screenshot("leave-phone-approved")
