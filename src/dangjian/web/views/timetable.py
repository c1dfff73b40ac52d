"""The timetable builder: a phase's day × time grid, and adding, editing, moving, deleting and copying
its sessions without leaving the page (htmx partials); an instructor's own sessions.

Each view loads its objects through a scoped selector (another program's phase is a 404), checks the
permission (403), then calls one service. Without htmx every action still works as a plain page.
"""

import contextlib
import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from dangjian.accounts.rules import is_instructor
from dangjian.core.rules import refusal
from dangjian.training import selectors, services
from dangjian.training.documents import punctuation
from dangjian.training.models import GROUP_FORMS, Course, Phase, Session, TeachingForm
from dangjian.web.forms_timetable import (
    CatalogFilterForm,
    MoveForm,
    SessionForm,
    TimetableCopyForm,
    add_session_service_errors,
    course_length,
    day_label,
    slot_end,
)
from dangjian.web.views.base import add_service_errors, permission_required, require

CATALOG_LIMIT = 200
PARALLEL_LIST_ROWS = 16  # quarter hours that the opened list of a parallel block needs below it


training_staff_required = permission_required("training.view_program")


# --- Presentation helpers ------------------------------------------------------------------------

def session_place(session: Session) -> str:
    """Where a session is held: its red-education sites in visiting order, else venue and classroom,
    else the free-text place."""
    stops = [stop.site.name for stop in session.stops.all()]
    if stops:
        return " → ".join(stops)
    parts = [session.venue.name if session.venue_id else "",
             session.classroom.display_name if session.classroom_id else ""]
    parts = [part for part in parts if part]
    return " · ".join(parts) if parts else session.place_note


def parallel_rooms(parallel: selectors.ParallelSessions) -> str:
    """Each group's room (or place), for the hover text of a parallel block: 第一组：研讨室A；第二组：研讨室B."""
    p = punctuation()
    return p["semicolon"].join(f"{session.group}{p['colon']}{session.room_label or '—'}"
                               for session in parallel.sessions)


def session_time(session: Session) -> str:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return f"{start:%H:%M}–{end:%H:%M}"


def timetable_context(request, phase: Phase, *, notices=(), open_form: bool = False) -> dict:
    """Everything the grid partial shows: the grid, the list by day, totals, the legend, who may edit."""
    user = request.user
    program = phase.program
    sessions = list(selectors.phase_sessions(phase=phase, user=user))
    grid = selectors.timetable_grid(phase=phase, sessions=sessions)
    for session in sessions:  # what the grid and the list show of each session, made once here
        session.time_label, session.place_label = session_time(session), session_place(session)
        session.room_label = session.classroom.name if session.classroom_id else session.place_label
        instructors = session.instructors.all()
        session.instructor_names = "、".join(instructor.name for instructor in instructors)
        session.instructor_labels = "、".join(str(instructor) for instructor in instructors)
        session.edit_url = reverse("timetable_session_edit", args=[session.pk])
        session.move_url = reverse("timetable_session_move", args=[session.pk])
        session.roll_call_url = reverse("roll_call", args=[session.pk])
    for item in grid["items"]:
        session = item["session"]
        item["time"], item["place"] = session.time_label, session.place_label
        if item["parallel"]:
            item["rooms"] = parallel_rooms(item["parallel"])
            # Late in the day, the list of groups opens above the block (below, the grid ends).
            item["opens_up"] = item["row"] + item["span"] > grid["rows"] - PARALLEL_LIST_ROWS
    can_manage = user.has_perm("training.run_class", phase)
    editable = user.has_perm("training.edit_timetable", phase)
    by_day = defaultdict(list)
    for entry in selectors.group_parallel_sessions(sessions):
        first = entry.first if isinstance(entry, selectors.ParallelSessions) else entry
        by_day[first.local_day].append(entry)
    credited = selectors.credited_sessions(sessions)
    return {
        "phase": phase,
        "program": program,
        "grid": grid,
        "day_count": len(grid["days"]),
        "days": [{"day": day, "label": day_label(day), "column": i + 1, "sessions": by_day.get(day, [])}
                 for i, day in enumerate(grid["days"])],
        "session_count": len(sessions),
        "total_hours": sum((s.hours for s in credited), Decimal("0")),
        "legend": TeachingForm.choices,
        "can_manage": can_manage,
        "editable": editable,
        "not_editable_reason": refusal(user, "training.edit_timetable", phase) if can_manage else "",
        "attendance_visible": user.has_perm("attendance.view_attendance", phase),
        "notices": list(notices),
        "open_form": open_form,
    }


def _page_context(request, phase: Phase, **kwargs) -> dict:
    context = timetable_context(request, phase, **kwargs)
    program = phase.program
    copy_form = TimetableCopyForm(phase=phase, user=request.user) if context["editable"] else None
    context.update({
        "program_url": reverse("program_detail", args=[program.pk]),
        "copy_form": copy_form if copy_form is not None and copy_form.sources else None,
    })
    return context


def _render_timetable(request, phase: Phase, *, notices=(), status: int = 200, close_dialog: bool = False):
    """The grid partial (#timetable); after a change made in the dialog, it replaces the grid and the
    dialog closes (timetable.js listens to tt-close-dialog)."""
    response = render(request, "web/timetable/_timetable.html", timetable_context(request, phase, notices=notices),
                      status=status)
    if close_dialog:
        retarget(response, "#timetable")
        reswap(response, "outerHTML")
        trigger_client_event(response, "tt-close-dialog")
    return response


def _saved_notices(message: str, warnings: list[str]) -> list[dict]:
    return [{"level": "success", "text": message}] + [{"level": "warning", "text": w} for w in warnings]


def _after_change(request, phase: Phase, *, message: str, warnings=(), close_dialog: bool = True):
    if request.htmx:
        return _render_timetable(request, phase, notices=_saved_notices(message, list(warnings)),
                                 close_dialog=close_dialog)
    messages.success(request, message)
    for warning in warnings:
        messages.warning(request, warning)
    return redirect("phase_timetable", phase.pk)


def _parse_slot(request) -> tuple[datetime.date | None, datetime.time | None]:
    day = time = None
    with contextlib.suppress(ValueError):
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    with contextlib.suppress(ValueError):
        time = datetime.time.fromisoformat(request.GET.get("time", ""))
    return day, time


def _form_response(request, *, phase: Phase, form, session: Session | None, status: int):
    context = {
        "phase": phase, "program": phase.program, "form": form, "session": session,
        "editable": request.user.has_perm("training.edit_timetable", phase),
        "not_editable_reason": refusal(request.user, "training.edit_timetable", phase) or "",
        "catalog_query": _slot_query(form),
        "form_action": reverse("timetable_session_edit", args=[session.pk]) if session
        else reverse("timetable_session_create", args=[phase.pk]),
    }
    template = "web/timetable/_session_form.html" if request.htmx else "web/timetable/session_form_page.html"
    return render(request, template, context, status=status)


def _slot_query(form) -> str:
    """?day=…&time=… of the form's slot, for the catalog picker link."""
    from django.utils.http import urlencode

    day, start = form["day"].value(), form["start"].value()
    params = {}
    if day:
        params["day"] = day.isoformat() if hasattr(day, "isoformat") else day
    if start:
        params["time"] = start.strftime("%H:%M") if hasattr(start, "strftime") else start
    return urlencode(params)


# --- The grid ------------------------------------------------------------------------------------

@training_staff_required
@require_GET
def phase_timetable(request, pk):
    phase = selectors.phase_get(user=request.user, pk=pk)
    require(request.user, "training.view_program", phase)
    if request.htmx and request.htmx.target == "timetable":
        return _render_timetable(request, phase)
    return render(request, "web/timetable/phase_timetable.html", _page_context(request, phase))


# --- Sessions ------------------------------------------------------------------------------------

@training_staff_required
@require_http_methods(["GET", "POST"])
def session_create(request, pk):
    """GET: the form for a new session at a slot (?day=&time=, optionally ?course=); POST: save it."""
    phase = selectors.phase_get(user=request.user, pk=pk)
    require(request.user, "training.run_class", phase)
    if request.method == "POST":
        form = SessionForm(request.POST, phase=phase, user=request.user)
        if form.is_valid():
            arguments = form.service_arguments()
            try:
                if form.for_each_group:
                    added, warnings = services.session_create_for_groups(phase=phase, by=request.user, **arguments)
                    session = added[0]
                else:
                    session, warnings = services.session_create(phase=phase, by=request.user, **arguments)
                    added = [session]
            except ValidationError as error:
                add_session_service_errors(form, error)
            else:
                day = day_label(session.local_day)
                if form.for_each_group:
                    message = ngettext("“%(title)s” was added on %(day)s for %(count)d group.",
                                       "“%(title)s” was added on %(day)s for each of %(count)d groups.",
                                       len(added)) % {"title": session.title, "day": day, "count": len(added)}
                else:
                    message = _("“%(title)s” was added on %(day)s.") % {"title": session.title, "day": day}
                return _after_change(request, phase, warnings=warnings, message=message)
        return _form_response(request, phase=phase, form=form, session=None, status=400)
    day, time = _parse_slot(request)
    course = None
    if (course_id := request.GET.get("course", "")).isdigit():
        course = get_object_or_404(Course.objects.prefetch_related("instructors", "sites"), pk=course_id)
    initial = SessionForm.initial_for_slot(phase=phase, day=day, start=time, course=course)
    form = SessionForm(phase=phase, user=request.user, initial=initial)
    return _form_response(request, phase=phase, form=form, session=None, status=200)


def _load_session(request, pk) -> Session:
    session = selectors.session_get(user=request.user, pk=pk)
    require(request.user, "training.run_class", session)
    return session


@training_staff_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    session = _load_session(request, pk)
    phase = session.phase
    if request.method == "POST":
        form = SessionForm(request.POST, phase=phase, user=request.user, current_course=session.course, new=False)
        if form.is_valid():
            try:
                session, warnings = services.session_update(session=session, by=request.user,
                                                            **form.service_arguments())
            except ValidationError as error:
                add_session_service_errors(form, error)
            else:
                return _after_change(request, phase, warnings=warnings,
                                     message=_("“%(title)s” was saved.") % {"title": session.title})
        return _form_response(request, phase=phase, form=form, session=session, status=400)
    session = get_object_or_404(
        Session.objects.visible_to(request.user).select_related("course", "venue", "classroom", "group")
        .prefetch_related(*selectors.session_prefetches()), pk=session.pk)
    session.phase = phase
    form = SessionForm(phase=phase, user=request.user, initial=SessionForm.initial_for_session(session),
                       current_course=session.course, new=False)
    return _form_response(request, phase=phase, form=form, session=session, status=200)


@training_staff_required
@require_POST
def session_move(request, pk):
    """Drag and drop: the session starts at another day and time and keeps its length."""
    session = _load_session(request, pk)
    phase = session.phase
    form = MoveForm(request.POST)
    error_text = ""
    if form.is_valid():
        try:
            session, warnings = services.session_move(session=session, by=request.user,
                                                      starts_at=form.starts_at())
        except ValidationError as error:
            error_text = " ".join(error.messages)
        else:
            start = timezone.localtime(session.starts_at)
            return _after_change(request, phase, warnings=warnings, close_dialog=False, message=_(
                "“%(title)s” was moved to %(day)s %(time)s.") % {
                "title": session.title, "day": day_label(start.date()), "time": f"{start:%H:%M}"})
    else:
        error_text = _("Give the day and the start time to move the session to.")
    message = _("“%(title)s” was not moved: %(error)s") % {"title": session.title, "error": error_text}
    if request.htmx:
        return _render_timetable(request, phase, notices=[{"level": "error", "text": message}], status=400)
    messages.error(request, message)
    return redirect("phase_timetable", phase.pk)


@training_staff_required
@require_POST
def session_delete(request, pk):
    session = _load_session(request, pk)
    phase, title = session.phase, session.title
    try:
        services.session_delete(session=session, by=request.user)
    except ValidationError as error:
        message = " ".join(error.messages)
        if request.htmx:
            return _render_timetable(request, phase, notices=[{"level": "error", "text": message}], status=400,
                                     close_dialog=True)
        messages.error(request, message)
        return redirect("phase_timetable", phase.pk)
    return _after_change(request, phase, message=_("“%(title)s” was deleted.") % {"title": title})


@training_staff_required
@require_GET
def session_catalog(request, pk):
    """Build from the catalog: courses to add at a slot; choosing one adds it there at once (the
    form comes back with the course's details when the slot does not suit it)."""
    phase = selectors.phase_get(user=request.user, pk=pk)
    require(request.user, "training.run_class", phase)
    filters = CatalogFilterForm(request.GET, phase=phase)
    data = filters.cleaned_data if filters.is_valid() else {}
    day = data.get("day") if data.get("day") in phase.days else phase.starts_on
    time = data.get("time") or datetime.time(8, 30)
    courses = list(selectors.course_list(form=data.get("form", ""), q=data.get("q", ""))[:CATALOG_LIMIT])
    group_count = phase.groups.count()
    rows = []
    for course in courses:
        rows.append({"course": course, "start": time, "end": slot_end(day, time, course_length(course)),
                     "length": course_length(course),
                     # A course held per group becomes one session per group (no instructor).
                     "each_group": group_count if course.form in GROUP_FORMS else 0})
    context = {
        "phase": phase, "program": phase.program, "filters": filters, "rows": rows, "day": day, "time": time,
        "day_label": day_label(day), "editable": request.user.has_perm("training.edit_timetable", phase),
        "limit_reached": len(courses) >= CATALOG_LIMIT,
    }
    template = "web/timetable/_catalog.html" if request.htmx else "web/timetable/catalog_page.html"
    return render(request, template, context)


# --- Copy a timetable into a phase ---------------------------------------------------------------

@training_staff_required
@require_http_methods(["GET", "POST"])
def phase_timetable_copy(request, pk):
    """Copy into this phase the timetable of another phase: of this program or of any program whose class
    the user runs (an earlier year's, usually)."""
    phase = selectors.phase_get(user=request.user, pk=pk)
    require(request.user, "training.run_class", phase)
    form = TimetableCopyForm(request.POST if request.method == "POST" else None, phase=phase, user=request.user)
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        try:
            count, warnings = services.phase_timetable_copy(source=source, target=phase, by=request.user,
                                                            replace=form.cleaned_data["replace"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, ngettext(
                "%(count)d session was copied from %(program)s, phase %(source)s.",
                "%(count)d sessions were copied from %(program)s, phase %(source)s.", count) % {
                "count": count, "program": source.program.title, "source": source.number})
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("phase_timetable", phase.pk)
    return render(request, "web/timetable/copy.html", {"phase": phase, "program": phase.program, "form": form},
                  status=400 if form.errors else 200)


# --- An instructor's own sessions ---------------------------------------------------------------

@login_required
@require_GET
def my_sessions(request):
    if not is_instructor(request.user):
        raise PermissionDenied
    sessions = list(selectors.instructor_sessions(user=request.user))
    days = defaultdict(list)
    for session in sessions:
        session.time_label, session.place_label = session_time(session), session_place(session)
        days[session.local_day].append(session)
    today = timezone.localdate()
    return render(request, "web/timetable/my_sessions.html", {
        "days": [{"day": day, "label": day_label(day), "sessions": items, "past": day < today}
                 for day, items in sorted(days.items())],
        "session_count": len(sessions),
        "total_hours": sum((s.hours for s in sessions), Decimal("0")),
        "ics_url": reverse("my_sessions_ics"),
    })
