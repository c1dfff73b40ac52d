"""Follow-up pages (成果转化). The participant's (phone first): their closed classes with the implementation plan
(rows: what they will change and by when, until its deadline) and, when due, the follow-up survey. The unit
administrator's: their organs' reports awaiting confirmation, and one report to confirm or comment on. The
organizers': a program's follow-up per organ and per participant (filters, paged), the outcomes summarised (no
rankings of people), reminders into the outbox and the Excel export (streamed)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.audit import audit_record
from dangjian.evaluation.definitions import label
from dangjian.followup import selectors, services
from dangjian.followup.enums import Decision, FollowUpState
from dangjian.followup.spreadsheets import followup_workbook
from dangjian.ledger.spreadsheets import XLSX, stamp
from dangjian.training.selectors import program_get
from dangjian.web.views.base import paginate, permission_required, private_no_store, refused, require

PLAN_BLANK_ROWS = 3

# --- The participant ---------------------------------------------------------------------------------------


def _status(nomination) -> dict:
    report = selectors.report_of(nomination)
    return {"nomination": nomination, "program": nomination.program, "plan": selectors.plan_of(nomination),
            "plan_deadline": selectors.plan_deadline(nomination),
            "plan_refusal": selectors.plan_refusal(nomination),
            "survey_due": selectors.survey_due(nomination), "report": report,
            "survey_refusal": selectors.survey_refusal(nomination, answered=report is not None),
            "confirmation": selectors.confirmation_of(report), "state": selectors.state_of(nomination)}


@permission_required("followup.file_plan")
@require_GET
def my_followup(request):
    """The participant's closed classes that they completed, each with its plan and follow-up survey."""
    return private_no_store(render(request, "web/followup/my_followup.html", {
        "active": "my_home", "items": [_status(n) for n in selectors.my_graduations(user=request.user)],
        "months": selectors.rule("follow_up_months")}))


def _posted_rows(post) -> list[services.PlanRow]:
    try:
        count = min(int(post.get("rows", 0)), services.PLAN_ROWS_MAX + 1)
    except (TypeError, ValueError):
        count = 0
    return [services.PlanRow(action=post.get(f"action-{n}", ""), due=post.get(f"due-{n}", ""))
            for n in range(1, count + 1)]


@permission_required("followup.file_plan")
@require_http_methods(["GET", "POST"])
def my_plan(request, pk):
    """The participant's implementation plan (实施计划) for a class they completed: rows of what they will change
    in their branch's work and by when, saved all or none; changeable until the deadline."""
    nomination = selectors.my_graduation(user=request.user, program_pk=pk)
    status, errors, rows = 200, [], None
    if request.method == "POST":
        rows = _posted_rows(request.POST)
        try:
            services.plan_save(nomination=nomination, rows=rows, by=request.user)
        except ValidationError as error:
            status, errors = 400, error.messages
        else:
            messages.success(request, _("Your implementation plan was saved."))
            return redirect("my_followup")
    plan = selectors.plan_of(nomination)
    if rows is None:
        rows = [services.PlanRow(action=item["action"], due=item["due"]) for item in (plan.items if plan else [])]
    refusal = selectors.plan_refusal(nomination)
    shown = rows + [services.PlanRow(action="", due="")] * (
        0 if refusal else max(0, min(PLAN_BLANK_ROWS, services.PLAN_ROWS_MAX - len(rows))))
    return private_no_store(render(request, "web/followup/my_plan.html", {
        "active": "my_home", "program": nomination.program, "plan": plan, "errors": errors,
        "rows": [{"number": n, "action": row.action, "due": row.due} for n, row in enumerate(shown, start=1)],
        "refusal": refusal, "deadline": selectors.plan_deadline(nomination),
        "class_end": selectors.class_end(nomination)}, status=status))


@permission_required("followup.answer_survey")
@require_http_methods(["GET", "POST"])
def my_survey(request, pk):
    """The follow-up survey (训后跟踪调查) of a class the participant completed: not before it is due, once."""
    nomination = selectors.my_graduation(user=request.user, program_pk=pk)
    form = selectors.follow_up_form(nomination.program)
    definition = form.definition
    status, errors, posted = 200, [], None
    if request.method == "POST":
        try:
            services.survey_submit(
                nomination=nomination, by=request.user,
                scores={row["id"]: request.POST.get(f"score-{row['id']}") for row in definition.get("dimensions", [])},
                choices={row["id"]: request.POST.getlist(f"choice-{row['id']}")
                         for row in definition.get("choices", [])},
                texts={row["id"]: request.POST.get(f"text-{row['id']}", "")
                       for row in definition.get("open_questions", [])})
        except ValidationError as error:
            status, errors, posted = 400, error.messages, request.POST
        else:
            messages.success(request, _("Thank you: your follow-up report was sent to your unit for confirmation."))
            return redirect("my_followup")
    report = selectors.report_of(nomination)
    return private_no_store(render(request, "web/followup/my_survey.html", {
        "active": "my_home", "program": nomination.program, "form": form, "errors": errors,
        "refusal": selectors.survey_refusal(nomination, answered=report is not None) if status == 200 else None,
        "report": report, **_survey_context(definition, posted=posted, report=report)}, status=status))


def _survey_context(definition: dict, *, posted=None, report=None) -> dict:
    """The questions with their options and the posted (or stored) answers."""
    levels = [{"value": level["value"], "label": label(level)} for level in definition["levels"]]
    by_value = {level["value"]: level["label"] for level in levels}
    choices = []
    for row in definition.get("choices", []):
        if posted is not None:
            chosen = posted.getlist(f"choice-{row['id']}")
        else:
            chosen = report.choices.get(row["id"], []) if report else []
        options = [{"id": option["id"], "label": label(option)} for option in row.get("options", [])]
        choices.append({**row, "label": label(row), "options": options, "chosen": chosen,
                        "chosen_labels": [o["label"] for o in options if o["id"] in chosen],
                        "multiple": row.get("max_select", 1) > 1})
    dimensions = [{**row, "label": label(row),
                   "value": posted.get(f"score-{row['id']}", "") if posted is not None else "",
                   "answer": by_value.get(report.scores.get(row["id"])) if report else None}
                  for row in definition.get("dimensions", [])]
    questions = [{**row, "label": label(row),
                  "value": posted.get(f"text-{row['id']}", "") if posted is not None else "",
                  "answer": report.texts.get(row["id"], "") if report else ""}
                 for row in definition.get("open_questions", [])]
    return {"levels": levels, "choices": choices, "dimensions": dimensions, "questions": questions}


# --- The unit's party organization ----------------------------------------------------------------------------

@permission_required("followup.view_confirmations")
@require_GET
def confirmations(request):
    """The unit administrator's organs' follow-up reports: awaiting confirmation, or done."""
    done = request.GET.get("done") == "1"
    page = paginate(request, selectors.unit_reports(user=request.user, pending=not done))
    return render(request, "web/followup/confirmations.html", {"active": "followup", "page": page, "done": done})


def _unit_items(definition: dict, *, posted=None, confirmation=None) -> list[dict]:
    levels = {level["value"]: label(level) for level in definition["levels"]}
    items = []
    for row in definition.get("unit_items", []):
        stored = confirmation.answers.get(row["id"]) if confirmation else None
        items.append({**row, "label": label(row), "rated": row.get("type") == "likert4",
                      "value": posted.get(f"unit-{row['id']}", "") if posted is not None else "",
                      "answer": levels.get(stored, stored) if stored not in (None, "") else ""})
    return items


@permission_required("followup.view_confirmations")
@require_http_methods(["GET", "POST"])
def report_confirm(request, pk):
    """One report of the unit's own participant, with their plan: confirm it or comment on it (the form's unit
    items), once."""
    report = selectors.unit_report_get(user=request.user, pk=pk)
    back = redirect("followup_confirmations")
    status, errors, posted = 200, [], None
    if request.method == "POST":
        if (answer := refused(request, "followup.confirm", report, back.url)) is not None:
            return answer
        definition = report.form.definition
        try:
            services.unit_confirm(report=report, decision=request.POST.get("decision", ""), by=request.user,
                                  answers={row["id"]: request.POST.get(f"unit-{row['id']}", "")
                                           for row in definition.get("unit_items", [])})
        except ValidationError as error:
            status, errors, posted = 400, error.messages, request.POST
        else:
            messages.success(request, _("Your unit's decision on the follow-up report was recorded."))
            return back
    confirmation = selectors.confirmation_of(report)
    return private_no_store(render(request, "web/followup/report_confirm.html", {
        "active": "followup", "report": report, "nomination": report.nomination,
        "plan": selectors.plan_of(report.nomination),
        "confirmation": confirmation, "can_confirm": request.user.has_perm("followup.confirm", report),
        "decisions": Decision.choices, "decision": posted.get("decision", "") if posted is not None else "",
        "errors": errors, "unit_items": _unit_items(report.form.definition, posted=posted,
                                                    confirmation=confirmation),
        **_survey_context(report.form.definition, report=report)}, status=status))


# --- The organizers --------------------------------------------------------------------------------------------

def _program(request, pk, perm="followup.view_program"):
    require(request.user, perm)
    program = program_get(user=request.user, pk=pk)
    require(request.user, perm, program)
    return program


def _filters(request, counts) -> tuple[int | None, str]:
    organ = request.GET.get("organ", "")
    organ_id = int(organ) if organ.isdigit() and any(row.organ_id == int(organ) for row in counts) else None
    state = request.GET.get("state", "")
    return organ_id, state if state in FollowUpState.values else ""


@permission_required("followup.view_program")
@require_GET
def program_followup(request, pk):
    """A program's follow-up: counts per organ, the participants who completed (filter by organ and state,
    paged), the outcomes of the survey summarised."""
    program = _program(request, pk)
    counts = selectors.organ_counts(program)
    organ_id, state = _filters(request, counts)
    page = paginate(request, selectors.program_graduates(program, organ_id=organ_id, state=state))
    rows = [{"result": result, "nomination": result.nomination, "state": selectors.state_of(result.nomination),
             "plan": selectors.plan_of(result.nomination), "due": selectors.survey_due(result.nomination)}
            for result in page]
    return render(request, "web/followup/program.html", {
        "program": program, "counts": counts, "totals": selectors.totals(counts), "page": page, "rows": rows,
        "organ_id": organ_id, "state": state, "states": FollowUpState.choices,
        "outcomes": selectors.outcomes(program),
        "can_remind": request.user.has_perm("followup.send_reminders", program)})


@permission_required("followup.send_reminders")
@require_POST
def program_reminders(request, pk):
    """Compose reminders into the outbox (the organizer checks and sends them there)."""
    program = _program(request, pk)
    back = redirect("followup_program", pk=program.pk)
    if (answer := refused(request, "followup.send_reminders", program, back.url)) is not None:
        return answer
    try:
        outcome = services.reminders_compose(program=program, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    if outcome.count:
        messages.success(request, _("%(participants)d reminders to participants and %(units)d to unit "
                                    "administrators are waiting in the outbox.")
                         % {"participants": outcome.participants, "units": outcome.units})
    else:
        messages.info(request, _("Nobody needs a reminder now (or their reminder is still in the outbox)."))
    if outcome.unreachable:
        messages.warning(request, _("No address for: %(names)s.") % {"names": "、".join(outcome.unreachable)})
    return back


@permission_required("followup.view_program")
@require_GET
def program_followup_xlsx(request, pk):
    """The follow-up state of every participant who completed, as Excel (streamed)."""
    program = _program(request, pk)
    results = selectors.program_graduates(program)
    audit_record(actor=request.user, action="export", instance=program,
                 object_repr=_("Follow-up of %(program)s") % {"program": program})
    response = FileResponse(followup_workbook(program=program, results=results), content_type=XLSX,
                            as_attachment=True, filename=f"{program.title}-训后跟踪-{stamp()}.xlsx")
    return private_no_store(response)
