"""REST API v1 for evaluation (docs/evaluation.md): the forms a program uses and its response rates (those who
run the class), a participant's pending cards, and their anonymous answers; the analysis of the answers (figures,
keywords, quotes, the answers of a group — no person, hidden below the minimum number of answers) and a course's or
an instructor's figures across years.

An answer is never returned: a POST answers with the form and the date stored, nothing that names the answer; no
endpoint returns an answer with a person (answers have none). Refusals of state (the session has not ended, the
card is closed, already answered) are 409 with the reason; an incomplete answer is 422 naming the question.
"""

import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from dangjian.api.inputs import Input
from dangjian.api.registry import ERRORS, Id
from dangjian.api.training_library import WRITE_ERRORS
from dangjian.core.services import require_perm
from dangjian.evaluation import analysis, selectors, services
from dangjian.evaluation.enums import FormKind
from dangjian.training.models import Course, Instructor, Program, Session
from dangjian.training.selectors import program_get

router = Router(tags=["evaluation"])


class FormOut(Schema):
    id: int
    kind: str
    is_default: bool
    title_zh: str
    title_en: str
    definition: dict


class RateOut(Schema):
    session_id: int
    title: str
    starts_at: datetime.datetime
    roster: int
    answered: int


class RatesOut(Schema):
    program_id: int
    questionnaire_answered: int
    questionnaire_participants: int
    sessions: list[RateOut]


class PendingOut(Schema):
    kind: str
    program_id: int
    session_id: int | None
    title: str
    ends_at: datetime.datetime | None


class CardIn(Input):
    scores: dict[str, int] = Field(description="Dimension id -> level of the scale (e.g. 4 = very satisfied).")
    texts: dict[str, str] = Field(default_factory=dict, description="Open question id -> text.")


class QuestionnaireIn(CardIn):
    choices: dict[str, list[str]] = Field(default_factory=dict, description="Choice id -> option ids.")


class AnsweredOut(Schema):
    form_id: int
    answered_on: datetime.date


def _form(form) -> dict:
    return {"id": form.pk, "kind": form.kind, "is_default": form.is_default, "title_zh": form.title_zh,
            "title_en": form.title_en, "definition": form.definition}


def _program(request, program_id, perm: str):
    require_perm(request.user, perm)
    program = program_get(user=request.user, pk=program_id)
    require_perm(request.user, perm, program)
    return program


@router.get("/evaluation/programs/{program_id}/forms", response={200: list[FormOut], **ERRORS},
            summary="The forms a program uses (its own copy or the default), one per kind")
def forms_get(request, program_id: Id):
    program = _program(request, program_id, "evaluation.view_forms")
    forms = selectors.program_forms(program)
    return [_form(forms[kind]) for kind in FormKind.values]


@router.get("/evaluation/programs/{program_id}/response-rates", response={200: RatesOut, **ERRORS},
            summary="How many have answered each session's card and the program questionnaire (no names)")
def rates_get(request, program_id: Id):
    program = _program(request, program_id, "evaluation.view_response_rates")
    answered, placed = selectors.questionnaire_rate(program)
    return {"program_id": program.pk, "questionnaire_answered": answered, "questionnaire_participants": placed,
            "sessions": [{"session_id": row.session.pk, "title": row.session.title,
                          "starts_at": row.session.starts_at, "roster": row.roster, "answered": row.answered}
                         for row in selectors.response_rates(program)]}


@router.get("/evaluation/my/pending", response={200: list[PendingOut], **ERRORS},
            summary="The participant's ended sessions awaiting a card, and open program questionnaires")
def my_pending(request):
    require_perm(request.user, "evaluation.answer")
    return [{"kind": item.kind, "program_id": item.program.pk,
             "session_id": item.session.pk if item.session else None,
             "title": item.session.title if item.session else item.program.title,
             "ends_at": item.session.ends_at if item.session else None}
            for item in selectors.my_pending(user=request.user)]


def _my_session(request, session_id):
    require_perm(request.user, "evaluation.answer")
    session = get_object_or_404(Session.unscoped.select_related("phase__program"), pk=session_id)
    if selectors.my_placement_for_session(user=request.user, session=session) is None:
        get_object_or_404(Session.unscoped.none(), pk=session_id)  # not on their roster: not found
    return session


@router.post("/evaluation/my/sessions/{session_id}/answer", response={201: AnsweredOut, **WRITE_ERRORS},
             summary="Answer a session's card, anonymously, once (after the session ended)")
def card_answer(request, session_id: Id, payload: CardIn):
    session = _my_session(request, session_id)
    answered_on = services.card_answer(session=session, by=request.user, scores=payload.scores,
                                       texts=payload.texts)
    form = selectors.form_in_use(session.phase.program, FormKind.SESSION_CARD)
    return Status(201, {"form_id": form.pk, "answered_on": answered_on})


@router.post("/evaluation/my/programs/{program_id}/answer", response={201: AnsweredOut, **WRITE_ERRORS},
             summary="Answer the program questionnaire, anonymously, once (around the end of the class)")
def questionnaire_answer(request, program_id: Id, payload: QuestionnaireIn):
    require_perm(request.user, "evaluation.answer")
    program = get_object_or_404(Program.unscoped, pk=program_id)
    if selectors.my_placement_in_program(user=request.user, program=program) is None:
        get_object_or_404(Program.unscoped.none(), pk=program_id)
    answered_on = services.questionnaire_answer(program=program, by=request.user, scores=payload.scores,
                                                choices=payload.choices, texts=payload.texts)
    form = selectors.form_in_use(program, FormKind.PROGRAMME)
    return Status(201, {"form_id": form.pk, "answered_on": answered_on})


# --- Analysis (issue 13, item 2): figures and anonymous texts, never a person -----------------------------------


class DimensionOut(Schema):
    id: str
    label: str
    mean: float | None
    max: float
    count: int


class KeywordOut(Schema):
    word: str
    answers: int


class StatsOut(Schema):
    answers: int
    hidden: bool = Field(description="Fewer answers than the minimum: no scores, no texts.")
    overall: float | None = Field(description="0–100: the mean points as a share of the maximum.")
    satisfied_percent: float | None = Field(description="Ratings at the top two levels, in %.")
    dimensions: list[DimensionOut]
    keywords: list[KeywordOut]
    quotes: list[str]


class RowOut(Schema):
    by: str
    key: str
    label: str
    detail: str
    answered: int
    roster: int
    stats: StatsOut


class ChoiceOptionOut(Schema):
    option: str
    times: int


class ChoiceCountOut(Schema):
    id: str
    label: str
    answered: int
    options: list[ChoiceOptionOut]


class AnalysisOut(Schema):
    program_id: int
    min_answers: int
    answered: int
    roster: int
    questionnaire_answered: int
    questionnaire_participants: int
    overall: StatsOut
    questionnaire: StatsOut
    questionnaire_choices: list[ChoiceCountOut]  # empty below the minimum number of questionnaires


class AnswerScoreOut(Schema):
    label: str
    level: str
    points: float | None


class AnswerTextOut(Schema):
    label: str
    text: str


class AnswerOut(Schema):
    scores: list[AnswerScoreOut]
    texts: list[AnswerTextOut]


class DrillOut(Schema):
    by: str
    key: str
    label: str
    stats: StatsOut
    answers: list[AnswerOut]


class HistoryOut(Schema):
    program_id: int
    program_title: str
    year: int
    sessions: int
    stats: StatsOut


def _stats(stats) -> dict:
    return {"answers": stats.answers, "hidden": stats.hidden, "overall": stats.overall_rounded,
            "satisfied_percent": stats.satisfied_percent, "dimensions": stats.dimensions,
            "keywords": [{"word": word, "answers": count} for word, count in stats.keywords],
            "quotes": stats.quotes}


def _row(row) -> dict:
    return {"by": row.by, "key": row.key, "label": row.label, "detail": row.detail, "answered": row.answered,
            "roster": row.roster, "stats": _stats(row.stats)}


@router.get("/evaluation/programs/{program_id}/analysis", response={200: AnalysisOut, **ERRORS},
            summary="A program's evaluation: response rates, scores per dimension, keywords and quotes (no person; "
                    "hidden below the minimum number of answers)")
def analysis_get(request, program_id: Id):
    program = _program(request, program_id, "evaluation.view_analysis")
    result = analysis.program_analysis(program, words=False)
    return {"program_id": program.pk, "min_answers": result.min_answers, "answered": result.answered,
            "roster": result.roster, "questionnaire_answered": result.questionnaire_answered,
            "questionnaire_participants": result.questionnaire_placed, "overall": _stats(result.overall),
            "questionnaire": _stats(result.questionnaire),
            "questionnaire_choices": [
                {"id": choice.id, "label": choice.label, "answered": choice.answered,
                 "options": [{"option": option, "times": times} for option, times in choice.options]}
                for choice in result.choices]}


@router.get("/evaluation/programs/{program_id}/analysis/{by}", response={200: list[RowOut], **ERRORS},
            summary="Figures per session, course, instructor, teaching form or phase (by = session, course, "
                    "instructor, form, phase)")
def analysis_rows(request, program_id: Id, by: Literal["session", "course", "instructor", "form", "phase"]):
    program = _program(request, program_id, "evaluation.view_analysis")
    return [_row(row) for row in analysis.program_analysis(program, words=True).rows[by]]


@router.get("/evaluation/programs/{program_id}/analysis/{by}/{key}/answers", response={200: DrillOut, **ERRORS},
            summary="The anonymous answers of one session, course, instructor, teaching form or phase "
                    "(none below the minimum number of answers)")
def analysis_answers(request, program_id: Id, by: Literal["session", "course", "instructor", "form", "phase"],
                     key: str):
    program = _program(request, program_id, "evaluation.view_analysis")
    drill = analysis.drill_down(program, by=by, key=key)
    if drill is None:
        get_object_or_404(Program.unscoped.none(), pk=program_id)
    return {"by": drill.by, "key": drill.key, "label": drill.label, "stats": _stats(drill.stats),
            "answers": drill.answers}


def _history(request, *, course=None, instructor=None) -> list[dict]:
    require_perm(request.user, "evaluation.view_history")
    rows = analysis.history(programs=Program.objects.visible_to(request.user), course=course,
                            instructor=instructor)
    return [{"program_id": row.program.pk, "program_title": row.program.title, "year": row.program.year,
             "sessions": row.sessions, "stats": _stats(row.stats)} for row in rows]


@router.get("/evaluation/courses/{course_id}/history", response={200: list[HistoryOut], **ERRORS},
            summary="A course's evaluation in each program over the years (the programs visible to the user)")
def course_history(request, course_id: Id):
    require_perm(request.user, "evaluation.view_history")
    return _history(request, course=get_object_or_404(Course, pk=course_id))


@router.get("/evaluation/instructors/{instructor_id}/history", response={200: list[HistoryOut], **ERRORS},
            summary="An instructor's evaluation in each program over the years (the programs visible to the user)")
def instructor_history(request, instructor_id: Id):
    require_perm(request.user, "evaluation.view_history")
    return _history(request, instructor=get_object_or_404(Instructor, pk=instructor_id))
