"""Where attachments of messages (an admission notice's PDF) are kept: settings.OUTBOX_ATTACHMENT_ROOT, a folder
that is never served (an admission notice carries a personal activation link). The message's page hands a file
to those who may see the message."""

from dangjian.core.storage import PrivateStorage


def attachment_storage() -> PrivateStorage:
    return PrivateStorage("OUTBOX_ATTACHMENT_ROOT")
