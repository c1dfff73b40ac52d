"""Reads of background jobs, through their visibility (jobs/models.py)."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dangjian.jobs.models import BackgroundJob


def job_get(*, user, pk: int) -> BackgroundJob:
    """The job, if `user` may see it; 404 otherwise (someone else's job does not exist for them). A running job
    whose worker has died is ended as failed first (services.fail_abandoned_jobs), so its page stops waiting."""
    job = get_object_or_404(BackgroundJob.objects.visible_to(user).select_related("requested_by"), pk=pk)
    if job.status == BackgroundJob.Status.RUNNING and job.heartbeat_at and job.heartbeat_at < (
            timezone.now() - settings.JOB_ABANDONED_AFTER):
        from dangjian.jobs.services import fail_abandoned_jobs

        fail_abandoned_jobs(job_ids=[job.pk])
        job.refresh_from_db()
    return job


def recent_jobs(*, user, kind: str, limit: int = 5) -> list[BackgroundJob]:
    """The user's own latest jobs of `kind`, newest first (organizers too: their own, not everyone's)."""
    return list(BackgroundJob.objects.visible_to(user).filter(requested_by=user, kind=kind)[:limit])
