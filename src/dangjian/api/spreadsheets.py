"""Spreadsheet (Excel) templates, import and export of the registry.

GET  /spreadsheets/{kind}/template          the empty workbook with its instructions sheet
GET  /spreadsheets/{kind}/export?reveal=    the user's data (ID numbers and mobiles masked unless reveal;
                                            revealing by GET needs a bearer token, a browser session POSTs)
POST /spreadsheets/{kind}/export?reveal=    the same, for a browser session (CSRF token)
POST /spreadsheets/{kind}/import            multipart "file": 202 with the background job that imports it
                                            (Location: /api/v1/jobs/{id}, polled until it has ended; its result
                                            holds the counts, or the problems naming the sheet, row and column);
                                            422 problem details at once for a file over IMPORT_MAX_UPLOAD_MB

Kinds: organs, party-organizations, people. Same permissions as the staff pages.
"""

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from dangjian.api.auth import require_deliberate_reveal
from dangjian.api.errors import PROBLEM_CONTENT_TYPE
from dangjian.api.jobs import JobOut, job_out
from dangjian.core.services import require_perm
from dangjian.organizations import spreadsheets
from dangjian.organizations.spreadsheets.reading import file_error
from dangjian.organizations.tasks import registry_import_start

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
             response={202: JobOut, 422: SpreadsheetProblem}, summary="Import an Excel workbook (a background job)")
def import_(request, response: HttpResponse, kind: SpreadsheetKind, file: File[UploadedFile]):
    """Upload a filled-in template: it is imported by a background job, so that a file of 100,000 rows does
    not wait for an answer. The answer is 202 with the job; its URL is also in `Location`. Poll
    GET /api/v1/jobs/{id} until `status` is `done` (the result's `counts` say what was created) or `failed`
    (nothing was imported; the result's `errors` name the sheet, the row as Excel shows it — null for the
    whole file — and the column header of each problem, at most IMPORT_MAX_REPORTED_ERRORS (200) of them in
    workbook order, with `error_count` and `omitted` for how many there were in all).

    Every row is checked first, then all rows are created, or none. A file over IMPORT_MAX_UPLOAD_MB is
    refused at once (422, problem details) and not stored; files that unpack to too much (a zip bomb) or
    have too many rows are refused by the job before they are read."""
    return import_started(request, response, lambda: registry_import_start(
        kind=kind, file=file, by=request.user, filename=file.name or ""))


def import_started(request, response: HttpResponse, start):
    """The answer to an upload imported by a background job (the registry's, the ledger's): 202 with the job that
    `start()` queued (its URL also in `Location`), or 422 problem details when the file is refused at once (too
    large: ValidationError) and nothing was stored."""
    try:
        job = start()
    except ValidationError as error:
        body = {
            "type": "about:blank", "status": 422, "title": _("The spreadsheet has errors; nothing was imported."),
            "detail": " ".join(error.messages),
            "errors": [file_error(message).as_dict() for message in error.messages],
            "error_count": len(error.messages), "omitted": 0,
        }
        problem = _api().create_response(request, body, status=422)
        problem["Content-Type"] = PROBLEM_CONTENT_TYPE
        return problem
    body = job_out(job)
    response["Location"] = body["url"]
    return Status(202, body)
