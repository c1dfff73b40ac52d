"""The outbox in a browser: the organizer reads a draft as its recipient will (the preview), then ticks drafts on
the list and sends them; the confirmation opens in a dialog (Cancel sends nothing), and the sending job's page
shows what was sent. E-mail goes to Django's locmem backend, SMS to the in-memory backend: nothing real."""

import datetime

import pytest
from playwright.sync_api import expect

from dangjian.outbox import services
from dangjian.outbox.models import Message
from dangjian.outbox.services import Recipient
from tests.e2e.conftest import log_in, make_user
from tests.factories import OrganFactory, PersonFactory, PhaseFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def drafts(transactional_db):
    organizer = make_user("organizer", ["organizer"], full_name="李明")
    organ = OrganFactory(name_zh="南阳市教育局")
    program = ProgramFactory(title="2026年南阳市直机关新任党组织书记培训班", year=2026, status="enrollment_open")
    PhaseFactory(program=program, number=1, starts_on=datetime.date(2026, 10, 12), ends_on=datetime.date(2026, 10, 16))
    admin = UserFactory(full_name="王芳", email="wangfang@example.org", roles=["unit_admin"], organs=[organ])
    notice = services.messages_compose(
        kind="nomination_opened", recipients=[Recipient(user=admin, organ=organ)], by=organizer, program=program,
        context={"quota": 6, "deadline": datetime.date(2026, 9, 15)})
    people = [PersonFactory(organ=organ, name=name, mobile=f"1391234567{i}")
              for i, name in enumerate(["李雷", "韩梅梅"])]
    reminders = services.messages_compose(
        kind="induction_due", recipients=[Recipient(person=person) for person in people], by=organizer,
        program=program, context={"post": "第一党支部书记", "appointed_on": datetime.date(2026, 7, 3),
                                   "due_by": datetime.date(2027, 1, 3)})
    return notice + reminders


def test_preview_then_send_in_bulk(session, drafts, mailoutbox, sms_outbox):
    page = session.page
    log_in(page)
    page.get_by_role("link", name="发件箱").click()
    expect(page.locator("h1")).to_have_text("发件箱")
    expect(page.locator(".outbox-table tbody tr")).to_have_count(3)
    session.screenshot("outbox-list-1280")

    page.get_by_role("link", name="【报名通知】2026年南阳市直机关新任党组织书记培训班开始推荐报名").click()
    preview = page.locator(".mail-preview")
    expect(preview).to_contain_text("王芳同志：")
    expect(preview).to_contain_text("名额 6 人")
    expect(preview).to_contain_text("wa***@example.org")
    session.screenshot("outbox-preview-mail-1280")

    page.get_by_role("link", name="发件箱").first.click()
    page.get_by_role("link", name="【南阳市直机关工委】李雷同志", exact=False).click()
    expect(page.locator(".sms-bubble")).to_contain_text("应于2027年1月3日前参加任职培训")
    session.screenshot("outbox-preview-sms-1280")
    page.go_back()

    for name in ("李雷", "韩梅梅"):
        page.get_by_label(f"选择发给{name}的消息").check()
    page.get_by_role("button", name="发送所选…").click()
    dialog = page.locator("#confirm-send-selected")
    expect(dialog).to_be_visible()
    session.screenshot("outbox-confirm-send-1280")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    assert sms_outbox == [] and set(Message.unscoped.values_list("status", flat=True)) == {"draft"}

    page.get_by_role("button", name="发送所选…").click()
    dialog.get_by_role("button", name="确认发送").click()
    expect(page.locator(".job")).to_contain_text("已发送 2 条消息。")
    session.screenshot("outbox-job-done-1280")
    assert sorted(sms["to"] for sms in sms_outbox) == ["13912345670", "13912345671"]
    assert mailoutbox == []

    page.get_by_role("link", name="返回：发件箱").click()
    page.get_by_role("button", name="发送全部 1 条草稿…").click()  # the one draft left: the bulk button counts it
    page.locator("#confirm-send-all").get_by_role("button", name="确认发送").click()
    expect(page.locator(".job")).to_contain_text("已发送 1 条消息。")
    assert [mail.to for mail in mailoutbox] == [["wangfang@example.org"]]
    assert set(Message.unscoped.values_list("status", flat=True)) == {"sent"}
    assert session.console_errors == []
