"""Documents of a training program: the plan (培训方案) as an A4 PDF for the approver, and the timetable
of a phase as an A4 landscape PDF, an Excel workbook and an iCal calendar.

The PDFs are rendered by WeasyPrint from the HTML templates in training/templates/training/documents/,
with the system's Noto CJK fonts (embedded as subsets, so Chinese reads on any machine). The documents
follow the active language: labels through gettext, data (titles) as entered, the English variant
where the model has one (Session.display_title, Venue.name, Site.name).

Every function reads the database in a fixed number of queries, whatever the number of sessions.
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from dangjian.training.models import (
    ClassCommitteeMember,
    FormCategory,
    Group,
    Phase,
    Program,
    ProgramReview,
    Session,
    TeachingForm,
)
from dangjian.training.selectors import (
    credited_sessions,
    phase_sessions,
    program_budget,
    session_prefetches,
    teaching_form_mix,
)

PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"

# Statuses in which the plan is the approved one (and the approval is printed on it).
APPROVED_STATUSES = (
    Program.Status.APPROVED, Program.Status.ENROLLMENT_OPEN, Program.Status.IN_PROGRESS, Program.Status.CLOSED,
    Program.Status.ARCHIVED,
)

CHINESE_NUMERALS = "零一二三四五六七八九十"


# --- Small formatting helpers ----------------------------------------------------------------------

def _chinese(language: str | None = None) -> bool:
    return not (language or get_language() or "").startswith("en")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (section and phase numbers, 1–99; larger stay in digits)."""
    if n < 0 or n >= 100:
        return str(n)
    if n <= 10:
        return CHINESE_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CHINESE_NUMERALS[tens] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones] if ones else "")


def section_label(n: int) -> str:
    """一、 in Chinese (公文 numbering of the first level), 1. in English."""
    return f"{chinese_number(n)}、" if _chinese() else f"{n}. "


def phase_label(number: int) -> str:
    """第一期 in Chinese; Phase 1 in English."""
    return _("Phase %(number)s") % {"number": chinese_number(number) if _chinese() else number}


def format_hours(value) -> str:
    """3.0 → "3", 2.5 → "2.5" (hours as the timetables print them)."""
    value = Decimal(value or 0)
    text = f"{value.quantize(Decimal('0.1')):f}"
    return text[:-2] if text.endswith(".0") else text


def format_money(value) -> str:
    """302500 → "302,500", 1234.5 → "1,234.50" (yuan, as budgets are written in both languages)."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):,}"
    return text.removesuffix(".00")


def format_day(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def format_date_range(start: datetime.date, end: datetime.date) -> str:
    if start == end:
        return format_day(start)
    return _("%(start)s to %(end)s") % {"start": format_day(start), "end": format_day(end)}


def punctuation() -> dict[str, str]:
    """Punctuation between data items: full-width in Chinese, ASCII with spaces in English."""
    if _chinese():
        return {"colon": "：", "comma": "，", "semicolon": "；", "stop": "。", "open": "（", "close": "）",
                "list": "、", "space": ""}
    return {"colon": ": ", "comma": ", ", "semicolon": "; ", "stop": ".", "open": " (", "close": ")", "list": ", ",
            "space": " "}


def _in_sentence(label: str) -> str:
    """A choice label inside an English sentence starts in lower case ("the duty of induction training")."""
    return label if _chinese() or not label else label[0].lower() + label[1:]


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def css_string(text: str) -> str:
    """A CSS string literal for user data (a title) or a translated label: quotes and backslashes escaped,
    and `<` too, so that no text can close the <style> element it is printed in."""
    for newline in ("\n", "\r", "\f"):  # each ends a CSS string
        text = text.replace(newline, " ")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"'


def page_counter_css() -> str:
    """CSS `content` for the footer, from the translated "Page X of Y" (第 X 页 共 Y 页)."""
    template = _("Page %(page)s of %(pages)s")
    parts = re.split(r"(%\((?:page|pages)\)s)", template)
    css = []
    for part in parts:
        if part == "%(page)s":
            css.append("counter(page)")
        elif part == "%(pages)s":
            css.append("counter(pages)")
        elif part:
            css.append(css_string(part))
    return " ".join(css)


def safe_filename(text: str) -> str:
    """A file name without path separators or characters Windows refuses."""
    return re.sub(r'[\\/:*?"<>|\r\n\t]+', " ", text).strip() or "document"


def program_plan_filename(program: Program) -> str:
    label = _("training plan")
    return safe_filename(f"{program.title}-{label}") + ".pdf"


def phase_timetable_filename(phase: Phase, extension: str) -> str:
    name = _("%(phase)s timetable") % {"phase": phase_label(phase.number)}
    return safe_filename(f"{phase.program.title}-{name}") + f".{extension}"


def phase_calendar_name(phase: Phase) -> str:
    return f"{phase.program.title} {phase_label(phase.number)}"


# --- Timetable rows ----------------------------------------------------------------------------------

def session_place(session: Session) -> str:
    """Where a session takes place: its red-education stops in visiting order, else its venue (and
    classroom), else the free text (e.g. 南阳市→新县 for travel)."""
    stops = [stop.site.name for stop in session.stops.all()]
    if stops:
        return "→".join(stops)
    if session.venue_id:
        place = session.venue.name
        if session.classroom_id:
            place = f"{place} {session.classroom.display_name}"
        return place
    return session.place_note


def session_instructors(session: Session) -> str:
    return punctuation()["list"].join(str(instructor) for instructor in session.instructors.all())


@dataclass
class TimetableRow:
    session: Session
    day: datetime.date
    start: datetime.datetime
    end: datetime.datetime
    form: str
    title: str
    group: str
    place: str
    instructors: str
    hours: Decimal

    @property
    def time(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def hours_label(self) -> str:
        return format_hours(self.hours)


@dataclass
class TimetableDay:
    day: datetime.date
    rows: list[TimetableRow] = field(default_factory=list)
    hours: Decimal = Decimal("0")

    @property
    def date_label(self) -> str:
        return formats.date_format(self.day, "MONTH_DAY_FORMAT")

    @property
    def weekday(self) -> str:
        return formats.date_format(self.day, "l")

    @property
    def hours_label(self) -> str:
        return format_hours(self.hours)

    @property
    def span(self) -> int:  # rows of the day in the table, with its total
        return len(self.rows) + 1


def timetable_row(session: Session) -> TimetableRow:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return TimetableRow(
        session=session, day=start.date(), start=start, end=end, form=session.get_form_display(),
        title=session.display_title, group=str(session.group) if session.group_id else "",
        place=session_place(session), instructors=session_instructors(session), hours=session.hours,
    )


def _parallel(row: TimetableRow, other: TimetableRow) -> bool:
    """The same session held by several groups at once (e.g. 分组研讨 in six rooms)."""
    return bool(row.session.group_id and other.session.group_id) and (
        (row.start, row.end, row.session.form, row.title) == (other.start, other.end, other.session.form, other.title))


def _combined(rows: list[TimetableRow]) -> TimetableRow:
    """One printed row for parallel group sessions: the groups, each group's place where they differ,
    every instructor, and the hours once (a participant sits in one group)."""
    if len(rows) == 1:
        return rows[0]
    p = punctuation()
    places = list(dict.fromkeys(row.place for row in rows))
    sessions = [row.session for row in rows]
    if len(places) == 1:
        place = places[0]
    elif len({s.venue_id for s in sessions}) == 1 and all(s.venue_id and s.classroom_id for s in sessions):
        # One venue, a room per group: 河南大别山干部学院（第一组 研讨室A、第二组 研讨室B）
        rooms = p["list"].join(f"{row.group} {row.session.classroom.display_name}" for row in rows)
        place = f"{sessions[0].venue.name}{p['open']}{rooms}{p['close']}"
    else:
        place = p["semicolon"].join(f"{row.group}{p['colon']}{row.place}" for row in rows)
    names = list(dict.fromkeys(str(i) for row in rows for i in row.session.instructors.all()))
    first = rows[0]
    return TimetableRow(session=first.session, day=first.day, start=first.start, end=first.end, form=first.form,
                        title=first.title, group=p["list"].join(row.group for row in rows), place=place,
                        instructors=p["list"].join(names), hours=first.hours)


def timetable_days(sessions) -> list[TimetableDay]:
    """Sessions by day, each day with its hours (parallel group sessions of one slot count once, and
    print as one row)."""
    days: dict[datetime.date, TimetableDay] = {}
    by_day: dict[datetime.date, list[Session]] = {}
    runs: dict[datetime.date, list[list[TimetableRow]]] = {}
    for session in sessions:
        row = timetable_row(session)
        day_runs = runs.setdefault(row.day, [])
        if day_runs and _parallel(day_runs[-1][-1], row):
            day_runs[-1].append(row)
        else:
            day_runs.append([row])
        by_day.setdefault(row.day, []).append(session)
    for day, items in by_day.items():
        days[day] = TimetableDay(day=day, rows=[_combined(run) for run in runs[day]],
                                 hours=sum((s.hours for s in credited_sessions(items)), Decimal("0")))
    return [days[day] for day in sorted(days)]


def _timetable_signature(phase: Phase, days: list[TimetableDay]) -> list[tuple]:
    """What makes two phases' timetables the same, up to the shift of their dates."""
    return [
        ((row.day - phase.starts_on).days, row.start.time(), row.end.time(), row.session.form, row.session.title,
         row.session.title_en, row.group, row.place, row.instructors, row.hours)
        for day in days for row in day.rows
    ]


def total_hours(days: list[TimetableDay]) -> Decimal:
    return sum((day.hours for day in days), Decimal("0"))


# --- PDF rendering -----------------------------------------------------------------------------------

def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # The templates need no external resource; refuse every URL (no file:// or network reads).
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


def render_document(template: str, context: dict) -> str:
    language = get_language() or settings.LANGUAGE_CODE
    return render_to_string(template, {
        "language": "zh-Hans" if _chinese(language) else language,
        "chinese": _chinese(language),
        "page_counter": page_counter_css(),
        "p": punctuation(),
        **context,
    })


# --- The program plan (培训方案) ---------------------------------------------------------------------

def plan_budget(*, program: Program, phases: list[Phase]) -> dict:
    """Participants × days × cost standard per person and day; each participant attends one phase,
    so the days are a phase's days (their mean when phases differ). The budget estimate, when given,
    is the budget."""
    computed = program_budget(program=program, phases=phases)
    days = computed["days"] if computed else Decimal("0")
    standard = computed["amount"] if computed else Decimal("0")
    estimate = program.budget_estimate
    return {
        "participants": program.planned_participants,
        "days": format_hours(days),
        "cost": format_money(program.cost_per_person_day),
        "standard": format_money(standard),
        "estimate": format_money(estimate) if estimate is not None else "",
        "total": format_money(estimate if estimate is not None else standard),
        "differs": estimate is not None and estimate != standard,
    }


def _person(person) -> str:
    organ = getattr(person, "organ", None)
    p = punctuation()
    return f"{person.name}{p['open']}{organ.name}{p['close']}" if organ is not None else person.name


def plan_headings() -> dict[str, str]:
    """The plan's sections in their order, numbered 一、二、… (1. 2. … in English)."""
    titles = [
        ("purpose", _("Purpose of the training")),
        ("basis", _("Basis of the training")),
        ("target", _("Target participants")),
        ("time_place", _("Time and place")),
        ("content", _("Content and teaching forms")),
        ("timetable", _("Timetable")),
        ("organization", _("Organization and management")),
        ("budget", _("Budget")),
        ("contacts", _("Contacts")),
    ]
    return {key: f"{section_label(i)}{title}" for i, (key, title) in enumerate(titles, start=1)}


def _phase_organization(item: dict) -> str:
    """One sentence on a phase's head teacher, temporary party branch, groups and class committee."""
    p = punctuation()

    def listed(label: str, entries: list[str]) -> str:
        return f"{label}{p['open']}{p['comma'].join(entries)}{p['close']}" if entries else label

    parts = []
    if item["head_teacher"]:
        parts.append(_("head teacher %(name)s") % {"name": item["head_teacher"]})
    if item["branch_name"]:
        parts.append(listed(item["branch_name"], [f"{post['role']} {post['person']}" for post in item["branch_posts"]]))
    if item["groups"]:
        label = ngettext("%(count)d study group", "%(count)d study groups", len(item["groups"])) % {
            "count": len(item["groups"])}
        leader = _("leader")
        parts.append(listed(label, [
            f"{g['name']} {leader} {g['leader']}" if g["leader"] else g["name"] for g in item["groups"]]))
    if item["committee"]:
        parts.append(listed(_("class committee"), [f"{m['role']} {m['person']}" for m in item["committee"]]))
    return p["semicolon"].join(parts) + p["stop"] if parts else ""


def _mix_sentence(mix: dict, categories: list[dict]) -> str:
    """各期课程合计62学时，其中理论教学19学时（占教学学时32.8%），…。理论教学与实践教学分别占…。"""
    p = punctuation()
    parts = [
        f"{c['label']}{p['space']}"
        + _("%(hours)s hours (%(share)s%% of teaching)") % {"hours": c["hours_label"], "share": c["share"]}
        for c in categories
    ]
    return (
        _("The courses of all phases add up to %(hours)s hours:") % {"hours": format_hours(mix["total_hours"])}
        + p["space"] + p["comma"].join(parts) + p["stop"] + p["space"]
        + _("Theory and practice take %(theory)s%% and %(practice)s%% of the teaching hours.")
        % {"theory": mix["theory_share"], "practice": mix["practice_share"]}
    )


def program_plan_context(*, program: Program) -> dict:
    """Everything the plan prints, read in a fixed number of queries."""
    from dangjian.organizations.models import Post

    phases = list(program.phases.select_related("head_teacher", "classroom", "temporary_branch").order_by("number"))
    sessions = list(
        Session.unscoped.filter(phase__program=program)
        .select_related("course", "venue", "classroom", "group")
        .prefetch_related(*session_prefetches())
        .order_by("starts_at", "group__number", "id")
    )
    groups = list(Group.objects.filter(phase__program=program).select_related("leader", "deputy_leader")
                  .order_by("phase_id", "number"))
    committee = list(ClassCommitteeMember.objects.filter(phase__program=program)
                     .select_related("person").order_by("phase_id", "role", "id"))
    branch_posts = list(Post.unscoped.filter(party_organization__training_phase__program=program)
                        .select_related("person", "person__organ", "party_organization")
                        .order_by("party_organization_id", "role", "id"))
    approval = None
    if program.status in APPROVED_STATUSES:
        approval = (program.reviews.filter(decision=ProgramReview.Decision.APPROVED)
                    .order_by("-decided_at", "-id").first())
    mix = teaching_form_mix(program=program)

    sessions_by_phase: dict[int, list[Session]] = {}
    for session in sessions:
        sessions_by_phase.setdefault(session.phase_id, []).append(session)
    role_order = {value: i for i, value in enumerate(ClassCommitteeMember.Role.values)}
    post_order = {value: i for i, value in enumerate(Post.Role.values)}

    phase_items, first_signature, first_label = [], None, ""
    for phase in phases:
        days = timetable_days(sessions_by_phase.get(phase.pk, []))
        signature = _timetable_signature(phase, days)
        same_as_first = bool(phase_items) and bool(signature) and signature == first_signature
        if not phase_items:
            first_signature, first_label = signature, phase_label(phase.number)
        branch = sorted((p for p in branch_posts if p.party_organization_id == phase.temporary_branch_id),
                        key=lambda p: post_order.get(p.role, 99))
        members = sorted((m for m in committee if m.phase_id == phase.pk), key=lambda m: role_order.get(m.role, 99))
        phase_items.append({
            "phase": phase,
            "label": phase_label(phase.number),
            "dates": format_date_range(phase.starts_on, phase.ends_on),
            "days": days,
            "hours": format_hours(total_hours(days)),
            "same_as_first": same_as_first,
            "first_label": first_label,
            "head_teacher": str(phase.head_teacher) if phase.head_teacher_id else "",
            "branch_name": phase.temporary_branch.name if phase.temporary_branch_id else "",
            "branch_posts": [{"role": p.get_role_display(), "person": _person(p.person)} for p in branch],
            "groups": [
                {"name": str(g), "leader": g.leader.name if g.leader_id else "",
                 "deputy": g.deputy_leader.name if g.deputy_leader_id else ""}
                for g in groups if g.phase_id == phase.pk
            ],
            "committee": [{"role": m.get_role_display(), "person": m.person.name} for m in members],
        })
        phase_items[-1]["organization"] = _phase_organization(phase_items[-1])

    venue = program.venue
    venue_place = ""
    if venue is not None:
        venue_place = "".join(x for x in (venue.province, venue.city, venue.county) if x) if _chinese() else ", ".join(
            x for x in (venue.county, venue.city, venue.province) if x)
    sign_off_date = timezone.localtime(program.submitted_at).date() if program.submitted_at else timezone.localdate()
    category_labels = dict(FormCategory.choices)
    # Shares are of the teaching hours (theory, practice, exchange); ceremonies and tests are not teaching.
    categories = [{**c, "hours_label": format_hours(c["hours"])} for c in mix["categories"]
                  if c["hours"] and c["code"] != FormCategory.OTHER]
    forms = [{**form, "hours_label": format_hours(form["hours"]), "category_label": category_labels[form["category"]],
              "share": round(float(form["hours"] / mix["total_hours"] * 100), 1) if mix["total_hours"] else 0.0}
             for form in mix["forms"] if form["code"] != TeachingForm.TRAVEL]
    return {
        "program": program,
        "document_title": _("%(title)s: training plan") % {"title": program.title},
        "status_label": program.get_status_display(),
        "approved": approval is not None,
        "approval": approval,
        "approval_date": format_day(timezone.localtime(approval.decided_at).date()) if approval else "",
        "purpose": paragraphs(program.purpose),
        "legal_basis": paragraphs(program.legal_basis),
        "target": paragraphs(program.target_population),
        "content": paragraphs(program.content),
        "requirement": _in_sentence(program.get_requirement_display()) if program.requirement else "",
        "venue": venue,
        "venue_place": venue_place,
        "phases": phase_items,
        "phase_total": len(phases),
        "time_span": format_date_range(phases[0].starts_on, phases[-1].ends_on) if phases else "",
        "headings": plan_headings(),
        "hours_per_day": format_hours(program.hours_per_day),
        "mix": mix,
        "forms": forms,
        "mix_sentence": _mix_sentence(mix, categories),
        "total_hours": format_hours(mix["total_hours"]),
        "theory_share": mix["theory_share"],
        "practice_share": mix["practice_share"],
        "organized": any(item["organization"] for item in phase_items),
        "budget": plan_budget(program=program, phases=phases),
        "sign_off_date": format_day(sign_off_date),
    }


def program_plan_html(*, program: Program) -> str:
    return render_document("training/documents/program_plan.html", program_plan_context(program=program))


def program_plan_pdf(*, program) -> bytes:
    """The plan as the approver reads it: A4, official-document style (title centred, sections 一、二、…),
    with page numbers, and the approval (who, when, document number) once approved."""
    return html_to_pdf(program_plan_html(program=program))


# --- The timetable of a phase ------------------------------------------------------------------------

def _phase_sessions(phase: Phase, sessions) -> list[Session]:
    return list(sessions if sessions is not None else phase_sessions(phase=phase))


def phase_timetable_context(*, phase: Phase, sessions=None) -> dict:
    program = phase.program
    days = timetable_days(_phase_sessions(phase, sessions))
    return {
        "program": program,
        "phase": phase,
        "phase_label": phase_label(phase.number),
        "document_title": _("%(program)s %(phase)s timetable") % {"program": program.title,
                                                                  "phase": phase_label(phase.number)},
        "dates": format_date_range(phase.starts_on, phase.ends_on),
        "venue": program.venue,
        "days": days,
        "total_hours": format_hours(total_hours(days)),
        "head_teacher": str(phase.head_teacher) if phase.head_teacher_id else "",
        "footer_title": css_string(program.title),
        "footer_printed": css_string(_("Printed on %(day)s") % {"day": format_day(timezone.localdate())}),
    }


def phase_timetable_html(*, phase: Phase, sessions=None) -> str:
    context = phase_timetable_context(phase=phase, sessions=sessions)
    return render_document("training/documents/phase_timetable.html", context)


def phase_timetable_pdf(*, phase, sessions=None) -> bytes:
    """The phase's timetable as an A4 landscape table, day by day with each day's hours.
    `sessions` (optional) limits it to the sessions a user may see; by default all of the phase's."""
    return html_to_pdf(phase_timetable_html(phase=phase, sessions=sessions))


# Rows of the timetable workbook: a title naming the program and the phase, a line with the dates and the
# place, then the header row and the sessions. It is a document to read and print, not an import template
# (the registry's exports keep their header in row 1, as the import template has it).
XLSX_TITLE_ROW, XLSX_SUBTITLE_ROW, XLSX_HEADER_ROW = 1, 2, 3


def phase_timetable_xlsx(*, phase, sessions=None) -> bytes:
    """One sheet: the title (program and phase) and the dates and place above a bold, frozen header row;
    real date cells without a time (yyyy-mm-dd) and time cells, numeric hours and a total row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    rows = [timetable_row(s) for s in _phase_sessions(phase, sessions)]
    total = sum((s.hours for s in credited_sessions([r.session for r in rows])), Decimal("0"))
    program = phase.program
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = safe_filename(_("%(phase)s timetable") % {"phase": phase_label(phase.number)})[:31]
    columns = [
        (_("Date"), 12, "yyyy-mm-dd"), (_("Weekday"), 9, None), (_("Start"), 7, "hh:mm"), (_("End"), 7, "hh:mm"),
        (_("Teaching form"), 12, None), (_("Course content"), 60, None), (pgettext("training", "Group"), 8, None),
        (_("Place"), 30, None), (_("Instructors"), 22, None), (_("Hours"), 7, "0.0"),
    ]
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    last_column = get_column_letter(len(columns))
    sheet.append([_("%(program)s %(phase)s timetable") % {"program": program.title,
                                                          "phase": phase_label(phase.number)}])
    place = " · ".join(part for part in (program.venue.name if program.venue_id else "",
                                         phase.classroom.display_name if phase.classroom_id else "") if part)
    sheet.append([" · ".join(part for part in (format_date_range(phase.starts_on, phase.ends_on), place) if part)])
    for row in (XLSX_TITLE_ROW, XLSX_SUBTITLE_ROW):
        sheet.merge_cells(f"A{row}:{last_column}{row}")
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.cell(row=XLSX_TITLE_ROW, column=1).font = Font(bold=True, size=14)
    sheet.row_dimensions[XLSX_TITLE_ROW].height = 24
    sheet.append([title for title, _width, _format in columns])
    for index, (_title, width, _format) in enumerate(columns, start=1):
        cell = sheet.cell(row=XLSX_HEADER_ROW, column=index)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="F3DCDA")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = Border(bottom=thin)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append([
            row.day, formats.date_format(row.day, "l"), row.start.time().replace(tzinfo=None),
            row.end.time().replace(tzinfo=None), row.form, row.title, row.group, row.place, row.instructors,
            float(row.hours),
        ])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # text typed by users is text, never a formula (=HYPERLINK(…))
                cell.data_type = "s"
    total_row = [_("Total"), *[None] * (len(columns) - 2), float(total)]
    sheet.append(total_row)
    for line in sheet.iter_rows(min_row=XLSX_HEADER_ROW + 1, max_row=sheet.max_row):
        for cell, (_title, _width, number_format) in zip(line, columns, strict=True):
            if number_format:
                cell.number_format = number_format
            cell.alignment = Alignment(vertical="top", wrap_text=cell.column in (6, 8, 9))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
        cell.border = Border(top=thin)
    sheet.freeze_panes = f"A{XLSX_HEADER_ROW + 1}"
    sheet.print_title_rows = f"{XLSX_HEADER_ROW}:{XLSX_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddHeader.center.text = f"{program.title} {phase_label(phase.number)}"
    workbook.properties.title = phase_calendar_name(phase)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- iCal ----------------------------------------------------------------------------------------------

def session_uid(session: Session) -> str:
    return f"session-{session.pk}@dangjian"


def sessions_ical(*, sessions, name: str) -> bytes:
    """One VEVENT per session (UID stable per session, so a re-import updates rather than duplicates),
    times in Asia/Shanghai with its VTIMEZONE; summary = title, location = place, description = the
    teaching form and the instructors."""
    from icalendar import Calendar, Event

    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//dangjian//training timetable//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for session in sessions:
        row = timetable_row(session)
        lines = [row.form]
        if row.instructors:
            lines.append(_("Instructors: %(names)s") % {"names": row.instructors})
        if row.group:
            lines.append(_("Group: %(group)s") % {"group": row.group})
        phase = session.phase
        lines.append(f"{phase.program.title} {phase_label(phase.number)}")
        event = Event()
        event.add("uid", session_uid(session))
        event.add("dtstamp", (session.updated_at or timezone.now()).astimezone(datetime.UTC))
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", session.ends_at.astimezone(zone))
        event.add("summary", row.title)
        if row.place:
            event.add("location", row.place)
        event.add("description", "\n".join(lines))
        event.add("categories", [row.form])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
