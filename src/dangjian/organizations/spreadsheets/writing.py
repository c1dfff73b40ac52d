"""Writing registry workbooks: the empty template of a kind, and the export of the user's data.

Both come from the same layout, so that an export can be imported again (with the personal data
revealed). Workbooks are written in openpyxl's write-only mode, row by row.
"""

import datetime
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dangjian.core.audit import audit_record
from dangjian.core.masking import mask_id_number, mask_mobile
from dangjian.core.services import require_perm
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post, organ_order
from dangjian.organizations.spreadsheets.layout import (
    CHOICE,
    CODE,
    DATE,
    DATE_HELP,
    DECIMAL,
    ID_NUMBER,
    INSTRUCTIONS_SHEET,
    INTEGER,
    KINDS,
    MOBILE,
    MONTH_HELP,
    ORGAN_SHEET,
    PARTY_ORG_SHEET,
    PARTY_ORG_TYPES,
    PEOPLE_SHEET,
    POST_SHEET,
    Column,
    Kind,
    Sheet,
    get_kind,
)
from dangjian.organizations.spreadsheets.reading import HEADER_SEARCH_ROWS, max_rows

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROW = 1048576
HEADER_FONT = Font(bold=True, color="FFFFFF")
REQUIRED_FILL = PatternFill("solid", fgColor="B3191D")
OPTIONAL_FILL = PatternFill("solid", fgColor="6A737D")
TEXT_COLUMNS = {CODE, ID_NUMBER, MOBILE}


def _allowed_values(column: Column) -> str:
    if column.type == CHOICE:
        return "、".join(column.vocabulary.labels) + " (" + ", ".join(column.vocabulary.choices_class.values) + ")"
    if column.type == DATE and column.month_precision_ok:
        return _("Date, or year and month (1975.03)")
    if column.type == DATE:
        return _("Date")
    if column.type == INTEGER:
        return _("Whole number")
    if column.type == DECIMAL:
        return _("Number, at most one decimal place")
    if column.type == ID_NUMBER:
        return _("18 characters, text")
    if column.type == MOBILE:
        return _("11 digits, text")
    if column.type == CODE:
        return _("Letters, digits, - and _")
    if column.max_length:
        return _("Text, at most %(max)d characters") % {"max": column.max_length}
    return _("Text")


def _header_cell(worksheet, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=column.header)
    cell.font = HEADER_FONT
    cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center")
    note = str(column.help)
    if column.required:
        note = _("Required.") + " " + note
    if column.type == CHOICE:
        note += "\n" + "、".join(column.vocabulary.labels)
    if column.type == DATE and column.month_precision_ok:
        note += "\n" + _("A year and month alone (1975.03) is the first day of that month.")
    cell.comment = Comment(note, "dangjian", width=260, height=120)
    return cell


def _prepare_sheet(workbook: Workbook, sheet: Sheet):
    worksheet = workbook.create_sheet(sheet.name)
    worksheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        dimension = worksheet.column_dimensions[letter]
        dimension.width = column.width
        if column.type in TEXT_COLUMNS:
            # Text format, so that Excel keeps all 18 digits of an ID number and the leading zeros of a code.
            dimension.number_format = "@"
        elif column.type == DATE:
            dimension.number_format = "yyyy-mm-dd"
        if column.type == CHOICE:
            labels = ",".join(column.vocabulary.labels)
            validation = DataValidation(
                type="list", formula1=f'"{labels}"', allow_blank=True, showErrorMessage=True,
                errorStyle="warning", errorTitle=column.header,
                error=_("Choose one of the values in the list."),
            )
            validation.add(f"{letter}2:{letter}{MAX_ROW}")
            worksheet.data_validations.append(validation)
    worksheet.append([_header_cell(worksheet, column) for column in sheet.columns])
    return worksheet


def _write_instructions(workbook: Workbook, kind: Kind) -> None:
    worksheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    for letter, width in zip("ABCDE", (12, 22, 8, 44, 80), strict=True):
        worksheet.column_dimensions[letter].width = width
    title = WriteOnlyCell(worksheet, value=_("How to fill in this workbook: %(kind)s") % {"kind": kind.label})
    title.font = Font(bold=True, size=14)
    worksheet.append([title])
    notes = [
        _("Fill in one record per row, from row 2 down. Do not rename the sheets or change the header row; "
          "columns not listed here are ignored."),
        _("Required columns have red headers; the others may be left empty."),
        DATE_HELP,
        MONTH_HELP,
        _("A title row, or a blank row or two, above the header row is fine: the import finds the header row "
          "among the first %(rows)d rows.") % {"rows": HEADER_SEARCH_ROWS},
        _("At most %(rows)s rows per sheet; split a larger file into several files.") % {
            "rows": f"{max_rows():,}"},
        _("Columns with a list of values offer a drop-down. The import accepts the Chinese labels and also the "
          "English codes shown in brackets."),
        _("The import is all-or-nothing: if any row has a problem, nothing is imported and every problem is "
          "listed with its sheet, row and column."),
    ]
    if kind.key in KINDS:  # the registry's workbooks (the ledger's has its own kind)
        notes += [
            _("The import only creates records. A row for an organ code, party organization or ID number that is "
              "already registered is reported as a duplicate."),
            _("Import in this order: organs, then party organizations, then people and posts."),
        ]
    if kind.key == "people":
        notes.append(_(
            "A post (任职) names the person by ID number (a person on the 人员 sheet of this file or already "
            "registered) and the party organization by organ code and party organization name."
        ))
    for number, note in enumerate(notes, start=1):
        worksheet.append([f"{number}.", str(note)])
    worksheet.append([])
    worksheet.append([
        _header_text(worksheet, _("Sheet")), _header_text(worksheet, _("Column")),
        _header_text(worksheet, _("Required")), _header_text(worksheet, _("Allowed values")),
        _header_text(worksheet, _("Meaning")),
    ])
    for sheet in kind.sheets:
        for column in sheet.columns:
            worksheet.append([sheet.name, column.header, _("yes") if column.required else "",
                              _allowed_values(column), str(column.help)])


def _header_text(worksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=str(text))
    cell.font = Font(bold=True)
    return cell


def _workbook_bytes(kind: Kind, rows: dict[str, Iterable[list]]) -> bytes:
    workbook = Workbook(write_only=True)
    for sheet in kind.sheets:
        worksheet = _prepare_sheet(workbook, sheet)
        for row in rows.get(sheet.name, ()):
            worksheet.append(row)
    _write_instructions(workbook, kind)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def registry_template(*, kind: str) -> bytes:
    """The empty workbook of `kind`, with its instructions sheet (说明)."""
    return _workbook_bytes(get_kind(kind), {})


def template_filename(kind: str) -> str:
    return f"{get_kind(kind).file_stem}导入模板.xlsx"


def export_filename(kind: str, on: datetime.date | None = None) -> str:
    return f"{get_kind(kind).file_stem}-{(on or timezone.localdate()):%Y%m%d}.xlsx"


# Rows of the export --------------------------------------------------------------------------------

def _label(column: Column, value: str) -> str:
    return column.vocabulary.label(value) if value else ""


def _organ_rows(user, counts):
    sector = ORGAN_SHEET.columns[3]
    qs = Organ.objects.visible_to(user).order_by(*organ_order()).values_list("code", "name_zh", "name_en", "sector",
                                                                     "parent__code")
    for code, name_zh, name_en, value, parent in qs.iterator(chunk_size=2000):
        counts["organs"] += 1
        yield [code, name_zh, name_en, _label(sector, value), parent or ""]


def _party_org_rows(user, counts):
    qs = PartyOrganization.objects.visible_to(user).order_by(*organ_order("organ__"), "name_sort").values_list(
        "organ__code", "name", "org_type", "parent__name", "parent__organ__code", "founded_on", "term_started_on",
        "term_years", "member_count",
    )
    for organ, name, org_type, parent, parent_organ, founded, term_start, term_years, members in qs.iterator(
        chunk_size=2000
    ):
        counts["party_organizations"] += 1
        yield [organ, name, PARTY_ORG_TYPES.label(org_type), parent or "",
               parent_organ if parent_organ and parent_organ != organ else "", founded, term_start, term_years,
               members]


def _people_rows(user, counts, reveal: bool):
    columns = {column.key: column for column in PEOPLE_SHEET.columns}
    id_of = (lambda value: value) if reveal else mask_id_number
    mobile_of = (lambda value: value) if reveal else mask_mobile
    qs = Person.objects.visible_to(user).order_by(*organ_order("organ__"), "name_sort", "id").values_list(
        "name", "gender", "id_number", "birth_date", "ethnicity", "party_joined_on", "mobile", "education",
        "position", "rank_level", "organ__code",
    )
    for (name, gender, id_number, birth, ethnicity, joined, mobile, education, position, rank,
         organ) in qs.iterator(chunk_size=2000):
        counts["people"] += 1
        yield [name, _label(columns["gender"], gender), id_of(id_number), birth, ethnicity, joined,
               mobile_of(mobile), _label(columns["education"], education), position,
               _label(columns["rank_level"], rank), organ]


def _post_rows(user, counts, reveal: bool):
    columns = {column.key: column for column in POST_SHEET.columns}
    id_of = (lambda value: value) if reveal else mask_id_number
    qs = Post.objects.visible_to(user).order_by(*organ_order("person__organ__"), "person__name_sort", "person_id",
                                                "started_on", "id").values_list(
        "person__id_number", "person__name", "party_organization__organ__code", "party_organization__name", "role",
        "portfolio", "started_on", "ended_on", "method", "approval_reference",
    )
    for id_number, name, organ, org, role, portfolio, start, end, method, reference in qs.iterator(chunk_size=2000):
        counts["posts"] += 1
        yield [id_of(id_number), name, organ, org, _label(columns["role"], role),
               _label(columns["portfolio"], portfolio), start, end, _label(columns["method"], method), reference]


def registry_export(*, kind: str, by, reveal: bool = False) -> bytes:
    """The workbook of `registry_export_counted`, without the counts."""
    return registry_export_counted(kind=kind, by=by, reveal=reveal)[0]


def registry_export_counted(*, kind: str, by, reveal: bool = False) -> tuple[bytes, dict[str, int]]:
    """The registry data of `kind` visible to `by`, as a workbook laid out like the import template.

    ID numbers and mobile phones are masked unless `reveal` is asked for by a user allowed to reveal
    personal data; a revealed export can be imported again without loss. Every export is audited
    (action "export", with the reveal flag and the counts). Returns the workbook and the counts.
    """
    spec = get_kind(kind)
    require_perm(by, "organizations.view_registry")
    if reveal:
        require_perm(by, "organizations.reveal_person")
    counts: dict[str, int] = dict.fromkeys(
        {"organs": ["organs"], "party-organizations": ["party_organizations"], "people": ["people", "posts"]}[kind],
        0,
    )
    if kind == "organs":
        rows = {ORGAN_SHEET.name: _organ_rows(by, counts)}
    elif kind == "party-organizations":
        rows = {PARTY_ORG_SHEET.name: _party_org_rows(by, counts)}
    else:
        rows = {PEOPLE_SHEET.name: _people_rows(by, counts, reveal), POST_SHEET.name: _post_rows(by, counts, reveal)}
    content = _workbook_bytes(spec, rows)
    audit_record(
        actor=by, action="export", model=spec.model._meta.label_lower,
        object_repr=(_("Export of %(kind)s with personal data revealed") if reveal else _("Export of %(kind)s"))
        % {"kind": spec.label},
        changes={"kind": kind, "reveal": reveal, "counts": counts},
    )
    return content, counts

