"""Background work of the registry: importing a workbook as a job (jobs.BackgroundJob), so that a file of
100,000 rows never meets a web request's timeout. The page and the API start it and show its progress."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_tasks import task

from dangjian.core.services import require_perm
from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.services import JobRun, job_create, job_enqueue, job_run
from dangjian.organizations.spreadsheets import ImportResult, get_kind, registry_import
from dangjian.organizations.spreadsheets.reading import file_error, max_upload_mb


def registry_import_start(*, kind: str, file, by, filename: str = "") -> BackgroundJob:
    """Store the uploaded workbook and queue its import (`registry_import`, all rows or none) as a job.

    Permissions are those of the import, asked now and again when the job runs. A file larger than
    IMPORT_MAX_UPLOAD_MB is refused here (ValidationError) and never stored; every other check of the file
    is the job's, and its report is the job's result.
    """
    get_kind(kind)
    require_perm(by, "organizations.import_registry")
    if kind == "organs":
        require_perm(by, "organizations.import_organs")
    size = getattr(file, "size", None)
    if size is not None and size > max_upload_mb() * 1024 * 1024:
        raise ValidationError(_("The file is larger than %(size)d MB; split it into several files.")
                              % {"size": max_upload_mb()})
    job = job_create(kind=BackgroundJob.Kind.REGISTRY_IMPORT, by=by, params={"kind": kind}, upload=file,
                     filename=filename or getattr(file, "name", "") or "")
    return job_enqueue(job, registry_import_task)


@task()
def registry_import_task(job_id: int) -> None:
    job_run(job_id, _run_import)


def _run_import(run: JobRun) -> tuple[bool, dict]:
    job = run.job
    kind = job.params["kind"]
    run.stage(BackgroundJob.Stage.CHECKING)

    def writing() -> None:
        run.stage(BackgroundJob.Stage.WRITING)

    try:
        with job.upload.open("rb") as file:
            result = registry_import(kind=kind, file=file, by=job.requested_by, filename=job.filename,
                                     progress=run.progress, before_writing=writing)
    except PermissionDenied:  # the requester lost the right to import since the job was queued
        result = ImportResult(kind=kind, errors=[file_error(_("You are no longer allowed to import this file."))],
                              error_count=1)
    return result.ok, result.as_dict()


def import_result(job: BackgroundJob) -> ImportResult | None:
    """The import's result of a finished job — the registry's or the ledger's (ledger/tasks.py), which share the
    import machinery —, for its report (None while it runs, or after an unexpected error)."""
    if job.kind not in BackgroundJob.IMPORT_KINDS or not job.result or "kind" not in job.result:
        return None
    return ImportResult.from_dict(job.result)
