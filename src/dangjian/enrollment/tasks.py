"""Background work of the enrollment: preparing the admission notices of a program (hundreds of PDFs) as a job
(jobs.BackgroundJob), never inside a request. The page and the API start it and show its progress."""

from django_tasks import task

from dangjian.jobs.services import job_run


@task()
def admission_notices_task(job_id: int) -> None:
    from dangjian.enrollment.messaging import run_admission_notices

    job_run(job_id, run_admission_notices)
