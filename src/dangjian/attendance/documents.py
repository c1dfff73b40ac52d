"""The printable sign-in sheet of a session (签到表): the roster with a column to sign, as a PDF (WeasyPrint,
through training.documents' public helpers). The closing pack (completion.pack) prints the same roster table
(attendance/documents/_sign_in_table.html) with the marks recorded, through `session_when` and the table's
`with_marks`."""

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.training.documents import (
    css_string,
    format_day,
    html_to_pdf,
    phase_label,
    render_document,
    safe_filename,
    session_place,
)


def session_when(session) -> str:
    """The session's day and time as the sheets print them: 2022年10月10日 08:30–11:30."""
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return f"{format_day(start.date())} {start:%H:%M}–{end:%H:%M}"


def sign_in_sheet_html(*, session, rows) -> str:
    """`rows`: the roster (attendance.selectors.session_roster), in its order."""
    program = session.phase.program
    return render_document("attendance/documents/sign_in_sheet.html", {
        "document_title": _("Sign-in sheet"),
        "program": program,
        "session": session,
        "phase_label": phase_label(session.phase.number),
        "when": session_when(session),
        "place": session_place(session),
        "rows": rows,
        "footer_title": css_string(program.title),
        "footer_printed": css_string(_("Printed on %(day)s") % {"day": format_day(timezone.localdate())}),
    })


def sign_in_sheet_pdf(*, session, rows) -> bytes:
    return html_to_pdf(sign_in_sheet_html(session=session, rows=rows))


def sign_in_sheet_filename(session) -> str:
    start = timezone.localtime(session.starts_at)
    return safe_filename(f"{_('Sign-in sheet')}-{start:%Y%m%d-%H%M}-{session.title}.pdf")
