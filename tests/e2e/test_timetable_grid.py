"""The timetable builder in a real browser: an organizer adds a session by clicking an empty slot of the
grid and filling the form in the dialog, then moves it by drag and drop; the phone shows the list by day
and, on request, the grid scrolling sideways. Screenshots go to tests/e2e/screenshots/."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dangjian.training.models import Session
from tests.e2e.conftest import FIRST_DAY, SEED, assert_accessible, log_in
from tests.factories import (
    ClassroomFactory,
    at,
)

pytestmark = pytest.mark.e2e

def settled(page) -> None:
    """htmx wires the hx-* attributes of swapped-in content when it settles (20 ms after the swap); wait
    for that before typing into it, as a person cannot help doing."""
    expect(page.locator(".htmx-settling, .htmx-swapping, .htmx-added")).to_have_count(0)


def slot(page, day: datetime.date, time: str):
    return page.locator(f'.tt-slot[data-day="{day:%Y-%m-%d}"][data-time="{time}"]')


def test_build_and_move_a_session_in_the_grid(session, organizer, phase):
    page = session.page
    log_in(page, "organizer")
    page.goto(reverse("phase_timetable", args=[phase.pk]))
    expect(page.locator("h1")).to_contain_text("1")
    expect(page.locator(".tt-dayhead")).to_have_count(5)
    expect(page.locator(".tt-session")).to_have_count(len(SEED) + 1)  # the three groups' discussion: one block
    expect(page.locator(".tt-dayhead").first).to_contain_text("星期一")
    session.screenshot("timetable-grid-1280")
    assert_accessible(session.page, "timetable-grid-1280")

    # Click the empty slot of Thursday 19:30: the dialog opens with the form for that day and time.
    thursday = FIRST_DAY + datetime.timedelta(days=3)
    with page.expect_response(re.compile(r"/timetable/sessions/new/\?day=2022-10-13&time=19%3A30$")):
        slot(page, thursday, "19:30").click()
    dialog = page.locator("#tt-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#id_day")).to_have_value("2022-10-13")
    expect(dialog.locator("#id_start")).to_have_value("19:30")
    settled(page)
    dialog.locator("#id_form").select_option("lecture")
    dialog.locator("#id_title").fill("专题党课：新任书记如何抓班子带队伍")
    dialog.locator("#id_end").fill("21:00")
    dialog.locator("#id_instructors").select_option(label="王教授（教授）")
    session.screenshot("timetable-dialog-1280")
    assert_accessible(session.page, "timetable-dialog-1280")
    with page.expect_response(re.compile(r"/timetable/sessions/new/$")) as saved:
        dialog.locator("form.tt-session-form button[type=submit]").click()
    assert saved.value.status == 200
    expect(dialog).to_be_hidden()
    block = page.locator(".tt-session", has_text="专题党课：新任书记如何抓班子带队伍")
    expect(block).to_have_count(1)
    expect(block).to_contain_text("19:30–21:00")
    expect(block).to_contain_text("王教授")
    expect(block).to_have_class(re.compile(r"\bcol-4 row-55 span-6\b"))
    added = Session.unscoped.get(title="专题党课：新任书记如何抓班子带队伍")
    assert added.starts_at == at(thursday, "19:30") and added.hours == Decimal("1.5")

    # Drag it by its top to Friday 19:00: the grid comes back with the block there; the database has the
    # new time. (Grabbed by its middle, the block would keep the pointer at its middle: see below.)
    friday = FIRST_DAY + datetime.timedelta(days=4)
    with page.expect_response(re.compile(rf"/training/sessions/{added.pk}/move/$")) as moved:
        block.drag_to(slot(page, friday, "19:00"), source_position={"x": 20, "y": 4})
    assert moved.value.status == 200
    block = page.locator(".tt-session", has_text="专题党课：新任书记如何抓班子带队伍")
    expect(block).to_have_class(re.compile(r"\bcol-5 row-53 span-6\b"))
    expect(block).to_contain_text("19:00–20:30")
    expect(page.locator(".tt-notices")).to_contain_text("专题党课：新任书记如何抓班子带队伍")
    added.refresh_from_db()
    assert added.starts_at == at(friday, "19:00") and added.ends_at == at(friday, "20:30")

    # A drop onto a busy time is refused with the reason, and nothing changes. Grabbed in its fourth
    # quarter hour, the block dropped on Wednesday 19:15 would start at 18:30 and overlap the interview.
    quarter = slot(page, friday, "19:00").bounding_box()["height"]
    with page.expect_response(re.compile(rf"/training/sessions/{added.pk}/move/$")) as refused:
        block.drag_to(slot(page, FIRST_DAY + datetime.timedelta(days=2), "19:15"),
                      source_position={"x": 20, "y": quarter * 3.5})
    assert refused.value.request.post_data == "day=2022-10-12&time=18%3A30"
    assert refused.value.status == 400
    expect(page.locator(".tt-notices .message.error")).to_contain_text("访谈教学：红军后代/老党员访谈")
    added.refresh_from_db()
    assert added.starts_at == at(friday, "19:00")
    session.screenshot("timetable-moved-1280")
    assert_accessible(session.page, "timetable-moved-1280")

    # Build from the catalog: pick Thursday 18:00 in the picker, add the course there.
    page.locator(f'.tt-toolbar a[href="{reverse("timetable_catalog", args=[phase.pk])}"]').click()
    expect(dialog).to_be_visible()
    settled(page)
    dialog.locator("select[name=day]").select_option("2022-10-13")
    expect(dialog.locator(".tt-catalog > .help")).to_contain_text("2022-10-13")  # the picker came back
    settled(page)
    dialog.locator("input[name=time]").fill("18:00")
    expect(dialog.locator(".tt-catalog > .help")).to_contain_text("18:00")
    settled(page)
    item = dialog.locator(".tt-catalog-item", has_text="体验教学：重走“志仁小道”")
    expect(item.locator("button[type=submit]")).to_contain_text("18:00–19:30")
    session.screenshot("timetable-catalog-1280")
    assert_accessible(session.page, "timetable-catalog-1280")
    with page.expect_response(re.compile(r"/timetable/sessions/new/$")):
        item.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".tt-session.col-4.row-49", has_text="体验教学：重走“志仁小道”")).to_have_count(1)
    assert Session.unscoped.get(course__title_zh="体验教学：重走“志仁小道”").starts_at == at(thursday, "18:00")
    # No inline script or style: nothing was blocked by the Content-Security-Policy. (The browser logs the
    # refused move's answer, 400 by design, as a failed resource; that is the only message allowed.)
    expected = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    assert [error for error in session.console_errors if error != expected] == []
    assert session.console_errors.count(expected) == 1


def test_grid_on_a_phone(phone_session, organizer, phase):
    page = phone_session.page
    log_in(page, "organizer")
    page.goto(reverse("phase_timetable", args=[phase.pk]))
    # The list by day is what a phone shows first; the page itself does not scroll sideways.
    expect(page.locator(".tt-list")).to_be_visible()
    expect(page.locator(".tt-scroll")).to_be_hidden()
    expect(page.locator(".tt-list .tt-day")).to_have_count(5)
    expect(page.locator(".tt-list")).to_contain_text("分组研讨①")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_session.screenshot("timetable-list-390")
    assert_accessible(phone_session.page, "timetable-list-390")

    # The grid is one tap away and scrolls sideways inside its frame, with the hours kept in view.
    page.locator("label[for=tt-view-grid]").click()
    expect(page.locator(".tt-scroll")).to_be_visible()
    expect(page.locator(".tt-list")).to_be_hidden()
    assert page.evaluate("document.querySelector('.tt-scroll').scrollWidth") > 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate("document.querySelector('.tt-scroll').scrollLeft = 300")
    offset = page.evaluate("document.querySelector('.tt-hour').getBoundingClientRect().left"
                           " - document.querySelector('.tt-scroll').getBoundingClientRect().left")
    assert abs(offset) < 2  # the hours column sticks to the left edge
    phone_session.screenshot("timetable-grid-390")
    assert_accessible(phone_session.page, "timetable-grid-390")

    # Editing from the list works on a phone too: the form opens in the dialog.
    page.locator("label[for=tt-view-list]").click()
    page.locator(".tt-entry", has_text="开班仪式").get_by_role("link", name="编辑").click()
    expect(page.locator("#tt-dialog")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("开班仪式")
    settled(page)
    phone_session.screenshot("timetable-dialog-390")
    assert_accessible(phone_session.page, "timetable-dialog-390")
    assert phone_session.console_errors == []


def test_parallel_group_sessions_are_one_block_that_opens_with_the_keyboard(session, organizer, phase):
    """分组研讨 of three groups at once is one block, "3组"; the rooms are in its hover text, and Tab then
    Enter opens the list of groups, whose links open each group's session in the dialog."""
    rooms = {n: ClassroomFactory(venue=phase.program.venue, name=f"研讨室{letter}")
             for n, letter in ((1, "A"), (2, "B"), (3, "C"))}
    for discussion in Session.unscoped.filter(phase=phase, group__isnull=False).select_related("group"):
        discussion.classroom = rooms[discussion.group.number]
        discussion.save()
    page = session.page
    log_in(page, "organizer")
    page.goto(reverse("phase_timetable", args=[phase.pk]))
    block = page.locator(".tt-parallel")
    expect(block).to_have_count(1)
    expect(block).to_have_class(re.compile(r"\bcol-2 row-55 span-6\b"))
    expect(block.locator(".tt-groups")).to_have_text("3组")
    summary = block.locator("summary")
    assert "第1组：研讨室A；第2组：研讨室B；第3组：研讨室C" in summary.get_attribute("title")
    listed = block.locator(".tt-parallel-list")
    expect(listed).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(listed).to_be_visible()
    expect(listed.locator("li")).to_have_count(3)
    expect(listed.locator("li").nth(2)).to_contain_text("第3组")
    expect(listed.locator("li").nth(2)).to_contain_text("研讨室C")
    session.screenshot("timetable-group-block-open-1280")
    assert_accessible(session.page, "timetable-group-block-open-1280")
    # A group's link opens its session in the dialog.
    listed.get_by_role("link", name="第2组").click()
    dialog = page.locator("#tt-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#id_group")).to_have_value(str(phase.groups.get(number=2).pk))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("Escape")
    summary.focus()
    page.keyboard.press("Enter")  # closes again
    expect(listed).to_be_hidden()
    assert session.console_errors == []
