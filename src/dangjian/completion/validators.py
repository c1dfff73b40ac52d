"""Input rules of completion: a reflection's file (心得体会附件).

A file is a PDF, a Word (.docx) or OpenDocument (.odt) document or plain text, of at most
settings.REFLECTION_FILE_MAX_MB. Its type is checked by its name *and* its first bytes (a PDF starts with %PDF-,
a .docx or .odt is a zip archive, text decodes as UTF-8 or GB 18030), so a renamed program is refused. The page and
the API call the same function.
"""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REFLECTION_FILE_TYPES = {".pdf": "application/pdf",
                         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         ".odt": "application/vnd.oasis.opendocument.text",
                         ".txt": "text/plain; charset=utf-8"}
ZIP_MAGIC = b"PK\x03\x04"


def max_file_bytes() -> int:
    return int(settings.REFLECTION_FILE_MAX_MB) * 1024 * 1024


def _looks_like(extension: str, head: bytes, whole) -> bool:
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension in (".docx", ".odt"):
        return head.startswith(ZIP_MAGIC)
    data = whole()
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def validate_reflection_file(upload) -> str:
    """The file's extension (".pdf", …) when it is an acceptable reflection file; ValidationError naming the field
    otherwise."""
    name = os.path.basename(getattr(upload, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in REFLECTION_FILE_TYPES:
        raise ValidationError({"file": _("Attach a PDF, Word (.docx), OpenDocument (.odt) or text (.txt) file.")})
    size = getattr(upload, "size", None)
    if size is None or size > max_file_bytes():
        raise ValidationError({"file": _("The file is larger than %(max)d MB.") % {
            "max": settings.REFLECTION_FILE_MAX_MB}})
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)

    def whole():
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        return data

    if not _looks_like(extension, head, whole):
        raise ValidationError({"file": _("The file's content is not a %(type)s file.") % {
            "type": extension[1:].upper()}})
    return extension


def content_type_of(name: str) -> str:
    return REFLECTION_FILE_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")
