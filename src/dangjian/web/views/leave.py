"""Leave (请假), withdrawal (退学) and the class attendance overview.

- The participant's leave page /my/leave/ (phone first): pick their coming sessions, give a reason, see their
  requests with their state and their leave against the limit, cancel a pending one.
- A program's leave list (pending first) with approve / refuse for the head teacher, and a form to file a leave
  for a participant; its withdrawals for the organizer to confirm or clear; the class attendance overview.

Each view loads its record through the scoped selector (404), asks the permission (403), then calls one service;
a refused action (wrong state) goes back with the reason.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.attendance import leave_selectors, leave_services
from dangjian.attendance.enums import LeaveStatus
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination
from dangjian.training import selectors as training_selectors
from dangjian.training.models import Session
from dangjian.web.views.base import paginate, permission_required, private_no_store, refused, require

OVERVIEW_PAGE_SIZE = 50
PARTICIPANT_CHOICES = 1000  # the select list of participants to file a leave for


def _session_ids(post) -> list[int]:
    return [int(value) for value in post.getlist("sessions") if value.isdigit()][:200]


def _chosen_sessions(post) -> list[Session]:
    return list(Session.unscoped.filter(pk__in=_session_ids(post)))


def _warn_after_filing(request, leave) -> None:
    """Say what the request would do to the participant's leave against the limit."""
    [leave] = leave_selectors.with_outlook(leave.nomination.program, list(
        leave_selectors.leave_rows(type(leave).unscoped.filter(pk=leave.pk))))
    after = leave.standing_after
    if after is not None and after.state != "within":
        messages.warning(request, _("If it is approved: %(standing)s. %(advice)s") % {
            "standing": after.label, "advice": after.advice})


# --- The participant's own leave ------------------------------------------------------------------

@permission_required("attendance.view_own_leave")
@require_http_methods(["GET", "POST"])
def my_leave(request):
    classes = leave_selectors.my_leave(user=request.user)
    status, errors, posted = 200, {}, {}
    if request.method == "POST":
        value = request.POST.get("nomination", "")
        nomination = get_object_or_404(Nomination.unscoped.select_related("program", "person", "withdrawal"),
                                       pk=int(value) if value.isdigit() else 0, person_id=request.user.person_id)
        denied = refused(request, "attendance.file_leave", nomination, reverse("my_leave"))
        if denied:
            return denied
        try:
            leave = leave_services.leave_file(nomination=nomination, sessions=_chosen_sessions(request.POST),
                                              reason=request.POST.get("reason", ""), by=request.user)
        except ValidationError as error:
            status, errors = 400, error.message_dict
            posted = {"nomination": nomination.pk, "sessions": set(_session_ids(request.POST)),
                      "reason": request.POST.get("reason", "")}
        else:
            messages.success(request, _("Your leave request was sent to the head teacher."))
            _warn_after_filing(request, leave)
            return redirect("my_leave")
    for item in classes:
        item.can_file = request.user.has_perm("attendance.file_leave", item.nomination)
        for leave in item.requests:
            leave.can_cancel = request.user.has_perm("attendance.cancel_leave", leave)
    return private_no_store(render(request, "web/attendance/my_leave.html", {
        "active": "my_home", "classes": classes, "errors": errors, "posted": posted}, status=status))


@permission_required("attendance.file_leave")  # as a role: those who may file may cancel what they filed
@require_POST
def leave_cancel(request, pk):
    """The filer cancels their pending request (the participant, or the head teacher who filed it)."""
    leave = leave_selectors.leave_get(user=request.user, pk=pk)
    back = request.POST.get("next") if request.POST.get("next") == reverse("my_leave") else None
    back = back or reverse("program_leave", args=[leave.nomination.program_id])
    denied = refused(request, "attendance.cancel_leave", leave, back)
    if denied:
        return denied
    leave_services.leave_cancel(leave=leave, by=request.user)
    messages.success(request, _("The leave request was cancelled."))
    return redirect(back)


# --- A program's leave: the head teacher's list, approve / refuse, file for a participant ---------

def _program(request, pk, perm: str = "attendance.view_leave"):
    program = training_selectors.program_get(user=request.user, pk=pk)
    require(request.user, perm, program)
    return program


@permission_required("attendance.view_leave")
@require_http_methods(["GET", "POST"])
def program_leave(request, pk):
    program = _program(request, pk)
    user = request.user
    status, errors = 200, {}
    participant = _participant(request, program)
    if request.method == "POST":
        if participant is None:
            raise_404()
        denied = refused(request, "attendance.file_leave", participant, request.get_full_path())
        if denied:
            return denied
        try:
            leave = leave_services.leave_file(nomination=participant, sessions=_chosen_sessions(request.POST),
                                              reason=request.POST.get("reason", ""), by=user)
        except ValidationError as error:
            status, errors = 400, error.message_dict
        else:
            messages.success(request, _("The leave request of %(person)s was filed.") % {"person": participant.person})
            _warn_after_filing(request, leave)
            return redirect(reverse("program_leave", args=[program.pk]))
    state = request.GET.get("status", "")
    state = state if state in LeaveStatus.values else ""
    requests = leave_selectors.program_leave_requests(program=program, user=user, status=state)
    if participant is not None:
        requests = requests.filter(nomination=participant)
    page = paginate(request, requests)
    rows = leave_selectors.with_outlook(program, list(page.object_list))
    for leave in rows:
        leave.can_decide = user.has_perm("attendance.approve_leave", leave)
        leave.can_cancel = user.has_perm("attendance.cancel_leave", leave)
    can_file = user.has_perm("attendance.file_leave", participant) if participant else \
        user.has_perm("training.manage_class", program)
    return render(request, "web/attendance/program_leave.html", {
        "active": "training_program", "program": program, "page": page, "rows": rows, "status": state,
        "statuses": LeaveStatus.choices, "can_file": can_file,
        "participants": _participants(program) if can_file else [],
        "participant": participant, "participant_standing": leave_selectors.standing_of(participant)
        if participant else None,
        "choices": list(leave_selectors.leave_session_choices(nomination=participant, future_only=False))
        if participant and can_file else [],
        "errors": errors, "posted_sessions": set(_session_ids(request.POST)), "posted_reason":
        request.POST.get("reason", ""),
    }, status=status)


def raise_404():
    from django.http import Http404

    raise Http404


def _participant(request, program):
    """The participant chosen for filing a leave (?participant=<nomination id>), among the program's confirmed
    participants the user may see (404 otherwise)."""
    value = request.GET.get("participant", "")
    if not value:
        return None
    if not value.isdigit():
        raise_404()
    return get_object_or_404(leave_selectors.visible_participants(program=program, user=request.user)
                             .select_related("person", "organ", "program", "program__venue", "placement",
                                             "withdrawal"),
                             pk=int(value))


def _participants(program):
    """The program's placed participants to file a leave for (a select list, bounded)."""
    return list(Nomination.unscoped.filter(program=program, status=NominationStatus.CONFIRMED,
                                           placement__isnull=False)
                .select_related("person", "organ").order_by("person__name_sort", "id")[:PARTICIPANT_CHOICES])


def _decide(request, pk, *, perm: str, service, done: str):
    leave = leave_selectors.leave_get(user=request.user, pk=pk)
    back = reverse("program_leave", args=[leave.nomination.program_id])
    denied = refused(request, perm, leave, back)
    if denied:
        return denied
    try:
        result = service(leave=leave, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, done % {"person": leave.nomination.person})
    withdrawal = result[1] if isinstance(result, tuple) else None
    if withdrawal is not None:
        messages.warning(request, _("%(person)s passed the leave limit and is flagged for withdrawal (退学): the "
                                    "organizer confirms or clears it.") % {"person": leave.nomination.person})
    return redirect(back)


@permission_required("attendance.view_leave")
@require_POST
def leave_approve(request, pk):
    return _decide(request, pk, perm="attendance.approve_leave", service=leave_services.leave_approve,
                   done=_("The leave of %(person)s was approved: the sessions are marked “on leave”."))


@permission_required("attendance.view_leave")
@require_POST
def leave_refuse(request, pk):
    return _decide(request, pk, perm="attendance.refuse_leave", service=leave_services.leave_refuse,
                   done=_("The leave of %(person)s was refused."))


# --- Withdrawals (退学) ----------------------------------------------------------------------------

@permission_required("attendance.view_leave")
@require_GET
def program_withdrawals(request, pk):
    program = _program(request, pk)
    page = paginate(request, leave_selectors.program_withdrawals(program=program, user=request.user))
    rows = list(page.object_list)
    for withdrawal in rows:
        withdrawal.can_decide = request.user.has_perm("attendance.confirm_withdrawal", withdrawal)
    return render(request, "web/attendance/program_withdrawals.html", {
        "active": "training_program", "program": program, "page": page, "rows": rows})


def _withdrawal_decide(request, pk, *, perm: str, service, done: str):
    withdrawal = leave_selectors.withdrawal_get(user=request.user, pk=pk)
    back = reverse("program_withdrawals", args=[withdrawal.nomination.program_id])
    denied = refused(request, perm, withdrawal, back)
    if denied:
        return denied
    try:
        service(withdrawal=withdrawal, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, done % {"person": withdrawal.nomination.person})
    return redirect(back)


@permission_required("attendance.view_leave")
@require_POST
def withdrawal_confirm(request, pk):
    return _withdrawal_decide(request, pk, perm="attendance.confirm_withdrawal",
                              service=leave_services.withdrawal_confirm,
                              done=_("%(person)s has withdrawn from the class (退学)."))


@permission_required("attendance.view_leave")
@require_POST
def withdrawal_clear(request, pk):
    return _withdrawal_decide(request, pk, perm="attendance.clear_withdrawal",
                              service=leave_services.withdrawal_clear,
                              done=_("%(person)s stays in the class."))


# --- The class attendance overview ----------------------------------------------------------------

@permission_required("attendance.view_leave")
@require_GET
def program_attendance(request, pk):
    """Per participant: hours attended, on leave, absent and unmarked, leave against the limit, withdrawal,
    pending leave requests. Those who run the class see everyone; unit administrators their own organs' people."""
    program = _program(request, pk)
    page = paginate(request, leave_selectors.overview_placements(program=program, user=request.user),
                    OVERVIEW_PAGE_SIZE)
    return render(request, "web/attendance/program_attendance.html", {
        "active": "training_program", "program": program, "page": page,
        "rows": leave_selectors.overview_rows(program=program, placements=page.object_list),
        "runs_class": request.user.has_perm("training.run_class", program)})
