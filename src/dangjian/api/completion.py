"""REST API v1 for completion (结业, docs/completion.md): a program's completion rules, its results per participant
(paged; provisional until the class closes, then the stored ones), its assessment scores, and a participant's own
reflection.

The same permissions as the pages (completion/rules.py): a role-level question first (403 before any lookup), the
program through the scoped selector (404 outside the scope), then the permission on the record (403 for the wrong
role or scope, 409 for the wrong state: a closed class). Writes go through completion.services (all or nothing, 422
naming the row).
"""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Query, Router, Schema

from dangjian.api.inputs import Input
from dangjian.api.pagination import PageQuery, page_schema
from dangjian.api.registry import ERRORS, Id, choice_type
from dangjian.api.training_library import WRITE_ERRORS, call
from dangjian.completion import selectors, services
from dangjian.completion.enums import Crediting
from dangjian.core.services import require_perm
from dangjian.training.selectors import program_get

Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=4, decimal_places=3)]
Ratio = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=5)]
Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=4, decimal_places=1)]


class RulesIn(Input):
    min_attendance_share: Share | None = Field(None, description="Share of the class's hours attended, e.g. 0.9; "
                                                                 "null: no minimum.")
    leave_within_limit: bool = True
    max_leave_ratio: Ratio = Field(Decimal("0.14286"), description="Share of the class's hours (1/7 ≈ 0.14286).")
    require_reflection: bool = False
    reflection_must_pass: bool = Field(False, description="Only a reflection graded pass or excellent counts.")
    reflection_due_on: datetime.date | None = Field(None, description="The last day to submit a reflection.")
    require_assessment: bool = False
    assessment_pass_mark: Score = Decimal("60")
    crediting: choice_type(Crediting) = Crediting.PER_DAY


class RulesOut(Schema):
    program_id: int
    min_attendance_share: Decimal | None
    leave_within_limit: bool
    max_leave_ratio: Decimal
    require_reflection: bool
    reflection_must_pass: bool
    reflection_due_on: datetime.date | None
    require_assessment: bool
    assessment_pass_mark: Decimal
    crediting: str
    words: list[str] = Field(..., description="The rules in words, in the request's language.")


class ReasonOut(Schema):
    code: str
    text: str


class ResultOut(Schema):
    nomination_id: int
    person_name: str
    organ_name: str
    phase_number: int | None
    group_name: str
    class_hours: Decimal
    attended_hours: Decimal
    leave_hours: Decimal
    days_attended: int
    completed: bool
    reasons: list[ReasonOut]
    credited_hours: Decimal
    provisional: bool


class ResultsFilters(Schema):
    q: str = Field("", max_length=50, description="A part of the participant's name.")


class AssessmentIn(Input):
    nomination_id: Id
    score: Score | None = Field(None, description="null: no score (a recorded one is removed).")
    note: str = Field("", max_length=200)


class AssessmentsIn(Input):
    rows: list[AssessmentIn] = Field(max_length=2000)


class AssessmentOut(Schema):
    nomination_id: int
    person_name: str
    organ_name: str
    phase_number: int
    score: Decimal | None
    note: str


class ReflectionIn(Input):
    text: str = Field(..., max_length=20000)


class ReflectionOut(Schema):
    program_id: int
    text: str
    submitted_at: datetime.datetime | None
    can_submit: bool


router = Router(tags=["completion"])


def _program(request, program_id, perm):
    require_perm(request.user, perm)
    program = program_get(user=request.user, pk=program_id)
    require_perm(request.user, perm, program)
    return program


def _rules(program) -> dict:
    rules = selectors.rules_of(program)
    return {"program_id": program.pk, **{name: getattr(rules, name) for name in services.RULE_FIELDS},
            "words": selectors.rules_in_words(program, rules)}


@router.get("/completion/programs/{program_id}/rules", response={200: RulesOut, **ERRORS},
            summary="A program's completion rules (the defaults when it has set none), with the rules in words")
def rules_get(request, program_id: Id):
    return _rules(_program(request, program_id, "training.view_program"))


@router.put("/completion/programs/{program_id}/rules", response={200: RulesOut, **WRITE_ERRORS},
            summary="Set a program's completion rules (organizers, while the class is open)")
def rules_put(request, program_id: Id, payload: RulesIn):
    program = _program(request, program_id, "training.view_program")
    require_perm(request.user, "completion.change_rules", program)
    call(services.rules_set, program=program, by=request.user, **payload.model_dump())
    return _rules(type(program).unscoped.select_related("completion_rules").get(pk=program.pk))


def _result(row) -> dict:
    return {"nomination_id": row.nomination.pk, "person_name": row.person.name,
            "organ_name": row.nomination.organ.name_zh, "phase_number": row.phase_number,
            "group_name": row.group_name, "class_hours": row.class_hours, "attended_hours": row.attended_hours,
            "leave_hours": row.leave_hours, "days_attended": row.days_attended, "completed": row.completed,
            "reasons": [{"code": reason["code"], "text": text} for reason, text in zip(row.reasons, row.reason_texts,
                                                                                       strict=True)],
            "credited_hours": row.credited_hours, "provisional": row.provisional}


@router.get("/completion/programs/{program_id}/results", response={200: page_schema(ResultOut), **ERRORS},
            summary="Each participant's result with the reasons in words: provisional until the class closes, then "
                    "as stored; unit administrators see their own organs' people")
def results_get(request, program_id: Id, filters: Query[ResultsFilters], page: Query[PageQuery]):
    from dangjian.core.pagination import page_rows

    program = _program(request, program_id, "completion.view_results")
    offset = (page.page - 1) * page.page_size
    if selectors.is_provisional(program):
        found = selectors.result_placements(program, user=request.user, q=filters.q.strip())
        rows = selectors.result_rows(program, list(page_rows(found, offset, page.page_size)))
    else:
        found = selectors.stored_results(program, user=request.user, q=filters.q.strip())
        rows = selectors.stored_rows(page_rows(found, offset, page.page_size))
    return {"count": found.count(), "page": page.page, "page_size": page.page_size,
            "items": [_result(row) for row in rows]}


def _grid(program) -> list[dict]:
    return [{"nomination_id": placement.nomination_id, "person_name": placement.nomination.person.name,
             "organ_name": placement.nomination.organ.name_zh, "phase_number": placement.phase.number,
             "score": assessment.score if assessment else None, "note": assessment.note if assessment else ""}
            for placement, assessment in selectors.assessment_grid(program)]


@router.get("/completion/programs/{program_id}/assessments", response={200: list[AssessmentOut], **ERRORS},
            summary="Every participant's assessment score (null when none is recorded)")
def assessments_get(request, program_id: Id):
    return _grid(_program(request, program_id, "training.run_class"))


@router.put("/completion/programs/{program_id}/assessments", response={200: list[AssessmentOut], **WRITE_ERRORS},
            summary="Record assessment scores, all or nothing (errors name the row); a null score removes one")
def assessments_put(request, program_id: Id, payload: AssessmentsIn):
    program = _program(request, program_id, "training.run_class")
    require_perm(request.user, "completion.record_assessment", program)
    call(services.assessment_set, program=program, by=request.user, rows=[
        services.ScoreInput(nomination_id=row.nomination_id, score=row.score, note=row.note) for row in payload.rows])
    return _grid(program)


def _my_nomination(request, program_id):
    require_perm(request.user, "enrollment.view_own_enrollment")
    return selectors.my_nomination(user=request.user, program_pk=program_id)


def _reflection(request, nomination) -> dict:
    reflection = selectors.my_reflection(nomination)
    return {"program_id": nomination.program_id, "text": reflection.text if reflection else "",
            "submitted_at": reflection.submitted_at if reflection else None,
            "can_submit": request.user.has_perm("completion.submit_reflection", nomination)}


@router.get("/completion/programs/{program_id}/reflection", response={200: ReflectionOut, **ERRORS},
            summary="The participant's own reflection on a program they attend")
def reflection_get(request, program_id: Id):
    return _reflection(request, _my_nomination(request, program_id))


@router.put("/completion/programs/{program_id}/reflection", response={200: ReflectionOut, **WRITE_ERRORS},
            summary="Submit the participant's own reflection (again: it replaces the text), until the class closes")
def reflection_put(request, program_id: Id, payload: ReflectionIn):
    nomination = _my_nomination(request, program_id)
    require_perm(request.user, "completion.submit_reflection", nomination)
    call(services.reflection_submit, nomination=nomination, text=payload.text, by=request.user)
    return _reflection(request, nomination)
