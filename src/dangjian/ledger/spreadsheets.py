"""Excel of the ledger: the import of external training records (all rows or none, with the registry import's
row-by-row report: organizations.spreadsheets.importing.import_workbook), its template, and the exports (a
person's archive, the compliance list, the annual statistics), written in openpyxl's write-only mode."""

import datetime
import io
from collections.abc import Iterable
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dangjian.core.rules import require
from dangjian.ledger.enums import RecordSource, TrainingKind
from dangjian.ledger.models import TrainingRecord
from dangjian.organizations.models import Person
from dangjian.organizations.spreadsheets.importing import (
    COUNT_LABELS,
    Importer,
    ImportResult,
    chunked,
    import_workbook,
)
from dangjian.organizations.spreadsheets.layout import (
    CHOICE,
    DATE,
    DECIMAL,
    ID_NUMBER,
    PERSON_NAME,
    Column,
    Kind,
    Sheet,
    Vocabulary,
)
from dangjian.organizations.spreadsheets.reading import parse_rows
from dangjian.organizations.spreadsheets.writing import _workbook_bytes

COUNT_LABELS["training_records"] = gettext_lazy("Training records")  # the import report's count


class YesNo(models.TextChoices):
    YES = "yes", gettext_lazy("Yes")
    NO = "no", gettext_lazy("No")


KINDS = Vocabulary(TrainingKind, {"concentrated": "集中培训", "online": "网络培训"},
                   synonyms={"集中": "concentrated", "脱产培训": "concentrated", "面授": "concentrated",
                             "网络": "online", "线上": "online", "在线学习": "online", "网络学习": "online"})
YES_NO = Vocabulary(YesNo, {"yes": "是", "no": "否"}, synonyms={"y": "yes", "n": "no", "√": "yes"})


def _max(name: str) -> int:
    return TrainingRecord._meta.get_field(name).max_length


RECORD_SHEET = Sheet("学时", (
    Column("id_number", "身份证号", ID_NUMBER, required=True, width=22,
           help=gettext_lazy("ID number of a registered person of your organs.")),
    Column("person_name", "姓名", PERSON_NAME, width=12,
           help=gettext_lazy("Optional check: when given, it must be the name of the person with this ID number.")),
    Column("title", "培训名称", required=True, width=32, max_length=_max("title"),
           help=gettext_lazy("Title of the training or course.")),
    Column("institution", "举办单位", width=24, max_length=_max("institution"),
           help=gettext_lazy("Who held it, e.g. 中共南阳市委党校, 学习强国, 中国干部网络学院.")),
    Column("kind", "培训方式", CHOICE, required=True, vocabulary=KINDS, width=12,
           help=gettext_lazy("Concentrated (face to face, in a block) or online.")),
    Column("starts_on", "开始日期", DATE, required=True, width=13, help=gettext_lazy("First day.")),
    Column("ends_on", "结束日期", DATE, required=True, width=13,
           help=gettext_lazy("Last day; the hours count for its year.")),
    Column("hours", "学时", DECIMAL, required=True, width=8,
           help=gettext_lazy("Hours credited, e.g. 32 or 2.5 (from 0.5 to 600).")),
    Column("counts_as_induction", "任职培训", CHOICE, vocabulary=YES_NO, width=10,
           help=gettext_lazy("是 when this was the induction training of a newly appointed secretary.")),
    Column("certificate_number", "证书编号", width=18, max_length=_max("certificate_number"),
           help=gettext_lazy("Number of the certificate, if any.")),
    Column("note", "备注", width=20, max_length=_max("note"), help=gettext_lazy("Optional.")),
))
RECORDS = Kind("training-records", gettext_lazy("Training records"), (RECORD_SHEET,), TrainingRecord, "学时记录")
MIN_HOURS, MAX_HOURS = Decimal("0.5"), Decimal("600")
FIELDS = ("person_id", "title", "institution", "kind", "starts_on", "ends_on", "hours", "counts_as_induction",
          "certificate_number", "note")


class RecordImporter(Importer):
    """Rows of the 学时 sheet: the person by ID number among the user's people; a row already in the ledger (same
    person, title and first day), or twice in the file, is refused: the import only creates records."""

    def validate(self, sheets):
        sheet = RECORD_SHEET
        seen: dict[tuple, int] = {}
        for rows in chunked(parse_rows(sheets[0], self.errors, self.tick)):
            ids = {record["id_number"] for _row, record, _bad in rows if record["id_number"]}
            people = {id_number: (pk, name) for pk, id_number, name in Person.objects.visible_to(self.user)
                      .filter(id_number__in=ids).values_list("pk", "id_number", "name")}
            existing = set(TrainingRecord.unscoped.filter(person_id__in=[pk for pk, _name in people.values()])
                           .values_list("person_id", "title", "starts_on"))
            checked = []
            for row, record, bad in rows:
                person = people.get(record["id_number"]) if record["id_number"] else None
                if record["id_number"] and person is None:
                    self.error(sheet, row, "id_number",
                               _("No person with this ID number in your part of the registry."))
                elif person and record["person_name"] and record["person_name"] != person[1]:
                    self.error(sheet, row, "person_name", _(
                        "The person with this ID number is named “%(name)s”; check the ID number."
                    ) % {"name": person[1]})
                if record["starts_on"] and record["ends_on"] and record["ends_on"] < record["starts_on"]:
                    self.error(sheet, row, "ends_on", _("The last day cannot be before the first day."))
                if record["hours"] is not None and not MIN_HOURS <= record["hours"] <= MAX_HOURS:
                    self.error(sheet, row, "hours", _("Hours from 0.5 to 600."))
                if person and record["title"] and record["starts_on"] and "starts_on" not in bad:
                    key = (person[0], record["title"], record["starts_on"])
                    if key in existing:
                        self.error(sheet, row, "title", _(
                            "This training of this person is already in the ledger; the import only creates records."))
                    elif key in seen:
                        self.error(sheet, row, "title", _("The same training of this person appears in row %(row)d.")
                                   % {"row": seen[key]})
                    seen[key] = row
                record["person_id"] = person[0] if person else None
                record["counts_as_induction"] = record["counts_as_induction"] == YesNo.YES
                checked.append(tuple(record[key] for key in FIELDS))
            if not self.errors:
                self.spool.add("records", checked)

    def write(self, plan) -> dict[str, int]:
        count = 0
        for chunk in self.spool.read("records"):
            instances = []
            for values in chunk:
                record = TrainingRecord(**dict(zip(FIELDS, values, strict=True)), source=RecordSource.IMPORTED,
                                        recorded_by=self.user)
                record.year, record.days = TrainingRecord.derived(starts_on=record.starts_on, ends_on=record.ends_on,
                                                                  kind=record.kind)
                instances.append(record)
            TrainingRecord.unscoped.bulk_create(instances)
            count += len(instances)
        return {"training_records": count}


def records_import(*, file, by, filename: str = "", progress=None, before_writing=None) -> ImportResult:
    """Import external training records (source "imported") for the people of the user's organs: all rows or
    none, every problem reported with its row and column; one audit entry of action "import". Pages and the API
    run it as a background job (ledger/tasks.py)."""
    require(by, "ledger.import_records")
    return import_workbook(spec=RECORDS, importer_class=RecordImporter, file=file, by=by, filename=filename,
                           progress=progress, before_writing=before_writing)


def records_template() -> bytes:
    return _workbook_bytes(RECORDS, {})


# --- Exports ------------------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bold(worksheet, text) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=str(text))
    cell.font = Font(bold=True)
    return cell


def table_workbook(*, title: str, headers: list[str], rows: Iterable[list], widths: list[int] | None = None,
                   sheet: str = "") -> bytes:
    """One sheet: a title row, a header row, the rows (streamed: written one at a time)."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet or title[:31])
    for index, width in enumerate(widths or []):
        worksheet.column_dimensions[chr(ord("A") + index)].width = width
    worksheet.append([_bold(worksheet, title)])
    worksheet.append([_bold(worksheet, header) for header in headers])
    for row in rows:
        worksheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stamp(on: datetime.date | None = None) -> str:
    return f"{(on or timezone.localdate()):%Y%m%d}"


def archive_workbook(*, person, years, statuses, records, exemptions, **_context) -> bytes:
    """A person's archive: the status under each rule, hours per year and kind, every record."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Archive"))
    for letter, width in zip("ABCDEFGHIJ", (12, 30, 22, 10, 12, 12, 8, 10, 16, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([_bold(sheet, _("Training archive of %(name)s") % {"name": person.name})])
    sheet.append([str(person.organ), person.position])
    sheet.append([])
    sheet.append([_bold(sheet, text) for text in (_("Rule"), _("Status"), _("Deadline"), _("Why"))])
    for status in statuses:
        sheet.append([status.requirement.title, str(status.status_label), status.deadline, status.why])
    sheet.append([])
    sheet.append([_bold(sheet, text) for text in (_("Year"), *(str(kind.label) for kind in TrainingKind),
                                                  _("Total"))])
    for row in years:
        sheet.append([row.year, *(float(row.hours.get(kind, 0)) for kind in TrainingKind.values), float(row.total)])
    sheet.append([])
    sheet.append([_bold(sheet, text) for text in (
        _("Year"), _("Training"), _("Institution"), _("Kind"), _("First day"), _("Last day"), _("Hours"),
        _("Induction"), _("Certificate number"), _("Source"))])
    for record in records:
        sheet.append([record.year, record.title, record.institution, str(record.get_kind_display()),
                      record.starts_on, record.ends_on, float(record.hours),
                      str(YesNo.YES.label) if record.counts_as_induction else "", record.certificate_number,
                      str(record.get_source_display())])
    if exemptions:
        sheet.append([])
        sheet.append([_bold(sheet, text) for text in (_("Exemption"), _("Reason"), _("From"), _("Until"))])
        for exemption in exemptions:
            sheet.append([exemption.requirement_code, exemption.reason, exemption.starts_on, exemption.ends_on])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
