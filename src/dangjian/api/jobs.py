"""Background jobs: GET /jobs/{id} — status, progress and, once the job has ended, its result.

A job is started elsewhere (POST /spreadsheets/{kind}/import answers 202 with the job and its URL in
`Location`); poll this URL every second or two until `status` is `done` or `failed`. Only the user who
started a job (and organizers) see it; anyone else gets 404.
"""

import datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Field, Router, Schema

from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.selectors import job_get

router = Router(tags=["jobs"])

JobKind = Literal[tuple(BackgroundJob.Kind.values)]  # type: ignore[valid-type]
JobStatus = Literal[tuple(BackgroundJob.Status.values)]  # type: ignore[valid-type]
JobStage = Literal[("", *BackgroundJob.Stage.values)]  # type: ignore[valid-type]


class JobProgress(Schema):
    done: int = Field(..., description="Units of work done, e.g. rows checked.")
    total: int = Field(..., description="Units of work in all, 0 while not known yet.")
    percent: int | None = Field(None, description="done / total in percent, null while the total is not known.")


class JobOut(Schema):
    id: int
    url: str = Field(..., description="This job's URL in the API: poll it until the job has ended.")
    kind: JobKind
    status: JobStatus = Field(..., description="queued → running → done, or failed (nothing was changed).")
    stage: JobStage = Field(..., description="What a running job is doing now: checking rows, or saving records.")
    progress: JobProgress
    filename: str
    requested_by: str | None = Field(None, description="User name of who started the job.")
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    result: dict[str, Any] | None = Field(None, description=(
        "Once the job has ended. A spreadsheet import: `kind`, `counts` of the records created, or, when "
        "nothing was imported, `errors` (each naming the sheet, the row as Excel shows it — null for the "
        "whole file — and the column header), `error_count` and `omitted`. Sending messages: `outbox` counts "
        "the messages `sent`, `failed` and `skipped`, with the `total`. After an unexpected failure: "
        "`error`, a message."))


def job_out(job: BackgroundJob) -> dict:
    return {
        "id": job.pk, "url": reverse("api-v1:job_detail", args=[job.pk]), "kind": job.kind, "status": job.status,
        "stage": job.stage, "progress": {"done": job.progress_done, "total": job.progress_total,
                                         "percent": job.percent},
        "filename": job.filename, "requested_by": job.requested_by.username if job.requested_by else None,
        "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at,
        "result": job.result,
    }


@router.get("/{job_id}", response=JobOut, url_name="job_detail", summary="A background job")
def job_detail(request, job_id: int):
    """Status, progress and, once the job has ended, the result of a job the user started (organizers: any job)."""
    return job_out(job_get(user=request.user, pk=job_id))
