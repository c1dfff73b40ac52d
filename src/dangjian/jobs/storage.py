"""Where uploads wait for their background job: settings.JOB_UPLOAD_ROOT, a folder that is never served."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class JobUploadStorage(FileSystemStorage):
    """Files of jobs still to run (an uploaded workbook), deleted when the job ends. No URL: never served.

    The folder is read from the settings on every use, so that tests (and a deployment's environment) can
    move it; workers and app processes must share it (docs/deploy.md).
    """

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.JOB_UPLOAD_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("job uploads are never served")


def job_upload_storage() -> JobUploadStorage:
    return JobUploadStorage()
