"""QR check-in in the browser. The head teacher opens the session's code screen from the roll call (a QR code
that htmx refreshes when the window changes); a participant on a phone (390 x 844), signed in, opens the address
the code holds, sees the session, taps "Check in now" and lands on their start page with the mark; opened again,
the page says they are checked in. In Chinese and in English; no sideways scrolling, no axe-core violation.
Screenshots: tests/e2e/screenshots/check-in-code.png, check-in-phone-*.png, check-in-done-*.png,
check-in-refused-en.png."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.attendance import checkin
from dangjian.attendance.models import Attendance
from dangjian.enrollment.models import Nomination, Placement
from tests.e2e.conftest import assert_accessible, log_in, make_user
from tests.factories import ClassroomFactory, OrganFactory, PersonFactory, PhaseFactory, ProgramFactory, SessionFactory

pytestmark = pytest.mark.e2e

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def lecture(transactional_db):
    """A session that started two minutes ago (check-in open, within the grace period), a head teacher and two
    participants with logins, placed in its phase."""
    head_teacher = make_user("college", ["college_staff"], full_name="学院 王老师")
    program = ProgramFactory(title="新任党组织书记培训班", status="in_progress")
    program.venue.staff.add(head_teacher)
    today = timezone.localdate()
    phase = PhaseFactory(program=program, number=1, starts_on=today, ends_on=today + datetime.timedelta(days=4))
    organ = OrganFactory(name_zh="南阳市教育局")
    room = ClassroomFactory(name="第一教室", venue=program.venue)
    now = timezone.now()
    session = SessionFactory(phase=phase, title="学习贯彻党的二十大精神", venue=room.venue, classroom=room,
                             starts_at=now - datetime.timedelta(minutes=2), ends_at=now + datetime.timedelta(hours=2))
    users = {}
    for username, name in (("liming", "李明"), ("wangfang", "王芳")):
        person = PersonFactory(organ=organ, name=name)
        nomination = Nomination.unscoped.create(program=program, person=person, organ=organ, status="confirmed")
        Placement.unscoped.create(nomination=nomination, phase=phase)
        user = make_user(username, ["participant"], full_name=name)
        user.person = person
        user.save(update_fields=["person"])
        users[username] = nomination
    return {"session": session, "nominations": users}


def test_the_head_teacher_shows_the_code(session, lecture, settings):
    settings.ATTENDANCE_CHECKIN_STEP_SECONDS = 2  # to see the screen change within the test
    page = session.page
    log_in(page, "college")
    page.goto(f"/attendance/sessions/{lecture['session'].pk}/")
    page.get_by_role("link", name="扫码签到二维码").click()
    expect(page.locator(".checkin-qr svg")).to_be_visible()
    expect(page.get_by_text("已扫码签到：0 / 2 人")).to_be_visible()
    box = page.locator(".checkin-qr svg").bounding_box()
    assert box["width"] > 400  # large enough to scan from the back of the room
    assert_accessible(page, "check-in-code")
    session.screenshot("check-in-code")
    first = page.locator(".checkin-qr").inner_html()
    page.wait_for_function("first => document.querySelector('.checkin-qr').innerHTML !== first", arg=first,
                           timeout=8_000)  # htmx asked for the next window's code
    checkin.check_in(code=checkin.make_code(lecture["session"]), by=lecture["nominations"]["liming"].person.user)
    expect(page.get_by_text("已扫码签到：1 / 2 人")).to_be_visible(timeout=8_000)
    assert session.console_errors == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_participant_checks_in_on_a_phone(phone_session, live_server, lecture, language):
    words = {"zh-hans": ("确认签到", "签到成功", "您已签到：出勤。", "这不是本平台的签到码"),
             "en": ("Check in now", "You are checked in", "You are already checked in: Present.",
                    "This is not a check-in code")}[language]
    confirm, done, already, refused = words
    browser, page = phone_session, phone_session.page
    browser.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    log_in(page, "liming")
    page.wait_for_url("**/my/")
    page.goto(f"/attendance/check-in/{checkin.make_code(lecture['session'])}/")  # what the camera opens
    expect(page.get_by_text("学习贯彻党的二十大精神")).to_be_visible()
    expect(page.get_by_text("第一教室", exact=False)).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert_accessible(page, f"check-in-phone-{language}")
    browser.screenshot(f"check-in-phone-{language}")
    page.get_by_role("button", name=confirm).click()
    page.wait_for_url("**/my/")
    expect(page.get_by_text(done)).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert_accessible(page, f"check-in-done-{language}")
    browser.screenshot(f"check-in-done-{language}")
    mark = Attendance.unscoped.get(session=lecture["session"])
    assert (mark.nomination, mark.mark, mark.source) == (lecture["nominations"]["liming"], "present", "qr")
    page.goto(f"/attendance/check-in/{checkin.make_code(lecture['session'])}/")  # scanned again
    expect(page.get_by_text(already)).to_be_visible()
    assert page.get_by_role("button", name=confirm).count() == 0
    page.goto("/attendance/check-in/1.0:forged/")
    expect(page.get_by_text(refused)).to_be_visible()
    assert_accessible(page, f"check-in-refused-{language}")
    browser.screenshot(f"check-in-refused-{language}")
    assert Attendance.unscoped.count() == 1
    assert browser.console_errors == [] or all("400" in error for error in browser.console_errors)
