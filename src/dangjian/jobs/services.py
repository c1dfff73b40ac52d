"""Writes of background jobs: create and enqueue one, and the life of a job inside the worker.

The owning app defines the task (a django-tasks `@task` taking the job's id) and the work; this module
keeps the job row current: queued → running → done or failed, with progress and the outcome. A task is
enqueued on the backend of settings.TASKS: the database in production and the demo (a `db_worker`
process runs it), at once in the tests (ImmediateBackend).
"""

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.core.audit import current_origin
from dangjian.jobs.models import BackgroundJob

logger = logging.getLogger(__name__)


def job_create(*, kind: str, by, params: dict, upload=None, filename: str = "") -> BackgroundJob:
    """A queued job of `kind` for user `by`, with the uploaded file stored until the job ends.

    The job remembers the interface language and the client address of the request, so that the worker
    words its report in the requester's language and the audit trail names the same origin as before.
    Permissions are the caller's (the owning app's service) to check first.
    """
    job = BackgroundJob(
        kind=kind, requested_by=by, params=params, filename=(filename or "")[:255],
        language=translation.get_language() or settings.LANGUAGE_CODE, origin=current_origin.get(),
    )
    if upload is not None:
        extension = os.path.splitext(filename or getattr(upload, "name", "") or "")[1].lower()[:10]
        # A name of our own: the user's file name is kept in `filename`, never used as a path.
        job.upload.save(f"{kind}{extension}", upload, save=False)
    job.save()
    return job


def job_enqueue(job: BackgroundJob, task) -> BackgroundJob:
    """Hand the job to the task backend (`task` is a django-tasks task taking the job's id)."""
    result = task.enqueue(job.pk)
    BackgroundJob.unscoped.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


@dataclass
class JobRun:
    """What the work of a running job uses to report: progress, stage and the outcome."""

    job: BackgroundJob

    def progress(self, done: int, total: int) -> None:
        BackgroundJob.unscoped.filter(pk=self.job.pk).update(progress_done=done, progress_total=max(total, done),
                                                             heartbeat_at=timezone.now())

    def stage(self, stage: str) -> None:
        BackgroundJob.unscoped.filter(pk=self.job.pk).update(stage=stage, heartbeat_at=timezone.now())


def job_run(job_id: int, work: Callable[[JobRun], tuple[bool, dict]]) -> None:
    """Run `work` for the queued job `job_id`, in the requester's language and audit origin.

    `work(run)` returns (succeeded, result): the job ends done or failed with that result. An unexpected
    error ends it failed with a general message (the traceback goes to the log), and so does a worker
    stopped in the middle (Ctrl-C, SIGTERM). The uploaded file is deleted in every case.
    """
    job = BackgroundJob.unscoped.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status != BackgroundJob.Status.QUEUED:
        logger.warning("background job %s is missing or not queued; not run again", job_id)
        return
    job.status, job.started_at = BackgroundJob.Status.RUNNING, timezone.now()
    BackgroundJob.unscoped.filter(pk=job.pk).update(status=job.status, started_at=job.started_at,
                                                    heartbeat_at=job.started_at)
    origin = current_origin.set(job.origin or "job")
    status, result = BackgroundJob.Status.FAILED, None
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            try:
                succeeded, result = work(JobRun(job))
                status = BackgroundJob.Status.DONE if succeeded else BackgroundJob.Status.FAILED
            except Exception:
                logger.exception("background job %s (%s) failed", job.pk, job.kind)
                result = {"error": _("An unexpected error stopped this job. Please try again, and tell the "
                                     "administrator if it happens again.")}
            except BaseException:  # the worker is being stopped: say so, then let it stop
                result = {"error": _("The job was interrupted because the server stopped. Please start it again.")}
                raise
    finally:
        current_origin.reset(origin)
        if job.upload:
            job.upload.delete(save=False)
        BackgroundJob.unscoped.filter(pk=job.pk).update(
            status=status, result=result, upload="", finished_at=timezone.now(),
        )


def fail_abandoned_jobs(*, job_ids=None) -> int:
    """End as failed the running jobs (of `job_ids`, or all) that have given no sign of life for longer than
    settings.JOB_ABANDONED_AFTER: their worker was killed (SIGKILL, out of memory, a power cut) before it could
    say so. Their uploads are deleted. Returns how many. Called when a job's page or API status is read, and by
    `dangjian fail_abandoned_jobs` (before a worker starts)."""
    now = timezone.now()
    abandoned = BackgroundJob.unscoped.filter(status=BackgroundJob.Status.RUNNING,
                                              heartbeat_at__lt=now - settings.JOB_ABANDONED_AFTER)
    if job_ids is not None:
        abandoned = abandoned.filter(pk__in=job_ids)
    count = 0
    for job in abandoned:
        # Conditional: a job that came back to life in the meantime is left alone.
        ended = BackgroundJob.unscoped.filter(pk=job.pk, status=BackgroundJob.Status.RUNNING,
                                              heartbeat_at=job.heartbeat_at).update(
            status=BackgroundJob.Status.FAILED, upload="", finished_at=now,
            result={"error": _("The worker running this job stopped without finishing it (the server may have "
                               "been restarted). Nothing of it was saved: please start it again.")},
        )
        if ended:
            count += 1
            if job.upload:
                job.upload.delete(save=False)
            logger.warning("background job %s (%s) abandoned by its worker; marked failed", job.pk, job.kind)
    return count
