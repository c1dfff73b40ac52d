"""Background work of completion, as jobs (jobs.BackgroundJob): making a class's closing pack (completion.closing)."""

from django_tasks import task

from dangjian.jobs.services import job_run


@task()
def closing_pack_task(job_id: int) -> None:
    from dangjian.completion.closing import run_closing_pack

    job_run(job_id, run_closing_pack)
