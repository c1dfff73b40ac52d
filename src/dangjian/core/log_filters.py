"""Filters for the server log (settings.LOGGING)."""

import logging

from django.core.exceptions import PermissionDenied


class DenialsWithoutTraceback(logging.Filter):
    """Django logs a PermissionDenied (403) on `django.request` as a warning with the exception's traceback.
    A refusal is an expected answer, not a fault in the code: keep the one line ("Forbidden (Permission
    denied): /path"), drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
