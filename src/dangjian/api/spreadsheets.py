"""Spreadsheet (Excel) templates, import and export of the registry.

GET  /spreadsheets/{kind}/template          the empty workbook with its instructions sheet
GET  /spreadsheets/{kind}/export?reveal=    the user's data (ID numbers and mobiles masked unless reveal)
POST /spreadsheets/{kind}/import            multipart "file": 200 with counts, or 422 problem details
                                            whose "errors" name the sheet, row and column of every problem

Kinds: organs, party-organizations, people. Same permissions as the staff pages.
"""

from typing import Literal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from dangjian.api.errors import problem
from dangjian.core.services import require_perm
from dangjian.organizations import spreadsheets

router = Router(tags=["spreadsheets"])

XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": "Excel workbook (.xlsx)",
            "content": {spreadsheets.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# The workbook kinds, an enum in the OpenAPI document; any other kind is a 422 naming `kind`.
SpreadsheetKind = Literal[tuple(spreadsheets.KINDS)]  # type: ignore[valid-type]


class ImportCounts(Schema):
    kind: SpreadsheetKind
    counts: dict[str, int]


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _api():
    # Imported here: api.urls mounts this router, so it is fully loaded by the time a request arrives.
    from dangjian.api.urls import api

    return api


@router.get("/{kind}/template", url_name="spreadsheet_template", openapi_extra=XLSX_RESPONSE,
            summary="Download the import template")
def template(request, kind: SpreadsheetKind):
    """The empty workbook of `kind` (organs, party-organizations, people) with its instructions sheet."""
    require_perm(request.user, "organizations.view_registry")
    return _xlsx(spreadsheets.registry_template(kind=kind), spreadsheets.template_filename(kind))


@router.get("/{kind}/export", url_name="spreadsheet_export", openapi_extra=XLSX_RESPONSE,
            summary="Export the registry to Excel")
def export(request, kind: SpreadsheetKind, reveal: bool = False):
    """The registry data visible to the user, laid out like the template. ID numbers and mobile phones are
    masked unless `reveal=true` (needs the right to reveal personal data; audited)."""
    content = spreadsheets.registry_export(kind=kind, by=request.user, reveal=reveal)
    return _xlsx(content, spreadsheets.export_filename(kind))


@router.post("/{kind}/import", url_name="spreadsheet_import",
             response={200: ImportCounts}, summary="Import an Excel workbook")
def import_(request, kind: SpreadsheetKind, file: File[UploadedFile]):
    """Import a filled-in template: every row is checked first, then all rows are created, or none.

    On any problem the answer is 422 with `errors`: one entry per problem, naming the sheet, the row as
    Excel shows it (null for the whole file) and the column header."""
    result = spreadsheets.registry_import(kind=kind, file=file, by=request.user, filename=file.name or "")
    if not result.ok:
        return problem(
            _api(), request, status=422, title=_("The spreadsheet has errors; nothing was imported."),
            detail=_("%(count)d problems were found.") % {"count": len(result.errors)},
            errors=[error.as_dict() for error in result.errors],
        )
    return {"kind": kind, "counts": result.counts}
