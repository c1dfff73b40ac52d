"""The closing pack of a class (结业材料, rules §9): one PDF, and a ZIP of its parts, made from the records —
nothing is typed.

Parts, in order (each its own numbered heading, listed with its page in the table of contents):

1. the training plan (training.documents' plan, without its attached timetable) and the opening agenda (the
   opening-ceremony sessions of the timetable);
2. the final timetable of each phase (the phase timetable's table, A4 landscape);
3. the sign-in sheet of each session with the marks as recorded (attendance/documents/_sign_in_table.html);
4. the roster with each participant's result, the reasons and the hours (completion.selectors.program_results);
5. the leave records (approved, refused, pending, cancelled: sessions, reason, decision) and withdrawals;
6. the evaluation summary: `evaluation_summary(program)`, the hook the evaluation issue fills.

The whole pack is laid out once by WeasyPrint (so that its page numbers run through it); the ZIP's parts are
page ranges of that PDF (pypdf), each starting at its part's heading. Reads the database in a fixed number of
queries whatever the size of the class.
"""

import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dangjian.attendance.documents import session_when
from dangjian.attendance.enums import Mark
from dangjian.attendance.models import Attendance, LeaveRequest, Withdrawal
from dangjian.attendance.selectors import RosterRow
from dangjian.completion.selectors import participant_placements, program_results, rules_of
from dangjian.training import documents
from dangjian.training.documents import (
    css_string,
    format_date_range,
    format_day,
    format_hours,
    phase_label,
    render_document,
    safe_filename,
    section_label,
    timetable_row,
)
from dangjian.training.models import Session, TeachingForm
from dangjian.training.selectors import session_prefetches

PART_KEYS = ("plan", "timetable", "sign_in", "roster", "leave", "evaluation")


def evaluation_summary(program) -> list[str] | None:
    """The hook of the evaluation issue (issue 13): the paragraphs of the program's evaluation summary, or None
    while there is none. The pack prints them in its last part; None prints a note that the evaluation module
    will fill it. The figures come from the evaluation app (groups below the minimum number of answers hidden)."""
    from dangjian.evaluation.analysis import summary_paragraphs

    return summary_paragraphs(program)


def part_titles() -> dict[str, str]:
    """The parts' headings, numbered 一、二、… (1. 2. … in English)."""
    titles = [
        ("plan", _("Training plan and opening agenda")),
        ("timetable", _("Final timetable")),
        ("sign_in", _("Sign-in sheets with the marks")),
        ("roster", _("Roster with results and hours")),
        ("leave", _("Leave records")),
        ("evaluation", _("Evaluation summary")),
    ]
    return {key: f"{section_label(i)}{title}" for i, (key, title) in enumerate(titles, start=1)}


def part_filename(number: int, key: str) -> str:
    plain = {"plan": _("Training plan and opening agenda"), "timetable": _("Final timetable"),
             "sign_in": _("Sign-in sheets with the marks"), "roster": _("Roster with results and hours"),
             "leave": _("Leave records"), "evaluation": _("Evaluation summary")}[key]
    return safe_filename(f"{number:02d}-{plain}") + ".pdf"


def pack_filename(pack, extension: str) -> str:
    made = timezone.localtime(pack.made_at)
    return safe_filename(f"{pack.program.title}-{_('closing pack')}-{made:%Y%m%d-%H%M}") + f".{extension}"


# --- What each part prints ---------------------------------------------------------------------------

@dataclass
class Sheet:
    """One session's sign-in sheet with the marks."""

    session: Session
    phase_label: str
    when: str
    place: str
    rows: list[RosterRow]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        labels = [(Mark.PRESENT, Mark.PRESENT.label), (Mark.LATE, Mark.LATE.label), (Mark.ABSENT, Mark.ABSENT.label),
                  (Mark.ON_LEAVE, Mark.ON_LEAVE.label), ("", _("not marked"))]
        p = documents.punctuation()
        return p["comma"].join(f"{label} {self.counts.get(code, 0)}" for code, label in labels)


def _sessions(program) -> list[Session]:
    return list(Session.unscoped.filter(phase__program=program)
                .select_related("phase", "course", "venue", "classroom", "group")
                .prefetch_related(*session_prefetches())
                .order_by("phase__number", "starts_at", "group__number", "id"))


def sign_in_sheets(*, program, sessions: list[Session], placements) -> list[Sheet]:
    """Every session's roster (its phase's participants; a group session: its group's) with each mark: one query
    for the marks, whatever the number of sessions."""
    marks = {(a.session_id, a.nomination_id): a for a in Attendance.unscoped.filter(
        session__phase__program=program).only("session_id", "nomination_id", "mark", "note", "source")}
    sheets = []
    for session in sessions:
        rows, counts = [], {}
        for placement in placements:
            if placement.phase_id != session.phase_id or (session.group_id and placement.group_id != session.group_id):
                continue
            attendance = marks.get((session.pk, placement.nomination_id))
            rows.append(RosterRow(nomination=placement.nomination, placement=placement, attendance=attendance))
            code = attendance.mark if attendance else ""
            counts[code] = counts.get(code, 0) + 1
        sheets.append(Sheet(session=session, phase_label=phase_label(session.phase.number),
                            when=session_when(session), place=documents.session_place(session), rows=rows,
                            counts=counts))
    return sheets


def _short_session(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    return f"{formats.date_format(start.date(), 'MONTH_DAY_FORMAT')} {start:%H:%M} {session.display_title}"


def leave_rows(program) -> list[dict]:
    requests = (LeaveRequest.unscoped.filter(nomination__program=program)
                .select_related("nomination__person", "nomination__organ", "filed_by", "decided_by")
                .prefetch_related(Prefetch("sessions", queryset=Session.unscoped.order_by("starts_at", "id")))
                .order_by("nomination__person__name_sort", "filed_at", "id"))
    rows = []
    for leave in requests:
        rows.append({
            "person": leave.nomination.person.name, "organ": leave.nomination.organ.name,
            "sessions": [_short_session(session) for session in leave.sessions.all()],
            "hours": format_hours(sum((s.hours for s in leave.sessions.all()), Decimal(0))),
            "reason": leave.reason, "status": leave.get_status_display(), "status_code": leave.status,
            "filed": _who_when(leave.filed_by, leave.filed_at),
            "decided": _who_when(leave.decided_by, leave.decided_at) if leave.decided_at else "",
            "note": leave.decision_note,
        })
    return rows


def withdrawal_rows(program) -> list[dict]:
    withdrawals = (Withdrawal.unscoped.filter(nomination__program=program)
                   .select_related("nomination__person", "nomination__organ", "decided_by")
                   .order_by("nomination__person__name_sort", "id"))
    return [{"person": w.nomination.person.name, "organ": w.nomination.organ.name, "status": w.get_status_display(),
             "reason": w.reason, "decided": _who_when(w.decided_by, w.decided_at) if w.decided_at else "",
             "note": w.decision_note} for w in withdrawals]


def _who_when(user, at: datetime.datetime | None) -> str:
    when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""
    name = (user.get_full_name() or user.username) if user is not None else ""
    return " ".join(part for part in (name, when) if part)


def roster_phases(program, phases) -> list[dict]:
    """The results by phase: each participant's hours, result, reasons and hours credited."""
    results = program_results(program)
    by_phase: dict[int, list] = {}
    for result in results:
        by_phase.setdefault(result.placement.phase_id, []).append(result)
    items = []
    for phase in phases:
        rows = by_phase.get(phase.pk, [])
        items.append({
            "label": phase_label(phase.number), "dates": format_date_range(phase.starts_on, phase.ends_on),
            "rows": [{
                "person": r.person.name, "organ": r.nomination.organ.name,
                "group": str(r.placement.group) if r.placement.group_id else "",
                "class_hours": format_hours(r.hours.class_hours), "attended": format_hours(r.hours.attended_hours),
                "leave": format_hours(r.hours.leave_hours), "days": r.hours.days_attended,
                "completed": r.completed, "credited": format_hours(r.credited_hours), "reasons": r.reason_texts,
            } for r in rows],
            "completed": sum(1 for r in rows if r.completed),
            "credited": format_hours(sum((r.credited_hours for r in rows), Decimal(0))),
        })
    return items


def crediting_sentence(program) -> str:
    rules = rules_of(program)
    if rules.crediting == rules.Crediting.PER_SESSION:
        return _("Hours credited to those who completed: the sum of the hours of the sessions they attended.")
    return _("Hours credited to those who completed: days attended × %(hours)s hours a day (a day counts when at "
             "least half of its hours were attended).") % {"hours": format_hours(program.hours_per_day)}


def opening_rows(sessions: list[Session]) -> list[dict]:
    return [{"phase": phase_label(s.phase.number), "row": timetable_row(s)} for s in sessions
            if s.form == TeachingForm.OPENING]


def closing_pack_context(*, program, made_at: datetime.datetime) -> dict:
    """Everything the pack prints, read in a fixed number of queries."""
    phases = list(program.phases.select_related("head_teacher").order_by("number"))
    sessions = _sessions(program)
    placements = list(participant_placements(program))
    plan = documents.program_plan_context(program=program)
    plan_body = render_document("training/documents/_program_plan_body.html", {**plan, "without_attachment": True})
    timetables = []
    for phase in phases:
        own = [s for s in sessions if s.phase_id == phase.pk]
        context = documents.phase_timetable_context(phase=phase, sessions=own)
        timetables.append({**context, "table": render_document("training/documents/_timetable.html", context)})
    summary = evaluation_summary(program)
    made = timezone.localtime(made_at)
    return {
        "program": program,
        "document_title": _("%(title)s: closing pack") % {"title": program.title},
        "made_at": made.strftime("%Y-%m-%d %H:%M"),
        "made_on": format_day(made.date()),
        "status_label": program.get_status_display(),
        "titles": part_titles(),
        "plan_body": plan_body,
        "opening": opening_rows(sessions),
        "timetables": timetables,
        "sheets": sign_in_sheets(program=program, sessions=sessions, placements=placements),
        "roster": roster_phases(program, phases),
        "crediting": crediting_sentence(program),
        "provisional": program.status not in ("closed", "archived"),
        "leaves": leave_rows(program),
        "withdrawals": withdrawal_rows(program),
        "evaluation": summary,
        "footer_title": css_string(program.title),
    }


def closing_pack_html(*, program, made_at: datetime.datetime) -> str:
    return render_document("completion/documents/closing_pack.html",
                           closing_pack_context(program=program, made_at=made_at))


@dataclass
class RenderedPack:
    pdf: bytes
    zip: bytes
    page_count: int
    parts: list[tuple[str, int, int]]  # (file name, first page, last page), pages counted from 1


def closing_pack_render(*, program, made_at: datetime.datetime, progress=None) -> RenderedPack:
    """Lay the pack out once; the ZIP holds each part as its own PDF (the pack's pages from the part's heading
    to the page before the next one). `progress(done, total)` is told of each step."""
    import pypdf
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    steps = 4

    def step(done):
        if progress is not None:
            progress(done, steps)

    html = closing_pack_html(program=program, made_at=made_at)
    step(1)
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).render()
    step(2)
    pdf = document.write_pdf()
    step(3)
    starts = []
    for number, page in enumerate(document.pages):
        for key in PART_KEYS:
            if f"part-{key}" in page.anchors:
                starts.append((key, number))
    starts.sort(key=lambda item: item[1])
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    buffer, parts = io.BytesIO(), []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (key, first) in enumerate(starts):
            last = starts[index + 1][1] - 1 if index + 1 < len(starts) else len(reader.pages) - 1
            writer = pypdf.PdfWriter()
            for page in range(first, last + 1):
                writer.add_page(reader.pages[page])
            writer.add_metadata({"/Title": f"{program.title} · {part_titles()[key]}"})
            out = io.BytesIO()
            writer.write(out)
            name = part_filename(PART_KEYS.index(key) + 1, key)
            archive.writestr(name, out.getvalue())
            parts.append((name, first + 1, last + 1))
    step(4)
    return RenderedPack(pdf=pdf, zip=buffer.getvalue(), page_count=len(document.pages), parts=parts)
