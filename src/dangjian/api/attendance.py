"""REST API v1 for attendance per session (docs/attendance.md): read a session's roster with its marks, and take
the roll call (the offline sync will use the same PUT).

Scoped like the pages: every operation first requires `attendance.view_attendance` (organizers, college staff,
unit administrators; 403 for others); the session is loaded through the scoped selector (404 outside the scope);
the roster holds the rows the user may see. PUT requires `attendance.take_roll_call` (403 for unit
administrators and college staff of another venue, 409 after the class closes). A PUT is idempotent by each
mark's `client_id`: sent again, it writes nothing twice.
"""

import datetime
import uuid

from ninja import Field, Router, Schema

from dangjian.api.inputs import Input
from dangjian.api.registry import ERRORS, Id, choice_type
from dangjian.api.training_library import WRITE_ERRORS, call, gate
from dangjian.attendance import selectors, services
from dangjian.attendance.enums import Mark
from dangjian.core.services import require_perm
from dangjian.training.selectors import session_get


class MarkIn(Input):
    nomination_id: Id
    mark: choice_type(Mark)
    note: str = Field("", max_length=200)
    client_id: uuid.UUID = Field(description="Made by the client for this mark: a retried request carries it again.")


class MarksIn(Input):
    marks: list[MarkIn] = Field(max_length=2000)


class RowOut(Schema):
    nomination_id: int
    person_name: str
    organ_name: str
    group_id: int | None
    mark: str | None
    note: str
    client_id: uuid.UUID | None
    marked_at: datetime.datetime | None


class RosterOut(Schema):
    session_id: int
    rows: list[RowOut]


def _roster(request, session) -> dict:
    rows = []
    for row in selectors.session_roster(session, user=request.user):
        mark = row.attendance
        rows.append({"nomination_id": row.nomination.pk, "person_name": row.person.name,
                     "organ_name": row.nomination.organ.name_zh, "group_id": row.placement.group_id,
                     "mark": mark.mark if mark else None, "note": mark.note if mark else "",
                     "client_id": mark.client_id if mark else None, "marked_at": mark.marked_at if mark else None})
    return {"session_id": session.pk, "rows": rows}


def _session(request, session_id):
    session = session_get(user=request.user, pk=session_id)
    require_perm(request.user, "attendance.view_attendance", session)
    return session


router = Router(tags=["attendance"])
router.add_decorator(gate("attendance.view_attendance"))


@router.get("/attendance/sessions/{session_id}/marks", response={200: RosterOut, **ERRORS},
            summary="A session's roster with each participant's mark (none when not marked yet)")
def marks_get(request, session_id: Id):
    return _roster(request, _session(request, session_id))


@router.put("/attendance/sessions/{session_id}/marks", response={200: RosterOut, **WRITE_ERRORS},
            summary="Take the roll call: the marks given, all or nothing; a retried mark (same client_id) is "
                    "written once")
def marks_put(request, session_id: Id, payload: MarksIn):
    session = _session(request, session_id)
    require_perm(request.user, "attendance.take_roll_call", session)
    call(services.roll_call_set, session=session, by=request.user, marks=[
        services.MarkInput(nomination_id=item.nomination_id, mark=item.mark, note=item.note, client_id=item.client_id)
        for item in payload.marks])
    return _roster(request, session)


