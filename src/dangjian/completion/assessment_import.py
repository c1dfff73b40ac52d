"""Assessment scores (结业考核) from Excel: the template of a program's participants and its import.

The template lists the program's confirmed, placed participants in the roster's order, with what an organizer's
own table has — 序号, 姓名, 单位 and the last four characters of the ID number (身份证号后四位: enough to tell two
people of the same name and organ apart, not enough to identify anyone) — and empty 成绩 and 备注 columns. Rows
are matched to the participants by name (normalised as the registry stores names: no blanks inside a Chinese
name), then, when several participants share the name, by organ, then by the ID number's last four. Digits typed
full-width (８５．５) are read as ASCII (NFKC, as the registry's imports do).

All or nothing: every row is checked first, each problem named by its Excel row and column (an unknown person, a
name that matches several participants, a score not from 0 to 100 in tenths, a participant given twice, a note
too long); with any problem nothing is written. A row with an empty score leaves that participant's recorded
score as it is. The scores are written through completion.services (each audited) and the import itself is
audited. Synchronous: a class is a few hundred rows at most (ASSESSMENT_IMPORT_MAX_ROWS); the file is at most
ASSESSMENT_IMPORT_MAX_MB, and the registry's workbook checks (zip bombs, damaged files) come first.
"""

import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dangjian.completion.selectors import participant_placements
from dangjian.core.audit import audit_record
from dangjian.core.rules import require
from dangjian.core.validators import normalize_person_name
from dangjian.organizations.spreadsheets.layout import TEXT, Column, Kind, Sheet
from dangjian.organizations.spreadsheets.reading import Problems, RowError, open_workbook, text_of

SHEET_NAME = "结业考核"
COLUMNS = ("序号", "姓名", "单位", "身份证号后四位", "成绩", "备注")
ASSESSMENT_IMPORT_MAX_ROWS = 2000
ASSESSMENT_IMPORT_MAX_MB = 2
SHEET = Sheet(SHEET_NAME, tuple(Column(key, header, TEXT) for key, header in zip(
    ("number", "name", "organ", "id_tail", "score", "note"), COLUMNS, strict=True)))
KIND = Kind(key="assessments", label="结业考核", sheets=(SHEET,), model=object, file_stem="结业考核")


def _id_tail(person) -> str:
    return (person.id_number or "")[-4:]


def template_workbook(program) -> bytes:
    """The import template: one row per participant (序号, 姓名, 单位, 身份证号后四位), empty 成绩 and 备注."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, placement in enumerate(participant_placements(program), start=1):
        nomination = placement.nomination
        sheet.append([number, nomination.person.name, nomination.organ.name_zh, _id_tail(nomination.person), None,
                      None])
    for letter, width in zip("ABCDEF", (6, 12, 30, 14, 8, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = "@"  # the ID tail as text: 0012 keeps its zeros
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def _score(value) -> Decimal | None:
    text = _ascii(text_of(value))
    if not text:
        return None
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not score.is_finite() or score < 0 or score > 100 or score != score.quantize(Decimal("0.1")):
        raise ValueError
    return score.quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ImportedRow:
    row: int
    nomination_id: int
    score: Decimal
    note: str


def _match(candidates: list, organ: str, tail: str) -> list:
    if len(candidates) > 1 and organ:
        by_organ = [p for p in candidates if organ == p.nomination.organ.name_zh]
        candidates = by_organ or candidates
    if len(candidates) > 1 and tail:
        candidates = [p for p in candidates if _id_tail(p.nomination.person).upper() == tail.upper()]
    return candidates


def read_scores(program, file) -> tuple[list[ImportedRow], list[RowError]]:
    """The rows of an uploaded workbook matched to the program's participants, and every problem found."""
    from dangjian.completion.services import NOTE_MAX_LENGTH

    errors = Problems(limit=ASSESSMENT_IMPORT_MAX_ROWS, order=lambda error: (0, error.row or 0, 0))
    size = getattr(file, "size", None)
    if size is not None and size > ASSESSMENT_IMPORT_MAX_MB * 1024 * 1024:
        too_big = _("The file is larger than %(max)d MB.") % {"max": ASSESSMENT_IMPORT_MAX_MB}
        return [], [RowError("", None, "", too_big)]
    by_name: dict[str, list] = {}
    for placement in participant_placements(program):
        by_name.setdefault(normalize_person_name(placement.nomination.person.name), []).append(placement)
    rows, seen = [], {}
    with open_workbook(file, KIND, errors) as sheets:
        if sheets is None:
            return [], errors.first()
        for count, (number, values) in enumerate(sheets[0], start=1):
            if count > ASSESSMENT_IMPORT_MAX_ROWS:
                errors.append(RowError(SHEET_NAME, number, "", _("More than %(max)d rows: import a class at a time.")
                                       % {"max": ASSESSMENT_IMPORT_MAX_ROWS}))
                break
            _number, name, organ, tail, score, note = values
            name = normalize_person_name(_ascii(text_of(name)))
            organ, tail, note = text_of(organ), _ascii(text_of(tail)), text_of(note)
            if not name:
                errors.append(RowError(SHEET_NAME, number, "姓名", _("This column is required.")))
                continue
            candidates = _match(by_name.get(name, []), organ, tail)
            if not candidates:
                errors.append(RowError(SHEET_NAME, number, "姓名", _(
                    "“%(name)s” is not a participant of this program.") % {"name": name}))
                continue
            if len(candidates) > 1:
                errors.append(RowError(SHEET_NAME, number, "姓名", _(
                    "Several participants are called “%(name)s”: give the organ or the ID number's last four.")
                    % {"name": name}))
                continue
            nomination_id = candidates[0].nomination_id
            try:
                value = _score(score)
            except ValueError:
                errors.append(RowError(SHEET_NAME, number, "成绩", _(
                    "“%(score)s” is not a score from 0 to 100 (tenths at most).") % {"score": text_of(score)}))
                continue
            if len(note) > NOTE_MAX_LENGTH:
                errors.append(RowError(SHEET_NAME, number, "备注", _("At most %(max)d characters (this has %(count)d).")
                                       % {"max": NOTE_MAX_LENGTH, "count": len(note)}))
                continue
            if value is None:
                if note:
                    errors.append(RowError(SHEET_NAME, number, "成绩", _("A note needs a score.")))
                continue
            if nomination_id in seen:
                errors.append(RowError(SHEET_NAME, number, "姓名", _(
                    "%(name)s is also on row %(row)d.") % {"name": name, "row": seen[nomination_id]}))
                continue
            seen[nomination_id] = number
            rows.append(ImportedRow(row=number, nomination_id=nomination_id, score=value, note=note))
    if not rows and not errors:
        errors.append(RowError("", None, "", _("No row has a score: fill in the 成绩 column.")))
    return rows, errors.first()


def error_text(error: RowError) -> str:
    if error.row is None:
        return str(error.message)
    if error.column:
        return _("Row %(row)d, column “%(column)s”: %(message)s") % {
            "row": error.row, "column": error.column, "message": error.message}
    return _("Row %(row)d: %(message)s") % {"row": error.row, "message": error.message}


@transaction.atomic
def assessment_import(*, program, file, by, file_name: str = "") -> int:
    """Import the scores of an uploaded workbook, all or nothing (ValidationError listing every problem by row and
    column). Returns the number of scores written. Those who run the class, while it is open."""
    from dangjian.completion.services import ScoreInput, assessment_set

    require(by, "completion.record_assessment", program)
    rows, errors = read_scores(program, file)
    if errors:
        raise ValidationError([error_text(error) for error in errors])
    written = assessment_set(program=program, by=by, rows=[
        ScoreInput(nomination_id=row.nomination_id, score=row.score, note=row.note) for row in rows])
    audit_record(actor=by, action="import", instance=program,
                 object_repr=_("Assessment scores of %(program)s") % {"program": program},
                 changes={"file": file_name[:100], "rows": len(rows), "written": written})
    return written
