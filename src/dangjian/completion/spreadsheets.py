"""The results of a program as an Excel workbook (openpyxl, write-only: streamed row by row)."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dangjian.ledger.spreadsheets import table_workbook


def results_workbook(*, program, rows, provisional: bool) -> bytes:
    title = _("Completion results of %(program)s") % {"program": program.title}
    if provisional:
        title = f"{title} ({_('provisional')})"
    return table_workbook(
        title=title, sheet=_("Results"),
        headers=[_("Name"), _("Organ"), _("Phase"), pgettext("training", "Group"), _("Class hours"),
                 _("Hours attended"), _("Hours on leave"), _("Days attended"), _("Result"), _("Reasons"),
                 _("Hours credited")],
        widths=[12, 24, 8, 10, 10, 10, 10, 10, 10, 60, 10],
        rows=([row.person.name, row.nomination.organ.name_zh, row.phase_number, row.group_name, row.class_hours,
               row.attended_hours, row.leave_hours, row.days_attended,
               _("Completed") if row.completed else _("Not completed"), "\n".join(row.reason_texts),
               row.credited_hours] for row in rows))
