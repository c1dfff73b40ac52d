"""Input rules of training records, each written once and used by the model (so every service's
full_clean applies it), the staff forms and the API."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

APPROVAL_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# The approval (批复): a PDF or OFD (China's fixed-layout format, a zip) or a scan, recognised by its
# first bytes as well as its name, so that a renamed file of another kind is refused.
APPROVAL_DOCUMENT_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".ofd": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def validate_approval_document(value) -> None:
    """PDF, OFD, JPEG or PNG (by name and by content), at most 20 MB."""
    if not value:
        return
    if getattr(value, "_committed", False) and not hasattr(value, "content_type"):
        return  # a stored file, checked when it was uploaded
    suffix = Path(value.name or "").suffix.lower()
    if suffix not in APPROVAL_DOCUMENT_SIGNATURES:
        raise ValidationError(_("Upload a PDF, OFD, JPEG or PNG file."), code="file_type")
    if value.size is not None and value.size > APPROVAL_DOCUMENT_MAX_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."), code="file_size")
    handle = getattr(value, "file", value)
    position = handle.tell() if hasattr(handle, "tell") else 0
    handle.seek(0)
    head = handle.read(8)
    handle.seek(position)
    if not any(head.startswith(signature) for signature in APPROVAL_DOCUMENT_SIGNATURES[suffix]):
        raise ValidationError(_("The file's content is not a %(kind)s file.") % {"kind": suffix[1:].upper()},
                              code="file_content")
