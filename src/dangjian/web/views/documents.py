"""Downloads of a training program's documents: the plan as PDF, a phase's timetable as PDF, Excel and
iCal, and an instructor's own sessions as iCal.

Each view checks the training role (others get 403 before any lookup), loads the program or phase
through the scoped selector (404 outside the user's scope), checks training.view_program on it, then
renders the document. A phase's timetable lists the sessions the user may see (an instructor without
another role: their own). The plan is the program's document and prints its whole timetable.
Timetables and plans hold no personal data beyond names of posts, so downloads are not audited.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dangjian.accounts.roles import Role
from dangjian.training import documents, selectors
from dangjian.web.views.base import require


def _download(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    """The file with its (Chinese) name: Content-Disposition carries filename*=UTF-8''… (RFC 5987/6266)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _program(request, pk: int):
    require(request.user, "training.view_program")
    program = selectors.program_get(user=request.user, pk=pk)
    require(request.user, "training.view_program", program)
    return program


def _phase(request, pk: int):
    require(request.user, "training.view_program")
    phase = selectors.phase_get(user=request.user, pk=pk)
    require(request.user, "training.view_program", phase)
    return phase


@login_required
@require_GET
def program_plan_pdf(request, pk):
    program = _program(request, pk)
    return _download(documents.program_plan_pdf(program=program), content_type=documents.PDF_CONTENT_TYPE,
                     filename=documents.program_plan_filename(program), inline=True)


@login_required
@require_GET
def phase_timetable_pdf(request, pk):
    phase = _phase(request, pk)
    sessions = selectors.phase_sessions(phase=phase, user=request.user)
    return _download(documents.phase_timetable_pdf(phase=phase, sessions=sessions),
                     content_type=documents.PDF_CONTENT_TYPE,
                     filename=documents.phase_timetable_filename(phase, "pdf"), inline=True)


@login_required
@require_GET
def phase_timetable_xlsx(request, pk):
    phase = _phase(request, pk)
    sessions = selectors.phase_sessions(phase=phase, user=request.user)
    return _download(documents.phase_timetable_xlsx(phase=phase, sessions=sessions),
                     content_type=documents.XLSX_CONTENT_TYPE,
                     filename=documents.phase_timetable_filename(phase, "xlsx"))


@login_required
@require_GET
def phase_timetable_ics(request, pk):
    phase = _phase(request, pk)
    sessions = selectors.phase_sessions(phase=phase, user=request.user)
    return _download(documents.sessions_ical(sessions=sessions, name=documents.phase_calendar_name(phase)),
                     content_type=documents.ICS_CONTENT_TYPE,
                     filename=documents.phase_timetable_filename(phase, "ics"))


@login_required
@require_GET
def my_sessions_ics(request):
    """The logged-in instructor's own sessions, across programs, for their calendar."""
    if Role.INSTRUCTOR not in request.user.roles:
        raise PermissionDenied
    name = _("My sessions")
    return _download(documents.sessions_ical(sessions=selectors.instructor_sessions(user=request.user), name=name),
                     content_type=documents.ICS_CONTENT_TYPE, filename=documents.safe_filename(name) + ".ics")
