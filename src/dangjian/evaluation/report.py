"""The evaluation report of a program (评估报告) as PDF (WeasyPrint, the training documents' fonts and helpers) and
as Excel (openpyxl, write-only). Both are made from evaluation.analysis: they carry figures and anonymous texts only,
never a person, and hide every group below the minimum number of answers."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from dangjian.evaluation.analysis import GROUPINGS, ProgramAnalysis, Stats, hidden_note, program_analysis
from dangjian.ledger.spreadsheets import _bold
from dangjian.training.documents import css_string, format_day, html_to_pdf, render_document, safe_filename


def grouping_titles() -> dict[str, str]:
    return {"session": _("Per session"), "course": _("Per course"), "instructor": _("Per instructor"),
            "form": _("Per teaching form"), "phase": _("Per phase")}


def report_filename(program, extension: str) -> str:
    return safe_filename(_("Evaluation report of %(program)s") % {"program": program.title}) + f".{extension}"


def report_context(analysis: ProgramAnalysis) -> dict:
    program = analysis.program
    titles = grouping_titles()
    return {
        "program": program, "analysis": analysis, "hidden_note": hidden_note(),
        "document_title": _("Evaluation report of %(program)s") % {"program": program.title},
        "footer_title": css_string(program.title), "made_on": format_day(timezone.localdate()),
        "dimensions": [{"id": row["id"], "label": row["label"]} for row in analysis.overall.dimensions],
        "groupings": [{"title": titles[name], "rows": analysis.rows[name]} for name in GROUPINGS],
    }


def report_pdf(program) -> bytes:
    analysis = program_analysis(program)
    return html_to_pdf(render_document("evaluation/report.html", report_context(analysis)))


def _figures(stats: Stats, dimension_ids: list[str]) -> list:
    if stats.hidden:
        return [hidden_note()] + [""] * (len(dimension_ids) + 1)
    means = {row["id"]: row["mean"] for row in stats.dimensions}
    return [stats.overall_rounded, stats.satisfied_percent, *(means.get(dim) for dim in dimension_ids)]


def report_workbook(program) -> bytes:
    """One sheet per grouping (rows with answers, receipts, roster, overall, satisfied, one column per dimension),
    a summary with the keywords and quotes of the program, and the questionnaire's choice questions counted."""
    analysis = program_analysis(program)
    dimensions = [(row["id"], row["label"]) for row in analysis.overall.dimensions] or [
        (row["id"], row.get("zh", row["id"])) for row in analysis.card.definition.get("dimensions", [])]
    ids = [dim for dim, _label in dimensions]
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(pgettext("evaluation", "Summary"))
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 60
    summary.append([_bold(summary, _("Evaluation report of %(program)s") % {"program": program.title})])
    summary.append([_("Session cards answered"), analysis.answered])
    summary.append([_("Places on the session rosters"), analysis.roster])
    summary.append([_("Program questionnaires answered"), analysis.questionnaire_answered])
    summary.append([_("Participants placed"), analysis.questionnaire_placed])
    summary.append([_("Minimum answers shown"), analysis.min_answers])
    overall = analysis.overall
    if overall.hidden:
        summary.append([_("Overall score (0–100)"), hidden_note()])
    else:
        summary.append([_("Overall score (0–100)"), overall.overall_rounded])
        summary.append([_("Satisfied or very satisfied (%)"), overall.satisfied_percent])
        summary.append([])
        summary.append([_bold(summary, _("Keywords of the open answers")), _bold(summary, _("Answers"))])
        for word, count in overall.keywords:
            summary.append([word, count])
        summary.append([])
        summary.append([_bold(summary, _("Representative answers"))])
        for quote in overall.quotes:
            summary.append([quote])
    titles = grouping_titles()
    for name in GROUPINGS:
        sheet = workbook.create_sheet(titles[name][:31])
        sheet.column_dimensions["A"].width = 40
        sheet.append([_bold(sheet, text) for text in (
            _("Name"), _("Detail"), _("Answers"), _("Answered"), _("Roster"), _("Overall score (0–100)"),
            _("Satisfied or very satisfied (%)"), *(label for _dim, label in dimensions))])
        for row in analysis.rows[name]:
            sheet.append([row.label, row.detail, row.stats.answers, row.answered, row.roster,
                          *_figures(row.stats, ids)])
    if analysis.choices:
        sheet = workbook.create_sheet(_("Questionnaire choices")[:31])
        sheet.column_dimensions["A"].width = 40
        sheet.column_dimensions["B"].width = 60
        sheet.append([_bold(sheet, text) for text in (_("Question"), _("Option"), _("Times chosen"))])
        for choice in analysis.choices:
            for option, times in choice.options:
                sheet.append([choice.label, option, times])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
