"""The closing pack (结业材料) on the program page: make one (a background job with its progress page), the list of
packs made, and their downloads (PDF, ZIP of the parts). Closing and reopening the class are the program page's
workflow buttons (web/views/programs.py), which the completion app's hooks complete (completion/closing.py).

Those who run the class (completion.view_closing_pack): others get 403 before any lookup; a program or a pack
outside the user's scope is a 404; a download is audited (who, which pack, which file) and never cached.
"""

from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from dangjian.completion import closing
from dangjian.completion.models import ClosingPack
from dangjian.completion.pack import pack_filename
from dangjian.core.audit import audit_record
from dangjian.training import selectors, services
from dangjian.web.views.base import permission_required, refused, require

VIEW = "completion.view_closing_pack"
PACKS_SHOWN = 10


def closing_section(user, program) -> dict | None:
    """What the program page's 结业材料 section shows (None: not shown to this user). A fixed number of queries."""
    if not user.has_perm(VIEW, program):
        return None
    packs = list(ClosingPack.objects.visible_to(user).filter(program=program).select_related("made_by")
                 [:PACKS_SHOWN])
    current = closing.current_pack(program) if packs else None
    return {
        "packs": packs, "current": current, "latest": packs[0] if packs else None,
        "can_make": user.has_perm("completion.make_closing_pack", program),
        # What stands in the way of closing (no pack, or one older than the records), shown beside the button.
        "close_problems": services.transition_problems(program=program, name="close")
        if user.has_perm("training.close_program", program) else [],
    }


@permission_required(VIEW)
@require_POST
def closing_pack_make(request, pk):
    program = selectors.program_get(user=request.user, pk=pk)
    require(request.user, VIEW, program)
    if response := refused(request, "completion.make_closing_pack", program, program.get_absolute_url()):
        return response
    job = closing.closing_pack_start(program=program, by=request.user)
    return redirect("job_detail", job.pk)


def _download(request, pk: int, kind: str):
    pack = ClosingPack.objects.visible_to(request.user).select_related("program").filter(pk=pk).first()
    if pack is None:
        raise Http404
    require(request.user, VIEW, pack.program)
    file = pack.pdf if kind == "pdf" else pack.archive
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    audit_record(actor=request.user, action="export", instance=pack, changes={"file": kind})
    response = FileResponse(handle, as_attachment=kind != "pdf", filename=pack_filename(pack, kind),
                            content_type="application/pdf" if kind == "pdf" else "application/zip")
    patch_cache_control(response, private=True, no_store=True)
    return response


@permission_required(VIEW)
@require_GET
def closing_pack_pdf(request, pk):
    return _download(request, pk, "pdf")


@permission_required(VIEW)
@require_GET
def closing_pack_zip(request, pk):
    return _download(request, pk, "zip")
