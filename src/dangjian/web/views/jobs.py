"""A background job's page and the fragment that htmx polls on it until the job has ended.

Only the user who started a job (and organizers) see it: anyone else gets 404 (jobs/models.py).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.selectors import job_get
from dangjian.organizations import spreadsheets
from dangjian.organizations.tasks import import_result
from dangjian.web.views.base import private_no_store


def job_context(job: BackgroundJob) -> dict:
    """What the job's page shows: its report, and the page it belongs to (`back_url`, `back_label`)."""
    if job.kind == BackgroundJob.Kind.OUTBOX_SEND:
        return {"job": job, "outbox": (job.result or {}).get("outbox"), "active": "outbox",
                "back_url": reverse("outbox_list"), "back_label": _("Outbox")}
    if job.kind == BackgroundJob.Kind.CLOSING_PACK:
        return {"job": job, "active": "training_program", "pack": (job.result or {}).get("closing_pack"),
                "back_url": reverse("program_detail", args=[job.params["program"]]), "back_label": _("Program")}
    if job.kind == BackgroundJob.Kind.ADMISSION_NOTICES:
        return {"job": job, "active": "training_program",
                "back_url": reverse("enrollment_overview", args=[job.params["program"]]), "back_label": _("Enrollment")}
    context = {"job": job, "filename": job.filename, "result": import_result(job)}
    if job.kind == BackgroundJob.Kind.LEDGER_IMPORT:
        return {**context, "active": "ledger", "back_url": reverse("ledger_import"),
                "back_label": _("Import training records")}
    context.update(active="spreadsheet", back_url=reverse("spreadsheets"), back_label=_("Import and export"))
    if job.kind == BackgroundJob.Kind.REGISTRY_IMPORT:
        context["kind"] = spreadsheets.get_kind(job.params["kind"])
        context["back_url"] += f"#kind-{context['kind'].key}"
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
