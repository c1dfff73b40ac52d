"""Completion scoping: a participant's completion records are seen by those who see their attendance
(attendance.scoping); a program's closing packs by those who run its class."""

from django.db.models import Q

from dangjian.attendance.scoping import attendance_filter
from dangjian.training.scoping import class_runner_filter


def participant_record_filter(user, path: str = "") -> Q:
    """Rows with a `nomination` (assessments, reflections, results) the user may see."""
    return attendance_filter(user, path=path, session_path=None)


def closing_pack_filter(user) -> Q:
    return class_runner_filter(user, path="program__")
