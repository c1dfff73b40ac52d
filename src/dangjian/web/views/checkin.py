"""QR check-in (扫码签到) pages: the head teacher's code screen of a session (a QR code that changes every window,
refreshed by htmx; linked from the roll call), and the page a participant's phone opens by scanning it (the session,
then "Check in": POST). The codes and the check-in itself: dangjian.attendance.checkin."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.attendance import checkin
from dangjian.attendance.enums import Mark
from dangjian.attendance.models import Attendance
from dangjian.attendance.selectors import roster_placements
from dangjian.core.rules import refusal
from dangjian.training import selectors
from dangjian.web.views.base import permission_required, private_no_store
from dangjian.web.views.timetable import session_place, session_time


def _code_screen_context(request, session) -> dict:
    """What the code screen shows now: the QR code of the current window (or why there is none), when it changes,
    and how many of the roster have checked in by QR."""
    closed = refusal(request.user, "attendance.take_roll_call", session)  # PermissionDenied: not theirs to run
    context = {"session": session, "closed": closed, "open": False, "hours": checkin.open_hours(session),
               "next_in": checkin.seconds_to_next_code(), "step": checkin.step_seconds()}
    if closed is None and checkin.is_open(session):
        url = request.build_absolute_uri(reverse("check_in", args=[checkin.make_code(session)]))
        context.update(open=True, url=url, svg=checkin.qr_code_svg(url))
    context["checked_in"] = Attendance.unscoped.filter(session=session, source="qr").count()
    context["roster_size"] = roster_placements(session).count()
    return context


@permission_required("attendance.take_roll_call")
@require_GET
def check_in_code(request, pk):
    """The head teacher's full-screen code of a session (projected in the lecture hall, or a tablet at the door)."""
    session = selectors.session_get(user=request.user, pk=pk)
    context = _code_screen_context(request, session)
    return private_no_store(render(request, "web/attendance/check_in_code.html", {
        **context, "phase": session.phase, "program": session.phase.program, "time_label": session_time(session)}))


@permission_required("attendance.take_roll_call")
@require_GET
def check_in_code_current(request, pk):
    """The code screen's changing part, asked for again when the window changes (htmx)."""
    session = selectors.session_get(user=request.user, pk=pk)
    return private_no_store(render(request, "web/attendance/_check_in_code.html",
                                   _code_screen_context(request, session)))


@permission_required("attendance.check_in")
@require_http_methods(["GET", "POST"])
def check_in_page(request, code):
    """What a participant's phone opens by scanning: the session and "Check in" (a POST), or why the code cannot
    be used. Checked in, they go to their start page with the mark as a message."""
    errors, preview = [], None
    try:
        if request.method == "POST":
            result = checkin.check_in(code=code, by=request.user)
            attendance = result.attendance
            text = (_("You are checked in to “%(session)s”: %(mark)s.") if result.created
                    else _("You were already checked in to “%(session)s”: %(mark)s."))
            messages.success(request, text % {"session": attendance.session.title,
                                              "mark": attendance.get_mark_display()})
            return redirect("my_home")
        preview = checkin.check_in_preview(code=code, by=request.user)
    except ValidationError as error:
        errors = error.messages
    context = {"errors": errors, "preview": preview, "code": code, "active": "my_home"}
    if preview is not None:
        session = preview.session
        context.update(session=session, time_label=session_time(session), place_label=session_place(session),
                       late=preview.mark == Mark.LATE,
                       attended=preview.existing is not None and preview.existing.mark in checkin.ATTENDED)
    return private_no_store(render(request, "web/attendance/check_in.html", context, status=400 if errors else 200))
