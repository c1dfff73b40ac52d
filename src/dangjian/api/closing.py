"""REST API v1 for a class's closing packs (结业材料, docs/completion.md): list them, make one (202 with the background
job), download one as a PDF or as a ZIP of its parts. Closing and reopening the class are the workflow transitions
POST /api/v1/programs/{id}/close and /reopen-class (api/training.py), which enforce the same rules as the page.

Every operation first requires `completion.view_closing_pack` (organizers, college staff; 403 for others); the
program is loaded through the scoped selector and a pack through `ClosingPack.objects.visible_to` (404 outside
the scope); then the permission on the program (403). Making a pack requires `completion.make_closing_pack` (409
before the class has started). A download is audited (who, which pack, which file).
"""

import datetime

from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from dangjian.api.jobs import JobOut, job_out
from dangjian.api.registry import ERRORS, Id
from dangjian.api.training_library import WRITE_ERRORS, gate
from dangjian.completion import closing
from dangjian.completion.models import ClosingPack
from dangjian.completion.pack import pack_filename
from dangjian.core.audit import audit_record
from dangjian.core.services import require_perm
from dangjian.training.selectors import program_get

router = Router(tags=["closing"])
VIEW = "completion.view_closing_pack"


class PackOut(Schema):
    id: int
    program_id: int
    made_at: datetime.datetime = Field(..., description="When the pack's records were read.")
    made_by: str | None = Field(None, description="User name of who made it.")
    page_count: int
    current: bool = Field(..., description="The latest pack, made after the last change of the class's records: "
                                           "closing the class needs one.")
    pdf_url: str
    zip_url: str


class PacksOut(Schema):
    program_id: int
    status: str = Field(..., description="The program's status.")
    items: list[PackOut]


def _program(request, program_id: int):
    program = program_get(user=request.user, pk=program_id)
    require_perm(request.user, VIEW, program)
    return program


def _pack_out(pack: ClosingPack, current_id: int | None) -> dict:
    return {"id": pack.pk, "program_id": pack.program_id, "made_at": pack.made_at,
            "made_by": pack.made_by.username if pack.made_by else None, "page_count": pack.page_count,
            "current": pack.pk == current_id, "pdf_url": reverse("api-v1:closing_pack_pdf", args=[pack.pk]),
            "zip_url": reverse("api-v1:closing_pack_zip", args=[pack.pk])}


@router.get("/closing/programs/{program_id}/packs", response={200: PacksOut, **ERRORS},
            summary="The closing packs of a program, latest first")
@gate(VIEW)
def pack_list(request, program_id: Id):
    program = _program(request, program_id)
    current = closing.current_pack(program)
    packs = ClosingPack.objects.visible_to(request.user).filter(program=program).select_related("made_by")
    return {"program_id": program.pk, "status": program.status,
            "items": [_pack_out(pack, current.pk if current else None) for pack in packs[:50]]}


@router.post("/closing/programs/{program_id}/packs", response={202: JobOut, **WRITE_ERRORS},
             summary="Make the closing pack (a background job)")
@gate(VIEW)
def pack_make(request, response: HttpResponse, program_id: Id):
    """Lays the pack out from the records in a background job; 202 with the job (its URL also in `Location`).
    The job's result names the pack (`closing_pack.pack`)."""
    program = _program(request, program_id)
    require_perm(request.user, "completion.make_closing_pack", program)
    body = job_out(closing.closing_pack_start(program=program, by=request.user))
    response["Location"] = body["url"]
    return Status(202, body)


def _download(request, pack_id: int, kind: str):
    pack = ClosingPack.objects.visible_to(request.user).select_related("program").filter(pk=pack_id).first()
    if pack is None:
        raise Http404
    require_perm(request.user, VIEW, pack.program)
    file = pack.pdf if kind == "pdf" else pack.archive
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    audit_record(actor=request.user, action="export", instance=pack, changes={"file": kind})
    return FileResponse(handle, as_attachment=kind != "pdf", filename=pack_filename(pack, kind),
                        content_type="application/pdf" if kind == "pdf" else "application/zip")


def _binary(content_type: str, description: str) -> dict:
    return {"responses": {200: {"description": description, "content": {
        content_type: {"schema": {"type": "string", "format": "binary"}}}}}}


@router.get("/closing/packs/{pack_id}/pdf", response=ERRORS, url_name="closing_pack_pdf",
            openapi_extra=_binary("application/pdf", "The closing pack as one PDF"), summary="The pack as a PDF")
@gate(VIEW)
def pack_pdf(request, pack_id: Id):
    return _download(request, pack_id, "pdf")


@router.get("/closing/packs/{pack_id}/zip", response=ERRORS, url_name="closing_pack_zip",
            openapi_extra=_binary("application/zip", "Each part of the pack as its own PDF"),
            summary="The pack's parts as a ZIP")
@gate(VIEW)
def pack_zip(request, pack_id: Id):
    return _download(request, pack_id, "zip")
