"""Reading an uploaded workbook: file checks, sheets, header columns and cell values."""

import datetime
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from dangjian.core.validators import normalize_id_number, validate_id_number, validate_mobile
from dangjian.organizations.spreadsheets.layout import (
    CHOICE,
    CODE,
    DATE,
    ID_NUMBER,
    INTEGER,
    MOBILE,
    Column,
    Kind,
    Sheet,
)

logger = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, and password-protected .xlsx


@dataclass(frozen=True)
class RowError:
    """One problem, as Excel shows it: sheet, row number (None for the whole file) and column header."""

    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": str(self.message)}


class CellError(Exception):
    pass


@dataclass
class SheetRows:
    sheet: Sheet
    rows: list[tuple[int, tuple]]  # (Excel row number, raw values in the order of sheet.columns)


def _open_bytes(file) -> io.BytesIO | Path:
    """The upload as something openpyxl can read (a path stays a path)."""
    if isinstance(file, str | Path):
        return Path(file)
    if isinstance(file, bytes | bytearray):
        return io.BytesIO(file)
    return file


def _head(source) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return handle.read(8)
    if hasattr(source, "seek"):
        source.seek(0)
    head = source.read(8)
    if hasattr(source, "seek"):
        source.seek(0)
    return head


def max_upload_mb() -> int:
    """Largest workbook accepted, in MB (setting IMPORT_MAX_UPLOAD_MB; about 100,000 rows fit in 5 MB)."""
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_MB", 50))


def _size(source) -> int | None:
    if isinstance(source, Path):
        return source.stat().st_size
    size = getattr(source, "size", None)
    if size is None and isinstance(source, io.BytesIO):
        size = len(source.getbuffer())
    return size


def file_error(message: str) -> RowError:
    return RowError(sheet="", row=None, column="", message=message)


def read_workbook(file, kind: Kind, errors: list[RowError]) -> list[SheetRows] | None:
    """The data rows of each sheet of `kind`, or None after adding file-level errors.

    Blank rows are skipped; row numbers are those Excel shows (the header is row 1).
    """
    source = _open_bytes(file)
    try:
        head = _head(source)
        size = _size(source)
    except OSError as error:
        errors.append(file_error(_("The file cannot be read: %(error)s") % {"error": error}))
        return None
    if not head:
        errors.append(file_error(_("The file is empty.")))
        return None
    if size is not None and size > max_upload_mb() * 1024 * 1024:
        errors.append(file_error(_("The file is larger than %(size)d MB; split it into several files.")
                                 % {"size": max_upload_mb()}))
        return None
    if head.startswith(OLE_MAGIC):
        errors.append(file_error(_(
            "This is an old Excel .xls file or a password-protected workbook. Open it in Excel, remove any "
            "password and save it as an Excel workbook (.xlsx), then upload it again."
        )))
        return None
    if not head.startswith(ZIP_MAGIC):
        errors.append(file_error(_(
            "This is not an Excel workbook (.xlsx). Download the template, fill it in and upload it as .xlsx."
        )))
        return None
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # a damaged zip or XML can fail in many ways inside openpyxl
        logger.info("unreadable workbook: %r", error)
        errors.append(file_error(_("The file is damaged or is not a valid Excel workbook (.xlsx).")))
        return None
    try:
        return _read_sheets(workbook, kind, errors)
    except Exception as error:  # read-only mode parses the sheet XML lazily, while iterating
        logger.info("unreadable worksheet: %r", error)
        errors.append(file_error(_("The file is damaged or is not a valid Excel workbook (.xlsx).")))
        return None
    finally:
        workbook.close()


def _normalize_header(value) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"\s+", "", text).rstrip("*＊")


def _read_sheets(workbook, kind: Kind, errors: list[RowError]) -> list[SheetRows] | None:
    result = []
    for sheet in kind.sheets:
        if sheet.name not in workbook.sheetnames:
            errors.append(RowError(sheet.name, None, "", _(
                "The workbook has no sheet named “%(sheet)s”. Use the template; do not rename its sheets."
            ) % {"sheet": sheet.name}))
            continue
        worksheet = workbook[sheet.name]
        # Read-only mode trusts the declared used range, which some programs write wrongly (e.g. A1:A1).
        worksheet.reset_dimensions()
        rows = worksheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        positions: dict[str, int] = {}
        for index, value in enumerate(header):
            name = _normalize_header(value)
            if not name:
                continue
            if name in positions:
                errors.append(RowError(sheet.name, 1, name, _("This column appears more than once.")))
            positions.setdefault(name, index)
        missing = [column.header for column in sheet.columns if column.header not in positions]
        for name in missing:
            errors.append(RowError(sheet.name, 1, name, _(
                "The header row (row 1) has no column “%(column)s”. Use the template; do not rename or delete "
                "its columns."
            ) % {"column": name}))
        if missing:
            continue
        indexes = [positions[column.header] for column in sheet.columns]
        width = max(indexes) + 1
        data = []
        for number, values in enumerate(rows, start=2):
            if len(values) < width:
                values = tuple(values) + (None,) * (width - len(values))
            picked = tuple(values[index] for index in indexes)
            if all(value is None or (isinstance(value, str) and not value.strip()) for value in picked):
                continue
            data.append((number, picked))
        result.append(SheetRows(sheet, data))
    if errors:
        return None
    if not any(sheet_rows.rows for sheet_rows in result):
        errors.append(file_error(_("The workbook has no data rows: fill in the rows below the header row.")))
        return None
    return result


# Cell values -------------------------------------------------------------------------------------

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(value) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            value = str(int(value))  # typed as 20240301 into a number cell
        elif 0 < value < 2958466:
            try:
                return from_excel(value).date()  # a date serial in a cell formatted as a number
            except (ValueError, OverflowError, TypeError):
                pass
    text = re.sub(r"\s+", "", str(value))
    if not text:
        return None
    # Text dates such as "2024-03-01 00:00:00"
    text = re.sub(r"[T ]?0{1,2}:00(:00)?$", "", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise CellError(_("“%(value)s” is not a date. Write it as 2024-03-01 or use an Excel date.")
                    % {"value": value})


def text_of(value) -> str:
    """A cell as text: numbers without a trailing .0, surrounding whitespace removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def parse_cell(column: Column, value, lookups: dict[str, dict[str, str]]):
    """The Python value of one cell, or CellError with a message for the person who filled it in."""
    if column.type == DATE:
        result = parse_date(value)
        if result is None and column.required:
            raise CellError(_("This column is required."))
        return result
    if column.type == ID_NUMBER and isinstance(value, float) and value >= 1e16:
        # Excel keeps 15 significant digits of a number: an 18-digit ID number typed into a number cell is lost.
        raise CellError(_("The ID number was stored as a number and has lost digits. Format the column as text "
                          "and type the ID number again."))
    text = text_of(value)
    if not text:
        if column.required:
            raise CellError(_("This column is required."))
        return None if column.type == INTEGER else ""
    if column.max_length and len(text) > column.max_length:
        raise CellError(_("At most %(max)d characters (this has %(count)d).")
                        % {"max": column.max_length, "count": len(text)})
    if column.type == CHOICE:
        found = lookups[column.key].get(text.lower()) or lookups[column.key].get(text)
        if found is None:
            raise CellError(_("“%(value)s” is not one of: %(allowed)s.")
                            % {"value": text, "allowed": "、".join(column.vocabulary.labels)})
        return found
    if column.type == INTEGER:
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or not number.is_integer() or number < 0:
            raise CellError(_("“%(value)s” is not a whole number of 0 or more.") % {"value": text})
        return int(number)
    if column.type == ID_NUMBER:
        text = normalize_id_number(text)
        try:
            validate_id_number(text)
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from None
        return text
    if column.type == MOBILE:
        try:
            validate_mobile(text)
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from None
        return text
    if column.type == CODE:
        try:
            validate_slug(text)
        except ValidationError:
            raise CellError(_("“%(value)s” is not a valid code: use letters, digits, hyphens and underscores.")
                            % {"value": text}) from None
        return text
    return text


def choice_lookups(sheet: Sheet) -> dict[str, dict[str, str]]:
    return {column.key: column.vocabulary.lookup() for column in sheet.columns if column.type == CHOICE}


def parse_rows(sheet_rows: SheetRows, errors: list[RowError], tick) -> list[tuple[int, dict, set[str]]]:
    """Each row as (row number, {key: value}, keys of the cells that had errors). Errors go to `errors`."""
    sheet = sheet_rows.sheet
    lookups = choice_lookups(sheet)
    parsed = []
    for number, values in sheet_rows.rows:
        record, bad = {}, set()
        for column, value in zip(sheet.columns, values, strict=True):
            try:
                record[column.key] = parse_cell(column, value, lookups)
            except CellError as error:
                errors.append(RowError(sheet.name, number, column.header, str(error)))
                record[column.key] = None
                bad.add(column.key)
        parsed.append((number, record, bad))
        tick()
    return parsed
