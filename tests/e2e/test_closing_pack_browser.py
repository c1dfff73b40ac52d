"""The organizer makes the closing pack from the program page (a job with its page), sees it listed as current,
closes the class (its hours credited), then reopens it with a reason. Screenshots: tests/e2e/screenshots/
closing-pack.png (the program page's section, Chinese), closing-pack-job.png, closing-pack-en.png (English)."""

import datetime

import pytest
from playwright.sync_api import expect

from dangjian.attendance.services import write_marks
from dangjian.completion.models import ClosingPack, CompletionResult
from dangjian.enrollment.models import Nomination, Placement
from dangjian.ledger.models import TrainingRecord
from tests.e2e.conftest import DESKTOP, BrowserSession, assert_accessible, log_in, make_user
from tests.factories import OrganFactory, PersonFactory, PhaseFactory, ProgramFactory, SessionFactory, at

pytestmark = pytest.mark.e2e

NAMES = ["潘志强", "林晓燕", "赵建国"]


@pytest.fixture
def class_held(transactional_db):
    organizer = make_user("organizer", ["organizer"], full_name="市直机关工委 李科长")
    program = ProgramFactory(title="新任党组织书记培训班", status="in_progress")
    phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                         ends_on=datetime.date(2022, 10, 11))
    organ = OrganFactory(name_zh="南阳市教育局")
    nominations = []
    for name in NAMES:
        nomination = Nomination.unscoped.create(program=program, person=PersonFactory(organ=organ, name=name),
                                                organ=organ, status="confirmed")
        Placement.unscoped.create(nomination=nomination, phase=phase)
        nominations.append(nomination)
    day = phase.starts_on
    opening = SessionFactory(phase=phase, form="opening", title="开班式", starts_at=at(day, "08:00"),
                             ends_at=at(day, "08:30"), hours=0.5)
    lecture = SessionFactory(phase=phase, title="学习贯彻党的二十大精神")
    for session in (opening, lecture):
        write_marks(session=session, by=organizer, source="roll_call",
                    marks=[(n, "present" if n != nominations[1] or session == opening else "late",
                            "晚到十分钟" if n == nominations[1] and session == lecture else "", None)
                           for n in nominations])
    return program


def test_the_organizer_makes_the_pack_closes_and_reopens_the_class(session, browser, live_server, class_held):
    program = class_held
    page = session.page
    log_in(page, "organizer")
    page.goto(f"/training/programs/{program.pk}/")
    expect(page.get_by_role("heading", name="结业材料")).to_be_visible()
    expect(page.get_by_text("尚未制作结业材料。")).to_be_visible()
    expect(page.get_by_text("请先制作结业材料")).to_be_visible()  # why closing waits, beside the button
    page.get_by_role("button", name="制作结业材料").click()
    expect(page.get_by_text("结业材料已生成", exact=False)).to_be_visible(timeout=120_000)
    session.screenshot("closing-pack-job")
    assert_accessible(page, "closing-pack-job")
    pack = ClosingPack.unscoped.get(program=program)
    assert pack.page_count > 5
    page.goto(f"/training/programs/{program.pk}/")
    section = page.locator("section.closing-pack")
    expect(section.get_by_text("最新的结业材料与本班记录一致。")).to_be_visible()
    expect(section.get_by_role("link", name="PDF")).to_have_attribute("href", f"/closing-packs/{pack.pk}.pdf")
    section.scroll_into_view_if_needed()
    session.screenshot("closing-pack")
    assert_accessible(page, "closing-pack")
    page.get_by_role("link", name="结业…").click()
    page.get_by_role("button", name="确认：结业").click()
    expect(page.get_by_text("培训班已结业，结业学员的学时已计入学时档案。")).to_be_visible()
    assert CompletionResult.unscoped.filter(program=program, completed=True).count() == 3
    assert TrainingRecord.unscoped.filter(program=program).count() == 3
    page.get_by_text("重新开启已结业的培训班").click()
    page.get_by_label("重新开启已结业培训班的原因").fill("补录纸质签到表")
    page.get_by_role("button", name="重新开启培训班").click()
    expect(page.get_by_text("培训班已重新开启，结业时计入的学时已撤回。")).to_be_visible()
    assert not TrainingRecord.unscoped.filter(program=program).exists()
    english = BrowserSession(browser, live_server.url, DESKTOP)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page, "organizer")
    english.page.goto(f"/training/programs/{program.pk}/")
    expect(english.page.get_by_role("heading", name="Closing pack")).to_be_visible()
    english.screenshot("closing-pack-en")
    assert_accessible(english.page, "closing-pack-en")
    english.close()
