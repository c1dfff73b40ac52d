"""Reading an uploaded workbook: file checks, sheets, header columns and cell values.

A workbook is a zip archive of XML parts, and a small upload can unpack to gigabytes (a "zip bomb").
Before openpyxl reads anything, the zip directory is checked (settings IMPORT_MAX_UNCOMPRESSED_MB,
IMPORT_MAX_COMPRESSION_RATIO, IMPORT_MAX_ZIP_MEMBERS), then the rows of each sheet are counted by
scanning its XML in chunks (IMPORT_MAX_ROWS), and only then are the rows read, in openpyxl's
read-only (streaming) mode, one at a time as the importer asks for them: the rows of a sheet are never
all in memory. Python's zipfile never unpacks more than the size the directory declares, so the
declared sizes are a safe bound. The web page, the API and the `import` command all come through
open_workbook().
"""

import contextlib
import datetime
import decimal
import heapq
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from dangjian.core.validators import (
    normalize_id_number,
    normalize_mobile,
    normalize_person_name,
    validate_id_number,
    validate_mobile,
)
from dangjian.organizations.spreadsheets.layout import (
    CHOICE,
    CODE,
    DATE,
    DECIMAL,
    ID_NUMBER,
    INTEGER,
    MOBILE,
    PERSON_NAME,
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


def error_order(kind: Kind) -> Callable[[RowError], tuple[int, int, int]]:
    """Sort key of the problems of a `kind` file: sheet, then row, then column, as in the workbook."""
    sheets = {sheet.name: index for index, sheet in enumerate(kind.sheets)}
    columns = {(sheet.name, column.header): index for sheet in kind.sheets for index, column in
               enumerate(sheet.columns)}

    def key(error: RowError) -> tuple[int, int, int]:
        return (sheets.get(error.sheet, -1), error.row or 0, columns.get((error.sheet, error.column), -1))

    return key


class Problems:
    """The problems found in a file: every one is counted, the first `limit` of them (in workbook order) kept.

    A file of 300,000 bad rows must not make a report of 300,000 lines (nor hold them in memory): the
    person fixes the first ones and uploads again. `append` is all the readers and importers use.
    """

    def __init__(self, *, limit: int, order: Callable[[RowError], tuple]):
        self.limit, self.order, self.count = max(1, limit), order, 0
        self._kept: list[tuple] = []  # a heap whose top is the last kept problem in workbook order

    def append(self, error: RowError) -> None:
        self.count += 1
        item = (tuple(-part for part in self.order(error)), -self.count, error)
        if len(self._kept) < self.limit:
            heapq.heappush(self._kept, item)
        elif item > self._kept[0]:
            heapq.heapreplace(self._kept, item)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    def first(self) -> list[RowError]:
        """The kept problems, in workbook order."""
        return [error for _key, _arrival, error in sorted(self._kept, reverse=True)]

    @property
    def omitted(self) -> int:
        return self.count - len(self._kept)


class SheetRows:
    """The data rows of one sheet, read as they are iterated: (Excel row number, raw values in the order of
    sheet.columns), blank rows skipped. `total` is the row count the scan found below the header (an upper
    bound, for progress); `seen` counts the data rows iterated so far. Iterate once, while the workbook is open.
    """

    def __init__(self, sheet: Sheet, total: int, rows: Iterator[tuple[int, tuple]]):
        self.sheet, self.total, self.seen, self._rows = sheet, total, 0, rows

    def __iter__(self) -> Iterator[tuple[int, tuple]]:
        for item in self._rows:
            self.seen += 1
            yield item


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


def max_rows() -> int:
    """Most rows below the header of one sheet (setting IMPORT_MAX_ROWS)."""
    return int(getattr(settings, "IMPORT_MAX_ROWS", 50_000))


def max_uncompressed_mb() -> int:
    """Most MB the parts of a workbook may unpack to together (setting IMPORT_MAX_UNCOMPRESSED_MB)."""
    return int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_MB", 200))


def max_compression_ratio() -> int:
    """Most times a large part may unpack to its packed size (setting IMPORT_MAX_COMPRESSION_RATIO)."""
    return int(getattr(settings, "IMPORT_MAX_COMPRESSION_RATIO", 100))


def max_zip_members() -> int:
    """Most parts (files inside the zip) of a workbook (setting IMPORT_MAX_ZIP_MEMBERS)."""
    return int(getattr(settings, "IMPORT_MAX_ZIP_MEMBERS", 1000))


def max_reported_errors() -> int:
    """Most problems listed in a report; the others are only counted (setting IMPORT_MAX_REPORTED_ERRORS)."""
    return int(getattr(settings, "IMPORT_MAX_REPORTED_ERRORS", 200))


# The header row is looked for among the first rows: a title row (often merged across the columns) and a
# blank row or two above it are common in the tables people fill in.
HEADER_SEARCH_ROWS = 5
# Small parts may pack as tightly as they like (repetitive XML of styles or a short sheet); a bomb is big.
RATIO_CHECK_FROM = 1024 * 1024
# One registry row is a few hundred bytes of XML; even 20 columns of maximal Excel text (32,767 characters)
# stay under 2 MB. openpyxl builds each row in memory, so a bigger row is refused rather than parsed.
MAX_ROW_BYTES = 2 * 1024 * 1024
_SCAN_CHUNK = 1024 * 1024
_SCAN_OVERLAP = 64  # longer than any tag the scan looks for, so that none is lost between two chunks
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?(row|/sheetData)[\s/>]")


def _size(source) -> int | None:
    if isinstance(source, Path):
        return source.stat().st_size
    size = getattr(source, "size", None)
    if size is None and isinstance(source, io.BytesIO):
        size = len(source.getbuffer())
    return size


def file_error(message: str) -> RowError:
    return RowError(sheet="", row=None, column="", message=message)


@contextlib.contextmanager
def open_workbook(file, kind: Kind, errors: Problems) -> Iterator[list[SheetRows] | None]:
    """The sheets of `kind` in the workbook, each streaming its data rows, or None after adding file-level errors.

    Row numbers are those Excel shows (the header is row 1, or a later one of the first HEADER_SEARCH_ROWS
    when a title sits above it). A sheet found damaged while its rows are read adds a file-level error then.
    The workbook is closed when the block ends.
    """
    source = _open_bytes(file)
    if not _acceptable(source, errors):
        yield None
        return
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # a damaged zip or XML can fail in many ways inside openpyxl
        logger.info("unreadable workbook: %r", error)
        errors.append(file_error(_("The file is damaged or is not a valid Excel workbook (.xlsx).")))
        yield None
        return
    try:
        try:
            sheets = _open_sheets(workbook, kind, errors)
        except Exception as error:  # read-only mode parses the sheet XML lazily
            logger.info("unreadable worksheet: %r", error)
            errors.append(_damaged())
            sheets = None
        yield sheets
    finally:
        workbook.close()


def no_data_rows() -> RowError:
    return file_error(_("The workbook has no data rows: fill in the rows below the header row."))


def _damaged() -> RowError:
    return file_error(_("The file is damaged or is not a valid Excel workbook (.xlsx)."))


def _acceptable(source, errors: Problems) -> bool:
    """The checks made before openpyxl opens the file: size, type and the zip directory."""
    try:
        head = _head(source)
        size = _size(source)
    except OSError as error:
        errors.append(file_error(_("The file cannot be read: %(error)s") % {"error": error}))
        return False
    if not head:
        errors.append(file_error(_("The file is empty.")))
        return False
    if size is not None and size > max_upload_mb() * 1024 * 1024:
        errors.append(file_error(_("The file is larger than %(size)d MB; split it into several files.")
                                 % {"size": max_upload_mb()}))
        return False
    if head.startswith(OLE_MAGIC):
        errors.append(file_error(_(
            "This is an old Excel .xls file or a password-protected workbook. Open it in Excel, remove any "
            "password and save it as an Excel workbook (.xlsx), then upload it again."
        )))
        return False
    if not head.startswith(ZIP_MAGIC):
        errors.append(file_error(_(
            "This is not an Excel workbook (.xlsx). Download the template, fill it in and upload it as .xlsx."
        )))
        return False
    problem = check_archive(source)
    if problem:
        errors.append(file_error(problem))
        return False
    return True


def check_archive(source) -> str | None:
    """A message if the zip directory of the workbook shows it would unpack to too much, else None.

    Only the directory at the end of the file is read: nothing is unpacked.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        logger.info("unreadable zip directory: %r", error)
        return _("The file is damaged or is not a valid Excel workbook (.xlsx).")
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if len(members) > max_zip_members():
        return _("The workbook consists of %(count)d parts, more than the %(max)d an Excel workbook with registry "
                 "data needs. Copy the data into a new workbook made from the template.") % {
            "count": len(members), "max": max_zip_members()}
    limit = max_uncompressed_mb() * 1024 * 1024
    total = sum(member.file_size for member in members)
    if total > limit:
        return _("The workbook unpacks to %(size)d MB, more than the %(max)d MB allowed. Split it into several "
                 "files, or remove pictures and formatting.") % {
            "size": -(-total // (1024 * 1024)), "max": max_uncompressed_mb()}
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECK_FROM and ratio > max_compression_ratio():
            return _("A part of the workbook (%(part)s) unpacks to %(ratio)d times its packed size, which Excel "
                     "never does with registry data: such files are made to overload the server and are refused. "
                     "Copy the data into a new workbook made from the template.") % {
                "part": member.filename, "ratio": ratio}
        # Sheets are read as a stream; the other XML parts (shared strings, styles) are read whole.
        if (member.filename.endswith((".xml", ".rels")) and not member.filename.startswith("xl/worksheets/")
                and member.file_size > limit // 4):
            return _("A part of the workbook (%(part)s) unpacks to %(size)d MB, more than the %(max)d MB allowed "
                     "for it. Copy the data into a new workbook made from the template.") % {
                "part": member.filename, "size": -(-member.file_size // (1024 * 1024)),
                "max": max_uncompressed_mb() // 4}
    return None


def count_rows(stream, *, limit: int, max_row_bytes: int = MAX_ROW_BYTES) -> str | None:
    """Scan the XML of a sheet for its rows without parsing it: "rows" when it has more than `limit` rows,
    "size" when one row takes more than `max_row_bytes`, else None.

    Reads in chunks and stops at the first excess, so memory and time stay small whatever the sheet holds.
    """
    return scan_rows(stream, limit=limit, max_row_bytes=max_row_bytes)[0]


def scan_rows(stream, *, limit: int, max_row_bytes: int = MAX_ROW_BYTES) -> tuple[str | None, int]:
    """count_rows(), with the number of row elements found (up to the first excess)."""
    pending, offset, count, row_start = b"", 0, 0, None
    while True:
        chunk = stream.read(_SCAN_CHUNK)
        data = pending + chunk
        safe = max(0, len(data) - _SCAN_OVERLAP) if chunk else len(data)
        for match in _ROW_TAG.finditer(data):
            if match.start() >= safe:
                break
            position = offset + match.start()
            if row_start is not None and position - row_start > max_row_bytes:
                return "size", count
            if match.group(1) != b"row":  # </sheetData>: no rows after it
                return None, count
            count += 1
            if count > limit:
                return "rows", count
            row_start = position
        if row_start is not None and offset + safe - row_start > max_row_bytes:
            return "size", count
        if not chunk:
            return None, count
        pending, offset = data[safe:], offset + safe


def _too_many_rows(sheet: Sheet) -> RowError:
    return RowError(sheet.name, None, "", _(
        "The sheet “%(sheet)s” has more than %(max)d rows below the header row; checking stopped there. Split "
        "it into files of at most %(max)d rows. Rows that look empty but carry formatting count too: delete "
        "them."
    ) % {"sheet": sheet.name, "max": max_rows()})


def _scan_sheet(workbook, worksheet, sheet: Sheet) -> tuple[RowError | None, int]:
    """Count the rows of a sheet in its XML before openpyxl reads them (see count_rows): a problem or None,
    and the number of rows."""
    archive, path = getattr(workbook, "_archive", None), getattr(worksheet, "_worksheet_path", None)
    if archive is None or not path:  # not openpyxl's read-only mode: nothing to scan
        return None, 0
    with archive.open(path) as stream:
        found, count = scan_rows(stream, limit=max_rows() + HEADER_SEARCH_ROWS)
    if found == "rows":
        return _too_many_rows(sheet), count
    if found == "size":
        return RowError(sheet.name, None, "", _(
            "A row of the sheet “%(sheet)s” holds more than %(size)d MB of data, far more than a registry row; "
            "the file is refused. Copy the data into a new workbook made from the template."
        ) % {"sheet": sheet.name, "size": MAX_ROW_BYTES // (1024 * 1024)}), count
    return None, count


def _normalize_header(value) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"\s+", "", text).rstrip("*＊")


def _is_blank(values) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _find_header(worksheet, sheet: Sheet) -> tuple[int, tuple]:
    """The Excel row number and the cells of the header row: among the first HEADER_SEARCH_ROWS rows, the
    one with most of the expected column headers (a title row or blank rows may sit above it)."""
    expected = set(sheet.headers)
    first = list(worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
    best, best_score = None, 0
    for number, values in enumerate(first, start=1):
        score = len(expected & {_normalize_header(value) for value in values})
        if score > best_score:
            best, best_score = number, score
    if best is None:  # no expected header anywhere: report against the first row that has something
        best = next((number for number, values in enumerate(first, start=1) if not _is_blank(values)), 1)
    return best, first[best - 1] if best <= len(first) else ()


def _open_sheets(workbook, kind: Kind, errors: Problems) -> list[SheetRows] | None:
    """Check every sheet's size and header row; then each sheet's rows, to be read one by one."""
    result = []
    for sheet in kind.sheets:
        if sheet.name not in workbook.sheetnames:
            errors.append(RowError(sheet.name, None, "", _(
                "The workbook has no sheet named “%(sheet)s”. Use the template; do not rename its sheets."
            ) % {"sheet": sheet.name}))
            continue
        worksheet = workbook[sheet.name]
        problem, count = _scan_sheet(workbook, worksheet, sheet)
        if problem:
            errors.append(problem)
            continue
        # Read-only mode trusts the declared used range, which some programs write wrongly (e.g. A1:A1).
        worksheet.reset_dimensions()
        header_row, header = _find_header(worksheet, sheet)
        positions: dict[str, int] = {}
        for index, value in enumerate(header):
            name = _normalize_header(value)
            if not name:
                continue
            if name in positions:
                errors.append(RowError(sheet.name, header_row, name, _("This column appears more than once.")))
            positions.setdefault(name, index)
        missing = [column.header for column in sheet.columns if column.header not in positions]
        for name in missing:
            errors.append(RowError(sheet.name, header_row, name, _(
                "The header row (row %(row)d) has no column “%(column)s”. Use the template; do not rename or "
                "delete its columns."
            ) % {"row": header_row, "column": name}))
        if missing:
            continue
        indexes = [positions[column.header] for column in sheet.columns]
        rows = _data_rows(worksheet, sheet, header_row, indexes, errors)
        result.append(SheetRows(sheet, max(0, count - header_row), rows))
    if errors:
        return None
    return result


def _data_rows(worksheet, sheet: Sheet, header_row: int, indexes: list[int], errors: Problems):
    """The non-blank rows below the header, as (Excel row number, values in the order of sheet.columns)."""
    rows = worksheet.iter_rows(min_row=header_row + 1, max_col=max(indexes) + 1, values_only=True)
    limit = max_rows()
    try:
        for number, values in enumerate(rows, start=header_row + 1):
            if number - header_row > limit:  # the scan counts row elements; gaps between them count here
                errors.append(_too_many_rows(sheet))
                return
            picked = tuple(values[index] for index in indexes)
            if not _is_blank(picked):
                yield number, picked
    except Exception as error:  # read-only mode parses the sheet XML lazily, while iterating
        logger.info("unreadable worksheet: %r", error)
        errors.append(_damaged())


# Cell values -------------------------------------------------------------------------------------

_DATE_PATTERNS = [
    re.compile(r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$"),
    re.compile(r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?$"),
    re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$"),
]
# A year and a month, as cadre tables (干部任免审批表) write dates: 1975.03, 1975年3月, 2001-07, 197503.
_MONTH_PATTERNS = [
    re.compile(r"^([0-9]{4})[-/.]([0-9]{1,2})$"),
    re.compile(r"^([0-9]{4})年([0-9]{1,2})月?$"),
    re.compile(r"^([0-9]{4})([0-9]{2})$"),
]


class MonthDate(datetime.date):
    """A date known only to its month (written 1975.03): the first day of that month."""


def _number_as_text(value: int | float) -> str | None:
    """A number typed into a date cell, as the text the person typed, or None for a date serial.

    Excel stores "20240301" and "1975.03" typed into a General cell as numbers. The date serials of
    1905 to 1908 (1900 to 2999) and of the 25th century (190001 to 299912) are no one's dates here.
    """
    number = float(value)
    if number.is_integer() and 19000101 <= number <= 29991231:
        return str(int(number))
    if number.is_integer() and 190001 <= number <= 299912 and 1 <= number % 100 <= 12:
        return str(int(number))
    if 1900 <= number < 3000:
        year, _point, month = repr(number).partition(".")
        if month == "0":
            raise CellError(_("“%(value)s” is only a year. Write a date such as 2024-03-01.") % {"value": year})
        if month == "1":
            # 1975.10 typed into a number cell is stored as 1975.1: October or January cannot be told apart.
            raise CellError(_(
                "“%(value)s” was stored by Excel as a number, so January (%(year)s.01) and October (%(year)s.10) "
                "cannot be told apart. Format the cell as text and type the month with two digits."
            ) % {"value": repr(number), "year": year})
        return f"{year}.{month}"
    return None


def parse_date(value, *, month_precision_ok: bool = False) -> datetime.date | None:
    """The date in a cell; a year and month alone gives a MonthDate if `month_precision_ok`, else CellError."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        typed = _number_as_text(value)
        if typed is not None:
            value = typed
        elif 0 < value < 2958466:
            try:
                return from_excel(value).date()  # a date serial in a cell formatted as a number
            except (ValueError, OverflowError, TypeError):
                pass
    # Full-width digits and punctuation (１９７５．０３) as ASCII, blanks removed.
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
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
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match and int(match.group(1)) >= 1900 and 1 <= int(match.group(2)) <= 12:
            if not month_precision_ok:
                raise CellError(_(
                    "“%(value)s” has no day, and this column needs a full date. Write it as 2024-03-01 or use an "
                    "Excel date."
                ) % {"value": value})
            return MonthDate(int(match.group(1)), int(match.group(2)), 1)
    if month_precision_ok:
        raise CellError(_("“%(value)s” is not a date. Write it as 2024-03-01, or as a year and month such as "
                          "1975.03, or use an Excel date.") % {"value": value})
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


# Every input path stores these the same way (core/fields.py): before validation and duplicate checks.
NORMALIZERS = {ID_NUMBER: normalize_id_number, MOBILE: normalize_mobile, PERSON_NAME: normalize_person_name}


def parse_cell(column: Column, value, lookups: dict[str, dict[str, str]]):
    """The Python value of one cell, or CellError with a message for the person who filled it in."""
    if column.type == DATE:
        result = parse_date(value, month_precision_ok=column.month_precision_ok)
        if result is None and column.required:
            raise CellError(_("This column is required."))
        return result
    if column.type == ID_NUMBER and isinstance(value, float) and value >= 1e16:
        # Excel keeps 15 significant digits of a number: an 18-digit ID number typed into a number cell is lost.
        raise CellError(_("The ID number was stored as a number and has lost digits. Format the column as text "
                          "and type the ID number again."))
    text = text_of(value)
    if column.type in NORMALIZERS:
        text = NORMALIZERS[column.type](text)
    if not text:
        if column.required:
            raise CellError(_("This column is required."))
        return None if column.type in (INTEGER, DECIMAL) else ""
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
    if column.type == DECIMAL:
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0 or number != number.quantize(decimal.Decimal("0.1")):
            raise CellError(_("“%(value)s” is not a number of 0 or more with at most one decimal place.")
                            % {"value": text})
        return number.quantize(decimal.Decimal("0.1"))
    if column.type == ID_NUMBER:
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


def parse_rows(sheet_rows: SheetRows, errors: Problems, tick) -> Iterator[tuple[int, dict, set[str]]]:
    """Each row as (row number, {key: value}, keys of the cells that had errors), as the rows are read.
    Errors go to `errors`.

    A date given only to the month is the first of that month, and its key is in record["_month_only"].
    """
    sheet = sheet_rows.sheet
    lookups = choice_lookups(sheet)
    for number, values in sheet_rows:
        record, bad = {"_month_only": set()}, set()
        for column, value in zip(sheet.columns, values, strict=True):
            try:
                record[column.key] = parse_cell(column, value, lookups)
                if isinstance(record[column.key], MonthDate):
                    record[column.key] = datetime.date(record[column.key].year, record[column.key].month, 1)
                    record["_month_only"].add(column.key)
            except CellError as error:
                errors.append(RowError(sheet.name, number, column.header, str(error)))
                record[column.key] = None
                bad.add(column.key)
        tick()
        yield number, record, bad
