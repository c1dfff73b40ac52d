"""Evaluation pages (培训评估). The participant's (phone first): the cards awaiting an answer, a session's card,
the program questionnaire — each answer anonymous (dangjian.evaluation.models). Staff: a program's forms (default
or its own copy) with copy and a simple editor, the response rate of each session, and — for the head teacher
during the class only — who has not answered a session's card yet (evaluation.rules)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.evaluation import analysis, report, selectors, services
from dangjian.evaluation.definitions import dimensions_for, label
from dangjian.evaluation.enums import FormKind
from dangjian.evaluation.models import EvaluationForm
from dangjian.training import selectors as training_selectors
from dangjian.training.models import Course, Instructor, Program, Session
from dangjian.web.views.base import permission_required, private_no_store, refused, require
from dangjian.web.views.timetable import session_place, session_time

# --- The participant ---------------------------------------------------------------------------------


def _rows(rows: list[dict]) -> list[dict]:
    return [{**row, "label": label(row)} for row in rows]


def _levels(definition: dict) -> list[dict]:
    return [{"value": level["value"], "label": label(level)} for level in definition["levels"]]


@permission_required("evaluation.answer")
@require_GET
def my_evaluation(request):
    """What the participant may evaluate now: the cards of their ended sessions, the program questionnaire."""
    pending = selectors.my_pending(user=request.user)
    cards = [{"session": item.session, "time": session_time(item.session), "program": item.program}
             for item in pending if item.kind == FormKind.SESSION_CARD]
    questionnaires = [item for item in pending if item.kind == FormKind.PROGRAMME]
    return private_no_store(render(request, "web/evaluation/my_evaluation.html", {
        "active": "my_home", "cards": cards, "questionnaires": questionnaires,
        "card_days": selectors.rule("evaluation_card_days")}))


def _answer_form_context(definition: dict, *, teaching_form, posted) -> dict:
    scores = {row["id"]: (posted.get(f"score-{row['id']}", "") if posted else "")
              for row in dimensions_for(definition, teaching_form=teaching_form)}
    return {
        "levels": _levels(definition),
        "dimensions": [{**row, "label": label(row), "value": scores[row["id"]]}
                       for row in dimensions_for(definition, teaching_form=teaching_form)],
        "questions": [{**row, "label": label(row), "value": posted.get(f"text-{row['id']}", "") if posted else ""}
                      for row in definition.get("open_questions", [])],
    }


@permission_required("evaluation.answer")
@require_http_methods(["GET", "POST"])
def session_card(request, pk):
    """A session's card: one radio group per dimension (and the on-site ones for on-site teaching), the open
    questions, one submit. Only for a session of the participant's roster (404 otherwise)."""
    session = get_object_or_404(
        Session.unscoped.select_related("phase__program", "course", "group", "venue", "classroom")
        .prefetch_related("instructors", "stops__site"), pk=pk)
    placement = selectors.my_placement_for_session(user=request.user, session=session)
    if placement is None:
        raise Http404
    status, errors = 200, []
    if request.method == "POST":
        form = selectors.form_in_use(session.phase.program, FormKind.SESSION_CARD)
        scores = {row["id"]: request.POST.get(f"score-{row['id']}")
                  for row in dimensions_for(form.definition, teaching_form=session.form)}
        texts = {row["id"]: request.POST.get(f"text-{row['id']}", "")
                 for row in form.definition.get("open_questions", [])}
        try:
            services.card_answer(session=session, by=request.user, scores=scores, texts=texts)
        except ValidationError as error:
            status, errors = 400, error.messages
        else:
            messages.success(request, _("Thank you: your evaluation was recorded anonymously."))
            return redirect("my_evaluation")
    answered = selectors.has_receipt(nomination_id=placement.nomination_id, kind=FormKind.SESSION_CARD,
                                     session=session)
    refusal = selectors.card_refusal(session=session, placement=placement, answered=answered)
    form = selectors.form_in_use(session.phase.program, FormKind.SESSION_CARD)
    return private_no_store(render(request, "web/evaluation/card.html", {
        "active": "my_home", "session": session, "program": session.phase.program, "form": form,
        "time_label": session_time(session), "place_label": session_place(session),
        "instructors": ", ".join(str(i) for i in session.instructors.all()),
        "refusal": refusal if status == 200 else None, "errors": errors,
        **_answer_form_context(form.definition, teaching_form=session.form,
                               posted=request.POST if status == 400 else None),
    }, status=status))


@permission_required("evaluation.answer")
@require_http_methods(["GET", "POST"])
def program_questionnaire(request, pk):
    """The program questionnaire of a class the participant is placed in (404 otherwise)."""
    placement = next((p for p in selectors.my_placements(user=request.user) if p.nomination.program_id == pk), None)
    if placement is None:
        raise Http404
    program = placement.phase.program
    form = selectors.form_in_use(program, FormKind.PROGRAMME)
    sessions = None
    status, errors = 200, []
    if request.method == "POST":
        try:
            services.questionnaire_answer(
                program=program, by=request.user,
                scores={row["id"]: request.POST.get(f"score-{row['id']}") for row in form.definition["dimensions"]},
                choices={row["id"]: request.POST.getlist(f"choice-{row['id']}")
                         for row in form.definition.get("choices", [])},
                texts={row["id"]: request.POST.get(f"text-{row['id']}", "")
                       for row in form.definition.get("open_questions", [])})
        except ValidationError as error:
            status, errors = 400, error.messages
        else:
            messages.success(request, _("Thank you: your questionnaire was recorded anonymously."))
            return redirect("my_evaluation")
    answered = selectors.has_receipt(nomination_id=placement.nomination_id, kind=FormKind.PROGRAMME)
    refusal = selectors.questionnaire_refusal(placement=placement, answered=answered)
    posted = request.POST if status == 400 else None
    choices = []
    for row in form.definition.get("choices", []):
        if row.get("options_source") == "class_sessions":
            if sessions is None:
                sessions = selectors.class_sessions(placement)
            options = [{"id": str(s.pk), "label": f"{s.starts_at:%m-%d} {s.title}"} for s in sessions]
        else:
            options = _rows(row.get("options", []))
        chosen = posted.getlist(f"choice-{row['id']}") if posted else []
        choices.append({**row, "label": label(row), "options": options, "chosen": chosen,
                        "multiple": row["max_select"] > 1})
    return private_no_store(render(request, "web/evaluation/questionnaire.html", {
        "active": "my_home", "program": program, "form": form, "refusal": refusal if status == 200 else None,
        "errors": errors, "choices": choices,
        **_answer_form_context(form.definition, teaching_form=None, posted=posted),
    }, status=status))


# --- Staff ----------------------------------------------------------------------------------------------


def _program(request, pk):
    program = training_selectors.program_get(user=request.user, pk=pk)
    require(request.user, "evaluation.view_forms", program)
    return program


@permission_required("evaluation.view_forms")
@require_GET
def program_evaluation(request, pk):
    """A program's forms (its own copy or the default) and the response rate of each session's card."""
    program = _program(request, pk)
    forms = selectors.program_forms(program)
    rows = selectors.response_rates(program)
    answered, placed = selectors.questionnaire_rate(program)
    can_change = request.user.has_perm("evaluation.change_forms", program)
    for row in rows:
        row.session.phase.program = program  # the rules read the program of each phase: no query per row
    head_teacher_of = {row.session.phase_id for row in rows
                       if request.user.has_perm("evaluation.view_non_respondents", row.session.phase)}
    return render(request, "web/evaluation/program.html", {
        "program": program, "can_change": can_change, "rows": rows,
        "forms": [{"kind": kind, "label": FormKind(kind).label, "form": forms[kind],
                   "rows": sum(len(forms[kind].definition.get(key, [])) for key in (
                       "dimensions", "onsite_dimensions", "choices", "open_questions"))}
                  for kind in FormKind.values],
        "questionnaire": {"answered": answered, "placed": placed,
                          "percent": round(answered * 100 / placed) if placed else None},
        "head_teacher_of": head_teacher_of,
        "can_analyse": request.user.has_perm("evaluation.view_analysis", program),
    })


@permission_required("evaluation.view_forms")
@require_POST
def form_copy(request, pk):
    program = _program(request, pk)
    back = reverse("program_evaluation", args=[program.pk])
    if response := refused(request, "evaluation.change_forms", program, back):
        return response
    try:
        form = services.form_copy(program=program, kind=request.POST.get("kind", ""), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("The program has its own copy of the form now: edit it below."))
    return redirect("evaluation_form_edit", form.pk)


ROW_KINDS = (("dimensions", "dim"), ("onsite_dimensions", "onsite"), ("open_questions", "open"))
BLANK_ROWS = 2


def _posted_rows(post, prefix: str, *, questions: bool) -> list[dict]:
    rows, number = [], 0
    while f"{prefix}-{number}-id" in post:
        if not post.get(f"{prefix}-{number}-delete"):
            row = {"id": post.get(f"{prefix}-{number}-id", "").strip(),
                   "zh": post.get(f"{prefix}-{number}-zh", "").strip(),
                   "en": post.get(f"{prefix}-{number}-en", "").strip()}
            if row["id"] or row["zh"] or row["en"]:
                if questions:
                    row["required"] = bool(post.get(f"{prefix}-{number}-required"))
                rows.append(row)
        number += 1
    return rows


@permission_required("evaluation.view_forms")
@require_http_methods(["GET", "POST"])
def form_edit(request, pk):
    """The editor of a program's own form: its title, and its dimensions and open questions as rows (an id, the
    Chinese and English words; a row left empty is ignored, "remove" drops one). The scale, its points and the
    choices are kept as copied."""
    form = get_object_or_404(EvaluationForm.objects.filter(program__isnull=False), pk=pk)
    program = _program(request, form.program_id)
    back = reverse("program_evaluation", args=[program.pk])
    if response := refused(request, "evaluation.change_forms", program, back):
        return response
    if selectors.form_has_answers(form):
        messages.error(request, _("Participants have already answered this form: it can no longer be changed."))
        return redirect(back)
    status, errors, definition = 200, [], form.definition
    title_zh, title_en = form.title_zh, form.title_en
    if request.method == "POST":
        definition = {**form.definition}
        for key, prefix in ROW_KINDS:
            definition[key] = _posted_rows(request.POST, prefix, questions=key == "open_questions")
        title_zh, title_en = request.POST.get("title_zh", ""), request.POST.get("title_en", "")
        try:
            if not title_zh.strip():
                raise ValidationError({"title_zh": _("The title is missing.")})
            services.form_update(form=form, title_zh=title_zh, title_en=title_en, definition=definition,
                                 by=request.user)
        except ValidationError as error:
            status, errors = 400, error.messages
        else:
            messages.success(request, _("The form was saved."))
            return redirect(back)
    sections = []
    for key, prefix in ROW_KINDS:
        rows = list(definition.get(key, []))
        if key != "onsite_dimensions" or form.kind == FormKind.SESSION_CARD:
            sections.append({"key": key, "prefix": prefix, "questions": key == "open_questions",
                             "rows": rows + [{"id": "", "zh": "", "en": ""}] * BLANK_ROWS})
    return render(request, "web/evaluation/form_edit.html", {
        "program": program, "form": form, "title_zh": title_zh, "title_en": title_en, "sections": sections,
        "errors": errors, "levels": _levels(form.definition)}, status=status)


@permission_required("evaluation.view_response_rates")
@require_GET
def non_respondents(request, pk):
    """Who has not answered a session's card yet: the head teacher, during the class (evaluation.rules)."""
    session = training_selectors.session_get(user=request.user, pk=pk)
    back = reverse("program_evaluation", args=[session.phase.program_id])
    require(request.user, "evaluation.view_response_rates", session)
    if response := refused(request, "evaluation.view_non_respondents", session, back):
        return response
    return private_no_store(render(request, "web/evaluation/non_respondents.html", {
        "session": session, "program": session.phase.program, "time_label": session_time(session),
        "nominations": selectors.non_respondents(session)}))


# --- Analysis (issue 13, item 2) ---------------------------------------------------------------------------


def _analysis_program(request, pk):
    program = training_selectors.program_get(user=request.user, pk=pk)
    require(request.user, "evaluation.view_analysis", program)
    return program


def _chart_rows(program, rows) -> dict:
    shown = [row for row in rows if not row.stats.hidden and row.stats.overall is not None]
    return {"labels": [row.label for row in shown], "values": [row.stats.overall_rounded for row in shown],
            "urls": [reverse("evaluation_analysis_answers", args=[program.pk, row.by, row.key]) for row in shown]}


@permission_required("evaluation.view_analysis")
@require_GET
def program_analysis(request, pk):
    """The analysis of a program's anonymous answers: response rates, scores per dimension (chart and table), the
    overall score per session, course, instructor, teaching form or phase (chart and table; a bar or a row opens
    its answers), keywords and quotes. Groups below the minimum number of answers are hidden."""
    program = _analysis_program(request, pk)
    by = request.GET.get("by", "course")
    if by not in analysis.GROUPINGS:
        by = "course"
    result = analysis.program_analysis(program, words=False)
    overall = result.overall
    chart = {
        "dimensions": {"labels": [row["label"] for row in overall.dimensions],
                       "values": [row["mean"] for row in overall.dimensions],
                       "max": overall.dimensions[0]["max"] if overall.dimensions else 20,
                       "name": _("Mean points")},
        "groups": {**_chart_rows(program, result.rows[by]), "name": _("Overall score (0–100)")},
    }
    titles = report.grouping_titles()
    return render(request, "web/evaluation/analysis.html", {
        "program": program, "analysis": result, "overall": overall, "by": by, "rows": result.rows[by],
        "groupings": [{"by": name, "title": titles[name]} for name in analysis.GROUPINGS],
        "by_title": titles[by], "chart": chart, "hidden_note": analysis.hidden_note(),
        "can_history": request.user.has_perm("evaluation.view_history"),
    })


@permission_required("evaluation.view_analysis")
@require_GET
def analysis_answers(request, pk, by, key):
    """The answers of one session, course, instructor, teaching form or phase (drill-down): scores and open texts,
    no person, no date; nothing below the minimum number of answers."""
    program = _analysis_program(request, pk)
    drill = analysis.drill_down(program, by=by, key=key)
    if drill is None:
        raise Http404
    return render(request, "web/evaluation/analysis_answers.html", {
        "program": program, "drill": drill, "hidden_note": analysis.hidden_note(),
        "by_title": report.grouping_titles()[by]})


@permission_required("evaluation.view_analysis")
@require_GET
def analysis_report(request, pk, extension):
    """The evaluation report as PDF or Excel: figures and anonymous texts, no person (no audit entry: it reveals
    no personal data)."""
    if extension not in ("pdf", "xlsx"):
        raise Http404
    program = _analysis_program(request, pk)
    if extension == "pdf":
        response = HttpResponse(report.report_pdf(program), content_type="application/pdf")
    else:
        response = HttpResponse(report.report_workbook(program), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = content_disposition_header(True, report.report_filename(program, extension))
    return response


def _history_page(request, *, course=None, instructor=None):
    require(request.user, "evaluation.view_history")
    programs = Program.objects.visible_to(request.user)
    rows = analysis.history(programs=programs, course=course, instructor=instructor)
    return render(request, "web/evaluation/history.html", {
        "course": course, "instructor": instructor, "rows": rows, "hidden_note": analysis.hidden_note(),
        "subject": course.title_zh if course else instructor.name,
        "chart": {"groups": {"labels": [f"{row.program.year} {row.program.title}" for row in reversed(rows)
                             if not row.stats.hidden],
                  "values": [row.stats.overall_rounded for row in reversed(rows) if not row.stats.hidden],
                  "urls": [reverse("evaluation_analysis_answers", args=[
                      row.program.pk, "course" if course else "instructor", (course or instructor).pk])
                      for row in reversed(rows) if not row.stats.hidden],
                  "name": _("Overall score (0–100)")}}})


@permission_required("evaluation.view_history")
@require_GET
def course_history(request, pk):
    """A course's figures in each program over the years (the programs the user sees)."""
    return _history_page(request, course=get_object_or_404(Course, pk=pk))


@permission_required("evaluation.view_history")
@require_GET
def instructor_history(request, pk):
    """An instructor's figures in each program over the years (the programs the user sees)."""
    return _history_page(request, instructor=get_object_or_404(Instructor, pk=pk))
