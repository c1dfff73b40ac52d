"""Completion (结业) pages: a program's completion rules (organizers), its results per participant with the reasons
in words (provisional until the class closes, then as stored) and their Excel export, the assessment scores grid
(those who run the class), the submitted reflections; and the participant's own reflection on the phone.

Each view loads the program through the scoped selector (404), asks the permission (403), then calls one service.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.completion import selectors, services
from dangjian.completion.rules import submit_refusal
from dangjian.completion.spreadsheets import results_workbook
from dangjian.core.audit import audit_record
from dangjian.ledger.spreadsheets import XLSX, stamp
from dangjian.training.selectors import program_get
from dangjian.web.forms_completion import CompletionRulesForm
from dangjian.web.views.base import form_page, paginate, permission_required, private_no_store, refused, require
from dangjian.web.views.documents import _download

ACTIVE = "training_program"
RESULTS_PAGE_SIZE = 50


def _program(request, pk, perm):
    program = program_get(user=request.user, pk=pk)
    require(request.user, perm, program)
    return program


@permission_required("completion.change_rules")
@require_http_methods(["GET", "POST"])
def rules_edit(request, pk):
    program = program_get(user=request.user, pk=pk)
    if response := refused(request, "completion.change_rules", program, program.get_absolute_url()):
        return response
    rules = selectors.rules_of(program)
    form = CompletionRulesForm(request.POST or None, instance=rules)
    return form_page(
        request, form=form,
        save=lambda: services.rules_set(program=program, by=request.user, **form.service_data()),
        context={"title": _("Completion rules of %(program)s") % {"program": program.title},
                 "intro": _("Each rule is optional. Until the class closes the results are computed under the rules "
                            "as they are; closing fixes them."),
                 "cancel_url": program.get_absolute_url(), "active": ACTIVE},
        success=_("The completion rules were saved."), next_url=lambda _rules: program.get_absolute_url())


def _results(request, program, q):
    if selectors.is_provisional(program):
        page = paginate(request, selectors.result_placements(program, user=request.user, q=q), RESULTS_PAGE_SIZE)
        return page, selectors.result_rows(program, page.object_list)
    page = paginate(request, selectors.stored_results(program, user=request.user, q=q), RESULTS_PAGE_SIZE)
    return page, selectors.stored_rows(page.object_list)


@permission_required("completion.view_results")
@require_GET
def results(request, pk):
    program = _program(request, pk, "completion.view_results")
    q = request.GET.get("q", "").strip()[:50]
    page, rows = _results(request, program, q)
    return private_no_store(render(request, "web/completion/results.html", {
        "active": ACTIVE, "program": program, "page": page, "rows": rows, "q": q,
        "provisional": selectors.is_provisional(program),
        "rules_words": selectors.rules_in_words(program),
        "can_assess": request.user.has_perm("completion.record_assessment", program),
        "can_read_reflections": request.user.has_perm("completion.view_reflections", program),
    }))


@permission_required("completion.view_results")
@require_GET
def results_xlsx(request, pk):
    program = _program(request, pk, "completion.view_results")
    if selectors.is_provisional(program):
        rows = selectors.result_rows(program, selectors.result_placements(program, user=request.user))
    else:
        rows = selectors.stored_rows(selectors.stored_results(program, user=request.user))
    content = results_workbook(program=program, rows=rows, provisional=selectors.is_provisional(program))
    audit_record(actor=request.user, action="export", instance=program,
                 object_repr=_("Completion results of %(program)s") % {"program": program}, changes={"rows": len(rows)})
    return _download(content, content_type=XLSX, filename=f"{program.title}-结业情况-{stamp()}.xlsx")


@permission_required("training.run_class")
@require_http_methods(["GET", "POST"])
def assessments(request, pk):
    """The assessment scores (结业考核) of every participant: score and note per row, saved all or nothing."""
    program = _program(request, pk, "training.run_class")
    here = reverse("completion_assessments", args=[program.pk])
    if request.method == "POST":
        if response := refused(request, "completion.record_assessment", program, here):
            return response
        grid = selectors.assessment_grid(program)
        rows = [services.ScoreInput(nomination_id=placement.nomination_id,
                                    score=request.POST.get(f"score-{placement.nomination_id}", ""),
                                    note=request.POST.get(f"note-{placement.nomination_id}", ""))
                for placement, _assessment in grid]
        try:
            services.assessment_set(program=program, by=request.user, rows=rows)
        except ValidationError as error:
            return assessments_page(request, program, grid=grid, errors=error.messages, posted=request.POST,
                                    status=400)
        messages.success(request, _("The assessment scores were saved."))
        return redirect(here)
    return assessments_page(request, program)


def assessments_page(request, program, *, grid=None, errors=(), posted=None, import_errors=(), status=200):
    """The assessment grid (with the posted input and the errors of a refused save or import)."""
    grid = selectors.assessment_grid(program) if grid is None else grid
    items = []
    for placement, assessment in grid:
        key = placement.nomination_id
        score = "" if assessment is None else assessment.score
        note = "" if assessment is None else assessment.note
        if posted is not None:
            score, note = posted.get(f"score-{key}", ""), posted.get(f"note-{key}", "")
        items.append({"placement": placement, "key": key, "score": score, "note": note})
    rules = selectors.rules_of(program)
    return render(request, "web/completion/assessments.html", {
        "active": ACTIVE, "program": program, "items": items, "errors": list(errors), "rules": rules,
        "import_errors": list(import_errors),
        "can_assess": request.user.has_perm("completion.record_assessment", program)}, status=status)


# The participant ------------------------------------------------------------------------------------------

@permission_required("enrollment.view_own_enrollment")
@require_http_methods(["GET", "POST"])
def my_reflection(request, pk):
    """The participant's reflection on a program they attend (phone first): write it and/or attach a file, submit
    it (again while not graded, before the deadline; after a request for revision, also later); read the grade and
    the head teacher's comment; give or withdraw consent to publish it."""
    nomination = selectors.my_nomination(user=request.user, program_pk=pk)
    reflection = selectors.my_reflection(nomination)
    here = reverse("my_reflection", args=[pk])
    status, errors = 200, {}
    text = reflection.text if reflection else ""
    title = reflection.title if reflection else ""
    if request.method == "POST" and request.POST.get("action") == "consent":
        if reflection is None:
            raise Http404
        require(request.user, "completion.consent_reflection", nomination)
        try:
            services.reflection_consent(reflection=reflection, publish=request.POST.get("publish") == "on",
                                        with_name=request.POST.get("with_name") == "on", by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your choice about publishing was saved."))
        return redirect(here)
    if request.method == "POST":
        if response := refused(request, "completion.submit_reflection", nomination, here):
            return response
        text, title = request.POST.get("text", ""), request.POST.get("title", "")
        try:
            services.reflection_submit(nomination=nomination, text=text, title=title, by=request.user,
                                       file=request.FILES.get("file"),
                                       remove_file=request.POST.get("remove_file") == "on")
        except ValidationError as error:
            status, errors = 400, error.message_dict
        else:
            messages.success(request, _("Your reflection was submitted."))
            return redirect(here)
    rules = selectors.rules_of(nomination.program)
    return private_no_store(render(request, "web/completion/my_reflection.html", {
        "active": "my_home", "nomination": nomination, "program": nomination.program, "reflection": reflection,
        "text": text, "title": title, "errors": errors, "max_length": services.TEXT_MAX_LENGTH,
        "due_on": rules.reflection_due_on, "max_file_mb": settings.REFLECTION_FILE_MAX_MB,
        "revisions": list(selectors.reflection_revisions(reflection)) if reflection else [],
        "submit_refusal": None if request.user.has_perm("completion.submit_reflection", nomination)
        else submit_refusal(nomination),
        "can_submit": request.user.has_perm("completion.submit_reflection", nomination)}, status=status))
