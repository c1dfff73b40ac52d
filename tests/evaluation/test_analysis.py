"""The analysis of the anonymous answers (issue 13, item 2): exact figures on constructed answers, the minimum
number of answers (hidden everywhere below it), keywords without stop words, deterministic quotes, the drill-down,
the across-years history, the closing pack's and the news report's lines; the pages, the report (PDF text and Excel
cells) and the API for every role (a refused request changes nothing), in a constant number of queries, and never
with a participant's name."""

import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.evaluation import analysis
from dangjian.evaluation.enums import FormKind
from dangjian.evaluation.models import EvaluationAnswer, EvaluationReceipt
from dangjian.evaluation.selectors import program_forms
from tests.api.conftest import api_as  # noqa: F401 (the fixture)
from tests.evaluation.conftest import make_world, session
from tests.factories import CourseFactory, InstructorFactory, PhaseFactory, ProgramFactory

pytestmark = pytest.mark.django_db

CARD = {"relevance": 4, "theory": 3, "information": 4, "delivery": 2, "teaching_manner": 4}


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def rules_min(settings):
    def set_min(value: int):
        settings.DANGJIAN_RULES = {**settings.DANGJIAN_RULES, "evaluation_min_answers": value}
    return set_min


def answer(w, on, scores, texts=None, *, nomination=None):
    """An answer (and a receipt when a nomination is given), as the services store them."""
    form = program_forms(w.program)[FormKind.SESSION_CARD if on is not None else FormKind.PROGRAMME]
    if nomination is not None:
        EvaluationReceipt.objects.create(nomination=nomination, form=form, session=on, answered_on=w.today)
    return EvaluationAnswer.objects.create(form=form, program=w.program, session=on, answered_on=w.today,
                                           scores=scores, texts=texts or {})


@pytest.fixture
def world(db):
    w = make_world(participants=6)
    course, instructor = CourseFactory(title_zh="党章学习"), InstructorFactory(name="讲课人甲")
    w.lecture.course = course
    w.lecture.save()
    w.lecture.instructors.add(instructor)
    w.course, w.instructor = course, instructor
    w.roster = [w.me, *w.others]
    return w


def five_answers(w):
    """Five cards of the lecture: relevance 4,4,3,2,1 → points 20,20,15,10,5 (mean 14); theory always 3 (15)."""
    texts = ["现场教学讲解生动，党史故事很感人", "党史故事很感人，支部工作有了方向", "希望增加党务实操案例",
             "党史故事让我深受教育", ""]
    for level, text, nomination in zip((4, 4, 3, 2, 1), texts, w.roster, strict=False):
        answer(w, w.lecture, {"relevance": level, "theory": 3}, {"main_gain": text} if text else {},
               nomination=nomination)


def test_figures_of_constructed_answers(world):
    w = world
    five_answers(w)
    result = analysis.program_analysis(w.program)
    stats = result.overall
    assert stats.answers == 5 and not stats.hidden
    means = {row["id"]: row["mean"] for row in stats.dimensions}
    assert means == {"relevance": 14.0, "theory": 15.0}
    # Overall: (70 + 75) points of 10 ratings × 20 = 72.5; satisfied (levels 4 and 3): 3 + 5 of 10 ratings.
    assert stats.overall == pytest.approx(72.5) and stats.satisfied == pytest.approx(0.8)
    lecture = next(row for row in result.rows["session"] if row.key == str(w.lecture.pk))
    assert (lecture.answered, lecture.roster, lecture.percent) == (5, 6, 83)
    assert lecture.stats.overall == pytest.approx(72.5)
    assert [row.label for row in result.rows["course"]] == ["党章学习"]
    assert [row.label for row in result.rows["instructor"]] == ["讲课人甲"]
    assert result.rows["instructor"][0].stats.overall == pytest.approx(72.5)
    assert [row.stats.answers for row in result.rows["phase"]] == [5]
    # The counts are cached per program while its answers stay the same: a new answer is counted at once.
    answer(w, w.lecture, {"relevance": 4, "theory": 4})
    again = analysis.program_analysis(w.program)
    assert again.overall.answers == 6 and again.overall.overall == pytest.approx((145 + 40) * 100 / 240)


def test_below_the_minimum_scores_and_texts_are_hidden(world, rules_min):
    w = world
    five_answers(w)
    rules_min(6)
    result = analysis.program_analysis(w.program)
    assert result.overall.hidden and result.overall.dimensions == [] and result.overall.quotes == []
    assert result.overall.keywords == [] and result.overall.overall is None
    assert all(row.stats.hidden for rows in result.rows.values() for row in rows)
    drill = analysis.drill_down(w.program, by="session", key=str(w.lecture.pk))
    assert drill.stats.hidden and drill.answers == []
    assert analysis.feedback_sentences(w.program) == []
    rules_min(5)
    assert not analysis.program_analysis(w.program).overall.hidden


def test_keywords_drop_stop_words_and_quotes_are_deterministic(world):
    w = world
    five_answers(w)
    stats = analysis.program_analysis(w.program).overall
    words = dict(stats.keywords)
    assert words["党史"] == 3 and words["故事"] == 3
    assert not {"我", "的", "了", "很", "希望", "增加"} & set(words)
    assert stats.quotes[0] in ("现场教学讲解生动，党史故事很感人", "党史故事很感人，支部工作有了方向")
    assert len(stats.quotes) == 3 and "希望增加党务实操案例" not in stats.quotes
    assert analysis.program_analysis(w.program).overall.quotes == stats.quotes
    assert "党史" in analysis.words_of("党史故事让我深受教育") and "我" not in analysis.words_of("我的收获")


def test_quotes_leave_out_sessions_below_the_minimum(world, rules_min):
    w = world
    five_answers(w)
    answer(w, w.onsite, {"relevance": 4}, {"main_gain": "只有一个人评价的现场教学党史故事"})
    stats = analysis.program_analysis(w.program).overall
    assert stats.answers == 6
    assert "只有一个人评价的现场教学党史故事" not in stats.quotes


def test_drill_down(world):
    w = world
    five_answers(w)
    drill = analysis.drill_down(w.program, by="course", key=str(w.course.pk))
    assert drill.label == "党章学习" and drill.stats.answers == 5 and len(drill.answers) == 5
    assert {"label": "Practical relevance", "level": "Very satisfied", "points": 20.0} in drill.answers[0]["scores"] \
        or any(score["level"] == "Very satisfied" for a in drill.answers for score in a["scores"])
    texts = sorted(t["text"] for a in drill.answers for t in a["texts"])
    assert len(texts) == 4 and set(drill.answers[0]) == {"scores", "texts"}
    assert analysis.drill_down(w.program, by="session", key="999999") is None
    assert analysis.drill_down(w.program, by="nobody", key="1") is None
    assert analysis.drill_down(w.program, by="form", key="lecture").stats.answers == 5


def test_history_across_years(world):
    w = world
    five_answers(w)
    older = ProgramFactory(status="closed", year=w.program.year - 1, venue=w.program.venue)
    last_year = w.today.replace(year=w.today.year - 1, day=1)
    phase = PhaseFactory(program=older, number=1, starts_on=last_year, ends_on=last_year)
    old = session(phase, last_year, title="党章学习（去年）", course=w.course)
    for level in (4, 4, 4, 4, 4):
        EvaluationAnswer.objects.create(form=program_forms(older)[FormKind.SESSION_CARD], program=older,
                                        session=old, answered_on=w.today, scores={"relevance": level})
    from dangjian.training.models import Program

    rows = analysis.history(programs=Program.unscoped.all(), course=w.course)
    assert [row.program.year for row in rows] == [w.program.year, w.program.year - 1]
    assert rows[1].stats.overall == pytest.approx(100.0) and rows[0].stats.overall == pytest.approx(72.5)
    assert [row.program for row in analysis.history(programs=Program.unscoped.all(), instructor=w.instructor)] \
        == [w.program]


def test_the_closing_pack_and_the_news_report_quote_the_feedback(world):
    from dangjian.completion.pack import evaluation_summary
    from dangjian.portal.drafts import feedback_lines

    w = world
    assert evaluation_summary(w.program) is None and feedback_lines(program=w.program) == []
    five_answers(w)
    paragraphs = evaluation_summary(w.program)
    # The rosters of the sessions that have ended: 6 + 6 + 3 (a group's) + 6; tomorrow's is not counted.
    assert "5 of 21 session cards were answered (24%)" in paragraphs[0]
    assert any("72.5 of 100" in p for p in paragraphs)
    lines = feedback_lines(program=w.program)
    assert lines[0].startswith("培训结束后，学员对5份课程评估卡作出匿名评价，课程总体满意度达80%")
    assert lines[1].startswith("学员们纷纷表示，“") and "党史故事很感人" in lines[1]


def test_the_start_page_offers_the_card_of_an_ended_session(client, world):
    w = world
    client.force_login(w.participant)
    page = client.get(reverse("my_home")).content.decode()
    assert "Evaluate this session" in page
    assert reverse("my_session_card", args=[w.lecture.pk]) in page
    assert reverse("my_session_card", args=[w.tomorrow.pk]) not in page
    answer(w, w.lecture, CARD, nomination=w.me)
    page = client.get(reverse("my_home")).content.decode()
    assert reverse("my_session_card", args=[w.lecture.pk]) not in page
    assert reverse("my_session_card", args=[w.onsite.pk]) in page


def test_today_s_session_offers_its_card_on_its_own_row_once_it_has_ended(client, world):
    """The session of today that has ended carries "Evaluate this session" in the Today list (not in the list of
    earlier days awaiting a card); the one still to come does not."""
    import time_machine

    from tests.evaluation.conftest import at, session

    w = world
    morning = session(w.phase, w.today, hour=8, title="今天上午的专题课")
    afternoon = session(w.phase, w.today, hour=14, title="今天下午的现场教学")
    client.force_login(w.participant)
    with time_machine.travel(at(w.today, 12), tick=False):
        page = client.get(reverse("my_home")).content.decode()
    today = page[page.index('id="today-title"'):page.index('id="next-title"')]
    awaiting = page[page.index('id="evaluate-title"'):page.index('id="today-title"')]
    card = reverse("my_session_card", args=[morning.pk])
    assert card in today and card not in awaiting
    assert reverse("my_session_card", args=[afternoon.pk]) not in page
    assert reverse("my_session_card", args=[w.lecture.pk]) in awaiting  # yesterday's


# --- Pages, report, API: every role; anonymity; queries -------------------------------------------------------

PAGES = {
    "analysis": lambda w: reverse("evaluation_analysis", args=[w.program.pk]),
    "analysis_by": lambda w: reverse("evaluation_analysis", args=[w.program.pk]) + "?by=instructor",
    "answers": lambda w: reverse("evaluation_analysis_answers", args=[w.program.pk, "session", w.lecture.pk]),
    "pdf": lambda w: reverse("evaluation_report", args=[w.program.pk, "pdf"]),
    "xlsx": lambda w: reverse("evaluation_report", args=[w.program.pk, "xlsx"]),
    "course": lambda w: reverse("evaluation_course_history", args=[w.course.pk]),
    "instructor": lambda w: reverse("evaluation_instructor_history", args=[w.instructor.pk]),
}


def page_expected(role: str, page: str) -> int:
    if role == "anonymous":
        return 302
    if page in ("course", "instructor"):
        return 200 if role in ("organizer", "head_teacher", "college_staff", "stranger_staff") else 403
    return {"organizer": 200, "head_teacher": 200, "college_staff": 200, "stranger_staff": 404}.get(role, 403)


def _names(w) -> list[str]:
    return [nomination.person.name for nomination in [*w.roster, w.elsewhere]]


def test_pages_and_report_name_nobody(client, world):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    w = world
    five_answers(w)
    client.force_login(w.organizer)
    page = client.get(PAGES["analysis"](w)).content.decode()
    assert "党史故事很感人" in page and "eval-chart-data" in page and "<script>" not in page
    answers = client.get(PAGES["answers"](w)).content.decode()
    assert "希望增加党务实操案例" in answers
    pdf = client.get(PAGES["pdf"](w))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "72.5" in text and "Per session" in text
    book = load_workbook(io.BytesIO(client.get(PAGES["xlsx"](w)).content), read_only=True)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
             if c is not None]
    assert "72.5" in cells and "党章学习" in cells
    for name in _names(w):
        for content in (page, answers, text, " ".join(cells)):
            assert name not in content


def test_the_report_hides_groups_below_the_minimum(client, world, rules_min):
    from pypdf import PdfReader

    w = world
    five_answers(w)
    rules_min(6)
    client.force_login(w.organizer)
    page = client.get(PAGES["analysis"](w)).content.decode()
    assert "党史故事" not in page and "fewer than 6 answers" in page
    pdf = client.get(PAGES["pdf"](w)).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "党史故事" not in text and "72.5" not in text
    assert "党史故事" not in client.get(PAGES["answers"](w)).content.decode()


API = {
    "summary": lambda w: f"evaluation/programs/{w.program.pk}/analysis",
    "rows": lambda w: f"evaluation/programs/{w.program.pk}/analysis/course",
    "answers": lambda w: f"evaluation/programs/{w.program.pk}/analysis/session/{w.lecture.pk}/answers",
    "course": lambda w: f"evaluation/courses/{w.course.pk}/history",
    "instructor": lambda w: f"evaluation/instructors/{w.instructor.pk}/history",
}


def test_api_figures(api_as, world, rules_min):  # noqa: F811
    w = world
    five_answers(w)
    client = api_as(w.organizer, token=True)
    summary = client.get(API["summary"](w)).json()
    assert summary["overall"]["overall"] == 72.5 and summary["answered"] == 5 and summary["min_answers"] == 5
    rows = client.get(API["rows"](w)).json()
    assert rows[0]["label"] == "党章学习" and rows[0]["stats"]["satisfied_percent"] == 80.0
    drill = client.get(API["answers"](w)).json()
    assert len(drill["answers"]) == 5 and set(drill["answers"][0]) == {"scores", "texts"}
    assert client.get(f"evaluation/programs/{w.program.pk}/analysis/nobody").status_code == 422
    assert client.get(f"evaluation/programs/{w.program.pk}/analysis/session/0/answers").status_code == 404
    rules_min(6)
    drill = client.get(API["answers"](w)).json()
    assert drill["stats"]["hidden"] and drill["answers"] == [] and drill["stats"]["quotes"] == []


def _more(w, sessions: int, per_session: int):
    from dangjian.training.models import Session

    extra = Session.unscoped.filter(pk__in=[session(w.phase, w.today, hour=8, title=f"加课{i}",
                                                    course=CourseFactory()).pk for i in range(sessions)])
    for item in extra:
        item.instructors.add(InstructorFactory())
        for _n in range(per_session):
            answer(w, item, CARD, {"main_gain": "党史故事很感人"})


def test_queries_do_not_grow_with_answers_and_sessions(client, api_as, world):  # noqa: F811
    w = world
    five_answers(w)
    client.force_login(w.organizer)
    api = api_as(w.organizer)
    urls = [PAGES["analysis"](w), PAGES["analysis"](w) + "?by=session", PAGES["answers"](w), PAGES["course"](w)]
    api_urls = [API["summary"](w), API["rows"](w), API["answers"](w)]

    def count() -> list[int]:
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        for url in api_urls:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    small = count()
    _more(w, sessions=4, per_session=6)
    assert count() == small


def test_the_questionnaire_choices_are_counted_and_named(world, client, api_as):  # noqa: F811
    """The sessions one was most satisfied with are named by the session's title, the wished-for topics by their
    words (the interface language's); most chosen first; nothing below the minimum number of questionnaires."""
    w = world
    form = program_forms(w.program)[FormKind.PROGRAMME]
    rows = {row["id"]: row for row in form.definition["choices"]}
    assert rows["most_satisfied"]["options_source"] == "class_sessions"
    lecture, onsite = str(w.lecture.pk), str(w.onsite.pk)
    picks = [{"most_satisfied": [lecture, onsite], "topics_wanted": ["regulations", "onsite"]},
             {"most_satisfied": [onsite], "topics_wanted": ["regulations"]},
             {"most_satisfied": [onsite], "least_satisfied": [lecture]},
             {"topics_wanted": ["regulations"]},
             {}]
    for choices in picks[:4]:
        EvaluationAnswer.objects.create(form=form, program=w.program, session=None, answered_on=w.today,
                                        choices=choices)
    assert analysis.program_analysis(w.program).choices == []  # 4 questionnaires: below the minimum of 5
    EvaluationAnswer.objects.create(form=form, program=w.program, session=None, answered_on=w.today,
                                    choices=picks[4])
    counted = {choice.id: choice for choice in analysis.program_analysis(w.program).choices}
    assert counted["most_satisfied"].options == [("红色教育基地现场教学", 3),
                                                 ("习近平新时代中国特色社会主义思想专题", 1)]
    assert counted["most_satisfied"].answered == 3
    assert counted["least_satisfied"].options == [("习近平新时代中国特色社会主义思想专题", 1)]
    assert counted["topics_wanted"].options == [("Interpretation of party regulations", 3), ("On-site teaching", 1)]
    assert counted["topics_wanted"].answered == 3
    # Shown on the page (in English: the options' English words) and returned by the API.
    client.force_login(w.organizer)
    page = client.get(reverse("evaluation_analysis", args=[w.program.pk])).content.decode()
    assert "Interpretation of party regulations" in page and "Times chosen" in page
    body = api_as(w.organizer).get(API["summary"](w)).json()
    by_id = {choice["id"]: choice for choice in body["questionnaire_choices"]}
    assert by_id["most_satisfied"]["options"][0] == {"option": "红色教育基地现场教学", "times": 3}
