"""REST API v1 for the follow-up (成果转化, docs/followup.md): a participant's implementation plan and follow-up
survey, the unit's confirmations, a program's overview for the organizers and the reminders.

The same permissions as the pages (followup/rules.py): the role first (403 before any lookup), the record through
a scoped selector (404 outside the scope), then the permission on the record (403, or 409 with the reason for the
wrong state or time). Writes go through followup.services (all or nothing, 422 naming the row or question).
"""

import datetime

from ninja import Field, Query, Router, Schema, Status

from dangjian.api.inputs import Input
from dangjian.api.pagination import PageQuery, page_schema
from dangjian.api.registry import ERRORS, Id
from dangjian.api.training_library import WRITE_ERRORS
from dangjian.core.pagination import page_rows
from dangjian.core.services import require_perm
from dangjian.followup import selectors, services
from dangjian.followup.enums import Decision, FollowUpState
from dangjian.training.selectors import program_get


class PlanItem(Schema):
    action: str = Field(..., max_length=services.PLAN_ACTION_MAX, description="What will change in the branch's work.")
    due: datetime.date = Field(..., description="By when (ISO 8601 date).")


class PlanIn(Input):
    items: list[PlanItem] = Field(..., max_length=services.PLAN_ROWS_MAX)


class PlanOut(Schema):
    program_id: int
    items: list[PlanItem]
    submitted_at: datetime.datetime | None
    updated_at: datetime.datetime | None
    deadline: datetime.date
    can_change: bool
    refusal: str | None = Field(None, description="Why the plan cannot be changed now, in words.")


class SurveyIn(Input):
    scores: dict[str, int] = Field(default_factory=dict, description="{rated question id: level}")
    choices: dict[str, list[str]] = Field(default_factory=dict, description="{choice id: [option ids]}")
    texts: dict[str, str] = Field(default_factory=dict, description="{open question id: text}")


class SurveyOut(Schema):
    program_id: int
    form_id: int
    definition: dict = Field(..., description="The follow-up form (evaluation.definitions).")
    due_on: datetime.date
    refusal: str | None = Field(None, description="Why the survey cannot be answered now, in words.")
    answered: bool
    submitted_at: datetime.datetime | None
    scores: dict
    choices: dict
    texts: dict
    decision: str | None = Field(None, description="The unit's decision: confirmed / commented; null: awaiting.")


class ReportOut(Schema):
    id: int
    program_id: int
    program_title: str
    person_name: str
    organ_name: str
    submitted_at: datetime.datetime
    scores: dict
    choices: dict
    texts: dict
    plan: list[PlanItem]
    decision: str | None
    unit_answers: dict
    confirmed_at: datetime.datetime | None


class ConfirmationFilters(Schema):
    done: bool = Field(False, description="false: awaiting confirmation; true: confirmed or commented.")


class ConfirmIn(Input):
    decision: Decision = Field(..., description="confirmed, or commented (then the comment is needed).")
    answers: dict[str, int | str] = Field(default_factory=dict, description="{unit item id: level or text}")


class OrganCountOut(Schema):
    organ_id: int
    organ_name: str
    completed: int
    plans: int
    reports: int
    confirmed: int
    commented: int


class ParticipantOut(Schema):
    nomination_id: int
    person_name: str
    organ_id: int
    organ_name: str
    state: FollowUpState
    plan_rows: int
    survey_due: datetime.date


class OverviewFilters(Schema):
    organ_id: int | None = Field(None, ge=1, description="Only this organ's participants.")
    state: FollowUpState | None = None


class OverviewOut(Schema):
    program_id: int
    organs: list[OrganCountOut]
    totals: dict[str, int]
    outcomes: dict = Field(..., description="The survey's answers counted per option and level (nobody ranked).")
    participants: page_schema(ParticipantOut)


class RemindersOut(Schema):
    participants: int = Field(..., description="Drafts composed to participants whose survey is due.")
    units: int = Field(..., description="Drafts composed to unit administrators with reports to confirm.")
    unreachable: list[str]


router = Router(tags=["followup"])


def _mine(request, program_id, perm):
    require_perm(request.user, perm)
    return selectors.my_graduation(user=request.user, program_pk=program_id)


def _plan(request, nomination) -> dict:
    plan = selectors.plan_of(nomination)
    refusal = selectors.plan_refusal(nomination)
    return {"program_id": nomination.program_id, "items": plan.items if plan else [],
            "submitted_at": plan.submitted_at if plan else None, "updated_at": plan.updated_at if plan else None,
            "deadline": selectors.plan_deadline(nomination), "can_change": refusal is None, "refusal": refusal}


@router.get("/followup/programs/{program_id}/plan", response={200: PlanOut, **ERRORS},
            summary="The participant's implementation plan for a class they completed")
def plan_get(request, program_id: Id):
    return _plan(request, _mine(request, program_id, "followup.file_plan"))


@router.put("/followup/programs/{program_id}/plan", response={200: PlanOut, **WRITE_ERRORS},
            summary="File or change the implementation plan (all rows; until its deadline)")
def plan_put(request, program_id: Id, payload: PlanIn):
    nomination = _mine(request, program_id, "followup.file_plan")
    services.plan_save(nomination=nomination, by=request.user,
                       rows=[services.PlanRow(action=row.action, due=row.due) for row in payload.items])
    return _plan(request, selectors.my_graduation(user=request.user, program_pk=program_id))


def _survey(nomination) -> dict:
    report = selectors.report_of(nomination)
    form = report.form if report else selectors.follow_up_form(nomination.program)
    confirmation = selectors.confirmation_of(report)
    return {"program_id": nomination.program_id, "form_id": form.pk, "definition": form.definition,
            "due_on": selectors.survey_due(nomination), "answered": report is not None,
            "refusal": selectors.survey_refusal(nomination, answered=report is not None),
            "submitted_at": report.submitted_at if report else None,
            "scores": report.scores if report else {}, "choices": report.choices if report else {},
            "texts": report.texts if report else {}, "decision": confirmation.decision if confirmation else None}


@router.get("/followup/programs/{program_id}/survey", response={200: SurveyOut, **ERRORS},
            summary="The follow-up survey of a class the participant completed: the form, when it is due, the answer")
def survey_get(request, program_id: Id):
    return _survey(_mine(request, program_id, "followup.answer_survey"))


@router.post("/followup/programs/{program_id}/survey", response={201: SurveyOut, **WRITE_ERRORS},
             summary="Answer the follow-up survey, once, from its due day")
def survey_post(request, program_id: Id, payload: SurveyIn):
    nomination = _mine(request, program_id, "followup.answer_survey")
    services.survey_submit(nomination=nomination, by=request.user, scores=payload.scores, choices=payload.choices,
                           texts=payload.texts)
    return Status(201, _survey(selectors.my_graduation(user=request.user, program_pk=program_id)))


def _report(report) -> dict:
    plan = selectors.plan_of(report.nomination)
    confirmation = selectors.confirmation_of(report)
    return {"id": report.pk, "program_id": report.program_id, "program_title": report.program.title,
            "person_name": report.nomination.person.name, "organ_name": report.nomination.organ.name_zh,
            "submitted_at": report.submitted_at, "scores": report.scores, "choices": report.choices,
            "texts": report.texts, "plan": plan.items if plan else [],
            "decision": confirmation.decision if confirmation else None,
            "unit_answers": confirmation.answers if confirmation else {},
            "confirmed_at": confirmation.confirmed_at if confirmation else None}


@router.get("/followup/confirmations", response={200: page_schema(ReportOut), **ERRORS},
            summary="The unit administrator's organs' follow-up reports: awaiting confirmation, or done")
def confirmations_get(request, filters: Query[ConfirmationFilters], page: Query[PageQuery]):
    require_perm(request.user, "followup.view_confirmations")
    found = selectors.unit_reports(user=request.user, pending=not filters.done)
    rows = page_rows(found, (page.page - 1) * page.page_size, page.page_size)
    return {"count": found.count(), "page": page.page, "page_size": page.page_size,
            "items": [_report(report) for report in rows]}


@router.post("/followup/reports/{report_id}/confirmation", response={201: ReportOut, **WRITE_ERRORS},
             summary="Confirm a follow-up report of the unit's participant, or comment on it (once)")
def confirmation_post(request, report_id: Id, payload: ConfirmIn):
    require_perm(request.user, "followup.view_confirmations")
    report = selectors.unit_report_get(user=request.user, pk=report_id)
    require_perm(request.user, "followup.confirm", report)
    services.unit_confirm(report=report, decision=payload.decision, answers=payload.answers, by=request.user)
    return Status(201, _report(selectors.unit_report_get(user=request.user, pk=report_id)))


def _program(request, program_id, perm):
    require_perm(request.user, perm)
    program = program_get(user=request.user, pk=program_id)
    require_perm(request.user, perm, program)
    return program


@router.get("/followup/programs/{program_id}/overview", response={200: OverviewOut, **ERRORS},
            summary="A program's follow-up per organ and participant (filters, paged) and its outcomes")
def overview_get(request, program_id: Id, filters: Query[OverviewFilters], page: Query[PageQuery]):
    program = _program(request, program_id, "followup.view_program")
    counts = selectors.organ_counts(program)
    found = selectors.program_graduates(program, organ_id=filters.organ_id, state=filters.state or "")
    rows = page_rows(found, (page.page - 1) * page.page_size, page.page_size)
    items = []
    for result in rows:
        nomination = result.nomination
        plan = selectors.plan_of(nomination)
        items.append({"nomination_id": nomination.pk, "person_name": nomination.person.name,
                      "organ_id": nomination.organ_id, "organ_name": nomination.organ.name_zh,
                      "state": selectors.state_of(nomination), "plan_rows": len(plan.items) if plan else 0,
                      "survey_due": selectors.survey_due(nomination)})
    return {"program_id": program.pk, "organs": [vars(row) for row in counts], "totals": selectors.totals(counts),
            "outcomes": selectors.outcomes(program),
            "participants": {"count": found.count(), "page": page.page, "page_size": page.page_size,
                             "items": items}}


@router.post("/followup/programs/{program_id}/reminders", response={201: RemindersOut, **WRITE_ERRORS},
             summary="Draft reminders into the outbox: to participants whose survey is due and unanswered, and to "
                     "unit administrators with reports awaiting confirmation (not twice while one is unsent)")
def reminders_post(request, program_id: Id):
    program = _program(request, program_id, "followup.view_program")
    require_perm(request.user, "followup.send_reminders", program)
    outcome = services.reminders_compose(program=program, by=request.user)
    return Status(201, {"participants": outcome.participants, "units": outcome.units,
                        "unreachable": outcome.unreachable})
