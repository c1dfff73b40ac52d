"""Steps that cannot be undone ask first: in a real browser the step's button opens a <dialog> saying what
will happen (Cancel closes it, nothing changes; Yes carries the step out); without script the same
button leads to the step's confirmation page."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dangjian.training.models import Program
from tests.e2e.conftest import assert_accessible, log_in, make_user
from tests.factories import PhaseFactory, ProgramFactory

pytestmark = pytest.mark.e2e

@pytest.fixture
def program(transactional_db):
    make_user("organizer", ["organizer"], full_name="工委组织部 李明")
    program = ProgramFactory(title="2022年南阳市直机关新任党组织书记培训班", status=Program.Status.ENROLLMENT_OPEN,
                             submitted_at=datetime.datetime(2022, 9, 19, 10, 0, tzinfo=datetime.UTC))
    PhaseFactory(program=program, number=1)
    return program


def test_starting_a_program_asks_in_a_dialog(session, program):
    page = session.page
    log_in(page)
    page.goto(program.get_absolute_url())
    dialog = page.locator("#confirm-start")
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name="开班…").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("培训班状态将变为“培训中”")
    expect(dialog).to_contain_text("此操作不可撤销。")
    session.screenshot("program-confirm-start-1280")
    assert_accessible(session.page, "program-confirm-start-1280")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    program.refresh_from_db()
    assert program.status == Program.Status.ENROLLMENT_OPEN and page.url.endswith(program.get_absolute_url())
    page.get_by_role("link", name="开班…").click()
    dialog.get_by_role("button", name="确认：开班").click()
    expect(page.locator(".messages")).to_contain_text("培训班已开班。")
    program.refresh_from_db()
    assert program.status == Program.Status.IN_PROGRESS
    expect(page.get_by_role("link", name="结业…")).to_be_visible()
    assert_accessible(page, "program in progress, with its message")
    assert session.console_errors == []


def test_without_script_the_button_leads_to_the_confirmation_page(browser, live_server, program):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN", base_url=live_server.url,
                                  extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = context.new_page()
    try:
        log_in(page)
        page.goto(program.get_absolute_url())
        page.get_by_role("link", name="开班…").click()
        assert page.url.endswith(reverse("program_start", args=[program.pk]))
        expect(page.locator("h1")).to_have_text("开班")
        expect(page.locator(".confirm-step")).to_contain_text("已批准的方案不能再撤回修改")
        # axe-core cannot run where script is off (its timers never fire): the same page, as the server sends it,
        # is checked in a context with script and the same cookies.
        checker = browser.new_context(storage_state=context.storage_state(), base_url=live_server.url)
        try:
            checked = checker.new_page()
            checked.goto(page.url)
            assert_accessible(checked, "confirmation page")
        finally:
            checker.close()
        program.refresh_from_db()
        assert program.status == Program.Status.ENROLLMENT_OPEN
        page.get_by_role("button", name="确认：开班").click()
        assert page.url.endswith(program.get_absolute_url())
        program.refresh_from_db()
        assert program.status == Program.Status.IN_PROGRESS
    finally:
        context.close()
