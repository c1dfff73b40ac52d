"""A participant files their implementation plan on a phone-sized page (390 px), from their start page, ten days
after their class closed: two rows (what they will change, by when), one left empty; a wrong date is named by its
row; saved; the follow-up survey not yet open, in words. Then the organizer's follow-up page of the program.
Screenshots: tests/e2e/screenshots/followup-list.png, followup-plan.png (Chinese), followup-plan-en.png,
followup-program.png."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.completion.models import CompletionResult
from dangjian.enrollment.models import Nomination, Placement
from dangjian.followup.models import ImplementationPlan
from tests.e2e.conftest import PHONE, BrowserSession, assert_accessible, log_in, make_user
from tests.factories import OrganFactory, PersonFactory, PhaseFactory, ProgramFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def graduate(transactional_db):
    today = timezone.localdate()
    program = ProgramFactory(title="2026年党组织书记轮训班", status="closed")
    phase = PhaseFactory(program=program, number=1, starts_on=today - datetime.timedelta(days=14),
                         ends_on=today - datetime.timedelta(days=10))
    organ = OrganFactory(name_zh="南阳市教育局")
    person = PersonFactory(organ=organ, name="林晓燕")
    nomination = Nomination.unscoped.create(program=program, person=person, organ=organ, status="confirmed")
    Placement.unscoped.create(nomination=nomination, phase=phase)
    CompletionResult.unscoped.create(nomination=nomination, program=program, completed=True)
    user = make_user("xueyuan", ["participant"], full_name="林晓燕")
    user.person = person
    user.save()
    make_user("organizer", ["organizer"], full_name="组织者")
    return {"program": program, "nomination": nomination, "today": today}


def test_a_participant_files_the_plan_on_the_phone(phone_session, browser, live_server, graduate):
    page = phone_session.page
    today = graduate["today"]
    log_in(page, "xueyuan")
    page.goto("/my/")
    page.get_by_role("link", name="实施计划与训后跟踪调查").click()
    expect(page.get_by_role("heading", name="训后跟踪", exact=True)).to_be_visible()
    expect(page.get_by_text("训后跟踪调查将于")).to_be_visible()
    assert_accessible(page, "followup-list")
    phone_session.screenshot("followup-list")
    page.get_by_role("link", name="填写实施计划").click()
    first = page.get_by_role("group", name="第 1 项")
    first.get_by_label("拟改进的工作").fill("建立“三会一课”台账，逐月登记")
    first.get_by_label("完成时限").fill((today + datetime.timedelta(days=30)).isoformat())
    second = page.get_by_role("group", name="第 2 项")
    second.get_by_label("拟改进的工作").fill("每季度开展一次主题党日活动")
    second.get_by_label("完成时限").fill((today - datetime.timedelta(days=20)).isoformat())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "followup-plan")
    phone_session.screenshot("followup-plan")
    page.get_by_role("button", name="保存实施计划").click()
    expect(page.get_by_role("alert")).to_contain_text("第 2 项：完成时限早于结业日期")
    assert not ImplementationPlan.unscoped.exists()
    page.get_by_role("group", name="第 2 项").get_by_label("完成时限").fill(
        (today + datetime.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="保存实施计划").click()
    expect(page.get_by_text("实施计划已保存。")).to_be_visible()
    plan = ImplementationPlan.unscoped.get()
    assert [row["action"] for row in plan.items] == ["建立“三会一课”台账，逐月登记", "每季度开展一次主题党日活动"]
    english = BrowserSession(browser, live_server.url, PHONE)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page, "xueyuan")
    english.page.goto(f"/my/followup/programs/{graduate['program'].pk}/plan/")
    expect(english.page.get_by_role("button", name="Save my plan")).to_be_visible()
    assert_accessible(english.page, "followup-plan-en")
    english.screenshot("followup-plan-en")
    english.close()


def test_the_organizers_follow_up_page(session, graduate):
    page = session.page
    log_in(page, "organizer")
    page.goto(f"/followup/programs/{graduate['program'].pk}/")
    expect(page.get_by_role("heading", name="训后跟踪（成果转化）")).to_be_visible()
    expect(page.get_by_role("cell", name="林晓燕")).to_be_visible()
    assert_accessible(page, "followup-program")
    session.screenshot("followup-program")


def test_the_unit_confirms_a_follow_up_report(session, graduate):
    """The unit administrator of the participant's organ confirms their follow-up report (desktop), the rating
    required, then sees it among the done ones. Screenshot: followup-confirm.png."""
    from dangjian.followup import selectors
    from dangjian.followup.models import FollowUpReport, UnitConfirmation

    nomination = graduate["nomination"]
    FollowUpReport.unscoped.create(nomination=nomination, program=nomination.program,
                                   form=selectors.follow_up_form(nomination.program),
                                   due_on=selectors.survey_due(nomination),
                                   choices={"methods_applied": ["three_meetings_one_lesson"]},
                                   texts={"branch_changes": "“三会一课”按时召开", "further_needs": ""})
    admin = make_user("danwei", ["unit_admin"], full_name="王芳")
    admin.organs.set([nomination.organ])
    page = session.page
    log_in(page, "danwei")
    page.goto("/followup/confirmations/")
    page.get_by_role("link", name="林晓燕").click()
    expect(page.get_by_role("heading", name="训后跟踪调查: 林晓燕")).to_be_visible()
    page.get_by_role("group", name="单位党组（党委）对其训后履职情况的评价").get_by_label("非常满意").check()
    page.get_by_role("group", name="单位意见").get_by_label("确认", exact=True).check()
    assert_accessible(page, "followup-confirm")
    session.screenshot("followup-confirm")
    page.get_by_role("button", name="提交意见").click()
    expect(page.get_by_text("单位对训后跟踪调查的意见已记录。")).to_be_visible()
    confirmation = UnitConfirmation.unscoped.get()
    assert confirmation.decision == "confirmed" and confirmation.answers == {"unit_rating": 4}
    page.get_by_role("link", name="已确认或已提意见").click()
    expect(page.get_by_role("cell", name="确认")).to_be_visible()
