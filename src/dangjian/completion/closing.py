"""Closing a class (结业): making its closing pack, closing it with the hours credited, reopening it with the credit
taken back (rules §9: closing requires the pack; credits are granted on closing).

- `closing_pack_start` starts a background job (jobs kind closing_pack, completion/tasks.py) that lays out the
  pack (completion/pack.py) and stores a ClosingPack with its PDF, its ZIP and its page count.
- Closing and reopening are transitions of the training workflow (training.rules.TRANSITIONS "close",
  "reopen_class"). Training does not import completion: `register_transition_hooks` (called by the completion
  AppConfig) attaches `class_close_check` and `class_close` to "close", and `class_reopen` to "reopen_class", so
  that every path — the program page, the API, a script — closes the same way. The hooks run inside the
  transition's transaction, after its permission check (training.close_program, training.reopen_class).
"""

import datetime
import secrets

from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.attendance.models import Attendance, LeaveRequest, Withdrawal
from dangjian.completion.models import Assessment, ClosingPack, CompletionResult, Reflection
from dangjian.completion.selectors import program_results
from dangjian.core.audit import audit_record, snapshot
from dangjian.core.rules import ActionRefused, require
from dangjian.enrollment.models import Placement
from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.services import JobRun, job_create, job_enqueue
from dangjian.training.models import Program, Session
from dangjian.training.services.workflow import TransitionHook, transition_hook_add

# --- The pack ----------------------------------------------------------------------------------------


def closing_pack_start(*, program, by) -> BackgroundJob:
    """Start making the program's closing pack: a background job; its page shows the progress. Those who run the
    class, once it has started (completion.make_closing_pack)."""
    from dangjian.completion.tasks import closing_pack_task

    require(by, "completion.make_closing_pack", program)
    job = job_create(kind=BackgroundJob.Kind.CLOSING_PACK, by=by, params={"program": program.pk})
    audit_record(actor=by, action="create", instance=job, changes={"program": program.pk})
    return job_enqueue(job, closing_pack_task)


def closing_pack_make(*, program, by, progress=None) -> ClosingPack:
    """Make and store the pack now, in this process (the job's work; also for scripts and the demo loader, which
    have no worker). Requires completion.make_closing_pack. The pack's time is when its records were read, so a
    change made while it is being laid out leaves it out of date, as it should."""
    from dangjian.completion.pack import closing_pack_render

    require(by, "completion.make_closing_pack", program)
    made_at = timezone.now()
    rendered = closing_pack_render(program=program, made_at=made_at, progress=progress)
    pack = ClosingPack(program=program, made_at=made_at, made_by=by, page_count=rendered.page_count)
    # A private folder (completion/storage.py) and an unguessable name: the file holds personal data and is
    # handed out only by the download views.
    token = secrets.token_urlsafe(12)
    pack.pdf.save(f"{program.pk}-{token}.pdf", ContentFile(rendered.pdf), save=False)
    pack.archive.save(f"{program.pk}-{token}.zip", ContentFile(rendered.zip), save=False)
    pack.save()
    audit_record(actor=by, action="create", instance=pack, changes={
        "program": program.pk, "page_count": pack.page_count, "made_at": str(made_at)})
    pack.part_names = [name for name, _first, _last in rendered.parts]
    return pack


def run_closing_pack(run: JobRun) -> tuple[bool, dict]:
    """The job's work: the requester must still be allowed; then closing_pack_make with the job's progress."""
    job = run.job
    program = Program.unscoped.select_related("organizer", "venue").filter(pk=job.params.get("program")).first()
    by = job.requested_by
    if program is None or by is None or not by.has_perm("completion.make_closing_pack", program):
        return False, {"error": _("You may no longer make the closing pack of this program; nothing was made.")}
    pack = closing_pack_make(program=program, by=by, progress=run.progress)
    return True, {"closing_pack": {"pack": pack.pk, "program": program.pk, "pages": pack.page_count,
                                   "parts": pack.part_names}}


def records_changed_at(program) -> datetime.datetime | None:
    """The last change of the records the pack is made from: attendance marks, leave requests (filed, decided),
    withdrawals, assessments, reflections (submitted, graded), the sessions and the placements. A fixed number of
    queries."""
    times = [
        Attendance.unscoped.filter(session__phase__program=program).aggregate(at=Max("marked_at"))["at"],
        *LeaveRequest.unscoped.filter(nomination__program=program).aggregate(
            filed=Max("filed_at"), decided=Max("decided_at")).values(),
        *Withdrawal.unscoped.filter(nomination__program=program).aggregate(
            flagged=Max("flagged_at"), decided=Max("decided_at")).values(),
        Assessment.unscoped.filter(nomination__program=program).aggregate(at=Max("recorded_at"))["at"],
        *Reflection.unscoped.filter(nomination__program=program).aggregate(
            submitted=Max("submitted_at"), graded=Max("graded_at")).values(),
        Session.unscoped.filter(phase__program=program).aggregate(at=Max("updated_at"))["at"],
        Placement.unscoped.filter(phase__program=program).aggregate(at=Max("updated_at"))["at"],
    ]
    times = [time for time in times if time is not None]
    return max(times) if times else None


def current_pack(program) -> ClosingPack | None:
    """The latest pack when it was made after the last change of the class's records; else None."""
    pack = ClosingPack.unscoped.filter(program=program).order_by("-made_at", "-id").first()
    if pack is None:
        return None
    changed = records_changed_at(program)
    return pack if changed is None or pack.made_at >= changed else None


def class_close_check(program) -> None:
    """Closing needs a closing pack made after the last change of the class's records (rules §9). ActionRefused
    (a ValidationError: 409 in the API, a message on the page) in words otherwise."""
    latest = ClosingPack.unscoped.filter(program=program).order_by("-made_at", "-id").first()
    if latest is None:
        raise ActionRefused(_("Make the closing pack first: closing the class requires it (plan, timetable, "
                                "sign-in sheets, roster with hours, leave records)."))
    changed = records_changed_at(program)
    if changed is not None and latest.made_at < changed:
        raise ActionRefused(_(
            "The closing pack of %(made)s is older than the last change of the class's records (%(changed)s): "
            "make it again, then close the class.") % {
            "made": timezone.localtime(latest.made_at).strftime("%Y-%m-%d %H:%M"),
            "changed": timezone.localtime(changed).strftime("%Y-%m-%d %H:%M")})


# --- Closing and reopening ---------------------------------------------------------------------------


def class_close(*, program, by, note: str = "") -> list[CompletionResult]:
    """Inside the "close" transition: fix each participant's result (completion.selectors.program_results, the one
    place that decides) as a CompletionResult, and credit each participant who completed with their hours in the
    ledger (one record of source "platform" for their phase; none when they are credited no hours)."""
    from dangjian.ledger.services import record_credit_phase

    # Left over only by an interrupted reopening; the results of this closing replace them.
    CompletionResult.unscoped.filter(program=program).delete()
    now = timezone.now()
    stored = []
    for result in program_results(program):
        record = None
        if result.completed and result.credited_hours > 0:
            (record,) = record_credit_phase(phase=result.placement.phase, people=[result.person],
                                            hours=result.credited_hours, by=by)
        row = CompletionResult.unscoped.create(
            nomination=result.nomination, program=program, completed=result.completed, reasons=result.reasons,
            class_hours=result.hours.class_hours, attended_hours=result.hours.attended_hours,
            leave_hours=result.hours.leave_hours, days_attended=result.hours.days_attended,
            credited_hours=result.credited_hours, ledger_record=record, decided_at=now)
        audit_record(actor=by, action="create", instance=row, changes=snapshot(row))
        stored.append(row)
    return stored


def class_reopen(*, program, by, note: str = "") -> None:
    """Inside the "reopen_class" transition: delete the stored results and take back the hours credited
    (ledger.services.record_uncredit_program), each audited with who, when and why (the reason)."""
    from dangjian.ledger.services import record_uncredit_program

    results = list(CompletionResult.unscoped.filter(program=program).order_by("pk"))
    for row in results:
        audit_record(actor=by, action="delete", instance=row, changes={**snapshot(row), "comments": note})
    CompletionResult.unscoped.filter(pk__in=[row.pk for row in results]).delete()
    record_uncredit_program(program=program, by=by, reason=note)


# Registered by the completion AppConfig (ready): every path that closes or reopens a class runs them.
CLOSE_HOOK = TransitionHook(check=class_close_check, apply=class_close)
REOPEN_HOOK = TransitionHook(apply=class_reopen)


def register_transition_hooks() -> None:
    transition_hook_add("close", CLOSE_HOOK)
    transition_hook_add("reopen_class", REOPEN_HOOK)
