"""Documents of a training program: the plan (培训方案) as an A4 PDF, the timetable per phase as PDF,
Excel and iCal. (Signatures fixed; implementation lands with the documents work.)"""


def program_plan_pdf(*, program) -> bytes:
    raise NotImplementedError


def phase_timetable_pdf(*, phase) -> bytes:
    raise NotImplementedError


def phase_timetable_xlsx(*, phase) -> bytes:
    raise NotImplementedError


def sessions_ical(*, sessions, name: str) -> bytes:
    raise NotImplementedError
