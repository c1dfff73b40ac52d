"""Reflection (心得体会) pages: the head teacher's list of a program's reflections with their grades, the reading and
grading page of one reflection (previous/next, earlier versions, ask for a revision), allowing a late one, the
portal draft of an excellent one, the file download (audited); the assessment template and import from Excel.

Each view loads its record through a scoped selector (404), asks the permission (403; a refused state: a message),
then calls one service.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.completion import selectors, services
from dangjian.completion.assessment_import import assessment_import, template_workbook
from dangjian.completion.enums import Grade
from dangjian.completion.models import ReflectionRevision
from dangjian.completion.validators import content_type_of
from dangjian.core.audit import audit_record
from dangjian.enrollment.models import Nomination
from dangjian.ledger.spreadsheets import XLSX, stamp
from dangjian.training.selectors import program_get
from dangjian.web.views.base import paginate, permission_required, private_no_store, refused, require
from dangjian.web.views.documents import _download

ACTIVE = "training_program"
PAGE_SIZE = 50
FILTERS = ("ungraded", *Grade.values)


def _grade_filter(request) -> str:
    value = request.GET.get("grade", "")
    return value if value in FILTERS else ""


@permission_required("completion.view_reflections")
@require_GET
def reflection_list(request, pk):
    """The program's submitted reflections (filter by grade), with links to read and grade each; the participants
    without one, whom the head teacher may allow to submit late."""
    program = program_get(user=request.user, pk=pk)
    require(request.user, "completion.view_reflections", program)
    grade = _grade_filter(request)
    page = paginate(request, selectors.reflection_list(program, grade=grade), PAGE_SIZE)
    missing = list(selectors.reflections_missing(program)[:200])
    return private_no_store(render(request, "web/completion/reflections.html", {
        "active": ACTIVE, "program": program, "page": page, "grade": grade, "filters": FILTERS,
        "counts": selectors.reflection_counts(program), "rules": selectors.rules_of(program), "missing": missing,
        "can_allow_late": request.user.has_perm("completion.allow_late_reflection", None)
        and selectors.is_provisional(program),
        "grade_labels": dict(Grade.choices)}))


def _reflection(request, pk):
    return selectors.reflection_get(user=request.user, pk=pk)


@permission_required("completion.view_reflections")
@require_http_methods(["GET", "POST"])
def reflection_read(request, pk):
    """One reflection, shown at a readable width, with the grading form, the earlier versions and previous/next."""
    reflection = _reflection(request, pk)
    program = reflection.nomination.program
    require(request.user, "completion.view_reflections", program)
    grade_filter = _grade_filter(request)
    here = reverse("completion_reflection", args=[reflection.pk]) + (f"?grade={grade_filter}" if grade_filter else "")
    status, errors, posted = 200, {}, {}
    if request.method == "POST":
        if response := refused(request, "completion.grade_reflection", reflection, here):
            return response
        posted = {"grade": request.POST.get("grade", ""), "comment": request.POST.get("comment", "")}
        try:
            services.reflection_grade(reflection=reflection, grade=posted["grade"], comment=posted["comment"],
                                      by=request.user)
        except ValidationError as error:
            status, errors = 400, error.message_dict
        else:
            messages.success(request, _("The grade of %(person)s's reflection was saved.")
                             % {"person": reflection.nomination.person})
            previous_id, next_id, _position, _count = selectors.reflection_neighbours(reflection, grade=grade_filter)
            if request.POST.get("then") == "next" and next_id:
                return redirect(reverse("completion_reflection", args=[next_id])
                                + (f"?grade={grade_filter}" if grade_filter else ""))
            return redirect(here)
    previous_id, next_id, position, count = selectors.reflection_neighbours(reflection, grade=grade_filter)
    return private_no_store(render(request, "web/completion/reflection_read.html", {
        "active": ACTIVE, "program": program, "reflection": reflection, "nomination": reflection.nomination,
        "revisions": list(selectors.reflection_revisions(reflection)), "previous_id": previous_id,
        "next_id": next_id, "position": position, "count": count, "grade_filter": grade_filter,
        "grades": Grade.choices, "errors": errors, "posted": posted,
        "can_grade": request.user.has_perm("completion.grade_reflection", reflection),
        "can_draft": request.user.has_perm("completion.draft_reflection_article", reflection),
        "may_draft_some": request.user.has_perm("completion.draft_reflection_article", None)}, status=status))


@permission_required("completion.view_reflection")
@require_GET
def reflection_file(request, pk):
    """The reflection's file (or an earlier version's: ?version=n), for its author and the head teachers; audited."""
    reflection = _reflection(request, pk)
    version = request.GET.get("version", "")
    source = reflection
    if version and version != str(reflection.version):
        source = ReflectionRevision.objects.filter(reflection=reflection, version=version if version.isdigit()
                                                   else -1).first()
        if source is None:
            raise Http404
    if not source.attachment:
        raise Http404
    with source.attachment.open("rb") as handle:
        content = handle.read()
    audit_record(actor=request.user, action="export", instance=reflection,
                 object_repr=_("Reflection file of %(person)s") % {"person": reflection.nomination.person},
                 changes={"file": source.attachment_name, "version": getattr(source, "version", None)})
    response = _download(content, content_type=content_type_of(source.attachment_name),
                         filename=source.attachment_name or "reflection")
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)


@permission_required("completion.allow_late_reflection")
@require_POST
def reflection_allow_late(request, pk, nomination_id):
    program = program_get(user=request.user, pk=pk)
    back = reverse("completion_reflections", args=[program.pk])
    nomination = (Nomination.unscoped.filter(pk=nomination_id, program=program).select_related("person", "program")
                  .first())
    if nomination is None:
        raise Http404
    if response := refused(request, "completion.allow_late_reflection", nomination, back):
        return response
    try:
        services.reflection_allow_late(nomination=nomination, comment=request.POST.get("comment", ""),
                                       by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(person)s may now submit a reflection late.") % {"person": nomination.person})
    return redirect(back)


@permission_required("completion.draft_reflection_article")
@require_POST
def reflection_portal_draft(request, pk):
    reflection = _reflection(request, pk)
    back = reverse("completion_reflection", args=[reflection.pk])
    if response := refused(request, "completion.draft_reflection_article", reflection, back):
        return response
    try:
        page = services.reflection_article_draft(reflection=reflection, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("A draft article was made from the reflection; check it and submit it for review."))
    return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))


# Assessment scores from Excel ------------------------------------------------------------------------------

@permission_required("training.run_class")
@require_GET
def assessments_template(request, pk):
    """The import template: the participants (序号, 姓名, 单位, 身份证号后四位) with empty 成绩 and 备注; audited."""
    program = program_get(user=request.user, pk=pk)
    require(request.user, "training.run_class", program)
    content = template_workbook(program)
    audit_record(actor=request.user, action="export", instance=program,
                 object_repr=_("Assessment template of %(program)s") % {"program": program})
    return private_no_store(_download(content, content_type=XLSX, filename=f"{program.title}-结业考核-{stamp()}.xlsx"))


@permission_required("completion.record_assessment")
@require_POST
def assessments_import(request, pk):
    """Import scores from the template filled in; all or nothing, each problem named by row and column."""
    program = program_get(user=request.user, pk=pk)
    here = reverse("completion_assessments", args=[program.pk])
    if response := refused(request, "completion.record_assessment", program, here):
        return response
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the Excel file (.xlsx) to import."))
        return redirect(here)
    try:
        written = assessment_import(program=program, file=upload, by=request.user, file_name=upload.name or "")
    except ValidationError as error:
        return _import_refused(request, program, error.messages)
    messages.success(request, _("%(count)d assessment scores were imported.") % {"count": written})
    return redirect(here)


def _import_refused(request, program, problems):
    from dangjian.web.views.completion import assessments_page

    return assessments_page(request, program, import_errors=problems, status=400)
