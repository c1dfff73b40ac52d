"""Background work of the enrollment, as jobs (jobs.BackgroundJob), never inside a request; the pages and the API
start them and show their progress.

Preparing the admission notices of a program (hundreds of PDFs).

The allocation run: the solver (enrollment.allocation) places a program's confirmed participants into phases and
groups within a time limit, reporting solutions, objective and bound while it searches; the outcome is stored as
a proposal on the AllocationRun, to apply or discard (enrollment.services). The solver runs in a thread of its
own and hears of each solution there; this (the job's) thread writes the latest figures to the run and the job
every half second, so that every database write stays in one thread.
"""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as StillSolving

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from dangjian.core.audit import audit_record
from dangjian.core.rules import require
from dangjian.enrollment import allocation, selectors
from dangjian.enrollment.enums import AllocationState
from dangjian.enrollment.models import AllocationRun
from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.services import JobRun, job_create, job_enqueue, job_run

REPORT_EVERY = 0.5  # seconds between two writes of the live figures
MAX_TIME_LIMIT = 600


@task()
def admission_notices_task(job_id: int) -> None:
    from dangjian.enrollment.messaging import run_admission_notices

    job_run(job_id, run_admission_notices)


def allocation_run_start(*, program, by, time_limit: int = 10) -> AllocationRun:
    """Start the solver for `program` with a time limit in seconds (1–600): an AllocationRun and its background
    job. Organizers and college staff of the program's venue (enrollment.place_participants)."""
    require(by, "enrollment.place_participants", program)
    if not 1 <= int(time_limit) <= MAX_TIME_LIMIT:
        raise ValidationError({"time_limit": _("The time limit is between 1 and %(max)s seconds.") % {
            "max": MAX_TIME_LIMIT}})
    with transaction.atomic():
        job = job_create(kind=BackgroundJob.Kind.ALLOCATION, by=by, params={"program": program.pk})
        run = AllocationRun.objects.create(program=program, job=job, time_limit=int(time_limit), created_by=by)
        audit_record(actor=by, action="create", instance=run, changes={"time_limit": run.time_limit})
        job.params = {"program": program.pk, "run": run.pk}
        job.save(update_fields=["params"])
    job_enqueue(job, allocation_task)
    run.refresh_from_db()
    return run


@task()
def allocation_task(job_id: int) -> None:
    job_run(job_id, _run_allocation)


def _run_allocation(run_job: JobRun) -> tuple[bool, dict]:
    run = AllocationRun.objects.select_related("program", "created_by").get(job=run_job.job)
    if not run_job.job.requested_by or not run_job.job.requested_by.has_perm("enrollment.place_participants",
                                                                             run.program):
        _finish(run, state=AllocationState.FAILED)
        return False, {"error": _("You may no longer place the participants of this program; nothing was done.")}
    run_job.stage(BackgroundJob.Stage.SOLVING)
    with transaction.atomic():  # the participants and their placements as one snapshot
        problem = selectors.allocation_problem(program=run.program, time_limit=run.time_limit,
                                               num_workers=getattr(settings, "ALLOCATION_WORKERS", 2))
        baseline = selectors.placement_baseline(run.program)
    run.baseline = baseline
    run.parameters = _parameters(problem.settings)
    run.save(update_fields=["baseline", "parameters"])
    try:
        result = _solve_reporting(problem, run, run_job)
    except BaseException:  # the job ends failed (jobs.services.job_run): so does the run, not "solving" forever
        _finish(run, state=AllocationState.FAILED)
        raise
    run.solver_status = result.status
    run.objective, run.bound, run.gap = result.objective, result.bound, result.gap
    run.solutions, run.wall_time = result.solutions, round(result.wall_time, 2)
    run.proposal = {str(pk): [phase, group] for pk, (phase, group) in result.placements.items()}
    run.unplaced = {str(pk): reason for pk, reason in result.unplaced.items()}
    run.explanations = result.explanations
    _finish(run, state=AllocationState.PROPOSED)
    return True, {"run": run.pk, "status": result.status, "placed": len(result.placements),
                  "unplaced": len(result.unplaced)}


def _solve_reporting(problem, run: AllocationRun, run_job: JobRun) -> allocation.Result:
    latest: dict = {}
    language = translation.get_language()
    steps = 1 + sum(1 for phase in problem.phases if phase.groups)

    def solve():
        with translation.override(language):  # the explanations in the requester's language
            return allocation.solve(problem, progress=lambda progress: latest.update(progress=progress))

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(solve)
        reported = None
        while True:
            try:
                return future.result(timeout=REPORT_EVERY)
            except StillSolving:
                progress = latest.get("progress")
                if progress is not None and progress is not reported:
                    reported = progress
                    _report(run, run_job, progress, steps)


def _report(run: AllocationRun, run_job: JobRun, progress: allocation.Progress, steps: int) -> None:
    AllocationRun.objects.filter(pk=run.pk).update(
        solutions=progress.solutions, objective=round(progress.objective), bound=round(progress.bound))
    # Steps: the phases' model, then one model per phase with groups (numbered in order).
    done = progress.phase_number or 0
    run_job.progress(min(done, steps - 1), steps)


def _finish(run: AllocationRun, *, state: str) -> None:
    run.state = state
    run.save()


def _parameters(settings_: allocation.Settings) -> dict:
    weights = settings_.weights
    return {"group_min": settings_.group_min, "group_max": settings_.group_max,
            "max_per_organ_per_phase": settings_.max_per_organ_per_phase, "time_limit": settings_.time_limit,
            "weights": {name: getattr(weights, name) for name in weights.__dataclass_fields__}}
