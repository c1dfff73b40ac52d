"""Staff pages for Excel templates, import and export of the registry.

The import runs as a background job (organizations/tasks.py): the upload is stored and queued, and the
page follows the job (web/views/jobs.py: a fragment that htmx polls) until the report is there. The
import is all-or-nothing; on errors the report lists every bad row and column and says that nothing
was imported.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.selectors import recent_jobs
from dangjian.organizations import spreadsheets
from dangjian.organizations.tasks import registry_import_start
from dangjian.web.views.base import private_no_store, require
from dangjian.web.views.jobs import job_context

KIND_DESCRIPTIONS = {
    "organs": gettext_lazy("The organs directly under the city (sheet 单位). Only the working committee imports "
                           "organs."),
    "party-organizations": gettext_lazy("Party committees, general branches and branches of each organ (sheet "
                                        "党组织), with their parents and terms of office."),
    "people": gettext_lazy("People (sheet 人员) and their posts in party organizations (sheet 任职). A post names "
                           "the person by ID number and the party organization by organ code and name."),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


def _kind(kind: str) -> spreadsheets.Kind:
    try:
        return spreadsheets.get_kind(kind)
    except spreadsheets.UnknownKind:
        raise Http404 from None


def _may_import(user, kind: str) -> bool:
    return user.has_perm("organizations.import_registry") and (
        kind != "organs" or user.has_perm("organizations.import_organs")
    )


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def index(request):
    require(request.user, "organizations.view_registry")
    kinds = [
        {
            "key": key,
            "label": spec.label,
            "sheets": [sheet.name for sheet in spec.sheets],
            "description": KIND_DESCRIPTIONS[key],
            "can_import": _may_import(request.user, key),
        }
        for key, spec in spreadsheets.KINDS.items()
    ]
    return render(request, "web/spreadsheets.html", {
        "kinds": kinds,
        "can_reveal": request.user.has_perm("organizations.reveal_person"),
        "form": UploadForm(),
        "recent_imports": recent_jobs(user=request.user, kind=BackgroundJob.Kind.REGISTRY_IMPORT),
        "active": "spreadsheet",
    })


@login_required
def template_download(request, kind):
    require(request.user, "organizations.view_registry")  # the role first: 403 before any lookup
    _kind(kind)
    return _xlsx(spreadsheets.registry_template(kind=kind), spreadsheets.template_filename(kind))


@login_required
@require_http_methods(["GET", "POST"])
def export_download(request, kind):
    """Masked by default; `reveal=1` (a checkbox of the export form) writes full personal data, audited.

    Revealing only by POST: the form's CSRF token proves the request comes from this site, whereas a link or
    an image on another site could make a signed-in browser GET a revealing export (and its audit entry).
    """
    require(request.user, "organizations.view_registry")
    _kind(kind)
    if request.method == "GET" and request.GET.get("reveal", "0") not in {"", "0"}:
        return HttpResponseNotAllowed(
            ["POST"], _("Full personal data is exported only from the export form (POST)."), content_type="text/plain"
        )
    reveal = request.POST.get("reveal") == "1"
    if reveal:
        require(request.user, "organizations.reveal_person")
    content = spreadsheets.registry_export(kind=kind, by=request.user, reveal=reveal)
    return private_no_store(_xlsx(content, spreadsheets.export_filename(kind)))


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, kind):
    """Store the workbook and start its import as a background job; then follow the job (its page, or with
    htmx its fragment in place). A form without a usable file answers at once with the form's error."""
    require(request.user, "organizations.import_registry")
    spec = _kind(kind)
    if kind == "organs":
        require(request.user, "organizations.import_organs")
    if request.method == "GET":
        return redirect("spreadsheets")
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = registry_import_start(kind=kind, file=upload, by=request.user, filename=upload.name or "")
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if request.htmx:
                return render(request, "web/_job.html", job_context(job))
            return redirect("job_detail", job.pk)
    context = {"kind": spec, "form": form, "result": None, "active": "spreadsheet"}
    if request.htmx:
        # htmx swaps only successful answers, so the form's error is a 200 here.
        return render(request, "web/_import_report.html", context)
    return render(request, "web/spreadsheets_result.html", context, status=400)
