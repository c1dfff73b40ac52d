"""Writes to training records, by concern: the library, the program and its workflow, the class of each
phase, the timetable. Each service asks its action's permission (training.rules) first, validates,
writes atomically and records the change in the audit trail."""

from dangjian.training.services.classes import (
    PHASE_PLAN_FIELDS,
    class_committee_appoint,
    class_committee_remove,
    day_start,
    group_create,
    group_delete,
    group_update,
    phase_create,
    phase_delete,
    phase_update,
    temporary_branch_appoint,
    temporary_branch_create,
    temporary_branch_remove,
    temporary_branch_remove_post,
)
from dangjian.training.services.library import library_create, library_delete, library_update
from dangjian.training.services.reuse import copied_title, program_copy, program_copy_shift
from dangjian.training.services.timetable import (
    SESSION_FIELDS,
    phase_timetable_copy,
    session_conflicts,
    session_create,
    session_create_for_groups,
    session_delete,
    session_hours_default,
    session_move,
    session_update,
    travel_minutes,
    travel_warnings,
)
from dangjian.training.services.workflow import (
    TRANSITION_VERBS,
    TRANSITIONS,
    allowed_transitions,
    program_approve,
    program_archive,
    program_close,
    program_create,
    program_delete,
    program_open_enrollment,
    program_plan_problems,
    program_reopen,
    program_reopen_class,
    program_return,
    program_start,
    program_submit,
    program_update,
    transition_hook_add,
    transition_problems,
)

__all__ = [
    "PHASE_PLAN_FIELDS", "SESSION_FIELDS", "TRANSITIONS", "TRANSITION_VERBS", "allowed_transitions",
    "class_committee_appoint", "class_committee_remove", "copied_title", "day_start", "group_create", "group_delete",
    "group_update", "library_create", "library_delete", "library_update", "phase_create", "phase_delete",
    "phase_timetable_copy", "phase_update", "program_approve", "program_archive", "program_close",
    "program_copy", "program_copy_shift", "program_create", "program_delete", "program_open_enrollment",
    "program_plan_problems", "program_reopen", "program_reopen_class", "program_return", "program_start",
    "program_submit",
    "program_update", "session_conflicts", "session_create", "session_create_for_groups", "session_delete",
    "session_hours_default", "session_move", "session_update", "temporary_branch_appoint",
    "temporary_branch_create", "temporary_branch_remove",
    "temporary_branch_remove_post", "transition_hook_add", "transition_problems", "travel_minutes", "travel_warnings",
]
