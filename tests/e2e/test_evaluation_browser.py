"""A participant answers a session's card on a phone-sized page (390 px): from their start page to the list of
cards, the card of yesterday's on-site session (four levels per dimension, the on-site dimensions, an open
question), sent once; anonymous. Screenshots: tests/e2e/screenshots/evaluation-card.png (Chinese),
evaluation-card-en.png (English), evaluation-list.png."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.enrollment.models import Nomination, Placement
from dangjian.evaluation.models import EvaluationAnswer, EvaluationReceipt
from tests.e2e.conftest import PHONE, BrowserSession, assert_accessible, log_in, make_user
from tests.factories import OrganFactory, PersonFactory, PhaseFactory, ProgramFactory, SessionFactory

pytestmark = pytest.mark.e2e


def at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def participant_in_class(transactional_db):
    today = timezone.localdate()
    program = ProgramFactory(title="2026年党组织书记轮训班", status="in_progress")
    phase = PhaseFactory(program=program, number=1, starts_on=today - datetime.timedelta(days=3),
                         ends_on=today + datetime.timedelta(days=2))
    organ = OrganFactory(name_zh="南阳市教育局")
    person = PersonFactory(organ=organ, name="林晓燕")
    nomination = Nomination.unscoped.create(program=program, person=person, organ=organ, status="confirmed")
    Placement.unscoped.create(nomination=nomination, phase=phase)
    yesterday = today - datetime.timedelta(days=1)
    SessionFactory(phase=phase, title="学习贯彻党的二十大精神", starts_at=at(yesterday, 8), ends_at=at(yesterday, 11))
    onsite = SessionFactory(phase=phase, title="鄂豫皖苏区首府革命博物馆现场教学", form="onsite_teaching",
                            starts_at=at(yesterday, 14), ends_at=at(yesterday, 17))
    user = make_user("xueyuan", ["participant"], full_name="林晓燕")
    user.person = person
    user.save()
    return {"onsite": onsite}


def test_a_participant_answers_a_card_on_the_phone(phone_session, browser, live_server, participant_in_class):
    onsite = participant_in_class["onsite"]
    page = phone_session.page
    log_in(page, "xueyuan")
    page.goto("/my/")
    page.get_by_role("link", name="评价我参加的课程（匿名）").click()
    expect(page.get_by_role("heading", name="课程评价")).to_be_visible()
    assert_accessible(page, "evaluation-list")
    phone_session.screenshot("evaluation-list")
    page.get_by_role("link", name="鄂豫皖苏区首府革命博物馆现场教学").click()
    form = page.locator("form.eval-form")
    for legend, level in (("现实针对性", "非常满意"), ("理论性（思想性）", "满意"), ("信息量", "非常满意"),
                          ("语言表达", "基本满意（合格）"), ("教风教态", "非常满意"), ("讲解质量", "非常满意"),
                          ("点位安排", "满意"), ("时间把控", "不满意")):
        form.get_by_role("group", name=legend).get_by_label(level, exact=True).check()
    page.get_by_label("本课最大收获").fill("实地参观让历史更鲜活")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "evaluation-card")
    phone_session.screenshot("evaluation-card")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("谢谢：您的评价已匿名记录。")).to_be_visible()
    answer = EvaluationAnswer.objects.get()
    assert answer.session == onsite and answer.scores["time_control"] == 1 and answer.scores["delivery"] == 2
    assert answer.texts == {"main_gain": "实地参观让历史更鲜活"}
    assert EvaluationReceipt.objects.count() == 1
    english = BrowserSession(browser, live_server.url, PHONE)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page, "xueyuan")
    english.page.goto("/my/evaluation/")
    expect(english.page.get_by_role("link", name="学习贯彻党的二十大精神")).to_be_visible()
    english.page.get_by_role("link", name="学习贯彻党的二十大精神").click()
    expect(english.page.get_by_role("button", name="Send my evaluation")).to_be_visible()
    assert_accessible(english.page, "evaluation-card-en")
    english.screenshot("evaluation-card-en")
    english.close()


def test_the_questionnaire_on_the_phone_and_the_organizers_rates(phone_session, session, participant_in_class):
    """The program questionnaire on the last day of the phase (390 px), then the organizer's page of the
    program's forms and response rates (desktop). Screenshots: evaluation-questionnaire.png,
    evaluation-program.png."""
    from dangjian.training.models import Phase

    onsite = participant_in_class["onsite"]
    Phase.objects.filter(pk=onsite.phase_id).update(ends_on=timezone.localdate())
    page = phone_session.page
    log_in(page, "xueyuan")
    page.goto(f"/my/evaluation/programs/{onsite.phase.program_id}/")
    expect(page.get_by_role("heading", name="培训项目总体评估")).to_be_visible()
    page.get_by_role("group", name="总体满意度").get_by_label("非常满意", exact=True).check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "evaluation-questionnaire")
    phone_session.screenshot("evaluation-questionnaire")
    make_user("organizer", ["organizer"], full_name="工委组织部 李明")
    log_in(session.page, "organizer")
    session.page.goto(f"/evaluation/programs/{onsite.phase.program_id}/")
    expect(session.page.get_by_role("heading", name="参评率")).to_be_visible()
    assert_accessible(session.page, "evaluation-program")
    session.screenshot("evaluation-program")
