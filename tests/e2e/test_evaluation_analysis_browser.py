"""The organizer reads a class's evaluation analysis (issue 13, item 2): the summary, the chart of the dimensions
and the chart per course drawn (ECharts canvases), keywords and quotes; a bar of the course chart opens the
course's anonymous answers (drill-down). Screenshots: tests/e2e/screenshots/evaluation-analysis.png (Chinese),
evaluation-analysis-answers.png, evaluation-analysis-en.png (English)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.evaluation.enums import FormKind
from dangjian.evaluation.models import EvaluationAnswer
from dangjian.evaluation.selectors import program_forms
from tests.e2e.conftest import DESKTOP, BrowserSession, assert_accessible, log_in
from tests.factories import CourseFactory, InstructorFactory, PhaseFactory, ProgramFactory, SessionFactory

pytestmark = pytest.mark.e2e

GAINS = ["现场教学讲解生动，党史故事很感人", "条例解读很及时，弄清了机关党支部书记的职责边界",
         "分组研讨收获很大，同行之间交流了不少实用做法", "回去后先把三会一课台账理顺"]


def at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def answered_class(transactional_db):
    today = timezone.localdate()
    program = ProgramFactory(title="2026年党组织书记轮训班", status="in_progress")
    phase = PhaseFactory(program=program, number=1, starts_on=today - datetime.timedelta(days=3),
                         ends_on=today + datetime.timedelta(days=2))
    card = program_forms(program)[FormKind.SESSION_CARD]
    teacher = InstructorFactory(name="王建华")
    for index, (title, course_title, level) in enumerate((
            ("学习贯彻党的二十大精神", "党的二十大精神", 4), ("发展党员工作实务", "发展党员工作实务", 3),
            ("支部工作条例解读", "支部工作条例解读", 3))):
        day = today - datetime.timedelta(days=index + 1)
        session = SessionFactory(phase=phase, title=title, starts_at=at(day, 8), ends_at=at(day, 11),
                                 course=CourseFactory(title_zh=course_title))
        session.instructors.add(teacher)
        for number in range(6):
            EvaluationAnswer.objects.create(
                form=card, program=program, session=session, answered_on=day,
                scores={"relevance": level, "theory": max(1, level - number % 2), "information": level,
                        "delivery": 4, "teaching_manner": 3},
                texts={"main_gain": GAINS[(index + number) % len(GAINS)]})
    return program


def test_the_organizer_reads_the_analysis_and_drills_down(session, browser, live_server, organizer,
                                                          answered_class):
    program = answered_class
    page = session.page
    log_in(page)
    page.goto(f"/evaluation/programs/{program.pk}/")
    page.get_by_role("link", name="评估分析").click()
    expect(page.get_by_role("heading", name="评估分析", exact=True)).to_be_visible()
    expect(page.locator("#eval-dimensions-chart canvas")).to_have_count(1)
    expect(page.locator("#eval-groups-chart[data-rendered=true] canvas")).to_have_count(1)
    expect(page.get_by_role("heading", name="代表性意见")).to_be_visible()
    expect(page.locator(".eval-quote").first).to_be_visible()
    assert page.get_by_role("cell", name="党的二十大精神").count() == 1
    assert_accessible(page, "evaluation-analysis")
    session.screenshot("evaluation-analysis")
    # A bar of the chart opens the answers of its course (the first bar: courses by name).
    page.locator("#eval-groups-chart").scroll_into_view_if_needed()
    box = page.locator("#eval-groups-chart").bounding_box()
    data = page.evaluate("JSON.parse(document.getElementById('eval-chart-data').textContent).groups")
    x, y = page.evaluate("""(value) => echarts.getInstanceByDom(document.getElementById('eval-groups-chart'))
                                .convertToPixel({seriesIndex: 0}, [value, 0])""", data["values"][0] / 2)
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"**{data['urls'][0]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("党的二十大精神")
    expect(page.locator(".eval-answers li")).to_have_count(6)
    assert_accessible(page, "evaluation-analysis-answers")
    session.screenshot("evaluation-analysis-answers")
    english = BrowserSession(browser, live_server.url, DESKTOP)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page)
    english.page.goto(f"/evaluation/programs/{program.pk}/analysis/?by=instructor")
    expect(english.page.get_by_role("heading", name="Per instructor")).to_be_visible()
    expect(english.page.get_by_role("cell", name="王建华")).to_be_visible()
    assert_accessible(english.page, "evaluation-analysis-en")
    english.screenshot("evaluation-analysis-en")
    english.close()
