"""Spreadsheet (Excel) templates, import and export of the registry.

GET  /spreadsheets/{kind}/template          the empty workbook with its instructions sheet
GET  /spreadsheets/{kind}/export?reveal=    the user's data (ID numbers and mobiles masked unless reveal;
                                            revealing by GET needs a bearer token, a browser session POSTs)
POST /spreadsheets/{kind}/export?reveal=    the same, for a browser session (CSRF token)
POST /spreadsheets/{kind}/import            multipart "file": 200 with counts, or 422 problem details
                                            whose "errors" name the sheet, row and column of each problem
                                            (the first IMPORT_MAX_REPORTED_ERRORS; "omitted" counts the rest)

Kinds: organs, party-organizations, people. Same permissions as the staff pages.
"""

from typing import Literal

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from dangjian.api.auth import require_deliberate_reveal
from dangjian.api.errors import PROBLEM_CONTENT_TYPE
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


class SpreadsheetError(Schema):
    sheet: str
    row: int | None
    column: str
    message: str


class SpreadsheetProblem(Schema):
    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[SpreadsheetError]
    error_count: int = Field(..., description="Problems found in all; `errors` lists the first of them.")
    omitted: int = Field(..., description="Problems found but not listed in `errors`.")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _export(request, kind: str, reveal: bool) -> HttpResponse:
    if reveal:
        require_deliberate_reveal(request)
    content = spreadsheets.registry_export(kind=kind, by=request.user, reveal=reveal)
    response = _xlsx(content, spreadsheets.export_filename(kind))
    patch_cache_control(response, private=True, no_store=True)  # registry data, personal data when revealed
    return response


def _api():
    # Imported here: api.urls mounts this router, so it is fully loaded by the time a request arrives.
    from dangjian.api.urls import api

    return api


def _detail(result) -> str:
    detail = _("%(count)d problems were found.") % {"count": result.error_count}
    if result.omitted:
        detail += " " + _("The first %(shown)d are listed; %(omitted)d more are not.") % {
            "shown": len(result.errors), "omitted": result.omitted}
    return detail


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
    masked unless `reveal=true` (needs the right to reveal personal data; audited). Revealing by GET needs a
    bearer token; with a browser session, use POST."""
    return _export(request, kind, reveal)


@router.post("/{kind}/export", url_name="spreadsheet_export_post", openapi_extra=XLSX_RESPONSE,
             summary="Export the registry to Excel (POST, for revealing with a browser session)")
def export_post(request, kind: SpreadsheetKind, reveal: bool = False):
    """As GET; a browser session reveals personal data this way (with the CSRF token)."""
    return _export(request, kind, reveal)


@router.post("/{kind}/import", url_name="spreadsheet_import",
             response={200: ImportCounts, 422: SpreadsheetProblem}, summary="Import an Excel workbook")
def import_(request, kind: SpreadsheetKind, file: File[UploadedFile]):
    """Import a filled-in template: every row is checked first, then all rows are created, or none.

    On any problem the answer is 422 with `errors`: one entry per problem, naming the sheet, the row as
    Excel shows it (null for the whole file) and the column header. At most IMPORT_MAX_REPORTED_ERRORS
    (200) are listed, in workbook order; `error_count` and `omitted` say how many there were in all.
    Files that unpack to too much (a zip bomb) or have too many rows are refused before they are read."""
    result = spreadsheets.registry_import(kind=kind, file=file, by=request.user, filename=file.name or "")
    if not result.ok:
        body = {
            "type": "about:blank", "status": 422, "title": _("The spreadsheet has errors; nothing was imported."),
            "detail": _detail(result), "errors": [error.as_dict() for error in result.errors],
            "error_count": result.error_count, "omitted": result.omitted,
        }
        response = _api().create_response(request, body, status=422)
        response["Content-Type"] = PROBLEM_CONTENT_TYPE
        return response
    return {"kind": kind, "counts": result.counts}
