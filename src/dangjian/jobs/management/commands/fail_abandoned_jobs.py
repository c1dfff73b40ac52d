"""`dangjian fail_abandoned_jobs`: end as failed the running jobs whose worker has died."""

from django.core.management.base import BaseCommand

from dangjian.jobs.services import fail_abandoned_jobs


class Command(BaseCommand):
    help = ("End as failed the background jobs still marked running that have given no sign of life for longer than "
            "JOB_ABANDONED_AFTER (their worker was killed). Run it before starting workers; a job's page does the "
            "same for its own job.")

    def handle(self, *args, **options):
        self.stdout.write(f"{fail_abandoned_jobs()} abandoned jobs marked failed.")
