"""Where attachments of messages (an admission notice's PDF) are kept: settings.OUTBOX_ATTACHMENT_ROOT, a folder
that is never served (an admission notice carries a personal activation link). The message's page hands a file
to those who may see the message."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class AttachmentStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.OUTBOX_ATTACHMENT_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("outbox attachments are never served")


def attachment_storage() -> AttachmentStorage:
    return AttachmentStorage()
