"""Where closing packs are kept: settings.CLOSING_PACK_ROOT, a folder that is never served (a pack lists every
participant's attendance, leave and hours). The download views hand a pack to those who run the class."""

from dangjian.core.storage import PrivateStorage


def closing_pack_storage() -> PrivateStorage:
    return PrivateStorage("CLOSING_PACK_ROOT")


def reflection_file_storage() -> PrivateStorage:
    """Reflection attachments (settings.REFLECTION_FILE_ROOT): a participant's own writing, handed out only by the
    download view (the author, those who run the class)."""
    return PrivateStorage("REFLECTION_FILE_ROOT")
