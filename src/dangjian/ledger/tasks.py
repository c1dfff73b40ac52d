"""Background work of the ledger: importing a workbook of external training records as a job
(jobs.BackgroundJob), as the registry import does (organizations/tasks.py), so that a file of many thousand rows
never meets a web request's timeout. The page and the API start it and follow its progress."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_tasks import task

from dangjian.core.services import require_perm
from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.services import JobRun, job_create, job_enqueue, job_run
from dangjian.ledger.spreadsheets import RECORDS, records_import
from dangjian.organizations.spreadsheets import ImportResult
from dangjian.organizations.spreadsheets.reading import file_error, max_upload_mb


def records_import_start(*, file, by, filename: str = "") -> BackgroundJob:
    """Store the uploaded workbook and queue its import (`records_import`, all rows or none) as a job.

    The permission is asked now and again when the job runs. A file larger than IMPORT_MAX_UPLOAD_MB is refused
    here (ValidationError) and never stored; every other check of the file is the job's, and its report is the
    job's result.
    """
    require_perm(by, "ledger.import_records")
    size = getattr(file, "size", None)
    if size is not None and size > max_upload_mb() * 1024 * 1024:
        raise ValidationError(_("The file is larger than %(size)d MB; split it into several files.")
                              % {"size": max_upload_mb()})
    job = job_create(kind=BackgroundJob.Kind.LEDGER_IMPORT, by=by, params={"kind": RECORDS.key}, upload=file,
                     filename=filename or getattr(file, "name", "") or "")
    return job_enqueue(job, records_import_task)


@task()
def records_import_task(job_id: int) -> None:
    job_run(job_id, _run_import)


def _run_import(run: JobRun) -> tuple[bool, dict]:
    job = run.job
    run.stage(BackgroundJob.Stage.CHECKING)
    try:
        with job.upload.open("rb") as file:
            result = records_import(file=file, by=job.requested_by, filename=job.filename, progress=run.progress,
                                    before_writing=lambda: run.stage(BackgroundJob.Stage.WRITING))
    except PermissionDenied:  # the requester lost the right to import since the job was queued
        result = ImportResult(kind=RECORDS.key, error_count=1,
                              errors=[file_error(_("You are no longer allowed to import this file."))])
    return result.ok, result.as_dict()
