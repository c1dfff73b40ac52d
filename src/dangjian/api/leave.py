"""REST API v1 for leave (请假), withdrawal (退学) and the class attendance overview (docs/attendance.md).

Under /api/v1/leave/. Scoped like the pages: a program's lists need `attendance.view_leave` (those who run the
class, unit administrators: their own organs' people; 403 for others) and the program through the scoped selector
(404); a leave request or withdrawal outside the user's scope is a 404. Filing needs `attendance.file_leave` (the
participant for themselves, the head teacher for a participant); cancelling: the filer; approving and refusing:
the head teacher; confirming and clearing a withdrawal: the organizer. A record whose state refuses the action
(decided, the class closed) is a 409; invalid input a 422 naming the field.
"""

import datetime
from decimal import Decimal
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from dangjian.api.inputs import Input
from dangjian.api.pagination import PageQuery, page_schema, paginate
from dangjian.api.registry import ERRORS, Id, choice_type
from dangjian.api.training_library import WRITE_ERRORS, call
from dangjian.attendance import leave_selectors, leave_services
from dangjian.attendance.enums import LeaveStatus, WithdrawalStatus
from dangjian.core.services import require_perm
from dangjian.enrollment.models import Nomination
from dangjian.training.models import Session
from dangjian.training.selectors import program_get


class LeaveStandingOut(Schema):
    class_hours: Decimal
    leave_hours: Decimal
    limit_hours: Decimal = Field(description="The most hours of leave within the limit (the limit is within).")
    state: Literal["within", "warning", "over"] = Field(description="warning: at least 3/4 of the limit")
    label: str


class LeaveSessionOut(Schema):
    id: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    hours: Decimal


class LeaveOut(Schema):
    id: int
    nomination_id: int
    program_id: int
    person_name: str
    organ_name: str
    status: choice_type(LeaveStatus)
    reason: str
    sessions: list[LeaveSessionOut]
    hours: Decimal
    filed_by: str | None
    filed_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str
    standing: LeaveStandingOut | None = Field(None, description="The participant's leave against the limit now.")
    standing_if_approved: LeaveStandingOut | None = Field(None, description="While pending: their leave if approved.")


class WithdrawalOut(Schema):
    id: int
    nomination_id: int
    person_name: str
    organ_name: str
    status: choice_type(WithdrawalStatus)
    reason: str
    flagged_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str


class LeaveApprovedOut(Schema):
    leave: LeaveOut
    withdrawal: WithdrawalOut | None = Field(None, description="The participant's withdrawal when this approval "
                                                               "took their leave past the limit (flagged).")


class LeaveIn(Input):
    nomination_id: Id
    session_ids: list[Id] = Field(max_length=200)
    reason: str = Field(max_length=500)


class DecisionNoteIn(Input):
    note: str = Field("", max_length=200)


class LeaveFilters(Schema):
    status: choice_type(LeaveStatus, blank=True) = ""
    nomination: Id | None = Field(None, description="One participant's requests.")


class MyLeaveClassOut(Schema):
    nomination_id: int
    program_id: int
    program_title: str
    standing: LeaveStandingOut | None
    withdrawal_status: choice_type(WithdrawalStatus) | None
    may_file: bool
    open_sessions: list[LeaveSessionOut] = Field(description="The sessions a leave may still be asked for.")
    requests: list[LeaveOut]


class AttendanceOverviewOut(Schema):
    nomination_id: int
    person_name: str
    organ_name: str
    phase_number: int
    group_id: int | None
    class_hours: Decimal
    attended_hours: Decimal
    leave_hours: Decimal
    absent_hours: Decimal
    unmarked_hours: Decimal
    standing: LeaveStandingOut
    withdrawal_status: choice_type(WithdrawalStatus) | None
    pending_requests: int


def _standing(standing) -> dict | None:
    if standing is None:
        return None
    return {"class_hours": standing.class_hours, "leave_hours": standing.leave_hours,
            "limit_hours": standing.limit_hours, "state": standing.state, "label": standing.label}


def _session(session) -> dict:
    return {"id": session.pk, "title": session.title, "starts_at": session.starts_at, "ends_at": session.ends_at,
            "hours": session.hours}


def _leave(leave) -> dict:
    nomination = leave.nomination
    return {
        "id": leave.pk, "nomination_id": nomination.pk, "program_id": nomination.program_id,
        "person_name": nomination.person.name, "organ_name": nomination.organ.name_zh, "status": leave.status,
        "reason": leave.reason, "sessions": [_session(session) for session in leave.sessions.all()],
        "hours": getattr(leave, "hours", None) or leave_selectors.request_hours(leave),
        "filed_by": leave.filed_by.display_name if leave.filed_by else None, "filed_at": leave.filed_at,
        "decided_by": leave.decided_by.display_name if leave.decided_by else None, "decided_at": leave.decided_at,
        "decision_note": leave.decision_note, "standing": _standing(getattr(leave, "standing", None)),
        "standing_if_approved": _standing(getattr(leave, "standing_after", None)),
    }


def _withdrawal(withdrawal) -> dict:
    nomination = withdrawal.nomination
    return {"id": withdrawal.pk, "nomination_id": nomination.pk, "person_name": nomination.person.name,
            "organ_name": nomination.organ.name_zh, "status": withdrawal.status, "reason": withdrawal.reason,
            "flagged_at": withdrawal.flagged_at,
            "decided_by": withdrawal.decided_by.display_name if withdrawal.decided_by else None,
            "decided_at": withdrawal.decided_at, "decision_note": withdrawal.decision_note}


def _leave_with_outlook(request, pk) -> dict:
    leave = leave_selectors.leave_get(user=request.user, pk=pk)
    [leave] = leave_selectors.with_outlook(leave.nomination.program, [leave])
    return _leave(leave)


def _program(request, program_id):
    require_perm(request.user, "attendance.view_leave")
    program = program_get(user=request.user, pk=program_id)
    require_perm(request.user, "attendance.view_leave", program)
    return program


router = Router(tags=["leave"])


@router.get("/programs/{program_id}/requests", response={200: page_schema(LeaveOut), **ERRORS},
            summary="A program's leave requests (pending first), each with the participant's leave against the "
                    "limit")
def leave_list(request, program_id: Id, filters: Query[LeaveFilters], page: Query[PageQuery]):
    program = _program(request, program_id)
    requests = leave_selectors.program_leave_requests(program=program, user=request.user, status=filters.status)
    if filters.nomination:
        requests = requests.filter(nomination_id=filters.nomination)
    result = paginate(requests, page)
    result["items"] = [_leave(leave) for leave in leave_selectors.with_outlook(program, result["items"])]
    return result


@router.post("/requests", response={201: LeaveOut, **WRITE_ERRORS},
             summary="File a leave: the participant for their own sessions of today and later, or the head teacher "
                     "for a participant")
def leave_file(request, payload: LeaveIn):
    require_perm(request.user, "attendance.file_leave")
    nomination = get_object_or_404(Nomination.unscoped.select_related("program", "program__venue", "person"),
                                   pk=payload.nomination_id)
    # The participant's own, or one of a class the user runs; otherwise as if it did not exist.
    if nomination.person_id != request.user.person_id and not request.user.has_perm("training.run_class",
                                                                                    nomination.program):
        get_object_or_404(Nomination.unscoped.none(), pk=payload.nomination_id)
    leave = call(leave_services.leave_file, nomination=nomination, reason=payload.reason, by=request.user,
                 sessions=list(Session.unscoped.filter(pk__in=payload.session_ids)))
    return Status(201, _leave_with_outlook(request, leave.pk))


@router.get("/requests/{leave_id}", response={200: LeaveOut, **ERRORS}, summary="One leave request")
def leave_detail(request, leave_id: Id):
    if not (request.user.has_perm("attendance.view_leave") or request.user.has_perm("attendance.view_own_leave")):
        require_perm(request.user, "attendance.view_leave")
    return _leave_with_outlook(request, leave_id)


def _act(request, leave_id, service, gate: str, **kwargs):
    require_perm(request.user, gate)
    leave = leave_selectors.leave_get(user=request.user, pk=leave_id)
    return call(service, leave=leave, by=request.user, **kwargs)


@router.post("/requests/{leave_id}/cancel", response={200: LeaveOut, **WRITE_ERRORS},
             summary="Cancel a pending leave request (the one who filed it)")
def leave_cancel(request, leave_id: Id):
    _act(request, leave_id, leave_services.leave_cancel, "attendance.file_leave")
    return _leave_with_outlook(request, leave_id)


@router.post("/requests/{leave_id}/approve", response={200: LeaveApprovedOut, **WRITE_ERRORS},
             summary="Approve a leave (the head teacher): its sessions are marked on leave; past the limit the "
                     "participant is flagged for withdrawal")
def leave_approve(request, leave_id: Id, payload: DecisionNoteIn):
    _leave_request, withdrawal = _act(request, leave_id, leave_services.leave_approve, "attendance.view_leave",
                                      note=payload.note)
    if withdrawal is not None:
        withdrawal = _withdrawal(leave_selectors.withdrawal_get(user=request.user, pk=withdrawal.pk))
    return {"leave": _leave_with_outlook(request, leave_id), "withdrawal": withdrawal}


@router.post("/requests/{leave_id}/refuse", response={200: LeaveOut, **WRITE_ERRORS},
             summary="Refuse a leave (the head teacher), with a note")
def leave_refuse(request, leave_id: Id, payload: DecisionNoteIn):
    _act(request, leave_id, leave_services.leave_refuse, "attendance.view_leave", note=payload.note)
    return _leave_with_outlook(request, leave_id)


@router.get("/mine", response={200: list[MyLeaveClassOut], **ERRORS},
            summary="The participant's own classes: leave against the limit, the sessions open for leave, requests")
def my_leave(request):
    require_perm(request.user, "attendance.view_own_leave")
    classes = []
    for item in leave_selectors.my_leave(user=request.user):
        withdrawal = item.withdrawal
        classes.append({
            "nomination_id": item.nomination.pk, "program_id": item.nomination.program_id,
            "program_title": item.nomination.program.title, "standing": _standing(item.standing),
            "withdrawal_status": withdrawal.status if withdrawal else None,
            "may_file": request.user.has_perm("attendance.file_leave", item.nomination),
            "open_sessions": [_session(session) for session in item.choices],
            "requests": [_leave(leave) for leave in item.requests]})
    return classes


@router.get("/programs/{program_id}/withdrawals", response={200: page_schema(WithdrawalOut), **ERRORS},
            summary="A program's withdrawals (退学), those awaiting the organizer first")
def withdrawal_list(request, program_id: Id, page: Query[PageQuery]):
    program = _program(request, program_id)
    result = paginate(leave_selectors.program_withdrawals(program=program, user=request.user), page)
    result["items"] = [_withdrawal(withdrawal) for withdrawal in result["items"]]
    return result


def _decide_withdrawal(request, withdrawal_id, service, note):
    require_perm(request.user, "attendance.view_leave")
    withdrawal = leave_selectors.withdrawal_get(user=request.user, pk=withdrawal_id)
    call(service, withdrawal=withdrawal, by=request.user, note=note)
    return _withdrawal(leave_selectors.withdrawal_get(user=request.user, pk=withdrawal_id))


@router.post("/withdrawals/{withdrawal_id}/confirm", response={200: WithdrawalOut, **WRITE_ERRORS},
             summary="Confirm a withdrawal (the organizer): the participant leaves the roll call from now on")
def withdrawal_confirm(request, withdrawal_id: Id, payload: DecisionNoteIn):
    return _decide_withdrawal(request, withdrawal_id, leave_services.withdrawal_confirm, payload.note)


@router.post("/withdrawals/{withdrawal_id}/clear", response={200: WithdrawalOut, **WRITE_ERRORS},
             summary="Keep the participant in the class (the organizer), with a note saying why")
def withdrawal_clear(request, withdrawal_id: Id, payload: DecisionNoteIn):
    return _decide_withdrawal(request, withdrawal_id, leave_services.withdrawal_clear, payload.note)


@router.get("/programs/{program_id}/attendance", response={200: page_schema(AttendanceOverviewOut), **ERRORS},
            summary="The class attendance overview: per participant hours attended, on leave, absent, unmarked; "
                    "leave against the limit; withdrawal")
def attendance_overview(request, program_id: Id, page: Query[PageQuery]):
    program = _program(request, program_id)
    result = paginate(leave_selectors.overview_placements(program=program, user=request.user), page)
    result["items"] = [{
        "nomination_id": row.nomination.pk, "person_name": row.person.name,
        "organ_name": row.nomination.organ.name_zh, "phase_number": row.placement.phase.number,
        "group_id": row.placement.group_id, "class_hours": row.hours.class_hours,
        "attended_hours": row.hours.attended_hours, "leave_hours": row.hours.leave_hours,
        "absent_hours": row.hours.absent_hours, "unmarked_hours": row.hours.unmarked_hours,
        "standing": _standing(row.standing), "withdrawal_status": row.withdrawal.status if row.withdrawal else None,
        "pending_requests": row.pending,
    } for row in leave_selectors.overview_rows(program=program, placements=result["items"])]
    return result
