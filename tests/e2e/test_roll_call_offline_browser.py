"""The offline roll call in the browser (issue 12 item 1 and item 9): the head teacher opens the roll-call page
online (the service worker keeps it), the network goes (`context.set_offline(True)`), they mark several rows —
the page says how many marks are unsynced and badges each row — and reload the page, which still opens, from
the service worker, with the marks kept in IndexedDB. The network returns: the marks are sent through the API,
and the database holds each of them exactly once, nothing lost.

Then the marks of the paper sign-in sheet are entered in the same grid; the grid shows each mark's source. A mark
the server refuses (the class was closed meanwhile) is shown on its row with the reason until dismissed.

Screenshots: tests/e2e/screenshots/roll-call-offline.png (offline, Chinese), roll-call-synced.png (after the
sync), roll-call-offline-en.png and roll-call-synced-en.png (English), roll-call-refused.png (a refused mark),
roll-call-offline-phone.png (390 px)."""

import pytest
from playwright.sync_api import expect

from dangjian.attendance.models import Attendance
from dangjian.core.models import AuditEntry
from tests.e2e.conftest import DESKTOP, BrowserSession, assert_accessible, log_in
from tests.e2e.test_roll_call_browser import NAMES, class_in_progress  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e


def wait_until_kept(page):
    """The service worker controls the page and keeps a copy of it (the page asked it to, once registered)."""
    # Functions, not expressions: Playwright evaluates an expression with eval, which the page's CSP refuses.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => caches.open('dangjian-roll-call-v1').then(c => c.match(location.pathname))"
                           ".then(r => Boolean(r))", polling=200)


def marks_of(session_record):
    return {a.nomination.person.name: (a.mark, a.note, a.source)
            for a in Attendance.unscoped.filter(session=session_record).select_related("nomination__person")}


def mark(page, name, label, note=None):
    row = page.locator("table.roll-call tbody tr").filter(has_text=name)
    row.get_by_label(label, exact=True).check()
    if note is not None:
        row.get_by_role("textbox").fill(note)
        row.get_by_role("textbox").blur()


def take_offline_roll_call(browser_session, names, labels):
    """Open the page online, go offline, mark the rows, reload offline; returns the page (still offline)."""
    page = browser_session.page
    wait_until_kept(page)
    browser_session.context.set_offline(True)
    present, late, absent, on_leave = labels
    mark(page, names[0], present)
    mark(page, names[0], late, note=names[0] + "…")  # a newer change of the same row supersedes the first
    mark(page, names[1], absent)
    mark(page, names[2], on_leave)
    mark(page, names[3], present)
    return page


def test_an_offline_roll_call_is_kept_then_synced_once(session, browser, live_server, class_in_progress):  # noqa: F811
    lecture = class_in_progress["session"]
    page = session.page
    log_in(page, "college")
    page.goto(f"/attendance/sessions/{lecture.pk}/")
    expect(page.get_by_text("所有记录均已同步。")).to_be_visible()
    take_offline_roll_call(session, NAMES, ["出勤", "迟到", "缺勤", "请假"])
    expect(page.get_by_text("4 条未同步")).to_be_visible()
    rows = page.locator("table.roll-call tbody tr")
    expect(rows.filter(has_text=NAMES[1]).get_by_text("未同步", exact=True)).to_be_visible()
    assert not Attendance.unscoped.exists()

    response = page.reload()  # offline: the service worker's copy, with the marks kept on this device put back
    assert response.from_service_worker and response.status == 200
    expect(page.get_by_role("heading", name="点名：学习贯彻党的二十大精神", exact=False)).to_be_visible()
    expect(page.get_by_text("4 条未同步")).to_be_visible()
    expect(rows.filter(has_text=NAMES[0]).get_by_label("迟到", exact=True)).to_be_checked()
    expect(rows.filter(has_text=NAMES[0]).get_by_role("textbox")).to_have_value(NAMES[0] + "…")
    expect(rows.filter(has_text=NAMES[2]).get_by_label("请假", exact=True)).to_be_checked()
    session.screenshot("roll-call-offline")
    assert_accessible(page, "roll-call-offline")
    assert not Attendance.unscoped.exists()

    session.context.set_offline(False)  # the "online" event sends the queue
    expect(page.get_by_text("所有记录均已同步。")).to_be_visible()
    expect(page.get_by_text("上次同步")).to_be_visible()
    expect(rows.filter(has_text=NAMES[0]).get_by_text("点名", exact=True)).to_be_visible()
    session.screenshot("roll-call-synced")
    assert_accessible(page, "roll-call-synced")
    assert marks_of(lecture) == {NAMES[0]: ("late", NAMES[0] + "…", "roll_call"),
                                 NAMES[1]: ("absent", "", "roll_call"),
                                 NAMES[2]: ("on_leave", "", "roll_call"),
                                 NAMES[3]: ("present", "", "roll_call")}
    # Written once each: one audited creation per mark, no update, whatever the retries.
    created = AuditEntry.objects.filter(model="attendance.attendance")
    assert sorted(created.values_list("action", flat=True)) == ["create"] * 4

    # Nothing is sent twice when the page opens again; the kept copy is refreshed with the synced marks.
    page.reload()
    expect(page.get_by_text("所有记录均已同步。")).to_be_visible()
    assert Attendance.unscoped.count() == 4
    # Offline, the browser logs each request it could not send (the PUT, the service worker's tries): nothing else.
    assert [e for e in session.console_errors if "ERR_INTERNET_DISCONNECTED" not in e] == []

    # The paper sign-in sheet, entered afterwards in the same grid.
    page.get_by_label("根据纸质签到表补录").check()
    mark(page, NAMES[4], "出勤")
    mark(page, NAMES[5], "缺勤", note="签到表上无签名")
    expect(page.get_by_text("所有记录均已同步。")).to_be_visible()
    expect(rows.filter(has_text=NAMES[5]).get_by_text("纸质签到表补录")).to_be_visible()
    assert marks_of(lecture)[NAMES[5]] == ("absent", "签到表上无签名", "sheet")
    assert Attendance.unscoped.count() == 6

    # The class is closed meanwhile (another user): a mark the server refuses is shown on its row and listed with
    # the reason, not silently dropped; it stays until dismissed.
    program = lecture.phase.program
    program.status = "closed"
    program.save()
    mark(page, NAMES[4], "缺勤")
    expect(rows.filter(has_text=NAMES[4]).get_by_text("被拒绝", exact=True)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text=NAMES[4])).to_contain_text("已结业或已归档")
    session.screenshot("roll-call-refused")
    assert_accessible(page, "roll-call-refused")
    assert marks_of(lecture)[NAMES[4]] == ("present", "", "sheet")
    page.reload()  # the class is closed: the page is read-only, and still shows what this device holds
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(rows.filter(has_text=NAMES[4]).get_by_text("被拒绝", exact=True)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text=NAMES[4])).to_contain_text(f"{NAMES[4]}：")
    page.get_by_role("button", name="清除被拒绝的记录").click()
    expect(page.get_by_role("alert").filter(has_text=NAMES[4])).to_be_hidden()
    expect(rows.filter(has_text=NAMES[4]).get_by_text("被拒绝", exact=True)).to_be_hidden()
    expect(rows.filter(has_text=NAMES[4])).to_contain_text("出勤")  # read-only now: the server's mark


def test_the_offline_roll_call_in_english(browser, live_server, class_in_progress):  # noqa: F811
    lecture = class_in_progress["session"]
    english = BrowserSession(browser, live_server.url, DESKTOP)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page, "college")
    page = english.page
    page.goto(f"/attendance/sessions/{lecture.pk}/")
    take_offline_roll_call(english, NAMES, ["Present", "Late", "Absent", "On leave"])
    expect(page.get_by_text("4 unsynced")).to_be_visible()
    assert page.reload().from_service_worker
    expect(page.get_by_text("4 unsynced")).to_be_visible()
    english.screenshot("roll-call-offline-en")
    assert_accessible(page, "roll-call-offline-en")
    english.context.set_offline(False)
    expect(page.get_by_text("Every mark is synced.")).to_be_visible()
    english.screenshot("roll-call-synced-en")
    assert_accessible(page, "roll-call-synced-en")
    assert Attendance.unscoped.filter(session=lecture).count() == 4
    english.close()


def test_the_offline_roll_call_on_a_phone(phone_session, class_in_progress):  # noqa: F811
    """390 px wide, as on the bus: each row a card with the four marks to tap."""
    lecture = class_in_progress["session"]
    page = phone_session.page
    log_in(page, "college")
    page.goto(f"/attendance/sessions/{lecture.pk}/")
    take_offline_roll_call(phone_session, NAMES, ["出勤", "迟到", "缺勤", "请假"])
    expect(page.get_by_text("4 条未同步")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    phone_session.screenshot("roll-call-offline-phone")
    assert_accessible(page, "roll-call-offline-phone")
    phone_session.context.set_offline(False)
    expect(page.get_by_text("所有记录均已同步。")).to_be_visible()
    assert Attendance.unscoped.filter(session=lecture).count() == 4
