"""The head teacher reads and grades reflections (心得体会) at a readable width, asks for a revision, goes on to the
next; the participant reads the request on their phone and resubmits; the earlier version is kept. Screenshots:
tests/e2e/screenshots/reflection-list.png, reflection-read.png, reflection-read-en.png, my-reflection-revise.png
(390 px)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.completion.models import Reflection, ReflectionRevision
from dangjian.enrollment.models import Nomination, Placement
from tests.e2e.conftest import PHONE, BrowserSession, assert_accessible, log_in, make_user
from tests.factories import OrganFactory, PersonFactory, PhaseFactory, ProgramFactory

pytestmark = pytest.mark.e2e

TEXT = ("带着“新任书记该从哪里抓起”的问题来到大别山干部学院，几天学习下来，心里有了答案。\n\n"
        "一是坚定了理想信念。重走志仁小道，真切体会到当年红军的艰辛。在烈士陵园重温入党誓词，内心受到很大震撼。\n\n"
        "二是提升了履职本领。条例解读很及时，弄清了机关党支部书记的职责边界。\n\n"
        "三是明确了努力方向。回去后先把三会一课台账理顺，开好第一次支部委员会，把分工明确下来。")


@pytest.fixture
def reflections(transactional_db):
    today = timezone.localdate()
    program = ProgramFactory(title="2026年党组织书记轮训班", status="in_progress")
    head_teacher = make_user("banzhuren", ["college_staff"], full_name="王老师")
    program.venue.staff.add(head_teacher)
    phase = PhaseFactory(program=program, number=1, starts_on=today - datetime.timedelta(days=4),
                         ends_on=today)
    organ = OrganFactory(name_zh="南阳市教育局")
    found = []
    for index, name in enumerate(["林晓燕", "王建国", "赵丽"]):
        person = PersonFactory(organ=organ, name=name)
        nomination = Nomination.unscoped.create(program=program, person=person, organ=organ, status="confirmed")
        Placement.unscoped.create(nomination=nomination, phase=phase)
        found.append(Reflection.unscoped.create(nomination=nomination, title="找准定位 从支部工作抓起" if index == 0
                                                else "", text=TEXT, submitted_at=timezone.now()))
    user = make_user("xueyuan", ["participant"], full_name="林晓燕")
    user.person = found[0].nomination.person
    user.save()
    return {"program": program, "reflections": found}


def test_the_head_teacher_grades_and_asks_for_a_revision(session, browser, live_server, reflections):
    program, first = reflections["program"], reflections["reflections"][0]
    page = session.page
    log_in(page, "banzhuren")
    page.goto(f"/completion/programs/{program.pk}/reflections/")
    expect(page.get_by_role("heading", name="心得体会")).to_be_visible()
    assert_accessible(page, "reflection-list")
    session.screenshot("reflection-list")
    page.get_by_role("link", name="林晓燕").click()
    expect(page.get_by_role("heading", name="找准定位 从支部工作抓起")).to_be_visible()
    width = page.evaluate("document.querySelector('.reflection-reading').getBoundingClientRect().width")
    assert width <= 720  # a readable measure, not the page's width
    assert_accessible(page, "reflection-read")
    session.screenshot("reflection-read")
    page.get_by_label("需修改").check()
    page.get_by_role("button", name="保存并阅读下一篇").click()
    expect(page.get_by_text("请说明需要修改的内容。")).to_be_visible()  # revise needs a comment
    page.get_by_label("需修改").check()
    page.get_by_label("评语（要求修改时必填）").fill("请结合支部实际，补充训后打算。")
    page.get_by_role("button", name="保存并阅读下一篇").click()
    expect(page.get_by_text("第 2 篇，共 3 篇")).to_be_visible()
    page.get_by_label("优秀").check()
    page.get_by_role("button", name="保存评定").click()
    expect(page.get_by_text("已保存对 王建国 心得体会的评定。")).to_be_visible()
    first.refresh_from_db()
    assert (first.grade, first.grade_comment) == ("revise", "请结合支部实际，补充训后打算。")
    # the participant, on the phone
    phone = BrowserSession(browser, live_server.url, PHONE)
    log_in(phone.page, "xueyuan")
    phone.page.goto(f"/my/programs/{program.pk}/reflection/")
    expect(phone.page.get_by_text("请结合支部实际，补充训后打算。")).to_be_visible()
    phone.page.locator("#reflection-text").fill(TEXT + "\n\n四是训后打算：每月开展一次主题党日。")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone.page, "my-reflection-revise")
    phone.screenshot("my-reflection-revise")
    phone.page.get_by_role("button", name="重新提交").click()
    expect(phone.page.get_by_text("历史版本")).to_be_visible()
    phone.close()
    first.refresh_from_db()
    assert first.version == 2 and first.grade == "" and ReflectionRevision.objects.get().grade == "revise"
    english = BrowserSession(browser, live_server.url, {"width": 1280, "height": 800})
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page, "banzhuren")
    english.page.goto(f"/completion/reflections/{first.pk}/")
    expect(english.page.get_by_role("heading", name="Earlier versions")).to_be_visible()
    assert_accessible(english.page, "reflection-read-en")
    english.screenshot("reflection-read-en")
    english.close()
