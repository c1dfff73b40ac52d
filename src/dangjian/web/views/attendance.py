"""The roll call of a session (点名): the head teacher's grid of the roster with four marks and a note per row,
"all present" then the exceptions, in a plain form (no script needed); unit administrators read their own people's
marks. And the session's sign-in sheet (签到表, PDF). Each view loads the session through the scoped selector
(404), asks the permission (403), then calls one service.

The roll call also works offline (docs/attendance.md, "Offline roll call"): with script, static/dangjian/
roll-call-offline.js keeps each mark in IndexedDB and sends it through the API; the service worker of
`roll_call_service_worker` keeps the pages the head teacher opened and their static files."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.attendance import documents, services
from dangjian.attendance import selectors as attendance_selectors
from dangjian.attendance.enums import Mark, MarkSource
from dangjian.core.rules import refusal
from dangjian.training import selectors
from dangjian.training.documents import PDF_CONTENT_TYPE
from dangjian.web.views.base import permission_required, refused, require
from dangjian.web.views.documents import _download
from dangjian.web.views.timetable import session_place, session_time

# What the head teacher's grid may record: marks taken in the session, or entered afterwards from the paper
# sign-in sheet (QR check-in and approved leave write through their own services).
GRID_SOURCES = [MarkSource.ROLL_CALL, MarkSource.SHEET]


def _marks_from(post, roster) -> list[services.MarkInput]:
    """The rows of the submitted grid that carry a mark (a row left unmarked is not written)."""
    marks = []
    for row in roster:
        key = row.nomination.pk
        mark = post.get(f"mark-{key}", "")
        if not mark:
            continue
        try:
            client_id = uuid.UUID(post.get(f"client-{key}", ""))
        except ValueError:
            client_id = None
        marks.append(services.MarkInput(nomination_id=key, mark=mark, note=post.get(f"note-{key}", "").strip(),
                                        client_id=client_id))
    return marks


@permission_required("attendance.view_attendance")
@require_http_methods(["GET", "POST"])
def roll_call(request, pk):
    session = selectors.session_get(user=request.user, pk=pk)
    require(request.user, "attendance.view_attendance", session)
    here = request.path
    status, errors = 200, []
    source = MarkSource.ROLL_CALL
    if request.method == "POST":
        denied = refused(request, "attendance.take_roll_call", session, here)
        if denied:
            return denied
        source = request.POST.get("source", MarkSource.ROLL_CALL)
        try:
            if "all_present" in request.POST:
                services.roll_call_all_present(session=session, by=request.user)
                messages.success(request, _("Everyone not yet marked is marked present: now mark the exceptions."))
            else:
                if source not in GRID_SOURCES:
                    raise ValidationError(_("“%(source)s” is not a source of marks: choose the roll call or the "
                                            "paper sign-in sheet.") % {"source": source})
                roster = attendance_selectors.session_roster(session)
                services.roll_call_set(session=session, by=request.user, source=source,
                                       marks=_marks_from(request.POST, roster))
                messages.success(request, _("The marks from the paper sign-in sheet were saved.")
                                 if source == MarkSource.SHEET else _("The roll call was saved."))
        except ValidationError as error:
            status, errors = 400, error.messages
        else:
            return redirect(here)
    roster = attendance_selectors.session_roster(session, user=request.user)
    return render(request, "web/attendance/roll_call.html", {
        "session": session, "phase": session.phase, "program": session.phase.program,
        "time_label": session_time(session), "place_label": session_place(session),
        "rows": _grid_rows(roster, request.POST if status == 400 else None), "marks": Mark.choices,
        "errors": errors, "can_mark": request.user.has_perm("attendance.take_roll_call", session),
        "keeps_marks": _takes_roll_calls(request.user, session),
        "sources": [(value, MarkSource(value).label) for value in GRID_SOURCES], "source": source,
        "source_labels": MarkSource.choices,
        "api_url": f"{reverse('api-v1:api-root')}attendance/sessions/{session.pk}/marks",
    }, status=status)


def _takes_roll_calls(user, session) -> bool:
    """Whether the user takes this session's roll call, whatever the class's state: their device may hold marks of
    it (the offline queue), which the page shows — refused ones too, once the class is closed."""
    try:
        refusal(user, "attendance.take_roll_call", session)
    except PermissionDenied:
        return False
    return True


def _grid_rows(roster, posted) -> list[dict]:
    """What each row of the grid shows: the stored mark and note, or what was just submitted (a refused form
    keeps its input); a new client id per row, so that submitting the same form twice writes once."""
    rows = []
    for row in roster:
        key, stored = row.nomination.pk, row.attendance
        mark, note = (stored.mark, stored.note) if stored else ("", "")
        if posted is not None:
            mark, note = posted.get(f"mark-{key}", mark), posted.get(f"note-{key}", note)
        rows.append({"row": row, "key": key, "mark": mark, "note": note, "client_id": uuid.uuid4()})
    return rows


@permission_required("attendance.view_attendance")
@require_GET
def sign_in_sheet(request, pk):
    """The session's printable sign-in sheet (签到表): the roster the user may see, a column to sign."""
    session = selectors.session_get(user=request.user, pk=pk)
    require(request.user, "attendance.view_attendance", session)
    rows = attendance_selectors.session_roster(session, user=request.user)
    return _download(documents.sign_in_sheet_pdf(session=session, rows=rows), content_type=PDF_CONTENT_TYPE,
                     filename=documents.sign_in_sheet_filename(session), inline=True)


@permission_required("attendance.view_attendance")
@require_GET
def roll_call_service_worker(request):
    """The service worker of the offline roll call, served under /attendance/ so that its scope covers the roll-call
    pages (a script under /static/ could only control /static/). It holds no data: the pages it keeps are fetched
    with the user's own session. Not cached by the browser's HTTP cache, so that a new version is picked up."""
    # The words of its offline page come from here: makemessages does not read a .js template.
    response = render(request, "web/attendance/roll-call-sw.js", {
        "offline_title": _("Offline"),
        "offline_text": _("This page was not opened on this device before the network was lost, so it is not "
                          "available offline."),
    }, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache, max-age=0"
    response["Service-Worker-Allowed"] = reverse("roll_call_service_worker").rsplit("/", 1)[0] + "/"
    return response
