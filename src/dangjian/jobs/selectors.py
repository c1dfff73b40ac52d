"""Reads of background jobs, through their visibility (jobs/models.py)."""

from django.shortcuts import get_object_or_404

from dangjian.jobs.models import BackgroundJob


def job_get(*, user, pk: int) -> BackgroundJob:
    """The job, if `user` may see it; 404 otherwise (someone else's job does not exist for them)."""
    return get_object_or_404(BackgroundJob.objects.visible_to(user).select_related("requested_by"), pk=pk)


def recent_jobs(*, user, kind: str, limit: int = 5) -> list[BackgroundJob]:
    """The user's own latest jobs of `kind`, newest first (organizers too: their own, not everyone's)."""
    return list(BackgroundJob.objects.visible_to(user).filter(requested_by=user, kind=kind)[:limit])
