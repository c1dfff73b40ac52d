"""A background job's page and the fragment that htmx polls on it until the job has ended.

Only the user who started a job (and organizers) see it: anyone else gets 404 (jobs/models.py).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.selectors import job_get
from dangjian.organizations import spreadsheets
from dangjian.organizations.tasks import import_result
from dangjian.web.views.base import private_no_store


def job_context(job: BackgroundJob) -> dict:
    if job.kind == BackgroundJob.Kind.OUTBOX_SEND:
        return {"job": job, "outbox": (job.result or {}).get("outbox"), "active": "outbox"}
    if job.kind == BackgroundJob.Kind.ADMISSION_NOTICES:
        return {"job": job, "active": "training_program",
                "back": reverse("enrollment_overview", args=[job.params["program"]])}
    context = {"job": job, "filename": job.filename, "result": import_result(job), "active": "spreadsheet"}
    if job.kind == BackgroundJob.Kind.REGISTRY_IMPORT:
        context["kind"] = spreadsheets.get_kind(job.params["kind"])
    return context


@login_required
def job_detail(request, pk: int):
    job = job_get(user=request.user, pk=pk)
    return private_no_store(render(request, "web/job.html", job_context(job)))


@login_required
def job_status(request, pk: int):
    """The job's fragment alone: polled every second while the job runs; once it has ended, with the report."""
    job = job_get(user=request.user, pk=pk)
    return private_no_store(render(request, "web/_job.html", job_context(job)))
