"""REST API v1 for QR check-in (docs/attendance.md, "QR check-in"): a signed-in participant sends the code they
scanned and is checked in to its session.

`attendance.check_in` first (participants; 403 for every other role); then the code: 422 naming the field `code`
for an invalid, expired (outside the session's time) or replayed (an old window) code; 409 for a session not on
the participant's roster or a closed class. Sending the same code again is harmless: the answer is the stored
mark, with `created` false.
"""

import datetime

from ninja import Field, Router, Schema

from dangjian.api.inputs import Input
from dangjian.api.registry import ERRORS
from dangjian.api.training_library import WRITE_ERRORS, gate
from dangjian.attendance import checkin

router = Router(tags=["attendance"])
router.add_decorator(gate("attendance.check_in"))


class CheckInIn(Input):
    code: str = Field(max_length=200, description="The code of the scanned address /attendance/check-in/<code>/.")


class CheckInOut(Schema):
    session_id: int
    nomination_id: int
    mark: str = Field(description="present, or late after the grace period (an earlier present or late stands)")
    source: str
    made_at: datetime.datetime
    created: bool = Field(description="False when the participant was already checked in (nothing written).")


@router.post("/attendance/check-in", response={200: CheckInOut, **WRITE_ERRORS, **ERRORS},
             summary="Check in to a session with its scanned QR code (the signed-in participant)")
def check_in(request, payload: CheckInIn):
    result = checkin.check_in(code=payload.code, by=request.user)
    mark = result.attendance
    return {"session_id": mark.session_id, "nomination_id": mark.nomination_id, "mark": mark.mark,
            "source": mark.source, "made_at": mark.made_at, "created": result.created}
