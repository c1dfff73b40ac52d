"""REST API v1 for attendance per session (docs/attendance.md): read a session's roster with its marks, and take
the roll call (the offline sync will use the same PUT).

Scoped like the pages: every operation first requires `attendance.view_attendance` (organizers, college staff,
unit administrators; 403 for others); the session is loaded through the scoped selector (404 outside the scope);
the roster holds the rows the user may see. PUT requires `attendance.take_roll_call` (403 for unit
administrators and college staff of another venue, 409 after the class closes). A PUT is idempotent by each
mark's `client_id`: sent again, it writes nothing twice. Each mark may carry `made_at`, the time it was made on the
device (the offline roll call queues marks and sends them later): a mark made earlier than the stored one does not
replace it, and a time in the future counts as now. `source` says whether the marks come from the roll call or
from a paper sign-in sheet entered afterwards.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from dangjian.api.inputs import Input
from dangjian.api.registry import ERRORS, Id, choice_type
from dangjian.api.training_library import WRITE_ERRORS, LocalDateTime, call, gate
from dangjian.attendance import selectors, services
from dangjian.attendance.enums import Mark, MarkSource
from dangjian.core.services import require_perm
from dangjian.training.selectors import session_get


class MarkIn(Input):
    nomination_id: Id
    mark: choice_type(Mark)
    note: str = Field("", max_length=200)
    client_id: uuid.UUID = Field(description="Made by the client for this mark: a retried request carries it again.")
    made_at: LocalDateTime | None = Field(
        None, description="When the mark was made on the client (ISO 8601; without an offset: Beijing time); "
                          "a mark made earlier than the stored one does not replace it; a time in the future counts "
                          "as now. Default: now.")


# The sources a head teacher's roll call may give; QR check-in and approved leave write through their own services.
GridSource = Literal[MarkSource.ROLL_CALL.value, MarkSource.SHEET.value]


class MarksIn(Input):
    marks: list[MarkIn] = Field(max_length=2000)
    source: GridSource = Field(MarkSource.ROLL_CALL.value,
                               description="roll_call: taken in the session; sheet: entered from the paper sign-in "
                                           "sheet afterwards.")


def _one_mark_per_client_id(marks: list[MarkIn]) -> None:
    """Two marks with one client id would be a retried mark and another one: refused (422 naming the row), not
    left to the database's unique constraint."""
    seen, errors = set(), {}
    for number, item in enumerate(marks):
        if item.client_id in seen:
            errors[f"marks.{number}.client_id"] = [
                _("Row %(row)d: this client id is already given to another row.") % {"row": number + 1}]
        seen.add(item.client_id)
    if errors:
        raise ValidationError(errors)


class RowOut(Schema):
    nomination_id: int
    person_name: str
    organ_name: str
    group_id: int | None
    mark: str | None
    note: str
    client_id: uuid.UUID | None
    marked_at: datetime.datetime | None
    made_at: datetime.datetime | None
    source: str | None


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
                     "client_id": mark.client_id if mark else None, "marked_at": mark.marked_at if mark else None,
                     "made_at": mark.made_at if mark else None, "source": mark.source if mark else None})
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
    _one_mark_per_client_id(payload.marks)
    call(services.roll_call_set, session=session, by=request.user, source=payload.source, marks=[
        services.MarkInput(nomination_id=item.nomination_id, mark=item.mark, note=item.note, client_id=item.client_id,
                           made_at=item.made_at)
        for item in payload.marks])
    return _roster(request, session)


