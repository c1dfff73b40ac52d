"""The follow-up state of a program as an Excel workbook, streamed: openpyxl's write-only workbook gets the rows
one by one from the database (an iterator, in chunks), is saved to a temporary file that spills to disk when large,
and the response streams that file in blocks."""

import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook

from dangjian.evaluation.definitions import label
from dangjian.followup import selectors

CHUNK = 2000


def followup_workbook(*, program, results) -> tempfile.SpooledTemporaryFile:
    """The workbook (a file at position 0): one row per participant who completed the class — organ, name,
    phase, state, plan rows, survey answers and the unit's decision. `results`: program_graduates(...)."""
    form = selectors.follow_up_form(program)
    definition = form.definition
    options = {row["id"]: {option["id"]: label(option) for option in row.get("options", [])}
               for row in definition.get("choices", [])}
    levels = {level["value"]: label(level) for level in definition["levels"]}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Follow-up"))
    sheet.append([program.title])
    questions = ([(row, "choice") for row in definition.get("choices", [])]
                 + [(row, "score") for row in definition.get("dimensions", [])]
                 + [(row, "text") for row in definition.get("open_questions", [])])
    unit_items = definition.get("unit_items", [])
    sheet.append([_("Organ"), _("Participant"), _("Phase"), _("State"), _("Implementation plan"), _("Survey due"),
                  _("Answered on"), *[label(row) for row, _kind in questions], _("Unit's decision"),
                  *[label(row) for row in unit_items], _("Confirmed on")])
    for result in results.iterator(chunk_size=CHUNK):
        nomination = result.nomination
        plan, report = selectors.plan_of(nomination), selectors.report_of(nomination)
        confirmation = selectors.confirmation_of(report)
        answers = []
        for row, kind in questions:
            if report is None:
                answers.append("")
            elif kind == "choice":
                picked = report.choices.get(row["id"], [])
                answers.append("、".join(options[row["id"]].get(item, item) for item in picked))
            elif kind == "score":
                answers.append(levels.get(report.scores.get(row["id"]), ""))
            else:
                answers.append(report.texts.get(row["id"], ""))
        unit = [(levels.get(confirmation.answers.get(row["id"]), "") if row.get("type") == "likert4"
                 else confirmation.answers.get(row["id"], "")) if confirmation else "" for row in unit_items]
        sheet.append([
            nomination.organ.name_zh, nomination.person.name,
            nomination.placement.phase.number if hasattr(nomination, "placement") else "",
            str(selectors.FollowUpState(selectors.state_of(nomination)).label),
            "\n".join(f"{item['due']} {item['action']}" for item in plan.items) if plan else "",
            selectors.survey_due(nomination).isoformat(),
            report.submitted_at.date().isoformat() if report else "", *answers,
            confirmation.get_decision_display() if confirmation else "", *unit,
            confirmation.confirmed_at.date().isoformat() if confirmation else ""])
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    workbook.save(output)
    output.seek(0)
    return output
