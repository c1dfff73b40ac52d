"""Background work of certificates, as jobs (jobs.BackgroundJob kind certificates): issuing to everyone who
completed a class and making their PDFs (certificates.services.run_certificates_issue)."""

from django_tasks import task

from dangjian.jobs.services import job_run


@task()
def certificates_issue_task(job_id: int) -> None:
    from dangjian.certificates.services import run_certificates_issue

    job_run(job_id, run_certificates_issue)
